package fetch

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/talkstream/talkstream"
)

// translator turns one parsed gofeed.Feed into entries. Like gofeed's own
// translator.go, every field is filled from an explicit, ordered list of
// fallbacks.
type translator struct {
	src     talkstream.Source
	feed    *gofeed.Feed
	base    *url.URL // the feed's own link, else the feed URL
	youtube bool     // a YouTube feed: by source kind or by its yt: namespace
}

func translate(feed *gofeed.Feed, src talkstream.Source, feedURL string) *parsed {
	feedBase := parseBase(feedURL)
	t := &translator{src: src, feed: feed, base: feedBase}

	out := &parsed{title: plainText(feed.Title)}
	if out.link = resolveAgainst(feedBase, feed.Link); out.link == "" && len(feed.Links) > 0 {
		out.link = resolveAgainst(feedBase, feed.Links[0])
	}
	// Relative entry links are relative to the site, which is what the
	// feed's own link names; an XML feed URL is the fallback.
	if b := parseBase(out.link); b != nil {
		t.base = b
	}
	_, t.youtube = feed.Extensions["yt"]
	t.youtube = t.youtube || src.Kind == talkstream.SourceYouTube

	out.entries = make([]talkstream.Entry, 0, len(feed.Items))
	for _, item := range feed.Items {
		if item == nil {
			continue
		}
		if e := t.entry(item); !emptyEntry(&e) {
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

// dropControls removes control characters other than tab and line breaks
// (C0, DEL, C1): no feed means them, XML 1.0 forbids most of them, and
// terminals and pages would show them as boxes or act on them.
func dropControls(s string) string {
	if strings.IndexFunc(s, isStrayControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isStrayControl(r) {
			return -1
		}
		return r
	}, s)
}

func isStrayControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
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

func (t *translator) entry(item *gofeed.Item) talkstream.Entry {
	e := talkstream.Entry{
		SourceID:   t.src.ID,
		GUID:       strings.TrimSpace(item.GUID),
		Link:       t.itemLink(item),
		Title:      capRunes(plainText(item.Title), maxTitleRunes),
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

	_, ytItem := item.Extensions["yt"]
	switch {
	case t.youtube || ytItem:
		t.youtubeEntry(item, &e)
	case t.src.Kind == talkstream.SourceVimeo || isVimeo(e.Link):
		t.vimeoEntry(item, &e)
	default:
		// An entry whose own page is a video (a link blog pointing at a
		// talk) is that video.
		if v := talkstream.ParseVideoURL(e.Link); v != nil {
			t.fillVideo(item, &e, v)
		}
	}
	return e
}

// itemLink: the alternate link, then any link, then a GUID that is a URL.
func (t *translator) itemLink(item *gofeed.Item) string {
	for _, l := range append([]string{item.Link}, item.Links...) {
		if s := resolveAgainst(t.base, l); s != "" {
			return s
		}
	}
	if g := strings.TrimSpace(item.GUID); strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://") {
		return resolveAgainst(nil, g)
	}
	return ""
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
		names = appendUnique(names, capRunes(plainText(p.Name), maxNameRunes))
	}
	return names
}

func itemCategories(item *gofeed.Item) []string {
	var cats []string
	for _, c := range item.Categories {
		cats = appendUnique(cats, capRunes(plainText(c), maxNameRunes))
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
		return resolveAgainst(t.base, item.Image.URL)
	}
	if u := mediaThumbnail(item.Extensions); u != "" {
		return resolveAgainst(t.base, u)
	}
	for _, doc := range []string{item.Content, item.Description} {
		if u := firstImage(doc); u != "" {
			return resolveAgainst(t.base, u)
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
		u := resolveAgainst(t.base, enc.URL)
		if u == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(enc.Length), 10, 64)
		if err != nil || n < 0 {
			n = 0
		}
		out = append(out, talkstream.Enclosure{URL: u, Type: strings.TrimSpace(enc.Type), Length: n})
	}
	return out
}

// youtubeEntry fills what a YouTube feed says only in its extensions: the id
// in yt:videoId, the description, title and thumbnail in media:group.
func (t *translator) youtubeEntry(item *gofeed.Item, e *talkstream.Entry) {
	id := extValue(item.Extensions, "yt", "videoId")
	if id == "" {
		id = strings.TrimPrefix(e.GUID, "yt:video:")
	}
	var v *talkstream.Video
	if youtubeFeedIDPattern.MatchString(id) {
		v = talkstream.NewVideo("youtube", id)
	} else if v = talkstream.ParseVideoURL(e.Link); v == nil || v.Provider != "youtube" {
		return
	}
	group := extFirst(item.Extensions, "media", "group")
	if e.Title == "" {
		e.Title = capRunes(plainText(childValue(group, "title")), maxTitleRunes)
	}
	if e.Summary == "" {
		e.Summary = textToHTML(childValue(group, "description"))
	}
	if e.Link == "" {
		e.Link = v.URL
	}
	t.fillVideo(item, e, v)
}

// vimeoEntry finds the clip id in the link, the media:player URL or the
// "tag:vimeo,DATE:clipID" GUID.
func (t *translator) vimeoEntry(item *gofeed.Item, e *talkstream.Entry) {
	v := talkstream.ParseVideoURL(e.Link)
	if v == nil || v.Provider != "vimeo" {
		v = nil
	players:
		for _, c := range item.Extensions["media"]["content"] {
			for _, p := range c.Children["player"] {
				if pv := talkstream.ParseVideoURL(p.Attrs["url"]); pv != nil && pv.Provider == "vimeo" {
					v = pv
					break players
				}
			}
		}
	}
	if v == nil {
		if m := vimeoClipGUID.FindStringSubmatch(e.GUID); m != nil {
			v = talkstream.NewVideo("vimeo", m[1])
		}
	}
	if v == nil {
		return
	}
	if e.Link == "" {
		e.Link = v.URL
	}
	t.fillVideo(item, e, v)
}

// fillVideo completes v from the item (thumbnail, duration, channel) and
// attaches it.
func (t *translator) fillVideo(item *gofeed.Item, e *talkstream.Entry, v *talkstream.Video) {
	if u := mediaThumbnail(item.Extensions); u != "" {
		v.Thumbnail = resolveAgainst(t.base, u)
	} else if v.Thumbnail == "" {
		v.Thumbnail = e.Thumbnail
	}
	if e.Thumbnail == "" {
		e.Thumbnail = v.Thumbnail
	}
	v.Duration = mediaDuration(item)
	switch {
	case len(e.Authors) > 0:
		v.Channel = e.Authors[0]
	default:
		for _, c := range item.Extensions["media"]["content"] {
			for _, cr := range c.Children["credit"] {
				if cr.Attrs["role"] == "author" && v.Channel == "" {
					v.Channel = plainText(cr.Value)
				}
			}
		}
	}
	e.Video = v
}

// mediaThumbnail finds a media:thumbnail URL on the item, in media:group,
// or in media:content (directly or inside media:group).
func mediaThumbnail(exts ext.Extensions) string {
	media := exts["media"]
	if media == nil {
		return ""
	}
	if u := attrOf(first(media["thumbnail"]), "url"); u != "" {
		return u
	}
	var contents []ext.Extension
	contents = append(contents, media["content"]...)
	for _, g := range media["group"] {
		if u := attrOf(first(g.Children["thumbnail"]), "url"); u != "" {
			return u
		}
		contents = append(contents, g.Children["content"]...)
	}
	for _, c := range contents {
		if u := attrOf(first(c.Children["thumbnail"]), "url"); u != "" {
			return u
		}
	}
	return ""
}

// mediaDuration reads media:content's duration attribute (seconds), then
// itunes:duration.
func mediaDuration(item *gofeed.Item) time.Duration {
	media := item.Extensions["media"]
	var contents []ext.Extension
	contents = append(contents, media["content"]...)
	for _, g := range media["group"] {
		contents = append(contents, g.Children["content"]...)
	}
	for _, c := range contents {
		if d := parseMediaDuration(c.Attrs["duration"]); d > 0 {
			return d
		}
	}
	if item.ITunesExt != nil {
		return parseMediaDuration(item.ITunesExt.Duration)
	}
	return 0
}

func extFirst(exts ext.Extensions, ns, name string) *ext.Extension {
	return first(exts[ns][name])
}

func extValue(exts ext.Extensions, ns, name string) string {
	if e := extFirst(exts, ns, name); e != nil {
		return strings.TrimSpace(e.Value)
	}
	return ""
}

func first(list []ext.Extension) *ext.Extension {
	if len(list) == 0 {
		return nil
	}
	return &list[0]
}

func childValue(e *ext.Extension, name string) string {
	if e == nil {
		return ""
	}
	if c := first(e.Children[name]); c != nil {
		return c.Value
	}
	return ""
}

func attrOf(e *ext.Extension, name string) string {
	if e == nil {
		return ""
	}
	return strings.TrimSpace(e.Attrs[name])
}

func isVimeo(link string) bool {
	v := talkstream.ParseVideoURL(link)
	return v != nil && v.Provider == "vimeo"
}

// richText trims feed HTML and makes its relative href and src attributes
// absolute, since the HTML is shown on pages far from the feed.
func (t *translator) richText(s string) string {
	s = strings.TrimSpace(dropControls(s))
	if s == "" || t.base == nil {
		return s
	}
	return resolveHTML(t.base, s)
}

var relativeAttr = regexp.MustCompile(`(?i)\b(?:href|src|poster)\s*=\s*["']?\s*[^"'\s>]`)

// resolveHTML rewrites relative URLs in href, src and poster attributes.
// HTML without any such attribute comes back byte for byte.
func resolveHTML(base *url.URL, s string) string {
	if !relativeAttr.MatchString(s) {
		return s
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return s
	}
	changed := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for i, a := range n.Attr {
				if a.Namespace != "" || (a.Key != "href" && a.Key != "src" && a.Key != "poster") {
					continue
				}
				ref, err := url.Parse(strings.TrimSpace(a.Val))
				if err != nil || ref.IsAbs() || strings.HasPrefix(a.Val, "#") {
					continue
				}
				n.Attr[i].Val = base.ResolveReference(ref).String()
				changed = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	if !changed {
		return s
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return s
		}
	}
	return b.String()
}

// firstImage returns the src of the first <img> in an HTML fragment.
func firstImage(doc string) string {
	if !strings.Contains(doc, "<") {
		return ""
	}
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "img" || !hasAttr {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "src" && strings.TrimSpace(string(v)) != "" {
					return strings.TrimSpace(string(v))
				}
				if !more {
					break
				}
			}
		}
	}
}

// blockTags end a run of words: their text is not glued to the next.
var blockTags = map[atom.Atom]bool{
	atom.Br: true, atom.P: true, atom.Div: true, atom.Li: true, atom.Tr: true, atom.Td: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
}

// plainText turns a title or name that may hold markup or entities into one
// line of plain text: tags dropped, entities decoded, runs of white space
// collapsed to one space. Markup encoded twice (&amp;lt;script&amp;gt;)
// comes out of one pass as markup; a title is text, and some feed readers
// render titles as HTML, so it is stripped again until none is left.
func plainText(s string) string {
	s = stripMarkup(s)
	for i := 0; i < 8 && tagLike.MatchString(s); i++ {
		next := stripMarkup(s)
		if next == s {
			break
		}
		s = next
	}
	if tagLike.MatchString(s) { // nested beyond reason: defuse what is left
		s = strings.ReplaceAll(s, "<", "‹")
	}
	return s
}

// tagLike finds what an HTML parser would take for the start of a tag.
var tagLike = regexp.MustCompile(`<[A-Za-z/!?]`)

// stripMarkup is one pass of plainText.
func stripMarkup(s string) string {
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "<") {
		return strings.Join(strings.Fields(dropControls(html.UnescapeString(s))), " ")
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // inside <script> or <style>
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.Join(strings.Fields(dropControls(b.String())), " ")
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text()) // the tokenizer decodes entities
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Script || a == atom.Style {
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			}
			if blockTags[a] {
				b.WriteByte(' ')
			}
		}
	}
}

// textToHTML turns plain text (a YouTube description) into HTML: escaped,
// with its line breaks kept.
func textToHTML(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(dropControls(s), "\r\n", "\n"))
	if s == "" {
		return ""
	}
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>\n")
}
