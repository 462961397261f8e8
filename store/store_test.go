package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/merge"
)

var now = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

func openTemp(t *testing.T) (*Store, string) {
	t.Helper()
	path := testDatabase(t)
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func update(t *testing.T, s *Store, fn func(tx *Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func userVersion(t *testing.T, s *Store) int {
	t.Helper()
	v, err := s.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func count(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	if err := s.r.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOpenMigrates(t *testing.T) { forEngines(t, testOpenMigrates) }

func testOpenMigrates(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if got := userVersion(t, s); got != len(migrations) {
		t.Errorf("user_version = %d, want %d", got, len(migrations))
	}
	for _, table := range []string{"sources", "items", "entries", "keys", "tags", "aliases"} {
		t.Run(table, func(t *testing.T) {
			if n := count(t, s, table); n != 0 {
				t.Errorf("%d rows in a new database", n)
			}
		})
	}
	if !onPostgres(t) {
		var mode string
		if err := s.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal_mode = %q, %v; want wal", mode, err)
		}
		var fk int
		if err := s.w.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
			t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
		}
	}

	update(t, s, func(tx *Tx) error { return tx.PutSourceState("blog", talkstream.FetchState{ETag: `"x"`}) })
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	t.Run("reopen is a no-op", func(t *testing.T) {
		s2, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer s2.Close()
		if got := userVersion(t, s2); got != len(migrations) {
			t.Errorf("user_version = %d after reopening, want %d", got, len(migrations))
		}
		states, err := s2.SourceStates(ctx)
		if err != nil || states["blog"].ETag != `"x"` {
			t.Errorf("state lost on reopening: %v, %v", states, err)
		}
	})

	t.Run("newer schema is refused", func(t *testing.T) {
		s3, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := s3.w.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s3.setSchemaVersion(ctx, tx, 999); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		s3.Close()
		if s4, err := Open(ctx, path); err == nil {
			s4.Close()
			t.Error("Open accepted a database from a newer talkstream")
		}
	})
}

func TestUpdateAllOrNothing(t *testing.T) { forEngines(t, testUpdateAllOrNothing) }

func testUpdateAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx *Tx) error {
		if err := tx.PutSourceState("blog", talkstream.FetchState{ETag: "1"}); err != nil {
			return err
		}
		item := &talkstream.Item{ID: "i1", Title: "T", Tags: []string{"x"}}
		if err := tx.PutItem(item, []string{"url:https://example.org/a"}); err != nil {
			return err
		}
		if err := tx.PutEntry(&merge.StoredEntry{SourceID: "blog", EntryID: "e1", ItemID: "i1", Hash: "h"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	for _, table := range []string{"sources", "items", "entries", "keys", "tags"} {
		if n := count(t, s, table); n != 0 {
			t.Errorf("%s has %d rows after a failed Update", table, n)
		}
	}

	t.Run("an entry without its item fails the commit", func(t *testing.T) {
		err := s.Update(ctx, func(tx *Tx) error {
			return tx.PutEntry(&merge.StoredEntry{SourceID: "blog", EntryID: "orphan", ItemID: "nowhere", Hash: "h"})
		})
		if err == nil {
			t.Error("committed an entry of a missing item")
		}
		if n := count(t, s, "entries"); n != 0 {
			t.Errorf("entries has %d rows", n)
		}
	})

	t.Run("a committed Update is visible", func(t *testing.T) {
		update(t, s, func(tx *Tx) error { return tx.PutSourceState("blog", talkstream.FetchState{ETag: "2"}) })
		if n := count(t, s, "sources"); n != 1 {
			t.Errorf("sources has %d rows, want 1", n)
		}
	})
}

func testEntry(source, id, title string, published time.Time) talkstream.Entry {
	return talkstream.Entry{
		SourceID:   source,
		GUID:       id,
		Link:       "https://example.org/" + id,
		Title:      title,
		Summary:    "<p>summary</p>",
		Content:    "<p>content</p>",
		Authors:    []string{"Anil Madhavapeddy"},
		Categories: []string{"ocaml", "mirage"},
		Published:  published,
		Updated:    published.Add(time.Hour),
		Video:      talkstream.NewVideo("youtube", "dQw4w9WgXcQ"),
		Thumbnail:  "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
		Enclosures: []talkstream.Enclosure{{URL: "https://example.org/a.mp3", Type: "audio/mpeg", Length: 1234}},
		Kind:       talkstream.KindTalk,
		Speakers:   []string{"anil"},
		Event:      "FOSDEM 2014",
		Tags:       []string{"unikernels"},
		Links:      []talkstream.Link{{Role: talkstream.RoleSlides, URL: "https://example.org/s", Title: "Slides"}},
	}
}

func TestTxRoundTrip(t *testing.T) { forEngines(t, testTxRoundTrip) }

func testTxRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	pub := time.Date(2014, 2, 1, 10, 0, 0, 0, time.UTC)
	se := &merge.StoredEntry{
		SourceID:  "blog",
		EntryID:   "e1",
		ItemID:    "item1",
		Hash:      "abc",
		Role:      talkstream.RolePost,
		FirstSeen: now,
		Changed:   pub,
		Why:       "first seen here",
		Entry:     testEntry("blog", "e1", "A talk", pub),
	}
	item := &talkstream.Item{
		ID: "item1", Kind: talkstream.KindTalk, Title: "A talk", Summary: "<p>s</p>", Content: "<p>c</p>",
		Link: "https://example.org/e1", Published: pub, Updated: now, Speakers: []string{"anil"}, Event: "fosdem-2014",
		Tags: []string{"ocaml", "unikernels"}, Video: talkstream.NewVideo("youtube", "dQw4w9WgXcQ"),
		Thumbnail: "https://i.ytimg.com/x.jpg", Why: []string{"entry blog/e1: first seen here"},
	}
	keys := []string{"url:https://example.org/e1", "video:youtube:dQw4w9WgXcQ"}
	update(t, s, func(tx *Tx) error {
		if err := tx.PutEntry(se); err != nil {
			return err
		}
		return tx.PutItem(item, keys)
	})

	t.Run("entry", func(t *testing.T) {
		update(t, s, func(tx *Tx) error {
			got, err := tx.Entry("blog", "e1")
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(got, se) {
				t.Errorf("Entry =\n%+v\nwant\n%+v", got, se)
			}
			if missing, err := tx.Entry("blog", "nope"); missing != nil || err != nil {
				t.Errorf("missing Entry = %v, %v; want nil, nil", missing, err)
			}
			return nil
		})
	})
	t.Run("item entries", func(t *testing.T) {
		update(t, s, func(tx *Tx) error {
			got, err := tx.ItemEntries("item1")
			if err != nil {
				return err
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0], *se) {
				t.Errorf("ItemEntries = %+v", got)
			}
			return nil
		})
	})
	t.Run("keys", func(t *testing.T) {
		update(t, s, func(tx *Tx) error {
			got, err := tx.ItemsByKeys(append(slices.Clone(keys), "url:https://example.org/unknown"))
			if err != nil {
				return err
			}
			if len(got) != 2 || got[keys[0]].ItemID != "item1" || got[keys[1]].ItemID != "item1" || got[keys[0]].Created < 1 {
				t.Errorf("ItemsByKeys = %+v", got)
			}
			if none, err := tx.ItemsByKeys(nil); err != nil || len(none) != 0 {
				t.Errorf("ItemsByKeys(nil) = %v, %v", none, err)
			}
			return nil
		})
	})
	t.Run("item", func(t *testing.T) {
		got, err := s.Item(ctx, "item1")
		if err != nil {
			t.Fatal(err)
		}
		want := *item
		want.Entries = []talkstream.ItemEntry{{ID: "e1", Role: talkstream.RolePost, Entry: se.Entry}}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("Item =\n%+v\nwant\n%+v", *got, want)
		}
		if _, err := s.Item(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Item(nope) = %v, want ErrNotFound", err)
		}
	})
	t.Run("tags", func(t *testing.T) {
		if got := tags(t, s, "item1"); !slices.Equal(got, []string{"ocaml", "unikernels"}) {
			t.Errorf("tags = %v", got)
		}
		// PutItem replaces keys and tags, and keeps the creation order.
		var seq1 int64
		s.r.QueryRow("SELECT seq FROM items WHERE id = 'item1'").Scan(&seq1)
		edited := *item
		edited.Tags = []string{"xen"}
		update(t, s, func(tx *Tx) error { return tx.PutItem(&edited, keys[:1]) })
		if got := tags(t, s, "item1"); !slices.Equal(got, []string{"xen"}) {
			t.Errorf("tags after PutItem = %v, want [xen]", got)
		}
		if n := count(t, s, "keys"); n != 1 {
			t.Errorf("%d keys after PutItem with one, want 1", n)
		}
		var seq2 int64
		s.r.QueryRow("SELECT seq FROM items WHERE id = 'item1'").Scan(&seq2)
		if seq1 != seq2 {
			t.Errorf("seq changed from %d to %d on replacing", seq1, seq2)
		}
	})
	t.Run("find", func(t *testing.T) {
		ids, err := s.FindItems(ctx, "item")
		if err != nil || !slices.Equal(ids, []string{"item1"}) {
			t.Errorf("FindItems = %v, %v", ids, err)
		}
		if ids, _ := s.FindItems(ctx, "%"); len(ids) != 1 {
			t.Errorf("FindItems(%%) = %v", ids) // % is not a wildcard: stripped
		}
	})
	t.Run("delete", func(t *testing.T) {
		update(t, s, func(tx *Tx) error {
			if err := tx.DeleteEntry("blog", "e1"); err != nil {
				return err
			}
			return tx.DeleteItem("item1")
		})
		for _, table := range []string{"items", "entries", "keys", "tags"} {
			if n := count(t, s, table); n != 0 {
				t.Errorf("%s has %d rows after deleting", table, n)
			}
		}
	})
}

func tags(t *testing.T, s *Store, itemID string) []string {
	t.Helper()
	rows, err := s.r.Query("SELECT tag FROM tags WHERE item_id = ? ORDER BY tag", itemID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var tag string
		rows.Scan(&tag)
		out = append(out, tag)
	}
	return out
}

func putItemWithEntry(tx *Tx, itemID, source, entryID string, published, firstSeen time.Time, keys ...string) error {
	e := testEntry(source, entryID, "Title of "+entryID, published)
	if err := tx.PutEntry(&merge.StoredEntry{SourceID: source, EntryID: entryID, ItemID: itemID, Hash: "h" + entryID,
		Role: talkstream.RolePost, FirstSeen: firstSeen, Changed: published, Entry: e}); err != nil {
		return err
	}
	return tx.PutItem(&talkstream.Item{ID: itemID, Title: e.Title, Published: published, Updated: published,
		Tags: []string{"t-" + itemID}}, keys)
}

func TestMoveEntries(t *testing.T) { forEngines(t, testMoveEntries) }

func testMoveEntries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	d := func(day int) time.Time { return time.Date(2014, 2, day, 0, 0, 0, 0, time.UTC) }
	update(t, s, func(tx *Tx) error {
		if err := putItemWithEntry(tx, "a", "blog", "1", d(1), d(1), "url:https://example.org/1"); err != nil {
			return err
		}
		if err := putItemWithEntry(tx, "b", "tube", "2", d(2), d(2), "video:youtube:dQw4w9WgXcQ"); err != nil {
			return err
		}
		return putItemWithEntry(tx, "c", "vim", "3", d(3), d(3), "video:vimeo:57412215")
	})
	// b folds into a, then a into c: both old ids must lead to c.
	update(t, s, func(tx *Tx) error {
		if err := tx.MoveEntries("b", "a"); err != nil {
			return err
		}
		owners, err := tx.ItemsByKeys([]string{"video:youtube:dQw4w9WgXcQ"})
		if err != nil {
			return err
		}
		if owners["video:youtube:dQw4w9WgXcQ"].ItemID != "a" {
			t.Errorf("key of b not moved to a: %+v", owners)
		}
		es, err := tx.ItemEntries("a")
		if err != nil {
			return err
		}
		if len(es) != 2 {
			t.Errorf("a has %d entries after the move, want 2", len(es))
		}
		return nil
	})
	update(t, s, func(tx *Tx) error { return tx.MoveEntries("a", "c") })

	for _, id := range []string{"a", "b", "c"} {
		t.Run("Item("+id+")", func(t *testing.T) {
			it, err := s.Item(ctx, id)
			if err != nil {
				t.Fatalf("Item(%s): %v", id, err)
			}
			if it.ID != "c" || len(it.Entries) != 3 {
				t.Errorf("Item(%s) = %s with %d entries, want c with 3", id, it.ID, len(it.Entries))
			}
		})
	}
	if n := count(t, s, "items"); n != 1 {
		t.Errorf("%d items left, want 1", n)
	}
	var keysOfC int
	s.r.QueryRow("SELECT count(*) FROM keys WHERE item_id = 'c'").Scan(&keysOfC)
	if keysOfC != 3 {
		t.Errorf("c has %d keys, want all 3", keysOfC)
	}
	if got := tags(t, s, "a"); len(got) != 0 {
		t.Errorf("tags of the deleted item a remain: %v", got)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

func TestItemsNewestFirst(t *testing.T) { forEngines(t, testItemsNewestFirst) }

func testItemsNewestFirst(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	d := func(day int) time.Time { return time.Date(2014, 2, day, 0, 0, 0, 0, time.UTC) }
	update(t, s, func(tx *Tx) error {
		for _, it := range []struct {
			id  string
			day int
		}{{"old", 1}, {"new", 20}, {"mid", 10}} {
			if err := putItemWithEntry(tx, it.id, "blog", it.id+"-1", d(it.day), d(it.day)); err != nil {
				return err
			}
		}
		// A second entry of mid, seen later than its first.
		return tx.PutEntry(&merge.StoredEntry{SourceID: "tube", EntryID: "mid-2", ItemID: "mid", Hash: "h",
			Role: talkstream.RoleVideo, FirstSeen: d(11), Changed: d(11), Entry: testEntry("tube", "mid-2", "Video", d(11))})
	})
	items, err := s.Items(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	if !slices.Equal(ids, []string{"new", "mid", "old"}) {
		t.Errorf("Items order = %v, want newest first", ids)
	}
	if mid := items[1]; len(mid.Entries) != 2 || mid.Entries[0].Entry.GUID != "mid-1" || mid.Entries[1].Role != talkstream.RoleVideo {
		t.Errorf("mid entries = %+v, want mid-1 then the video", mid.Entries)
	}
	for _, it := range items {
		if len(it.Entries) == 0 {
			t.Errorf("item %s has no entries attached", it.ID)
		}
	}
	limited, err := s.Items(ctx, 2)
	if err != nil || len(limited) != 2 || limited[0].ID != "new" {
		t.Errorf("Items(2) = %d items, %v", len(limited), err)
	}
	update(t, s, func(tx *Tx) error {
		ids, err := tx.ItemIDs()
		if !slices.Equal(ids, []string{"old", "new", "mid"}) {
			t.Errorf("ItemIDs = %v, want creation order", ids)
		}
		return err
	})
}

func TestSourceStates(t *testing.T) { forEngines(t, testSourceStates) }

func testSourceStates(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	full := talkstream.FetchState{
		ETag:         `W/"abc"`,
		LastModified: "Sat, 01 Feb 2014 10:00:00 GMT",
		BodyHash:     "0123456789abcdef",
		FeedTitle:    "The blog",
		FeedLink:     "https://mirageos.org/",
		LastFetch:    time.Date(2024, 3, 1, 12, 0, 0, 123456789, time.UTC),
		LastStatus:   304,
		LastError:    "fetch: 503 Service Unavailable",
		Errors:       3,
		NextCheck:    time.Date(2024, 3, 1, 13, 0, 0, 0, time.UTC),
		Duration:     1500 * time.Millisecond,
		Bytes:        123456,
		Entries:      15,
		MovedTo:      "https://mirageos.org/atom.xml",
		Gone:         true,
		TTL:          90 * time.Minute,
		ConfigHash:   "c0ffee",
	}
	tests := []struct {
		name string
		st   talkstream.FetchState
	}{
		{"every field", full},
		{"zero", talkstream.FetchState{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			update(t, s, func(tx *Tx) error { return tx.PutSourceState(tt.name, tt.st) })
			states, err := s.SourceStates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := states[tt.name]; !reflect.DeepEqual(got, tt.st) {
				t.Errorf("state =\n%+v\nwant\n%+v", got, tt.st)
			}
		})
	}
	t.Run("overwrite", func(t *testing.T) {
		update(t, s, func(tx *Tx) error { return tx.PutSourceState("every field", talkstream.FetchState{Errors: 1}) })
		states, _ := s.SourceStates(ctx)
		if got := states["every field"]; !reflect.DeepEqual(got, talkstream.FetchState{Errors: 1}) {
			t.Errorf("state after overwrite = %+v", got)
		}
		if len(states) != 2 {
			t.Errorf("%d states, want 2", len(states))
		}
	})
}

// TestMergeEndToEnd runs merge.Merger.Apply through Store.Update: the same
// video from a YouTube channel and a speaker's post is one item.
func TestMergeEndToEnd(t *testing.T) { forEngines(t, testMergeEndToEnd) }

func testMergeEndToEnd(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	sources := []talkstream.Source{
		{ID: "tube", Kind: talkstream.SourceYouTube},
		{ID: "anil", Kind: talkstream.SourcePerson, Speakers: []string{"anil"}},
	}
	m := merge.New(merge.Options{
		Sources:  sources,
		Speakers: []merge.Speaker{{ID: "anil", Name: "Anil Madhavapeddy"}},
	})
	tube := []talkstream.Entry{
		{GUID: "yt:video:dQw4w9WgXcQ", Link: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", Title: "Upload: unikernels",
			Video: talkstream.NewVideo("youtube", "dQw4w9WgXcQ"), Published: time.Date(2014, 2, 3, 0, 0, 0, 0, time.UTC)},
		{GUID: "yt:video:aaaaaaaaaaa", Link: "https://www.youtube.com/watch?v=aaaaaaaaaaa", Title: "Another talk",
			Video: talkstream.NewVideo("youtube", "aaaaaaaaaaa"), Published: time.Date(2014, 5, 1, 0, 0, 0, 0, time.UTC)},
	}
	post := []talkstream.Entry{
		{GUID: "https://anil.recoil.org/notes/fosdem", Link: "https://anil.recoil.org/notes/fosdem", Title: "My unikernels talk",
			Content:   `<p>Video:</p><iframe src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"></iframe>`,
			Published: time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC)},
	}
	run := func(src talkstream.Source, entries []talkstream.Entry) merge.Stats {
		t.Helper()
		var st merge.Stats
		update(t, s, func(tx *Tx) error {
			var err error
			st, err = m.Apply(tx, src, entries, now)
			return err
		})
		return st
	}
	if st := run(sources[0], tube); st.New != 2 {
		t.Fatalf("tube: %v, want 2 new", st)
	}
	if st := run(sources[1], post); st.New != 1 {
		t.Fatalf("anil: %v, want 1 new", st)
	}
	items, err := s.Items(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("got %d items, want 2", len(items))
	}
	var talk *talkstream.Item
	for i := range items {
		if len(items[i].Entries) == 2 {
			talk = &items[i]
		}
	}
	if talk == nil {
		t.Fatalf("no item with both entries: %+v", items)
	}
	if talk.Title != "My unikernels talk" || talk.Video == nil || talk.Video.ID != "dQw4w9WgXcQ" || !slices.Contains(talk.Speakers, "anil") {
		t.Errorf("merged item = %q video %+v speakers %v", talk.Title, talk.Video, talk.Speakers)
	}
	if want := merge.ItemID("tube", "yt:video:dQw4w9WgXcQ"); talk.ID != want {
		t.Errorf("item id %s, want the first entry's %s", talk.ID, want)
	}

	// Fetching the same again writes nothing.
	if st := run(sources[0], tube); st != (merge.Stats{Unchanged: 2}) {
		t.Errorf("re-apply: %v, want 2 unchanged", st)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Errorf("IntegrityCheck: %v", err)
	}
	if onPostgres(t) {
		return // PostgreSQL checks foreign keys at every commit
	}
	var violations int
	rows, err := s.r.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		violations++
	}
	rows.Close()
	if violations != 0 {
		t.Errorf("%d foreign key violations", violations)
	}
}

func TestIntegrityCheck(t *testing.T) { forEngines(t, testIntegrityCheck) }

func testIntegrityCheck(t *testing.T) {
	s, _ := openTemp(t)
	if err := s.IntegrityCheck(context.Background()); err != nil {
		t.Errorf("IntegrityCheck on a new database: %v", err)
	}
}

func TestMetaAndHasItems(t *testing.T) { forEngines(t, testMetaAndHasItems) }

func testMetaAndHasItems(t *testing.T) {
	s, _ := openTemp(t)
	update(t, s, func(tx *Tx) error {
		if v, err := tx.Meta("merge_fingerprint"); err != nil || v != "" {
			t.Errorf("Meta on a new store = %q, %v; want \"\"", v, err)
		}
		if has, err := tx.HasItems(); err != nil || has {
			t.Errorf("HasItems on a new store = %v, %v", has, err)
		}
		if err := tx.SetMeta("merge_fingerprint", "a"); err != nil {
			return err
		}
		if err := tx.SetMeta("merge_fingerprint", "b"); err != nil {
			return err
		}
		return tx.PutItem(&talkstream.Item{ID: "i1", Title: "T"}, nil)
	})
	update(t, s, func(tx *Tx) error {
		if v, err := tx.Meta("merge_fingerprint"); err != nil || v != "b" {
			t.Errorf("Meta = %q, %v; want the last value, b", v, err)
		}
		if has, err := tx.HasItems(); err != nil || !has {
			t.Errorf("HasItems with one item = %v, %v", has, err)
		}
		return nil
	})
}

// TestOpenOddPath: a "#", "?" or space in the path is part of the file's
// name, not the end of it.
func TestOpenOddPath(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, name := range []string{"a#b/t.db", "c?d/t.db", "e f/t.db"} {
		path := filepath.Join(dir, name)
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("Open(%q): %v", name, err)
		}
		s.Close()
		if _, err := os.Stat(path); err != nil {
			t.Errorf("Open(%q) did not make that file: %v", name, err)
		}
	}
	for _, stray := range []string{"a", "c"} {
		if _, err := os.Stat(filepath.Join(dir, stray)); err == nil {
			t.Errorf("Open made %s: the path was cut", stray)
		}
	}
}

// TestOpenKeywordValue: a libpq keyword/value string is refused, not
// made into a SQLite file (or folder) named after the connection, and the
// error hides its password.
func TestOpenKeywordValue(t *testing.T) {
	t.Chdir(t.TempDir())
	_, err := Open(context.Background(), "host=/run/postgresql dbname=talkstream password=secret")
	if err == nil || !strings.Contains(err.Error(), "postgres://") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("Open = %v, want a refusal naming the URL form, without the password", err)
	}
	if left, _ := os.ReadDir("."); len(left) != 0 {
		t.Errorf("Open left %v", left)
	}
}

// TestOpenTogether: stores opened at once on a new file migrate it once;
// none fails with "table sources already exists".
func TestOpenTogether(t *testing.T) { forEngines(t, testOpenTogether) }

func testOpenTogether(t *testing.T) {
	path := testDatabase(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			s, err := Open(context.Background(), path)
			if err == nil {
				err = s.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := userVersion(t, s); got != len(migrations) {
		t.Errorf("user_version = %d, want %d", got, len(migrations))
	}
}
