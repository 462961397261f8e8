package ical

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// demoFeeds is the demo's fixture folder (testdata/feeds at the root),
// written relative to fetch/testdata as readFixture's names are: the
// schedule page, talks page and calendar the demo serves have one copy.
const demoFeeds = "../../testdata/feeds/"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCalendar(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	cal, err := Parse(readFixture(t, demoFeeds+"meetups.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if cal.Title != "Unikernel meetups" || len(cal.Entries) != 5 || cal.Skipped != 0 || cal.Cancelled != 1 {
		t.Fatalf("title %q, %d entries, %d skipped; want 5 and the cancelled one skipped", cal.Title, len(cal.Entries), cal.Skipped)
	}
	tests := []struct {
		name, guid string
		start      time.Time
		allDay     bool
		duration   time.Duration
		location   string
	}{
		{"VTIMEZONE rules in summer", "2025-06-unikernel-night@meetups.example.org", time.Date(2025, 6, 12, 16, 30, 0, 0, time.UTC), false, 90 * time.Minute, "c-base, Rungestraße 20, Berlin"},
		{"VTIMEZONE rules in winter, quoted TZID, DURATION", "2025-12-winter-talk@meetups.example.org", time.Date(2025, 12, 4, 18, 0, 0, 0, time.UTC), false, 90 * time.Minute, "Room 2"},
		{"IANA TZID", "nyc-2025-09@meetups.example.org", time.Date(2025, 9, 18, 18, 0, 0, 0, ny), false, time.Hour, "Jane Street, 250 Vesey St, New York"},
		{"UTC", "online-2025-03@meetups.example.org", time.Date(2025, 3, 4, 17, 0, 0, 0, time.UTC), false, 45 * time.Minute, "Online"},
		{"all-day date", "retreat-2025@meetups.example.org", time.Date(2025, 4, 7, 0, 0, 0, 0, time.UTC), true, 5 * 24 * time.Hour, "Marrakesh"},
	}
	byGUID := map[string]int{}
	for i, e := range cal.Entries {
		byGUID[e.GUID] = i
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i, ok := byGUID[tt.guid]
			if !ok {
				t.Fatalf("no entry %s", tt.guid)
			}
			e := cal.Entries[i]
			if !e.Start.Equal(tt.start) || e.AllDay != tt.allDay || e.Duration != tt.duration || e.Location != tt.location {
				t.Errorf("start %v all-day %v duration %v location %q, want %v %v %v %q", e.Start, e.AllDay, e.Duration, e.Location, tt.start, tt.allDay, tt.duration, tt.location)
			}
			if !e.Published.Equal(e.Start) {
				t.Errorf("published %v, want the start", e.Published)
			}
		})
	}
	night := cal.Entries[byGUID["2025-06-unikernel-night@meetups.example.org"]]
	wantDesc := "Hannes shows a MirageOS unikernel booting on a Raspberry Pi 4, with networking, a DNS resolver, and TLS.\nBring a board if you have one!"
	if night.Summary != wantDesc {
		t.Errorf("description %q, want %q", night.Summary, wantDesc)
	}
	if !reflect.DeepEqual(night.Categories, []string{"MirageOS", "Unikernels"}) || night.Link != "https://meetups.example.org/2025/06/unikernel-night" {
		t.Errorf("categories %q link %q", night.Categories, night.Link)
	}
	if !night.Updated.Equal(time.Date(2025, 5, 2, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("updated %v", night.Updated)
	}
}

// TestVTimezoneQuirks: VTIMEZONEs as Outlook and Lotus Notes write them
// give the right offsets: a TZID whose commas the VTIMEZONE escapes and
// the DTSTART's quoted parameter does not, and yearly rules that name the
// hour and minute of the change.
func TestVTimezoneQuirks(t *testing.T) {
	cal, err := Parse(readFixture(t, "vtimezone-quirks.ics"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		"escaped-tzid@quirks.example.org":       time.Date(2025, 10, 31, 1, 30, 0, 0, time.UTC),
		"byhour-rule@quirks.example.org":        time.Date(2025, 6, 12, 13, 0, 0, 0, time.UTC),
		"byhour-rule-winter@quirks.example.org": time.Date(2025, 12, 4, 14, 0, 0, 0, time.UTC),
	}
	if len(cal.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(cal.Entries), len(want))
	}
	for _, e := range cal.Entries {
		if !e.Start.Equal(want[e.GUID]) {
			t.Errorf("%s: start %v, want %v", e.GUID, e.Start.UTC(), want[e.GUID])
		}
	}
}

func TestCleanAndRefuse(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		entries int
		ok      bool
	}{
		{"not a calendar", "<html></html>", 0, false},
		{"too deep", "BEGIN:VCALENDAR\n" + strings.Repeat("BEGIN:X\n", 20), 0, false},
		{"cut short keeps finished events", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:a\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:b", 2, true},
		{"an unclosed alarm is closed with its event", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:a\nBEGIN:VALARM\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:b\nEND:VEVENT\nEND:VCALENDAR", 2, true},
		{"line without colon and stray END dropped", "BEGIN:VCALENDAR\nBEGIN:VEVENT\ngarbage\nEND:VTODO\nSUMMARY:a\nEND:VEVENT\nEND:VCALENDAR", 1, true},
		{"huge parameter dropped, not read slowly", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY;X=\"" + strings.Repeat("a", 1<<20) + "\":x\nURL:https://a.example/\nEND:VEVENT\nEND:VCALENDAR", 1, true},
		{"hostile rule", "BEGIN:VCALENDAR\nBEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19710101T000000\nTZOFFSETTO:+0100\nRRULE:FREQ=SECONDLY\nEND:STANDARD\nEND:VTIMEZONE\nBEGIN:VEVENT\nSUMMARY:a\nDTSTART;TZID=X:99990101T000000\nEND:VEVENT\nEND:VCALENDAR", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal, err := Parse([]byte(tt.data))
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok %v", err, tt.ok)
			}
			if err == nil && len(cal.Entries) != tt.entries {
				t.Errorf("%d entries, want %d", len(cal.Entries), tt.entries)
			}
		})
	}
}

// FuzzParse: any document is read or refused, never a panic or a hang.
func FuzzParse(f *testing.F) {
	f.Add(readFixture(f, demoFeeds+"meetups.ics"))
	f.Add([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=\"a:b\":2025\nDURATION:P99999W\nCATEGORIES:a\\,b,\\\nEND:VEVENT"))
	f.Add(readFixture(f, "recurring.ics"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cal, err := ParseAt(data, time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return
		}
		if len(cal.Entries) > maxEvents {
			t.Errorf("%d entries, more than %d", len(cal.Entries), maxEvents)
		}
		for _, e := range cal.Entries {
			if e.Title == "" && e.Link == "" {
				t.Errorf("entry without title and link")
			}
		}
	})
}

// TestRecurring: a weekly meetup whose first night is years old is its
// nights of the year past and the half year ahead, at its local hour on
// both sides of summer time, without its EXDATEs and with the night the
// calendar rewrites read from the rewrite. A series that ended long ago
// stays at its first date; one more often than daily is not expanded.
func TestRecurring(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	cal, err := ParseAt(readFixture(t, "recurring.ics"), now)
	if err != nil {
		t.Fatal(err)
	}
	byGUID := map[string]time.Time{}
	var weekly int
	for _, e := range cal.Entries {
		byGUID[e.GUID] = e.Start
		if strings.HasPrefix(e.GUID, "weekly@meetups.example.org/") && e.Title != "OCaml hack night: MirageOS special" {
			weekly++
			if e.Title != "OCaml hack night" || e.Duration != 2*time.Hour || e.Location != "The Pub, Cambridge" || !e.Published.Equal(e.Start) {
				t.Errorf("occurrence %+v", e)
			}
			if l := e.Start.In(london); l.Hour() != 19 || l.Weekday() != time.Tuesday {
				t.Errorf("occurrence at %v, want Tuesdays 19:00 in London", l)
			}
			if e.Start.Before(now.Add(-recurPast)) || e.Start.After(now.Add(recurAhead)) {
				t.Errorf("occurrence at %v, outside the window", e.Start)
			}
		}
	}
	// 78 Tuesdays from 2025-01-14 to 2026-07-07, less two EXDATEs and
	// the rewritten night.
	if weekly != 75 {
		t.Errorf("%d weekly occurrences, want 75", weekly)
	}
	for _, gone := range []string{"20251223T190000", "20251230T190000"} {
		if _, ok := byGUID["weekly@meetups.example.org/"+gone]; ok {
			t.Errorf("excluded occurrence %s is there", gone)
		}
	}
	if got, want := byGUID["weekly@meetups.example.org/20260113T190000"], time.Date(2026, 1, 13, 18, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("the rewritten night at %v, want the rewrite's %v", got, want)
	}
	if got, want := byGUID["weekly@meetups.example.org/20250715T190000"], time.Date(2025, 7, 15, 18, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("a summer night at %v, want %v", got, want)
	}
	if got, want := byGUID["weekly@meetups.example.org/20260106T190000"], time.Date(2026, 1, 6, 19, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("a winter night at %v, want %v", got, want)
	}
	if got := byGUID["weekly@meetups.example.org"]; !got.IsZero() {
		t.Errorf("the series' first night (2020) is there at %v", got)
	}
	if got, want := byGUID["monthly-ended@meetups.example.org"], time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("the ended series at %v, want its first date %v", got, want)
	}
	if got, want := byGUID["hourly@meetups.example.org"], time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("the hourly series at %v, want its first date %v", got, want)
	}
	var rewrite int
	for _, e := range cal.Entries {
		if strings.HasSuffix(e.GUID, "/20260113T190000") {
			rewrite++
		}
	}
	if rewrite != 1 {
		t.Errorf("%d entries for the rewritten night, want the rewrite alone", rewrite)
	}
}

// TestRecurringBudget: a calendar of many daily series from 1971, and of
// rules no date meets (the 31st of February, the first Monday on the
// 20th), costs a bounded number of steps, and every series still gives an
// entry.
func TestRecurringBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
	const n = 600
	rules := []string{"FREQ=DAILY", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31", "FREQ=MONTHLY;BYDAY=1MO;BYMONTHDAY=20"}
	for i := range n {
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:%d@x\r\nSUMMARY:Series %d\r\nDTSTART:19710101T090000Z\r\nRRULE:%s\r\nEND:VEVENT\r\n", i, i, rules[i%len(rules)])
	}
	b.WriteString("END:VCALENDAR\r\n")
	cal, err := ParseAt([]byte(b.String()), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range cal.Entries {
		seen[e.Title] = true
	}
	if len(seen) != n {
		t.Errorf("%d of %d series have an entry", len(seen), n)
	}
}
