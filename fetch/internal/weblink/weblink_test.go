package weblink

import (
	"net/url"
	"testing"
)

// TestIRILinks: a link with an internationalised host (an IRI) keeps a
// host a resolver knows: its ASCII form, not percent-encoding.
func TestIRILinks(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"http://www.詹姆斯.com/atomtests/iri/詹.html", "http://www.xn--8ws00zhy3a.com/atomtests/iri/%E8%A9%B9.html"},
		{"https://bücher.example:8443/a", "https://xn--bcher-kva.example:8443/a"},
		{"https://ascii.example/ü", "https://ascii.example/%C3%BC"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			if got := Resolve(nil, tt.in); got != tt.want {
				t.Errorf("Resolve(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestHTTP: a schedule's or a page's links resolve against its base and
// only web links are kept.
func TestHTTP(t *testing.T) {
	base, _ := url.Parse("https://conf.example/2025/schedule/")
	for _, tt := range []struct{ ref, want string }{
		{"event/42/", "https://conf.example/2025/schedule/event/42/"},
		{" https://other.example/x ", "https://other.example/x"},
		{"javascript:alert(1)", ""},
		{"mailto:a@example.org", ""},
		{"", ""},
		{"%zz", ""},
	} {
		if got := HTTP(base, tt.ref); got != tt.want {
			t.Errorf("HTTP(%q) = %q, want %q", tt.ref, got, tt.want)
		}
	}
	if got := HTTP(nil, "/relative"); got != "" {
		t.Errorf("a relative link without a base = %q, want nothing", got)
	}
}
