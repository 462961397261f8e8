package config

import (
	"slices"
	"strings"
	"testing"
)

// TestPeerTubeHosts checks that the instances of the peertube sources
// become the hosts whose players the pages may load, and that a peertube
// source needs its feed's url.
func TestPeerTubeHosts(t *testing.T) {
	tests := []struct {
		name, sources string
		want          []string
		err           string
	}{
		{name: "none", sources: "  - {id: b, kind: blog, url: \"https://example.org/f\"}\n"},
		{name: "two instances, one twice", sources: "  - {id: ocaml, kind: peertube, url: \"https://watch.ocaml.org/feeds/videos.xml?videoChannelId=12\"}\n" +
			"  - {id: ocaml-2, kind: peertube, url: \"https://watch.ocaml.org/feeds/videos.xml?accountId=3\"}\n" +
			"  - {id: other, kind: peertube, url: \"https://tube.example:8443/feeds/videos.xml?videoChannelId=1\"}\n",
			want: []string{"watch.ocaml.org", "watch.ocaml.org", "tube.example:8443"}},
		{name: "a plain http instance gets no player", sources: "  - {id: p, kind: peertube, url: \"http://tube.example/feeds/videos.xml\"}\n"},
		{name: "fetched through another address: the site's host", sources: "  - {id: p, kind: peertube, url: \"http://127.0.0.1:8089/peertube.xml\", site: \"https://watch.ocaml.org/\"}\n",
			want: []string{"watch.ocaml.org"}},
		{name: "no url", sources: "  - {id: p, kind: peertube}\n", err: "kind peertube needs a url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(fetchBase+"sources:\n"+tt.sources))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.PublishOptions().PeerTubeHosts; !slices.Equal(got, tt.want) {
				t.Errorf("PeerTubeHosts = %q, want %q", got, tt.want)
			}
		})
	}
}
