package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
)

// TestWarningStatus: a feed whose items were hidden by an element left
// open is read after repair and shown as a warning with its reason in the
// status (JSON and HTML) and the fetch line, not as a plain ok; a clean
// fetch of a clean feed clears it. Issue 11.
func TestWarningStatus(t *testing.T) {
	body := fixture(t, "unclosed-category.xml")
	clean := fixture(t, "rss.xml")
	serve := &body
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(*serve)
	}))
	defer srv.Close()
	w := newWorld(t, []talkstream.Source{blog("podcast", srv.URL+"/feed.xml")}, fetch.Options{}, Options{})

	out := w.run(t)
	if len(out) != 1 || out[0].Kind != OutcomeOK {
		t.Fatalf("outcomes %+v", out)
	}
	line := out[0].String()
	if !strings.HasPrefix(line, "WARN podcast") || !strings.Contains(line, "warning: malformed feed: an element left open hid 2 of 2 items") {
		t.Errorf("fetch line %q", line)
	}
	if got := len(w.merger.entries); got != 2 {
		t.Errorf("%d entries merged, want 2", got)
	}

	st, err := w.in.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Sources[0]; s.State != "warning" || !strings.Contains(s.Warning, "element left open") || s.LastError != "" {
		t.Errorf("status %+v", s)
	}
	rec := httptest.NewRecorder()
	w.in.StatusHTML().ServeHTTP(rec, httptest.NewRequest("GET", "/status", nil))
	if page := rec.Body.String(); !strings.Contains(page, `class="warning">warning<`) || !strings.Contains(page, "warning: malformed feed") {
		t.Errorf("the status page does not show the warning:\n%s", page)
	}

	serve = &clean
	w.clock.Add(48 * time.Hour)
	w.run(t)
	if s := w.state(t, "podcast"); s.Warning != "" {
		t.Errorf("warning %q kept after a clean fetch", s.Warning)
	}
}

// TestStatusCuratedPath: /status is public, so a curated file is shown by
// its path relative to the config's folder, never by its absolute path,
// in the URL columns and in its errors.
func TestStatusCuratedPath(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, path, want string
	}{
		{"beside the config", filepath.Join(dir, "talks.yaml"), "talks.yaml"},
		{"below the config", filepath.Join(dir, "data", "talks.yaml"), "data/talks.yaml"},
		{"outside the config's folder", filepath.Join(filepath.Dir(dir), "elsewhere", "talks.yaml"), "talks.yaml"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := talkstream.Source{ID: "hist", Kind: talkstream.SourceCurated, Path: tt.path}
			w := newWorld(t, []talkstream.Source{src}, fetch.Options{}, Options{ConfigDir: dir})
			w.run(t) // the file does not exist: an error naming it
			st, err := w.in.Status(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			s := st.Sources[0]
			if s.URL != tt.want || s.FetchURL != tt.want {
				t.Errorf("url %q, fetch_url %q, want %q", s.URL, s.FetchURL, tt.want)
			}
			if s.LastError == "" || strings.Contains(s.LastError, dir) || strings.Contains(s.LastError, filepath.Dir(dir)) {
				t.Errorf("last error %q shows the absolute path", s.LastError)
			}
			// The stored error too: the page's source health shows it.
			if st := w.state(t, "hist"); strings.Contains(st.LastError, filepath.Dir(dir)) || !strings.Contains(st.LastError, tt.want) {
				t.Errorf("stored error %q shows the absolute path, or not %q", st.LastError, tt.want)
			}
		})
	}
}
