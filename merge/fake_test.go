package merge

import (
	"fmt"
	"sort"
	"testing"

	"github.com/talkstream/talkstream"
)

// fakeTx is an in-memory Tx with the store's semantics: items get a
// creation sequence on first insert, SaveItems replaces an item's keys (and
// takes a key over from another item), MoveEntries moves entries and keys,
// deletes the old item and records an alias, DeleteItem drops the item's
// keys and tags with it.
type fakeTx struct {
	entries map[entryKey]StoredEntry
	items   map[string]fakeItem
	keys    map[string]string // key → item id
	aliases map[string]string // old item id → item id
	seq     int64
	writes  []string // every write call, for tests that expect none
}

type entryKey struct{ source, entry string }

type fakeItem struct {
	item   talkstream.Item
	seq    int64
	hidden bool
}

var _ Tx = (*fakeTx)(nil)

func newFakeTx() *fakeTx {
	return &fakeTx{
		entries: map[entryKey]StoredEntry{},
		items:   map[string]fakeItem{},
		keys:    map[string]string{},
		aliases: map[string]string{},
	}
}

func (f *fakeTx) wrote(format string, args ...any) {
	f.writes = append(f.writes, fmt.Sprintf(format, args...))
}

func (f *fakeTx) Entry(sourceID, entryID string) (*StoredEntry, error) {
	se, ok := f.entries[entryKey{sourceID, entryID}]
	if !ok {
		return nil, nil
	}
	return &se, nil
}

func (f *fakeTx) EntryStates(sourceID string, entryIDs []string) (map[string]*StoredEntry, error) {
	out := map[string]*StoredEntry{}
	for _, id := range entryIDs {
		if se, ok := f.entries[entryKey{sourceID, id}]; ok {
			se.Entry = talkstream.Entry{} // as the store: no Entry
			out[id] = &se
		}
	}
	return out, nil
}

// Owners scans every key for the ranges, which the store must not do: the
// test double only needs the answer.
func (f *fakeTx) Owners(keys []string, ranges []KeyRange) (map[string]KeyOwner, error) {
	out := map[string]KeyOwner{}
	add := func(k, id string) {
		if it, ok := f.items[id]; ok { // as the store's join: a key without its item is no owner
			out[k] = KeyOwner{ItemID: id, Created: it.seq}
		}
	}
	for _, k := range keys {
		if id, ok := f.keys[k]; ok {
			add(k, id)
		}
	}
	for k, id := range f.keys {
		for _, r := range ranges {
			if k >= r.From && k <= r.To {
				add(k, id)
			}
		}
	}
	return out, nil
}

func (f *fakeTx) ItemCreated(itemID string) (int64, bool, error) {
	it, ok := f.items[itemID]
	return it.seq, ok, nil
}

func (f *fakeTx) PutEntries(es []*StoredEntry) error {
	for _, e := range es {
		f.wrote("PutEntry %s/%s → %s", e.SourceID, e.EntryID, e.ItemID)
		f.entries[entryKey{e.SourceID, e.EntryID}] = *e
	}
	return nil
}

func (f *fakeTx) DeleteEntry(sourceID, entryID string) error {
	f.wrote("DeleteEntry %s/%s", sourceID, entryID)
	delete(f.entries, entryKey{sourceID, entryID})
	return nil
}

func (f *fakeTx) EntriesOfItems(itemIDs []string) (map[string][]StoredEntry, error) {
	out := map[string][]StoredEntry{}
	for _, id := range itemIDs {
		if es := f.itemEntries(id); len(es) > 0 {
			out[id] = es
		}
	}
	return out, nil
}

func (f *fakeTx) itemEntries(itemID string) []StoredEntry {
	var out []StoredEntry
	for _, se := range f.entries {
		if se.ItemID == itemID {
			out = append(out, se)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		if a.SourceID != b.SourceID {
			return a.SourceID < b.SourceID
		}
		return a.EntryID < b.EntryID
	})
	return out
}

func (f *fakeTx) MoveEntries(from, to string) error {
	f.wrote("MoveEntries %s → %s", from, to)
	for k, se := range f.entries {
		if se.ItemID == from {
			se.ItemID = to
			f.entries[k] = se
		}
	}
	for k, id := range f.keys {
		if id == from {
			f.keys[k] = to
		}
	}
	delete(f.items, from)
	for old, id := range f.aliases {
		if id == from {
			f.aliases[old] = to
		}
	}
	f.aliases[from] = to
	return nil
}

func (f *fakeTx) SaveItems(rs []*ItemRecord) error {
	for _, r := range rs {
		item, keys := r.Item, r.Keys
		f.wrote("SaveItem %s", item.ID)
		it, ok := f.items[item.ID]
		if !ok {
			f.seq++
			it.seq = f.seq
		} else if r.Fresh {
			return fmt.Errorf("item %s saved as fresh but already stored", item.ID)
		}
		it.item = *item
		it.hidden = r.Hidden
		f.items[item.ID] = it
		for k, id := range f.keys {
			if id == item.ID {
				delete(f.keys, k)
			}
		}
		for _, k := range keys {
			f.keys[k] = item.ID
		}
	}
	return nil
}

func (f *fakeTx) DeleteItem(itemID string) error {
	f.wrote("DeleteItem %s", itemID)
	delete(f.items, itemID)
	for k, id := range f.keys {
		if id == itemID {
			delete(f.keys, k)
		}
	}
	return nil
}

// item returns the stored item with id, else the item id is an alias of,
// as the store does: a split item made again is itself, not its alias.
func (f *fakeTx) item(t *testing.T, id string) talkstream.Item {
	t.Helper()
	if to, ok := f.aliases[id]; ok && f.items[id].seq == 0 {
		id = to
	}
	it, ok := f.items[id]
	if !ok {
		t.Fatalf("no item %s (items: %v)", id, f.itemIDs())
	}
	return it.item
}

// itemIDs returns the ids of the stored items in creation order.
func (f *fakeTx) itemIDs() []string {
	ids := make([]string, 0, len(f.items))
	for id := range f.items {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return f.items[ids[i]].seq < f.items[ids[j]].seq })
	return ids
}

// check verifies what the store's foreign keys would: every entry and key
// belongs to an existing item, every item has entries, aliases lead to
// existing items.
func (f *fakeTx) check(t *testing.T) {
	t.Helper()
	has := map[string]bool{}
	for k, se := range f.entries {
		if _, ok := f.items[se.ItemID]; !ok {
			t.Errorf("entry %v points at missing item %s", k, se.ItemID)
		}
		has[se.ItemID] = true
	}
	for id := range f.items {
		if !has[id] {
			t.Errorf("item %s has no entries", id)
		}
	}
	for k, id := range f.keys {
		if _, ok := f.items[id]; !ok {
			t.Errorf("key %s points at missing item %s", k, id)
		}
	}
	for old, id := range f.aliases {
		if _, ok := f.items[id]; !ok {
			t.Errorf("alias %s points at missing item %s", old, id)
		}
	}
}
