package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream/merge"
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

func TestMergeOptions(t *testing.T) {
	speakers := "speakers:\n  - {id: anil, name: Anil Madhavapeddy, aliases: [avsm]}\n"
	events := "events:\n  - {id: fosdem, name: FOSDEM, match: \"(?i)fosdem\"}\n"
	rules := "rules:\n  - {match: \"(?i)podcast\", kind: podcast, tags: [audio]}\n"
	tests := []struct {
		name   string
		yaml   string
		window time.Duration
		check  func(t *testing.T, o merge.Options)
	}{
		{"defaults", mergeBase + mergeSources, DefaultTitleWindow, nil},
		{"window off is negative", mergeBase + "merge: {title_window: 0}\n" + mergeSources, -1, nil},
		{"everything", mergeBase + speakers + events + rules +
			"merge: {title_window: 14d, priority: [tube, blog]}\nhide: [0b818480a2d3e283]\n" + mergeSources +
			"split:\n  - item: 11b415ff84830fbb\n    entries: [tube/yt:video:GNc1t6Q5Dls]\n",
			14 * 24 * time.Hour, func(t *testing.T, o merge.Options) {
				want := merge.Options{
					Sources:     o.Sources,
					Speakers:    []merge.Speaker{{ID: "anil", Name: "Anil Madhavapeddy", Aliases: []string{"avsm"}}},
					Events:      o.Events,
					Rules:       o.Rules,
					TitleWindow: 14 * 24 * time.Hour,
					Priority:    []string{"tube", "blog"},
					Hide:        []string{"0b818480a2d3e283"},
					Split:       []merge.Split{{Item: "11b415ff84830fbb", Entries: []merge.EntryRef{{Source: "tube", Entry: "yt:video:GNc1t6Q5Dls"}}}},
				}
				if !reflect.DeepEqual(o, want) {
					t.Errorf("got %+v\nwant %+v", o, want)
				}
				if len(o.Events) != 1 || o.Events[0].ID != "fosdem" || o.Events[0].Match.String() != "(?i)fosdem" {
					t.Errorf("events %+v", o.Events)
				}
				if len(o.Rules) != 1 || o.Rules[0].Kind != "podcast" || !reflect.DeepEqual(o.Rules[0].Tags, []string{"audio"}) {
					t.Errorf("rules %+v", o.Rules)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			o := cfg.MergeOptions()
			if o.TitleWindow != tt.window {
				t.Errorf("title window %v, want %v", o.TitleWindow, tt.window)
			}
			if len(o.Sources) != 2 {
				t.Errorf("%d sources, want 2", len(o.Sources))
			}
			if tt.check != nil {
				tt.check(t, o)
			}
		})
	}
}
