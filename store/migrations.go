package store

// migrations is the ordered schema history. Never edit a released step:
// append a new one. The schema version is PRAGMA user_version.
var migrations = []string{
	// 1: sources' fetch state, entries as each source published them,
	// unified items, their cross-source keys, tags and aliases.
	`
CREATE TABLE sources (
	id            TEXT PRIMARY KEY,
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	body_hash     TEXT NOT NULL DEFAULT '',
	feed_title    TEXT NOT NULL DEFAULT '',
	feed_link     TEXT NOT NULL DEFAULT '',
	last_fetch    INTEGER NOT NULL DEFAULT 0,
	last_status   INTEGER NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	errors        INTEGER NOT NULL DEFAULT 0,
	next_check    INTEGER NOT NULL DEFAULT 0,
	duration_ms   INTEGER NOT NULL DEFAULT 0,
	bytes         INTEGER NOT NULL DEFAULT 0,
	entries       INTEGER NOT NULL DEFAULT 0,
	moved_to      TEXT NOT NULL DEFAULT '',
	gone          INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE items (
	id        TEXT PRIMARY KEY,
	seq       INTEGER NOT NULL UNIQUE,   -- creation order: the oldest item wins a merge
	published INTEGER NOT NULL,          -- unix nanoseconds, for ordering
	updated   INTEGER NOT NULL,
	data      TEXT NOT NULL              -- JSON of the derived item, without entries
);
CREATE INDEX items_published ON items(published DESC, id);

CREATE TABLE entries (
	source_id  TEXT NOT NULL,
	entry_id   TEXT NOT NULL,
	item_id    TEXT NOT NULL REFERENCES items(id) DEFERRABLE INITIALLY DEFERRED,
	hash       TEXT NOT NULL,
	role       TEXT NOT NULL,
	first_seen INTEGER NOT NULL,
	changed    INTEGER NOT NULL,
	why        TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL,            -- JSON of talkstream.Entry
	PRIMARY KEY (source_id, entry_id)
);
CREATE INDEX entries_item ON entries(item_id);

CREATE TABLE keys (
	key     TEXT PRIMARY KEY,
	item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE
);
CREATE INDEX keys_item ON keys(item_id);

CREATE TABLE tags (
	item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
	tag     TEXT NOT NULL,
	PRIMARY KEY (item_id, tag)
);
CREATE INDEX tags_tag ON tags(tag, item_id);

-- An item folded into another by a merge keeps answering to its old id.
CREATE TABLE aliases (
	old_id  TEXT PRIMARY KEY,
	item_id TEXT NOT NULL
);
`,
	// 2: the feed's own update hint (RSS ttl, sy:updatePeriod), so a 304
	// still honours it, and the hash of the source's configuration the
	// state was recorded under ("gone until its config changes").
	`
ALTER TABLE sources ADD COLUMN ttl_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN config_hash TEXT NOT NULL DEFAULT '';
`,
	// 3: moderation. A hidden item (feeds.yaml hide:) stays in the store,
	// so explain still shows it, but no output lists it. (Title keys,
	// "title:<normalised title>@<day>", live in keys and are found by a
	// range scan of its primary key: they need no index of their own.)
	`
ALTER TABLE items ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
`,
	// 4: keys and tags are small rows looked up only by their primary key
	// (and by item): without a rowid, each row is one b-tree entry fewer
	// to write, which is most of the cost of storing a new item.
	`
CREATE TABLE keys_new (
	key     TEXT PRIMARY KEY,
	item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE
) WITHOUT ROWID;
INSERT INTO keys_new (key, item_id) SELECT key, item_id FROM keys;
DROP TABLE keys;
ALTER TABLE keys_new RENAME TO keys;
CREATE INDEX keys_item ON keys(item_id);

CREATE TABLE tags_new (
	item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
	tag     TEXT NOT NULL,
	PRIMARY KEY (item_id, tag)
) WITHOUT ROWID;
INSERT INTO tags_new (item_id, tag) SELECT item_id, tag FROM tags;
DROP TABLE tags;
ALTER TABLE tags_new RENAME TO tags;
CREATE INDEX tags_tag ON tags(tag, item_id);
`,
	// 5: small facts about the store as a whole, such as the fingerprint
	// of the merge settings the items were last derived with.
	`
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
`,
	// 6: publishing from the store (publish/index). Each item gets a
	// revision, bumped whenever its derived form changes, so that publish
	// renders exactly the items that changed since it last ran; each item's
	// fragments (its RSS, Atom, JSON Feed and HTML renderings) are kept, and
	// each stream's members are an index read in stream order (keyset
	// paging). Existing items get revision 1: the first publish renders them.
	`
ALTER TABLE items ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
UPDATE items SET rev = 1;
CREATE INDEX items_rev ON items(rev, id);

CREATE TABLE fragments (
	item_id   TEXT PRIMARY KEY,
	rev       INTEGER NOT NULL,
	hash      TEXT NOT NULL,
	published INTEGER NOT NULL,
	updated   INTEGER NOT NULL,
	streams   TEXT NOT NULL,             -- JSON array of stream prefixes
	rss       BLOB NOT NULL,
	atom      BLOB NOT NULL,
	json      BLOB NOT NULL,
	card      BLOB NOT NULL
);

CREATE TABLE stream_items (
	stream    TEXT NOT NULL,
	published INTEGER NOT NULL,
	item_id   TEXT NOT NULL,
	updated   INTEGER NOT NULL,
	hash      TEXT NOT NULL,             -- the fragment's: archive pages are versioned by their members
	changed   INTEGER NOT NULL,          -- when it entered the stream or last changed in it
	PRIMARY KEY (stream, published DESC, item_id)
) WITHOUT ROWID;
CREATE INDEX stream_items_item ON stream_items(item_id);

CREATE TABLE streams (
	prefix   TEXT PRIMARY KEY,
	dir      TEXT NOT NULL,
	key      TEXT NOT NULL,
	count    INTEGER NOT NULL,
	latest   INTEGER NOT NULL,
	updated  INTEGER NOT NULL,
	years    TEXT NOT NULL,              -- JSON [{"y":2014,"n":3},...], newest first
	version  INTEGER NOT NULL,
	modified INTEGER NOT NULL
);

-- Streams whose summary is out of date: an item left them outside publish
-- (merged into another, pruned).
CREATE TABLE dirty_streams (prefix TEXT PRIMARY KEY) WITHOUT ROWID;

-- A facet's path segment, kept once given so that its address never changes.
CREATE TABLE facet_slugs (
	dir  TEXT NOT NULL,
	key  TEXT NOT NULL,
	slug TEXT NOT NULL,
	PRIMARY KEY (dir, key),
	UNIQUE (dir, slug)
) WITHOUT ROWID;
`,
	// 7: what the last parse read other than as the feed wrote it (a
	// repaired syntax error, items lost): the status shows it.
	`
ALTER TABLE sources ADD COLUMN warning TEXT NOT NULL DEFAULT '';
`,
	// 8: what the last body was read as (a feed, a schedule, a calendar, a
	// page) and the feed a page advertised and that is read instead of
	// it: the status shows both.
	`
ALTER TABLE sources ADD COLUMN format TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN followed TEXT NOT NULL DEFAULT '';
`,
	// 9: several instances on one database. Which instance last fetched
	// each source (status), and the per-host politeness limit as slots
	// that instances hold for the length of a fetch (hosts.go).
	`
ALTER TABLE sources ADD COLUMN fetched_by TEXT NOT NULL DEFAULT '';
CREATE TABLE host_slots (
	host   TEXT NOT NULL,
	slot   INTEGER NOT NULL,
	holder TEXT NOT NULL,
	until  INTEGER NOT NULL,             -- unix nanoseconds: a dead holder's slot is free after it
	PRIMARY KEY (host, slot)
);
`,
	// 10: WebSub. Our
	// subscriptions at remote hubs, one per source, and the subscribers
	// of the built-in hub (store/websub.go).
	`
CREATE TABLE websub_subscriptions (
	source    TEXT PRIMARY KEY,
	hub       TEXT NOT NULL,
	topic     TEXT NOT NULL,
	callback  TEXT NOT NULL UNIQUE,   -- the random id ending our callback URL
	secret    TEXT NOT NULL,
	state     TEXT NOT NULL,          -- pending, active, denied, unsubscribing
	reason    TEXT NOT NULL DEFAULT '',
	expires   BIGINT NOT NULL DEFAULT 0,
	lease     BIGINT NOT NULL DEFAULT 0,
	requested BIGINT NOT NULL DEFAULT 0,
	attempts  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE websub_leases (
	topic    TEXT NOT NULL,
	callback TEXT NOT NULL,
	host     TEXT NOT NULL,
	secret   TEXT NOT NULL DEFAULT '',
	expires  BIGINT NOT NULL,
	PRIMARY KEY (topic, callback)
);
CREATE INDEX websub_leases_host ON websub_leases(host, expires);
`,
}
