package fetch

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"

	"github.com/talkstream/talkstream/fetch/internal/weblink"
)

// extras is what gofeed's universal Feed drops and a good reader needs:
// the RSS <ttl>, whether each RSS guid may serve as a link, each Atom
// entry's links with their rel and type, and (read only when needed, see
// scanAtom) each Atom entry's title type and xml:base.
type extras struct {
	ttl   string
	items []itemExtras // one per gofeed item, in order; nil when unknown
}

type itemExtras struct {
	guidIsLink bool         // RSS: the guid is not marked isPermaLink="false"
	links      []*atom.Link // Atom: every link, with rel and type
	titleType  string       // Atom: the title's type attribute, lower-cased ("" when not scanned)
}

// item returns the extras of the i-th item, or the zero value.
func (x *extras) item(i int) itemExtras {
	if x == nil || i >= len(x.items) {
		return itemExtras{guidIsLink: true}
	}
	return x.items[i]
}

// rssTranslator keeps what the RSS translation drops.
type rssTranslator struct {
	gofeed.DefaultRSSTranslator
	x *extras
}

func (t *rssTranslator) Translate(feed interface{}) (*gofeed.Feed, error) {
	if f, ok := feed.(*rss.Feed); ok {
		t.x.ttl = f.TTL
		t.x.items = make([]itemExtras, len(f.Items))
		for i, it := range f.Items {
			t.x.items[i].guidIsLink = it == nil || it.GUID == nil || !strings.EqualFold(strings.TrimSpace(it.GUID.IsPermalink), "false")
		}
	}
	return t.DefaultRSSTranslator.Translate(feed)
}

// atomTranslator keeps what the Atom translation drops.
type atomTranslator struct {
	gofeed.DefaultAtomTranslator
	x *extras
}

func (t *atomTranslator) Translate(feed interface{}) (*gofeed.Feed, error) {
	if f, ok := feed.(*atom.Feed); ok {
		t.x.items = make([]itemExtras, len(f.Entries))
		for i, e := range f.Entries {
			t.x.items[i].guidIsLink = true
			if e != nil {
				t.x.items[i].links = e.Links
			}
		}
	}
	return t.DefaultAtomTranslator.Translate(feed)
}

// atomEntryScan is what scanAtom finds in one entry.
type atomEntryScan struct {
	titleType string
	links     []string // each link's href, resolved against the xml:base in effect
}

// scanAtom reads an Atom document a second time for what gofeed does not
// keep at all: each entry's title type, and its links resolved against
// xml:base. It costs a parse, so it runs only for documents that need it
// (see translate). base is the outermost base: the one translate resolves
// relative links against when no xml:base says otherwise.
func scanAtom(data []byte, base *url.URL) []atomEntryScan {
	atomNS := map[string]bool{"http://www.w3.org/2005/Atom": true, "http://purl.org/atom/ns#": true} // 1.0 and 0.3
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // already UTF-8
	var entries []atomEntryScan
	bases := []*url.URL{base}
	depth, entryDepth := 0, -1
	for {
		tok, err := dec.Token()
		if err != nil {
			return entries
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			b := bases[len(bases)-1]
			for _, a := range t.Attr {
				if a.Name.Local == "base" && a.Name.Space == "http://www.w3.org/XML/1998/namespace" {
					if ref, err := url.Parse(strings.TrimSpace(a.Value)); err == nil {
						if b != nil {
							ref = b.ResolveReference(ref)
						}
						b = ref
					}
				}
			}
			bases = append(bases, b)
			if !atomNS[t.Name.Space] {
				continue
			}
			switch {
			case t.Name.Local == "entry" && entryDepth < 0:
				entryDepth = depth
				entries = append(entries, atomEntryScan{})
			case entryDepth >= 0 && depth == entryDepth+1 && t.Name.Local == "title":
				entries[len(entries)-1].titleType = strings.ToLower(strings.TrimSpace(attr(t, "type")))
			case entryDepth >= 0 && depth == entryDepth+1 && t.Name.Local == "link":
				e := &entries[len(entries)-1]
				e.links = append(e.links, weblink.Resolve(b, attr(t, "href")))
			}
		case xml.EndElement:
			if depth == entryDepth {
				entryDepth = -1
			}
			depth--
			bases = bases[:len(bases)-1]
		}
	}
}

func attr(t xml.StartElement, name string) string {
	for _, a := range t.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}
