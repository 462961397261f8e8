package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestServeSeesFetchBeside: a `talkstream fetch` run beside `serve` on the
// same SQLite database shows in what serve serves within a few seconds, not
// at serve's next tick or restart.
func TestServeSeesFetchBeside(t *testing.T) {
	var posts atomic.Int32
	posts.Store(1)
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Beside</title><link>https://beside.example/</link>`)
		for i := range posts.Load() {
			fmt.Fprintf(w, `<item><title>Beside post number %d about MirageOS</title><link>https://beside.example/%d</link><guid>https://beside.example/%d</guid><pubDate>Mon, 0%d Jun 2026 10:00:00 GMT</pubDate></item>`, i+1, i+1, i+1, i+1)
		}
		fmt.Fprint(w, `</channel></rss>`)
	}))
	defer feed.Close()
	cfgPath, _ := demoWorld(t, "\n  - id: beside\n    kind: blog\n    url: "+feed.URL+"/feed.rss\n")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := serveInProcess(t, cfgPath, ln, func(a *app) {
		a.tick = time.Hour // only the first tick, at the start, fetches
	})
	feedJSON := func() string {
		resp, err := http.Get("http://" + ln.Addr().String() + "/feed.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !strings.Contains(feedJSON(), what) {
			if time.Now().After(deadline) {
				t.Fatalf("serve does not show %q after 15 s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("Beside post number 1")

	posts.Store(2)
	if code, out, errs := cli(t, "fetch", "-config", cfgPath, "-source", "beside"); code != 0 {
		t.Fatalf("fetch beside serve: %d\n%s%s", code, out, errs)
	}
	waitFor("Beside post number 2")

	if err := stop(); err != nil {
		t.Errorf("serve returned %v", err)
	}
}

// TestServeMovesUpcomingTalk: when an upcoming talk's start comes, serve
// moves it into the main stream within a few seconds, though no tick
// fetched anything.
func TestServeMovesUpcomingTalk(t *testing.T) {
	dir, _ := upcomingWorld(t)
	var now atomic.Value
	now.Store(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC))
	saved := clock
	clock = func() time.Time { return now.Load().(time.Time) }
	t.Cleanup(func() { clock = saved })

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveInProcess(t, filepath.Join(dir, "feeds.yaml"), ln, func(a *app) {
		a.tick = time.Hour // only the first tick, at the start, fetches
	})
	const title = "MirageOS 5: unikernels, reproducibly"
	waitFor := func(path string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			resp, err := http.Get("http://" + ln.Addr().String() + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), title) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s lacks the talk after 15 s", path)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("/upcoming/feed.json")
	now.Store(time.Date(2027, 2, 6, 12, 0, 0, 0, time.UTC)) // past its start
	waitFor("/feed.json")
}
