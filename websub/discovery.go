package websub

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Links is what a feed says about its WebSub: the hubs to subscribe at and
// its own URL, the topic (§4).
type Links struct {
	Hubs []string // absolute http(s) URLs, in the order advertised, at most maxHubs
	Self string   // absolute; "" when the feed names none
}

// maxHubs bounds the hubs kept from one feed: one is used, a few are
// remembered, a thousand are an attack.
const maxHubs = 4

// atomNS is the namespace of Atom links, in Atom feeds and RSS alike.
const atomNS = "http://www.w3.org/2005/Atom"

// Discover finds a fetched feed's hub and self links (§4): the HTTP Link
// header first, as the Recommendation says, then the document's own links
// (Atom <link>, RSS <atom:link>, JSON Feed hubs and feed_url). base is the
// URL the body came from; relative links are resolved against it.
func Discover(h http.Header, body []byte, base string) Links {
	b, _ := url.Parse(base)
	var l Links
	for _, v := range h.Values("Link") {
		for _, link := range parseLinkHeader(v) {
			l.add(b, link.rel, link.href)
		}
	}
	if len(l.Hubs) > 0 && l.Self != "" {
		return l
	}
	var doc Links
	if t := bytes.TrimLeft(body, " \t\r\n\ufeff"); bytes.HasPrefix(t, []byte("{")) {
		doc = jsonLinks(t, b)
	} else {
		doc = xmlLinks(body, b)
	}
	if len(l.Hubs) == 0 {
		l.Hubs = doc.Hubs
	}
	if l.Self == "" {
		l.Self = doc.Self
	}
	return l
}

// add keeps one link of rel, resolved; rel may list several types.
func (l *Links) add(base *url.URL, rel, href string) {
	u := resolve(base, href)
	if u == "" {
		return
	}
	for _, r := range strings.Fields(strings.ToLower(rel)) {
		switch {
		case r == "hub" && len(l.Hubs) < maxHubs:
			for _, h := range l.Hubs {
				if h == u {
					return
				}
			}
			l.Hubs = append(l.Hubs, u)
		case r == "self" && l.Self == "":
			l.Self = u
		}
	}
}

func resolve(base *url.URL, href string) string {
	ref, err := url.Parse(strings.TrimSpace(href))
	if err != nil || strings.TrimSpace(href) == "" {
		return ""
	}
	if base != nil {
		ref = base.ResolveReference(ref)
	}
	if (ref.Scheme != "http" && ref.Scheme != "https") || ref.Host == "" {
		return ""
	}
	ref.Fragment = ""
	return ref.String()
}

type headerLink struct{ href, rel string }

// parseLinkHeader reads an RFC 8288 Link header value:
// `<uri>; rel="hub", <uri>; rel=self`. Links without rel are skipped;
// commas inside <> or quotes do not split.
func parseLinkHeader(v string) []headerLink {
	var out []headerLink
	for len(v) > 0 {
		v = strings.TrimLeft(v, " \t,")
		if !strings.HasPrefix(v, "<") {
			// Not a link: skip to the next comma outside quotes.
			i := nextComma(v)
			if i < 0 {
				break
			}
			v = v[i:]
			continue
		}
		end := strings.IndexByte(v, '>')
		if end < 0 {
			break
		}
		link := headerLink{href: v[1:end]}
		v = v[end+1:]
		// Parameters up to the next comma outside quotes.
		i := nextComma(v)
		params := v
		if i >= 0 {
			params, v = v[:i], v[i:]
		} else {
			v = ""
		}
		for _, p := range splitParams(params) {
			k, val, _ := strings.Cut(p, "=")
			if strings.EqualFold(strings.TrimSpace(k), "rel") && link.rel == "" {
				link.rel = strings.Trim(strings.TrimSpace(val), `"`)
			}
		}
		if link.rel != "" {
			out = append(out, link)
		}
	}
	return out
}

func nextComma(s string) int {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '\\':
			i++
		case ',':
			if !quoted {
				return i
			}
		}
	}
	return -1
}

func splitParams(s string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case '\\':
			i++
		case ';':
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// xmlLinks reads the Atom links of a feed's head: a <feed>'s or RSS
// <channel>'s <link rel="hub|self">. It stops at the first entry or item,
// so a long feed costs its head only.
func xmlLinks(body []byte, base *url.URL) Links {
	var l Links
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	for tok := 0; tok < 10000; tok++ {
		t, err := dec.Token()
		if err != nil {
			return l
		}
		se, ok := t.(xml.StartElement)
		if !ok {
			continue
		}
		switch {
		case se.Name.Local == "entry" || se.Name.Local == "item":
			return l
		case se.Name.Local == "link" && se.Name.Space == atomNS:
			var rel, href string
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "rel":
					rel = a.Value
				case "href":
					href = a.Value
				}
			}
			l.add(base, rel, href)
		}
	}
	return l
}

// jsonLinks reads JSON Feed 1.1's hubs and feed_url.
func jsonLinks(body []byte, base *url.URL) Links {
	var f struct {
		FeedURL string `json:"feed_url"`
		Hubs    []struct {
			Type string `json:"type"`
			URL  string `json:"url"`
		} `json:"hubs"`
	}
	var l Links
	if json.Unmarshal(body, &f) != nil {
		return l
	}
	for _, h := range f.Hubs {
		if strings.EqualFold(h.Type, "websub") || strings.EqualFold(h.Type, "pubsubhubbub") {
			l.add(base, "hub", h.URL)
		}
	}
	l.add(base, "self", f.FeedURL)
	return l
}
