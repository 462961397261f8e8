package publish

import (
	"encoding/xml"
	"strings"
	"time"
)

// RSS 2.0 (https://www.rssboard.org/rss-specification) with the atom, content,
// dc and media namespaces. Prefixed names are written literally: encoding/xml
// cannot choose prefixes itself.

type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	NSAtom    string     `xml:"xmlns:atom,attr"`
	NSContent string     `xml:"xmlns:content,attr"`
	NSDC      string     `xml:"xmlns:dc,attr"`
	NSMedia   string     `xml:"xmlns:media,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string        `xml:"title"`
	Link          string        `xml:"link"`
	Description   string        `xml:"description"`
	Language      string        `xml:"language,omitempty"`
	LastBuildDate string        `xml:"lastBuildDate,omitempty"`
	Generator     string        `xml:"generator"`
	Docs          string        `xml:"docs"`
	TTL           int           `xml:"ttl,omitempty"`
	Links         []rssAtomLink `xml:"atom:link"` // self, and the WebSub hub
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type rssItem struct {
	XMLName     xml.Name        `xml:"item"`
	Title       string          `xml:"title"`
	Link        string          `xml:"link,omitempty"`
	GUID        rssGUID         `xml:"guid"`
	PubDate     string          `xml:"pubDate,omitempty"`
	Creator     string          `xml:"dc:creator,omitempty"`
	Categories  []rssCategory   `xml:"category"`
	Description *cdata          `xml:"description"`
	Content     *cdata          `xml:"content:encoded"`
	Enclosure   *rssEnclosure   `xml:"enclosure"`
	Thumbnail   *mediaThumbnail `xml:"media:thumbnail"`
	Player      *mediaPlayer    `xml:"media:player"`
}

// rssGUID is always our tag: URI, so never a permalink: links can change,
// ids cannot.
type rssGUID struct {
	IsPermaLink string `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// rssCategory is a category with the taxonomy it belongs to: the site's
// tags/, kinds/ or events/ folder, where the facet of that value lives.
type rssCategory struct {
	Domain string `xml:"domain,attr,omitempty"`
	Value  string `xml:",chardata"`
}

type rssEnclosure struct {
	URL    string `xml:"url,attr"`
	Length int64  `xml:"length,attr"`
	Type   string `xml:"type,attr"`
}

type mediaThumbnail struct {
	URL string `xml:"url,attr"`
}

type mediaPlayer struct {
	URL string `xml:"url,attr"`
}

// rssItem renders one item as an RSS <item>, indented for its place in
// <channel>.
func (r *renderer) rssItem(v *itemView) ([]byte, error) {
	it := rssItem{
		Title:       v.title,
		Link:        v.link,
		GUID:        rssGUID{IsPermaLink: "false", Value: v.id},
		Description: newCDATA(v.summaryHTML),
		Content:     newCDATA(v.contentHTML),
	}
	for _, c := range r.categories(v) {
		it.Categories = append(it.Categories, rssCategory{Domain: c.scheme, Value: c.label})
	}
	if !v.published.IsZero() {
		it.PubDate = v.published.Format(time.RFC1123Z)
	}
	// One dc:creator: feed readers keep only one, so several speakers are
	// one joined name.
	names := make([]string, 0, len(v.authors))
	for _, a := range v.authors {
		names = append(names, a.Name)
	}
	it.Creator = joinNames(names)
	if len(v.enclosures) > 0 {
		// RSS allows one enclosure per item; Atom and JSON Feed carry all.
		e := v.enclosures[0]
		it.Enclosure = &rssEnclosure{URL: e.URL, Length: e.Length, Type: mimeType(e)}
	}
	if v.thumbnail != "" {
		it.Thumbnail = &mediaThumbnail{URL: v.thumbnail}
	}
	if v.video != nil {
		if u := firstNonEmpty(v.video.EmbedURL, v.video.URL); u != "" {
			it.Player = &mediaPlayer{URL: u}
		}
	}
	return encodeXMLElement(it, 2)
}

// joinNames joins names as a sentence does: "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// rssFrame is one stream's RSS feed around its items: the channel before
// them, the closing tags after.
func (p *Publisher) rssFrame(pg *pageData) (frame, error) {
	st := pg.st
	ch := rssChannel{
		Title:         st.title,
		Link:          p.abs(st.Prefix),
		Description:   st.description,
		Language:      p.opts.Language,
		LastBuildDate: pg.updated().Format(time.RFC1123Z),
		Generator:     generatorName,
		Docs:          "https://www.rssboard.org/rss-specification",
		TTL:           int(p.opts.MaxAge / time.Minute),
		Links:         []rssAtomLink{{Href: p.abs(st.Prefix + "rss.xml"), Rel: "self", Type: "application/rss+xml"}},
	}
	if ch.Description == "" {
		ch.Description = st.title
	}
	if p.opts.Hub != "" {
		ch.Links = append(ch.Links, rssAtomLink{Href: p.opts.Hub, Rel: "hub"})
	}
	head, err := encodeXML(rssDoc{
		Version: "2.0", NSAtom: nsAtom, NSContent: nsContent, NSDC: nsDC, NSMedia: nsMedia,
		Channel: ch,
	})
	if err != nil {
		return frame{}, err
	}
	return splitFrame(head, "\n  </channel>", nil)
}
