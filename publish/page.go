package publish

import (
	"bytes"
	"embed"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageTemplate = template.Must(template.New("page.html").Funcs(template.FuncMap{
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).ParseFS(templateFS, "templates/page.html"))

// pageView is what templates/page.html shows.
type pageView struct {
	Lang        string
	Title       string
	Description string
	Home        string // the page's own absolute URL
	Feeds       feedLinks
	Years       []yearGroup
	Count       int
	Updated     time.Time
	Sources     []sourceView
	Healthy     int
}

// feedLinks are absolute (for autodiscovery) and relative (for the visible
// links, which then also work in a directory written by WriteDir).
type feedLinks struct {
	RSS, Atom, JSON, OPML             string
	RSSRel, AtomRel, JSONRel, OPMLRel string
}

type yearGroup struct {
	ID, Label string
	Months    []monthGroup
}

type monthGroup struct {
	ID, Label string
	Cards     []cardView
}

type cardView struct {
	Anchor   string
	Title    string
	Link     string
	Kind     string
	Speakers []person
	Event    string
	Date     time.Time // zero when unknown
	DateText string
	Thumb    string
	ThumbAlt string
	Video    bool
	Summary  string // plain text
	Links    []linkView
	Tags     []string
}

type linkView struct {
	Role, URL, Via string
}

type sourceView struct {
	Title      string
	Kind       string
	Site       string
	Feed       string
	State      string // ok, error, pending, gone, curated: a CSS class
	StateLabel string
	Fetched    time.Time
	Error      string
}

// renderHTML renders the planet page of one stream: cards grouped by year and
// month, newest first, and the sources with their health.
func (r *renderer) renderHTML(st stream) ([]byte, error) {
	rel := func(name string) string { return name } // the page sits in its prefix's directory
	pv := pageView{
		Lang:        r.opts.Language,
		Title:       st.title,
		Description: st.description,
		Home:        r.abs(st.prefix),
		Feeds: feedLinks{
			RSS: r.abs(st.prefix + "rss.xml"), Atom: r.abs(st.prefix + "atom.xml"),
			JSON: r.abs(st.prefix + "feed.json"), OPML: r.abs("/sources.opml"),
			RSSRel: rel("rss.xml"), AtomRel: rel("atom.xml"), JSONRel: rel("feed.json"),
			OPMLRel: strings.Repeat("../", strings.Count(st.prefix, "/")-1) + "sources.opml",
		},
		Count:   len(st.items),
		Updated: r.feedUpdated(st),
		Sources: r.sourceViews(),
	}
	for _, s := range pv.Sources {
		if s.State == "ok" || s.State == "curated" {
			pv.Healthy++
		}
	}
	for _, v := range st.items {
		yID, yLabel, mID, mLabel := "undated", "Undated", "m-undated", "Undated"
		if d := v.published; !d.IsZero() {
			yID, yLabel = "y"+strconv.Itoa(d.Year()), strconv.Itoa(d.Year())
			mID, mLabel = d.Format("m2006-01"), d.Format("January 2006")
		}
		if n := len(pv.Years); n == 0 || pv.Years[n-1].ID != yID {
			pv.Years = append(pv.Years, yearGroup{ID: yID, Label: yLabel})
		}
		y := &pv.Years[len(pv.Years)-1]
		if n := len(y.Months); n == 0 || y.Months[n-1].ID != mID {
			y.Months = append(y.Months, monthGroup{ID: mID, Label: mLabel})
		}
		m := &y.Months[len(y.Months)-1]
		m.Cards = append(m.Cards, r.card(v))
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, pv); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func (r *renderer) card(v *itemView) cardView {
	c := cardView{
		Anchor:   v.anchor,
		Title:    v.title,
		Link:     v.link,
		Kind:     string(v.item.Kind),
		Speakers: v.authors,
		Event:    v.event,
		Date:     v.published,
		Summary:  v.summaryText,
		Tags:     v.tags,
		Video:    v.video != nil,
	}
	if c.Kind == "" {
		c.Kind = string(talkstream.KindPost)
	}
	if !c.Date.IsZero() {
		c.DateText = c.Date.Format("2 Jan 2006")
	}
	// The page's CSP only allows https images.
	if strings.HasPrefix(v.thumbnail, "https://") {
		c.Thumb = v.thumbnail
		c.ThumbAlt = v.title
		if c.Video {
			c.ThumbAlt = "Video: " + v.title
		}
	}
	for _, l := range v.links {
		c.Links = append(c.Links, linkView{Role: l.Role, URL: l.URL, Via: l.Title})
	}
	return c
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
		case s.Kind == talkstream.SourceCurated:
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
