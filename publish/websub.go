package publish

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
)

// What WebSub needs of publishing: which feeds a changed stream has, which
// URLs are feeds a hub may serve, and a feed's bytes as readers get them.

// feedFiles are the formats that advertise a hub: a stream's feeds.
var feedFiles = []string{fileRSS, fileAtom, fileJSON}

// FeedURLs returns the absolute URLs of the feeds of the streams with the
// given prefixes (SyncStats.ChangedStreams): the topics to announce.
func (p *Publisher) FeedURLs(prefixes []string) []string {
	var out []string
	for _, prefix := range prefixes {
		for _, f := range feedFiles {
			out = append(out, p.abs(prefix+f))
		}
	}
	return out
}

// hubTopic reports whether an output is a feed a hub serves: a stream's
// first page in one of feedFiles. The calendar is no feed: FeedURLs never
// announces it, so a hub would never deliver it.
func hubTopic(o outputRef) bool {
	return o.fixed == nil && o.n == 0 && slices.Contains(feedFiles, o.file)
}

// IsFeed reports whether topic is the URL of one of the feeds published
// now (a stream's first page in RSS, Atom or JSON Feed).
func (p *Publisher) IsFeed(topic string) bool {
	path, ok := p.localPath(topic)
	if !ok {
		return false
	}
	s := p.cur.Load()
	if s == nil {
		return false
	}
	o, ok := p.lookup(s, path)
	return ok && hubTopic(o)
}

func (p *Publisher) localPath(topic string) (string, bool) {
	rest, ok := strings.CutPrefix(topic, p.opts.BaseURL)
	if !ok || strings.ContainsAny(rest, "?#") {
		return "", false
	}
	return "/" + rest, true
}

// Feed returns a feed's current bytes and Content-Type, as a GET gets
// them.
func (p *Publisher) Feed(ctx context.Context, topic string) ([]byte, string, error) {
	path, ok := p.localPath(topic)
	if !ok {
		return nil, "", fmt.Errorf("publish: %s is not under the base URL", topic)
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, "", fmt.Errorf("publish: %s: status %d", topic, rec.Code)
	}
	return rec.Body.Bytes(), rec.Header().Get("Content-Type"), nil
}
