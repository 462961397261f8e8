package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/talkstream/talkstream"
)

// importBase is a config in the layout people write: comments, blank
// lines, a flow mapping, and a key after sources:.
const importBase = `# My planet.
base_url: https://example.org/   # where it lives

sources:
  # The project blog.
  - id: blog
    kind: blog
    url: https://mirageos.org/feed.xml

  - {id: tarides, kind: blog, url: "https://tarides.com/feed.xml"}   # flow style

# Speakers come after the sources here.
speakers:
  - {id: anil, name: Anil Madhavapeddy}
`

func TestImport(t *testing.T) {
	feeds := []OPMLFeed{
		{Title: "The MirageOS blog", URL: "https://MirageOS.org/feed.xml/"},
		{Title: "FUN OCaml", URL: "https://www.youtube.com/feeds/videos.xml?channel_id=UC3TI-fmhJ_g3_n9fHaXGZKA", Category: "Video"},
		{Title: "Anil on Vimeo", URL: "https://vimeo.com/avsm/videos/rss", Site: "https://vimeo.com/avsm"},
		{Title: "OCaml videos", URL: "https://watch.ocaml.org/feeds/videos.xml?videoChannelId=3"},
		{Title: "Blog: the # and the ': '", URL: "https://blog.example/feed", Site: "javascript:alert(1)", Category: "Tech / OCaml"},
		{Title: "Blog", URL: "https://blog.example/other"},
		{Title: "Blog", URL: "https://blog.example/other"},
		{Title: "Tarides", URL: "https://tarides.com/feed.xml"},
		{Title: "FUN OCaml uploads", URL: "https://www.youtube.com/feeds/videos.xml?playlist_id=UULF3TI-fmhJ_g3_n9fHaXGZKA"},
		{Title: "Gopher", URL: "gopher://old.example/1"},
		{Title: "", URL: "https://www.untitled.example/rss"},
	}
	want := []struct {
		id     string
		kind   talkstream.SourceKind
		reason string
	}{
		{reason: "already configured as blog"},
		{id: "fun-ocaml", kind: talkstream.SourceYouTube},
		{id: "anil-on-vimeo", kind: talkstream.SourceVimeo},
		{id: "ocaml-videos", kind: talkstream.SourcePeerTube},
		{id: "blog-the-and-the", kind: talkstream.SourceBlog},
		{id: "blog-2", kind: talkstream.SourceBlog}, // "blog" is taken
		{reason: "already configured as blog-2"},
		{reason: "already configured as tarides"},
		{reason: "already configured as fun-ocaml"}, // the same channel's uploads
		{reason: "not an http(s) URL"},
		{id: "untitled-example", kind: talkstream.SourceBlog},
	}
	abs := filepath.Join(t.TempDir(), "feeds.yaml")
	out, done, err := Import("feeds.yaml", abs, []byte(importBase), feeds)
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		t.Run(feeds[i].URL, func(t *testing.T) {
			if got := done[i]; got.ID != w.id || got.Kind != w.kind || got.Reason != w.reason {
				t.Errorf("got %s %s %q, want %s %s %q", got.ID, got.Kind, got.Reason, w.id, w.kind, w.reason)
			}
		})
	}
	t.Run("the file keeps its text and gains the sources", func(t *testing.T) {
		text := string(out)
		before, after, ok := strings.Cut(importBase, "\n# Speakers come after")
		if !ok || !strings.HasPrefix(text, before) || !strings.HasSuffix(text, "\n# Speakers come after"+after) {
			t.Fatalf("the original text moved:\n%s", text)
		}
		cfg, err := Parse("feeds.yaml", abs, out)
		if err != nil {
			t.Fatalf("%v\n%s", err, text)
		}
		if len(cfg.Sources) != 2+6 {
			t.Errorf("%d sources", len(cfg.Sources))
		}
		for _, s := range cfg.Sources {
			if s.ID == "blog-the-and-the" && (s.Title != "Blog: the # and the ': '" || s.Site != "") {
				t.Errorf("blog-the-and-the = %+v", s)
			}
		}
		if !strings.Contains(text, "  # Tech / OCaml\n  - id: blog-the-and-the\n") {
			t.Errorf("no category comment:\n%s", text)
		}
	})
	t.Run("again: nothing to add, the file is unchanged", func(t *testing.T) {
		again, done, err := Import("feeds.yaml", abs, out, feeds)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(out) {
			t.Errorf("changed")
		}
		for _, d := range done {
			if d.Reason == "" {
				t.Errorf("added %s again", d.ID)
			}
		}
	})
}

func TestImportRefuses(t *testing.T) {
	feeds := []OPMLFeed{{Title: "A", URL: "https://a.example/feed"}}
	tests := []struct{ name, config, err string }{
		{"a flow list", "base_url: https://example.org/\nsources: [{id: b, kind: blog, url: \"https://b.example/\"}]\n", "flow list"},
		{"an invalid config", "base_url: https://example.org/\nsources:\n  - {id: b, kind: nope}\n", "unknown kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Import("feeds.yaml", "/tmp/feeds.yaml", []byte(tt.config), feeds)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("error %v, want %q", err, tt.err)
			}
		})
	}
}

// FuzzImport imports any OPML into a config: it may refuse, never panic,
// and what it returns is a valid config.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"miniflux.opml", "freshrss.opml", "feedly.opml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "opml", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		feeds, err := ParseOPML(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		out, _, err := Import("feeds.yaml", "/tmp/feeds.yaml", []byte(importBase), feeds)
		if err != nil {
			return
		}
		if _, err := Parse("feeds.yaml", "/tmp/feeds.yaml", out); err != nil {
			t.Errorf("invalid result: %v", err)
		}
	})
}
