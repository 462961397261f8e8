package merge

import (
	"strings"

	"github.com/talkstream/talkstream/internal/htmltext"
)

// describeLen is how much of a body stands in for a missing summary: the
// opening of a post says what it is about; its last paragraphs thank
// people and link elsewhere.
const describeLen = 600

// describe is the text tags are derived from: the summary, else the
// opening of the content (many feeds, the MirageOS blog's among them,
// have no summary).
func describe(summary, content string) string {
	if s := strings.TrimSpace(plain(summary)); s != "" {
		return s
	}
	c := strings.Join(strings.Fields(plain(content)), " ")
	if len(c) > describeLen {
		cut := strings.LastIndexByte(c[:describeLen], ' ')
		if cut <= 0 {
			cut = describeLen
		}
		c = c[:cut]
	}
	return c
}

// plain turns HTML into text for matching; it is not a sanitiser.
func plain(s string) string { return htmltext.PlainText(s) }
