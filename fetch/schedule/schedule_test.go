package schedule

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The XML schedule and its JSON twin say the same things, so they must
// give the same entries (rooms come in another order from a JSON object).
func TestXMLAndJSONTwins(t *testing.T) {
	x, err := ParseXML(readFixture(t, "schedule.xml"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := ParseJSON(readFixture(t, "schedule.json"))
	if err != nil {
		t.Fatal(err)
	}
	byGUID := func(es []talkstream.Entry) []talkstream.Entry {
		out := append([]talkstream.Entry(nil), es...)
		sort.Slice(out, func(a, b int) bool { return out[a].GUID < out[b].GUID })
		return out
	}
	if x.Title != j.Title || x.Link != j.Link {
		t.Errorf("conference: xml %q %q, json %q %q", x.Title, x.Link, j.Title, j.Link)
	}
	xs, js := byGUID(x.Entries), byGUID(j.Entries)
	if len(xs) != 5 || len(js) != 5 {
		t.Fatalf("entries: xml %d, json %d, want 5", len(xs), len(js))
	}
	for i := range xs {
		t.Run(xs[i].GUID, func(t *testing.T) {
			if !reflect.DeepEqual(xs[i], js[i]) {
				t.Errorf("xml and json differ:\n%+v\n%+v", xs[i], js[i])
			}
		})
	}
}

// A schedule 2.0 (the CCC hub's: one list of events with start and end,
// rooms and tracks as objects, participants) gives the entries of the same
// programme in the older XML.
func TestSchedule2JSON(t *testing.T) {
	x, err := ParseXML(readFixture(t, "schedule.xml"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := ParseJSON(readFixture(t, "schedule2.json"))
	if err != nil {
		t.Fatal(err)
	}
	byGUID := func(es []talkstream.Entry) map[string]talkstream.Entry {
		out := map[string]talkstream.Entry{}
		for _, e := range es {
			out[e.GUID] = e
		}
		return out
	}
	xs, js := byGUID(x.Entries), byGUID(j.Entries)
	if len(xs) != 5 || len(js) != 5 {
		t.Fatalf("entries: xml %d, schedule 2.0 %d, want 5", len(xs), len(js))
	}
	for guid, xe := range xs {
		t.Run(guid, func(t *testing.T) {
			je := js[guid]
			if !je.Start.Equal(xe.Start) || !je.Published.Equal(xe.Published) {
				t.Errorf("start %v, want %v", je.Start, xe.Start)
			}
			je.Start, je.Published, xe.Start, xe.Published = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if !reflect.DeepEqual(xe, je) {
				t.Errorf("xml and schedule 2.0 differ:\n%+v\n%+v", xe, je)
			}
		})
	}
}

func TestScheduleTalks(t *testing.T) {
	brussels, err := time.LoadLocation("Europe/Brussels")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	s, err := ParseXML(readFixture(t, "schedule.xml"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]talkstream.Entry{}
	for _, e := range s.Entries {
		got[e.GUID] = e
	}
	tests := []struct {
		name, guid   string
		start        time.Time
		duration     time.Duration
		location     string
		speakers     []string
		link         string
		roles        map[string]talkstream.Role
		event, track string
	}{
		{"offset in its date", "5f1d3e2a-7c41-4b7e-9a55-1d2f3c4b5a61", time.Date(2025, 2, 1, 9, 30, 0, 0, time.UTC), 40 * time.Minute,
			"K.3.401", []string{"Hannes Mehnert", "Anil Madhavapeddy"},
			"https://lowlevel.example.org/2025/schedule/event/mirageos_ten_years/",
			map[string]talkstream.Role{
				"https://lowlevel.example.org/2025/schedule/event/mirageos_ten_years/attachments/slides/6012/export/events/attachments/mirageos.pdf": talkstream.RoleSlides,
				"https://media.ccc.de/v/lowlevel25-4101-mirageos-ten-years-of-unikernels":                                                            talkstream.RoleVideo,
				"https://github.com/mirage/mirage": talkstream.RolePage,
			}, "Low-Level Systems Days 2025", "Microkernels and Component-based OS"},
		{"video file by its type", "5f1d3e2a-7c41-4b7e-9a55-1d2f3c4b5a62", time.Date(2025, 2, 1, 10, 20, 0, 0, time.UTC), 25 * time.Minute,
			"K.3.401", []string{"Gernot Example"}, "https://lowlevel.example.org/2025/schedule/event/sel4_riscv/",
			map[string]talkstream.Role{"https://video.lowlevel.example.org/2025/k3401/sel4_riscv.webm": talkstream.RoleVideo},
			"Low-Level Systems Days 2025", "Microkernels and Component-based OS"},
		{"day and start in the conference's zone", "5f1d3e2a-7c41-4b7e-9a55-1d2f3c4b5a64", time.Date(2025, 2, 2, 9, 30, 0, 0, brussels), 50 * time.Minute,
			"K.3.401", []string{"Martin Example", "Hannes Mehnert"}, "https://lowlevel.example.org/2025/schedule/event/solo5/",
			map[string]talkstream.Role{"https://lowlevel.example.org/papers/solo5.pdf": talkstream.RolePaper},
			"Low-Level Systems Days 2025", "Microkernels and Component-based OS"},
		{"second room", "5f1d3e2a-7c41-4b7e-9a55-1d2f3c4b5a63", time.Date(2025, 2, 1, 13, 0, 0, 0, time.UTC), time.Hour,
			"UD2.120 (Chavanne)", []string{"Ada Example"}, "https://lowlevel.example.org/2025/schedule/event/keynote/",
			map[string]talkstream.Role{}, "Low-Level Systems Days 2025", "Keynotes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, ok := got[tt.guid]
			if !ok {
				t.Fatalf("no entry %s", tt.guid)
			}
			if !e.Start.Equal(tt.start) || e.Duration != tt.duration || e.AllDay {
				t.Errorf("start %v (all day %v) for %v, want %v for %v", e.Start, e.AllDay, e.Duration, tt.start, tt.duration)
			}
			if e.Location != tt.location || !reflect.DeepEqual(e.Speakers, tt.speakers) || e.Link != tt.link {
				t.Errorf("location %q speakers %q link %q", e.Location, e.Speakers, e.Link)
			}
			if e.Event != tt.event || len(e.Categories) != 1 || e.Categories[0] != tt.track || e.Kind != talkstream.KindTalk {
				t.Errorf("event %q categories %q kind %q", e.Event, e.Categories, e.Kind)
			}
			roles := map[string]talkstream.Role{}
			for _, l := range e.Links {
				roles[l.URL] = l.Role
			}
			if !reflect.DeepEqual(roles, tt.roles) {
				t.Errorf("links %v, want %v", roles, tt.roles)
			}
		})
	}
}

func TestNotSchedules(t *testing.T) {
	tests := []struct {
		name string
		data string
		xml  bool
	}{
		{"rss", `<rss version="2.0"><channel/></rss>`, true},
		{"atom", `<feed xmlns="http://www.w3.org/2005/Atom"/>`, true},
		{"json feed", `{"version":"https://jsonfeed.org/version/1.1","items":[]}`, false},
		{"schedule without conference", `{"schedule":{"version":"1"}}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if IsXML([]byte(tt.data)) || IsJSON([]byte(tt.data)) {
				t.Errorf("%s taken for a schedule", tt.name)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"00:25", 25 * time.Minute}, {"01:30", 90 * time.Minute}, {"00:45:30", 45*time.Minute + 30*time.Second},
		{"", 0}, {"abc", 0}, {"-1:00", 0}, {"9999:00", 0}, {"1:2:3:4", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseDuration(tt.in); got != tt.want {
				t.Errorf("parseDuration(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParseXML and FuzzParseJSON: any document is read or refused, never
// a panic, and every entry has a title or a link and only http(s) links.
func FuzzParseXML(f *testing.F) {
	f.Add(readFixture(f, "schedule.xml"))
	f.Add([]byte(`<schedule><day date="2025-13-40"><room name="x"><event><start>99:99</start><duration>1:2:3</duration><url>javascript:alert(1)</url></event></room></day></schedule>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if s, err := ParseXML(data); err == nil {
			checkEntries(t, s)
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add(readFixture(f, "schedule.json"))
	f.Add(readFixture(f, "schedule2.json"))
	f.Add([]byte(`{"schedule":{"conference":{"days":[{"rooms":{"a":[{"title":1,"persons":[{}],"links":[{"url":"//x"}]}]}}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if s, err := ParseJSON(data); err == nil {
			checkEntries(t, s)
		}
	})
}

func checkEntries(t *testing.T, s *Schedule) {
	for _, e := range s.Entries {
		if e.Title == "" && e.Link == "" {
			t.Errorf("entry without title and link: %+v", e)
		}
		for _, l := range e.Links {
			if !(len(l.URL) > 7 && (l.URL[:7] == "http://" || l.URL[:8] == "https://")) {
				t.Errorf("link %q is not http(s)", l.URL)
			}
		}
	}
}
