package config

import (
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/merge"
)

// The merge:, hide: and split: keys: how entries become items, and the
// operator's corrections, which take effect on the next build without a
// refetch.

// DefaultTitleWindow is how far apart two entries' dates may be for equal
// titles to make them one item.
const DefaultTitleWindow = 30 * 24 * time.Hour

// maxTitleWindow bounds merge.title_window: a talk's uploads and posts
// come within weeks; a year would merge a talk given again.
const maxTitleWindow = 365 * 24 * time.Hour

// Merge is the merge: block.
type Merge struct {
	// TitleWindow: entries whose normalised titles are equal are one item
	// when their dates are at most this far apart. 0 turns title matching
	// off.
	TitleWindow time.Duration
	// Priority orders sources for an item's title and summary: source
	// kinds or source ids, most trusted first; empty means the default
	// (curated, person, blog, events, youtube, vimeo).
	Priority []string
}

// Split is one split: rule: Entries leave Item and become one new item
// together, which keys never merge into again.
type Split struct {
	Item    string
	Entries []EntryRef
}

// EntryRef names an entry as `talkstream explain` prints it:
// "source-id/entry-id".
type EntryRef struct {
	Source, Entry string
}

type rawMerge struct {
	TitleWindow string   `yaml:"title_window"`
	Priority    []string `yaml:"priority"`
}

type rawSplit struct {
	Item    string   `yaml:"item"`
	Entries []string `yaml:"entries"`
}

// itemIDPattern is the shape of an item id (merge.ItemID).
var itemIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// moderation validates merge:, hide: and split: against the sources.
func (v *validator) moderation(raw *rawConfig, root *yaml.Node, sources []talkstream.Source) (Merge, []string, []Split) {
	m := Merge{TitleWindow: DefaultTitleWindow}
	known := map[string]bool{}
	for _, s := range sources {
		known[s.ID] = true
	}
	if rm := raw.Merge; rm != nil {
		node := valueOf(root, "merge")
		at := func(key string) int { return keyLine(node, key, node.Line) }
		if rm.TitleWindow != "" {
			switch d, err := ParseDuration(rm.TitleWindow); {
			case err != nil:
				v.add(at("title_window"), "", "merge.title_window: %v", err)
			case d < 0 || d > maxTitleWindow:
				v.add(at("title_window"), "", "merge.title_window %s must be between 0 (off) and 365d", rm.TitleWindow)
			default:
				m.TitleWindow = d
			}
		}
		kinds := map[string]bool{}
		for _, k := range talkstream.SourceKinds {
			kinds[string(k)] = true
		}
		seen := map[string]bool{}
		for i, p := range rm.Priority {
			line := itemLine(node, "priority", i)
			switch {
			case !kinds[p] && !known[p]:
				v.add(line, "", "merge.priority: %q is neither a source kind (%s) nor a source id", p, sourceKindList())
			case seen[p]:
				v.add(line, "", "merge.priority: %q is listed twice", p)
			}
			seen[p] = true
			m.Priority = append(m.Priority, p)
		}
	}

	var hide []string
	hidden := map[string]bool{}
	for i, id := range raw.Hide {
		line := itemLine(root, "hide", i)
		id = strings.TrimSpace(id)
		switch {
		case !itemIDPattern.MatchString(id):
			v.add(line, "", "hide: %q is not an item id (16 hex digits, as talkstream explain prints it)", id)
		case hidden[id]:
			v.add(line, "", "hide: %s is listed twice", id)
		}
		hidden[id] = true
		hide = append(hide, id)
	}

	var splits []Split
	pinned := map[EntryRef]int{} // entry → line of the rule that names it
	seq := valueOf(root, "split")
	for i, rs := range raw.Split {
		line := itemLine(root, "split", i)
		var node *yaml.Node
		if seq != nil && seq.Kind == yaml.SequenceNode && i < len(seq.Content) {
			node = seq.Content[i]
		}
		s := Split{Item: strings.TrimSpace(rs.Item)}
		if !itemIDPattern.MatchString(s.Item) {
			v.add(keyLine(node, "item", line), "", "split: item %q is not an item id (16 hex digits, as talkstream explain prints it)", rs.Item)
		}
		if len(rs.Entries) == 0 {
			v.add(line, "", "split: list the entries to take out of item %s under entries:", s.Item)
		}
		for j, e := range rs.Entries {
			eline := itemLine(node, "entries", j)
			src, entry, ok := strings.Cut(strings.TrimSpace(e), "/")
			ref := EntryRef{Source: src, Entry: entry}
			switch {
			case !ok || src == "" || entry == "":
				v.add(eline, "", "split: entry %q must be source-id/entry-id, as talkstream explain prints it", e)
				continue
			case !known[src]:
				v.add(eline, "", "split: entry %q: no source %q", e, src)
				continue
			}
			if first, dup := pinned[ref]; dup {
				v.add(eline, "", "split: entry %q is already split out at line %d", e, first)
				continue
			}
			pinned[ref] = eline
			s.Entries = append(s.Entries, ref)
		}
		splits = append(splits, s)
	}
	return m, hide, splits
}

// MergeOptions converts the config into what merge.New needs, so that
// every program that merges (cmd/talkstream, bench/cmd/talkbench) derives
// items with the same settings: speakers, events, rules, the title window
// (merge.title_window: 0 turns title keys off), priority, hide and split.
func (c *Config) MergeOptions() merge.Options {
	opts := merge.Options{Sources: c.Sources, Priority: c.Merge.Priority, Hide: c.Hide}
	for _, s := range c.Speakers {
		opts.Speakers = append(opts.Speakers, merge.Speaker{ID: s.ID, Name: s.Name, Aliases: s.Aliases})
	}
	for _, e := range c.Events {
		opts.Events = append(opts.Events, merge.Event{ID: e.ID, Name: e.Name, Match: e.Match})
	}
	for _, r := range c.Rules {
		opts.Rules = append(opts.Rules, merge.Rule{Match: r.Match, Tags: r.Tags, Kind: r.Kind})
	}
	opts.TitleWindow = c.Merge.TitleWindow
	if opts.TitleWindow == 0 {
		opts.TitleWindow = -1 // merge's zero is its default; the config's zero is off
	}
	for _, s := range c.Split {
		sp := merge.Split{Item: s.Item}
		for _, e := range s.Entries {
			sp.Entries = append(sp.Entries, merge.EntryRef{Source: e.Source, Entry: e.Entry})
		}
		opts.Split = append(opts.Split, sp)
	}
	return opts
}
