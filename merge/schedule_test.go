package merge

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

// An item takes when and where its talk is from the entries that know: a
// timed start over a date alone, the location from whichever gives one,
// and, when no configured event matches, the event its schedule names.
func TestBuildSchedule(t *testing.T) {
	cet := time.FixedZone("", 3600)
	start := time.Date(2025, 2, 1, 10, 30, 0, 0, cet)
	seen := time.Date(2025, 1, 20, 0, 0, 0, 0, time.UTC)
	sched := StoredEntry{SourceID: "conf", EntryID: "1", Role: talkstream.RoleEvent, FirstSeen: seen, Changed: seen, Entry: talkstream.Entry{
		SourceID: "conf", Title: "MirageOS: ten years of unikernels", Link: "https://lowlevel.example.org/2025/schedule/event/mirageos/",
		Start: start, Duration: 40 * time.Minute, Location: "K.3.401", Event: "Low-Level Systems Days 2025",
		Speakers: []string{"Hannes Mehnert"}, Published: start, Kind: talkstream.KindTalk}}
	list := StoredEntry{SourceID: "hannes", EntryID: "2", Role: talkstream.RolePage, FirstSeen: seen.Add(time.Hour), Changed: seen, Entry: talkstream.Entry{
		SourceID: "hannes", Title: "MirageOS: ten years of unikernels", Link: "https://hannes.example.org/talks/mirageos",
		Start: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), AllDay: true, Published: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}}
	tests := []struct {
		name    string
		events  []Event
		entries []StoredEntry
		start   time.Time
		allDay  bool
		dur     time.Duration
		loc     string
		event   string
	}{
		{"timed start beats a date", nil, []StoredEntry{list, sched}, start, false, 40 * time.Minute, "K.3.401", "low-level-systems-days-2025"},
		{"date alone", nil, []StoredEntry{list}, list.Entry.Start, true, 0, "", ""},
		{"a configured event wins", []Event{{ID: "lowlevel", Name: "Low-Level Systems Days", Match: regexp.MustCompile(`(?i)low-level systems days`)}},
			[]StoredEntry{sched}, start, false, 40 * time.Minute, "K.3.401", "lowlevel-2025"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Options{Sources: []talkstream.Source{
				{ID: "conf", Kind: talkstream.SourceEvents}, {ID: "hannes", Kind: talkstream.SourcePerson}}, Events: tt.events})
			item, _ := m.Build("i1", tt.entries)
			why := strings.Join(item.Why, "\n")
			if !item.Start.Equal(tt.start) || item.AllDay != tt.allDay || item.Duration != tt.dur || item.Location != tt.loc {
				t.Errorf("start %v all-day %v duration %v location %q, want %v %v %v %q\n%s", item.Start, item.AllDay, item.Duration, item.Location, tt.start, tt.allDay, tt.dur, tt.loc, why)
			}
			if item.Event != tt.event {
				t.Errorf("event %q, want %q\n%s", item.Event, tt.event, why)
			}
			if !strings.Contains(why, "start ") {
				t.Errorf("start not explained:\n%s", why)
			}
		})
	}
}

func TestEventSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Low-Level Systems Days 2025", "low-level-systems-days-2025"},
		{"36C3", "36c3"},
		{"  FOSDEM  ", "fosdem"},
		{"Ünïcode — only", "n-code-only"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := eventSlug(tt.in); got != tt.want {
				t.Errorf("eventSlug(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
