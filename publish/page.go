package publish

import (
	"bytes"
	"context"
	"embed"
	"html/template"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
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
	Archive     int         // the archive page's number; 0 on a first page
	FirstPage   string      // relative URL of the stream's first page, from an archive page
	From, To    time.Time   // the dates of an archive page's oldest and newest items
	PageN       int
	PageTotal   int
	Total       int // items in the stream
	Shown       int // items on this page
	Updated     time.Time
	SourceCount int
	Sidebar     template.HTML
	Browse      struct{ Speakers, Events, Tags bool } // which sidebar lists there are, for the jump links

	// The main page's soonest upcoming talks (upcoming.go).
	Upcoming      []template.HTML
	UpcomingTotal int
	UpcomingHref  string // relative
}

// sidebarView is what the "sidebar" template shows: the same on every page
// at the same depth, but for which facet is current (see markCurrent).
type sidebarView struct {
	Speakers    navList
	Events      navList
	Tags        navList
	Sources     []sourceView // on the main page only; the others link to it
	Healthy     int
	SourceTotal int
	SourcesHref string
}

// feedLinks are absolute (for autodiscovery) and relative (for the visible
// links, which then also work in a directory written by WriteDir).
type feedLinks struct {
	RSS, Atom, JSON, ICS             string
	RSSRel, AtomRel, JSONRel, ICSRel string
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
	Label   string // instead of the number: "Latest" for the first page
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

type sourceView struct {
	Title      string
	Kind       string
	Site       string
	Feed       string
	Entries    int    // in the source's last fetch
	State      string // ok, error, pending, gone, curated: a CSS class
	StateLabel string
	Fetched    time.Time
	Error      string
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

// writeHTML assembles one page of a stream: cards grouped by year and
// month, newest first; filters for kinds, speakers, events and tags; and
// the sources with their health (in full on the main page).
func (p *Publisher) writeHTML(ctx context.Context, b *bytes.Buffer, s *snapshot, pg *pageData) error {
	st := pg.st
	prefix := pagePrefix(st.Prefix, pg.n)
	root := rootRel(prefix)
	feeds := func(path string) feedLinks {
		return feedLinks{
			RSS: p.abs(path + fileRSS), Atom: p.abs(path + fileAtom), JSON: p.abs(path + fileJSON), ICS: p.abs(path + fileICS),
			RSSRel: relTo(prefix, path+fileRSS), AtomRel: relTo(prefix, path+fileAtom), JSONRel: relTo(prefix, path+fileJSON),
			ICSRel: relTo(prefix, path+fileICS),
		}
	}
	updated := st.Updated
	if updated.IsZero() {
		updated = epoch
	}
	pv := pageView{
		Lang:        p.opts.Language,
		DocTitle:    st.title,
		SiteTitle:   p.opts.Title,
		Heading:     st.title,
		Description: st.description,
		Canonical:   p.abs(prefix),
		Root:        relTo(prefix, "/"),
		CSS:         root + "style.css?v=" + s.assets["style.css"],
		JS:          root + "app.js?v=" + s.assets["app.js"],
		Icon:        root + "favicon.svg?v=" + s.assets["favicon.svg"],
		Feeds:       feeds(st.Prefix),
		OPML:        relTo(prefix, "/sources.opml"),
		PageN:       pg.n,
		PageTotal:   pg.archive + 1,
		Total:       st.Count,
		Shown:       len(pg.members),
		Updated:     updated,
		SourceCount: len(s.sources.list),
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
	} else if st == s.upcoming {
		pv.Eyebrow, pv.Heading = "Coming up", "Upcoming talks"
		sf := feeds("/")
		pv.SiteFeeds = &sf
		// Soonest first: the stream's order is its feeds', latest first.
		slices.Reverse(pg.members)
		slices.Reverse(pg.fragments)
	}
	if newer := pg.newer(); newer >= 0 {
		pv.Prev = relTo(prefix, pagePrefix(st.Prefix, newer))
	}
	if older := pg.older(); older >= 0 {
		pv.Next = relTo(prefix, pagePrefix(st.Prefix, older))
	}
	if pg.archive > 0 {
		pv.Pager = pagerLinks(st.Prefix, pg, prefix)
	}
	if pg.n > 0 {
		// An archive page shows only what does not change when newer items
		// arrive: its items and its neighbours. The filters, counts and
		// sources are on the stream's first page.
		pv.Archive = pg.n
		pv.DocTitle += " (archive page " + strconv.Itoa(pg.n) + ")"
		pv.FirstPage = relTo(prefix, st.Prefix)
		if len(pg.members) > 0 {
			pv.From, pv.To = pg.members[len(pg.members)-1].Published, pg.members[0].Published
		}
		var b bytes.Buffer
		if err := pageTemplate.ExecuteTemplate(&b, "archiveaside", pv); err != nil {
			return err
		}
		pv.Sidebar = template.HTML(b.String()) // html/template escaped every value in it
	} else {
		if err := p.firstPageNav(s, &pv, pg, prefix, root); err != nil {
			return err
		}
		cards, total, err := p.upcomingCards(ctx, s, st, root)
		if err != nil {
			return err
		}
		pv.Upcoming, pv.UpcomingTotal, pv.UpcomingHref = cards, total, relTo(prefix, upcomingPrefix)
	}

	for i, m := range pg.members {
		yID, yLabel := yearOf(m.Published)
		mID, mLabel := "m-undated", "Undated"
		if d := m.Published; !d.IsZero() {
			mID, mLabel = d.Format("m2006-01"), d.Format("January 2006")
		}
		if n := len(pv.Groups); n == 0 || pv.Groups[n-1].ID != yID {
			pv.Groups = append(pv.Groups, yearGroup{ID: yID, Label: yLabel})
		}
		y := &pv.Groups[len(pv.Groups)-1]
		if n := len(y.Months); n == 0 || y.Months[n-1].ID != mID {
			y.Months = append(y.Months, monthGroup{ID: mID, Label: mLabel})
		}
		mg := &y.Months[len(y.Months)-1]
		mg.Cards = append(mg.Cards, cardAt(pg.fragments[i], root))
	}
	return pageTemplate.Execute(b, pv)
}

// firstPageNav fills in what a stream's first page shows of the whole
// site: the kinds with their counts, the sidebar, and the years of the
// stream, each linking to the page it starts on.
func (p *Publisher) firstPageNav(s *snapshot, pv *pageView, pg *pageData, prefix, root string) error {
	st := pg.st
	pv.Kinds = append(pv.Kinds, navLink{Label: "All", Href: pv.Root, Count: s.main.Count, Current: st.facet == nil})
	for _, k := range s.nav.kinds {
		pv.Kinds = append(pv.Kinds, navLink{Label: k.facet.label, Href: relTo(prefix, k.Prefix), Count: k.Count, Current: st == k})
	}
	sb, err := p.sidebarHTML(s, root, st == s.main)
	if err != nil {
		return err
	}
	pv.Sidebar = p.markCurrent(s, sb, root, st.facet)
	pv.Browse.Speakers, pv.Browse.Events, pv.Browse.Tags = len(s.nav.speakers) > 0, len(s.nav.events) > 0, len(s.nav.tags) > 0

	newer, first := 0, len(pg.members) // items before a year's first; the first page's size
	for _, y := range st.Years {
		id, label := yearID(y.Year)
		href := "#" + id
		if newer >= first {
			// rank newer from the newest is rank Count-1-newer from the oldest
			n := (st.Count-1-newer)/p.opts.Limit + 1
			href = relTo(prefix, pagePrefix(st.Prefix, n)) + "#" + id
		}
		pv.Years = append(pv.Years, navLink{Label: label, Href: href})
		newer += y.Count
	}
	return nil
}

// sidebarHTML renders (once per snapshot, depth and kind of page) the
// sidebar: speakers, events and tags to filter by, and the sources with
// their health, in full on the main page and as a count elsewhere. It is
// the same on every page at the same depth but for the current facet (see
// markCurrent).
func (p *Publisher) sidebarHTML(s *snapshot, root string, sources bool) (template.HTML, error) {
	key := root
	if sources {
		key += "+sources"
	}
	s.mu.Lock()
	sb, ok := s.sidebars[key]
	s.mu.Unlock()
	if ok {
		return template.HTML(sb), nil // html/template escaped every value in it
	}
	list := func(dir string, fs []*streamView, top int) navList {
		l := navList{Dir: dir}
		for i, f := range fs {
			nl := navLink{Label: f.facet.label, Href: root + strings.TrimPrefix(f.Prefix, "/"), Count: f.Count}
			if i < top {
				l.Top = append(l.Top, nl)
			} else {
				l.More = append(l.More, nl)
			}
		}
		return l
	}
	sv := sidebarView{
		Speakers:    list(dirSpeakers, s.nav.speakers, topSpeakers),
		Events:      list(dirEvents, s.nav.events, topEvents),
		Tags:        list(dirTags, s.nav.tags, topTags),
		Healthy:     s.sources.healthy,
		SourceTotal: len(s.sources.list),
		SourcesHref: root + "#sources-title",
	}
	if root == "" {
		sv.SourcesHref = "./#sources-title"
	}
	if sources {
		sv.Sources = s.sources.list
	}
	var b bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&b, "sidebar", sv); err != nil {
		return "", err
	}
	s.mu.Lock()
	s.sidebars[key] = b.Bytes()
	s.mu.Unlock()
	return template.HTML(b.String()), nil
}

// markCurrent marks the current facet's link in a rendered sidebar with
// aria-current, and opens the "more" list it is in. Facet links are
// root-relative paths of [a-z0-9-] segments, which the template writes
// verbatim, so the link is found by its exact text.
func (p *Publisher) markCurrent(s *snapshot, sb template.HTML, root string, f *facet) template.HTML {
	if f == nil || f.dir == dirKinds {
		return sb
	}
	a := `<a href="` + root + strings.TrimPrefix(f.prefix(), "/") + `">`
	out := strings.Replace(string(sb), a, strings.TrimSuffix(a, ">")+` aria-current="page">`, 1)
	top := map[string]int{dirSpeakers: topSpeakers, dirEvents: topEvents}[f.dir]
	list := map[string][]*streamView{dirSpeakers: s.nav.speakers, dirEvents: s.nav.events}[f.dir]
	if i := slices.IndexFunc(list, func(sv *streamView) bool { return sv.facet == f }); top > 0 && i >= top {
		d := `<details class="more" data-facets="` + f.dir + `">`
		out = strings.Replace(out, d, strings.TrimSuffix(d, ">")+" open>", 1)
	}
	return template.HTML(out)
}

// yearID is the HTML id and label of a year of a stream (0: undated).
func yearID(y int) (id, label string) {
	if y == 0 {
		return "undated", "Undated"
	}
	l := strconv.Itoa(y)
	return "y" + l, l
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

// pagerLinks lists a stream's pages newest first: the first page, then
// the archive pages. The first page lists the newest archive pages and the
// oldest; an archive page only its neighbours, which do not change when
// newer items arrive (but for the newest archive page, whose newer
// neighbour is the first page until another archive page fills up).
func pagerLinks(stream string, pg *pageData, prefix string) []pagerLink {
	link := func(n int) pagerLink {
		l := pagerLink{N: n, Href: relTo(prefix, pagePrefix(stream, n)), Current: n == pg.n}
		if n == 0 {
			l.Label = "Latest"
		}
		return l
	}
	out := []pagerLink{link(0)}
	if pg.n == 0 {
		for n := pg.archive; n >= 1; n-- {
			if n < pg.archive-2 && n > 1 {
				if !out[len(out)-1].Gap {
					out = append(out, pagerLink{Gap: true})
				}
				continue
			}
			out = append(out, link(n))
		}
		return out
	}
	if newer := pg.newer(); newer > 0 {
		if newer < pg.archive {
			out = append(out, pagerLink{Gap: true})
		}
		out = append(out, link(newer))
	}
	out = append(out, link(pg.n))
	if pg.n > 1 {
		out = append(out, link(pg.n-1))
		if pg.n > 2 {
			out = append(out, pagerLink{Gap: true})
		}
	}
	return out
}

// sourceViews describes every configured source's health for the page.
func sourceViews(sources []talkstream.Source) []sourceView {
	out := make([]sourceView, 0, len(sources))
	for i := range sources {
		s := &sources[i]
		sv := sourceView{
			Title:   cleanText(s.DisplayTitle()),
			Kind:    string(s.Kind),
			Site:    firstNonEmpty(safeURL(s.Site), safeURL(s.State.FeedLink)),
			Feed:    safeURL(s.URL),
			Entries: max(s.State.Entries, 0),
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
		case s.State.Warning != "":
			// Read, but not as the feed wrote it: the reason shows.
			sv.State, sv.StateLabel = "warning", "warning"
			sv.Error = truncate(cleanText(s.State.Warning), 200)
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
