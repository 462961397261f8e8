package ical

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Bounds on what the decoder is given.
const (
	// maxNameAndParams: go-ical builds a parameter value a byte at a
	// time, so a long one costs the square of its length; real ones are
	// short (a TZID, a CN).
	maxNameAndParams = 1 << 10
	// maxDepth: components nest two or three deep (VCALENDAR, VEVENT,
	// VALARM; VTIMEZONE, STANDARD); the decoder recurses once per level.
	maxDepth = 8
)

// clean unfolds the content lines, drops those the decoder would refuse
// or read slowly (no colon, name and parameters past maxNameAndParams),
// and everything after the calendar ends. It refuses a calendar nested
// deeper than maxDepth or that never begins.
func clean(data []byte) ([]byte, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	var lines []string
	for _, raw := range strings.Split(string(data), "\n") {
		raw = strings.TrimSuffix(raw, "\r")
		if len(lines) > 0 && raw != "" && (raw[0] == ' ' || raw[0] == '\t') {
			lines[len(lines)-1] += raw[1:]
			continue
		}
		lines = append(lines, raw)
	}
	var out bytes.Buffer
	out.Grow(len(data))
	var stack []string // the components open, outermost first
	began := false
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		colon := valueColon(l)
		if colon <= 0 || colon > maxNameAndParams {
			continue
		}
		name := strings.ToUpper(l[:colon])
		if i := strings.IndexByte(name, ';'); i >= 0 {
			name = name[:i]
		}
		comp := strings.ToUpper(strings.TrimSpace(l[colon+1:]))
		switch name {
		case "BEGIN":
			if !began && comp != "VCALENDAR" {
				return nil, fmt.Errorf("%w: it does not begin with BEGIN:VCALENDAR", ErrNotCalendar)
			}
			began = true
			if stack = append(stack, comp); len(stack) > maxDepth {
				return nil, fmt.Errorf("%w: components nested more than %d deep", ErrNotCalendar, maxDepth)
			}
			l = "BEGIN:" + comp
		case "END":
			open := slices.Index(stack, comp)
			if open < 0 {
				continue // an END that closes nothing open would fail the whole file
			}
			// Components left open inside the one that ends are closed
			// with it (a VALARM without its END).
			for i := len(stack) - 1; i > open; i-- {
				out.WriteString("END:" + stack[i] + "\r\n")
			}
			stack = stack[:open]
			l = "END:" + comp
		}
		if !began {
			continue
		}
		out.WriteString(l)
		out.WriteString("\r\n")
		if len(stack) == 0 {
			break
		}
	}
	if !began {
		return nil, fmt.Errorf("%w: no BEGIN:VCALENDAR", ErrNotCalendar)
	}
	for i := len(stack) - 1; i >= 0; i-- {
		// A calendar cut short keeps the events it finished.
		out.WriteString("END:" + stack[i] + "\r\n")
	}
	return out.Bytes(), nil
}

// valueColon is the index of the colon that starts a content line's
// value: the first one outside a quoted parameter value; -1 when none.
func valueColon(l string) int {
	quoted := false
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case '"':
			quoted = !quoted
		case ':':
			if !quoted {
				return i
			}
		}
		if i > maxNameAndParams {
			return -1
		}
	}
	return -1
}
