package publish

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
)

// syncBatch is how many changed items Sync renders and writes at a time: it
// bounds the memory of a first Sync over a large store.
const syncBatch = 256

// SyncStats says what a Sync did.
type SyncStats struct {
	Rendered int // items rendered
	Changed  int // of those, items whose outputs changed
	Removed  int // items that left every stream (hidden)
	Streams  int // streams whose version changed
	// ChangedStreams lists the prefixes of the streams whose version
	// changed and that still exist: their feeds changed (FeedURLs).
	ChangedStreams []string
	Full           bool // options that reach fragments changed: every item was rendered again
	Renamed        int  // items rendered again because a source of theirs was renamed or removed
}

// Sync brings the published state up to date with the store's items and
// with sources (the configured sources with their fetch state): it renders
// the fragments of exactly the items that changed since the last Sync (all
// of them, once, when the options or the sources' names changed), updates
// the streams they are in and gives each changed stream a new version. A
// Sync with nothing new renders nothing. now becomes the Last-Modified of
// the streams that changed, and decides which talks are still upcoming: a
// Sync past an upcoming talk's start renders it again, into the stream
// (upcoming.go).
func (p *Publisher) Sync(ctx context.Context, sources []talkstream.Source, now time.Time) (SyncStats, error) {
	p.syncMu.Lock()
	defer p.syncMu.Unlock()
	var stats SyncStats
	now = now.UTC().Truncate(time.Second)
	fp, ffp := fingerprints(p.opts)
	names := sourceNames(sources)
	state, err := p.store.PublishState(ctx)
	if err != nil {
		return stats, err
	}
	if cur := p.cur.Load(); cur != nil && cur.fp == fp && state.Fingerprint == fp && state.Fragments == ffp && state.Sources == names && state.Lineage == cur.lineage && !state.Dirty &&
		state.ItemRev <= state.Cursor.Rev && state.Version == cur.version && !cur.isDue(now) {
		// Nothing to render: only the sources' health may have changed.
		sv := p.sourcesView(sources)
		if sv.hash == cur.sources.hash {
			return stats, nil // the snapshot, its routes and sidebars stay
		}
		next := cur.withSources(sv)
		if err := p.fixedOutputs(ctx, next, sources); err != nil {
			return stats, err
		}
		p.cur.Store(next)
		return stats, nil
	}
	// Another instance sharing the store may be publishing the same
	// changes: wait for it, then start from what it left.
	unlock, err := p.store.LockPublish(ctx)
	if err != nil {
		return stats, err
	}
	defer unlock()
	if state, err = p.store.PublishState(ctx); err != nil {
		return stats, err
	}
	lineage := state.Lineage
	if lineage == "" && state.Fingerprint == "" { // never published
		lineage = newLineage()
	}
	slugs, err := p.store.Slugs(ctx)
	if err != nil {
		return stats, err
	}
	r := newRenderer(p.opts, p.host, sources, newFacetSet(slugs))
	r.now = now
	r.configuredSpeakers()

	cursor := state.Cursor
	stats.Full = state.Fragments != ffp
	if stats.Full {
		cursor = index.Cursor{}
	}
	if stats.Full || state.Fingerprint != fp {
		// Every stream gets a new version: its pages or header changed.
		err := p.store.UpdatePublish(ctx, func(tx index.Tx) error {
			// The main stream exists from the first Sync on, empty or not.
			return errors.Join(tx.MarkAllDirty(), tx.MarkDirty([]string{"/", upcomingPrefix}))
		})
		if err != nil {
			return stats, err
		}
	}
	if !stats.Full {
		// Upcoming talks whose start has come are rendered again, into
		// the stream, with the items that changed; so are the items of
		// the sources whose name changed (a new source has none yet).
		due, err := p.due(ctx, now)
		renamed := renamedSources(state.Sources, names)
		if err == nil && (len(due) > 0 || len(renamed) > 0) {
			err = p.store.UpdatePublish(ctx, func(tx index.Tx) error {
				ids, err := tx.ItemsOfSources(renamed)
				if err != nil {
					return err
				}
				stats.Renamed = len(ids)
				return tx.TouchItems(append(due, ids...))
			})
		}
		if err != nil {
			return stats, err
		}
	}
	for {
		batch, err := p.store.ChangedItems(ctx, cursor, syncBatch)
		if err != nil {
			return stats, err
		}
		if len(batch) == 0 {
			break
		}
		frags, err := r.fragments(batch)
		if err != nil {
			return stats, err
		}
		last := batch[len(batch)-1]
		cursor = index.Cursor{Rev: last.Rev, ItemID: last.Item.ID}
		err = p.store.UpdatePublish(ctx, func(tx index.Tx) error {
			return applyBatch(tx, batch, frags, r.facets.takeFresh(), now, stats.Full, &stats)
		})
		if err != nil {
			return stats, err
		}
		stats.Rendered += len(batch)
	}

	version := state.Version
	err = p.store.UpdatePublish(ctx, func(tx index.Tx) error {
		if fresh := r.facets.takeFresh(); len(fresh) > 0 {
			if err := tx.PutSlugs(fresh); err != nil {
				return err
			}
		}
		dirty, err := tx.DirtyStreams()
		if err != nil {
			return err
		}
		if len(dirty) > 0 {
			version++
		}
		stats.Streams = len(dirty)
		for _, prefix := range dirty {
			kept, err := refreshStream(tx, r.facets, prefix, version, now)
			if err != nil {
				return err
			}
			if kept {
				stats.ChangedStreams = append(stats.ChangedStreams, prefix)
			}
		}
		return tx.SetState(index.State{Cursor: cursor, Fingerprint: fp, Fragments: ffp, Sources: names, Version: version, Lineage: lineage})
	})
	if err != nil {
		return stats, err
	}
	snap, err := p.load(ctx, fp, lineage, r, sources, version)
	if err != nil {
		return stats, err
	}
	p.cur.Store(snap)
	return stats, nil
}

// fragments renders a batch of changed items, spreading the work (above all
// sanitising) over the CPUs. A hidden item has no fragment.
func (r *renderer) fragments(batch []index.Changed) ([]*index.Fragment, error) {
	views := make([]*itemView, len(batch))
	parallel(len(batch), func(i int) {
		if !batch[i].Hidden {
			views[i] = r.view(&batch[i].Item)
		}
	})
	var visible []*itemView
	for _, v := range views {
		if v != nil {
			visible = append(visible, v)
		}
	}
	r.attachFacets(visible) // claims slugs: one goroutine
	out := make([]*index.Fragment, len(batch))
	errs := make([]error, len(batch))
	parallel(len(batch), func(i int) {
		if views[i] != nil {
			out[i], errs[i] = r.fragment(views[i], batch[i].Rev)
		}
	})
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("publish: item %s: %w", batch[i].Item.ID, err)
		}
	}
	return out, nil
}

// parallel calls fn(0) … fn(n-1) on as many goroutines as there are CPUs.
func parallel(n int, fn func(int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

// applyBatch stores a batch's fragments and moves its items between
// streams, marking every stream an item entered, left or changed in. A
// full render (full) stores even the fragments whose hash it had.
func applyBatch(tx index.Tx, batch []index.Changed, frags []*index.Fragment, fresh []index.Slug, now time.Time, full bool, stats *SyncStats) error {
	if len(fresh) > 0 {
		if err := tx.PutSlugs(fresh); err != nil {
			return err
		}
	}
	ids := make([]string, len(batch))
	for i, c := range batch {
		ids[i] = c.Item.ID
	}
	old, err := tx.FragmentStreams(ids)
	if err != nil {
		return err
	}
	var put []*index.Fragment
	var gone []string
	remove := map[string][]string{}    // stream → items leaving it
	add := map[string][]index.Member{} // stream → items entering it
	dirty := map[string]bool{}
	for i, c := range batch {
		prev, had := old[c.Item.ID]
		f := frags[i]
		switch {
		case f == nil && !had:
			continue
		case f == nil:
			gone = append(gone, c.Item.ID)
			stats.Removed++
		case had && prev.Hash == f.Hash:
			// Rendered the same: no stream changes. A full render still
			// stores it, as this version keeps fragments (feedfragment.go).
			if full {
				put = append(put, f)
			}
			continue
		default:
			put = append(put, f)
			stats.Changed++
			m := index.Member{ItemID: f.ItemID, Published: f.Published, Updated: f.Updated, Hash: f.Hash, Changed: now}
			for _, s := range f.Streams {
				add[s] = append(add[s], m)
				dirty[s] = true
			}
		}
		for _, s := range prev.Streams {
			// Its order key may have changed: leave and enter again.
			remove[s] = append(remove[s], c.Item.ID)
			dirty[s] = true
		}
	}
	for _, s := range sortedKeys(remove) {
		if err := tx.RemoveMembers(s, remove[s]); err != nil {
			return err
		}
	}
	for _, s := range sortedKeys(add) {
		if err := tx.AddMembers(s, add[s]); err != nil {
			return err
		}
	}
	if err := tx.PutFragments(put); err != nil {
		return err
	}
	if err := tx.DeleteFragments(gone); err != nil {
		return err
	}
	return tx.MarkDirty(sortedKeys(dirty))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// refreshStream summarises a dirty stream again under a new version; a
// stream left empty is dropped (its outputs vanish), and kept is false.
func refreshStream(tx index.Tx, facets *facetSet, prefix string, version int64, now time.Time) (kept bool, err error) {
	st, err := tx.StreamStats(prefix)
	if err != nil {
		return false, err
	}
	if st.Count == 0 && prefix != "/" && prefix != upcomingPrefix {
		// The main stream and /upcoming/ stay, empty or not: readers
		// subscribe to them.
		return false, tx.DeleteStream(prefix)
	}
	if prefix != "/" && prefix != upcomingPrefix {
		dir, slug, ok := strings.Cut(strings.Trim(prefix, "/"), "/")
		f := facets.bySlug(dir, slug)
		if !ok || f == nil {
			return false, fmt.Errorf("publish: stream %s has no facet", prefix)
		}
		st.Dir, st.Key = f.dir, f.key
	}
	st.Version, st.Modified = version, now
	return true, tx.PutStream(st)
}
