package store

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/merge"
)

// TestQueryPlans checks that every lookup merging does is an index search,
// never a scan of keys, entries or items: merging one entry must cost the
// same with 100 or 1,000,000 items. The range of the title keys is a
// search of the keys' primary key for each range.
func TestQueryPlans(t *testing.T) {
	s, _ := openTemp(t)
	args := func(n int) []any {
		a := make([]any, n)
		for i := range a {
			a[i] = fmt.Sprint("k", i)
		}
		return a
	}
	tests := []struct {
		name  string
		query string
		args  []any
		want  []string // each must appear in the plan
	}{
		{"title key ranges", ownersRangeQuery(3), args(6), []string{"SEARCH k USING", "(key>? AND key<?)", "SEARCH i USING INDEX sqlite_autoindex_items_1 (id=?)"}},
		{"one title key range", ownersRangeQuery(1), args(2), []string{"SEARCH k USING", "(key>? AND key<?)"}},
		{"exact keys", ownersKeysQuery(4), args(4), []string{"SEARCH k USING", "(key=?)"}},
		{"entry states", `SELECT entry_id, item_id, hash FROM entries WHERE source_id = ? AND entry_id IN (?,?,?)`, args(4),
			[]string{"SEARCH entries USING INDEX sqlite_autoindex_entries_1 (source_id=? AND entry_id=?)"}},
		{"entries of items", `SELECT source_id FROM entries WHERE item_id IN (?,?) ORDER BY item_id, first_seen`, args(2),
			[]string{"SEARCH entries USING INDEX entries_item (item_id=?)"}},
		{"keys of items", `DELETE FROM keys WHERE item_id IN (?,?)`, args(2), []string{"SEARCH keys USING", "keys_item (item_id=?)"}},
		{"item order", `SELECT COALESCE(MAX(seq), 0) FROM items`, nil, []string{"SEARCH items USING COVERING INDEX sqlite_autoindex_items_2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := queryPlan(t, s, tt.query, tt.args...)
			text := strings.Join(plan, "\n")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("plan lacks %q:\n%s", w, text)
				}
			}
			for _, line := range plan {
				for _, table := range []string{"keys", "entries", "items", " k", " i"} {
					if strings.HasPrefix(line, "SCAN") && strings.HasSuffix(strings.Fields(line)[1], strings.TrimSpace(table)) {
						t.Errorf("plan scans %s: %s\n%s", table, line, text)
					}
				}
			}
		})
	}
}

func TestOwnersAndSaveItems(t *testing.T) { forEngines(t, testOwnersAndSaveItems) }

func testOwnersAndSaveItems(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	item := func(id string, tags ...string) *talkstream.Item {
		return &talkstream.Item{ID: id, Title: "item " + id, Published: now, Updated: now, Tags: tags}
	}
	entry := func(itemID, id string) *merge.StoredEntry {
		return &merge.StoredEntry{SourceID: "src", EntryID: id, ItemID: itemID, Hash: "h" + id, Role: talkstream.RolePost,
			FirstSeen: now, Changed: now, Why: "first seen here", Entry: testEntry("src", id, "Entry "+id, now)}
	}
	update(t, s, func(tx *Tx) error {
		if err := tx.PutEntries([]*merge.StoredEntry{entry("a", "e1"), entry("a", "e2"), entry("b", "e3"), entry("c", "e4")}); err != nil {
			return err
		}
		return tx.SaveItems([]*merge.ItemRecord{
			{Item: item("a", "xen"), Keys: []string{"title:t@000100", "title:t@000130", "url:https://example.org/a"}, Fresh: true},
			{Item: item("b"), Keys: []string{"title:t x@000110", "title:t@000200"}, Fresh: true},
			{Item: item("c", "tls"), Keys: []string{"video:youtube:x"}, Hidden: true, Fresh: true},
		})
	})
	update(t, s, func(tx *Tx) error {
		got, err := tx.Owners([]string{"url:https://example.org/a", "url:https://example.org/none"},
			[]merge.KeyRange{{From: "title:t@000090", To: "title:t@000130"}, {From: "title:t@000190", To: "title:t@000230"}})
		if err != nil {
			return err
		}
		var keys []string
		for k, o := range got {
			keys = append(keys, k+"→"+o.ItemID)
		}
		slices.Sort(keys)
		want := []string{"title:t@000100→a", "title:t@000130→a", "title:t@000200→b", "url:https://example.org/a→a"}
		if !slices.Equal(keys, want) {
			t.Errorf("Owners = %q, want %q (title \"t x\" must not fall in the ranges of \"t\")", keys, want)
		}
		if got["title:t@000200"].Created <= got["title:t@000100"].Created {
			t.Errorf("creation order %+v", got)
		}

		states, err := tx.EntryStates("src", []string{"e1", "e4", "nope"})
		if err != nil {
			return err
		}
		if len(states) != 2 || states["e1"].ItemID != "a" || states["e4"].Hash != "he4" || states["e1"].Entry.Title != "" {
			t.Errorf("EntryStates = %+v", states)
		}
		of, err := tx.EntriesOfItems([]string{"a", "c", "none"})
		if err != nil {
			return err
		}
		if len(of["a"]) != 2 || len(of["c"]) != 1 || of["a"][0].Entry.Title != "Entry e1" {
			t.Errorf("EntriesOfItems = %+v", of)
		}
		// Replacing an item replaces its keys and tags and keeps its order.
		if err := tx.SaveItems([]*merge.ItemRecord{{Item: item("a", "ocaml"), Keys: []string{"url:https://example.org/a2"}}}); err != nil {
			return err
		}
		if c, ok, err := tx.ItemCreated("a"); err != nil || !ok || c != 1 {
			t.Errorf("ItemCreated(a) = %d, %v, %v", c, ok, err)
		}
		if _, ok, _ := tx.ItemCreated("none"); ok {
			t.Error("ItemCreated(none) found an item")
		}
		return nil
	})
	keys, err := s.ItemKeys(ctx, "a")
	if err != nil || !reflect.DeepEqual(keys, []string{"url:https://example.org/a2"}) {
		t.Errorf("ItemKeys(a) = %q, %v", keys, err)
	}
	if tags := tags(t, s, "a"); !reflect.DeepEqual(tags, []string{"ocaml"}) {
		t.Errorf("tags of a = %q", tags)
	}

	// A hidden item is in no output, but explain finds it.
	items, err := s.Items(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	if slices.Contains(ids, "c") || len(ids) != 2 {
		t.Errorf("Items = %q, want a and b (c is hidden)", ids)
	}
	if it, err := s.Item(ctx, "c"); err != nil || it.ID != "c" {
		t.Errorf("Item(c) = %+v, %v", it, err)
	}
	// And unhiding shows it again.
	update(t, s, func(tx *Tx) error {
		return tx.SaveItems([]*merge.ItemRecord{{Item: item("c", "tls"), Keys: []string{"video:youtube:x"}}})
	})
	if items, _ := s.Items(ctx, 0); len(items) != 3 {
		t.Errorf("%d items after unhiding, want 3", len(items))
	}
}

// TestSaveItemsManyInOneBatch crosses the batch size, so that chunking and
// the numbering of new items are exercised.
func TestSaveItemsManyInOneBatch(t *testing.T) { forEngines(t, testSaveItemsManyInOneBatch) }

func testSaveItemsManyInOneBatch(t *testing.T) {
	s, _ := openTemp(t)
	const n = 2*batch + 7
	update(t, s, func(tx *Tx) error {
		var es []*merge.StoredEntry
		var rs []*merge.ItemRecord
		for i := range n {
			id := fmt.Sprintf("item%04d", i)
			es = append(es, &merge.StoredEntry{SourceID: "s", EntryID: id, ItemID: id, Hash: "h", Role: talkstream.RolePost,
				FirstSeen: now, Changed: now, Entry: testEntry("s", id, id, now)})
			rs = append(rs, &merge.ItemRecord{Item: &talkstream.Item{ID: id, Published: now.Add(time.Duration(i) * time.Minute)},
				Keys: []string{"url:https://example.org/" + id}, Fresh: true})
		}
		if err := tx.PutEntries(es); err != nil {
			return err
		}
		return tx.SaveItems(rs)
	})
	update(t, s, func(tx *Tx) error {
		var keys []string
		for i := range n {
			keys = append(keys, fmt.Sprintf("url:https://example.org/item%04d", i))
		}
		got, err := tx.Owners(keys, nil)
		if err != nil {
			return err
		}
		if len(got) != n {
			t.Errorf("%d owners, want %d", len(got), n)
		}
		for i := range n {
			if o := got[keys[i]]; o.Created != int64(i+1) {
				t.Fatalf("item %d created %d, want %d", i, o.Created, i+1)
			}
		}
		return nil
	})
}

// TestStatementCacheConcurrent runs transactions from several goroutines,
// each meeting statements the store has not prepared yet: preparing them
// for the store after a commit must not wait on a transaction that waits
// on the cache (a deadlock the ingest tests once found).
func TestStatementCacheConcurrent(t *testing.T) { forEngines(t, testStatementCacheConcurrent) }

func testStatementCacheConcurrent(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	done := make(chan error)
	for g := range 6 {
		go func() {
			for i := range 15 {
				ids := make([]string, 1+(g*15+i)%40) // a new statement shape most times
				for j := range ids {
					ids[j] = fmt.Sprint("e", j)
				}
				err := s.Update(ctx, func(tx *Tx) error {
					_, err := tx.EntryStates("src", ids)
					return err
				})
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	timeout := time.After(60 * time.Second)
	for range 6 {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			t.Fatal("transactions deadlocked")
		}
	}
}

// queryPlan returns SQLite's EXPLAIN QUERY PLAN of a query, a line a step.
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.r.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}
