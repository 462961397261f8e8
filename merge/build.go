package merge

import (
	"fmt"
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/talkstream/talkstream"
)

// sourceRank orders sources by how much their title and summary are
// trusted: a curator's words first, then the speaker's or project's own
// post, then an event page, then a video platform's upload title.
var sourceRank = map[talkstream.SourceKind]int{
	talkstream.SourceCurated: 0,
	talkstream.SourcePerson:  1,
	talkstream.SourceBlog:    1,
	talkstream.SourceEvents:  2,
	talkstream.SourceYouTube: 3,
	talkstream.SourceVimeo:   3,
}

func (m *Merger) rank(sourceID string) int {
	if s, ok := m.sources[sourceID]; ok {
		if r, ok := sourceRank[s.Kind]; ok {
			return r
		}
	}
	return 4
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
	for _, se := range es {
		item.Entries = append(item.Entries, talkstream.ItemEntry{Role: se.Role, Entry: se.Entry})
		for k, why := range Keys(&se.Entry) {
			keys[k] = why
		}
		item.Why = append(item.Why, fmt.Sprintf("entry %s/%s: %s", se.SourceID, se.EntryID, se.Why))
	}

	// The best entry gives title, summary, content and link.
	best := es[0]
	for _, se := range es[1:] {
		if m.rank(se.SourceID) < m.rank(best.SourceID) {
			best = se
		}
	}
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
	item.Why = append(item.Why, fmt.Sprintf("title and summary from %s/%s (%s source)", best.SourceID, best.EntryID, m.sourceKind(best.SourceID)))

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

	m.tag(item, es)
	return item, sortedKeys(keys)
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
	re   *regexp.Regexp
}{
	{talkstream.KindPaper, regexp.MustCompile(`(?i)\b(paper|preprint|proceedings|journal|published in|arxiv)\b`)},
	{talkstream.KindSlides, regexp.MustCompile(`(?i)\b(slides|slide deck|slidedeck)\b`)},
	{talkstream.KindPodcast, regexp.MustCompile(`(?i)\b(podcast|episode)\b`)},
	{talkstream.KindTalk, regexp.MustCompile(`(?i)\b(talk (?:at|on|about|from|given)|(?:gave|give|giving) a talk|keynote|presentation|presented|lecture|seminar|tech talk|screencast|webinar)\b`)},
	{talkstream.KindRelease, regexp.MustCompile(`(?i)\b(released?|releasing|announcing|available now)\b|\bv?\d+\.\d+(\.\d+)?\b.*\breleased?\b`)},
}

// tag sets kind, speakers, event and tags, and records why.
func (m *Merger) tag(item *talkstream.Item, es []StoredEntry) {
	text := item.Title + "\n" + plain(item.Summary)
	var cats []string
	for _, se := range es {
		cats = append(cats, se.Entry.Categories...)
	}
	ruleText := text + "\n" + strings.Join(cats, "\n")

	// Event: a configured pattern, with the year next to it or the item's.
	evText := text
	for _, se := range es {
		if se.Entry.Event != "" {
			evText = se.Entry.Event + "\n" + evText
		}
	}
	for _, ev := range m.events {
		if ev.Match == nil {
			continue
		}
		loc := ev.Match.FindStringIndex(evText)
		if loc == nil {
			continue
		}
		year := yearNear(evText, loc)
		why := "year of the item"
		if year == 0 {
			year = item.Published.Year()
		} else {
			why = "year named with it"
		}
		item.Event = fmt.Sprintf("%s-%d", ev.ID, year)
		item.Why = append(item.Why, fmt.Sprintf("event %s: %q matched %s, %s", item.Event, evText[loc[0]:loc[1]], ev.Match, why))
		break
	}

	// Kind: a curator's word, then a rule, then the source, then the words.
	kindWhy := ""
	for _, se := range es {
		if se.Entry.Kind != "" {
			item.Kind, kindWhy = se.Entry.Kind, "set by curated entry "+se.SourceID+"/"+se.EntryID
			break
		}
	}
	tags := map[string]string{}
	for _, r := range m.rules {
		if r.Match == nil || !r.Match.MatchString(ruleText) {
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
		hasVideo := item.Video != nil
		for _, se := range es {
			if k := m.sourceKind(se.SourceID); k == talkstream.SourceYouTube || k == talkstream.SourceVimeo || k == talkstream.SourceEvents {
				item.Kind, kindWhy = talkstream.KindTalk, "from a "+string(k)+" source"
				break
			}
		}
		if item.Kind == "" {
			for _, kw := range kindWords {
				if w := kw.re.FindString(text); w != "" {
					item.Kind, kindWhy = kw.kind, fmt.Sprintf("the word %q", w)
					break
				}
			}
		}
		if item.Kind == "" && hasVideo {
			item.Kind, kindWhy = talkstream.KindTalk, "it has a video"
		}

		if item.Kind == "" {
			item.Kind, kindWhy = talkstream.KindPost, "default for a post"
			if len(es) > 0 && m.sourceKind(es[0].SourceID) == talkstream.SourceCurated {
				item.Kind, kindWhy = talkstream.KindTalk, "default for a curated entry"
			}
		}
	}
	item.Why = append(item.Why, "kind "+string(item.Kind)+": "+kindWhy)

	// Speakers: the sources', the curator's, then names found in the text.
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
			if id := m.speakerID(a); id != a {
				addSpeaker(id, "author "+strconv.Quote(a))
			} else if kind == talkstream.SourceBlog || kind == talkstream.SourcePerson {
				addSpeaker(strings.TrimSpace(a), "author of "+se.SourceID+"/"+se.EntryID)
			}
		}
	}
	for _, sm := range m.speakers {
		if w := sm.find(text); w != "" {
			addSpeaker(sm.id, fmt.Sprintf("%q in title or summary", w))
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
	re    *regexp.Regexp
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
		sm.re = regexp.MustCompile(`(?i)(?:^|[^\pL\pN@_])(` + strings.Join(alts, "|") + `)(?:$|[^\pL\pN_])`)
	}
	return sm
}

func (sm *speakerMatcher) find(text string) string {
	if sm.re == nil {
		return ""
	}
	if m := sm.re.FindStringSubmatch(text); m != nil {
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

var tagRe = regexp.MustCompile(`<[^>]*>`)

// plain turns HTML into text for matching; it is not a sanitiser.
func plain(s string) string {
	return html.UnescapeString(tagRe.ReplaceAllString(s, " "))
}
