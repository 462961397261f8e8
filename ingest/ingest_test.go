package ingest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/store"
)

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeMerger records what would have been merged.
type fakeMerger struct {
	mu      sync.Mutex
	calls   int
	entries []talkstream.Entry
}

func (m *fakeMerger) Apply(_ merge.Tx, _ talkstream.Source, entries []talkstream.Entry, _ time.Time) (merge.Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls++
	m.entries = append(m.entries, entries...)
	return merge.Stats{New: len(entries)}, nil
}

func (m *fakeMerger) Calls() int { m.mu.Lock(); defer m.mu.Unlock(); return m.calls }

type world struct {
	st     *store.Store
	clock  *clock
	merger *fakeMerger
	in     *Ingester
}

// newWorld opens a temporary store and an Ingester over srcs; jitter is
// pinned to none.
func newWorld(t testing.TB, srcs []talkstream.Source, fopts fetch.Options, opts Options) *world {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := &world{st: st, clock: &clock{t: t0}, merger: &fakeMerger{}}
	opts.Now = w.clock.Now
	if opts.Rand == nil {
		opts.Rand = func() float64 { return 0.5 }
	}
	w.in = New(st, fetch.New(fopts), w.merger, srcs, opts)
	return w
}

func (w *world) run(t *testing.T) []Outcome {
	t.Helper()
	srcs, err := w.in.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []Outcome
	if _, err := w.in.Run(context.Background(), srcs, func(o Outcome) { out = append(out, o) }); err != nil {
		t.Fatal(err)
	}
	return out
}

func (w *world) state(t *testing.T, id string) talkstream.FetchState {
	t.Helper()
	srcs, err := w.in.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.ID == id {
			return s.State
		}
	}
	t.Fatalf("no source %s", id)
	return talkstream.FetchState{}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func blog(id, url string) talkstream.Source {
	return talkstream.Source{ID: id, Kind: talkstream.SourceBlog, URL: url, Refresh: time.Hour}
}

// TestConditional: the second fetch sends both validators and a 304 parses
// and merges nothing; a server that ignores them but sends the same body
// re-merges nothing either.
func TestConditional(t *testing.T) {
	body := fixture(t, "rss.xml")
	var inm, ims atomic.Int32
	honour := atomic.Bool{}
	honour.Store(true)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			inm.Add(1)
		}
		if r.Header.Get("If-Modified-Since") == "Wed, 01 May 2024 10:00:00 GMT" {
			ims.Add(1)
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Wed, 01 May 2024 10:00:00 GMT")
		if honour.Load() && r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	w := newWorld(t, []talkstream.Source{blog("b", srv.URL)}, fetch.Options{}, Options{})

	steps := []struct {
		name   string
		honour bool
		kind   OutcomeKind
		status int
		calls  int // merges so far
	}{
		{"first", true, OutcomeOK, 200, 1},
		{"304", true, OutcomeNotModified, 304, 1},
		{"200 same body", false, OutcomeUnchanged, 200, 1},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			honour.Store(s.honour)
			w.clock.Add(2 * time.Hour)
			out := w.run(t)
			if len(out) != 1 || out[0].Kind != s.kind || out[0].Status != s.status {
				t.Fatalf("outcomes %+v, want %s %d", out, s.kind, s.status)
			}
			if got := w.merger.Calls(); got != s.calls {
				t.Errorf("%d merges, want %d", got, s.calls)
			}
			st := w.state(t, "b")
			if st.ETag != `"v1"` || st.Entries != 3 || st.Errors != 0 || st.LastStatus != s.status {
				t.Errorf("state %+v", st)
			}
			if want := w.clock.Now().Add(time.Hour); !st.NextCheck.Equal(want) {
				t.Errorf("next check %v, want %v", st.NextCheck, want)
			}
		})
	}
	if inm.Load() != 2 || ims.Load() != 2 {
		t.Errorf("conditional headers sent %d/%d times, want 2/2", inm.Load(), ims.Load())
	}
}

// TestRedirects: after a 301 or 308 the new URL is stored, shown and
// fetched from then on; after a 302 or 307 the configured URL stays.
func TestRedirects(t *testing.T) {
	body := fixture(t, "rss.xml")
	for _, tt := range []struct {
		code  int
		moved bool
	}{{301, true}, {308, true}, {302, false}, {307, false}} {
		t.Run(http.StatusText(tt.code), func(t *testing.T) {
			var old, nu atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
				old.Add(1)
				http.Redirect(w, r, "/new", tt.code)
			})
			mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
				nu.Add(1)
				w.Write(body)
			})
			srv := httptest.NewServer(mux)
			defer srv.Close()
			w := newWorld(t, []talkstream.Source{blog("b", srv.URL+"/old")}, fetch.Options{}, Options{})

			out := w.run(t)
			wantMoved := ""
			if tt.moved {
				wantMoved = srv.URL + "/new"
			}
			if out[0].Kind != OutcomeOK || out[0].MovedTo != wantMoved {
				t.Fatalf("first fetch %+v, want moved to %q", out[0], wantMoved)
			}
			if tt.moved && !strings.Contains(out[0].String(), "moved permanently to "+wantMoved) {
				t.Errorf("the fetch line does not say where it moved: %s", out[0])
			}
			w.run(t)
			wantOld := int32(2)
			if tt.moved {
				wantOld = 1
			}
			if old.Load() != wantOld || nu.Load() != 2 {
				t.Errorf("requests: /old %d, /new %d; want %d, 2", old.Load(), nu.Load(), wantOld)
			}
			st, err := w.in.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			s := st.Sources[0]
			if s.MovedTo != wantMoved || s.URL != srv.URL+"/old" {
				t.Errorf("status moved_to %q url %q", s.MovedTo, s.URL)
			}
			if tt.moved && s.FetchURL != wantMoved || !tt.moved && s.FetchURL != s.URL {
				t.Errorf("status fetch_url %q", s.FetchURL)
			}
		})
	}
}

// TestGone: a 410 stops polling until the source's configuration changes.
func TestGone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/fixed" {
			w.Write(fixture(t, "rss.xml"))
			return
		}
		http.Error(w, "gone", http.StatusGone)
	}))
	defer srv.Close()
	src := blog("b", srv.URL+"/feed")
	w := newWorld(t, []talkstream.Source{src}, fetch.Options{}, Options{})
	ctx := context.Background()

	sum, err := w.in.Tick(ctx, nil, nil)
	if err != nil || sum.Failed != 1 {
		t.Fatalf("tick %+v %v", sum, err)
	}
	st := w.state(t, "b")
	if !st.Gone || st.LastStatus != 410 || !st.NextCheck.IsZero() || !strings.Contains(st.LastError, "gone") {
		t.Fatalf("state after 410: %+v", st)
	}
	w.clock.Add(30 * 24 * time.Hour)
	if due, _ := w.in.Due(ctx, w.clock.Now()); len(due) != 0 {
		t.Errorf("a gone source is due: %v", due)
	}
	if sum, _ := w.in.Tick(ctx, nil, nil); sum.Due != 0 {
		t.Errorf("a tick claimed a gone source: %+v", sum)
	}
	status, _ := w.in.Status(ctx)
	if s := status.Sources[0]; !s.Gone || s.State != "gone" || s.NextCheck != nil {
		t.Errorf("status %+v", s)
	}

	// The operator fixes the URL: the source is due at once.
	src.URL = srv.URL + "/fixed"
	w.in = New(w.st, fetch.New(fetch.Options{}), w.merger, []talkstream.Source{src}, w.in.opts)
	sum, err = w.in.Tick(ctx, nil, nil)
	if err != nil || sum.OK != 1 {
		t.Fatalf("tick after the config changed: %+v %v", sum, err)
	}
	if st := w.state(t, "b"); st.Gone || st.Errors != 0 {
		t.Errorf("state %+v", st)
	}
}

// TestErrors: every failure is a per-source error with a clear message,
// retried later with backoff, Retry-After honoured.
func TestErrors(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	mux := http.NewServeMux()
	mux.HandleFunc("/429", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10800")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	mux.HandleFunc("/503", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "later", http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", 500) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(fixture(t, "rss.xml")) })
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write(fixture(t, "page.html"))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		path    string
		wantMsg string
		wantIs  error
		// next check after the first error: refresh (1h) × 2, or Retry-After
		wantNext time.Duration
	}{
		{"/429", "429 Too Many Requests", fetch.ErrHTTPStatus, 3 * time.Hour},
		{"/503", "503 Service Unavailable", fetch.ErrHTTPStatus, 2 * time.Hour},
		{"/500", "500 Internal Server Error", fetch.ErrHTTPStatus, 2 * time.Hour},
		{"/big", "too large", fetch.ErrTooLarge, 2 * time.Hour},
		// The page's advertised feed is followed, and is not there.
		{"/html", "the page " + srv.URL + "/html advertises this feed: unexpected http status 404", fetch.ErrHTTPStatus, 2 * time.Hour},
		{"/empty", "empty body", fetch.ErrNotFeed, 2 * time.Hour},
		{"/hang", "deadline exceeded", context.DeadlineExceeded, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			w := newWorld(t, []talkstream.Source{blog("s", srv.URL+tt.path)},
				fetch.Options{MaxBytes: 1000, Timeout: 200 * time.Millisecond}, Options{})
			out := w.run(t)
			o := out[0]
			if o.Kind != OutcomeError || !errors.Is(o.Err, tt.wantIs) || !strings.Contains(o.Err.Error(), tt.wantMsg) {
				t.Fatalf("outcome %s %v, want an error containing %q", o.Kind, o.Err, tt.wantMsg)
			}
			st := w.state(t, "s")
			if st.Errors != 1 || !strings.Contains(st.LastError, tt.wantMsg) || st.Gone {
				t.Errorf("state %+v", st)
			}
			if want := t0.Add(tt.wantNext); !st.NextCheck.Equal(want) {
				t.Errorf("next check in %v, want %v", st.NextCheck.Sub(t0), tt.wantNext)
			}
			if w.merger.Calls() != 0 {
				t.Error("an error merged something")
			}
		})
	}

	t.Run("Retry-After beyond the backoff", func(t *testing.T) {
		w := newWorld(t, []talkstream.Source{{ID: "s", Kind: talkstream.SourceBlog, URL: srv.URL + "/429", Refresh: 30 * time.Minute}},
			fetch.Options{}, Options{Rand: func() float64 { return 0 }}) // jitter at its lowest
		w.run(t)
		// backoff 1h, Retry-After 3h; jitter may not bring it under 3h
		if st := w.state(t, "s"); !st.NextCheck.Equal(t0.Add(3 * time.Hour)) {
			t.Errorf("next check in %v, want 3h", st.NextCheck.Sub(t0))
		}
	})

	t.Run("backoff grows and is capped", func(t *testing.T) {
		w := newWorld(t, []talkstream.Source{blog("s", srv.URL+"/500")}, fetch.Options{}, Options{})
		var waits []time.Duration
		for range 7 {
			w.run(t)
			st := w.state(t, "s")
			waits = append(waits, st.NextCheck.Sub(w.clock.Now()))
			w.clock.Add(st.NextCheck.Sub(w.clock.Now()))
		}
		want := []time.Duration{2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour}
		for i := range want {
			if waits[i] != want[i] {
				t.Errorf("waits %v, want %v", waits, want)
				break
			}
		}
		if st := w.state(t, "s"); st.Errors != 7 || st.Gone {
			t.Errorf("state %+v", st)
		}
	})
}

// TestCharsets: Latin-1 with and without an XML prolog reaches merge as
// correct UTF-8.
func TestCharsets(t *testing.T) {
	for _, tt := range []struct{ fixture, contentType string }{
		{"latin1-prolog.xml", "application/rss+xml"},
		{"latin1-noprolog.xml", "application/rss+xml"},
		{"latin1-noprolog.xml", "text/xml; charset=ISO-8859-1"},
	} {
		t.Run(tt.fixture+" "+tt.contentType, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.Write(fixture(t, tt.fixture))
			}))
			defer srv.Close()
			w := newWorld(t, []talkstream.Source{blog("l", srv.URL)}, fetch.Options{}, Options{})
			if out := w.run(t); out[0].Kind != OutcomeOK {
				t.Fatalf("%+v", out[0])
			}
			if e := w.merger.entries; len(e) != 1 || e[0].Title != "Crème brûlée à Zürich" || e[0].Summary != "Ångström ± 5 °C" {
				t.Errorf("entries %+v", e)
			}
			if st := w.state(t, "l"); st.FeedTitle != "Café Unikernel" {
				t.Errorf("feed title %q", st.FeedTitle)
			}
		})
	}
}

// TestNextCheckHints: the refresh is raised to the feed's ttl and the
// server's freshness, never lowered, and jittered by at most 10 %.
func TestNextCheckHints(t *testing.T) {
	rss := func(extra string) []byte {
		return []byte(`<rss version="2.0"><channel><title>t</title>` + extra + `<item><title>a</title><link>https://example.org/a</link></item></channel></rss>`)
	}
	tests := []struct {
		name    string
		header  http.Header
		body    []byte
		refresh time.Duration
		rand    float64
		want    time.Duration
	}{
		{"refresh", nil, rss(""), time.Hour, 0.5, time.Hour},
		{"ttl raises", nil, rss("<ttl>180</ttl>"), time.Hour, 0.5, 3 * time.Hour},
		{"ttl never lowers", nil, rss("<ttl>5</ttl>"), time.Hour, 0.5, time.Hour},
		{"max-age raises", http.Header{"Cache-Control": {"max-age=7200"}}, rss(""), time.Hour, 0.5, 2 * time.Hour},
		{"expires raises", http.Header{"Expires": {t0.Add(3 * time.Hour).Format(http.TimeFormat)}, "Date": {t0.Format(http.TimeFormat)}}, rss(""), time.Hour, 0.5, 3 * time.Hour},
		{"hints capped at a day", http.Header{"Cache-Control": {"max-age=604800"}}, rss(""), time.Hour, 0.5, 24 * time.Hour},
		{"a longer refresh stays", nil, rss(""), 48 * time.Hour, 0.5, 48 * time.Hour},
		{"jitter up", nil, rss(""), time.Hour, 1, 66 * time.Minute},
		{"jitter down", nil, rss(""), time.Hour, 0, 54 * time.Minute},
		{"jitter never under a hint", nil, rss("<ttl>120</ttl>"), time.Hour, 0, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header()[k] = v
				}
				w.Write(tt.body)
			}))
			defer srv.Close()
			src := blog("h", srv.URL)
			src.Refresh = tt.refresh
			r := tt.rand
			w := newWorld(t, []talkstream.Source{src}, fetch.Options{}, Options{Rand: func() float64 { return r }})
			w.run(t)
			got := w.state(t, "h").NextCheck.Sub(t0)
			// rand 1 stands for "just under 1": allow a millisecond.
			if d := got - tt.want; d < -time.Millisecond || d > time.Millisecond {
				t.Errorf("next check in %v, want %v", got, tt.want)
			}
		})
	}
	t.Run("304 keeps the feed's ttl", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `"x"`)
			if r.Header.Get("If-None-Match") == `"x"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write(rss("<ttl>240</ttl>"))
		}))
		defer srv.Close()
		w := newWorld(t, []talkstream.Source{blog("h", srv.URL)}, fetch.Options{}, Options{})
		w.run(t)
		w.clock.Add(4 * time.Hour)
		if out := w.run(t); out[0].Kind != OutcomeNotModified {
			t.Fatalf("%+v", out[0])
		}
		if got := w.state(t, "h").NextCheck.Sub(w.clock.Now()); got != 4*time.Hour {
			t.Errorf("next check in %v after a 304, want the ttl's 4h", got)
		}
	})
}

func TestBackoff(t *testing.T) {
	tests := []struct {
		interval time.Duration
		n        int
		want     time.Duration
	}{
		{time.Hour, 0, time.Hour},
		{time.Hour, 1, 2 * time.Hour},
		{time.Hour, 3, 8 * time.Hour},
		{time.Hour, 5, 24 * time.Hour},
		{time.Hour, 1000, 24 * time.Hour},
		{30 * time.Minute, 2, 2 * time.Hour},
		{48 * time.Hour, 3, 48 * time.Hour},
	}
	for _, tt := range tests {
		if got := Backoff(tt.interval, tt.n); got != tt.want {
			t.Errorf("Backoff(%v, %d) = %v, want %v", tt.interval, tt.n, got, tt.want)
		}
	}
}

// TestLimits: at most Concurrency fetches at once, and at most PerHost to
// one host, whatever the order of the sources.
func TestLimits(t *testing.T) {
	type gauge struct {
		mu       sync.Mutex
		now, max int
	}
	enter := func(g *gauge) {
		g.mu.Lock()
		g.now++
		g.max = max(g.max, g.now)
		g.mu.Unlock()
	}
	leave := func(g *gauge) { g.mu.Lock(); g.now--; g.mu.Unlock() }
	body := fixture(t, "rss.xml")
	for _, tt := range []struct{ concurrency, perHost int }{{4, 1}, {4, 2}, {2, 3}} {
		t.Run("", func(t *testing.T) {
			var total gauge
			var srcs []talkstream.Source
			var hosts []*gauge
			for h := range 3 {
				g := &gauge{}
				hosts = append(hosts, g)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					enter(g)
					enter(&total)
					time.Sleep(20 * time.Millisecond)
					leave(&total)
					leave(g)
					w.Write(body)
				}))
				defer srv.Close()
				for i := range 4 {
					srcs = append(srcs, blog(string(rune('a'+h))+string(rune('0'+i)), srv.URL+"/"+string(rune('0'+i))))
				}
			}
			w := newWorld(t, srcs, fetch.Options{}, Options{Concurrency: tt.concurrency, PerHost: tt.perHost})
			if out := w.run(t); len(out) != len(srcs) {
				t.Fatalf("%d outcomes for %d sources", len(out), len(srcs))
			}
			if total.max > tt.concurrency {
				t.Errorf("%d fetches at once, limit %d", total.max, tt.concurrency)
			}
			for i, g := range hosts {
				if g.max > tt.perHost {
					t.Errorf("host %d: %d requests at once, limit %d", i, g.max, tt.perHost)
				}
			}
		})
	}
}

// TestTick: a tick fetches what is due and claims it, so a second
// scheduler on the same database does not fetch it again.
func TestTick(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(fixture(t, "rss.xml"))
	}))
	defer srv.Close()
	srcs := []talkstream.Source{blog("a", srv.URL+"/a"), blog("b", srv.URL+"/b")}
	srcs[1].Refresh = 3 * time.Hour
	w := newWorld(t, srcs, fetch.Options{}, Options{})
	ctx := context.Background()

	steps := []struct {
		name      string
		advance   time.Duration
		due, hits int
	}{
		{"everything is due at first", 0, 2, 2},
		{"nothing is due yet", 30 * time.Minute, 0, 2},
		{"a is due after its hour", 31 * time.Minute, 1, 3},
		{"both after three hours", 2 * time.Hour, 2, 5},
	}
	for _, s := range steps {
		w.clock.Add(s.advance)
		sum, err := w.in.Tick(ctx, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Due != s.due || sum.Claimed != s.due || int(hits.Load()) != s.hits {
			t.Errorf("%s: %+v, %d requests; want %d due, %d requests", s.name, sum, hits.Load(), s.due, s.hits)
		}
	}

	// A second scheduler that read the same snapshot gets no claim.
	w.clock.Add(5 * time.Hour)
	cands, _ := w.in.load(ctx)
	other := New(w.st, fetch.New(fetch.Options{}), w.merger, srcs, w.in.opts)
	if sum, err := other.Tick(ctx, nil, nil); err != nil || sum.Claimed != 2 {
		t.Fatalf("other tick %+v %v", sum, err)
	}
	var claims []store.Claim
	for _, c := range cands {
		claims = append(claims, store.Claim{ID: c.src.ID, Seen: c.stored})
	}
	if ids, err := w.st.ClaimSources(ctx, claims, w.clock.Now().Add(time.Minute)); err != nil || len(ids) != 0 {
		t.Errorf("stale snapshot claimed %v (%v)", ids, err)
	}
}

// TestShutdown: stopping the scheduler mid-fetch cancels a fetch that
// would not end and writes nothing for it.
func TestShutdown(t *testing.T) {
	started := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	}))
	defer srv.Close()
	w := newWorld(t, []talkstream.Source{blog("slow", srv.URL)}, fetch.Options{Timeout: time.Minute}, Options{})
	sched, err := w.in.Schedule(time.Hour, func(Summary) { t.Error("rendered after a shutdown") })
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the first tick did not start")
	}
	ctx, cancel := context.WithTimeout(context.Background(), unwind+500*time.Millisecond)
	defer cancel()
	if err := sched.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	st := w.state(t, "slow")
	if !st.LastFetch.IsZero() || st.Errors != 0 || st.LastError != "" {
		t.Errorf("a cancelled fetch wrote its state: %+v", st)
	}
	if !st.NextCheck.Equal(t0) {
		t.Errorf("the claim was not given back: next check %v, want %v", st.NextCheck, t0)
	}
	if err := w.st.IntegrityCheck(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestMetrics(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			http.Error(w, "gone", http.StatusGone)
		case "/broken":
			http.Error(w, "oops", 500)
		default:
			w.Header().Set("ETag", `"e"`)
			if r.Header.Get("If-None-Match") == `"e"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write(fixture(t, "rss.xml"))
		}
	}))
	defer srv.Close()
	w := newWorld(t, []talkstream.Source{blog("ok", srv.URL+"/ok"), blog("gone", srv.URL+"/gone"), blog("broken", srv.URL+"/broken")},
		fetch.Options{}, Options{})
	ctx := context.Background()
	w.in.Tick(ctx, nil, nil)
	w.clock.Add(90 * time.Minute)
	w.in.Tick(ctx, nil, nil) // ok: 304; broken backs off to 2h; gone stays gone

	rec := httptest.NewRecorder()
	w.in.Metrics().Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`talkstream_fetches_total{outcome="ok"} 1`,
		`talkstream_fetches_total{outcome="not-modified"} 1`,
		`talkstream_fetches_total{outcome="unchanged"} 0`,
		`talkstream_fetches_total{outcome="error"} 1`,
		`talkstream_fetches_total{outcome="gone"} 1`,
		`talkstream_fetch_duration_seconds_count 4`,
		`talkstream_fetch_bytes_total `,
		`talkstream_entries_total{change="new"} 3`,
		`talkstream_entries_total{change="updated"} 0`,
		`talkstream_sources_due 1`,
		`talkstream_scheduler_lag_seconds 1800`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(body)
	}
}

func TestStatusPages(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body><script>alert(1)</script></body></html>")
	}))
	defer srv.Close()
	srcs := []talkstream.Source{blog("html", srv.URL+"/?a=<b>"), blog("never", srv.URL+"/never")}
	w := newWorld(t, srcs[:1], fetch.Options{}, Options{})
	w.run(t)
	w.in.sources = srcs

	rec := httptest.NewRecorder()
	w.in.StatusJSON().ServeHTTP(rec, httptest.NewRequest("GET", "/status.json", nil))
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	for _, want := range []string{`"id": "html"`, `"state": "error"`, `"http_status": 200`, `"consecutive_errors": 1`,
		`"last_error": "parse `, `"next_check": "2024-05-01T14:00:00Z"`, `"moved_to": ""`, `"gone": false`,
		`"id": "never"`, `"state": "never"`, `"last_fetch": null`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("status.json lacks %s:\n%s", want, rec.Body)
		}
	}

	rec = httptest.NewRecorder()
	w.in.StatusHTML().ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	page := rec.Body.String()
	if strings.Contains(page, "<b>") || !strings.Contains(page, "a=&lt;b&gt;") {
		t.Errorf("the status page does not escape the URL:\n%s", page)
	}
	if strings.Contains(page, "<script") || strings.Contains(page, "src=") || strings.Contains(page, "href=\"http") {
		t.Errorf("the status page has a script or an external asset:\n%s", page)
	}
	if !strings.Contains(page, "HTML page") || !strings.Contains(page, "2024-05-01 14:00:00Z") {
		t.Errorf("the status page lacks the error or the next check:\n%s", page)
	}
}

// TestTickStopped: sources claimed by a tick that a shutdown stops before
// they start are given back, due at once.
func TestTickStopped(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	w := newWorld(t, []talkstream.Source{blog("a", srv.URL+"/a"), blog("b", srv.URL+"/b")}, fetch.Options{}, Options{})
	stop := make(chan struct{})
	close(stop)
	sum, err := w.in.Tick(context.Background(), stop, nil)
	if err != nil || sum.Claimed != 2 || sum.Done != 0 || hits.Load() != 0 {
		t.Fatalf("tick %+v %v, %d requests", sum, err, hits.Load())
	}
	for _, id := range []string{"a", "b"} {
		if st := w.state(t, id); !st.NextCheck.Equal(t0) || !st.LastFetch.IsZero() {
			t.Errorf("%s: %+v", id, st)
		}
	}
}

// TestStatusStoreDown: when the store cannot be read, the public status
// pages answer 503 without the error, which names the database.
func TestStatusStoreDown(t *testing.T) {
	w := newWorld(t, []talkstream.Source{blog("a", "http://127.0.0.1:1/feed")}, fetch.Options{}, Options{})
	w.st.Close()
	for path, h := range map[string]http.Handler{"/status.json": w.in.StatusJSON(), "/status": w.in.StatusHTML()} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Code != http.StatusServiceUnavailable || strings.Contains(rec.Body.String(), "sql") || strings.Contains(rec.Body.String(), "store:") {
			t.Errorf("%s: %d %q, want 503 without the store's error", path, rec.Code, rec.Body)
		}
	}
}
