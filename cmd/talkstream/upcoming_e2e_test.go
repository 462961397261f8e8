package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUpcomingTalkE2E follows a talk through the command line, with the
// clock moved: announced ahead, it is on /upcoming/ (page, feeds), above the
// main page's stream and in talks.ics, but not in the main stream; when
// the clock passes its start, a build with nothing fetched moves it into
// the main stream under the same id; its recording, uploaded later and
// linked by the curator, merges into that item.
func TestUpcomingTalkE2E(t *testing.T) {
	dir, ytURL := upcomingWorld(t)
	cfg, out := filepath.Join(dir, "feeds.yaml"), filepath.Join(dir, "out")

	saved := clock
	t.Cleanup(func() { clock = saved })
	at := func(s string) {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		clock = func() time.Time { return tm }
	}
	run := func(args ...string) string {
		t.Helper()
		code, stdout, stderr := cli(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, stdout, stderr)
		}
		return stdout
	}
	read := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const title = "MirageOS 5: unikernels, reproducibly"

	// Two months ahead.
	at("2026-12-01T12:00:00Z")
	run("fetch", "-config", cfg)
	run("build", "-config", cfg, "-out", out)
	upcoming := feedItems(t, read("upcoming/feed.json"))
	if len(upcoming) != 1 || upcoming[0].Title != title {
		t.Fatalf("/upcoming/feed.json: %+v", upcoming)
	}
	id := upcoming[0].ID
	itemID := id[strings.LastIndex(id, "/")+1:]
	if items := feedItems(t, read("feed.json")); len(items) != 0 {
		t.Errorf("the main stream has the talk before it took place: %+v", items)
	}
	for _, page := range []string{"upcoming/index.html", "upcoming/rss.xml", "upcoming/atom.xml"} {
		if !strings.Contains(read(page), "MirageOS 5") {
			t.Errorf("%s lacks the talk", page)
		}
	}
	home := read("index.html")
	if !strings.Contains(home, `<h2 id="upcoming-title">Upcoming</h2>`) || !strings.Contains(home, "MirageOS 5") ||
		!strings.Contains(home, `<link rel="alternate" type="text/calendar"`) {
		t.Errorf("index.html has no Upcoming section with the talk, or no calendar link")
	}
	for _, cal := range []string{"talks.ics", "upcoming/talks.ics"} {
		ics := read(cal)
		if !strings.Contains(ics, "UID:"+itemID+"@talks.example.org\r\n") || !strings.Contains(ics, "DTSTART:20270206T093000Z\r\n") ||
			!strings.Contains(ics, "DTEND:20270206T101000Z\r\n") || !strings.Contains(ics, "LOCATION:K.1.105 (La Fontaine)\\, ULB\r\n") {
			t.Errorf("%s:\n%s", cal, ics)
		}
		if _, err := os.Stat(filepath.Join(out, cal+".gz")); err != nil {
			t.Errorf("no %s.gz: %v", cal, err)
		}
	}
	icalendarReads(t, filepath.Join(out, "talks.ics"), itemID+"@talks.example.org", "2027-02-06T09:30:00+00:00")

	// The morning of the talk, before it starts: nothing moves.
	at("2027-02-06T08:00:00Z")
	if o := run("build", "-config", cfg, "-out", out); !strings.Contains(o, "wrote 0 outputs") {
		t.Errorf("a build before the start wrote something: %s", o)
	}

	// Past its start, with nothing fetched: into the main stream.
	at("2027-02-06T12:00:00Z")
	run("build", "-config", cfg, "-out", out)
	if items := feedItems(t, read("upcoming/feed.json")); len(items) != 0 {
		t.Errorf("/upcoming/ still has %+v", items)
	}
	main := feedItems(t, read("feed.json"))
	if len(main) != 1 || main[0].ID != id {
		t.Fatalf("main stream %+v, want the talk %s", main, id)
	}
	// Announced in November, it takes its place in the stream at its start.
	if page := read("index.html"); !strings.Contains(page, `<h3 id="m2027-02">February 2027</h3>`) || strings.Contains(page, `id="m2026-11"`) {
		t.Errorf("the talk is not placed at its start:\n%s", page)
	}
	if strings.Contains(read("index.html"), `id="upcoming-title"`) {
		t.Errorf("index.html still has an Upcoming section")
	}
	if !strings.Contains(read("talks.ics"), "UID:"+itemID+"@") {
		t.Errorf("talks.ics lost the talk once given")
	}
	if !strings.Contains(read("speakers/hannes/talks.ics"), "UID:"+itemID+"@") {
		t.Errorf("the speaker's calendar lacks the talk")
	}

	// Three days later: the upload, and the curator links it.
	at("2027-02-09T12:00:00Z")
	copyFile(t, "testdata/upcoming/talks-recorded.yaml", filepath.Join(dir, "talks.yaml"))
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	more := "  - {id: fosdem-youtube, kind: youtube, url: \"" + ytURL + "/youtube.xml\"}\n"
	if err := os.WriteFile(cfg, append(b, more...), 0o644); err != nil {
		t.Fatal(err)
	}
	run("fetch", "-config", cfg)
	run("build", "-config", cfg, "-out", out)
	main = feedItems(t, read("feed.json"))
	if len(main) != 1 || main[0].ID != id {
		t.Fatalf("after the recording: %+v, want one item %s", main, id)
	}
	srcs := map[string]bool{}
	for _, s := range main[0].Ext.Sources {
		srcs[s.Source] = true
	}
	if !srcs["talks"] || !srcs["fosdem-youtube"] || main[0].Ext.Video == nil || main[0].Ext.Video.ID != "Fx7mQ2rLk9s" {
		t.Errorf("the recording did not merge into the talk: %+v", main[0].Ext)
	}
	if !strings.Contains(read("index.html"), `data-embed="https://www.youtube-nocookie.com/embed/Fx7mQ2rLk9s"`) {
		t.Errorf("the talk's card has no player")
	}
}

// feedItem is what the test reads of a JSON Feed item.
type feedItem struct {
	ID, Title string
	Ext       struct {
		Sources []struct{ Source string } `json:"sources"`
		Video   *struct{ ID string }      `json:"video"`
	} `json:"_talkstream"`
}

// feedItems reads a JSON Feed's items.
func feedItems(t *testing.T, body string) []feedItem {
	t.Helper()
	var f struct {
		Items []feedItem `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &f); err != nil {
		t.Fatal(err)
	}
	return f.Items
}

// upcomingWorld serves testdata/upcoming on loopback (the conference
// channel's feed a test adds later) and returns a folder holding its
// feeds.yaml and the curator's talks.yaml that announces the talk.
func upcomingWorld(t *testing.T) (dir, serverURL string) {
	t.Helper()
	yt := httptest.NewServer(http.FileServer(http.Dir("testdata/upcoming")))
	t.Cleanup(yt.Close)
	dir = t.TempDir()
	copyFile(t, "testdata/upcoming/feeds.yaml", filepath.Join(dir, "feeds.yaml"))
	copyFile(t, "testdata/upcoming/talks-announced.yaml", filepath.Join(dir, "talks.yaml"))
	return dir, yt.URL
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// icalendarReads checks with Debian's python3-icalendar that a calendar
// parses and has the event uid starting at start; it skips without the
// parser unless TALKSTREAM_REQUIRE_VALIDATORS is set (CI).
func icalendarReads(t *testing.T, file, uid, start string) {
	t.Helper()
	t.Run("python3-icalendar", func(t *testing.T) {
		py := "/usr/bin/python3"
		if exec.Command(py, "-c", "import icalendar").Run() != nil {
			if os.Getenv("TALKSTREAM_REQUIRE_VALIDATORS") != "" {
				t.Fatal("python3-icalendar is required (TALKSTREAM_REQUIRE_VALIDATORS)")
			}
			t.Skip("python3-icalendar is not installed (apt-get install python3-icalendar)")
		}
		script := `import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for ev in cal.walk('VEVENT'):
    print(str(ev['UID']), ev.decoded('DTSTART').isoformat(), str(ev.get('LOCATION')), str(ev.get('SUMMARY')))
`
		o, err := exec.Command(py, "-c", script, file).CombinedOutput()
		if err != nil {
			t.Fatalf("python3-icalendar: %v\n%s", err, o)
		}
		want := uid + " " + start + " K.1.105 (La Fontaine), ULB MirageOS 5: unikernels, reproducibly"
		if !strings.Contains(string(o), want) {
			t.Errorf("python3-icalendar read:\n%s\nwant the line %q", o, want)
		}
	})
}
