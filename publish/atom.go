package publish

import (
	"encoding/xml"
	"strings"
	"time"
)

// Atom 1.0 (RFC 4287).

type atomFeed struct {
	XMLName   xml.Name      `xml:"http://www.w3.org/2005/Atom feed"`
	NSMedia   string        `xml:"xmlns:media,attr"`
	Lang      string        `xml:"xml:lang,attr,omitempty"`
	ID        string        `xml:"id"`
	Title     string        `xml:"title"`
	Subtitle  string        `xml:"subtitle,omitempty"`
	Updated   string        `xml:"updated"`
	Links     []atomLink    `xml:"link"`
	Author    atomPerson    `xml:"author"`
	Generator atomGenerator `xml:"generator"`
}

type atomGenerator struct {
	URI  string `xml:"uri,attr"`
	Name string `xml:",chardata"`
}

type atomLink struct {
	Href   string `xml:"href,attr"`
	Rel    string `xml:"rel,attr"`
	Type   string `xml:"type,attr,omitempty"`
	Title  string `xml:"title,attr,omitempty"`
	Length int64  `xml:"length,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term   string `xml:"term,attr"`
	Scheme string `xml:"scheme,attr,omitempty"`
	Label  string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	XMLName    xml.Name        `xml:"entry"`
	ID         string          `xml:"id"`
	Title      string          `xml:"title"`
	Published  string          `xml:"published,omitempty"`
	Updated    string          `xml:"updated"`
	Authors    []atomPerson    `xml:"author"`
	Categories []atomCategory  `xml:"category"`
	Links      []atomLink      `xml:"link"`
	Summary    *atomHTML       `xml:"summary"`
	Content    *atomHTML       `xml:"content"`
	Thumbnail  *mediaThumbnail `xml:"media:thumbnail"`
}

// atomHTML is a text construct of type="html".
type atomHTML struct {
	Type string `xml:"type,attr"`
	Text string `xml:",cdata"`
}

func newAtomHTML(s string) *atomHTML {
	if s == "" {
		return nil
	}
	return &atomHTML{Type: "html", Text: s}
}

// atomEntry renders one item as an Atom <entry>, indented for its place in
// <feed>.
func (r *renderer) atomEntry(v *itemView) ([]byte, error) {
	e := atomEntry{
		ID:      v.id,
		Title:   v.title,
		Updated: v.updated.Format(time.RFC3339),
		Summary: newAtomHTML(v.summaryHTML),
		Content: newAtomHTML(v.contentHTML),
	}
	if !v.published.IsZero() {
		e.Published = v.published.Format(time.RFC3339)
	}
	for _, a := range v.authors {
		e.Authors = append(e.Authors, atomPerson{Name: a.Name, URI: a.URL})
	}
	for _, c := range r.categories(v) {
		e.Categories = append(e.Categories, atomCategory{Term: c.label, Scheme: c.scheme, Label: c.label})
	}
	if v.link != "" {
		e.Links = append(e.Links, atomLink{Href: v.link, Rel: "alternate"})
	}
	for _, l := range v.links {
		if l.URL != v.link {
			e.Links = append(e.Links, atomLink{Href: l.URL, Rel: "related", Title: l.Title})
		}
	}
	for _, enc := range v.enclosures {
		e.Links = append(e.Links, atomLink{Href: enc.URL, Rel: "enclosure", Type: mimeType(enc), Length: enc.Length})
	}
	if e.Content == nil && v.link == "" {
		// RFC 4287 4.1.1: an entry without content needs an alternate link.
		e.Content = &atomHTML{Type: "html", Text: v.title}
	}
	if v.thumbnail != "" {
		e.Thumbnail = &mediaThumbnail{URL: v.thumbnail}
	}
	return encodeXMLElement(e, 1)
}

// atomFrame is one stream's Atom feed around its entries.
func (p *Publisher) atomFrame(pg *pageData) (frame, error) {
	st := pg.st
	feed := atomFeed{
		NSMedia:  nsMedia,
		Lang:     p.opts.Language,
		ID:       p.tagURI("feed" + strings.TrimSuffix(st.Prefix, "/")),
		Title:    st.title,
		Subtitle: st.description,
		Updated:  pg.updated().Format(time.RFC3339),
		Links: []atomLink{
			{Href: p.abs(st.Prefix + "atom.xml"), Rel: "self", Type: "application/atom+xml"},
			{Href: p.abs(st.Prefix), Rel: "alternate", Type: "text/html"},
		},
		// Entries without speakers inherit the feed's author, so every entry
		// has one as RFC 4287 requires.
		Author:    atomPerson{Name: p.opts.Title, URI: p.opts.BaseURL},
		Generator: atomGenerator{URI: generatorURI, Name: generatorName},
	}
	if p.opts.Hub != "" {
		feed.Links = append(feed.Links, atomLink{Href: p.opts.Hub, Rel: "hub"})
	}
	head, err := encodeXML(feed)
	if err != nil {
		return frame{}, err
	}
	return splitFrame(head, "\n</feed>", nil)
}
