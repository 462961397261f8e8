package publish

import (
	"encoding/xml"

	"github.com/talkstream/talkstream"
)

// OPML 2.0 (http://opml.org/spec2.opml) of the sources that have a feed.

type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    opmlHead `xml:"head"`
	Body    opmlBody `xml:"body"`
}

type opmlHead struct {
	Title string `xml:"title"`
	Docs  string `xml:"docs"`
}

type opmlBody struct {
	Outlines []opmlOutline `xml:"outline"`
}

type opmlOutline struct {
	Text     string `xml:"text,attr"`
	Title    string `xml:"title,attr"`
	Type     string `xml:"type,attr"`
	XMLURL   string `xml:"xmlUrl,attr"`
	HTMLURL  string `xml:"htmlUrl,attr,omitempty"`
	Category string `xml:"category,attr,omitempty"`
}

// opml lists the sources that have a feed.
func opml(title string, sources []talkstream.Source) ([]byte, error) {
	doc := opmlDoc{
		Version: "2.0",
		Head:    opmlHead{Title: title + " — sources", Docs: "http://opml.org/spec2.opml"},
	}
	for i := range sources {
		s := &sources[i]
		feed := safeURL(s.URL)
		if feed == "" || s.State.Gone {
			continue // curated files and gone feeds have nothing to subscribe to
		}
		title := cleanText(s.DisplayTitle())
		doc.Body.Outlines = append(doc.Body.Outlines, opmlOutline{
			Text: title, Title: title, Type: "rss", XMLURL: feed,
			HTMLURL:  firstNonEmpty(safeURL(s.Site), safeURL(s.State.FeedLink)),
			Category: "/" + string(s.Kind),
		})
	}
	return encodeXML(doc)
}
