package merge

import (
	"strings"
	"unicode/utf8"

	"github.com/talkstream/talkstream/internal/htmltext"
)

// describeLen is how much of a body stands in for a missing summary: the
// opening of a post says what it is about; its last paragraphs thank
// people and link elsewhere.
const describeLen = 600

// describeHTML is how much of a body's HTML describe reads: plain text of a
// whole 20 KB post was a tenth of a fetch's CPU for 600 characters of it.
const describeHTML = 8 << 10

// describe is the text tags are derived from: the summary, else the
// opening of the content (many feeds, the MirageOS blog's among them,
// have no summary).
func describe(c *textCache, summary, content string) string {
	if s := strings.TrimSpace(c.plain(summary)); s != "" {
		return s
	}
	// The opening is all that is kept: read the first part of a long body
	// only (text is most of any HTML's bytes, so describeLen characters of
	// it lie well within describeHTML bytes of markup).
	if len(content) > describeHTML {
		cut := describeHTML
		for cut > 0 && !utf8.RuneStart(content[cut]) {
			cut--
		}
		content = content[:cut]
	}
	d := strings.Join(strings.Fields(c.plain(content)), " ")
	if len(d) > describeLen {
		cut := strings.LastIndexByte(d[:describeLen], ' ')
		if cut <= 0 {
			cut = describeLen
		}
		d = d[:cut]
	}
	return d
}

// plain turns HTML into text for matching; it is not a sanitiser.
func plain(s string) string { return htmltext.PlainText(s) }
