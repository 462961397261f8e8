package fetch

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/mmcdole/gofeed"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/internal/htmltext"
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

	out := &parsed{title: htmltext.PlainText(feed.Title)}
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
		Title:      capRunes(htmltext.PlainText(item.Title), maxTitleRunes),
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
