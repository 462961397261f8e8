package main

// End to end through the CLI: every input format a source may point at,
// detected by content, shown by status, and merged into one item per talk.

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/store"
)

// formatsConfig is a config whose sources are the fixtures of
// testdata/formats served at base, with the demo's own schedule, pages and
// calendar (testdata/feeds) beside them.
func formatsConfig(t *testing.T, base string) string {
	t.Helper()
	cfg := `title: talks from everywhere
base_url: http://127.0.0.1:8080/
database: formats.db
speakers:
  - {id: hannes, name: Hannes Mehnert}
  - {id: anil, name: Anil Madhavapeddy}
sources:
  - {id: lowlevel, kind: events, url: "BASE/schedule.xml"}
  - {id: lowlevel-tube, kind: youtube, url: "BASE/youtube.xml"}
  - {id: ocaml-tube, kind: peertube, url: "BASE/peertube.xml"}
  - {id: hannes-notes, kind: person, url: "BASE/hannes.html", speakers: [hannes]}
  - id: hannes-talks
    kind: person
    url: "BASE/talks.html"
    select: {item: li.talk, title: a.title, link: "a.title@href", date: .when, speakers: .who, summary: .abstract}
  - {id: talk-page, kind: events, url: "BASE/talk-page.html"}
  - {id: meetups, kind: events, url: "BASE/meetups.ics"}
`
	path := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(cfg, "BASE", base)), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFormatsEndToEnd(t *testing.T) {
	types := map[string]string{".xml": "application/xml", ".atom": "application/atom+xml", ".html": "text/html; charset=utf-8", ".ics": "text/calendar; charset=utf-8"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := filepath.Base(r.URL.Path)
		data, err := os.ReadFile(filepath.Join("testdata", "formats", name))
		if errors.Is(err, fs.ErrNotExist) {
			data, err = os.ReadFile(filepath.Join("..", "..", "testdata", "feeds", name))
		}
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", types[filepath.Ext(r.URL.Path)])
		w.Write(data)
	}))
	defer srv.Close()
	cfgPath := formatsConfig(t, srv.URL)

	code, out, errs := cli(t, "fetch", "-config", cfgPath)
	if code != 0 || !strings.Contains(out, "7 sources: 7 fetched, 0 unchanged, 0 failed") {
		t.Fatalf("fetch exit %d:\n%s%s", code, out, errs)
	}

	t.Run("status names each format", func(t *testing.T) {
		code, out, errs := cli(t, "status", "-config", cfgPath, "-json")
		if code != 0 {
			t.Fatalf("status exit %d: %s", code, errs)
		}
		var st struct {
			Sources []struct {
				ID, Format, Followed, State string
			} `json:"sources"`
		}
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"lowlevel": "schedule xml", "lowlevel-tube": "atom", "ocaml-tube": "rss", "hannes-notes": "atom",
			"hannes-talks": "html selectors", "talk-page": "html json-ld", "meetups": "icalendar",
		}
		for _, s := range st.Sources {
			if s.Format != want[s.ID] || s.State != "ok" {
				t.Errorf("%s: format %q state %q, want %q ok", s.ID, s.Format, s.State, want[s.ID])
			}
			if wantFollowed := map[bool]string{true: srv.URL + "/hannes.atom"}[s.ID == "hannes-notes"]; s.Followed != wantFollowed {
				t.Errorf("%s: followed %q, want %q", s.ID, s.Followed, wantFollowed)
			}
		}
		code, out, _ = cli(t, "status", "-config", cfgPath)
		if code != 0 || !strings.Contains(out, "atom (followed "+srv.URL+"/hannes.atom)") || !strings.Contains(out, "schedule xml") {
			t.Errorf("status table lacks the formats:\n%s", out)
		}
	})

	st, err := store.Open(context.Background(), filepath.Join(filepath.Dir(cfgPath), "formats.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	items, err := st.Items(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	var talk *talkstream.Item
	for i := range items {
		if items[i].Title == "MirageOS: ten years of unikernels" {
			if talk != nil {
				t.Fatalf("two items for the talk: %s and %s", talk.ID, items[i].ID)
			}
			talk = &items[i]
		}
	}
	if talk == nil {
		t.Fatalf("no item for the talk among %d", len(items))
	}
	why := strings.Join(talk.Why, "\n")

	t.Run("one item from schedule, YouTube, PeerTube, post, page and list", func(t *testing.T) {
		sources := map[string]bool{}
		for _, e := range talk.Entries {
			sources[e.Entry.SourceID] = true
		}
		for _, s := range []string{"lowlevel", "lowlevel-tube", "ocaml-tube", "hannes-notes", "hannes-talks", "talk-page"} {
			if !sources[s] {
				t.Errorf("the item has no entry from %s\n%s", s, why)
			}
		}
	})
	t.Run("when, where, who and which event", func(t *testing.T) {
		if want := time.Date(2025, 2, 1, 9, 30, 0, 0, time.UTC); !talk.Start.Equal(want) || talk.AllDay || talk.Duration != 40*time.Minute {
			t.Errorf("start %v all-day %v duration %v, want %v for 40m\n%s", talk.Start, talk.AllDay, talk.Duration, want, why)
		}
		if talk.Location != "K.3.401" {
			t.Errorf("location %q\n%s", talk.Location, why)
		}
		if talk.Event != "low-level-systems-days-2025" {
			t.Errorf("event %q\n%s", talk.Event, why)
		}
		if !slices.Equal(talk.Speakers, []string{"hannes", "anil"}) {
			t.Errorf("speakers %q, want hannes and anil (a PeerTube channel's author is its publisher)\n%s", talk.Speakers, why)
		}
	})
	t.Run("every link", func(t *testing.T) {
		var urls []string
		for _, l := range talk.Links {
			urls = append(urls, l.URL)
		}
		all := strings.Join(urls, "\n")
		for _, want := range []string{
			"https://lowlevel.example.org/2025/schedule/event/mirageos_ten_years/",
			"https://www.youtube.com/watch?v=Ab3dE5gH7jK",
			"https://watch.ocaml.org/w/mhvXdrZT4jP5T8vBxuvm75",
			"https://hannes.example.org/posts/2025-02-12-lowlevel-recording",
			"https://lowlevel.example.org/2025/schedule/event/mirageos_ten_years/attachments/mirageos.pdf",
		} {
			if !strings.Contains(all, want) {
				t.Errorf("links lack %s:\n%s", want, all)
			}
		}
		if talk.Video == nil {
			t.Errorf("no video")
		}
	})
}
