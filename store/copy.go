package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Copying moves a whole store from one engine to the other (SQLite to
// PostgreSQL when a planet outgrows one machine, or back), row for row:
// the ids, keys, creation order and rendered fragments stay what they were,
// so every published address, ETag and item id survives the move.

// copyTables are the tables a copy carries, parents before children
// (TestCopyCoversSchema fails when a migration adds a table to neither
// list).
var copyTables = []struct {
	name string
	key  string // the columns that identify a row, compared after the copy
}{
	{"sources", "id"},
	{"items", "id"},
	{"entries", "source_id, entry_id"},
	{"keys", "key"},
	{"tags", "item_id, tag"},
	{"aliases", "old_id"},
	{"meta", "key"},
	{"fragments", "item_id"},
	{"stream_items", "stream, published, item_id"},
	{"streams", "prefix"},
	{"dirty_streams", "prefix"},
	{"facet_slugs", "dir, key"},
	{"websub_subscriptions", "source"},
	{"websub_leases", "topic, callback"},
}

// copyLeftBehind are the tables a copy does not carry: host slots are
// held only for the length of a fetch.
var copyLeftBehind = []string{"host_slots"}

// ErrNotEmpty is returned by CopyTo when the target already holds data.
var ErrNotEmpty = errors.New("the target database is not empty")

// Copied is what a copy carried: rows per table, in copyTables' order.
type Copied struct {
	Tables []TableCount
}

// TableCount is one table's rows.
type TableCount struct {
	Table string
	Rows  int
}

// CopyTo copies every row of s into dst in one transaction of dst, then
// checks that both hold the same rows: the same count and the same
// identities (a hash of every row's key, in key order) in every table.
// dst must be empty unless replace is set, in which case its rows are
// deleted first, in the same transaction.
func (s *Store) CopyTo(ctx context.Context, dst *Store, replace bool) (Copied, error) {
	var out Copied
	sv, err := s.SchemaVersion(ctx)
	if err != nil {
		return out, fmt.Errorf("store: copy: %w", err)
	}
	if dv, err := dst.SchemaVersion(ctx); err != nil || dv != sv {
		return out, fmt.Errorf("store: copy: schema versions differ (%d and %d): %v", sv, dv, err)
	}
	err = dst.Update(ctx, func(tx *Tx) error {
		if !replace {
			for _, t := range copyTables {
				var n int
				if err := tx.tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					return fmt.Errorf("%w: %s has %d rows", ErrNotEmpty, t.name, n)
				}
			}
		}
		for i := len(copyTables) - 1; i >= 0; i-- {
			if _, err := tx.tx.ExecContext(ctx, `DELETE FROM `+copyTables[i].name); err != nil {
				return err
			}
		}
		for _, t := range copyTables {
			n, err := s.copyTable(ctx, tx, t.name)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			out.Tables = append(out.Tables, TableCount{t.name, n})
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("store: copy: %w", err)
	}
	for _, t := range copyTables {
		a, na, err := s.tableDigest(ctx, t.name, t.key)
		if err != nil {
			return out, fmt.Errorf("store: copy: check %s: %w", t.name, err)
		}
		b, nb, err := dst.tableDigest(ctx, t.name, t.key)
		if err != nil {
			return out, fmt.Errorf("store: copy: check %s: %w", t.name, err)
		}
		if na != nb || a != b {
			return out, fmt.Errorf("store: copy: %s differs after the copy: %d rows here, %d there", t.name, na, nb)
		}
	}
	return out, nil
}

// copyRowsAtOnce bounds a batched insert's parameters (SQLite allows
// 32766, PostgreSQL 65535).
const copyRowsAtOnce = 20000

// copyTable streams one table's rows from s into tx, in batches.
func (s *Store) copyTable(ctx context.Context, tx *Tx, table string) (int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	perBatch := max(1, copyRowsAtOnce/len(cols))
	insert := func(args []any) error {
		n := len(args) / len(cols)
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES `+
			placeholders(n, len(cols)), args...)
		return err
	}
	var args []any
	total := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return total, err
		}
		args = append(args, vals...)
		total++
		if len(args) >= perBatch*len(cols) {
			if err := insert(args); err != nil {
				return total, err
			}
			args = args[:0]
		}
	}
	if err := rows.Err(); err != nil {
		return total, err
	}
	if len(args) > 0 {
		if err := insert(args); err != nil {
			return total, err
		}
	}
	return total, nil
}

// tableDigest hashes the keys of every row of a table, in key order (byte
// order on both engines: the PostgreSQL schema collates "C").
func (s *Store) tableDigest(ctx context.Context, table, key string) (string, int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+key+` FROM `+table+` ORDER BY `+key)
	if err != nil {
		return "", 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n := 0
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", 0, err
		}
		for _, v := range vals {
			fmt.Fprintf(h, "%v\x00", v)
		}
		n++
	}
	return hex.EncodeToString(h.Sum(nil)), n, rows.Err()
}
