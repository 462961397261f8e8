package ingest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// The per-host limit (Options.PerHost) is kept in this process by run's
// bookkeeping; with several instances on one database it must hold across
// them too, so each fetch also holds one of the host's slots in the store
// (store/hosts.go) while it runs.

// hostPoll is how often a fetch waiting for a host held by another
// instance asks again.
const hostPoll = 250 * time.Millisecond

// DefaultInstance names this process: its host name and process id.
func DefaultInstance() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "localhost"
	}
	return fmt.Sprintf("%s-%d", h, os.Getpid())
}

var holdSeq atomic.Int64

// holdHost waits for one of host's slots in the store, when the limit is
// shared, and returns the function that gives it back. A wait outlasting
// the lease, or a shutdown, gives up: the source stays claimed and is due
// again when its claim runs out.
func (in *Ingester) holdHost(ctx context.Context, stop <-chan struct{}, host string) (func(), error) {
	if !in.opts.Shared || host == "" {
		return func() {}, nil
	}
	holder := fmt.Sprintf("%s#%d", in.opts.Instance, holdSeq.Add(1))
	deadline := in.opts.Now().Add(in.opts.Lease)
	for {
		now := in.opts.Now()
		// The slot is held for the longest a fetch may take: its lease.
		ok, err := in.store.AcquireHost(ctx, host, holder, in.opts.PerHost, now, now.Add(in.opts.Lease))
		if err != nil {
			return nil, err
		}
		if ok {
			return func() {
				if err := in.store.ReleaseHost(context.WithoutCancel(ctx), host, holder); err != nil {
					in.opts.Log.Warn("release host slot", "host", host, "err", err)
				}
			}, nil
		}
		if now.After(deadline) {
			return nil, fmt.Errorf("ingest: %s stayed busy with other instances' fetches for %s", host, in.opts.Lease)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-stop:
			return nil, fmt.Errorf("ingest: shutting down while waiting for %s", host)
		case <-time.After(hostPoll):
		}
	}
}
