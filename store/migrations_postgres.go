package store

// pgMigrations is the same schema history for PostgreSQL, step for step:
// step N here leaves the schema that step N of migrations leaves in SQLite,
// so a store's version means the same on both engines and `copy` can check
// it. Steps 1 to 7 were written before PostgreSQL was supported: step 1
// creates their result at once, and steps 2 to 7 have nothing left to do.
//
// Differences from the SQLite schema, all of them spelling: integers are
// BIGINT (unix nanoseconds do not fit INTEGER), blobs are BYTEA, text that
// is compared or ordered (ids, keys, tags, stream prefixes) is COLLATE "C"
// so that it sorts byte by byte as in SQLite whatever the database's
// locale (title keys are found by range scans), and an index cannot be
// part of a primary key, so stream order has an index of its own.
var pgMigrations = []string{
	// 1: everything SQLite's steps 1 to 7 made.
	`
CREATE TABLE sources (
	id            TEXT COLLATE "C" PRIMARY KEY,
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT '',
	body_hash     TEXT NOT NULL DEFAULT '',
	feed_title    TEXT NOT NULL DEFAULT '',
	feed_link     TEXT NOT NULL DEFAULT '',
	last_fetch    BIGINT NOT NULL DEFAULT 0,
	last_status   BIGINT NOT NULL DEFAULT 0,
	last_error    TEXT NOT NULL DEFAULT '',
	errors        BIGINT NOT NULL DEFAULT 0,
	next_check    BIGINT NOT NULL DEFAULT 0,
	duration_ms   BIGINT NOT NULL DEFAULT 0,
	bytes         BIGINT NOT NULL DEFAULT 0,
	entries       BIGINT NOT NULL DEFAULT 0,
	moved_to      TEXT NOT NULL DEFAULT '',
	gone          BIGINT NOT NULL DEFAULT 0,
	ttl_ms        BIGINT NOT NULL DEFAULT 0,
	config_hash   TEXT NOT NULL DEFAULT '',
	warning       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE items (
	id        TEXT COLLATE "C" PRIMARY KEY,
	seq       BIGINT NOT NULL UNIQUE,
	published BIGINT NOT NULL,
	updated   BIGINT NOT NULL,
	data      TEXT NOT NULL,
	hidden    BIGINT NOT NULL DEFAULT 0,
	rev       BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX items_published ON items(published DESC, id);
CREATE INDEX items_rev ON items(rev, id);

CREATE TABLE entries (
	source_id  TEXT COLLATE "C" NOT NULL,
	entry_id   TEXT COLLATE "C" NOT NULL,
	item_id    TEXT COLLATE "C" NOT NULL REFERENCES items(id) DEFERRABLE INITIALLY DEFERRED,
	hash       TEXT NOT NULL,
	role       TEXT NOT NULL,
	first_seen BIGINT NOT NULL,
	changed    BIGINT NOT NULL,
	why        TEXT NOT NULL DEFAULT '',
	data       TEXT NOT NULL,
	PRIMARY KEY (source_id, entry_id)
);
CREATE INDEX entries_item ON entries(item_id);

CREATE TABLE keys (
	key     TEXT COLLATE "C" PRIMARY KEY,
	item_id TEXT COLLATE "C" NOT NULL REFERENCES items(id) ON DELETE CASCADE
);
CREATE INDEX keys_item ON keys(item_id);

CREATE TABLE tags (
	item_id TEXT COLLATE "C" NOT NULL REFERENCES items(id) ON DELETE CASCADE,
	tag     TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (item_id, tag)
);
CREATE INDEX tags_tag ON tags(tag, item_id);

CREATE TABLE aliases (
	old_id  TEXT COLLATE "C" PRIMARY KEY,
	item_id TEXT COLLATE "C" NOT NULL
);

CREATE TABLE meta (
	key   TEXT COLLATE "C" PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE fragments (
	item_id   TEXT COLLATE "C" PRIMARY KEY,
	rev       BIGINT NOT NULL,
	hash      TEXT NOT NULL,
	published BIGINT NOT NULL,
	updated   BIGINT NOT NULL,
	streams   TEXT NOT NULL,
	rss       BYTEA NOT NULL,
	atom      BYTEA NOT NULL,
	json      BYTEA NOT NULL,
	card      BYTEA NOT NULL
);

CREATE TABLE stream_items (
	stream    TEXT COLLATE "C" NOT NULL,
	published BIGINT NOT NULL,
	item_id   TEXT COLLATE "C" NOT NULL,
	updated   BIGINT NOT NULL,
	hash      TEXT NOT NULL,
	changed   BIGINT NOT NULL,
	PRIMARY KEY (stream, published, item_id)
);
CREATE INDEX stream_items_order ON stream_items(stream, published DESC, item_id);
CREATE INDEX stream_items_item ON stream_items(item_id);

CREATE TABLE streams (
	prefix   TEXT COLLATE "C" PRIMARY KEY,
	dir      TEXT COLLATE "C" NOT NULL,
	key      TEXT COLLATE "C" NOT NULL,
	count    BIGINT NOT NULL,
	latest   BIGINT NOT NULL,
	updated  BIGINT NOT NULL,
	years    TEXT NOT NULL,
	version  BIGINT NOT NULL,
	modified BIGINT NOT NULL
);

CREATE TABLE dirty_streams (prefix TEXT COLLATE "C" PRIMARY KEY);

CREATE TABLE facet_slugs (
	dir  TEXT COLLATE "C" NOT NULL,
	key  TEXT COLLATE "C" NOT NULL,
	slug TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (dir, key),
	UNIQUE (dir, slug)
);
`,
	"", // 2 to 7: made by step 1
	"",
	"",
	"",
	"",
	"",
	// 8
	`
ALTER TABLE sources ADD COLUMN format TEXT NOT NULL DEFAULT '';
ALTER TABLE sources ADD COLUMN followed TEXT NOT NULL DEFAULT '';
`,
	// 9
	`
ALTER TABLE sources ADD COLUMN fetched_by TEXT NOT NULL DEFAULT '';
CREATE TABLE host_slots (
	host   TEXT COLLATE "C" NOT NULL,
	slot   BIGINT NOT NULL,
	holder TEXT NOT NULL,
	until  BIGINT NOT NULL,
	PRIMARY KEY (host, slot)
);
`,
	// 10
	`
CREATE TABLE websub_subscriptions (
	source    TEXT COLLATE "C" PRIMARY KEY,
	hub       TEXT NOT NULL,
	topic     TEXT NOT NULL,
	callback  TEXT COLLATE "C" NOT NULL UNIQUE,
	secret    TEXT NOT NULL,
	state     TEXT NOT NULL,
	reason    TEXT NOT NULL DEFAULT '',
	expires   BIGINT NOT NULL DEFAULT 0,
	lease     BIGINT NOT NULL DEFAULT 0,
	requested BIGINT NOT NULL DEFAULT 0,
	attempts  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE websub_leases (
	topic    TEXT COLLATE "C" NOT NULL,
	callback TEXT COLLATE "C" NOT NULL,
	host     TEXT COLLATE "C" NOT NULL,
	secret   TEXT NOT NULL DEFAULT '',
	expires  BIGINT NOT NULL,
	PRIMARY KEY (topic, callback)
);
CREATE INDEX websub_leases_host ON websub_leases(host, expires);
`,
}
