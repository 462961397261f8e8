package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestWebSubBlock(t *testing.T) {
	const src = "sources:\n  - {id: b, kind: blog, url: \"https://example.org/f\"}\n"
	defaults := WebSub{Subscribe: true, Callback: "https://example.org/websub/", Lease: DefaultSubscribeLease,
		PushedRefresh: DefaultPushedRefresh, MaxPerHost: DefaultHubMaxPerHost, MinLease: DefaultHubMinLease, MaxLease: DefaultHubMaxLease}
	with := func(f func(w *WebSub)) *WebSub {
		w := defaults
		f(&w)
		return &w
	}
	tests := []struct {
		name, yaml string
		want       *WebSub
		hub        string // publish.Options.Hub
	}{
		{"absent", "", nil, ""},
		{"empty block: subscribe with the default callback", "websub: {}\n", &defaults, ""},
		{"callback and poll", "websub:\n  callback: https://push.example.org/cb\n  poll: 12h\n  lease: 2d\n",
			with(func(w *WebSub) {
				w.Callback, w.PushedRefresh, w.Lease = "https://push.example.org/cb/", 12*time.Hour, 48*time.Hour
			}), ""},
		{"external hub", "websub: {hub: \"https://pubsubhubbub.example.com/\", subscribe: false}\n",
			with(func(w *WebSub) { w.Hub, w.Subscribe = "https://pubsubhubbub.example.com/", false }), "https://pubsubhubbub.example.com/"},
		{"built-in hub", "websub:\n  hub: builtin\n  allow_private: true\n  max_per_host: 5\n  min_lease: 10m\n  max_lease: 2d\n",
			with(func(w *WebSub) {
				w.Hub, w.Builtin, w.AllowPrivate, w.MaxPerHost = "https://example.org/websub/hub", true, true, 5
				w.MinLease, w.MaxLease = 10*time.Minute, 48*time.Hour
			}), "https://example.org/websub/hub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(fetchBase+tt.yaml+src))
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == nil && cfg.WebSub != nil:
				t.Errorf("WebSub = %+v, want nil", cfg.WebSub)
			case tt.want != nil && (cfg.WebSub == nil || *cfg.WebSub != *tt.want):
				t.Errorf("WebSub = %+v, want %+v", cfg.WebSub, tt.want)
			}
			if got := cfg.PublishOptions().Hub; got != tt.hub {
				t.Errorf("PublishOptions().Hub = %q, want %q", got, tt.hub)
			}
		})
	}
}

func TestWebSubBlockInvalid(t *testing.T) {
	const src = "sources:\n  - {id: b, kind: blog, url: \"https://example.org/f\"}\n"
	tests := []struct {
		name, yaml string
		line       int
		want       string
	}{
		{"relative callback", "websub:\n  callback: /websub/\n", 3, `websub.callback "/websub/" must be an absolute http(s) URL`},
		{"hub not a URL", "websub:\n  hub: yes-please\n", 3, `websub.hub "yes-please" must be an absolute http(s) URL`},
		{"poll too short", "websub:\n  poll: 1s\n", 3, "websub.poll 1s must be between"},
		{"leases crossed", "websub:\n  hub: builtin\n  min_lease: 3d\n  max_lease: 1d\n", 4, "websub.min_lease 72h0m0s is longer than max_lease 24h0m0s"},
		{"cap", "websub:\n  max_per_host: 0\n", 3, "websub.max_per_host 0 must be between 1 and 100000"},
		{"callback at the root", "websub:\n  callback: https://example.org/\n", 3, "websub.callback \"https://example.org/\" must have a path of its own"},
		{"callback over the outputs", "websub:\n  callback: https://example.org/tags/cb/\n", 3, "must have a path of its own"},
		{"unknown key", "websub:\n  callbak: https://example.org/\n", 3, `unknown key "callbak"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("feeds.yaml", "/tmp/feeds.yaml", []byte(fetchBase+tt.yaml+src))
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("want Errors, got %v", err)
			}
			if e := es[0]; e.Line != tt.line || !strings.Contains(e.Msg, tt.want) {
				t.Errorf("got %q (line %d), want line %d containing %q", e, e.Line, tt.line, tt.want)
			}
		})
	}
}
