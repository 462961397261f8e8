package publish

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/talkstream/talkstream/internal/htmltext"
)

func TestSanitizeHTML(t *testing.T) {
	const base = "https://blog.example.org/posts/one/"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain text", "just text & more", "just text &amp; more"},
		{"script", `<p>a<script>alert(1)</script>b</p>`, `<p>ab</p>`},
		{"style", `<style>p{color:red}</style><p style="color:red">x</p>`, `<p>x</p>`},
		{"event handler", `<img src="https://i.example/a.png" onerror="alert(1)" alt="A cat">`, `<img src="https://i.example/a.png" alt="A cat"/>`},
		{"javascript link", `<a href="javascript:alert(1)">x</a>`, `x`},
		{"javascript link mixed case", `<a href=" JaVaScRiPt:alert(1)">x</a>`, `x`},
		{"data image", `<img src="data:image/png;base64,AAAA" alt="d">`, `<img alt="d"/>`},
		{"iframe", `<iframe src="https://www.youtube.com/embed/x"></iframe>after`, `after`},
		{"form", `<form action="/x"><input name="q"><button>go</button></form>`, `go`},
		{"object", `<object data="x.swf"><embed src="x.swf"></object>`, ``},
		{"id and class", `<p id="stream" class="x">p</p>`, `<p>p</p>`},
		{"absolute link", `<a href="https://ok.example/">ok</a>`, `<a href="https://ok.example/" rel="nofollow noopener" target="_blank">ok</a>`},
		{"relative link resolved", `<a href="../two/">two</a>`, `<a href="https://blog.example.org/posts/two/" rel="nofollow noopener" target="_blank">two</a>`},
		{"root-relative image resolved", `<img src="/img/a.png" alt="a">`, `<img src="https://blog.example.org/img/a.png" alt="a"/>`},
		{"mailto kept", `<a href="mailto:a@example.org">mail</a>`, `<a href="mailto:a@example.org" rel="nofollow">mail</a>`},
		// The allowlist keeps tags, not structure: what leaves is balanced
		// as a browser would read it, so no feed carries broken markup.
		{"nested paragraphs balanced", `<p><p>one</p></p>two`, `<p></p><p>one</p><p></p>two`},
		{"unclosed elements closed", `<ul><li>x<li>y</ul><em>z`, `<ul><li>x</li><li>y</li></ul><em>z</em>`},
		{"stray end tags dropped", `a</div></span>b`, `ab`},
		{"structure kept", `<h2>T</h2><ul><li><code>x</code></li></ul><blockquote cite="https://q.example/">q</blockquote>`,
			`<h2>T</h2><ul><li><code>x</code></li></ul><blockquote cite="https://q.example/">q</blockquote>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sanitizeHTML(tc.in, base); got != tc.want {
				t.Errorf("sanitizeHTML(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
	t.Run("idempotent", func(t *testing.T) {
		in := `<p>a <a href="/x">x</a> <img src="https://i.example/a.png" alt="i"></p>`
		once := sanitizeHTML(in, base)
		if twice := sanitizeHTML(once, ""); twice != once {
			t.Errorf("second pass changed\n%q\nto\n%q", once, twice)
		}
	})
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"one two three four five", 12, "one two…"},
		{"one two, three", 9, "one two…"},
		{"abcdefghijklmnop", 5, "abcde…"},
		{"héllo wörld ünïcode", 12, "héllo wörld…"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got := truncate(tc.in, tc.n)
			if got != tc.want {
				t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
			if utf8.RuneCountInString(got) > tc.n+1 {
				t.Errorf("too long: %d runes", utf8.RuneCountInString(got))
			}
		})
	}
}

func TestSafeURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://example.org/a?b=c", "https://example.org/a?b=c"},
		{" http://example.org/ ", "http://example.org/"},
		{"javascript:alert(1)", ""},
		{"JAVASCRIPT:alert(1)", ""},
		{"data:text/html,<script>", ""},
		{"/relative", ""},
		{"//example.org/x", ""},
		{"ftp://example.org/", ""},
		{"https://", ""},
		{"", ""},
		{`https://example.org/a?q="><script>x</script>`, "https://example.org/a?q=%22%3E%3Cscript%3Ex%3C/script%3E"},
		{"https://example.org/café bar", "https://example.org/caf%C3%A9%20bar"},
		{"https://example.org/a%20b?x={1}|`^\\", "https://example.org/a%20b?x=%7B1%7D%7C%60%5E%5C"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := safeURL(tc.in); got != tc.want {
				t.Errorf("safeURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	if got := cleanText("a\x00b\x1f c\n\td\xff"); got != "ab c d" {
		t.Errorf("cleanText = %q", got)
	}
}

// FuzzSanitizeHTML checks that no input gets a dangerous element, an event
// handler or a script URL through the policy, and that htmltext.PlainText leaves no
// markup. Its seed corpus (testdata/fuzz) holds the XSS corpus of
// cmd/talkstream/testdata/xss-payloads.txt.
func FuzzSanitizeHTML(f *testing.F) {
	for _, s := range []string{
		`<p>hi</p>`, `<a href="javascript:x">x</a>`, `<img src=x onerror=alert(1)>`,
		`<scr<script>ipt>alert(1)</script>`, `<a href="/rel">r</a>`, `<svg><script>x</script></svg>`,
		`<a href="&#106;avascript:alert(1)">x</a>`, `<math><mi xlink:href="javascript:x">`,
		`<a href="java	script:x">x</a>`, `<img src="data:image/svg+xml,<svg onload=x>">`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := sanitizeHTML(in, "https://example.org/a/")
		if bad := unsafeHTML(out); bad != "" {
			t.Fatalf("%s in %q from %q", bad, out, in)
		}
		// The plain-text teaser carries no markup either, however the
		// input encoded it: some readers render text fields as HTML.
		if text := htmltext.PlainText(out); htmltext.HasTag(text) {
			t.Fatalf("markup in the plain text %q of %q", text, in)
		}
		if text := htmltext.PlainText(in); htmltext.HasTag(text) {
			t.Fatalf("markup in the plain text %q of %q", text, in)
		}
	})
}

// unsafeHTML reports the first dangerous thing in s, as a browser would parse
// it: a forbidden element, an event handler attribute, or a URL attribute
// whose scheme is not http, https or mailto.
func unsafeHTML(s string) string {
	forbidden := map[string]bool{"script": true, "style": true, "iframe": true, "object": true, "embed": true,
		"form": true, "input": true, "svg": true, "math": true, "link": true, "meta": true, "base": true}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if forbidden[tok.Data] {
				return "<" + tok.Data + ">"
			}
			for _, a := range tok.Attr {
				if strings.HasPrefix(a.Key, "on") || a.Key == "style" {
					return a.Key + " attribute"
				}
				if a.Key == "href" || a.Key == "src" || a.Key == "cite" {
					v := strings.ToLower(strings.Map(func(r rune) rune {
						if r <= ' ' {
							return -1
						}
						return r
					}, a.Val))
					if i := strings.IndexByte(v, ':'); i >= 0 && !strings.ContainsAny(v[:i], "/?#") {
						if scheme := v[:i]; scheme != "http" && scheme != "https" && scheme != "mailto" {
							return scheme + ": URL"
						}
					}
				}
			}
		}
	}
}

// BenchmarkSanitizeHTML measures the allowlist on a typical blog post body
// with a few hostile bits in it, as every summary and content goes through.
func BenchmarkSanitizeHTML(b *testing.B) {
	var sb strings.Builder
	for i := 0; i < 20; i++ {
		sb.WriteString(`<h2>Section</h2><p>MirageOS is a <a href="/docs/overview">library operating system</a> that constructs <em>unikernels</em>.</p>`)
		sb.WriteString(`<pre><code>let () = Lwt_main.run (main ())</code></pre><img src="/graphics/x.png" alt="diagram">`)
		sb.WriteString(`<p onclick="alert(1)">hostile <script>alert(2)</script><a href="javascript:alert(3)">link</a></p>`)
	}
	doc := sb.String()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		sanitizeHTML(doc, "https://mirageos.org/blog/post")
	}
}
