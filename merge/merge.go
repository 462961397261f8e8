// Package merge decides which entries are the same talk or story and derives
// one Item from them. It owns entry identity inside a source (GUID, else
// link, else a content hash), the cross-source keys (canonical URLs and video
// ids), change detection by content hash, and the tagging of items with
// kind, speakers, event and topics. It does no I/O of its own: it reads and
// writes through the Tx interface, which the store implements inside one
// transaction per source.
package merge

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

// Speaker is a person recognised by name or alias.
type Speaker struct {
	ID      string
	Name    string
	Aliases []string
}

// Event is a recurring event recognised by Match.
type Event struct {
	ID    string
	Name  string
	Match *regexp.Regexp
}

// Rule tags (and optionally sets the kind of) entries that match.
type Rule struct {
	Match *regexp.Regexp
	Tags  []string
	Kind  talkstream.Kind
}

// Options configure a Merger; cmd builds them from the config.
type Options struct {
	Sources  []talkstream.Source
	Speakers []Speaker
	Events   []Event
	Rules    []Rule
}

// Merger merges entries into items. It is safe for concurrent use as long
// as each call gets its own Tx.
type Merger struct {
	sources  map[string]*talkstream.Source
	speakers []speakerMatcher
	events   []Event
	rules    []Rule
}

// New returns a Merger for the given options.
func New(opts Options) *Merger {
	m := &Merger{sources: map[string]*talkstream.Source{}, events: opts.Events, rules: opts.Rules}
	for i := range opts.Sources {
		s := opts.Sources[i]
		m.sources[s.ID] = &s
	}
	for _, sp := range opts.Speakers {
		m.speakers = append(m.speakers, newSpeakerMatcher(sp))
	}
	return m
}

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

// KeyOwner is the item a key belongs to.
type KeyOwner struct {
	ItemID  string
	Created int64 // creation order of the item: lower is older
}

// Tx is what merge needs of the store, inside one transaction.
type Tx interface {
	// Entry returns the stored entry, or nil.
	Entry(sourceID, entryID string) (*StoredEntry, error)
	// ItemsByKeys returns the owner of each key that belongs to an item.
	ItemsByKeys(keys []string) (map[string]KeyOwner, error)
	// PutEntry inserts or replaces one entry.
	PutEntry(e *StoredEntry) error
	// DeleteEntry removes one entry.
	DeleteEntry(sourceID, entryID string) error
	// ItemEntries returns the entries attached to an item.
	ItemEntries(itemID string) ([]StoredEntry, error)
	// MoveEntries attaches every entry of item from to item to, deletes
	// item from and remembers from as an alias of to.
	MoveEntries(from, to string) error
	// PutItem inserts or replaces a derived item with its keys and tags.
	PutItem(item *talkstream.Item, keys []string) error
	// DeleteItem removes an item that has no entries left.
	DeleteItem(itemID string) error
}

// Stats counts what one Apply did.
type Stats struct {
	New, Updated, Unchanged, Filtered int
}

func (s Stats) String() string {
	return fmt.Sprintf("%d new, %d updated, %d unchanged, %d filtered", s.New, s.Updated, s.Unchanged, s.Filtered)
}

// Apply merges the entries one fetch of src returned. Entries whose content
// hash is unchanged cost one lookup and write nothing.
func (m *Merger) Apply(tx Tx, src talkstream.Source, entries []talkstream.Entry, now time.Time) (Stats, error) {
	var st Stats
	if cur, ok := m.sources[src.ID]; ok {
		src = *cur // the configured filters and tags win over a stale copy
	}
	dirty := map[string]bool{} // items to rebuild
	moved := map[string]bool{} // items folded into another
	ids := assignIDs(entries)
	done := map[string]bool{}
	for i := range entries {
		e := entries[i]
		e.SourceID = src.ID
		id := ids[i]
		if done[id] {
			continue // an exact duplicate inside one feed
		}
		done[id] = true
		prev, err := tx.Entry(src.ID, id)
		if err != nil {
			return st, err
		}
		if why := filtered(&src, &e); why != "" {
			st.Filtered++
			if prev != nil { // the filter changed since it was stored
				if err := tx.DeleteEntry(src.ID, id); err != nil {
					return st, err
				}
				dirty[prev.ItemID] = true
			}
			continue
		}
		hash := ContentHash(&e)
		if prev != nil && prev.Hash == hash {
			st.Unchanged++
			continue
		}
		se := &StoredEntry{SourceID: src.ID, EntryID: id, Hash: hash, Role: role(&src, &e), Entry: e}
		keys := Keys(&e)
		owners, err := tx.ItemsByKeys(sortedKeys(keys))
		if err != nil {
			return st, err
		}
		if prev != nil {
			st.Updated++
			se.ItemID, se.FirstSeen, se.Why = prev.ItemID, prev.FirstSeen, prev.Why
			se.Changed = now
			if u := e.Updated; !u.IsZero() && u.After(prev.Changed) && !u.After(now) {
				se.Changed = u
			}
		} else {
			st.New++
			se.FirstSeen = now
			se.Changed = entryDate(&e, now)
		}
		// The oldest item any key points at keeps its id; the others fold in.
		var target KeyOwner
		var targetKey string
		for _, k := range sortedKeys(keys) {
			o, ok := owners[k]
			if !ok {
				continue
			}
			if target.ItemID == "" || o.Created < target.Created {
				target, targetKey = o, k
			}
		}
		switch {
		case se.ItemID != "": // an update stays in its item
		case target.ItemID != "":
			se.ItemID = target.ItemID
			se.Why = fmt.Sprintf("joined by key %s (from %s)", targetKey, keys[targetKey])
		default:
			se.ItemID = ItemID(src.ID, id)
			se.Why = "first seen here"
		}
		// Every other item a key points at is the same talk: fold it in.
		for _, k := range sortedKeys(owners) {
			o := owners[k]
			if o.ItemID == se.ItemID || moved[o.ItemID] {
				continue
			}
			if err := tx.MoveEntries(o.ItemID, se.ItemID); err != nil {
				return st, err
			}
			moved[o.ItemID] = true
			delete(dirty, o.ItemID)
		}
		if err := tx.PutEntry(se); err != nil {
			return st, err
		}
		dirty[se.ItemID] = true
	}
	for _, id := range sortedKeys(dirty) {
		if err := m.Rebuild(tx, id); err != nil {
			return st, err
		}
	}
	return st, nil
}

// Rebuild derives an item again from its entries and stores it, or deletes
// it when no entry is left.
func (m *Merger) Rebuild(tx Tx, itemID string) error {
	entries, err := tx.ItemEntries(itemID)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return tx.DeleteItem(itemID)
	}
	item, keys := m.Build(itemID, entries)
	return tx.PutItem(item, keys)
}

// ItemID is the stable id of an item first created from one entry.
func ItemID(sourceID, entryID string) string {
	return hashStrings(sourceID, entryID)[:16]
}

// entryDate is the date an entry claims, bounded by now: a feed that dates
// an entry in 2099 must not pin it to the top of the stream.
func entryDate(e *talkstream.Entry, now time.Time) time.Time {
	d := e.Published
	if d.IsZero() {
		d = e.Updated
	}
	if d.IsZero() || d.After(now) {
		return now
	}
	return d
}

// filtered says why an entry is dropped by its source's include/exclude
// patterns, or "" when it is kept.
func filtered(src *talkstream.Source, e *talkstream.Entry) string {
	if src.Include == nil && src.Exclude == nil {
		return ""
	}
	text := e.Title + "\n" + e.Summary + "\n" + strings.Join(e.Categories, "\n")
	if src.Include != nil && !src.Include.MatchString(text) {
		return "include " + src.Include.String() + " did not match"
	}
	if src.Exclude != nil && src.Exclude.MatchString(text) {
		return "exclude " + src.Exclude.String() + " matched"
	}
	return ""
}

// role says what an entry is to its item, from what kind of source it came.
func role(src *talkstream.Source, e *talkstream.Entry) talkstream.Role {
	switch src.Kind {
	case talkstream.SourceYouTube, talkstream.SourceVimeo:
		return talkstream.RoleVideo
	case talkstream.SourceEvents:
		return talkstream.RoleEvent
	case talkstream.SourceCurated:
		switch e.Kind {
		case talkstream.KindPaper:
			return talkstream.RolePaper
		case talkstream.KindSlides:
			return talkstream.RoleSlides
		}
		if len(e.Links) > 0 && e.Links[0].Role != "" {
			return e.Links[0].Role
		}
		return talkstream.RolePage
	}
	return talkstream.RolePost
}
