package fetch

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
)

// A malformed feed must not read as "ok, 0 entries". The XML parser takes
// an element left open before the items (an <itunes:category> without its
// end tag, seen on a real podcast feed) as the parent of every item that
// follows, and the items vanish without an error. So the items the raw
// document holds are counted (rawItems); when the parser found fewer,
// closeUnclosed repairs the structure and the feed is parsed again, and
// whatever is still missing is reported as a warning.

// rawItemTag finds the start tag of an RSS item or an Atom entry, with any
// prefix.
var rawItemTag = regexp.MustCompile(`<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)[\s>/]`)

// rawItems counts the item and entry start tags in an XML document, outside
// CDATA sections and comments (where HTML may mention them).
func rawItems(data []byte) int {
	if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
		return 0 // JSON Feed: its parser fails loudly or reads every item
	}
	n := 0
	for len(data) > 0 {
		cdata := bytes.Index(data, []byte("<![CDATA["))
		comment := bytes.Index(data, []byte("<!--"))
		cut, end := -1, ""
		switch {
		case cdata >= 0 && (comment < 0 || cdata < comment):
			cut, end = cdata, "]]>"
		case comment >= 0:
			cut, end = comment, "-->"
		}
		if cut < 0 {
			return n + len(rawItemTag.FindAllIndex(data, -1))
		}
		n += len(rawItemTag.FindAllIndex(data[:cut], -1))
		data = data[cut:]
		i := bytes.Index(data, []byte(end))
		if i < 0 {
			return n
		}
		data = data[i+len(end):]
	}
	return n
}

// containers are the elements items belong in.
var containers = map[string]bool{"channel": true, "feed": true, "RDF": true, "rss": true}

// closeUnclosed rewrites data so that every item and entry is a child of its
// channel or feed: when one starts inside some other element, the elements
// left open above the container are closed first, and their end tags, when
// they come later, are dropped. Every other byte is copied as it was. A
// document cut short (or broken past repair) ends before the item the break
// is in, with the elements still open closed, so that the whole items before
// the break are read and no half item (a link cut in two) is.
func closeUnclosed(data []byte) []byte {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil } // bytes are copied, not decoded
	type open struct {
		local string
		raw   []byte // the qualified name as written, for the end tag we add
		at    int    // where its start tag begins in the output
	}
	var stack []open
	var b bytes.Buffer
	b.Grow(len(data) + 256)
	closeAbove := func(i int) {
		for j := len(stack) - 1; j > i; j-- {
			b.WriteString("</")
			b.Write(stack[j].raw)
			b.WriteString(">")
		}
		stack = stack[:i+1]
	}
	prev := int64(0)
	for {
		tok, err := dec.RawToken()
		if err != nil {
			// Whether the tokens ran out or broke, an item still open is
			// cut: leave it out.
			{
				for i := len(stack) - 1; i >= 0; i-- {
					if l := stack[i].local; l == "item" || l == "entry" {
						b.Truncate(stack[i].at)
						stack = stack[:i]
						break
					}
				}
			}
			break
		}
		off := dec.InputOffset()
		raw := data[prev:off]
		prev = off
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local == "item" || t.Name.Local == "entry" {
				for i := len(stack) - 1; i >= 0; i-- {
					if containers[stack[i].local] {
						closeAbove(i)
						break
					}
				}
			}
			at := b.Len() + max(bytes.IndexByte(raw, '<'), 0)
			b.Write(raw)
			// A self-closing tag is pushed too: the decoder follows it
			// with an end element of its own, read from no bytes.
			stack = append(stack, open{t.Name.Local, qname(raw), at})
			continue
		case xml.EndElement:
			i := len(stack) - 1
			for ; i >= 0 && stack[i].local != t.Name.Local; i-- {
			}
			if i < 0 {
				if n := len(stack); n > 0 && !containers[stack[n-1].local] && stack[n-1].local != "item" && stack[n-1].local != "entry" {
					// A misspelt end tag (<title>…</titl>) closes the
					// element it was meant for.
					b.WriteString("</")
					b.Write(stack[n-1].raw)
					b.WriteString(">")
					stack = stack[:n-1]
				}
				continue // else it closes what was already closed: drop it
			}
			closeAbove(i)
			stack = stack[:i]
		}
		b.Write(raw)
	}
	closeAbove(-1)
	return b.Bytes()
}

// qname is the element name of a raw start tag ("<itunes:category text=…>").
func qname(raw []byte) []byte {
	i := bytes.IndexByte(raw, '<')
	if i < 0 {
		return nil
	}
	raw = raw[i+1:]
	end := bytes.IndexAny(raw, " \t\r\n/>")
	if end < 0 {
		return raw
	}
	return raw[:end]
}
