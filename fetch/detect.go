package fetch

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"time"
	_ "time/tzdata" // schedules and calendars name IANA zones; a minimal image has no zoneinfo

	"golang.org/x/net/html/charset"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch/ical"
	"github.com/talkstream/talkstream/fetch/page"
	"github.com/talkstream/talkstream/fetch/schedule"
	"github.com/talkstream/talkstream/internal/htmltext"
)

// The formats a body can be read as; Result.Format and the status name
// them.
const (
	FormatRSS          = "rss"
	FormatAtom         = "atom"
	FormatJSONFeed     = "json feed"
	FormatScheduleXML  = "schedule xml"  // Pentabarf/frab
	FormatScheduleJSON = "schedule json" // frab/c3voc
	FormatICalendar    = "icalendar"
	FormatJSONLD       = "html json-ld"
	FormatMF2          = "html microformats2"
	FormatSelectors    = "html selectors"
)

// feedFormats names gofeed's feed types.
var feedFormats = map[string]string{"rss": FormatRSS, "atom": FormatAtom, "json": FormatJSONFeed}

// otherFormat reads a body that is not a feed, when its content says what
// it is: an iCalendar file, a schedule in XML or JSON. It returns nil, nil
// for a body none of these claim (a feed, an HTML page).
func otherFormat(body []byte, contentType string, src talkstream.Source) (*parsed, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	head := bytes.TrimLeft(body, "\xEF\xBB\xBF \t\r\n")
	switch {
	case ical.Is(head) || mt == "text/calendar" && !bytes.HasPrefix(head, []byte("<")):
		data := toUTF8(body, contentType)
		cal, err := ical.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrNotFeed, err)
		}
		p := &parsed{title: cal.Title, format: FormatICalendar}
		p.entries = finish(cal.Entries, src)
		if cal.Skipped > 0 {
			p.warn("%d calendar events without summary and URL were skipped", cal.Skipped)
		}
		return p, nil
	case bytes.HasPrefix(head, []byte("{")) && schedule.IsJSON(head):
		s, err := schedule.ParseJSON(head)
		return scheduleParsed(s, err, FormatScheduleJSON, src)
	case bytes.HasPrefix(head, []byte("<")) && schedule.IsXML(head):
		s, err := schedule.ParseXML(dropNonXMLChars(toUTF8(body, contentType)))
		return scheduleParsed(s, err, FormatScheduleXML, src)
	}
	return nil, nil
}

func scheduleParsed(s *schedule.Schedule, err error, format string, src talkstream.Source) (*parsed, error) {
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotFeed, err)
	}
	p := &parsed{title: s.Title, link: s.Link, format: format}
	p.entries = finish(s.Entries, src)
	if s.Skipped > 0 {
		p.warn("%d schedule events without title and URL, or past the limit, were skipped", s.Skipped)
	}
	return p, nil
}

// htmlPage reads an HTML page: by the source's selectors, else by its
// JSON-LD or microformats2. A page with none of them that advertises a
// feed is to be followed there (parsed.follow).
func htmlPage(body []byte, contentType, pageURL string, src talkstream.Source) (*parsed, error) {
	r, err := charset.NewReader(bytes.NewReader(body), contentType)
	if err != nil {
		r = bytes.NewReader(body)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: html page: %w", ErrNotFeed, err)
	}
	pg, err := page.Parse(data, pageURL, src.Select)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotFeed, err)
	}
	if pg.Format == "" || (src.Select == nil && postsOnly(pg.Entries)) {
		// Talks (events, recordings, papers) are what a feed lacks; for
		// posts alone the feed the page advertises says more.
		if alt := discoverFeed(data, pageURL); alt != "" {
			return &parsed{follow: alt}, nil
		}
	}
	if pg.Format == "" {
		return nil, fmt.Errorf("%w: the server sent an HTML page with no talks in JSON-LD or microformats2 and no feed link; configure select: to read it", ErrNotFeed)
	}
	p := &parsed{title: htmltext.Line(pg.Title), format: map[string]string{
		page.FormatJSONLD: FormatJSONLD, page.FormatMF2: FormatMF2, page.FormatSelectors: FormatSelectors}[pg.Format]}
	p.entries = finish(pg.Entries, src)
	switch {
	case len(p.entries) > 0:
	case src.Select != nil:
		p.warn("the selectors found no items (select: item %q)", src.Select.Item)
	default:
		p.warn("the page's %s items have no title, link or content", p.format)
	}
	return p, nil
}

// postsOnly: the page's entries are posts (h-entry, BlogPosting), no
// talks, recordings or papers.
func postsOnly(es []talkstream.Entry) bool {
	for i := range es {
		if es[i].Kind != "" || !es[i].Start.IsZero() {
			return false
		}
	}
	return true
}

// finish applies to entries from schedules, calendars and pages the bounds
// feeds' entries get in translate: capped one-line texts, plausible
// dates, the source's id.
func finish(es []talkstream.Entry, src talkstream.Source) []talkstream.Entry {
	out := es[:0]
	for _, e := range es {
		e.SourceID = src.ID
		e.Title = capRunes(htmltext.Line(e.Title), maxTitleRunes) // every reader here gives text, not HTML
		e.Location = capRunes(htmltext.Line(e.Location), maxNameRunes)
		e.Event = capRunes(htmltext.Line(e.Event), maxNameRunes)
		e.Authors = capNames(e.Authors)
		e.Speakers = capNames(e.Speakers)
		e.Categories = capNames(e.Categories)
		e.Published = plausibleDate(&e.Published)
		e.Updated = plausibleDate(&e.Updated)
		if s := plausibleDate(&e.Start); s.IsZero() {
			e.Start, e.AllDay, e.Duration = time.Time{}, false, 0
		}
		for i := range e.Links {
			e.Links[i].Title = capRunes(htmltext.Line(e.Links[i].Title), maxNameRunes)
		}
		if len(e.Links) > maxLinks {
			e.Links = e.Links[:maxLinks]
		}
		if !emptyEntry(&e) {
			out = append(out, e)
		}
	}
	return out
}

// maxLinks bounds one entry's links: a talk has a handful.
const maxLinks = 50

func capNames(names []string) []string {
	var out []string
	for _, n := range names {
		out = appendUnique(out, capRunes(htmltext.Line(n), maxNameRunes))
		if len(out) == 50 {
			break
		}
	}
	return out
}
