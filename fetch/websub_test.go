package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/talkstream/talkstream"
)

// TestFetchWebSubLinks: a fetch reports the hub and self a feed
// advertises, from the Link header first, then the document.
func TestFetchWebSubLinks(t *testing.T) {
	body := readFixture(t, "websub.atom")
	tests := []struct {
		name, link string
		hubs       []string
		self       string
	}{
		{"document", "", []string{"https://hub.example.net/"}, "https://talks.example/feed.atom"},
		{"link header", `<https://push.example.org/>; rel="hub"`, []string{"https://push.example.org/"}, "https://talks.example/feed.atom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.link != "" {
					w.Header().Set("Link", tt.link)
				}
				w.Header().Set("Content-Type", "application/atom+xml")
				w.Write(body)
			}))
			defer srv.Close()
			res, err := New(Options{}).Fetch(context.Background(), talkstream.Source{ID: "t", Kind: talkstream.SourceBlog, URL: srv.URL + "/feed"})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Hubs, tt.hubs) || res.Self != tt.self {
				t.Errorf("hubs %v self %q, want %v %q", res.Hubs, res.Self, tt.hubs, tt.self)
			}
		})
	}
}

// TestParseIsFetch: a pushed body reads exactly as the same body fetched,
// keeps the stored validators, is Unchanged when its hash is the stored
// one, and is held to the same cap.
func TestParseIsFetch(t *testing.T) {
	body := readFixture(t, "websub.atom")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(body)
	}))
	defer srv.Close()
	src := talkstream.Source{ID: "t", Kind: talkstream.SourceBlog, URL: srv.URL + "/feed"}
	src.State.ETag = `"v1"`
	f := New(Options{MaxBytes: 4 << 10})
	fetched, err := f.Fetch(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := f.Parse(src, body, "application/atom+xml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pushed.Entries, fetched.Entries) || pushed.BodyHash != fetched.BodyHash || pushed.FeedTitle != fetched.FeedTitle {
		t.Errorf("pushed body read differently:\n%+v\n%+v", pushed.Entries, fetched.Entries)
	}
	if pushed.ETag != `"v1"` {
		t.Errorf("ETag %q: a push must keep the stored validator", pushed.ETag)
	}
	src.State.BodyHash = fetched.BodyHash
	if again, err := f.Parse(src, body, ""); err != nil || !again.Unchanged || again.Entries != nil {
		t.Errorf("the same body again: %+v, %v", again, err)
	}
	if _, err := f.Parse(src, make([]byte, 5<<10), ""); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized push: %v", err)
	}
	if _, err := f.Parse(src, []byte("<html><body>hi</body></html>"), "text/html"); !errors.Is(err, ErrNotFeed) {
		t.Errorf("a page pushed: %v", err)
	}
}

func TestPublicAddr(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"93.184.215.14", true}, {"2606:2800:21f:cb07:6820:80da:af6b:8b2c", true},
		{"127.0.0.1", false}, {"::1", false}, {"10.0.0.1", false}, {"172.16.5.4", false}, {"192.168.1.1", false},
		{"169.254.169.254", false}, {"fe80::1", false}, {"fc00::1", false}, {"100.64.0.1", false}, {"0.0.0.0", false},
		{"::ffff:127.0.0.1", false}, {"224.0.0.1", false}, {"64:ff9b::a00:1", false}, {"198.18.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := PublicAddr(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("PublicAddr(%s) = %v", tt.ip, got)
			}
		})
	}
}

// TestPublicDialer: the dialer refuses a loopback address at connect time.
func TestPublicDialer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := PublicDialer(0).Dial("tcp", srv.Listener.Addr().String())
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("dial loopback: %v", err)
	}
	if err := CheckHost(context.Background(), "localhost"); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("CheckHost(localhost): %v", err)
	}
}
