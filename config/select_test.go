package config

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/talkstream/talkstream"
)

// Sources of the formats issue 14 added: kind peertube, and select: for
// pages without microformats or JSON-LD.
func TestPeerTubeAndSelect(t *testing.T) {
	head := "base_url: https://example.org/\nsources:\n"
	tests := []struct {
		name, yaml string
		wantErr    string // "" for valid
		check      func(t *testing.T, s talkstream.Source)
	}{
		{"peertube", "  - {id: pt, kind: peertube, url: \"https://watch.ocaml.org/feeds/videos.xml?videoChannelId=42\"}\n", "",
			func(t *testing.T, s talkstream.Source) {
				if s.Kind != talkstream.SourcePeerTube || s.URL == "" {
					t.Errorf("source %+v", s)
				}
			}},
		{"peertube needs a url", "  - {id: pt, kind: peertube}\n", "kind peertube needs a url", nil},
		{"select", "  - id: talks\n    kind: person\n    url: https://hannes.example.org/talks.html\n    select:\n      item: li.talk\n      title: a.title\n      link: a.title@href\n      date: .when\n      speakers: .who\n      summary: .abstract\n", "",
			func(t *testing.T, s talkstream.Source) {
				want := talkstream.Select{Item: "li.talk", Title: "a.title", Link: "a.title@href", Date: ".when", Speakers: ".who", Summary: ".abstract"}
				if s.Select == nil || *s.Select != want {
					t.Errorf("select %+v, want %+v", s.Select, want)
				}
			}},
		{"select with a bad selector", "  - id: talks\n    kind: person\n    url: https://h.example.org/\n    select: {item: \"li[[\", title: a}\n", "select: item:", nil},
		{"select without item", "  - id: talks\n    kind: person\n    url: https://h.example.org/\n    select: {title: a}\n", "select: item is required", nil},
		{"select unknown key", "  - id: talks\n    kind: person\n    url: https://h.example.org/\n    select: {item: li, titel: a}\n", "titel", nil},
		{"select on a video source", "  - id: v\n    kind: peertube\n    url: https://h.example.org/feed\n    select: {item: li, title: a}\n", "not for kind peertube", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("feeds.yaml", filepath.Join(t.TempDir(), "feeds.yaml"), []byte(head+tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, cfg.Sources[0])
		})
	}
}
