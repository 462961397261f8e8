package publish

import (
	"net/url"
	"path"
	"strings"

	"github.com/talkstream/talkstream"
)

// What an item's fields become in the feeds: enclosure types and categories.

// mimeTypes are the enclosure types guessed from a file extension when a feed
// gives none; a fixed table, because mime.TypeByExtension depends on the host.
var mimeTypes = map[string]string{
	".pdf": "application/pdf", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".ogg": "audio/ogg",
	".opus": "audio/ogg", ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm",
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".svg": "image/svg+xml",
}

// mimeType is an enclosure's type, else one guessed from its URL.
func mimeType(e talkstream.Enclosure) string {
	if e.Type != "" {
		return e.Type
	}
	if u, err := url.Parse(e.URL); err == nil {
		if t, ok := mimeTypes[strings.ToLower(path.Ext(u.Path))]; ok {
			return t
		}
	}
	return "application/octet-stream"
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = cleanText(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// category is one classification of an item for the feeds.
type category struct {
	scheme string // where the facets of this dimension live, e.g. https://host/tags/
	label  string // what people read
}

// categories lists an item's kind, tags and event as categories whose scheme
// is the folder of the site's facets of that dimension. Every format writes
// the same text for a category (RSS's category, Atom's term, JSON Feed's
// tags): readers show Atom's term, so an event's term is its name, as in
// the other two, not its slug. The slugs are in JSON Feed's _talkstream.
func (r *renderer) categories(v *itemView) []category {
	cats := []category{{scheme: r.abs("/" + dirKinds + "/"), label: v.kindFacet.slug}}
	for _, f := range v.tagFacets {
		cats = append(cats, category{scheme: r.abs("/" + dirTags + "/"), label: f.label})
	}
	if f := v.eventFacet; f != nil {
		cats = append(cats, category{scheme: r.abs("/" + dirEvents + "/"), label: f.label})
	}
	return cats
}
