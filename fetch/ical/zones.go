package ical

import (
	"strconv"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
	"github.com/teambition/rrule-go"
)

// zones resolves the TZIDs of one calendar: an IANA name the system knows
// (Europe/Berlin), else the calendar's own VTIMEZONE of that TZID (an
// X-LIC-LOCATION naming an IANA zone, else its STANDARD and DAYLIGHT
// rules), else the calendar's X-WR-TIMEZONE, else UTC.
type zones struct {
	defs     map[string]*goical.Component
	floating *time.Location // for times without TZID or Z
}

func newZones(cal *goical.Component) *zones {
	z := &zones{defs: map[string]*goical.Component{}, floating: time.UTC}
	for _, c := range cal.Children {
		if c.Name == goical.CompTimezone {
			// TZID is a TEXT value: Outlook escapes the commas of its
			// display names (TZID:Kuala Lumpur\, Singapore) that a
			// DTSTART's quoted parameter writes plainly.
			if id := strings.TrimSpace(text(c.Props.Get(goical.PropTimezoneID))); id != "" {
				z.defs[id] = c
			}
		}
	}
	if loc := loadIANA(value(cal.Props.Get("X-WR-TIMEZONE"))); loc != nil {
		z.floating = loc
	}
	return z
}

func loadIANA(name string) *time.Location {
	name = strings.TrimPrefix(strings.TrimSpace(name), "/") // RFC 5545's globally unique form
	if name == "" || strings.EqualFold(name, "local") {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// when reads a DATE or DATE-TIME property: the time, and whether it is a
// date only.
func (z *zones) when(p *goical.Prop) (time.Time, bool, bool) {
	if p == nil {
		return time.Time{}, false, false
	}
	v := strings.TrimSpace(p.Value)
	if strings.EqualFold(p.Params.Get(goical.ParamValue), "DATE") || len(v) == 8 {
		d, err := time.Parse("20060102", v)
		return d, true, err == nil && plausible(d)
	}
	if strings.HasSuffix(v, "Z") || strings.HasSuffix(v, "z") {
		t, err := time.Parse("20060102T150405", v[:len(v)-1])
		return t, false, err == nil && plausible(t)
	}
	naive, err := time.Parse("20060102T150405", v)
	if err != nil || !plausible(naive) {
		return time.Time{}, false, false
	}
	tzid := strings.Trim(p.Params.Get(goical.ParamTimezoneID), `"`)
	if tzid == "" {
		return inLocation(naive, z.floating), false, true
	}
	if loc := loadIANA(tzid); loc != nil {
		return inLocation(naive, loc), false, true
	}
	if def, ok := z.defs[tzid]; ok {
		if loc := loadIANA(value(def.Props.Get("X-LIC-LOCATION"))); loc != nil {
			return inLocation(naive, loc), false, true
		}
		if off, ok := ruleOffset(def, naive); ok {
			return time.Date(naive.Year(), naive.Month(), naive.Day(), naive.Hour(), naive.Minute(), naive.Second(), 0,
				time.FixedZone(tzid, off)), false, true
		}
	}
	return inLocation(naive, z.floating), false, true
}

func plausible(t time.Time) bool { return t.Year() > 1970 && t.Year() < 10000 }

// inLocation reads a wall-clock time (parsed as UTC) in loc.
func inLocation(naive time.Time, loc *time.Location) time.Time {
	return time.Date(naive.Year(), naive.Month(), naive.Day(), naive.Hour(), naive.Minute(), naive.Second(), 0, loc)
}

// ruleOffset is the UTC offset, in seconds, a VTIMEZONE gives a wall-clock
// time: the TZOFFSETTO of the STANDARD or DAYLIGHT observance whose latest
// onset (its DTSTART, RRULE and RDATEs, all wall-clock) is not after it.
func ruleOffset(def *goical.Component, naive time.Time) (int, bool) {
	var best time.Time
	offset, found := 0, false
	for _, obs := range def.Children {
		if obs.Name != "STANDARD" && obs.Name != "DAYLIGHT" {
			continue
		}
		to, ok := parseOffset(value(obs.Props.Get("TZOFFSETTO")))
		if !ok {
			continue
		}
		start, err := time.Parse("20060102T150405", strings.TrimSpace(value(obs.Props.Get(goical.PropDateTimeStart))))
		if err != nil || start.After(naive) {
			continue
		}
		onset := start
		if rr := value(obs.Props.Get(goical.PropRecurrenceRule)); rr != "" {
			if opt, err := rrule.StrToROption(rr); err == nil && yearlyOnly(opt) {
				if naive.Year()-start.Year() > 10 {
					// A yearly rule repeats every year: start it near
					// the time asked about rather than walk centuries.
					start = start.AddDate(naive.Year()-2-start.Year(), 0, 0)
				}
				opt.Dtstart = start
				if r, err := rrule.NewRRule(*opt); err == nil {
					if t := r.Before(naive, true); !t.IsZero() {
						onset = t
					}
				}
			}
		}
		for _, rd := range obs.Props.Values("RDATE") {
			for _, s := range strings.Split(rd.Value, ",") {
				if t, err := time.Parse("20060102T150405", strings.TrimSpace(s)); err == nil && !t.After(naive) && t.After(onset) {
					onset = t
				}
			}
		}
		if !found || onset.After(best) {
			best, offset, found = onset, to, true
		}
	}
	return offset, found
}

// parseOffset reads a UTC offset: +HHMM, -HHMM, +HHMMSS.
func parseOffset(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	n := 0
	for i, unit := range []int{3600, 60, 1} {
		if 1+2*i+2 > len(s) {
			break
		}
		v, err := strconv.Atoi(s[1+2*i : 3+2*i])
		if err != nil || v < 0 || v > 59 && i > 0 || v > 23 {
			return 0, false
		}
		n += v * unit
	}
	if s[0] == '-' {
		n = -n
	}
	return n, true
}

// yearlyOnly admits the rules time zones use (a month and a weekday of it,
// once a year, at most one hour, minute and second of the day: Lotus Notes
// writes BYHOUR=2;BYMINUTE=0) and nothing whose expansion a hostile file
// could make expensive.
func yearlyOnly(o *rrule.ROption) bool {
	return o.Freq == rrule.YEARLY && o.Interval <= 1 && len(o.Byhour) <= 1 && len(o.Byminute) <= 1 &&
		len(o.Bysecond) <= 1 && len(o.Byyearday) == 0 && len(o.Byweekno) == 0 && len(o.Bysetpos) == 0 && len(o.Bymonthday) <= 7
}
