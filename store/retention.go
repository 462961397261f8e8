package store

import (
	"context"
	"fmt"
	"os"
	"time"
)

// Pruned is what Prune did.
type Pruned struct {
	Items, Entries int  // deleted
	Vacuumed       bool // the file was rebuilt to give the freed pages back
	// Bytes is the size of the database (its file and WAL) before and
	// after.
	BytesBefore, BytesAfter int64
}

// vacuumShare: a VACUUM follows a prune once this share of the file's
// pages is free (or more), so that the file shrinks after large deletes
// and is not rewritten for small ones.
const vacuumShare = 0.25

// Prune deletes the items none of whose entries is dated on or after
// cutoff: an entry's date is its published date, else when talkstream
// first saw it. Each such item goes with its entries, keys and tags, and
// the aliases that point at it, in one transaction; an item with one recent
// entry is kept whole, and so is an item with an entry from a source in
// keep (hand-curated history). When the deletes leave a quarter of the
// file free, it is vacuumed and the WAL truncated.
func (s *Store) Prune(ctx context.Context, cutoff time.Time, keep map[string]bool) (Pruned, error) {
	p := Pruned{BytesBefore: s.size()}
	var old []any
	err := s.Update(ctx, func(tx *Tx) error {
		published := `json_extract(data, '$.Published')`
		if s.e.postgres {
			published = `(data::jsonb->>'Published')`
		}
		rows, err := tx.tx.QueryContext(ctx, `SELECT item_id, source_id, first_seen,
			COALESCE(`+published+`, '') FROM entries`)
		if err != nil {
			return err
		}
		newest := map[string]time.Time{}
		kept := map[string]bool{}
		for rows.Next() {
			var item, src, published string
			var first int64
			if err := rows.Scan(&item, &src, &first, &published); err != nil {
				rows.Close()
				return err
			}
			d, err := time.Parse(time.RFC3339Nano, published)
			if err != nil || d.IsZero() {
				d = fromNanos(first)
			}
			if d.After(newest[item]) || newest[item].IsZero() {
				newest[item] = d
			}
			if keep[src] {
				kept[item] = true
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for item, d := range newest {
			if !kept[item] && d.Before(cutoff) {
				old = append(old, item)
			}
		}
		return chunks(old, func(ids []any) error {
			in := placeholders(len(ids), 1)
			res, err := tx.tx.ExecContext(ctx, `DELETE FROM entries WHERE item_id IN (`+in+`)`, ids...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			p.Entries += int(n)
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM aliases WHERE item_id IN (`+in+`)`, ids...); err != nil {
				return err
			}
			if err := tx.unpublish(ids); err != nil {
				return err
			}
			// Keys and tags go with their item (ON DELETE CASCADE).
			_, err = tx.tx.ExecContext(ctx, `DELETE FROM items WHERE id IN (`+in+`)`, ids...)
			return err
		})
	})
	if err != nil {
		return p, fmt.Errorf("store: prune: %w", err)
	}
	p.Items = len(old)
	if p.Items > 0 {
		if p.Vacuumed, err = s.compact(ctx); err != nil {
			return p, err
		}
	}
	p.BytesAfter = s.size()
	return p, nil
}

// compact vacuums the database when enough of it is free, then truncates
// the WAL (VACUUM writes the whole file through it). PostgreSQL's
// autovacuum gives freed space back to its tables by itself: there, compact
// only refreshes the planner's statistics after a large delete.
func (s *Store) compact(ctx context.Context) (bool, error) {
	if s.e.postgres {
		if _, err := s.w.ExecContext(ctx, `ANALYZE`); err != nil {
			return false, fmt.Errorf("store: analyze: %w", err)
		}
		return false, nil
	}
	var free, pages int64
	if err := s.w.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
		return false, fmt.Errorf("store: compact: %w", err)
	}
	if err := s.w.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return false, fmt.Errorf("store: compact: %w", err)
	}
	if pages == 0 || float64(free) < vacuumShare*float64(pages) {
		return false, nil
	}
	if _, err := s.w.ExecContext(ctx, `VACUUM`); err != nil {
		return false, fmt.Errorf("store: vacuum: %w", err)
	}
	if _, err := s.w.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return true, fmt.Errorf("store: checkpoint: %w", err)
	}
	return true, nil
}

// size is the bytes the database takes on disk: the file and its WAL
// (PostgreSQL: the database's own figure).
func (s *Store) size() int64 {
	var n int64
	if s.e.postgres {
		if err := s.r.QueryRowContext(context.Background(), `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
			return 0
		}
		return n
	}
	for _, p := range []string{s.path, s.path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// Optimize refreshes the query planner's statistics, as a maintenance job
// does once a day: PRAGMA optimize on SQLite, ANALYZE on PostgreSQL.
func (s *Store) Optimize(ctx context.Context) error {
	q := `PRAGMA optimize`
	if s.e.postgres {
		q = `ANALYZE`
	}
	if _, err := s.w.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("store: optimize: %w", err)
	}
	return nil
}
