package store

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
)

// TestCopyCoversSchema: every table of the schema is copied or named as
// left behind, so a migration that adds one cannot leave it out of copy.
func TestCopyCoversSchema(t *testing.T) {
	s, _ := openTemp(t)
	rows, err := s.r.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		copied := slices.ContainsFunc(copyTables, func(c struct{ name, key string }) bool { return c.name == name })
		if !copied && !slices.Contains(copyLeftBehind, name) {
			t.Errorf("table %s is neither in copyTables nor in copyLeftBehind", name)
		}
	}
}

// TestCopyTo copies a store to the other engine and back (or, without
// PostgreSQL, to another SQLite file): the same rows arrive, a non-empty
// target is refused, and replace empties it first.
func TestCopyTo(t *testing.T) { forEngines(t, testCopyTo) }

func testCopyTo(t *testing.T) {
	ctx := context.Background()
	src, _ := openTemp(t)
	update(t, src, func(tx *Tx) error {
		if err := tx.PutSourceState("blog", talkstream.FetchState{ETag: `"e"`, LastFetch: now, FetchedBy: "web1"}); err != nil {
			return err
		}
		if err := tx.PutItem(&talkstream.Item{ID: "i1", Title: "One", Published: now}, []string{"url:a", "title:one"}); err != nil {
			return err
		}
		return tx.SetMeta("merge_fingerprint", "fp")
	})
	err := src.UpdatePublish(ctx, func(tx index.Tx) error {
		return tx.PutFragments([]*index.Fragment{{ItemID: "i1", Rev: 1, Hash: "h", Published: now, Updated: now,
			Streams: []string{"/"}, RSS: []byte("<item/>"), Atom: []byte{0, 1, 2, 255}, JSON: []byte("{}"), Card: []byte("<li>")}})
	})
	if err != nil {
		t.Fatal(err)
	}
	// The other engine when there is one: the copy crosses engines.
	other := t.TempDir() + "/copy.db"
	if !onPostgres(t) {
		if pg := postgresIfAny(t); pg != "" {
			other = pg
		}
	}
	dst, err := Open(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	got, err := src.CopyTo(ctx, dst, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s → %s: %+v", src.Engine(), dst.Engine(), got.Tables)
	item, err := dst.Item(ctx, "i1")
	if err != nil || item.Title != "One" {
		t.Errorf("copied item = %+v, %v", item, err)
	}
	frags, err := dst.Fragments(ctx, []string{"i1"}, index.Atom)
	if err != nil || frags["i1"] == nil || string(frags["i1"].Atom) != string([]byte{0, 1, 2, 255}) {
		t.Errorf("copied fragment = %+v, %v", frags["i1"], err)
	}
	states, _ := dst.SourceStates(ctx)
	if st := states["blog"]; st.ETag != `"e"` || !st.LastFetch.Equal(now) || st.FetchedBy != "web1" {
		t.Errorf("copied state = %+v", st)
	}
	if _, err := src.CopyTo(ctx, dst, false); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("copy into a non-empty store: %v, want ErrNotEmpty", err)
	}
	if _, err := src.CopyTo(ctx, dst, true); err != nil {
		t.Errorf("copy with replace: %v", err)
	}
}
