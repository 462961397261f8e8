package ingest

// The hostile feed suite: one ingest cycle, with the real fetcher, merger
// and store, over good sources and every kind of bad source we know of.
// Each bad source must end in a clear per-source error or in cleaned
// entries; the good sources must be ingested as if the bad ones were not
// there; and the process's memory must stay bounded while bodies are
// endless, compressed a thousandfold or full of entity tricks.

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/store"
)

// Limits of the hostile cycle: small enough that the slow and endless
// sources end quickly, large enough for a 10,000-entry feed.
const (
	hostileTimeout  = 2 * time.Second
	hostileMaxBytes = 8 << 20
	// memoryBound is how much the heap in use may grow during the cycle
	// (sampled while it runs, and after it). A gzip bomb decompressed
	// whole would be a gibibyte.
	memoryBound = 200 << 20
)

// rssItem is one <item>; empty fields are left out.
type rssItem struct{ guid, link, title, date, desc string }

func (it rssItem) String() string {
	var b strings.Builder
	b.WriteString("<item>")
	for _, f := range []struct{ tag, v string }{{"guid", it.guid}, {"link", it.link}, {"title", it.title}, {"pubDate", it.date}, {"description", it.desc}} {
		if f.v != "" {
			fmt.Fprintf(&b, "<%s>%s</%s>", f.tag, f.v, f.tag)
		}
	}
	b.WriteString("</item>\n")
	return b.String()
}

// rss is an RSS 2.0 document with prolog (which may be "") and items.
func rss(prolog, title string, items ...rssItem) string {
	var b strings.Builder
	b.WriteString(prolog)
	fmt.Fprintf(&b, "<rss version=\"2.0\"><channel><title>%s</title><link>https://hostile.example/</link>\n", title)
	for _, it := range items {
		b.WriteString(it.String())
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

// gzipBomb is a gzip body that inflates to n MiB of zeros: one member of
// 1 MiB, repeated (readers decode concatenated members as one stream).
func gzipBomb(t testing.TB, mib int) []byte {
	t.Helper()
	var one bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&one, gzip.BestCompression)
	if _, err := zw.Write(make([]byte, 1<<20)); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return bytes.Repeat(one.Bytes(), mib)
}

func encode(t testing.TB, cm *charmap.Charmap, s string) []byte {
	t.Helper()
	b, err := cm.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hostileCase is one source of the cycle and what must become of it.
type hostileCase struct {
	id      string
	handler http.HandlerFunc
	// For a source that must fail: the sentinel (nil: any) and a part of
	// the message.
	wantErr   bool
	errIs     error
	errSubstr string
	// For a source that must be ingested: how many entries it stores, and
	// further checks on them.
	entries int
	check   func(t *testing.T, es []talkstream.Entry)
}

func TestHostileFeeds(t *testing.T) {
	var xxeHits atomic.Int32 // requests for an external entity: must stay 0
	stop := make(chan struct{})
	var srvURL string

	write := func(body string, contentType string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			w.Write([]byte(body))
		}
	}
	writeBytes := func(body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.Write(body) }
	}
	good := func(n int, prefix string) string {
		var items []rssItem
		for i := range n {
			items = append(items, rssItem{
				guid: fmt.Sprintf("%s-%d", prefix, i), link: fmt.Sprintf("https://%s.example/%d", prefix, i),
				title: fmt.Sprintf("Talk %d of %s about unikernels", i, prefix),
				date:  t0.Add(-time.Duration(n-i) * 24 * time.Hour).Format(time.RFC1123Z),
				desc:  "<p>A good talk.</p>",
			})
		}
		return rss(`<?xml version="1.0" encoding="UTF-8"?>`, prefix, items...)
	}
	var goodAExtra atomic.Bool // a second cycle adds a newer entry to good-a
	longTitle := strings.Repeat("Unikernels all the way down ", 100<<10/28)
	huge := func() string {
		var b strings.Builder
		b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>huge</title>`)
		for i := range 10000 {
			fmt.Fprintf(&b, "<item><guid>h%d</guid><link>https://huge.example/%d</link><title>Entry %d</title><pubDate>%s</pubDate><description>d %d</description></item>\n",
				i, i, i, t0.Add(-time.Duration(i)*time.Minute).Format(time.RFC1123Z), i)
		}
		b.WriteString("</channel></rss>")
		return b.String()
	}()

	cases := []hostileCase{
		{id: "good-a", entries: 3, handler: func(w http.ResponseWriter, r *http.Request) {
			body := good(3, "good-a")
			if goodAExtra.Load() {
				newer := rssItem{guid: "good-a-new", link: "https://good-a.example/new", title: "A newer talk",
					date: t0.Add(90 * time.Minute).Format(time.RFC1123Z)}
				body = strings.Replace(body, "<item>", newer.String()+"<item>", 1)
			}
			w.Write([]byte(body))
		}},
		{id: "good-b", entries: 5, handler: write(good(5, "good-b"), "application/rss+xml")},

		// Not feeds at all, or not whole ones: an error, never a partial parse.
		{id: "truncated", wantErr: true, errIs: fetch.ErrNotFeed, errSubstr: "unexpected EOF",
			handler: write(good(3, "truncated")[:300], "application/rss+xml")},
		{id: "garbage", wantErr: true, errIs: fetch.ErrNotFeed, errSubstr: "no RSS, Atom or JSON Feed",
			handler: write("Hello, world! <<< this is not a feed >>>", "text/plain")},
		{id: "json-garbage", wantErr: true, errIs: fetch.ErrNotFeed, errSubstr: "invalid character",
			handler: write(`{"version": "https://jsonfeed.org/version/1.1", "items": [{{{`, "application/feed+json")},
		{id: "html-page", wantErr: true, errIs: fetch.ErrNotFeed, errSubstr: "HTML page",
			handler: write("<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p></body></html>", "text/html; charset=utf-8")},
		{id: "empty-200", wantErr: true, errIs: fetch.ErrNotFeed, errSubstr: "empty body", handler: write("", "")},
		{id: "blank-200", wantErr: true, errIs: fetch.ErrNotFeed, errSubstr: "empty body", handler: write(" \r\n\t ", "application/rss+xml")},
		// Broken but recoverable markup: the structure is repaired (the
		// misspelt end tag closes the title), both items are read.
		{id: "malformed", entries: 2, handler: write(`<rss version="2.0"><channel><title>m</title>`+
			`<item><title>Mismatched</titl><link>https://malformed.example/1</link></item>`+
			`<item><title>Unclosed <b>bold</title><link>https://malformed.example/2</link></item></chanel></rss>`, ""),
			check: func(t *testing.T, es []talkstream.Entry) {
				for _, e := range es {
					t.Logf("kept %q %q", e.Title, e.Link)
					if e.Title == "" && e.Link == "" {
						t.Errorf("an empty entry survived: %+v", e)
					}
					if strings.Contains(e.Title, "https://") {
						t.Errorf("the link ran into the title: %q", e.Title)
					}
				}
			}},

		// Limits.
		{id: "over-cap", wantErr: true, errIs: fetch.ErrTooLarge, errSubstr: "Content-Length",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", fmt.Sprint(hostileMaxBytes+1))
				w.Write(bytes.Repeat([]byte(" "), hostileMaxBytes+1))
			}},
		{id: "over-cap-chunked", wantErr: true, errIs: fetch.ErrTooLarge, errSubstr: "more than",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte("<rss><channel>"))
				w.(http.Flusher).Flush() // no Content-Length from here on
				chunk := bytes.Repeat([]byte("<item><title>x</title></item>"), 1<<10)
				for sent := 0; sent <= hostileMaxBytes; sent += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return
					}
				}
			}},
		{id: "gzip-bomb", wantErr: true, errIs: fetch.ErrTooLarge, handler: func() http.HandlerFunc {
			bomb := gzipBomb(t, 1024) // 1 GiB of zeros in about 1 MiB
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Type", "application/rss+xml")
				w.Write(bomb)
			}
		}()},
		{id: "gzip-bomb-unasked", wantErr: true, errIs: fetch.ErrNotFeed, handler: func() http.HandlerFunc {
			bomb := gzipBomb(t, 64) // served as a gzip file, not an encoding: not a feed
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/gzip")
				w.Write(bomb)
			}
		}()},
		{id: "endless", wantErr: true, errIs: fetch.ErrTooLarge, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`<rss version="2.0"><channel><title>endless</title>`))
			chunk := []byte(strings.Repeat("<item><title>again</title></item>\n", 256))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		}},
		{id: "drip", wantErr: true, errIs: context.DeadlineExceeded, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			body := good(2, "drip")
			for i := range len(body) {
				if _, err := w.Write([]byte{body[i]}); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-time.After(time.Second):
				case <-r.Context().Done():
					return
				case <-stop:
					return
				}
			}
		}},

		// Redirects.
		{id: "redirect-loop", wantErr: true, errSubstr: "stopped after 5 redirects", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/redirect-loop?again", http.StatusFound)
		}},
		{id: "redirect-file", wantErr: true, errSubstr: "not http or https", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "file:///etc/passwd")
			w.WriteHeader(http.StatusMovedPermanently)
		}},
		{id: "redirect-javascript", wantErr: true, errSubstr: "not http or https", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "javascript:alert(1)")
			w.WriteHeader(http.StatusFound)
		}},
		{id: "redirect-ftp", wantErr: true, errSubstr: "not http or https", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Location", "ftp://127.0.0.1/feed.xml")
			w.WriteHeader(http.StatusTemporaryRedirect)
		}},

		// Statuses.
		{id: "status-500", wantErr: true, errIs: fetch.ErrHTTPStatus, errSubstr: "500", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, strings.Repeat("stack trace ", 1<<16), http.StatusInternalServerError)
		}},
		{id: "status-429", wantErr: true, errIs: fetch.ErrHTTPStatus, errSubstr: "429", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7200")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		}},
		{id: "status-503-date", wantErr: true, errIs: fetch.ErrHTTPStatus, errSubstr: "503", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", time.Now().Add(5*time.Hour).UTC().Format(http.TimeFormat))
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		}},

		{id: "huge-status-line", wantErr: true, errIs: fetch.ErrHTTPStatus, errSubstr: "500 Internal", handler: func(w http.ResponseWriter, r *http.Request) {
			conn, buf, err := w.(http.Hijacker).Hijack()
			if err != nil {
				return
			}
			defer conn.Close()
			fmt.Fprintf(buf, "HTTP/1.1 500 Internal %s\x01\xff\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", strings.Repeat("Error ", 20<<10))
			buf.Flush()
		}},
		{id: "huge-headers", wantErr: true, errSubstr: "headers exceeded", handler: func(w http.ResponseWriter, r *http.Request) {
			for i := range 64 {
				w.Header().Set(fmt.Sprintf("X-Junk-%d", i), strings.Repeat("j", 16<<10))
			}
			w.Write([]byte(good(1, "huge-headers")))
		}},
		{id: "huge-etag", entries: 1, handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `"`+strings.Repeat("e", 100<<10)+`"`)
			w.Header().Set("Last-Modified", strings.Repeat("Mon, ", 20<<10))
			w.Write([]byte(good(1, "huge-etag")))
		}},

		// Dates.
		{id: "dates", entries: 6, handler: write(rss("", "dates",
			rssItem{guid: "d-2099", link: "https://dates.example/2099", title: "From the future", date: "Thu, 01 Jan 2099 00:00:00 +0000"},
			rssItem{guid: "d-bad", link: "https://dates.example/bad", title: "Not a date", date: "the day after tomorrow"},
			rssItem{guid: "d-feb31", link: "https://dates.example/feb31", title: "February 31st", date: "Sat, 31 Feb 2024 10:00:00 GMT"},
			rssItem{guid: "d-1000", link: "https://dates.example/1000", title: "The year 1000", date: "Wed, 01 Jan 1000 00:00:00 GMT"},
			rssItem{guid: "d-0001", link: "https://dates.example/0001", title: "The year 1", date: "Mon, 01 Jan 0001 00:00:01 GMT"},
			rssItem{guid: "d-ok", link: "https://dates.example/ok", title: "An honest date", date: "Mon, 01 Apr 2024 10:00:00 GMT"},
		), "")},

		// Identity.
		{id: "no-identity", entries: 2, handler: write(rss("", "anon",
			rssItem{desc: "<p>Only a description: no guid, no link, no title.</p>"},
			rssItem{title: "Only a title"},
			rssItem{}, // nothing at all: dropped
		), ""), check: func(t *testing.T, es []talkstream.Entry) {
			for _, e := range es {
				if e.Title == "" && e.Summary == "" {
					t.Errorf("an empty entry was kept: %+v", e)
				}
			}
		}},
		{id: "duplicate-guids", entries: 3, handler: write(rss("", "dups",
			rssItem{guid: "same", link: "https://dups.example/1", title: "First with the GUID"},
			rssItem{guid: "same", link: "https://dups.example/2", title: "Second with the GUID"},
			rssItem{guid: "same", link: "https://dups.example/2", title: "Second with the GUID"}, // again, word for word
			rssItem{guid: "other", link: "https://dups.example/3", title: "Another"},
		), "")},
		{id: "huge", entries: 10000, handler: write(huge, "application/rss+xml")},

		// Characters.
		{id: "control-chars", entries: 3, handler: write(rss("", "ctl",
			rssItem{guid: "c1", link: "https://ctl.example/1", title: "Bell\x07 and\x01 escape\x1b[31m", desc: "<p>nul\x00 and \x0b vertical tab</p>"},
			rssItem{guid: "c2", link: "https://ctl.example/2", title: "As references &#x1;&#x7;&#27; here", desc: "&amp;#x1;&lt;p&gt;encoded&lt;/p&gt;"},
			rssItem{guid: "c3", link: "https://ctl.example/3", title: "C1 \u0085 and DEL \x7f and BOM \ufeff"},
		), ""), check: func(t *testing.T, es []talkstream.Entry) {
			for _, e := range es {
				for _, s := range []string{e.Title, e.Summary} {
					if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' }); i >= 0 {
						t.Errorf("control character %q left in %q", s[i:i+1], s)
					}
				}
			}
		}},
		{id: "invalid-utf8", entries: 1, handler: write(`<?xml version="1.0" encoding="UTF-8"?>`+
			rss("", "u", rssItem{guid: "u1", link: "https://utf.example/1", title: "Caf\xc3\xa9 \xff\xfe broken \xc3 bytes"}), ""),
			check: func(t *testing.T, es []talkstream.Entry) {
				if e := es[0]; !utf8.ValidString(e.Title) || !strings.HasPrefix(e.Title, "Café") {
					t.Errorf("title %q", e.Title)
				}
			}},
		{id: "latin1-undeclared", entries: 1, handler: writeBytes(encode(t, charmap.ISO8859_1,
			rss("", "Café", rssItem{guid: "l1", link: "https://latin.example/1", title: "Crème brûlée à Zürich"}))),
			check: func(t *testing.T, es []talkstream.Entry) {
				if es[0].Title != "Crème brûlée à Zürich" {
					t.Errorf("title %q", es[0].Title)
				}
			}},
		{id: "cp1251-undeclared", entries: 1, handler: writeBytes(encode(t, charmap.Windows1251,
			rss("", "Юникернелы", rssItem{guid: "r1", link: "https://ru.example/1", title: "Доклад о MirageOS в Москве", desc: "Юникернелы и безопасность"}))),
			check: func(t *testing.T, es []talkstream.Entry) {
				if es[0].Title != "Доклад о MirageOS в Москве" || es[0].Summary != "Юникернелы и безопасность" {
					t.Errorf("title %q, summary %q", es[0].Title, es[0].Summary)
				}
			}},
		{id: "rtl-emoji", entries: 1, handler: write(rss("", "rtl",
			rssItem{guid: "e1", link: "https://rtl.example/1", title: "مرحبا بالعالم 👋🏽 שלום 🏳️‍🌈 ZWJ", desc: "<p dir=\"rtl\">نص عربي 🎉</p>"}), ""),
			check: func(t *testing.T, es []talkstream.Entry) {
				if es[0].Title != "مرحبا بالعالم 👋🏽 שלום 🏳️‍🌈 ZWJ" {
					t.Errorf("title %q", es[0].Title)
				}
			}},
		{id: "long-title", entries: 1, handler: write(rss("", "long",
			rssItem{guid: "t1", link: "https://long.example/1", title: longTitle}), ""),
			check: func(t *testing.T, es []talkstream.Entry) {
				if n := len(es[0].Title); n > 4<<10 || !strings.HasPrefix(es[0].Title, "Unikernels all the way down") {
					t.Errorf("a %d-byte title was kept at %d bytes", len(longTitle), n)
				}
			}},

		// XML entity tricks: never expanded, never fetched, never read.
		{id: "billion-laughs", entries: 1, handler: write(`<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><guid>laughs</guid><link>https://laughs.example/1</link><title>Laughs &lol9;</title><description>&lol9;&lol9;&lol9;</description></item>
</channel></rss>`, "application/rss+xml"),
			check: func(t *testing.T, es []talkstream.Entry) {
				if e := es[0]; len(e.Title)+len(e.Summary) > 1<<10 || strings.Contains(e.Title, "lollol") {
					t.Errorf("entities expanded: title %d bytes, summary %d bytes", len(e.Title), len(e.Summary))
				}
			}},
		{id: "external-entities", entries: 1, handler: func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY passwd SYSTEM "file:///etc/passwd">
 <!ENTITY remote SYSTEM "%[1]s/xxe">
 <!ENTITY %% param SYSTEM "%[1]s/xxe-param">
 %%param;
]>
<rss version="2.0"><channel><title>x</title>
<item><guid>xxe</guid><link>https://xxe.example/1</link><title>Passwd: &passwd; remote: &remote;</title><description>&passwd;</description></item>
</channel></rss>`, srvURL)
		}, check: func(t *testing.T, es []talkstream.Entry) {
			for _, s := range []string{es[0].Title, es[0].Summary} {
				if strings.Contains(s, "root:") {
					t.Errorf("/etc/passwd was read into %q", s)
				}
			}
		}},

		// Schedules, calendars and pages are read as warily as feeds.
		{id: "schedule-hostile", entries: 2, handler: write(`<?xml version="1.0"?><schedule><conference><title>Evil &amp; Co</title>`+
			`<time_zone_name>../../etc/passwd</time_zone_name><base_url>javascript:alert(1)//</base_url></conference>`+
			`<day date="2025-02-01"><room name="R"><event guid="e1"><date>2025-02-01T10:00:00+01:00</date><duration>99999:00</duration>`+
			`<title>&lt;script&gt;alert(1)&lt;/script&gt;Talk`+"\x01"+`</title><url>javascript:alert(1)</url>`+
			`<persons><person>`+strings.Repeat("Name", 200)+`</person></persons>`+
			`<links><link href="data:text/html,x">x</link><link href="https://ok.example/v.webm">Video</link></links></event>`+
			`<event guid="e2"><start>25:99</start><title>Second</title></event></room></day></schedule>`, "application/xml"),
			check: func(t *testing.T, es []talkstream.Entry) {
				for _, e := range es {
					if e.Link != "" || e.Duration != 0 || !e.Start.IsZero() && e.GUID == "e2" {
						t.Errorf("a hostile field survived: link %q duration %v start %v", e.Link, e.Duration, e.Start)
					}
					for _, l := range e.Links {
						if !strings.HasPrefix(l.URL, "https://") {
							t.Errorf("link %q kept", l.URL)
						}
					}
					if len(e.Speakers) > 0 && utf8.RuneCountInString(e.Speakers[0]) > 201 {
						t.Errorf("a speaker's name is not capped: %d runes", utf8.RuneCountInString(e.Speakers[0]))
					}
				}
			}},
		{id: "ics-too-deep", wantErr: true, errIs: fetch.ErrNotFeed, errSubstr: "nested more than",
			handler: write("BEGIN:VCALENDAR\r\n"+strings.Repeat("BEGIN:VEVENT\r\n", 100000), "text/calendar")},
		{id: "ics-long-parameter", entries: 1, handler: write("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:1\r\nDTSTART;TZID=\""+
			strings.Repeat("x", 4<<20)+"\":20250101T100000\r\nSUMMARY:kept\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", "text/calendar")},
		// The HTML parser refuses a page nested past 512 elements.
		{id: "page-deep-entries", wantErr: true, errIs: fetch.ErrNotFeed, errSubstr: "exceeds 512", handler: write("<!DOCTYPE html><html><body>"+
			strings.Repeat(`<div class="h-entry"><a class="u-url p-name" href="https://deep.example/">deep</a>`, 100000)+"</body></html>", "text/html")},
		{id: "jsonld-hostile", entries: 1, handler: write(`<!DOCTYPE html><html><head><script type="application/ld+json">`+
			`{"@type":"Event","name":"JSON-LD talk","url":"javascript:alert(1)","startDate":"99999-01-01",`+
			`"performer":`+strings.Repeat("[", 5000)+strings.Repeat("]", 5000)+`}</script></head><body></body></html>`, "text/html"),
			check: func(t *testing.T, es []talkstream.Entry) {
				if es[0].Link != "" || !es[0].Start.IsZero() {
					t.Errorf("a hostile field survived: %+v", es[0])
				}
			}},
	}

	mux := http.NewServeMux()
	var srcs []talkstream.Source
	for _, c := range cases {
		mux.HandleFunc("/"+c.id, c.handler)
	}
	mux.HandleFunc("/xxe", func(w http.ResponseWriter, r *http.Request) { xxeHits.Add(1) })
	mux.HandleFunc("/xxe-param", func(w http.ResponseWriter, r *http.Request) { xxeHits.Add(1) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	defer close(stop) // before srv.Close: endless handlers return
	srvURL = srv.URL
	for _, c := range cases {
		srcs = append(srcs, blog(c.id, srv.URL+"/"+c.id))
	}

	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "hostile.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	clk := &clock{t: t0}
	in := New(st, fetch.New(fetch.Options{Timeout: hostileTimeout, MaxBytes: hostileMaxBytes}),
		merge.New(merge.Options{Sources: srcs}), srcs,
		Options{Concurrency: 8, PerHost: len(srcs), Now: clk.Now, Rand: func() float64 { return 0.5 }})

	// One cycle, with the heap sampled while it runs.
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	sampling := make(chan struct{})
	var sampled sync.WaitGroup
	sampled.Add(1)
	go func() {
		defer sampled.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-sampling:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	outcomes := map[string]Outcome{}
	sum, err := in.Run(context.Background(), srcs, func(o Outcome) { outcomes[o.Source] = o })
	close(sampling)
	sampled.Wait()
	if err != nil {
		t.Fatalf("the cycle failed as a whole: %v", err)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	grow := func(a uint64) int64 { return int64(a) - int64(before.HeapInuse) }
	t.Logf("cycle: %+v; heap in use %d MiB before, peak +%d MiB, after +%d MiB; %d MiB allocated",
		sum, before.HeapInuse>>20, grow(peak.Load())>>20, grow(after.HeapInuse)>>20, (after.TotalAlloc-before.TotalAlloc)>>20)
	if g := grow(peak.Load()); g > memoryBound {
		t.Errorf("the heap grew by %d MiB during the cycle, bound %d MiB", g>>20, memoryBound>>20)
	}
	if g := grow(after.HeapInuse); g > memoryBound {
		t.Errorf("the heap grew by %d MiB after the cycle, bound %d MiB", g>>20, memoryBound>>20)
	}
	if len(outcomes) != len(cases) {
		t.Fatalf("%d outcomes for %d sources", len(outcomes), len(cases))
	}
	if n := xxeHits.Load(); n != 0 {
		t.Errorf("an external entity was fetched %d times", n)
	}

	items, err := st.Items(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	bySource := map[string][]talkstream.Entry{}
	itemOf := map[string]talkstream.Item{} // entry link → its item
	for _, it := range items {
		for _, ie := range it.Entries {
			bySource[ie.Entry.SourceID] = append(bySource[ie.Entry.SourceID], ie.Entry)
			itemOf[ie.Entry.Link] = it
		}
	}
	states, err := st.SourceStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			o := outcomes[c.id]
			state := states[c.id]
			if c.wantErr {
				if o.Kind != OutcomeError {
					t.Fatalf("outcome %s, want an error", o.Kind)
				}
				if c.errIs != nil && !errors.Is(o.Err, c.errIs) {
					t.Errorf("error %v is not %v", o.Err, c.errIs)
				}
				if !strings.Contains(o.Err.Error(), c.errSubstr) {
					t.Errorf("error %q does not say %q", o.Err, c.errSubstr)
				}
				if state.Errors != 1 || state.LastError != o.Err.Error() || !state.NextCheck.After(t0) {
					t.Errorf("recorded state %+v", state)
				}
				if len(state.LastError) > 2<<10 {
					t.Errorf("a %d-byte error was recorded", len(state.LastError))
				}
				if n := len(bySource[c.id]); n != 0 {
					t.Errorf("a failed source stored %d entries", n)
				}
				t.Logf("%s", o)
				return
			}
			if o.Kind != OutcomeOK {
				t.Fatalf("outcome %s: %v", o.Kind, o.Err)
			}
			es := bySource[c.id]
			if len(es) != c.entries {
				t.Fatalf("%d entries stored, want %d", len(es), c.entries)
			}
			for _, e := range es {
				for _, s := range append([]string{e.Title, e.Summary, e.Content, e.Link}, e.Authors...) {
					if !utf8.ValidString(s) {
						t.Errorf("invalid UTF-8 stored: %q", s)
					}
				}
			}
			if c.check != nil {
				c.check(t, es)
			}
		})
	}

	t.Run("retry-after honoured", func(t *testing.T) {
		if got := states["status-429"].NextCheck.Sub(t0); got < 2*time.Hour {
			t.Errorf("429 with Retry-After 7200: next check in %v", got)
		}
		if got := states["status-503-date"].NextCheck.Sub(t0); got < 4*time.Hour {
			t.Errorf("503 with Retry-After in 5 h: next check in %v", got)
		}
	})

	t.Run("validators bounded", func(t *testing.T) {
		if s := states["huge-etag"]; s.ETag != "" || s.LastModified != "" {
			t.Errorf("a %d-byte ETag and a %d-byte Last-Modified were stored", len(s.ETag), len(s.LastModified))
		}
	})

	t.Run("drip hit the total timeout", func(t *testing.T) {
		var fe *fetch.Error
		if o := outcomes["drip"]; !errors.As(o.Err, &fe) || !fe.Timeout() {
			t.Errorf("%v: not a timeout", o.Err)
		}
	})

	t.Run("dates are clamped and ordered", func(t *testing.T) {
		epoch := time.Unix(0, 0)
		for i, it := range items {
			if it.Published.After(t0) || !it.Published.After(epoch) {
				t.Errorf("item %q published %v: outside (1970, now]", it.Title, it.Published)
			}
			if i > 0 && it.Published.After(items[i-1].Published) {
				t.Errorf("items out of order: %q (%v) after %q (%v)", it.Title, it.Published, items[i-1].Title, items[i-1].Published)
			}
		}
		if p := itemOf["https://dates.example/ok"].Published; !p.Equal(time.Date(2024, 4, 1, 10, 0, 0, 0, time.UTC)) {
			t.Errorf("an honest date became %v", p)
		}
		// A later cycle brings a newer talk: it goes above the entry that
		// claimed 2099, which is not pinned to the top.
		clk.Add(2 * time.Hour)
		goodAExtra.Store(true)
		var a []talkstream.Source
		for _, s := range srcs {
			if s.ID == "good-a" {
				a = append(a, s)
			}
		}
		if _, err := in.Run(context.Background(), a, nil); err != nil {
			t.Fatal(err)
		}
		items, err := st.Items(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		pos := map[string]int{}
		for i, it := range items {
			for _, ie := range it.Entries {
				pos[ie.Entry.Link] = i
			}
		}
		if pos["https://good-a.example/new"] > pos["https://dates.example/2099"] {
			t.Errorf("the item dated 2099 stays above a newer one: positions %d and %d",
				pos["https://dates.example/2099"], pos["https://good-a.example/new"])
		}
	})

	t.Run("store intact", func(t *testing.T) {
		if err := st.IntegrityCheck(context.Background()); err != nil {
			t.Error(err)
		}
	})
}
