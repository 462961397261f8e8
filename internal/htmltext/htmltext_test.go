package htmltext

import (
	"strings"
	"testing"
	"unicode"
)

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  Plain   title\n", "Plain title"},
		{"AT&amp;T &#8211; &quot;talks&quot;", `AT&T – "talks"`},
		{"<em>Fast</em> TLS", "Fast TLS"},
		{"<b>Mir</b>age", "Mirage"},
		{"line<br>break", "line break"},
		{"OCaml: <em>fast</em>!", "OCaml: fast!"},
		{"a < b && c > d", "a < b && c > d"},
		{"<script>alert(1)</script>Safe", "Safe"},
		{"a<script>alert(1)</script>b<style>x{}</style>c", "a b c"},
		{"<p>One</p><p>Two &amp; <b>three</b></p>", "One Two & three"},
		{"tom &lt;3 jerry", "tom <3 jerry"},
		{"&amp;amp;", "&amp;"},                   // decoded once only
		{"&lt;script&gt;x&lt;/script&gt;y", "y"}, // escaped markup is markup
		{"bell\x07 and \u0085next", "bell and next"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := PlainText(tt.in); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLooksLikeHTML(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"plain", false},
		{"A<B", false},
		{"Nice <gorilla> what's he weigh?", false},
		{"a < b && c > d", false},
		{"&#0", false},
		{"<b>bold</b>", true},
		{"line<br/>break", true},
		{"AT&amp;T", true},
		{"caf&#233;", true},
		{"<scr<script>ipt>", true},
		{"<!-- c -->", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := LooksLikeHTML(tt.in); got != tt.want {
				t.Errorf("LooksLikeHTML(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestLine: plain text keeps every character; only what would act when
// rendered as HTML is defused, and then without losing a word.
func TestLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{" the return of <i> and <b>\n", "the return of <i> and <b>"},
		{"<blink>", "<blink>"},
		{"<textarea>", "‹textarea>"},
		{"a < b && c > d", "a < b && c > d"},
		{"AT&amp;T", "AT&amp;T"}, // plain text: no entities to decode
		{"<script>alert(1)</script>", "‹script>alert(1)‹/script>"},
		{`<img src=x onerror=alert(1)>`, "‹img src=x onerror=alert(1)>"},
		{"<b class=x>bold</b>", "‹b class=x>bold‹/b>"},
		{"<!-- hidden -->", "‹!-- hidden -->"},
		{"tab\tand\x00nul", "tab andnul"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestMarkupText: a fragment typed as HTML loses its markup once; what its
// publisher escaped stays as words, defused where it would act.
func TestMarkupText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"History of the &lt;blink&gt; tag", "History of the <blink> tag"},
		{"<b>Bold</b> talk &amp; more", "Bold talk & more"},
		{"The &lt;template&gt; element", "The ‹template> element"},
		{"&lt;script&gt;alert(1)&lt;/script&gt;", "‹script>alert(1)‹/script>"},
		{"<script>alert(1)</script>Safe", "Safe"},
	}
	for _, tt := range tests {
		if got := MarkupText(tt.in); got != tt.want {
			t.Errorf("MarkupText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzText: PlainText leaves no tag, and Line and MarkupText leave nothing
// that would act if rendered as HTML; Line is idempotent.
func FuzzText(f *testing.F) {
	for _, s := range []string{"<b>x</b>", "the return of <i> and <b>", "<scr<script>ipt>", "&lt;script&gt;",
		"<img src=x onerror=alert(1)>", "a < b", "<!--x-->", "\x00\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := PlainText(s)
		if HasTag(p) {
			t.Fatalf("PlainText(%q) = %q has a tag", s, p)
		}
		l := Line(s)
		if HasTag(l) && !harmless(l) {
			t.Fatalf("Line(%q) = %q would act as HTML", s, l)
		}
		if m := MarkupText(s); HasTag(m) && !harmless(m) {
			t.Fatalf("MarkupText(%q) = %q would act as HTML", s, m)
		}
		if again := Line(l); again != l {
			t.Fatalf("Line not idempotent on %q: %q then %q", s, l, again)
		}
	})
}

// FuzzCollapseSpace compares CollapseSpace with the fields it stands for.
func FuzzCollapseSpace(f *testing.F) {
	f.Add("  Plain \t title\n\u0085x\u00a0y\u3000 \xff z ")
	f.Add("\v\f\r")
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := CollapseSpace(s), strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " "); got != want {
			t.Errorf("CollapseSpace(%q) = %q, want %q", s, got, want)
		}
	})
}
