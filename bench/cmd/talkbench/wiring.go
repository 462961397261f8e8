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

func publishOptions(cfg *config.Config) publish.Options {
	opts := publish.Options{
		Title:       cfg.Title,
		Description: cfg.Description,
		BaseURL:     cfg.BaseURL,
		Language:    cfg.Language,
		Limit:       cfg.Limit,
	}
	for _, s := range cfg.Speakers {
		opts.Speakers = append(opts.Speakers, publish.Speaker{ID: s.ID, Name: s.Name, URL: s.URL})
	}
	for _, e := range cfg.Events {
		opts.Events = append(opts.Events, publish.Event{ID: e.ID, Name: e.Name})
	}
	return opts
}

// pipeline is the CLI's fetch → merge → store → render in one process.
type pipeline struct {
	cfg     *config.Config
	store   *store.Store
	merger  *merge.Merger
	fetcher *fetch.Fetcher
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
	return &pipeline{cfg: cfg, store: st, merger: merge.New(cfg.MergeOptions()), fetcher: fetch.New(cfg.FetchOptions())}, nil
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

// build is `talkstream build` after a full cycle: the store's items were
// all derived by this fetch with the current merge settings, so cmd's
// build (which rebuilds items only when the settings' fingerprint changed)
// goes straight to rendering.
func (p *pipeline) build(ctx context.Context) (*publish.Site, error) {
	return p.render(ctx)
}

func (p *pipeline) render(ctx context.Context) (*publish.Site, error) {
	items, err := p.store.Items(ctx, 0)
	if err != nil {
		return nil, err
	}
	srcs, err := p.sources(ctx)
	if err != nil {
		return nil, err
	}
	return publish.Render(publishOptions(p.cfg), items, srcs, time.Now().UTC())
}
