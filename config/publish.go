package config

import (
	"net/url"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish"
)

// PublishOptions is what publish needs of the configuration: every verb
// and the benchmarks publish with these, so none of them derives them again.
func (c *Config) PublishOptions() publish.Options {
	opts := publish.Options{
		Title:       c.Title,
		Description: c.Description,
		BaseURL:     c.BaseURL,
		Language:    c.Language,
		Limit:       c.Limit,
		MaxAge:      c.CacheMaxAge,
		CacheSize:   c.CacheSize,
		Hub:         c.publishHub(),
	}
	if opts.MaxAge == 0 {
		opts.MaxAge = publish.NoCache // cache_max_age: 0s
	}
	for _, s := range c.Speakers {
		opts.Speakers = append(opts.Speakers, publish.Speaker{ID: s.ID, Name: s.Name, URL: s.URL})
	}
	for _, e := range c.Events {
		opts.Events = append(opts.Events, publish.Event{ID: e.ID, Name: e.Name})
	}
	// A PeerTube instance the config names is one whose player the page
	// may load (its Content-Security-Policy lists the host): the host of a
	// peertube source's feed, and of its site, the instance's home page
	// when the feed is fetched through another address.
	for _, s := range c.Sources {
		if s.Kind != talkstream.SourcePeerTube {
			continue
		}
		for _, raw := range []string{s.URL, s.Site} {
			if u, err := url.Parse(raw); err == nil && u.Scheme == "https" && u.Host != "" {
				opts.PeerTubeHosts = append(opts.PeerTubeHosts, u.Host)
			}
		}
	}
	return opts
}
