package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/store"
)

// TestRetention: with a retention, a fetch admits no entry older than it,
// and the scheduler's maintenance job prunes what has aged past it, curated
// history excepted, then asks for a re-render. Without one, nothing is
// dropped.
func TestRetention(t *testing.T) {
	day := func(y int, m time.Month, d int) string {
		return time.Date(y, m, d, 10, 0, 0, 0, time.UTC).Format(time.RFC1123Z)
	}
	feed := rss("", "r",
		rssItem{guid: "old", link: "https://r.example/old", title: "From 2015", date: day(2015, 1, 1)},
		rssItem{guid: "recent", link: "https://r.example/recent", title: "From last month", date: day(2024, 4, 1)},
		rssItem{guid: "undated", link: "https://r.example/undated", title: "No date"},
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(feed)) }))
	defer srv.Close()
	dir := t.TempDir()
	curated := filepath.Join(dir, "talks.yaml")
	if err := os.WriteFile(curated, []byte("entries:\n  - {id: first, title: The first talk, date: 2013-11-11, links: [{role: slides, url: \"https://history.example/2013\"}]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	srcs := []talkstream.Source{blog("r", srv.URL), {ID: "hist", Kind: talkstream.SourceCurated, Path: curated, Refresh: time.Hour}}

	links := func(t *testing.T, st *store.Store) []string {
		t.Helper()
		items, err := st.Items(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			for _, ie := range it.Entries {
				out = append(out, ie.Entry.Link)
			}
		}
		slices.Sort(out)
		return out
	}
	open := func(t *testing.T) *store.Store {
		st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	newIngester := func(st *store.Store, clk *clock, retention time.Duration) *Ingester {
		return New(st, fetch.New(fetch.Options{}), merge.New(merge.Options{Sources: srcs}), srcs,
			Options{Now: clk.Now, Rand: func() float64 { return 0.5 }, Retention: retention})
	}

	t.Run("none: nothing dropped", func(t *testing.T) {
		st := open(t)
		clk := &clock{t: t0}
		in := newIngester(st, clk, 0)
		if _, err := in.Run(context.Background(), srcs, nil); err != nil {
			t.Fatal(err)
		}
		clk.Add(20 * 365 * 24 * time.Hour)
		if p, err := in.Prune(context.Background()); err != nil || p.Items != 0 {
			t.Fatalf("prune without a retention: %+v, %v", p, err)
		}
		want := []string{"https://history.example/2013", "https://r.example/old", "https://r.example/recent", "https://r.example/undated"}
		if got := links(t, st); !slices.Equal(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
	})

	t.Run("730d", func(t *testing.T) {
		st := open(t)
		clk := &clock{t: t0}
		in := newIngester(st, clk, 730*24*time.Hour)
		if _, err := in.Run(context.Background(), srcs, nil); err != nil {
			t.Fatal(err)
		}
		// The 2015 entry was never admitted; the curated one was.
		want := []string{"https://history.example/2013", "https://r.example/recent", "https://r.example/undated"}
		if got := links(t, st); !slices.Equal(got, want) {
			t.Errorf("stored %v, want %v", got, want)
		}
		// Three years later the maintenance job prunes what aged, at once.
		clk.Add(3 * 365 * 24 * time.Hour)
		rendered := make(chan struct{}, 4)
		sched, err := in.Schedule(time.Hour, func(Summary) { rendered <- struct{}{} })
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.After(20 * time.Second)
		for {
			select {
			case <-rendered:
			case <-deadline:
				t.Fatal("the maintenance job did not run")
			}
			if got := links(t, st); slices.Equal(got, []string{"https://history.example/2013"}) {
				break
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sched.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		if err := st.IntegrityCheck(context.Background()); err != nil {
			t.Error(err)
		}
	})
}
