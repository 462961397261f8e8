package merge

import (
	"fmt"
	"strings"
)

// Split takes entries out of the item they were merged into: together they
// become one new item, with an id derived from the rule (SplitID), that
// keys never merge again. Write one rule per new item.
type Split struct {
	Item    string     // the item the entries were wrongly merged into (for explain and the new id)
	Entries []EntryRef // at least one
}

// ParseEntryRef parses "source-id/entry-id"; source ids have no "/", entry
// ids (often URLs) may.
func ParseEntryRef(s string) (EntryRef, bool) {
	src, entry, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok || src == "" || entry == "" {
		return EntryRef{}, false
	}
	return EntryRef{Source: src, Entry: entry}, true
}

// SplitID is the stable id of the item a split rule makes.
func SplitID(s Split) string {
	first := ""
	if len(s.Entries) > 0 {
		first = s.Entries[0].String()
	}
	return hashStrings("split", s.Item, first)[:16]
}

// splitWhy is the Why of an entry a split rule moved from item from to
// item to.
func splitWhy(from, to string) string {
	return fmt.Sprintf("%s%s into item %s by config (split:)", splitPrefix, from, to)
}

// splitPrefix starts the Why of an entry a split rule moved; the id of the
// item it came from follows.
const splitPrefix = "split off item "

// moderate says where a split rule sends an entry of item id: "" to stay.
func (m *Merger) moderate(tx Tx, id string, se *StoredEntry) (dest, why string, err error) {
	if dest := m.pinned[se.Ref()]; dest != "" {
		return dest, splitWhy(id, dest), nil
	}
	// Pinned by a rule that is gone: back to the item it came from.
	back, ok := strings.CutPrefix(se.Why, splitPrefix)
	if !ok || len(back) < 16 || back[:16] == id {
		return "", "", nil
	}
	if _, exists, err := tx.ItemCreated(back[:16]); err != nil || !exists {
		return "", "", err
	}
	return back[:16], returnedWhy, nil
}

// returnedWhy is the Why of an entry that went back to its item because
// the split rule that pinned it elsewhere was removed.
const returnedWhy = "returned to its item (its split: rule was removed)"
