package publish

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"
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
	h := NewHandler(s)
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
				"Content-Security-Policy": pageCSP, "Referrer-Policy": referrerPolicy, "X-Content-Type-Options": "nosniff",
			},
			wantBody: html.body,
		},
		{name: "index.html is /", method: "GET", path: "/index.html", status: 200,
			wantHdr: map[string]string{"ETag": html.etag}, wantBody: html.body},
		{name: "query ignored", method: "GET", path: "/rss.xml?utm=x", status: 200, wantBody: rss.body},
		{
			name: "gzip", method: "GET", path: "/rss.xml", hdr: map[string]string{"Accept-Encoding": "br, gzip;q=0.8"}, status: 200,
			wantHdr:  map[string]string{"Content-Encoding": "gzip", "ETag": rss.gzTag, "Vary": "Accept-Encoding", "Content-Type": "application/rss+xml; charset=utf-8"},
			wantBody: rss.body, gzipBody: true,
		},
		{name: "gzip refused", method: "GET", path: "/rss.xml", hdr: map[string]string{"Accept-Encoding": "gzip;q=0, *"}, status: 200,
			wantHdr: map[string]string{"Content-Encoding": ""}, wantBody: rss.body},
		{name: "gzip by star", method: "GET", path: "/rss.xml", hdr: map[string]string{"Accept-Encoding": "*"}, status: 200,
			wantHdr: map[string]string{"Content-Encoding": "gzip"}, wantBody: rss.body, gzipBody: true},
		{name: "if-none-match", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-None-Match": rss.etag}, status: 304,
			wantHdr: map[string]string{"ETag": rss.etag, "Content-Type": "", "Vary": "Accept-Encoding"}, emptyBody: true},
		{name: "if-none-match list and weak", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-None-Match": `"x", W/` + rss.etag}, status: 304, emptyBody: true},
		{name: "if-none-match gzip", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-None-Match": rss.gzTag, "Accept-Encoding": "gzip"}, status: 304,
			wantHdr: map[string]string{"ETag": rss.gzTag}, emptyBody: true},
		{name: "if-none-match other encoding", method: "GET", path: "/rss.xml", hdr: map[string]string{"If-None-Match": rss.gzTag}, status: 200, wantBody: rss.body},
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
			wantHdr: map[string]string{"Content-Encoding": "gzip", "Content-Length": strconv.Itoa(len(html.gz))}},
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

func TestHandlerSwap(t *testing.T) {
	a := renderFixture(t)
	h := NewHandler(a)

	// Re-rendered an hour later without changes: the feeds' bytes are the
	// same, so their Last-Modified must not move.
	b, err := Render(fixtureOptions(), fixtureItems(), fixtureSources(), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	h.Swap(b)
	if got := serve(h, "GET", "/rss.xml", nil).Header().Get("Last-Modified"); got != now.Format(http.TimeFormat) {
		t.Errorf("unchanged rss Last-Modified = %s, want %s", got, now.Format(http.TimeFormat))
	}

	// A new item changes the feeds.
	items := fixtureItems()
	items[0].Title = "Unikernels: Library Operating Systems for the Cloud (updated)"
	c, err := Render(fixtureOptions(), items, fixtureSources(), now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	h.Swap(c)
	w := serve(h, "GET", "/rss.xml", map[string]string{"If-None-Match": a.outputs["/rss.xml"].etag})
	if w.Code != 200 || w.Header().Get("ETag") != c.outputs["/rss.xml"].etag {
		t.Errorf("after Swap: %d %s", w.Code, w.Header().Get("ETag"))
	}
	if got := w.Header().Get("Last-Modified"); got != now.Add(2*time.Hour).Format(http.TimeFormat) {
		t.Errorf("changed rss Last-Modified = %s", got)
	}

	h.Swap(nil)
	if w := serve(h, "GET", "/", nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("nil site: %d", w.Code)
	}
	if w := serve(NewHandler(nil), "GET", "/", nil); w.Code != http.StatusServiceUnavailable {
		t.Errorf("NewHandler(nil): %d", w.Code)
	}
}

// TestHandlerConcurrent exercises Swap against readers under -race.
func TestHandlerConcurrent(t *testing.T) {
	a := renderFixture(t)
	h := NewHandler(a)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 50 {
			h.Swap(a)
		}
	}()
	for range 50 {
		if w := serve(h, "GET", "/feed.json", map[string]string{"Accept-Encoding": "gzip"}); w.Code != 200 {
			t.Fatalf("status %d", w.Code)
		}
	}
	<-done
}

func BenchmarkRender(b *testing.B) {
	opts, items, sources := fixtureOptions(), fixtureItems(), fixtureSources()
	for b.Loop() {
		if _, err := Render(opts, items, sources, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkServeGzip(b *testing.B) {
	s, err := Render(fixtureOptions(), fixtureItems(), fixtureSources(), now)
	if err != nil {
		b.Fatal(err)
	}
	h := NewHandler(s)
	r := httptest.NewRequest("GET", "/feed.json", nil)
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
}
