package websub

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero SubscriberOptions.
const (
	DefaultLease    = 7 * 24 * time.Hour
	defaultMaxBytes = 10 << 20
	requestTimeout  = 15 * time.Second
	// retryMax bounds the wait before a failed or denied request is sent again.
	retryMax = 24 * time.Hour
	// unsubscribeTries is how often we ask a hub to drop a removed
	// source's subscription before forgetting it: its lease ends anyway.
	unsubscribeTries = 3
)

// ErrDeliveryRejected is what a Deliver returns for a body that is not a
// feed: acknowledged (the hub must not retry it), counted as failed.
var ErrDeliveryRejected = errors.New("pushed body rejected")

// SubscriberOptions configures a Subscriber.
type SubscriberOptions struct {
	// Callback is the public URL our callbacks live under; each
	// subscription's callback is Callback + a random id.
	Callback string
	Lease    time.Duration // lease asked for; default DefaultLease (the hub decides)
	MaxBytes int64         // body cap of a distribution; default 10 MiB (the fetch cap)
	// Deliver ingests a verified distribution for source. An error
	// wrapping ErrDeliveryRejected is acknowledged; any other makes the
	// hub retry (500).
	Deliver func(ctx context.Context, source string, body []byte, contentType string) error
	Client  *http.Client // requests to hubs; default a client with a 15s timeout
	Metrics *Metrics     // default: a private set
	Log     *slog.Logger // default: discard
	Now     func() time.Time
}

// Subscriber keeps talkstream subscribed at the hubs its sources
// advertise and receives their distributions (§5, §7, §8).
type Subscriber struct {
	st   Store
	opts SubscriberOptions

	mu     sync.Mutex
	active map[string]bool // source → push active: polling relaxes
}

// NewSubscriber returns a Subscriber keeping its state in st.
func NewSubscriber(st Store, opts SubscriberOptions) *Subscriber {
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = defaultMaxBytes
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: requestTimeout}
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if !strings.HasSuffix(opts.Callback, "/") {
		opts.Callback += "/"
	}
	return &Subscriber{st: st, opts: opts, active: map[string]bool{}}
}

// Active reports whether source's feed is pushed to us now, so that
// polling it can relax to a safety net.
func (s *Subscriber) Active(source string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active[source]
}

// LoadActive reads which sources are pushed now from the store, for a
// process that has not reconciled yet (serve before its first round, a
// `fetch -due` from cron).
func (s *Subscriber) LoadActive(ctx context.Context) error {
	subs, err := s.st.Subscriptions(ctx)
	if err != nil {
		return err
	}
	now := s.opts.Now()
	for _, sub := range subs {
		s.setActive(sub.Source, sub.State == StateActive && now.Before(sub.Expires))
	}
	return nil
}

func (s *Subscriber) setActive(source string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.active[source] = true
	} else {
		delete(s.active, source)
	}
}

// Discovered records that source's feed, fetched from fetched, advertises
// links. A feed with a hub gets a pending subscription (Reconcile asks
// for it); one whose hub or topic changed starts over with a fresh
// callback and secret. A feed without a hub changes nothing: a 304 or an
// unchanged body says nothing about hubs.
func (s *Subscriber) Discovered(ctx context.Context, source string, links Links, fetched string) error {
	if len(links.Hubs) == 0 {
		return nil
	}
	topic := links.Self
	if topic == "" {
		topic = fetched // §5.1: the self link, else the URL fetched
	}
	hub := links.Hubs[0]
	// Every fetch that parses the feed comes here: one row read by key.
	cur, err := s.st.SubscriptionOf(ctx, source)
	if err != nil {
		return err
	}
	if cur != nil && cur.Hub == hub && cur.Topic == topic && cur.State != StateUnsubscribing {
		return nil
	}
	sub := Subscription{Source: source, Hub: hub, Topic: topic, State: StatePending}
	if sub.Callback, err = randomHex(16); err != nil {
		return err
	}
	if sub.Secret, err = randomHex(32); err != nil {
		return err
	}
	s.setActive(source, false)
	return s.st.PutSubscription(ctx, sub)
}

func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("websub: random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Reconcile brings the hubs in line with the config: it subscribes what
// is pending, renews leases before they end, and unsubscribes sources no
// longer configured. Failed requests are retried with backoff on later
// calls; serve calls it after every tick.
func (s *Subscriber) Reconcile(ctx context.Context, configured []string) error {
	subs, err := s.st.Subscriptions(ctx)
	if err != nil {
		return err
	}
	want := map[string]bool{}
	for _, id := range configured {
		want[id] = true
	}
	now := s.opts.Now()
	var errs []error
	for _, sub := range subs {
		s.setActive(sub.Source, sub.State == StateActive && now.Before(sub.Expires) && want[sub.Source])
		switch {
		case !want[sub.Source]:
			errs = append(errs, s.leave(ctx, sub, now))
		case sub.State == StateActive && now.After(sub.Expires):
			// The lease ran out unrenewed: ask again from scratch.
			sub.State, sub.Requested = StatePending, time.Time{}
			errs = append(errs, s.request(ctx, sub, "subscribe", now))
		case sub.State == StateActive && now.After(sub.Expires.Add(-renewMargin(sub.Lease))) && s.due(sub, now):
			errs = append(errs, s.request(ctx, sub, "subscribe", now))
		case (sub.State == StatePending || sub.State == StateDenied) && s.due(sub, now):
			errs = append(errs, s.request(ctx, sub, "subscribe", now))
		}
	}
	return errors.Join(errs...)
}

// renewMargin is how long before its end a lease is renewed: a fifth of
// it, so a hub that is down for a while still finds us subscribed.
func renewMargin(lease time.Duration) time.Duration {
	if lease <= 0 {
		lease = DefaultLease
	}
	return lease / 5
}

// due says whether a request for sub may be sent again: at once the first
// time, then after a wait doubling with each failure (a verification that
// never came counts too), from a minute up to a day.
func (s *Subscriber) due(sub Subscription, now time.Time) bool {
	if sub.Requested.IsZero() {
		return true
	}
	wait := time.Minute << min(sub.Attempts, 12)
	if sub.State == StateDenied {
		wait = retryMax
	}
	return now.Sub(sub.Requested) >= min(wait, retryMax)
}

// leave unsubscribes a removed source, then forgets it.
func (s *Subscriber) leave(ctx context.Context, sub Subscription, now time.Time) error {
	s.setActive(sub.Source, false)
	if sub.Requested.IsZero() || sub.State == StateDenied || sub.Attempts >= unsubscribeTries {
		return s.st.DeleteSubscription(ctx, sub.Source)
	}
	if sub.State == StateUnsubscribing && !s.due(sub, now) {
		return nil
	}
	sub.State = StateUnsubscribing
	return s.request(ctx, sub, "unsubscribe", now)
}

// request sends a subscription request (§5.1) and records how it went.
// The row is written before the request: a hub may verify before it
// answers.
func (s *Subscriber) request(ctx context.Context, sub Subscription, mode string, now time.Time) error {
	sub.Requested = now.UTC()
	if err := s.st.PutSubscription(ctx, sub); err != nil {
		return err
	}
	form := url.Values{
		"hub.mode":     {mode},
		"hub.topic":    {sub.Topic},
		"hub.callback": {s.opts.Callback + sub.Callback},
	}
	if mode == "subscribe" {
		form.Set("hub.secret", sub.Secret)
		form.Set("hub.lease_seconds", strconv.Itoa(int(s.opts.Lease/time.Second)))
	}
	rerr := postForm(ctx, s.opts.Client, sub.Hub, form)
	s.opts.Metrics.request(mode, rerr)
	if rerr != nil {
		s.opts.Log.Warn("websub request", "source", sub.Source, "mode", mode, "hub", sub.Hub, "err", rerr)
		return s.st.NoteRequest(ctx, sub.Callback, rerr.Error())
	}
	return s.st.NoteRequest(ctx, sub.Callback, "")
}

// postForm posts a form to a hub; a 2xx is success (§5.1.2: 202).
func postForm(ctx context.Context, client *http.Client, hub string, form url.Values) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hub, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("hub %s: %w", hub, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("hub %s: %w", hub, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("hub %s answered %s: %s", hub, resp.Status, strings.TrimSpace(strings.ToValidUTF8(string(msg), "")))
	}
	return nil
}
