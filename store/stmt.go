package store

import (
	"context"
	"database/sql"
	"slices"
	"sync"
)

// Merging a fetched source runs the same dozen statements for every batch,
// and SQLite spends longer parsing one of them than running it: a feed
// with one new entry would cost more in parsing than in writing. So a
// statement is prepared once per store, on the writer connection, and
// every transaction binds it (Tx.StmtContext reuses the statement already
// prepared on the one connection). A statement first met inside a
// transaction cannot be prepared on the store then (the transaction holds
// the only writer connection): it is prepared for the transaction, and for
// the store after the commit.

// maxCachedStmts bounds the cache: batched statements come in one shape
// per batch size, and a store that merges every size would otherwise keep
// thousands.
const maxCachedStmts = 512

type stmtCache struct {
	mu     sync.Mutex
	m      map[string]*sql.Stmt
	closed bool
}

func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// fill prepares the queries the cache lacks on db; a query that fails to
// prepare is left out (the transaction that used it already reported it).
// It never holds the lock while preparing: preparing waits for the writer
// connection, which another goroutine's transaction may hold while it
// looks statements up here.
func (c *stmtCache) fill(ctx context.Context, db *db, queries []string) {
	if len(queries) == 0 {
		return
	}
	c.mu.Lock()
	var missing []string
	for _, q := range queries {
		if _, ok := c.m[q]; !ok && len(c.m)+len(missing) < maxCachedStmts && !slices.Contains(missing, q) {
			missing = append(missing, q)
		}
	}
	c.mu.Unlock()
	for _, q := range missing {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		if _, dup := c.m[q]; dup || c.closed {
			st.Close() // another commit prepared it meanwhile, or the store is closing
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m, c.closed = nil, true
}

func (t *Tx) stmt(query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	if t.cache != nil {
		if shared := t.cache.get(query); shared != nil {
			st := t.tx.StmtContext(t.ctx, shared)
			t.stmts[query] = st
			return st, nil
		}
	}
	st, err := t.tx.PrepareContext(t.ctx, query)
	if err != nil {
		return nil, err
	}
	t.stmts[query] = st
	if t.cache != nil {
		t.wanted = append(t.wanted, query)
	}
	return st, nil
}

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(t.ctx, args...)
}

func (t *Tx) query(query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(t.ctx, args...)
}

// queryRow returns a row whose Scan reports a prepare error too.
func (t *Tx) queryRow(query string, args ...any) *sql.Row {
	st, err := t.stmt(query)
	if err != nil {
		// A Row cannot be built with an error from outside database/sql:
		// let the transaction report it.
		return t.tx.QueryRowContext(t.ctx, query, args...)
	}
	return st.QueryRowContext(t.ctx, args...)
}

// Checkpoint copies the write-ahead log into the database file and empties
// it, so that what follows does not pay for earlier writes (benchmarks
// after a bulk load, backups).
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.e.postgres {
		return nil // the server checkpoints on its own schedule
	}
	_, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}
