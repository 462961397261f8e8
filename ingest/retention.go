package ingest

import (
	"context"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/store"
)

// PruneEvery is how often the scheduler's maintenance job prunes the store
// when a retention is set.
const PruneEvery = 6 * time.Hour

// retained drops the entries dated before the retention, so that a feed
// still carrying years-old entries does not bring back what Prune deleted.
// Undated entries are kept (they are dated by when they are first seen),
// and so is everything of a curated source: hand-written history is the
// point of one.
func (in *Ingester) retained(src talkstream.Source, entries []talkstream.Entry, now time.Time) []talkstream.Entry {
	if in.opts.Retention <= 0 || src.Kind == talkstream.SourceCurated {
		return entries
	}
	cutoff := now.Add(-in.opts.Retention)
	out := entries[:0:0]
	for _, e := range entries {
		if e.Published.IsZero() || !e.Published.Before(cutoff) {
			out = append(out, e)
		}
	}
	return out
}

// Prune deletes the items older than the retention (store.Prune): those
// none of whose entries is dated within it. Curated sources' items are
// kept. Without a retention it does nothing.
func (in *Ingester) Prune(ctx context.Context) (store.Pruned, error) {
	if in.opts.Retention <= 0 {
		return store.Pruned{}, nil
	}
	keep := map[string]bool{}
	for _, s := range in.sources {
		if s.Kind == talkstream.SourceCurated {
			keep[s.ID] = true
		}
	}
	start := in.opts.Now()
	p, err := in.store.Prune(ctx, start.Add(-in.opts.Retention), keep)
	if err != nil {
		in.opts.Log.Error("prune", "err", err)
		return p, err
	}
	if p.Items > 0 {
		in.opts.Log.Info("prune", "retention", in.opts.Retention, "items", p.Items, "entries", p.Entries,
			"vacuumed", p.Vacuumed, "bytes_before", p.BytesBefore, "bytes_after", p.BytesAfter,
			"took", in.opts.Now().Sub(start).Round(time.Millisecond))
	}
	return p, nil
}
