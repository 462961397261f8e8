package config

import "github.com/talkstream/talkstream/publish"

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
	return opts
}
