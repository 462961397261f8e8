// Package page reads talks out of an HTML page that has no feed: its
// schema.org JSON-LD (Event, VideoObject, ScholarlyArticle, BlogPosting and
// ItemLists of them), its microformats2 (h-entry, h-event, inside an h-feed
// or not), or, for a page with neither, the CSS selectors its source
// configures (talkstream.Select).
//
// No maintained microformats2 parser is available as a module here
// (willnorris.com/go/microformats is not served), so the properties a talk
// needs are read with goquery, following the mf2 parsing rules for them.
package page

import (
	"bytes"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch/internal/weblink"
)

// The formats a page can be read as.
const (
	FormatJSONLD    = "json-ld"
	FormatMF2       = "microformats2"
	FormatSelectors = "selectors"
)

// maxItems bounds one page's entries.
const maxItems = 5000

// Page is what a page yields. Entries is empty when the page holds none
// of the formats (the caller may then follow a feed it advertises).
type Page struct {
	Title   string
	Format  string // one of the Format constants; "" when nothing was found
	Entries []talkstream.Entry
}

// Parse reads a page fetched from pageURL. With sel, the selectors decide
// alone; without, JSON-LD is read first, then microformats2.
func Parse(data []byte, pageURL string, sel *talkstream.Select) (*Page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("html page: %w", err)
	}
	base, _ := url.Parse(pageURL)
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok && base != nil {
		if b, err := base.Parse(strings.TrimSpace(href)); err == nil {
			base = b
		}
	}
	r := &reader{base: base}
	p := &Page{Title: oneLine(doc.Find("title").First().Text())}
	switch {
	case sel != nil:
		p.Entries, err = r.selectors(doc, sel)
		if err != nil {
			return nil, err
		}
		p.Format = FormatSelectors
	default:
		if p.Entries = r.jsonLD(doc); len(p.Entries) > 0 {
			p.Format = FormatJSONLD
		} else if p.Entries = r.mf2(doc); len(p.Entries) > 0 {
			p.Format = FormatMF2
		}
	}
	if len(p.Entries) > maxItems {
		p.Entries = p.Entries[:maxItems]
	}
	return p, nil
}

// reader holds what every format resolves against.
type reader struct {
	base *url.URL
}

// link resolves a reference against the page and keeps only http(s).
func (r *reader) link(ref string) string { return weblink.HTTP(r.base, ref) }

// linkRole files a link a page gives beside its entry's own.
func linkRole(u string) talkstream.Role {
	if talkstream.ParseVideoURL(u) != nil {
		return talkstream.RoleVideo
	}
	l := strings.ToLower(u)
	switch {
	case strings.HasSuffix(l, ".mp4"), strings.HasSuffix(l, ".webm"):
		return talkstream.RoleVideo
	case strings.Contains(l, "slides"), strings.Contains(l, "speakerdeck.com"), strings.Contains(l, "slideshare.net"):
		return talkstream.RoleSlides
	case strings.HasSuffix(l, ".pdf"):
		return talkstream.RolePaper
	}
	return talkstream.RolePage
}

func addLink(e *talkstream.Entry, u string, role talkstream.Role, title string) {
	if u == "" || u == e.Link {
		return
	}
	for _, l := range e.Links {
		if l.URL == u {
			return
		}
	}
	e.Links = append(e.Links, talkstream.Link{Role: role, URL: u, Title: oneLine(title)})
}

func addUnique(list []string, s string) []string {
	if s = oneLine(s); s == "" {
		return list
	}
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// parseDate reads the dates pages write: ISO 8601 with or without a time
// or a zone, and the written forms of a talks list ("12 June 2025",
// "June 12, 2025", "Jun 2025"). A time without a zone is read as UTC; a
// date alone is all-day.
func parseDate(s string) (t time.Time, allDay, ok bool) {
	s = oneLine(s)
	if s == "" {
		return time.Time{}, false, false
	}
	// ISO 8601 and the forms microformats2 parsers accept: a space or a
	// lower-case t between date and time, and offsets without a colon
	// (+0200) or without minutes (+02), which RFC 3339 alone would lose.
	iso := s
	if m := isoSpaceTime.FindStringSubmatchIndex(iso); m != nil {
		iso = iso[:m[2]] + "T" + iso[m[3]:]
	}
	if n := len(iso); n > 0 && iso[n-1] == 'z' {
		iso = iso[:n-1] + "Z"
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z0700", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05Z07", "2006-01-02T15:04Z07"} {
		if t, err := time.Parse(layout, iso); err == nil && plausible(t) {
			return t, false, true
		}
	}
	for _, layout := range []string{"2006-01-02", "2 January 2006", "January 2, 2006", "January 2 2006", "2 Jan 2006", "Jan 2, 2006", "Jan 2 2006", "January 2006", "Jan 2006", "2006/01/02", "02.01.2006", "2006"} {
		if t, err := time.Parse(layout, s); err == nil && plausible(t) {
			return t, true, true
		}
	}
	return time.Time{}, false, false
}

// isoSpaceTime finds the separator of "2025-06-12 19:00" or
// "2025-06-12t19:00": group 1 is the separator.
var isoSpaceTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}( |t)\d{2}:\d{2}`)

func plausible(t time.Time) bool { return t.Year() > 1970 && t.Year() < 10000 }

// isoDuration reads an ISO 8601 duration as schema.org writes it (PT1H30M,
// P1DT2H); zero when it cannot, or past a month.
func isoDuration(s string) time.Duration {
	m := isoDurationRE.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return 0
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second} {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil || v > 1e6 {
			return 0
		}
		d += time.Duration(v * float64(unit))
	}
	if d > 31*24*time.Hour {
		return 0
	}
	return d.Round(time.Second)
}

var isoDurationRE = regexp.MustCompile(`^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$`)

// when fills an entry's schedule from a start and an end.
func when(e *talkstream.Entry, start, end string) {
	t, allDay, ok := parseDate(start)
	if !ok {
		return
	}
	e.Start, e.AllDay = t, allDay
	if e.Published.IsZero() {
		e.Published = t
	}
	if u, _, ok := parseDate(end); ok && u.After(t) && u.Sub(t) <= 31*24*time.Hour {
		e.Duration = u.Sub(t)
	}
}
