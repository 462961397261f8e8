package merge

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func testTitler() *titler {
	return newTitler(
		[]Speaker{
			{ID: "mindy", Name: "Mindy Preston", Aliases: []string{"yomimono"}},
			{ID: "anil", Name: "Anil Madhavapeddy", Aliases: []string{"avsm"}},
			{ID: "mort", Name: "Richard Mortier"},
		},
		[]Event{
			{ID: "fosdem", Match: regexp.MustCompile(`(?i)\bfosdem\b`)},
			{ID: "strange-loop", Match: regexp.MustCompile(`(?i)\bstrange\s?loop\b`)},
			{ID: "dockercon", Match: regexp.MustCompile(`(?i)\bdockercon\b`)},
		},
	)
}

func TestNormalizeTitle(t *testing.T) {
	const nin = "non imperative network programming"
	tests := []struct {
		name, in string
		extra    []string // the entry's own authors and speakers
		context  string   // the entry's summary
		want     string
	}{
		{"plain", "Non-Imperative Network Programming", nil, "", nin},
		{"case and punctuation", "NON-IMPERATIVE network   programming!", nil, "", nin},
		{"trailing event in parentheses", "Non-Imperative Network Programming (Strange Loop 2015)", nil, "", nin},
		{"trailing event with a pipe", "Non-Imperative Network Programming | Strange Loop 2015", nil, "", nin},
		{"speaker and event as dashes", "Non-Imperative Network Programming - Mindy Preston - Strange Loop 2015", nil, "", nin},
		{"en dash and alias", "Non-Imperative Network Programming – yomimono", nil, "", nin},
		{"leading event", "Strange Loop 2015: Non-Imperative Network Programming", nil, "", nin},
		{"leading event and speaker", "Strange Loop 2015 - Mindy Preston - Non-Imperative Network Programming", nil, "", nin},
		{"leading speaker with a colon", "Mindy Preston: Non-Imperative Network Programming", nil, "", nin},
		{"by a known speaker", "Non-Imperative Network Programming by Mindy Preston", nil, "", nin},
		{"by an unknown name", "Non-Imperative Network Programming, by Jane Q Doe", nil, "", nin},
		{"unknown name confirmed by the summary", "Non-Imperative Network Programming - Jane Doe", nil, "Jane Doe at Conf", nin},
		{"unknown name not in the summary stays", "Non-Imperative Network Programming - Jane Doe", nil, "A talk", nin + " jane doe"},
		{"a Title Case title is no name", "Next Generation Cloud - Russell Pavlicek - SouthEast LinuxFest 2015", nil,
			"Russell Pavlicek on the cloud", "next generation cloud"},
		{"a Title Case title before a Title Case subtitle", "Unikernels Explained - Next Generation Cloud", nil, "", "unikernels explained next generation cloud"},
		{"the entry's own author", "Non-Imperative Network Programming — Zed Sorensen-Smith", []string{"Zed Sorensen-Smith"}, "", nin},
		{"via", "MirageOS v2.0: a recap of new features (via MirageOS)", nil, "", "mirageos v2 0 a recap of new features"},
		{"slides label", "Non-Imperative Network Programming [slides]", nil, "", nin},
		{"video label", "Video: Non-Imperative Network Programming", nil, "", nin},
		{"slides label with a colon", "Slides: Non-Imperative Network Programming", nil, "", nin},
		{"bracketed label", "[VIDEO] Non-Imperative Network Programming", nil, "", nin},
		{"diacritics", "Résumé of the Café Unikernel Meetup", nil, "", "resume of the cafe unikernel meetup"},
		{"ampersand", "Rainbows & Unikernels", nil, "", "rainbows and unikernels"},
		{"apostrophe", "Don’t Panic: Unikernels", nil, "", "dont panic unikernels"},
		{"dockercon eu", "Unikernels: the rise of the library hypervisor in MirageOS | DockerCon EU 2016", nil, "",
			"unikernels the rise of the library hypervisor in mirageos"},
		{"fosdem in parentheses", "My Other Internet is a Mirage (FOSDEM 2014)", nil, "", "my other internet is a mirage"},
		{"at a dated event", "Unikernels and the cloud at FOSDEM 2014", nil, "", "unikernels and the cloud"},
		{"a colon inside a title stays", "Jitsu: Just-In-Time Summoning of Unikernels", nil, "", "jitsu just in time summoning of unikernels"},
		{"part numbers stay", "Unikernel Deep Dive (Part 2)", nil, "", "unikernel deep dive part 2"},
		{"hyphenated words stay", "Non-Imperative", nil, "", "non imperative"},
		{"nothing specific left: keep the decoration", "Keynote - Mindy Preston", nil, "", "keynote mindy preston"},
		{"generic rest keeps the unknown name", "MirageOS Weekly - Issue Five", nil, "", "mirageos weekly issue five"},
		{"html entities", "Security advisory: xen &gt;= 4.6 &amp; solo5", nil, "", "security advisory xen 4 6 and solo5"},
		{"empty", "  ", nil, "", ""},
	}
	tr := testTitler()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := tr.normalize(tt.in, tt.extra, tt.context, false); got != tt.want {
				t.Errorf("normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSpecificTitle(t *testing.T) {
	tests := []struct {
		title string
		want  bool
	}{
		{"Introduction", false},
		{"Keynote", false},
		{"Opening Keynote", false},
		{"Lightning talks", false},
		{"Q&A", false},
		{"Welcome to FOSDEM", false},
		{"MirageOS", false},
		{"Unikernels", false},
		{"MirageOS 3.0 released", false},
		{"Rainbows and Unikernels", true},
		{"Introduction to MirageOS unikernels", true},
		{"Non-Imperative Network Programming", true},
	}
	for _, tt := range tests {
		t.Run(tt.title, func(t *testing.T) {
			if got := specificTitle(fold(tt.title)); got != tt.want {
				t.Errorf("specificTitle(%q) = %v, want %v", tt.title, got, tt.want)
			}
		})
	}
}

func TestNormalizeLoose(t *testing.T) {
	tr := testTitler()
	tests := []struct {
		in, context, want string
		specific          bool
	}{
		{"Jitsu: Just-In-Time Summoning of Unikernels", "", "just in time summoning of unikernels", true},
		{"Next Generation Cloud - Mindy Preston", "Mindy Preston on Next Generation Cloud", "next generation cloud", true},
		{"Keynote - Mindy Preston", "", "mindy preston", false},
		{"Opening Keynote | Jane Doe | FOSDEM 2014", "", "opening keynote jane doe", false},
		{"Video: Unikernels and their applications (Strange Loop 2015)", "", "unikernels and their applications", true},
		{"Unikernels: Rise of the Virtual Library Operating System [2019]", "", "rise of the virtual library operating system", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, specific := tr.normalize(tt.in, nil, tt.context, true)
			if got != tt.want || specific != tt.specific {
				t.Errorf("loose normalize = %q, %v; want %q, %v", got, specific, tt.want, tt.specific)
			}
		})
	}
}

func TestTitleKeys(t *testing.T) {
	m := New(testOptions())
	m.titles = testTitler()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	e := talkstream.Entry{Title: "Non-Imperative Network Programming", Published: day(2015, 9, 25)}
	et := m.entryTitleOf(&StoredEntry{SourceID: "blog", EntryID: "x", Entry: e}, newTextCache())
	n := "non imperative network programming"
	if len(et.keys) != 1 || !strings.HasPrefix(et.keys[0], "title:"+n+"@") {
		t.Fatalf("entryTitleOf = %q", et.keys)
	}
	title, d, ev, ok := parseTitleKey(et.keys[0])
	if !ok || title != n || d != unixDay(e.Published) || ev.src != "blog" || ev.id != et.ev.id {
		t.Errorf("parseTitleKey(%q) = %q, %d, %+v, %v", et.keys[0], title, d, ev, ok)
	}
	// Keys of one title sort by day, so a window is one key range.
	if a, b := titleKey(n, 999)+rangeEnd, titleKey(n, 1000); !(a < b) {
		t.Errorf("%q sorts after %q", a, b)
	}
	if a := titleKey(n+" x", 5); a >= titleKey(n, 0) && a <= titleKey(n, 99999)+rangeEnd {
		t.Errorf("a longer title %q falls inside the range of %q", a, n)
	}
	tests := []struct {
		name  string
		entry talkstream.Entry
		keys  []string // prefixes of the keys, in order; none for no key
	}{
		{"generic", talkstream.Entry{Title: "Keynote", Published: day(2015, 9, 25)}, nil},
		{"generic with a speaker", talkstream.Entry{Title: "Keynote - Mindy Preston", Published: day(2015, 9, 25)}, nil},
		{"generic with an event", talkstream.Entry{Title: "Opening Keynote | Jane Doe | FOSDEM 2014", Published: day(2014, 2, 1)}, nil},
		{"no date", talkstream.Entry{Title: "Non-Imperative Network Programming"}, nil},
		{"decorated: every form, and the year", talkstream.Entry{Title: "Unikernels and Mirage - Anil Madhavapeddy - FOSDEM 2014", Published: day(2014, 2, 3)},
			[]string{"title:unikernels and mirage@", "ytitle:unikernels and mirage@2014#", "title:unikernels and mirage anil madhavapeddy fosdem 2014@", "ytitle:unikernels and mirage anil madhavapeddy fosdem 2014@2014#"}},
		{"a year marker", talkstream.Entry{Title: "Next Generation Cloud [2015]", Published: day(2016, 6, 20)},
			[]string{"title:next generation cloud@", "ytitle:next generation cloud@2015#", "title:next generation cloud 2015@", "ytitle:next generation cloud 2015@2015#"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := m.entryTitleOf(&StoredEntry{SourceID: "blog", EntryID: "x", Entry: tt.entry}, newTextCache()).keys
			if len(got) != len(tt.keys) {
				t.Fatalf("keys %q, want %d starting %q", got, len(tt.keys), tt.keys)
			}
			for i, k := range got {
				if !strings.HasPrefix(k, tt.keys[i]) {
					t.Errorf("key %d = %q, want it to start with %q", i, k, tt.keys[i])
				}
			}
		})
	}
}

func FuzzNormalizeTitle(f *testing.F) {
	for _, s := range []string{"Non-Imperative Network Programming - Mindy Preston - Strange Loop 2015",
		"Video: x (FOSDEM 2014) [slides]", "a | b | c", "Résumé (via X)", "(((", "by by by", ": : :", "\xff\xfe"} {
		f.Add(s)
	}
	tr := testTitler()
	f.Fuzz(func(t *testing.T, s string) {
		n, _ := tr.normalize(s, []string{"Jane Doe"}, s, false)
		if n != strings.TrimSpace(n) || strings.Contains(n, "  ") {
			t.Errorf("normalize(%q) = %q: stray spaces", s, n)
		}
		if strings.ContainsAny(n, "@:|()[]") {
			t.Errorf("normalize(%q) = %q: punctuation left", s, n)
		}
		if again := fold(n); again != n {
			t.Errorf("fold is not idempotent on %q: %q", n, again)
		}
	})
}

// FuzzFoldASCII compares fold's byte-by-byte path for ASCII text with the
// rune-by-rune one every other text takes.
func FuzzFoldASCII(f *testing.F) {
	f.Add("Q&A: Don't stop -- A&&B  _x_ @avsm 2014")
	f.Add("&lead & trail&")
	f.Fuzz(func(t *testing.T, s string) {
		if !isASCII(s) {
			return
		}
		if got, want := foldASCII(s), foldRunes(s); got != want {
			t.Errorf("foldASCII(%q) = %q, foldRunes %q", s, got, want)
		}
	})
}
