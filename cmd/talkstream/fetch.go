package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/ingest"
)

func runFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("fetch", stderr)
	only := fs.String("source", "", "fetch only the source with this `id` (even one marked gone)")
	due := fs.Bool("due", false, "fetch only the sources whose next check is due (for running from cron)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *path)
	if err != nil {
		return err
	}
	defer a.Close()
	in := a.newIngester(nil, nil)
	all, err := in.Sources(ctx)
	if err != nil {
		return err
	}
	var srcs []talkstream.Source
	switch {
	case *only != "":
		for _, s := range all {
			if s.ID == *only {
				srcs = append(srcs, s)
			}
		}
		if len(srcs) == 0 {
			return fmt.Errorf("no source %q in %s", *only, a.cfg.Path)
		}
	case *due:
		if srcs, err = in.Due(ctx, clock()); err != nil {
			return err
		}
	default:
		for _, s := range all {
			if s.State.Gone {
				fmt.Fprintf(stdout, "skip %-24s 410  gone: fix its url in %s, or fetch it with -source %s\n", s.ID, a.cfg.Path, s.ID)
				continue
			}
			srcs = append(srcs, s)
		}
	}

	bar := newProgress(stderr, len(srcs))
	sum, err := in.Run(ctx, srcs, func(o ingest.Outcome) {
		bar.clear()
		fmt.Fprintln(stdout, o)
		bar.add(o)
	})
	bar.finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d sources: %d fetched, %d unchanged, %d failed\n", len(srcs), sum.OK, sum.Unchanged, sum.Failed)
	// With a retention, what aged past it goes now (serve does it on schedule).
	p, err := in.Prune(ctx)
	if err != nil {
		return err
	}
	if p.Items > 0 {
		fmt.Fprintf(stdout, "pruned %d items (%d entries) older than the retention of %s; database %d → %d KiB\n",
			p.Items, p.Entries, a.cfg.Retention, p.BytesBefore>>10, p.BytesAfter>>10)
	}
	return nil
}

// newIngester builds the fetch cycle from the config. log and metrics may
// be nil: fetch prints its own lines.
func (a *app) newIngester(log *slog.Logger, metrics *ingest.Metrics) *ingest.Ingester {
	opts := ingest.Options{
		Concurrency: a.cfg.Fetch.Concurrency,
		PerHost:     a.cfg.Fetch.PerHost,
		Lease:       a.cfg.Fetch.Lease,
		Log:         log,
		Metrics:     metrics,
		Retention:   a.cfg.Retention,
		ConfigDir:   filepath.Dir(a.cfg.Path),
		Instance:    a.instance,
		Shared:      a.store.Engine() == "postgres",
		Now:         clock,
	}
	a.ingestHooks(&opts, log)
	return ingest.New(a.store, a.fetcher, a.merger, a.cfg.Sources, opts)
}
