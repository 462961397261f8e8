package config

import (
	"strings"
	"testing"
	"time"
)

// TestRetention covers retention: none by default (a planet keeps its
// history), days and Go durations, zero, and the errors that name the line.
func TestRetention(t *testing.T) {
	const head = "base_url: https://talks.example.org/\n"
	const tail = "sources:\n  - {id: blog, kind: blog, url: \"https://example.org/feed\"}\n"
	for _, tc := range []struct {
		name, line string
		want       time.Duration
		err        string
	}{
		{"default keeps everything", "", 0, ""},
		{"days", "retention: 730d\n", 730 * 24 * time.Hour, ""},
		{"hours", "retention: 48h\n", 48 * time.Hour, ""},
		{"zero keeps everything", "retention: 0\n", 0, ""},
		{"too short", "retention: 730\n", 0, "feeds.yaml:2: retention: \"730\" is not a duration"},
		{"under a day", "retention: 12h\n", 0, "feeds.yaml:2: retention 12h is shorter than 1d"},
		{"negative", "retention: -1h\n", 0, "feeds.yaml:2: retention -1h is shorter than 1d"},
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
			if cfg.Retention != tc.want {
				t.Errorf("Retention = %v, want %v", cfg.Retention, tc.want)
			}
		})
	}
}
