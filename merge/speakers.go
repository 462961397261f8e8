package merge

import (
	"strings"
)

// Speakers are recognised by their configured name and aliases, compared
// folded: case, diacritics and punctuation do not matter ("Reynir
// Bjornsson" is "Reynir Björnsson"), and a handle written "@avsm" is the
// alias "avsm". A name matches whole words only.

type speakerMatcher struct {
	id    string
	names map[string]bool // folded id, name and aliases
	// words are the folded name and aliases, each between spaces, for a
	// substring search in a folded text.
	words []string
}

func newSpeakerMatcher(sp Speaker) speakerMatcher {
	sm := speakerMatcher{id: sp.ID, names: map[string]bool{fold(sp.ID): true}}
	for _, n := range append([]string{sp.Name}, sp.Aliases...) {
		f := fold(n)
		if f == "" || sm.names[f] && f != fold(sp.ID) {
			continue
		}
		sm.names[f] = true
		sm.words = append(sm.words, " "+f+" ")
	}
	return sm
}

// namesIn says which speakers a text names, read once per text with the
// Merger's word index (wordindex.go).
func (m *Merger) namesIn(t *text) *namesFound {
	if t.namesBy != m.words {
		nf := m.words.scan(t.foldedWords())
		t.names, t.namesBy = &nf, m.words
	}
	return t.names
}

// speakerNamed returns the first of speaker i's name and aliases that
// the text names (folded), or "".
func (m *Merger) speakerNamed(t *text, i int) string {
	if k := m.namesIn(t).named[i]; k >= 0 {
		return strings.TrimSpace(m.speakers[i].words[k])
	}
	return ""
}

// speakerNamedSpeaking is findSpeaking for speaker i, skipped for texts
// in which no word starts with one of its names.
func (m *Merger) speakerNamedSpeaking(t *text, i int) string {
	if !m.namesIn(t).started[i] {
		return ""
	}
	return m.speakers[i].findSpeaking(t)
}

// speakingAfter and speakingBefore are the words around a name that say
// the person speaks ("Matt Bajor on unikernels", "Mindy's talk", "a talk
// by Anil"), folded; a name without them ("thanks to Hannes") is only
// mentioned.
var (
	speakingAfter  = []string{"on ", "s talk ", "s keynote ", "s presentation ", "spoke ", "speaks ", "presented ", "presents ", "gave ", "gives ", "talked ", "talks about "}
	speakingBefore = []string{" talk by", " keynote by", " presentation by", " talk from", " presented by", " speaker"}
)

// findSpeaking returns the name or alias of the speaker when the text
// names them as speaking, or "".
func (sm *speakerMatcher) findSpeaking(t *text) string {
	f := t.foldedWords()
	for _, w := range sm.words {
		name := w[:len(w)-1] // " name", so that "s talk" may follow it directly
		for i := 0; ; {
			j := strings.Index(f[i:], name)
			if j < 0 {
				break
			}
			j += i
			after, before := f[j+len(name):], f[:j]
			for _, a := range speakingAfter {
				if strings.HasPrefix(after, " "+a) || strings.HasPrefix(a, "s ") && strings.HasPrefix(after, a) {
					return strings.TrimSpace(w)
				}
			}
			for _, b := range speakingBefore {
				if strings.HasSuffix(before, b) {
					return strings.TrimSpace(w)
				}
			}
			i = j + 1
		}
	}
	return ""
}

// speakerID maps a name, alias, handle or id to the configured speaker id;
// an unknown name comes back unchanged.
func (m *Merger) speakerID(name string) string {
	n := fold(name)
	for _, sm := range m.speakers {
		if sm.names[n] {
			return sm.id
		}
	}
	return strings.TrimSpace(name)
}

// authorNames splits an author field that lists several people ("Anil
// Madhavapeddy, David Scott and Thomas Gazagnaire"), as many feeds write
// one dc:creator for them all.
func authorNames(a string) []string {
	a = strings.NewReplacer(" and ", ",", " & ", ",", ";", ",").Replace(a)
	var out []string
	for _, n := range strings.Split(a, ",") {
		if n = strings.TrimSpace(n); n != "" {
			out = append(out, n)
		}
	}
	return out
}
