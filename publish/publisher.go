package publish

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
)

// Publisher publishes the items a store holds. Sync renders the fragments
// of the items that changed since it last ran; every output is assembled
// from them when it is asked for (Handler) or written (Export), and a
// bounded cache keeps the outputs asked for most.
type Publisher struct {
	store index.Store
	opts  Options
	host  string
	cache *cache

	cacheControlH []string // of every output but a versioned asset
	cspH          []string // the pages' Content-Security-Policy

	assembling chan struct{} // a slot per assembly under way (handler.go)
	flightMu   sync.Mutex
	flights    map[string]*flight

	syncMu sync.Mutex // one Sync at a time
	cur    atomic.Pointer[snapshot]
}

// New returns a Publisher of the items in st. Call Sync before serving or
// exporting.
func New(opts Options, st index.Store) (*Publisher, error) {
	opts, host, err := opts.normalized()
	if err != nil {
		return nil, err
	}
	return &Publisher{
		store: st, opts: opts, host: host, cache: newCache(opts.CacheSize),
		cacheControlH: []string{"public, max-age=" + strconv.Itoa(int(opts.MaxAge/time.Second))},
		cspH:          []string{contentSecurityPolicy(peerTubeHosts(opts.PeerTubeHosts))},
		assembling:    make(chan struct{}, maxAssemblies),
		flights:       map[string]*flight{},
	}, nil
}

// maxAssemblies is how many outputs the handler assembles at once.
var maxAssemblies = max(2, runtime.GOMAXPROCS(0))

// snapshot is what publishing knows between two Syncs: every stream's
// summary (not its items), the facets for the page's navigation, the sources
// and the fixed outputs. Its size grows with the number of streams and
// sources, not of items.
type snapshot struct {
	fp       string // of the publish options
	lineage  string // of the database (index.State)
	tag      string // what every stream's ETag starts with: fp and lineage
	r        *renderer
	version  int64     // the newest stream version
	modified time.Time // when it was made
	streams  map[string]*streamView
	main     *streamView
	upcoming *streamView // /upcoming/
	// nextStart is the soonest upcoming talk's start: a Sync at or after
	// it renders again (upcoming.go).
	nextStart time.Time
	nav       struct{ kinds, tags, speakers, events []*streamView }
	sources   sourcesView
	fixed     map[string]*fixedOutput // assets and sources.opml, by path
	assets    map[string]string       // asset file name → its version, for ?v=

	mu       sync.Mutex
	sidebars map[string][]byte // the rendered sidebar, by root

	routes     sync.Map // URL path → *route (handler.go)
	routeCount atomic.Int64
}

// streamView is a stream as the outputs show it.
type streamView struct {
	index.Stream
	facet       *facet // nil for the main stream
	title       string
	description string

	pagesMu sync.Mutex
	starts  []*index.After // where each page starts, once asked (keyset paging)
}

// sourcesView is the sources' health as the main page shows it.
type sourcesView struct {
	list     []sourceView
	healthy  int
	hash     string    // changes when anything the page shows of them changes
	modified time.Time // the newest fetch
}

// load makes a snapshot from the store's streams.
func (p *Publisher) load(ctx context.Context, fp, lineage string, r *renderer, sources []talkstream.Source, version int64) (*snapshot, error) {
	rows, err := p.store.Streams(ctx)
	if err != nil {
		return nil, err
	}
	s := &snapshot{
		fp: fp, lineage: lineage, tag: etagPrefix(fp, lineage), r: r, version: version, streams: map[string]*streamView{},
		sidebars: map[string][]byte{},
	}
	for _, row := range rows {
		sv := &streamView{Stream: row}
		if row.Prefix == upcomingPrefix {
			sv.title, sv.description = p.upcomingTitle()
			s.upcoming = sv
		} else if row.Dir == "" {
			sv.title, sv.description = p.opts.Title, p.opts.Description
			s.main = sv
		} else {
			f := r.facets.get(row.Dir, row.Key)
			if f == nil {
				continue // a stream the store has but the slugs do not: left by a crash, gone at the next Sync
			}
			if f.label == "" {
				f.label, f.url = r.facetLabel(row.Dir, row.Key)
			}
			sv.facet = f
			sv.title, sv.description = p.facetTitle(f)
			switch f.dir {
			case dirKinds:
				s.nav.kinds = append(s.nav.kinds, sv)
			case dirTags:
				s.nav.tags = append(s.nav.tags, sv)
			case dirSpeakers:
				s.nav.speakers = append(s.nav.speakers, sv)
			case dirEvents:
				s.nav.events = append(s.nav.events, sv)
			}
		}
		s.streams[row.Prefix] = sv
		if row.Modified.After(s.modified) {
			s.modified = row.Modified
		}
	}
	if s.main == nil {
		// An empty site still has its main stream, with nothing in it.
		s.main = &streamView{Stream: index.Stream{Prefix: "/", Version: version}, title: p.opts.Title, description: p.opts.Description}
		s.streams["/"] = s.main
	}
	if s.upcoming == nil {
		s.upcoming = &streamView{Stream: index.Stream{Prefix: upcomingPrefix, Version: version}}
		s.upcoming.title, s.upcoming.description = p.upcomingTitle()
		s.streams[upcomingPrefix] = s.upcoming
	}
	if s.nextStart, err = p.nextStart(ctx); err != nil {
		return nil, err
	}
	s.sortNav()
	s.sources = p.sourcesView(sources)
	if err := p.fixedOutputs(ctx, s, sources); err != nil {
		return nil, err
	}
	return s, nil
}

// sortNav puts the facets in the order the page lists them: kinds in their
// fixed order, tags and speakers by number of items, events newest first.
func (s *snapshot) sortNav() {
	kindOrder := func(sv *streamView) int {
		if i := slices.Index(talkstream.Kinds, talkstream.Kind(sv.facet.key)); i >= 0 {
			return i
		}
		return len(talkstream.Kinds)
	}
	slices.SortStableFunc(s.nav.kinds, func(a, b *streamView) int {
		return cmp.Or(cmp.Compare(kindOrder(a), kindOrder(b)), strings.Compare(a.facet.slug, b.facet.slug))
	})
	byCount := func(a, b *streamView) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(strings.ToLower(a.facet.label), strings.ToLower(b.facet.label)),
			strings.Compare(a.facet.slug, b.facet.slug))
	}
	slices.SortStableFunc(s.nav.tags, byCount)
	slices.SortStableFunc(s.nav.speakers, byCount)
	slices.SortStableFunc(s.nav.events, func(a, b *streamView) int {
		return cmp.Or(b.Latest.Compare(a.Latest), strings.Compare(a.facet.slug, b.facet.slug))
	})
}

// facetTitle is a facet stream's title and description.
func (p *Publisher) facetTitle(f *facet) (title, description string) {
	site := p.opts.Title
	switch f.dir {
	case dirTags:
		return "Tagged " + f.label + " — " + site, "Items tagged " + f.label + " in " + site + "."
	case dirSpeakers:
		return f.label + " — " + site, "Talks and posts by " + f.label + " in " + site + "."
	case dirKinds:
		return f.label + " — " + site, "Every " + strings.ToLower(kindSingular(f.key)) + " in " + site + "."
	case dirEvents:
		return f.label + " — " + site, "Talks and posts from " + f.label + " in " + site + "."
	}
	return site, ""
}

// kindSingular is the singular noun for a kind, for sentences.
func kindSingular(k string) string {
	switch talkstream.Kind(k) {
	case talkstream.KindNews:
		return "news item"
	case talkstream.KindSlides:
		return "slide deck"
	}
	return k
}

// sourcesView describes every configured source's health for the main
// page.
func (p *Publisher) sourcesView(sources []talkstream.Source) sourcesView {
	sv := sourcesView{list: sourceViews(sources)}
	h := sha256.New()
	for _, s := range sv.list {
		if s.State == "ok" || s.State == "curated" {
			sv.healthy++
		}
		h.Write([]byte(s.Title + "\x00" + s.Kind + "\x00" + s.Site + "\x00" + s.Feed + "\x00" + s.State + "\x00" +
			s.StateLabel + "\x00" + s.Fetched.String() + "\x00" + s.Error + "\x01"))
		if s.Fetched.After(sv.modified) {
			sv.modified = s.Fetched
		}
	}
	sv.hash = hex.EncodeToString(h.Sum(nil)[:6])
	return sv
}

// withSources is a copy of s with other sources.
func (s *snapshot) withSources(sv sourcesView) *snapshot {
	next := &snapshot{
		fp: s.fp, lineage: s.lineage, tag: s.tag, r: s.r, version: s.version, modified: s.modified, streams: s.streams, main: s.main,
		upcoming: s.upcoming, nextStart: s.nextStart,
		nav: s.nav, sources: sv, fixed: s.fixed, assets: s.assets, sidebars: map[string][]byte{},
	}
	return next
}

// abs returns the absolute URL of a site path such as "/rss.xml".
func (p *Publisher) abs(path string) string {
	return p.opts.BaseURL + strings.TrimPrefix(path, "/")
}

// tagURI mints a tag: URI (RFC 4151) under the site's host.
func (p *Publisher) tagURI(specific string) string {
	return "tag:" + p.host + "," + tagDate + ":" + specific
}

// Paths returns the URL path of every output, sorted.
func (p *Publisher) Paths() []string {
	s := p.cur.Load()
	if s == nil {
		return nil
	}
	var out []string
	for path := range s.fixed {
		out = append(out, path)
	}
	for _, st := range s.streams {
		for n := 0; n <= p.archivePages(st); n++ {
			for _, file := range streamFiles {
				if n == 0 || onEveryPage(file) {
					out = append(out, outputRef{st: st, n: n, file: file}.path())
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
