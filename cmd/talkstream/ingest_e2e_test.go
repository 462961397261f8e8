package main

// End-to-end tests of the fetch cycle through the CLI: conditional GET on a
// second fetch, status and metrics, and serve's clean shutdown on SIGTERM
// (against the real binary).

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/talkstream/talkstream/store"
)

// validatorServer serves testdata/feeds with both an ETag and a
// Last-Modified (http.FileServer gives only the latter), honours both, and
// counts the requests that carried each.
type validatorServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests map[string]int // path → requests
	inm, ims map[string]int // path → requests with If-None-Match / If-Modified-Since
	notMod   int
}

func newValidatorServer(t *testing.T, dir string) *validatorServer {
	v := &validatorServer{requests: map[string]int{}, inm: map[string]int{}, ims: map[string]int{}}
	const lastMod = "Wed, 01 May 2024 10:00:00 GMT"
	v.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := os.ReadFile(filepath.Join(dir, filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		etag := fmt.Sprintf(`"%x"`, len(data))
		v.mu.Lock()
		v.requests[r.URL.Path]++
		if r.Header.Get("If-None-Match") != "" {
			v.inm[r.URL.Path]++
		}
		if r.Header.Get("If-Modified-Since") != "" {
			v.ims[r.URL.Path]++
		}
		v.mu.Unlock()
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		if r.Header.Get("If-None-Match") == etag {
			v.mu.Lock()
			v.notMod++
			v.mu.Unlock()
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(v.Close)
	return v
}

// seen returns the request counts for path, and the 304s sent in all.
func (v *validatorServer) seen(path string) (requests, inm, ims, notMod int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.requests[path], v.inm[path], v.ims[path], v.notMod
}

// fetchWorld writes the demo config, pointed at base, into a temporary
// folder with extra appended to its sources, and returns its path.
func fetchWorld(t *testing.T, base, extra string) string {
	t.Helper()
	dir := t.TempDir()
	cfg, err := os.ReadFile("../../testdata/demo/feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	talks, err := os.ReadFile("../../testdata/demo/talks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(cfg), "http://127.0.0.1:8089", base) + extra
	path := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "talks.yaml"), talks, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRefetchIsConditional: a second `talkstream fetch` against unchanged
// feeds sends both validators for every source and re-merges nothing.
func TestRefetchIsConditional(t *testing.T) {
	srv := newValidatorServer(t, "../../testdata/feeds")
	cfgPath := fetchWorld(t, srv.URL, "")
	paths := []string{"/blog.atom", "/person.rss", "/youtube.xml", "/vimeo.rss", "/peertube.xml",
		"/schedule.xml", "/talks.html", "/talk-page.html", "/meetups.ics"}

	code, out, errs := cli(t, "fetch", "-config", cfgPath)
	if code != 0 {
		t.Fatalf("first fetch exit %d: %s%s", code, out, errs)
	}
	if strings.Contains(out, "FAIL") || !strings.Contains(out, "10 sources: 10 fetched, 0 unchanged, 0 failed") {
		t.Fatalf("first fetch:\n%s", out)
	}
	for _, p := range paths {
		if _, inm, ims, _ := srv.seen(p); inm != 0 || ims != 0 {
			t.Errorf("%s: the first fetch sent validators", p)
		}
	}

	code, out, errs = cli(t, "fetch", "-config", cfgPath)
	if code != 0 {
		t.Fatalf("second fetch exit %d: %s%s", code, out, errs)
	}
	for _, p := range paths {
		if n, inm, ims, _ := srv.seen(p); n != 2 || inm != 1 || ims != 1 {
			t.Errorf("%s: %d requests, %d with If-None-Match, %d with If-Modified-Since; want 2, 1, 1", p, n, inm, ims)
		}
	}
	if _, _, _, notMod := srv.seen(""); notMod != len(paths) {
		t.Errorf("%d 304s, want %d", notMod, len(paths))
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, line := range lines[:len(lines)-1] {
		if !strings.Contains(line, " 304  not modified") && !strings.Contains(line, "unchanged") {
			t.Errorf("the second fetch re-merged: %s", line)
		}
	}
	if !strings.Contains(out, "10 sources: 0 fetched, 10 unchanged, 0 failed") {
		t.Errorf("second fetch summary:\n%s", out)
	}

	t.Run("status", func(t *testing.T) {
		code, out, errs := cli(t, "status", "-config", cfgPath)
		if code != 0 {
			t.Fatalf("status exit %d: %s%s", code, out, errs)
		}
		for _, want := range []string{"SOURCE", "LAST ERROR / MOVED TO", "mirage-blog", "talks-youtube", " ok ", " 304 "} {
			if !strings.Contains(out, want) {
				t.Errorf("status lacks %q:\n%s", want, out)
			}
		}
		code, out, _ = cli(t, "status", "-config", cfgPath, "-json")
		var st struct {
			Sources []struct {
				ID         string     `json:"id"`
				State      string     `json:"state"`
				HTTPStatus int        `json:"http_status"`
				LastFetch  *time.Time `json:"last_fetch"`
				NextCheck  *time.Time `json:"next_check"`
			} `json:"sources"`
		}
		if err := json.Unmarshal([]byte(out), &st); code != 0 || err != nil || len(st.Sources) != 10 {
			t.Fatalf("status -json exit %d: %v\n%s", code, err, out)
		}
		for _, s := range st.Sources {
			if s.State != "ok" || s.LastFetch == nil || s.NextCheck == nil || !s.NextCheck.After(*s.LastFetch) {
				t.Errorf("source %+v", s)
			}
		}
	})
}

// TestFetchFlags: -due fetches only what is due, -source even a gone source.
func TestFetchFlags(t *testing.T) {
	gone := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusGone)
	}))
	defer gone.Close()
	srv := newValidatorServer(t, "../../testdata/feeds")
	cfgPath := fetchWorld(t, srv.URL, "  - {id: old, kind: blog, url: \""+gone.URL+"/feed\"}\n")

	code, out, _ := cli(t, "fetch", "-config", cfgPath)
	if code != 0 || !strings.Contains(out, "GONE old") {
		t.Fatalf("fetch exit %d:\n%s", code, out)
	}
	code, out, _ = cli(t, "fetch", "-config", cfgPath, "-due")
	if code != 0 || !strings.Contains(out, "0 sources: 0 fetched") {
		t.Errorf("fetch -due right after a fetch: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, "fetch", "-config", cfgPath)
	if code != 0 || !strings.Contains(out, "skip old") || !strings.Contains(out, "10 sources:") {
		t.Errorf("fetch skips a gone source: exit %d\n%s", code, out)
	}
	code, out, _ = cli(t, "fetch", "-config", cfgPath, "-source", "old")
	if code != 0 || !strings.Contains(out, "GONE old") || !strings.Contains(out, "1 sources:") {
		t.Errorf("fetch -source of a gone source: exit %d\n%s", code, out)
	}
}

// TestProgressBar: the bar's text, drawn only on a terminal.
func TestProgressBar(t *testing.T) {
	if p := newProgress(io.Discard, 3); p != nil {
		t.Error("a bar on a non-terminal")
	}
	p := &progress{total: 4, width: 8, w: io.Discard}
	for _, k := range []string{"ok", "error", "not-modified"} {
		p.done++
		switch k {
		case "error":
			p.failed++
		case "not-modified":
			p.unchg++
		}
	}
	if got, want := p.line(), "[######..] 3/4 done · 1 failed · 1 unchanged"; got != want {
		t.Errorf("line = %q, want %q", got, want)
	}
}

// TestServeSIGTERM builds the binary, starts serve against a feed that
// never answers and one that answers slowly, sends SIGTERM while both are
// in flight, and checks that the process exits within the grace period
// with the slow fetch stored, the hung one not written at all, and the
// database intact.
func TestServeSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and waits for a shutdown")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "talkstream")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	arrived := make(chan string, 4)
	release := make(chan struct{})
	defer close(release)
	feed, err := os.ReadFile("../../testdata/feeds/person.rss")
	if err != nil {
		t.Fatal(err)
	}
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- "hung"
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer hung.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- "slow"
		time.Sleep(1500 * time.Millisecond)
		w.Write(feed)
	}))
	defer slow.Close()
	files := httptest.NewServer(http.FileServer(http.Dir("../../testdata/feeds")))
	defer files.Close()
	cfgPath := fetchWorld(t, files.URL, fmt.Sprintf(
		"  - {id: hung, kind: blog, url: %q}\n  - {id: slow, kind: blog, url: %q}\nfetch: {timeout: 5m}\n",
		hung.URL+"/feed", slow.URL+"/feed"))

	cmd := exec.Command(bin, "serve", "-config", cfgPath, "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(`on http://([0-9.:]+)/`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	for seen := map[string]bool{}; !seen["hung"] || !seen["slow"]; {
		select {
		case s := <-arrived:
			seen[s] = true
		case <-time.After(20 * time.Second):
			t.Fatalf("the fetches did not start:\n%s", stderr.String())
		}
	}
	// While they are in flight, the status endpoints answer.
	select {
	case a := <-addr:
		for _, p := range []string{"/status", "/status.json", "/metrics"} {
			resp, err := http.Get("http://" + a + p)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s: %d", p, resp.StatusCode)
			}
		}
	case <-time.After(5 * time.Second):
		t.Error("serve printed no address")
	}

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		took := time.Since(start)
		t.Logf("serve exited %v after SIGTERM (grace %v)", took.Round(time.Millisecond), shutdownGrace)
		if err != nil {
			t.Errorf("serve: %v\n%s", err, stderr.String())
		}
		if took > shutdownGrace {
			t.Errorf("serve took %v to stop, more than the %v grace", took, shutdownGrace)
		}
	case <-time.After(shutdownGrace + 5*time.Second):
		t.Fatalf("serve still running %v after SIGTERM:\n%s", shutdownGrace+5*time.Second, stderr.String())
	}

	cfgDir := filepath.Dir(cfgPath)
	st, err := store.Open(context.Background(), filepath.Join(cfgDir, "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Error(err)
	}
	states, err := st.SourceStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if s := states["slow"]; s.LastFetch.IsZero() || s.LastError != "" || s.Entries == 0 {
		t.Errorf("the in-flight slow fetch was not allowed to finish: %+v", s)
	}
	if s := states["hung"]; !s.LastFetch.IsZero() || s.LastError != "" {
		t.Errorf("the cancelled fetch wrote a state: %+v", s)
	}
	if s := states["mirage-blog"]; s.LastFetch.IsZero() || s.LastError != "" {
		t.Errorf("mirage-blog: %+v", s)
	}
}
