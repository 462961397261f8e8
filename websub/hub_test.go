package websub_test

// The built-in hub driven by a subscriber written here from the
// Recommendation (§5.1 request, §5.3 verification, §8 signature check with
// crypto/hmac), not with package websub's subscriber.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/store"
	"github.com/talkstream/talkstream/websub"
)

const ourTopic = "https://talks.example.org/feed.json"

func openStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "ws.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// specSubscriber echoes challenges and checks signatures itself.
type specSubscriber struct {
	srv      *httptest.Server
	secret   string
	mu       sync.Mutex
	verified []string
	got      [][]byte
	fail     int // answer 500 to this many distributions first
}

func newSpecSubscriber(t *testing.T, secret string) *specSubscriber {
	s := &specSubscriber{secret: secret}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.Method == http.MethodGet {
			s.verified = append(s.verified, r.URL.Query().Get("hub.mode")+" "+r.URL.Query().Get("hub.lease_seconds"))
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		if s.fail > 0 {
			s.fail--
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		m := hmac.New(sha256.New, []byte(s.secret))
		m.Write(body)
		if s.secret != "" && r.Header.Get("X-Hub-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			w.WriteHeader(http.StatusAccepted) // §8: acknowledge, ignore
			return
		}
		if !strings.Contains(r.Header.Get("Link"), `rel="hub"`) {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		s.got = append(s.got, body)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *specSubscriber) subscribe(t *testing.T, hub, mode string, lease string) *http.Response {
	t.Helper()
	form := url.Values{"hub.mode": {mode}, "hub.topic": {ourTopic}, "hub.callback": {s.srv.URL + "/cb"}, "hub.secret": {s.secret}}
	if lease != "" {
		form.Set("hub.lease_seconds", lease)
	}
	resp, err := http.PostForm(hub, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func newHub(t *testing.T, st websub.Store, opts websub.HubOptions) *httptest.Server {
	t.Helper()
	opts.URL = "https://talks.example.org/websub/hub"
	opts.Topic = func(topic string) bool { return topic == ourTopic }
	opts.Content = func(context.Context, string) ([]byte, string, error) {
		return []byte(`{"version":"https://jsonfeed.org/version/1.1","items":[]}`), "application/feed+json", nil
	}
	opts.CheckHost, opts.IsPublic = fetch.CheckHost, fetch.PublicAddr
	if opts.Client == nil {
		opts.Client = websub.PublicClient(fetch.PublicDialer(time.Second))
	}
	h, err := websub.NewHub(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Wait() })
	t.Cleanup(h.Wait)
	hubs[srv.URL] = h
	return srv
}

var hubs = map[string]*websub.Hub{}

func TestHubDeliversSigned(t *testing.T) {
	st := openStore(t)
	srv := newHub(t, st, websub.HubOptions{AllowPrivate: true, Client: websub.PublicClient(nil), Backoff: []time.Duration{10 * time.Millisecond}})
	h := hubs[srv.URL]
	sub := newSpecSubscriber(t, "a-secret-of-ours")
	if resp := sub.subscribe(t, srv.URL, "subscribe", "999999999"); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("subscribe: %d", resp.StatusCode)
	}
	h.Wait()
	sub.mu.Lock()
	verified := sub.verified
	sub.mu.Unlock()
	// The lease asked for is bounded by MaxLease (30 days).
	if len(verified) != 1 || verified[0] != "subscribe 2592000" {
		t.Fatalf("verifications %q", verified)
	}
	sub.fail = 1 // the first delivery fails: the hub retries
	if err := h.Publish(context.Background(), []string{ourTopic, "https://talks.example.org/other.xml"}); err != nil {
		t.Fatal(err)
	}
	h.Wait()
	if len(sub.got) != 1 || !strings.Contains(string(sub.got[0]), "jsonfeed") {
		t.Fatalf("delivered %d bodies", len(sub.got))
	}
	// Unsubscribing ends the deliveries.
	sub.subscribe(t, srv.URL, "unsubscribe", "")
	h.Wait()
	if err := h.Publish(context.Background(), []string{ourTopic}); err != nil {
		t.Fatal(err)
	}
	h.Wait()
	if len(sub.got) != 1 {
		t.Errorf("delivered after unsubscribe")
	}
}

func TestHubRefuses(t *testing.T) {
	st := openStore(t)
	strict := newHub(t, st, websub.HubOptions{})
	capped := newHub(t, st, websub.HubOptions{AllowPrivate: true, Client: websub.PublicClient(nil), MaxPerHost: 1})
	sub := newSpecSubscriber(t, "s")
	other := newSpecSubscriber(t, "s")
	if resp := sub.subscribe(t, capped.URL, "subscribe", ""); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("first subscription: %d", resp.StatusCode)
	}
	hubs[capped.URL].Wait()
	tests := []struct {
		name   string
		hub    string
		form   url.Values
		status int
	}{
		{"loopback callback (SSRF)", strict.URL, url.Values{"hub.mode": {"subscribe"}, "hub.topic": {ourTopic}, "hub.callback": {sub.srv.URL + "/cb"}}, http.StatusForbidden},
		{"private callback (SSRF)", strict.URL, url.Values{"hub.mode": {"subscribe"}, "hub.topic": {ourTopic}, "hub.callback": {"http://10.1.2.3/cb"}}, http.StatusForbidden},
		{"link-local callback (SSRF)", strict.URL, url.Values{"hub.mode": {"subscribe"}, "hub.topic": {ourTopic}, "hub.callback": {"http://[fe80::1]/cb"}}, http.StatusForbidden},
		{"another topic", capped.URL, url.Values{"hub.mode": {"subscribe"}, "hub.topic": {"https://elsewhere.example/feed"}, "hub.callback": {other.srv.URL + "/x"}}, http.StatusNotFound},
		{"publish from outside", capped.URL, url.Values{"hub.mode": {"publish"}, "hub.url": {ourTopic}}, http.StatusBadRequest},
		{"too many on one host", capped.URL, url.Values{"hub.mode": {"subscribe"}, "hub.topic": {ourTopic}, "hub.callback": {other.srv.URL + "/cb2"}}, http.StatusTooManyRequests},
		{"long secret", capped.URL, url.Values{"hub.mode": {"subscribe"}, "hub.topic": {ourTopic}, "hub.callback": {sub.srv.URL + "/cb"}, "hub.secret": {strings.Repeat("x", 200)}}, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.PostForm(tt.hub, tt.form)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("answered %d, want %d", resp.StatusCode, tt.status)
			}
		})
	}
	// The renewal of an existing subscription is not capped.
	if resp := sub.subscribe(t, capped.URL, "subscribe", ""); resp.StatusCode != http.StatusAccepted {
		t.Errorf("renewal: %d", resp.StatusCode)
	}
}
