package merge

import (
	"html"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Title keys join entries that have no URL or video in common but are the
// same talk: a YouTube upload titled "Non-Imperative Network Programming -
// Mindy Preston - Strange Loop 2015" and the conference page "Non-Imperative
// Network Programming". The title is reduced to its words (case, diacritics
// and punctuation folded) after the decorations publishers add are cut off:
// a leading "Video:", a trailing "(FOSDEM 2014)", "| DockerCon EU 2016",
// "- Speaker Name", "(via X)", "[slides]". Equal titles are the same talk
// only when their dates are within a window: the same title months apart is
// the talk given again.
//
// A title key is "title:" + the normalised title + "@" + the day (days
// since 1970, zero-padded), so that the store finds every candidate with
// one range scan over its primary key: the keys of one title sort together,
// by day.

// titler normalises titles with what the configuration knows: speaker names
// and aliases, and event patterns, which are cut off a title as decorations.
type titler struct {
	names  map[string]bool // folded speaker names and aliases
	events []matcher
}

func newTitler(speakers []Speaker, events []Event) *titler {
	t := &titler{names: map[string]bool{}}
	for _, sp := range speakers {
		for _, n := range append([]string{sp.Name}, sp.Aliases...) {
			if f := fold(n); f != "" {
				t.names[f] = true
			}
		}
	}
	for _, ev := range events {
		if ev.Match != nil {
			t.events = append(t.events, newMatcher(ev.Match))
		}
	}
	return t
}

// NormalizeTitle reduces a title to the words two publishers of the same
// talk agree on, with no knowledge of speakers or events: lower case, no
// diacritics or punctuation, without the decorations described above that
// can be recognised without configuration (years, "(via X)", "[slides]",
// leading "Video:"). The Merger's own normalisation also cuts configured
// speaker names and event names.
func NormalizeTitle(title string) string {
	n, _ := (&titler{}).normalize(title, nil, "", false)
	return n
}

// normalize reduces title; extra names (the entry's own authors and
// speakers) are cut like configured speakers, and so is a trailing
// segment that looks like a person's name when context (the entry's
// summary) names that person too. specific says whether what is left can
// identify a talk: at least two content words outside names, dates and
// events ("Keynote - Mindy Preston" cannot).
//
// loose cuts every decoration whatever is left, as long as it is specific:
// "Next Generation Cloud - Russell Pavlicek" loses the speaker even though
// its summary makes "Next Generation Cloud" look like a name too.
func (t *titler) normalize(title string, extra []string, context string, loose bool) (norm string, specific bool) {
	s := strings.Join(strings.Fields(html.UnescapeString(title)), " ")
	if s == "" {
		return "", false
	}
	if !mayBeDecorated(s) {
		f := fold(s) // most titles: nothing to cut
		return f, specificTitle(f)
	}
	var extraFolded []string
	for _, n := range extra {
		if f := fold(n); f != "" {
			extraFolded = append(extraFolded, f)
		}
	}
	known := func(seg string) bool {
		f := fold(seg)
		if f == "" {
			return false
		}
		if t.names[f] {
			return true
		}
		for _, n := range extraFolded {
			if n == f {
				return true
			}
		}
		return false
	}
	// Title Case makes many titles look like names ("Next Generation
	// Cloud"): an unknown name counts only when the summary names it too.
	var foldedContext string
	confirmed := func(seg string) bool {
		if context == "" || !nameLike(seg) {
			return false
		}
		if foldedContext == "" {
			foldedContext = " " + fold(context) + " "
		}
		return strings.Contains(foldedContext, " "+fold(seg)+" ")
	}
	// A decoration comes off only when what is left is still a title, not
	// a name.
	keep := func(rest string) bool {
		if loose {
			return specificTitle(fold(rest))
		}
		return specificTitle(fold(rest)) && !known(rest) && !confirmed(rest)
	}
	for range 8 {
		before := s
		s = t.stripLeading(s, known, keep, loose)
		s = t.stripTrailing(s, known, confirmed, keep)
		if s == before {
			break
		}
	}
	// What is left must say what the talk is without the names in it. A
	// segment that only looks like a name ("Jane Doe") counts when every
	// segment does (a Title Case title), not beside a generic one
	// ("Opening Keynote | Jane Doe").
	segs := splitSeps(s)
	allNames := true
	for _, seg := range segs {
		allNames = allNames && nameLike(seg)
	}
	words := 0
	for _, seg := range segs {
		// Loosely, a Title Case title its summary repeats is still a title.
		if known(seg) || t.knownList(seg, known) || !loose && confirmed(seg) || t.dated(seg) || nameLike(seg) && !allNames {
			continue
		}
		words += contentWords(fold(seg))
	}
	return fold(s), words >= 2
}

var (
	// leadingLabel is a word that says what the entry is, not what it is about.
	leadingLabel = regexp.MustCompile(`(?i)^(?:\[\s*(?:video|slides|talk|paper|preprint|podcast|audio|pdf|recording|keynote)\s*\]|(?:video|videos|slides|talk|recording|watch|new talk|paper|preprint|podcast|keynote|lecture|webinar|screencast|presentation|replay|livestream|live)\s*[:|])\s*`)
	// trailingGroup is a parenthesised or bracketed group at the end.
	trailingGroup = regexp.MustCompile(`\s*[(\[]([^()\[\]]*)[)\]]\s*[.!]?$`)
	byName        = regexp.MustCompile(`(?i)[,;]?\s+by\s+([^,;|]+)$`)
	atEvent       = regexp.MustCompile(`(?i)\s+(?:at|@)\s+([^,;|]+)$`)
	// leadingColon is "Speaker Name: title" or "FOSDEM 2014: title".
	leadingColon = regexp.MustCompile(`^([^:]{2,60}):\s+`)
)

// noiseWords are decorations that say what the entry is, not what the talk is.
var noiseWords = map[string]bool{
	"slides": true, "video": true, "videos": true, "pdf": true, "audio": true, "recording": true,
	"talk": true, "full talk": true, "keynote": true, "live": true, "hd": true, "repost": true,
	"cross post": true, "crosspost": true, "updated": true, "update": true, "preprint": true,
	"paper": true, "english": true, "en": true, "subtitled": true, "transcript": true,
	"with slides": true, "slides and video": true, "video and slides": true, "slides video": true,
	"video slides": true, "slides and notes": true, "lecture": true, "webinar": true, "screencast": true,
	"official video": true, "conference talk": true, "extended version": true, "short version": true,
}

// mayBeDecorated is a cheap test that lets the many plain titles skip the
// regular expressions below: every decoration needs one of these bytes.
func mayBeDecorated(s string) bool {
	return strings.ContainsAny(s, ":|()[]-–—~/@") || strings.Contains(s, " by ") || strings.Contains(s, " By ") ||
		strings.Contains(s, " BY ") || strings.Contains(s, " at ") || strings.Contains(s, " At ")
}

// sepIndexes finds the separators between a title and a decoration:
// spaced dashes, pipes and tildes (also doubled), "//" and "::". A colon
// alone, or a dash inside a word ("Non-Imperative"), is part of the title.
// Each result is the [start, end) of the separator with its spaces.
func sepIndexes(s string) [][2]int {
	var out [][2]int
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			continue
		}
		j := i
		for j < len(s) && s[j] == ' ' {
			j++
		}
		k := j
		for k < len(s) {
			switch {
			case s[k] == '-' || s[k] == '|' || s[k] == '~':
				k++
				continue
			case strings.HasPrefix(s[k:], "–") || strings.HasPrefix(s[k:], "—"):
				k += len("–")
				continue
			case k == j && (strings.HasPrefix(s[k:], "//") || strings.HasPrefix(s[k:], "::")):
				k += 2
			}
			break
		}
		if k == j || k >= len(s) || s[k] != ' ' {
			i = j - 1
			continue
		}
		for k < len(s) && s[k] == ' ' {
			k++
		}
		out = append(out, [2]int{i, k})
		i = k - 1
	}
	return out
}

// splitSeps splits a title at its separators.
func splitSeps(s string) []string {
	var out []string
	prev := 0
	for _, loc := range sepIndexes(s) {
		out = append(out, s[prev:loc[0]])
		prev = loc[1]
	}
	return append(out, s[prev:])
}

// hasYear says whether s has a year from 1980 to 2099 as a word.
func hasYear(s string) bool {
	for i := 0; i+4 <= len(s); i++ {
		c := s[i : i+4]
		if !(c[0] == '1' && c[1] >= '8' && c[1] <= '9' || c[0] == '2' && c[1] == '0') ||
			!isDigit(c[2]) || !isDigit(c[3]) {
			continue
		}
		if (i == 0 || !isWordByte(s[i-1])) && (i+4 == len(s) || !isWordByte(s[i+4])) {
			return true
		}
	}
	return false
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isWordByte(b byte) bool {
	return isDigit(b) || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b >= 0x80
}

var nameParticles = wordSet("de van von der den da di le la du del dos ter")

// isNameWord is a capitalised word ("Preston", "O'Neil", "Sorensen-Smith"),
// an initial ("Q", "Q.") or a particle of a name ("de", "van").
func isNameWord(w string) bool {
	if nameParticles[w] {
		return true
	}
	rs := []rune(w)
	if len(rs) == 0 || !unicode.IsUpper(rs[0]) {
		return false
	}
	if len(rs) == 1 || len(rs) == 2 && rs[1] == '.' {
		return true
	}
	for _, r := range rs[1:] {
		if !unicode.IsLower(r) && r != '\'' && r != '’' && r != '-' {
			return false
		}
	}
	return true
}

// hasSep is a cheap test for sepIndexes: a space followed by a separator.
func hasSep(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == ' ' {
			switch s[i+1] {
			case '-', '|', '~', '/', ':', 0xE2: // 0xE2 starts "–" and "—"
				return true
			}
		}
	}
	return false
}

func (t *titler) stripLeading(s string, known, keep func(string) bool, loose bool) string {
	if strings.ContainsAny(s[:min(len(s), 24)], ":|]") {
		if m := leadingLabel.FindStringIndex(s); m != nil && keep(s[m[1]:]) {
			return s[m[1]:]
		}
	}
	if !hasSep(s) {
		goto colon
	}
	if locs := sepIndexes(s); len(locs) > 0 {
		loc := locs[0]
		head, rest := s[:loc[0]], s[loc[1]:]
		if t.noise(head, known, nil, rest) && keep(rest) {
			return rest
		}
	}
colon:
	if strings.IndexByte(s, ':') < 0 {
		return s
	}
	if m := leadingColon.FindStringSubmatchIndex(s); m != nil {
		head, rest := s[m[2]:m[3]], s[m[1]:]
		// Only a year-dated event or a known person: "Jitsu: Just-In-Time
		// Summoning of Unikernels" keeps its "Jitsu". Loosely, a short
		// project name comes off too ("MirageOS: …"), as one more key.
		if (t.dated(head) || known(head) || t.knownList(head, known)) && keep(rest) {
			return rest
		}
		if loose && len(strings.Fields(head)) <= 3 && keep(rest) {
			return rest
		}
	}
	return s
}

func (t *titler) stripTrailing(s string, known, confirmed, keep func(string) bool) string {
	if end := strings.TrimRight(s, " .!"); strings.HasSuffix(end, ")") || strings.HasSuffix(end, "]") {
		if m := trailingGroup.FindStringSubmatchIndex(s); m != nil {
			inner, rest := s[m[2]:m[3]], s[:m[0]]
			if t.noise(inner, known, confirmed, rest) && keep(rest) {
				return rest
			}
		}
	}
	if hasSep(s) {
		if locs := sepIndexes(s); len(locs) > 0 {
			loc := locs[len(locs)-1]
			rest, tail := s[:loc[0]], s[loc[1]:]
			if t.noise(tail, known, confirmed, rest) && keep(rest) {
				return rest
			}
		}
	}
	if strings.Contains(strings.ToLower(s), " by ") {
		if m := byName.FindStringSubmatchIndex(s); m != nil {
			name, rest := s[m[2]:m[3]], s[:m[0]]
			if (known(name) || t.knownList(name, known) || nameLike(name)) && keep(rest) {
				return rest
			}
		}
	}
	if !strings.ContainsAny(s, "@0123456789") {
		return strings.TrimRight(s, " .!:;,")
	}
	if m := atEvent.FindStringSubmatchIndex(s); m != nil {
		ev, rest := s[m[2]:m[3]], s[:m[0]]
		if t.dated(ev) && keep(rest) {
			return rest
		}
	}
	return strings.TrimRight(s, " .!:;,")
}

// noise says whether a segment cut off by a separator or brackets is a
// decoration: a year-dated event, a configured event, a known person (or
// several), "via X", "by X", a label such as "slides", or a name-like
// segment when what remains is clearly a title on its own.
func (t *titler) noise(seg string, known, confirmed func(string) bool, rest string) bool {
	seg = strings.TrimSpace(seg)
	f := fold(seg)
	switch {
	case f == "":
		return true
	case noiseWords[f]:
		return true
	case strings.HasPrefix(f, "via "):
		return true
	case strings.HasPrefix(f, "by ") && (known(seg[3:]) || t.knownList(seg[3:], known) || nameLike(seg[3:])):
		return true
	case t.dated(seg):
		return true
	case known(seg) || t.knownList(seg, known):
		return true
	}
	words := strings.Fields(seg)
	if len(words) <= 6 {
		st := newText(seg)
		for _, re := range t.events {
			if re.matchString(st) {
				return true
			}
		}
	}
	// An unknown speaker's name, confirmed by the summary (never at the
	// front, where Title Case titles stand): only when the rest is specific
	// on its own, so "MirageOS Weekly - Issue Five" stays whole.
	return confirmed != nil && confirmed(seg) && specificTitle(fold(rest))
}

// dated is a short segment with a year in it: "FOSDEM 2014", "DockerCon EU
// 2016", "Oct 2015".
func (t *titler) dated(seg string) bool {
	return hasYear(seg) && len(strings.Fields(seg)) <= 4
}

// knownList is several known people: "A and B", "A & B", "A, B".
func (t *titler) knownList(seg string, known func(string) bool) bool {
	if !strings.ContainsAny(seg, ",&+") && !strings.Contains(seg, " and ") {
		return false
	}
	parts := strings.FieldsFunc(strings.ReplaceAll(seg, " and ", ","), func(r rune) bool {
		return r == ',' || r == '&' || r == '+'
	})
	if len(parts) < 2 || !known(parts[0]) && !known(parts[len(parts)-1]) {
		return false
	}
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && !known(p) && !nameLike(p) {
			return false
		}
	}
	return true
}

// nameLike is two or three capitalised words, as a person's name is
// written: "Mindy Preston", "Jan de Vries".
func nameLike(seg string) bool {
	words := strings.Fields(seg)
	if len(words) < 2 || len(words) > 4 {
		return false
	}
	caps := 0
	for _, w := range words {
		if !isNameWord(w) {
			return false
		}
		if unicode.IsUpper([]rune(w)[0]) {
			caps++
		}
		if lw := strings.ToLower(strings.TrimSuffix(w, ".")); len(lw) > 1 && (stopWords[lw] || genericWords[lw]) {
			return false // "The Road Ahead", "Opening Keynote"; an initial is fine
		}
	}
	return caps >= 2
}

// fold lower-cases, removes diacritics, turns "&" into "and" and every
// run of other non-letters and non-digits into one space.
func fold(s string) string {
	if isASCII(s) {
		return foldASCII(s)
	}
	return foldRunes(norm.NFKD.String(s)) // split letters from their diacritics
}

// foldASCII is foldRunes for ASCII text, byte by byte: every summary is
// folded for the speakers it names, and most are ASCII.
func foldASCII(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z':
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
		case c == '&':
			if len(b) > 0 {
				b = append(b, ' ')
			}
			b = append(b, "and"...)
			space = true
		case c == '\'':
		default:
			space = true
		}
	}
	return string(b)
}

// foldRunes folds decomposed text (fold).
func foldRunes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		case r == '&':
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("and")
			space = true
		case r == '\'' || r == '’':
			// "Don't" and "Dont" are the same word.
		default:
			space = true
		}
	}
	return b.String()
}

var stopWords = wordSet("a an and the of in on at to for with from by is are be as or vs via into your our my its it this that what how why we you i new")

// genericWords make no title specific on their own: "Keynote",
// "Introduction", "Lightning talks", "Opening remarks", "Q&A".
var genericWords = wordSet(`introduction intro keynote opening closing welcome remarks talk talks lightning
	panel discussion q qa question questions answers update updates news weekly monthly status report session
	workshop tutorial demo demos part day video videos slides live stream episode meeting meetup hangout office
	hours announcement announcements release released ama call summary recap notes overview conference
	presentation lecture chat interview fireside morning afternoon evening track room hall break lunch
	untitled tba tbd misc miscellaneous general final first second third one two three`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// contentWords counts the words of a folded title that say what it is
// about: not stop words, not generic words, not numbers.
func contentWords(folded string) int {
	n := 0
	for _, w := range strings.Fields(folded) {
		if stopWords[w] || genericWords[w] || isNumber(w) {
			continue
		}
		n++
	}
	return n
}

func isNumber(w string) bool {
	for _, r := range w {
		if !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// specificTitle is whether a folded title can identify a talk on its own:
// at least two content words. "Keynote", "Introduction to FOSDEM" or
// "MirageOS" alone are shared by too many talks.
func specificTitle(folded string) bool {
	return contentWords(folded) >= 2
}
