// Package weblink resolves the links a fetched document gives, once for
// every format fetch reads (feeds, schedules, pages): against the
// document's base, with internationalised host names in their ASCII form.
package weblink

import (
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Resolve resolves ref against base (when there is one). A reference that
// does not parse as a URL is dropped rather than passed on.
func Resolve(base *url.URL, ref string) string {
	u := parse(base, ref)
	if u == nil {
		return ""
	}
	return u.String()
}

// HTTP is Resolve for documents that are not trusted to link anywhere but
// the web: it keeps only absolute http(s) links.
func HTTP(base *url.URL, ref string) string {
	u := parse(base, ref)
	if u == nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	return u.String()
}

func parse(base *url.URL, ref string) *url.URL {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil
	}
	u, err := url.Parse(ref)
	if err != nil {
		return nil
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	asciiHost(u)
	return u
}

// asciiHost writes an internationalised host name (an IRI's) in its ASCII
// form: url.URL would otherwise percent-encode it into a host no resolver
// knows. A name IDNA rejects is left as it was.
func asciiHost(u *url.URL) {
	h := u.Hostname()
	if h == "" || !strings.ContainsFunc(h, func(r rune) bool { return r >= utf8.RuneSelf }) {
		return
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		return
	}
	if p := u.Port(); p != "" {
		a = net.JoinHostPort(a, p)
	}
	u.Host = a
}
