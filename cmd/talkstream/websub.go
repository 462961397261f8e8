package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/ingest"
	"github.com/talkstream/talkstream/publish"
	"github.com/talkstream/talkstream/websub"
)

// webSub is serve's WebSub wiring (the websub: block): the subscriber
// behind our callback, and either the built-in hub or the external hub we
// ping after each publish.
type webSub struct {
	sub     *websub.Subscriber // nil unless websub.subscribe
	hub     *websub.Hub        // the built-in hub, or nil
	ping    string             // an external hub to ping, or ""
	metrics *websub.Metrics
	log     *slog.Logger
	nudge   chan struct{} // a hub was discovered: reconcile now
	pings   sync.WaitGroup
}

// reconcileEvery is how often serve checks subscriptions (renewals,
// retries, removed sources) besides right after a discovery.
const reconcileEvery = time.Minute

// subscriber returns the Subscriber that records discovered hubs, creating
// it the first time: every verb's fetch records them, serve subscribes.
func (a *app) subscriber(log *slog.Logger) *websub.Subscriber {
	w := a.cfg.WebSub
	if w == nil || !w.Subscribe {
		return nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if a.ws.sub == nil {
		a.ws.metrics = websub.NewMetrics()
		a.ws.nudge = make(chan struct{}, 1)
		a.ws.sub = websub.NewSubscriber(a.store, websub.SubscriberOptions{
			Callback: w.Callback, Lease: w.Lease, MaxBytes: a.cfg.Fetch.MaxBytes,
			Metrics: a.ws.metrics, Log: log, Deliver: a.deliverPush,
		})
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.ws.sub.LoadActive(ctx); err != nil {
			log.Warn("websub: read subscriptions", "err", err)
		}
	}
	return a.ws.sub
}

// ingestHooks fills in the ingest options WebSub needs.
func (a *app) ingestHooks(opts *ingest.Options, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts.Parser = a.fetcher
	opts.PushStates = func(ctx context.Context) (map[string]string, error) {
		return websub.PushStates(ctx, a.store, time.Now())
	}
	sub := a.subscriber(log)
	if sub == nil {
		return
	}
	opts.Pushed = sub.Active
	opts.PushedRefresh = a.cfg.WebSub.PushedRefresh
	opts.Discovered = func(source string, res *fetch.Result) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := sub.Discovered(ctx, source, websub.Links{Hubs: res.Hubs, Self: res.Self}, res.URL); err != nil {
			log.Warn("websub: record hub", "source", source, "err", err)
			return
		}
		select {
		case a.ws.nudge <- struct{}{}:
		default:
		}
	}
}

// deliverPush ingests a verified distribution as a fetch of the source,
// and publishes at once when it changed anything.
func (a *app) deliverPush(ctx context.Context, source string, body []byte, contentType string) error {
	// A verified body is ingested even if the hub hangs up meanwhile: it
	// would not send it again once acknowledged.
	ctx = context.WithoutCancel(ctx)
	o, err := a.in.Push(ctx, source, body, contentType)
	switch {
	case errors.Is(err, ingest.ErrUnknownSource):
		return fmt.Errorf("%w: %w", websub.ErrDeliveryRejected, err)
	case err != nil:
		return err
	case o.Kind == ingest.OutcomeError:
		return fmt.Errorf("%w: %w", websub.ErrDeliveryRejected, o.Err)
	}
	if o.Stats.New+o.Stats.Updated > 0 {
		if _, err := a.publishAndAnnounce(ctx, time.Now().UTC()); err != nil {
			a.ws.log.Error("publish", "err", err)
		}
	}
	return nil
}

// setupWebSub mounts the callback and the built-in hub on mux, makes the
// ping target known, and registers the counters.
func (a *app) setupWebSub(mux *http.ServeMux, in *ingest.Ingester, log *slog.Logger) error {
	w := a.cfg.WebSub
	if w == nil {
		return nil
	}
	a.ws.log = log
	if a.ws.metrics == nil {
		a.ws.metrics = websub.NewMetrics()
	}
	if err := a.ws.metrics.Register(in.Metrics().Registry()); err != nil {
		return err
	}
	if sub := a.subscriber(log); sub != nil {
		mux.Handle(pathOf(w.Callback), sub)
	}
	switch {
	case w.Builtin:
		opts := websub.HubOptions{
			URL: w.Hub, Topic: a.pub.IsFeed, Content: a.pub.Feed,
			MinLease: w.MinLease, MaxLease: w.MaxLease, MaxPerHost: w.MaxPerHost,
			AllowPrivate: w.AllowPrivate, CheckHost: fetch.CheckHost, IsPublic: fetch.PublicAddr,
			Client:  websub.PublicClient(fetch.PublicDialer(10 * time.Second)),
			Metrics: a.ws.metrics, Log: log,
		}
		if w.AllowPrivate {
			opts.Client = websub.PublicClient(nil)
		}
		if hubBackoff != nil {
			opts.Backoff = hubBackoff
		}
		hub, err := websub.NewHub(a.store, opts)
		if err != nil {
			return err
		}
		a.ws.hub = hub
		mux.Handle(pathOf(w.Hub), hub)
	case w.Hub != "":
		a.ws.ping = w.Hub
	}
	return nil
}

// hubBackoff, when set (tests), replaces the built-in hub's retry waits.
var hubBackoff []time.Duration

func pathOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Path == "" {
		return "/"
	}
	return p.Path
}

// reconcileLoop keeps subscriptions in line until ctx ends: every
// reconcileEvery, and at once after a feed revealed a hub.
func (a *app) reconcileLoop(ctx context.Context) {
	sub := a.ws.sub
	if sub == nil {
		return
	}
	ids := make([]string, len(a.cfg.Sources))
	for i, s := range a.cfg.Sources {
		ids[i] = s.ID
	}
	t := time.NewTicker(reconcileEvery)
	defer t.Stop()
	for {
		if err := sub.Reconcile(ctx, ids); err != nil && ctx.Err() == nil {
			a.ws.log.Warn("websub reconcile", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-a.ws.nudge:
		}
	}
}

// announce tells the hub which feeds changed: the built-in hub delivers
// them, an external one is pinged once per feed.
func (a *app) announce(changed []string) {
	if len(changed) == 0 || (a.ws.hub == nil && a.ws.ping == "") {
		return
	}
	topics := a.pub.FeedURLs(changed)
	if a.ws.hub != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := a.ws.hub.Publish(ctx, topics); err != nil {
			a.ws.log.Warn("websub hub publish", "err", err)
		}
		return
	}
	a.ws.pings.Add(1)
	go func() {
		defer a.ws.pings.Done()
		client := &http.Client{Timeout: 15 * time.Second}
		for _, t := range topics {
			if err := websub.Ping(context.Background(), client, a.ws.ping, t, a.ws.metrics); err != nil {
				a.ws.log.Warn("websub ping", "topic", t, "err", err)
			}
		}
	}()
}

// publishAndAnnounce publishes, then announces the feeds that changed.
func (a *app) publishAndAnnounce(ctx context.Context, now time.Time) (publish.SyncStats, error) {
	st, err := a.publish(ctx, now)
	if err != nil {
		return st, err
	}
	a.announce(st.ChangedStreams)
	return st, nil
}
