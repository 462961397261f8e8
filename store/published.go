package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
)

// The store's side of publish/index: fragments, stream members, stream
// summaries and facet slugs (migration 6).

var (
	_ index.Store = (*Store)(nil)
	_ index.Tx    = (*Tx)(nil)
)

// Keys of the meta table that publishing keeps.
const (
	metaItemRev    = "item_rev"       // the newest item revision given
	metaPubCursor  = "publish_cursor" // "REV ITEMID": the last item publish rendered
	metaPubFP      = "publish_fingerprint"
	metaPubSources = "publish_sources"   // the sources' names fragments were rendered with
	metaPubFrags   = "publish_fragments" // the fingerprint of the options fragments were rendered with
	metaPubVersion = "publish_version"   // the newest stream version
	metaPubLineage = "publish_lineage"   // made at random by the first Sync of this database
)

// itemRev returns this transaction's item revision: one more than the
// newest so far, taken once per transaction, so that every item saved by one
// merge shares it.
func (t *Tx) itemRev() (int64, error) {
	if t.rev != 0 {
		return t.rev, nil
	}
	v, err := t.Meta(metaItemRev)
	if err != nil {
		return 0, err
	}
	n, _ := strconv.ParseInt(v, 10, 64)
	if n < 1 {
		n = 1 // migration 6 gave existing items revision 1
	}
	n++
	if err := t.SetMeta(metaItemRev, strconv.FormatInt(n, 10)); err != nil {
		return 0, err
	}
	t.rev = n
	return n, nil
}

// unpublish takes deleted items out of the streams they were in and marks
// those streams for a new summary.
func (t *Tx) unpublish(ids []any) error {
	return chunks(ids, func(ids []any) error {
		in := placeholders(len(ids), 1)
		if _, err := t.exec(`INSERT INTO dirty_streams (prefix)
			SELECT DISTINCT stream FROM stream_items WHERE item_id IN (`+in+`) ON CONFLICT DO NOTHING`, ids...); err != nil {
			return err
		}
		if _, err := t.exec(`DELETE FROM stream_items WHERE item_id IN (`+in+`)`, ids...); err != nil {
			return err
		}
		_, err := t.exec(`DELETE FROM fragments WHERE item_id IN (`+in+`)`, ids...)
		return err
	})
}

// PublishState implements index.Store.
func (s *Store) PublishState(ctx context.Context) (index.State, error) {
	var st index.State
	var cursor, version string
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT COALESCE(MAX(rev), 0) FROM items),
		COALESCE((SELECT value FROM meta WHERE key = ?), ''),
		COALESCE((SELECT value FROM meta WHERE key = ?), ''),
		COALESCE((SELECT value FROM meta WHERE key = ?), ''),
		COALESCE((SELECT value FROM meta WHERE key = ?), ''),
		COALESCE((SELECT value FROM meta WHERE key = ?), ''),
		COALESCE((SELECT value FROM meta WHERE key = ?), ''),
		EXISTS (SELECT 1 FROM dirty_streams)`, metaPubCursor, metaPubFP, metaPubVersion, metaPubSources, metaPubFrags, metaPubLineage).
		Scan(&st.ItemRev, &cursor, &st.Fingerprint, &version, &st.Sources, &st.Fragments, &st.Lineage, &st.Dirty)
	if err != nil {
		return st, fmt.Errorf("store: publish state: %w", err)
	}
	st.Cursor = parseCursor(cursor)
	st.Version, _ = strconv.ParseInt(version, 10, 64)
	return st, nil
}

func parseCursor(s string) index.Cursor {
	var c index.Cursor
	rev, id, _ := cutSpace(s)
	c.Rev, _ = strconv.ParseInt(rev, 10, 64)
	c.ItemID = id
	return c
}

func cutSpace(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// The queries publish makes over and over, each a search of an index
// (TestPublishQueryPlans checks their plans).
const (
	// changedItemsQuery takes a row value, so that SQLite seeks to the
	// cursor in items_rev instead of reading the index from its start for
	// every batch.
	changedItemsQuery = `SELECT id, rev, hidden, data FROM items WHERE (rev, id) > (?, ?) ORDER BY rev, id LIMIT ?`

	memberCols = `SELECT item_id, published, updated, hash, changed FROM stream_items`

	// membersAfterQuery is two range searches of the primary key, the rest
	// of the position's date and the older dates, rather than one OR that
	// SQLite would answer by reading the stream from its newest member.
	membersAfterQuery = `SELECT * FROM (` + memberCols + ` WHERE stream = ? AND published = ? AND item_id > ?
		ORDER BY item_id LIMIT ?) AS same_date UNION ALL SELECT * FROM (` + memberCols + ` WHERE stream = ? AND published < ?
		ORDER BY published DESC, item_id LIMIT ?) AS older ORDER BY published DESC, item_id LIMIT ?`

	// membersBeforeQuery is membersAfterQuery read from the oldest end.
	membersBeforeQuery = `SELECT * FROM (` + memberCols + ` WHERE stream = ? AND published = ? AND item_id < ?
		ORDER BY item_id DESC LIMIT ?) AS same_date UNION ALL SELECT * FROM (` + memberCols + ` WHERE stream = ? AND published > ?
		ORDER BY published, item_id DESC LIMIT ?) AS newer ORDER BY published, item_id DESC LIMIT ?`
)

// removeMembersQuery deletes n items from one stream by item, not by
// stream: the stream's part of the primary key would have SQLite read every
// member of the stream. (PostgreSQL chooses the index itself: engine.go
// drops the hint.)
func removeMembersQuery(n int) string {
	return `DELETE FROM stream_items INDEXED BY stream_items_item WHERE item_id IN (` + placeholders(n, 1) + `) AND stream = ?`
}

// ChangedItems implements index.Store.
func (s *Store) ChangedItems(ctx context.Context, after index.Cursor, limit int) ([]index.Changed, error) {
	rows, err := s.r.QueryContext(ctx, changedItemsQuery, after.Rev, after.ItemID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: changed items: %w", err)
	}
	var out []index.Changed
	at := map[string]int{}
	for rows.Next() {
		var c index.Changed
		var data string
		if err := rows.Scan(&c.Item.ID, &c.Rev, &c.Hidden, &data); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: changed items: %w", err)
		}
		id := c.Item.ID
		if err := json.Unmarshal([]byte(data), &c.Item); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: item %s: %w", id, err)
		}
		c.Item.ID = id
		at[id] = len(out)
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: changed items: %w", err)
	}
	ids := make([]any, 0, len(out))
	for _, c := range out {
		if !c.Hidden {
			ids = append(ids, c.Item.ID)
		}
	}
	err = chunks(ids, func(ids []any) error {
		rows, err := s.r.QueryContext(ctx, `SELECT item_id, entry_id, role, data FROM entries WHERE item_id IN (`+
			placeholders(len(ids), 1)+`) ORDER BY item_id, first_seen, source_id, entry_id`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var itemID, entryID, role, data string
			if err := rows.Scan(&itemID, &entryID, &role, &data); err != nil {
				return err
			}
			var e talkstream.Entry
			if err := json.Unmarshal([]byte(data), &e); err != nil {
				return fmt.Errorf("entry of %s: %w", itemID, err)
			}
			it := &out[at[itemID]].Item
			it.Entries = append(it.Entries, talkstream.ItemEntry{ID: entryID, Role: talkstream.Role(role), Entry: e})
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: changed items: %w", err)
	}
	return out, nil
}

// Slugs implements index.Store.
func (s *Store) Slugs(ctx context.Context) ([]index.Slug, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT dir, key, slug FROM facet_slugs`)
	if err != nil {
		return nil, fmt.Errorf("store: slugs: %w", err)
	}
	defer rows.Close()
	var out []index.Slug
	for rows.Next() {
		var sl index.Slug
		if err := rows.Scan(&sl.Dir, &sl.Key, &sl.Slug); err != nil {
			return nil, fmt.Errorf("store: slugs: %w", err)
		}
		out = append(out, sl)
	}
	return out, rows.Err()
}

// Streams implements index.Store.
func (s *Store) Streams(ctx context.Context) ([]index.Stream, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT prefix, dir, key, count, latest, updated, years, version, modified
		FROM streams ORDER BY prefix`)
	if err != nil {
		return nil, fmt.Errorf("store: streams: %w", err)
	}
	defer rows.Close()
	var out []index.Stream
	for rows.Next() {
		var st index.Stream
		var latest, updated, modified int64
		var years string
		if err := rows.Scan(&st.Prefix, &st.Dir, &st.Key, &st.Count, &latest, &updated, &years, &st.Version, &modified); err != nil {
			return nil, fmt.Errorf("store: streams: %w", err)
		}
		st.Latest, st.Updated, st.Modified = fromNanos(latest), fromNanos(updated), fromNanos(modified)
		if err := json.Unmarshal([]byte(years), &st.Years); err != nil {
			return nil, fmt.Errorf("store: stream %s: %w", st.Prefix, err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// Members implements index.Store: a keyset read of the stream's index, in
// its order (newest first, ties by item id).
func (s *Store) Members(ctx context.Context, prefix string, after *index.After, limit int) ([]index.Member, error) {
	if after == nil {
		return s.members(ctx, prefix, limit, memberCols+` WHERE stream = ? ORDER BY published DESC, item_id LIMIT ?`, prefix, limit)
	}
	p := nanos(after.Published)
	return s.members(ctx, prefix, limit, membersAfterQuery, prefix, p, after.ItemID, limit, prefix, p, limit, limit)
}

// MembersFromOldest implements index.Store: the same index read backwards.
func (s *Store) MembersFromOldest(ctx context.Context, prefix string, before *index.After, limit int) ([]index.Member, error) {
	if before == nil {
		return s.members(ctx, prefix, limit, memberCols+` WHERE stream = ? ORDER BY published, item_id DESC LIMIT ?`, prefix, limit)
	}
	p := nanos(before.Published)
	return s.members(ctx, prefix, limit, membersBeforeQuery, prefix, p, before.ItemID, limit, prefix, p, limit, limit)
}

func (s *Store) members(ctx context.Context, prefix string, limit int, q string, args ...any) ([]index.Member, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: members of %s: %w", prefix, err)
	}
	defer rows.Close()
	out := make([]index.Member, 0, min(limit, 1024))
	for rows.Next() {
		var m index.Member
		var pub, upd, changed int64
		if err := rows.Scan(&m.ItemID, &pub, &upd, &m.Hash, &changed); err != nil {
			return nil, fmt.Errorf("store: members of %s: %w", prefix, err)
		}
		m.Published, m.Updated, m.Changed = fromNanos(pub), fromNanos(upd), fromNanos(changed)
		out = append(out, m)
	}
	return out, rows.Err()
}

var formatColumns = map[index.Format]string{index.RSS: "rss", index.Atom: "atom", index.JSON: "json", index.Card: "card"}

// Fragments implements index.Store. The renderings are the last columns
// of a row, each mostly in overflow pages: SQLite follows an overflow
// chain page by page to reach a later column, so the formats a caller
// needs are read in one query rather than one query each.
func (s *Store) Fragments(ctx context.Context, itemIDs []string, formats ...index.Format) (map[string]*index.Fragment, error) {
	cols := make([]string, len(formats))
	for i, f := range formats {
		col, ok := formatColumns[f]
		if !ok {
			return nil, fmt.Errorf("store: fragments: unknown format %d", f)
		}
		cols[i] = col
	}
	if len(cols) == 0 {
		return nil, errors.New("store: fragments: no format")
	}
	out := make(map[string]*index.Fragment, len(itemIDs))
	ids := make([]any, len(itemIDs))
	for i, id := range itemIDs {
		ids[i] = id
	}
	err := chunks(ids, func(ids []any) error {
		rows, err := s.r.QueryContext(ctx, `SELECT item_id, `+strings.Join(cols, ", ")+` FROM fragments WHERE item_id IN (`+
			placeholders(len(ids), 1)+`)`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			f := &index.Fragment{}
			dest := []any{&f.ItemID}
			for _, format := range formats {
				dest = append(dest, f.Format(format))
			}
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			out[f.ItemID] = f
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: fragments: %w", err)
	}
	return out, nil
}

// UpdatePublish implements index.Store.
func (s *Store) UpdatePublish(ctx context.Context, fn func(index.Tx) error) error {
	return s.Update(ctx, func(tx *Tx) error { return fn(tx) })
}

// FragmentStreams implements index.Tx.
func (t *Tx) FragmentStreams(itemIDs []string) (map[string]index.Fragment, error) {
	out := map[string]index.Fragment{}
	ids := make([]any, len(itemIDs))
	for i, id := range itemIDs {
		ids[i] = id
	}
	err := chunks(ids, func(ids []any) error {
		rows, err := t.query(`SELECT item_id, hash, streams FROM fragments WHERE item_id IN (`+placeholders(len(ids), 1)+`)`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var f index.Fragment
			var streams string
			if err := rows.Scan(&f.ItemID, &f.Hash, &streams); err != nil {
				return err
			}
			if err := json.Unmarshal([]byte(streams), &f.Streams); err != nil {
				return fmt.Errorf("fragment of %s: %w", f.ItemID, err)
			}
			out[f.ItemID] = f
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: fragments: %w", err)
	}
	return out, nil
}

// PutFragments implements index.Tx.
func (t *Tx) PutFragments(fs []*index.Fragment) error {
	err := chunks(fs, func(fs []*index.Fragment) error {
		args := make([]any, 0, 10*len(fs))
		for _, f := range fs {
			streams, err := json.Marshal(f.Streams)
			if err != nil {
				return err
			}
			args = append(args, f.ItemID, f.Rev, f.Hash, nanos(f.Published), nanos(f.Updated), string(streams),
				f.RSS, f.Atom, f.JSON, f.Card)
		}
		_, err := t.exec(`INSERT INTO fragments (item_id, rev, hash, published, updated, streams, rss, atom, json, card)
			VALUES `+placeholders(len(fs), 10)+`
			ON CONFLICT(item_id) DO UPDATE SET rev=excluded.rev, hash=excluded.hash, published=excluded.published,
			updated=excluded.updated, streams=excluded.streams, rss=excluded.rss, atom=excluded.atom,
			json=excluded.json, card=excluded.card`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: fragments: %w", err)
	}
	return nil
}

// DeleteFragments implements index.Tx.
func (t *Tx) DeleteFragments(itemIDs []string) error {
	ids := make([]any, len(itemIDs))
	for i, id := range itemIDs {
		ids[i] = id
	}
	err := chunks(ids, func(ids []any) error {
		_, err := t.exec(`DELETE FROM fragments WHERE item_id IN (`+placeholders(len(ids), 1)+`)`, ids...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: fragments: %w", err)
	}
	return nil
}

// AddMembers implements index.Tx: a member already there is updated.
func (t *Tx) AddMembers(prefix string, ms []index.Member) error {
	err := chunks(ms, func(ms []index.Member) error {
		args := make([]any, 0, 6*len(ms))
		for _, m := range ms {
			args = append(args, prefix, nanos(m.Published), m.ItemID, nanos(m.Updated), m.Hash, nanos(m.Changed))
		}
		_, err := t.exec(`INSERT INTO stream_items (stream, published, item_id, updated, hash, changed) VALUES `+
			placeholders(len(ms), 6)+` ON CONFLICT (stream, published, item_id) DO UPDATE SET updated = excluded.updated, hash = excluded.hash,
			changed = excluded.changed`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: members of %s: %w", prefix, err)
	}
	return nil
}

// RemoveMembers implements index.Tx.
func (t *Tx) RemoveMembers(prefix string, itemIDs []string) error {
	args := make([]any, len(itemIDs))
	for i, id := range itemIDs {
		args[i] = id
	}
	err := chunks(args, func(ids []any) error {
		_, err := t.exec(removeMembersQuery(len(ids)),
			append(ids, prefix)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: members of %s: %w", prefix, err)
	}
	return nil
}

// PutSlugs implements index.Tx.
func (t *Tx) PutSlugs(ss []index.Slug) error {
	err := chunks(ss, func(ss []index.Slug) error {
		args := make([]any, 0, 3*len(ss))
		for _, s := range ss {
			args = append(args, s.Dir, s.Key, s.Slug)
		}
		_, err := t.exec(`INSERT INTO facet_slugs (dir, key, slug) VALUES `+placeholders(len(ss), 3), args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: slugs: %w", err)
	}
	return nil
}

// MarkDirty implements index.Tx.
func (t *Tx) MarkDirty(prefixes []string) error {
	err := chunks(prefixes, func(ps []string) error {
		args := make([]any, len(ps))
		for i, p := range ps {
			args[i] = p
		}
		_, err := t.exec(`INSERT INTO dirty_streams (prefix) VALUES `+placeholders(len(ps), 1)+` ON CONFLICT DO NOTHING`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: dirty streams: %w", err)
	}
	return nil
}

// MarkAllDirty implements index.Tx.
func (t *Tx) MarkAllDirty() error {
	if _, err := t.exec(`INSERT INTO dirty_streams (prefix) SELECT prefix FROM streams WHERE true ON CONFLICT DO NOTHING`); err != nil {
		return fmt.Errorf("store: dirty streams: %w", err)
	}
	return nil
}

// DirtyStreams implements index.Tx.
func (t *Tx) DirtyStreams() ([]string, error) {
	rows, err := t.query(`SELECT prefix FROM dirty_streams ORDER BY prefix`)
	if err != nil {
		return nil, fmt.Errorf("store: dirty streams: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("store: dirty streams: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// StreamStats implements index.Tx: one pass over the stream's index.
func (t *Tx) StreamStats(prefix string) (index.Stream, error) {
	st := index.Stream{Prefix: prefix}
	rows, err := t.query(`SELECT published, updated FROM stream_items WHERE stream = ? ORDER BY published DESC, item_id`, prefix)
	if err != nil {
		return st, fmt.Errorf("store: stream %s: %w", prefix, err)
	}
	defer rows.Close()
	var latest, updated int64
	for rows.Next() {
		var pub, upd int64
		if err := rows.Scan(&pub, &upd); err != nil {
			return st, fmt.Errorf("store: stream %s: %w", prefix, err)
		}
		if st.Count == 0 {
			latest = pub
		}
		st.Count++
		updated = max(updated, upd)
		year := 0
		if pub != 0 {
			year = fromNanos(pub).Year()
		}
		if n := len(st.Years); n == 0 || st.Years[n-1].Year != year {
			st.Years = append(st.Years, index.YearCount{Year: year})
		}
		st.Years[len(st.Years)-1].Count++
	}
	st.Latest, st.Updated = fromNanos(latest), fromNanos(updated)
	return st, rows.Err()
}

// PutStream implements index.Tx; the stream is no longer dirty.
func (t *Tx) PutStream(s index.Stream) error {
	years, err := json.Marshal(s.Years)
	if err != nil {
		return err
	}
	if s.Years == nil {
		years = []byte("[]")
	}
	_, err = t.exec(`INSERT INTO streams (prefix, dir, key, count, latest, updated, years, version, modified)
		VALUES (?,?,?,?,?,?,?,?,?)
		ON CONFLICT(prefix) DO UPDATE SET dir=excluded.dir, key=excluded.key, count=excluded.count,
		latest=excluded.latest, updated=excluded.updated, years=excluded.years, version=excluded.version,
		modified=excluded.modified`,
		s.Prefix, s.Dir, s.Key, s.Count, nanos(s.Latest), nanos(s.Updated), string(years), s.Version, nanos(s.Modified))
	if err == nil {
		_, err = t.exec(`DELETE FROM dirty_streams WHERE prefix = ?`, s.Prefix)
	}
	if err != nil {
		return fmt.Errorf("store: stream %s: %w", s.Prefix, err)
	}
	return nil
}

// DeleteStream implements index.Tx.
func (t *Tx) DeleteStream(prefix string) error {
	_, err := t.exec(`DELETE FROM streams WHERE prefix = ?`, prefix)
	if err == nil {
		_, err = t.exec(`DELETE FROM dirty_streams WHERE prefix = ?`, prefix)
	}
	if err != nil {
		return fmt.Errorf("store: stream %s: %w", prefix, err)
	}
	return nil
}

// SetState implements index.Tx.
func (t *Tx) SetState(st index.State) error {
	return errors.Join(
		t.SetMeta(metaPubCursor, strconv.FormatInt(st.Cursor.Rev, 10)+" "+st.Cursor.ItemID),
		t.SetMeta(metaPubFP, st.Fingerprint),
		t.SetMeta(metaPubFrags, st.Fragments),
		t.SetMeta(metaPubSources, st.Sources),
		t.SetMeta(metaPubVersion, strconv.FormatInt(st.Version, 10)),
		t.SetMeta(metaPubLineage, st.Lineage),
	)
}
