package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
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

// streamFiles are a stream's outputs: the first page has all five, the
// others index.html and feed.json, which the first one's next_url leads to.
var streamFiles = []string{fileHTML, fileRSS, fileAtom, fileJSON, fileICS}

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
	fileICS:  "text/calendar; charset=utf-8",
}

// fileCodes name the formats in ETags.
var fileCodes = map[string]string{fileHTML: "h", fileRSS: "r", fileAtom: "a", fileJSON: "j", fileICS: "i"}

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

// The pages of a stream. The first page holds the newest items; the
// archive pages hold the rest in groups of limit counted from the oldest,
// archive page 1 being the oldest. So a new item changes the first page
// and no archive page: an archive page keeps its items, and with them its
// bytes, ETag and address, until an item in it changes. Once a stream has
// 2×limit items, its first page (and its feeds) holds between limit and
// 2×limit−1 of them.

// archivePages is how many archive pages a stream has.
func (p *Publisher) archivePages(st *streamView) int {
	if st.Count < 2*p.opts.Limit {
		return 0
	}
	return st.Count/p.opts.Limit - 1
}

// firstPageSize is how many items a stream's first page holds.
func (p *Publisher) firstPageSize(st *streamView) int {
	return st.Count - p.archivePages(st)*p.opts.Limit
}

// pagePrefix is the path of a stream's page n: the stream's prefix for the
// first (0), PREFIX/page/N/ for archive page N.
func pagePrefix(prefix string, n int) string {
	if n == 0 {
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
	n := 0
	if i := strings.Index(dir, "/page/"); i >= 0 && strings.Count(dir[i:], "/") == 3 {
		num, err := strconv.Atoi(strings.Trim(dir[i+len("/page/"):], "/"))
		if err != nil || num < 1 || strconv.Itoa(num) != strings.Trim(dir[i+len("/page/"):], "/") {
			return outputRef{}, false
		}
		dir, n = dir[:i+1], num
	}
	st, ok := s.streams[dir]
	if !ok || n > p.archivePages(st) || (n > 0 && !onEveryPage(file)) {
		return outputRef{}, false
	}
	return outputRef{st: st, n: n, file: file}, true
}

// etag is the output's strong ETag, known without assembling it. A first
// page's comes from versions alone: the fingerprint of the options and its
// stream's version; an HTML first page shows every facet's count too (the
// site's version), and the main page the sources' health; a feed shows
// neither, so neither changes a feed's ETag. An archive page's comes from
// its members (item and fragment), read from the stream's index (see
// pageVersion): it does not change when newer items arrive.
func (p *Publisher) etag(ctx context.Context, s *snapshot, o outputRef) (string, time.Time, error) {
	var ms []index.Member
	if o.fixed == nil && o.n > 0 {
		var err error
		if ms, err = p.pageMembers(ctx, o.st, o.n); err != nil {
			return "", time.Time{}, err
		}
	}
	etag, mod := p.tagOf(s, o, ms)
	return etag, mod, nil
}

// tagOf is etag for an archive page whose members are known.
func (p *Publisher) tagOf(s *snapshot, o outputRef, ms []index.Member) (string, time.Time) {
	if o.fixed != nil {
		return o.fixed.etag, o.fixed.modTime
	}
	var b strings.Builder
	b.WriteString(`"`)
	b.WriteString(s.tag)
	b.WriteByte('-')
	b.WriteString(fileCodes[o.file])
	mod := o.st.Modified
	if o.n == 0 {
		b.WriteString(strconv.FormatInt(o.st.Version, 36))
		if o.file == fileICS && s.upcoming != nil && o.st != s.upcoming {
			// A calendar shows the upcoming talks too.
			b.WriteByte('-')
			b.WriteString(strconv.FormatInt(s.upcoming.Version, 36))
			mod = later(mod, s.upcoming.Modified)
		}
		if o.file == fileHTML {
			b.WriteByte('-')
			b.WriteString(strconv.FormatInt(s.version, 36))
			mod = later(mod, s.modified)
			if o.st == s.main {
				b.WriteByte('-')
				b.WriteString(s.sources.hash)
				mod = later(mod, s.sources.modified)
			}
		}
	} else {
		v, m := p.pageVersion(s, o, ms)
		b.WriteString("p" + strconv.Itoa(o.n) + "-" + v)
		mod = m
	}
	b.WriteString(`"`)
	if mod.IsZero() {
		mod = epoch
	}
	return b.String(), mod
}

// pageVersion is an archive page's version and Last-Modified: a hash of its
// members (each item and its fragment's hash) and of what else it shows
// (whether it is the newest archive page, the assets' versions), and the
// newest time one of them entered or changed.
func (p *Publisher) pageVersion(s *snapshot, o outputRef, ms []index.Member) (string, time.Time) {
	h := sha256.New()
	var mod time.Time
	for _, m := range ms {
		h.Write([]byte(m.ItemID + "\x00" + m.Hash + "\x01"))
		mod = later(mod, m.Changed)
	}
	if o.n == p.archivePages(o.st) {
		h.Write([]byte("newest"))
	}
	if o.file == fileHTML {
		for _, a := range []string{"style.css", "app.js", "favicon.svg"} {
			h.Write([]byte(s.assets[a]))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:8]), mod
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// pageMembers returns the members of page n of a stream, newest first.
func (p *Publisher) pageMembers(ctx context.Context, st *streamView, n int) ([]index.Member, error) {
	if n == 0 {
		return p.store.Members(ctx, st.Prefix, nil, p.firstPageSize(st))
	}
	if n > p.archivePages(st) {
		return nil, errNoPage
	}
	start, err := p.archiveStart(ctx, st, n)
	if err != nil {
		return nil, err
	}
	ms, err := p.store.MembersFromOldest(ctx, st.Prefix, start, p.opts.Limit)
	if err != nil {
		return nil, err
	}
	slices.Reverse(ms)
	return ms, nil
}

// archiveStart is where archive page n starts, counted from the stream's
// oldest member: nil for the first. The starts are found once per snapshot
// by walking the index from its oldest end (keyset paging: never OFFSET),
// many pages per read.
func (p *Publisher) archiveStart(ctx context.Context, st *streamView, n int) (*index.After, error) {
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
		from := st.starts[len(st.starts)-1]
		ms, err := p.store.MembersFromOldest(ctx, st.Prefix, from, 16*limit)
		if err != nil {
			return nil, err
		}
		for i := limit - 1; i < len(ms); i += limit {
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
