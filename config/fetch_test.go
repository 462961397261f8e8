package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

const fetchBase = "base_url: https://example.org/\n"

func TestFetchBlock(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       Fetch
	}{
		{"defaults", "", Fetch{Concurrency: 4, PerHost: 1, Timeout: 30 * time.Second, MaxBytes: 10 << 20, Lease: 5 * time.Minute}},
		{"empty block", "fetch: {}\n", Fetch{Concurrency: 4, PerHost: 1, Timeout: 30 * time.Second, MaxBytes: 10 << 20, Lease: 5 * time.Minute}},
		{
			"every key", "fetch:\n  concurrency: 8\n  per_host: 2\n  timeout: 45s\n  max_bytes: 512KiB\n",
			Fetch{Concurrency: 8, PerHost: 2, Timeout: 45 * time.Second, MaxBytes: 512 << 10, Lease: 5 * time.Minute},
		},
		{"bytes as a number", "fetch: {max_bytes: 2000000}\n", Fetch{Concurrency: 4, PerHost: 1, Timeout: 30 * time.Second, MaxBytes: 2000000, Lease: 5 * time.Minute}},
		{"MB is decimal", "fetch: {max_bytes: 5MB, timeout: 2m}\n", Fetch{Concurrency: 4, PerHost: 1, Timeout: 2 * time.Minute, MaxBytes: 5000000, Lease: 5 * time.Minute}},
		{"long timeout, longer lease", "fetch: {timeout: 4m}\n", Fetch{Concurrency: 4, PerHost: 1, Timeout: 4 * time.Minute, MaxBytes: 10 << 20, Lease: 8 * time.Minute}},
		{"short lease", "fetch: {timeout: 5s, lease: 15s}\n", Fetch{Concurrency: 4, PerHost: 1, Timeout: 5 * time.Second, MaxBytes: 10 << 20, Lease: 15 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := fetchBase + tt.yaml + "sources:\n  - {id: b, kind: blog, url: \"https://example.org/f\"}\n"
			cfg, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(data))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Fetch != tt.want {
				t.Errorf("Fetch = %+v, want %+v", cfg.Fetch, tt.want)
			}
			if o := cfg.FetchOptions(); o.Timeout != tt.want.Timeout || o.MaxBytes != tt.want.MaxBytes {
				t.Errorf("FetchOptions() = %+v, want the timeout and cap of %+v", o, tt.want)
			}
		})
	}
}

func TestYouTubeShorts(t *testing.T) {
	tests := []struct{ name, source, want string }{
		{"uploads without shorts", "{id: y, kind: youtube, channel_id: UC3TI-fmhJ_g3_n9fHaXGZKA}",
			"https://www.youtube.com/feeds/videos.xml?playlist_id=UULF3TI-fmhJ_g3_n9fHaXGZKA"},
		{"shorts: false", "{id: y, kind: youtube, channel_id: UC3TI-fmhJ_g3_n9fHaXGZKA, shorts: false}",
			"https://www.youtube.com/feeds/videos.xml?playlist_id=UULF3TI-fmhJ_g3_n9fHaXGZKA"},
		{"shorts: true", "{id: y, kind: youtube, channel_id: UC3TI-fmhJ_g3_n9fHaXGZKA, shorts: true}",
			"https://www.youtube.com/feeds/videos.xml?channel_id=UC3TI-fmhJ_g3_n9fHaXGZKA"},
		{"url as is", "{id: y, kind: youtube, url: \"https://www.youtube.com/feeds/videos.xml?channel_id=UC3TI-fmhJ_g3_n9fHaXGZKA\"}",
			"https://www.youtube.com/feeds/videos.xml?channel_id=UC3TI-fmhJ_g3_n9fHaXGZKA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(fetchBase+"sources:\n  - "+tt.source+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.Sources[0].URL; got != tt.want {
				t.Errorf("URL = %q, want %q", got, tt.want)
			}
			if got := cfg.Sources[0].Site; strings.HasPrefix(tt.source, "{id: y, kind: youtube, channel_id") &&
				got != "https://www.youtube.com/channel/UC3TI-fmhJ_g3_n9fHaXGZKA" {
				t.Errorf("Site = %q", got)
			}
		})
	}
}

func TestFetchBlockInvalid(t *testing.T) {
	const src = "sources:\n  - {id: b, kind: blog, url: \"https://example.org/f\"}\n"
	tests := []struct {
		name, yaml string
		line       int
		source     string
		want       string
	}{
		{"zero concurrency", fetchBase + "fetch:\n  concurrency: 0\n" + src, 3, "", "fetch.concurrency 0 must be between 1 and 64"},
		{"concurrency not a number", fetchBase + "fetch:\n  concurrency: four\n" + src, 3, "", "cannot unmarshal"},
		{"per_host", fetchBase + "fetch:\n  per_host: -1\n" + src, 3, "", "fetch.per_host -1 must be between"},
		{"timeout syntax", fetchBase + "fetch:\n  concurrency: 2\n  timeout: soon\n" + src, 4, "", `fetch.timeout: "soon" is not a duration`},
		{"timeout too long", fetchBase + "fetch:\n  timeout: 2h\n" + src, 3, "", "fetch.timeout 2h must be between 1s and 10m0s"},
		{"max_bytes syntax", fetchBase + "fetch:\n  max_bytes: lots\n" + src, 3, "", `fetch.max_bytes: "lots" is not a size`},
		{"max_bytes zero", fetchBase + "fetch:\n  max_bytes: 0\n" + src, 3, "", "fetch.max_bytes 0 must be between 1KiB and 1GiB"},
		{"unknown key", fetchBase + "fetch:\n  concurency: 2\n" + src, 3, "", `unknown key "concurency" (known: concurrency, lease, max_bytes, per_host, timeout)`},
		{"lease shorter than two timeouts", fetchBase + "fetch:\n  lease: 30s\n" + src, 3, "", "fetch.lease 30s must be at least twice fetch.timeout"},
		{"not a mapping", fetchBase + "fetch: 4\n" + src, 2, "", "cannot unmarshal"},
		{"shorts on a blog", fetchBase + "sources:\n  - id: b\n    kind: blog\n    url: https://example.org/f\n    shorts: true\n", 6, "b", "shorts is only for kind youtube sources"},
		{"shorts with a url", fetchBase + "sources:\n  - id: y\n    kind: youtube\n    url: https://example.org/f\n    shorts: true\n", 6, "y", "shorts only applies with channel_id"},
		{"bad channel id", fetchBase + "sources:\n  - id: y\n    kind: youtube\n    channel_id: mirageos\n", 5, "y", `channel_id "mirageos" is not a YouTube channel id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(tt.yaml))
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("want Errors, got %v", err)
			}
			e := es[0]
			if e.File != "feeds.yaml" || e.Line != tt.line || e.Source != tt.source || !strings.Contains(e.Msg, tt.want) {
				t.Errorf("got %q (line %d, source %q), want line %d source %q containing %q", e, e.Line, e.Source, tt.line, tt.source, tt.want)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1024", 1024, true}, {"10MiB", 10 << 20, true}, {"10 MiB", 10 << 20, true}, {"512kib", 512 << 10, true},
		{"1G", 1 << 30, true}, {"5MB", 5000000, true}, {"7b", 7, true}, {"", 0, false}, {"MiB", 0, false},
		{"1.5MiB", 0, false}, {"-1", 0, false}, {"99999999999GiB", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("ParseSize(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}

func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"10MiB", "1024", "5 kb", "-3g"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := ParseSize(s); err == nil && n < 0 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
	})
}
