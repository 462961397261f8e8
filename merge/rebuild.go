package merge

// Rebuild derives items again from their stored entries and stores them,
// or deletes those with no entry left. It applies moderation first:
// entries that a split rule pins elsewhere move there (and that item is
// rebuilt too), and entries whose split rule was removed go back to the
// item they came from.
func (m *Merger) Rebuild(tx Tx, itemIDs ...string) error {
	return m.rebuild(tx, itemIDs, nil, nil, nil, nil)
}

// rebuild is Rebuild with the entries of some items already known; fresh
// marks those of them the store holds nothing of. tc holds the texts an
// Apply has read already; without one (Rebuild, a thousand items at a
// time), each item reads its texts through a cache of its own, so that
// no more than one item's are held at once.
func (m *Merger) rebuild(tx Tx, itemIDs []string, known map[string][]StoredEntry, fresh map[string]bool, entryKeys map[EntryRef][]string, tc *textCache) error {
	todo := map[string]bool{}
	for _, id := range itemIDs {
		todo[id] = true
	}
	for len(todo) > 0 {
		ids := sortedKeys(todo)
		todo = map[string]bool{}
		var fetch []string
		for _, id := range ids {
			if _, ok := known[id]; !ok {
				fetch = append(fetch, id)
			}
		}
		got := map[string][]StoredEntry{}
		if len(fetch) > 0 {
			var err error
			if got, err = tx.EntriesOfItems(fetch); err != nil {
				return err
			}
		}
		var records []*ItemRecord
		for _, id := range ids {
			entries, ok := known[id]
			if !ok {
				entries = got[id]
			}
			kept := entries[:0:0]
			returned := map[string]bool{} // items entries returned to when their split rule went
			for i := range entries {
				se := entries[i]
				dest, why, err := m.moderate(tx, id, &se)
				if err != nil {
					return err
				}
				if dest == "" || dest == id {
					kept = append(kept, se)
					continue
				}
				if why == returnedWhy {
					returned[dest] = true
				}
				se.ItemID, se.Why = dest, why
				if err := tx.PutEntries([]*StoredEntry{&se}); err != nil {
					return err
				}
				todo[dest] = true
				delete(known, dest)
			}
			if len(kept) == 0 {
				if err := m.retire(tx, id, returned); err != nil {
					return err
				}
				continue
			}
			itc := tc
			if itc == nil {
				itc = newTextCache()
			}
			item, keys := m.build(id, kept, entryKeys, itc)
			records = append(records, &ItemRecord{Item: item, Keys: keys, Hidden: m.hide[id], Fresh: fresh[id]})
		}
		if err := tx.SaveItems(records); err != nil {
			return err
		}
	}
	return nil
}

// retire removes an item left with no entry. When its entries went back
// to one item because their split rule was removed, its id becomes an
// alias of that item, so that readers' links to the split item still
// lead to the talk.
func (m *Merger) retire(tx Tx, id string, returned map[string]bool) error {
	if len(returned) == 1 {
		for to := range returned {
			return tx.MoveEntries(id, to) // moves nothing: deletes id, records the alias
		}
	}
	return tx.DeleteItem(id)
}
