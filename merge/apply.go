package merge

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

// Stats counts what one Apply did.
type Stats struct {
	New, Updated, Unchanged, Filtered int
}

func (s Stats) String() string {
	return fmt.Sprintf("%d new, %d updated, %d unchanged, %d filtered", s.New, s.Updated, s.Unchanged, s.Filtered)
}

// change is one new or edited entry of an Apply, with its keys.
type change struct {
	se      *StoredEntry
	prev    *StoredEntry
	keys    map[string]string // url and video keys → where each came from
	title   string            // normalised title, when it can merge
	day     int64             // the day its title key is anchored at
	titleOK bool
}

// Apply merges the entries one fetch of src returned. Entries whose content
// hash is unchanged cost part of one batched lookup and write nothing.
func (m *Merger) Apply(tx Tx, src talkstream.Source, entries []talkstream.Entry, now time.Time) (Stats, error) {
	var st Stats
	if cur, ok := m.sources[src.ID]; ok {
		src = *cur // the configured filters and tags win over a stale copy
	}
	a := newApplyState(m, tx)
	a.titleKeys = map[EntryRef]string{}

	// Identity, filters and content hashes first; then everything stored
	// about these entries in one lookup.
	ids := assignIDs(entries)
	var order []int // indexes of the first entry with each id
	seen := map[string]bool{}
	for i := range entries {
		if !seen[ids[i]] { // an exact duplicate inside one feed counts once
			seen[ids[i]] = true
			order = append(order, i)
		}
	}
	uniq := make([]string, len(order))
	for j, i := range order {
		uniq[j] = ids[i]
	}
	prevs, err := tx.EntryStates(src.ID, uniq)
	if err != nil {
		return st, err
	}
	var changes []*change
	for _, i := range order {
		e := entries[i]
		e.SourceID = src.ID
		id := ids[i]
		prev := prevs[id]
		if why := filtered(&src, &e); why != "" {
			st.Filtered++
			if prev != nil { // the filter changed since it was stored
				if err := tx.DeleteEntry(src.ID, id); err != nil {
					return st, err
				}
				a.dirty[prev.ItemID] = true
			}
			continue
		}
		hash := ContentHash(&e)
		if prev != nil && prev.Hash == hash {
			st.Unchanged++
			continue
		}
		se := &StoredEntry{SourceID: src.ID, EntryID: id, Hash: hash, Role: role(&src, &e), Entry: e}
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
		c := &change{se: se, prev: prev, keys: Keys(&se.Entry)}
		if m.window >= 0 {
			k, n := m.titles.titleKeyOf(&se.Entry)
			if k != "" {
				_, c.day, _ = parseTitleKey(k)
				c.title, c.titleOK = n, true
			}
			a.titleKeys[se.Ref()] = k
		}
		changes = append(changes, c)
	}
	if len(changes) == 0 && len(a.dirty) == 0 {
		return st, nil
	}
	if err := a.prefetch(changes); err != nil {
		return st, err
	}
	for _, c := range changes {
		if err := a.place(c); err != nil {
			return st, err
		}
	}
	return st, a.finish()
}

// applyState is one Apply's view of the store: the owners of its entries'
// keys as stored before it began, overlaid with what it has decided since
// (keys of items it created or joined, items it folded away), and the
// entries it has yet to write.
type applyState struct {
	m       *Merger
	tx      Tx
	owners  map[string]KeyOwner   // url and video keys as stored before this Apply
	pending map[string]string     // url and video keys given to an item during this Apply
	titles  map[string][]titleHit // normalised title → days items have it (stored and new)
	created map[string]int64      // item → creation order, where known
	moved   map[string]string     // item folded away → the item it went into
	next    int64                 // creation order of the next new item
	buf     []*StoredEntry        // entries to write, in order
	dirty   map[string]bool       // items to rebuild
	// titleKeys remembers the title key of each changed entry ("" for
	// none), so that building its item does not normalise it again.
	titleKeys map[EntryRef]string
}

type titleHit struct {
	day  int64
	item string
	key  string
}

// newItemBase orders items created during an Apply after every stored one.
const newItemBase = int64(1) << 62

func newApplyState(m *Merger, tx Tx) *applyState {
	return &applyState{
		m: m, tx: tx,
		pending: map[string]string{},
		titles:  map[string][]titleHit{},
		created: map[string]int64{},
		moved:   map[string]string{},
		next:    newItemBase,
		dirty:   map[string]bool{},
	}
}

// prefetch looks up every key of every change in one batch.
func (a *applyState) prefetch(changes []*change) error {
	var keys []string
	var ranges []KeyRange
	seenKey, seenTitle := map[string]bool{}, map[string]bool{}
	for _, c := range changes {
		for k := range c.keys {
			if !seenKey[k] {
				seenKey[k] = true
				keys = append(keys, k)
			}
		}
		if c.titleOK {
			lo, hi := titleKey(c.title, c.day-a.m.window), titleKey(c.title, c.day+a.m.window)
			if r := lo + "\x00" + hi; !seenTitle[r] {
				seenTitle[r] = true
				ranges = append(ranges, KeyRange{From: lo, To: hi})
			}
		}
	}
	sort.Strings(keys)
	owners, err := a.tx.Owners(keys, ranges)
	if err != nil {
		return err
	}
	a.owners = map[string]KeyOwner{}
	for _, k := range sortedKeys(owners) {
		o := owners[k]
		a.created[o.ItemID] = o.Created
		if t, day, ok := parseTitleKey(k); ok {
			a.titles[t] = append(a.titles[t], titleHit{day: day, item: o.ItemID, key: k})
			continue
		}
		a.owners[k] = o
	}
	return nil
}

// resolve follows items folded during this Apply to where they went.
func (a *applyState) resolve(id string) string {
	for {
		to, ok := a.moved[id]
		if !ok {
			return id
		}
		id = to
	}
}

// lookup returns the items a change's keys point at now, with the key
// that found each and why the key is the entry's.
func (a *applyState) lookup(c *change) (map[string]KeyOwner, map[string]string) {
	found := map[string]KeyOwner{}
	why := map[string]string{}
	for k, w := range c.keys {
		id := a.pending[k]
		if id == "" {
			o, ok := a.owners[k]
			if !ok {
				continue
			}
			id = o.ItemID
		}
		id = a.resolve(id)
		found[k] = KeyOwner{ItemID: id, Created: a.created[id]}
		why[k] = w
	}
	if c.titleOK {
		// Only the item nearest in date: a title seen twice within the
		// window either side is no evidence that those two are one talk.
		var best *titleHit
		var bestDist int64
		for i := range a.titles[c.title] {
			h := &a.titles[c.title][i]
			dist := max(h.day-c.day, c.day-h.day)
			if dist > a.m.window {
				continue
			}
			if best == nil || dist < bestDist ||
				(dist == bestDist && a.created[a.resolve(h.item)] < a.created[a.resolve(best.item)]) {
				best, bestDist = h, dist
			}
		}
		if best != nil {
			id := a.resolve(best.item)
			k := titleKey(c.title, best.day)
			found[k] = KeyOwner{ItemID: id, Created: a.created[id]}
			why[k] = fmt.Sprintf("its title %q, %d days apart", c.title, bestDist)
		}
	}
	return found, why
}

// place decides the item of one changed entry, folding the items it
// bridges, and records its keys for the entries after it.
func (a *applyState) place(c *change) error {
	se := c.se
	if split, ok := a.m.pinned[se.Ref()]; ok {
		// The operator said where this entry belongs: keys do not move it.
		if se.ItemID != split {
			from := a.m.splits[split].Item
			if se.ItemID != "" {
				a.dirty[a.resolve(se.ItemID)] = true
				from = se.ItemID
			}
			se.ItemID, se.Why = split, splitWhy(from, split)
		}
		a.buf = append(a.buf, se)
		a.dirty[split] = true
		return nil
	}
	if se.ItemID != "" {
		se.ItemID = a.resolve(se.ItemID)
	}
	owners, keyWhy := a.lookup(c)
	// The oldest item any key points at keeps its id; the others fold in.
	// An updated entry's own item competes too: when the entry now bridges
	// it to an older item, its own item is the one folded.
	var target KeyOwner
	var targetKey string
	for _, k := range byStrength(owners) {
		if o := owners[k]; target.ItemID == "" || o.Created < target.Created {
			target, targetKey = o, k
		}
	}
	switch {
	case se.ItemID != "" && target.ItemID != "" && target.ItemID != se.ItemID:
		own, ok := a.created[se.ItemID]
		if !ok {
			var err error
			var exists bool
			if own, exists, err = a.tx.ItemCreated(se.ItemID); err != nil {
				return err
			} else if !exists {
				own = newItemBase - 1
			}
			a.created[se.ItemID] = own
		}
		if own < target.Created {
			break // its own item is the oldest: the others fold into it
		}
		if err := a.fold(se.ItemID, target.ItemID); err != nil {
			return err
		}
		se.Why = fmt.Sprintf("%s (then joined item %s by key %s, from %s)", se.Why, target.ItemID, targetKey, keyWhy[targetKey])
		se.ItemID = target.ItemID
	case se.ItemID != "": // an update stays in its item
	case target.ItemID != "":
		se.ItemID = target.ItemID
		se.Why = fmt.Sprintf("joined by key %s (from %s)", targetKey, keyWhy[targetKey])
	default:
		se.ItemID = ItemID(se.SourceID, se.EntryID)
		se.Why = "first seen here"
		if _, known := a.created[se.ItemID]; !known {
			a.created[se.ItemID] = a.next
			a.next++
		}
	}
	// Every other item a key points at is the same talk: fold it in.
	for _, k := range sortedKeys(owners) {
		if id := a.resolve(owners[k].ItemID); id != se.ItemID {
			if err := a.fold(id, se.ItemID); err != nil {
				return err
			}
		}
	}
	for k := range c.keys {
		a.pending[k] = se.ItemID
	}
	if c.titleOK {
		a.titles[c.title] = append(a.titles[c.title], titleHit{day: c.day, item: se.ItemID})
	}
	a.buf = append(a.buf, se)
	a.dirty[se.ItemID] = true
	return nil
}

// byStrength orders keys by how much they prove, so that Why names the
// strongest key that found an item: a video id, then a URL, then a title.
func byStrength[V any](m map[string]V) []string {
	keys := sortedKeys(m)
	rank := func(k string) int {
		switch {
		case strings.HasPrefix(k, keyVideo):
			return 0
		case strings.HasPrefix(k, keyURL):
			return 1
		}
		return 2
	}
	sort.SliceStable(keys, func(i, j int) bool { return rank(keys[i]) < rank(keys[j]) })
	return keys
}

// fold moves every entry of item from into item to. Entries this Apply has
// not written yet are written first, so that the store moves them too.
func (a *applyState) fold(from, to string) error {
	if err := a.flush(); err != nil {
		return err
	}
	if err := a.tx.MoveEntries(from, to); err != nil {
		return err
	}
	a.moved[from] = to
	delete(a.dirty, from)
	return nil
}

func (a *applyState) flush() error {
	if len(a.buf) == 0 {
		return nil
	}
	err := a.tx.PutEntries(a.buf)
	a.buf = a.buf[:0]
	return err
}

// finish writes the entries and rebuilds every item they touched. The
// entries stored before are read in one batch before the new ones are
// written, so that nothing just written is read back.
func (a *applyState) finish() error {
	set := map[string]bool{}
	for id := range a.dirty {
		set[a.resolve(id)] = true
	}
	ids := sortedKeys(set)
	stored, err := a.tx.EntriesOfItems(ids)
	if err != nil {
		return err
	}
	inBuf := map[EntryRef]bool{}
	for _, se := range a.buf {
		inBuf[se.Ref()] = true
	}
	known := map[string][]StoredEntry{}
	fresh := map[string]bool{}
	for _, id := range ids {
		fresh[id] = true
		known[id] = nil // an item left with no entry is deleted
		for _, se := range stored[id] {
			fresh[id] = false
			if !inBuf[se.Ref()] { // else the new version replaces it
				known[id] = append(known[id], se)
			}
		}
	}
	for _, se := range a.buf {
		known[se.ItemID] = append(known[se.ItemID], *se)
	}
	if err := a.flush(); err != nil {
		return err
	}
	return a.m.rebuild(a.tx, ids, known, fresh, a.titleKeys)
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
