package publish

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// XML namespaces the feeds declare.
const (
	nsAtom    = "http://www.w3.org/2005/Atom"
	nsContent = "http://purl.org/rss/1.0/modules/content/"
	nsDC      = "http://purl.org/dc/elements/1.1/"
	nsMedia   = "http://search.yahoo.com/mrss/"

	generatorName = "talkstream"
	generatorURI  = "https://github.com/talkstream/talkstream"
)

// cdata is character data written as a CDATA section, which keeps HTML
// readable in the XML (encoding/xml would escape every newline).
type cdata struct {
	Text string `xml:",cdata"`
}

func newCDATA(s string) *cdata {
	if s == "" {
		return nil
	}
	return &cdata{Text: s}
}

// encodeXML writes v as an indented XML document with a declaration.
func encodeXML(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	e := xml.NewEncoder(&b)
	e.Indent("", "  ")
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	if err := e.Close(); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// encodeXMLElement writes v as one element indented as it is at depth
// below a document's root, with the newline that leads it, so that
// elements encoded alone join into the same bytes as a whole document.
func encodeXMLElement(v any, depth int) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('\n')
	e := xml.NewEncoder(&b)
	e.Indent(strings.Repeat("  ", depth), "  ")
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	if err := e.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// frame is a feed document without its items: pre, the items with sep
// between them, post.
type frame struct {
	pre, post, sep []byte
}

// splitFrame cuts a document encoded without items before the last
// occurrence of end (its closing tags, where the items go).
func splitFrame(doc []byte, end string, sep []byte) (frame, error) {
	cut := bytes.LastIndex(doc, []byte(end))
	if cut < 0 {
		return frame{}, fmt.Errorf("publish: no %q to put items before", end)
	}
	return frame{pre: doc[:cut], post: doc[cut:], sep: sep}, nil
}
