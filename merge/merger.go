package merge

import (
	"time"

	"github.com/talkstream/talkstream"
)

// Merger merges entries into items. It is safe for concurrent use as long
// as each call gets its own Tx.
type Merger struct {
	sources    map[string]*talkstream.Source
	speakers   []speakerMatcher
	words      *wordIndex // the speakers' names by first word
	events     []Event
	eventMatch []matcher // events[i].Match with its prefilter
	rules      []Rule
	ruleMatch  []matcher
	titles     *titler
	window     int64          // title window in days; < 0: no title keys
	priority   map[string]int // source kind or id → rank (lower is trusted more)
	hide       map[string]bool
	pinned     map[EntryRef]string // entry → the split item it is pinned to
	splits     map[string]Split    // split item id → its rule
}

// New returns a Merger for the given options.
func New(opts Options) *Merger {
	m := &Merger{
		sources:  map[string]*talkstream.Source{},
		events:   opts.Events,
		rules:    opts.Rules,
		titles:   newTitler(opts.Speakers, opts.Events),
		priority: map[string]int{},
		hide:     map[string]bool{},
		pinned:   map[EntryRef]string{},
		splits:   map[string]Split{},
	}
	for i := range opts.Sources {
		s := opts.Sources[i]
		m.sources[s.ID] = &s
	}
	for _, sp := range opts.Speakers {
		m.speakers = append(m.speakers, newSpeakerMatcher(sp))
	}
	m.words = newWordIndex(m.speakers)
	for _, ev := range opts.Events {
		m.eventMatch = append(m.eventMatch, newMatcher(ev.Match))
	}
	for _, r := range opts.Rules {
		m.ruleMatch = append(m.ruleMatch, newMatcher(r.Match))
	}
	switch w := opts.TitleWindow; {
	case w < 0:
		m.window = -1
	case w == 0:
		m.window = int64(DefaultTitleWindow / (24 * time.Hour))
	default:
		m.window = int64(w / (24 * time.Hour))
	}
	prio := opts.Priority
	if len(prio) == 0 {
		prio = DefaultPriority
	}
	for i, p := range prio {
		if _, ok := m.priority[p]; !ok {
			m.priority[p] = i
		}
	}
	for _, id := range opts.Hide {
		m.hide[id] = true
	}
	for _, s := range opts.Split {
		id := SplitID(s)
		m.splits[id] = s
		for _, r := range s.Entries {
			if _, ok := m.pinned[r]; !ok {
				m.pinned[r] = id
			}
		}
	}
	return m
}

// ItemID is the stable id of an item first created from one entry.
func ItemID(sourceID, entryID string) string {
	return hashStrings(sourceID, entryID)[:16]
}
