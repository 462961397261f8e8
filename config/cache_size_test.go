package config

import (
	"strings"
	"testing"
)

// TestCacheSize covers cache_size: its default, sizes with units, and the
// errors that name the line.
func TestCacheSize(t *testing.T) {
	const head = "base_url: https://talks.example.org/\n"
	const tail = "sources:\n  - {id: blog, kind: blog, url: \"https://example.org/feed\"}\n"
	for _, tc := range []struct {
		name, line string
		want       int64
		err        string
	}{
		{"default", "", DefaultCacheSize, ""},
		{"MiB", "cache_size: 256MiB\n", 256 << 20, ""},
		{"too small", "cache_size: 4KiB\n", 0, "feeds.yaml:2: cache_size 4KiB must be between 1MiB and 64GiB"},
		{"garbage", "cache_size: big\n", 0, "feeds.yaml:2: cache_size: \"big\" is not a size"},
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
			if cfg.CacheSize != tc.want || cfg.PublishOptions().CacheSize != tc.want {
				t.Errorf("CacheSize = %d (publish %d), want %d", cfg.CacheSize, cfg.PublishOptions().CacheSize, tc.want)
			}
		})
	}
}
