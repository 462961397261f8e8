package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
)

// A facet is one value of one dimension of the stream (a tag, a speaker, a
// kind or an event). Each facet is a stream of its own under /DIR/SLUG/, with
// the same outputs as the main stream.
type facet struct {
	dir   string // "tags", "speakers", "kinds" or "events"
	key   string // the value as items have it: a tag, a speaker's id or name, a kind, an event id
	slug  string // the path segment: [a-z0-9-]+
	label string // what people read: "xen", "Anil Madhavapeddy", "Talks", "FOSDEM 2014"
	url   string // a speaker's home page; "" for the rest
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

// speakerRef is one speaker of an item: how to show them and their facet.
type speakerRef struct {
	person
	facet *facet
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

// facetSet hands out path segments. A key keeps the slug it was first
// given (the store keeps them, see index.Slug), so that a facet's address
// never changes; a new key whose slug is taken ("C" after "C++") gets the
// next free "-2", "-3". Within one batch, new keys are claimed in sorted
// order, so that the same items always give the same slugs.
type facetSet struct {
	byKey map[[2]string]*facet // [dir, key]
	taken map[[2]string]*facet // [dir, slug]
	fresh []index.Slug         // claimed since the last takeFresh
}

func newFacetSet(stored []index.Slug) *facetSet {
	fs := &facetSet{byKey: map[[2]string]*facet{}, taken: map[[2]string]*facet{}}
	for _, s := range stored {
		f := &facet{dir: s.Dir, key: s.Key, slug: s.Slug}
		fs.byKey[[2]string{s.Dir, s.Key}] = f
		fs.taken[[2]string{s.Dir, s.Slug}] = f
	}
	return fs
}

// get returns the facet of a key claimed before, or nil.
func (fs *facetSet) get(dir, key string) *facet { return fs.byKey[[2]string{dir, key}] }

// claim returns the facet for key, giving it a free slug derived from key
// when it is new.
func (fs *facetSet) claim(dir, key string) *facet {
	if f := fs.get(dir, key); f != nil {
		return f
	}
	base := slugify(key)
	if base == "" {
		sum := sha256.Sum256([]byte(key))
		base = "x-" + hex.EncodeToString(sum[:4])
	}
	slug := base
	for n := 2; fs.taken[[2]string{dir, slug}] != nil; n++ {
		slug = base + "-" + strconv.Itoa(n)
	}
	f := &facet{dir: dir, key: key, slug: slug}
	fs.taken[[2]string{dir, slug}] = f
	fs.byKey[[2]string{dir, key}] = f
	fs.fresh = append(fs.fresh, index.Slug{Dir: dir, Key: key, Slug: slug})
	return f
}

// takeFresh returns the slugs claimed since the last call, to store.
func (fs *facetSet) takeFresh() []index.Slug {
	out := fs.fresh
	fs.fresh = nil
	return out
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

// bySlug returns the facet with a slug, or nil.
func (fs *facetSet) bySlug(dir, slug string) *facet { return fs.taken[[2]string{dir, slug}] }

// Slug folds a label into a path segment of [a-z0-9-] ("Étienne Millon" →
// etienne-millon), as facets are named; config names imported sources
// with it.
func Slug(label string) string { return slugify(label) }
