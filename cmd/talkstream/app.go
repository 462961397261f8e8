package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/config"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/ingest"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/publish"
	"github.com/talkstream/talkstream/store"
)

// app is the wiring shared by the verbs: the loaded config and the stages
// built from it.
type app struct {
	cfg     *config.Config
	store   *store.Store
	merger  *merge.Merger
	fetcher *fetch.Fetcher
	pub     *publish.Publisher
	mergeFP string // fingerprint of the merge settings (merge.Options.Fingerprint)
	// instance names this process among those sharing a PostgreSQL
	// database (serve -instance); "" is ingest's default.
	instance string
	tick     time.Duration    // serve -tick; 0 is ingest's default
	in       *ingest.Ingester // serve's, for pushed bodies
	ws       webSub
}

// clock is the time every verb works at: fetching, merging and deciding
// which talks are still upcoming. The end-to-end tests move it.
var clock = time.Now

// metaMergeFP is the store's record of the merge settings its items were
// derived with.
const metaMergeFP = "merge_fingerprint"

// newFlags returns a verb's flag set with the -config flag every verb has.
func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("talkstream "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "feeds.yaml", "the config `file`")
	return fs, path
}

// parseFlags parses the flags of a verb that takes no arguments; -h is a
// success, any other flag error or an argument a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlagsAndArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		// "build -out o1 extra", or a flag after an argument
		// ("fetch feeds.yaml -due"), which flag stops at: refused, not
		// silently ignored.
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}

// parseFlagsAndArgs parses the flags of a verb that takes arguments after
// them (explain ITEM-ID, import FILE); the verb checks those.
func parseFlagsAndArgs(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		return errHelp
	}
	return errUsage
}

// errHelp ends a verb that printed its help: exit 0.
var errHelp = fmt.Errorf("%w: help", errUsage)

// openApp loads the config and opens the store.
func openApp(ctx context.Context, path string) (*app, error) {
	cfg, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	mopts := cfg.MergeOptions()
	pub, err := publish.New(cfg.PublishOptions(), st)
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &app{
		pub:     pub,
		cfg:     cfg,
		store:   st,
		merger:  merge.New(mopts),
		fetcher: fetch.New(cfg.FetchOptions()),
		mergeFP: mopts.Fingerprint(),
	}
	// An empty store is derived with these settings from its first fetch
	// on: record them, so that the first build need not rebuild every item.
	err = st.Update(ctx, func(tx *store.Tx) error {
		prev, err := tx.Meta(metaMergeFP)
		if err != nil || prev != "" {
			return err
		}
		if has, err := tx.HasItems(); err != nil || has {
			return err
		}
		return tx.SetMeta(metaMergeFP, a.mergeFP)
	})
	if err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) Close() error { return a.store.Close() }

// sources returns the configured sources with their stored fetch state.
func (a *app) sources(ctx context.Context) ([]talkstream.Source, error) {
	states, err := a.store.SourceStates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]talkstream.Source, len(a.cfg.Sources))
	for i, s := range a.cfg.Sources {
		s.State = states[s.ID]
		out[i] = s
	}
	return out, nil
}

// rebuildBatch is how many items rebuildItems derives at a time.
var rebuildBatch = 1000

// rebuildItems derives every item again from its stored entries, so that a
// change to speakers, events or rules in the config shows without a refetch.
//
// Items are rebuilt only when the merge settings (or talkstream's version)
// differ from those the store's items were derived with: fetch already
// derives every item it touches, and rebuilding everything was a sixth of
// a full cycle's CPU (BENCHMARKS.md).
func (a *app) rebuildItems(ctx context.Context) error {
	return a.store.Update(ctx, func(tx *store.Tx) error {
		prev, err := tx.Meta(metaMergeFP)
		if err != nil || prev == a.mergeFP {
			return err
		}
		ids, err := tx.ItemIDs()
		if err != nil {
			return err
		}
		// One transaction: moderation (hide:, split:) and tagging changes
		// in the config show on this build, without a refetch, and all
		// at once. Rebuild holds the entries of the items it is given, so
		// they go in batches: a whole store at once held every entry in
		// memory (2.5 GB for 100,000 items after an upgrade). Rebuilding an
		// item twice (a split moved its entries, then its batch came) gives
		// the same item.
		for batch := range slices.Chunk(ids, rebuildBatch) {
			if err := a.merger.Rebuild(tx, batch...); err != nil {
				return err
			}
		}
		return tx.SetMeta(metaMergeFP, a.mergeFP)
	})
}

// publish brings the published outputs up to date with the store: it
// renders the items that changed since the last publish, and nothing when
// none did.
func (a *app) publish(ctx context.Context, now time.Time) (publish.SyncStats, error) {
	srcs, err := a.sources(ctx)
	if err != nil {
		return publish.SyncStats{}, err
	}
	return a.pub.Sync(ctx, srcs, now)
}
