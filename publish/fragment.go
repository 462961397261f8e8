package publish

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
)

// renderer turns items into fragments: everything the outputs need of one
// item, rendered once per change of the item (or of the options).
type renderer struct {
	opts     Options
	host     string // BaseURL's host, for tag: URIs
	speakers map[string]Speaker
	events   map[string]Event
	byID     map[string]*talkstream.Source
	facets   *facetSet
	now      time.Time // what is upcoming is decided against it (upcoming.go)
	peerTube []string  // the PeerTube hosts whose players pages may load (players.go)
}

func newRenderer(opts Options, host string, sources []talkstream.Source, facets *facetSet) *renderer {
	r := &renderer{
		opts: opts, host: host, facets: facets, peerTube: peerTubeHosts(opts.PeerTubeHosts),
		speakers: map[string]Speaker{}, events: map[string]Event{}, byID: map[string]*talkstream.Source{},
	}
	for _, s := range opts.Speakers {
		r.speakers[s.ID] = s
	}
	for _, e := range opts.Events {
		r.events[e.ID] = e
	}
	for i := range sources {
		r.byID[sources[i].ID] = &sources[i]
	}
	return r
}

// abs returns the absolute URL of a site path such as "/rss.xml".
func (r *renderer) abs(path string) string {
	return r.opts.BaseURL + strings.TrimPrefix(path, "/")
}

// tagURI mints a tag: URI (RFC 4151) under the site's host.
func (r *renderer) tagURI(specific string) string {
	return "tag:" + r.host + "," + tagDate + ":" + specific
}

// facet returns the facet of a key with its label, claiming a slug for a
// new key.
func (r *renderer) facet(dir, key string) *facet {
	f := r.facets.claim(dir, key)
	if f.label == "" {
		f.label, f.url = r.facetLabel(dir, key)
	}
	return f
}

// facetLabel is what a facet is called, from the configuration.
func (r *renderer) facetLabel(dir, key string) (label, url string) {
	switch dir {
	case dirKinds:
		return kindLabel(key), ""
	case dirSpeakers:
		p, _ := r.speaker(key)
		return p.Name, p.URL
	case dirEvents:
		return r.eventName(key), ""
	}
	return key, ""
}

// configuredSpeakers claims the configured speakers' slugs before any
// other speaker's, so that a speaker's id is their address.
func (r *renderer) configuredSpeakers() {
	for _, sp := range r.opts.Speakers {
		if _, ok := r.speaker(sp.ID); ok {
			r.facet(dirSpeakers, sp.ID)
		}
	}
}

// speakerKey is the facet key of an item's speaker: a configured id, or
// the name as the feed gave it.
func (r *renderer) speakerKey(s string) string {
	if _, ok := r.speakers[s]; ok {
		return s
	}
	return cleanText(s)
}

// attachFacets gives a batch of views their facets. Keys new to the site
// are claimed in sorted order, one dimension after another, so that slugs
// do not depend on the order items arrive in.
func (r *renderer) attachFacets(views []*itemView) {
	var kinds, tags, names, events []string
	for _, v := range views {
		kinds = append(kinds, itemKind(v.item))
		tags = append(tags, v.tags...)
		for _, s := range v.item.Speakers {
			if _, ok := r.speaker(s); ok {
				names = append(names, r.speakerKey(s))
			}
		}
		if e := cleanText(v.item.Event); e != "" {
			events = append(events, e)
		}
	}
	for _, d := range []struct {
		dir  string
		keys []string
	}{{dirTags, tags}, {dirSpeakers, names}, {dirEvents, events}, {dirKinds, kinds}} {
		slices.Sort(d.keys)
		for _, k := range slices.Compact(d.keys) {
			if k != "" {
				r.facet(d.dir, k)
			}
		}
	}
	for _, v := range views {
		v.kindFacet = r.facet(dirKinds, itemKind(v.item))
		for _, t := range v.tags {
			v.tagFacets = append(v.tagFacets, r.facet(dirTags, t))
		}
		for _, s := range v.item.Speakers {
			p, ok := r.speaker(s)
			if !ok {
				continue
			}
			f := r.facet(dirSpeakers, r.speakerKey(s))
			if slices.ContainsFunc(v.speakers, func(x speakerRef) bool { return x.facet == f }) {
				continue
			}
			v.speakers = append(v.speakers, speakerRef{person: p, facet: f})
		}
		if e := cleanText(v.item.Event); e != "" {
			v.eventFacet = r.facet(dirEvents, e)
		}
	}
}

// streams lists the prefixes of the streams an item is in: the main one
// and each of its facets'; an upcoming talk only /upcoming/.
func (v *itemView) streams() []string {
	if v.upcoming {
		return []string{upcomingPrefix}
	}
	out := []string{"/", v.kindFacet.prefix()}
	for _, f := range v.tagFacets {
		out = append(out, f.prefix())
	}
	for _, s := range v.speakers {
		out = append(out, s.facet.prefix())
	}
	if v.eventFacet != nil {
		out = append(out, v.eventFacet.prefix())
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// cardRoot stands in a card for the path from the page to the site root
// ("", "../../"...), which differs from page to page: the card is rendered
// once with it, and each page puts its own root in its place. html/template
// writes the NUL byte as %00 in a URL, so a facet link comes out as
// href="%00tags/xen/". That cannot be anything else: every other URL in a
// card is absolute, and text and other attributes escape the quote.
const (
	cardRoot     = "\x00"
	cardRootHref = `href="%00`
)

// fragment renders one item for every output.
func (r *renderer) fragment(v *itemView, rev int64) (*index.Fragment, error) {
	f := &index.Fragment{
		ItemID:    v.item.ID,
		Rev:       rev,
		Published: v.order,
		Updated:   v.updated,
		Streams:   v.streams(),
	}
	var err error
	if f.RSS, err = r.rssItem(v); err != nil {
		return nil, err
	}
	if f.Atom, err = r.atomEntry(v); err != nil {
		return nil, err
	}
	if f.JSON, err = r.jsonItem(v); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&b, "card", r.card(v, cardRoot)); err != nil {
		return nil, err
	}
	f.Card = b.Bytes()
	h := sha256.New()
	for _, part := range [][]byte{f.RSS, f.Atom, f.JSON, f.Card, []byte(strings.Join(f.Streams, "\n")),
		[]byte(f.Published.Format(time.RFC3339Nano)), []byte(f.Updated.Format(time.RFC3339Nano))} {
		h.Write(part)
		h.Write([]byte{0})
	}
	f.Hash = hex.EncodeToString(h.Sum(nil)[:16])
	// Feed fragments are kept compressed, as text and as a segment ready
	// to join a gzip stream (feedfragment.go); the hash is of their text.
	f.RSS, f.Atom, f.JSON = packFeedFragment(f.RSS), packFeedFragment(f.Atom), packFeedFragment(f.JSON)
	return f, nil
}

// cardAt puts a page's root into a card rendered with cardRoot.
func cardAt(card []byte, root string) template.HTML {
	return template.HTML(bytes.ReplaceAll(card, []byte(cardRootHref), []byte(`href="`+root))) // escaped when rendered
}
