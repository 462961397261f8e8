// Package ingest owns the fetch cycle: the scheduler's tick, claiming the
// sources whose next check is due, bounded concurrency with a per-host
// limit, fetch → merge → store for one source in one transaction, the policy
// that decides each source's next check (refresh raised to the feed's and
// server's hints, jitter, exponential backoff, 410 Gone), the status
// snapshot behind `talkstream status`, /status and /status.json, and the
// Prometheus metrics behind /metrics.
//
// It sits between the stages and the command: it calls fetch, merge and
// store, and cmd builds it from the config. It never reads the config
// itself.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/store"
)

// Defaults for the zero Options.
const (
	DefaultConcurrency = 4
	DefaultPerHost     = 1
	// DefaultLease is how long a claim holds a source: if the process dies
	// mid-fetch the source is due again after it. It must exceed the fetch
	// timeout.
	DefaultLease = 5 * time.Minute
)

// Fetcher fetches one source; *fetch.Fetcher is one.
type Fetcher interface {
	Fetch(ctx context.Context, src talkstream.Source) (*fetch.Result, error)
}

// Merger merges one source's entries inside a store transaction;
// *merge.Merger is one.
type Merger interface {
	Apply(tx merge.Tx, src talkstream.Source, entries []talkstream.Entry, now time.Time) (merge.Stats, error)
}

// Parser reads a pushed body as a fetch of src would;
// *fetch.Fetcher is one.
type Parser interface {
	Parse(src talkstream.Source, body []byte, contentType string) (*fetch.Result, error)
}

// Options configures an Ingester. The zero value is usable.
type Options struct {
	Concurrency int           // sources fetched at once; default 4
	PerHost     int           // requests at once to one host; default 1
	Lease       time.Duration // see DefaultLease
	Log         *slog.Logger  // default: discard
	Metrics     *Metrics      // default: a private set (still counted, not served)
	// Retention, when set, keeps entries dated before now-Retention out of
	// merges and lets Prune delete items older than that (retention.go).
	// Zero keeps everything.
	Retention time.Duration
	// ConfigDir is the folder of the config file: the status shows
	// curated files' paths relative to it, never absolute.
	ConfigDir string
	// Instance names this process among those sharing the database: the
	// status says which instance fetched each source. Default: host
	// name and process id.
	Instance string
	// Shared says several instances share the database (PostgreSQL):
	// the PerHost limit then holds across all of them (store host slots),
	// and each source's state records the instance that fetched it.
	Shared bool

	// WebSub. Parser reads pushed bodies (*fetch.Fetcher is one).
	// Discovered, when set, is told of every parsed feed that advertises
	// a hub. While Pushed(id) says a source's feed is pushed to us, it is
	// polled every PushedRefresh at most often, as a safety net.
	// PushStates gives each source's push state for the status.
	Parser        Parser
	Discovered    func(source string, res *fetch.Result)
	Pushed        func(source string) bool
	PushedRefresh time.Duration
	PushStates    func(ctx context.Context) (map[string]string, error)

	// Tests pin these; the defaults are time.Now and math/rand/v2.
	Now  func() time.Time
	Rand func() float64 // in [0, 1)
}

// Ingester runs fetch cycles over a fixed set of configured sources.
type Ingester struct {
	store   *store.Store
	fetcher Fetcher
	merger  Merger
	sources []talkstream.Source
	opts    Options
}

// New returns an Ingester for the configured sources.
func New(st *store.Store, f Fetcher, m Merger, sources []talkstream.Source, opts Options) *Ingester {
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.PerHost <= 0 {
		opts.PerHost = DefaultPerHost
	}
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Metrics == nil {
		opts.Metrics = NewMetrics()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Rand == nil {
		opts.Rand = rand.Float64
	}
	if opts.Instance == "" {
		opts.Instance = DefaultInstance()
	}
	opts.Metrics.instance.WithLabelValues(opts.Instance, st.Engine()).Set(1)
	return &Ingester{store: st, fetcher: f, merger: m, sources: sources, opts: opts}
}

// Metrics returns the metrics the Ingester records.
func (in *Ingester) Metrics() *Metrics { return in.opts.Metrics }

// Sources returns the configured sources with their stored fetch state, as
// the next fetch will see it: a source whose configuration changed since
// its state was recorded starts afresh (see fresh).
func (in *Ingester) Sources(ctx context.Context) ([]talkstream.Source, error) {
	cands, err := in.load(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]talkstream.Source, len(cands))
	for i, c := range cands {
		out[i] = c.src
	}
	return out, nil
}

// candidate is a source with its effective state and the next check the
// store holds, which a claim compares against.
type candidate struct {
	src    talkstream.Source
	stored time.Time
}

func (in *Ingester) load(ctx context.Context) ([]candidate, error) {
	states, err := in.store.SourceStates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]candidate, len(in.sources))
	for i, s := range in.sources {
		st := states[s.ID]
		out[i] = candidate{stored: st.NextCheck}
		s.State = fresh(s, st)
		out[i].src = s
	}
	return out, nil
}

// fresh returns the state a fetch of s starts from. When the source's
// configuration changed since st was recorded, what was learnt under the
// old one no longer holds: the 410 and the permanent redirect are
// forgotten, and so are the validators and the body hash (new filters must
// see every entry again), and the source is due at once. A state recorded
// before config hashes existed adopts the current one.
func fresh(s talkstream.Source, st talkstream.FetchState) talkstream.FetchState {
	h := ConfigHash(s)
	if st.ConfigHash != "" && st.ConfigHash != h {
		st.ETag, st.LastModified, st.BodyHash = "", "", ""
		st.MovedTo, st.Gone, st.Errors, st.LastError = "", false, 0, ""
		st.Followed = "" // the page may now hold talks of its own, or point elsewhere
		st.TTL, st.NextCheck = 0, time.Time{}
	}
	st.ConfigHash = h
	return st
}

// Due returns the sources whose next check is at or before now, gone
// sources excepted, in configuration order.
func (in *Ingester) Due(ctx context.Context, now time.Time) ([]talkstream.Source, error) {
	cands, err := in.load(ctx)
	if err != nil {
		return nil, err
	}
	var due []talkstream.Source
	for _, c := range cands {
		if isDue(c.src, now) {
			due = append(due, c.src)
		}
	}
	return due, nil
}

func isDue(s talkstream.Source, now time.Time) bool {
	return !s.State.Gone && !s.State.NextCheck.After(now)
}

// Summary counts what one cycle did.
type Summary struct {
	Due, Claimed int // sources due, and those this process claimed
	Done         int // outcomes reported (every kind)
	OK           int // fetched, parsed and merged
	Unchanged    int // 304, or a 200 with the same body
	Failed       int // errors and 410s
	Cancelled    int // stopped by shutdown, nothing written
	Changed      int // sources whose merge added or updated entries
}

// plus adds another claim round's counts (Due excepted: it is the first
// round's).
func (s *Summary) plus(o Summary) {
	s.Claimed += o.Claimed
	s.Done += o.Done
	s.OK += o.OK
	s.Unchanged += o.Unchanged
	s.Failed += o.Failed
	s.Cancelled += o.Cancelled
	s.Changed += o.Changed
}

func (s *Summary) add(o Outcome) {
	s.Done++
	switch o.Kind {
	case OutcomeOK:
		s.OK++
		if o.Stats.New+o.Stats.Updated > 0 {
			s.Changed++
		}
	case OutcomeNotModified, OutcomeUnchanged:
		s.Unchanged++
	case OutcomeError, OutcomeGone:
		s.Failed++
	case OutcomeCancelled:
		s.Cancelled++
	}
}

// Tick is one scheduler cycle: it claims the sources that are due and
// fetches them. ctx cancels in-flight fetches; stop (which may be nil)
// only stops new ones from starting, so that a shutdown lets running
// fetches finish. report, which may be nil, is called once per source, in
// one goroutine at a time.
//
// With a shared database it claims at most Concurrency sources at a time
// and claims again as they finish, so that the instances sharing the
// database divide the due sources between them instead of the first to
// tick taking them all.
func (in *Ingester) Tick(ctx context.Context, stop <-chan struct{}, report func(Outcome)) (Summary, error) {
	if !in.opts.Shared {
		return in.tick(ctx, stop, report, 0)
	}
	var sum Summary
	raced := 0 // rounds in a row whose claims other instances won
	for first := true; ; first = false {
		s, err := in.tick(ctx, stop, report, in.opts.Concurrency)
		if first {
			sum.Due = s.Due
		}
		sum.plus(s)
		if s.Claimed == 0 {
			raced++
		} else {
			raced = 0
		}
		if err != nil || s.Due == 0 || raced == 3 || s.Cancelled > 0 || ctx.Err() != nil {
			return sum, err
		}
		select {
		case <-stop:
			return sum, nil
		default:
		}
	}
}

// tick claims up to limit (0: every) due source and fetches them.
func (in *Ingester) tick(ctx context.Context, stop <-chan struct{}, report func(Outcome), limit int) (Summary, error) {
	var sum Summary
	now := in.opts.Now()
	cands, err := in.load(ctx)
	if err != nil {
		return sum, err
	}
	var claims []store.Claim
	byID := map[string]talkstream.Source{}
	var lag time.Duration
	for _, c := range cands {
		if !isDue(c.src, now) {
			continue
		}
		claims = append(claims, store.Claim{ID: c.src.ID, Seen: c.stored})
		byID[c.src.ID] = c.src
		if !c.src.State.NextCheck.IsZero() {
			lag = max(lag, now.Sub(c.src.State.NextCheck))
		}
	}
	sum.Due = len(claims)
	in.opts.Metrics.due.Set(float64(len(claims)))
	in.opts.Metrics.lag.Set(lag.Seconds())
	if len(claims) == 0 {
		return sum, nil
	}
	if limit > 0 && len(claims) > limit {
		// Each instance starts at its own place in the list, so that
		// instances ticking together seldom race for the same sources.
		start := int(in.opts.Rand() * float64(len(claims)))
		claims = append(claims[start:], claims[:start]...)[:limit]
	}
	lease := now.Add(in.opts.Lease)
	ids, err := in.store.ClaimSources(ctx, claims, lease)
	if err != nil {
		return sum, err
	}
	sum.Claimed = len(ids)
	srcs := make([]talkstream.Source, len(ids))
	for i, id := range ids {
		srcs[i] = byID[id]
	}
	var release []store.Claim
	done := map[string]bool{}
	err = in.run(ctx, stop, srcs, func(o Outcome) {
		done[o.Source] = true
		if o.Kind == OutcomeCancelled {
			release = append(release, store.Claim{ID: o.Source, Seen: lease})
		}
		sum.add(o)
		if report != nil {
			report(o)
		}
	})
	for _, s := range srcs {
		if !done[s.ID] {
			release = append(release, store.Claim{ID: s.ID, Seen: lease})
		}
	}
	in.release(ctx, release, now)
	return sum, err
}

// release gives back the claims of sources a shutdown kept from being
// fetched, so that they are due at once on the next start rather than when
// the lease runs out. It is brief and best effort: the lease is the
// fallback.
func (in *Ingester) release(ctx context.Context, claims []store.Claim, due time.Time) {
	if len(claims) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
	defer cancel()
	if _, err := in.store.ClaimSources(ctx, claims, due); err != nil {
		in.opts.Log.Warn("release claims", "err", err)
	}
}

// Run fetches srcs now, whether due or not (talkstream fetch), with the
// same limits, policy and recording as a Tick. report, which may be nil, is
// called once per source as each completes, in one goroutine at a time. A
// failing source is recorded and never stops the others; the error is a
// store failure (the database is unusable) or ctx's.
func (in *Ingester) Run(ctx context.Context, srcs []talkstream.Source, report func(Outcome)) (Summary, error) {
	var sum Summary
	err := in.run(ctx, nil, srcs, func(o Outcome) {
		sum.add(o)
		if report != nil {
			report(o)
		}
	})
	return sum, err
}

// run dispatches srcs to at most Concurrency fetches at a time and at most
// PerHost to one host, in order, skipping ahead past sources whose host is
// busy. One goroutine owns the bookkeeping; outcomes come back to it.
func (in *Ingester) run(ctx context.Context, stop <-chan struct{}, srcs []talkstream.Source, report func(Outcome)) error {
	type done struct {
		host string
		o    Outcome
		err  error
	}
	pending := append([]talkstream.Source(nil), srcs...)
	busy := map[string]int{}
	results := make(chan done)
	active := 0
	var storeErr error
	stopped := func() bool {
		if ctx.Err() != nil {
			return true
		}
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	for {
		for active < in.opts.Concurrency && !stopped() {
			i := -1
			for j, s := range pending {
				if h := hostOf(s); h == "" || busy[h] < in.opts.PerHost {
					i = j
					break
				}
			}
			if i < 0 {
				break
			}
			s := pending[i]
			pending = append(pending[:i], pending[i+1:]...)
			h := hostOf(s)
			busy[h]++
			active++
			go func() {
				release, err := in.holdHost(ctx, stop, h)
				if err != nil {
					results <- done{h, Outcome{Source: s.ID, Err: err}, nil}
					return
				}
				o, err := in.fetchOne(ctx, s)
				release()
				results <- done{h, o, err}
			}()
		}
		if active == 0 {
			break
		}
		r := <-results
		active--
		busy[r.host]--
		if r.err != nil && storeErr == nil {
			storeErr = r.err
		}
		report(r.o)
	}
	if storeErr != nil {
		return storeErr
	}
	return ctx.Err()
}

// hostOf is the host a source's fetch goes to; "" (no limit) for files.
func hostOf(s talkstream.Source) string {
	if s.Kind == talkstream.SourceCurated {
		return ""
	}
	u, err := url.Parse(fetchURL(s))
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// fetchURL is where a source is fetched from: where it permanently moved
// to, else its configured URL.
func fetchURL(s talkstream.Source) string {
	if s.State.MovedTo != "" {
		return s.State.MovedTo
	}
	return s.URL
}

// fetchOne fetches, merges and stores one source in one transaction. The
// returned error is a store error; a fetch failure is in the outcome. A
// fetch cut short by ctx writes nothing: the source is fetched again when
// its claim runs out.
func (in *Ingester) fetchOne(ctx context.Context, src talkstream.Source) (Outcome, error) {
	start := in.opts.Now()
	fsrc := src
	fsrc.URL = fetchURL(src)
	res, ferr := in.fetcher.Fetch(ctx, fsrc)
	return in.ingest(ctx, src, res, ferr, start)
}

// Push ingests a body a WebSub hub pushed for the source with id exactly
// as a fetch of it that answered 200 with that body: the same parse,
// merge, state and one transaction (ingest). Polling goes on from the
// state it leaves.
func (in *Ingester) Push(ctx context.Context, id string, body []byte, contentType string) (Outcome, error) {
	cands, err := in.load(ctx)
	if err != nil {
		return Outcome{}, err
	}
	for _, c := range cands {
		if c.src.ID != id {
			continue
		}
		if in.opts.Parser == nil {
			return Outcome{}, fmt.Errorf("source %s: pushed, but no Parser was given", id)
		}
		start := in.opts.Now()
		res, perr := in.opts.Parser.Parse(c.src, body, contentType)
		o, err := in.ingest(ctx, c.src, res, perr, start)
		o.Pushed = true
		return o, err
	}
	return Outcome{}, fmt.Errorf("source %s: %w", id, ErrUnknownSource)
}

// ErrUnknownSource: a push for a source the config does not have.
var ErrUnknownSource = errors.New("no such source")

// ingest turns a fetch's result (or a pushed body's) into the source's
// next state, merges its entries and stores both in one transaction. Every
// way a feed's content arrives goes through it.
func (in *Ingester) ingest(ctx context.Context, src talkstream.Source, res *fetch.Result, ferr error, start time.Time) (Outcome, error) {
	now := in.opts.Now()
	o := Outcome{Source: src.ID, Err: ferr, Duration: now.Sub(start)}
	if ferr != nil && ctx.Err() != nil {
		o.Kind = OutcomeCancelled
		return o, nil
	}
	st := in.nextState(src, res, ferr, now, o.Duration)
	o.NextCheck, o.MovedTo, o.Status = st.NextCheck, st.MovedTo, st.LastStatus
	if ferr == nil {
		o.Bytes, o.Warning = res.Bytes, res.Warning
	}
	parsed := ferr == nil && !res.NotModified && !res.Unchanged
	err := in.store.Update(ctx, func(tx *store.Tx) error {
		if parsed {
			stats, err := in.merger.Apply(tx, src, in.retained(src, res.Entries, now), now.UTC())
			if err != nil {
				return err
			}
			o.Stats = stats
		}
		if in.opts.Shared {
			st.FetchedBy = in.opts.Instance
		}
		return tx.PutSourceState(src.ID, st)
	})
	switch {
	case err != nil && ctx.Err() != nil:
		// Shutdown interrupted the transaction: it rolled back whole.
		o.Kind, o.Err, o.Stats = OutcomeCancelled, ctx.Err(), merge.Stats{}
		return o, nil
	case err != nil:
		o.Kind, o.Err = OutcomeError, err
		return o, fmt.Errorf("source %s: %w", src.ID, err)
	}
	switch {
	case errors.Is(ferr, fetch.ErrGone):
		o.Kind = OutcomeGone
	case ferr != nil:
		o.Kind = OutcomeError
	case res.NotModified:
		o.Kind = OutcomeNotModified
	case res.Unchanged:
		o.Kind = OutcomeUnchanged
	default:
		o.Kind = OutcomeOK
	}
	if parsed && in.opts.Discovered != nil && len(res.Hubs) > 0 {
		in.opts.Discovered(src.ID, res)
	}
	in.opts.Metrics.record(o)
	in.log(o)
	return o, nil
}

func (in *Ingester) log(o Outcome) {
	attrs := []any{"source", o.Source, "outcome", string(o.Kind), "status", o.Status,
		"duration", o.Duration.Round(time.Millisecond), "next", o.NextCheck.Format(time.RFC3339)}
	switch o.Kind {
	case OutcomeError, OutcomeGone:
		in.opts.Log.Warn("fetch", append(attrs, "err", o.Err)...)
	case OutcomeOK:
		if o.Warning != "" {
			in.opts.Log.Warn("fetch", append(attrs, "new", o.Stats.New, "updated", o.Stats.Updated, "warning", o.Warning)...)
			break
		}
		in.opts.Log.Info("fetch", append(attrs, "new", o.Stats.New, "updated", o.Stats.Updated)...)
	default:
		in.opts.Log.Info("fetch", attrs...)
	}
	if o.Pushed {
		attrs = append(attrs, "via", "websub")
	}
	if o.MovedTo != "" && o.Kind == OutcomeOK {
		in.opts.Log.Warn("feed moved permanently: update its url in the config", "source", o.Source, "to", o.MovedTo)
	}
}

// OutcomeKind is what became of one fetch; the metrics' outcome label.
type OutcomeKind string

// The outcomes of a fetch.
const (
	OutcomeOK          OutcomeKind = "ok"           // parsed and merged
	OutcomeNotModified OutcomeKind = "not-modified" // 304: nothing parsed
	OutcomeUnchanged   OutcomeKind = "unchanged"    // 200 with the body hash of last time: nothing parsed
	OutcomeError       OutcomeKind = "error"        // recorded; retried with backoff
	OutcomeGone        OutcomeKind = "gone"         // 410: not fetched again until the config changes
	OutcomeCancelled   OutcomeKind = "cancelled"    // shutdown cut it short; nothing written
)

// Outcome is what one source's fetch did.
type Outcome struct {
	Source    string
	Kind      OutcomeKind
	Status    int // HTTP status; 0 when no response came (or curated)
	Stats     merge.Stats
	Err       error
	Duration  time.Duration
	Bytes     int64
	NextCheck time.Time
	MovedTo   string // where the source is now fetched from, after a 301/308
	Warning   string // what the parse lost or repaired (fetch.Result.Warning)
	Pushed    bool   // a WebSub hub pushed the body; nothing was fetched
}

// String is the line `talkstream fetch` prints for the outcome.
func (o Outcome) String() string {
	d := o.Duration.Round(time.Millisecond)
	status := "  -" // no response: a connection error, or a curated file
	if o.Status != 0 {
		status = fmt.Sprintf("%3d", o.Status)
	}
	moved := ""
	if o.MovedTo != "" {
		moved = "; moved permanently to " + o.MovedTo + " (update the config)"
	}
	tag := "ok  "
	if o.Warning != "" {
		tag, moved = "WARN", moved+"; warning: "+o.Warning
	}
	switch o.Kind {
	case OutcomeError:
		return fmt.Sprintf("FAIL %-24s %s  %v (%s)", o.Source, status, o.Err, d)
	case OutcomeGone:
		return fmt.Sprintf("GONE %-24s %s  %v: not fetched again until its config changes (%s)", o.Source, status, o.Err, d)
	case OutcomeCancelled:
		return fmt.Sprintf("STOP %-24s      cancelled, nothing written (%s)", o.Source, d)
	case OutcomeNotModified:
		return fmt.Sprintf("%s %-24s %s  not modified%s (%s)", tag, o.Source, status, moved, d)
	case OutcomeUnchanged:
		return fmt.Sprintf("%s %-24s %s  unchanged%s (%s)", tag, o.Source, status, moved, d)
	}
	return fmt.Sprintf("%s %-24s %s  %s%s (%s)", tag, o.Source, status, o.Stats, moved, d)
}
