package websub

import (
	"context"
	"time"
)

// State is where one of our subscriptions stands.
type State string

// The states of a Subscription.
const (
	StatePending       State = "pending"       // asked for (or about to be), not yet verified
	StateActive        State = "active"        // verified; the hub pushes until Expires
	StateDenied        State = "denied"        // the hub refused (Reason says why)
	StateUnsubscribing State = "unsubscribing" // the source left the config; waiting for the hub
)

// Subscription is one of our subscriptions at a remote hub: one per
// source whose feed advertises a hub.
type Subscription struct {
	Source    string
	Hub       string
	Topic     string // the feed's self URL: what the hub knows it by
	Callback  string // the random id that ends our callback URL
	Secret    string // the hub.secret we gave: signs every distribution
	State     State
	Reason    string        // why denied, or why the last request failed
	Expires   time.Time     // end of the lease (active)
	Lease     time.Duration // the lease the hub granted
	Requested time.Time     // when we last sent a request to the hub; zero: never
	Attempts  int           // failed requests since the last success
}

// Lease is a subscriber of our built-in hub: one callback for one topic.
type Lease struct {
	Topic    string
	Callback string
	Host     string // the callback's host, for the per-host cap
	Secret   string // "" when the subscriber gave none: deliveries unsigned
	Expires  time.Time
}

// Store keeps both kinds of subscription, so that several instances
// share them and a restart keeps them. Get methods return nil, nil when
// there is none.
type Store interface {
	Subscriptions(ctx context.Context) ([]Subscription, error)
	SubscriptionByCallback(ctx context.Context, callback string) (*Subscription, error)
	SubscriptionOf(ctx context.Context, source string) (*Subscription, error)
	PutSubscription(ctx context.Context, s Subscription) error
	// NoteRequest records how a request to the hub went, touching only
	// Attempts and Reason: the hub's verification may have changed the
	// rest meanwhile. failure "" clears both (unless denied); else
	// Attempts grows by one and Reason becomes failure.
	NoteRequest(ctx context.Context, callback, failure string) error
	DeleteSubscription(ctx context.Context, source string) error

	Leases(ctx context.Context, topic string, now time.Time) ([]Lease, error)
	LeasesOnHost(ctx context.Context, host string, now time.Time) (int, error)
	PutLease(ctx context.Context, l Lease) error
	DeleteLease(ctx context.Context, topic, callback string) error
	DeleteExpiredLeases(ctx context.Context, now time.Time) error
}
