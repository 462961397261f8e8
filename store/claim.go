package store

import (
	"context"
	"fmt"
	"time"
)

// Claim asks for one source: ID, with the next check the caller read for
// it (zero for a source never stored).
type Claim struct {
	ID   string
	Seen time.Time
}

// ClaimSources claims sources for fetching, in one transaction: each
// source's next check moves to until, but only where it still equals the
// value the caller saw, so two schedulers sharing a database never fetch a
// source at the same time. until is a lease: if the claimer dies, the source
// is due again then. It returns the ids claimed, in the order asked.
func (s *Store) ClaimSources(ctx context.Context, claims []Claim, until time.Time) ([]string, error) {
	var got []string
	err := s.Update(ctx, func(tx *Tx) error {
		for _, c := range claims {
			res, err := tx.tx.ExecContext(tx.ctx, `INSERT INTO sources (id, next_check) VALUES (?1, ?3)
				ON CONFLICT(id) DO UPDATE SET next_check = excluded.next_check WHERE sources.next_check = ?2`,
				c.ID, nanos(c.Seen), nanos(until))
			if err != nil {
				return fmt.Errorf("store: claim %s: %w", c.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("store: claim %s: %w", c.ID, err)
			} else if n == 1 {
				got = append(got, c.ID)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return got, nil
}
