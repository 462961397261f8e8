// Package ledger is the contract between merge and the store: the records
// merge keeps (entries as each source published them, derived items with
// their keys) and Tx, the batched reads and writes merge makes inside one
// transaction. merge decides; the store only keeps and finds, once per
// database engine (SQLite, PostgreSQL), as database/sql/driver is
// implemented by drivers and used by database/sql.
package ledger

import (
	"time"

	"github.com/talkstream/talkstream"
)

// EntryRef names one entry: its source id and its id inside the source,
// as `talkstream explain` prints them ("source-id/entry-id").
type EntryRef struct {
	Source, Entry string
}

func (r EntryRef) String() string { return r.Source + "/" + r.Entry }

// StoredEntry is an entry as the store keeps it: attached to an item, with
// its identity, content hash and bookkeeping times.
type StoredEntry struct {
	SourceID  string
	EntryID   string
	ItemID    string
	Hash      string
	Role      talkstream.Role
	FirstSeen time.Time // when talkstream first stored it
	Changed   time.Time // when its content last changed (its own date when first seen)
	Why       string    // how it came to be in its item
	Entry     talkstream.Entry
}

// Ref names the entry.
func (se *StoredEntry) Ref() EntryRef { return EntryRef{Source: se.SourceID, Entry: se.EntryID} }

// KeyOwner is the item a key belongs to.
type KeyOwner struct {
	ItemID  string
	Created int64 // creation order of the item: lower is older
}

// ItemRecord is a derived item as it is stored.
type ItemRecord struct {
	Item   *talkstream.Item
	Keys   []string // sorted; the item owns them (a key belongs to one item)
	Hidden bool     // moderated: in the store, in no output
	// Fresh says the store holds nothing of this item yet (no row, keys
	// or tags to replace), so writing it is inserts only.
	Fresh bool
}

// KeyRange is an inclusive range of keys, From <= key <= To.
type KeyRange struct{ From, To string }

// Tx is what merge needs of the store, inside one transaction. Its methods
// take and return batches: merging a feed costs a few statements per
// batch, not a dozen per entry.
type Tx interface {
	// EntryStates returns what is stored of the given entries of one
	// source, by entry id, without their Entry (identity, item, hash,
	// times, why); entries never stored are absent.
	EntryStates(sourceID string, entryIDs []string) (map[string]*StoredEntry, error)
	// Owners returns the item of every stored key that is in keys or
	// inside one of the ranges. Ranges must be index range scans, so that
	// the cost does not grow with the number of items.
	Owners(keys []string, ranges []KeyRange) (map[string]KeyOwner, error)
	// ItemCreated returns an item's creation order; ok is false when
	// there is no such item.
	ItemCreated(itemID string) (created int64, ok bool, err error)
	// PutEntries inserts or replaces entries.
	PutEntries(es []*StoredEntry) error
	// Entry returns one stored entry whole, or nil.
	Entry(sourceID, entryID string) (*StoredEntry, error)
	// DeleteEntry removes one entry.
	DeleteEntry(sourceID, entryID string) error
	// EntriesOfItems returns the entries attached to each of the items.
	EntriesOfItems(itemIDs []string) (map[string][]StoredEntry, error)
	// MoveEntries attaches every entry of item from to item to, deletes
	// item from and remembers from as an alias of to.
	MoveEntries(from, to string) error
	// SaveItems inserts or replaces derived items with their keys and
	// tags; an item keeps its creation order when it is replaced, and new
	// items are created in the order given.
	SaveItems(rs []*ItemRecord) error
	// DeleteItem removes an item that has no entries left.
	DeleteItem(itemID string) error
}
