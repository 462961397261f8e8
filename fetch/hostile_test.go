package fetch

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/talkstream/talkstream"
)

// TestUndeclaredCharset: a body that declares no encoding and is not UTF-8
// is read as Windows-1251 when it is Cyrillic, else as Windows-1252.
func TestUndeclaredCharset(t *testing.T) {
	for _, tt := range []struct {
		name string
		cm   *charmap.Charmap
		text string
	}{
		{"russian", charmap.Windows1251, "Доклад о MirageOS в Москве"},
		{"ukrainian", charmap.Windows1251, "Юнікернели: доповідь"},
		{"one cyrillic word", charmap.Windows1251, "Unikernels: Доклад"},
		{"french", charmap.Windows1252, "Crème brûlée à Zürich, créée à Genève"},
		{"german capitals", charmap.Windows1252, "ÄRGER ÜBER GRÖßE"},
		{"smart quotes", charmap.Windows1252, "“Unikernels” — a talk… €5"},
		{"latin-1", charmap.ISO8859_1, "Ångström ± 5 °C"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			body, err := tt.cm.NewEncoder().Bytes([]byte(`<rss version="2.0"><channel><title>` + tt.text + `</title></channel></rss>`))
			if err != nil {
				t.Fatal(err)
			}
			got := string(toUTF8(body, "application/rss+xml"))
			if !strings.Contains(got, tt.text) {
				t.Errorf("decoded %q, want %q in it", got, tt.text)
			}
		})
	}
}

// TestControlCharacterReferences: &#x1; stops Go's XML decoder; the feed
// is read without it rather than rejected.
func TestControlCharacterReferences(t *testing.T) {
	body := `<rss version="2.0"><channel><title>t</title>
<item><title>Bell&#x7; and &#1;nul&#0; &#xFFFE;</title><link>https://e.org/a</link><description>&#x1F;ok &#233; &#x1F600;</description></item>
<item><title>Second</title><link>https://e.org/b</link></item></channel></rss>`
	p, err := parse([]byte(body), "", "https://e.org/feed", talkstream.Source{ID: "c", Kind: talkstream.SourceBlog})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.entries) != 2 || p.entries[0].Title != "Bell and nul" || p.entries[0].Summary != "ok é 😀" {
		t.Errorf("entries %+v", p.entries)
	}
}

// TestEntryCleaning: what translate does to hostile fields.
func TestEntryCleaning(t *testing.T) {
	parseOne := func(t *testing.T, item string) []talkstream.Entry {
		t.Helper()
		p, err := parse([]byte(`<rss version="2.0"><channel><title>t</title>`+item+`</channel></rss>`), "", "https://e.org/feed",
			talkstream.Source{ID: "c", Kind: talkstream.SourceBlog})
		if err != nil {
			t.Fatal(err)
		}
		return p.entries
	}
	t.Run("empty items are dropped", func(t *testing.T) {
		if es := parseOne(t, `<item></item><item><guid>only-a-guid</guid></item><item><title>kept</title></item>`); len(es) != 1 || es[0].Title != "kept" {
			t.Errorf("entries %+v", es)
		}
	})
	t.Run("implausible dates are no dates", func(t *testing.T) {
		for _, d := range []string{"Mon, 01 Jan 0001 00:00:01 GMT", "Wed, 01 Jan 1000 00:00:00 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "not a date"} {
			es := parseOne(t, `<item><title>x</title><pubDate>`+d+`</pubDate></item>`)
			if !es[0].Published.IsZero() {
				t.Errorf("%s: published %v", d, es[0].Published)
			}
		}
		// The future is kept: merge clamps it to when the entry was first seen.
		es := parseOne(t, `<item><title>x</title><pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>`)
		if want := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC); !es[0].Published.Equal(want) {
			t.Errorf("published %v, want %v", es[0].Published, want)
		}
	})
	t.Run("long texts are capped", func(t *testing.T) {
		long := strings.Repeat("word ", 50000)
		es := parseOne(t, `<item><title>`+long+`</title><category>`+long+`</category><author>x@e.org (`+long+`)</author></item>`)
		e := es[0]
		if n := utf8.RuneCountInString(e.Title); n > maxTitleRunes+1 || !strings.HasSuffix(e.Title, "…") {
			t.Errorf("title of %d runes", n)
		}
		if n := utf8.RuneCountInString(e.Categories[0]); n > maxNameRunes+1 {
			t.Errorf("category of %d runes", n)
		}
	})
}

func TestCapRunes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"one two three", 8, "one two…"},
		{"ÅÅÅÅÅ", 3, "ÅÅÅ…"},
		{"👋🏽👋🏽", 2, "👋🏽…"},
	} {
		if got := capRunes(tt.in, tt.n); got != tt.want {
			t.Errorf("capRunes(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

func TestStatusText(t *testing.T) {
	got := statusText("500 " + strings.Repeat("é", 200) + "\x01\xff")
	if len(got) > maxStatusText+len("…") || !utf8.ValidString(got) || strings.ContainsRune(got, 1) {
		t.Errorf("statusText = %q", got)
	}
	if got := statusText("404 Not\x07 Found"); got != "404 Not Found" {
		t.Errorf("statusText = %q", got)
	}
}
