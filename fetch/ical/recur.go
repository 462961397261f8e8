package ical

import (
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// A recurring event (a meetup's RRULE) is its occurrences near now, each
// an entry of its own: the year past and the half year ahead, so that a
// weekly series whose first date is years old still shows its next
// meetings. EXDATEs are left out, and an occurrence the calendar rewrites
// with a RECURRENCE-ID is read from that rewrite instead.
const (
	recurPast  = 365 * 24 * time.Hour
	recurAhead = 183 * 24 * time.Hour
	// maxOccurrences bounds one series in the window (a daily series
	// has about 550); recurBudget bounds the occurrences one calendar's
	// rules may step through, from their first dates on, so that a
	// hostile file of many old daily series costs milliseconds.
	maxOccurrences = 600
	recurBudget    = 200_000
)

// series is a recurring event's rule, read from its DTSTART, RRULE and
// EXDATEs; its times are wall-clock times parsed as UTC, as DTSTART writes
// them.
type series struct {
	start   *goical.Prop // DTSTART, whose form and TZID each occurrence takes
	form    string       // the layout DTSTART is written in
	rule    *rrule.RRule
	exclude map[time.Time]bool
}

// recurrence reads an event's rule; ok is false when the event does not
// recur, or recurs in a way not worth expanding (more often than daily,
// several times a day), in which case the event stays one entry at its
// first date.
func recurrence(c *goical.Component) (*series, bool) {
	rr, start := c.Props.Get(goical.PropRecurrenceRule), c.Props.Get(goical.PropDateTimeStart)
	if rr == nil || start == nil || c.Props.Get(goical.PropRecurrenceID) != nil {
		return nil, false
	}
	s := &series{start: start, exclude: map[time.Time]bool{}}
	dtstart, form, ok := wallClock(start.Value)
	if !ok {
		return nil, false
	}
	s.form = form
	opt, err := rrule.StrToROption(strings.TrimSpace(rr.Value))
	if err != nil || !expandable(opt) {
		return nil, false
	}
	opt.Dtstart = dtstart
	if !opt.Until.IsZero() {
		// UNTIL in UTC against wall-clock times: at most a few hours
		// off, which decides nothing for whole meetings.
		opt.Until = time.Date(opt.Until.Year(), opt.Until.Month(), opt.Until.Day(), opt.Until.Hour(), opt.Until.Minute(), opt.Until.Second(), 0, time.UTC)
	}
	if s.rule, err = rrule.NewRRule(*opt); err != nil {
		return nil, false
	}
	for _, p := range c.Props.Values(goical.PropExceptionDates) {
		for _, v := range strings.Split(p.Value, ",") {
			if t, _, ok := wallClock(v); ok {
				s.exclude[t] = true
			}
		}
	}
	return s, true
}

// expandable admits the rules meetings repeat by (every day, week, month
// or year; a weekday, the n-th weekday or a day of the month; once a day)
// and nothing a rule could never meet: the library looks for a next
// occurrence until the year 9999, which a hostile file of rules such as
// "the 31st of February" would make a long wait.
func expandable(o *rrule.ROption) bool {
	if o.Freq > rrule.DAILY || len(o.Byhour) > 1 || len(o.Byminute) > 1 || len(o.Bysecond) > 1 ||
		len(o.Byyearday) > 0 || len(o.Byweekno) > 0 || len(o.Bysetpos) > 0 || len(o.Byeaster) > 0 {
		return false
	}
	for _, d := range o.Bymonthday {
		if (d > 28 || d < -28) && len(o.Bymonth) > 0 {
			return false // not in every month, and the months are chosen
		}
	}
	for _, w := range o.Byweekday {
		if n := w.N(); n != 0 && (len(o.Bymonthday) > 0 || n > 5 || n < -5) {
			return false // the n-th weekday on a given day of the month
		}
	}
	return true
}

// wallClock reads a DATE-TIME or DATE value as a wall-clock time, with
// the layout it is written in.
func wallClock(v string) (time.Time, string, bool) {
	v = strings.TrimSpace(v)
	for _, form := range []string{"20060102T150405Z", "20060102T150405", "20060102"} {
		if t, err := time.Parse(form, strings.ToUpper(v)); err == nil && plausible(t) {
			return t, form, true
		}
	}
	return time.Time{}, "", false
}

// occurrences returns the series' DTSTART values in [now-recurPast,
// now+recurAhead], EXDATEs left out, spending at most *budget steps.
func (s *series) occurrences(now time.Time, budget *int) []string {
	lo, hi := now.Add(-recurPast), now.Add(recurAhead)
	var out []string
	next := s.rule.Iterator()
	for *budget > 0 && len(out) < maxOccurrences {
		t, ok := next()
		if !ok || t.After(hi) {
			break
		}
		*budget--
		if t.Before(lo) || s.exclude[t] {
			continue
		}
		out = append(out, t.Format(s.form))
	}
	return out
}

// occurrence is the prop an occurrence starts with: DTSTART's parameters
// (its TZID) with the occurrence's value.
func (s *series) occurrence(v string) *goical.Prop {
	return &goical.Prop{Name: goical.PropDateTimeStart, Params: s.start.Params, Value: v}
}
