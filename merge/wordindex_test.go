package merge

import (
	"strings"
	"testing"
)

// wordIndexSpeakers have names that share first words ("Anil …"), names
// inside others ("Anil" in "Anil Madhavapeddy"), diacritics, handles and
// one-letter words.
var wordIndexSpeakers = []Speaker{
	{ID: "anil", Name: "Anil Madhavapeddy", Aliases: []string{"avsm", "Anil"}},
	{ID: "anilf", Name: "Anil Ferris"},
	{ID: "zoe", Name: "Zoë Gazagnaire", Aliases: []string{"zgazagnaire"}},
	{ID: "kate", Name: "Kate Björnsson", Aliases: []string{"kbjörnsson", "Kate B"}},
	{ID: "mindy", Name: "Mindy Preston", Aliases: []string{"yomimono"}},
	{ID: "q", Name: "Q"},
}

// findEach is the straightforward matcher the word index replaces: one
// substring search per name, the first name (in order) that occurs wins.
func findEach(sm *speakerMatcher, t *text) string {
	for _, w := range sm.words {
		if strings.Contains(t.foldedWords(), w) {
			return strings.TrimSpace(w)
		}
	}
	return ""
}

func TestWordIndex(t *testing.T) {
	m := New(Options{Speakers: wordIndexSpeakers})
	tests := []struct {
		text string
		want map[string]string // speaker → the name found
	}{
		{"Anil Madhavapeddy", map[string]string{"anil": "anil madhavapeddy"}},
		{"a talk by Anil Ferris", map[string]string{"anil": "anil", "anilf": "anil ferris"}},
		{"anil", map[string]string{"anil": "anil"}},
		{"Anilx Ferris", nil},
		{"ANIL FERRISON", map[string]string{"anil": "anil"}},
		{"Zoë Gazagnaire at FOSDEM", map[string]string{"zoe": "zoe gazagnaire"}},
		{"zoe   GAZAGNAIRE", map[string]string{"zoe": "zoe gazagnaire"}},
		{"with Kate Bjornsson.", map[string]string{"kate": "kate bjornsson"}},
		{"Kate B. and kbjörnsson", map[string]string{"kate": "kbjornsson"}}, // the earlier alias, not the earlier word
		{"Kate B.", map[string]string{"kate": "kate b"}},
		{"thanks @avsm!", map[string]string{"anil": "avsm"}},
		{"mail foo@avsm.example", nil},
		{"avsmtool", nil},
		{"yomimono", map[string]string{"mindy": "yomimono"}},
		{"Mindy Preston's talk", nil}, // "prestons": only findSpeaking reads a name's last word as a prefix
		{"by Mindy Preston", map[string]string{"mindy": "mindy preston"}},
		{"Q", map[string]string{"q": "q"}},
		{"Q&A", map[string]string{"q": "q"}}, // "q and a"
		{"", nil},
		{"  ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := map[string]string{}
			tx := newText(tt.text)
			for i, sm := range m.speakers {
				if w := m.speakerNamed(tx, i); w != "" {
					got[sm.id] = w
				}
				if want := findEach(&sm, newText(tt.text)); m.speakerNamed(tx, i) != want {
					t.Errorf("%s: index finds %q, one search per name %q", sm.id, m.speakerNamed(tx, i), want)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("found %v, want %v", got, tt.want)
			}
			for id, w := range tt.want {
				if got[id] != w {
					t.Errorf("found %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestWordIndexStarted checks the gate of findSpeaking: a name's last word
// may be the start of a text's word ("Mindy Prestons talk").
func TestWordIndexStarted(t *testing.T) {
	m := New(Options{Speakers: wordIndexSpeakers})
	for _, s := range []string{"Mindy Prestons talk", "a talk by Anilx", "Mindy's keynote", "Zoës talk", "avsms talk", "nothing here"} {
		tx := newText(s)
		for i, sm := range m.speakers {
			if w := sm.findSpeaking(newText(s)); m.speakerNamedSpeaking(tx, i) != w {
				t.Errorf("%q, %s: gated %q, findSpeaking %q", s, sm.id, m.speakerNamedSpeaking(tx, i), w)
			}
		}
	}
}

// FuzzWordIndex compares the word index with one search per name, for
// names and texts the fuzzer makes.
func FuzzWordIndex(f *testing.F) {
	f.Add("Anil Madhavapeddy", "avsm", "Anil", "talk by Anil Madhavapeddy and @avsm")
	f.Add("Zoë Gazagnaire", "zoe", "Kate B", "Zoë's talk; ZOE GAZAGNAIRE gave")
	f.Add("a", "a b", "b", "a b a")
	f.Fuzz(func(t *testing.T, name, alias1, alias2, s string) {
		m := New(Options{Speakers: []Speaker{
			{ID: "one", Name: name, Aliases: []string{alias1, alias2}},
			{ID: "two", Name: alias2, Aliases: []string{name}},
			{ID: "three", Name: alias1 + " " + alias2},
		}})
		tx := newText(s)
		for i, sm := range m.speakers {
			if got, want := m.speakerNamed(tx, i), findEach(&sm, newText(s)); got != want {
				t.Errorf("%s in %q: index %q, one search per name %q", sm.id, s, got, want)
			}
			if got, want := m.speakerNamedSpeaking(tx, i), sm.findSpeaking(newText(s)); got != want {
				t.Errorf("%s speaking in %q: gated %q, findSpeaking %q", sm.id, s, got, want)
			}
		}
	})
}
