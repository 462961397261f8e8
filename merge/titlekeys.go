package merge

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

// Title keys. An entry with a specific title has one key per form of its
// title — the whole title folded, the title without the decorations that
// can safely come off, and without every decoration (titles.go) — so that
// "Next Generation Cloud - Russell Pavlicek - SouthEast LinuxFest 2015" and
// the programme's "Next Generation Cloud" meet, whichever side is
// decorated. Each key carries the entry's evidence (evidence.go) after
// "#", so a candidate can be weighed without reading its item.
//
// A title key is "title:" + form + "@" + day (days since 1970, zero-padded)
// + "#" + evidence: the store finds every candidate within the window
// with one range scan per form. An entry that names its year explicitly
// (with its event, or "[2015]") also has a year key, "ytitle:" + form +
// "@" + year + "#" + evidence: when the event or speakers agree, the window
// is that year, so that a recording uploaded seven weeks after its session,
// or re-uploaded a year later as "[2015]", still meets it.

const (
	keyTitle = "title:"
	keyYear  = "ytitle:"
	// evidenceSep starts the evidence in a title key; rangeEnd sorts after
	// every evidence, so that a range ending in it takes every key of a day.
	evidenceSep = "#"
	rangeEnd    = "#~"
)

// DefaultTitleWindow is how far apart two entries' dates may be for equal
// titles to merge them.
const DefaultTitleWindow = 30 * 24 * time.Hour

// titleKey is the start of the keys of a form on a day, without evidence.
func titleKey(form string, day int64) string {
	return keyTitle + form + "@" + fmt.Sprintf("%06d", max(day, 0))
}

// yearKey is the start of the year keys of a form, without evidence.
func yearKey(form string, year int) string {
	return keyYear + form + "@" + strconv.Itoa(year)
}

// parseTitleKey splits a title key into form, day and evidence; ok is
// false for every other key. Keys stored before evidence was recorded
// have none.
func parseTitleKey(key string) (form string, day int64, ev evidence, ok bool) {
	rest, found := strings.CutPrefix(key, keyTitle)
	if !found {
		return "", 0, ev, false
	}
	rest, enc, _ := strings.Cut(rest, evidenceSep)
	i := strings.LastIndexByte(rest, '@')
	if i < 0 {
		return "", 0, ev, false
	}
	d, err := strconv.ParseInt(rest[i+1:], 10, 64)
	if err != nil {
		return "", 0, ev, false
	}
	return rest[:i], d, decodeEvidence(enc), true
}

// parseYearKey splits a year key into its index (form and year, as
// yearKey makes it) and evidence.
func parseYearKey(key string) (index string, ev evidence, ok bool) {
	if !strings.HasPrefix(key, keyYear) {
		return "", ev, false
	}
	index, enc, _ := strings.Cut(key, evidenceSep)
	return index, decodeEvidence(enc), true
}

func unixDay(t time.Time) int64 {
	return t.Unix() / 86400
}

// titleDate is the date an entry's title key is anchored at: the date it
// claims, not when it was fetched (fetch order must not decide merges).
func titleDate(e *talkstream.Entry) time.Time {
	if !e.Published.IsZero() {
		return e.Published
	}
	return e.Updated
}

// entryTitle is what an entry brings to title matching.
type entryTitle struct {
	forms []string // distinct forms of its title; none when too generic or undated
	day   int64
	ev    evidence
	keys  []string // its title and year keys
}

// forms returns the forms of a title that may identify a talk: the
// normalised one and the loosely normalised one when each is specific,
// and then the folded title, each once; none when the title is too
// generic either way.
func (t *titler) forms(e *talkstream.Entry, tc *textCache) []string {
	extra := append(append([]string(nil), e.Authors...), e.Speakers...)
	context := tc.plain(e.Summary)
	var out []string
	if n, ok := t.normalize(e.Title, extra, context, false); ok {
		out = append(out, n)
	}
	if l, ok := t.normalize(e.Title, extra, context, true); ok && !slices.Contains(out, l) {
		out = append(out, l)
	}
	if f := fold(e.Title); len(out) > 0 && !slices.Contains(out, f) {
		out = append(out, f)
	}
	return out
}

// entryTitleOf returns an entry's title forms, evidence and keys.
func (m *Merger) entryTitleOf(se *StoredEntry, tc *textCache) entryTitle {
	d := titleDate(&se.Entry)
	if d.IsZero() || m.window < 0 {
		return entryTitle{}
	}
	et := entryTitle{forms: m.titles.forms(&se.Entry, tc), day: unixDay(d)}
	if len(et.forms) == 0 {
		return et
	}
	et.ev = m.evidenceOf(se, tc)
	enc := evidenceSep + et.ev.encode()
	for _, f := range et.forms {
		et.keys = append(et.keys, titleKey(f, et.day)+enc)
		if et.ev.year != 0 {
			et.keys = append(et.keys, yearKey(f, et.ev.year)+enc)
		}
	}
	return et
}
