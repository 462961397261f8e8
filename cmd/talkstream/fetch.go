package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/store"
)

func runFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("fetch", stderr)
	only := fs.String("source", "", "fetch only the source with this `id`")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *path)
	if err != nil {
		return err
	}
	defer a.Close()
	srcs, err := a.sources(ctx)
	if err != nil {
		return err
	}
	if *only != "" {
		var picked []talkstream.Source
		for _, s := range srcs {
			if s.ID == *only {
				picked = append(picked, s)
			}
		}
		if len(picked) == 0 {
			return fmt.Errorf("no source %q in %s", *only, a.cfg.Path)
		}
		srcs = picked
	}
	var mu sync.Mutex
	var failed int
	err = a.fetchAll(ctx, srcs, 4, func(o outcome) {
		mu.Lock()
		defer mu.Unlock()
		if o.err != nil {
			failed++
		}
		fmt.Fprintln(stdout, o)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d sources, %d failed\n", len(srcs), failed)
	return nil
}

// outcome is what one source's fetch did, printed one line per source.
type outcome struct {
	source   string
	status   int
	stats    merge.Stats
	skipped  string // "not modified", "unchanged"
	err      error
	duration time.Duration
}

func (o outcome) String() string {
	switch {
	case o.err != nil:
		return fmt.Sprintf("FAIL %-24s %3d  %v (%s)", o.source, o.status, o.err, o.duration.Round(time.Millisecond))
	case o.skipped != "":
		return fmt.Sprintf("ok   %-24s %3d  %s (%s)", o.source, o.status, o.skipped, o.duration.Round(time.Millisecond))
	}
	return fmt.Sprintf("ok   %-24s %3d  %s (%s)", o.source, o.status, o.stats, o.duration.Round(time.Millisecond))
}

// fetchAll fetches srcs with at most workers at a time; report is called
// as each completes. A failing source is recorded and never stops the
// others; only a store failure (the database is unusable) is returned.
func (a *app) fetchAll(ctx context.Context, srcs []talkstream.Source, workers int, report func(outcome)) error {
	work := make(chan talkstream.Source)
	var wg sync.WaitGroup
	var storeErr error
	var once sync.Once
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				o, err := a.fetchOne(ctx, s)
				if err != nil {
					once.Do(func() { storeErr = err })
				}
				report(o)
			}
		}()
	}
	for _, s := range srcs {
		select {
		case work <- s:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if storeErr != nil {
		return storeErr
	}
	return ctx.Err()
}

// fetchOne fetches, merges and stores one source in one transaction. The
// returned error is a store error; a fetch failure is in the outcome.
func (a *app) fetchOne(ctx context.Context, src talkstream.Source) (outcome, error) {
	start := time.Now()
	res, ferr := a.fetcher.Fetch(ctx, src)
	now := time.Now().UTC()
	o := outcome{source: src.ID, err: ferr, duration: time.Since(start)}
	st := src.State
	st.LastFetch = now
	st.Duration = o.duration
	if ferr != nil {
		var fe *fetch.Error
		if errors.As(ferr, &fe) {
			st.LastStatus = fe.Status
			o.status = fe.Status
		}
		st.LastError = ferr.Error()
		st.Errors++
		st.Gone = errors.Is(ferr, fetch.ErrGone)
		st.NextCheck = now.Add(backoff(src.Refresh, st.Errors))
	} else {
		o.status = res.Status
		st.LastStatus, st.LastError, st.Errors, st.Gone = res.Status, "", 0, false
		st.ETag, st.LastModified = res.ETag, res.LastModified
		st.Bytes, st.MovedTo = res.Bytes, res.MovedTo
		if res.BodyHash != "" {
			st.BodyHash = res.BodyHash
		}
		if res.FeedTitle != "" {
			st.FeedTitle = res.FeedTitle
		}
		if res.FeedLink != "" {
			st.FeedLink = res.FeedLink
		}
		st.NextCheck = now.Add(src.Refresh)
		switch {
		case res.NotModified:
			o.skipped = "not modified"
		case res.Unchanged:
			o.skipped = "unchanged"
		default:
			st.Entries = len(res.Entries)
		}
	}
	err := a.store.Update(ctx, func(tx *store.Tx) error {
		if ferr == nil && !res.NotModified && !res.Unchanged {
			stats, err := a.merger.Apply(tx, src, res.Entries, now)
			if err != nil {
				return err
			}
			o.stats = stats
		}
		return tx.PutSourceState(src.ID, st)
	})
	if err != nil {
		o.err = err
		return o, fmt.Errorf("source %s: %w", src.ID, err)
	}
	return o, nil
}

// backoff is the wait after n consecutive errors: the interval doubled per
// error, capped at a day.
func backoff(interval time.Duration, n int) time.Duration {
	d := interval
	for i := 1; i < n && d < 24*time.Hour; i++ {
		d *= 2
	}
	return min(d, 24*time.Hour)
}
