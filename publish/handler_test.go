package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func serve(h http.Handler, method, path string, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestHandler(t *testing.T) {
	s := renderFixture(t)
	h := s.pub
	rss, html := s.outputs["/rss.xml"], s.outputs["/"]
	lastMod := now.Format(http.TimeFormat)

	for _, tc := range []struct {
		name       string
		method     string
		path       string
		hdr        map[string]string
		status     int
		wantHdr    map[string]string // "" means must be absent
		wantBody   []byte            // nil: not checked
		gzipBody   bool              // body is gzip of wantBody
		emptyBody  bool
		containsCT string
	}{
		{
			name: "rss", method: "GET", path: "/rss.xml", status: 200,
			wantHdr: map[string]string{
				"Content-Type": "application/rss+xml; charset=utf-8", "ETag": rss.etag, "Last-Modified": lastMod,
				"Cache-Control": "public, max-age=300", "Vary": "Accept-Encoding", "Access-Control-Allow-Origin": "*",
				"Content-Encoding": "", "Content-Security-Policy": "", "X-Content-Type-Options": "nosniff",
			},
			wantBody: rss.body,
		},
		{name: "atom type", method: "GET", path: "/atom.xml", status: 200,
			wantHdr: map[string]string{"Content-Type": "application/atom+xml; charset=utf-8", "Access-Control-Allow-Origin": "*"}},
		{name: "json feed type", method: "GET", path: "/feed.json", status: 200,
			wantHdr: map[string]string{"Content-Type": "application/feed+json; charset=utf-8", "Access-Control-Allow-Origin": "*"}},
		{name: "opml type", method: "GET", path: "/sources.opml", status: 200,
			wantHdr: map[string]string{"Content-Type": "text/x-opml; charset=utf-8"}},
		{
			name: "html", method: "GET", path: "/", status: 200,
			wantHdr: map[string]string{
				"Content-Type": "text/html; charset=utf-8", "ETag": html.etag, "Access-Control-Allow-Origin": "",
				"Content-Security-Policy": contentSecurityPolicy(nil), "Referrer-Policy": referrerPolicy, "X-Content-Type-Options": "nosniff",
			},
			wantBody: html.body,
		},
		{name: "index.html is /", method: "GET", path: "/index.html", status: 200,
			wantHdr: map[string]string{"ETag": html.etag}, wantBody: html.body},
		{name: "query ignored", method: "GET", path: "/rss.xml?utm=x", status: 200, wantBody: rss.body},
		{
			name: "gzip", method: "GET", path: "/rss.xml", hdr: map[string]string{"Accept-Encoding": "br, gzip;q=0.8"}, status: 200,
			wantHdr:  map[string]string{"Content-Encoding": "gzip", "ETag": gzTag(rss.etag), "Vary": "Accept-Encoding", "Content-Type": "application/rss+xml; charset=utf-8"},
			wantBody: rss.body, gzipBody: true,
		},
		{name: "gzip refused", method: "GET", path: "/rss.xml", hdr: map[string]string{"Accept-Encoding": "gzip;q=0, *"}, status: 200,
			wantHdr: map[string]string{"Content-Encoding": ""}, wantBody: rss.body},
		{name: "gzip by star", method: "GET", path: "/rss.xml", hdr: map[string]string{"Accept-Encoding": "*"}, status: 200,
			wantHdr: map[string]string{"Content-Encoding": "gzip"}, wantBody: rss.body, gzipBody: true},
		{name: "if-none-match", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-None-Match": rss.etag}, status: 304,
			wantHdr: map[string]string{"ETag": rss.etag, "Content-Type": "", "Vary": "Accept-Encoding"}, emptyBody: true},
		{name: "if-none-match list and weak", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-None-Match": `"x", W/` + rss.etag}, status: 304, emptyBody: true},
		{name: "if-none-match gzip", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-None-Match": gzTag(rss.etag), "Accept-Encoding": "gzip"}, status: 304,
			wantHdr: map[string]string{"ETag": gzTag(rss.etag)}, emptyBody: true},
		{name: "if-none-match other encoding", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-None-Match": gzTag(rss.etag)}, status: 200, wantBody: rss.body},
		{name: "if-none-match star", method: "GET", path: "/", hdr: map[string]string{"If-None-Match": "*"}, status: 304, emptyBody: true},
		{name: "if-none-match stale", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-None-Match": `"stale"`}, status: 200, wantBody: rss.body},
		{name: "if-modified-since same", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-Modified-Since": lastMod}, status: 304, emptyBody: true},
		{name: "if-modified-since later", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-Modified-Since": now.Add(time.Hour).Format(http.TimeFormat)}, status: 304, emptyBody: true},
		{name: "if-modified-since earlier", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-Modified-Since": now.Add(-time.Second).Format(http.TimeFormat)}, status: 200, wantBody: rss.body},
		{name: "if-none-match wins over if-modified-since", method: "GET", path: "/rss.xml",
			hdr: map[string]string{"If-None-Match": `"stale"`, "If-Modified-Since": lastMod}, status: 200, wantBody: rss.body},
		{name: "bad if-modified-since", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-Modified-Since": "yesterday"}, status: 200, wantBody: rss.body},
		{name: "head", method: "HEAD", path: "/atom.xml", status: 200, emptyBody: true,
			wantHdr: map[string]string{"Content-Type": "application/atom+xml; charset=utf-8", "ETag": s.outputs["/atom.xml"].etag}},
		{name: "head gzip", method: "HEAD", path: "/", hdr: map[string]string{"Accept-Encoding": "gzip"}, status: 200, emptyBody: true,
			wantHdr: map[string]string{"Content-Encoding": "gzip", "Content-Length": strconv.Itoa(len(gzipBytes(html.body)))}},
		{name: "post", method: "POST", path: "/rss.xml", status: 405, wantHdr: map[string]string{"Allow": "GET, HEAD"}},
		{name: "delete", method: "DELETE", path: "/", status: 405, wantHdr: map[string]string{"Allow": "GET, HEAD"}},
		{name: "unknown", method: "GET", path: "/nope.xml", status: 404},
		{name: "trailing slash", method: "GET", path: "/rss.xml/", status: 404},
		{name: "gz file is not a path", method: "GET", path: "/rss.xml.gz", status: 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := serve(h, tc.method, tc.path, tc.hdr)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d", w.Code, tc.status)
			}
			for k, v := range tc.wantHdr {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			got := w.Body.Bytes()
			if tc.emptyBody && len(got) != 0 {
				t.Errorf("body of %d bytes, want none", len(got))
			}
			if tc.gzipBody {
				got = gunzip(t, got)
			}
			if tc.wantBody != nil && !bytes.Equal(got, tc.wantBody) {
				t.Errorf("body differs (%d bytes, want %d)", len(got), len(tc.wantBody))
			}
			if tc.status == 200 && tc.method == "GET" {
				if cl := w.Header().Get("Content-Length"); cl != strconv.Itoa(w.Body.Len()) {
					t.Errorf("Content-Length %s, body %d", cl, w.Body.Len())
				}
			}
		})
	}
}

// gzTag is the ETag of an output's gzip form.
func gzTag(etag string) string { return strings.TrimSuffix(etag, `"`) + `-gz"` }

// TestHandlerResync publishes again over the same store: an unchanged
// stream keeps its ETag and Last-Modified whenever it is published again,
// and a changed one gets new ones.
func TestHandlerResync(t *testing.T) {
	ctx := context.Background()
	a := renderFixture(t)
	h := a.pub
	if _, err := a.pub.Sync(ctx, fixtureSources(), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	w := serve(h, "GET", "/rss.xml", nil)
	if got := w.Header().Get("Last-Modified"); got != now.Format(http.TimeFormat) {
		t.Errorf("unchanged rss Last-Modified = %s, want %s", got, now.Format(http.TimeFormat))
	}
	if got := w.Header().Get("ETag"); got != a.outputs["/rss.xml"].etag {
		t.Errorf("unchanged rss ETag = %s, want %s", got, a.outputs["/rss.xml"].etag)
	}

	// A changed item changes the feeds it is in, and only those.
	items := fixtureItems()
	items[0].Title = "Unikernels: Library Operating Systems for the Cloud (updated)"
	if err := putItems(ctx, a.store, items[:1]); err != nil {
		t.Fatal(err)
	}
	st, err := a.pub.Sync(ctx, fixtureSources(), now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if st.Rendered != 1 || st.Changed != 1 {
		t.Errorf("Sync after one change: %+v, want one item rendered", st)
	}
	c, err := assembleAll(a.pub, a.store)
	if err != nil {
		t.Fatal(err)
	}
	w = serve(h, "GET", "/rss.xml", map[string]string{"If-None-Match": a.outputs["/rss.xml"].etag})
	if w.Code != 200 || w.Header().Get("ETag") != c.outputs["/rss.xml"].etag || w.Header().Get("ETag") == a.outputs["/rss.xml"].etag {
		t.Errorf("after the change: %d %s", w.Code, w.Header().Get("ETag"))
	}
	if got := w.Header().Get("Last-Modified"); got != now.Add(2*time.Hour).Format(http.TimeFormat) {
		t.Errorf("changed rss Last-Modified = %s", got)
	}
	for p, o := range c.outputs {
		changed := !bytes.Equal(o.body, a.outputs[p].body)
		// A calendar's ETag is its stream's version: an item without a
		// start moves it and not the calendar's bytes (one spare 200).
		spare := strings.HasSuffix(p, fileICS) && !changed
		if o.kind == kindFeed && !spare && changed != (o.etag != a.outputs[p].etag) {
			t.Errorf("%s: bytes changed %v but ETag %s → %s", p, changed, a.outputs[p].etag, o.etag)
		}
	}

	unsynced, err := New(fixtureOptions(), a.store)
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(unsynced, "GET", "/", nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("before the first Sync: %d", w.Code)
	}
}

// TestHandlerConcurrent publishes while readers read, under -race.
func TestHandlerConcurrent(t *testing.T) {
	a := renderFixture(t)
	h := a.pub
	done := make(chan struct{})
	go func() {
		defer close(done)
		items := fixtureItems()
		for i := range 20 {
			items[0].Title = fmt.Sprintf("Unikernels, take %d", i)
			if err := putItems(context.Background(), a.store, items[:1]); err != nil {
				t.Error(err)
				return
			}
			if _, err := a.pub.Sync(context.Background(), fixtureSources(), now.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 50 {
		for _, p := range []string{"/feed.json", "/", "/kinds/paper/atom.xml"} {
			if w := serve(h, "GET", p, map[string]string{"Accept-Encoding": "gzip"}); w.Code != 200 {
				t.Fatalf("%s: status %d", p, w.Code)
			}
		}
	}
	<-done
}

// BenchmarkPublish renders the fixture's items into a new store and
// assembles every output once.
func BenchmarkPublish(b *testing.B) {
	opts, items, sources := fixtureOptions(), fixtureItems(), fixtureSources()
	for b.Loop() {
		if _, err := renderSite(b, opts, items, sources, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServeGzip(b *testing.B) {
	s, err := renderSite(b, fixtureOptions(), fixtureItems(), fixtureSources(), now)
	if err != nil {
		b.Fatal(err)
	}
	h := s.pub
	r := httptest.NewRequest("GET", "/feed.json", nil)
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}

// TestHandlerEveryPath asks for every output of the site as a feed reader or
// browser revalidating it would: each answers 200 with validators, then 304
// to If-None-Match (plain and gzip) and to If-Modified-Since, and HEAD.
func TestHandlerEveryPath(t *testing.T) {
	s := renderFixture(t)
	h := s.pub
	types := map[int]string{kindPage: "text/html; charset=utf-8"}
	for _, p := range s.Paths() {
		t.Run(p, func(t *testing.T) {
			o := s.outputs[p]
			w := serve(h, "GET", p, map[string]string{"Accept-Encoding": "gzip"})
			if w.Code != 200 {
				t.Fatalf("GET: %d", w.Code)
			}
			etag, lm := w.Header().Get("ETag"), w.Header().Get("Last-Modified")
			if etag == "" || lm == "" || w.Header().Get("Cache-Control") == "" || w.Header().Get("Vary") != "Accept-Encoding" {
				t.Errorf("validators or caching headers missing: %v", w.Header())
			}
			if ct := types[o.kind]; ct != "" && w.Header().Get("Content-Type") != ct {
				t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
			}
			if w.Header().Get("Content-Encoding") == "gzip" && !bytes.Equal(gunzip(t, w.Body.Bytes()), o.body) {
				t.Errorf("gzip body differs")
			}
			cors := w.Header().Get("Access-Control-Allow-Origin")
			if (o.kind == kindFeed) != (cors == "*") {
				t.Errorf("CORS %q on output kind %d", cors, o.kind)
			}
			if csp := w.Header().Get("Content-Security-Policy"); (o.kind == kindPage) != (csp != "") {
				t.Errorf("CSP %q on output kind %d", csp, o.kind)
			}
			for _, hdr := range []map[string]string{
				{"Accept-Encoding": "gzip", "If-None-Match": etag},
				{"If-None-Match": o.etag},
				{"If-None-Match": `"other", ` + o.etag},
				{"If-Modified-Since": lm},
			} {
				if w := serve(h, "GET", p, hdr); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
					t.Errorf("GET with %v: %d, %d bytes", hdr, w.Code, w.Body.Len())
				}
			}
			if w := serve(h, "HEAD", p, nil); w.Code != 200 || w.Body.Len() != 0 || w.Header().Get("Content-Length") != strconv.Itoa(len(o.body)) {
				t.Errorf("HEAD: %d, %d bytes, Content-Length %s", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
			}
			if strings.HasSuffix(p, "/") {
				if w := serve(h, "GET", p+"index.html", nil); w.Code != 200 || w.Header().Get("ETag") != o.etag {
					t.Errorf("%sindex.html: %d", p, w.Code)
				}
			}
		})
	}
}

func TestHandlerFolders(t *testing.T) {
	s := renderFixture(t)
	h := s.pub
	for _, tc := range []struct {
		path     string
		status   int
		location string
	}{
		{"/tags/xen", 301, "/tags/xen/"},
		{"/speakers/anil?x=1", 301, "/speakers/anil/?x=1"},
		{"/tags/xen/", 200, ""},
		{"/tags/xen/index.html", 200, ""},
		{"/tags", 404, ""},
		{"/tags/", 404, ""},
		{"/tags/nope/", 404, ""},
		{"/rss.xml/", 404, ""},
		{"/tags/xen/rss.xml.gz", 404, ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := serve(h, "GET", tc.path, nil)
			if w.Code != tc.status || w.Header().Get("Location") != tc.location {
				t.Errorf("%d %q, want %d %q", w.Code, w.Header().Get("Location"), tc.status, tc.location)
			}
		})
	}
}

// TestHandlerAssets checks the page's own files: their types, and a year's
// caching when asked for with the version the pages name.
func TestHandlerAssets(t *testing.T) {
	s := renderFixture(t)
	h := s.pub
	page := string(s.outputs["/"].body)
	for _, tc := range []struct{ name, ctype string }{
		{"style.css", "text/css; charset=utf-8"}, {"app.js", "text/javascript; charset=utf-8"}, {"favicon.svg", "image/svg+xml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := s.outputs["/"+tc.name]
			versioned := "/" + tc.name + "?v=" + o.version[:assetVersionLen]
			if !strings.Contains(page, `"`+strings.TrimPrefix(versioned, "/")+`"`) {
				t.Errorf("page does not link %s", versioned)
			}
			w := serve(h, "GET", versioned, nil)
			if w.Code != 200 || w.Header().Get("Content-Type") != tc.ctype || w.Header().Get("Cache-Control") != immutable {
				t.Errorf("%s: %d %q %q", versioned, w.Code, w.Header().Get("Content-Type"), w.Header().Get("Cache-Control"))
			}
			w = serve(h, "GET", "/"+tc.name+"?v=0000000000", nil)
			if w.Header().Get("Cache-Control") != "public, max-age=300" {
				t.Errorf("old version cached as %q", w.Header().Get("Cache-Control"))
			}
		})
	}
}

func TestHandlerMaxAge(t *testing.T) {
	for _, tc := range []struct {
		maxAge time.Duration
		want   string
	}{
		{0, "public, max-age=300"},
		{time.Hour, "public, max-age=3600"},
		{NoCache, "public, max-age=0"},
	} {
		opts := fixtureOptions()
		opts.MaxAge = tc.maxAge
		s, err := renderSite(t, opts, fixtureItems(), fixtureSources(), now)
		if err != nil {
			t.Fatal(err)
		}
		if got := serve(s.pub, "GET", "/atom.xml", nil).Header().Get("Cache-Control"); got != tc.want {
			t.Errorf("MaxAge %v: Cache-Control %q, want %q", tc.maxAge, got, tc.want)
		}
	}
}

// largeStream is a stream the size of a community's whole history: 600
// items over 16 years, 60 speakers, 80 events and 30 tags, half of them
// videos.
func largeStream() ([]talkstream.Item, Options) {
	opts := fixtureOptions()
	var items []talkstream.Item
	base := fixtureItems()
	for i := range 600 {
		it := base[i%len(base)]
		it.ID = fmt.Sprintf("%s-%d", it.ID, i)
		it.Title = fmt.Sprintf("%s (%d)", it.Title, i)
		it.Published = date(2010+i%16, time.Month(1+i%12), 1+i%28)
		it.Speakers = []string{fmt.Sprintf("Speaker %d", i%60)}
		it.Event = fmt.Sprintf("event-%d-%d", i%40, 2010+i%2)
		it.Tags = []string{fmt.Sprintf("tag%d", i%30), fmt.Sprintf("tag%d", (i+7)%30)}
		items = append(items, it)
	}
	return items, opts
}

func BenchmarkPublishLarge(b *testing.B) {
	items, opts := largeStream()
	sources := fixtureSources()
	var s *testSite
	for b.Loop() {
		var err error
		if s, err = renderSite(b, opts, items, sources, now); err != nil {
			b.Fatal(err)
		}
	}
	var n, gz int
	for _, o := range s.outputs {
		n += len(o.body)
		gz += len(gzipBytes(o.body))
	}
	b.ReportMetric(float64(len(s.outputs)), "outputs")
	b.ReportMetric(float64(n)/1e6, "MB")
	b.ReportMetric(float64(gz)/1e6, "MB-gz")
}
