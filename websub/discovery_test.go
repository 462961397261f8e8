package websub

import (
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestDiscover(t *testing.T) {
	const base = "https://example.org/blog/feed.xml"
	tests := []struct {
		name, file string
		header     http.Header
		want       Links
	}{
		{"atom", "hub.atom", nil, Links{Hubs: []string{"https://hub.example.net/"}, Self: "https://example.org/blog/feed.atom"}},
		{"rss atom:link, relative", "hub.rss", nil, Links{Hubs: []string{"https://example.org/hub"}, Self: "https://example.org/blog/rss.xml"}},
		{"json feed", "hub.json", nil, Links{Hubs: []string{"https://hub.example.net/json"}, Self: "https://example.org/feed.json"}},
		{"link header wins", "hub.atom", http.Header{"Link": {`<https://push.example.com/>; rel="hub", <https://example.org/canonical.xml>; rel=self`}},
			Links{Hubs: []string{"https://push.example.com/"}, Self: "https://example.org/canonical.xml"}},
		{"header hub, document self", "hub.atom", http.Header{"Link": {`<https://push.example.com/>; rel="hub"`}},
			Links{Hubs: []string{"https://push.example.com/"}, Self: "https://example.org/blog/feed.atom"}},
		{"hub only in an entry is not the feed's", "entry-hub.atom", nil, Links{}},
		{"none", "plain.rss", nil, Links{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got := Discover(tt.header, body, base)
			if !slices.Equal(got.Hubs, tt.want.Hubs) || got.Self != tt.want.Self {
				t.Errorf("Discover = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParseLinkHeader(t *testing.T) {
	tests := []struct {
		in   string
		want []headerLink
	}{
		{`<a>; rel="hub"`, []headerLink{{"a", "hub"}}},
		{`<a,b>; rel="hub self", <c>; title="x, y"; rel=next`, []headerLink{{"a,b", "hub self"}, {"c", "next"}}},
		{`<a>`, nil},
		{`garbage, <b>; rel=hub`, []headerLink{{"b", "hub"}}},
		{`<unterminated; rel=hub`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseLinkHeader(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("parseLinkHeader(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// FuzzDiscover: no input panics, and whatever is found is an absolute
// http(s) URL.
func FuzzDiscover(f *testing.F) {
	for _, name := range []string{"hub.atom", "hub.rss", "hub.json", "plain.rss"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, `<https://h/>; rel="hub"`)
	}
	f.Fuzz(func(t *testing.T, body []byte, link string) {
		l := Discover(http.Header{"Link": {link}}, body, "https://example.org/feed")
		if len(l.Hubs) > maxHubs {
			t.Fatalf("%d hubs", len(l.Hubs))
		}
		for _, u := range append(l.Hubs, l.Self) {
			if u != "" && resolve(nil, u) != u {
				t.Fatalf("%q is not an absolute http(s) URL", u)
			}
		}
	})
}

// FuzzVerify: no header panics Verify, and only the right signature passes.
func FuzzVerify(f *testing.F) {
	f.Add("sha256=00", "secret", []byte("body"))
	f.Fuzz(func(t *testing.T, header, secret string, body []byte) {
		if Verify(header, secret, body) == nil && Verify(header, secret+"x", body) == nil {
			t.Fatalf("%q verifies under two secrets", header)
		}
	})
}
