package merge

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/internal/htmltext"
)

// rank orders sources by how much their title and summary are trusted
// (Options.Priority): a source named by id, else its kind; lower wins.
func (m *Merger) rank(sourceID string) int {
	r := len(m.priority)
	if p, ok := m.priority[sourceID]; ok {
		r = p
	}
	if s, ok := m.sources[sourceID]; ok {
		if p, ok := m.priority[string(s.Kind)]; ok && p < r {
			r = p
		}
	}
	return r
}

func (m *Merger) sourceKind(sourceID string) talkstream.SourceKind {
	if s, ok := m.sources[sourceID]; ok {
		return s.Kind
	}
	return ""
}

// Build derives an item from its entries. It is a pure function of the
// entries and the options, so rebuilding an unchanged item changes nothing.
func (m *Merger) Build(itemID string, entries []StoredEntry) (*talkstream.Item, []string) {
	return m.build(itemID, entries, nil)
}

// build is Build with the title keys of some entries already known.
func (m *Merger) build(itemID string, entries []StoredEntry, titleKeys map[EntryRef]string) (*talkstream.Item, []string) {
	es := append([]StoredEntry(nil), entries...)
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		if a.SourceID != b.SourceID {
			return a.SourceID < b.SourceID
		}
		return a.EntryID < b.EntryID
	})
	item := &talkstream.Item{ID: itemID}
	keys := map[string]string{}
	_, split := m.splits[itemID]
	for _, se := range es {
		item.Entries = append(item.Entries, talkstream.ItemEntry{Role: se.Role, Entry: se.Entry})
		item.Why = append(item.Why, fmt.Sprintf("entry %s/%s: %s", se.SourceID, se.EntryID, se.Why))
		if split {
			continue // a split item answers to no key: nothing merges into it again
		}
		for k, why := range Keys(&se.Entry) {
			keys[k] = why
		}
		if m.window >= 0 {
			k, ok := titleKeys[se.Ref()]
			if !ok {
				k, _ = m.titles.titleKeyOf(&se.Entry)
			}
			if k != "" {
				keys[k] = "title"
			}
		}
	}
	if split {
		item.Why = append(item.Why, "split by config (split:): keys merge nothing into this item")
	}
	if m.hide[itemID] {
		item.Why = append(item.Why, "hidden by config (hide:): in no output")
	}

	// The best entry gives title, summary, content and link: the most
	// trusted source, then the earliest date, so that the choice does not
	// depend on which source happened to be fetched first.
	ranked := m.byPriority(es)
	best := ranked[0]
	b := &best.Entry
	item.Title = b.Title
	item.Summary, item.Content, item.Link = b.Summary, b.Content, b.Link
	if item.Title == "" {
		for _, se := range es {
			if se.Entry.Title != "" {
				item.Title = se.Entry.Title
				break
			}
		}
	}
	if item.Summary == "" && item.Content == "" {
		for _, se := range es {
			if se.Entry.Summary != "" || se.Entry.Content != "" {
				item.Summary, item.Content = se.Entry.Summary, se.Entry.Content
				break
			}
		}
	}
	if item.Link == "" {
		for _, se := range es {
			if se.Entry.Link != "" {
				item.Link = se.Entry.Link
				break
			}
		}
	}
	item.Link = StripTracking(item.Link)
	item.Links = distinctLinks(es)
	item.Why = append(item.Why, fmt.Sprintf("title and summary from %s/%s (%s source, priority %d)", best.SourceID, best.EntryID, m.sourceKind(best.SourceID), m.rank(best.SourceID)+1))

	// Dates: published is the earliest claim; updated the latest change.
	for _, se := range es {
		p := se.Entry.Published
		if p.IsZero() || p.After(se.FirstSeen) {
			p = se.Changed
			if p.After(se.FirstSeen) {
				p = se.FirstSeen
			}
		}
		if item.Published.IsZero() || p.Before(item.Published) {
			item.Published = p
		}
		if se.Changed.After(item.Updated) {
			item.Updated = se.Changed
		}
	}
	if item.Updated.Before(item.Published) {
		item.Updated = item.Published
	}

	// Video and thumbnail come from the video platform entry first.
	for _, pass := range []bool{true, false} {
		for _, se := range es {
			isVideoSource := se.Role == talkstream.RoleVideo && m.sourceKind(se.SourceID) != talkstream.SourceCurated
			if item.Video != nil || isVideoSource != pass {
				continue
			}
			if v, _ := entryVideo(&se.Entry); v != nil {
				item.Video = v
			}
		}
	}
	for _, se := range es {
		if se.Role == talkstream.RoleVideo && se.Entry.Thumbnail != "" {
			item.Thumbnail = se.Entry.Thumbnail
			break
		}
	}
	if item.Thumbnail == "" && item.Video != nil {
		item.Thumbnail = item.Video.Thumbnail
	}
	if item.Thumbnail == "" {
		for _, se := range es {
			if se.Entry.Thumbnail != "" {
				item.Thumbnail = se.Entry.Thumbnail
				break
			}
		}
	}

	m.tag(item, ranked, &best)
	return item, sortedKeys(keys)
}

// byPriority orders entries by the rank of their source, then by date,
// then by identity.
func (m *Merger) byPriority(es []StoredEntry) []StoredEntry {
	out := append([]StoredEntry(nil), es...)
	date := func(se *StoredEntry) time.Time {
		if !se.Entry.Published.IsZero() {
			return se.Entry.Published
		}
		return se.Changed
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if ra, rb := m.rank(a.SourceID), m.rank(b.SourceID); ra != rb {
			return ra < rb
		}
		if da, db := date(a), date(b); !da.Equal(db) {
			return da.Before(db)
		}
		if a.SourceID != b.SourceID {
			return a.SourceID < b.SourceID
		}
		return a.EntryID < b.EntryID
	})
	return out
}

// distinctLinks lists every page of an item once: entries' own links and
// curated links, folded by canonical URL (a cross-post with tracking
// parameters is the same page), without tracking parameters, https
// preferred.
func distinctLinks(es []StoredEntry) []talkstream.Link {
	var out []talkstream.Link
	seen := map[string]int{}
	add := func(role talkstream.Role, raw, title, source string) {
		if strings.TrimSpace(raw) == "" {
			return
		}
		clean := StripTracking(raw)
		key := CanonicalURL(raw)
		if key == "" {
			key = clean
		}
		if i, ok := seen[key]; ok {
			if strings.HasPrefix(clean, "https:") && !strings.HasPrefix(out[i].URL, "https:") {
				out[i].URL = clean
			}
			return
		}
		seen[key] = len(out)
		out = append(out, talkstream.Link{Role: role, URL: clean, Title: title, Source: source})
	}
	for _, se := range es {
		add(se.Role, se.Entry.Link, "", se.SourceID)
		for _, l := range se.Entry.Links {
			add(l.Role, l.URL, l.Title, se.SourceID)
		}
	}
	return out
}

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

type speakerMatcher struct {
	id    string
	names map[string]bool // lower-case name and aliases
	re    matcher
}

func newSpeakerMatcher(sp Speaker) speakerMatcher {
	sm := speakerMatcher{id: sp.ID, names: map[string]bool{strings.ToLower(sp.ID): true}}
	var alts []string
	for _, n := range append([]string{sp.Name}, sp.Aliases...) {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		sm.names[strings.ToLower(n)] = true
		alts = append(alts, regexp.QuoteMeta(n))
	}
	if len(alts) > 0 {
		sm.re = newMatcher(regexp.MustCompile(`(?i)(?:^|[^\pL\pN@_])(` + strings.Join(alts, "|") + `)(?:$|[^\pL\pN_])`))
	}
	return sm
}

func (sm *speakerMatcher) find(t *text) string {
	if m := sm.re.findStringSubmatch(t); m != nil {
		return m[1]
	}
	return ""
}

// speakerID maps a name, alias or id to the configured speaker id; an
// unknown name comes back unchanged.
func (m *Merger) speakerID(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, sm := range m.speakers {
		if sm.names[n] {
			return sm.id
		}
	}
	return strings.TrimSpace(name)
}

// describeLen is how much of a body stands in for a missing summary: the
// opening of a post says what it is about; its last paragraphs thank
// people and link elsewhere.
const describeLen = 600

// describe is the text tags are derived from: the summary, else the
// opening of the content (many feeds, the MirageOS blog's among them,
// have no summary).
func describe(summary, content string) string {
	if s := strings.TrimSpace(plain(summary)); s != "" {
		return s
	}
	c := strings.Join(strings.Fields(plain(content)), " ")
	if len(c) > describeLen {
		cut := strings.LastIndexByte(c[:describeLen], ' ')
		if cut <= 0 {
			cut = describeLen
		}
		c = c[:cut]
	}
	return c
}

// plain turns HTML into text for matching; it is not a sanitiser.
func plain(s string) string { return htmltext.PlainText(s) }
