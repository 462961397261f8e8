package main

// bigWorld: many generated RSS sources on loopback, large enough that a
// fetch writes for a few seconds, for the crash and load tests. Its content
// moves on with each generation: every source gains entries and edits some,
// so that every fetch has writing to do. Pairs of sources cross-post some
// talks (the same link), so merges fold items across sources too.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

type bigWorld struct {
	srv              *httptest.Server
	sources, entries int          // entries per source at generation 0
	gen              atomic.Int64 // the generation served now

	// What the instances test watches: requests per source, requests
	// being answered now and their most at once, and a delay before
	// each answer (nanoseconds) so that fetches overlap.
	requests    []atomic.Int64
	inflight    atomic.Int64
	maxInflight atomic.Int64
	delay       atomic.Int64
}

// bigWorldNew grows by newPerGen entries per source each generation.
const newPerGen = 3

func newBigWorld(t testing.TB, sources, entries int) *bigWorld {
	t.Helper()
	w := startBigWorld(sources, entries)
	t.Cleanup(w.srv.Close)
	return w
}

// startBigWorld serves the world until w.srv is closed.
func startBigWorld(sources, entries int) *bigWorld {
	w := &bigWorld{sources: sources, entries: entries, requests: make([]atomic.Int64, sources)}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		s, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/s"), ".rss"))
		if err != nil || s < 0 || s >= w.sources {
			http.NotFound(rw, r)
			return
		}
		w.requests[s].Add(1)
		n := w.inflight.Add(1)
		defer w.inflight.Add(-1)
		for m := w.maxInflight.Load(); n > m && !w.maxInflight.CompareAndSwap(m, n); m = w.maxInflight.Load() {
		}
		time.Sleep(time.Duration(w.delay.Load()))
		rw.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		rw.Write(w.feed(s, int(w.gen.Load())))
	}))
	return w
}

// entriesAt is how many entries each source has at generation g.
func (w *bigWorld) entriesAt(g int) int { return w.entries + newPerGen*g }

var bigWorldEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// feed is source s at generation g: entry i is dated i hours after the
// epoch; every 10th is a cross-post shared with its pair (s^1); every 7th
// is edited in each generation.
func (w *bigWorld) feed(s, g int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Source %d</title><link>https://s%d.example/</link><description>generated</description>
`, s, s)
	n := w.entriesAt(g)
	for i := n - 1; i >= 0; i-- {
		link := fmt.Sprintf("https://s%d.example/talks/%d", s, i)
		if i%10 == 0 {
			link = fmt.Sprintf("https://shared.example/pair%d/talks/%d", s/2, i)
		}
		edit := ""
		if i%7 == 0 {
			edit = fmt.Sprintf(" (revision %d)", g)
		}
		fmt.Fprintf(&b, `<item><guid isPermaLink="false">s%d-e%d</guid><link>%s</link><title>Talk %d of source %d on unikernels</title>
<pubDate>%s</pubDate><author>speaker%d@example.org (Speaker %d)</author><category>talk</category>
<description><![CDATA[<p>Talk %d of source %d%s. %s</p>]]></description></item>
`, s, i, link, i, s, bigWorldEpoch.Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z), s%7, s%7,
			i, s, edit, strings.Repeat("Unikernels are specialised, single-address-space machine images. ", 8))
	}
	b.WriteString("</channel></rss>\n")
	return []byte(b.String())
}

// config writes feeds.yaml for the world into dir (with the database
// beside it) and returns its path.
func (w *bigWorld) config(t testing.TB, dir string) string {
	t.Helper()
	path, err := w.writeConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func (w *bigWorld) writeConfig(dir string) (string, error) {
	var b strings.Builder
	b.WriteString("title: big world\nbase_url: http://127.0.0.1:8080/\ndatabase: big.db\nrefresh: 1h\nfetch: {concurrency: 4, per_host: 4}\nsources:\n")
	for s := range w.sources {
		fmt.Fprintf(&b, "  - {id: s%d, kind: blog, url: %q}\n", s, fmt.Sprintf("%s/s%d.rss", w.srv.URL, s))
	}
	path := filepath.Join(dir, "feeds.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}
