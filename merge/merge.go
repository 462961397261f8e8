// Package merge decides which entries are the same talk or story and derives
// one Item from them. It owns entry identity inside a source (GUID, else
// link, else a content hash), the cross-source keys (canonical URLs, video
// ids, and normalised titles within a window of dates), change detection by
// content hash, the tagging of items with kind, speakers, event and topics,
// and moderation (hidden items, split merges). Every decision is recorded in
// the item's Why lines, which `talkstream explain` prints.
//
// It does no I/O of its own: it reads and writes through the Tx interface,
// which the store implements inside one transaction per source. Tx works in
// batches: an Apply looks everything up once, decides in memory (entries of
// one fetch see each other's keys), and writes the entries and items back
// in a few statements, because with a pure-Go SQLite the cost of a statement
// is mostly its overhead, not its work.
package merge

import (
	"fmt"
	"regexp"
	"sort"
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

	// TitleWindow is how far apart the dates of two entries with the same
	// normalised title may be for them to be one item. Zero means
	// DefaultTitleWindow; a negative window turns title keys off.
	TitleWindow time.Duration
	// Priority orders sources for an item's title, summary and link: each
	// element is a source kind or a source id, the first is trusted most,
	// anything not named comes after. Empty means DefaultPriority.
	Priority []string
	// Hide lists item ids kept in the store (explain shows them) but left
	// out of every output.
	Hide []string
	// Split lists wrong merges to undo.
	Split []Split
}

// Fingerprint summarises every setting that changes how items are derived
// from their entries, and the talkstream version (whose code derives them):
// when it is unchanged, stored items are already what Rebuild would make.
func (o Options) Fingerprint() string {
	var b strings.Builder
	re := func(r *regexp.Regexp) string {
		if r == nil {
			return ""
		}
		return r.String()
	}
	fmt.Fprintf(&b, "v=%s\nwindow=%d\npriority=%q\nhide=%q\n", talkstream.Version, o.TitleWindow, o.Priority, o.Hide)
	for _, s := range o.Sources {
		fmt.Fprintf(&b, "source=%q %q %q %q %q %q\n", s.ID, s.Kind, s.Speakers, s.Tags, re(s.Include), re(s.Exclude))
	}
	for _, s := range o.Speakers {
		fmt.Fprintf(&b, "speaker=%q %q %q\n", s.ID, s.Name, s.Aliases)
	}
	for _, e := range o.Events {
		fmt.Fprintf(&b, "event=%q %q %q\n", e.ID, e.Name, re(e.Match))
	}
	for _, r := range o.Rules {
		fmt.Fprintf(&b, "rule=%q %q %q\n", re(r.Match), r.Tags, r.Kind)
	}
	for _, s := range o.Split {
		fmt.Fprintf(&b, "split=%q %q\n", s.Item, s.Entries)
	}
	return hashStrings(b.String())[:32]
}

// DefaultPriority trusts a curator's words first, then the speaker's or
// project's own post, then an event page, then a video platform's upload
// title.
var DefaultPriority = []string{
	string(talkstream.SourceCurated), string(talkstream.SourcePerson), string(talkstream.SourceBlog),
	string(talkstream.SourceEvents), string(talkstream.SourceYouTube), string(talkstream.SourceVimeo),
}

// Split takes entries out of the item they were merged into: together they
// become one new item, with an id derived from the rule (SplitID), that
// keys never merge again. Write one rule per new item.
type Split struct {
	Item    string     // the item the entries were wrongly merged into (for explain and the new id)
	Entries []EntryRef // at least one
}

// EntryRef names one entry: its source id and its id inside the source,
// as `talkstream explain` prints them ("source-id/entry-id").
type EntryRef struct {
	Source, Entry string
}

func (r EntryRef) String() string { return r.Source + "/" + r.Entry }

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

// Merger merges entries into items. It is safe for concurrent use as long
// as each call gets its own Tx.
type Merger struct {
	sources    map[string]*talkstream.Source
	speakers   []speakerMatcher
	events     []Event
	eventMatch []matcher // events[i].Match with its prefilter
	rules      []Rule
	ruleMatch  []matcher
	titles     *titler
	window     int64          // title window in days; < 0: no title keys
	priority   map[string]int // source kind or id → rank (lower is trusted more)
	hide       map[string]bool
	pinned     map[EntryRef]string // entry → the split item it is pinned to
	splits     map[string]Split    // split item id → its rule
}

// New returns a Merger for the given options.
func New(opts Options) *Merger {
	m := &Merger{
		sources:  map[string]*talkstream.Source{},
		events:   opts.Events,
		rules:    opts.Rules,
		titles:   newTitler(opts.Speakers, opts.Events),
		priority: map[string]int{},
		hide:     map[string]bool{},
		pinned:   map[EntryRef]string{},
		splits:   map[string]Split{},
	}
	for i := range opts.Sources {
		s := opts.Sources[i]
		m.sources[s.ID] = &s
	}
	for _, sp := range opts.Speakers {
		m.speakers = append(m.speakers, newSpeakerMatcher(sp))
	}
	for _, ev := range opts.Events {
		m.eventMatch = append(m.eventMatch, newMatcher(ev.Match))
	}
	for _, r := range opts.Rules {
		m.ruleMatch = append(m.ruleMatch, newMatcher(r.Match))
	}
	switch w := opts.TitleWindow; {
	case w < 0:
		m.window = -1
	case w == 0:
		m.window = int64(DefaultTitleWindow / (24 * time.Hour))
	default:
		m.window = int64(w / (24 * time.Hour))
	}
	prio := opts.Priority
	if len(prio) == 0 {
		prio = DefaultPriority
	}
	for i, p := range prio {
		if _, ok := m.priority[p]; !ok {
			m.priority[p] = i
		}
	}
	for _, id := range opts.Hide {
		m.hide[id] = true
	}
	for _, s := range opts.Split {
		id := SplitID(s)
		m.splits[id] = s
		for _, r := range s.Entries {
			if _, ok := m.pinned[r]; !ok {
				m.pinned[r] = id
			}
		}
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

// splitWhy is the Why of an entry a split rule moved from item from to
// item to.
func splitWhy(from, to string) string {
	return fmt.Sprintf("%s%s into item %s by config (split:)", splitPrefix, from, to)
}

// splitPrefix starts the Why of an entry a split rule moved; the id of the
// item it came from follows.
const splitPrefix = "split off item "

// Rebuild derives items again from their stored entries and stores them,
// or deletes those with no entry left. It applies moderation first:
// entries that a split rule pins elsewhere move there (and that item is
// rebuilt too), and entries whose split rule was removed go back to the
// item they came from.
func (m *Merger) Rebuild(tx Tx, itemIDs ...string) error {
	return m.rebuild(tx, itemIDs, nil, nil, nil)
}

// rebuild is Rebuild with the entries of some items already known; fresh
// marks those of them the store holds nothing of.
func (m *Merger) rebuild(tx Tx, itemIDs []string, known map[string][]StoredEntry, fresh map[string]bool, titleKeys map[EntryRef]string) error {
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
				se.ItemID, se.Why = dest, why
				if err := tx.PutEntries([]*StoredEntry{&se}); err != nil {
					return err
				}
				todo[dest] = true
				delete(known, dest)
			}
			if len(kept) == 0 {
				if err := tx.DeleteItem(id); err != nil {
					return err
				}
				continue
			}
			item, keys := m.build(id, kept, titleKeys)
			records = append(records, &ItemRecord{Item: item, Keys: keys, Hidden: m.hide[id], Fresh: fresh[id]})
		}
		if err := tx.SaveItems(records); err != nil {
			return err
		}
	}
	return nil
}

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
	return back[:16], "returned to its item (its split: rule was removed)", nil
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

// slidesHosts and paper links mark a post that is the slides or the paper
// of a talk rather than a write-up.
var slidesHosts = []string{"speakerdeck.com", "slideshare.net", "slides.com", "docs.google.com/presentation"}

// role says what an entry is to its item: from the kind of source it came
// from and, for posts, from their label ("[slides]", "Slides:") or link.
func role(src *talkstream.Source, e *talkstream.Entry) talkstream.Role {
	switch src.Kind {
	case talkstream.SourceBlog, talkstream.SourcePerson:
		link := strings.ToLower(e.Link)
		for _, h := range slidesHosts {
			if strings.Contains(link, h) {
				return talkstream.RoleSlides
			}
		}
		if strings.HasSuffix(link, ".pdf") {
			return talkstream.RolePaper
		}
		if m := leadingLabel.FindStringSubmatch(e.Title); m != nil {
			if l := strings.ToLower(m[0]); strings.Contains(l, "slides") {
				return talkstream.RoleSlides
			} else if strings.Contains(l, "paper") || strings.Contains(l, "preprint") {
				return talkstream.RolePaper
			}
		}
		if g := trailingGroup.FindStringSubmatch(e.Title); g != nil {
			switch strings.ToLower(strings.TrimSpace(g[1])) {
			case "slides":
				return talkstream.RoleSlides
			case "paper", "preprint", "pdf":
				return talkstream.RolePaper
			}
		}
		return talkstream.RolePost
	}
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
