package publish

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestICSText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a;b,c\d`, `a\;b\,c\\d`},
		{"two\nlines\r\tand a tab", `two\nlinesand a tab`},
		{"Étienne — ok", "Étienne — ok"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := icsText(tt.in); got != tt.want {
				t.Errorf("icsText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestICSFolding checks that content lines are folded at 75 octets, never
// inside a UTF-8 sequence, and unfold to what was written.
func TestICSFolding(t *testing.T) {
	tests := []struct{ name, line string }{
		{"short", "SUMMARY:short"},
		{"exactly 75", "DESCRIPTION:" + strings.Repeat("x", 63)},
		{"76", "DESCRIPTION:" + strings.Repeat("x", 64)},
		{"long ascii", "DESCRIPTION:" + strings.Repeat("abcdefghij", 40)},
		{"multi-byte at the fold", "SUMMARY:" + strings.Repeat("é", 100) + strings.Repeat("€", 50) + "𝄞𝄞𝄞"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			icsWriter{b: &b}.line(tt.line)
			out := b.String()
			if !strings.HasSuffix(out, "\r\n") {
				t.Fatalf("no CRLF at the end: %q", out)
			}
			for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
				if len(l) > 75 {
					t.Errorf("line of %d octets: %q", len(l), l)
				}
				if !utf8.ValidString(l) {
					t.Errorf("line cut inside a character: %q", l)
				}
			}
			if got := strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""); got != tt.line {
				t.Errorf("unfolds to %q", got)
			}
		})
	}
}

// icalendarScript reads each .ics file named on its command line with
// Debian's python3-icalendar and prints its events as JSON.
const icalendarScript = `import sys, json, icalendar
out = {}
for name in sys.argv[1:]:
    cal = icalendar.Calendar.from_ical(open(name, 'rb').read())
    evs = []
    for ev in cal.walk('VEVENT'):
        start = ev.decoded('DTSTART')
        evs.append({'uid': str(ev['UID']), 'summary': str(ev['SUMMARY']),
            'start': start.isoformat(), 'location': str(ev.get('LOCATION', '')),
            'url': str(ev.get('URL', '')), 'description': str(ev.get('DESCRIPTION', '')),
            'stamp': ev.decoded('DTSTAMP').isoformat(),
            'end': ev.decoded('DTEND').isoformat() if 'DTEND' in ev else ''})
    out[name] = {'name': str(cal.get('X-WR-CALNAME', '')), 'events': evs}
print(json.dumps(out))
`

// parsedEvent is an event as python3-icalendar read it.
type parsedEvent struct {
	UID, Summary, Start, End, Location, URL, Description, Stamp string
}

// parseICS parses calendars with python3-icalendar, skipping the test when
// it is missing unless TALKSTREAM_REQUIRE_VALIDATORS is set (CI).
func parseICS(t *testing.T, files ...string) map[string][]parsedEvent {
	t.Helper()
	py := "/usr/bin/python3" // Debian's, where apt-get puts python3-icalendar
	err := exec.Command(py, "-c", "import icalendar").Run()
	if err != nil {
		if os.Getenv("TALKSTREAM_REQUIRE_VALIDATORS") != "" {
			t.Fatalf("python3-icalendar is required (TALKSTREAM_REQUIRE_VALIDATORS): %v", err)
		}
		t.Skip("python3-icalendar is not installed (apt-get install python3-icalendar)")
	}
	cmd := exec.Command(py, append([]string{"-c", icalendarScript}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3-icalendar: %v\n%s", err, stderr.String())
	}
	var res map[string]struct{ Events []parsedEvent }
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	evs := map[string][]parsedEvent{}
	for name, c := range res {
		evs[name] = c.Events
	}
	return evs
}

// TestCalendarParses reads every stream's talks.ics with an independent
// parser and checks the talks' events.
func TestCalendarParses(t *testing.T) {
	s, err := renderSite(t, fixtureOptions(), append(fixtureItems(), upcomingItems()...), fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for _, p := range s.Paths() {
		if strings.HasSuffix(p, fileICS) {
			f := filepath.Join(dir, strings.ReplaceAll(strings.Trim(p, "/"), "/", "_"))
			if err := os.WriteFile(f, body(t, s, p), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	if len(files) < 3 {
		t.Fatalf("calendars: %v", files)
	}
	all := parseICS(t, files...)
	main := all[filepath.Join(dir, "talks.ics")]
	byUID := map[string]parsedEvent{}
	for _, ev := range main {
		byUID[ev.UID] = ev
	}
	tests := []struct {
		uid  string
		want parsedEvent
	}{
		{"soon0000000001@talks.example.org", parsedEvent{
			Summary: "Unikernels, soon; with commas, too", Start: "2026-03-03T13:00:00+00:00", End: "2026-03-03T13:40:00+00:00",
			Location: "Room K.1.105 (Brussels)", URL: "https://example.org/soon", Stamp: "2026-02-20T00:00:00+00:00",
			Description: "Speakers: Anil Madhavapeddy\n\nWhat MirageOS does next.\n\nhttps://example.org/soon"}},
		{"later000000001@talks.example.org", parsedEvent{
			Summary: "A workshop later", Start: "2026-03-10", End: "2026-03-11", URL: "https://example.org/later",
			Stamp: "2026-02-25T00:00:00+00:00", Description: "https://example.org/later"}},
		{"past0000000001@talks.example.org", parsedEvent{
			Summary: "A talk given", Start: "2026-02-01", End: "2026-02-02", URL: "https://example.org/past",
			Stamp: "2026-02-01T00:00:00+00:00", Description: "https://example.org/past"}},
	}
	for _, tt := range tests {
		t.Run(tt.uid, func(t *testing.T) {
			got, ok := byUID[tt.uid]
			if !ok {
				t.Fatalf("no event %s in %v", tt.uid, main)
			}
			tt.want.UID = tt.uid
			if got != tt.want {
				t.Errorf("event\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
	if len(main) != len(tests) {
		t.Errorf("%d events, want %d (only the items with a start)", len(main), len(tests))
	}
}

// TestCalendarServed checks that talks.ics is served as every other
// output is: its type, a strong ETag, 304, gzip, CORS.
func TestCalendarServed(t *testing.T) {
	s, err := renderSite(t, fixtureOptions(), upcomingItems(), fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	w := serve(s.pub, "GET", "/upcoming/talks.ics", nil)
	etag := w.Header().Get("ETag")
	tests := []struct {
		name   string
		hdr    map[string]string
		status int
		want   map[string]string
	}{
		{"plain", nil, 200, map[string]string{"Content-Type": "text/calendar; charset=utf-8", "Access-Control-Allow-Origin": "*",
			"Vary": "Accept-Encoding", "Content-Encoding": ""}},
		{"gzip", map[string]string{"Accept-Encoding": "gzip"}, 200, map[string]string{"Content-Encoding": "gzip",
			"ETag": strings.TrimSuffix(etag, `"`) + `-gz"`}},
		{"if-none-match", map[string]string{"If-None-Match": etag}, 304, map[string]string{"ETag": etag}},
		{"if-modified-since", map[string]string{"If-Modified-Since": w.Header().Get("Last-Modified")}, 304, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(s.pub, "GET", "/upcoming/talks.ics", tt.hdr)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d", w.Code, tt.status)
			}
			for k, v := range tt.want {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if tt.status == 200 && tt.hdr == nil && !bytes.Equal(w.Body.Bytes(), body(t, s, "/upcoming/talks.ics")) {
				t.Errorf("served bytes differ from the assembled ones")
			}
		})
	}
	if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") {
		t.Errorf("ETag %s is not strong", etag)
	}
}
