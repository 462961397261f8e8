package merge

import (
	"io"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Once the prefilter (prefilter.go) lets a text through, the pattern need
// not run over all of it: when every match holds one of a few literals no
// more than a bounded number of bytes after its start, a match can only
// start in the few places just before those literals' occurrences, and the
// pattern is tried anchored there instead of scanning a 20 KB summary from
// its first byte.
//
// Go's regexp cannot start at an offset and still see the text before it
// (\b, (?m)^ and \A look at the rune before the start), so the anchored
// pattern is `\A(?s:.)(?:re)`, run from the rune before the start: it
// consumes that rune, and the pattern's assertions then see what they
// would see in the whole text. It reads the text through an io.RuneReader,
// so it stops as soon as every thread has failed instead of reading (or
// clearing a backtracking bitmap as long as) the rest of the text. The
// leftmost candidate that matches is the leftmost match, since no match
// starts anywhere else, and the anchored run prefers among the matches
// starting there exactly as the unanchored one does. Patterns are taken
// to be compiled by regexp.Compile (leftmost-first), as the config does.

// maxBefore bounds how far before a literal a match may start: each byte
// of it is one more place to try per occurrence.
const maxBefore = 64

// A run anchored at one place reads as far as a match could reach: a
// few bytes for a word, the rest of the text for "fosdem.*2014". When the
// runs of one text together read more than the text and readSlack, the
// search gives up and the pattern scans the text once, as it would have.
const readSlack = 4 << 10

// anchoredSearch tries a pattern at the places its matches may start.
type anchoredSearch struct {
	lits   []string       // canon literals; every match holds one
	before int            // at most this many bytes after the match's start
	atPrev *regexp.Regexp // `\A(?s:.)(?:re)`: from the rune before a start
	atZero *regexp.Regexp // `\A(?:re)`: from the text's start
}

// newAnchoredSearch returns nil when the pattern has no literal at a
// bounded distance from the start of its matches.
func newAnchoredSearch(re *regexp.Regexp) *anchoredSearch {
	src := re.String()
	if strings.Contains(src, `\Q`) {
		return nil // a quoted tail would swallow the group's closing paren
	}
	tree, err := syntax.Parse(src, syntax.Perl)
	if err != nil {
		return nil
	}
	lits, before, ok := anchors(tree.Simplify())
	if !ok || before > maxBefore {
		return nil
	}
	atPrev, err1 := regexp.Compile(`\A(?s:.)(?:` + src + `)`)
	atZero, err2 := regexp.Compile(`\A(?:` + src + `)`)
	if err1 != nil || err2 != nil {
		return nil
	}
	return &anchoredSearch{lits: lits, before: before, atPrev: atPrev, atZero: atZero}
}

// find returns the leftmost match in t as regexp.FindStringIndex does;
// ok is false when t's canon form does not keep its byte offsets, so that
// the literals' occurrences cannot be placed in t, or when the runs read
// too much (readSlack): then the caller scans.
func (a *anchoredSearch) find(t *text) (loc []int, ok bool) {
	starts, ok := a.starts(t)
	if !ok {
		return nil, false
	}
	r := budgetReader{left: len(t.s) + readSlack}
	for _, s := range starts {
		loc, spent := a.at(t.s, s, &r, false)
		if spent {
			return nil, false
		}
		if loc != nil {
			return loc, true
		}
	}
	return nil, true
}

// findAll returns the successive matches in t, with their submatches, as
// regexp.FindAllStringSubmatchIndex(t.s, -1) does: each the leftmost
// match from the end of the one before (a match holds a literal, so none
// is empty); ok as for find.
func (a *anchoredSearch) findAll(t *text) (locs [][]int, ok bool) {
	starts, ok := a.starts(t)
	if !ok {
		return nil, false
	}
	r := budgetReader{left: len(t.s) + readSlack}
	from := 0
	for _, s := range starts {
		if s < from {
			continue
		}
		loc, spent := a.at(t.s, s, &r, true)
		if spent {
			return nil, false
		}
		if loc != nil {
			locs = append(locs, loc)
			from = loc[1]
		}
	}
	return locs, true
}

// starts returns, in order, every place a match may start.
func (a *anchoredSearch) starts(t *text) ([]int, bool) {
	f := t.folded()
	if !t.sameOffsets {
		return nil, false
	}
	var starts []int
	for _, l := range a.lits {
		for i := 0; ; {
			j := strings.Index(f[i:], l)
			if j < 0 {
				break
			}
			at := i + j
			for s := max(0, at-a.before); s <= at; s++ {
				if utf8.RuneStart(t.s[s]) {
					starts = append(starts, s)
				}
			}
			i = at + 1
		}
	}
	slices.Sort(starts)
	return slices.Compact(starts), true
}

// at runs the pattern anchored at s in text, reading through r; the
// match (with its submatches when sub) is in text's offsets. spent says
// r's budget ran out, and the answer does not count.
func (a *anchoredSearch) at(text string, s int, r *budgetReader, sub bool) (loc []int, spent bool) {
	re, from := a.atZero, 0
	if s > 0 {
		_, w := utf8.DecodeLastRuneInString(text[:s])
		re, from = a.atPrev, s-w
	}
	r.Reset(text[from:])
	if sub {
		loc = re.FindReaderSubmatchIndex(r)
	} else {
		loc = re.FindReaderIndex(r)
	}
	if r.spent || loc == nil {
		return nil, r.spent
	}
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += from
		}
	}
	loc[0] = s // not the rune before it, which atPrev consumed
	return loc, false
}

// budgetReader reads runes until a byte budget shared by several reads is
// spent; then it says the text ended, and spent tells that the reading
// (and whatever was found with it) does not count.
type budgetReader struct {
	strings.Reader
	left  int
	spent bool
}

func (r *budgetReader) ReadRune() (rune, int, error) {
	if r.left <= 0 {
		r.spent = true
		return 0, 0, io.EOF
	}
	c, n, err := r.Reader.ReadRune()
	r.left -= n
	return c, n, err
}

// anchors returns literals (canon) one of which every match of re holds,
// starting at most before bytes after the match's start; ok is false when
// there are none such.
func anchors(re *syntax.Regexp) (lits []string, before int, ok bool) {
	switch re.Op {
	case syntax.OpLiteral, syntax.OpCharClass:
		lits, ok := required(re) // a literal, or the small classes it turns into literals
		return lits, 0, ok
	case syntax.OpCapture, syntax.OpPlus:
		return anchors(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return anchors(re.Sub[0])
		}
	case syntax.OpConcat:
		// Of the parts whose start is a bounded distance into the match
		// (every part before them bounded in length), the one whose
		// shortest literal is longest finds the fewest places.
		var best []string
		bestBefore, pre := 0, 0
		consider := func(set []string, at int) {
			if len(set) > 0 && (best == nil || shortest(set) > shortest(best)) {
				best, bestBefore = set, at
			}
		}
		var run strings.Builder
		runAt := 0
		for _, sub := range re.Sub {
			if sub.Op == syntax.OpLiteral {
				if run.Len() == 0 {
					runAt = pre
				}
				run.WriteString(string(sub.Rune))
			} else {
				if run.Len() > 0 {
					consider([]string{canon(run.String())}, runAt)
					run.Reset()
				}
				if set, b, ok := anchors(sub); ok {
					consider(set, pre+b)
				}
			}
			n, bounded := maxBytes(sub)
			if !bounded {
				break // nothing after it is a bounded distance from the start
			}
			pre += n
		}
		if run.Len() > 0 {
			consider([]string{canon(run.String())}, runAt)
		}
		return best, bestBefore, best != nil
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			set, b, ok := anchors(sub)
			if !ok {
				return nil, 0, false
			}
			lits = append(lits, set...)
			before = max(before, b)
		}
		return lits, before, len(lits) > 0
	}
	return nil, 0, false
}

// maxMatchBytes caps the lengths maxBytes adds up, far above any pattern
// a configuration writes, so that the sums cannot overflow.
const maxMatchBytes = 1 << 20

// maxBytes is the most bytes a match of re can span; bounded is false
// when a repetition makes it unbounded.
func maxBytes(re *syntax.Regexp) (n int, bounded bool) {
	switch re.Op {
	case syntax.OpNoMatch, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine,
		syntax.OpBeginText, syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0, true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 {
				n += foldBytes(r) // (?i)k matches the three-byte Kelvin sign
			} else {
				n += runeBytes(r)
			}
		}
		return n, true
	case syntax.OpCharClass:
		for i := 1; i < len(re.Rune); i += 2 {
			n = max(n, runeBytes(re.Rune[i]))
		}
		return n, true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax, true
	case syntax.OpCapture, syntax.OpQuest:
		return maxBytes(re.Sub[0])
	case syntax.OpRepeat:
		if re.Max < 0 {
			return 0, false
		}
		sub, ok := maxBytes(re.Sub[0])
		if !ok || sub*re.Max > maxMatchBytes {
			return 0, false
		}
		return sub * re.Max, true
	case syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			m, ok := maxBytes(sub)
			if !ok {
				return 0, false
			}
			if re.Op == syntax.OpConcat {
				n += m
			} else {
				n = max(n, m)
			}
			if n > maxMatchBytes {
				return 0, false
			}
		}
		return n, true
	}
	return 0, false // star, plus: unbounded
}

// runeBytes is the bytes a rune takes in UTF-8; a rune that has no
// encoding (a surrogate) counts as the longest.
func runeBytes(r rune) int {
	if n := utf8.RuneLen(r); n > 0 {
		return n
	}
	return utf8.UTFMax
}

// foldBytes is the longest encoding of any rune r matches case-folded.
func foldBytes(r rune) int {
	n := runeBytes(r)
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		n = max(n, runeBytes(f))
	}
	return n
}
