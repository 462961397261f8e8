package merge

import "strings"

// A folded text (text.foldedWords) is its words between single spaces, so
// a speaker's folded name occurs in it, between spaces, exactly where the
// text's words starting at one of its words are the name's words. Rather
// than search every text once per name and alias (120 substring searches
// over a 20 KB summary for 60 speakers), the words index every name by its
// first word, and one pass over a text's words finds every speaker it
// names.

// wordIndex finds the configured speakers' names in folded texts.
type wordIndex struct {
	speakers int
	// byStart maps the first start bytes of every name's first word to
	// the names, so that one lookup per text word finds the names whose
	// first word it is, and those whose first word it starts with.
	start   int
	byStart map[string][]indexedName
}

type indexedName struct {
	speaker int    // index in Merger.speakers
	name    int    // index in its speakerMatcher.words
	first   string // its first folded word
	words   string // the folded name and a space: what follows its start in a text
}

func newWordIndex(speakers []speakerMatcher) *wordIndex {
	x := &wordIndex{speakers: len(speakers), byStart: map[string][]indexedName{}}
	var names []indexedName
	for i, sm := range speakers {
		for j, w := range sm.words {
			name := w[1:] // "name ": words always have a space on each side
			first, _, _ := strings.Cut(name, " ")
			names = append(names, indexedName{speaker: i, name: j, first: first, words: name})
			if x.start == 0 || len(first) < x.start {
				x.start = len(first)
			}
		}
	}
	for _, n := range names {
		k := n.first[:x.start]
		x.byStart[k] = append(x.byStart[k], n)
	}
	return x
}

// namesFound is what a text says about each speaker.
type namesFound struct {
	// named is, per speaker, the index of its first name or alias
	// (speakerMatcher.words order) that the text names, or -1.
	named []int
	// started is, per speaker, whether some word of the text starts
	// with the first word of one of its names: the text may name it
	// speaking (findSpeaking matches a name's last word as a prefix, so
	// that "Mindy's talk", folded "mindys talk", counts).
	started []bool
}

// scan reads a folded text (" word word … ") once.
func (x *wordIndex) scan(f string) namesFound {
	nf := namesFound{named: make([]int, x.speakers), started: make([]bool, x.speakers)}
	for i := range nf.named {
		nf.named[i] = -1
	}
	if x.start == 0 {
		return nf
	}
	for pos := 1; pos < len(f); {
		end := pos + strings.IndexByte(f[pos:], ' ')
		if end < pos {
			break // only a text not made by foldedWords lacks the final space
		}
		w := f[pos:end]
		if len(w) >= x.start {
			for _, n := range x.byStart[w[:x.start]] {
				if !strings.HasPrefix(w, n.first) {
					continue
				}
				nf.started[n.speaker] = true
				if len(w) == len(n.first) && strings.HasPrefix(f[pos:], n.words) {
					if k := nf.named[n.speaker]; k < 0 || n.name < k {
						nf.named[n.speaker] = n.name
					}
				}
			}
		}
		pos = end + 1
	}
	return nf
}
