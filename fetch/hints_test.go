package fetch

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func TestFreshness(t *testing.T) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"none", http.Header{}, 0},
		{"max-age", http.Header{"Cache-Control": {"public, max-age=3600"}}, time.Hour},
		{"max-age quoted", http.Header{"Cache-Control": {`max-age="600"`}}, 10 * time.Minute},
		{"max-age wins over expires", http.Header{"Cache-Control": {"max-age=60"}, "Expires": {now.Add(2 * time.Hour).Format(http.TimeFormat)}}, time.Minute},
		{"no-cache", http.Header{"Cache-Control": {"no-cache, max-age=3600"}}, 0},
		{"no-store in a second header", http.Header{"Cache-Control": {"max-age=3600", "no-store"}}, 0},
		{"bad max-age", http.Header{"Cache-Control": {"max-age=soon"}}, 0},
		{"huge max-age", http.Header{"Cache-Control": {"max-age=99999999999999"}}, maxHint},
		{"expires against date", http.Header{"Date": {now.Add(-time.Hour).Format(http.TimeFormat)}, "Expires": {now.Format(http.TimeFormat)}}, time.Hour},
		{"expires against now", http.Header{"Expires": {now.Add(90 * time.Minute).Format(http.TimeFormat)}}, 90 * time.Minute},
		{"expires past", http.Header{"Date": {date}, "Expires": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0},
		{"expires zero", http.Header{"Expires": {"0"}}, 0},
		{"expires 2099", http.Header{"Date": {date}, "Expires": {"Thu, 01 Jan 2099 00:00:00 GMT"}}, maxHint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := freshness(tt.header, now); got != tt.want {
				t.Errorf("freshness = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"-3", 0},
		{"soon", 0},
		{now.Add(10 * time.Minute).Format(http.TimeFormat), 10 * time.Minute},
		{now.Add(-10 * time.Minute).Format(http.TimeFormat), 0},
		{"99999999999", maxHint},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := retryAfter(tt.in, now); got != tt.want {
				t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestStatusHints: the hints a response gives reach the Result or Error.
func TestStatusHints(t *testing.T) {
	feed := readFixture(t, "rss.xml")
	tests := []struct {
		name           string
		handler        http.HandlerFunc
		wantStatus     int
		wantRetryAfter time.Duration
		wantFresh      time.Duration
		wantErr        bool
	}{
		{
			name: "429 with Retry-After",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "3600")
				http.Error(w, "slow down", http.StatusTooManyRequests)
			},
			wantStatus: 429, wantRetryAfter: time.Hour, wantErr: true,
		},
		{
			name: "503 with Retry-After",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "120")
				http.Error(w, "maintenance", http.StatusServiceUnavailable)
			},
			wantStatus: 503, wantRetryAfter: 2 * time.Minute, wantErr: true,
		},
		{
			name: "500 ignores Retry-After",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "120")
				http.Error(w, "oops", http.StatusInternalServerError)
			},
			wantStatus: 500, wantErr: true,
		},
		{
			name: "200 with max-age",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", "max-age=7200")
				w.Write(feed)
			},
			wantStatus: 200, wantFresh: 2 * time.Hour,
		},
		{
			name: "304 with max-age",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", "max-age=7200")
				w.WriteHeader(http.StatusNotModified)
			},
			wantStatus: 304, wantFresh: 2 * time.Hour,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			src := talkstream.Source{ID: "x", URL: srv.URL}
			src.State.ETag = `"v1"`
			res, err := New(Options{}).Fetch(context.Background(), src)
			if tt.wantErr {
				var fe *Error
				if !errors.As(err, &fe) {
					t.Fatalf("want *Error, got %v", err)
				}
				if fe.Status != tt.wantStatus || fe.RetryAfter != tt.wantRetryAfter {
					t.Errorf("status %d retry-after %v, want %d %v", fe.Status, fe.RetryAfter, tt.wantStatus, tt.wantRetryAfter)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tt.wantStatus || res.Fresh != tt.wantFresh {
				t.Errorf("status %d fresh %v, want %d %v", res.Status, res.Fresh, tt.wantStatus, tt.wantFresh)
			}
		})
	}
}

func TestFeedTTL(t *testing.T) {
	rss := func(channelExtra, ns string) string {
		return `<?xml version="1.0"?><rss version="2.0"` + ns + `><channel><title>t</title>` + channelExtra +
			`<item><title>a</title><link>https://example.org/a</link></item></channel></rss>`
	}
	const sy = ` xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"`
	tests := []struct {
		name, body string
		want       time.Duration
	}{
		{"none", rss("", ""), 0},
		{"ttl", rss("<ttl>180</ttl>", ""), 3 * time.Hour},
		{"bad ttl", rss("<ttl>often</ttl>", ""), 0},
		{"sy daily", rss("<sy:updatePeriod>daily</sy:updatePeriod>", sy), 24 * time.Hour},
		{"sy hourly twice", rss("<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>", sy), 30 * time.Minute},
		{"ttl wins over sy", rss("<ttl>90</ttl><sy:updatePeriod>daily</sy:updatePeriod>", sy), 90 * time.Minute},
		{"sy unknown period", rss("<sy:updatePeriod>fortnightly</sy:updatePeriod>", sy), 0},
		{"atom has none", string(readFixture(t, "atom.xml")), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, "application/rss+xml", []byte(tt.body))
			res, err := New(Options{}).Fetch(context.Background(), talkstream.Source{ID: "x", URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if res.TTL != tt.want {
				t.Errorf("TTL = %v, want %v", res.TTL, tt.want)
			}
		})
	}
	t.Run("304 keeps the stored ttl", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusNotModified)
		}))
		defer srv.Close()
		src := talkstream.Source{ID: "x", URL: srv.URL}
		src.State.ETag, src.State.TTL = `"v"`, 3*time.Hour
		res, err := New(Options{}).Fetch(context.Background(), src)
		if err != nil || !res.NotModified || res.TTL != 3*time.Hour {
			t.Fatalf("res %+v err %v", res, err)
		}
	})
}

// TestCyrillic: Windows-1251 decoded once, from the prolog or the header.
func TestCyrillic(t *testing.T) {
	tests := []struct{ name, fixture, contentType string }{
		{"prolog", "cp1251-prolog.xml", "application/rss+xml"},
		{"prolog and header", "cp1251-prolog.xml", "text/xml; charset=windows-1251"},
		{"header only", "cp1251-noprolog.xml", "application/rss+xml; charset=windows-1251"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.contentType, readFixture(t, tt.fixture))
			res, err := New(Options{}).Fetch(context.Background(), talkstream.Source{ID: "x", URL: srv.URL})
			if err != nil {
				t.Fatal(err)
			}
			if res.FeedTitle != "Юникернелы" || len(res.Entries) != 1 || res.Entries[0].Title != "Доклад о MirageOS" ||
				res.Entries[0].Summary != "Москва, 2019" {
				t.Errorf("title %q entries %+v", res.FeedTitle, res.Entries)
			}
		})
	}
}

// FuzzHints: header parsing never panics and stays within [0, maxHint].
func FuzzHints(f *testing.F) {
	for _, s := range []string{"max-age=60", "no-cache", `max-age="5", public`, "120", "Thu, 01 Jan 2099 00:00:00 GMT", "-1", ""} {
		f.Add(s)
	}
	now := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		for _, d := range []time.Duration{
			freshness(http.Header{"Cache-Control": {v}}, now),
			freshness(http.Header{"Expires": {v}, "Date": {v}}, now),
			retryAfter(v, now),
		} {
			if d < 0 || d > maxHint {
				t.Fatalf("%q gave %v", v, d)
			}
		}
	})
}
