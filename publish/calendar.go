package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
)

// Calendars out: every stream has PREFIX/talks.ics (iCalendar, RFC 5545),
// one VEVENT per talk of its first page with a known start, and the
// upcoming talks that belong to it (the main stream's calendar has every
// upcoming talk), so that a calendar subscribed to a speaker or an event
// shows what is coming. It is assembled from the items' JSON Feed
// fragments, which carry the talk's time and place in _talkstream: a
// calendar needs no fragment of its own, and so nothing more in the store.
// Starts are written in UTC; an all-day talk is a DATE.

const fileICS = "talks.ics"

// calendarUpcoming bounds how many upcoming talks one calendar reads.
const calendarUpcoming = 500

// calendarItem is what a calendar reads of a JSON Feed item.
type calendarItem struct {
	URL        string       `json:"url"`
	Title      string       `json:"title"`
	Summary    string       `json:"summary"`
	Authors    []jsonAuthor `json:"authors"`
	Talkstream struct {
		Kind     string   `json:"kind"`
		Speakers []string `json:"speakers"`
		Event    string   `json:"event"`
		Tags     []string `json:"tags"`
		jsonTalk
	} `json:"_talkstream"`
}

// jsonTalk is the talk's time and place in the JSON Feed extension.
type jsonTalk struct {
	Start    string `json:"start,omitempty"`    // RFC 3339 in the talk's own offset, or a date when all day
	AllDay   bool   `json:"all_day,omitempty"`  // start is a date
	Duration int64  `json:"duration,omitempty"` // seconds
	Location string `json:"location,omitempty"`
	Upcoming bool   `json:"upcoming,omitempty"` // when it was rendered
}

// talkJSON is a view's talk for the JSON Feed extension.
func talkJSON(v *itemView) jsonTalk {
	if v.start.IsZero() {
		return jsonTalk{}
	}
	t := jsonTalk{AllDay: v.allDay, Duration: int64(v.duration / time.Second), Location: v.location, Upcoming: v.upcoming}
	if v.allDay {
		t.Start = v.start.Format("2006-01-02")
	} else {
		t.Start = v.start.Format(time.RFC3339)
	}
	return t
}

// assembleICS writes a stream's calendar from its first page's members
// and the upcoming talks that belong to it.
func (p *Publisher) assembleICS(ctx context.Context, s *snapshot, o outputRef, members []index.Member, read fragmentReader) (assembled, error) {
	items, err := p.jsonItems(ctx, members, read)
	if err != nil {
		return assembled{}, err
	}
	upcoming, upItems, err := p.upcomingOf(ctx, s, o.st, calendarUpcoming)
	if err != nil {
		return assembled{}, err
	}
	var b bytes.Buffer
	w := icsWriter{b: &b}
	w.line("BEGIN:VCALENDAR")
	w.line("VERSION:2.0")
	w.line("PRODID:-//talkstream//talkstream " + icsText(talkstream.Version) + "//EN")
	w.line("CALSCALE:GREGORIAN")
	w.line("X-WR-CALNAME:" + icsText(o.st.title))
	if o.st.description != "" {
		w.line("X-WR-CALDESC:" + icsText(o.st.description))
	}
	for _, m := range members {
		if it, ok := items[m.ItemID]; ok {
			p.vevent(&w, m, it)
		}
	}
	for _, m := range upcoming {
		p.vevent(&w, m, upItems[m.ItemID])
	}
	w.line("END:VCALENDAR")
	return assembled{body: b.Bytes()}, nil
}

// jsonItems reads the JSON Feed items of members that are talks with a
// start, as a calendar needs them. An item merged away since the members
// were read has none.
func (p *Publisher) jsonItems(ctx context.Context, members []index.Member, read fragmentReader) (map[string]*calendarItem, error) {
	frags, err := read(ctx, memberIDs(members), index.JSON)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*calendarItem, len(frags))
	var text bytes.Buffer
	for id, f := range frags {
		text.Reset()
		if err := appendFeedText(&text, f.JSON); err != nil {
			return nil, fmt.Errorf("publish: fragment of %s: %w", id, err)
		}
		// Most items are not talks with a time: their _talkstream has no
		// "start" key, and a quote inside a JSON string is escaped, so
		// that text cannot be in the item's content. Decoding every
		// item to find out was most of a calendar's cost.
		if !bytes.Contains(text.Bytes(), jsonStartKey) {
			continue
		}
		it := &calendarItem{}
		if err := json.Unmarshal(text.Bytes(), it); err != nil {
			return nil, fmt.Errorf("publish: fragment of %s: %w", id, err)
		}
		out[id] = it
	}
	return out, nil
}

// jsonStartKey is in a JSON Feed item whose talk has a start (jsonTalk).
var jsonStartKey = []byte(`"start":`)

// inFacet says whether an item, as its JSON Feed extension describes it,
// belongs to a facet: the same keys attachFacets gives streams.
func inFacet(f *facet, it *calendarItem) bool {
	if f == nil {
		return false
	}
	ext := &it.Talkstream
	switch f.dir {
	case dirKinds:
		return ext.Kind == f.key
	case dirTags:
		return slices.Contains(ext.Tags, f.key)
	case dirSpeakers:
		return slices.Contains(ext.Speakers, f.key)
	case dirEvents:
		return ext.Event == f.key
	}
	return false
}

// vevent writes one talk; an item without a start is no event.
func (p *Publisher) vevent(w *icsWriter, m index.Member, it *calendarItem) {
	t := it.Talkstream.jsonTalk
	if t.Start == "" {
		return
	}
	var start, end string
	if t.AllDay {
		d, err := time.Parse("2006-01-02", t.Start)
		if err != nil {
			return
		}
		start = "DTSTART;VALUE=DATE:" + d.Format("20060102")
		end = "DTEND;VALUE=DATE:" + d.AddDate(0, 0, 1).Format("20060102")
	} else {
		st, err := time.Parse(time.RFC3339, t.Start)
		if err != nil {
			return
		}
		start = "DTSTART:" + icsTime(st)
		if t.Duration > 0 {
			end = "DTEND:" + icsTime(st.Add(time.Duration(t.Duration)*time.Second))
		}
	}
	stamp := m.Updated
	if stamp.IsZero() {
		stamp = epoch
	}
	w.line("BEGIN:VEVENT")
	// The item id is stable, and the site's host makes it unique among
	// everyone's calendars.
	w.line("UID:" + icsText(m.ItemID+"@"+p.host))
	w.line("DTSTAMP:" + icsTime(stamp))
	w.line(start)
	if end != "" {
		w.line(end)
	}
	w.line("SUMMARY:" + icsText(it.Title))
	if d := description(it); d != "" {
		w.line("DESCRIPTION:" + icsText(d))
	}
	if t.Location != "" {
		w.line("LOCATION:" + icsText(t.Location))
	}
	if it.URL != "" && !strings.ContainsAny(it.URL, "\r\n\"") {
		w.line("URL:" + it.URL)
	}
	var cats []string
	for _, c := range append([]string{it.Talkstream.Kind}, it.Talkstream.Tags...) {
		if c != "" {
			cats = append(cats, icsText(c))
		}
	}
	if len(cats) > 0 {
		w.line("CATEGORIES:" + strings.Join(cats, ","))
	}
	w.line("END:VEVENT")
}

// description is an event's plain text: who speaks, at what, what about
// (the item's summary, already plain text made by internal/htmltext) and
// where to read more.
func description(it *calendarItem) string {
	var lines []string
	var names []string
	for _, a := range it.Authors {
		names = append(names, a.Name)
	}
	if len(names) > 0 {
		lines = append(lines, "Speakers: "+strings.Join(names, ", "))
	}
	if it.Summary != "" {
		lines = append(lines, it.Summary)
	}
	if it.URL != "" {
		lines = append(lines, it.URL)
	}
	return strings.Join(lines, "\n\n")
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon,
// comma and newline; other control characters are dropped.
func icsText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			// CR, tabs and the rest: not in a one-line value
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsWriter writes content lines folded at 75 octets (RFC 5545 3.1), never
// inside a UTF-8 sequence, each ended by CRLF.
type icsWriter struct{ b *bytes.Buffer }

func (w icsWriter) line(s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		w.b.WriteString(s[:cut])
		w.b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	w.b.WriteString(s)
	w.b.WriteString("\r\n")
}
