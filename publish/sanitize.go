package publish

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/talkstream/talkstream/internal/htmltext"
)

// policy is the one allowlist every piece of feed HTML passes through. It is
// built from scratch rather than from bluemonday.UGCPolicy because UGCPolicy
// also allows id attributes (which could clobber the page's own anchors) and
// image maps. Scripts, styles, event handlers, forms, objects, iframes and any
// URL scheme but http, https and mailto never get through; links get
// rel="nofollow noopener" and open in a new tab.
var policy = newPolicy()

var anyText = regexp.MustCompile(`(?s)^.*$`)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true) // relative URLs are resolved against the item link first
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true) // which also adds rel="noopener"

	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$`)).Globally()
	// Attribute values are escaped on output, so alt and title text need no
	// restriction; bluemonday.Paragraph would drop any alt with a colon.
	p.AllowAttrs("title").Matching(anyText).Globally()

	p.AllowElements("p", "br", "hr", "div", "span", "wbr",
		"h1", "h2", "h3", "h4", "h5", "h6",
		"pre", "code", "kbd", "samp", "var", "em", "strong", "b", "i", "u", "s",
		"del", "ins", "sub", "sup", "small", "mark", "abbr", "cite", "dfn", "q",
		"figure", "figcaption", "details", "summary",
		"ul", "li", "dl", "dt", "dd",
		"table", "caption", "thead", "tbody", "tfoot", "tr")
	p.AllowAttrs("cite").OnElements("blockquote", "q", "del", "ins")
	p.AllowElements("blockquote")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("reversed").Matching(regexp.MustCompile(`^(|reversed)$`)).OnElements("ol")
	p.AllowElements("ol")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(row|col|rowgroup|colgroup)$`)).OnElements("th")
	p.AllowElements("td", "th")

	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src").OnElements("img")
	p.AllowAttrs("alt").Matching(anyText).OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.NumberOrPercent).OnElements("img")
	return p
}

// sanitizeHTML makes feed HTML safe to republish: relative URLs are resolved
// against base (the page the HTML came from), then the policy applies.
func sanitizeHTML(s, base string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	return strings.TrimSpace(balance(policy.Sanitize(absolutize(s, base))))
}

// bodyContext is where a feed's HTML goes: inside a <body>.
var bodyContext = &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}

// balance parses HTML as a browser would and writes it again, so that every
// element is closed where the browser closes it: the allowlist keeps tags,
// not structure, and "<p><p>…</p></p>" must not reach a feed unbalanced.
func balance(s string) string {
	if !strings.ContainsRune(s, '<') {
		return s
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), bodyContext)
	if err != nil {
		return s
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := html.Render(&b, n); err != nil {
			return s
		}
	}
	return b.String()
}

// urlAttrs are the attributes whose relative URLs absolutize resolves.
var urlAttrs = map[string]bool{"href": true, "src": true, "cite": true}

// absolutize resolves relative href, src and cite URLs against base, so links
// in a blog post still work when the post is shown on another site. Tags it
// does not change are copied byte for byte.
func absolutize(s, base string) string {
	b, err := url.Parse(base)
	if err != nil || !b.IsAbs() || (b.Scheme != "http" && b.Scheme != "https") {
		return s
	}
	var out bytes.Buffer
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out.String()
		}
		raw := z.Raw()
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			out.Write(raw)
			continue
		}
		raw = append([]byte(nil), raw...) // Token may reuse the buffer
		tok := z.Token()
		changed := false
		for i, a := range tok.Attr {
			if a.Namespace != "" || !urlAttrs[a.Key] {
				continue
			}
			u, err := url.Parse(strings.TrimSpace(a.Val))
			if err != nil || u.IsAbs() {
				continue
			}
			tok.Attr[i].Val = b.ResolveReference(u).String()
			changed = true
		}
		if changed {
			out.WriteString(tok.String())
		} else {
			out.Write(raw)
		}
	}
}

// truncate cuts plain text to at most n runes, at a word boundary when there
// is one reasonably close, and marks the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := len(r)
	for i := len(r) - 1; i >= n/2; i-- {
		if unicode.IsSpace(r[i]) {
			cut = i
			break
		}
	}
	return strings.TrimRightFunc(string(r[:cut]), func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsPunct(c)
	}) + "…"
}

// safeURL returns raw trimmed when it is an absolute http or https URL, else
// "". Every URL written outside sanitised HTML goes through it, so a feed that
// links to javascript: or data: cannot smuggle it into ours. Characters that
// a URI cannot hold (space, quotes, angle brackets, non-ASCII...) are
// percent-encoded, as a browser would, so that no output carries a URL that
// breaks out of wherever a consumer puts it.
func safeURL(raw string) string {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte("\"<>\\^`{|}", c) >= 0 {
			if b.Len() == 0 {
				b.Grow(len(raw) + 16)
				b.WriteString(raw[:i])
			}
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else if b.Len() > 0 {
			b.WriteByte(c)
		}
	}
	if b.Len() > 0 {
		return b.String()
	}
	return raw
}

// cleanText makes plain text safe for XML: characters XML 1.0 forbids are
// dropped (encoding/xml would write them verbatim into CDATA) and white space
// is collapsed.
func cleanText(s string) string {
	return htmltext.CollapseSpace(xmlChars(s))
}

// xmlChars drops the characters that XML 1.0 does not allow, and invalid UTF-8.
func xmlChars(s string) string {
	ok := func(r rune) bool {
		return r == '\t' || r == '\n' || r == '\r' ||
			(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
	}
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !ok(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == utf8.RuneError || !ok(r) {
			return -1
		}
		return r
	}, s)
}
