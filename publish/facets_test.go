package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func TestSlugify(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"xen", "xen"},
		{"Anil Madhavapeddy", "anil-madhavapeddy"},
		{"Étienne Millon", "etienne-millon"},
		{"fosdem-2014", "fosdem-2014"},
		{"C++", "c"},
		{"  --a  b--  ", "a-b"},
		{"Eve <img src=x onerror=alert(1)>", "eve-img-src-x-onerror-alert-1"},
		{"../../etc/passwd", "etc-passwd"},
		{"日本語", ""},
		{strings.Repeat("ab ", 40), strings.TrimSuffix(strings.Repeat("ab-", 20), "-")},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := slugify(tc.in); got != tc.want {
				t.Errorf("slugify(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// feedTitles reads the item titles of an Atom feed.
func feedTitles(t *testing.T, s *testSite, path string) []string {
	t.Helper()
	var f struct {
		Titles []string `xml:"entry>title"`
	}
	if err := xml.Unmarshal(body(t, s, path), &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f.Titles
}

func TestFacets(t *testing.T) {
	s := renderFixture(t)
	const (
		talk   = "Leaving legacy behind — A clean-slate approach to operating systems"
		paper  = "Unikernels: Library Operating Systems for the Cloud"
		post   = "MirageOS travels to OSCON'13: a trip report"
		vimeo  = "Mirage: extreme specialisation of virtual appliances"
		hostil = `MirageOS 4.5 released <b>today</b> & "more"`
	)
	for _, tc := range []struct {
		prefix string
		titles []string
		words  []string // in the facet's page
	}{
		{"/kinds/talk/", []string{talk, vimeo}, []string{"<h1><span class=\"eyebrow\">Kind</span>Talks</h1>"}},
		{"/kinds/paper/", []string{paper}, nil},
		{"/kinds/news/", []string{hostil}, nil},
		{"/tags/unikernels/", []string{talk, paper, vimeo}, []string{"<span class=\"eyebrow\">Tag</span>#unikernels"}},
		{"/tags/xen/", []string{vimeo}, nil},
		{"/speakers/anil/", []string{hostil, paper, vimeo},
			[]string{"<span class=\"eyebrow\">Speaker</span>Anil Madhavapeddy", `<a href="https://anil.recoil.org/">home page</a>`}},
		{"/speakers/hannes/", []string{talk}, nil},
		{"/speakers/david-scott/", []string{paper}, []string{"David Scott"}}, // a name no config knows
		{"/speakers/eve-img-src-x/", []string{hostil}, []string{"Eve &lt;img src=x&gt;"}},
		{"/events/source-code-berlin-2015/", []string{talk}, []string{"Source_Code Berlin 2015"}},
		{"/events/asplos-2013/", []string{paper}, []string{"ASPLOS 2013"}},
		{"/events/xen-summit-2012/", []string{vimeo}, []string{"xen summit 2012"}}, // not configured: the id
	} {
		t.Run(tc.prefix, func(t *testing.T) {
			if got := feedTitles(t, s, tc.prefix+"atom.xml"); !slices.Equal(got, tc.titles) {
				t.Errorf("items %q, want %q", got, tc.titles)
			}
			page := string(body(t, s, tc.prefix))
			for _, w := range tc.words {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			// The facet marks itself as current in the filters.
			if !strings.Contains(page, `aria-current="page"`) {
				t.Errorf("no current filter")
			}
			for _, name := range []string{"rss.xml", "feed.json"} {
				body(t, s, tc.prefix+name)
			}
			atom := string(body(t, s, tc.prefix+"atom.xml"))
			id := "<id>tag:talks.example.org,2026:feed" + strings.TrimSuffix(tc.prefix, "/") + "</id>"
			if !strings.Contains(atom, id) || !strings.Contains(atom, `href="https://talks.example.org`+tc.prefix+`atom.xml" rel="self"`) {
				t.Errorf("facet feed lacks its own id or self link:\n%.600s", atom)
			}
		})
	}

	t.Run("cards link their facets", func(t *testing.T) {
		page := string(body(t, s, "/speakers/hannes/"))
		for _, w := range []string{`href="../../speakers/hannes/"`, `href="../../events/source-code-berlin-2015/"`,
			`href="../../tags/tls/"`, `href="../../kinds/talk/"`, `href="../../"`} {
			if !strings.Contains(page, w) {
				t.Errorf("facet page lacks %s", w)
			}
		}
	})

	t.Run("categories", func(t *testing.T) {
		atom := string(body(t, s, "/atom.xml"))
		for _, w := range []string{
			`<category term="talk" scheme="https://talks.example.org/kinds/" label="talk"></category>`,
			`<category term="tls" scheme="https://talks.example.org/tags/" label="tls"></category>`,
			`<category term="Source_Code Berlin 2015" scheme="https://talks.example.org/events/" label="Source_Code Berlin 2015"></category>`,
		} {
			if !strings.Contains(atom, w) {
				t.Errorf("atom.xml lacks %s", w)
			}
		}
		rss := string(body(t, s, "/rss.xml"))
		if !strings.Contains(rss, `<category domain="https://talks.example.org/tags/">tls</category>`) {
			t.Errorf("rss.xml lacks the tls category with its domain")
		}
	})

	// Readers show RSS's category text, Atom's term and JSON Feed's tags:
	// every item has one set of them in all three.
	t.Run("one set of categories", func(t *testing.T) {
		var rss struct {
			Items []struct {
				Title      string   `xml:"title"`
				Categories []string `xml:"category"`
			} `xml:"channel>item"`
		}
		var atom struct {
			Entries []struct {
				Title      string `xml:"title"`
				Categories []struct {
					Term string `xml:"term,attr"`
				} `xml:"category"`
			} `xml:"entry"`
		}
		var feed struct {
			Items []struct {
				Title string   `json:"title"`
				Tags  []string `json:"tags"`
			} `json:"items"`
		}
		if err := xml.Unmarshal(body(t, s, "/rss.xml"), &rss); err != nil {
			t.Fatal(err)
		}
		if err := xml.Unmarshal(body(t, s, "/atom.xml"), &atom); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(body(t, s, "/feed.json"), &feed); err != nil {
			t.Fatal(err)
		}
		sets := map[string][3][]string{}
		for _, it := range rss.Items {
			v := sets[it.Title]
			v[0] = slices.Sorted(slices.Values(it.Categories))
			sets[it.Title] = v
		}
		for _, e := range atom.Entries {
			v := sets[e.Title]
			for _, c := range e.Categories {
				v[1] = append(v[1], c.Term)
			}
			slices.Sort(v[1])
			sets[e.Title] = v
		}
		for _, it := range feed.Items {
			v := sets[it.Title]
			v[2] = slices.Sorted(slices.Values(it.Tags))
			sets[it.Title] = v
		}
		if len(sets) == 0 {
			t.Fatal("no items")
		}
		for title, v := range sets {
			if len(v[0]) == 0 || !slices.Equal(v[0], v[1]) || !slices.Equal(v[0], v[2]) {
				t.Errorf("%q: RSS %q, Atom %q, JSON Feed %q", title, v[0], v[1], v[2])
			}
		}
	})
}

func TestFacetSlugsCollide(t *testing.T) {
	items := []talkstream.Item{
		{ID: "a", Title: "a", Link: "https://example.org/a", Published: date(2024, 1, 1), Tags: []string{"C++", "c"}, Speakers: []string{"Anil"}},
		{ID: "b", Title: "b", Link: "https://example.org/b", Published: date(2024, 1, 2), Tags: []string{"c"}, Speakers: []string{"anil"}},
	}
	opts := Options{Title: "T", BaseURL: "https://example.org/", Speakers: []Speaker{{ID: "anil", Name: "Anil Madhavapeddy"}}}
	s, err := renderSite(t, opts, items, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	// "C++" sorts before "c", so it claims the slug c and "c" gets c-2; the
	// configured speaker keeps anil and a name found in a feed gets anil-2.
	for path, want := range map[string][]string{
		"/tags/c/atom.xml":          {"a"},
		"/tags/c-2/atom.xml":        {"b", "a"},
		"/speakers/anil/atom.xml":   {"b"},
		"/speakers/anil-2/atom.xml": {"a"},
	} {
		if got := feedTitles(t, s, path); !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

// TestPaging checks that every item stays reachable past Limit: the main
// stream and the facets get archive pages /page/N/, counted from the
// oldest; JSON Feed next_url links them newest to oldest, the HTML pages
// link each other, and an archive page does not change when a newer item
// arrives.
func TestPaging(t *testing.T) {
	item := func(i int) talkstream.Item {
		return talkstream.Item{
			ID: fmt.Sprintf("i%d", i), Title: fmt.Sprintf("Item %d", i), Kind: talkstream.KindTalk,
			Link: fmt.Sprintf("https://example.org/%d", i), Published: date(2020+i, 1, 1), Tags: []string{"t"},
		}
	}
	var items []talkstream.Item
	for i := range 10 {
		items = append(items, item(i))
	}
	// 10 items, limit 3: archive pages 1 (items 0-2) and 2 (3-5); the first
	// page holds the other 4.
	s, err := renderSite(t, Options{Title: "T", BaseURL: "https://example.org/", Limit: 3}, items, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	titles := func(from, to int) []string {
		var out []string
		for i := to; i >= from; i-- {
			out = append(out, fmt.Sprintf("Item %d", i))
		}
		return out
	}
	for _, prefix := range []string{"/", "/tags/t/", "/kinds/talk/"} {
		t.Run(prefix, func(t *testing.T) {
			var got []string
			next := "https://example.org" + prefix + "feed.json"
			for range 10 {
				if next == "" {
					break
				}
				var f struct {
					FeedURL string `json:"feed_url"`
					NextURL string `json:"next_url"`
					Items   []struct {
						Title string `json:"title"`
					} `json:"items"`
				}
				if err := json.Unmarshal(body(t, s, strings.TrimPrefix(next, "https://example.org")), &f); err != nil {
					t.Fatal(err)
				}
				if f.FeedURL != "https://example.org"+prefix+"feed.json" {
					t.Errorf("%s: feed_url %q", next, f.FeedURL)
				}
				for _, it := range f.Items {
					got = append(got, it.Title)
				}
				next = f.NextURL
			}
			if want := titles(0, 9); !slices.Equal(got, want) {
				t.Errorf("following next_url: %q, want %q", got, want)
			}
			if got := feedTitles(t, s, prefix+"atom.xml"); !slices.Equal(got, titles(6, 9)) {
				t.Errorf("atom.xml: %q, want the first page's %q", got, titles(6, 9))
			}
			p2path := prefix + "page/2/"
			p2 := string(body(t, s, p2path))
			for _, w := range []string{
				`<link rel="prev" href="` + relTo(p2path, prefix) + `">`,
				`<link rel="next" href="` + relTo(p2path, prefix+"page/1/") + `">`,
				`rel="prev">← Newer</a>`, `rel="next">Older →</a>`, `aria-current="page"><span class="visually-hidden">Page </span>2</span>`,
				">Latest</a>", ">Item 5<", ">Item 4<", ">Item 3<", ` href="https://example.org` + prefix + `feed.json"`, "Archive page 2"} {
				if !strings.Contains(p2, w) {
					t.Errorf("archive page 2 lacks %s", w)
				}
			}
			if strings.Contains(p2, ">Item 6<") || strings.Contains(p2, ">Item 2<") {
				t.Errorf("archive page 2 shows items of other pages")
			}
			p1 := string(body(t, s, prefix))
			// The year list covers the whole stream, each year on its page.
			for _, w := range []string{`href="#y2029"`, `href="#y2026"`, `href="` + relTo(prefix, prefix+"page/2/") + `#y2025"`,
				`href="` + relTo(prefix, prefix+"page/1/") + `#y2020"`, `<link rel="next" href="` + relTo(prefix, prefix+"page/2/") + `">`} {
				if !strings.Contains(p1, w) {
					t.Errorf("the first page lacks %s", w)
				}
			}
			for _, p := range []string{prefix + "page/3/", prefix + "page/0/", prefix + "page/2/rss.xml", prefix + "page/01/"} {
				if _, ok := s.outputs[p]; ok {
					t.Errorf("unexpected output %s", p)
				}
			}
		})
	}

	// A newer item changes the first pages, and no archive page.
	if err := putItems(context.Background(), s.store, []talkstream.Item{item(10)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pub.Sync(context.Background(), nil, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	after, err := assembleAll(s.pub, s.store)
	if err != nil {
		t.Fatal(err)
	}
	for path, o := range s.outputs {
		a, ok := after.outputs[path]
		if !ok {
			t.Errorf("%s vanished", path)
			continue
		}
		archive := strings.Contains(path, "/page/")
		if archive && (!bytes.Equal(a.body, o.body) || a.etag != o.etag || !a.modTime.Equal(o.modTime)) {
			t.Errorf("archive page %s changed when a newer item arrived", path)
		}
		// Nor /upcoming/ and the calendars: the new item is no talk to come.
		unrelated := strings.HasPrefix(path, upcomingPrefix) || strings.HasSuffix(path, fileICS)
		if !archive && !unrelated && o.kind != kindAsset && bytes.Equal(a.body, o.body) && path != "/sources.opml" {
			t.Errorf("%s did not change when a newer item arrived", path)
		}
	}
}

func TestRelTo(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"/", "/", "./"},
		{"/", "/tags/xen/", "tags/xen/"},
		{"/", "/style.css", "style.css"},
		{"/tags/xen/", "/", "../../"},
		{"/tags/xen/", "/speakers/anil/", "../../speakers/anil/"},
		{"/tags/xen/page/2/", "/tags/xen/", "../../../../tags/xen/"},
		{"/page/2/", "/page/3/", "../../page/3/"},
	} {
		if got := relTo(tc.from, tc.to); got != tc.want {
			t.Errorf("relTo(%q, %q) = %q, want %q", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestSafeVideo(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    *talkstream.Video
		embed string // "" with want nil means no video at all
		url   string
		none  bool
	}{
		{"youtube", talkstream.NewVideo("youtube", "PTtI8hpR7hQ"), "https://www.youtube-nocookie.com/embed/PTtI8hpR7hQ", "https://www.youtube.com/watch?v=PTtI8hpR7hQ", false},
		{"vimeo", talkstream.NewVideo("vimeo", "57412215"), "https://player.vimeo.com/video/57412215?dnt=1", "https://vimeo.com/57412215", false},
		{"feed's own embed is ignored", &talkstream.Video{Provider: "youtube", ID: "PTtI8hpR7hQ", EmbedURL: "https://www.youtube.com/embed/PTtI8hpR7hQ?autoplay=1&x=\"><script>"},
			"https://www.youtube-nocookie.com/embed/PTtI8hpR7hQ", "https://www.youtube.com/watch?v=PTtI8hpR7hQ", false},
		{"bad youtube id", &talkstream.Video{Provider: "youtube", ID: `x"><script>`, URL: "javascript:alert(1)"}, "", "", true},
		{"bad vimeo id", &talkstream.Video{Provider: "vimeo", ID: "../../evil", URL: "https://vimeo.com/evil"}, "", "https://vimeo.com/evil", false},
		{"other provider", &talkstream.Video{Provider: "dailymotion", ID: "x", URL: "https://dailymotion.example/x", EmbedURL: "https://dailymotion.example/embed/x"}, "", "https://dailymotion.example/x", false},
		{"peertube, a configured instance", &talkstream.Video{Provider: "peertube", ID: "9c9de5e8-0a1e-484a-b099-e80766180a6d",
			URL: "https://watch.ocaml.org/w/kyLe4tLDCZZxvuCfzKFPUT", EmbedURL: "https://evil.example/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d"},
			"https://watch.ocaml.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d?p2p=0", "https://watch.ocaml.org/w/kyLe4tLDCZZxvuCfzKFPUT", false},
		{"peertube, short id, from the player URL", &talkstream.Video{Provider: "peertube", ID: "kyLe4tLDCZZxvuCfzKFPUT",
			EmbedURL: "https://watch.ocaml.org/videos/embed/kyLe4tLDCZZxvuCfzKFPUT"},
			"https://watch.ocaml.org/videos/embed/kyLe4tLDCZZxvuCfzKFPUT?p2p=0", "https://watch.ocaml.org/w/kyLe4tLDCZZxvuCfzKFPUT", false},
		{"peertube, an instance no source names: no player", &talkstream.Video{Provider: "peertube", ID: "kyLe4tLDCZZxvuCfzKFPUT",
			URL: "https://tube.example/w/kyLe4tLDCZZxvuCfzKFPUT", EmbedURL: "https://tube.example/videos/embed/kyLe4tLDCZZxvuCfzKFPUT"},
			"", "https://tube.example/w/kyLe4tLDCZZxvuCfzKFPUT", false},
		{"peertube, bad id", &talkstream.Video{Provider: "peertube", ID: `x"><script>`, URL: "https://watch.ocaml.org/w/x"}, "", "https://watch.ocaml.org/w/x", false},
		{"peertube, http", &talkstream.Video{Provider: "peertube", ID: "kyLe4tLDCZZxvuCfzKFPUT", URL: "http://watch.ocaml.org/w/kyLe4tLDCZZxvuCfzKFPUT"}, "", "", true},
		{"media.ccc.de", &talkstream.Video{Provider: "mediaccc", ID: "36c3-10980-unikernels", URL: "https://evil.example/x"},
			"https://media.ccc.de/v/36c3-10980-unikernels/oembed", "https://media.ccc.de/v/36c3-10980-unikernels", false},
		{"media.ccc.de, bad slug", &talkstream.Video{Provider: "mediaccc", ID: "../../x", URL: "https://media.ccc.de/v/x"}, "", "https://media.ccc.de/v/x", false},
		{"nil", nil, "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := (&renderer{peerTube: []string{"watch.ocaml.org"}}).safeVideo(tc.in)
			if tc.none {
				if v != nil {
					t.Fatalf("got %+v, want none", v)
				}
				return
			}
			if v == nil || v.EmbedURL != tc.embed || v.URL != tc.url {
				t.Errorf("got %+v, want embed %q url %q", v, tc.embed, tc.url)
			}
		})
	}
}

// TestVideoCards checks the click-to-play markup: without JavaScript the
// thumbnail (or a poster, for a video without one) links to the video's
// page; data-embed names the player the script may load.
func TestVideoCards(t *testing.T) {
	s := renderFixture(t)
	page := string(body(t, s, "/"))
	for _, w := range []string{
		`<a class="thumb" href="https://www.youtube.com/watch?v=PTtI8hpR7hQ" data-embed="https://www.youtube-nocookie.com/embed/PTtI8hpR7hQ" data-title="Video: Leaving legacy behind`,
		`<a class="thumb poster vimeo" href="https://vimeo.com/57412215" data-embed="https://player.vimeo.com/video/57412215?dnt=1" data-title="Video: Mirage: extreme specialisation of virtual appliances" aria-label="Play video: Mirage: extreme specialisation of virtual appliances">`,
		`<span class="duration">41:00</span>`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %s", w)
		}
	}
	var raw struct {
		Items []struct {
			Ext struct {
				Video map[string]string `json:"video"`
			} `json:"_talkstream"`
		} `json:"items"`
	}
	if err := json.Unmarshal(body(t, s, "/feed.json"), &raw); err != nil {
		t.Fatal(err)
	}
	var embeds []string
	for _, it := range raw.Items {
		if v := it.Ext.Video; v != nil {
			embeds = append(embeds, v["provider"]+" "+v["id"]+" "+v["embed_url"])
		}
	}
	want := []string{"youtube PTtI8hpR7hQ https://www.youtube-nocookie.com/embed/PTtI8hpR7hQ", "vimeo 57412215 https://player.vimeo.com/video/57412215?dnt=1"}
	if !slices.Equal(embeds, want) {
		t.Errorf("_talkstream videos %q, want %q", embeds, want)
	}
}

func TestFormatDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "", 41 * time.Minute: "41:00", 62*time.Minute + 3*time.Second: "1:02:03", 59 * time.Second: "0:59"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
