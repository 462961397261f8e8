package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The WebSub push: the real binary serves the world's store with one more
// source whose feed advertises a hub this harness runs. The harness is
// the hub: it verifies talkstream's subscription, then pushes one new
// entry at a time and measures how long until /feed.json shows it, with
// no poll in between, and how many pings for /feed.json talkstream sends
// back (the config names the harness as the hub of its own feeds too).

// pushResult is what the push step measured.
type pushResult struct {
	subscribe  time.Duration   // serve started → subscription verified
	firstShown time.Duration   // serve started → the source's first entry on /feed.json
	latency    []time.Duration // POST of the distribution → /feed.json shows the entry
	post       []time.Duration // the POST's own round trip: verify, ingest, publish
	pings      []int           // pings for /feed.json after each push
	polls      int             // GETs of the pushed feed during the pushes
}

// benchHub is the harness's hub and the pushed source's publisher.
type benchHub struct {
	srv      *httptest.Server
	mu       sync.Mutex
	entries  []string
	polls    int
	callback string
	secret   string
	pings    map[string]int
	verified chan struct{}
}

func (h *benchHub) feed() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	var b bytes.Buffer
	now := time.Now().UTC().Format(time.RFC3339)
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Pushed talks</title>
  <id>tag:push.bench.example,2026:feed</id>
  <updated>%s</updated>
  <link rel="self" href="%s/feed.atom"/>
  <link rel="hub" href="%s/hub"/>
`, now, h.srv.URL, h.srv.URL)
	for i := len(h.entries) - 1; i >= 0; i-- {
		e := html.EscapeString(h.entries[i])
		fmt.Fprintf(&b, `  <entry>
    <title>%s</title>
    <id>tag:push.bench.example,2026:%s</id>
    <published>%s</published>
    <updated>%s</updated>
    <link rel="alternate" href="https://push.bench.example/%s"/>
    <content type="html">&lt;p&gt;A talk pushed by the hub.&lt;/p&gt;</content>
  </entry>
`, e, e, now, now, e)
	}
	b.WriteString("</feed>\n")
	return b.Bytes()
}

func (h *benchHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/feed.atom":
		h.mu.Lock()
		h.polls++
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(h.feed())
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
		case "subscribe":
			w.WriteHeader(http.StatusAccepted)
			go h.verify(r.PostForm.Get("hub.callback"), r.PostForm.Get("hub.topic"), r.PostForm.Get("hub.secret"))
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	default:
		http.NotFound(w, r)
	}
}

// verify is the Recommendation's verification of intent.
func (h *benchHub) verify(cb, topic, secret string) {
	c := make([]byte, 8)
	rand.Read(c)
	challenge := hex.EncodeToString(c)
	resp, err := http.Get(cb + "?" + url.Values{"hub.mode": {"subscribe"}, "hub.topic": {topic}, "hub.challenge": {challenge}, "hub.lease_seconds": {"86400"}}.Encode())
	if err != nil {
		return
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != challenge {
		return
	}
	h.mu.Lock()
	first := h.callback == ""
	h.callback, h.secret = cb, secret
	h.mu.Unlock()
	if first {
		close(h.verified)
	}
}

// distribute pushes the feed as it is now, signed.
func (h *benchHub) distribute() (time.Duration, error) {
	body := h.feed()
	h.mu.Lock()
	cb, secret := h.callback, h.secret
	h.mu.Unlock()
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	req, _ := http.NewRequest(http.MethodPost, cb, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/atom+xml")
	req.Header.Set("Link", "<"+h.srv.URL+`/hub>; rel="hub", <`+h.srv.URL+`/feed.atom>; rel="self"`)
	req.Header.Set("X-Hub-Signature", "sha256="+hex.EncodeToString(m.Sum(nil)))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return 0, fmt.Errorf("callback answered %s", resp.Status)
	}
	return time.Since(start), nil
}

func (h *benchHub) count(u string) (pings, polls int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pings[u], h.polls
}

// runPush measures push-to-output on a copy of the world's store.
func runPush(ctx context.Context, log io.Writer, o runOpts, cfg, cycleDir string) (*pushResult, error) {
	dir := filepath.Join(o.work, "push")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	for _, suf := range []string{"", "-wal", "-shm"} {
		if err := copyFile(filepath.Join(cycleDir, "bench.db"+suf), filepath.Join(dir, "push.db"+suf)); err != nil && !os.IsNotExist(err) {
			return nil, err
		}
	}
	h := &benchHub{pings: map[string]int{}, verified: make(chan struct{}), entries: []string{"Pushed talk 0"}}
	h.srv = httptest.NewServer(h)
	defer h.srv.Close()
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	world, err := os.ReadFile(cfg)
	if err != nil {
		return nil, err
	}
	text := strings.Replace(string(world), "database: bench.db", "database: push.db", 1)
	text += fmt.Sprintf("  - id: pushed\n    kind: blog\n    url: %s/feed.atom\nwebsub:\n  callback: http://%s/websub/\n  hub: %s/hub\n", h.srv.URL, addr, h.srv.URL)
	pcfg := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(pcfg, []byte(text), 0o644); err != nil {
		return nil, err
	}
	serve := exec.CommandContext(ctx, o.bin, "serve", "-config", pcfg, "-addr", addr)
	serve.Dir, serve.Stdout, serve.Stderr = dir, log, log
	start := time.Now()
	if err := serve.Start(); err != nil {
		return nil, err
	}
	defer stopProc(serve)
	select {
	case <-h.verified:
	case <-time.After(3 * time.Minute):
		return nil, fmt.Errorf("talkstream serve never subscribed at the hub")
	}
	res := &pushResult{subscribe: time.Since(start)}
	feedJSON := "http://" + addr + "/feed.json"
	// serve's first publish gives every stream a new version (the hub is
	// new) before the pushed source's first entry shows; only the pushes
	// after it are timed.
	if err := waitFor(feedJSON, "Pushed talk 0", 10*time.Minute); err != nil {
		return nil, err
	}
	res.firstShown = time.Since(start)
	time.Sleep(time.Second) // the first fetch's pings
	const topic = "https://bench.example.org/feed.json"
	_, polls0 := h.count(topic)
	for r := range max(o.runs, 5) {
		title := fmt.Sprintf("Pushed talk %d", r+1)
		h.mu.Lock()
		h.entries = append(h.entries, title)
		h.mu.Unlock()
		before, _ := h.count(topic)
		t0 := time.Now()
		post, err := h.distribute()
		if err != nil {
			return nil, err
		}
		if err := waitFor(feedJSON, title, 30*time.Second); err != nil {
			return nil, err
		}
		res.latency = append(res.latency, time.Since(t0))
		res.post = append(res.post, post)
		time.Sleep(500 * time.Millisecond) // pings go out after the Sync
		after, _ := h.count(topic)
		res.pings = append(res.pings, after-before)
	}
	_, polls1 := h.count(topic)
	res.polls = polls1 - polls0
	fmt.Fprintf(log, "push: subscribed in %s; latencies %v; POSTs %v; pings %v; polls %d\n", res.subscribe, res.latency, res.post, res.pings, res.polls)
	return res, nil
}

// waitFor polls u until its body contains s.
func waitFor(u, s string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(u)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if bytes.Contains(b, []byte(s)) {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not show %q within %s", u, s, limit)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
