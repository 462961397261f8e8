package store

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/merge"
)

// TestPrune: items whose every entry is older than the cutoff go, with
// their entries, keys, tags and aliases; everything else stays whole; the
// file shrinks after a large prune.
func TestPrune(t *testing.T) { forEngines(t, testPrune) }

func testPrune(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	now := day(2025, 6, 1)
	cutoff := now.AddDate(-2, 0, 0)
	sources := []talkstream.Source{
		{ID: "blog", Kind: talkstream.SourceBlog},
		{ID: "tube", Kind: talkstream.SourceYouTube},
		{ID: "hist", Kind: talkstream.SourceCurated},
		{ID: "bulk", Kind: talkstream.SourceBlog},
	}
	m := merge.New(merge.Options{Sources: sources, Rules: []merge.Rule{{Match: regexp.MustCompile("(?i)unikernel"), Tags: []string{"unikernels"}}}})
	apply := func(src talkstream.Source, at time.Time, es ...talkstream.Entry) {
		t.Helper()
		update(t, s, func(tx *Tx) error {
			_, err := m.Apply(tx, src, es, at)
			return err
		})
	}
	video := func(id string) *talkstream.Video { return talkstream.NewVideo("youtube", id) }

	// An old post alone: pruned.
	apply(sources[0], now, talkstream.Entry{GUID: "old", Link: "https://blog.example/old", Title: "Unikernels in 2015", Published: day(2015, 3, 1)})
	// An old video that a recent post embeds: one item, kept whole.
	apply(sources[1], now, talkstream.Entry{GUID: "yt:video:aaaaaaaaaaa", Link: "https://www.youtube.com/watch?v=aaaaaaaaaaa",
		Title: "The 2015 talk", Video: video("aaaaaaaaaaa"), Published: day(2015, 4, 1)})
	apply(sources[0], now, talkstream.Entry{GUID: "recent-embed", Link: "https://blog.example/recent-embed", Title: "Watch my old talk",
		Content: `<iframe src="https://www.youtube.com/embed/aaaaaaaaaaa"></iframe>`, Published: day(2025, 1, 1)})
	// Curated history: kept, however old.
	apply(sources[2], now, talkstream.Entry{GUID: "c1", Link: "https://history.example/2013", Title: "The first unikernel talk", Published: day(2013, 1, 1)})
	// Recent: kept.
	apply(sources[0], now, talkstream.Entry{GUID: "new", Link: "https://blog.example/new", Title: "Unikernels in 2025", Published: day(2025, 5, 1)})
	// Undated: dated by when first seen.
	apply(sources[0], day(2020, 1, 1), talkstream.Entry{GUID: "undated-old", Link: "https://blog.example/undated-old", Title: "Seen in 2020"})
	apply(sources[0], now, talkstream.Entry{GUID: "undated-new", Link: "https://blog.example/undated-new", Title: "Seen now"})
	// Two old items that a third old entry bridges: one survives as an
	// alias of the other, and all of them go.
	apply(sources[1], now, talkstream.Entry{GUID: "yt:video:bbbbbbbbbbb", Link: "https://www.youtube.com/watch?v=bbbbbbbbbbb",
		Title: "Bridged video", Video: video("bbbbbbbbbbb"), Published: day(2016, 1, 1)})
	apply(sources[0], now, talkstream.Entry{GUID: "bridge-post", Link: "https://blog.example/bridge", Title: "Post", Published: day(2016, 1, 2)})
	apply(sources[0], now, talkstream.Entry{GUID: "bridge-post", Link: "https://blog.example/bridge", Title: "Post, now with the video",
		Content: `<iframe src="https://www.youtube.com/embed/bbbbbbbbbbb"></iframe>`, Published: day(2016, 1, 2)})
	// Bulk: many old posts with some weight, so that pruning frees most of the file.
	var bulk []talkstream.Entry
	for i := range 1500 {
		bulk = append(bulk, talkstream.Entry{GUID: fmt.Sprintf("bulk-%d", i), Link: fmt.Sprintf("https://bulk.example/%d", i),
			Title: fmt.Sprintf("Old unikernel note %d", i), Published: day(2016, 6, 1).Add(time.Duration(i) * time.Hour),
			Content: strings.Repeat(fmt.Sprintf("<p>Paragraph of old note %d about unikernels.</p>", i), 60)})
	}
	apply(sources[3], now, bulk...)
	if n := count(t, s, "aliases"); n == 0 {
		t.Fatal("the bridge made no alias")
	}

	// A cutoff before everything prunes nothing.
	p, err := s.Prune(ctx, day(2000, 1, 1), map[string]bool{"hist": true})
	if err != nil || p.Items != 0 || p.Entries != 0 || p.Vacuumed {
		t.Fatalf("prune before everything: %+v, %v", p, err)
	}

	itemsBefore, entriesBefore := count(t, s, "items"), count(t, s, "entries")
	p, err = s.Prune(ctx, cutoff, map[string]bool{"hist": true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v; %d → %d items, %d → %d entries", p, itemsBefore, count(t, s, "items"), entriesBefore, count(t, s, "entries"))
	// old, undated-old, the bridged pair (one item by now) and the bulk.
	if want := 1 + 1 + 1 + 1500; p.Items != want || p.Entries != want+1 {
		t.Errorf("pruned %d items, %d entries; want %d and %d", p.Items, p.Entries, want, want+1)
	}
	// SQLite gives the pages back by vacuuming; PostgreSQL's autovacuum
	// reuses them in place, so its database keeps its size.
	if !onPostgres(t) && (!p.Vacuumed || p.BytesAfter*2 > p.BytesBefore) {
		t.Errorf("the file did not shrink: %+v", p)
	}
	items, err := s.Items(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var links []string
	for _, it := range items {
		for _, ie := range it.Entries {
			links = append(links, ie.Entry.Link)
		}
	}
	want := []string{"https://blog.example/new", "https://blog.example/undated-new", "https://blog.example/recent-embed",
		"https://www.youtube.com/watch?v=aaaaaaaaaaa", "https://history.example/2013"}
	for _, w := range want {
		if !strings.Contains(strings.Join(links, " "), w) {
			t.Errorf("%s was pruned; left: %v", w, links)
		}
	}
	if len(links) != len(want) {
		t.Errorf("left %v, want %v", links, want)
	}
	for _, q := range []string{
		`SELECT count(*) FROM keys k LEFT JOIN items i ON i.id = k.item_id WHERE i.id IS NULL`,
		`SELECT count(*) FROM tags g LEFT JOIN items i ON i.id = g.item_id WHERE i.id IS NULL`,
		`SELECT count(*) FROM aliases a LEFT JOIN items i ON i.id = a.item_id WHERE i.id IS NULL`,
		`SELECT count(*) FROM entries e LEFT JOIN items i ON i.id = e.item_id WHERE i.id IS NULL`,
		`SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.item_id = i.id)`,
	} {
		var n int
		if err := s.r.QueryRow(q).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d (%v)", q, n, err)
		}
	}
	if n := count(t, s, "keys"); n == 0 {
		t.Error("the kept items lost their keys")
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
	// The kept items still merge: the old video's key finds its item.
	update(t, s, func(tx *Tx) error {
		_, err := m.Apply(tx, sources[1], []talkstream.Entry{{GUID: "yt:video:aaaaaaaaaaa", Link: "https://www.youtube.com/watch?v=aaaaaaaaaaa",
			Title: "The 2015 talk, retitled", Video: video("aaaaaaaaaaa"), Published: day(2015, 4, 1)}}, now)
		return err
	})
	if n := count(t, s, "items"); n != len(want)-1 {
		t.Errorf("%d items after an update, want %d", n, len(want)-1)
	}
	// A second prune finds nothing.
	if p, err := s.Prune(ctx, cutoff, map[string]bool{"hist": true}); err != nil || p.Items != 0 || p.Vacuumed {
		t.Errorf("second prune: %+v, %v", p, err)
	}
}
