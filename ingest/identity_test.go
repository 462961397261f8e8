package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/store"
)

// TestSharedLink: a feed whose stories share one identity — every episode
// linking to the show's one page without a guid, notices under a guid that
// never changes — keeps each story as its own entry and its own item,
// through the fetches where such siblings arrive, repeat and leave. Before,
// the first entry with an id won and the others vanished (a real feed of
// 15 stories on one page was stored as 1).
func TestSharedLink(t *testing.T) {
	var round atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(fixture(t, []string{"shared-link-1.xml", "shared-link-2.xml", "shared-link-3.xml"}[round.Load()]))
	}))
	defer srv.Close()

	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srcs := []talkstream.Source{blog("radio", srv.URL)}
	clk := &clock{t: t0}
	in := New(st, fetch.New(fetch.Options{}), merge.New(merge.Options{Sources: srcs}), srcs,
		Options{Now: clk.Now, Rand: func() float64 { return 0.5 }})

	// fetch runs one cycle and returns its outcome and every stored item's
	// title with its entries' titles and summaries.
	fetch := func(t *testing.T) (Outcome, map[string][]talkstream.Entry) {
		t.Helper()
		var out Outcome
		if _, err := in.Run(context.Background(), srcs, func(o Outcome) { out = o }); err != nil {
			t.Fatal(err)
		}
		if out.Kind != OutcomeOK {
			t.Fatalf("outcome %s: %v", out.Kind, out.Err)
		}
		items, err := st.Items(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]talkstream.Entry{}
		for _, it := range items {
			for _, ie := range it.Entries {
				got[it.Title] = append(got[it.Title], ie.Entry)
			}
		}
		return out, got
	}
	titles := func(items map[string][]talkstream.Entry) []string {
		var out []string
		for title, es := range items {
			if len(es) != 1 {
				t.Errorf("item %q has %d entries, want 1: stories sharing a link were joined", title, len(es))
			}
			out = append(out, title)
		}
		sort.Strings(out)
		return out
	}
	same := func(t *testing.T, got, want []string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("items %q, want %q", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("items %q, want %q", got, want)
			}
		}
	}

	t.Run("one episode on the page", func(t *testing.T) {
		out, items := fetch(t)
		same(t, titles(items), []string{"Episode 1: booting in 10 ms", "Studio news"})
		if out.Stats.New != 2 {
			t.Errorf("stats %v", out.Stats)
		}
	})
	t.Run("siblings arrive, one repeated word for word", func(t *testing.T) {
		round.Store(1)
		clk.Add(7 * 24 * time.Hour)
		out, items := fetch(t)
		same(t, titles(items), []string{
			"Episode 1: booting in 10 ms", "Episode 2: networking", "Episode 3: TLS without C",
			"New studio microphones", "Schedule change in June", "Studio news",
		})
		// Episode 1 keeps the identity it was stored under: it is
		// unchanged, not overwritten by a sibling nor stored twice.
		if out.Stats.New != 4 || out.Stats.Updated != 0 || out.Stats.Unchanged != 2 {
			t.Errorf("stats %v, want 4 new and 2 unchanged", out.Stats)
		}
	})
	t.Run("one sibling left, edited", func(t *testing.T) {
		round.Store(2)
		clk.Add(7 * 24 * time.Hour)
		out, items := fetch(t)
		if out.Stats.New != 0 || out.Stats.Updated != 1 {
			t.Errorf("stats %v, want the episode updated in place", out.Stats)
		}
		same(t, titles(items), []string{
			"Episode 1: booting in 10 ms", "Episode 2: networking", "Episode 3: TLS without C",
			"New studio microphones", "Schedule change in June", "Studio news",
		})
		if es := items["Episode 3: TLS without C"]; len(es) != 1 || es[0].Summary != "A pure TLS stack, now with show notes." {
			t.Errorf("episode 3 %+v", es)
		}
		if es := items["Episode 1: booting in 10 ms"]; len(es) != 1 || es[0].Summary != "Cold starts." {
			t.Errorf("episode 1 was overwritten: %+v", es)
		}
	})
}
