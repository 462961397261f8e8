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
	se    *StoredEntry
	prev  *StoredEntry
	keys  map[string]string // url and video keys → where each came from
	title entryTitle        // its title forms, evidence and keys
	// rejected lists the candidates a title or a linked recording found
	// and evidence separated.
	rejected []rejection
	// linked is the video key of the recording a post about it links
	// (keysOf), "" for any other entry: it joins only a speaker's post.
	linked string
}

// Apply merges the entries one fetch of src returned. Entries whose content
// hash is unchanged cost part of one batched lookup and write nothing.
func (m *Merger) Apply(tx Tx, src talkstream.Source, entries []talkstream.Entry, now time.Time) (Stats, error) {
	var st Stats
	if cur, ok := m.sources[src.ID]; ok {
		src = *cur // the configured filters and tags win over a stale copy
	}
	a := newApplyState(m, tx)
	a.entryKeys = map[EntryRef][]string{}

	// Identity, filters and content hashes first; then everything stored
	// about these entries in one lookup.
	ids, prevs, err := entryIDs(tx, src.ID, entries)
	if err != nil {
		return st, err
	}
	var order []int // indexes of the first entry with each id
	seen := map[string]bool{}
	for i := range entries {
		if !seen[ids[i]] { // an exact duplicate inside one feed counts once
			seen[ids[i]] = true
			order = append(order, i)
		}
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
			if src.Kind != talkstream.SourceCurated && src.Kind != talkstream.SourceEvents {
				if err := keepPublished(tx, se); err != nil {
					return st, err
				}
			}
			se.Changed = now
			if u := e.Updated; !u.IsZero() && u.After(prev.Changed) && !u.After(now) {
				se.Changed = u
			}
		} else {
			st.New++
			se.FirstSeen = now
			se.Changed = entryDate(&e, now)
		}
		c := &change{se: se, prev: prev, keys: m.keysOf(se, a.texts)}
		c.linked = m.linkedVideo(se, a.texts)
		c.title = m.entryTitleOf(se, a.texts)
		a.entryKeys[se.Ref()] = append(sortedKeys(c.keys), c.title.keys...)
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

// keepPublished keeps an updated feed entry's publication date when the
// new version claims a later one. An Atom entry without <published> is
// dated by its <updated>, which its publisher bumps on every edit: the old
// post would move to the top of every stream, and into the event of the
// year of the edit. A curator's file and an event listing are not feeds:
// their dates are corrected on purpose, and taken as they are.
func keepPublished(tx Tx, se *StoredEntry) error {
	old, err := tx.Entry(se.SourceID, se.EntryID)
	if err != nil || old == nil {
		return err
	}
	if p := old.Entry.Published; !p.IsZero() && (se.Entry.Published.IsZero() || se.Entry.Published.After(p)) {
		se.Entry.Published = p
	}
	return nil
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
	titles  map[string][]titleHit // title form → the entries that have it (stored and new)
	years   map[string][]titleHit // year key index (yearKey) → the entries that have it
	abouts  map[string][]titleHit // about key index (aboutKey) → the posts about that recording
	created map[string]int64      // item → creation order, where known
	moved   map[string]string     // item folded away → the item it went into
	next    int64                 // creation order of the next new item
	buf     []*StoredEntry        // entries to write, in order
	dirty   map[string]bool       // items to rebuild
	// entryKeys remembers the keys of each changed entry, so that
	// building its item does not scan and normalise it again.
	entryKeys map[EntryRef][]string
	texts     *textCache // the texts this Apply reads, each derived once
}

type titleHit struct {
	day  int64
	item string
	key  string
	ev   evidence
}

// newItemBase orders items created during an Apply after every stored one.
const newItemBase = int64(1) << 62

func newApplyState(m *Merger, tx Tx) *applyState {
	return &applyState{
		m: m, tx: tx,
		pending: map[string]string{},
		titles:  map[string][]titleHit{},
		years:   map[string][]titleHit{},
		abouts:  map[string][]titleHit{},
		created: map[string]int64{},
		moved:   map[string]string{},
		next:    newItemBase,
		dirty:   map[string]bool{},
		texts:   newTextCache(),
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
		if c.linked != "" && !seenKey[c.linked] {
			seenKey[c.linked] = true
			keys = append(keys, c.linked)
		}
		for k := range c.keys {
			if strings.HasPrefix(k, keyVideo) {
				p := aboutKey(k)
				ranges = append(ranges, KeyRange{From: p + evidenceSep, To: p + rangeEnd})
			}
		}
		t := &c.title
		for _, f := range t.forms {
			add := func(lo, hi string) {
				if r := lo + "\x00" + hi; !seenTitle[r] {
					seenTitle[r] = true
					ranges = append(ranges, KeyRange{From: lo, To: hi})
				}
			}
			add(titleKey(f, t.day-a.m.window), titleKey(f, t.day+a.m.window)+rangeEnd)
			if t.ev.year != 0 {
				add(yearKey(f, t.ev.year)+evidenceSep, yearKey(f, t.ev.year)+rangeEnd)
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
		if f, day, ev, ok := parseTitleKey(k); ok {
			a.titles[f] = append(a.titles[f], titleHit{day: day, item: o.ItemID, key: k, ev: ev})
			continue
		}
		if idx, ev, ok := parseYearKey(k); ok {
			a.years[idx] = append(a.years[idx], titleHit{item: o.ItemID, key: k, ev: ev})
			continue
		}
		if idx, ev, ok := parseAboutKey(k); ok {
			a.abouts[idx] = append(a.abouts[idx], titleHit{item: o.ItemID, key: k, ev: ev})
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
func (a *applyState) lookup(c *change) (map[string]KeyOwner, map[string]string, error) {
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
	if best, why0 := a.titleCandidate(c); best != nil {
		id := a.resolve(best.item)
		found[best.key] = KeyOwner{ItemID: id, Created: a.created[id]}
		why[best.key] = why0
	}
	if err := a.speakerPosts(c, found, why); err != nil {
		return nil, nil, err
	}
	return found, why, nil
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
	owners, keyWhy, err := a.lookup(c)
	if err != nil {
		return err
	}
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
		if idx, ev, ok := parseAboutKey(k); ok {
			a.abouts[idx] = append(a.abouts[idx], titleHit{item: se.ItemID, key: k, ev: ev})
			continue
		}
		a.pending[k] = se.ItemID
	}
	var notJoined []string
	for _, r := range c.rejected {
		if a.resolve(r.item) != se.ItemID { // another key joined it after all
			notJoined = append(notJoined, r.why)
		}
	}
	if len(notJoined) > 0 && c.prev == nil {
		se.Why += "; not joined: " + strings.Join(notJoined, "; ")
	}
	t := &c.title
	enc := evidenceSep + t.ev.encode()
	for _, f := range t.forms {
		a.titles[f] = append(a.titles[f], titleHit{day: t.day, item: se.ItemID, key: titleKey(f, t.day) + enc, ev: t.ev})
		if t.ev.year != 0 {
			idx := yearKey(f, t.ev.year)
			a.years[idx] = append(a.years[idx], titleHit{item: se.ItemID, key: idx + enc, ev: t.ev})
		}
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
	return a.m.rebuild(a.tx, ids, known, fresh, a.entryKeys, a.texts)
}
