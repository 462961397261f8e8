package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/talkstream/talkstream/ingest"
)

// memoryBesidesCache is serve's soft memory limit beyond cache_size
// (GOMEMLIMIT overrides both). While wrk walks 1,000 outputs, about 50 MiB
// beyond the cache stays live (assemblies, the snapshot's routes); at
// 192 MiB the collector let the heap reach twice that, and serve's
// resident memory 273 MiB with SQLite's caches beside it.
const memoryBesidesCache = 128 << 20

// followEvery is how often serve looks for what others wrote to its
// database: the other instances sharing a PostgreSQL database, or a
// `talkstream fetch` or `build` run beside it on SQLite.
const followEvery = 2 * time.Second

// follow publishes what others wrote to the database, until ctx is done.
// A look that finds nothing new is a query of the publish state and the
// sources' health.
func (a *app) follow(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(followEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.publishAndAnnounce(ctx, clock().UTC()); err != nil && ctx.Err() == nil {
				log.Error("publish", "err", err)
			}
		}
	}
}

// shutdownGrace bounds how long in-flight fetches and requests may take
// after SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	tick := fs.Duration("tick", ingest.TickEvery, "how often to look for due sources")
	instance := fs.String("instance", "", "this instance's `name` among those sharing a PostgreSQL database (default: host name and process id)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *path)
	if err != nil {
		return err
	}
	defer a.Close()
	a.instance = *instance
	if *tick < time.Second {
		fmt.Fprintln(stderr, "talkstream serve: -tick must be at least 1s")
		return errUsage
	}
	a.tick = *tick
	if os.Getenv("GOMEMLIMIT") == "" {
		// The outputs' cache is bounded by cache_size; the rest (assembly,
		// fetches, SQLite) fits in a fixed budget. Without a limit, the
		// garbage collector lets the heap reach twice what is live.
		debug.SetMemoryLimit(a.cfg.CacheSize + memoryBesidesCache)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	return a.serve(ctx, ln, log, stdout)
}

// serve runs the scheduler and the HTTP server on ln until ctx is done.
func (a *app) serve(ctx context.Context, ln net.Listener, log *slog.Logger, stdout io.Writer) error {
	if err := a.rebuildItems(ctx); err != nil {
		return err
	}
	in := a.newIngester(log, ingest.NewMetrics())
	a.in = in
	mux := http.NewServeMux()
	if err := a.setupWebSub(mux, in, log); err != nil {
		return err
	}
	if _, err := a.publishAndAnnounce(ctx, clock().UTC()); err != nil {
		return err
	}
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("/status", in.StatusHTML())
	mux.Handle("/status.json", in.StatusJSON())
	mux.Handle("/metrics", in.Metrics().Handler())
	mux.Handle("/", a.pub)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}

	// After every tick that fetched something, render the items it changed
	// (none when every source answered 304) and show the sources' health.
	sched, err := in.Schedule(a.tick, func(ingest.Summary) {
		if _, err := a.publishAndAnnounce(context.Background(), clock().UTC()); err != nil {
			log.Error("publish", "err", err)
		}
	})
	if err != nil {
		return err
	}
	// What another instance sharing a PostgreSQL database, or a
	// `talkstream fetch` run beside serve, wrote shows here within
	// followEvery. The same look moves an upcoming talk whose start has
	// come into the stream (Sync compares the clock with the soonest start)
	// though no tick fetched anything.
	followCtx, stopFollow := context.WithCancel(ctx)
	followDone := make(chan struct{})
	defer func() { stopFollow(); <-followDone }() // before the store closes
	go func() { defer close(followDone); a.follow(followCtx, log) }()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	wsCtx, wsStop := context.WithCancel(context.Background())
	wsDone := make(chan struct{})
	go func() { defer close(wsDone); a.reconcileLoop(wsCtx) }()
	fmt.Fprintf(stdout, "talkstream: serving %s on http://%s/ (config %s)\n", a.cfg.Title, ln.Addr(), a.cfg.Path)

	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", shutdownGrace)
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	schedDone := make(chan error, 1)
	go func() { schedDone <- sched.Shutdown(grace) }()
	if serveErr == nil {
		serveErr = srv.Shutdown(grace)
		if errors.Is(serveErr, context.DeadlineExceeded) {
			serveErr = nil // idle keep-alive clients: cut them off
			srv.Close()
		}
	}
	if err := <-schedDone; err != nil {
		log.Warn("scheduler shutdown", "err", err)
	}
	wsStop()
	<-wsDone
	a.ws.pings.Wait()
	return serveErr
}
