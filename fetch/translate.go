package fetch

import (
	"bytes"
	"mime"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	ext "github.com/mmcdole/gofeed/extensions"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch/internal/weblink"
	"github.com/talkstream/talkstream/internal/htmltext"
)

// translator turns one parsed gofeed.Feed into entries. Like gofeed's own
// translator.go, every field is filled from an explicit, ordered list of
// fallbacks.
type translator struct {
	src     talkstream.Source
	feed    *gofeed.Feed
	x       *extras         // what gofeed's universal Feed drops
	scan    []atomEntryScan // Atom title types and xml:base-resolved links, when scanned
	base    *url.URL        // Content-Location, else the feed's own link, else the feed URL
	youtube bool            // a YouTube feed: by source kind or by its yt: namespace
	// peertube: a PeerTube feed, by source kind or by its generator
	// (feeds of any source kind can be one: a speaker's channel).
	peertube bool
}

// translate turns a parsed feed into entries. data is the document it was
// parsed from (read again only for what gofeed does not keep); docURL is
// where the document says it lives (its Content-Location, resolved), else
// the URL it was fetched from.
func translate(feed *gofeed.Feed, x *extras, data []byte, src talkstream.Source, feedURL, docURL string) *parsed {
	feedBase := parseBase(docURL)
	if feedBase == nil {
		feedBase = parseBase(feedURL)
	}
	t := &translator{src: src, feed: feed, x: x, base: feedBase}

	out := &parsed{title: htmltext.PlainText(feed.Title)}
	if out.link = weblink.Resolve(feedBase, feed.Link); out.link == "" && len(feed.Links) > 0 {
		out.link = weblink.Resolve(feedBase, feed.Links[0])
	}
	// Relative entry links are relative to the site, which is what the
	// feed's own link names; an XML feed URL is the fallback.
	// A Content-Location header, where the server sends one, names the
	// document's own URL and is a better base still.
	if b := parseBase(out.link); b != nil && docURL == "" {
		t.base = b
	}
	if feed.FeedType == "atom" && needsAtomScan(data, feed) {
		t.scan = scanAtom(data, t.base)
		if len(t.scan) != len(feed.Items) {
			t.scan = nil // the two parsers disagree on the entries: trust neither's extras
		}
	}
	_, t.youtube = feed.Extensions["yt"]
	t.youtube = t.youtube || src.Kind == talkstream.SourceYouTube
	t.peertube = strings.Contains(strings.ToLower(feed.Generator), "peertube")

	out.entries = make([]talkstream.Entry, 0, len(feed.Items))
	for i, item := range feed.Items {
		if item == nil {
			continue
		}
		if e := t.entry(i, item); !emptyEntry(&e) {
			out.entries = append(out.entries, e)
		}
	}
	return out
}

// emptyEntry: an entry with nothing to show or link to (an empty <item/>)
// is dropped rather than shown as an untitled card.
func emptyEntry(e *talkstream.Entry) bool {
	return e.Title == "" && e.Link == "" && e.Summary == "" && e.Content == "" && e.Video == nil && len(e.Enclosures) == 0
}

// Caps on one-line texts: a feed's 100 KB title would otherwise be copied
// into every output that lists the item.
const (
	maxTitleRunes = 1000
	maxNameRunes  = 200 // an author's name, a category
)

// capRunes cuts s to at most n runes, marking the cut with an ellipsis.
func capRunes(s string, n int) string {
	if len(s) <= n { // bytes ≥ runes
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
		}
		count++
	}
	return s
}

// Dates outside [minDate, maxDate] are no dates: a 1970-01-01 or
// 0001-01-01 is a missing value printed, and years past 9999 cannot even be
// written as JSON. (Dates in the future are clamped by merge, which knows
// when an entry was first seen.)
var (
	minDate = time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC)
	maxDate = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
)

func plausibleDate(t *time.Time) time.Time {
	if t == nil || t.Before(minDate) || t.After(maxDate) {
		return time.Time{}
	}
	return t.UTC()
}

func (t *translator) entry(i int, item *gofeed.Item) talkstream.Entry {
	x := t.x.item(i)
	var scan atomEntryScan
	if i < len(t.scan) {
		scan = t.scan[i]
	}
	e := talkstream.Entry{
		SourceID:   t.src.ID,
		GUID:       strings.TrimSpace(item.GUID),
		Link:       t.itemLink(item, x, scan),
		Title:      capRunes(t.itemTitle(item, scan), maxTitleRunes),
		Summary:    t.richText(item.Description),
		Content:    t.richText(item.Content),
		Authors:    t.itemAuthors(item),
		Categories: itemCategories(item),
		Thumbnail:  t.itemThumbnail(item),
		Enclosures: t.itemEnclosures(item),
	}
	// gofeed already falls back from a missing Atom <published> to
	// <updated>; Updated is left zero when the feed has none.
	e.Published = plausibleDate(item.PublishedParsed)
	e.Updated = plausibleDate(item.UpdatedParsed)
	if e.Updated.IsZero() {
		e.Updated = extDate(item.Extensions, "dcterms", "modified")
	}
	if e.Published.IsZero() {
		// An RSS item dated only by Atom elements (.NET writes
		// a10:updated alone) or by Dublin Core terms (RSS 1.0) is
		// published when it says, else when it was last updated, as
		// gofeed reads an Atom entry without <published>.
		e.Published = firstDate(extDate(item.Extensions, "atom", "published"),
			extDate(item.Extensions, "dcterms", "issued"), extDate(item.Extensions, "dcterms", "created"), e.Updated)
	}
	if e.Title == "" {
		// Media RSS gives the title of an item that has none of its own.
		e.Title = capRunes(mediaTitle(item.Extensions), maxTitleRunes)
	}
	if e.Summary == "" && e.Content == "" {
		// And its description: video and photo feeds often say it only
		// there.
		e.Summary = t.mediaDescription(item.Extensions)
	}

	_, ytItem := item.Extensions["yt"]
	switch {
	case t.youtube || ytItem:
		t.youtubeEntry(item, &e)
	case t.src.Kind == talkstream.SourceVimeo || isVimeo(e.Link):
		t.vimeoEntry(item, &e)
	case t.src.Kind == talkstream.SourcePeerTube || t.peertube:
		t.peerTubeEntry(item, &e)
	default:
		// An entry whose own page is a video (a link blog pointing at a
		// talk) is that video.
		if v := talkstream.ParseVideoURL(e.Link); v != nil {
			t.fillVideo(item, &e, v)
		}
	}
	return e
}

// itemLink is the entry's own page. In Atom, the alternate link, an HTML
// one before any other type (a PDF of the post), resolved against xml:base;
// never a self, edit or enclosure link. In RSS, <link>, then a link in the
// Atom namespace the item carries (.NET writes only <a10:link>). Then a
// GUID that is a URL, unless RSS marks it isPermaLink="false": such a guid
// is an identifier, not a page.
func (t *translator) itemLink(item *gofeed.Item, x itemExtras, scan atomEntryScan) string {
	if x.links != nil || t.feed.FeedType == "atom" {
		hrefs := make([]string, len(x.links))
		for i, l := range x.links {
			if hrefs[i] = l.Href; len(scan.links) == len(x.links) {
				hrefs[i] = scan.links[i]
			}
		}
		if u := pickAlternate(x.links, hrefs, t.base); u != "" {
			return u
		}
	} else {
		for _, l := range append([]string{item.Link}, item.Links...) {
			if s := weblink.Resolve(t.base, l); s != "" {
				return s
			}
		}
		if u := atomExtLink(item.Extensions, t.base); u != "" {
			return u
		}
	}
	if g := strings.TrimSpace(item.GUID); x.guidIsLink && (strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://")) {
		return weblink.Resolve(nil, g)
	}
	return ""
}

// pickAlternate returns the first rel="alternate" link (the default rel)
// of an HTML type or none, else the first alternate of any type, resolved.
func pickAlternate(links []*atom.Link, hrefs []string, base *url.URL) string {
	for _, htmlOnly := range []bool{true, false} {
		for i, l := range links {
			if l == nil || !strings.EqualFold(strings.TrimSpace(l.Rel), "alternate") && strings.TrimSpace(l.Rel) != "" {
				continue
			}
			if htmlOnly && !htmlType(l.Type) {
				continue
			}
			if u := weblink.Resolve(base, hrefs[i]); u != "" {
				return u
			}
		}
	}
	return ""
}

// htmlType reports whether a link's type names a web page (or is absent).
func htmlType(typ string) bool {
	mt, _, err := mime.ParseMediaType(typ)
	return strings.TrimSpace(typ) == "" || err == nil && (mt == "text/html" || mt == "application/xhtml+xml")
}

// atomExtLink picks the page among the Atom links of an RSS item, which
// gofeed files under the canonical "atom" prefix whatever prefix the feed
// bound to the Atom namespace (a10:, atom:).
func atomExtLink(exts ext.Extensions, base *url.URL) string {
	list := exts["atom"]["link"]
	if len(list) == 0 {
		return ""
	}
	links := make([]*atom.Link, len(list))
	hrefs := make([]string, len(list))
	for i, l := range list {
		links[i] = &atom.Link{Rel: l.Attrs["rel"], Type: l.Attrs["type"]}
		hrefs[i] = l.Attrs["href"]
	}
	return pickAlternate(links, hrefs, base)
}

// extDate reads a date element of the Atom or Dublin Core terms namespace
// that an RSS item carries: RFC 3339, or the W3C-DTF shortenings Dublin
// Core allows (a date alone, minutes without seconds).
func extDate(exts ext.Extensions, ns, name string) time.Time {
	v := extValue(exts, ns, name)
	if v == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if d, err := time.Parse(layout, v); err == nil {
			return plausibleDate(&d)
		}
	}
	return time.Time{}
}

func firstDate(ds ...time.Time) time.Time {
	for _, d := range ds {
		if !d.IsZero() {
			return d
		}
	}
	return time.Time{}
}

// itemTitle is the entry's title as one line of text. A title is plain
// text unless the feed says it is HTML: a JSON Feed title always is text,
// an Atom title is unless its type is html or xhtml, whose markup is
// dropped once (what the publisher escaped stays: "History of the <blink>
// tag"); text keeps every character ("the return of <i> and <b>"), and
// every output escapes them.
// RSS says nothing, and RSS titles carry escaped HTML in practice, so an
// RSS title is read as HTML when it looks like HTML (a tag HTML knows, an
// entity), else as text.
func (t *translator) itemTitle(item *gofeed.Item, scan atomEntryScan) string {
	switch t.feed.FeedType {
	case "json":
		return htmltext.Line(item.Title)
	case "atom":
		if t.scan != nil && textType(scan.titleType) {
			return htmltext.Line(item.Title)
		}
		return htmltext.MarkupText(item.Title)
	}
	if !htmltext.LooksLikeHTML(item.Title) {
		return htmltext.Line(item.Title)
	}
	return htmltext.PlainText(item.Title)
}

// textType reports whether an Atom text construct's type says plain text:
// absent, "text" (Atom 1.0) or "text/plain" (Atom 0.3).
func textType(typ string) bool {
	return typ == "" || typ == "text" || typ == "text/plain"
}

// mediaTitle is an item's media:title (on the item or in media:group):
// plain text unless its type says html.
func mediaTitle(exts ext.Extensions) string {
	t := extFirst(exts, "media", "title")
	if t == nil {
		for _, g := range exts["media"]["group"] {
			if t = first(g.Children["title"]); t != nil {
				break
			}
		}
	}
	if t == nil {
		return ""
	}
	if strings.EqualFold(strings.TrimSpace(t.Attrs["type"]), "html") {
		return htmltext.PlainText(t.Value)
	}
	return htmltext.Line(t.Value)
}

// mediaDescription is an item's media:description, wherever Media RSS
// allows it (on the item, in media:group, in media:content, in
// media:content inside media:group): HTML if its type says so, else plain
// text made HTML.
func (t *translator) mediaDescription(exts ext.Extensions) string {
	parents := mediaParents(exts)
	d := extFirst(exts, "media", "description")
	for i := 0; d == nil && i < len(parents); i++ {
		d = first(parents[i].Children["description"])
	}
	if d == nil {
		return ""
	}
	if strings.EqualFold(strings.TrimSpace(d.Attrs["type"]), "html") {
		return t.richText(d.Value)
	}
	return textToHTML(d.Value)
}

// needsAtomScan reports whether an Atom document must be read a second
// time (scanAtom): it uses xml:base, or a title holds what could be markup
// or an entity reference and its type decides whether it is ("AT&T" alone
// reads the same either way).
func needsAtomScan(data []byte, feed *gofeed.Feed) bool {
	if bytes.Contains(data, []byte("xml:base")) {
		return true
	}
	for _, it := range feed.Items {
		if it != nil && (strings.Contains(it.Title, "<") || htmltext.LooksLikeHTML(it.Title)) {
			return true
		}
	}
	return false
}

// itemAuthors: the names of the item's authors, else of the feed's.
func (t *translator) itemAuthors(item *gofeed.Item) []string {
	if names := personNames(item.Authors); len(names) > 0 {
		return names
	}
	if item.Author != nil {
		if names := personNames([]*gofeed.Person{item.Author}); len(names) > 0 {
			return names
		}
	}
	if names := personNames(t.feed.Authors); len(names) > 0 {
		return names
	}
	if t.feed.Author != nil {
		return personNames([]*gofeed.Person{t.feed.Author})
	}
	return nil
}

func personNames(ps []*gofeed.Person) []string {
	var names []string
	for _, p := range ps {
		if p == nil {
			continue
		}
		// An address alone is not shown: the pages are public.
		names = appendUnique(names, capRunes(htmltext.PlainText(p.Name), maxNameRunes))
	}
	return names
}

func itemCategories(item *gofeed.Item) []string {
	var cats []string
	for _, c := range item.Categories {
		cats = appendUnique(cats, capRunes(htmltext.PlainText(c), maxNameRunes))
	}
	return cats
}

func appendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// itemThumbnail: the item image gofeed found (itunes:image, a media:content
// image, an image enclosure), then media:thumbnail on the item, in
// media:group or in media:content, then the first <img> of the content or
// description.
func (t *translator) itemThumbnail(item *gofeed.Item) string {
	if item.Image != nil && strings.TrimSpace(item.Image.URL) != "" {
		return weblink.Resolve(t.base, item.Image.URL)
	}
	if u := mediaThumbnail(item.Extensions); u != "" {
		return weblink.Resolve(t.base, u)
	}
	for _, doc := range []string{item.Content, item.Description} {
		if u := firstImage(doc); u != "" {
			return weblink.Resolve(t.base, u)
		}
	}
	return ""
}

func (t *translator) itemEnclosures(item *gofeed.Item) []talkstream.Enclosure {
	var out []talkstream.Enclosure
	for _, enc := range item.Enclosures {
		if enc == nil {
			continue
		}
		u := weblink.Resolve(t.base, enc.URL)
		if u == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(enc.Length), 10, 64)
		if err != nil || n < 0 {
			n = 0
		}
		out = append(out, talkstream.Enclosure{URL: u, Type: enclosureType(enc.Type, u), Length: n})
	}
	return out
}

// enclosureType is an enclosure's MIME type: the feed's when it is one
// (type/subtype, with parameters whose values are tokens), normalised;
// otherwise guessed from the URL's extension; else empty. The type is
// republished in every output, so free text ("<script>…", "mp3") is never
// passed on.
func enclosureType(typ, u string) string {
	mt, params, err := mime.ParseMediaType(strings.TrimSpace(typ))
	if err == nil && strings.Count(mt, "/") == 1 && !strings.HasPrefix(mt, "/") && !strings.HasSuffix(mt, "/") {
		if s := mime.FormatMediaType(mt, params); s != "" && !strings.ContainsAny(s, "\"\\") {
			return s
		}
		return mt
	}
	return mediaTypeByExtension(u)
}

// mediaTypes are the enclosure types guessed from a file extension; a fixed
// table, because mime.TypeByExtension depends on the host's files.
var mediaTypes = map[string]string{
	".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/aac", ".ogg": "audio/ogg", ".oga": "audio/ogg",
	".opus": "audio/ogg", ".flac": "audio/flac", ".wav": "audio/wav",
	".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".mov": "video/quicktime",
	".pdf": "application/pdf", ".epub": "application/epub+zip",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
	".webp": "image/webp", ".svg": "image/svg+xml",
}

func mediaTypeByExtension(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return mediaTypes[strings.ToLower(path.Ext(pu.Path))]
}
