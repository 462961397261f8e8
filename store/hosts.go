package store

import (
	"context"
	"fmt"
	"time"
)

// Host slots make the per-host politeness limit hold across every
// instance sharing the database, not per process: a fetch holds one of a
// host's slots in the database for its length. A slot has a deadline, so
// a holder that dies frees it when the deadline passes.

// AcquireHost takes one of the slots of host for holder until the given
// time, if one is free (or held past its deadline) at now. It says
// whether it got one.
func (s *Store) AcquireHost(ctx context.Context, host, holder string, slots int, now, until time.Time) (bool, error) {
	got := false
	err := s.Update(ctx, func(tx *Tx) error {
		for slot := range slots {
			res, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO host_slots (host, slot, holder, until) VALUES (?1, ?2, ?3, ?4)
				ON CONFLICT (host, slot) DO UPDATE SET holder = excluded.holder, until = excluded.until
				WHERE host_slots.until <= ?5`, host, slot, holder, nanos(until), nanos(now))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				got = true
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: host slot for %s: %w", host, err)
	}
	return got, nil
}

// ReleaseHost frees the slot of host that holder holds.
func (s *Store) ReleaseHost(ctx context.Context, host, holder string) error {
	err := s.Update(ctx, func(tx *Tx) error {
		_, err := tx.tx.ExecContext(tx.ctx, `UPDATE host_slots SET until = 0 WHERE host = ? AND holder = ?`, host, holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: host slot for %s: %w", host, err)
	}
	return nil
}
