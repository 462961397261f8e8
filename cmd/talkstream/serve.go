package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/go-co-op/gocron/v2"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish"
)

// tickEvery is how often the scheduler looks for due sources; each source's
// own next-check time (in the store) decides whether it is fetched.
const tickEvery = 30 * time.Second

// shutdownGrace bounds how long in-flight fetches and requests may take
// after SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("serve", stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *path)
	if err != nil {
		return err
	}
	defer a.Close()
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
	site, err := a.render(ctx, time.Now().UTC())
	if err != nil {
		return err
	}
	h := publish.NewHandler(site)
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("/", h)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}

	// Fetches run under their own context so that shutdown can give them
	// the grace period before cancelling them.
	fetchCtx, cancelFetches := context.WithCancel(context.Background())
	defer cancelFetches()
	sched, err := gocron.NewScheduler()
	if err != nil {
		return err
	}
	_, err = sched.NewJob(gocron.DurationJob(tickEvery),
		gocron.NewTask(func() { a.tick(fetchCtx, h, log) }),
		gocron.WithName("fetch-due-sources"),
		gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithStartAt(gocron.WithStartImmediately()))
	if err != nil {
		return err
	}
	sched.Start()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "talkstream: serving %s on http://%s/ (config %s)\n", a.cfg.Title, ln.Addr(), a.cfg.Path)

	select {
	case err := <-errc:
		sched.Shutdown()
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", shutdownGrace)
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	go func() { <-grace.Done(); cancelFetches() }()
	serr := srv.Shutdown(grace)
	if err := sched.ShutdownWithContext(grace); err != nil {
		log.Warn("scheduler shutdown", "err", err)
	}
	if errors.Is(serr, context.DeadlineExceeded) {
		serr = nil // idle keep-alive clients: cut them off
	}
	return serr
}

// tick fetches the sources that are due and re-renders when any was fetched.
func (a *app) tick(ctx context.Context, h *publish.Handler, log *slog.Logger) {
	now := time.Now()
	srcs, err := a.sources(ctx)
	if err != nil {
		log.Error("load sources", "err", err)
		return
	}
	var due []talkstream.Source
	for _, s := range srcs {
		if !s.State.Gone && !s.State.NextCheck.After(now) {
			due = append(due, s)
		}
	}
	if len(due) == 0 {
		return
	}
	err = a.fetchAll(ctx, due, 4, func(o outcome) {
		if o.err != nil {
			log.Warn("fetch", "source", o.source, "status", o.status, "err", o.err, "duration", o.duration)
		} else {
			log.Info("fetch", "source", o.source, "status", o.status, "result", o.String())
		}
	})
	if err != nil {
		log.Error("fetch cycle", "err", err)
	}
	if ctx.Err() != nil {
		return
	}
	site, err := a.render(ctx, time.Now().UTC())
	if err != nil {
		log.Error("render", "err", err)
		return
	}
	h.Swap(site)
}
