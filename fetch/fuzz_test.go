package fetch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/internal/htmltext"
)

// FuzzParse: decoding, parsing and translating any body never panics, and
// failures are always ErrNotFeed.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, pattern := range []string{"*.html", "*.ics", "*.json"} {
		more, _ := filepath.Glob(filepath.Join("testdata", pattern))
		files = append(files, more...)
	}
	realWorld, _ := filepath.Glob(filepath.Join("testdata", "realworld", "*"))
	files = append(files, realWorld...)
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, "")
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","url":"/a","title":"<b>x</b>"}]}`), "application/feed+json")
	f.Add([]byte("<rss><channel><item><link>%zz</link><enclosure url=\"::\" length=\"-1\"/></item></channel></rss>"), "text/xml; charset=latin1")
	f.Add([]byte("<feed xmlns='http://www.w3.org/2005/Atom' xmlns:yt='http://www.youtube.com/xml/schemas/2015'><entry><yt:videoId>../x</yt:videoId></entry></feed>"), "")
	f.Add([]byte("\xFE\xFF\x00<"), "text/xml; charset=utf-16")

	kinds := []talkstream.SourceKind{talkstream.SourceBlog, talkstream.SourceYouTube, talkstream.SourceVimeo, talkstream.SourcePeerTube}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		for _, kind := range kinds {
			src := talkstream.Source{ID: "fuzz", Kind: kind}
			p, err := parse(body, contentType, "https://example.org/feed.xml", src)
			if err != nil {
				continue
			}
			for _, e := range p.entries {
				if e.SourceID != "fuzz" {
					t.Fatalf("SourceID %q", e.SourceID)
				}
				// One-line texts are clean: no markup that would act if
				// rendered (plain-text titles may mention a bare <i>), no
				// control characters, bounded.
				for _, s := range append(append(append([]string{e.Title, e.Location, e.Event}, e.Authors...), e.Categories...), e.Speakers...) {
					if htmltext.Line(s) != s || strings.IndexFunc(s, htmltext.IsStrayControl) >= 0 || utf8.RuneCountInString(s) > maxTitleRunes+1 {
						t.Fatalf("unclean text %q", s)
					}
				}
				if !e.Published.IsZero() && (e.Published.Before(minDate) || e.Published.After(maxDate)) {
					t.Fatalf("implausible date %v", e.Published)
				}
				if emptyEntry(&e) {
					t.Fatalf("empty entry %+v", e)
				}
			}
		}
	})
}

// FuzzCurated: any file either parses or fails with an error, never a panic.
func FuzzCurated(f *testing.F) {
	for _, name := range []string{"curated.yaml", "curated-unknown-key.yaml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("entries:\n  - {title: T, date: 2015-01, links: [{role: video, url: 'https://youtu.be/nxofKgwgjHs'}]}\n"))
	f.Add([]byte("entries: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseCurated("fuzz.yaml", data, "fuzz")
		if err == nil && entries == nil {
			t.Fatal("nil entries without an error")
		}
	})
}
