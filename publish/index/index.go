// Package index is the contract between publish and the store: what publish
// keeps of each item once it has rendered it (its fragments), which streams
// each item belongs to, and each stream's version. publish declares what it
// needs here; the store implements it for each database engine, as
// database/sql/driver is implemented by drivers and used by database/sql.
//
// The store only keeps and finds these records: every decision (what an
// item looks like in a feed, which streams it belongs to, when a stream
// changed) is publish's.
package index

import (
	"context"
	"time"

	"github.com/talkstream/talkstream"
)

// Fragment is one item rendered once for every output: its RSS <item>, Atom
// <entry>, JSON Feed item and HTML card. None of them depends on the stream
// or page the item is shown in, so every stream assembles the same bytes.
type Fragment struct {
	ItemID    string
	Rev       int64     // the item revision it was rendered from
	Hash      string    // of the bytes below and Streams: unchanged when the item looks the same
	Published time.Time // the order of streams: newest first, ties by item id
	Updated   time.Time
	Streams   []string // prefixes of the streams the item is in, e.g. "/", "/tags/xen/"
	RSS       []byte
	Atom      []byte
	JSON      []byte
	Card      []byte
}

// Format names one of a fragment's renderings.
type Format int

// Format returns a pointer to the rendering f of the fragment, or nil for
// an unknown format.
func (fr *Fragment) Format(f Format) *[]byte {
	switch f {
	case RSS:
		return &fr.RSS
	case Atom:
		return &fr.Atom
	case JSON:
		return &fr.JSON
	case Card:
		return &fr.Card
	}
	return nil
}

// The formats of a fragment.
const (
	RSS Format = iota + 1
	Atom
	JSON
	Card
)

// Changed is an item whose revision is past publish's cursor: new, changed,
// or newly hidden.
type Changed struct {
	Item   talkstream.Item // with its entries
	Rev    int64
	Hidden bool // moderated away: the item leaves every stream
}

// Cursor is a position in the order of item revisions.
type Cursor struct {
	Rev    int64
	ItemID string
}

// Member is one item of a stream, in stream order.
type Member struct {
	ItemID    string
	Published time.Time
	Updated   time.Time
	Hash      string    // its fragment's hash: a page's version is its members'
	Changed   time.Time // when it entered the stream or last changed in it
}

// After is a keyset position in a stream: the members after it are older
// (or as old with a greater item id).
type After struct {
	Published time.Time
	ItemID    string
}

// YearCount is how many items of a stream were published in one year (0 for
// undated ones).
type YearCount struct {
	Year  int `json:"y"`
	Count int `json:"n"`
}

// Stream is one stream's summary: enough to answer a conditional request,
// number its pages and draw its navigation without reading its items.
type Stream struct {
	Prefix   string // "/" or "/DIR/SLUG/"
	Dir, Key string // the facet's dimension and key; "" for the main stream
	Count    int
	Latest   time.Time   // newest published
	Updated  time.Time   // newest updated
	Years    []YearCount // newest year first, undated last
	Version  int64       // the publish version it last changed in
	Modified time.Time   // when it last changed: Last-Modified
}

// Slug is the path segment a facet key got. Once given it is kept, so that
// a facet's address never changes.
type Slug struct {
	Dir, Key, Slug string
}

// State is where publishing stands against the items.
type State struct {
	ItemRev     int64  // the newest item revision
	Cursor      Cursor // the last item revision publish has rendered
	Fingerprint string // of the publish options the outputs were rendered with
	Fragments   string // of those that reach fragments
	Sources     string // the sources' names the fragments were rendered with, as SetState was given them
	Version     int64  // the newest publish version
	Dirty       bool   // some stream lost an item since (merged away, pruned) and needs its summary again
	// Lineage is made at random by the first Sync of a database. Stream
	// versions count from 1 in every database, so a database made again
	// would give other bytes the validators and export manifests of the
	// old one: they carry the lineage too. A database published before
	// lineages existed has none and keeps its validators.
	Lineage string
}

// Store is what publish reads and writes. Every method is safe for
// concurrent use; Update runs fn in one write transaction.
type Store interface {
	PublishState(ctx context.Context) (State, error)
	// ChangedItems returns up to limit items whose revision is past after,
	// in revision order.
	ChangedItems(ctx context.Context, after Cursor, limit int) ([]Changed, error)
	Slugs(ctx context.Context) ([]Slug, error)
	Streams(ctx context.Context) ([]Stream, error)
	// Members returns up to limit members of a stream after a position
	// (from the newest when after is nil), newest first.
	Members(ctx context.Context, prefix string, after *After, limit int) ([]Member, error)
	// MembersFromOldest returns up to limit members of a stream before a
	// position (from the oldest when before is nil), oldest first.
	MembersFromOldest(ctx context.Context, prefix string, before *After, limit int) ([]Member, error)
	// Fragments returns the renderings in formats of each of the items
	// that has a fragment; its other renderings are nil. Several formats
	// of an item are cheaper read at once than one by one.
	Fragments(ctx context.Context, itemIDs []string, formats ...Format) (map[string]*Fragment, error)
	UpdatePublish(ctx context.Context, fn func(Tx) error) error
	// LockPublish holds off every other process's publishing on the same
	// store until unlock is called (instances sharing a database take
	// turns; the others then find the work done and load it).
	LockPublish(ctx context.Context) (unlock func(), err error)
}

// Tx is one write transaction of publishing.
type Tx interface {
	// FragmentStreams returns the stored hash and streams of each item
	// that has a fragment.
	FragmentStreams(itemIDs []string) (map[string]Fragment, error)
	PutFragments(fs []*Fragment) error
	DeleteFragments(itemIDs []string) error
	// AddMembers puts items into a stream (a member already there is
	// updated); RemoveMembers takes them out.
	AddMembers(prefix string, ms []Member) error
	RemoveMembers(prefix string, itemIDs []string) error
	PutSlugs(ss []Slug) error
	// MarkDirty records that streams need their summary again; MarkAllDirty
	// every stream (a change of publish options).
	MarkDirty(prefixes []string) error
	MarkAllDirty() error
	// DirtyStreams returns the prefixes of the streams marked dirty.
	DirtyStreams() ([]string, error)
	// StreamStats counts a stream's members by year and finds its newest
	// dates, from the members table.
	StreamStats(prefix string) (Stream, error)
	PutStream(s Stream) error
	DeleteStream(prefix string) error
	// SetState records what publish rendered: all of State but ItemRev
	// and Dirty.
	SetState(st State) error
	// Meta and SetMeta read and record one of publishing's other facts
	// (sources.opml's time).
	Meta(key string) (string, error)
	SetMeta(key, value string) error
	// TouchItems gives items a new revision, so that ChangedItems returns
	// them again although merge did not change them: an upcoming talk
	// whose start has passed is rendered again into the stream.
	TouchItems(itemIDs []string) error
	// ItemsOfSources returns the items that have an entry from one of
	// the sources.
	ItemsOfSources(sourceIDs []string) ([]string, error)
}
