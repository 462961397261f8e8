package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCLI imports the OPML exports of Miniflux, FreshRSS and Feedly
// into the project's own feeds.yaml, one after another, through the
// command line: every line of the file stays, the feeds already configured
// are skipped, and check accepts the result.
func TestImportCLI(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"feeds.yaml", "talks.yaml"} {
		b, err := os.ReadFile(filepath.Join("../..", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := filepath.Join(dir, "feeds.yaml")
	tests := []struct {
		file     string
		out      []string // lines of the output, in order
		notAdded []string
	}{
		{file: "miniflux.opml", out: []string{
			"skipped https://mirageos.org/feed.xml: already configured as mirage-blog",
			"added   ocaml-planet (blog) https://ocaml.org/feed.xml",
			"skipped https://www.youtube.com/feeds/videos.xml?channel_id=UC3TI-fmhJ_g3_n9fHaXGZKA: already configured as",
			"added   videos-of-the-ocaml-channel (peertube) https://watch.ocaml.org/feeds/videos.xml?videoChannelId=3",
		}},
		{file: "freshrss.opml", out: []string{
			"skipped https://hannes.robur.coop/atom: already configured as hannes",
			"skipped https://blog.robur.coop/feed.xml: already configured as robur",
			"skipped https://vimeo.com/avsm/videos/rss: already configured as avsm-vimeo",
			"added   etienne-millon-talks (blog) https://emillon.example/talks.xml",
			"added   etienne-millon-talks-2 (blog) https://emillon.example/talks-fr.xml",
		}},
		{file: "feedly.opml", out: []string{
			"skipped https://tarides.com/feed.xml: already configured as tarides",
			"skipped https://www.youtube.com/feeds/videos.xml?playlist_id=PLyrlk8Xaylp7Tq5-ZN6jkir-sYrhGi_0E: already configured as ocaml-workshop-2023-youtube",
			"added   media-ccc-de-news (blog) https://media.ccc.de/news.atom",
			"skipped https://tarides.com/feed.xml: already configured as tarides",
			"added 1 sources, skipped 3",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			before, err := os.ReadFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			code, out, errOut := cli(t, "import", "-config", cfg, filepath.Join("../../config/testdata/opml", tt.file))
			if code != 0 {
				t.Fatalf("exit %d: %s%s", code, out, errOut)
			}
			rest := out
			for _, w := range tt.out {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
			after, err := os.ReadFile(cfg)
			if err != nil {
				t.Fatal(err)
			}
			// Every line stays, in its order: the import only inserts.
			lines := strings.Split(string(after), "\n")
			j := 0
			for _, l := range strings.Split(string(before), "\n") {
				for j < len(lines) && lines[j] != l {
					j++
				}
				if j == len(lines) {
					t.Fatalf("line %q lost or moved", l)
				}
				j++
			}
			if code, out, errOut := cli(t, "check", "-config", cfg); code != 0 {
				t.Fatalf("check: exit %d: %s%s", code, out, errOut)
			}
		})
	}
	t.Run("usage", func(t *testing.T) {
		if code, _, _ := cli(t, "import", "-config", cfg); code != 2 {
			t.Errorf("no file: exit %d, want 2", code)
		}
		if code, _, errOut := cli(t, "import", "-config", cfg, filepath.Join(dir, "talks.yaml")); code != 1 || !strings.Contains(errOut, "opml") {
			t.Errorf("not OPML: exit %d, %s", code, errOut)
		}
	})
}
