package main

// The end-to-end test: the CLI contract (check → fetch → build → serve)
// against the fixture feeds in ../../testdata served on 127.0.0.1, with the
// outputs checked by independent validators when they are installed.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"github.com/talkstream/talkstream/config"
	"github.com/talkstream/talkstream/internal/pgtest"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// demoWorld serves testdata/feeds on loopback and writes the demo config,
// pointed at that server, into a temporary folder. It returns the config path.
func demoWorld(t *testing.T, extraSources string) (cfgPath string, srv *httptest.Server) {
	t.Helper()
	srv = httptest.NewServer(http.FileServer(http.Dir("../../testdata/feeds")))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	cfg, err := os.ReadFile("../../testdata/demo/feeds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	talks, err := os.ReadFile("../../testdata/demo/talks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(cfg), "http://127.0.0.1:8089", srv.URL)
	text += extraSources
	cfgPath = filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfgPath, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "talks.yaml"), talks, 0o644); err != nil {
		t.Fatal(err)
	}
	return cfgPath, srv
}

// cli runs one verb in-process and returns its exit status and output.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

type jsonFeed struct {
	Version string `json:"version"`
	Items   []struct {
		ID            string   `json:"id"`
		Title         string   `json:"title"`
		URL           string   `json:"url"`
		DatePublished string   `json:"date_published"`
		DateModified  string   `json:"date_modified"`
		Tags          []string `json:"tags"`
		Ext           struct {
			Kind     string   `json:"kind"`
			Speakers []string `json:"speakers"`
			Event    string   `json:"event"`
			Sources  []struct {
				Source string `json:"source"`
				Title  string `json:"title"`
				URL    string `json:"url"`
			} `json:"sources"`
			Video *struct {
				Provider string `json:"provider"`
				ID       string `json:"id"`
			} `json:"video"`
		} `json:"_talkstream"`
	} `json:"items"`
}

func readFeed(t *testing.T, dir string) jsonFeed {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "feed.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f jsonFeed
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("feed.json: %v", err)
	}
	return f
}

// TestEndToEnd runs the whole CLI on each store engine: SQLite, and
// PostgreSQL when TALKSTREAM_TEST_POSTGRES names a database.
func TestEndToEnd(t *testing.T) {
	t.Run("sqlite", testEndToEnd)
	t.Run("postgres", func(t *testing.T) {
		t.Setenv(config.DatabaseEnv, pgtest.Database(t))
		testEndToEnd(t)
	})
}

func testEndToEnd(t *testing.T) {
	// A source that fails must be recorded and must not stop the others.
	cfgPath, _ := demoWorld(t, "  - {id: broken, kind: blog, url: \"http://127.0.0.1:1/feed.xml\"}\n")

	t.Run("check", func(t *testing.T) {
		code, out, errs := cli(t, "check", "-config", cfgPath)
		if code != 0 {
			t.Fatalf("check exit %d: %s%s", code, out, errs)
		}
	})

	out1 := filepath.Join(t.TempDir(), "out1")
	t.Run("fetch", func(t *testing.T) {
		code, out, errs := cli(t, "fetch", "-config", cfgPath)
		if code != 0 {
			t.Fatalf("fetch exit %d: %s%s", code, out, errs)
		}
		for _, id := range []string{"mirage-blog", "anil", "talks-youtube", "avsm-vimeo", "talks"} {
			if !strings.Contains(out, "ok   "+id) {
				t.Errorf("fetch output has no ok line for %s:\n%s", id, out)
			}
		}
		if !strings.Contains(out, "FAIL broken") {
			t.Errorf("fetch output does not report the broken source:\n%s", out)
		}
	})

	t.Run("build", func(t *testing.T) {
		code, out, errs := cli(t, "build", "-config", cfgPath, "-out", out1)
		if code != 0 {
			t.Fatalf("build exit %d: %s%s", code, out, errs)
		}
		for _, name := range []string{"index.html", "rss.xml", "atom.xml", "feed.json", "sources.opml"} {
			if _, err := os.Stat(filepath.Join(out1, name)); err != nil {
				t.Errorf("build wrote no %s: %v", name, err)
			}
		}
	})

	feed := readFeed(t, out1)
	t.Run("merged", func(t *testing.T) {
		// testdata/feeds/README.md: the feeds' 32 entries that pass the
		// filters make 25 items, one of them upcoming (not in the main
		// stream); the schedule, the talks page, the talk's page and the
		// meetups' calendar add 11 more (their first talk merges across
		// three of them).
		if len(feed.Items) != 35 {
			t.Errorf("feed.json has %d items, want 35", len(feed.Items))
		}
		ids := map[string]bool{}
		videos := map[string]string{}
		multi := map[string]bool{} // source pairs seen merged
		for _, it := range feed.Items {
			if it.ID == "" || ids[it.ID] {
				t.Errorf("item id %q empty or duplicated", it.ID)
			}
			ids[it.ID] = true
			if v := it.Ext.Video; v != nil {
				key := v.Provider + ":" + v.ID
				if prev, dup := videos[key]; dup {
					t.Errorf("video %s is in two items: %q and %q", key, prev, it.Title)
				}
				videos[key] = it.Title
			}
			srcs := map[string]bool{}
			for _, s := range it.Ext.Sources {
				srcs[s.Source] = true
				if s.Title == "" || s.Source == "" {
					t.Errorf("item %q: source entry without id or title: %+v", it.Title, s)
				}
			}
			if len(srcs) > 1 {
				for a := range srcs {
					for b := range srcs {
						multi[a+"+"+b] = true
					}
				}
			}
		}
		// The fixtures put talks in several feeds (testdata/feeds/README.md).
		for _, pair := range []string{"mirage-blog+talks-youtube", "anil+avsm-vimeo", "mirage-blog+anil",
			"talks+talks-youtube", "talks+avsm-vimeo", "talks+mirage-blog"} {
			if !multi[pair] {
				t.Errorf("no item merges %s entries", pair)
			}
		}
	})

	t.Run("no script from feeds", func(t *testing.T) {
		for _, name := range []string{"index.html", "rss.xml", "atom.xml", "feed.json"} {
			data, _ := os.ReadFile(filepath.Join(out1, name))
			// The page's one script is the site's own click-to-play app.js.
			low := strings.ToLower(ownScript.ReplaceAllString(string(data), ""))
			for _, bad := range []string{"<script", "&lt;script", "\\u003cscript", "javascript:", "onerror="} {
				if strings.Contains(low, bad) {
					t.Errorf("%s contains %q", name, bad)
				}
			}
		}
	})

	t.Run("upcoming and calendars", func(t *testing.T) {
		// testdata/demo/talks.yaml: one talk to come, three with a start;
		// the schedule, the pages and the calendar give nine more their start.
		b, err := os.ReadFile(filepath.Join(out1, "upcoming", "feed.json"))
		if err != nil {
			t.Fatal(err)
		}
		var up jsonFeed
		if err := json.Unmarshal(b, &up); err != nil || len(up.Items) != 1 || !strings.Contains(up.Items[0].Title, "hack retreat") {
			t.Errorf("upcoming/feed.json: %v %+v", err, up.Items)
		}
		ics, err := os.ReadFile(filepath.Join(out1, "talks.ics"))
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(string(ics), "BEGIN:VEVENT\r\n"); n != 12 {
			t.Errorf("talks.ics has %d events, want 12:\n%s", n, ics)
		}
		page, _ := os.ReadFile(filepath.Join(out1, "index.html"))
		if !strings.Contains(string(page), `id="upcoming-title"`) {
			t.Errorf("index.html has no Upcoming section")
		}
	})

	t.Run("page links carry no tracking parameters", func(t *testing.T) {
		data, _ := os.ReadFile(filepath.Join(out1, "index.html"))
		if strings.Contains(string(data), "utm_") {
			t.Error("index.html links a cross-post with its utm_ parameters")
		}
	})

	t.Run("xml well-formed", func(t *testing.T) {
		for _, name := range []string{"rss.xml", "atom.xml", "sources.opml"} {
			data, _ := os.ReadFile(filepath.Join(out1, name))
			d := xml.NewDecoder(bytes.NewReader(data))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("%s: %v", name, err)
					break
				}
			}
		}
	})

	t.Run("validators", func(t *testing.T) { validate(t, out1) })

	t.Run("refetch changes nothing", func(t *testing.T) {
		code, out, errs := cli(t, "fetch", "-config", cfgPath)
		if code != 0 {
			t.Fatalf("fetch exit %d: %s%s", code, out, errs)
		}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if strings.HasPrefix(line, "ok ") && !strings.Contains(line, "not modified") && !strings.Contains(line, "unchanged") &&
				!strings.Contains(line, " 0 new, 0 updated") {
				t.Errorf("second fetch of an unchanged world did something: %s", line)
			}
		}
		out2 := filepath.Join(t.TempDir(), "out2")
		if code, _, errs := cli(t, "build", "-config", cfgPath, "-out", out2); code != 0 {
			t.Fatalf("build: %s", errs)
		}
		again := readFeed(t, out2)
		if len(again.Items) != len(feed.Items) {
			t.Fatalf("items %d, then %d", len(feed.Items), len(again.Items))
		}
		for i := range feed.Items {
			a, b := feed.Items[i], again.Items[i]
			if a.ID != b.ID || a.DatePublished != b.DatePublished || a.DateModified != b.DateModified {
				t.Errorf("item %d changed on refetch: %s %s %s → %s %s %s", i, a.ID, a.DatePublished, a.DateModified, b.ID, b.DatePublished, b.DateModified)
			}
		}
	})

	t.Run("status", func(t *testing.T) {
		code, out, _ := cli(t, "status", "-config", cfgPath)
		if code != 0 || !strings.Contains(out, "broken") || !strings.Contains(out, "youtube") {
			t.Errorf("status exit %d:\n%s", code, out)
		}
	})

	t.Run("explain", func(t *testing.T) {
		var merged string
		for _, it := range feed.Items {
			if len(it.Ext.Sources) > 1 {
				merged = it.ID
				break
			}
		}
		code, out, errs := cli(t, "explain", "-config", cfgPath, merged)
		if code != 0 || !strings.Contains(out, "joined by key") {
			t.Errorf("explain %s exit %d:\n%s%s", merged, code, out, errs)
		}
		// explain shows the evidence it rejected as well as what it used.
		rejected := false
		for _, it := range feed.Items {
			if _, out, _ := cli(t, "explain", "-config", cfgPath, itemID(it.ID)); strings.Contains(out, "rejected for ") {
				rejected = true
				break
			}
		}
		if !rejected {
			t.Errorf("no item's explain shows rejected evidence")
		}
	})
}

func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("title: x\nbase_url: https://example.org/\nsources:\n  - id: a\n    kind: blog\n    urll: https://example.org/feed\n"), 0o644)
	good, _ := demoWorld(t, "")
	// A curated file with a key fetch would refuse: check reads it too.
	os.WriteFile(filepath.Join(dir, "talks.yaml"), []byte("entries:\n  - id: x\n    title: X\n    date: 2024-05\n    colour: blue\n"), 0o644)
	badTalks := filepath.Join(dir, "talks-config.yaml")
	os.WriteFile(badTalks, []byte("title: x\nbase_url: https://example.org/\nsources:\n  - {id: talks, kind: curated, path: talks.yaml}\n"), 0o644)
	tests := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"no verb", nil, 2, ""},
		{"unknown verb", []string{"frobnicate"}, 2, "unknown command"},
		{"bad flag", []string{"fetch", "-nope"}, 2, ""},
		{"check bad config", []string{"check", "-config", bad}, 1, "bad.yaml:6: source \"a\": unknown key \"urll\""},
		{"missing config", []string{"check", "-config", filepath.Join(dir, "none.yaml")}, 1, "no such file"},
		{"check bad curated file", []string{"check", "-config", badTalks}, 1, `talks.yaml:5: entry 1 (x): unknown key "colour"`},
		{"check good config", []string{"check", "-config", good}, 0, "ok: "},
		{"build needs -out", []string{"build", "-config", good}, 2, "-out"},
		{"build with an extra argument", []string{"build", "-config", good, "-out", dir, "extra"}, 2, `unexpected argument "extra"`},
		{"a flag after an argument", []string{"fetch", good, "-due"}, 2, "unexpected argument"},
		{"version with an argument", []string{"version", "extra"}, 2, "unexpected argument"},
		{"version", []string{"version"}, 0, "talkstream"},
		{"fetch unknown source", []string{"fetch", "-config", good, "-source", "nope"}, 1, "no source \"nope\""},
		{"explain unknown item", []string{"explain", "-config", good, "zzzz"}, 1, "no item"},
		{"help", []string{"help"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := cli(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tt.code, out, errs)
			}
			if !strings.Contains(out+errs, tt.contains) {
				t.Errorf("output lacks %q:\n%s%s", tt.contains, out, errs)
			}
		})
	}
}

// serveInProcess runs `talkstream serve` for the config at cfgPath on ln,
// in this process, until stop or the end of the test; setup, when not nil,
// adjusts the app before it starts. stop ends serve and returns what serve
// returned.
func serveInProcess(t *testing.T, cfgPath string, ln net.Listener, setup func(*app)) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := openApp(ctx, cfgPath)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if setup != nil {
		setup(a)
	}
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, ln, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard) }()
	var once sync.Once
	var serveErr error
	stopped := false
	stop = func() error {
		once.Do(func() {
			cancel()
			serveErr = <-done
			a.Close()
		})
		stopped = true
		return serveErr
	}
	t.Cleanup(func() {
		if !stopped {
			if err := stop(); err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	})
	return stop
}

func TestServe(t *testing.T) {
	cfgPath, _ := demoWorld(t, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	stop := serveInProcess(t, cfgPath, ln, nil)
	base := "http://" + ln.Addr().String()

	get := func(path string) (*http.Response, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	if resp, body := get("/healthz"); resp.StatusCode != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q", resp.StatusCode, body)
	}
	// The scheduler's first tick fetches every source; wait for the items.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, body := get("/feed.json")
		if strings.Contains(body, "_talkstream") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no items served after the first tick:\n%.500s", body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, p := range []string{"/", "/rss.xml", "/atom.xml", "/feed.json", "/sources.opml"} {
		if resp, _ := get(p); resp.StatusCode != 200 {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	done := make(chan error, 1)
	go func() { done <- stop() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(shutdownGrace + 2*time.Second):
		t.Fatal("serve did not stop within the grace period")
	}
}

// ownScript is the page's only script element: the site's own app.js.
var ownScript = regexp.MustCompile(`<script src="(\.\./)*app\.js\?v=[0-9a-f]+" defer></script>`)

// validate runs the independent checkers on every feed of an output folder
// (the main stream, every facet and every page): feedparser on each rss.xml
// and atom.xml, jing with the RFC 4287 schema on each atom.xml, ajv with the
// JSON Feed 1.1 schema on each feed.json. Each checker runs once over all
// its files. They are skipped when missing unless
// TALKSTREAM_REQUIRE_VALIDATORS is set (CI).
func validate(t *testing.T, dir string) {
	require := os.Getenv("TALKSTREAM_REQUIRE_VALIDATORS") != ""
	missing := func(t *testing.T, what string) {
		t.Helper()
		if require {
			t.Fatalf("%s is not installed (run .ci/run or make validators)", what)
		}
		t.Skipf("%s is not installed", what)
	}
	files := map[string][]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files[d.Name()] = append(files[d.Name()], p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	rss, atom, jsonFeeds := files["rss.xml"], files["atom.xml"], files["feed.json"]
	if len(rss) < 2 || len(atom) != len(rss) || len(jsonFeeds) < len(rss) {
		t.Fatalf("expected the main stream and facets: %d rss.xml, %d atom.xml, %d feed.json", len(rss), len(atom), len(jsonFeeds))
	}
	t.Logf("validating %d rss.xml, %d atom.xml and %d feed.json", len(rss), len(atom), len(jsonFeeds))

	t.Run("feedparser", func(t *testing.T) {
		py := "/usr/bin/python3"
		if exec.Command(py, "-c", "import feedparser").Run() != nil {
			missing(t, "python3-feedparser")
		}
		script := `import sys, feedparser
bad = 0
for name in sys.argv[1:]:
    d = feedparser.parse(name)
    if d.bozo:
        print(name, "bozo:", d.bozo_exception); bad += 1
    elif not d.entries and "/upcoming/" not in name:
        # /upcoming/ is empty whenever no talk is to come
        print(name, "no entries"); bad += 1
    elif d.version not in ("rss20", "atom10"):
        print(name, "version", d.version); bad += 1
print(len(sys.argv) - 1, "feeds,", bad, "bad")
sys.exit(1 if bad else 0)`
		out, err := exec.Command(py, append([]string{"-c", script}, append(slices.Clone(rss), atom...)...)...).CombinedOutput()
		if err != nil {
			t.Errorf("feedparser: %v:\n%s", err, out)
		}
	})
	t.Run("jsonfeed schema", func(t *testing.T) {
		ajv := "../../node_modules/.bin/ajv"
		if _, err := os.Stat(ajv); err != nil {
			missing(t, "ajv (npm ci)")
		}
		args := []string{"validate", "--spec=draft7", "-c", "ajv-formats", "--strict=false",
			"-s", "../../node_modules/jsonfeed-schema/schema-v1.1.json"}
		for _, f := range jsonFeeds {
			args = append(args, "-d", f)
		}
		out, err := exec.Command(ajv, args...).CombinedOutput()
		if err != nil {
			t.Errorf("feed.json files do not validate against JSON Feed 1.1: %v\n%s", err, out)
		}
		if n := strings.Count(string(out), " valid"); n != len(jsonFeeds) {
			t.Errorf("ajv reported %d valid files of %d:\n%s", n, len(jsonFeeds), out)
		}
	})
	t.Run("atom relax ng", func(t *testing.T) {
		jing, err := exec.LookPath("jing")
		if err != nil {
			missing(t, "jing")
		}
		rnc := "../../../shared/validators/atom.rnc"
		if _, err := os.Stat(rnc); err != nil {
			t.Skip("shared/validators/atom.rnc is not beside the checkout")
		}
		out, err := exec.Command(jing, append([]string{"-c", rnc}, atom...)...).CombinedOutput()
		if err != nil {
			t.Errorf("atom.xml files do not validate against RFC 4287: %v\n%s", err, out)
		}
	})
}
