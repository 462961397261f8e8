package publish

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/talkstream/talkstream"
)

// A facet is one value of one dimension of the stream (a tag, a speaker, a
// kind or an event) with every item that has it. Each facet is a stream of
// its own under /DIR/SLUG/, with the same outputs as the main stream.
type facet struct {
	dir   string // "tags", "speakers", "kinds" or "events"
	slug  string // the path segment: [a-z0-9-]+
	label string // what people read: "xen", "Anil Madhavapeddy", "Talks", "FOSDEM 2014"
	url   string // a speaker's home page; "" for the rest
	items []*itemView
}

// The facet dimensions, as path segments.
const (
	dirTags     = "tags"
	dirSpeakers = "speakers"
	dirKinds    = "kinds"
	dirEvents   = "events"
)

// prefix is the facet's path, e.g. "/tags/xen/".
func (f *facet) prefix() string { return "/" + f.dir + "/" + f.slug + "/" }

// latest is the publication date of the facet's newest item.
func (f *facet) latest() time.Time {
	if len(f.items) == 0 {
		return time.Time{}
	}
	return f.items[0].published
}

// speakerRef is one speaker of an item: how to show them and their facet.
type speakerRef struct {
	person
	facet *facet
}

// facets holds every facet of one Render, by dimension, in the order the
// page lists them.
type facets struct {
	kinds, tags, speakers, events []*facet
}

// kindLabels are the plural names of the item kinds, as the page's filters
// and the kind facets' titles show them.
var kindLabels = map[talkstream.Kind]string{
	talkstream.KindTalk: "Talks", talkstream.KindPaper: "Papers", talkstream.KindSlides: "Slides",
	talkstream.KindPodcast: "Podcasts", talkstream.KindRelease: "Releases", talkstream.KindNews: "News",
	talkstream.KindPost: "Posts",
}

// itemKind is an item's kind, "post" when merge gave it none.
func itemKind(it *talkstream.Item) string {
	if k := cleanText(string(it.Kind)); k != "" {
		return strings.ToLower(k)
	}
	return string(talkstream.KindPost)
}

func kindLabel(k string) string {
	if l, ok := kindLabels[talkstream.Kind(k)]; ok {
		return l
	}
	if k == "" {
		return k
	}
	return strings.ToUpper(k[:1]) + k[1:]
}

// slugger hands out path segments for one dimension. The same label always
// gets the same slug within a Render; labels are offered in a fixed order so
// that two labels with the same slug ("C++" and "C") are told apart the same
// way every time.
type slugger struct {
	byKey map[string]*facet
	taken map[string]bool
}

func newSlugger() *slugger {
	return &slugger{byKey: map[string]*facet{}, taken: map[string]bool{}}
}

// claim returns the facet for key, making it with a free slug derived from
// want when it is new.
func (s *slugger) claim(dir, key, want, label, url string) *facet {
	if f, ok := s.byKey[key]; ok {
		return f
	}
	base := slugify(want)
	if base == "" {
		sum := sha256.Sum256([]byte(key))
		base = "x-" + hex.EncodeToString(sum[:4])
	}
	slug := base
	for n := 2; s.taken[slug]; n++ {
		slug = base + "-" + strconv.Itoa(n)
	}
	s.taken[slug] = true
	f := &facet{dir: dir, slug: slug, label: label, url: url}
	s.byKey[key] = f
	return f
}

// slugify turns a label into a path segment: letters folded to ASCII where
// they have an accent-free form, lower case, everything else a single "-".
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case r >= 'A' && r <= 'Z':
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case unicode.Is(unicode.Mn, r):
			// a combining accent split off by NFKD
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
		if b.Len() >= 60 {
			break
		}
	}
	return strings.Trim(b.String(), "-")
}

// buildFacets assigns every item its facets and returns them by dimension.
// items are newest first, and so are each facet's items.
func (r *renderer) buildFacets(items []*itemView) facets {
	var fs facets

	// Slugs are claimed in a fixed order (configured speakers first, then
	// sorted labels) so that they do not depend on item order.
	kinds, tags, speakers, events := newSlugger(), newSlugger(), newSlugger(), newSlugger()
	for _, sp := range r.opts.Speakers {
		if p, ok := r.speaker(sp.ID); ok {
			speakers.claim(dirSpeakers, sp.ID, sp.ID, p.Name, p.URL)
		}
	}
	var tagKeys, nameKeys, eventKeys []string
	for _, v := range items {
		tagKeys = append(tagKeys, v.tags...)
		for _, s := range v.item.Speakers {
			if _, ok := r.speakers[s]; !ok {
				nameKeys = append(nameKeys, cleanText(s))
			}
		}
		if e := cleanText(v.item.Event); e != "" {
			eventKeys = append(eventKeys, e)
		}
	}
	for _, keys := range [][]string{tagKeys, nameKeys, eventKeys} {
		slices.Sort(keys)
	}
	for _, k := range slices.Compact(tagKeys) {
		tags.claim(dirTags, k, k, k, "")
	}
	for _, k := range slices.Compact(nameKeys) {
		if k != "" {
			speakers.claim(dirSpeakers, k, k, k, "")
		}
	}
	for _, k := range slices.Compact(eventKeys) {
		events.claim(dirEvents, k, k, r.eventName(k), "")
	}

	add := func(list *[]*facet, f *facet, v *itemView) {
		if len(f.items) == 0 {
			*list = append(*list, f)
		}
		if n := len(f.items); n == 0 || f.items[n-1] != v {
			f.items = append(f.items, v)
		}
	}
	for _, v := range items {
		k := itemKind(v.item)
		v.kindFacet = kinds.claim(dirKinds, k, k, kindLabel(k), "")
		add(&fs.kinds, v.kindFacet, v)
		for _, t := range v.tags {
			f := tags.byKey[t]
			v.tagFacets = append(v.tagFacets, f)
			add(&fs.tags, f, v)
		}
		for _, s := range v.item.Speakers {
			p, ok := r.speaker(s)
			if !ok {
				continue
			}
			key := s
			if _, configured := r.speakers[s]; !configured {
				key = cleanText(s)
			}
			f := speakers.byKey[key]
			if slices.ContainsFunc(v.speakers, func(x speakerRef) bool { return x.facet == f }) {
				continue
			}
			v.speakers = append(v.speakers, speakerRef{person: p, facet: f})
			add(&fs.speakers, f, v)
		}
		if e := cleanText(v.item.Event); e != "" {
			v.eventFacet = events.byKey[e]
			add(&fs.events, v.eventFacet, v)
		}
	}

	kindOrder := func(f *facet) int {
		if i := slices.Index(talkstream.Kinds, talkstream.Kind(f.slug)); i >= 0 {
			return i
		}
		return len(talkstream.Kinds)
	}
	slices.SortStableFunc(fs.kinds, func(a, b *facet) int {
		return cmp.Or(cmp.Compare(kindOrder(a), kindOrder(b)), strings.Compare(a.slug, b.slug))
	})
	byCount := func(a, b *facet) int {
		return cmp.Or(cmp.Compare(len(b.items), len(a.items)), strings.Compare(strings.ToLower(a.label), strings.ToLower(b.label)), strings.Compare(a.slug, b.slug))
	}
	slices.SortStableFunc(fs.tags, byCount)
	slices.SortStableFunc(fs.speakers, byCount)
	slices.SortStableFunc(fs.events, func(a, b *facet) int {
		return cmp.Or(b.latest().Compare(a.latest()), strings.Compare(a.slug, b.slug))
	})
	return fs
}

// stream is one set of outputs: the items to show, newest first, under a
// path prefix. The main stream is "/"; a facet such as "/tags/xen/" gets the
// same outputs under its own prefix.
type stream struct {
	prefix      string // begins and ends with "/"
	facet       *facet // nil for the main stream
	title       string
	description string
	items       []*itemView
}

// feedIDPath is the part of the Atom feed id after "feed": "" for the main
// stream, "/tags/xen" for the facet at "/tags/xen/".
func (st *stream) feedIDPath() string { return strings.TrimSuffix(st.prefix, "/") }

// pages splits the stream into pages of at most limit items; there is
// always at least one, empty when the stream is.
func (st *stream) pages(limit int) []*page {
	n := max(1, (len(st.items)+limit-1)/limit)
	out := make([]*page, n)
	for i := range out {
		lo, hi := i*limit, min(len(st.items), (i+1)*limit)
		out[i] = &page{st: st, n: i + 1, total: n, items: st.items[lo:hi]}
	}
	return out
}

// page is one page of a stream: the first is the stream's prefix, the
// others are PREFIX/page/N/.
type page struct {
	st       *stream
	n, total int // 1-based
	items    []*itemView
}

func pagePrefix(st *stream, n int) string {
	if n <= 1 {
		return st.prefix
	}
	return st.prefix + "page/" + strconv.Itoa(n) + "/"
}

func (p *page) prefix() string { return pagePrefix(p.st, p.n) }

// facetStream describes a facet as a stream.
func (r *renderer) facetStream(f *facet) *stream {
	site := r.opts.Title
	st := &stream{prefix: f.prefix(), facet: f, items: f.items}
	switch f.dir {
	case dirTags:
		st.title = "Tagged " + f.label + " — " + site
		st.description = "Items tagged " + f.label + " in " + site + "."
	case dirSpeakers:
		st.title = f.label + " — " + site
		st.description = "Talks and posts by " + f.label + " in " + site + "."
	case dirKinds:
		st.title = f.label + " — " + site
		st.description = "Every " + strings.ToLower(kindSingular(f.slug)) + " in " + site + "."
	case dirEvents:
		st.title = f.label + " — " + site
		st.description = "Talks and posts from " + f.label + " in " + site + "."
	}
	return st
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
