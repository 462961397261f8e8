package merge

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/talkstream/talkstream"
)

// Tagging takes the strongest evidence for each of kind (kind.go),
// speakers and event, and records what it used and what it rejected.
//
// Event: a curator's event, else a configured event named in a title,
// else in the description of a recording, listing, paper or curated
// entry; never in a post's summary or an episode's notes, which name
// events the item is not at. The year is the one named beside it, else the
// item's.
//
// Speakers: the source's speakers:, the curator's, the authors (not a
// video channel's, nor a podcast's host), configured names in titles and
// in the descriptions of recordings and listings, and names a post's text
// says speak ("Matt Bajor on unikernels", "a talk by …") — not every name
// a post mentions ("thanks to …").

// snippet is a text tagging reads, with where it came from.
type snippet struct {
	what string
	text *text
}

// tag sets kind, speakers, event and tags, and records why. es is in
// priority order (byPriority); best is the entry the title came from.
func (m *Merger) tag(item *talkstream.Item, es []StoredEntry, best *StoredEntry, tc *textCache) {
	summary := describe(tc, item.Summary, item.Content)
	var cats []string
	for _, se := range es {
		cats = append(cats, se.Entry.Categories...)
	}
	ruleText := newText(item.Title + "\n" + summary + "\n" + strings.Join(cats, "\n"))

	// Strong texts, most trusted first: a curator's event, every entry's
	// title (the best first), then the descriptions of recordings.
	// Weak texts, read only to say what was rejected: the other summaries.
	var strong, weak []snippet
	for _, se := range es {
		if se.Entry.Event != "" {
			strong = append(strong, snippet{"event of " + se.SourceID + "/" + se.EntryID, tc.text(se.Entry.Event)})
		}
	}
	strong = append(strong, snippet{"title", tc.text(item.Title)})
	for _, se := range es {
		if se.Entry.Title != "" && se.Entry.Title != item.Title {
			strong = append(strong, snippet{"title of " + se.SourceID + "/" + se.EntryID, tc.text(se.Entry.Title)})
		}
	}
	for i := range es {
		se := &es[i]
		var what, s string
		if se.EntryID == best.EntryID && se.SourceID == best.SourceID {
			what, s = "summary", summary
		} else {
			what, s = "summary of "+se.SourceID+"/"+se.EntryID, describe(tc, se.Entry.Summary, se.Entry.Content)
		}
		if s == "" {
			continue
		}
		switch nat := natureOf(m.sourceKind(se.SourceID), &se.Entry); {
		case recordingRoles[se.Role] && nat == natureThing:
			strong = append(strong, snippet{what, tc.text(s)})
		case nat == natureThing:
			weak = append(weak, snippet{what, tc.text(s)})
		default: // the people an episode's notes or a recap names speak elsewhere
			weak = append(weak, snippet{what + " (" + nat.describe() + ")", tc.text(s)})
		}
	}

	m.tagEvent(item, strong, weak)
	if item.Event == "" {
		m.scheduledEvent(item, es)
	}

	tags := map[string]string{}
	var rule kindSignal
	for i, r := range m.rules {
		if !m.ruleMatch[i].matchString(ruleText) {
			continue
		}
		for _, t := range r.Tags {
			if _, ok := tags[t]; !ok {
				tags[t] = "rule " + r.Match.String()
			}
		}
		if r.Kind != "" && rule.kind == "" {
			rule = kindSignal{r.Kind, "rule " + r.Match.String()}
		}
	}
	kind, kindWhy, rejected := decideKind(m.kindSignals(item, es, summary, rule, tc))
	item.Kind = kind
	item.Why = append(item.Why, "kind "+string(item.Kind)+": "+kindWhy)
	for _, r := range rejected {
		item.Why = append(item.Why, "  rejected for kind: "+r)
	}

	m.tagSpeakers(item, es, strong, weak)

	// Tags: the sources', the curator's, the rules'.
	for _, se := range es {
		if s, ok := m.sources[se.SourceID]; ok {
			for _, t := range s.Tags {
				if _, ok := tags[t]; !ok {
					tags[t] = "tag of source " + s.ID
				}
			}
		}
		for _, t := range se.Entry.Tags {
			if _, ok := tags[t]; !ok {
				tags[t] = "curated entry " + se.SourceID + "/" + se.EntryID
			}
		}
	}
	item.Tags = sortedKeys(tags)
	for _, t := range item.Tags {
		item.Why = append(item.Why, "tag "+t+": "+tags[t])
	}
}

// tagEvent sets the event from the first strong text that names one
// configured event with its year; failing that, the first that names one
// without a year, with the item's year. A text that names two events (a
// post about two talks) says nothing about which one the item is. Weak
// texts are only reported.
func (m *Merger) tagEvent(item *talkstream.Item, strong, weak []snippet) {
	fallback := ""
	for _, sn := range strong {
		found, locs := m.eventsIn(sn.text)
		if len(found) > 1 {
			item.Why = append(item.Why, fmt.Sprintf("no event from the %s: it names %d events", sn.what, len(found)))
			continue
		}
		if len(found) == 0 {
			continue
		}
		ev, loc := m.events[found[0]], locs[0]
		matched := sn.text.s[loc[0]:loc[1]]
		if year := yearNear(sn.text.s, loc); year != 0 {
			item.Event = fmt.Sprintf("%s-%d", ev.ID, year)
			item.Why = append(item.Why, fmt.Sprintf("event %s: %q in the %s matched %s, year named with it", item.Event, matched, sn.what, ev.Match))
			break
		}
		if fallback == "" {
			fallback = fmt.Sprintf("%s-%d", ev.ID, item.Published.Year())
			item.Why = append(item.Why, fmt.Sprintf("event %s if no text names its year: %q in the %s matched %s, year of the item", fallback, matched, sn.what, ev.Match))
		}
	}
	if item.Event == "" {
		item.Event = fallback
	}
	for _, sn := range weak {
		switch found, _ := m.eventsIn(sn.text); {
		case len(found) > 1:
			item.Why = append(item.Why, fmt.Sprintf("no event from the %s: it names %d events", sn.what, len(found)))
		case len(found) == 1 && m.events[found[0]].ID+"-" != item.Event[:min(len(item.Event), len(m.events[found[0]].ID)+1)]:
			item.Why = append(item.Why, fmt.Sprintf("  rejected for event: %s in the %s, which mentions events the item need not be at", m.events[found[0]].ID, sn.what))
		}
	}
}

// eventsIn returns the configured events a text names, with where.
func (m *Merger) eventsIn(t *text) ([]int, [][]int) {
	var found []int
	var locs [][]int
	for i := range m.events {
		if loc := m.eventMatch[i].findStringIndex(t); loc != nil {
			found, locs = append(found, i), append(locs, loc)
		}
	}
	return found, locs
}

// tagSpeakers sets the speakers (see the top of the file).
func (m *Merger) tagSpeakers(item *talkstream.Item, es []StoredEntry, strong, weak []snippet) {
	speakers := map[string]string{}
	var order []string
	addSpeaker := func(id, why string) {
		if id == "" {
			return
		}
		if _, ok := speakers[id]; !ok {
			speakers[id] = why
			order = append(order, id)
		}
	}
	var rejected []string
	for _, se := range es {
		if s, ok := m.sources[se.SourceID]; ok {
			for _, sp := range s.Speakers {
				addSpeaker(sp, "speaker of source "+s.ID)
			}
		}
		for _, sp := range se.Entry.Speakers {
			by := "named by curated entry "
			if m.sourceKind(se.SourceID) != talkstream.SourceCurated {
				by = "speaker of entry " // a schedule's persons, a page's performers
			}
			addSpeaker(m.speakerID(sp), by+se.SourceID+"/"+se.EntryID)
		}
	}
	for _, se := range es {
		kind := m.sourceKind(se.SourceID)
		if kind == talkstream.SourceYouTube || kind == talkstream.SourceVimeo || kind == talkstream.SourcePeerTube {
			continue // a channel's author is its publisher
		}
		for _, a := range se.Entry.Authors {
			for _, n := range authorNames(a) {
				ref := se.SourceID + "/" + se.EntryID
				if item.Kind == talkstream.KindPodcast || natureOf(kind, &se.Entry) == natureEpisode {
					rejected = append(rejected, fmt.Sprintf("author %q of %s: a podcast's author is its host", n, ref))
					continue
				}
				if id := m.speakerID(n); id != n {
					addSpeaker(id, "author "+strconv.Quote(n)+" of "+ref)
				} else {
					addSpeaker(id, "author of "+ref)
				}
			}
		}
	}
	for _, sn := range strong {
		for i, sm := range m.speakers {
			if w := m.speakerNamed(sn.text, i); w != "" {
				addSpeaker(sm.id, fmt.Sprintf("%q in the %s", w, sn.what))
			}
		}
	}
	for _, sn := range weak {
		// Names in an episode's notes or a recap (what ends in its nature)
		// are only reported, whether or not they speak.
		reportOnly := strings.HasSuffix(sn.what, ")")
		for i, sm := range m.speakers {
			if _, ok := speakers[sm.id]; ok {
				continue
			}
			w := ""
			if !reportOnly {
				w = m.speakerNamedSpeaking(sn.text, i)
			}
			if w != "" {
				addSpeaker(sm.id, fmt.Sprintf("%q speaking in the %s", w, sn.what))
			} else if m.speakerNamed(sn.text, i) != "" {
				rejected = append(rejected, fmt.Sprintf("%s, named in the %s: a name a post mentions is not a speaker", sm.id, sn.what))
			}
		}
	}
	item.Speakers = order
	for _, id := range order {
		item.Why = append(item.Why, "speaker "+id+": "+speakers[id])
	}
	for _, r := range rejected {
		item.Why = append(item.Why, "  rejected for speakers: "+r)
	}
}

var (
	yearRe = regexp.MustCompile(`\b(19[89]\d|20\d\d)\b`)
	// shortYear is an elided year right after an event: "OSCON'13".
	shortYear = regexp.MustCompile(`^\s?['’](\d\d)\b`)
)

// yearNear finds a year within a few words after (or just before) a match,
// as in "FOSDEM 2014", "2014 FOSDEM" or "OSCON'13"; 0 if none.
func yearNear(text string, loc []int) int {
	after := text[loc[1]:min(len(text), loc[1]+12)]
	if m := yearRe.FindString(after); m != "" {
		y, _ := strconv.Atoi(m)
		return y
	}
	if m := shortYear.FindStringSubmatch(after); m != nil {
		y, _ := strconv.Atoi(m[1])
		return 2000 + y
	}
	before := text[max(0, loc[0]-6):loc[0]]
	if m := yearRe.FindString(before); m != "" {
		y, _ := strconv.Atoi(m)
		return y
	}
	return 0
}

// scheduledEvent names the event of a talk that no configured event
// matched, from a schedule, calendar or event page that gives both its
// event and its date: such a source says which conference the talk is
// at, where a post's mention of one does not.
func (m *Merger) scheduledEvent(item *talkstream.Item, es []StoredEntry) {
	for _, se := range es {
		e := &se.Entry
		if e.Event == "" || e.Start.IsZero() {
			continue
		}
		id := eventSlug(e.Event)
		if id == "" {
			continue
		}
		if !yearSuffix.MatchString(id) {
			id += "-" + strconv.Itoa(e.Start.Year())
		}
		item.Event = id
		item.Why = append(item.Why, fmt.Sprintf("event %s: %q, the event %s/%s is scheduled at (no configured event matched)", id, e.Event, se.SourceID, se.EntryID))
		return
	}
}

// yearSuffix: an event id that already ends in its year.
var yearSuffix = regexp.MustCompile(`-(19|20)\d\d$`)

// eventSlug is an event's name as an id: lower-case ASCII letters and
// digits, dashes between words, at most 64 bytes.
func eventSlug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
		if b.Len() >= 64 {
			break
		}
	}
	return b.String()
}
