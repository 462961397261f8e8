package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/talkstream/talkstream/ingest"
)

// progress is the bar `talkstream fetch` draws under its lines on a
// terminal. Its methods do nothing on a nil *progress, which is what
// newProgress returns when w is not a terminal, so pipes and logs get
// the plain lines only.
type progress struct {
	w                          io.Writer
	total, done, failed, unchg int
	width                      int
}

func newProgress(w io.Writer, total int) *progress {
	if !isTerminal(w) || total == 0 {
		return nil
	}
	p := &progress{w: w, total: total, width: 30}
	p.draw()
	return p
}

// isTerminal reports whether w is a character device that can redraw a
// line: a terminal, and not TERM=dumb.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// add counts an outcome and redraws.
func (p *progress) add(o ingest.Outcome) {
	if p == nil {
		return
	}
	p.done++
	switch o.Kind {
	case ingest.OutcomeError, ingest.OutcomeGone:
		p.failed++
	case ingest.OutcomeNotModified, ingest.OutcomeUnchanged:
		p.unchg++
	}
	p.draw()
}

func (p *progress) draw() {
	fmt.Fprint(p.w, "\r\x1b[K"+p.line())
}

// line is the bar without control characters.
func (p *progress) line() string {
	fill := p.width * p.done / max(p.total, 1)
	return fmt.Sprintf("[%s%s] %d/%d done · %d failed · %d unchanged",
		strings.Repeat("#", fill), strings.Repeat(".", p.width-fill), p.done, p.total, p.failed, p.unchg)
}

// clear erases the bar so that a line can be printed in its place.
func (p *progress) clear() {
	if p == nil {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K")
}

// finish leaves the terminal as it was.
func (p *progress) finish() { p.clear() }
