// Package htmltext owns turning what feeds call text into one line of plain
// text: HTML fragments lose their markup (PlainText), and text that is
// already plain keeps every character but is made safe to show where a
// reader might render it as HTML (Line). Fetch uses it for titles, names and
// categories, merge for the text it tags from, publish for summaries.
//
// The results are unescaped text: every output escapes them again.
package htmltext

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText extracts the readable text of an HTML fragment (or passes plain
// text through) as one line: tags dropped, the text of script, style and
// the like skipped, entities decoded, controls dropped, white space
// collapsed. Markup encoded twice (&amp;lt;script&amp;gt;) comes out of one
// pass as markup; some feed readers render text fields as HTML, so it is
// stripped again until none is left.
func PlainText(s string) string {
	s = plainTextOnce(s)
	for i := 0; i < 8 && HasTag(s); i++ {
		next := plainTextOnce(s)
		if next == s {
			break
		}
		s = next
	}
	if HasTag(s) { // nested beyond reason: defuse what is left
		s = defuse(s)
	}
	return s
}

// MarkupText is the text of an HTML fragment its publisher typed as HTML
// (an Atom title of type html or xhtml): tags dropped and entities decoded
// once, so that what the publisher escaped stays the words it wrote ("History
// of the <blink> tag"), then made one safe line as Line does. PlainText, for
// text that only looks like HTML, strips until no markup is left instead.
func MarkupText(s string) string { return Line(plainTextOnce(s)) }

// Line makes plain text one line: controls dropped, white space collapsed,
// every other character kept, "<i> and <b>" included. Text that an HTML
// parser would read as something other than harmless elements (one with
// attributes, a script, a comment) has each "<" that starts a
// tag turned into "‹", so that a reader rendering the text as HTML shows
// the words and runs nothing.
func Line(s string) string {
	s = CollapseSpace(DropControls(s))
	if HasTag(s) && !harmless(s) {
		s = defuse(s)
	}
	return s
}

// LooksLikeHTML reports whether text that may be either (an RSS title)
// reads as HTML: it holds a tag of an element HTML knows, a tag with
// attributes or an odd name, a comment, or a character or entity
// reference. "Nice <gorilla> what's he weigh?" and "A<B" do not.
func LooksLikeHTML(s string) bool {
	if reference.MatchString(s) {
		return true
	}
	if !HasTag(s) {
		return false
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			if name, hasAttr := z.TagName(); hasAttr || atom.Lookup(name) != 0 || !plainName(name) {
				return true
			}
		case html.CommentToken:
			return true
		}
	}
}

func plainName(name []byte) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return len(name) > 0
}

var reference = regexp.MustCompile(`&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});`)

// HasTag reports whether s holds what an HTML parser would take for the
// start of a tag, a comment or a declaration.
func HasTag(s string) bool { return tagLike.MatchString(s) }

var tagLike = regexp.MustCompile(`<[A-Za-z/!?]`)

func defuse(s string) string {
	return tagLike.ReplaceAllStringFunc(s, func(m string) string { return "‹" + m[1:] })
}

// active names the elements that would do something other than format
// text if a reader rendered a plain-text title as HTML: run script, load
// or embed something, take input, swallow the text after them, or change
// how the rest is parsed. Any other element, without attributes, is
// harmless: "<i>", "<blink>".
var active = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Frame: true, atom.Frameset: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true, atom.Param: true, atom.Form: true,
	atom.Input: true, atom.Button: true, atom.Textarea: true, atom.Select: true, atom.Option: true,
	atom.Base: true, atom.Svg: true, atom.Math: true, atom.Template: true, atom.Noscript: true,
	atom.Noembed: true, atom.Noframes: true, atom.Meta: true, atom.Link: true, atom.Img: true,
	atom.Image: true, atom.Video: true, atom.Audio: true, atom.Source: true, atom.Track: true,
	atom.Title: true, atom.Xmp: true, atom.Plaintext: true, atom.Listing: true, atom.Head: true,
	atom.Body: true, atom.Html: true, atom.Dialog: true,
}

// harmless reports whether every tag in s is a bare, inactive element.
func harmless(s string) bool {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return true
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if hasAttr || active[atom.Lookup(name)] {
				return false
			}
		case html.CommentToken, html.DoctypeToken:
			return false
		}
	}
}

// skipText names the elements whose text is not part of the readable text.
var skipText = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Noscript: true,
	atom.Iframe: true, atom.Object: true, atom.Embed: true, atom.Svg: true, atom.Math: true,
	atom.Head: true, atom.Title: true, atom.Textarea: true, atom.Select: true,
}

// blockTags end a run of words: their text is not glued to the next, while
// inline tags (<b>Mir</b>age) join what they split.
var blockTags = map[atom.Atom]bool{
	atom.Br: true, atom.P: true, atom.Div: true, atom.Li: true, atom.Tr: true, atom.Td: true, atom.Th: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Hr: true, atom.Img: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Blockquote: true, atom.Pre: true, atom.Table: true, atom.Figure: true, atom.Figcaption: true,
	atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true, atom.Nav: true, atom.Aside: true,
}

// plainTextOnce is one pass of PlainText.
func plainTextOnce(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return CollapseSpace(DropControls(s))
	}
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // inside <script>, <style>…
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return CollapseSpace(DropControls(b.String()))
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text()) // the tokenizer decodes entities
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skipText[a] {
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			}
			if blockTags[a] || skipText[a] {
				b.WriteByte(' ')
			}
		}
	}
}

// CollapseSpace trims s and replaces each run of white space with one space.
// It is strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ") in one
// pass without the slice of fields: it runs over the whole plain text of
// every summary merge reads.
func CollapseSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is owed before the next field
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				space = b.Len() > 0
			} else {
				if space {
					b.WriteByte(' ')
					space = false
				}
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			space = b.Len() > 0
		} else {
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteString(s[i : i+w]) // the bytes as they were, invalid ones too
		}
		i += w
	}
	return b.String()
}

// asciiSpace marks the ASCII runes unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// DropControls removes control characters other than tab and line breaks
// (C0, DEL, C1): no feed means them, XML 1.0 forbids most of them, and
// terminals and pages would show them as boxes or act on them.
func DropControls(s string) string {
	if strings.IndexFunc(s, IsStrayControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if IsStrayControl(r) {
			return -1
		}
		return r
	}, s)
}

// IsStrayControl reports a control character other than tab, CR and LF.
func IsStrayControl(r rune) bool {
	return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
}
