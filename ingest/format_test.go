package ingest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
)

// The format a source was read as, and the feed its page advertised, are
// kept in its state and shown by /status and /status.json; the followed
// feed is fetched directly the next time.
func TestFormatAndFollowedStatus(t *testing.T) {
	var pageHits atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		pageHits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>posts are in the feed</body></html>`))
	})
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(fixture(t, "rss.xml"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	w := newWorld(t, []talkstream.Source{blog("site", srv.URL+"/")}, fetch.Options{}, Options{})
	w.run(t)

	st := w.state(t, "site")
	if st.Format != fetch.FormatRSS || st.Followed != srv.URL+"/feed.xml" || st.LastError != "" {
		t.Fatalf("state format %q followed %q error %q", st.Format, st.Followed, st.LastError)
	}
	rec := httptest.NewRecorder()
	w.in.StatusJSON().ServeHTTP(rec, httptest.NewRequest("GET", "/status.json", nil))
	for _, want := range []string{`"format": "rss"`, `"followed": "` + srv.URL + `/feed.xml"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("status.json lacks %s:\n%s", want, rec.Body)
		}
	}
	rec = httptest.NewRecorder()
	w.in.StatusHTML().ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	if !strings.Contains(rec.Body.String(), "via the feed it advertises") {
		t.Errorf("the status page does not say which feed it followed:\n%s", rec.Body)
	}

	w.clock.Add(48 * time.Hour)
	w.run(t)
	if n := pageHits.Load(); n != 1 {
		t.Errorf("the page was fetched %d times; the second fetch should go to the feed", n)
	}
}
