package publish

import (
	"fmt"
	"html"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/internal/htmltext"
)

// person is a speaker as the outputs show one.
type person struct{ Name, URL string }

// roleLink is one link of an item with what it is.
type roleLink struct {
	Role  string
	URL   string
	Title string // the link's own title, else the source's title
}

// itemView is everything the outputs derive from one item, computed once per
// change of the item: its fragments are rendered from it.
type itemView struct {
	item        *talkstream.Item
	id          string // tag: URI; stable because item.ID is
	anchor      string // HTML id of the item's card
	title       string
	link        string
	published   time.Time // zero when unknown
	updated     time.Time // never zero
	authors     []person
	event       string // display name, e.g. "FOSDEM 2014"
	tags        []string
	kindFacet   *facet
	tagFacets   []*facet // in the order of tags
	speakers    []speakerRef
	eventFacet  *facet // nil when the item has no event
	summaryHTML string // sanitised; may be ""
	contentHTML string // sanitised; may be ""
	summaryText string // plain, at most summaryRunes
	thumbnail   string
	video       *talkstream.Video // with safe URLs
	links       []roleLink        // every entry and typed link, deduplicated by URL
	enclosures  []talkstream.Enclosure

	// The talk's time and place (upcoming.go).
	start    time.Time // zero when unknown
	allDay   bool
	duration time.Duration
	location string
	upcoming bool      // start is after the renderer's now
	order    time.Time // where the item is in its streams
}

// epoch stands in for the updated time of an item without any date, because
// Atom needs one and it must not change from one render to the next.
var epoch = time.Unix(0, 0).UTC()

func (r *renderer) view(it *talkstream.Item) *itemView {
	v := &itemView{
		item:      it,
		id:        r.tagURI("item/" + url.PathEscape(it.ID)),
		anchor:    anchorID(it.ID),
		title:     cleanText(it.Title),
		link:      safeURL(it.Link),
		published: it.Published.UTC(),
		updated:   it.Updated.UTC(),
		event:     r.eventName(it.Event),
		thumbnail: safeURL(it.Thumbnail),
	}
	if it.Published.IsZero() {
		v.published = time.Time{}
	}
	if it.Updated.IsZero() {
		v.updated = v.published
	}
	if v.updated.IsZero() {
		v.updated = epoch
	}
	if v.link == "" {
		for _, ie := range it.Entries {
			if l := safeURL(ie.Entry.Link); l != "" {
				v.link = l
				break
			}
		}
	}
	if v.title == "" {
		v.title = "Untitled"
	}
	for _, s := range it.Speakers {
		if p, ok := r.speaker(s); ok {
			v.authors = append(v.authors, p)
		}
	}
	for _, t := range it.Tags {
		if t = cleanText(t); t != "" && !slices.Contains(v.tags, t) {
			v.tags = append(v.tags, t)
		}
	}
	if vid := r.safeVideo(it.Video); vid != nil {
		v.video = vid
		if v.thumbnail == "" {
			v.thumbnail = vid.Thumbnail
		}
	}

	v.summaryHTML = sanitizeHTML(xmlChars(it.Summary), htmlBase(it, it.Summary, v.link))
	content := sanitizeHTML(xmlChars(it.Content), htmlBase(it, it.Content, v.link))
	v.summaryText = truncate(htmltext.PlainText(v.summaryHTML), summaryRunes)
	if v.summaryText == "" {
		v.summaryText = truncate(htmltext.PlainText(content), summaryRunes)
	}
	if v.summaryHTML == "" && v.summaryText != "" {
		v.summaryHTML = html.EscapeString(v.summaryText)
	}
	if content == "" {
		content = v.summaryHTML
	}

	seen := map[string]bool{}
	addLink := func(role talkstream.Role, raw, title string) {
		u := safeURL(raw)
		if u == "" || seen[u] {
			return
		}
		seen[u] = true
		if role == "" {
			role = talkstream.RolePage
		}
		v.links = append(v.links, roleLink{Role: string(role), URL: u, Title: cleanText(title)})
	}
	encSeen := map[string]bool{}
	// merge lists the item's distinct pages; an item built without them
	// falls back to every entry's links.
	for _, l := range it.Links {
		addLink(l.Role, l.URL, r.via(l.URL, l.Source, l.Title))
	}
	for _, ie := range it.Entries {
		if len(it.Links) == 0 {
			addLink(ie.Role, ie.Entry.Link, r.via(ie.Entry.Link, ie.Entry.SourceID, ""))
			for _, l := range ie.Entry.Links {
				addLink(l.Role, l.URL, r.via(l.URL, ie.Entry.SourceID, l.Title))
			}
		}
		for _, e := range ie.Entry.Enclosures {
			if u := safeURL(e.URL); u != "" && !encSeen[u] {
				encSeen[u] = true
				v.enclosures = append(v.enclosures, talkstream.Enclosure{URL: u, Type: cleanText(e.Type), Length: max(e.Length, 0)})
			}
		}
	}
	if v.video != nil && v.video.URL != "" && !seen[v.video.URL] {
		// The item knows its video even when no entry came from the platform.
		seen[v.video.URL] = true
		v.links = append([]roleLink{{Role: string(talkstream.RoleVideo), URL: v.video.URL, Title: providerName(v.video.Provider)}}, v.links...)
	}
	v.contentHTML = r.contentHTML(v, content)
	r.talkTime(v)
	return v
}

// htmlBase is the URL relative links in an item's HTML are relative to: the
// link of the entry the HTML was taken from (merge copies the best entry's
// summary and content), else the item's link.
func htmlBase(it *talkstream.Item, h, fallback string) string {
	if h == "" {
		return fallback
	}
	for _, ie := range it.Entries {
		if ie.Entry.Content == h || ie.Entry.Summary == h {
			if l := safeURL(ie.Entry.Link); l != "" {
				return l
			}
		}
	}
	return fallback
}

// contentHTML is the body the feeds carry: the item's own sanitised content,
// led by the video's thumbnail (most feed readers ignore Media RSS) and
// followed by the item's other links, so a reader sees what the page shows.
func (r *renderer) contentHTML(v *itemView, content string) string {
	var b strings.Builder // what leads the content
	if v.video != nil && v.video.URL != "" && v.thumbnail != "" && !showsThumbnail(content, v) {
		fmt.Fprintf(&b, `<p><a href="%s"><img src="%s" alt="%s"></a></p>`,
			html.EscapeString(v.video.URL), html.EscapeString(v.thumbnail), html.EscapeString("Video: "+v.title))
	}
	lead := b.String()
	b.Reset() // what follows it
	var extra []roleLink
	for _, l := range v.links {
		if l.URL != v.link {
			extra = append(extra, l)
		}
	}
	if len(extra) > 0 {
		b.WriteString("<p>")
		for i, l := range extra {
			if i > 0 {
				b.WriteString(" · ")
			}
			label := l.Role
			if l.Title != "" {
				label += ": " + l.Title
			}
			fmt.Fprintf(&b, `<a href="%s">%s</a>`, html.EscapeString(l.URL), html.EscapeString(label))
		}
		b.WriteString("</p>")
	}
	// Our own additions pass through the policy too, for the same rel and
	// target attributes as the rest. The content passed it already and
	// leaves it balanced, so nothing it holds reaches into them: it is not
	// sanitised twice (that was a fifth of rendering an item). Misnested
	// HTML that a second parse would nest again (an <a> that balance
	// leaves inside an <a>) stays as the first pass wrote it: as safe.
	return sanitizeHTML(lead, "") + content + sanitizeHTML(b.String(), "")
}

// speaker maps an item's speaker (a configured id, or a name found only in a
// feed) to a person.
func (r *renderer) speaker(s string) (person, bool) {
	if sp, ok := r.speakers[s]; ok {
		name := cleanText(sp.Name)
		if name == "" {
			name = cleanText(sp.ID)
		}
		return person{Name: name, URL: safeURL(sp.URL)}, name != ""
	}
	name := cleanText(s)
	return person{Name: name}, name != ""
}

// eventName turns an item's event ("fosdem-2014") into its display name
// ("FOSDEM 2014") using the configured events; an unknown event is shown as
// its id with dashes for spaces.
func (r *renderer) eventName(id string) string {
	id = cleanText(id)
	if id == "" {
		return ""
	}
	if e, ok := r.events[id]; ok && e.Name != "" {
		return cleanText(e.Name)
	}
	if i := strings.LastIndexByte(id, '-'); i > 0 {
		if e, ok := r.events[id[:i]]; ok && e.Name != "" {
			return cleanText(e.Name) + " " + id[i+1:]
		}
	}
	return strings.ReplaceAll(id, "-", " ")
}

// via names where a link of an item leads, for the page's link buttons and
// the feeds' related links: the link's own title, else the video platform,
// else the source it came from (a curated file says nothing about where its
// links lead, so for those the host).
func (r *renderer) via(u, source, title string) string {
	if title = cleanText(title); title != "" {
		return title
	}
	if vid := talkstream.ParseVideoURL(u); vid != nil {
		return providerName(vid.Provider)
	}
	if s, ok := r.byID[source]; ok && s.Kind != talkstream.SourceCurated {
		return cleanText(s.DisplayTitle())
	}
	if pu, err := url.Parse(u); err == nil {
		return strings.TrimPrefix(strings.ToLower(pu.Hostname()), "www.")
	}
	return ""
}

// anchorID turns an item id into an HTML id that cannot clash with the
// page's own ids.
func anchorID(id string) string {
	var b strings.Builder
	b.WriteString("item-")
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// showsThumbnail says whether an item's own HTML already shows its video's
// thumbnail (the same image, or any image of the same video), so that the
// feeds do not show it twice.
func showsThumbnail(content string, v *itemView) bool {
	if !strings.Contains(content, "<img") {
		return false
	}
	return strings.Contains(content, v.thumbnail) || strings.Contains(content, html.EscapeString(v.thumbnail)) ||
		(v.video.ID != "" && strings.Contains(content, v.video.ID))
}
