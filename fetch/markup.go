package fetch

import (
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/talkstream/talkstream/internal/htmltext"
)

// richText trims feed HTML and makes its relative href and src attributes
// absolute, since the HTML is shown on pages far from the feed.
func (t *translator) richText(s string) string {
	s = strings.TrimSpace(htmltext.DropControls(s))
	if s == "" || t.base == nil {
		return s
	}
	return resolveHTML(t.base, s)
}

var relativeAttr = regexp.MustCompile(`(?i)\b(?:href|src|poster)\s*=\s*["']?\s*[^"'\s>]`)

// resolveHTML rewrites relative URLs in href, src and poster attributes.
// HTML without any such attribute comes back byte for byte.
func resolveHTML(base *url.URL, s string) string {
	if !relativeAttr.MatchString(s) {
		return s
	}
	ctx := &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body}
	nodes, err := html.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return s
	}
	changed := false
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for i, a := range n.Attr {
				if a.Namespace != "" || (a.Key != "href" && a.Key != "src" && a.Key != "poster") {
					continue
				}
				ref, err := url.Parse(strings.TrimSpace(a.Val))
				if err != nil || ref.IsAbs() || strings.HasPrefix(a.Val, "#") {
					continue
				}
				n.Attr[i].Val = base.ResolveReference(ref).String()
				changed = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	if !changed {
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

// firstImage returns the src of the first <img> in an HTML fragment.
func firstImage(doc string) string {
	if !strings.Contains(doc, "<") {
		return ""
	}
	z := html.NewTokenizer(strings.NewReader(doc))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "img" || !hasAttr {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "src" && strings.TrimSpace(string(v)) != "" {
					return strings.TrimSpace(string(v))
				}
				if !more {
					break
				}
			}
		}
	}
}

// textToHTML turns plain text (a YouTube description) into HTML: escaped,
// with its line breaks kept.
func textToHTML(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(htmltext.DropControls(s), "\r\n", "\n"))
	if s == "" {
		return ""
	}
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>\n")
}
