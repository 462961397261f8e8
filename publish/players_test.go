package publish

import (
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

// TestPlayers checks the click-to-play cards of PeerTube and media.ccc.de
// videos and the pages' Content-Security-Policy, which lets exactly their
// players in.
func TestPlayers(t *testing.T) {
	opts := fixtureOptions()
	opts.PeerTubeHosts = []string{"Watch.OCaml.org", "bad host\r\nX-Evil: 1"}
	video := func(id string, v *talkstream.Video) talkstream.Item {
		return talkstream.Item{ID: id, Kind: talkstream.KindTalk, Title: "Talk " + id, Link: v.URL, Video: v,
			Published: date(2025, 1, 1), Entries: []talkstream.ItemEntry{{Role: talkstream.RoleVideo, Entry: talkstream.Entry{SourceID: "mirage-blog", Link: v.URL}}}}
	}
	items := []talkstream.Item{
		video("pt00000000000001", &talkstream.Video{Provider: "peertube", ID: "9c9de5e8-0a1e-484a-b099-e80766180a6d",
			URL: "https://watch.ocaml.org/w/kyLe4tLDCZZxvuCfzKFPUT", Duration: 30 * time.Minute}),
		video("pt00000000000002", &talkstream.Video{Provider: "peertube", ID: "kyLe4tLDCZZxvuCfzKFPUT",
			URL: "https://tube.example/w/kyLe4tLDCZZxvuCfzKFPUT"}),
		video("cc00000000000001", &talkstream.Video{Provider: "mediaccc", ID: "36c3-10980-unikernels",
			URL: "https://media.ccc.de/v/36c3-10980-unikernels"}),
	}
	s, err := renderSite(t, opts, items, fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	page := string(body(t, s, "/"))
	tests := []struct{ name, want string }{
		{"peertube player, p2p off", `href="https://watch.ocaml.org/w/kyLe4tLDCZZxvuCfzKFPUT" data-embed="https://watch.ocaml.org/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d?p2p=0"`},
		{"peertube on an instance nobody configured: a link", `<a class="thumb poster peertube" href="https://tube.example/w/kyLe4tLDCZZxvuCfzKFPUT" aria-label="Video on PeerTube: Talk pt00000000000002">`},
		{"media.ccc.de player", `href="https://media.ccc.de/v/36c3-10980-unikernels" data-embed="https://media.ccc.de/v/36c3-10980-unikernels/oembed"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(page, tt.want) {
				t.Errorf("page lacks %s", tt.want)
			}
		})
	}
	t.Run("csp", func(t *testing.T) {
		csp := serve(s.pub, "GET", "/", nil).Header().Get("Content-Security-Policy")
		want := "frame-src https://www.youtube-nocookie.com https://player.vimeo.com https://media.ccc.de https://watch.ocaml.org;"
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	})
}
