package main

// The planet page as readers get it: the demo's fixture feeds plus a hostile
// one (testdata/hostile.rss, with script payloads wherever a feed can put
// markup), fetched with the CLI and served by the real handler on 127.0.0.1.
// TestHostileSite runs the independent feed validators on that build and
// checks every page's markup; TestServedEveryPath revalidates every output
// over HTTP as curl -H 'If-None-Match: …' would; TestBrowser loads the pages
// in headless Chromium and asserts that no payload ran.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"

	"github.com/talkstream/talkstream/publish"
)

// hostileWorld fetches the demo world plus testdata/hostile.rss, builds it
// into a folder and serves the same site with the publisher on loopback.
type hostileWorld struct {
	base    string             // http://127.0.0.1:PORT
	pub     *publish.Publisher // serving from the store the build used
	out     string             // what `talkstream build -out` wrote
	cleanup []func()
}

var (
	hostileOnce sync.Once
	hostile     *hostileWorld
	hostileErr  error
)

// TestMain removes the hostile world, which the tests below share, once they
// are done.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range atExit { // load_test.go's benchmark rig
		f()
	}
	if hostile != nil {
		for _, f := range hostile.cleanup {
			f()
		}
	}
	os.Exit(code)
}

// newHostileWorld builds the world once per test binary: the three tests
// below share it, so the feeds are fetched and rendered once.
func newHostileWorld(t *testing.T) *hostileWorld {
	t.Helper()
	hostileOnce.Do(func() { hostile, hostileErr = buildHostileWorld() })
	if hostileErr != nil {
		t.Fatal(hostileErr)
	}
	return hostile
}

func buildHostileWorld() (_ *hostileWorld, err error) {
	// The servers and the folder outlive any one test: TestMain ends them.
	w := &hostileWorld{}
	defer func() {
		if err != nil {
			for _, f := range w.cleanup {
				f()
			}
		}
	}()
	dir, err := os.MkdirTemp("", "talkstream-hostile-")
	if err != nil {
		return nil, err
	}
	w.cleanup = append(w.cleanup, func() { os.RemoveAll(dir) })
	feeds := httptest.NewServer(http.FileServer(http.Dir("../../testdata/feeds")))
	bad := httptest.NewServer(http.FileServer(http.Dir("testdata")))
	w.cleanup = append(w.cleanup, feeds.Close, bad.Close)
	xss, err := xssServer() // the XSS corpus as an Atom and a JSON feed (xss_test.go)
	if err != nil {
		return nil, err
	}
	w.cleanup = append(w.cleanup, xss.Close)
	cfg, err := os.ReadFile("../../testdata/demo/feeds.yaml")
	if err != nil {
		return nil, err
	}
	talks, err := os.ReadFile("../../testdata/demo/talks.yaml")
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(string(cfg), "http://127.0.0.1:8089", feeds.URL)
	text += fmt.Sprintf("  - {id: hostile, kind: blog, url: %q}\n", bad.URL+"/hostile.rss")
	text += xssSources(xss.URL)
	cfgPath := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfgPath, []byte(text), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "talks.yaml"), talks, 0o644); err != nil {
		return nil, err
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"fetch", "-config", cfgPath}, &out, &errb); code != 0 || !strings.Contains(out.String(), "ok   hostile") ||
		!strings.Contains(out.String(), "ok   xss-atom") || !strings.Contains(out.String(), "ok   xss-json") {
		return nil, fmt.Errorf("fetch exit %d:\n%s%s", code, out.String(), errb.String())
	}
	w.out = filepath.Join(dir, "out")
	if code := run(context.Background(), []string{"build", "-config", cfgPath, "-out", w.out}, &out, &errb); code != 0 {
		return nil, fmt.Errorf("build exit %d:\n%s", code, errb.String())
	}
	ctx := context.Background()
	a, err := openApp(ctx, cfgPath)
	if err != nil {
		return nil, err
	}
	w.cleanup = append([]func(){func() { a.Close() }}, w.cleanup...)
	if _, err := a.publish(ctx, time.Now().UTC()); err != nil {
		return nil, err
	}
	w.pub = a.pub
	srv := httptest.NewServer(a.pub)
	w.cleanup = append([]func(){srv.Close}, w.cleanup...)
	w.base = srv.URL
	return w, nil
}

// pages returns the HTML pages of the site, and those that show an item of
// the hostile feed.
func (w *hostileWorld) pages(t *testing.T) (all, withHostile []string) {
	for _, p := range w.pub.Paths() {
		if !strings.HasSuffix(p, "/") {
			continue
		}
		all = append(all, p)
		if body := w.get(t, p); strings.Contains(body, "hostile.example") {
			withHostile = append(withHostile, p)
		}
	}
	return all, withHostile
}

func (w *hostileWorld) get(t *testing.T, p string) string {
	t.Helper()
	resp, err := http.Get(w.base + p)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", p, resp.StatusCode, err)
	}
	return string(b)
}

// TestHostileSite runs the validators on feeds built from hostile content,
// and checks the markup of every page: no script but the site's own, no
// event handler, no script URL, no frame, form, object or style.
func TestHostileSite(t *testing.T) {
	w := newHostileWorld(t)
	t.Run("validators", func(t *testing.T) { validate(t, w.out) })
	all, withHostile := w.pages(t)
	if len(withHostile) < 2 {
		t.Fatalf("the hostile feed's items are on %d pages: %v", len(withHostile), withHostile)
	}
	for _, p := range all {
		doc, err := html.Parse(strings.NewReader(w.get(t, p)))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				switch n.Data {
				case "iframe", "form", "object", "embed", "style", "svg", "math", "base", "input", "button":
					t.Errorf("%s: <%s>", p, n.Data)
				case "script":
					if len(n.Attr) != 2 || !strings.Contains(n.Attr[0].Val, "app.js?v=") || n.FirstChild != nil {
						t.Errorf("%s: a script that is not app.js: %v", p, n.Attr)
					}
				}
				for _, a := range n.Attr {
					v := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
					// Text attributes may say anything (a speaker facet named
					// "javascript:…" is text in a title); a browser follows
					// none of them.
					text := a.Key == "title" || a.Key == "alt" || a.Key == "aria-label"
					if strings.HasPrefix(a.Key, "on") || a.Key == "style" || a.Key == "srcset" || a.Key == "formaction" ||
						!text && (strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "data:") || strings.HasPrefix(v, "vbscript:")) {
						t.Errorf("%s: <%s %s=%q>", p, n.Data, a.Key, a.Val)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
}

// TestServedEveryPath asks the running server for every output of the site,
// then asks again with its validators, as curl -H 'If-None-Match: <etag>'
// (or a feed reader) would: each must answer 304 with no body.
func TestServedEveryPath(t *testing.T) {
	w := newHostileWorld(t)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	do := func(method, p string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, w.base+p, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	paths := w.pub.Paths()
	if len(paths) < 40 {
		t.Fatalf("only %d paths: %v", len(paths), paths)
	}
	for _, p := range paths {
		plain, _ := do("GET", p, nil)
		gz, _ := do("GET", p, map[string]string{"Accept-Encoding": "gzip"})
		if plain.StatusCode != 200 || gz.StatusCode != 200 || gz.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: %d, gzip %d %q", p, plain.StatusCode, gz.StatusCode, gz.Header.Get("Content-Encoding"))
			continue
		}
		for _, tc := range []struct {
			name string
			hdr  map[string]string
		}{
			{"If-None-Match", map[string]string{"If-None-Match": plain.Header.Get("ETag")}},
			{"If-None-Match gzip", map[string]string{"If-None-Match": gz.Header.Get("ETag"), "Accept-Encoding": "gzip"}},
			{"If-Modified-Since", map[string]string{"If-Modified-Since": plain.Header.Get("Last-Modified")}},
		} {
			if resp, body := do("GET", p, tc.hdr); resp.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("%s with %s: %d, %d bytes", p, tc.name, resp.StatusCode, len(body))
			}
		}
		if resp, body := do("HEAD", p, nil); resp.StatusCode != 200 || len(body) != 0 || resp.Header.Get("ETag") != plain.Header.Get("ETag") {
			t.Errorf("HEAD %s: %d, %d bytes", p, resp.StatusCode, len(body))
		}
	}
}

// chromiumPath finds Debian's chromium, or skips the test (fails it under
// TALKSTREAM_REQUIRE_VALIDATORS, as CI sets).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("TALKSTREAM_REQUIRE_VALIDATORS") != "" {
		t.Fatal("chromium is not installed (run .ci/run)")
	}
	t.Skip("chromium is not installed")
	return ""
}

// artifactDir is where the browser test leaves its screenshots for people
// (and CI) to look at: testdata/out, which git ignores.
func artifactDir(t *testing.T) string {
	dir, err := filepath.Abs(filepath.Join("testdata", "out"))
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// xssProbe lists what a payload of testdata/hostile.rss or of the XSS
// corpus (xss_test.go) would leave behind had it run: window.__xss_*
// globals. It also lists every element attribute a browser would run
// (event handlers, script URLs in attributes that load or link) and the
// page's scripts.
const xssProbe = `(() => {
  const bad = [];
  const urlAttr = /^(href|src|action|formaction|poster|data|background|srcdoc|srcset|cite|ping|xlink:href|style)$/i;
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const v = a.value.replace(/[\s\u0000-\u001f]+/g, "").toLowerCase();
      if (/^on/i.test(a.name) || /^style$/i.test(a.name) || (urlAttr.test(a.name) && /(^|,)(javascript|vbscript|data):/.test(v))) bad.push(el.tagName + " " + a.name + "=" + a.value);
    }
  }
  return {
    globals: Object.keys(window).filter(k => k.startsWith("__xss")),
    bad: bad,
    scripts: Array.from(document.scripts, s => s.getAttribute("src") || "inline"),
    frames: document.querySelectorAll("iframe, frame, object, embed").length,
  };
})()`

type probeResult struct {
	Globals []string `json:"globals"`
	Bad     []string `json:"bad"`
	Scripts []string `json:"scripts"`
	Frames  int      `json:"frames"`
}

// TestBrowser loads the planet page in headless Chromium: no payload from
// the hostile feed runs (checked with the page's Content-Security-Policy
// bypassed, so that the sanitiser alone is tested, then with it); the page
// shows merged talks with thumbnails; a click on a video card swaps in the
// player, and so does Enter on it. Screenshots at desktop and phone widths
// are kept in testdata/out.
func TestBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	w := newHostileWorld(t)
	all, withHostile := w.pages(t)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chrome),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		// Nothing leaves the machine: every host but the test server's
		// fails to resolve (the thumbnails and players stay unloaded).
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	// Every dialog is recorded and dismissed, so that a payload calling
	// alert() could not block the page.
	var mu sync.Mutex
	var dialogs, cspErrors, exceptions []string
	dialogEvents := chromedp.Events(ctx, page.JavascriptDialogOpening)
	console := chromedp.Console(ctx)
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	go func() {
		for ev, err := range dialogEvents {
			if err != nil {
				return
			}
			mu.Lock()
			dialogs = append(dialogs, string(ev.Type)+": "+ev.Message)
			mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			text := m.String()
			mu.Lock()
			switch {
			case m.IsException():
				exceptions = append(exceptions, text)
			case strings.Contains(text, "Content Security Policy"):
				cspErrors = append(cspErrors, text)
			}
			mu.Unlock()
		}
	}()
	probe := func(t *testing.T, p string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(w.base+p)); err != nil {
			t.Fatalf("navigate %s: %v", p, err)
		}
		// Load every image now rather than when scrolled to, and wait for
		// each to load or fail: onerror payloads would fire then.
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => {
			for (const i of document.images) i.loading = "eager";
			return document.readyState === "complete" && Array.from(document.images).every(i => i.complete);
		})()`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("wait for %s: %v", p, err)
		}
		r, err := chromedp.Run(ctx, chromedp.Evaluate[probeResult](xssProbe))
		if err != nil {
			t.Fatalf("probe %s: %v", p, err)
		}
		if len(r.Globals) > 0 || len(r.Bad) > 0 || r.Frames > 0 || len(r.Scripts) != 1 || !strings.Contains(r.Scripts[0], "app.js?v=") {
			t.Errorf("%s: payloads ran or survive: %+v", p, r)
		}
	}

	// Every HTML page of the build (the XSS corpus of xss_test.go makes
	// a facet of many of its payloads).
	t.Run("no script from feeds runs, without CSP", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: true}); err != nil {
			t.Fatal(err)
		}
		defer chromedp.Call(ctx, page.SetBypassCSP, page.SetBypassCSPParams{Enabled: false})
		for _, p := range all {
			probe(t, p)
		}
		t.Logf("%d pages loaded", len(all))
	})

	t.Run("no script from feeds runs, with CSP", func(t *testing.T) {
		for _, p := range withHostile {
			if p != "/" {
				probe(t, p)
			}
		}
		probe(t, "/") // last: the subtests below look at it
		// Give the console a moment to report anything the CSP blocked.
		chromedp.Do(ctx, chromedp.Sleep(200*time.Millisecond))
		mu.Lock()
		defer mu.Unlock()
		if len(cspErrors) > 0 || len(exceptions) > 0 {
			t.Errorf("the page broke its own Content-Security-Policy or threw:\n%s\n%s",
				strings.Join(cspErrors, "\n"), strings.Join(exceptions, "\n"))
		}
	})

	t.Run("merged talks with thumbnails", func(t *testing.T) {
		type stats struct {
			Cards   int    `json:"cards"`
			Thumbs  int    `json:"thumbs"`
			Videos  int    `json:"videos"`
			Merged  int    `json:"merged"`
			Years   int    `json:"years"`
			Href    string `json:"href"`
			Overflw bool   `json:"overflow"`
		}
		s, err := chromedp.Run(ctx, chromedp.Evaluate[stats](`({
			cards: document.querySelectorAll("article.card").length,
			thumbs: document.querySelectorAll("article.card .thumb img[alt]:not([alt=''])").length,
			videos: document.querySelectorAll("article.card a.thumb[data-embed]").length,
			merged: Array.from(document.querySelectorAll("article.card")).filter(c => c.querySelectorAll(".links li").length > 1).length,
			years: document.querySelectorAll("section.year").length,
			href: (document.querySelector("a.thumb[data-embed]") || {}).href || "",
			overflow: document.documentElement.scrollWidth > window.innerWidth,
		})`))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%+v", s)
		if s.Cards < 20 || s.Thumbs < 10 || s.Videos < 8 || s.Merged < 3 || s.Years < 5 {
			t.Errorf("the page shows too little: %+v", s)
		}
		if !strings.HasPrefix(s.Href, "https://www.youtube.com/watch?v=") && !strings.HasPrefix(s.Href, "https://vimeo.com/") {
			t.Errorf("without JavaScript a video card links to %q, not to the video", s.Href)
		}
		if s.Overflw {
			t.Errorf("the page scrolls sideways at 1280 px")
		}
		shot(t, ctx, "planet-desktop.png", true)
	})

	t.Run("click to play", func(t *testing.T) {
		before, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href`))
		if err != nil {
			t.Fatal(err)
		}
		sel := chromedp.CSS(`a.thumb[data-embed*="youtube-nocookie.com"]`)
		if err := chromedp.Do(ctx, chromedp.ScrollIntoView(sel), chromedp.Click(sel)); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(".card.playing .player iframe"))); err != nil {
			t.Fatal(err)
		}
		type player struct {
			Src, Allow, Title, Href string
			Frames                  int
		}
		p, err := chromedp.Run(ctx, chromedp.Evaluate[player](`(() => {
			const f = document.querySelector(".card.playing .player iframe");
			return {Src: f.src, Allow: f.allow, Title: f.title, Href: location.href, Frames: document.querySelectorAll("iframe").length};
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(p.Src, "https://www.youtube-nocookie.com/embed/") || !strings.Contains(p.Src, "autoplay=1") ||
			!strings.HasPrefix(p.Title, "Video: ") || p.Href != before || p.Frames != 1 {
			t.Errorf("after the click: %+v (page was %s)", p, before)
		}
		shot(t, ctx, "planet-playing.png", false)

		// The keyboard does the same: Enter on a focused video card.
		vimeo := chromedp.CSS(`a.thumb[data-embed*="player.vimeo.com"]`)
		if err := chromedp.Do(ctx, chromedp.Focus(vimeo), chromedp.KeyEvent("\r")); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(`.player iframe[src*="player.vimeo.com"]`))); err != nil {
			t.Fatal(err)
		}
		src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('.player iframe[src*="player.vimeo.com"]').src`))
		if err != nil || !strings.Contains(src, "dnt=1") {
			t.Errorf("vimeo player %q (%v): want dnt=1", src, err)
		}
	})

	t.Run("phone", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(w.base+"/")); err != nil {
			t.Fatal(err)
		}
		overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if overflow {
			t.Errorf("the page scrolls sideways at 390 px")
		}
		shot(t, ctx, "planet-phone.png", false)
	})

	mu.Lock()
	defer mu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("dialogs opened: %q", dialogs)
	}
}

// shot saves a screenshot of the whole page, or of what the window shows,
// under testdata/out and logs its path.
func shot(t *testing.T, ctx context.Context, name string, full bool) {
	t.Helper()
	action := chromedp.CaptureScreenshot()
	if full {
		action = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(ctx, action)
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	path := filepath.Join(artifactDir(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
