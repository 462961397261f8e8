package fetch

import (
	"strings"
	"testing"

	"github.com/talkstream/talkstream"
)

// realWorldCase is one fixture in the shape of a feed that issue 11 found
// read wrongly on real sites, and what a good reader makes of it.
type realWorldCase struct {
	name, fixture, contentType string
	titles                     []string // every entry's title, in order
	links                      []string // every entry's link, in order (nil: not checked)
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
