package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

const mergeBase = "base_url: https://example.org/\n"

const mergeSources = "sources:\n  - {id: blog, kind: blog, url: \"https://example.org/f\"}\n  - {id: tube, kind: youtube, channel_id: UC3TI-fmhJ_g3_n9fHaXGZKA}\n"

func TestMergeKeys(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		merge Merge
		hide  []string
		split []Split
	}{
		{"defaults", mergeBase + mergeSources, Merge{TitleWindow: DefaultTitleWindow}, nil, nil},
		{"window in days", mergeBase + "merge: {title_window: 14d}\n" + mergeSources, Merge{TitleWindow: 14 * 24 * time.Hour}, nil, nil},
		{"window off", mergeBase + "merge:\n  title_window: 0\n" + mergeSources, Merge{}, nil, nil},
		{"priority of kinds and ids", mergeBase + "merge:\n  priority: [curated, tube, person, blog]\n" + mergeSources,
			Merge{TitleWindow: DefaultTitleWindow, Priority: []string{"curated", "tube", "person", "blog"}}, nil, nil},
		{"hide", mergeBase + "hide:\n  - 0b818480a2d3e283\n  - 4ceb81a77bc2a281  # spam\n" + mergeSources,
			Merge{TitleWindow: DefaultTitleWindow}, []string{"0b818480a2d3e283", "4ceb81a77bc2a281"}, nil},
		{"split", mergeBase + mergeSources + "split:\n  - item: 11b415ff84830fbb\n    entries:\n      - tube/yt:video:GNc1t6Q5Dls\n      - blog/https://example.org/a/b\n",
			Merge{TitleWindow: DefaultTitleWindow}, nil,
			[]Split{{Item: "11b415ff84830fbb", Entries: []EntryRef{{"tube", "yt:video:GNc1t6Q5Dls"}, {"blog", "https://example.org/a/b"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cfg.Merge, tt.merge) || !reflect.DeepEqual(cfg.Hide, tt.hide) || !reflect.DeepEqual(cfg.Split, tt.split) {
				t.Errorf("got %+v %q %+v, want %+v %q %+v", cfg.Merge, cfg.Hide, cfg.Split, tt.merge, tt.hide, tt.split)
			}
		})
	}
}

func TestMergeKeysInvalid(t *testing.T) {
	split := func(lines ...string) string { return "split:\n" + strings.Join(lines, "\n") + "\n" }
	tests := []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"window syntax", mergeBase + "merge:\n  title_window: a month\n" + mergeSources, 3, `merge.title_window: "a month" is not a duration`},
		{"window too long", mergeBase + "merge:\n  title_window: 400d\n" + mergeSources, 3, "merge.title_window 400d must be between 0 (off) and 365d"},
		{"unknown merge key", mergeBase + "merge:\n  window: 3d\n" + mergeSources, 3, `unknown key "window" (known: priority, title_window)`},
		{"priority unknown", mergeBase + "merge:\n  priority:\n    - curated\n    - vimeo-avsm\n" + mergeSources, 5, `merge.priority: "vimeo-avsm" is neither a source kind`},
		{"priority twice", mergeBase + "merge:\n  priority: [blog, blog]\n" + mergeSources, 3, `merge.priority: "blog" is listed twice`},
		{"hide not an id", mergeBase + "hide:\n  - 0b818480a2d3e283\n  - Keynote\n" + mergeSources, 4, `hide: "Keynote" is not an item id`},
		{"hide twice", mergeBase + "hide: [0b818480a2d3e283, 0b818480a2d3e283]\n" + mergeSources, 2, "hide: 0b818480a2d3e283 is listed twice"},
		{"hide a mapping", mergeBase + "hide:\n  - {item: 0b818480a2d3e283}\n" + mergeSources, 3, "cannot unmarshal"},
		{"split bad item", mergeBase + mergeSources + split("  - item: 11b4", "    entries: [tube/x]"), 6, `split: item "11b4" is not an item id`},
		{"split no entries", mergeBase + mergeSources + split("  - item: 11b415ff84830fbb"), 6, "split: list the entries to take out of item 11b415ff84830fbb under entries:"},
		{"split entry shape", mergeBase + mergeSources + split("  - item: 11b415ff84830fbb", "    entries:", "      - yt:video:GNc1t6Q5Dls"), 8,
			`split: entry "yt:video:GNc1t6Q5Dls" must be source-id/entry-id`},
		{"split unknown source", mergeBase + mergeSources + split("  - item: 11b415ff84830fbb", "    entries:", "      - vimeo/123"), 8, `split: entry "vimeo/123": no source "vimeo"`},
		{"split entry twice", mergeBase + mergeSources + split("  - item: 11b415ff84830fbb", "    entries: [tube/a]", "  - item: 4ceb81a77bc2a281", "    entries:", "      - tube/a"), 10,
			`split: entry "tube/a" is already split out at line 7`},
		{"split unknown key", mergeBase + mergeSources + split("  - item: 11b415ff84830fbb", "    entry: [tube/a]"), 7, `unknown key "entry" (known: entries, item)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(tt.yaml))
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("want Errors, got %v", err)
			}
			e := es[0]
			if e.File != "feeds.yaml" || e.Line != tt.line || !strings.Contains(e.Msg, tt.want) {
				t.Errorf("got %q (line %d), want line %d containing %q", e, e.Line, tt.line, tt.want)
			}
		})
	}
}
