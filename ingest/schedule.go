package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/talkstream/talkstream/store"
)

// TickEvery is how often the scheduler looks for due sources; each
// source's own next check (in the store) decides whether it is fetched.
const TickEvery = 30 * time.Second

// unwind is how long before a shutdown's deadline in-flight fetches are
// cancelled, so that they return and the process exits inside the grace.
const unwind = 2 * time.Second

// Scheduler runs Tick as one gocron singleton job: a tick that runs long
// makes the next one wait, never overlap.
type Scheduler struct {
	sched  gocron.Scheduler
	ctx    context.Context // in-flight fetches; cancelled late in Shutdown
	cancel context.CancelFunc
	stop   chan struct{} // closed at Shutdown: no new fetches start

	mu       sync.Mutex
	stopping bool
	running  sync.WaitGroup
}

// OptimizeEvery is how often a maintenance job refreshes the database's
// planner statistics (store.Optimize).
const OptimizeEvery = 24 * time.Hour

// storeLocker is gocron's distributed job locker on the store's locks:
// PostgreSQL advisory locks, so that a job runs on one instance at a time.
type storeLocker struct{ st *store.Store }

func (l storeLocker) Lock(ctx context.Context, key string) (gocron.Lock, error) {
	unlock, err := l.st.TryLock(ctx, "job:"+key)
	if err != nil {
		return nil, err
	}
	return storeLock(unlock), nil
}

type storeLock func()

func (u storeLock) Unlock(context.Context) error { u(); return nil }

// Schedule starts ticking every `every` (0 means TickEvery), the first tick
// at once. after, which may be nil, is called after each tick that fetched
// anything (to re-render), unless a shutdown has begun. With a retention,
// a maintenance job prunes the store at once and every PruneEvery, and
// calls after too when it deleted something.
func (in *Ingester) Schedule(every time.Duration, after func(Summary)) (*Scheduler, error) {
	if every <= 0 {
		every = TickEvery
	}
	sched, err := gocron.NewScheduler()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{sched: sched, ctx: ctx, cancel: cancel, stop: make(chan struct{})}
	_, err = sched.NewJob(gocron.DurationJob(every),
		gocron.NewTask(func() { s.tick(in, after) }),
		gocron.WithName("fetch-due-sources"),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithStartAt(gocron.WithStartImmediately()))
	// Maintenance runs on one instance at a time: the others find the
	// job's lock taken and skip that run.
	locker := gocron.WithDistributedJobLocker(storeLocker{in.store})
	if err == nil && in.opts.Retention > 0 {
		_, err = sched.NewJob(gocron.DurationJob(PruneEvery),
			gocron.NewTask(func() { s.prune(in, after) }),
			gocron.WithName("prune-retention"),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
			gocron.WithStartAt(gocron.WithStartImmediately()),
			locker)
	}
	if err == nil {
		_, err = sched.NewJob(gocron.DurationJob(OptimizeEvery),
			gocron.NewTask(func() {
				if err := in.store.Optimize(s.ctx); err != nil {
					in.opts.Log.Warn("optimize", "err", err)
				}
			}),
			gocron.WithName("optimize-store"),
			gocron.WithSingletonMode(gocron.LimitModeReschedule),
			locker)
	}
	if err != nil {
		cancel()
		sched.Shutdown()
		return nil, err
	}
	sched.Start()
	return s, nil
}

// prune is the maintenance job: Prune, then after when it deleted
// something. A shutdown waits for it like for a tick.
func (s *Scheduler) prune(in *Ingester, after func(Summary)) {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return
	}
	s.running.Add(1)
	s.mu.Unlock()
	defer s.running.Done()

	p, err := in.Prune(s.ctx)
	if err != nil || p.Items == 0 {
		return
	}
	select {
	case <-s.stop:
		return
	default:
	}
	if after != nil {
		after(Summary{})
	}
}

func (s *Scheduler) tick(in *Ingester, after func(Summary)) {
	s.mu.Lock()
	if s.stopping {
		s.mu.Unlock()
		return
	}
	s.running.Add(1)
	s.mu.Unlock()
	defer s.running.Done()

	sum, err := in.Tick(s.ctx, s.stop, nil)
	if err != nil && s.ctx.Err() == nil {
		in.opts.Log.Error("fetch cycle", "err", err)
	}
	if sum.Claimed > 0 {
		in.opts.Log.Info("tick", "due", sum.Due, "claimed", sum.Claimed, "ok", sum.OK,
			"unchanged", sum.Unchanged, "failed", sum.Failed, "cancelled", sum.Cancelled)
	}
	select {
	case <-s.stop:
		return
	default:
	}
	if after != nil && sum.Done > 0 {
		after(sum)
	}
}

// Shutdown stops the scheduler: no tick and no fetch starts any more,
// fetches in flight may finish until shortly before ctx's deadline and are
// cancelled then (a cancelled fetch writes nothing: every source is stored
// in one transaction or not at all). It returns once no tick runs, or
// ctx's error if that did not happen in time.
func (s *Scheduler) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.stopping {
		s.stopping = true
		close(s.stop)
	}
	s.mu.Unlock()
	defer s.cancel()

	cancelIn := time.Duration(0)
	if dl, ok := ctx.Deadline(); ok {
		cancelIn = max(0, time.Until(dl)-unwind)
	}
	if cancelIn > 0 {
		t := time.AfterFunc(cancelIn, s.cancel)
		defer t.Stop()
	} else {
		s.cancel()
	}
	idle := make(chan struct{})
	go func() { s.running.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-ctx.Done():
		s.cancel()
		return ctx.Err()
	}
	return s.sched.ShutdownWithContext(ctx)
}
