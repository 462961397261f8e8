package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/talkstream/talkstream"
)

var listSelect = &talkstream.Select{Item: "li.talk", Title: "a.title", Link: "a.title@href", Date: ".when", Speakers: ".who", Summary: ".abstract"}

// TestFormatsGolden reads each kind of document a source may point at,
// through the same detection Fetch uses, and compares what it found with
// testdata/golden/NAME.json (go test -update rewrites them).
func TestFormatsGolden(t *testing.T) {
	tests := []struct {
		name, fixture, contentType, url, format string
		kind                                    talkstream.SourceKind
		sel                                     *talkstream.Select
	}{
		{"schedule-xml", "schedule.xml", "application/xml", "https://lowlevel.example.org/2025/schedule/schedule.xml", FormatScheduleXML, talkstream.SourceEvents, nil},
		{"schedule-json", "schedule.json", "application/json", "https://lowlevel.example.org/2025/schedule/schedule.json", FormatScheduleJSON, talkstream.SourceEvents, nil},
		{"schedule-xml-as-text", "schedule.xml", "text/plain", "https://lowlevel.example.org/2025/schedule/schedule.xml", FormatScheduleXML, talkstream.SourceEvents, nil},
		{"icalendar", demoFeeds + "meetups.ics", "text/calendar; charset=utf-8", "https://meetups.example.org/calendar.ics", FormatICalendar, talkstream.SourceEvents, nil},
		{"microformats2", "talks-hentry.html", "text/html; charset=utf-8", "https://hannes.example.org/talks/", FormatMF2, talkstream.SourcePerson, nil},
		{"json-ld", demoFeeds + "talk-page.html", "text/html", "https://lowlevel.example.org/2025/talks/mirageos", FormatJSONLD, talkstream.SourceEvents, nil},
		{"selectors", demoFeeds + "talks.html", "text/html", "https://hannes.example.org/talks.html", FormatSelectors, talkstream.SourcePerson, listSelect},
		{"peertube", "peertube.xml", "application/rss+xml; charset=utf-8", "https://watch.ocaml.org/feeds/videos.xml?videoChannelId=42", FormatRSS, talkstream.SourcePeerTube, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := talkstream.Source{ID: tt.name, Kind: tt.kind, URL: tt.url, Select: tt.sel}
			p, err := parse(readFixture(t, tt.fixture), tt.contentType, tt.url, src)
			if err != nil {
				t.Fatal(err)
			}
			if p.format != tt.format {
				t.Errorf("format %q, want %q", p.format, tt.format)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "\t")
			if err := enc.Encode(struct {
				Format, Title, Link string
				Warnings            []string
				Entries             []talkstream.Entry
			}{p.format, p.title, p.link, p.warnings, p.entries}); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", tt.name+".json")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s read differently from %s (go test -update rewrites it)\ngot:\n%s", tt.fixture, golden, buf.Bytes())
			}
		})
	}
}

// A PeerTube feed's videos are keyed by UUID whatever the source's kind
// says: the short-id watch link, the embed and the file name agree.
func TestPeerTubeVideos(t *testing.T) {
	for _, kind := range []talkstream.SourceKind{talkstream.SourcePeerTube, talkstream.SourceBlog} {
		t.Run(string(kind), func(t *testing.T) {
			src := talkstream.Source{ID: "pt", Kind: kind}
			p, err := parse(readFixture(t, "peertube.xml"), "application/rss+xml", "https://watch.ocaml.org/feeds/videos.xml", src)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"a44521d0-0fb8-4ade-8002-3385545c3318", "0c9a8b7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"}
			if len(p.entries) != len(want) {
				t.Fatalf("%d entries", len(p.entries))
			}
			for i, e := range p.entries {
				v := e.Video
				if v == nil || v.Provider != "peertube" || v.ID != want[i] ||
					v.EmbedURL != "https://watch.ocaml.org/videos/embed/"+want[i] || v.Duration == 0 || v.Thumbnail == "" {
					t.Errorf("entry %d video %+v, want peertube %s with duration and thumbnail", i, v, want[i])
				}
			}
		})
	}
}

// A page that only advertises a feed is followed there; the next fetch
// goes straight to the feed with its validators; when the feed goes away
// the page is read again.
func TestFollowAdvertisedFeed(t *testing.T) {
	var mu sync.Mutex
	var hits []string
	feedGone := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits = append(hits, r.URL.Path+" "+r.Header.Get("If-None-Match"))
		gone := feedGone
		mu.Unlock()
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(readFixture(t, "advertises-feed.html"))
		case "/atom.xml":
			if gone {
				http.NotFound(w, r)
				return
			}
			if r.Header.Get("If-None-Match") == `"a1"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", `"a1"`)
			w.Header().Set("Content-Type", "application/atom+xml")
			w.Write(readFixture(t, "atom.xml"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	f := New(Options{})
	src := talkstream.Source{ID: "blog", Kind: talkstream.SourceBlog, URL: srv.URL + "/"}

	res, err := f.Fetch(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if res.Followed != srv.URL+"/atom.xml" || res.Format != FormatAtom || len(res.Entries) == 0 || res.ETag != `"a1"` {
		t.Fatalf("followed %q format %q entries %d etag %q", res.Followed, res.Format, len(res.Entries), res.ETag)
	}

	src.State = talkstream.FetchState{ETag: res.ETag, Format: res.Format, Followed: res.Followed}
	res, err = f.Fetch(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if !res.NotModified || res.Followed != srv.URL+"/atom.xml" || res.Format != FormatAtom {
		t.Errorf("second fetch: not modified %v, followed %q, format %q", res.NotModified, res.Followed, res.Format)
	}

	mu.Lock()
	feedGone = true
	mu.Unlock()
	_, err = f.Fetch(context.Background(), src)
	if err == nil || !strings.Contains(err.Error(), "advertises this feed") || !errors.Is(err, ErrHTTPStatus) {
		t.Errorf("feed gone: err = %v, want the page read again and its feed's 404", err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"/ ", "/atom.xml ", `/atom.xml "a1"`, `/atom.xml "a1"`, "/ ", "/atom.xml "}
	if strings.Join(hits, "|") != strings.Join(want, "|") {
		t.Errorf("requests %q, want %q", hits, want)
	}
}

// A page is decoded like a feed: by its Content-Type charset, else by its
// <meta charset>; a calendar by its Content-Type.
func TestNonFeedCharsets(t *testing.T) {
	latin1 := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			b.WriteByte(byte(r)) // every rune below is in Latin-1
		}
		return b.String()
	}
	page := latin1(`<html><head><meta charset="iso-8859-1"><title>Vorträge</title></head><body><ul><li class="talk"><a class="title" href="/a">Über Unikernels</a><span class="when">2025-02-01</span></li></ul></body></html>`)
	cal := latin1("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nSUMMARY:Café unikernel\r\nDTSTART:20250101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	tests := []struct {
		name, body, contentType, title string
		sel                            *talkstream.Select
	}{
		{"page by meta", page, "text/html", "Über Unikernels", listSelect},
		{"page by header", page, "text/html; charset=iso-8859-1", "Über Unikernels", listSelect},
		{"calendar by header", cal, "text/calendar; charset=iso-8859-1", "Café unikernel", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := talkstream.Source{ID: "c", Kind: talkstream.SourceEvents, Select: tt.sel}
			p, err := parse([]byte(tt.body), tt.contentType, "https://example.org/", src)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.entries) != 1 || p.entries[0].Title != tt.title {
				t.Errorf("entries %+v, want one titled %q", p.entries, tt.title)
			}
		})
	}
}

// Which pages are read and which are followed to the feed they advertise.
func TestPageOrFeed(t *testing.T) {
	const feedLink = `<link rel="alternate" type="application/atom+xml" href="/atom.xml">`
	tests := []struct {
		name, head, body string
		sel              *talkstream.Select
		follow           bool
		format           string
	}{
		{"nothing but a feed link", feedLink, "<p>hello</p>", nil, true, ""},
		{"posts only: the feed says more", feedLink, `<article class="h-entry"><a class="u-url p-name" href="/p">A post</a></article>`, nil, true, ""},
		{"posts without a feed", "", `<article class="h-entry"><a class="u-url p-name" href="/p">A post</a></article>`, nil, false, FormatMF2},
		{"talks beside a feed link", feedLink, `<div class="h-event"><a class="u-url p-name" href="/t">A talk</a><time class="dt-start" datetime="2025-02-01">1 Feb</time></div>`, nil, false, FormatMF2},
		{"selectors decide", feedLink, `<ul><li class="talk"><a class="title" href="/t">A talk</a></li></ul>`, listSelect, false, FormatSelectors},
		{"selectors that find nothing", feedLink, `<p>none</p>`, listSelect, false, FormatSelectors},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := "<!DOCTYPE html><html><head>" + tt.head + "</head><body>" + tt.body + "</body></html>"
			p, err := parse([]byte(body), "text/html", "https://example.org/", talkstream.Source{ID: "p", Kind: talkstream.SourcePerson, Select: tt.sel})
			if err != nil {
				t.Fatal(err)
			}
			if (p.follow != "") != tt.follow || p.format != tt.format {
				t.Errorf("follow %q format %q, want follow %v format %q", p.follow, p.format, tt.follow, tt.format)
			}
		})
	}
}
