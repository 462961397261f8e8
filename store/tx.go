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

// Tx is one write transaction. It implements ledger.Tx.
type Tx struct {
	ctx    context.Context
	tx     *dbTx
	stmts  map[string]*sql.Stmt // this transaction's statements (stmt.go)
	cache  *stmtCache           // the store's, shared across transactions
	wanted []string             // statements to add to cache after commit
	rev    int64                // this transaction's item revision, once taken (published.go)
}

var _ ledger.Tx = (*Tx)(nil)

// PutSourceState records a source's fetch state.
func (t *Tx) PutSourceState(id string, st talkstream.FetchState) error {
	gone := 0
	if st.Gone {
		gone = 1
	}
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO sources (id, etag, last_modified, body_hash, feed_title, feed_link,
		last_fetch, last_status, last_error, errors, next_check, duration_ms, bytes, entries, moved_to, gone,
		ttl_ms, config_hash, warning, format, followed, fetched_by)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT(id) DO UPDATE SET etag=excluded.etag, last_modified=excluded.last_modified,
		body_hash=excluded.body_hash, feed_title=excluded.feed_title, feed_link=excluded.feed_link,
		last_fetch=excluded.last_fetch, last_status=excluded.last_status, last_error=excluded.last_error,
		errors=excluded.errors, next_check=excluded.next_check, duration_ms=excluded.duration_ms,
		bytes=excluded.bytes, entries=excluded.entries, moved_to=excluded.moved_to, gone=excluded.gone,
		ttl_ms=excluded.ttl_ms, config_hash=excluded.config_hash, warning=excluded.warning,
		format=excluded.format, followed=excluded.followed, fetched_by=excluded.fetched_by`,
		id, st.ETag, st.LastModified, st.BodyHash, st.FeedTitle, st.FeedLink, nanos(st.LastFetch), st.LastStatus,
		st.LastError, st.Errors, nanos(st.NextCheck), st.Duration.Milliseconds(), st.Bytes, st.Entries, st.MovedTo, gone,
		st.TTL.Milliseconds(), st.ConfigHash, st.Warning, st.Format, st.Followed, st.FetchedBy)
	if err != nil {
		return fmt.Errorf("store: source %s: %w", id, err)
	}
	return nil
}

// Entry implements ledger.Tx.
func (t *Tx) Entry(sourceID, entryID string) (*ledger.StoredEntry, error) {
	row := t.queryRow(`SELECT source_id, entry_id, item_id, hash, role, first_seen, changed, why, data
		FROM entries WHERE source_id = ? AND entry_id = ?`, sourceID, entryID)
	se, err := scanEntry(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: entry %s/%s: %w", sourceID, entryID, err)
	}
	return se, nil
}

type scanner interface{ Scan(...any) error }

func scanEntry(row scanner) (*ledger.StoredEntry, error) {
	var se ledger.StoredEntry
	var role, data string
	var first, changed int64
	if err := row.Scan(&se.SourceID, &se.EntryID, &se.ItemID, &se.Hash, &role, &first, &changed, &se.Why, &data); err != nil {
		return nil, err
	}
	se.Role = talkstream.Role(role)
	se.FirstSeen, se.Changed = fromNanos(first), fromNanos(changed)
	if err := json.Unmarshal([]byte(data), &se.Entry); err != nil {
		return nil, err
	}
	return &se, nil
}

// ItemsByKeys implements ledger.Tx; the lookup is by primary key.
func (t *Tx) ItemsByKeys(keys []string) (map[string]ledger.KeyOwner, error) {
	out := map[string]ledger.KeyOwner{}
	if len(keys) == 0 {
		return out, nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	q := `SELECT k.key, k.item_id, i.seq FROM keys k JOIN items i ON i.id = k.item_id WHERE k.key IN (?` +
		strings.Repeat(",?", len(keys)-1) + `)`
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var o ledger.KeyOwner
		if err := rows.Scan(&k, &o.ItemID, &o.Created); err != nil {
			return nil, fmt.Errorf("store: keys: %w", err)
		}
		out[k] = o
	}
	return out, rows.Err()
}

// PutEntry implements ledger.Tx.
func (t *Tx) PutEntry(se *ledger.StoredEntry) error {
	data, err := json.Marshal(se.Entry)
	if err != nil {
		return fmt.Errorf("store: entry %s/%s: %w", se.SourceID, se.EntryID, err)
	}
	_, err = t.exec(`INSERT INTO entries (source_id, entry_id, item_id, hash, role, first_seen, changed, why, data)
		VALUES (?,?,?,?,?,?,?,?,?)
		ON CONFLICT(source_id, entry_id) DO UPDATE SET item_id=excluded.item_id, hash=excluded.hash, role=excluded.role,
		first_seen=excluded.first_seen, changed=excluded.changed, why=excluded.why, data=excluded.data`,
		se.SourceID, se.EntryID, se.ItemID, se.Hash, string(se.Role), nanos(se.FirstSeen), nanos(se.Changed), se.Why, string(data))
	if err != nil {
		return fmt.Errorf("store: entry %s/%s: %w", se.SourceID, se.EntryID, err)
	}
	return nil
}

// DeleteEntry implements ledger.Tx.
func (t *Tx) DeleteEntry(sourceID, entryID string) error {
	if _, err := t.exec(`DELETE FROM entries WHERE source_id = ? AND entry_id = ?`, sourceID, entryID); err != nil {
		return fmt.Errorf("store: delete entry %s/%s: %w", sourceID, entryID, err)
	}
	return nil
}

// ItemEntries implements ledger.Tx.
func (t *Tx) ItemEntries(itemID string) ([]ledger.StoredEntry, error) {
	rows, err := t.query(`SELECT source_id, entry_id, item_id, hash, role, first_seen, changed, why, data
		FROM entries WHERE item_id = ? ORDER BY first_seen, source_id, entry_id`, itemID)
	if err != nil {
		return nil, fmt.Errorf("store: entries of %s: %w", itemID, err)
	}
	defer rows.Close()
	var out []ledger.StoredEntry
	for rows.Next() {
		se, err := scanEntry(rows)
		if err != nil {
			return nil, fmt.Errorf("store: entries of %s: %w", itemID, err)
		}
		out = append(out, *se)
	}
	return out, rows.Err()
}

// MoveEntries implements ledger.Tx.
func (t *Tx) MoveEntries(from, to string) error {
	if err := t.unpublish([]any{from}); err != nil {
		return fmt.Errorf("store: merge item %s into %s: %w", from, to, err)
	}
	for _, st := range []struct {
		query string
		args  []any
	}{
		{`UPDATE entries SET item_id = ?2, why = why || ' (then merged from item ' || ?1 || ')' WHERE item_id = ?1`, []any{from, to}},
		{`UPDATE keys SET item_id = ?2 WHERE item_id = ?1`, []any{from, to}},
		{`DELETE FROM items WHERE id = ?`, []any{from}},
		{`UPDATE aliases SET item_id = ?2 WHERE item_id = ?1`, []any{from, to}},
		{`INSERT INTO aliases (old_id, item_id) VALUES (?1, ?2) ON CONFLICT(old_id) DO UPDATE SET item_id = excluded.item_id`, []any{from, to}},
	} {
		if _, err := t.exec(st.query, st.args...); err != nil {
			return fmt.Errorf("store: merge item %s into %s: %w", from, to, err)
		}
	}
	return nil
}

// PutItem stores an item that is not hidden with its keys and tags (see
// SaveItem).
func (t *Tx) PutItem(item *talkstream.Item, keys []string) error {
	return t.SaveItem(&ledger.ItemRecord{Item: item, Keys: keys})
}

// DeleteItem implements ledger.Tx.
func (t *Tx) DeleteItem(itemID string) error {
	if err := t.unpublish([]any{itemID}); err != nil {
		return fmt.Errorf("store: delete item %s: %w", itemID, err)
	}
	if _, err := t.exec(`DELETE FROM items WHERE id = ?`, itemID); err != nil {
		return fmt.Errorf("store: delete item %s: %w", itemID, err)
	}
	return nil
}

// ItemIDs returns every item id, for rebuilding items after a config change.
func (t *Tx) ItemIDs() ([]string, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT id FROM items ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("store: item ids: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: item ids: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// Meta returns a stored fact about the store, or "" if none.
func (t *Tx) Meta(key string) (string, error) {
	var v string
	err := t.tx.QueryRowContext(t.ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: meta %s: %w", key, err)
	}
	return v, nil
}

// SetMeta records a fact about the store.
func (t *Tx) SetMeta(key, value string) error {
	if _, err := t.tx.ExecContext(t.ctx, `INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
		return fmt.Errorf("store: meta %s: %w", key, err)
	}
	return nil
}

// HasItems says whether the store holds any item, without reading them.
func (t *Tx) HasItems() (bool, error) {
	var has bool
	if err := t.tx.QueryRowContext(t.ctx, `SELECT EXISTS (SELECT 1 FROM items)`).Scan(&has); err != nil {
		return false, fmt.Errorf("store: items: %w", err)
	}
	return has, nil
}
