package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func renderFixture(t *testing.T) *testSite {
	t.Helper()
	s, err := renderSite(t, fixtureOptions(), fixtureItems(), fixtureSources(), now)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return s
}

func body(t *testing.T, s *testSite, path string) []byte {
	t.Helper()
	o, ok := s.outputs[path]
	if !ok {
		t.Fatalf("no output at %s; have %v", path, s.Paths())
	}
	return o.body
}

// TestGolden compares outputs of the fixture site with their golden files:
// the list of every path, the main stream's outputs and one facet's; go test
// ./publish -update rewrites them.
func TestGolden(t *testing.T) {
	s := renderFixture(t)
	paths := []byte(strings.Join(s.Paths(), "\n") + "\n")
	for _, tc := range []struct {
		golden string
		got    []byte
	}{
		{"paths.golden", paths},
		{"index.html.golden", body(t, s, "/")},
		{"rss.xml.golden", body(t, s, "/rss.xml")},
		{"atom.xml.golden", body(t, s, "/atom.xml")},
		{"feed.json.golden", body(t, s, "/feed.json")},
		{"sources.opml.golden", body(t, s, "/sources.opml")},
		{"speaker-hannes.html.golden", body(t, s, "/speakers/hannes/")},
		{"tag-unikernels.atom.golden", body(t, s, "/tags/unikernels/atom.xml")},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			// Asset versions change with every edit of style.css or app.js;
			// TestHandlerAssets checks them.
			got := assetVersion.ReplaceAll(tc.got, []byte("?v=VERSION"))
			name := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(name, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(name)
			if err != nil {
				t.Fatalf("%v (run go test ./publish -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s; run go test ./publish -update and review the diff\n%s", name, firstDiff(got, want))
			}
		})
	}
}

// firstDiff shows the first differing line of two outputs.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + gl + "\nwant: " + wl
		}
	}
	return ""
}

var assetVersion = regexp.MustCompile(`\?v=[0-9a-f]{10}`)

// ownScript is the page's one script element, which TestNoXSS ignores.
var ownScript = regexp.MustCompile(`<script src="(\.\./)*app\.js\?v=[0-9a-f]+" defer></script>`)

func TestNoXSS(t *testing.T) {
	s := renderFixture(t)
	for _, p := range s.Paths() {
		if s.outputs[p].kind == kindAsset {
			continue
		}
		t.Run(p, func(t *testing.T) {
			b := strings.ToLower(ownScript.ReplaceAllString(string(body(t, s, p)), ""))
			for _, m := range xssMarkers {
				if i := strings.Index(b, m); i >= 0 {
					t.Errorf("output contains %q: …%s…", m, b[max(0, i-80):min(len(b), i+80)])
				}
			}
			if strings.Contains(b, "<style") || strings.Contains(b, " style=") {
				t.Errorf("output contains a style element or attribute")
			}
		})
	}
}

// TestEscaping checks that titles and names are plain text everywhere.
func TestEscaping(t *testing.T) {
	s := renderFixture(t)
	for _, tc := range []struct {
		path    string
		want    []string
		notWant []string
	}{
		{"/", []string{`MirageOS 4.5 released &lt;b&gt;today&lt;/b&gt; &amp; &#34;more&#34;`, `Eve &lt;img src=x&gt;`, `&lt;script&gt;boom&lt;/script&gt;`},
			[]string{`<b>today`, `<img src=x>`, `<script>boom`}},
		{"/rss.xml", []string{`<title>MirageOS 4.5 released &lt;b&gt;today&lt;/b&gt; &amp; &#34;more&#34;</title>`, `<dc:creator>Anil Madhavapeddy and Eve &lt;img src=x&gt;</dc:creator>`},
			[]string{`<b>today`}},
		{"/atom.xml", []string{`<title>MirageOS 4.5 released &lt;b&gt;today&lt;/b&gt; &amp; &#34;more&#34;</title>`, `<name>Eve &lt;img src=x&gt;</name>`},
			[]string{`<b>today`}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			b := string(body(t, s, tc.path))
			for _, w := range tc.want {
				if !strings.Contains(b, w) {
					t.Errorf("missing %s", w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(b, w) {
					t.Errorf("contains %s", w)
				}
			}
		})
	}
}

// TestXMLWellFormed reads every XML output back with encoding/xml, token by
// token and into namespace-aware structs.
func TestXMLWellFormed(t *testing.T) {
	s := renderFixture(t)
	for _, p := range []string{"/rss.xml", "/atom.xml", "/sources.opml"} {
		t.Run(p, func(t *testing.T) {
			d := xml.NewDecoder(bytes.NewReader(body(t, s, p)))
			d.Strict = true
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
			}
		})
	}

	t.Run("rss", func(t *testing.T) {
		var doc struct {
			Channel struct {
				Self struct {
					Href string `xml:"href,attr"`
				} `xml:"http://www.w3.org/2005/Atom link"`
				Items []struct {
					Title    string   `xml:"title"`
					GUID     string   `xml:"guid"`
					PubDate  string   `xml:"pubDate"`
					Creators []string `xml:"http://purl.org/dc/elements/1.1/ creator"`
					Content  string   `xml:"http://purl.org/rss/1.0/modules/content/ encoded"`
					Thumb    struct {
						URL string `xml:"url,attr"`
					} `xml:"http://search.yahoo.com/mrss/ thumbnail"`
				} `xml:"item"`
			} `xml:"channel"`
		}
		if err := xml.Unmarshal(body(t, s, "/rss.xml"), &doc); err != nil {
			t.Fatal(err)
		}
		items := doc.Channel.Items
		if len(items) != len(fixtureItems()) {
			t.Fatalf("%d items, want %d", len(items), len(fixtureItems()))
		}
		if doc.Channel.Self.Href != "https://talks.example.org/rss.xml" {
			t.Errorf("atom:link self = %q", doc.Channel.Self.Href)
		}
		for _, it := range items {
			if !strings.HasPrefix(it.GUID, "tag:talks.example.org,2026:item/") || it.PubDate == "" || it.Content == "" {
				t.Errorf("item %q: guid %q pubDate %q content %d bytes", it.Title, it.GUID, it.PubDate, len(it.Content))
			}
			if _, err := time.Parse(time.RFC1123Z, it.PubDate); err != nil {
				t.Errorf("pubDate: %v", err)
			}
		}
		if got := items[1].Creators; len(got) != 1 || got[0] != "Hannes Mehnert" {
			t.Errorf("dc:creator of the talk = %q", got)
		}
		if items[1].Thumb.URL == "" {
			t.Errorf("talk has no media:thumbnail")
		}
	})

	t.Run("atom", func(t *testing.T) {
		var feed struct {
			ID      string `xml:"http://www.w3.org/2005/Atom id"`
			Updated string `xml:"http://www.w3.org/2005/Atom updated"`
			Entries []struct {
				ID        string `xml:"id"`
				Published string `xml:"published"`
				Updated   string `xml:"updated"`
				Links     []struct {
					Rel  string `xml:"rel,attr"`
					Href string `xml:"href,attr"`
				} `xml:"link"`
			} `xml:"http://www.w3.org/2005/Atom entry"`
		}
		if err := xml.Unmarshal(body(t, s, "/atom.xml"), &feed); err != nil {
			t.Fatal(err)
		}
		if feed.ID != "tag:talks.example.org,2026:feed" {
			t.Errorf("feed id = %q", feed.ID)
		}
		if feed.Updated != "2026-02-20T09:00:00Z" {
			t.Errorf("feed updated = %q, want the newest item's", feed.Updated)
		}
		ids := map[string]bool{}
		for _, e := range feed.Entries {
			if e.ID == "" || ids[e.ID] || e.Updated == "" {
				t.Errorf("entry id %q updated %q", e.ID, e.Updated)
			}
			ids[e.ID] = true
		}
		talk := feed.Entries[1]
		if talk.ID != "tag:talks.example.org,2026:item/scb-2015-leaving-legacy" {
			t.Fatalf("second entry is %q", talk.ID)
		}
		if talk.Published != "2015-08-27T15:30:00Z" || talk.Updated != "2015-09-02T09:00:00Z" {
			t.Errorf("talk published %q updated %q", talk.Published, talk.Updated)
		}
		rels := map[string]int{}
		for _, l := range talk.Links {
			rels[l.Rel]++
		}
		if rels["alternate"] != 1 || rels["related"] != 2 {
			t.Errorf("talk links by rel = %v, want 1 alternate and 2 related (blog post, slides)", rels)
		}
	})
}

func TestJSONFeed(t *testing.T) {
	s := renderFixture(t)
	var f struct {
		Version string `json:"version"`
		FeedURL string `json:"feed_url"`
		Items   []map[string]json.RawMessage
	}
	if err := json.Unmarshal(body(t, s, "/feed.json"), &f); err != nil {
		t.Fatal(err)
	}
	if f.Version != "https://jsonfeed.org/version/1.1" || f.FeedURL != "https://talks.example.org/feed.json" {
		t.Errorf("version %q feed_url %q", f.Version, f.FeedURL)
	}
	items := fixtureItems()
	byID := map[string]talkstream.Item{}
	for _, it := range items {
		byID["tag:talks.example.org,2026:item/"+it.ID] = it
	}
	if len(f.Items) != len(items) {
		t.Fatalf("%d items, want %d", len(f.Items), len(items))
	}
	for _, raw := range f.Items {
		var it struct {
			ID          string `json:"id"`
			ContentHTML string `json:"content_html"`
			Summary     string `json:"summary"`
			Ext         *struct {
				Kind    string `json:"kind"`
				Sources []struct {
					Source, Role, Title, URL string
				} `json:"sources"`
				Video *struct{ Provider, ID string } `json:"video"`
			} `json:"_talkstream"`
		}
		b, _ := json.Marshal(raw)
		if err := json.Unmarshal(b, &it); err != nil {
			t.Fatal(err)
		}
		t.Run(it.ID, func(t *testing.T) {
			src, ok := byID[it.ID]
			if !ok {
				t.Fatalf("unexpected or empty id %q", it.ID)
			}
			if it.Ext == nil {
				t.Fatal("no _talkstream extension")
			}
			if it.Ext.Kind != string(src.Kind) {
				t.Errorf("kind %q, want %q", it.Ext.Kind, src.Kind)
			}
			if len(it.Ext.Sources) != len(src.Entries) {
				t.Errorf("%d sources, want one per entry (%d)", len(it.Ext.Sources), len(src.Entries))
			}
			for i, es := range it.Ext.Sources {
				if es.Source != src.Entries[i].Entry.SourceID || es.Title != src.Entries[i].Entry.Title {
					t.Errorf("source %d = %+v", i, es)
				}
			}
			if (src.Video != nil) != (it.Ext.Video != nil) {
				t.Errorf("video = %+v", it.Ext.Video)
			}
			if strings.ContainsAny(it.Summary, "<>") {
				t.Errorf("summary is not plain text: %q", it.Summary)
			}
			for _, m := range xssMarkers {
				if strings.Contains(strings.ToLower(it.ContentHTML), m) {
					t.Errorf("content_html contains %q", m)
				}
			}
			if _, ok := raw["date_published"]; !ok {
				t.Errorf("no date_published")
			}
		})
	}
	if bytes.Contains(body(t, s, "/feed.json"), []byte(`"id": ""`)) {
		t.Errorf(`feed.json contains "id": ""`)
	}
}

// TestStable checks that outputs depend on the items and sources, not on the
// render time: a re-render without changes must not make feed readers see
// updated items.
func TestStable(t *testing.T) {
	a := renderFixture(t)
	b, err := renderSite(t, fixtureOptions(), fixtureItems(), fixtureSources(), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range a.Paths() {
		t.Run(p, func(t *testing.T) {
			if !bytes.Equal(body(t, a, p), body(t, b, p)) {
				t.Errorf("output changed with the render time")
			}
		})
	}
}

func TestRender(t *testing.T) {
	item := func(id string, pub time.Time) talkstream.Item {
		return talkstream.Item{ID: id, Title: id, Kind: talkstream.KindNews, Link: "https://example.org/" + id, Published: pub}
	}
	d1, d2 := date(2024, 1, 1), date(2025, 1, 1)
	for _, tc := range []struct {
		name    string
		opts    Options
		items   []talkstream.Item
		wantIDs []string // atom entry ids after "item/", in order
		wantErr error
		check   func(t *testing.T, s *testSite)
	}{
		{
			name:    "newest first, ties by id",
			opts:    Options{Title: "T", BaseURL: "https://example.org/"},
			items:   []talkstream.Item{item("b", d1), item("c", d2), item("a", d1)},
			wantIDs: []string{"c", "a", "b"},
		},
		{
			// 4 items, limit 2: one archive page of the oldest 2.
			name:    "limit",
			opts:    Options{Title: "T", BaseURL: "https://example.org/", Limit: 2},
			items:   []talkstream.Item{item("b", d1), item("c", d2), item("a", d1), item("z", d1.AddDate(-1, 0, 0))},
			wantIDs: []string{"c", "a"},
		},
		{
			// 3 items, limit 2: the first page holds them all.
			name:    "fewer than twice the limit",
			opts:    Options{Title: "T", BaseURL: "https://example.org/", Limit: 2},
			items:   []talkstream.Item{item("b", d1), item("c", d2), item("a", d1)},
			wantIDs: []string{"c", "a", "b"},
		},
		{
			name:  "defaults, base URL without slash, port",
			opts:  Options{Title: "T", BaseURL: "http://localhost:8080/talks"},
			items: []talkstream.Item{item("odd id/with space", d1)},
			check: func(t *testing.T, s *testSite) {
				a := string(body(t, s, "/atom.xml"))
				for _, w := range []string{
					`<id>tag:localhost,2026:feed</id>`,
					`<id>tag:localhost,2026:item/odd%20id%2Fwith%20space</id>`,
					`href="http://localhost:8080/talks/atom.xml" rel="self"`,
					`xml:lang="en"`,
				} {
					if !strings.Contains(a, w) {
						t.Errorf("atom.xml lacks %s", w)
					}
				}
				if s.pub.opts.MaxAge != 5*time.Minute {
					t.Errorf("maxAge = %v", s.pub.opts.MaxAge)
				}
			},
		},
		{
			name: "no items",
			opts: Options{Title: "T", BaseURL: "https://example.org/"},
			check: func(t *testing.T, s *testSite) {
				if a := string(body(t, s, "/atom.xml")); !strings.Contains(a, "<updated>2026-03-01T12:00:00Z</updated>") {
					t.Errorf("empty feed's updated is not the render time:\n%s", a)
				}
				if j := string(body(t, s, "/feed.json")); !strings.Contains(j, `"items":[]`) {
					t.Errorf("feed.json items is not []:\n%s", j)
				}
			},
		},
		{
			name: "undated item keeps a stable updated",
			opts: Options{Title: "T", BaseURL: "https://example.org/"},
			items: []talkstream.Item{{ID: "x", Title: "x", Entries: []talkstream.ItemEntry{
				{Role: talkstream.RolePage, Entry: talkstream.Entry{SourceID: "s", Link: "https://example.org/x"}},
			}}},
			check: func(t *testing.T, s *testSite) {
				a := string(body(t, s, "/atom.xml"))
				if !strings.Contains(a, "<updated>1970-01-01T00:00:00Z</updated>") || strings.Contains(a, "<published>") {
					t.Errorf("undated entry:\n%s", a)
				}
				if !strings.Contains(a, `<link href="https://example.org/x" rel="alternate">`) {
					t.Errorf("no alternate link from the entry")
				}
			},
		},
		{name: "relative base URL", opts: Options{BaseURL: "/talks/"}, wantErr: ErrBaseURL},
		{name: "no base URL", opts: Options{}, wantErr: ErrBaseURL},
		{name: "ftp base URL", opts: Options{BaseURL: "ftp://example.org/"}, wantErr: ErrBaseURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := renderSite(t, tc.opts, tc.items, nil, now)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantIDs != nil {
				var feed struct {
					IDs []string `xml:"entry>id"`
				}
				if err := xml.Unmarshal(body(t, s, "/atom.xml"), &feed); err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, id := range feed.IDs {
					_, after, _ := strings.Cut(id, ":item/")
					got = append(got, after)
				}
				if strings.Join(got, ",") != strings.Join(tc.wantIDs, ",") {
					t.Errorf("entries %v, want %v", got, tc.wantIDs)
				}
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func TestExport(t *testing.T) {
	s := renderFixture(t)
	dir := t.TempDir()
	if _, err := s.pub.Export(context.Background(), dir, false); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, file string }{
		{"/", "index.html"}, {"/rss.xml", "rss.xml"}, {"/atom.xml", "atom.xml"},
		{"/feed.json", "feed.json"}, {"/sources.opml", "sources.opml"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := os.ReadFile(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, body(t, s, tc.path)) {
				t.Errorf("%s differs from the served output", tc.file)
			}
			gz, err := os.ReadFile(filepath.Join(dir, tc.file+".gz"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(gunzip(t, gz), got) {
				t.Errorf("%s.gz does not decompress to %s", tc.file, tc.file)
			}
			fi, err := os.Stat(filepath.Join(dir, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if want := s.outputs[tc.path].modTime; !fi.ModTime().Equal(want) {
				t.Errorf("mtime %v, want its Last-Modified %v", fi.ModTime(), want)
			}
		})
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	want := []string{manifestName}
	for _, p := range s.Paths() {
		f := strings.TrimPrefix(p, "/")
		if f == "" || strings.HasSuffix(f, "/") {
			f += "index.html"
		}
		want = append(want, f, f+".gz")
	}
	slices.Sort(files)
	slices.Sort(want)
	if !slices.Equal(files, want) {
		t.Errorf("files in dir:\n%v\nwant one per output and its .gz, and the manifest (no temporary files left):\n%v", files, want)
	}
}

// TestPageStructure checks every HTML page of the fixture site: unique ids,
// landmarks, alt text, feed autodiscovery, no script but the site's own
// app.js, no inline style, and that every relative link leads to an output
// of the site (and every same-page anchor to an element).
func TestPageStructure(t *testing.T) {
	s := renderFixture(t)
	for _, p := range s.Paths() {
		if s.outputs[p].kind != kindPage {
			continue
		}
		t.Run(p, func(t *testing.T) { checkPage(t, s, p) })
	}
}

func checkPage(t *testing.T, s *testSite, p string) {
	doc, err := html.Parse(bytes.NewReader(body(t, s, p)))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int{}
	tags := map[string]int{}
	var alternates, labelled, anchors, scripts []string
	base, _ := url.Parse("https://talks.example.org" + p)
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			tags[n.Data]++
			attr := map[string]string{}
			for _, a := range n.Attr {
				attr[a.Key] = a.Val
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
					t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			}
			if id, ok := attr["id"]; ok {
				ids[id]++
			}
			if l, ok := attr["aria-labelledby"]; ok {
				labelled = append(labelled, l)
			}
			switch n.Data {
			case "img":
				if attr["alt"] == "" || attr["loading"] != "lazy" {
					t.Errorf("img %s: alt %q loading %q", attr["src"], attr["alt"], attr["loading"])
				}
			case "link":
				switch attr["rel"] {
				case "alternate":
					alternates = append(alternates, attr["type"]+" "+attr["href"])
				case "stylesheet", "icon", "prev", "next":
					checkLocal(t, s, base, attr["href"])
				}
			case "script":
				scripts = append(scripts, attr["src"])
				if n.FirstChild != nil {
					t.Errorf("inline script")
				}
			case "a":
				h := attr["href"]
				switch {
				case h == "" || strings.Contains(h, "ZgotmplZ"):
					t.Errorf("bad link %q", h)
				case strings.HasPrefix(h, "#"):
					anchors = append(anchors, h[1:])
				case !strings.HasPrefix(h, "https://") && !strings.HasPrefix(h, "http://"):
					checkLocal(t, s, base, h)
				}
				if e := attr["data-embed"]; e != "" && !strings.HasPrefix(e, "https://www.youtube-nocookie.com/embed/") &&
					!(strings.HasPrefix(e, "https://player.vimeo.com/video/") && strings.HasSuffix(e, "?dnt=1")) {
					t.Errorf("data-embed %q is not a privacy-friendly player", e)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q used %d times", id, n)
		}
	}
	for _, l := range append(labelled, anchors...) {
		if ids[l] == 0 {
			t.Errorf("aria-labelledby or #%s names no element", l)
		}
	}
	for _, tag := range []string{"header", "main", "aside", "footer", "nav"} {
		if tags[tag] == 0 {
			t.Errorf("no <%s>", tag)
		}
	}
	if tags["iframe"] != 0 || tags["style"] != 0 || tags["form"] != 0 || tags["object"] != 0 {
		t.Errorf("page has an iframe, style, form or object")
	}
	if len(scripts) != 1 || !strings.Contains(scripts[0], "app.js?v=") {
		t.Errorf("scripts %q, want only app.js", scripts)
	}
	if len(alternates) != 4 {
		t.Fatalf("alternate links: %q", alternates)
	}
	prefix := p
	if i := strings.Index(p, "page/"); i >= 0 {
		prefix = p[:i] // later pages advertise their stream's feeds
	}
	for i, want := range []string{"application/rss+xml https://talks.example.org" + prefix + "rss.xml",
		"application/atom+xml https://talks.example.org" + prefix + "atom.xml",
		"application/feed+json https://talks.example.org" + prefix + "feed.json",
		"text/calendar https://talks.example.org" + prefix + "talks.ics"} {
		if alternates[i] != want {
			t.Errorf("alternate %d = %q, want %q", i, alternates[i], want)
		}
		_, href, _ := strings.Cut(want, " ")
		if _, ok := s.outputs[strings.TrimPrefix(href, "https://talks.example.org")]; !ok {
			t.Errorf("alternate %s is not an output", href)
		}
	}
}

// checkLocal reports a relative URL on the page at base that leads to no
// output of the site.
func checkLocal(t *testing.T, s *testSite, base *url.URL, href string) {
	t.Helper()
	u, err := base.Parse(href)
	if err != nil {
		t.Errorf("link %q: %v", href, err)
		return
	}
	if u.Host != base.Host {
		t.Errorf("link %q leaves the site", href)
		return
	}
	if _, ok := s.outputs[u.Path]; !ok {
		t.Errorf("link %q (%s) leads to no output", href, u.Path)
	}
}

// TestSourceWarning: a source read with a warning shows as such on the main
// page, with its reason, and counts as not healthy.
func TestSourceWarning(t *testing.T) {
	sources := fixtureSources()
	sources[0].State.Warning = "1 item lost: unclosed <itunes:category>"
	s, err := renderSite(t, fixtureOptions(), fixtureItems(), sources, now)
	if err != nil {
		t.Fatal(err)
	}
	page := string(body(t, s, "/"))
	for _, w := range []string{`<li class="state-warning">`, `<strong>warning</strong>`,
		`1 item lost: unclosed &lt;itunes:category&gt;`, `3 of 6 healthy`} {
		if !strings.Contains(page, w) {
			t.Errorf("main page lacks %s", w)
		}
	}
}
