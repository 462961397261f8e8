package config

import (
	"strings"
	"testing"
	"time"
)

// TestCacheMaxAge covers the publish key cache_max_age: its default, Go
// durations and days, zero, and the errors that name the line.
func TestCacheMaxAge(t *testing.T) {
	const head = "base_url: https://talks.example.org/\n"
	const tail = "sources:\n  - {id: blog, kind: blog, url: \"https://example.org/feed\"}\n"
	for _, tc := range []struct {
		name, line string
		want       time.Duration
		err        string
	}{
		{"default", "", DefaultCacheMaxAge, ""},
		{"minutes", "cache_max_age: 10m\n", 10 * time.Minute, ""},
		{"days", "cache_max_age: 1d\n", 24 * time.Hour, ""},
		{"zero", "cache_max_age: 0s\n", 0, ""},
		{"negative", "cache_max_age: -1m\n", 0, "feeds.yaml:2: cache_max_age -1m must be between 0s and 365d"},
		{"garbage", "cache_max_age: soon\n", 0, "feeds.yaml:2: cache_max_age: \"soon\" is not a duration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(head+tc.line+tail))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.CacheMaxAge != tc.want {
				t.Errorf("CacheMaxAge = %v, want %v", cfg.CacheMaxAge, tc.want)
			}
		})
	}
}
