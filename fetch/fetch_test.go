package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

// demoFeeds is the demo's fixture folder (testdata/feeds at the root),
// written relative to fetch/testdata as readFixture's names are: the
// schedule page, talks page and calendar the demo serves have one copy.
const demoFeeds = "../../testdata/feeds/"

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serve starts a loopback server that answers every request with body.
func serve(t *testing.T, contentType string, body []byte) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchFeeds(t *testing.T) {
	tests := []struct {
		name, fixture, contentType string
		kind                       talkstream.SourceKind
		wantTitle                  string
		wantEntries                int
		check                      func(t *testing.T, e []talkstream.Entry)
	}{
		{
			name: "atom", fixture: "atom.xml", contentType: "application/atom+xml",
			kind: talkstream.SourceBlog, wantTitle: "The MirageOS Blog", wantEntries: 3,
			check: func(t *testing.T, e []talkstream.Entry) {
				want := "MirageOS 4.0 & beyond: released"
				if e[0].Title != want {
					t.Errorf("title = %q, want %q", e[0].Title, want)
				}
				if e[0].Link != "https://mirageos.org/blog/announcing-mirage-40" {
					t.Errorf("link = %q", e[0].Link)
				}
				if got := strings.Join(e[0].Authors, ","); got != "Thomas Gazagnaire,Hannes Mehnert" {
					t.Errorf("authors = %q", got)
				}
				if got := strings.Join(e[1].Authors, ","); got != "The MirageOS Team" {
					t.Errorf("authors fall back to the feed's: got %q", got)
				}
				if e[1].Link != "https://mirageos.org/blog/2015/polyconf" {
					t.Errorf("xml:base link = %q", e[1].Link)
				}
				if v := e[2].Video; v == nil || v.ID != "cUvNths_5RA" {
					t.Errorf("a link to a video is that video: got %+v", v)
				}
			},
		},
		{
			name: "rss", fixture: "rss.xml", contentType: "application/rss+xml; charset=utf-8",
			kind: talkstream.SourcePerson, wantTitle: "Anil Madhavapeddy :: News", wantEntries: 3,
			check: func(t *testing.T, e []talkstream.Entry) {
				if e[0].Title != "OCaml & MirageOS: fast TLS" {
					t.Errorf("title = %q", e[0].Title)
				}
				if e[0].GUID != "urn:recoil:notes:ocaml-tls" {
					t.Errorf("guid = %q", e[0].GUID)
				}
				if got := strings.Join(e[0].Categories, ","); got != "tls,security" {
					t.Errorf("categories = %q", got)
				}
				if e[1].Link != "https://anil.recoil.org/notes/qcon-sf-2013" {
					t.Errorf("relative link = %q", e[1].Link)
				}
				if e[2].Link != "https://anil.recoil.org/papers/2013-asplos-mirage" {
					t.Errorf("link from a permalink guid = %q", e[2].Link)
				}
			},
		},
		{
			name: "youtube", fixture: "youtube.xml", contentType: "text/xml; charset=UTF-8",
			kind: talkstream.SourceYouTube, wantTitle: "Strange Loop Conference", wantEntries: 2,
			check: func(t *testing.T, e []talkstream.Entry) {
				v := e[0].Video
				if v == nil {
					t.Fatal("no video")
				}
				want := talkstream.Video{
					Provider:  "youtube",
					ID:        "W9F4pn9Lngc",
					URL:       "https://www.youtube.com/watch?v=W9F4pn9Lngc",
					EmbedURL:  "https://www.youtube-nocookie.com/embed/W9F4pn9Lngc",
					Thumbnail: "https://i2.ytimg.com/vi/W9F4pn9Lngc/hqdefault.jpg",
					Channel:   "Strange Loop Conference",
				}
				if *v != want {
					t.Errorf("video = %+v\nwant %+v", *v, want)
				}
				if !strings.Contains(e[0].Summary, "MirageOS &amp; friends &lt;3<br>") {
					t.Errorf("summary from media:description = %q", e[0].Summary)
				}
				if e[0].Thumbnail != want.Thumbnail {
					t.Errorf("thumbnail = %q", e[0].Thumbnail)
				}
				if got := e[1].Video.Thumbnail; got != "https://i.ytimg.com/vi/GNc1t6Q5Dls/hqdefault.jpg" {
					t.Errorf("fallback thumbnail = %q", got)
				}
			},
		},
		{
			name: "vimeo", fixture: "vimeo.xml", contentType: "application/rss+xml",
			kind: talkstream.SourceVimeo, wantTitle: "Vimeo / Anil Madhavapeddy’s videos", wantEntries: 2,
			check: func(t *testing.T, e []talkstream.Entry) {
				v := e[0].Video
				if v == nil {
					t.Fatal("no video")
				}
				want := talkstream.Video{
					Provider:  "vimeo",
					ID:        "57412215",
					URL:       "https://vimeo.com/57412215",
					EmbedURL:  "https://player.vimeo.com/video/57412215?dnt=1",
					Thumbnail: "https://i.vimeocdn.com/video/405891249-3c5d9a_960x540.jpg",
					Duration:  1934 * time.Second,
					Channel:   "Anil Madhavapeddy",
				}
				if *v != want {
					t.Errorf("video = %+v\nwant %+v", *v, want)
				}
				if got := e[1].Video.Thumbnail; got != "https://i.vimeocdn.com/video/98416224_200x150.jpg" {
					t.Errorf("thumbnail from the description's <img> = %q", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := readFixture(t, tt.fixture)
			var ua string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				ua = r.Header.Get("User-Agent")
				w.Header().Set("Content-Type", tt.contentType)
				w.Header().Set("ETag", `"abc"`)
				w.Header().Set("Last-Modified", "Wed, 01 May 2024 10:00:00 GMT")
				w.Write(body)
			}))
			defer srv.Close()

			src := talkstream.Source{ID: "src-" + tt.name, Kind: tt.kind, URL: srv.URL + "/feed"}
			res, err := New(Options{}).Fetch(context.Background(), src)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(ua, "talkstream/"+talkstream.Version) {
				t.Errorf("User-Agent = %q", ua)
			}
			if res.Status != 200 || res.NotModified || res.Unchanged {
				t.Errorf("status %d notModified %v unchanged %v", res.Status, res.NotModified, res.Unchanged)
			}
			if res.ETag != `"abc"` || res.LastModified != "Wed, 01 May 2024 10:00:00 GMT" {
				t.Errorf("validators %q %q", res.ETag, res.LastModified)
			}
			if res.Bytes != int64(len(body)) || len(res.BodyHash) != 64 {
				t.Errorf("bytes %d hash %q", res.Bytes, res.BodyHash)
			}
			if res.URL != src.URL || res.MovedTo != "" {
				t.Errorf("url %q movedTo %q", res.URL, res.MovedTo)
			}
			if res.FeedTitle != tt.wantTitle {
				t.Errorf("feed title = %q, want %q", res.FeedTitle, tt.wantTitle)
			}
			if len(res.Entries) != tt.wantEntries {
				t.Fatalf("got %d entries, want %d", len(res.Entries), tt.wantEntries)
			}
			for _, e := range res.Entries {
				if e.SourceID != src.ID {
					t.Errorf("SourceID = %q", e.SourceID)
				}
			}
			tt.check(t, res.Entries)
		})
	}
}

func TestConditionalGET(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(readFixture(t, "atom.xml"))
	}))
	defer srv.Close()

	src := talkstream.Source{ID: "blog", Kind: talkstream.SourceBlog, URL: srv.URL}
	src.State.ETag = `"v1"`
	src.State.LastModified = "Tue, 30 Apr 2024 08:00:00 GMT"
	src.State.FeedTitle = "Stored title"
	res, err := New(Options{}).Fetch(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("If-None-Match") != `"v1"` || got.Get("If-Modified-Since") != src.State.LastModified {
		t.Errorf("conditional headers not sent: %v", got)
	}
	if !res.NotModified || res.Status != 304 || res.Entries != nil {
		t.Errorf("want a 304 with nothing parsed, got %+v", res)
	}
	if res.ETag != `"v1"` || res.LastModified != src.State.LastModified || res.FeedTitle != "Stored title" {
		t.Errorf("stored validators not kept: %+v", res)
	}
}

func TestUnchangedBody(t *testing.T) {
	srv := serve(t, "application/atom+xml", readFixture(t, "atom.xml"))
	f := New(Options{})
	src := talkstream.Source{ID: "blog", Kind: talkstream.SourceBlog, URL: srv.URL}
	first, err := f.Fetch(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	src.State.BodyHash = first.BodyHash
	second, err := f.Fetch(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if !second.Unchanged || second.Entries != nil || second.Status != 200 || second.BodyHash != first.BodyHash {
		t.Errorf("want Unchanged with nothing parsed, got %+v", second)
	}
}

func TestRedirects(t *testing.T) {
	feed := readFixture(t, "rss.xml")
	mux := http.NewServeMux()
	hop := func(from, to string, code int) {
		mux.HandleFunc(from, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, code) })
	}
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) { w.Write(feed) })
	hop("/301", "/feed", http.StatusMovedPermanently)
	hop("/308", "/feed", http.StatusPermanentRedirect)
	hop("/302", "/feed", http.StatusFound)
	hop("/307", "/feed", http.StatusTemporaryRedirect)
	hop("/301-302", "/302", http.StatusMovedPermanently)
	hop("/302-301", "/301", http.StatusFound)
	hop("/ftp", "ftp://127.0.0.1/feed", http.StatusMovedPermanently)
	for i := 0; i < 6; i++ {
		hop("/loop"+string(rune('0'+i)), "/loop"+string(rune('1'+i)), http.StatusFound)
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		path, movedTo string
		wantErr       bool
	}{
		{path: "/301", movedTo: "/feed"},
		{path: "/308", movedTo: "/feed"},
		{path: "/302"},
		{path: "/307"},
		{path: "/301-302", movedTo: "/302"},
		{path: "/302-301"},
		{path: "/ftp", wantErr: true},
		{path: "/loop0", wantErr: true},
	}
	f := New(Options{})
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, err := f.Fetch(context.Background(), talkstream.Source{ID: "x", URL: srv.URL + tt.path})
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %+v", res)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tt.movedTo != "" {
				want = srv.URL + tt.movedTo
			}
			if res.MovedTo != want {
				t.Errorf("MovedTo = %q, want %q", res.MovedTo, want)
			}
			if res.URL != srv.URL+"/feed" {
				t.Errorf("URL = %q", res.URL)
			}
			if len(res.Entries) != 3 {
				t.Errorf("%d entries", len(res.Entries))
			}
		})
	}
}

func gzipped(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzip(t *testing.T) {
	feed := readFixture(t, "atom.xml")
	big := append(append([]byte{}, feed[:len(feed)-len("</feed>\n")]...), bytes.Repeat([]byte("<!-- padding -->\n"), 2000)...)
	big = append(big, "</feed>\n"...)
	serveGzip := func(body []byte) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipped(t, body))
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	// DisableCompression: the transport leaves gzip to us.
	manual := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	tests := []struct {
		name    string
		client  *http.Client
		body    []byte
		wantErr error
	}{
		{name: "transport", body: feed},
		{name: "manual", client: manual, body: feed},
		{name: "transport over cap", body: big, wantErr: ErrTooLarge},
		{name: "manual over cap", client: manual, body: big, wantErr: ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serveGzip(tt.body)
			f := New(Options{Client: tt.client, MaxBytes: int64(len(feed)) + 100})
			res, err := f.Fetch(context.Background(), talkstream.Source{ID: "x", URL: srv.URL})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entries) != 3 || res.Bytes != int64(len(feed)) {
				t.Errorf("%d entries, %d bytes", len(res.Entries), res.Bytes)
			}
		})
	}
}

func TestFetchErrors(t *testing.T) {
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "nope", code) }
	}
	body := func(ct, s string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Write([]byte(s))
		}
	}
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		opts       Options
		wantIs     []error
		wantNot    []error
		wantStatus int
		wantMsg    string
	}{
		{name: "410", handler: status(410), wantIs: []error{ErrGone, ErrHTTPStatus}, wantStatus: 410},
		{name: "500", handler: status(500), wantIs: []error{ErrHTTPStatus}, wantNot: []error{ErrGone}, wantStatus: 500},
		{name: "404", handler: status(404), wantIs: []error{ErrHTTPStatus}, wantStatus: 404},
		{
			name: "over cap", handler: body("application/atom+xml", string(readFixture(t, "atom.xml"))),
			opts: Options{MaxBytes: 100}, wantIs: []error{ErrTooLarge}, wantStatus: 200,
		},
		{
			name: "html page", handler: body("text/html; charset=utf-8", string(readFixture(t, "page.html"))),
			wantIs: []error{ErrNotFeed}, wantStatus: 200, wantMsg: "HTML page that advertises another feed, at http://127.0.0.1:",
		},
		{
			name: "html page as xml", handler: body("application/xml", string(readFixture(t, "page.html"))),
			wantIs: []error{ErrNotFeed}, wantMsg: "HTML page",
		},
		{name: "empty", handler: body("application/rss+xml", ""), wantIs: []error{ErrNotFeed}, wantStatus: 200, wantMsg: "empty body"},
		{name: "blank", handler: body("application/rss+xml", " \n\t"), wantIs: []error{ErrNotFeed}},
		{name: "text", handler: body("text/plain", "hello, world"), wantIs: []error{ErrNotFeed}},
		{name: "broken xml", handler: body("application/rss+xml", "<rss><channel><<item><title>x"), wantIs: []error{ErrNotFeed}},
		{name: "unknown root", handler: body("application/xml", "<?xml version='1.0'?><opml/>"), wantIs: []error{ErrNotFeed}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			res, err := New(tt.opts).Fetch(context.Background(), talkstream.Source{ID: "x", URL: srv.URL})
			if err == nil {
				t.Fatalf("want an error, got %+v", res)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("%T is not *Error: %v", err, err)
			}
			for _, want := range tt.wantIs {
				if !errors.Is(err, want) {
					t.Errorf("errors.Is(%v, %v) = false", err, want)
				}
			}
			for _, not := range tt.wantNot {
				if errors.Is(err, not) {
					t.Errorf("errors.Is(%v, %v) = true", err, not)
				}
			}
			if tt.wantStatus != 0 && fe.Status != tt.wantStatus {
				t.Errorf("Status = %d, want %d", fe.Status, tt.wantStatus)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("message %q does not contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)

	start := time.Now()
	_, err := New(Options{Timeout: 100 * time.Millisecond}).Fetch(context.Background(), talkstream.Source{ID: "x", URL: srv.URL})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline error", err)
	}
	var fe *Error
	if !errors.As(err, &fe) || !fe.Timeout() {
		t.Errorf("want *Error with Timeout() true, got %#v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestCharsets(t *testing.T) {
	tests := []struct {
		name, fixture, contentType, want string
	}{
		{"latin-1 with prolog", "latin1-prolog.xml", "application/rss+xml", "Crème brûlée à Zürich"},
		{"latin-1 with prolog and header", "latin1-prolog.xml", "text/xml; charset=ISO-8859-1", "Crème brûlée à Zürich"},
		{"latin-1 without prolog, header charset", "latin1-noprolog.xml", "application/rss+xml; charset=ISO-8859-1", "Crème brûlée à Zürich"},
		{"latin-1 without prolog or charset", "latin1-noprolog.xml", "application/rss+xml", "Crème brûlée à Zürich"},
		{"windows-1252 without prolog or charset", "cp1252-nocharset.xml", "", "Don’t pay 5 € for a café"},
		{"utf-8 prolog wins over header", "vimeo.xml", "application/rss+xml; charset=iso-8859-1", "Mirage: extreme specialisation of cloud appliances"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.contentType, readFixture(t, tt.fixture))
			res, err := New(Options{}).Fetch(context.Background(), talkstream.Source{ID: "x", URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Entries) == 0 || res.Entries[0].Title != tt.want {
				t.Fatalf("entries %+v, want title %q", res.Entries, tt.want)
			}
			if strings.HasPrefix(tt.fixture, "latin1") {
				if res.FeedTitle != "Café Unikernel" || res.Entries[0].Summary != "Ångström ± 5 °C" {
					t.Errorf("feed title %q summary %q", res.FeedTitle, res.Entries[0].Summary)
				}
			}
			if tt.fixture == "vimeo.xml" && res.FeedTitle != "Vimeo / Anil Madhavapeddy’s videos" {
				t.Errorf("decoded twice: %q", res.FeedTitle)
			}
		})
	}
}

func TestRelativeLinksAgainstFeedURL(t *testing.T) {
	// No channel <link>: relative links resolve against the URL fetched.
	feed := `<rss version="2.0"><channel><title>t</title>
<item><title>one</title><link>../posts/1</link><description>&lt;img src="img/a.png"&gt;</description></item>
<item><title>two</title><link>/posts/2</link></item>
</channel></rss>`
	srv := serve(t, "application/rss+xml", []byte(feed))
	res, err := New(Options{}).Fetch(context.Background(), talkstream.Source{ID: "x", URL: srv.URL + "/blog/feed/rss.xml"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{srv.URL + "/blog/posts/1", srv.URL + "/posts/2"}
	for i, w := range want {
		if res.Entries[i].Link != w {
			t.Errorf("entry %d link = %q, want %q", i, res.Entries[i].Link, w)
		}
	}
	if got, w := res.Entries[0].Thumbnail, srv.URL+"/blog/feed/img/a.png"; got != w {
		t.Errorf("thumbnail = %q, want %q", got, w)
	}
	if !strings.Contains(res.Entries[0].Summary, `src="`+srv.URL+`/blog/feed/img/a.png"`) {
		t.Errorf("summary URLs not resolved: %q", res.Entries[0].Summary)
	}
}

func TestOptions(t *testing.T) {
	var ua string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.Header.Get("User-Agent")
		w.Write(readFixture(t, "rss.xml"))
	}))
	defer srv.Close()
	if _, err := New(Options{UserAgent: "talkstream-test/1"}).Fetch(context.Background(), talkstream.Source{URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	if ua != "talkstream-test/1" {
		t.Errorf("User-Agent = %q", ua)
	}
	for _, bad := range []string{"ftp://example.org/feed", "file:///etc/passwd", "://nope", ""} {
		if _, err := New(Options{}).Fetch(context.Background(), talkstream.Source{URL: bad}); err == nil {
			t.Errorf("Fetch(%q) succeeded", bad)
		}
	}
}
