package publish

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/store"
)

// testSite is every output of a Publisher over a temporary store holding
// the given items, assembled as the handler and Export assemble them.
type testSite struct {
	pub     *Publisher
	store   *store.Store
	outputs map[string]*testOutput
	paths   []string
}

type testOutput struct {
	body    []byte
	gz      []byte // the gzip form assembly made, if any
	kind    int
	etag    string
	version string // a fixed output's, for ?v=
	modTime time.Time
}

func (s *testSite) Paths() []string { return s.paths }

// putItems stores items with their entries, as merge would.
func putItems(ctx context.Context, st *store.Store, items []talkstream.Item) error {
	return st.Update(ctx, func(tx *store.Tx) error {
		var recs []*merge.ItemRecord
		var entries []*merge.StoredEntry
		first := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range items {
			it := items[i]
			for j, ie := range it.Entries {
				entries = append(entries, &merge.StoredEntry{
					SourceID: ie.Entry.SourceID, EntryID: fmt.Sprintf("%s#%d", it.ID, j), ItemID: it.ID,
					Hash: "h", Role: ie.Role, FirstSeen: first.Add(time.Duration(len(entries)) * time.Second),
					Changed: first, Entry: ie.Entry,
				})
			}
			it.Entries = nil
			recs = append(recs, &merge.ItemRecord{Item: &it, Keys: []string{"id:" + it.ID}})
		}
		if err := tx.SaveItems(recs); err != nil {
			return err
		}
		return tx.PutEntries(entries)
	})
}

// newTestPublisher publishes items from a new store in a temporary folder.
func newTestPublisher(tb testing.TB, opts Options, items []talkstream.Item, sources []talkstream.Source, now time.Time) (*Publisher, *store.Store, error) {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, tb.TempDir()+"/talkstream.db")
	if err != nil {
		return nil, nil, err
	}
	tb.Cleanup(func() { st.Close() })
	if err := putItems(ctx, st, items); err != nil {
		return nil, nil, err
	}
	p, err := New(opts, st)
	if err != nil {
		return nil, nil, err
	}
	if _, err := p.Sync(ctx, sources, now); err != nil {
		return nil, nil, err
	}
	return p, st, nil
}

// renderSite publishes items and assembles every output.
func renderSite(tb testing.TB, opts Options, items []talkstream.Item, sources []talkstream.Source, now time.Time) (*testSite, error) {
	tb.Helper()
	p, st, err := newTestPublisher(tb, opts, items, sources, now)
	if err != nil {
		return nil, err
	}
	return assembleAll(p, st)
}

// assembleAll assembles every output of a Publisher.
func assembleAll(p *Publisher, st *store.Store) (*testSite, error) {
	ctx := context.Background()
	s := &testSite{pub: p, store: st, outputs: map[string]*testOutput{}, paths: p.Paths()}
	snap := p.cur.Load()
	for _, path := range s.paths {
		o, ok := p.lookup(snap, path)
		if !ok {
			return nil, fmt.Errorf("Paths lists %s, which lookup does not find", path)
		}
		b, err := p.assemble(ctx, snap, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		etag, mod, err := p.etag(ctx, snap, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		s.outputs[path] = &testOutput{body: b.body, gz: b.gz, kind: o.kind(), etag: etag, modTime: mod}
		if o.fixed != nil {
			s.outputs[path].version = o.fixed.version
		}
	}
	return s, nil
}

// hideItem stores an item as moderated away (feeds.yaml hide:).
func hideItem(ctx context.Context, st *store.Store, it talkstream.Item) error {
	return st.Update(ctx, func(tx *store.Tx) error {
		it.Entries = nil
		return tx.SaveItems([]*merge.ItemRecord{{Item: &it, Keys: []string{"id:" + it.ID}, Hidden: true}})
	})
}

func containsBytes(b []byte, s string) bool { return s != "" && bytes.Contains(b, []byte(s)) }
