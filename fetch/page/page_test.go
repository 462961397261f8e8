package page

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
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

// want is what one entry of a page must say; zero fields are not checked.
type want struct {
	title, link, location, event, summary string
	start                                 time.Time
	allDay                                bool
	duration                              time.Duration
	speakers, authors                     []string
	links                                 map[string]talkstream.Role
	video                                 string // provider:id
	kind                                  talkstream.Kind
}

func check(t *testing.T, e talkstream.Entry, w want) {
	t.Helper()
	if e.Title != w.title || e.Link != w.link {
		t.Errorf("title %q link %q, want %q %q", e.Title, e.Link, w.title, w.link)
	}
	if w.location != "" && e.Location != w.location || w.event != "" && e.Event != w.event || w.summary != "" && e.Summary != w.summary {
		t.Errorf("location %q event %q summary %q, want %q %q %q", e.Location, e.Event, e.Summary, w.location, w.event, w.summary)
	}
	if !e.Start.Equal(w.start) || e.AllDay != w.allDay || e.Duration != w.duration {
		t.Errorf("start %v all-day %v duration %v, want %v %v %v", e.Start, e.AllDay, e.Duration, w.start, w.allDay, w.duration)
	}
	if !reflect.DeepEqual(e.Speakers, w.speakers) || !reflect.DeepEqual(e.Authors, w.authors) {
		t.Errorf("speakers %q authors %q, want %q %q", e.Speakers, e.Authors, w.speakers, w.authors)
	}
	roles := map[string]talkstream.Role{}
	for _, l := range e.Links {
		roles[l.URL] = l.Role
	}
	if w.links == nil {
		w.links = map[string]talkstream.Role{}
	}
	if !reflect.DeepEqual(roles, w.links) {
		t.Errorf("links %v, want %v", roles, w.links)
	}
	got := ""
	if e.Video != nil {
		got = e.Video.Provider + ":" + e.Video.ID
	}
	if got != w.video || e.Kind != w.kind {
		t.Errorf("video %q kind %q, want %q %q", got, e.Kind, w.video, w.kind)
	}
}

func TestPages(t *testing.T) {
	cet := time.FixedZone("", 3600)
	tests := []struct {
		name, fixture, url string
		sel                *talkstream.Select
		format             string
		want               []want
	}{
		{"microformats2", "talks-hentry.html", "https://hannes.example.org/talks/", nil, FormatMF2, []want{
			{title: "MirageOS: ten years of unikernels", link: "https://hannes.example.org/talks/2025-mirageos-ten-years",
				location: "ULB Solbosch, K.3.401", summary: "Ten years of MirageOS in production: what worked, what did not.",
				start: time.Date(2025, 2, 1, 10, 30, 0, 0, cet), duration: 40 * time.Minute, speakers: []string{"Anil Madhavapeddy"},
				links: map[string]talkstream.Role{"https://www.youtube.com/watch?v=Ab3dE5gH7jK": talkstream.RoleVideo, "https://hannes.example.org/slides/2025-mirageos.pdf": talkstream.RoleSlides},
				kind:  talkstream.KindTalk},
			{title: "Reproducible builds for MirageOS", link: "https://icfp24.example.org/details/ocaml-2024/12", location: "OCaml Workshop, Milan",
				start: time.Date(2024, 9, 6, 0, 0, 0, 0, time.UTC), allDay: true, kind: talkstream.KindTalk},
			{title: "Notes from the MirageOS retreat", link: "https://hannes.example.org/blog/2025/retreat-notes", authors: []string{"Hannes Mehnert"}},
		}},
		{"json-ld", demoFeeds + "talk-page.html", "https://lowlevel.example.org/2025/talks/mirageos", nil, FormatJSONLD, []want{
			{title: "MirageOS: ten years of unikernels", link: "https://lowlevel.example.org/2025/talks/mirageos", location: "K.3.401, Brussels",
				event: "Low-Level Systems Days 2025", start: time.Date(2025, 2, 1, 10, 30, 0, 0, cet), duration: 40 * time.Minute,
				speakers: []string{"Hannes Mehnert", "Anil Madhavapeddy"}, kind: talkstream.KindTalk,
				links: map[string]talkstream.Role{
					"https://watch.ocaml.org/videos/embed/a44521d0-0fb8-4ade-8002-3385545c3318": talkstream.RoleVideo,
					"https://lowlevel.example.org/2025/talks/mirageos/slides.pdf":               talkstream.RoleSlides}},
			{title: "Unikernels: library operating systems for the cloud", link: "https://dl.example.org/doi/10.1145/2451116.2451167",
				authors: []string{"Anil Madhavapeddy", "Richard Mortier"}, kind: talkstream.KindPaper},
			{title: "MirageOS: ten years of unikernels (recording)", video: "youtube:Ab3dE5gH7jK", kind: talkstream.KindTalk},
		}},
		{"selectors", demoFeeds + "talks.html", "https://hannes.example.org/talks.html",
			&talkstream.Select{Item: "li.talk", Title: "a.title", Link: "a.title@href", Date: ".when", Speakers: ".who", Summary: ".abstract"},
			FormatSelectors, []want{
				{title: "MirageOS: ten years of unikernels", link: "https://hannes.example.org/talks/mirageos-ten-years.html",
					summary: "Ten years of MirageOS in production.", start: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), allDay: true,
					speakers: []string{"Hannes Mehnert", "Anil Madhavapeddy"},
					links: map[string]talkstream.Role{"https://watch.ocaml.org/w/mhvXdrZT4jP5T8vBxuvm75": talkstream.RoleVideo,
						"https://hannes.example.org/slides/mirageos-ten-years.pdf": talkstream.RoleSlides}},
				{title: "Deploying unikernels", link: "https://bobkonf.example.org/2024/mehnert.html", start: time.Date(2024, 6, 12, 0, 0, 0, 0, time.UTC),
					allDay: true, speakers: []string{"Hannes Mehnert"}},
				{title: "A talk with a hostile link"},
			}},
		{"microformats2 value-class dates", "hevent-value-class.html", "https://meetups.example.org/", nil, FormatMF2, []want{
			{title: "Unikernels after dark", start: time.Date(2025, 6, 12, 19, 0, 0, 0, time.FixedZone("", -7*3600)), duration: 150 * time.Minute, kind: talkstream.KindTalk},
			{title: "Retreat planning", start: time.Date(2025, 9, 3, 0, 0, 0, 0, time.UTC), allDay: true, kind: talkstream.KindTalk},
		}},
		{"microformats2 root that is a link", "hevent-link.html", "https://meetups.example.org/", nil, FormatMF2, []want{
			{title: "Unikernel night 2025", link: "https://meetups.example.org/2025/unikernel-night", kind: talkstream.KindTalk},
		}},
		{"a page with nothing", "advertises-feed.html", "https://blog.example.org/", nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(readFixture(t, tt.fixture), tt.url, tt.sel)
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != tt.format || len(p.Entries) != len(tt.want) {
				t.Fatalf("format %q with %d entries, want %q with %d: %+v", p.Format, len(p.Entries), tt.format, len(tt.want), p.Entries)
			}
			for i, w := range tt.want {
				t.Run(w.title, func(t *testing.T) { check(t, p.Entries[i], w) })
			}
		})
	}
}

func TestCompileSelect(t *testing.T) {
	tests := []struct {
		name string
		sel  talkstream.Select
		ok   bool
	}{
		{"good", talkstream.Select{Item: "li", Title: "a", Link: "a@href"}, true},
		{"attribute of the item", talkstream.Select{Item: "article", Title: "@data-title", Link: "a"}, true},
		{"attribute selector with @ inside", talkstream.Select{Item: "li", Title: `a[title="x@y"]`}, true},
		{"no item", talkstream.Select{Title: "a"}, false},
		{"item with attribute", talkstream.Select{Item: "li@class", Title: "a"}, false},
		{"neither title nor link", talkstream.Select{Item: "li"}, false},
		{"bad css", talkstream.Select{Item: "li", Title: "a[[["}, false},
		{"empty attribute", talkstream.Select{Item: "li", Link: "a@"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CompileSelect(&tt.sel); (err == nil) != tt.ok {
				t.Errorf("CompileSelect(%+v) = %v, want ok %v", tt.sel, err, tt.ok)
			}
		})
	}
}

// TestParseDate: the date-time forms real pages write (microformats2
// tests, event plugins) keep their time and offset.
func TestParseDate(t *testing.T) {
	pst := time.FixedZone("", -8*3600)
	tests := []struct {
		in     string
		want   time.Time
		allDay bool
	}{
		{"2009-06-26T19:00:00-08:00", time.Date(2009, 6, 26, 19, 0, 0, 0, pst), false},
		{"2009-06-26T19:00-0800", time.Date(2009, 6, 26, 19, 0, 0, 0, pst), false},
		{"2009-06-26T19:00:00+0800", time.Date(2009, 6, 26, 11, 0, 0, 0, time.UTC), false},
		{"2009-06-26T19:00-08", time.Date(2009, 6, 26, 19, 0, 0, 0, pst), false},
		{"2009-06-26 19:00:00-08:00", time.Date(2009, 6, 26, 19, 0, 0, 0, pst), false},
		{"2009-06-26 19:00:00-0800", time.Date(2009, 6, 26, 19, 0, 0, 0, pst), false},
		{"2009-06-26 19:00Z", time.Date(2009, 6, 26, 19, 0, 0, 0, time.UTC), false},
		{"2009-06-26t19:00:00z", time.Date(2009, 6, 26, 19, 0, 0, 0, time.UTC), false},
		{"2009-06-26 19:00", time.Date(2009, 6, 26, 19, 0, 0, 0, time.UTC), false},
		{"2009-06-26", time.Date(2009, 6, 26, 0, 0, 0, 0, time.UTC), true},
		{"12 June 2025", time.Date(2025, 6, 12, 0, 0, 0, 0, time.UTC), true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, allDay, ok := parseDate(tt.in)
			if !ok || !got.Equal(tt.want) || allDay != tt.allDay {
				t.Errorf("parseDate(%q) = %v, %v, %v; want %v, %v", tt.in, got, allDay, ok, tt.want, tt.allDay)
			}
		})
	}
}

func TestISODuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"PT41M12S", 41*time.Minute + 12*time.Second}, {"PT1H", time.Hour}, {"P1DT2H", 26 * time.Hour},
		{"", 0}, {"P", 0}, {"PT", 0}, {"1H", 0}, {"P99999D", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := isoDuration(tt.in); got != tt.want {
				t.Errorf("isoDuration(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzParse: any page, with or without selectors, is read without a
// panic, and every entry links only to http(s).
func FuzzParse(f *testing.F) {
	for _, name := range []string{"talks-hentry.html", demoFeeds + "talk-page.html", demoFeeds + "talks.html", "advertises-feed.html"} {
		f.Add(readFixture(f, name), false)
	}
	f.Add([]byte(`<script type="application/ld+json">{"@type":["Event"],"location":[{"@type":"VirtualLocation"}],"performer":[[[[{}]]]],"url":{"@id":"javascript:x"}}</script>`), false)
	f.Add([]byte(`<li class="talk"><a class="title" href="//x">t</a><span class="when">2025</span></li>`), true)
	sel := &talkstream.Select{Item: "li.talk", Title: "a.title", Link: "a.title@href", Date: ".when", Speakers: ".who", Summary: ".abstract"}
	f.Fuzz(func(t *testing.T, data []byte, useSel bool) {
		var s *talkstream.Select
		if useSel {
			s = sel
		}
		p, err := Parse(data, "https://example.org/talks/", s)
		if err != nil {
			return
		}
		for _, e := range p.Entries {
			for _, u := range append([]string{e.Link}, linkURLs(e.Links)...) {
				if u != "" && !(len(u) > 8 && (u[:7] == "http://" || u[:8] == "https://")) {
					t.Errorf("link %q is not http(s)", u)
				}
			}
		}
	})
}

func linkURLs(ls []talkstream.Link) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.URL)
	}
	return out
}
