package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

// realWorldCase is one fixture in the shape of a feed that issue 11 found
// read wrongly on real sites, and what a good reader makes of it.
type realWorldCase struct {
	name, fixture, contentType string
	titles                     []string // every entry's title, in order
	links                      []string // every entry's link, in order (nil: not checked)
	warn                       string   // a warning must say this; "": no warning
	check                      func(t *testing.T, p *parsed)
}

func runRealWorld(t *testing.T, tests []realWorldCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const feedURL = "https://feeds.example.net/feed.xml"
			src := talkstream.Source{ID: "rw", Kind: talkstream.SourceBlog, URL: feedURL}
			p, err := parse(readFixture(t, "realworld/"+tt.fixture), tt.contentType, feedURL, src)
			if err != nil {
				t.Fatal(err)
			}
			var titles, links []string
			for _, e := range p.entries {
				titles = append(titles, e.Title)
				links = append(links, e.Link)
			}
			if strings.Join(titles, "\n") != strings.Join(tt.titles, "\n") {
				t.Errorf("titles\n got %q\nwant %q", titles, tt.titles)
			}
			if tt.links != nil && strings.Join(links, "\n") != strings.Join(tt.links, "\n") {
				t.Errorf("links\n got %q\nwant %q", links, tt.links)
			}
			switch w := strings.Join(p.warnings, "; "); {
			case tt.warn == "" && w != "":
				t.Errorf("unexpected warning %q", w)
			case !strings.Contains(w, tt.warn):
				t.Errorf("warning %q, want it to say %q", w, tt.warn)
			}
			if tt.check != nil {
				tt.check(t, p)
			}
		})
	}
}

// TestEncodings: issue 11 classes 1, 2, 7 and 8.
func TestEncodings(t *testing.T) {
	wide := []string{"Ünïcödé talk"}
	runRealWorld(t, []realWorldCase{
		{name: "undeclared latin-1 with a utf-8 lookalike", fixture: "latin1-utf8-lookalike.xml",
			titles: []string{"Les modèles européens", "Déjà vu à Genève"},
			check: func(t *testing.T, p *parsed) {
				if s := p.entries[0].Summary; !strings.Contains(s, "les modèles européens sont prêts") {
					t.Errorf("summary lost its accents: %q", s)
				}
			}},
		{name: "latin-1 prolog over a utf-8 body", fixture: "prolog-latin1-body-utf8.xml",
			titles: []string{"Café, crème brûlée et déjà-vu"},
			check: func(t *testing.T, p *parsed) {
				if p.title != "Café du coin" {
					t.Errorf("feed title %q", p.title)
				}
			}},
		{name: "latin-1 header over a utf-8 body", fixture: "prolog-latin1-body-utf8.xml", contentType: "application/rss+xml; charset=iso-8859-1",
			titles: []string{"Café, crème brûlée et déjà-vu"}},
		{name: "utf-16le without bom", fixture: "utf16le-nobom.xml", titles: wide},
		{name: "utf-16be without bom", fixture: "utf16be-nobom.xml", titles: wide},
		{name: "utf-32le without bom", fixture: "utf32le-nobom.xml", titles: wide},
		{name: "utf-32be with bom", fixture: "utf32be-bom.xml", titles: wide},
		{name: "characters outside xml's char production", fixture: "nonxml-chars.xml",
			titles: []string{"Before after", "Second entry"},
			check: func(t *testing.T, p *parsed) {
				if s := p.entries[0].Summary; s != "Noise here and  there and  too" {
					t.Errorf("summary %q", s)
				}
			}},
	})
}

// TestMalformedFeeds: issue 11 class 4. A malformed feed is read as far as
// it can be, and never reported as a plain success when items were lost or
// recovered.
func TestMalformedFeeds(t *testing.T) {
	runRealWorld(t, []realWorldCase{
		{name: "an unclosed itunes:category before the items", fixture: "podcast-unclosed-category.xml",
			titles: []string{"Episode 3: Booting in 5 ms", "Episode 2: Xen and the art of unikernels", "Episode 1: Why OCaml"},
			warn:   "an element left open hid 3 of 3 items"},
		{name: "a body cut short", fixture: "truncated.xml",
			titles: []string{"First whole post", "Second whole post"},
			links:  []string{"https://cut.example.org/posts/1", "https://cut.example.org/posts/2"},
			warn:   "malformed feed, read 2 of 3 items"},
	})
}

// TestJSONFeedLeniency: issue 11 class 5. A field of the wrong type costs
// that field, never the feed.
func TestJSONFeedLeniency(t *testing.T) {
	runRealWorld(t, []realWorldCase{
		{name: "wrong types field by field", fixture: "jsonfeed-wrong-types.json", contentType: "application/feed+json",
			titles: []string{"Tags as a string", "Attachment as an object", "Summary as an array"},
			links:  []string{"https://loose.example.org/1001", "https://loose.example.org/1002", "https://loose.example.org/1003"},
			warn:   "2 JSON Feed fields of the wrong type ignored",
			check: func(t *testing.T, p *parsed) {
				e := p.entries
				if e[0].GUID != "1001" || strings.Join(e[0].Categories, ",") != "ocaml" {
					t.Errorf("entry 0: guid %q, categories %q", e[0].GUID, e[0].Categories)
				}
				if len(e[1].Enclosures) != 1 || e[1].Enclosures[0].Length != 12345 {
					t.Errorf("entry 1: enclosures %+v", e[1].Enclosures)
				}
				if strings.Join(e[0].Authors, ",") != "Loose Writer" || strings.Join(e[2].Authors, ",") != "Guest" {
					t.Errorf("authors %q, %q", e[0].Authors, e[2].Authors)
				}
			}},
	})
}

// TestAtomInRSS: issue 11 class 3. Atom elements inside RSS items, under
// any prefix bound to the Atom namespace, give the link and the dates; so
// do Dublin Core terms, and media:title the title, where the item has no
// element of its own.
func TestAtomInRSS(t *testing.T) {
	date := func(i int, published, updated string) func(t *testing.T, p *parsed) {
		return func(t *testing.T, p *parsed) {
			e := p.entries[i]
			if got := e.Published.Format(time.RFC3339); got != published {
				t.Errorf("entry %d published %s, want %s", i, got, published)
			}
			if got := e.Updated.Format(time.RFC3339); got != updated {
				t.Errorf("entry %d updated %s, want %s", i, got, updated)
			}
		}
	}
	runRealWorld(t, []realWorldCase{
		{name: ".NET SyndicationFeed a10:link and a10:updated", fixture: "dotnet-a10.xml",
			titles: []string{"Unikernels in production", "TLS in OCaml"},
			links:  []string{"https://engineering.contoso.example/posts/4711-unikernels-in-production", "https://engineering.contoso.example/posts/4702-tls-in-ocaml"},
			check: func(t *testing.T, p *parsed) {
				date(0, "2024-06-10T08:30:00Z", "2024-06-10T08:30:00Z")(t, p)
				date(1, "2024-06-03T07:00:00Z", "2024-06-04T07:00:00Z")(t, p)
			}},
		{name: "dublin core terms and media:title in RSS 1.0", fixture: "rss1-dcterms.xml",
			titles: []string{"Proceedings of the unikernel workshop", "Recording: opening keynote"},
			check: func(t *testing.T, p *parsed) {
				date(0, "2024-01-15T00:00:00Z", "2024-02-01T09:30:00Z")(t, p)
				date(1, "2024-02-03T09:00:00Z", "2024-02-03T09:00:00Z")(t, p)
			}},
		{name: "atom: prefix", fixture: "rss-atom-prefix.xml",
			titles: []string{"Only an atom:link"},
			links:  []string{"https://notes.example.org/only-atom-link"},
			check:  date(0, "2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z")},
	})
}

// TestMediaDescription: an item that describes itself only in Media RSS
// (in media:group, in media:content, on the item) has that description as
// its summary, as feedparser reads it; it was dropped before. An item's own
// description wins.
func TestMediaDescription(t *testing.T) {
	body := readFixture(t, "realworld/media-description.xml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	defer srv.Close()
	res, err := New(Options{}).Fetch(context.Background(), talkstream.Source{ID: "mrss", Kind: talkstream.SourceBlog, URL: srv.URL + "/feed.xml"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Ten years of library operating systems.<br>\nSlides at the end.",
		"<p>Five talks in <b>25 minutes</b>.</p>",
		"Questions from the room.",
		"The item's own words.",
	}
	if len(res.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(res.Entries), len(want))
	}
	for i, e := range res.Entries {
		if e.Summary != want[i] {
			t.Errorf("%s: summary %q, want %q", e.Title, e.Summary, want[i])
		}
	}
}

// TestLinkChoice: issue 11 class 9. The entry's page is its HTML
// alternate, never a self or enclosure link, nor a guid that says it is no
// permalink; xml:base is honoured, the site link stays the fallback.
func TestLinkChoice(t *testing.T) {
	runRealWorld(t, []realWorldCase{
		{name: "atom rel and type", fixture: "atom-links.xml",
			titles: []string{"A paper with its PDF first", "Only self and enclosure links", "Relative to its xml:base", "Relative to the site"},
			links: []string{"https://lab.example.edu/papers/unikernels/", "", "https://lab.example.edu/news/2024/kickoff.html",
				"https://lab.example.edu/news/2024/relative.html"}},
		{name: "rss guid isPermaLink", fixture: "rss-guid-permalink.xml",
			titles: []string{"A guid that is only an identifier", "A permalink guid", "A guid marked a permalink"},
			links:  []string{"", "https://guids.example.org/2024/05/permalink", "https://guids.example.org/2024/05/marked"}},
	})
}

// TestContentLocation: issue 11 class 9. A Content-Location header names
// the document's own URL, the base of its relative links.
func TestContentLocation(t *testing.T) {
	body := []byte(`<rss version="2.0"><channel><title>No site link</title>` +
		`<item><title>Relative</title><link>posts/1.html</link></item></channel></rss>`)
	for _, tt := range []struct {
		name, location, want string
	}{
		{"without the header: the request URL", "", "/posts/1.html"},
		{"with the header: the document's URL", "/blog/index.xml", "/blog/posts/1.html"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.location != "" {
					w.Header().Set("Content-Location", tt.location)
				}
				w.Header().Set("Content-Type", "application/rss+xml")
				w.Write(body)
			}))
			defer srv.Close()
			res, err := New(Options{}).Fetch(context.Background(), talkstream.Source{ID: "cl", Kind: talkstream.SourceBlog, URL: srv.URL + "/feed?format=rss"})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Entries[0].Link; got != srv.URL+tt.want {
				t.Errorf("link %q, want %q", got, srv.URL+tt.want)
			}
		})
	}
}

// TestPlainTextTitles: issue 11 class 6. A title the feed says is text
// keeps every character, angle brackets included; only an HTML title is
// stripped. What would act if a reader rendered it is defused, not lost.
func TestPlainTextTitles(t *testing.T) {
	runRealWorld(t, []realWorldCase{
		{name: "json feed titles are text", fixture: "jsonfeed-plain-titles.json", contentType: "application/feed+json",
			titles: []string{"The return of <i> and <b>", "<blink>", "Why ‹script>alert(1)‹/script> is a bad title"}},
		{name: "atom title types", fixture: "atom-title-types.xml",
			titles: []string{"The return of <i> and <b>", "<blink>", "Why semantic markup", "An XHTML title",
				"History of the <blink> tag", "Nesting <section> in article"}},
		{name: "atom 0.3 text/plain", fixture: "atom03-text-plain-title.xml",
			titles: []string{"History of the <blink> tag", "An HTML title"}},
		{name: "rss titles are html only when they look like it", fixture: "rss-titles.xml",
			titles: []string{"Nice <gorilla> what's he weigh?", "A bold move", "AT&T sponsors the zoo", "Feeding time: 1 < 2 < 3", "Keepers wanted"}},
	})
}

// TestEnclosureTypes: issue 11 class 10. An enclosure's type is a MIME
// type or is guessed from its URL, never free text.
func TestEnclosureTypes(t *testing.T) {
	runRealWorld(t, []realWorldCase{
		{name: "types", fixture: "enclosure-types.xml",
			titles: []string{"Markup as a type", "An extension as a type", "Upper case and parameters", "No type, unknown extension"},
			check: func(t *testing.T, p *parsed) {
				want := []string{"audio/mpeg", "audio/mp4", "video/webm; codecs=vp9", ""}
				for i, e := range p.entries {
					if len(e.Enclosures) != 1 || e.Enclosures[0].Type != want[i] {
						t.Errorf("entry %d: enclosures %+v, want type %q", i, e.Enclosures, want[i])
					}
				}
			}},
	})
}

// TestMalformedWithoutItems: a feed without items whose last end tag is
// cut is read, with a warning, rather than rejected: nothing was lost.
func TestMalformedWithoutItems(t *testing.T) {
	body := []byte("<rss version=\"2.0\"><channel><title>Quiet</title><link>https://quiet.example/</link></channel></rss")
	p, err := parse(body, "", "https://quiet.example/feed", talkstream.Source{ID: "q"})
	if err != nil {
		t.Fatal(err)
	}
	if p.title != "Quiet" || len(p.entries) != 0 || !strings.Contains(strings.Join(p.warnings, ";"), "malformed feed") {
		t.Errorf("title %q, %d entries, warnings %q", p.title, len(p.entries), p.warnings)
	}
}
