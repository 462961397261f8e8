package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/merge/ledger"
)

// The batched side of ledger.Tx. Merging one feed costs a handful of
// statements per batch of entries rather than a dozen per entry: with a
// pure-Go SQLite, running a statement costs several microseconds whatever
// it does, so batching is most of the speed of a large merge.

// batch is how many rows (or keys) one statement carries; with at most 9
// parameters a row, it stays far below SQLite's 32766 parameters.
const batch = 256

// chunks calls fn with consecutive slices of at most batch elements.
func chunks[T any](all []T, fn func([]T) error) error {
	for len(all) > 0 {
		n := min(len(all), batch)
		if err := fn(all[:n]); err != nil {
			return err
		}
		all = all[n:]
	}
	return nil
}

// placeholders returns n groups "(?,?)" of width parameters, comma-joined.
func placeholders(n, width int) string {
	group := "(" + strings.TrimSuffix(strings.Repeat("?,", width), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(group+",", n), ",")
}

// EntryStates implements ledger.Tx.
func (t *Tx) EntryStates(sourceID string, entryIDs []string) (map[string]*ledger.StoredEntry, error) {
	out := map[string]*ledger.StoredEntry{}
	err := chunks(entryIDs, func(ids []string) error {
		args := []any{sourceID}
		for _, id := range ids {
			args = append(args, id)
		}
		rows, err := t.query(`SELECT entry_id, item_id, hash, role, first_seen, changed, why FROM entries
			WHERE source_id = ? AND entry_id IN (`+placeholders(len(ids), 1)+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			se := &ledger.StoredEntry{SourceID: sourceID}
			var role string
			var first, changed int64
			if err := rows.Scan(&se.EntryID, &se.ItemID, &se.Hash, &role, &first, &changed, &se.Why); err != nil {
				return err
			}
			se.Role = talkstream.Role(role)
			se.FirstSeen, se.Changed = fromNanos(first), fromNanos(changed)
			out[se.EntryID] = se
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: entries of %s: %w", sourceID, err)
	}
	return out, nil
}

// ownersRangeQuery finds the keys inside each range with one index range
// scan per range: title keys of one title sort together, by day
// (merge/titles.go).
func ownersRangeQuery(n int) string {
	return `WITH r(lo, hi) AS (VALUES ` + placeholders(n, 2) + `)
		SELECT k.key, k.item_id, i.seq FROM r JOIN keys k ON k.key >= r.lo AND k.key <= r.hi
		JOIN items i ON i.id = k.item_id`
}

// ownersKeysQuery finds keys by primary key.
func ownersKeysQuery(n int) string {
	return `SELECT k.key, k.item_id, i.seq FROM keys k JOIN items i ON i.id = k.item_id
		WHERE k.key IN (` + placeholders(n, 1) + `)`
}

// Owners implements ledger.Tx.
func (t *Tx) Owners(keys []string, ranges []ledger.KeyRange) (map[string]ledger.KeyOwner, error) {
	out := map[string]ledger.KeyOwner{}
	scan := func(q string, args []any) error {
		rows, err := t.query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var o ledger.KeyOwner
			if err := rows.Scan(&k, &o.ItemID, &o.Created); err != nil {
				return err
			}
			out[k] = o
		}
		return rows.Err()
	}
	err := chunks(keys, func(ks []string) error {
		args := make([]any, len(ks))
		for i, k := range ks {
			args[i] = k
		}
		return scan(ownersKeysQuery(len(ks)), args)
	})
	if err == nil {
		err = chunks(ranges, func(rs []ledger.KeyRange) error {
			args := make([]any, 0, 2*len(rs))
			for _, r := range rs {
				args = append(args, r.From, r.To)
			}
			return scan(ownersRangeQuery(len(rs)), args)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("store: keys: %w", err)
	}
	return out, nil
}

// PutEntries implements ledger.Tx.
func (t *Tx) PutEntries(es []*ledger.StoredEntry) error {
	err := chunks(es, func(es []*ledger.StoredEntry) error {
		args := make([]any, 0, 9*len(es))
		for _, se := range es {
			data, err := json.Marshal(se.Entry)
			if err != nil {
				return fmt.Errorf("entry %s/%s: %w", se.SourceID, se.EntryID, err)
			}
			args = append(args, se.SourceID, se.EntryID, se.ItemID, se.Hash, string(se.Role), nanos(se.FirstSeen),
				nanos(se.Changed), se.Why, string(data))
		}
		_, err := t.exec(`INSERT INTO entries (source_id, entry_id, item_id, hash, role, first_seen, changed, why, data)
			VALUES `+placeholders(len(es), 9)+`
			ON CONFLICT(source_id, entry_id) DO UPDATE SET item_id=excluded.item_id, hash=excluded.hash, role=excluded.role,
			first_seen=excluded.first_seen, changed=excluded.changed, why=excluded.why, data=excluded.data`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: entries: %w", err)
	}
	return nil
}

// EntriesOfItems implements ledger.Tx.
func (t *Tx) EntriesOfItems(itemIDs []string) (map[string][]ledger.StoredEntry, error) {
	out := map[string][]ledger.StoredEntry{}
	err := chunks(itemIDs, func(ids []string) error {
		args := make([]any, len(ids))
		for i, id := range ids {
			args[i] = id
		}
		rows, err := t.query(`SELECT source_id, entry_id, item_id, hash, role, first_seen, changed, why, data
			FROM entries WHERE item_id IN (`+placeholders(len(ids), 1)+`)
			ORDER BY item_id, first_seen, source_id, entry_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			se, err := scanEntry(rows)
			if err != nil {
				return err
			}
			out[se.ItemID] = append(out[se.ItemID], *se)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: entries of items: %w", err)
	}
	return out, nil
}

// SaveItem stores one item with its keys and tags (see SaveItems).
func (t *Tx) SaveItem(r *ledger.ItemRecord) error {
	return t.SaveItems([]*ledger.ItemRecord{r})
}

// SaveItems implements ledger.Tx: the item rows (a replaced item keeps its
// creation order; new ones are numbered in the order given), then their
// keys and tags. A key belongs to one item: a key another item held moves
// to the one saved.
func (t *Tx) SaveItems(rs []*ledger.ItemRecord) error {
	if len(rs) == 0 {
		return nil
	}
	var seq int64
	if err := t.queryRow(`SELECT COALESCE(MAX(seq), 0) FROM items`).Scan(&seq); err != nil {
		return fmt.Errorf("store: items: %w", err)
	}
	rev, err := t.itemRev()
	if err != nil {
		return fmt.Errorf("store: items: %w", err)
	}
	err = chunks(rs, func(rs []*ledger.ItemRecord) error {
		args := make([]any, 0, 7*len(rs))
		for _, r := range rs {
			stored := *r.Item
			stored.Entries = nil // kept in the entries table
			data, err := json.Marshal(stored)
			if err != nil {
				return fmt.Errorf("item %s: %w", r.Item.ID, err)
			}
			hidden := 0
			if r.Hidden {
				hidden = 1
			}
			seq++
			args = append(args, r.Item.ID, seq, nanos(r.Item.Published), nanos(r.Item.Updated), string(data), hidden, rev)
		}
		// rev changes only with what the item is: publish renders exactly
		// the items whose revision is new (publish/index).
		_, err := t.exec(`INSERT INTO items (id, seq, published, updated, data, hidden, rev) VALUES `+placeholders(len(rs), 7)+`
			ON CONFLICT(id) DO UPDATE SET published=excluded.published, updated=excluded.updated, data=excluded.data,
			hidden=excluded.hidden, rev=excluded.rev
			WHERE items.data != excluded.data OR items.hidden != excluded.hidden`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: items: %w", err)
	}
	// Replace the keys and tags of items already stored; a fresh item has none.
	var old []any
	for _, r := range rs {
		if !r.Fresh {
			old = append(old, r.Item.ID)
		}
	}
	err = chunks(old, func(ids []any) error {
		in := placeholders(len(ids), 1)
		if _, err := t.exec(`DELETE FROM keys WHERE item_id IN (`+in+`)`, ids...); err != nil {
			return err
		}
		_, err := t.exec(`DELETE FROM tags WHERE item_id IN (`+in+`)`, ids...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: keys and tags: %w", err)
	}
	var keys, tags [][2]string
	for _, r := range rs {
		for _, k := range r.Keys {
			keys = append(keys, [2]string{k, r.Item.ID})
		}
		for _, tag := range r.Item.Tags {
			tags = append(tags, [2]string{r.Item.ID, tag})
		}
	}
	err = chunks(keys, func(kv [][2]string) error {
		args := make([]any, 0, 2*len(kv))
		for _, p := range kv {
			args = append(args, p[0], p[1])
		}
		_, err := t.exec(`INSERT INTO keys (key, item_id) VALUES `+placeholders(len(kv), 2)+`
			ON CONFLICT(key) DO UPDATE SET item_id = excluded.item_id`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: keys: %w", err)
	}
	err = chunks(tags, func(tv [][2]string) error {
		args := make([]any, 0, 2*len(tv))
		for _, p := range tv {
			args = append(args, p[0], p[1])
		}
		_, err := t.exec(`INSERT INTO tags (item_id, tag) VALUES `+placeholders(len(tv), 2)+` ON CONFLICT DO NOTHING`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: tags: %w", err)
	}
	return nil
}

// ItemCreated implements ledger.Tx.
func (t *Tx) ItemCreated(itemID string) (int64, bool, error) {
	var seq int64
	err := t.queryRow(`SELECT seq FROM items WHERE id = ?`, itemID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: item %s: %w", itemID, err)
	}
	return seq, true, nil
}

// ItemKeys returns the keys an item owns, sorted: what a new entry needs
// to have to join it (for explain).
func (s *Store) ItemKeys(ctx context.Context, itemID string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT key FROM keys WHERE item_id = ? ORDER BY key`, itemID)
	if err != nil {
		return nil, fmt.Errorf("store: keys of %s: %w", itemID, err)
	}
	defer rows.Close()
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, fmt.Errorf("store: keys of %s: %w", itemID, err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}
