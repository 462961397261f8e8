package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"hash/fnv"
)

// Instances sharing a PostgreSQL database take turns at publishing and at
// maintenance jobs through session advisory locks: a lock lives on one
// connection and dies with it, so an instance that is killed while holding
// one never blocks the others. Processes sharing a SQLite file (serve, and
// a fetch or build run beside it) take turns through a file lock beside
// the database (filelock_unix.go), which the kernel releases when its
// holder dies.

// ErrLocked is returned by TryLock when another instance holds the lock.
var ErrLocked = errors.New("held by another instance")

// lockKey is the advisory lock of a named job.
func lockKey(name string) int64 {
	h := fnv.New32a()
	h.Write([]byte(name))
	return lockJobs + int64(h.Sum32())
}

// Lock waits until this process holds the named lock and returns the
// function that releases it.
func (s *Store) Lock(ctx context.Context, name string) (unlock func(), err error) {
	return s.sessionLock(ctx, name, false)
}

// TryLock takes the named lock if no other instance holds it, else
// returns ErrLocked.
func (s *Store) TryLock(ctx context.Context, name string) (unlock func(), err error) {
	return s.sessionLock(ctx, name, true)
}

func (s *Store) sessionLock(ctx context.Context, name string, try bool) (func(), error) {
	if !s.e.postgres {
		return fileLock(ctx, s.path, name, try)
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", name, err)
	}
	key := lockKey(name)
	got := true
	if try {
		err = conn.QueryRowContext(ctx, s.e.rebind(`SELECT pg_try_advisory_lock(?)`), key).Scan(&got)
	} else {
		_, err = conn.ExecContext(ctx, s.e.rebind(`SELECT pg_advisory_lock(?)`), key)
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: lock %s: %w", name, err)
	}
	if !got {
		conn.Close()
		return nil, fmt.Errorf("store: lock %s: %w", name, ErrLocked)
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), s.e.rebind(`SELECT pg_advisory_unlock(?)`), key); err != nil {
			// Dropping the connection ends its session, which releases it.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// LockPublish implements index.Store: one instance publishes at a time.
func (s *Store) LockPublish(ctx context.Context) (func(), error) {
	return s.Lock(ctx, "publish")
}
