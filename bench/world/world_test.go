package world

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

func TestWorldParses(t *testing.T) {
	w := New(Options{Sources: 20, Entries: 10})
	if got := w.TotalEntries(); got != 200 {
		t.Fatalf("TotalEntries = %d, want 200", got)
	}
	kinds := map[string]int{}
	for i := range w.Feeds {
		f := &w.Feeds[i]
		kinds[f.Kind]++
		t.Run(f.ID, func(t *testing.T) {
			feed, err := gofeed.NewParser().Parse(bytes.NewReader(f.Body))
			if err != nil {
				t.Fatalf("gofeed: %v", err)
			}
			if len(feed.Items) != f.Entries {
				t.Errorf("%d items, want %d", len(feed.Items), f.Entries)
			}
			for _, it := range feed.Items {
				if it.Title == "" || it.Link == "" {
					t.Errorf("item without title or link: %+v", it)
				}
			}
		})
	}
	for _, k := range []string{Blog, Person, YouTube, Vimeo} {
		if kinds[k] == 0 {
			t.Errorf("no %s feed in a world of 20", k)
		}
	}
}

func TestWorldIsDeterministic(t *testing.T) {
	a, b := New(Options{Sources: 10, Entries: 5}), New(Options{Sources: 10, Entries: 5})
	for i := range a.Feeds {
		if !bytes.Equal(a.Feeds[i].Body, b.Feeds[i].Body) {
			t.Fatalf("feed %s differs between two generations", a.Feeds[i].ID)
		}
	}
}

func TestWorldSharesVideosAndCrossPosts(t *testing.T) {
	w := New(Options{Sources: 100, Entries: 20})
	var embeds, crossPosts int
	for i := range w.Feeds {
		body := string(w.Feeds[i].Body)
		embeds += strings.Count(body, "youtube-nocookie.com/embed/") + strings.Count(body, "player.vimeo.com/video/")
		crossPosts += strings.Count(body, "utm_source=")
	}
	if embeds == 0 || crossPosts == 0 {
		t.Errorf("embeds %d, cross-posts %d: want some of each", embeds, crossPosts)
	}
}

func TestHandlerConditional(t *testing.T) {
	w := New(Options{Sources: 4, Entries: 2})
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	f := &w.Feeds[0]
	get := func(h map[string]string) *http.Response {
		req, _ := http.NewRequest("GET", srv.URL+f.Path, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	tests := []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"plain", nil, 200},
		{"etag", map[string]string{"If-None-Match": f.ETag}, 304},
		{"stale etag", map[string]string{"If-None-Match": `"nope"`}, 200},
		{"last-modified", map[string]string{"If-Modified-Since": f.LastModified}, 304},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := get(tt.header).StatusCode; got != tt.want {
				t.Errorf("status %d, want %d", got, tt.want)
			}
		})
	}
	if total, nm := w.Requests(); total != 4 || nm != 2 {
		t.Errorf("counted %d requests, %d not modified; want 4, 2", total, nm)
	}
}

// TestAddEntry: one new entry, newer than the rest, in one feed; the
// feed's other entries and every other feed stay byte for byte the same.
func TestAddEntry(t *testing.T) {
	w, fresh := New(Options{Sources: 10, Entries: 5}), New(Options{Sources: 10, Entries: 5})
	for i := range w.Feeds {
		before := w.Feeds[i].Body
		etag := w.Feeds[i].ETag
		w.AddEntry(i)
		f := &w.Feeds[i]
		if f.ETag == etag {
			t.Errorf("%s: ETag unchanged by a new entry", f.ID)
		}
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(f.Body))
		if err != nil {
			t.Fatalf("%s: %v", f.ID, err)
		}
		old, _ := gofeed.NewParser().Parse(bytes.NewReader(before))
		if len(feed.Items) != f.Entries+1 {
			t.Fatalf("%s: %d items after AddEntry, want %d", f.ID, len(feed.Items), f.Entries+1)
		}
		if !feed.Items[0].PublishedParsed.After(*old.Items[0].PublishedParsed) {
			t.Errorf("%s: the new entry is not the newest", f.ID)
		}
		for j, it := range old.Items {
			if got := feed.Items[j+1]; got.Title != it.Title || got.Link != it.Link || got.Content != it.Content || got.Description != it.Description {
				t.Errorf("%s: entry %d changed when another was added", f.ID, j)
			}
		}
		for k := range w.Feeds {
			if k > i && !bytes.Equal(w.Feeds[k].Body, fresh.Feeds[k].Body) {
				t.Errorf("%s changed when %s got an entry", w.Feeds[k].ID, f.ID)
			}
		}
	}
}
