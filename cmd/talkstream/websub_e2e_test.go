package main

// End-to-end WebSub through serve's wiring on loopback, against a hub
// written here from the Recommendation (https://www.w3.org/TR/websub/),
// not with package websub: subscription and verification of intent (§5),
// content distribution signed with the secret (§7, §8), the pings of our
// own feeds, and what is acknowledged and ignored.

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"
)

// specHub is a WebSub hub and publisher in one: it serves a feed that
// advertises it, takes subscriptions, verifies intent with a challenge,
// distributes content and records publish pings.
type specHub struct {
	t      *testing.T
	srv    *httptest.Server
	feed   *template.Template
	mu     sync.Mutex
	polls  int // GETs of the feed
	subs   map[string]hubSub
	pings  map[string]int // hub.url → publish pings
	events chan string
	// advertised, when set, is the hub the feed names instead of this
	// one (a hub that is down).
	advertised string
}

type hubSub struct{ callback, secret string }

func newSpecHub(t *testing.T) *specHub {
	h := &specHub{t: t, subs: map[string]hubSub{}, pings: map[string]int{}, events: make(chan string, 16)}
	h.feed = template.Must(template.ParseFiles("testdata/websub-feed.atom.tmpl"))
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *specHub) topic() string  { return h.srv.URL + "/feed.atom" }
func (h *specHub) hubURL() string { return h.srv.URL + "/hub" }

func (h *specHub) advertisedHub() string {
	if h.advertised != "" {
		return h.advertised
	}
	return h.hubURL()
}

func (h *specHub) render(entries ...string) []byte {
	var b bytes.Buffer
	err := h.feed.Execute(&b, struct {
		N         int
		Self, Hub string
		Entries   []string
	}{len(entries), h.topic(), h.advertisedHub(), entries})
	if err != nil {
		h.t.Fatal(err)
	}
	return b.Bytes()
}

func (h *specHub) serve(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/feed.atom":
		h.mu.Lock()
		h.polls++
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(h.render("First-talk"))
	case "/hub":
		r.ParseForm()
		switch r.PostForm.Get("hub.mode") {
		case "publish":
			h.mu.Lock()
			for _, u := range r.PostForm["hub.url"] {
				h.pings[u]++
			}
			h.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		case "subscribe", "unsubscribe":
			mode, topic, cb, secret := r.PostForm.Get("hub.mode"), r.PostForm.Get("hub.topic"), r.PostForm.Get("hub.callback"), r.PostForm.Get("hub.secret")
			if topic != h.topic() {
				http.Error(w, "unknown topic", http.StatusNotFound)
				return
			}
			w.WriteHeader(http.StatusAccepted)
			go h.verify(mode, topic, cb, secret)
		default:
			http.Error(w, "bad mode", http.StatusBadRequest)
		}
	default:
		http.NotFound(w, r)
	}
}

// verify is §5.3: GET the callback with a challenge; the subscriber must
// echo it.
func (h *specHub) verify(mode, topic, cb, secret string) {
	b := make([]byte, 12)
	rand.Read(b)
	challenge := hex.EncodeToString(b)
	q := url.Values{"hub.mode": {mode}, "hub.topic": {topic}, "hub.challenge": {challenge}, "hub.lease_seconds": {"3600"}}
	resp, err := http.Get(cb + "?" + q.Encode())
	if err != nil {
		h.events <- "verify error: " + err.Error()
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 || string(body) != challenge {
		h.events <- fmt.Sprintf("not verified: %d %q", resp.StatusCode, body)
		return
	}
	h.mu.Lock()
	if mode == "subscribe" {
		h.subs[topic] = hubSub{cb, secret}
	} else {
		delete(h.subs, topic)
	}
	h.mu.Unlock()
	h.events <- mode + "d"
}

// distribute is §7 with the §8 signature, computed here.
func (h *specHub) distribute(callback, secret string, body []byte) *http.Response {
	req, _ := http.NewRequest(http.MethodPost, callback, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/atom+xml")
	req.Header.Add("Link", "<"+h.hubURL()+`>; rel="hub"`)
	req.Header.Add("Link", "<"+h.topic()+`>; rel="self"`)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	req.Header.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func (h *specHub) pingCount(u string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pings[u]
}

func (h *specHub) pollCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.polls
}

// TestWebSubPushEndToEnd: serve subscribes at the hub a fetched feed
// advertises, a pushed entry reaches /feed.json with no poll in between,
// the ping for /feed.json goes out once, and what is unsigned, unasked or
// too large is dropped and counted.
func TestWebSubPushEndToEnd(t *testing.T) {
	h := newSpecHub(t)
	base := startWebSubServe(t, h, "websub:\n  hub: "+h.hubURL()+"\n  poll: 12h\n")
	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(base + strings.TrimPrefix(path, "/"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	sub := h.waitSubscribed(t)
	if !strings.HasPrefix(sub.callback, base+"websub/") || len(sub.secret) < 32 {
		t.Fatalf("subscription callback %q, secret of %d bytes", sub.callback, len(sub.secret))
	}
	feedJSON := base + "feed.json"
	waitFor(t, "the first fetch published", func() bool {
		_, body := get("/feed.json")
		return strings.Contains(body, "First-talk")
	})
	// Pings of the first publish go out in the background: let them land.
	settle := func() int {
		n := h.pingCount(feedJSON)
		for range 10 {
			time.Sleep(100 * time.Millisecond)
			if m := h.pingCount(feedJSON); m != n {
				n = m
			}
		}
		return n
	}
	before := settle()
	polls := h.pollCount()

	t.Run("status shows the subscription", func(t *testing.T) {
		_, body := get("/status.json")
		var st struct{ Sources []struct{ ID, Push string } }
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Sources) != 1 || !strings.HasPrefix(st.Sources[0].Push, "active until ") {
			t.Errorf("status: %+v", st.Sources)
		}
	})

	t.Run("a pushed entry reaches /feed.json with no poll", func(t *testing.T) {
		start := time.Now()
		resp := h.distribute(sub.callback, sub.secret, h.render("First-talk", "Second-talk"))
		if resp.StatusCode/100 != 2 {
			t.Fatalf("distribution answered %d", resp.StatusCode)
		}
		waitFor(t, "the pushed entry in /feed.json", func() bool {
			_, body := get("/feed.json")
			return strings.Contains(body, "Second-talk")
		})
		t.Logf("push to /feed.json: %s", time.Since(start))
		if p := h.pollCount(); p != polls {
			t.Errorf("the feed was polled %d times during the push", p-polls)
		}
		// A pushed source is polled at poll: 12h, as a safety net.
		_, body := get("/status.json")
		var st struct {
			Sources []struct {
				LastFetch time.Time `json:"last_fetch"`
				NextCheck time.Time `json:"next_check"`
			}
		}
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatal(err)
		}
		if wait := st.Sources[0].NextCheck.Sub(st.Sources[0].LastFetch); wait < 10*time.Hour {
			t.Errorf("next poll %s after the push, want about 12h", wait)
		}
		waitFor(t, "the ping for /feed.json", func() bool { return h.pingCount(feedJSON) > before })
		if n := settle(); n != before+1 {
			t.Errorf("%d pings for %s after the push, want 1", n-before, feedJSON)
		}
	})

	t.Run("feeds advertise the hub", func(t *testing.T) {
		for _, tt := range []struct{ path, want string }{
			{"/rss.xml", `<atom:link href="` + h.hubURL() + `" rel="hub"></atom:link>`},
			{"/atom.xml", `<link href="` + h.hubURL() + `" rel="hub"></link>`},
			{"/feed.json", `"hubs":[{"type":"WebSub","url":"` + h.hubURL() + `"}]`},
		} {
			resp, body := get(tt.path)
			if !strings.Contains(body, tt.want) {
				t.Errorf("%s lacks %s", tt.path, tt.want)
			}
			link := resp.Header.Get("Link")
			if !strings.Contains(link, "<"+h.hubURL()+`>; rel="hub"`) || !strings.Contains(link, "<"+base+strings.TrimPrefix(tt.path, "/")+`>; rel="self"`) {
				t.Errorf("%s Link header %q", tt.path, link)
			}
		}
		// The calendar and the page are no feeds a hub delivers: they
		// must not send a subscriber to one.
		for _, path := range []string{"/talks.ics", "/"} {
			if resp, _ := get(path); resp.Header.Get("Link") != "" {
				t.Errorf("%s advertises a hub: %q", path, resp.Header.Get("Link"))
			}
		}
	})

	counter := func(result string) string {
		_, body := get("/metrics")
		for _, line := range strings.Split(body, "\n") {
			if strings.HasPrefix(line, `talkstream_websub_notifications_total{result="`+result+`"}`) {
				return strings.Fields(line)[1]
			}
		}
		return "missing"
	}
	tests := []struct {
		name, callback, secret string
		body                   []byte
		status                 int
		result                 string
	}{
		{"bad signature", sub.callback, "not-the-secret", h.render("First-talk", "Second-talk", "Forged-talk"), http.StatusAccepted, "bad_signature"},
		{"unknown topic", base + "websub/0123456789abcdef", sub.secret, h.render("Unasked-talk"), http.StatusAccepted, "unknown_topic"},
		{"oversized body", sub.callback, sub.secret, h.render("First-talk", strings.Repeat("Huge-talk", 1000)), http.StatusRequestEntityTooLarge, "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := h.distribute(tt.callback, tt.secret, tt.body)
			if resp.StatusCode != tt.status {
				t.Errorf("answered %d, want %d", resp.StatusCode, tt.status)
			}
			if got := counter(tt.result); got != "1" {
				t.Errorf("%s counted %s, want 1", tt.result, got)
			}
			_, body := get("/feed.json")
			for _, bad := range []string{"Forged-talk", "Unasked-talk", "Huge-talk"} {
				if strings.Contains(body, bad) {
					t.Errorf("/feed.json has %s", bad)
				}
			}
		})
	}

	t.Run("verification only of what we asked for", func(t *testing.T) {
		for _, u := range []string{
			sub.callback + "?" + url.Values{"hub.mode": {"subscribe"}, "hub.topic": {"https://elsewhere.example/feed"}, "hub.challenge": {"x"}}.Encode(),
			sub.callback + "?" + url.Values{"hub.mode": {"unsubscribe"}, "hub.topic": {h.topic()}, "hub.challenge": {"x"}}.Encode(),
			base + "websub/0123456789abcdef?" + url.Values{"hub.mode": {"subscribe"}, "hub.topic": {h.topic()}, "hub.challenge": {"x"}}.Encode(),
		} {
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", u, resp.StatusCode)
			}
		}
	})
}

// startWebSubServe runs serve's wiring on loopback with one source, h's
// feed, and the websub: block given; it returns the base URL.
func startWebSubServe(t *testing.T, h *specHub, websubYAML string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String() + "/"
	dir := t.TempDir()
	cfg := fmt.Sprintf(`title: WebSub test
base_url: %s
database: %s
refresh: 1h
fetch: {max_bytes: 8KiB}
sources:
  - {id: pushed, kind: blog, url: %s}
%s`, base, filepath.Join(dir, "ws.db"), h.topic(), websubYAML)
	cfgPath := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	serveInProcess(t, cfgPath, ln, nil)
	return base
}

// waitSubscribed waits for h to have verified talkstream's subscription,
// and returns it.
func (h *specHub) waitSubscribed(t *testing.T) hubSub {
	t.Helper()
	select {
	case ev := <-h.events:
		if ev != "subscribed" {
			t.Fatalf("subscription: %s", ev)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("talkstream never subscribed at the hub its feed advertises")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subs[h.topic()]
}

// TestWebSubBuiltinHubEndToEnd: with hub: builtin, a subscriber written
// here from the spec subscribes to /feed.json, and the entry the source's
// hub pushes reaches it once, signed with its secret; a hub that refuses
// private callbacks refuses a loopback one.
func TestWebSubBuiltinHubEndToEnd(t *testing.T) {
	h := newSpecHub(t)
	base := startWebSubServe(t, h, "websub:\n  hub: builtin\n  allow_private: true\n")
	sub := h.waitSubscribed(t)
	waitFor(t, "the first fetch published", func() bool {
		resp, err := http.Get(base + "feed.json")
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(b), "First-talk")
	})

	const secret = "our-own-subscriber-secret"
	var mu sync.Mutex
	var got []string
	challenges := make(chan string, 4)
	reader := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			q := r.URL.Query()
			if q.Get("hub.topic") != base+"feed.json" {
				http.NotFound(w, r)
				return
			}
			challenges <- q.Get("hub.mode") + " " + q.Get("hub.lease_seconds")
			io.WriteString(w, q.Get("hub.challenge"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		if r.Header.Get("X-Hub-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) {
			w.WriteHeader(http.StatusAccepted) // §8: ignore what the secret did not sign
			return
		}
		mu.Lock()
		got = append(got, string(body))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer reader.Close()
	resp, err := http.PostForm(base+"websub/hub", url.Values{"hub.mode": {"subscribe"}, "hub.topic": {base + "feed.json"},
		"hub.callback": {reader.URL + "/cb"}, "hub.secret": {secret}, "hub.lease_seconds": {"60"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("subscribe at the built-in hub: %d", resp.StatusCode)
	}
	select {
	case c := <-challenges:
		if c != "subscribe 3600" { // raised to the minimum lease
			t.Errorf("verification %q", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the built-in hub never verified intent")
	}

	if resp := h.distribute(sub.callback, sub.secret, h.render("First-talk", "Second-talk")); resp.StatusCode/100 != 2 {
		t.Fatalf("distribution: %d", resp.StatusCode)
	}
	waitFor(t, "the built-in hub's delivery", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) > 0
	})
	time.Sleep(500 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !strings.Contains(got[0], "Second-talk") || !strings.Contains(got[0], `"hubs":[{"type":"WebSub","url":"`+base+`websub/hub"}]`) {
		t.Errorf("%d deliveries of /feed.json; the first: %.300s", len(got), got)
	}

	t.Run("SSRF: a loopback callback is refused", func(t *testing.T) {
		h2 := newSpecHub(t)
		base2 := startWebSubServe(t, h2, "websub:\n  hub: builtin\n  subscribe: false\n")
		waitFor(t, "the first publish", func() bool {
			resp, err := http.Get(base2 + "feed.json")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		})
		resp, err := http.PostForm(base2+"websub/hub", url.Values{"hub.mode": {"subscribe"}, "hub.topic": {base2 + "feed.json"},
			"hub.callback": {reader.URL + "/cb"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("loopback callback: %d, want 403", resp.StatusCode)
		}
	})
}

// TestWebSubHubDownEndToEnd: when the hub a feed advertises cannot be
// reached, the status says so and the source is polled at its refresh,
// not at the relaxed interval of a pushed source.
func TestWebSubHubDownEndToEnd(t *testing.T) {
	h := newSpecHub(t)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	h.advertised = down.URL + "/hub"
	base := startWebSubServe(t, h, "websub:\n  poll: 12h\n")
	var st struct {
		Sources []struct {
			ID, Push  string
			LastFetch *time.Time `json:"last_fetch"`
			NextCheck *time.Time `json:"next_check"`
		}
	}
	waitFor(t, "the failed subscription in the status", func() bool {
		resp, err := http.Get(base + "status.json")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		if json.NewDecoder(resp.Body).Decode(&st) != nil || len(st.Sources) != 1 {
			return false
		}
		return strings.HasPrefix(st.Sources[0].Push, "pending (hub "+down.URL)
	})
	s := st.Sources[0]
	if s.LastFetch == nil || s.NextCheck == nil {
		t.Fatalf("status: %+v", s)
	}
	// The refresh is 1h with ±10 % jitter; a pushed source would wait 12h.
	if wait := s.NextCheck.Sub(*s.LastFetch); wait > 2*time.Hour {
		t.Errorf("next check %s after the fetch, with the hub down", wait)
	}
	waitFor(t, "the polled entry published", func() bool {
		resp, err := http.Get(base + "feed.json")
		if err != nil {
			return false
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(body), "First-talk")
	})
}

// waitFor polls cond for up to 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestWebSubFeedsValidate: feeds that advertise a hub still pass the
// independent validators (feedparser, jing, ajv with JSON Feed 1.1's
// schema, which has hubs).
func TestWebSubFeedsValidate(t *testing.T) {
	cfgPath, _ := demoWorld(t, "\nwebsub:\n  hub: https://hub.example.org/\n  subscribe: false\n")
	out := filepath.Join(t.TempDir(), "site")
	for _, args := range [][]string{{"fetch", "-config", cfgPath}, {"build", "-config", cfgPath, "-out", out}} {
		if code, o, errs := cli(t, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", args, code, o, errs)
		}
	}
	data, err := os.ReadFile(filepath.Join(out, "tags", "xen", "atom.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `<link href="https://hub.example.org/" rel="hub"></link>`) {
		t.Errorf("a facet's atom.xml does not advertise the hub:\n%.600s", data)
	}
	validate(t, out)
}

// TestWebSubFetchRecordsHub: `talkstream fetch` records the hub a feed
// advertises (serve subscribes), and `talkstream status` shows it pending.
func TestWebSubFetchRecordsHub(t *testing.T) {
	h := newSpecHub(t)
	dir := t.TempDir()
	cfg := fmt.Sprintf("title: t\nbase_url: https://talks.example.org/\ndatabase: %s\nwebsub: {}\nsources:\n  - {id: pushed, kind: blog, url: %s}\n",
		filepath.Join(dir, "t.db"), h.topic())
	path := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := cli(t, "fetch", "-config", path); code != 0 {
		t.Fatalf("fetch: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs := cli(t, "status", "-config", path)
	if code != 0 || !strings.Contains(out, "PUSH") || !regexp.MustCompile(`(?m)^pushed .* pending`).MatchString(out) {
		t.Errorf("status: exit %d\n%s%s", code, out, errs)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.subs) != 0 {
		t.Errorf("fetch subscribed: only serve answers verifications")
	}
}
