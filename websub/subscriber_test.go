package websub_test

// Our subscriber against a hub written here from the Recommendation: it
// takes §5.1 requests and verifies them (§5.3) at once, with the lease it
// chooses.

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/talkstream/talkstream/websub"
)

type specHub struct {
	srv      *httptest.Server
	mu       sync.Mutex
	requests []string // "mode topic"
	deny     bool
}

func newSpecHub(t *testing.T) *specHub {
	h := &specHub{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mode, topic, cb := r.PostForm.Get("hub.mode"), r.PostForm.Get("hub.topic"), r.PostForm.Get("hub.callback")
		h.mu.Lock()
		h.requests = append(h.requests, mode+" "+topic)
		deny := h.deny
		h.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		q := url.Values{"hub.mode": {mode}, "hub.topic": {topic}, "hub.challenge": {"c-" + mode}, "hub.lease_seconds": {"1000"}}
		if deny {
			q = url.Values{"hub.mode": {"denied"}, "hub.topic": {topic}, "hub.reason": {"not on my watch"}}
		}
		// Verified after answering, as §5.3 allows.
		go func() {
			resp, err := http.Get(cb + "?" + q.Encode())
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *specHub) count(mode string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, r := range h.requests {
		if strings.HasPrefix(r, mode+" ") {
			n++
		}
	}
	return n
}

func TestSubscriberLifecycle(t *testing.T) {
	st := openStore(t)
	hub := newSpecHub(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }

	mux := http.NewServeMux()
	cb := httptest.NewServer(mux)
	t.Cleanup(cb.Close)
	sub := websub.NewSubscriber(st, websub.SubscriberOptions{Callback: cb.URL + "/websub/", Now: clock,
		Deliver: func(context.Context, string, []byte, string) error { return nil }})
	mux.Handle("/websub/", sub)
	ctx := context.Background()
	state := func() string {
		s, err := websub.PushStates(ctx, st, clock())
		if err != nil {
			t.Fatal(err)
		}
		return s["blog"]
	}
	waitState := func(prefix string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !strings.HasPrefix(state(), prefix) {
			if time.Now().After(deadline) {
				t.Fatalf("state %q, want %s…", state(), prefix)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	topic := "https://example.org/feed.atom"
	if err := sub.Discovered(ctx, "blog", websub.Links{Hubs: []string{hub.srv.URL}, Self: topic}, "https://example.org/x"); err != nil {
		t.Fatal(err)
	}

	t.Run("subscribe and verify", func(t *testing.T) {
		if state() != "pending" {
			t.Fatalf("state %q before Reconcile", state())
		}
		if err := sub.Reconcile(ctx, []string{"blog"}); err != nil {
			t.Fatal(err)
		}
		waitState("active until 2026-01-01T00:16:40Z")
		if !sub.Active("blog") {
			t.Error("not active")
		}
	})
	t.Run("renew before the lease ends", func(t *testing.T) {
		sub.Reconcile(ctx, []string{"blog"})
		if n := hub.count("subscribe"); n != 1 {
			t.Fatalf("%d subscribe requests before the renewal margin", n)
		}
		advance(900 * time.Second) // 100s left of 1000s: inside the last fifth
		if err := sub.Reconcile(ctx, []string{"blog"}); err != nil {
			t.Fatal(err)
		}
		if n := hub.count("subscribe"); n != 2 {
			t.Fatalf("%d subscribe requests, want a renewal", n)
		}
		waitState("active until 2026-01-01T00:31:40Z")
	})
	t.Run("denied", func(t *testing.T) {
		hub.mu.Lock()
		hub.deny = true
		hub.mu.Unlock()
		advance(900 * time.Second)
		sub.Reconcile(ctx, []string{"blog"})
		waitState("denied: not on my watch")
		if sub.Active("blog") {
			t.Error("active after a denial")
		}
		hub.mu.Lock()
		hub.deny = false
		hub.mu.Unlock()
	})
	t.Run("unsubscribe a removed source", func(t *testing.T) {
		advance(25 * time.Hour) // a denial is retried after a day
		sub.Reconcile(ctx, []string{"blog"})
		waitState("active")
		if err := sub.Reconcile(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if n := hub.count("unsubscribe"); n != 1 {
			t.Fatalf("%d unsubscribe requests", n)
		}
		// Verified: forgotten.
		deadline := time.Now().Add(10 * time.Second)
		for state() != "" {
			if time.Now().After(deadline) {
				t.Fatalf("state %q after unsubscribing", state())
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// TestSubscriberHubDown: a hub that cannot be reached leaves the
// subscription pending with the reason, is asked again with backoff, and
// the source is not marked pushed, so polling goes on as configured.
func TestSubscriberHubDown(t *testing.T) {
	st := openStore(t)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sub := websub.NewSubscriber(st, websub.SubscriberOptions{Callback: "http://127.0.0.1:1/websub/", Now: func() time.Time { return now }})
	ctx := context.Background()
	sub.Discovered(ctx, "blog", websub.Links{Hubs: []string{down.URL}}, "https://example.org/feed")
	if err := sub.Reconcile(ctx, []string{"blog"}); err != nil {
		t.Fatal(err)
	}
	s, _ := websub.PushStates(ctx, st, now)
	if !strings.HasPrefix(s["blog"], "pending (hub ") || sub.Active("blog") {
		t.Fatalf("state %q, active %v", s["blog"], sub.Active("blog"))
	}
	subs, _ := st.Subscriptions(ctx)
	if subs[0].Attempts != 1 || subs[0].Topic != "https://example.org/feed" {
		t.Errorf("after a failure: %+v", subs[0])
	}
	// Not again at once: the retry waits.
	sub.Reconcile(ctx, []string{"blog"})
	if subs, _ := st.Subscriptions(ctx); subs[0].Attempts != 1 {
		t.Errorf("asked again at once: %d attempts", subs[0].Attempts)
	}
}

// TestDiscovered: the same hub and topic again keep the subscription; a
// new hub starts a new one, with a fresh callback and secret; a feed
// without a hub changes nothing.
func TestDiscovered(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	sub := websub.NewSubscriber(st, websub.SubscriberOptions{Callback: "https://talks.example.org/websub/"})
	first := websub.Links{Hubs: []string{"https://hub-a.example/"}, Self: "https://example.org/feed"}
	if err := sub.Discovered(ctx, "blog", first, "https://example.org/feed?x"); err != nil {
		t.Fatal(err)
	}
	a, _ := st.SubscriptionOf(ctx, "blog")
	tests := []struct {
		name     string
		links    websub.Links
		hub      string
		sameCall bool
	}{
		{"same hub and topic", first, "https://hub-a.example/", true},
		{"no hub in this fetch", websub.Links{}, "https://hub-a.example/", true},
		{"another hub", websub.Links{Hubs: []string{"https://hub-b.example/"}, Self: "https://example.org/feed"}, "https://hub-b.example/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := sub.Discovered(ctx, "blog", tt.links, "https://example.org/feed?x"); err != nil {
				t.Fatal(err)
			}
			b, _ := st.SubscriptionOf(ctx, "blog")
			if b.Hub != tt.hub || (b.Callback == a.Callback) != tt.sameCall || (b.Secret == a.Secret) != tt.sameCall || b.Topic != "https://example.org/feed" {
				t.Errorf("after %s: %+v (first %+v)", tt.name, b, a)
			}
		})
	}
}

// TestLoadActive: a process that has not reconciled yet knows from the
// store which sources are pushed.
func TestLoadActive(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []websub.Subscription{
		{Source: "live", Hub: "h", Topic: "t1", Callback: "c1", State: websub.StateActive, Expires: now.Add(time.Hour)},
		{Source: "ended", Hub: "h", Topic: "t2", Callback: "c2", State: websub.StateActive, Expires: now.Add(-time.Hour)},
		{Source: "asked", Hub: "h", Topic: "t3", Callback: "c3", State: websub.StatePending},
	} {
		if err := st.PutSubscription(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	sub := websub.NewSubscriber(st, websub.SubscriberOptions{Callback: "https://x.example/websub/", Now: func() time.Time { return now }})
	if err := sub.LoadActive(ctx); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"live": true, "ended": false, "asked": false, "none": false} {
		if sub.Active(id) != want {
			t.Errorf("Active(%s) = %v", id, !want)
		}
	}
}
