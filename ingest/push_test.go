package ingest

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
)

// TestPush: a pushed body goes through the same ingest as a fetch (one
// merge, one state); the same body again, pushed or polled, merges
// nothing; and a source the hub pushes is polled at the relaxed interval.
func TestPush(t *testing.T) {
	body := fixture(t, "rss.xml")
	polls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		polls++
		w.Write(body)
	}))
	defer srv.Close()
	pushed := map[string]bool{}
	var found []string
	w := newWorld(t, []talkstream.Source{blog("b", srv.URL)}, fetch.Options{}, Options{
		Parser:        fetch.New(fetch.Options{}),
		Pushed:        func(id string) bool { return pushed[id] },
		PushedRefresh: 12 * time.Hour,
		Discovered:    func(id string, res *fetch.Result) { found = append(found, id) },
	})
	ctx := context.Background()
	tests := []struct {
		name      string
		push      []byte
		pushedNow bool
		kind      OutcomeKind
		merges    int
		next      time.Duration
	}{
		{"first push", body, false, OutcomeOK, 1, time.Hour},
		{"same body again", body, true, OutcomeUnchanged, 1, 12 * time.Hour},
		{"not a feed: recorded and backed off as a fetch error", []byte("<html><body>oops</body></html>"), true, OutcomeError, 1, 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pushed["b"] = tt.pushedNow
			o, err := w.in.Push(ctx, "b", tt.push, "application/rss+xml")
			if err != nil {
				t.Fatal(err)
			}
			if o.Kind != tt.kind || !o.Pushed || w.merger.Calls() != tt.merges {
				t.Errorf("outcome %s pushed %v, %d merges; want %s, %d", o.Kind, o.Pushed, w.merger.Calls(), tt.kind, tt.merges)
			}
			if st := w.state(t, "b"); st.NextCheck.Sub(w.clock.Now()) != tt.next {
				t.Errorf("next check in %s, want %s", st.NextCheck.Sub(w.clock.Now()), tt.next)
			}
		})
	}
	if polls != 0 {
		t.Errorf("a push fetched the feed %d times", polls)
	}
	// A poll after the push sees the body already merged.
	if out := w.run(t); out[0].Kind != OutcomeUnchanged {
		t.Errorf("poll after the push: %s", out[0].Kind)
	}
	if _, err := w.in.Push(ctx, "gone", body, ""); !errors.Is(err, ErrUnknownSource) {
		t.Errorf("push for an unknown source: %v", err)
	}
	if len(found) != 0 {
		t.Errorf("a feed without a hub was reported: %v", found)
	}
}
