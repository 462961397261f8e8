package merge

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// anchoredTexts put the patterns' literals at the edges of a text, inside
// words, beside non-ASCII letters and after runes whose fold is shorter.
var anchoredTexts = []string{
	"", "fosdem", "FOSDEM 2014", `<a href="https://youtu.be/x">a</a><iframe SRC='//player.vimeo.com/video/1'> data-src=x src=`,
	"fosdemfosdem fosdem", "fsdem fosdem fosxdem", "hrefsrc=1 src = 2", "xfosdem fosdem", "fosdemx", "at FOSDEM'14.", "Straße FOSDEM", "ÉCOLE fosdem",
	"ſ fosdem", "\u212a fosdem", "strange loop", "strangeloop", "Strange  Loop", "ocaml  \n workshop", "OCaml workshopx OCaml Workshop",
	"hack retreat", "mirageos   retreat", "hackretreat", "CVE-2014-0160", "cve-201", "advisory", "_fosdem", "fosdem_",
	"Anil Madhavapeddy", "by avsm.", "foo@avsm", "anil", "Zoë avsm", "\xff\xfefosdem", "fos\xffdem fosdem", "xen xenapi xapi",
	"ARM arm raspberry-pi", "Raspberry Pi", "1.2.3 is released", "v2.0 released", "kelvin \u212aELVIN", "talk at FOSDEM",
}

func TestAnchoredSearchIsFindStringIndex(t *testing.T) {
	patterns := append(slices.Clone(prefilterPatterns), `(?i)\bocaml\s+workshop\b`, `(?i)\b(hack|mirageos)\s+retreat\b`,
		`(?i)\bsecurity\b|\badvisory\b|\bcve-\d{4}`, `(?i)\bv?\d+\.\d+(\.\d+)?\b.*\breleased?\b`, `(?m)^fosdem$`, `\Afosdem`,
		`(?i)(?:^|\W)fosdem`, `(?i)\Bosdem`, `(?i)fos(?:dem)?`, `(?i)[a-z]{2,3}dem`, `(?s).{0,5}dem`, `\Qfos(dem`,
		videoInHTML.String(), `(?i)(f)(o)?s(x)?dem`)
	for _, p := range patterns {
		re := regexp.MustCompile(p)
		m := newMatcher(re)
		for _, s := range anchoredTexts {
			want := re.FindStringIndex(s)
			if got := m.findStringIndex(newText(s)); !slices.Equal(got, want) {
				t.Errorf("%q in %q: got %v, FindStringIndex %v (anchored %+v)", p, s, got, want, m.anchored)
			}
			if got := m.matchString(newText(s)); got != (want != nil) {
				t.Errorf("%q in %q: matchString %v, want %v", p, s, got, want != nil)
			}
			if got, want := m.findAllStringSubmatch(newText(s)), re.FindAllStringSubmatch(s, -1); !reflect.DeepEqual(got, want) {
				t.Errorf("%q in %q: all matches %q, FindAllStringSubmatch %q", p, s, got, want)
			}
		}
	}
}

// A pattern whose runs would read the text again from every occurrence
// gives up on the anchored search and scans once: same answer.
func TestAnchoredSearchOverBudget(t *testing.T) {
	re := regexp.MustCompile(`(?i)\bfosdem\b.*\bsummit\b`)
	m := newMatcher(re)
	for i, s := range []string{strings.Repeat("fosdem and ", 2000), strings.Repeat("fosdem and ", 2000) + "summit"} {
		tx := newText(s)
		if _, ok := m.anchored.find(tx); ok && i == 0 {
			t.Errorf("anchored search read the text 2000 times over and kept its answer")
		}
		if got, want := m.findStringIndex(tx), re.FindStringIndex(s); !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
	}
}

func TestAnchors(t *testing.T) {
	tests := []struct {
		pattern string
		lits    []string
		before  int
		ok      bool
	}{
		{`(?i)\bfosdem\b`, []string{"FOSDEM"}, 0, true},
		{`(?i)\bocaml\s+workshop\b`, []string{"OCAML"}, 0, true}, // not WORKSHOP: \s+ is unbounded
		{`(?i)\b(hack|mirageos)\s+retreat\b`, []string{"HACK", "MIRAGEOS"}, 0, true},
		{`(?i)x?fosdem`, []string{"FOSDEM"}, 1, true},
		{`(?i)k?fosdem`, []string{"FOSDEM"}, 3, true}, // the Kelvin sign
		{`(?:^|[^\pL])anil`, []string{"ANIL"}, 4, true},
		{`\d+\.\d+ released`, nil, 0, false},
		{`.*`, nil, 0, false},
		{`(?s).{0,100}x`, nil, 0, false}, // too many places to try per x
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			a := newAnchoredSearch(regexp.MustCompile(tt.pattern))
			if (a != nil) != tt.ok {
				t.Fatalf("anchored search %+v, want one: %v", a, tt.ok)
			}
			if a != nil && (!slices.Equal(a.lits, tt.lits) || a.before != tt.before) {
				t.Errorf("anchors %q within %d bytes, want %q within %d", a.lits, a.before, tt.lits, tt.before)
			}
		})
	}
}

// FuzzAnchoredSearch compares the anchored search with the plain one.
func FuzzAnchoredSearch(f *testing.F) {
	for _, p := range prefilterPatterns {
		f.Add(p, "FOSDEM ſ \u212a Straße unikernels at fosdem"+strings.Repeat(" x", 3))
	}
	f.Add(`(?i)\b(hack|mirageos)\s+retreat\b`, "a hack  retreat")
	f.Add(videoInHTML.String(), `<a href="https://youtu.be/x">a</a><iframe SRC='//player.vimeo.com/video/1'>`)
	f.Fuzz(func(t *testing.T, pattern, s string) {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		m := newMatcher(re)
		want := re.FindStringIndex(s)
		if got := m.findStringIndex(newText(s)); !slices.Equal(got, want) {
			t.Errorf("%q in %q: got %v, FindStringIndex %v", pattern, s, got, want)
		}
		if got, want := m.findAllStringSubmatch(newText(s)), re.FindAllStringSubmatch(s, -1); !reflect.DeepEqual(got, want) {
			t.Errorf("%q in %q: all matches %q, FindAllStringSubmatch %q", pattern, s, got, want)
		}
	})
}
