package main

import (
	"context"
	"fmt"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/config"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/ingest"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/publish"
	"github.com/talkstream/talkstream/store"
)

// This file runs the CLI's stages (cmd/talkstream/app.go and fetch.go) in
// one process for the profiles and the merge benchmark. The stages' options
// come from the config's own XOptions methods, as cmd's do, so the two
// cannot drift; the timed figures themselves always come from the real
// binary.

// pipeline is the CLI's fetch → merge → store → render in one process.
type pipeline struct {
	cfg     *config.Config
	store   *store.Store
	merger  *merge.Merger
	fetcher *fetch.Fetcher
	pub     *publish.Publisher
}

func openPipeline(ctx context.Context, cfgPath string) (*pipeline, error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	pub, err := publish.New(cfg.PublishOptions(), st)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &pipeline{cfg: cfg, store: st, pub: pub, merger: merge.New(cfg.MergeOptions()), fetcher: fetch.New(cfg.FetchOptions())}, nil
}

func (p *pipeline) Close() error { return p.store.Close() }

func (p *pipeline) sources(ctx context.Context) ([]talkstream.Source, error) {
	states, err := p.store.SourceStates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]talkstream.Source, len(p.cfg.Sources))
	for i, s := range p.cfg.Sources {
		s.State = states[s.ID]
		out[i] = s
	}
	return out, nil
}

// fetchAll fetches, merges and stores every source through the ingest
// cycle, with the config's concurrency and per-host limits, as
// `talkstream fetch` does.
func (p *pipeline) fetchAll(ctx context.Context) error {
	in := ingest.New(p.store, p.fetcher, p.merger, p.cfg.Sources, ingest.Options{
		Concurrency: p.cfg.Fetch.Concurrency,
		PerHost:     p.cfg.Fetch.PerHost,
	})
	srcs, err := in.Sources(ctx)
	if err != nil {
		return err
	}
	sum, err := in.Run(ctx, srcs, nil)
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%d of %d sources failed", sum.Failed, len(srcs))
	}
	return nil
}

// build is `talkstream build -out dir` after a full cycle: the store's
// items were all derived by this fetch with the current merge settings, so
// cmd's build (which rebuilds items only when the settings' fingerprint
// changed) goes straight to publishing and exporting.
func (p *pipeline) build(ctx context.Context, dir string) (publish.ExportStats, error) {
	if err := p.sync(ctx); err != nil {
		return publish.ExportStats{}, err
	}
	return p.pub.Export(ctx, dir, false)
}

// sync renders the items that changed, as serve does after a tick.
func (p *pipeline) sync(ctx context.Context) error {
	srcs, err := p.sources(ctx)
	if err != nil {
		return err
	}
	_, err = p.pub.Sync(ctx, srcs, time.Now().UTC())
	return err
}
