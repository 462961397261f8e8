package merge

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/talkstream/talkstream"
)

// kindWords guess an item's kind from its words, most specific first.
var kindWords = []struct {
	kind talkstream.Kind
	re   matcher
}{
	{talkstream.KindPaper, newMatcher(regexp.MustCompile(`(?i)\b(paper|preprint|proceedings|journal|published in|arxiv|camera[- ]ready)\b`))},
	{talkstream.KindSlides, newMatcher(regexp.MustCompile(`(?i)\b(slides|slide deck|slidedeck|speakerdeck)\b`))},
	{talkstream.KindPodcast, newMatcher(regexp.MustCompile(`(?i)\b(podcast|episode \d+|radio)\b`))},
	{talkstream.KindTalk, newMatcher(regexp.MustCompile(`(?i)\b(talk (?:at|on|about|from|given)|(?:gave|give|giving) a talk|my talk|keynote|presentation|presented|lecture|seminar|tech talk|screencast|webinar)\b`))},
	{talkstream.KindRelease, newMatcher(regexp.MustCompile(`(?i)\b(released?|releasing|announcing|available now)\b|\bv?\d+\.\d+(\.\d+)?\b.*\breleased?\b`))},
}

// kindCategories are feed categories that name a kind, as personal sites
// file their posts ("talks", "papers", "news").
var kindCategories = map[string]talkstream.Kind{
	"talk": talkstream.KindTalk, "talks": talkstream.KindTalk, "video": talkstream.KindTalk, "videos": talkstream.KindTalk,
	"paper": talkstream.KindPaper, "papers": talkstream.KindPaper, "publication": talkstream.KindPaper, "publications": talkstream.KindPaper,
	"slides": talkstream.KindSlides, "podcast": talkstream.KindPodcast, "podcasts": talkstream.KindPodcast,
	"release": talkstream.KindRelease, "releases": talkstream.KindRelease,
	"news": talkstream.KindNews, "press": talkstream.KindNews, "announcement": talkstream.KindNews, "announcements": talkstream.KindNews,
}

// tag sets kind, speakers, event and tags, and records why. es is in
// priority order (byPriority); best is the entry the title came from.
func (m *Merger) tag(item *talkstream.Item, es []StoredEntry, best *StoredEntry) {
	summary := describe(item.Summary, item.Content)
	var cats []string
	for _, se := range es {
		cats = append(cats, se.Entry.Categories...)
	}
	ruleText := newText(item.Title + "\n" + summary + "\n" + strings.Join(cats, "\n"))

	// The texts to look for an event and speakers in, most trusted first: a
	// curator's event, every entry's title (the best first), then the
	// summaries. Video descriptions usually name the speaker and the event.
	type snippet struct {
		what string
		text *text
	}
	var texts []snippet
	for _, se := range es {
		if se.Entry.Event != "" {
			texts = append(texts, snippet{"event of " + se.SourceID + "/" + se.EntryID, newText(se.Entry.Event)})
		}
	}
	texts = append(texts, snippet{"title", newText(item.Title)})
	for _, se := range es {
		if se.Entry.Title != "" && se.Entry.Title != item.Title {
			texts = append(texts, snippet{"title of " + se.SourceID + "/" + se.EntryID, newText(se.Entry.Title)})
		}
	}
	texts = append(texts, snippet{"summary", newText(summary)})
	for _, se := range es {
		if se.EntryID != best.EntryID || se.SourceID != best.SourceID {
			texts = append(texts, snippet{"summary of " + se.SourceID + "/" + se.EntryID, newText(describe(se.Entry.Summary, se.Entry.Content))})
		}
	}

	// Event: a configured pattern, with the year next to it or the item's.
	// A text that names two different events (a post about two talks)
	// says nothing about which one the item is.
	for _, sn := range texts {
		var found []int
		var locs [][]int
		for i := range m.events {
			if loc := m.eventMatch[i].findStringIndex(sn.text); loc != nil {
				found, locs = append(found, i), append(locs, loc)
			}
		}
		if len(found) > 1 {
			item.Why = append(item.Why, fmt.Sprintf("no event from the %s: it names %d events", sn.what, len(found)))
			continue
		}
		if len(found) == 0 {
			continue
		}
		ev, loc := m.events[found[0]], locs[0]
		year := yearNear(sn.text.s, loc)
		why := "year of the item"
		if year == 0 {
			year = item.Published.Year()
		} else {
			why = "year named with it"
		}
		item.Event = fmt.Sprintf("%s-%d", ev.ID, year)
		item.Why = append(item.Why, fmt.Sprintf("event %s: %q in the %s matched %s, %s", item.Event, sn.text.s[loc[0]:loc[1]], sn.what, ev.Match, why))
		break
	}

	// Kind: a curator's word, then a rule, then the source, then the
	// categories and words of the entries, then whether there is a video.
	kindWhy := ""
	for _, se := range es {
		if se.Entry.Kind != "" {
			item.Kind, kindWhy = se.Entry.Kind, "set by curated entry "+se.SourceID+"/"+se.EntryID
			break
		}
	}
	tags := map[string]string{}
	for i, r := range m.rules {
		if !m.ruleMatch[i].matchString(ruleText) {
			continue
		}
		for _, t := range r.Tags {
			if _, ok := tags[t]; !ok {
				tags[t] = "rule " + r.Match.String()
			}
		}
		if r.Kind != "" && item.Kind == "" {
			item.Kind, kindWhy = r.Kind, "rule "+r.Match.String()
		}
	}
	if item.Kind == "" {
		item.Kind, kindWhy = m.kindOf(item, es, summary)
	}
	item.Why = append(item.Why, "kind "+string(item.Kind)+": "+kindWhy)

	// Speakers: the sources', the curator's, the authors', then configured
	// names and aliases found in titles and summaries.
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
	for _, se := range es {
		if s, ok := m.sources[se.SourceID]; ok {
			for _, sp := range s.Speakers {
				addSpeaker(sp, "speaker of source "+s.ID)
			}
		}
		for _, sp := range se.Entry.Speakers {
			addSpeaker(m.speakerID(sp), "named by curated entry "+se.SourceID+"/"+se.EntryID)
		}
	}
	for _, se := range es {
		kind := m.sourceKind(se.SourceID)
		for _, a := range se.Entry.Authors {
			if id := m.speakerID(a); id != strings.TrimSpace(a) {
				addSpeaker(id, "author "+strconv.Quote(a)+" of "+se.SourceID+"/"+se.EntryID)
			} else if kind == talkstream.SourceBlog || kind == talkstream.SourcePerson {
				addSpeaker(id, "author of "+se.SourceID+"/"+se.EntryID)
			}
		}
	}
	for _, sn := range texts {
		for _, sm := range m.speakers {
			if w := sm.find(sn.text); w != "" {
				addSpeaker(sm.id, fmt.Sprintf("%q in the %s", w, sn.what))
			}
		}
	}
	item.Speakers = order
	for _, id := range order {
		item.Why = append(item.Why, "speaker "+id+": "+speakers[id])
	}

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

// kindOf decides the kind of an item no curator or rule gave one.
func (m *Merger) kindOf(item *talkstream.Item, es []StoredEntry, summary string) (talkstream.Kind, string) {
	for _, se := range es {
		if k := m.sourceKind(se.SourceID); k == talkstream.SourceYouTube || k == talkstream.SourceVimeo || k == talkstream.SourceEvents {
			return talkstream.KindTalk, "from source " + se.SourceID + " (kind " + string(k) + ")"
		}
	}
	for _, se := range es {
		for _, enc := range se.Entry.Enclosures {
			if strings.HasPrefix(strings.ToLower(enc.Type), "audio/") {
				return talkstream.KindPodcast, "an audio enclosure in " + se.SourceID + "/" + se.EntryID
			}
		}
	}
	// Words in a title say more than words in a summary, and more than
	// how a site files its posts.
	for _, se := range es {
		title := newText(se.Entry.Title)
		for _, kw := range kindWords {
			if w := kw.re.findString(title); w != "" {
				return kw.kind, fmt.Sprintf("the word %q in the title of %s/%s", w, se.SourceID, se.EntryID)
			}
		}
	}
	for _, se := range es {
		for _, c := range se.Entry.Categories {
			if k, ok := kindCategories[strings.ToLower(strings.TrimSpace(c))]; ok {
				return k, fmt.Sprintf("category %q of %s/%s", c, se.SourceID, se.EntryID)
			}
		}
	}
	if w := firstKindWord(newText(summary)); w.kind != "" {
		return w.kind, fmt.Sprintf("the word %q in the summary", w.word)
	}
	if item.Video != nil {
		return talkstream.KindTalk, "it has a video"
	}
	if len(es) > 0 && m.sourceKind(es[0].SourceID) == talkstream.SourceCurated {
		return talkstream.KindTalk, "default for a curated entry"
	}
	return talkstream.KindPost, "default for a post"
}

type kindWord struct {
	kind talkstream.Kind
	word string
}

func firstKindWord(t *text) kindWord {
	for _, kw := range kindWords {
		if w := kw.re.findString(t); w != "" {
			return kindWord{kw.kind, w}
		}
	}
	return kindWord{}
}

var yearRe = regexp.MustCompile(`\b(19[89]\d|20\d\d)\b`)

// yearNear finds a year within a few words after (or just before) a match,
// as in "FOSDEM 2014" or "2014 FOSDEM"; 0 if none.
func yearNear(text string, loc []int) int {
	after := text[loc[1]:min(len(text), loc[1]+12)]
	if m := yearRe.FindString(after); m != "" {
		y, _ := strconv.Atoi(m)
		return y
	}
	before := text[max(0, loc[0]-6):loc[0]]
	if m := yearRe.FindString(before); m != "" {
		y, _ := strconv.Atoi(m)
		return y
	}
	return 0
}
