package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/talkstream/talkstream/merge/ledger"
)

// PostgreSQL is the store several talkstream processes share. The schema,
// the queries and the behaviour are the SQLite store's (engine.go rewrites
// the spelling); what differs is how processes that share it take turns,
// which this file holds: advisory locks.

// Advisory lock keys, one per thing processes take turns at. They are
// per database, so talkstream databases on one server do not block each
// other.
const (
	lockMigrate int64 = 0x74616c6b_0001 // "talk": schema migrations
	lockWrite   int64 = 0x74616c6b_0002 // every write transaction
	lockJobs    int64 = 0x74616c6b_0100 // + a job's number: maintenance jobs (Store.TryJobLock)
)

// IsPostgres says whether database names a PostgreSQL database rather
// than a SQLite file.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// libpqKeywords are the connection parameters of libpq's keyword/value
// form ("host=/run/postgresql dbname=talkstream"), which names no file.
var libpqKeywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true, "password": true,
	"passfile": true, "sslmode": true, "sslrootcert": true, "sslcert": true, "sslkey": true,
	"connect_timeout": true, "application_name": true, "options": true, "target_session_attrs": true,
	"service": true, "search_path": true,
}

// IsKeywordValue says whether database is a libpq keyword/value string
// rather than a path: taken for a path, it would quietly become a SQLite
// file named after the connection, password included.
func IsKeywordValue(database string) bool {
	for _, f := range strings.Fields(database) {
		if k, _, ok := strings.Cut(f, "="); ok && libpqKeywords[strings.ToLower(strings.TrimSpace(k))] {
			return true
		}
	}
	return false
}

// errKeywordValue is the error for a libpq keyword/value string.
func errKeywordValue(database string) error {
	return fmt.Errorf("store: database %q is a libpq keyword/value string; talkstream takes PostgreSQL as a URL, "+
		"such as postgres://user@/talkstream?host=/run/postgresql", RedactKeywordValue(database))
}

// RedactKeywordValue hides the password of a libpq keyword/value string.
func RedactKeywordValue(database string) string {
	fs := strings.Fields(database)
	for i, f := range fs {
		if k, _, ok := strings.Cut(f, "="); ok && strings.EqualFold(strings.TrimSpace(k), "password") {
			fs[i] = k + "=xxxxx"
		}
	}
	return strings.Join(fs, " ")
}

// Redact returns database without the password a PostgreSQL URL may
// hold, for logs and errors.
func Redact(database string) string {
	if !IsPostgres(database) {
		return database
	}
	u, err := url.Parse(database)
	if err != nil {
		return "postgres://(an unparsable URL)"
	}
	return u.Redacted()
}

func openPostgres(ctx context.Context, database string) (*Store, error) {
	name := Redact(database)
	p, err := sql.Open("pgx", database)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", name, err)
	}
	p.SetMaxOpenConns(8)
	p.SetMaxIdleConns(8)
	e := &engine{postgres: true}
	pool := &db{DB: p, e: e}
	s := &Store{path: name, e: e, w: pool, r: pool}
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("store: open %s: %w", name, err)
	}
	if err := s.migrate(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return s, nil
}

// schemaVersion reads the schema version inside the migrating
// transaction. On PostgreSQL it first takes the migration lock, so that
// processes started together on an empty database migrate it once.
func (s *Store) schemaVersion(ctx context.Context, tx *dbTx) (int, error) {
	var version int
	if !s.e.postgres {
		err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
		return version, err
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, lockMigrate); err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)`); err != nil {
		return 0, err
	}
	err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&version)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return version, err
}

func (s *Store) setSchemaVersion(ctx context.Context, tx *dbTx, version int) error {
	if !s.e.postgres {
		_, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", version))
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (?)`, version)
	return err
}

// SchemaVersion is the store's schema version: the number of migration
// steps applied, the same on both engines.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	q := "PRAGMA user_version"
	if s.e.postgres {
		q = `SELECT version FROM schema_version`
	}
	var v int
	err := s.r.QueryRowContext(ctx, q).Scan(&v)
	return v, err
}

// lockWrites makes a write transaction wait for every other one, as
// SQLite's single writer does: merge reads keys, decides, then writes, and
// two instances merging at once must not both create the item for a key.
// The lock is the transaction's: commit or rollback releases it.
func (s *Store) lockWrites(ctx context.Context, tx *dbTx) error {
	if !s.e.postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, lockWrite); err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	return nil
}

// pgIntegrityCheck looks for what a crash or a bug could leave behind that
// the schema's foreign keys do not forbid: aliases to nothing, fragments
// and stream members of items that are gone.
func (s *Store) pgIntegrityCheck(ctx context.Context) error {
	checks := []struct{ what, query string }{
		{"entries without their item", `SELECT count(*) FROM entries e WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = e.item_id)`},
		{"aliases to no item", `SELECT count(*) FROM aliases a WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.id = a.item_id)`},
		{"items with no entry", `SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.item_id = i.id)`},
	}
	var bad []string
	for _, c := range checks {
		var n int
		if err := s.r.QueryRowContext(ctx, c.query).Scan(&n); err != nil {
			return fmt.Errorf("store: integrity check: %w", err)
		}
		if n > 0 {
			bad = append(bad, fmt.Sprintf("%d %s", n, c.what))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("store: integrity check: %s", strings.Join(bad, ", "))
	}
	return nil
}

var _ ledger.Tx = (*Tx)(nil)
