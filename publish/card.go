package publish

import (
	"fmt"
	"strings"
	"time"
)

// A card is one item on a page: rendered once per change of the item, with
// cardRoot standing for the way to the site root (see fragment.go).

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
	When      *talkWhen // the talk's time and place, when known
	Upcoming  bool
}

// talkWhen is when and where a talk takes place, as a card shows it.
type talkWhen struct {
	ISO, Text, Location string
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

// card is what the card template shows of an item on a page at root.
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
	if !v.start.IsZero() {
		c.When, c.Upcoming = whenOf(v), v.upcoming
	}
	for _, l := range v.links {
		c.Links = append(c.Links, linkView{Role: l.Role, URL: l.URL, Via: l.Title})
	}
	return c
}

// whenOf shows a talk's start in its own time zone, as its programme
// does, with the offset so that nobody has to guess.
func whenOf(v *itemView) *talkWhen {
	w := &talkWhen{Location: v.location}
	if v.allDay {
		w.ISO, w.Text = v.start.Format("2006-01-02"), v.start.Format("Mon 2 Jan 2006")
		return w
	}
	w.ISO = v.start.Format(time.RFC3339)
	w.Text = v.start.Format("Mon 2 Jan 2006, 15:04") + " " + utcOffset(v.start)
	if m := int(v.duration / time.Minute); m > 0 {
		switch {
		case m < 60:
			w.Text += fmt.Sprintf(", %d min", m)
		case m%60 == 0:
			w.Text += fmt.Sprintf(", %d h", m/60)
		default:
			w.Text += fmt.Sprintf(", %d h %d min", m/60, m%60)
		}
	}
	return w
}

// utcOffset names a time's zone by its offset: "UTC", "UTC+01:00".
func utcOffset(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("UTC%s%02d:%02d", sign, off/3600, off/60%60)
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
