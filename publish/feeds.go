package publish

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

// XML namespaces the feeds declare.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"

	generatorName = "talkstream"
	generatorURI  = "https://github.com/talkstream/talkstream"
)

// cdata is character data written as a CDATA section, which keeps HTML
// readable in the XML (encoding/xml would escape every newline).
type cdata struct {
	Text string `xml:",cdata"`
}

func newCDATA(s string) *cdata {
	if s == "" {
		return nil
	}
	return &cdata{Text: s}
}

// encodeXML writes v as an indented XML document with a declaration.
func encodeXML(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	e := xml.NewEncoder(&b)
	e.Indent("", "  ")
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	if err := e.Close(); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

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
	Title         string      `xml:"title"`
	Link          string      `xml:"link"`
	Description   string      `xml:"description"`
	Language      string      `xml:"language,omitempty"`
	LastBuildDate string      `xml:"lastBuildDate,omitempty"`
	Generator     string      `xml:"generator"`
	Docs          string      `xml:"docs"`
	TTL           int         `xml:"ttl,omitempty"`
	Self          rssAtomLink `xml:"atom:link"`
	Items         []rssItem   `xml:"item"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string          `xml:"title"`
	Link        string          `xml:"link,omitempty"`
	GUID        rssGUID         `xml:"guid"`
	PubDate     string          `xml:"pubDate,omitempty"`
	Creators    []string        `xml:"dc:creator"`
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

func (r *renderer) renderRSS(pg *page) ([]byte, error) {
	st := pg.st
	ch := rssChannel{
		Title:         st.title,
		Link:          r.abs(st.prefix),
		Description:   st.description,
		Language:      r.opts.Language,
		LastBuildDate: r.feedUpdated(pg.items).Format(time.RFC1123Z),
		Generator:     generatorName,
		Docs:          "https://www.rssboard.org/rss-specification",
		TTL:           int(r.opts.MaxAge / time.Minute),
		Self:          rssAtomLink{Href: r.abs(st.prefix + "rss.xml"), Rel: "self", Type: "application/rss+xml"},
		Items:         []rssItem{},
	}
	if ch.Description == "" {
		ch.Description = st.title
	}
	for _, v := range pg.items {
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
		for _, a := range v.authors {
			it.Creators = append(it.Creators, a.Name)
		}
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
		ch.Items = append(ch.Items, it)
	}
	return encodeXML(rssDoc{
		Version: "2.0", NSAtom: nsAtom, NSContent: nsContent, NSDC: nsDC, NSMedia: nsMedia,
		Channel: ch,
	})
}

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
	Entries   []atomEntry   `xml:"entry"`
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

func (r *renderer) renderAtom(pg *page) ([]byte, error) {
	st := pg.st
	f := atomFeed{
		NSMedia:  nsMedia,
		Lang:     r.opts.Language,
		ID:       r.tagURI("feed" + st.feedIDPath()),
		Title:    st.title,
		Subtitle: st.description,
		Updated:  r.feedUpdated(pg.items).Format(time.RFC3339),
		Links: []atomLink{
			{Href: r.abs(st.prefix + "atom.xml"), Rel: "self", Type: "application/atom+xml"},
			{Href: r.abs(st.prefix), Rel: "alternate", Type: "text/html"},
		},
		// Entries without speakers inherit the feed's author, so every entry
		// has one as RFC 4287 requires.
		Author:    atomPerson{Name: r.opts.Title, URI: r.opts.BaseURL},
		Generator: atomGenerator{URI: generatorURI, Name: generatorName},
	}
	for _, v := range pg.items {
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
			e.Categories = append(e.Categories, atomCategory{Term: c.term, Scheme: c.scheme, Label: c.label})
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
		f.Entries = append(f.Entries, e)
	}
	return encodeXML(f)
}

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with the _talkstream
// extension.

type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description,omitempty"`
	NextURL     string       `json:"next_url,omitempty"`
	Icon        string       `json:"icon,omitempty"`
	Favicon     string       `json:"favicon,omitempty"`
	Language    string       `json:"language,omitempty"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url,omitempty"`
	Title         string           `json:"title,omitempty"`
	ContentHTML   string           `json:"content_html,omitempty"`
	ContentText   string           `json:"content_text,omitempty"`
	Summary       string           `json:"summary,omitempty"`
	Image         string           `json:"image,omitempty"`
	DatePublished string           `json:"date_published,omitempty"`
	DateModified  string           `json:"date_modified,omitempty"`
	Authors       []jsonAuthor     `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	Attachments   []jsonAttachment `json:"attachments,omitempty"`
	Talkstream    jsonExtension    `json:"_talkstream"`
}

type jsonAttachment struct {
	URL      string `json:"url"`
	MimeType string `json:"mime_type"`
	Size     int64  `json:"size_in_bytes,omitempty"`
}

type jsonExtension struct {
	Kind     string       `json:"kind,omitempty"`
	Speakers []string     `json:"speakers,omitempty"`
	Event    string       `json:"event,omitempty"`
	Tags     []string     `json:"tags,omitempty"`
	Sources  []jsonSource `json:"sources"`
	Video    *jsonVideo   `json:"video,omitempty"`
}

type jsonSource struct {
	Source        string `json:"source"`
	Role          string `json:"role,omitempty"`
	Title         string `json:"title,omitempty"`
	URL           string `json:"url,omitempty"`
	DatePublished string `json:"date_published,omitempty"`
}

type jsonVideo struct {
	Provider  string `json:"provider"`
	ID        string `json:"id"`
	URL       string `json:"url,omitempty"`
	EmbedURL  string `json:"embed_url,omitempty"`
	Thumbnail string `json:"thumbnail,omitempty"`
}

// renderJSON renders one page of a stream as JSON Feed. Every page is
// identified by the first page's feed_url and leads to the next with
// next_url, as JSON Feed 1.1 describes for older items.
func (r *renderer) renderJSON(pg *page) ([]byte, error) {
	st := pg.st
	f := jsonFeed{
		Version:     "https://jsonfeed.org/version/1.1",
		Title:       st.title,
		HomePageURL: r.abs(pg.prefix()),
		FeedURL:     r.abs(st.prefix + "feed.json"),
		Description: st.description,
		Favicon:     r.abs("/favicon.svg"),
		Language:    r.opts.Language,
		Authors:     []jsonAuthor{{Name: r.opts.Title, URL: r.opts.BaseURL}},
		Items:       []jsonItem{},
	}
	if pg.n < pg.total {
		f.NextURL = r.abs(pagePrefix(st, pg.n+1) + "feed.json")
	}
	for _, v := range pg.items {
		it := jsonItem{
			ID:           v.id,
			URL:          v.link,
			Title:        v.title,
			ContentHTML:  v.contentHTML,
			Summary:      v.summaryText,
			Image:        v.thumbnail,
			DateModified: v.updated.Format(time.RFC3339),
			Tags:         v.tags,
		}
		if it.ContentHTML == "" {
			// JSON Feed requires content_html or content_text.
			it.ContentText = v.title
		}
		if !v.published.IsZero() {
			it.DatePublished = v.published.Format(time.RFC3339)
		}
		for _, a := range v.authors {
			it.Authors = append(it.Authors, jsonAuthor{Name: a.Name, URL: a.URL})
		}
		for _, e := range v.enclosures {
			it.Attachments = append(it.Attachments, jsonAttachment{URL: e.URL, MimeType: mimeType(e), Size: e.Length})
		}
		ext := jsonExtension{
			Kind:     v.kindFacet.slug,
			Speakers: cleanList(v.item.Speakers),
			Event:    cleanText(v.item.Event),
			Tags:     v.tags,
			Sources:  []jsonSource{},
		}
		for _, ie := range v.item.Entries {
			s := jsonSource{
				Source: cleanText(ie.Entry.SourceID),
				Role:   string(ie.Role),
				Title:  cleanText(ie.Entry.Title),
				URL:    safeURL(ie.Entry.Link),
			}
			if !ie.Entry.Published.IsZero() {
				s.DatePublished = ie.Entry.Published.UTC().Format(time.RFC3339)
			}
			ext.Sources = append(ext.Sources, s)
		}
		if vid := v.video; vid != nil {
			ext.Video = &jsonVideo{Provider: vid.Provider, ID: vid.ID, URL: vid.URL, EmbedURL: vid.EmbedURL, Thumbnail: vid.Thumbnail}
		}
		it.Talkstream = ext
		f.Items = append(f.Items, it)
	}
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false) // the HTML is sanitised; escaping it only hurts readability
	if err := e.Encode(f); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// OPML 2.0 (http://opml.org/spec2.opml) of the sources that have a feed.

type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    opmlHead `xml:"head"`
	Body    opmlBody `xml:"body"`
}

type opmlHead struct {
	Title string `xml:"title"`
	Docs  string `xml:"docs"`
}

type opmlBody struct {
	Outlines []opmlOutline `xml:"outline"`
}

type opmlOutline struct {
	Text     string `xml:"text,attr"`
	Title    string `xml:"title,attr"`
	Type     string `xml:"type,attr"`
	XMLURL   string `xml:"xmlUrl,attr"`
	HTMLURL  string `xml:"htmlUrl,attr,omitempty"`
	Category string `xml:"category,attr,omitempty"`
}

func (r *renderer) renderOPML(site *Site) error {
	doc := opmlDoc{
		Version: "2.0",
		Head:    opmlHead{Title: r.opts.Title + " — sources", Docs: "http://opml.org/spec2.opml"},
	}
	for i := range r.sources {
		s := &r.sources[i]
		feed := safeURL(s.URL)
		if feed == "" || s.State.Gone {
			continue // curated files and gone feeds have nothing to subscribe to
		}
		title := cleanText(s.DisplayTitle())
		doc.Body.Outlines = append(doc.Body.Outlines, opmlOutline{
			Text: title, Title: title, Type: "rss", XMLURL: feed,
			HTMLURL:  firstNonEmpty(safeURL(s.Site), safeURL(s.State.FeedLink)),
			Category: "/" + string(s.Kind),
		})
	}
	body, err := encodeXML(doc)
	if err != nil {
		return err
	}
	return site.add(&output{
		path: "/sources.opml", file: "sources.opml",
		contentType: "text/x-opml; charset=utf-8", kind: kindFeed,
		body: body, modTime: r.now,
	})
}

// mimeTypes are the enclosure types guessed from a file extension when a feed
// gives none; a fixed table, because mime.TypeByExtension depends on the host.
var mimeTypes = map[string]string{
	".pdf": "application/pdf", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg",
	".opus": "audio/ogg", ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".svg": "image/svg+xml",
}

// mimeType is an enclosure's type, else one guessed from its URL.
func mimeType(e talkstream.Enclosure) string {
	if e.Type != "" {
		return e.Type
	}
	if u, err := url.Parse(e.URL); err == nil {
		if t, ok := mimeTypes[strings.ToLower(path.Ext(u.Path))]; ok {
			return t
		}
	}
	return "application/octet-stream"
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = cleanText(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// category is one classification of an item for the feeds.
type category struct {
	term   string // the facet's slug
	scheme string // where the facets of this dimension live, e.g. https://host/tags/
	label  string // what people read
}

// categories lists an item's kind, tags and event as categories whose scheme
// is the folder of the site's facets: term "xen" with scheme …/tags/ is the
// stream at …/tags/xen/.
func (r *renderer) categories(v *itemView) []category {
	cats := []category{{term: v.kindFacet.slug, scheme: r.abs("/" + dirKinds + "/"), label: v.kindFacet.slug}}
	for _, f := range v.tagFacets {
		cats = append(cats, category{term: f.slug, scheme: r.abs("/" + dirTags + "/"), label: f.label})
	}
	if f := v.eventFacet; f != nil {
		cats = append(cats, category{term: f.slug, scheme: r.abs("/" + dirEvents + "/"), label: f.label})
	}
	return cats
}
