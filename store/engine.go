package store

import (
	"context"
	"database/sql"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// The store's SQL is written once, in the dialect both engines share:
// SQLite's `?` and `?N` placeholders, `ON CONFLICT ... DO`, row values,
// `excluded.`. What PostgreSQL spells differently is rewritten here, once
// per query text, so that each query has one source and the two engines
// cannot drift apart. What cannot be rewritten (PRAGMAs, VACUUM, the
// schema) is chosen per engine where it is used.

// engine is the database behind a store.
type engine struct {
	postgres bool
	rebound  sync.Map // query text → its PostgreSQL form
}

func (e *engine) String() string {
	if e.postgres {
		return "postgres"
	}
	return "sqlite"
}

// indexedBy is SQLite's index hint, which PostgreSQL's planner does without.
var indexedBy = regexp.MustCompile(`\s+INDEXED BY \w+`)

// rebind returns query as the engine wants it.
func (e *engine) rebind(query string) string {
	if !e.postgres {
		return query
	}
	if q, ok := e.rebound.Load(query); ok {
		return q.(string)
	}
	q := pgPlaceholders(indexedBy.ReplaceAllString(query, ""))
	e.rebound.Store(query, q)
	return q
}

// pgPlaceholders turns `?` into `$1`, `$2`... in order and `?N` into `$N`,
// leaving quoted text alone.
func pgPlaceholders(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	quote := byte(0)
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
			b.WriteByte(c)
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == '?':
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
				i = j - 1
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// db is a connection pool that speaks the engine's dialect.
type db struct {
	*sql.DB
	e *engine
}

func (d *db) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return d.DB.ExecContext(ctx, d.e.rebind(query), args...)
}

func (d *db) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.DB.QueryContext(ctx, d.e.rebind(query), args...)
}

func (d *db) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return d.DB.QueryRowContext(ctx, d.e.rebind(query), args...)
}

func (d *db) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return d.DB.PrepareContext(ctx, d.e.rebind(query))
}

func (d *db) Exec(query string, args ...any) (sql.Result, error) {
	return d.DB.Exec(d.e.rebind(query), args...)
}

func (d *db) Query(query string, args ...any) (*sql.Rows, error) {
	return d.DB.Query(d.e.rebind(query), args...)
}

func (d *db) QueryRow(query string, args ...any) *sql.Row {
	return d.DB.QueryRow(d.e.rebind(query), args...)
}

func (d *db) BeginTx(ctx context.Context, opts *sql.TxOptions) (*dbTx, error) {
	tx, err := d.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &dbTx{Tx: tx, e: d.e}, nil
}

// dbTx is a transaction that speaks the engine's dialect.
type dbTx struct {
	*sql.Tx
	e *engine
}

func (t *dbTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.e.rebind(query), args...)
}

func (t *dbTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.e.rebind(query), args...)
}

func (t *dbTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.e.rebind(query), args...)
}

func (t *dbTx) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.e.rebind(query))
}
