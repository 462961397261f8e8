// Package store keeps talkstream's state: each source's fetch state, the
// entries each source published, the unified items, their cross-source keys
// and tags, and what publish keeps of them. It implements merge/ledger and
// publish/index on two engines: one SQLite file (modernc.org/sqlite, pure
// Go), the default, and PostgreSQL (pgx), which several talkstream
// processes can share (postgres.go).
//
// Writes are one transaction per fetched source, so a crash never leaves
// half a source written, and they are serialised: SQLite has one writer
// connection; on PostgreSQL each write transaction first takes an advisory
// lock, so merges made by several instances see each other's keys. Reads
// never wait for the writer (WAL on SQLite, MVCC on PostgreSQL).
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/talkstream/talkstream"
)

// ErrNotFound is returned when an item does not exist.
var ErrNotFound = errors.New("not found")

// Store is an open talkstream database.
type Store struct {
	path  string    // the SQLite file, or the PostgreSQL URL without its password
	e     *engine   // engine.go
	w     *db       // SQLite: one connection, it has one writer; PostgreSQL: the pool
	r     *db       // read pool (PostgreSQL: the same pool as w)
	stmts stmtCache // statements prepared on w, reused by every transaction (stmt.go)
}

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// Merging looks keys and entries up at random in their indexes:
		// with SQLite's default 2 MB page cache, each miss is a read
		// syscall. 64 MB holds the indexes of a million items.
		q.Add("_pragma", "cache_size(-65536)")
		// Batched upserts journal every page they touch in a statement
		// journal (to undo one failed statement): in memory, not a temp file.
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Add("_pragma", "wal_autocheckpoint(8192)")
	}
	// The path is escaped: in a file: URI, a "#" or "?" in a folder's name
	// (go test's temporary folders have "#") would end the path there.
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database and migrates it. database
// is a SQLite file's path or a PostgreSQL URL (postgres:// or
// postgresql://).
func Open(ctx context.Context, database string) (*Store, error) {
	if IsPostgres(database) {
		return openPostgres(ctx, database)
	}
	if IsKeywordValue(database) {
		return nil, errKeywordValue(database)
	}
	return openSQLite(ctx, database)
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	e := &engine{}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: path, e: e, w: &db{DB: w, e: e}}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s.r = &db{DB: r, e: e}
	return s, nil
}

// Close closes both connection pools.
func (s *Store) Close() error {
	s.stmts.close()
	if s.r == s.w {
		return s.w.Close()
	}
	return errors.Join(s.r.Close(), s.w.Close())
}

// Engine names the database engine: "sqlite" or "postgres".
func (s *Store) Engine() string { return s.e.String() }

// migrate brings the schema up to date in one write transaction (BEGIN
// IMMEDIATE: see dsn), reading the schema version inside it, so that
// processes started together on a new file migrate it once: the others wait
// for the first, then find nothing to do.
//
// On PostgreSQL the transaction first takes an advisory lock (postgres.go),
// which does the same across machines.
func (s *Store) migrate(ctx context.Context) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, err)
	}
	defer tx.Rollback()
	steps := migrations
	if s.e.postgres {
		steps = pgMigrations
	}
	version, err := s.schemaVersion(ctx, tx)
	if err != nil {
		return fmt.Errorf("store: open %s: %w", s.path, err)
	}
	if version > len(steps) {
		return fmt.Errorf("store: %s has schema version %d, newer than this talkstream knows (%d)", s.path, version, len(steps))
	}
	if version == len(steps) {
		return nil
	}
	for i := version; i < len(steps); i++ {
		if steps[i] == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, steps[i]); err != nil {
			return fmt.Errorf("store: migration %d: %w", i+1, err)
		}
	}
	if err := s.setSchemaVersion(ctx, tx, len(steps)); err != nil {
		return fmt.Errorf("store: migration %d: %w", len(steps), err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// Update runs fn in one write transaction: everything fn does is committed
// together, or nothing is.
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer sqlTx.Rollback() // after Commit a no-op; after a panic in fn, frees the one writer connection
	if err := s.lockWrites(ctx, sqlTx); err != nil {
		return err
	}
	tx := &Tx{ctx: ctx, tx: sqlTx, cache: &s.stmts}
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	s.stmts.fill(ctx, s.w, tx.wanted) // the writer connection is free again
	return nil
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// SourceStates returns the stored fetch state of every source seen so far.
func (s *Store) SourceStates(ctx context.Context) (map[string]talkstream.FetchState, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, etag, last_modified, body_hash, feed_title, feed_link,
		last_fetch, last_status, last_error, errors, next_check, duration_ms, bytes, entries, moved_to, gone,
		ttl_ms, config_hash, warning, format, followed, fetched_by FROM sources`)
	if err != nil {
		return nil, fmt.Errorf("store: sources: %w", err)
	}
	defer rows.Close()
	out := map[string]talkstream.FetchState{}
	for rows.Next() {
		var id string
		var st talkstream.FetchState
		var lastFetch, next, ms, ttl int64
		var gone int
		if err := rows.Scan(&id, &st.ETag, &st.LastModified, &st.BodyHash, &st.FeedTitle, &st.FeedLink,
			&lastFetch, &st.LastStatus, &st.LastError, &st.Errors, &next, &ms, &st.Bytes, &st.Entries, &st.MovedTo, &gone,
			&ttl, &st.ConfigHash, &st.Warning, &st.Format, &st.Followed, &st.FetchedBy); err != nil {
			return nil, fmt.Errorf("store: sources: %w", err)
		}
		st.LastFetch, st.NextCheck = fromNanos(lastFetch), fromNanos(next)
		st.Duration = time.Duration(ms) * time.Millisecond
		st.TTL = time.Duration(ttl) * time.Millisecond
		st.Gone = gone != 0
		out[id] = st
	}
	return out, rows.Err()
}

// Items returns up to limit items (all when limit <= 0), newest first,
// each with every entry attached. Hidden items (feeds.yaml hide:) are left
// out: every output is rendered from this list.
func (s *Store) Items(ctx context.Context, limit int) ([]talkstream.Item, error) {
	q := `SELECT id, data FROM items WHERE hidden = 0 ORDER BY published DESC, id`
	if limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", limit)
	}
	rows, err := s.r.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: items: %w", err)
	}
	var items []talkstream.Item
	index := map[string]int{}
	for rows.Next() {
		var id, data string
		if err := rows.Scan(&id, &data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: items: %w", err)
		}
		var it talkstream.Item
		if err := json.Unmarshal([]byte(data), &it); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: item %s: %w", id, err)
		}
		it.ID = id
		index[id] = len(items)
		items = append(items, it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: items: %w", err)
	}
	erows, err := s.r.QueryContext(ctx, `SELECT item_id, entry_id, role, data FROM entries ORDER BY first_seen, source_id, entry_id`)
	if err != nil {
		return nil, fmt.Errorf("store: entries: %w", err)
	}
	defer erows.Close()
	for erows.Next() {
		var itemID, entryID, role, data string
		if err := erows.Scan(&itemID, &entryID, &role, &data); err != nil {
			return nil, fmt.Errorf("store: entries: %w", err)
		}
		i, ok := index[itemID]
		if !ok {
			continue
		}
		var e talkstream.Entry
		if err := json.Unmarshal([]byte(data), &e); err != nil {
			return nil, fmt.Errorf("store: entry of %s: %w", itemID, err)
		}
		items[i].Entries = append(items[i].Entries, talkstream.ItemEntry{ID: entryID, Role: talkstream.Role(role), Entry: e})
	}
	return items, erows.Err()
}

// Item returns one item by id, following aliases of items merged away. An
// item stored under the id wins over an alias of it: a split item made
// again after its rule was removed and put back is itself.
func (s *Store) Item(ctx context.Context, id string) (*talkstream.Item, error) {
	var data string
	err := s.r.QueryRowContext(ctx, `SELECT data FROM items WHERE id = ?`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		var target string
		err = s.r.QueryRowContext(ctx, `SELECT item_id FROM aliases WHERE old_id = ?`, id).Scan(&target)
		if err == nil {
			id = target
			err = s.r.QueryRowContext(ctx, `SELECT data FROM items WHERE id = ?`, id).Scan(&data)
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: item %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: item %s: %w", id, err)
	}
	var it talkstream.Item
	if err := json.Unmarshal([]byte(data), &it); err != nil {
		return nil, fmt.Errorf("store: item %s: %w", id, err)
	}
	it.ID = id
	rows, err := s.r.QueryContext(ctx, `SELECT entry_id, role, data FROM entries WHERE item_id = ? ORDER BY first_seen, source_id, entry_id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: item %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var entryID, role, d string
		if err := rows.Scan(&entryID, &role, &d); err != nil {
			return nil, fmt.Errorf("store: item %s: %w", id, err)
		}
		var e talkstream.Entry
		if err := json.Unmarshal([]byte(d), &e); err != nil {
			return nil, fmt.Errorf("store: item %s: %w", id, err)
		}
		it.Entries = append(it.Entries, talkstream.ItemEntry{ID: entryID, Role: talkstream.Role(role), Entry: e})
	}
	return &it, rows.Err()
}

// FindItems returns the ids of items whose id starts with prefix, for
// commands that accept a shortened id.
func (s *Store) FindItems(ctx context.Context, prefix string) ([]string, error) {
	prefix = strings.NewReplacer("%", "", "_", "").Replace(prefix)
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM items WHERE id LIKE ? ORDER BY id LIMIT 20`, prefix+"%")
	if err != nil {
		return nil, fmt.Errorf("store: find %s: %w", prefix, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// IntegrityCheck runs SQLite's own consistency check; on PostgreSQL, which
// checks its own pages, it looks for rows the schema's references do not
// cover (postgres.go).
func (s *Store) IntegrityCheck(ctx context.Context) error {
	if s.e.postgres {
		return s.pgIntegrityCheck(ctx)
	}
	var res string
	if err := s.r.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("store: integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("store: integrity check: %s", res)
	}
	return nil
}
