package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch/internal/weblink"
)

// parsed is one parsed and translated feed.
type parsed struct {
	title, link string
	entries     []talkstream.Entry
	ttl         time.Duration // the feed's own update hint
	// warnings say what was read other than as the feed wrote it: a
	// repaired syntax error, items that could not be read, fields dropped.
	warnings []string
	format   string // one of the Format constants
	// follow is the feed an HTML page without talks of its own
	// advertises; nothing else is set then.
	follow string
}

func (p *parsed) warn(format string, args ...any) {
	p.warnings = append(p.warnings, fmt.Sprintf(format, args...))
}

// parse turns a fetched body into entries. feedURL is the URL the body came
// from, the base of last resort for relative links.
func parse(body []byte, contentType, feedURL string, src talkstream.Source) (*parsed, error) {
	return parseDoc(body, contentType, feedURL, "", src)
}

// parseDoc is parse with the document's own URL (a Content-Location
// header, resolved; "" when there is none), the base of relative links
// after xml:base.
func parseDoc(body []byte, contentType, feedURL, docURL string, src talkstream.Source) (*parsed, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrNotFeed)
	}
	if p, err := otherFormat(body, contentType, src); p != nil || err != nil {
		return p, err
	}
	if src.Select != nil && isHTML(body, contentType) {
		return htmlPage(body, contentType, pageBase(feedURL, docURL), src)
	}
	data := dropNonXMLChars(toUTF8(body, contentType))
	droppedFields := 0
	if isJSON(data) {
		data, droppedFields = lenientJSONFeed(data)
	}
	feed, x, err := parseFeed(data)
	if err != nil && strings.Contains(err.Error(), "illegal character code") {
		// A character reference to a control character (&#x1;) stops the
		// XML decoder; the characters themselves are dropped before it
		// sees them, so drop the references too and read the rest.
		if clean := illegalCharRef.ReplaceAllFunc(data, dropIllegalRef); !bytes.Equal(clean, data) {
			feed, x, err = parseFeed(clean)
		}
	}
	var warnings []string
	switch raw := rawItems(data); {
	case err != nil && !errors.Is(err, gofeed.ErrFeedTypeNotDetected) && !isHTML(data, contentType):
		// A syntax error: read what the repaired document holds, and say
		// what happened.
		if f, fx, rerr := parseFeed(closeUnclosed(data)); rerr == nil && (len(f.Items) > 0 || raw == 0) {
			warnings = append(warnings, fmt.Sprintf("malformed feed, read %d of %d items: %v", len(f.Items), raw, err))
			feed, x, err = f, fx, nil
		}
	case err == nil && raw > len(feed.Items):
		// Items the parser did not see: an element left open swallowed
		// them.
		if f, fx, rerr := parseFeed(closeUnclosed(data)); rerr == nil && len(f.Items) > len(feed.Items) {
			warnings = append(warnings, fmt.Sprintf("malformed feed: an element left open hid %d of %d items; read after closing it", len(f.Items)-len(feed.Items), raw))
			feed, x = f, fx
		}
		if n := len(feed.Items); raw > n {
			warnings = append(warnings, fmt.Sprintf("malformed feed: %d of %d items could not be read", raw-n, raw))
		}
	}
	if err != nil {
		if isHTML(data, contentType) {
			return htmlPage(body, contentType, pageBase(feedURL, docURL), src)
		}
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, fmt.Errorf("%w: no RSS, Atom or JSON Feed root element (Content-Type %q)", ErrNotFeed, contentType)
		}
		return nil, fmt.Errorf("%w: %w", ErrNotFeed, err)
	}
	p := translate(feed, x, data, src, feedURL, docURL)
	p.format = feedFormats[feed.FeedType]
	p.ttl = feedTTL(x.ttl, feed)
	p.warnings = append(p.warnings, warnings...)
	if n := len(feed.Items); n > 0 && len(p.entries) == 0 {
		p.warn("none of the feed's %d items has a title, link or content", n)
	}
	if droppedFields > 0 {
		p.warn("%d JSON Feed fields of the wrong type ignored", droppedFields)
	}
	return p, nil
}

// illegalCharRef is a numeric character reference; dropIllegalRef keeps
// those XML 1.0 allows.
var illegalCharRef = regexp.MustCompile(`&#(?:[xX][0-9a-fA-F]{1,8}|[0-9]{1,10});`)

func dropIllegalRef(ref []byte) []byte {
	digits, base := ref[2:len(ref)-1], 10
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, base = digits[1:], 16
	}
	n, err := strconv.ParseUint(string(digits), base, 32)
	if err != nil || !xmlChar(rune(n)) {
		return nil
	}
	return ref
}

// dropNonXMLChars removes the characters XML 1.0's Char production excludes
// (C0 controls but tab and line breaks, U+FFFE, U+FFFF): one of them
// anywhere would stop the XML decoder and lose the whole feed, and no feed
// means them. Bytes that are not UTF-8 (a body the parser will decode from
// its declared encoding) are kept as they are.
func dropNonXMLChars(data []byte) []byte {
	if !hasNonXMLChar(data) {
		return data
	}
	out := make([]byte, 0, len(data))
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if (r == utf8.RuneError && size <= 1) || xmlChar(r) {
			out = append(out, data[:size]...)
		}
		data = data[size:]
	}
	return out
}

func hasNonXMLChar(data []byte) bool {
	for i, c := range data {
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r':
			return true
		case c == 0xEF && i+2 < len(data) && data[i+1] == 0xBF && (data[i+2] == 0xBE || data[i+2] == 0xBF):
			return true
		}
	}
	return false
}

// xmlChar reports whether XML 1.0 allows r in a document.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// parseFeed runs gofeed on a body we fetched ourselves (never ParseURL: it
// does no conditional GET). A panic inside the third-party parser becomes an
// error so hostile input cannot take the fetcher down. x holds what the
// universal Feed drops (extras).
func parseFeed(data []byte) (feed *gofeed.Feed, x *extras, err error) {
	x = &extras{}
	defer func() {
		if r := recover(); r != nil {
			feed, err = nil, fmt.Errorf("feed parser panicked: %v", r)
		}
	}()
	p := gofeed.NewParser()
	// We scan for an <img> ourselves, after the media thumbnails, which are
	// chosen on purpose rather than the first picture in the text.
	p.RSSTranslator = &rssTranslator{DefaultRSSTranslator: gofeed.DefaultRSSTranslator{DisableContentImageScan: true}, x: x}
	p.AtomTranslator = &atomTranslator{x: x}
	feed, err = p.Parse(bytes.NewReader(data))
	return feed, x, err
}

// isJSON reports whether the body is a JSON document (a JSON Feed).
func isJSON(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{"))
}

// isHTML tells an HTML page from a broken feed, for the error message.
func isHTML(data []byte, contentType string) bool {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil && (mt == "text/html" || mt == "application/xhtml+xml") {
		return true
	}
	head := data
	if len(head) > 1024 {
		head = head[:1024]
	}
	head = bytes.ToLower(head)
	for _, tag := range []string{"<!doctype html", "<html", "<head", "<body"} {
		if bytes.Contains(head, []byte(tag)) {
			return true
		}
	}
	return false
}

// discoverFeed returns the first feed an HTML page advertises with
// <link rel="alternate" type="application/{rss,atom}+xml">, resolved.
func discoverFeed(data []byte, pageURL string) string {
	if len(data) > 256<<10 {
		data = data[:256<<10]
	}
	z := html.NewTokenizer(bytes.NewReader(data))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) == "body" {
				return ""
			}
			if string(name) != "link" || !hasAttr {
				continue
			}
			var rel, typ, href string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "type":
					typ = strings.ToLower(string(v))
				case "href":
					href = string(v)
				}
				if !more {
					break
				}
			}
			if href == "" || !strings.Contains(" "+rel+" ", " alternate ") {
				continue
			}
			switch typ {
			case "application/rss+xml", "application/atom+xml", "application/feed+json":
				return weblink.Resolve(parseBase(pageURL), href)
			}
		}
	}
}

// pageBase is the URL a page's relative links resolve against (before
// its own <base>): where it says it lives, else where it was fetched.
func pageBase(feedURL, docURL string) string {
	if docURL != "" {
		return docURL
	}
	return feedURL
}

// parseBase parses an absolute base URL, or returns nil.
func parseBase(s string) *url.URL {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || !u.IsAbs() {
		return nil
	}
	return u
}
