// Package schedule reads conference schedules in the Pentabarf/frab XML
// format (FOSDEM, the CCC congresses and everything built with frab or
// pretalx) and its frab/c3voc JSON twin into entries, one per talk: its
// speakers, start, duration, room, track, the conference's name and year,
// and its links by role.
//
// Both formats carry the same fields, so both are first decoded into
// their own structs and then go through one translation (talk.entry).
package schedule

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch/internal/weblink"
)

// ErrNotSchedule: the document is not a schedule of either format.
var ErrNotSchedule = errors.New("not a conference schedule")

// maxTalks bounds what one schedule may hold: the largest real ones (the
// CCC congresses, FOSDEM) have about a thousand.
const maxTalks = 20000

// Schedule is one conference's programme.
type Schedule struct {
	Title   string // the conference's name, as it gives it
	Link    string // its schedule's base URL, when it gives one
	Entries []talkstream.Entry
	Skipped int // talks left out: past maxTalks, or without title and link
}

// conference is what both formats say about the conference as a whole.
type conference struct {
	title, acronym, baseURL string
	start                   string // its first day, YYYY-MM-DD
	loc                     *time.Location
}

// talk is one event of a schedule, as either format gives it.
type talk struct {
	guid, id, slug        string
	date                  string // RFC 3339, with its offset
	day, start, duration  string // YYYY-MM-DD, HH:MM and [D:]HH:MM[:SS], the older form
	room, track, typ      string
	title, subtitle       string
	abstract, description string
	url                   string
	persons               []string
	links                 []link // links, attachments, recordings
}

type link struct {
	url, title string
	role       talkstream.Role // decided by where the link came from, or "" to guess
}

// event names the conference with its year, as a tag is matched: a title
// that already holds a year ("FOSDEM 2026", "36C3") is taken as it is.
func (c *conference) event(start time.Time) string {
	name := strings.TrimSpace(c.title)
	if name == "" {
		name = strings.TrimSpace(c.acronym)
	}
	if name == "" || hasYear.MatchString(name) {
		return name
	}
	year := 0
	if !start.IsZero() {
		year = start.Year()
	} else if d, err := time.Parse("2006-01-02", strings.TrimSpace(c.start)); err == nil {
		year = d.Year()
	}
	if year == 0 {
		return name
	}
	return name + " " + strconv.Itoa(year)
}

var hasYear = regexp.MustCompile(`\b(19|20)\d\d\b`)

// location is the conference's time zone, or UTC when it names none the
// system knows; a talk's own date with its offset wins anyway.
func location(name string) *time.Location {
	name = strings.TrimSpace(name)
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// entry translates one talk; ok is false for a talk with neither title nor
// link.
func (t *talk) entry(c *conference) (talkstream.Entry, bool) {
	base, _ := url.Parse(strings.TrimSpace(c.baseURL))
	e := talkstream.Entry{
		GUID:     firstNonEmpty(t.guid, t.id, t.slug),
		Title:    oneLine(t.title),
		Summary:  strings.TrimSpace(t.abstract),
		Content:  strings.TrimSpace(t.description),
		Kind:     talkstream.KindTalk,
		Location: oneLine(t.room),
		Link:     resolve(base, t.url),
	}
	if e.Title == "" && e.Link == "" {
		return e, false
	}
	if s := oneLine(t.subtitle); s != "" && e.Summary == "" {
		e.Summary = s
	}
	if e.Summary == e.Content {
		e.Content = ""
	}
	for _, p := range t.persons {
		if p = oneLine(p); p != "" && !contains(e.Speakers, p) {
			e.Speakers = append(e.Speakers, p)
		}
	}
	if tr := oneLine(t.track); tr != "" {
		e.Categories = append(e.Categories, tr)
	}
	e.Start = t.startTime(c.loc)
	e.Duration = parseDuration(t.duration)
	e.Published = e.Start
	e.Event = c.event(e.Start)
	for _, l := range t.links {
		u := resolve(base, l.url)
		if u == "" || u == e.Link {
			continue
		}
		role := l.role
		if role == "" {
			role = guessRole(u, l.title)
		}
		e.Links = appendLink(e.Links, talkstream.Link{Role: role, URL: u, Title: oneLine(l.title)})
	}
	return e, true
}

// startTime: the date with its offset, else the day and the start in the
// conference's zone.
func (t *talk) startTime(loc *time.Location) time.Time {
	if d := strings.TrimSpace(t.date); d != "" {
		for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04"} {
			if layout == time.RFC3339 {
				if tm, err := time.Parse(layout, d); err == nil {
					return tm
				}
				continue
			}
			if tm, err := time.ParseInLocation(layout, d, loc); err == nil {
				return tm
			}
		}
	}
	day, start := strings.TrimSpace(t.day), strings.TrimSpace(t.start)
	if day == "" || start == "" {
		return time.Time{}
	}
	tm, err := time.ParseInLocation("2006-01-02 15:04", day+" "+start, loc)
	if err != nil {
		return time.Time{}
	}
	return tm
}

// parseDuration reads "HH:MM", "HH:MM:SS" and frab's "D:HH:MM" for talks
// past a day; anything else, or past a week, is unknown.
func parseDuration(s string) time.Duration {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0
	}
	n := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > 10000 {
			return 0
		}
		n[i] = v
	}
	var d time.Duration
	if len(n) == 2 {
		d = time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute
	} else if n[2] < 60 && n[1] < 60 {
		d = time.Duration(n[0])*time.Hour + time.Duration(n[1])*time.Minute + time.Duration(n[2])*time.Second
	}
	if d > 7*24*time.Hour {
		return 0
	}
	return d
}

// guessRole files a link whose origin does not say what it is: videos by
// their platform or file type or title, slides by their title or file type.
func guessRole(u, title string) talkstream.Role {
	if talkstream.ParseVideoURL(u) != nil {
		return talkstream.RoleVideo
	}
	lu, lt := strings.ToLower(u), strings.ToLower(title)
	switch {
	case hasSuffixAny(pathOf(lu), ".mp4", ".webm", ".mkv", ".ogv", ".m4v"), strings.Contains(lt, "video"), strings.Contains(lt, "recording"):
		return talkstream.RoleVideo
	case strings.Contains(lt, "slide"), strings.Contains(lt, "presentation"), hasSuffixAny(pathOf(lu), ".odp", ".pptx", ".ppt", ".key"):
		return talkstream.RoleSlides
	case strings.Contains(lt, "paper"):
		return talkstream.RolePaper
	}
	return talkstream.RolePage
}

// attachmentRole: an attachment is a file the speaker uploaded, which is
// their slides unless its type or title says otherwise.
func attachmentRole(typ, u, title string) talkstream.Role {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "slides", "presentation":
		return talkstream.RoleSlides
	case "paper":
		return talkstream.RolePaper
	case "video", "recording":
		return talkstream.RoleVideo
	}
	if r := guessRole(u, title); r != talkstream.RolePage {
		return r
	}
	if strings.HasSuffix(pathOf(strings.ToLower(u)), ".pdf") {
		return talkstream.RoleSlides
	}
	return talkstream.RolePage
}

func pathOf(u string) string {
	if p, err := url.Parse(u); err == nil {
		return p.Path
	}
	return u
}

func hasSuffixAny(s string, suffixes ...string) bool {
	for _, x := range suffixes {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// resolve makes a link absolute against the schedule's base URL and keeps
// it only when it is http(s): a schedule is not trusted to link anywhere.
func resolve(base *url.URL, ref string) string {
	if base != nil && !base.IsAbs() {
		base = nil
	}
	return weblink.HTTP(base, ref)
}

func appendLink(ls []talkstream.Link, l talkstream.Link) []talkstream.Link {
	for _, x := range ls {
		if x.URL == l.URL {
			return ls
		}
	}
	return append(ls, l)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// collect translates talks into a schedule, bounded by maxTalks.
func collect(c *conference, talks []talk) (*Schedule, error) {
	s := &Schedule{Title: oneLine(c.title), Link: resolve(nil, c.baseURL)}
	for i := range talks {
		if len(s.Entries) >= maxTalks {
			s.Skipped += len(talks) - i
			break
		}
		e, ok := talks[i].entry(c)
		if !ok {
			s.Skipped++
			continue
		}
		s.Entries = append(s.Entries, e)
	}
	if s.Title == "" && len(talks) == 0 {
		return nil, fmt.Errorf("%w: no conference and no events", ErrNotSchedule)
	}
	return s, nil
}
