// Package ical reads an iCalendar file (RFC 5545) into entries, one per
// VEVENT: its summary, description, URL, location, categories and start,
// in the time zone its TZID names (an IANA name, or the file's own
// VTIMEZONE rules), in UTC, or as an all-day date.
//
// github.com/emersion/go-ical builds the component tree. Its decoder is
// given only lines it reads in linear time and a bounded nesting (see
// clean); text values and dates are read here, leniently: real calendars
// leave commas unescaped and write TZIDs no time zone database knows.
package ical

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"

	"github.com/talkstream/talkstream"
)

// ErrNotCalendar: the document is not an iCalendar file.
var ErrNotCalendar = errors.New("not an iCalendar file")

// maxEvents bounds one calendar; a conference's has hundreds.
const maxEvents = 20000

// Calendar is one parsed calendar.
type Calendar struct {
	Title     string // X-WR-CALNAME
	Entries   []talkstream.Entry
	Skipped   int // events without summary and URL, or past maxEvents
	Cancelled int // events the calendar says are cancelled: not talks any more
}

// Is reports whether data is an iCalendar file: it begins with
// BEGIN:VCALENDAR.
func Is(data []byte) bool {
	data = bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF")), " \t\r\n")
	return len(data) >= 15 && strings.EqualFold(string(data[:15]), "BEGIN:VCALENDAR")
}

// Parse reads a calendar, its recurring events as their occurrences
// around now.
func Parse(data []byte) (*Calendar, error) { return ParseAt(data, time.Now()) }

// ParseAt reads a calendar as of now.
func ParseAt(data []byte, now time.Time) (cal *Calendar, err error) {
	clean, err := clean(data)
	if err != nil {
		return nil, err
	}
	defer func() {
		// The decoder panics on a component it cannot close; hostile
		// input must not take the fetcher down.
		if r := recover(); r != nil {
			cal, err = nil, fmt.Errorf("%w: decoder panicked: %v", ErrNotCalendar, r)
		}
	}()
	c, err := goical.NewDecoder(bytes.NewReader(clean)).Decode()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotCalendar, err)
	}
	z := newZones(c.Component)
	out := &Calendar{Title: text(c.Props.Get("X-WR-CALNAME"))}
	rewritten := rewrittenOccurrences(c.Children)
	budget := recurBudget
	for _, comp := range c.Children {
		if comp.Name != goical.CompEvent {
			continue
		}
		if len(out.Entries) >= maxEvents {
			out.Skipped++
			continue
		}
		if strings.EqualFold(strings.TrimSpace(value(comp.Props.Get(goical.PropStatus))), "CANCELLED") {
			out.Cancelled++
			continue
		}
		e, ok := entry(comp, z)
		if !ok {
			out.Skipped++
			continue
		}
		if s, ok := recurrence(comp); ok {
			if occ := occurrenceEntries(e, s, z, rewritten[e.GUID], now, &budget); len(occ) > 0 {
				out.Entries = append(out.Entries, occ[:min(len(occ), maxEvents-len(out.Entries))]...)
				continue
			}
		}
		out.Entries = append(out.Entries, e)
	}
	return out, nil
}

// occurrenceEntries makes an entry of each occurrence of a recurring event
// near now, but those the calendar rewrites (rewritten, by wall-clock
// start). An occurrence's id is the event's UID and its start, as a
// RECURRENCE-ID names it; the first keeps the bare UID, which the event
// had before its occurrences were read.
func occurrenceEntries(e talkstream.Entry, s *series, z *zones, rewritten map[time.Time]bool, now time.Time, budget *int) []talkstream.Entry {
	var out []talkstream.Entry
	for _, v := range s.occurrences(now, budget) {
		if t, _, _ := wallClock(v); rewritten[t] {
			continue
		}
		start, allDay, ok := z.when(s.occurrence(v))
		if !ok {
			continue
		}
		o := e
		o.Categories = append([]string(nil), e.Categories...)
		o.Start, o.AllDay, o.Published = start, allDay, start
		if o.GUID != "" && v != strings.TrimSpace(s.start.Value) {
			o.GUID += "/" + v
		}
		out = append(out, o)
	}
	return out
}

// rewrittenOccurrences finds, by UID, the occurrences of recurring events
// that the calendar writes again as events of their own (RECURRENCE-ID).
func rewrittenOccurrences(events []*goical.Component) map[string]map[time.Time]bool {
	out := map[string]map[time.Time]bool{}
	for _, c := range events {
		rid := c.Props.Get(goical.PropRecurrenceID)
		if c.Name != goical.CompEvent || rid == nil {
			continue
		}
		uid := strings.TrimSpace(value(c.Props.Get(goical.PropUID)))
		if t, _, ok := wallClock(rid.Value); ok && uid != "" {
			if out[uid] == nil {
				out[uid] = map[time.Time]bool{}
			}
			out[uid][t] = true
		}
	}
	return out
}

func entry(c *goical.Component, z *zones) (talkstream.Entry, bool) {
	e := talkstream.Entry{
		GUID:     strings.TrimSpace(value(c.Props.Get(goical.PropUID))),
		Title:    oneLine(text(c.Props.Get(goical.PropSummary))),
		Summary:  strings.TrimSpace(text(c.Props.Get(goical.PropDescription))),
		Location: oneLine(text(c.Props.Get(goical.PropLocation))),
		Link:     httpURL(value(c.Props.Get(goical.PropURL))),
	}
	if e.Title == "" && e.Link == "" {
		return e, false
	}
	if rid := strings.TrimSpace(value(c.Props.Get(goical.PropRecurrenceID))); rid != "" && e.GUID != "" {
		e.GUID += "/" + rid // one occurrence of a recurring event has its own id
	}
	for _, p := range c.Props.Values(goical.PropCategories) {
		for _, cat := range textList(p.Value) {
			if cat = oneLine(cat); cat != "" {
				e.Categories = append(e.Categories, cat)
			}
		}
	}
	start, allDay, ok := z.when(c.Props.Get(goical.PropDateTimeStart))
	if ok {
		e.Start, e.AllDay, e.Published = start, allDay, start
		if end, _, ok := z.when(c.Props.Get(goical.PropDateTimeEnd)); ok && end.After(start) {
			e.Duration = end.Sub(start)
		} else if p := c.Props.Get(goical.PropDuration); p != nil {
			if d, err := p.Duration(); err == nil && d > 0 {
				e.Duration = d
			}
		}
		if e.Duration > 31*24*time.Hour {
			e.Duration = 0
		}
	}
	if lm, _, ok := z.when(c.Props.Get(goical.PropLastModified)); ok {
		e.Updated = lm.UTC()
	}
	return e, true
}

func value(p *goical.Prop) string {
	if p == nil {
		return ""
	}
	return p.Value
}

// text unescapes a TEXT value leniently: an unknown escape keeps its
// character, and a comma is text (go-ical's Text would cut at the first
// unescaped comma, which real calendars leave in descriptions).
func text(p *goical.Prop) string {
	if p == nil {
		return ""
	}
	return unescape(p.Value)
}

func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			switch s[i] {
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// textList splits a list value (CATEGORIES) at unescaped commas.
func textList(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case ',':
			out = append(out, unescape(s[start:i]))
			start = i + 1
		}
	}
	return append(out, unescape(s[min(start, len(s)):]))
}

func httpURL(s string) string {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
