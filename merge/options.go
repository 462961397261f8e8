package merge

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

// Speaker is a person recognised by name or alias.
type Speaker struct {
	ID      string
	Name    string
	Aliases []string
}

// Event is a recurring event recognised by Match.
type Event struct {
	ID    string
	Name  string
	Match *regexp.Regexp
}

// Rule tags (and optionally sets the kind of) entries that match.
type Rule struct {
	Match *regexp.Regexp
	Tags  []string
	Kind  talkstream.Kind
}

// Options configure a Merger; cmd builds them from the config.
type Options struct {
	Sources  []talkstream.Source
	Speakers []Speaker
	Events   []Event
	Rules    []Rule

	// TitleWindow is how far apart the dates of two entries with the same
	// normalised title may be for them to be one item. Zero means
	// DefaultTitleWindow; a negative window turns title keys off.
	TitleWindow time.Duration
	// Priority orders sources for an item's title, summary and link: each
	// element is a source kind or a source id, the first is trusted most,
	// anything not named comes after. Empty means DefaultPriority.
	Priority []string
	// Hide lists item ids kept in the store (explain shows them) but left
	// out of every output.
	Hide []string
	// Split lists wrong merges to undo.
	Split []Split
}

// Fingerprint summarises every setting that changes how items are derived
// from their entries, and the talkstream version (whose code derives them):
// when it is unchanged, stored items are already what Rebuild would make.
func (o Options) Fingerprint() string {
	var b strings.Builder
	re := func(r *regexp.Regexp) string {
		if r == nil {
			return ""
		}
		return r.String()
	}
	fmt.Fprintf(&b, "v=%s rules=%d\nwindow=%d\npriority=%q\nhide=%q\n", talkstream.Version, rulesVersion, o.TitleWindow, o.Priority, o.Hide)
	for _, s := range o.Sources {
		fmt.Fprintf(&b, "source=%q %q %q %q %q %q\n", s.ID, s.Kind, s.Speakers, s.Tags, re(s.Include), re(s.Exclude))
	}
	for _, s := range o.Speakers {
		fmt.Fprintf(&b, "speaker=%q %q %q\n", s.ID, s.Name, s.Aliases)
	}
	for _, e := range o.Events {
		fmt.Fprintf(&b, "event=%q %q %q\n", e.ID, e.Name, re(e.Match))
	}
	for _, r := range o.Rules {
		fmt.Fprintf(&b, "rule=%q %q %q\n", re(r.Match), r.Tags, r.Kind)
	}
	for _, s := range o.Split {
		fmt.Fprintf(&b, "split=%q %q\n", s.Item, s.Entries)
	}
	return hashStrings(b.String())[:32]
}

// rulesVersion changes whenever the way items and their keys are derived
// changes (3: title keys carry evidence; 4: a video is one link, embeds
// shown as watch pages), so that stores made before rebuild their items on
// the next build even when talkstream's version string did not move.
const rulesVersion = 4

// DefaultPriority trusts a curator's words first, then the speaker's or
// project's own post, then an event page, then a video platform's upload
// title.
var DefaultPriority = []string{
	string(talkstream.SourceCurated), string(talkstream.SourcePerson), string(talkstream.SourceBlog),
	string(talkstream.SourceEvents), string(talkstream.SourceYouTube), string(talkstream.SourceVimeo), string(talkstream.SourcePeerTube),
}
