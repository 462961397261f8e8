package merge

import "github.com/talkstream/talkstream"

// One Apply reads the same texts many times: an entry's summary is turned
// into plain text for its title's forms, for its evidence and for tagging
// (twice for the item's best entry); its title is read for evidence, for
// tagging and for kind words; and each read folds the text again and
// searches it for every event and speaker; an entry's HTML is scanned for
// videos for its keys and again for its item's video. A textCache, made
// per Apply (or per Build, Rebuild), derives each once: plain text per
// HTML string, one text (prefilter.go), with its folded forms and the
// speakers it names, per string, and the videos of an entry's HTML.

// textCache memoises plain text and texts by their string.
type textCache struct {
	plains map[string]string
	texts  map[string]*text
	videos map[[2]string][]*talkstream.Video // by content and summary
}

func newTextCache() *textCache {
	return &textCache{plains: map[string]string{}, texts: map[string]*text{}, videos: map[[2]string][]*talkstream.Video{}}
}

// htmlVideos is htmlVideos of an entry's content and summary, read once
// per pair; a nil cache reads them every time (Keys, for callers outside
// an Apply). The videos are shared: callers copy what they keep.
func (c *textCache) htmlVideos(content, summary string) []*talkstream.Video {
	if c == nil {
		return htmlVideos(content + " " + summary)
	}
	k := [2]string{content, summary}
	vs, ok := c.videos[k]
	if !ok {
		vs = htmlVideos(content + " " + summary)
		c.videos[k] = vs
	}
	return vs
}

// plain is plain(html), made once per string.
func (c *textCache) plain(html string) string {
	if html == "" {
		return ""
	}
	p, ok := c.plains[html]
	if !ok {
		p = plain(html)
		c.plains[html] = p
	}
	return p
}

// text is newText(s), shared by every reader of the same string, so that
// what a text computes lazily (canon, folded words, names) is computed
// once.
func (c *textCache) text(s string) *text {
	t, ok := c.texts[s]
	if !ok {
		t = newText(s)
		c.texts[s] = t
	}
	return t
}
