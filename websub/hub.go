package websub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults for the zero HubOptions.
const (
	DefaultMinLease   = time.Hour
	DefaultMaxLease   = 30 * 24 * time.Hour
	DefaultHubLease   = 10 * 24 * time.Hour
	DefaultMaxPerHost = 100
	maxSecret         = 199 // §5.1: a secret is under 200 bytes
	maxForm           = 64 << 10
	deliveryWorkers   = 8
)

// DefaultBackoff is when the built-in hub tries a failed delivery again.
var DefaultBackoff = []time.Duration{10 * time.Second, time.Minute, 10 * time.Minute, time.Hour}

// HubOptions configures the built-in Hub.
type HubOptions struct {
	URL string // this hub's own public URL, sent in every distribution's Link header
	// Topic reports whether topic is one of the feeds this hub serves.
	Topic func(topic string) bool
	// Content returns a topic's current bytes and Content-Type.
	Content func(ctx context.Context, topic string) ([]byte, string, error)

	MinLease, MaxLease, Lease time.Duration // bounds and default of leases; defaults 1h, 30 days, 10 days
	MaxPerHost                int           // subscriptions per callback host; default 100
	// AllowPrivate lets callbacks be on loopback, private and link-local
	// addresses (tests, an intranet). Otherwise CheckHost must pass for
	// the callback's host and Client must refuse them at connect time.
	AllowPrivate bool
	CheckHost    func(ctx context.Context, host string) error
	IsPublic     func(ip netip.Addr) bool
	Client       *http.Client // verifications and deliveries

	Backoff []time.Duration // waits between delivery attempts; default DefaultBackoff
	Metrics *Metrics
	Log     *slog.Logger
	Now     func() time.Time
}

// Hub is talkstream's own hub for its own feeds (§6): it verifies intent,
// keeps leases in the Store and delivers each changed feed to its
// subscribers, signed with their secret, retrying with backoff.
type Hub struct {
	st   Store
	opts HubOptions
	wg   sync.WaitGroup
	sem  chan struct{}
}

// NewHub returns a Hub keeping its leases in st. Without AllowPrivate it
// needs CheckHost, IsPublic and a Client that refuses private addresses
// (package fetch has them): the hub calls URLs strangers give it.
func NewHub(st Store, opts HubOptions) (*Hub, error) {
	if !opts.AllowPrivate && (opts.CheckHost == nil || opts.IsPublic == nil || opts.Client == nil) {
		return nil, errors.New("websub: a hub that refuses private callbacks needs CheckHost, IsPublic and a Client that enforces them")
	}
	if opts.Topic == nil || opts.Content == nil {
		return nil, errors.New("websub: a hub needs Topic and Content")
	}
	if opts.MinLease <= 0 {
		opts.MinLease = DefaultMinLease
	}
	if opts.MaxLease <= 0 {
		opts.MaxLease = DefaultMaxLease
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultHubLease
	}
	opts.Lease = min(max(opts.Lease, opts.MinLease), opts.MaxLease)
	if opts.MaxPerHost <= 0 {
		opts.MaxPerHost = DefaultMaxPerHost
	}
	if opts.Client == nil {
		opts.Client = &http.Client{Timeout: requestTimeout}
	}
	if opts.Backoff == nil {
		opts.Backoff = DefaultBackoff
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
	return &Hub{st: st, opts: opts, sem: make(chan struct{}, deliveryWorkers)}, nil
}

// Wait waits for the verifications and deliveries under way.
func (h *Hub) Wait() { h.wg.Wait() }

// request is a subscriber's validated (un)subscription request.
type request struct {
	mode, topic, callback, host, secret string
	lease                               time.Duration
}

// ServeHTTP takes subscription requests (§5.1): it checks them, answers
// 202 and verifies intent asynchronously (§5.3).
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "this is a WebSub hub: POST hub.mode, hub.topic and hub.callback", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "unreadable form", http.StatusBadRequest)
		return
	}
	req, status, err := h.check(r.Context(), r.PostForm)
	if err != nil {
		http.Error(w, err.Error(), status)
		return
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		// Verifications share the delivery workers: a flood of requests
		// must not become a flood of GETs.
		h.sem <- struct{}{}
		defer func() { <-h.sem }()
		ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
		defer cancel()
		if err := h.verify(ctx, req); err != nil {
			h.opts.Log.Info("websub hub: intent not verified", "mode", req.mode, "callback", req.callback, "err", err)
		}
	}()
	w.WriteHeader(http.StatusAccepted)
}

// check validates a request; the status is the answer to a bad one.
func (h *Hub) check(ctx context.Context, form url.Values) (request, int, error) {
	req := request{mode: form.Get("hub.mode"), topic: form.Get("hub.topic"), callback: form.Get("hub.callback"), secret: form.Get("hub.secret")}
	switch req.mode {
	case "subscribe", "unsubscribe":
	case "publish":
		return req, http.StatusBadRequest, errors.New("this hub announces talkstream's own feeds itself: publish requests are not taken")
	default:
		return req, http.StatusBadRequest, errors.New("hub.mode must be subscribe or unsubscribe")
	}
	if !h.opts.Topic(req.topic) {
		return req, http.StatusNotFound, errors.New("hub.topic is not a feed this hub serves")
	}
	if len(req.secret) > maxSecret {
		return req, http.StatusBadRequest, errors.New("hub.secret must be under 200 bytes")
	}
	cb, err := url.Parse(req.callback)
	if err != nil || (cb.Scheme != "http" && cb.Scheme != "https") || cb.Hostname() == "" || cb.User != nil {
		return req, http.StatusBadRequest, errors.New("hub.callback must be an absolute http(s) URL")
	}
	req.host = strings.ToLower(cb.Hostname())
	if !h.opts.AllowPrivate {
		if ip, err := netip.ParseAddr(req.host); err == nil {
			if !h.opts.IsPublic(ip) {
				return req, http.StatusForbidden, errors.New("hub.callback is on a loopback, private or link-local address")
			}
		} else if err := h.opts.CheckHost(ctx, req.host); err != nil {
			return req, http.StatusForbidden, fmt.Errorf("hub.callback refused: %w", err)
		}
	}
	req.lease = h.opts.Lease
	if n, err := strconv.ParseInt(form.Get("hub.lease_seconds"), 10, 64); err == nil && n > 0 {
		req.lease = time.Duration(min(n, int64(h.opts.MaxLease/time.Second))) * time.Second
	}
	req.lease = min(max(req.lease, h.opts.MinLease), h.opts.MaxLease)
	if req.mode == "subscribe" {
		n, err := h.st.LeasesOnHost(ctx, req.host, h.opts.Now())
		if err != nil {
			return req, http.StatusServiceUnavailable, errors.New("store unavailable")
		}
		if n >= h.opts.MaxPerHost && !h.has(ctx, req) {
			return req, http.StatusTooManyRequests, fmt.Errorf("%s already has %d subscriptions here, the most one host may have", req.host, n)
		}
	}
	return req, 0, nil
}

// has reports whether req renews a lease that exists.
func (h *Hub) has(ctx context.Context, req request) bool {
	leases, err := h.st.Leases(ctx, req.topic, h.opts.Now())
	if err != nil {
		return false
	}
	for _, l := range leases {
		if l.Callback == req.callback {
			return true
		}
	}
	return false
}

// verify asks the callback to confirm (§5.3) and records the outcome.
func (h *Hub) verify(ctx context.Context, req request) error {
	challenge, err := randomHex(16)
	if err != nil {
		return err
	}
	u, _ := url.Parse(req.callback)
	q := u.Query()
	q.Set("hub.mode", req.mode)
	q.Set("hub.topic", req.topic)
	q.Set("hub.challenge", challenge)
	if req.mode == "subscribe" {
		q.Set("hub.lease_seconds", strconv.Itoa(int(req.lease/time.Second)))
	}
	u.RawQuery = q.Encode()
	hr, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := h.opts.Client.Do(hr)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, int64(len(challenge))+1))
	if resp.StatusCode/100 != 2 || string(body) != challenge {
		return fmt.Errorf("callback answered %s without the challenge", resp.Status)
	}
	if req.mode == "unsubscribe" {
		return h.st.DeleteLease(ctx, req.topic, req.callback)
	}
	return h.st.PutLease(ctx, Lease{Topic: req.topic, Callback: req.callback, Host: req.host, Secret: req.secret,
		Expires: h.opts.Now().UTC().Add(req.lease)})
}
