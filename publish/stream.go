package publish

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/talkstream/talkstream/publish/index"
)

// A stream is a set of items, newest first, under a path prefix: the main
// stream at "/" and one per facet at "/DIR/SLUG/". Its items are read from
// the store's index in that order, a page at a time (keyset paging); its
// summary (count, years, version) is in the snapshot.

// The formats of a stream's outputs, by file name.
const (
	fileHTML = "index.html"
	fileRSS  = "rss.xml"
	fileAtom = "atom.xml"
	fileJSON = "feed.json"
)

// streamFiles are a stream's outputs: the first page has all four, the
// others index.html and feed.json, which the first one's next_url leads to.
var streamFiles = []string{fileHTML, fileRSS, fileAtom, fileJSON}

// onEveryPage says whether a format is on pages past the first.
func onEveryPage(file string) bool { return file == fileHTML || file == fileJSON }

// The kinds of output, which decide the response headers.
const (
	kindFeed  = iota + 1 // machine-readable: served with CORS
	kindPage             // HTML: served with the page's security headers
	kindAsset            // the page's stylesheet, script and icon
)

var streamTypes = map[string]string{
	fileHTML: "text/html; charset=utf-8",
	fileRSS:  "application/rss+xml; charset=utf-8",
	fileAtom: "application/atom+xml; charset=utf-8",
	fileJSON: "application/feed+json; charset=utf-8",
}

// fileCodes name the formats in ETags.
var fileCodes = map[string]string{fileHTML: "h", fileRSS: "r", fileAtom: "a", fileJSON: "j"}

// errNoPage is a page past a stream's end.
var errNoPage = errors.New("publish: no such page")

// outputRef names one output: a page of a stream in one format, or a fixed
// output (an asset, sources.opml).
type outputRef struct {
	st    *streamView
	n     int    // page number, from 1
	file  string // fileHTML, fileRSS...
	fixed *fixedOutput
}

// pagePrefix is the path of a stream's page n: the stream's prefix for the
// first, PREFIX/page/N/ for the others.
func pagePrefix(prefix string, n int) string {
	if n <= 1 {
		return prefix
	}
	return prefix + "page/" + strconv.Itoa(n) + "/"
}

// path is the URL path of the output: "/", "/rss.xml", "/tags/xen/page/2/".
func (o outputRef) path() string {
	if o.fixed != nil {
		return o.fixed.path
	}
	p := pagePrefix(o.st.Prefix, o.n)
	if o.file == fileHTML {
		return p
	}
	return p + o.file
}

// fileName is the output's file under an exported directory.
func (o outputRef) fileName() string {
	if o.fixed != nil {
		return o.fixed.file
	}
	return strings.TrimPrefix(pagePrefix(o.st.Prefix, o.n), "/") + o.file
}

func (o outputRef) contentType() string {
	if o.fixed != nil {
		return o.fixed.contentType
	}
	return streamTypes[o.file]
}

func (o outputRef) kind() int {
	switch {
	case o.fixed != nil:
		return o.fixed.kind
	case o.file == fileHTML:
		return kindPage
	}
	return kindFeed
}

// pageCount is how many pages a stream has: at least one, empty when the
// stream is.
func (p *Publisher) pageCount(st *streamView) int {
	return max(1, (st.Count+p.opts.Limit-1)/p.opts.Limit)
}

// lookup finds the output at a URL path ("/index.html" is "/").
func (p *Publisher) lookup(s *snapshot, path string) (outputRef, bool) {
	if f, ok := s.fixed[path]; ok {
		return outputRef{fixed: f}, true
	}
	dir, file := path, fileHTML
	if i := strings.LastIndexByte(path, '/'); i >= 0 && i < len(path)-1 {
		dir, file = path[:i+1], path[i+1:]
	}
	if _, ok := streamTypes[file]; !ok {
		return outputRef{}, false
	}
	n := 1
	if i := strings.Index(dir, "/page/"); i >= 0 && strings.Count(dir[i:], "/") == 3 {
		num, err := strconv.Atoi(strings.Trim(dir[i+len("/page/"):], "/"))
		if err != nil || num < 2 || strconv.Itoa(num) != strings.Trim(dir[i+len("/page/"):], "/") {
			return outputRef{}, false
		}
		dir, n = dir[:i+1], num
	}
	st, ok := s.streams[dir]
	if !ok || n > p.pageCount(st) || (n > 1 && !onEveryPage(file)) {
		return outputRef{}, false
	}
	return outputRef{st: st, n: n, file: file}, true
}

// etag is the output's strong ETag, known from versions alone: the
// fingerprint of the options, the stream's version and the page. An HTML
// page shows every facet's count too (the site's version), and the main
// page the sources' health; a feed shows neither, so neither changes a
// feed's ETag.
func (p *Publisher) etag(s *snapshot, o outputRef) string {
	if o.fixed != nil {
		return o.fixed.etag
	}
	var b strings.Builder
	b.WriteString(`"`)
	b.WriteString(s.fp[:8])
	b.WriteByte('-')
	b.WriteString(strconv.FormatInt(o.st.Version, 36))
	b.WriteByte('-')
	b.WriteString(strconv.Itoa(o.n))
	b.WriteByte('-')
	b.WriteString(fileCodes[o.file])
	if o.file == fileHTML {
		b.WriteByte('-')
		b.WriteString(strconv.FormatInt(s.version, 36))
		if o.st == s.main && o.n == 1 {
			b.WriteByte('-')
			b.WriteString(s.sources.hash)
		}
	}
	b.WriteString(`"`)
	return b.String()
}

// modTime is the output's Last-Modified: when its stream last changed (for
// a page, when anything it shows last changed), so that it stays the same
// across restarts and builds while the bytes do.
func (p *Publisher) modTime(s *snapshot, o outputRef) time.Time {
	if o.fixed != nil {
		return o.fixed.modTime
	}
	t := o.st.Modified
	if o.file == fileHTML {
		t = later(t, s.modified)
		if o.st == s.main && o.n == 1 {
			t = later(t, s.sources.modified)
		}
	}
	if t.IsZero() {
		return epoch
	}
	return t
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// pageStart is where page n of a stream starts in the stream's index: nil
// for the first. The starts are found once per snapshot by walking the
// index (keyset paging: never OFFSET), many pages per read.
func (p *Publisher) pageStart(ctx context.Context, st *streamView, n int) (*index.After, error) {
	if n <= 1 {
		return nil, nil
	}
	st.pagesMu.Lock()
	defer st.pagesMu.Unlock()
	limit := p.opts.Limit
	if len(st.starts) == 0 {
		st.starts = []*index.After{nil}
	}
	for len(st.starts) < n {
		// Read on from the last start known, up to 16 pages at once.
		from := st.starts[len(st.starts)-1]
		ms, err := p.store.Members(ctx, st.Prefix, from, 16*limit)
		if err != nil {
			return nil, err
		}
		for i := limit - 1; i < len(ms); i += limit {
			if i == len(ms)-1 && len(ms) < 16*limit {
				break // the stream's last member starts no page
			}
			st.starts = append(st.starts, &index.After{Published: ms[i].Published, ItemID: ms[i].ItemID})
		}
		if len(ms) < 16*limit {
			break
		}
	}
	if n > len(st.starts) {
		return nil, errNoPage
	}
	return st.starts[n-1], nil
}
