package fetch

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// maxHint bounds every server- or feed-given wait we report: a typo such as
// max-age=31536000 or an Expires in 2099 must not silence a source for a year.
const maxHint = 30 * 24 * time.Hour

// freshness reads how long a response stays fresh: Cache-Control max-age
// wins over Expires (RFC 9111 §4.2.1); no-store and no-cache mean 0.
func freshness(h http.Header, now time.Time) time.Duration {
	maxAge, found := "", false
	for _, cc := range h.Values("Cache-Control") {
		for _, dir := range strings.Split(cc, ",") {
			name, val, _ := strings.Cut(strings.TrimSpace(dir), "=")
			switch strings.ToLower(strings.TrimSpace(name)) {
			case "no-store", "no-cache":
				return 0
			case "max-age":
				if !found {
					maxAge, found = val, true
				}
			}
		}
	}
	if found {
		n, err := strconv.ParseInt(strings.Trim(strings.TrimSpace(maxAge), `"`), 10, 64)
		if err != nil || n <= 0 {
			return 0
		}
		return clampHint(time.Duration(min(n, int64(maxHint/time.Second))) * time.Second)
	}
	exp := h.Get("Expires")
	if exp == "" {
		return 0
	}
	t, err := http.ParseTime(exp)
	if err != nil {
		return 0 // "0" or garbage means already expired
	}
	// Measured against the server's own clock when it sent one, so that
	// clock skew between us does not count.
	base := now
	if d, err := http.ParseTime(h.Get("Date")); err == nil {
		base = d
	}
	return clampHint(t.Sub(base))
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return clampHint(time.Duration(min(n, int64(maxHint/time.Second))) * time.Second)
	}
	if t, err := http.ParseTime(v); err == nil {
		return clampHint(t.Sub(now))
	}
	return 0
}

func clampHint(d time.Duration) time.Duration {
	return max(0, min(d, maxHint))
}

// feedTTL is the feed's own update hint: RSS <ttl> (minutes), else the
// syndication module's updatePeriod divided by updateFrequency.
func feedTTL(rssTTL string, feed *gofeed.Feed) time.Duration {
	if n, err := strconv.Atoi(strings.TrimSpace(rssTTL)); err == nil && n > 0 {
		return clampHint(time.Duration(min(n, int(maxHint/time.Minute))) * time.Minute)
	}
	sy := feed.Extensions["sy"]
	if sy == nil {
		return 0
	}
	first := func(name string) string {
		if v := sy[name]; len(v) > 0 {
			return strings.TrimSpace(v[0].Value)
		}
		return ""
	}
	var period time.Duration
	switch strings.ToLower(first("updatePeriod")) {
	case "hourly":
		period = time.Hour
	case "daily":
		period = 24 * time.Hour
	case "weekly":
		period = 7 * 24 * time.Hour
	case "monthly":
		period = 30 * 24 * time.Hour
	case "yearly":
		period = 365 * 24 * time.Hour
	default:
		return 0
	}
	freq := 1
	if n, err := strconv.Atoi(first("updateFrequency")); err == nil && n > 0 {
		freq = n
	}
	return clampHint(period / time.Duration(freq))
}
