package merge

import (
	"regexp"
	"testing"
)

// prefilterPatterns are the shapes feeds.yaml uses (events, rules) and the
// package's own (kind words, speakers).
var prefilterPatterns = []string{
	`(?i)\bfosdem\b`, `(?i)\bstrange\s?loop\b`, `(?i)\bocaml\s+(users\s+and\s+developers\s+)?workshop\b|\boud\s+20\d\d\b`,
	`(?i)\b[2-4]\dc3\b|\bchaos\s+communication\s+congress\b`, `(?i)\bsource[_ ]code\s+berlin\b`,
	`\bBOB\s+(20\d\d|conference)\b`, `(?i)\bunikernels?\b`, `(?i)\bxen(store|api)?\b|\bxapi\b|\bstub\s+domains?\b`,
	`\bARM\b|(?i:\bcubieboard|\braspberry[- ]pi\b|\besp32\b)`, `(?i)\btcp(/ip)?\b|\bnetwork(ing| stack)\b|\bdns\b`,
	`(?i)(?:^|[^\pL\pN@_])(Anil Madhavapeddy|avsm|Anil)(?:$|[^\pL\pN_])`, `(?i)\bsſ\b`, `(?i)k`, `[sS]tra[ßs]e`,
	`x*`, `a|b*`, `(?i)\bkelvin\b`, `.*`, `^$`,
}

func TestPrefilterNeverMissesAMatch(t *testing.T) {
	texts := []string{"", "FOSDEM 2014", "fosdem", "Strange Loop", "strangeloop 2015", "OCaml Users and Developers Workshop",
		"OUD 2014", "32c3", "Chaos Communication Congress", "Source_Code Berlin", "BOB 2016", "bob 2016", "Unikernel",
		"XenStore", "xapi", "stub domain", "ARM", "arm", "Cubieboard2", "raspberry pi", "TCP/IP", "networking",
		"Anil Madhavapeddy", "by avsm.", "foo@avsm", "ANIL", "ſ", "S", "K", "\u212a", "KELVIN", "Straße", "strasse",
		"x", "ab", "ÉCOLE fosdem"}
	for _, p := range prefilterPatterns {
		re := regexp.MustCompile(p)
		m := newMatcher(re)
		for _, s := range texts {
			if re.MatchString(s) && !m.possible(newText(s)) {
				t.Errorf("prefilter of %q rejects %q, which matches (literals %q)", p, s, m.lits)
			}
		}
	}
	// And it does reject: the point of it.
	m := newMatcher(regexp.MustCompile(`(?i)\bfosdem\b`))
	if m.possible(newText("Strange Loop 2015")) {
		t.Errorf("prefilter of fosdem accepts a text without it (literals %q)", m.lits)
	}
}

func FuzzPrefilter(f *testing.F) {
	for _, p := range prefilterPatterns {
		f.Add(p, "FOSDEM ſ \u212a Straße unikernels")
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		re, err := regexp.Compile(pattern)
		if err != nil {
			return
		}
		if re.MatchString(s) && !newMatcher(re).possible(newText(s)) {
			t.Errorf("prefilter of %q rejects %q, which matches", pattern, s)
		}
	})
}
