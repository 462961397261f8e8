package fetch

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// TestTranslateGolden parses each fixture feed and compares the translated
// entries with testdata/golden/NAME.json; run with -update to rewrite them.
func TestTranslateGolden(t *testing.T) {
	tests := []struct {
		name, fixture, contentType, feedURL string
		kind                                talkstream.SourceKind
	}{
		{"atom", "atom.xml", "application/atom+xml", "https://mirageos.org/feed.xml", talkstream.SourceBlog},
		{"rss", "rss.xml", "application/rss+xml", "https://anil.recoil.org/news.xml", talkstream.SourcePerson},
		{"youtube", "youtube.xml", "text/xml; charset=UTF-8", "https://www.youtube.com/feeds/videos.xml?channel_id=UC_QIfHvN9auy2CoOdSfMWDw", talkstream.SourceYouTube},
		{"vimeo", "vimeo.xml", "application/rss+xml", "https://vimeo.com/avsm/videos/rss", talkstream.SourceVimeo},
		{"latin1-prolog", "latin1-prolog.xml", "", "https://example.org/feed.xml", talkstream.SourceBlog},
		{"latin1-noprolog", "latin1-noprolog.xml", "application/rss+xml; charset=iso-8859-1", "https://example.org/feed.xml", talkstream.SourceBlog},
		{"cp1252-nocharset", "cp1252-nocharset.xml", "", "https://example.org/feed.xml", talkstream.SourceBlog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := talkstream.Source{ID: tt.name, Kind: tt.kind, URL: tt.feedURL}
			p, err := parse(readFixture(t, tt.fixture), tt.contentType, tt.feedURL, src)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // keep the HTML in the golden files readable
			enc.SetIndent("", "\t")
			err = enc.Encode(struct {
				Title, Link string
				Entries     []talkstream.Entry
			}{p.title, p.link, p.entries})
			if err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			golden := filepath.Join("testdata", "golden", tt.name+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("translation of %s differs from %s (go test -update rewrites it)\ngot:\n%s", tt.fixture, golden, got)
			}
		})
	}
}

func TestParseMediaDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"1934", 1934 * time.Second},
		{"141.5", 142 * time.Second},
		{"1:02:03", time.Hour + 2*time.Minute + 3*time.Second},
		{"12:30", 12*time.Minute + 30*time.Second},
		{"-5", 0},
		{"abc", 0},
		{"1:2:3:4", 0},
		{"1e300", 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseMediaDuration(tt.in); got != tt.want {
				t.Errorf("parseMediaDuration(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestToUTF8(t *testing.T) {
	tests := []struct {
		name        string
		in          []byte
		contentType string
		want        string
	}{
		{"utf-8 untouched", []byte("<rss>é</rss>"), "", "<rss>é</rss>"},
		{"bom stripped", []byte("\xEF\xBB\xBF<rss/>"), "", "<rss/>"},
		{"declared latin-1 left to the parser", []byte("<?xml version='1.0' encoding='ISO-8859-1'?><rss>\xE9</rss>"), "text/xml; charset=utf-8", "<?xml version='1.0' encoding='ISO-8859-1'?><rss>\xE9</rss>"},
		{"header charset", []byte("<rss>\xE9</rss>"), "text/xml; charset=iso-8859-1", "<rss>é</rss>"},
		{"windows-1252 fallback", []byte("<rss>\x93hi\x94</rss>"), "", "<rss>“hi”</rss>"},
		{"declared utf-8 but latin-1", []byte(`<?xml version="1.0" encoding="UTF-8"?><rss>caf` + "\xE9</rss>"), "", `<?xml version="1.0" encoding="UTF-8"?><rss>café</rss>`},
		{"mostly utf-8 keeps its characters", []byte("<rss>é\xFF</rss>"), "", "<rss>é\uFFFD</rss>"},
		{"utf-16 rewrites the declaration", []byte("\xFF\xFE<\x00?\x00x\x00m\x00l\x00 \x00v\x00e\x00r\x00s\x00i\x00o\x00n\x00=\x00'\x001\x00'\x00 \x00e\x00n\x00c\x00o\x00d\x00i\x00n\x00g\x00=\x00'\x00U\x00T\x00F\x00-\x001\x006\x00'\x00?\x00>\x00\xE9\x00"), "", "<?xml version='1' encoding='UTF-8'?>é"},
		{"unknown declared encoding", []byte("<?xml version='1.0' encoding='x-klingon'?><rss>\xE9</rss>"), "", "<?xml version='1.0' encoding='UTF-8'?><rss>é</rss>"},
		{"utf-16 declared on ascii", []byte(`<?xml version="1.0" encoding="UTF-16"?><rss>é</rss>`), "", `<?xml version="1.0" encoding="UTF-8"?><rss>é</rss>`},
		{"unknown header charset", []byte("<rss>x</rss>"), "text/xml; charset=klingon", "<rss>x</rss>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(toUTF8(tt.in, tt.contentType)); got != tt.want {
				t.Errorf("toUTF8 = %q, want %q", got, tt.want)
			}
		})
	}
}
