package config

import (
	"net/url"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The websub: block: push in (subscribing at the hubs sources advertise)
// and push out (advertising a hub on our own feeds, pinging it, or being
// one).

// Defaults of the websub: block.
const (
	// DefaultPushedRefresh is how often a source whose hub pushes to us is
	// still polled: a safety net for missed or lost notifications.
	DefaultPushedRefresh  = 6 * time.Hour
	DefaultSubscribeLease = 7 * 24 * time.Hour
	DefaultHubMaxPerHost  = 100
	DefaultHubMinLease    = time.Hour
	DefaultHubMaxLease    = 30 * 24 * time.Hour
	// HubBuiltin as websub.hub makes talkstream its own hub.
	HubBuiltin = "builtin"
)

// WebSub is the websub: block, defaults filled in; nil when the config has
// none (no push in, no push out).
type WebSub struct {
	// Subscribe: subscribe at the hubs fetched feeds advertise (default
	// true), with callbacks under Callback (default base_url + "websub/"),
	// which hubs must be able to reach.
	Subscribe     bool
	Callback      string
	Lease         time.Duration // asked of hubs
	PushedRefresh time.Duration // polling of pushed sources (poll:)

	// Hub is the hub our feeds advertise: "" none, else a URL (the
	// built-in hub's is base_url + "websub/hub"). Builtin says which.
	Hub     string
	Builtin bool
	// The built-in hub's limits.
	AllowPrivate       bool // callbacks on loopback/private/link-local addresses
	MaxPerHost         int
	MinLease, MaxLease time.Duration
}

type rawWebSub struct {
	Subscribe    *bool  `yaml:"subscribe"`
	Callback     string `yaml:"callback"`
	Lease        string `yaml:"lease"`
	Poll         string `yaml:"poll"`
	Hub          string `yaml:"hub"`
	AllowPrivate bool   `yaml:"allow_private"`
	MaxPerHost   *int   `yaml:"max_per_host"`
	MinLease     string `yaml:"min_lease"`
	MaxLease     string `yaml:"max_lease"`
}

// websub validates the websub: block (node is its mapping, for lines).
func (v *validator) websub(raw *rawWebSub, node *yaml.Node, base string) *WebSub {
	if raw == nil {
		return nil
	}
	at := func(key string) int { return keyLine(node, key, node.Line) }
	w := &WebSub{
		Subscribe: true, Callback: base + "websub/", Lease: DefaultSubscribeLease, PushedRefresh: DefaultPushedRefresh,
		AllowPrivate: raw.AllowPrivate, MaxPerHost: DefaultHubMaxPerHost, MinLease: DefaultHubMinLease, MaxLease: DefaultHubMaxLease,
	}
	if raw.Subscribe != nil {
		w.Subscribe = *raw.Subscribe
	}
	absURL := func(key, s string) (string, bool) {
		u, err := url.Parse(strings.TrimSpace(s))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			v.add(at(key), "", "websub.%s %q must be an absolute http(s) URL without query", key, s)
			return "", false
		}
		return u.String(), true
	}
	if raw.Callback != "" {
		if u, ok := absURL("callback", raw.Callback); ok {
			w.Callback = strings.TrimSuffix(u, "/") + "/"
			if !callbackPathFree(w.Callback) {
				v.add(at("callback"), "", "websub.callback %q must have a path of its own (such as /websub/): serve answers it there, beside the outputs", raw.Callback)
			}
		}
	}
	dur := func(key, s string, lo, hi time.Duration, into *time.Duration) {
		if s == "" {
			return
		}
		switch d, err := ParseDuration(s); {
		case err != nil:
			v.add(at(key), "", "websub.%s: %v", key, err)
		case d < lo || d > hi:
			v.add(at(key), "", "websub.%s %s must be between %s and %s", key, s, lo, hi)
		default:
			*into = d
		}
	}
	dur("lease", raw.Lease, time.Hour, 365*24*time.Hour, &w.Lease)
	dur("poll", raw.Poll, time.Minute, 30*24*time.Hour, &w.PushedRefresh)
	dur("min_lease", raw.MinLease, time.Minute, 365*24*time.Hour, &w.MinLease)
	dur("max_lease", raw.MaxLease, time.Minute, 365*24*time.Hour, &w.MaxLease)
	if w.MinLease > w.MaxLease {
		v.add(at("min_lease"), "", "websub.min_lease %s is longer than max_lease %s", w.MinLease, w.MaxLease)
	}
	if raw.MaxPerHost != nil {
		if n := *raw.MaxPerHost; n < 1 || n > 100000 {
			v.add(at("max_per_host"), "", "websub.max_per_host %d must be between 1 and 100000", n)
		} else {
			w.MaxPerHost = n
		}
	}
	switch raw.Hub {
	case "":
	case HubBuiltin:
		w.Hub, w.Builtin = base+"websub/hub", true
	default:
		if u, ok := absURL("hub", raw.Hub); ok {
			w.Hub = u
		}
	}
	return w
}

// callbackPathFree reports whether serve can answer callbacks under u's
// path without hiding outputs: not the root, not an output folder.
func callbackPathFree(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	first, _, _ := strings.Cut(strings.Trim(p.Path, "/"), "/")
	switch first {
	case "", "tags", "speakers", "kinds", "events", "page", "status", "metrics", "healthz":
		return false
	}
	return true
}

// publishHub is the hub our feeds advertise ("" for none).
func (c *Config) publishHub() string {
	if c.WebSub == nil {
		return ""
	}
	return c.WebSub.Hub
}
