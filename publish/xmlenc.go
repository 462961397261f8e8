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

// splice writes head with the fragments inserted before the last
// occurrence of end (the closing tags of a document encoded without them).
func splice(w *bytes.Buffer, head []byte, end string, fragments [][]byte) error {
	cut := bytes.LastIndex(head, []byte(end))
	if cut < 0 {
		return fmt.Errorf("publish: no %q to insert items before", end)
	}
	w.Write(head[:cut])
	for _, f := range fragments {
		w.Write(f)
	}
	w.Write(head[cut:])
	return nil
}
