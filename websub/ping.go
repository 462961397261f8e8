package websub

import (
	"context"
	"net/http"
	"net/url"
)

// Ping tells an external hub that topic changed, the way hubs take it
// from publishers (hub.mode=publish, hub.url=topic; the Recommendation
// leaves this to hubs, and this is the form they share).
func Ping(ctx context.Context, client *http.Client, hub, topic string, m *Metrics) error {
	if client == nil {
		client = &http.Client{Timeout: requestTimeout}
	}
	err := postForm(ctx, client, hub, url.Values{"hub.mode": {"publish"}, "hub.url": {topic}})
	if m != nil {
		m.request("publish", err)
	}
	return err
}
