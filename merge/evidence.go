package merge

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/talkstream/talkstream"
)

// Evidence for and against a merge. Keys join: a video id or a canonical
// URL proves two entries are one thing; an equal title within a window
// only suggests it. What an entry says about itself can separate two
// entries a title joined: a different event or event year, speakers of
// whom neither side names one the other does, one source listing both (a
// feed does not list one thing twice), or a different nature of thing —
// an episode of a podcast, or a post about a talk ("recap", "trip report",
// "notes from", a discussion thread), is not the talk, even when it links
// its recording. Linking is not being: such entries give no video key from
// the recording their text links.
//
// The evidence of an entry is recorded in its title keys (after "#"), so
// that a candidate found by a title key can be weighed without reading
// its item.

// nature is what kind of thing an entry is, as far as merging goes.
type nature string

const (
	natureThing   nature = ""        // the thing itself: recording, its page, post, paper, slides, listing
	natureAbout   nature = "about"   // a post about something else, linking it
	natureEpisode nature = "episode" // a podcast episode
)

// aboutPhrases in a title make a post about something else (folded,
// between spaces); so does a leading "HN:" or "Re:", a discussion of the
// thing it names.
var aboutPhrases = []string{" recap ", " trip report ", " notes from ", " notes on ", " write up ", " writeup ",
	" roundup ", " round up ", " review of ", " thoughts on ", " report from ", " discussion "}

var aboutPrefixes = []string{"hn:", "re:", "ask hn:", "show hn:"}

// natureOf says what an entry is: video platforms, event listings and
// curated entries are the things themselves; a post or personal entry
// with an audio enclosure or "episode" in its title is an episode, and one
// whose title says it reports on something is about it.
func natureOf(kind talkstream.SourceKind, e *talkstream.Entry) nature {
	if kind != talkstream.SourceBlog && kind != talkstream.SourcePerson {
		return natureThing
	}
	for _, enc := range e.Enclosures {
		if strings.HasPrefix(strings.ToLower(enc.Type), "audio/") {
			return natureEpisode
		}
	}
	f := " " + fold(e.Title) + " "
	if strings.Contains(f, " episode ") || isEpisodeNumber(f) {
		return natureEpisode
	}
	for _, p := range aboutPhrases {
		if strings.Contains(f, p) {
			return natureAbout
		}
	}
	lead := strings.ToLower(strings.TrimSpace(e.Title))
	for _, p := range aboutPrefixes {
		if strings.HasPrefix(lead, p) {
			return natureAbout
		}
	}
	return natureThing
}

// isEpisodeNumber finds "ep 12" (from "Ep. 12", "EP12" is not folded
// apart and does not count) in a folded title between spaces.
func isEpisodeNumber(f string) bool {
	for i := strings.Index(f, " ep "); i >= 0; {
		if j := i + len(" ep "); j < len(f) && isDigit(f[j]) {
			return true
		}
		k := strings.Index(f[i+1:], " ep ")
		if k < 0 {
			break
		}
		i += 1 + k
	}
	return false
}

// evidence is what one entry says about the thing it is.
type evidence struct {
	src      string   // its source id, for posts (blog and person sources)
	id       string   // a short hash of its source and entry id
	nature   nature   // what it is
	event    string   // the event it names: "id@year", or "id" when no year is named
	year     int      // the year it names explicitly (with its event, or "[2015]"), else 0
	speakers []string // configured speaker ids it names, sorted
}

// encode writes the evidence into a key; decodeEvidence reads it back.
func (ev evidence) encode() string {
	return fmt.Sprintf("n=%s;e=%s;y=%d;s=%s;src=%s;id=%s", ev.nature, ev.event, ev.year, strings.Join(ev.speakers, ","), ev.src, ev.id)
}

func decodeEvidence(s string) evidence {
	var ev evidence
	for _, f := range strings.Split(s, ";") {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "n":
			ev.nature = nature(v)
		case "e":
			ev.event = v
		case "y":
			ev.year, _ = strconv.Atoi(v)
		case "s":
			if v != "" {
				ev.speakers = strings.Split(v, ",")
			}
		case "src":
			ev.src = v
		case "id":
			ev.id = v
		}
	}
	return ev
}

// separates returns why two entries that share a title are not one
// thing, or "" when nothing says so.
func separates(a, b evidence) string {
	switch {
	case a.src != "" && a.src == b.src && a.id != b.id:
		return "both are listed by source " + a.src + ", which lists one thing once"
	case a.nature != b.nature:
		return fmt.Sprintf("one is %s, the other %s", a.nature.describe(), b.nature.describe())
	}
	if a.event != "" && b.event != "" {
		ea, ya, _ := strings.Cut(a.event, "@")
		eb, yb, _ := strings.Cut(b.event, "@")
		if ea != eb || ya != "" && yb != "" && ya != yb {
			return fmt.Sprintf("different events (%s, %s)", a.eventName(), b.eventName())
		}
	}
	if a.year != 0 && b.year != 0 && a.year != b.year {
		return fmt.Sprintf("different years (%d, %d)", a.year, b.year)
	}
	if len(a.speakers) > 0 && len(b.speakers) > 0 && !intersects(a.speakers, b.speakers) {
		return fmt.Sprintf("different speakers (%s; %s)", strings.Join(a.speakers, ", "), strings.Join(b.speakers, ", "))
	}
	return ""
}

// agrees says whether two entries that share a title and a year name the
// same event or a common speaker: then the window is the year, not days.
func agrees(a, b evidence) bool {
	return a.event != "" && a.event == b.event || intersects(a.speakers, b.speakers)
}

func (n nature) describe() string {
	switch n {
	case natureAbout:
		return "a post about something"
	case natureEpisode:
		return "a podcast episode"
	}
	return "the thing itself"
}

// The event is kept as "id@YEAR" inside evidence so that ids with dashes
// and years split unambiguously; eventName shows it as items do.
func (ev evidence) eventName() string {
	id, y, _ := strings.Cut(ev.event, "@")
	if y == "" {
		return id
	}
	return id + "-" + y
}

func intersects(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

// yearMarker is a year standing alone in brackets: "[2019]", "(2015)".
var yearMarker = regexp.MustCompile(`[(\[]\s*((?:19[89]|20\d)\d)\s*[)\]]`)

// recordingRoles are the roles of entries whose own description speaks
// for the talk: a recording's, a listing's, a paper's, a curator's. A
// post's summary talks about other things too.
var recordingRoles = map[talkstream.Role]bool{
	talkstream.RoleVideo: true, talkstream.RoleEvent: true, talkstream.RolePaper: true,
	talkstream.RoleSlides: true, talkstream.RolePage: true,
}

// evidenceOf gathers what an entry says about itself: its nature, the
// event and year its curated event, title (or, for a recording, its
// description) names, and the configured speakers of its source, curator,
// authors and title (or recording's description).
func (m *Merger) evidenceOf(se *StoredEntry, tc *textCache) evidence {
	e := &se.Entry
	kind := m.sourceKind(se.SourceID)
	ev := evidence{id: hashStrings(se.SourceID, se.EntryID)[:8], nature: natureOf(kind, e)}
	if kind == talkstream.SourceBlog || kind == talkstream.SourcePerson {
		ev.src = se.SourceID // a channel may upload a talk again; a blog lists a post once
	}
	texts := []*text{tc.text(e.Event), tc.text(e.Title)}
	if recordingRoles[se.Role] {
		texts = append(texts, tc.text(tc.plain(e.Summary)))
	}
	for _, t := range texts {
		if t.s == "" {
			continue
		}
		if id, year := m.eventIn(t); id != "" {
			ev.event = id
			if year != 0 {
				ev.event += "@" + strconv.Itoa(year)
				ev.year = year
			}
			break
		}
	}
	if ev.year == 0 {
		if mk := yearMarker.FindStringSubmatch(e.Title); mk != nil {
			ev.year, _ = strconv.Atoi(mk[1])
		}
	}
	add := func(id string) {
		if m.isSpeaker(id) && !slices.Contains(ev.speakers, id) {
			ev.speakers = append(ev.speakers, id)
		}
	}
	if s, ok := m.sources[se.SourceID]; ok && ev.nature != natureEpisode {
		for _, id := range s.Speakers {
			add(id)
		}
	}
	for _, sp := range e.Speakers {
		add(m.speakerID(sp))
	}
	for _, a := range e.Authors {
		for _, n := range authorNames(a) {
			add(m.speakerID(n))
		}
	}
	for _, t := range texts {
		for i, sm := range m.speakers {
			if m.speakerNamed(t, i) != "" {
				add(sm.id)
			}
		}
	}
	slices.Sort(ev.speakers)
	return ev
}

// eventIn finds the one configured event a text names and the year
// written beside it (0 when none); a text naming two events names none.
func (m *Merger) eventIn(t *text) (id string, year int) {
	found := -1
	var loc []int
	for i := range m.events {
		if l := m.eventMatch[i].findStringIndex(t); l != nil {
			if found >= 0 {
				return "", 0
			}
			found, loc = i, l
		}
	}
	if found < 0 {
		return "", 0
	}
	return m.events[found].ID, yearNear(t.s, loc)
}

func (m *Merger) isSpeaker(id string) bool {
	for _, sm := range m.speakers {
		if sm.id == id {
			return true
		}
	}
	return false
}

// keyAbout starts the key a post about a recording has instead of the
// recording's video key: "about:" + provider + ":" + id + "#" + evidence.
const keyAbout = "about:"

// aboutKey turns a video key into the start of the about keys of the
// same recording.
func aboutKey(videoKey string) string {
	return keyAbout + strings.TrimPrefix(videoKey, keyVideo)
}

// parseAboutKey splits an about key into its index (aboutKey) and the
// evidence of the post.
func parseAboutKey(key string) (index string, ev evidence, ok bool) {
	if !strings.HasPrefix(key, keyAbout) {
		return "", ev, false
	}
	index, enc, _ := strings.Cut(key, evidenceSep)
	return index, decodeEvidence(enc), true
}
