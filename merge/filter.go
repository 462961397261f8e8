package merge

import (
	"strings"

	"github.com/talkstream/talkstream"
)

// filtered says why an entry is dropped by its source's include/exclude
// patterns, or "" when it is kept.
func filtered(src *talkstream.Source, e *talkstream.Entry) string {
	if src.Include == nil && src.Exclude == nil {
		return ""
	}
	text := e.Title + "\n" + e.Summary + "\n" + strings.Join(e.Categories, "\n")
	if src.Include != nil && !src.Include.MatchString(text) {
		return "include " + src.Include.String() + " did not match"
	}
	if src.Exclude != nil && src.Exclude.MatchString(text) {
		return "exclude " + src.Exclude.String() + " matched"
	}
	return ""
}
