package publish

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).ParseFS(templateFS, "templates/*.html"))

// pageView is what templates/page.html shows.
type pageView struct {
	Lang        string
	DocTitle    string // <title>
	SiteTitle   string
	Eyebrow     string // what the facet is: "Speaker", "Tag"...; "" on the main stream
	Heading     string // h1
	Description string
	HomePage    string // a speaker's own site
	Canonical   string // the page's own absolute URL
	Root        string // relative URL of the main page: "./" or "../../"
	CSS, JS     string
	Icon        string
	Feeds       feedLinks  // this stream's feeds
	SiteFeeds   *feedLinks // the main stream's, on facet pages
	OPML        string     // relative
	Prev, Next  string     // relative URLs of the neighbouring pages
	Kinds       []navLink  // "All" first
	Years       []navLink
	Groups      []yearGroup
	Pager       []pagerLink // nil when the stream has one page
	PageN       int
	PageTotal   int
	Total       int // items in the stream
	Shown       int // items on this page
	Updated     time.Time
	SourceCount int
	Sidebar     template.HTML
	Browse      struct{ Speakers, Events, Tags bool } // which sidebar lists there are, for the jump links
}

// sidebarView is what the "sidebar" template shows: the same on every page
// at the same depth, but for which facet is current (see markCurrent).
type sidebarView struct {
	Speakers navList
	Events   navList
	Tags     navList
	Sources  []sourceView
	Healthy  int
}

// feedLinks are absolute (for autodiscovery) and relative (for the visible
// links, which then also work in a directory written by WriteDir).
type feedLinks struct {
	RSS, Atom, JSON          string
	RSSRel, AtomRel, JSONRel string
}

// navLink is one link to a facet, a year or the main stream.
type navLink struct {
	Label   string
	Href    string
	Count   int
	Current bool // this page is (a page of) that facet
}

// navList is a sidebar list: the first few, then the rest behind a
// disclosure so that a long list does not push the sources away.
type navList struct {
	Dir       string // the facets' dimension, e.g. "speakers"
	Top, More []navLink
}

func (l navList) Len() int { return len(l.Top) + len(l.More) }

type pagerLink struct {
	N       int
	Href    string
	Current bool
	Gap     bool // an ellipsis between page numbers
}

type yearGroup struct {
	ID, Label string
	Months    []monthGroup
}

type monthGroup struct {
	ID, Label string
	Cards     []template.HTML
}

// cardView is what the "card" template shows of one item.
type cardView struct {
	Anchor    string
	Title     string
	Link      string
	Kind      string
	KindHref  string
	Speakers  []navLink
	Event     string
	EventHref string
	Date      time.Time // zero when unknown
	DateText  string
	Thumb     string
	ThumbAlt  string
	Video     *videoCard
	Summary   string // plain text
	Links     []linkView
	Tags      []navLink
}

// videoCard is a card's click-to-play video: a link to Watch that the page's
// script turns into a player of Embed.
type videoCard struct {
	Watch    string
	Embed    string // "" when the provider has no player we allow
	Provider string // "YouTube", "Vimeo"
	Class    string // CSS class of the poster: the provider
	Duration string
	Label    string // the link's accessible name without a thumbnail
}

type linkView struct {
	Role, URL, Via string
}

type sourceView struct {
	Title      string
	Kind       string
	Site       string
	Feed       string
	Items      int
	State      string // ok, error, pending, gone, curated: a CSS class
	StateLabel string
	Fetched    time.Time
	Error      string
}

// cardKey names a rendered card: the same item renders the same at the same
// depth below the site root, whatever the page.
type cardKey struct {
	item *itemView
	root string
}

// rootRel is the relative path from a page at prefix to the site root:
// "" for "/", "../../" for "/tags/xen/".
func rootRel(prefix string) string {
	return strings.Repeat("../", strings.Count(prefix, "/")-1)
}

// relTo is the relative URL from the page at prefix to the site path p.
func relTo(prefix, p string) string {
	if u := rootRel(prefix) + strings.TrimPrefix(p, "/"); u != "" {
		return u
	}
	return "./"
}

// Sidebar list lengths before "more".
const (
	topSpeakers = 12
	topEvents   = 10
	topTags     = 30
)

// renderHTML renders one page of a stream: cards grouped by year and month,
// newest first; filters for kinds, speakers, events and tags; and the
// sources with their health.
func (r *renderer) renderHTML(pg *page) ([]byte, error) {
	st := pg.st
	prefix := pg.prefix()
	root := rootRel(prefix)
	feeds := func(p string) feedLinks {
		return feedLinks{
			RSS: r.abs(p + "rss.xml"), Atom: r.abs(p + "atom.xml"), JSON: r.abs(p + "feed.json"),
			RSSRel: relTo(prefix, p+"rss.xml"), AtomRel: relTo(prefix, p+"atom.xml"), JSONRel: relTo(prefix, p+"feed.json"),
		}
	}
	pv := pageView{
		Lang:        r.opts.Language,
		DocTitle:    st.title,
		SiteTitle:   r.opts.Title,
		Heading:     st.title,
		Description: st.description,
		Canonical:   r.abs(prefix),
		Root:        relTo(prefix, "/"),
		CSS:         root + "style.css?v=" + r.assets["style.css"],
		JS:          root + "app.js?v=" + r.assets["app.js"],
		Icon:        root + "favicon.svg?v=" + r.assets["favicon.svg"],
		Feeds:       feeds(st.prefix),
		OPML:        relTo(prefix, "/sources.opml"),
		PageN:       pg.n,
		PageTotal:   pg.total,
		Total:       len(st.items),
		Shown:       len(pg.items),
		Updated:     r.feedUpdated(st.items),
		SourceCount: len(r.srcViews),
	}
	if f := st.facet; f != nil {
		pv.Heading = f.label
		if f.dir == dirTags {
			pv.Heading = "#" + f.label
		}
		pv.Eyebrow = facetNoun(f)
		pv.HomePage = f.url
		sf := feeds("/")
		pv.SiteFeeds = &sf
	}
	if pg.n > 1 {
		pv.DocTitle += " (page " + strconv.Itoa(pg.n) + ")"
		pv.Prev = relTo(prefix, pagePrefix(st, pg.n-1))
	}
	if pg.n < pg.total {
		pv.Next = relTo(prefix, pagePrefix(st, pg.n+1))
	}
	if pg.total > 1 {
		pv.Pager = pagerLinks(pg, prefix)
	}
	// Filters.
	pv.Kinds = append(pv.Kinds, navLink{Label: "All", Href: pv.Root, Count: len(r.items), Current: st.facet == nil})
	for _, f := range r.facets.kinds {
		pv.Kinds = append(pv.Kinds, navLink{Label: f.label, Href: relTo(prefix, f.prefix()), Count: len(f.items), Current: st.facet == f})
	}
	sb, err := r.sidebarHTML(root)
	if err != nil {
		return nil, err
	}
	pv.Sidebar = r.markCurrent(sb, root, st.facet)
	pv.Browse.Speakers, pv.Browse.Events, pv.Browse.Tags = len(r.facets.speakers) > 0, len(r.facets.events) > 0, len(r.facets.tags) > 0

	// Years of the whole stream, each linking to the page it starts on.
	seen := map[string]bool{}
	for i, v := range st.items {
		id, label := yearOf(v.published)
		if seen[id] {
			continue
		}
		seen[id] = true
		href := "#" + id
		if n := i/r.opts.Limit + 1; n != pg.n {
			href = relTo(prefix, pagePrefix(st, n)) + "#" + id
		}
		pv.Years = append(pv.Years, navLink{Label: label, Href: href})
	}

	for _, v := range pg.items {
		yID, yLabel := yearOf(v.published)
		mID, mLabel := "m-undated", "Undated"
		if d := v.published; !d.IsZero() {
			mID, mLabel = d.Format("m2006-01"), d.Format("January 2006")
		}
		if n := len(pv.Groups); n == 0 || pv.Groups[n-1].ID != yID {
			pv.Groups = append(pv.Groups, yearGroup{ID: yID, Label: yLabel})
		}
		y := &pv.Groups[len(pv.Groups)-1]
		if n := len(y.Months); n == 0 || y.Months[n-1].ID != mID {
			y.Months = append(y.Months, monthGroup{ID: mID, Label: mLabel})
		}
		m := &y.Months[len(y.Months)-1]
		c, err := r.cardHTML(v, root)
		if err != nil {
			return nil, err
		}
		m.Cards = append(m.Cards, c)
	}
	var b bytes.Buffer
	b.Grow(4096 + 2048*len(pg.items))
	if err := pageTemplate.Execute(&b, pv); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// sidebarHTML renders (once per depth) the sidebar: speakers, events and
// tags to filter by, and the sources with their health. It is the same on
// every page at the same depth but for the current facet, so it is rendered
// once per depth rather than once per page.
func (r *renderer) sidebarHTML(root string) (template.HTML, error) {
	r.cardMu.Lock()
	sb, ok := r.sidebars[root]
	r.cardMu.Unlock()
	if ok {
		return sb, nil
	}
	list := func(dir string, fs []*facet, top int) navList {
		l := navList{Dir: dir}
		for i, f := range fs {
			nl := navLink{Label: f.label, Href: root + strings.TrimPrefix(f.prefix(), "/"), Count: len(f.items)}
			if i < top {
				l.Top = append(l.Top, nl)
			} else {
				l.More = append(l.More, nl)
			}
		}
		return l
	}
	sv := sidebarView{
		Speakers: list(dirSpeakers, r.facets.speakers, topSpeakers),
		Events:   list(dirEvents, r.facets.events, topEvents),
		Tags:     list(dirTags, r.facets.tags, topTags),
		Sources:  r.srcViews,
		Healthy:  r.healthy,
	}
	var b bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&b, "sidebar", sv); err != nil {
		return "", err
	}
	sb = template.HTML(b.String()) // html/template escaped every value in it
	r.cardMu.Lock()
	r.sidebars[root] = sb
	r.cardMu.Unlock()
	return sb, nil
}

// markCurrent marks the current facet's link in a rendered sidebar with
// aria-current, and opens the "more" list it is in. Facet links are
// root-relative paths of [a-z0-9-] segments, which the template writes
// verbatim, so the link is found by its exact text.
func (r *renderer) markCurrent(sb template.HTML, root string, f *facet) template.HTML {
	if f == nil || f.dir == dirKinds {
		return sb
	}
	a := `<a href="` + root + strings.TrimPrefix(f.prefix(), "/") + `">`
	s := strings.Replace(string(sb), a, strings.TrimSuffix(a, ">")+` aria-current="page">`, 1)
	top := map[string]int{dirSpeakers: topSpeakers, dirEvents: topEvents}[f.dir]
	list := map[string][]*facet{dirSpeakers: r.facets.speakers, dirEvents: r.facets.events}[f.dir]
	if i := slices.Index(list, f); top > 0 && i >= top {
		d := `<details class="more" data-facets="` + f.dir + `">`
		s = strings.Replace(s, d, strings.TrimSuffix(d, ">")+" open>", 1)
	}
	return template.HTML(s)
}

func yearOf(t time.Time) (id, label string) {
	if t.IsZero() {
		return "undated", "Undated"
	}
	y := strconv.Itoa(t.Year())
	return "y" + y, y
}

// facetNoun says what a facet is, above its name.
func facetNoun(f *facet) string {
	switch f.dir {
	case dirTags:
		return "Tag"
	case dirSpeakers:
		return "Speaker"
	case dirKinds:
		return "Kind"
	case dirEvents:
		return "Event"
	}
	return ""
}

// pagerLinks numbers the pages of a stream: the first, the last and two on
// each side of the current one, with gaps between.
func pagerLinks(pg *page, prefix string) []pagerLink {
	var out []pagerLink
	for n := 1; n <= pg.total; n++ {
		if n != 1 && n != pg.total && (n < pg.n-2 || n > pg.n+2) {
			if len(out) > 0 && !out[len(out)-1].Gap {
				out = append(out, pagerLink{Gap: true})
			}
			continue
		}
		out = append(out, pagerLink{N: n, Href: relTo(prefix, pagePrefix(pg.st, n)), Current: n == pg.n})
	}
	return out
}

// cardHTML renders (once per depth) the card of an item for a page whose
// path to the site root is root.
func (r *renderer) cardHTML(v *itemView, root string) (template.HTML, error) {
	key := cardKey{v, root}
	r.cardMu.Lock()
	c, ok := r.cards[key]
	r.cardMu.Unlock()
	if ok {
		return c, nil
	}
	var b bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&b, "card", r.card(v, root)); err != nil {
		return "", err
	}
	c = template.HTML(b.String()) // html/template escaped every value in it
	r.cardMu.Lock()
	r.cards[key] = c
	r.cardMu.Unlock()
	return c, nil
}

func (r *renderer) card(v *itemView, root string) cardView {
	href := func(f *facet) string { return root + strings.TrimPrefix(f.prefix(), "/") }
	c := cardView{
		Anchor:   v.anchor,
		Title:    v.title,
		Link:     v.link,
		Kind:     v.kindFacet.slug,
		KindHref: href(v.kindFacet),
		Event:    v.event,
		Date:     v.published,
		Summary:  v.summaryText,
	}
	if f := v.eventFacet; f != nil {
		c.Event, c.EventHref = f.label, href(f)
	}
	for _, s := range v.speakers {
		c.Speakers = append(c.Speakers, navLink{Label: s.Name, Href: href(s.facet)})
	}
	for _, f := range v.tagFacets {
		c.Tags = append(c.Tags, navLink{Label: f.label, Href: href(f)})
	}
	if !c.Date.IsZero() {
		c.DateText = c.Date.Format("2 Jan 2006")
	}
	// The page's CSP only allows https images.
	if strings.HasPrefix(v.thumbnail, "https://") {
		c.Thumb = v.thumbnail
		c.ThumbAlt = v.title
	}
	if vid := v.video; vid != nil && vid.URL != "" {
		c.Video = &videoCard{
			Watch: vid.URL, Embed: vid.EmbedURL, Provider: providerName(vid.Provider), Class: vid.Provider,
			Duration: formatDuration(vid.Duration),
		}
		c.Video.Label = "Video on " + c.Video.Provider + ": " + v.title
		if c.Video.Embed != "" {
			c.Video.Label = "Play video: " + v.title
		}
		if c.Thumb != "" {
			c.ThumbAlt = c.Video.Label
		}
	}
	for _, l := range v.links {
		c.Links = append(c.Links, linkView{Role: l.Role, URL: l.URL, Via: l.Title})
	}
	return c
}

// formatDuration shows a video's length as a player does: 41:07, 1:02:03.
func formatDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// sourceViews describes every configured source's health for the sidebar.
func (r *renderer) sourceViews() []sourceView {
	out := make([]sourceView, 0, len(r.sources))
	for i := range r.sources {
		s := &r.sources[i]
		sv := sourceView{
			Title:   cleanText(s.DisplayTitle()),
			Kind:    string(s.Kind),
			Site:    firstNonEmpty(safeURL(s.Site), safeURL(s.State.FeedLink)),
			Feed:    safeURL(s.URL),
			Items:   r.sourceItems[s.ID],
			Fetched: s.State.LastFetch.UTC(),
			Error:   truncate(cleanText(s.State.LastError), 200),
		}
		if s.State.LastFetch.IsZero() {
			sv.Fetched = time.Time{}
		}
		switch {
		case s.State.Gone:
			sv.State, sv.StateLabel = "gone", "gone"
		case sv.Error != "":
			sv.State, sv.StateLabel = "error", "error"
			if s.State.Errors > 1 {
				sv.StateLabel = "error ×" + strconv.Itoa(s.State.Errors)
			}
		case s.Kind == "curated":
			sv.State, sv.StateLabel = "curated", "curated"
		case sv.Fetched.IsZero():
			sv.State, sv.StateLabel = "pending", "not fetched yet"
		default:
			sv.State, sv.StateLabel = "ok", "ok"
		}
		out = append(out, sv)
	}
	return out
}
