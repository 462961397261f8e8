package merge

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tagging runs every configured event, rule and speaker pattern over every
// item's titles and summaries, and most of them match nothing. A matcher
// first checks a necessary condition that costs a substring search: the
// text must contain one of the literals the pattern cannot match without
// (compared case-folded), derived from the pattern's syntax tree. Only then
// does the regular expression run, and where it can, only at the places a
// match may start (anchored.go).

// matcher is a regular expression with its literal prefilter.
type matcher struct {
	re       *regexp.Regexp
	lits     []string        // case-folded (canon); nil when the pattern has no required literal
	anchored *anchoredSearch // nil when it cannot be used (anchored.go)
}

func newMatcher(re *regexp.Regexp) matcher {
	m := matcher{re: re}
	if re == nil {
		return m
	}
	m.anchored = newAnchoredSearch(re)
	if tree, err := syntax.Parse(re.String(), syntax.Perl); err == nil {
		if lits, ok := required(tree.Simplify()); ok {
			m.lits = lits
		}
	}
	return m
}

// text is a text to match, with its case-folded form made once.
type text struct {
	s     string
	canon string
	done  bool
	// sameOffsets: every rune of canon takes the bytes it takes in s, so
	// an offset in one is the same place in the other.
	sameOffsets bool
	words       string // " " + fold(s) + " ", made when first needed
	// names: the speakers the text names, as namesBy found them
	// (Merger.namesIn)
	names   *namesFound
	namesBy *wordIndex
}

// foldedWords is the text folded (fold) between spaces, for whole-word
// substring searches. A handle ("@avsm") folds to its name; an address
// ("foo@avsm") stays one word.
func (t *text) foldedWords() string {
	if t.words == "" {
		s := t.s
		if i := strings.IndexByte(s, '@'); i > 0 {
			var b strings.Builder
			for j, r := range s {
				if r == '@' && j > 0 && isWordByte(s[j-1]) {
					continue
				}
				b.WriteRune(r)
			}
			s = b.String()
		}
		t.words = " " + fold(s) + " "
	}
	return t.words
}

func newText(s string) *text { return &text{s: s} }

func (t *text) folded() string {
	if !t.done {
		t.canon, t.sameOffsets = canonOffsets(t.s)
		t.done = true
	}
	return t.canon
}

// possible is the prefilter: false only when the pattern cannot match.
func (m matcher) possible(t *text) bool {
	if m.lits == nil {
		return true
	}
	f := t.folded()
	for _, l := range m.lits {
		if strings.Contains(f, l) {
			return true
		}
	}
	return false
}

func (m matcher) matchString(t *text) bool {
	if m.re == nil || !m.possible(t) {
		return false
	}
	if m.anchored != nil {
		if loc, ok := m.anchored.find(t); ok {
			return loc != nil
		}
	}
	return m.re.MatchString(t.s)
}

func (m matcher) findStringIndex(t *text) []int {
	if m.re == nil || !m.possible(t) {
		return nil
	}
	if m.anchored != nil {
		if loc, ok := m.anchored.find(t); ok {
			return loc
		}
	}
	return m.re.FindStringIndex(t.s)
}

// findAllStringSubmatch is regexp.FindAllStringSubmatch(t.s, -1).
func (m matcher) findAllStringSubmatch(t *text) [][]string {
	if m.re == nil || !m.possible(t) {
		return nil
	}
	if m.anchored == nil {
		return m.re.FindAllStringSubmatch(t.s, -1)
	}
	locs, ok := m.anchored.findAll(t)
	if !ok {
		return m.re.FindAllStringSubmatch(t.s, -1)
	}
	var out [][]string
	for _, loc := range locs {
		sub := make([]string, len(loc)/2)
		for i := range sub {
			if loc[2*i] >= 0 {
				sub[i] = t.s[loc[2*i]:loc[2*i+1]]
			}
		}
		out = append(out, sub)
	}
	return out
}

func (m matcher) findString(t *text) string {
	if loc := m.findStringIndex(t); loc != nil {
		return t.s[loc[0]:loc[1]]
	}
	return ""
}

// canon maps every rune to the smallest rune that matches it under (?i)
// (the minimum of its simple case-folding orbit: "k", "K" and the Kelvin
// sign all become "K"), so that a case-insensitive literal is found in a
// canon text by plain substring search, and a case-sensitive one too.
func canon(s string) string {
	if isASCII(s) {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldMin(r))
	}
	return b.String()
}

// canonOffsets is canon(s), and whether every rune of it takes as many
// bytes as the rune of s it came from (false for the few runes whose
// smallest fold is shorter, "ſ" for "S", and for invalid UTF-8).
func canonOffsets(s string) (string, bool) {
	c := canon(s)
	if len(c) != len(s) {
		return c, false
	}
	if isASCII(s) {
		return c, true // canon upper-cased it byte for byte
	}
	for i, j := 0, 0; i < len(s); {
		_, w := utf8.DecodeRuneInString(s[i:])
		_, wc := utf8.DecodeRuneInString(c[j:])
		if w != wc {
			return c, false
		}
		i, j = i+w, j+wc
	}
	return c, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func foldMin(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}

// maxClass is the largest character class turned into literals ([sS]).
const maxClass = 4

// required returns literals one of which every match of re contains (in
// canon form); ok is false when there is no such set.
func required(re *syntax.Regexp) (lits []string, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return nil, false
		}
		return []string{canon(string(re.Rune))}, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpCharClass:
		n := 0
		for i := 0; i+1 < len(re.Rune); i += 2 {
			n += int(re.Rune[i+1]-re.Rune[i]) + 1
		}
		if n == 0 || n > maxClass {
			return nil, false
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if c := canon(string(r)); !seen[c] {
					seen[c] = true
					lits = append(lits, c)
				}
			}
		}
		return lits, true
	case syntax.OpConcat:
		// Adjacent literals join into one longer literal; of the parts, the
		// set whose shortest literal is longest is the most selective.
		var best []string
		var run strings.Builder
		consider := func(set []string) {
			if len(set) > 0 && (best == nil || shortest(set) > shortest(best)) {
				best = set
			}
		}
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				run.WriteString(string(sub.Rune))
				continue
			}
			if run.Len() > 0 {
				consider([]string{canon(run.String())})
				run.Reset()
			}
			if set, ok := required(sub); ok {
				consider(set)
			}
		}
		if run.Len() > 0 {
			consider([]string{canon(run.String())})
		}
		return best, best != nil
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			set, ok := required(sub)
			if !ok {
				return nil, false
			}
			lits = append(lits, set...)
		}
		return lits, len(lits) > 0
	}
	return nil, false
}

func shortest(set []string) int {
	n := -1
	for _, s := range set {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}
