package config

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/net/html/charset"
)

// OPMLFeed is one feed an OPML subscription list names: an outline with an
// xmlUrl, wherever it is nested.
type OPMLFeed struct {
	Title    string // the outline's title, else its text
	URL      string // xmlUrl, verbatim
	Site     string // htmlUrl
	Category string // the titles of the outlines it is nested in, joined by " / "
}

// maxOPMLDepth bounds how deep outlines may nest: the deepest real export
// has a folder level or two; a hostile file must not exhaust the stack.
const maxOPMLDepth = 64

// ParseOPML reads the feeds of an OPML subscription list as feed readers
// export them (Miniflux, FreshRSS, Feedly, Inoreader…: OPML 1.0 or 2.0, feeds
// at the top of <body> or nested in category outlines). Attribute names
// are matched without regard to case, since exporters differ (xmlUrl,
// xmlurl); an outline without xmlUrl is a category.
func ParseOPML(r io.Reader) ([]OPMLFeed, error) {
	dec := xml.NewDecoder(r)
	dec.CharsetReader = charset.NewReaderLabel
	dec.Strict = false
	var feeds []OPMLFeed
	var stack []string // open elements
	var cats []string  // the titles of the open category outlines, "" for the others
	sawOPML, sawBody := false, false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("opml: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := strings.ToLower(t.Name.Local)
			if len(stack) == 0 && name != "opml" {
				return nil, fmt.Errorf("opml: the root element is <%s>, not <opml>", t.Name.Local)
			}
			if len(stack) > maxOPMLDepth {
				return nil, fmt.Errorf("opml: outlines nested deeper than %d", maxOPMLDepth)
			}
			stack = append(stack, name)
			switch {
			case name == "opml":
				sawOPML = true
			case name == "body" && len(stack) == 2:
				sawBody = true
			case name == "outline" && sawBody:
				title, text, url, site := "", "", "", ""
				for _, a := range t.Attr {
					switch strings.ToLower(a.Name.Local) {
					case "title":
						title = a.Value
					case "text":
						text = a.Value
					case "xmlurl":
						url = a.Value
					case "htmlurl":
						site = a.Value
					}
				}
				label := oneLine(title)
				if label == "" {
					label = oneLine(text)
				}
				if url = strings.TrimSpace(url); url == "" {
					cats = append(cats, label)
					continue
				}
				cats = append(cats, "")
				feeds = append(feeds, OPMLFeed{Title: label, URL: url, Site: strings.TrimSpace(site), Category: category(cats[:len(cats)-1])})
			}
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			if stack[len(stack)-1] == "outline" && sawBody && len(cats) > 0 {
				cats = cats[:len(cats)-1]
			}
			stack = stack[:len(stack)-1]
		}
	}
	if !sawOPML {
		return nil, errors.New("opml: no <opml> element")
	}
	return feeds, nil
}

// category joins the titles of the category outlines a feed is in.
func category(cats []string) string {
	var parts []string
	for _, c := range cats {
		if c != "" {
			parts = append(parts, c)
		}
	}
	return strings.Join(parts, " / ")
}

// oneLine is s with its runs of white space (new lines included) made one
// space and control characters dropped.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
