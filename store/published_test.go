package store

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream/publish/index"
)

func fragment(id string, rev int64, published time.Time, streams ...string) *index.Fragment {
	return &index.Fragment{
		ItemID: id, Rev: rev, Hash: "h-" + id, Published: published, Updated: published, Streams: streams,
		RSS: []byte("<item>" + id + "</item>"), Atom: []byte("<entry/>"), JSON: []byte(`{}`), Card: []byte("<article/>"),
	}
}

func publishUpdate(t *testing.T, s *Store, fn func(tx index.Tx) error) {
	t.Helper()
	if err := s.UpdatePublish(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// TestItemRevisions: an item's revision moves when what it is changes, and
// only then, so that publish renders exactly the changed items.
func TestItemRevisions(t *testing.T) { forEngines(t, testItemRevisions) }

func testItemRevisions(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	update(t, s, func(tx *Tx) error {
		return putItemWithEntry(tx, "a", "src", "e1", now, now)
	})
	st, err := s.PublishState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first := st.ItemRev
	changed, err := s.ChangedItems(ctx, index.Cursor{}, 10)
	if err != nil || len(changed) != 1 || changed[0].Item.ID != "a" || len(changed[0].Item.Entries) != 1 {
		t.Fatalf("ChangedItems = %+v, %v", changed, err)
	}
	after := index.Cursor{Rev: changed[0].Rev, ItemID: "a"}

	// Saved again unchanged: same revision, nothing new past the cursor.
	update(t, s, func(tx *Tx) error { return putItemWithEntry(tx, "a", "src", "e1", now, now) })
	if got, _ := s.ChangedItems(ctx, after, 10); len(got) != 0 {
		t.Errorf("an unchanged item is past the cursor: %+v", got)
	}
	// Changed: a new revision.
	update(t, s, func(tx *Tx) error { return putItemWithEntry(tx, "a", "src", "e1", now.Add(time.Hour), now) })
	got, _ := s.ChangedItems(ctx, after, 10)
	if len(got) != 1 || got[0].Rev <= first {
		t.Errorf("a changed item: %+v, want one past revision %d", got, first)
	}
}

// TestMembersKeyset reads a stream in its order, a page at a time.
func TestMembersKeyset(t *testing.T) { forEngines(t, testMembersKeyset) }

func testMembersKeyset(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	var ms []index.Member
	for i := range 7 {
		// Two items share each date: ties are ordered by id.
		ms = append(ms, index.Member{ItemID: fmt.Sprintf("i%d", i), Published: now.Add(-time.Duration(i/2) * time.Hour)})
	}
	ms = append(ms, index.Member{ItemID: "undated"})
	publishUpdate(t, s, func(tx index.Tx) error { return tx.AddMembers("/", ms) })
	var got []string
	var after *index.After
	for {
		page, err := s.Members(ctx, "/", after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page {
			got = append(got, m.ItemID)
		}
		if len(page) < 3 {
			break
		}
		last := page[len(page)-1]
		after = &index.After{Published: last.Published, ItemID: last.ItemID}
	}
	want := []string{"i0", "i1", "i2", "i3", "i4", "i5", "i6", "undated"}
	if !slices.Equal(got, want) {
		t.Errorf("members in pages of 3: %v, want %v", got, want)
	}
}

// TestStreamSummaries: stats, dirty marking, and items that leave their
// streams outside publish (merged into another item, deleted).
func TestStreamSummaries(t *testing.T) { forEngines(t, testStreamSummaries) }

func testStreamSummaries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	d2013, d2014 := time.Date(2013, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC)
	update(t, s, func(tx *Tx) error {
		for _, id := range []string{"a", "b", "c"} {
			if err := putItemWithEntry(tx, id, "src", "e-"+id, d2013, now); err != nil {
				return err
			}
		}
		return nil
	})
	publishUpdate(t, s, func(tx index.Tx) error {
		fs := []*index.Fragment{fragment("a", 1, d2014, "/", "/tags/x/"), fragment("b", 1, d2013, "/", "/tags/x/"), fragment("c", 1, time.Time{}, "/")}
		for _, f := range fs {
			for _, p := range f.Streams {
				if err := tx.AddMembers(p, []index.Member{{ItemID: f.ItemID, Published: f.Published, Updated: f.Updated}}); err != nil {
					return err
				}
			}
		}
		if err := tx.PutFragments(fs); err != nil {
			return err
		}
		main, err := tx.StreamStats("/")
		if err != nil {
			return err
		}
		if main.Count != 3 || !main.Latest.Equal(d2014) || !slices.Equal(main.Years, []index.YearCount{{Year: 2014, Count: 1}, {Year: 2013, Count: 1}, {Year: 0, Count: 1}}) {
			t.Errorf("stats of /: %+v", main)
		}
		main.Version, main.Modified = 1, now
		return tx.PutStream(main)
	})
	frags, err := s.Fragments(ctx, []string{"a", "b", "nope"}, index.RSS)
	if err != nil || len(frags) != 2 || string(frags["a"].RSS) != "<item>a</item>" || frags["a"].Card != nil {
		t.Errorf("Fragments(RSS) = %+v, %v", frags, err)
	}
	// Several formats at once, in any order; the others stay nil.
	frags, err = s.Fragments(ctx, []string{"b"}, index.Card, index.RSS, index.JSON)
	if f := frags["b"]; err != nil || f == nil || string(f.RSS) != "<item>b</item>" || string(f.JSON) != "{}" ||
		string(f.Card) != "<article/>" || f.Atom != nil || f.ItemID != "b" {
		t.Errorf("Fragments(Card, RSS, JSON) = %+v, %v", f, err)
	}
	if _, err := s.Fragments(ctx, []string{"b"}); err == nil {
		t.Error("Fragments without a format: no error")
	}

	// b is merged into a, c deleted: their streams are dirty, their members
	// and fragments gone.
	update(t, s, func(tx *Tx) error {
		if err := tx.MoveEntries("b", "a"); err != nil {
			return err
		}
		if err := tx.DeleteEntry("src", "e-c"); err != nil {
			return err
		}
		return tx.DeleteItem("c")
	})
	publishUpdate(t, s, func(tx index.Tx) error {
		dirty, err := tx.DirtyStreams()
		if err != nil {
			return err
		}
		if !slices.Equal(dirty, []string{"/", "/tags/x/"}) {
			t.Errorf("dirty = %v", dirty)
		}
		main, err := tx.StreamStats("/")
		if main.Count != 1 {
			t.Errorf("/ has %d members after the merge and the delete, want 1", main.Count)
		}
		return err
	})
	st, err := s.PublishState(ctx)
	if err != nil || !st.Dirty {
		t.Errorf("PublishState = %+v, %v: want dirty", st, err)
	}
	if got, _ := s.Fragments(ctx, []string{"b", "c"}, index.Card); len(got) != 0 {
		t.Errorf("fragments of items gone: %v", got)
	}
}

// TestPublishQueryPlans: every read publish makes while serving is a search
// of an index, never a scan.
// subqueryScan is a plan line reading a subquery's rows, by its alias.
var subqueryScan = regexp.MustCompile(`SCAN (\(subquery|same_date|older|newer)`)

func TestPublishQueryPlans(t *testing.T) {
	s, _ := openTemp(t)
	for _, tc := range []struct {
		name, query string
		args        []any
		want        []string // each must appear in the plan
	}{
		{"members from the start", `SELECT item_id, published, updated FROM stream_items WHERE stream = ? ORDER BY published DESC, item_id LIMIT 50`,
			[]any{"/"}, []string{"SEARCH stream_items USING PRIMARY KEY (stream=?)"}},
		{"members after a position", membersAfterQuery, []any{"/", 1, "x", 50, "/", 1, 50, 50},
			[]string{"(stream=? AND published=? AND item_id>?)", "(stream=? AND published<?)"}},
		{"members before a position", membersBeforeQuery, []any{"/", 1, "x", 50, "/", 1, 50, 50},
			[]string{"(stream=? AND published=? AND item_id<?)", "(stream=? AND published>?)"}},
		{"fragments", `SELECT item_id, rss FROM fragments WHERE item_id IN (?, ?)`, []any{"a", "b"}, []string{"SEARCH fragments"}},
		{"changed items", changedItemsQuery, []any{1, "x", 10}, []string{"SEARCH items USING INDEX items_rev ((rev,id)>(?,?))"}},
		{"members leaving", removeMembersQuery(2), []any{"a", "b", "/"}, []string{"USING INDEX stream_items_item (item_id=?"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Join(queryPlan(t, s, tc.query, tc.args...), "\n")
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("plan lacks %q:\n%s", w, text)
				}
			}
			// A scan of a subquery's few rows is fine; of a table, not.
			for _, line := range strings.Split(text, "\n") {
				if strings.Contains(line, "SCAN") && !subqueryScan.MatchString(line) {
					t.Errorf("plan scans a table: %s\n%s", line, text)
				}
			}
		})
	}
}
