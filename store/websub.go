package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/talkstream/talkstream/websub"
)

// The WebSub tables (migration 10): our subscriptions at remote hubs, and
// the leases of the built-in hub's subscribers. Each call is one short
// statement of its own, outside the fetch transactions: a hub's
// verification must not wait for a merge.

var _ websub.Store = (*Store)(nil)

const subColumns = `source, hub, topic, callback, secret, state, reason, expires, lease, requested, attempts`

func scanSub(row scanner) (*websub.Subscription, error) {
	var s websub.Subscription
	var state string
	var expires, lease, requested int64
	if err := row.Scan(&s.Source, &s.Hub, &s.Topic, &s.Callback, &s.Secret, &state, &s.Reason,
		&expires, &lease, &requested, &s.Attempts); err != nil {
		return nil, err
	}
	s.State, s.Expires, s.Lease, s.Requested = websub.State(state), fromNanos(expires), time.Duration(lease), fromNanos(requested)
	return &s, nil
}

// Subscriptions returns our subscriptions at remote hubs, by source.
func (s *Store) Subscriptions(ctx context.Context) ([]websub.Subscription, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+subColumns+` FROM websub_subscriptions ORDER BY source`)
	if err != nil {
		return nil, fmt.Errorf("store: websub subscriptions: %w", err)
	}
	defer rows.Close()
	var out []websub.Subscription
	for rows.Next() {
		sub, err := scanSub(rows)
		if err != nil {
			return nil, fmt.Errorf("store: websub subscriptions: %w", err)
		}
		out = append(out, *sub)
	}
	return out, rows.Err()
}

// SubscriptionByCallback returns the subscription whose callback id is
// callback, or nil.
func (s *Store) SubscriptionByCallback(ctx context.Context, callback string) (*websub.Subscription, error) {
	sub, err := scanSub(s.r.QueryRowContext(ctx, `SELECT `+subColumns+` FROM websub_subscriptions WHERE callback = ?`, callback))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: websub subscription: %w", err)
	}
	return sub, nil
}

// SubscriptionOf returns source's subscription, or nil.
func (s *Store) SubscriptionOf(ctx context.Context, source string) (*websub.Subscription, error) {
	sub, err := scanSub(s.r.QueryRowContext(ctx, `SELECT `+subColumns+` FROM websub_subscriptions WHERE source = ?`, source))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: websub subscription of %s: %w", source, err)
	}
	return sub, nil
}

// PutSubscription records a source's subscription, replacing the one it
// had.
func (s *Store) PutSubscription(ctx context.Context, sub websub.Subscription) error {
	// One source has one subscription: a new callback replaces the old
	// row, and its id must not collide with the old one's UNIQUE.
	_, err := s.w.ExecContext(ctx, `INSERT INTO websub_subscriptions (`+subColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source) DO UPDATE SET hub = excluded.hub, topic = excluded.topic, callback = excluded.callback,
	secret = excluded.secret, state = excluded.state, reason = excluded.reason, expires = excluded.expires,
	lease = excluded.lease, requested = excluded.requested, attempts = excluded.attempts`,
		sub.Source, sub.Hub, sub.Topic, sub.Callback, sub.Secret, string(sub.State), sub.Reason,
		nanos(sub.Expires), int64(sub.Lease), nanos(sub.Requested), sub.Attempts)
	if err != nil {
		return fmt.Errorf("store: put websub subscription %s: %w", sub.Source, err)
	}
	return nil
}

// NoteRequest records how the last request for the subscription with
// callback id callback went, in one statement that leaves its state and
// lease alone.
func (s *Store) NoteRequest(ctx context.Context, callback, failure string) error {
	var err error
	if failure == "" {
		_, err = s.w.ExecContext(ctx, `UPDATE websub_subscriptions SET attempts = 0, reason = '' WHERE callback = ? AND state <> ?`,
			callback, string(websub.StateDenied))
	} else {
		_, err = s.w.ExecContext(ctx, `UPDATE websub_subscriptions SET attempts = attempts + 1, reason = ? WHERE callback = ?`, failure, callback)
	}
	if err != nil {
		return fmt.Errorf("store: note websub request: %w", err)
	}
	return nil
}

// DeleteSubscription forgets source's subscription.
func (s *Store) DeleteSubscription(ctx context.Context, source string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM websub_subscriptions WHERE source = ?`, source); err != nil {
		return fmt.Errorf("store: delete websub subscription %s: %w", source, err)
	}
	return nil
}

// Leases returns the built-in hub's subscribers of topic whose lease
// runs past now.
func (s *Store) Leases(ctx context.Context, topic string, now time.Time) ([]websub.Lease, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT topic, callback, host, secret, expires FROM websub_leases
WHERE topic = ? AND expires > ? ORDER BY callback`, topic, nanos(now))
	if err != nil {
		return nil, fmt.Errorf("store: websub leases: %w", err)
	}
	defer rows.Close()
	var out []websub.Lease
	for rows.Next() {
		var l websub.Lease
		var exp int64
		if err := rows.Scan(&l.Topic, &l.Callback, &l.Host, &l.Secret, &exp); err != nil {
			return nil, fmt.Errorf("store: websub leases: %w", err)
		}
		l.Expires = fromNanos(exp)
		out = append(out, l)
	}
	return out, rows.Err()
}

// LeasesOnHost counts the unexpired leases whose callback is on host.
func (s *Store) LeasesOnHost(ctx context.Context, host string, now time.Time) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM websub_leases WHERE host = ? AND expires > ?`, host, nanos(now)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: websub leases on %s: %w", host, err)
	}
	return n, nil
}

// PutLease records or renews a subscriber of the built-in hub.
func (s *Store) PutLease(ctx context.Context, l websub.Lease) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO websub_leases (topic, callback, host, secret, expires) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (topic, callback) DO UPDATE SET host = excluded.host, secret = excluded.secret, expires = excluded.expires`,
		l.Topic, l.Callback, l.Host, l.Secret, nanos(l.Expires))
	if err != nil {
		return fmt.Errorf("store: put websub lease: %w", err)
	}
	return nil
}

// DeleteLease ends a subscriber's lease.
func (s *Store) DeleteLease(ctx context.Context, topic, callback string) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM websub_leases WHERE topic = ? AND callback = ?`, topic, callback); err != nil {
		return fmt.Errorf("store: delete websub lease: %w", err)
	}
	return nil
}

// DeleteExpiredLeases drops the leases that ended at or before now.
func (s *Store) DeleteExpiredLeases(ctx context.Context, now time.Time) error {
	if _, err := s.w.ExecContext(ctx, `DELETE FROM websub_leases WHERE expires <= ?`, nanos(now)); err != nil {
		return fmt.Errorf("store: delete expired websub leases: %w", err)
	}
	return nil
}
