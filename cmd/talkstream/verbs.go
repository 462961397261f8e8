package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/config"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/store"
)

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("check", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(*path)
	if err != nil {
		var errs config.Errors
		if errors.As(err, &errs) {
			for _, e := range errs {
				fmt.Fprintln(stderr, e)
			}
			return fmt.Errorf("%d problem(s) in %s", len(errs), *path)
		}
		return err
	}
	// Curated files are the operator's too: check them as fetch reads them.
	var bad int
	for _, src := range cfg.Sources {
		if src.Kind != talkstream.SourceCurated {
			continue
		}
		if err := fetch.CheckCurated(src); err != nil {
			fmt.Fprintf(stderr, "source %q: %v\n", src.ID, err)
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d curated file(s) with problems", bad)
	}
	fmt.Fprintf(stdout, "%s: ok: %d sources, %d speakers, %d events, %d rules\n",
		*path, len(cfg.Sources), len(cfg.Speakers), len(cfg.Events), len(cfg.Rules))
	return nil
}

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("build", stderr)
	out := fs.String("out", "", "write the outputs into this `directory` (required)")
	full := fs.Bool("full", false, "rewrite every output, not only those that changed since the last build")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(stderr, "talkstream build: -out DIR is required")
		fs.Usage()
		return errUsage
	}
	a, err := openApp(ctx, *path)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.rebuildItems(ctx); err != nil {
		return err
	}
	if _, err := a.publish(ctx, clock().UTC()); err != nil {
		return err
	}
	st, err := a.pub.Export(ctx, *out, *full)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: wrote %d outputs, kept %d unchanged, removed %d\n", *out, st.Written, st.Kept, st.Removed)
	return nil
}

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("status", stderr)
	asJSON := fs.Bool("json", false, "print what /status.json serves")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, *path)
	if err != nil {
		return err
	}
	defer a.Close()
	st, err := a.newIngester(nil, nil).Status(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	when := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Local().Format("2006-01-02 15:04:05")
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tKIND\tFORMAT\tSTATE\tLAST FETCH\tHTTP\tDURATION\tBYTES\tENTRIES\tNEXT CHECK\tERRORS\tPUSH\tLAST ERROR / MOVED TO")
	for _, s := range st.Sources {
		next := when(s.NextCheck)
		if s.Gone {
			next = "never (410 gone: fix the url in the config)"
		} else if s.NextCheck == nil {
			next = "now"
		}
		note := s.LastError
		if s.Warning != "" {
			note = "warning: " + s.Warning
		}
		if s.MovedTo != "" {
			note = strings.TrimSpace(note + " moved permanently to " + s.MovedTo + ": update the config")
		}
		format := s.Format
		switch {
		case format == "":
			format = "-"
		case s.Followed != "":
			format += " (followed " + s.Followed + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%d\t%d\t%s\t%d\t%s\t%s\n", s.ID, s.Kind, format, s.State, when(s.LastFetch)+by(s.FetchedBy), s.HTTPStatus,
			time.Duration(s.DurationMS)*time.Millisecond, s.Bytes, s.Entries, next, s.Errors, s.Push, note)
	}
	return tw.Flush()
}

func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("explain", stderr)
	if err := parseFlagsAndArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: talkstream explain [-config FILE] ITEM-ID")
		return errUsage
	}
	a, err := openApp(ctx, *path)
	if err != nil {
		return err
	}
	defer a.Close()
	// Accept an id as feeds show it: a tag: URI, a page anchor or the bare id.
	id := fs.Arg(0)
	if i := strings.LastIndex(id, "item/"); i >= 0 {
		id = id[i+len("item/"):]
	}
	id = strings.TrimPrefix(strings.TrimPrefix(id, "#"), "item-")
	it, err := a.store.Item(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		ids, ferr := a.store.FindItems(ctx, id)
		if ferr != nil {
			return ferr
		}
		switch len(ids) {
		case 0:
			return fmt.Errorf("no item %q (ids are in feed.json and in the page's links)", id)
		case 1:
			it, err = a.store.Item(ctx, ids[0])
		default:
			return fmt.Errorf("%q is ambiguous: %s", id, strings.Join(ids, ", "))
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "item %s: %s\n", it.ID, it.Title)
	if len(id) == len(it.ID) && id != it.ID { // found through an alias
		fmt.Fprintf(stdout, "  (item %s was merged into this one; its old id still leads here)\n", id)
	}
	fmt.Fprintf(stdout, "  kind %s; published %s; updated %s\n", it.Kind, it.Published.Format(time.RFC3339), it.Updated.Format(time.RFC3339))
	if len(it.Speakers) > 0 {
		fmt.Fprintf(stdout, "  speakers: %s\n", strings.Join(it.Speakers, ", "))
	}
	if it.Event != "" {
		fmt.Fprintf(stdout, "  event: %s\n", it.Event)
	}
	if len(it.Tags) > 0 {
		fmt.Fprintf(stdout, "  tags: %s\n", strings.Join(it.Tags, ", "))
	}
	if it.Video != nil {
		fmt.Fprintf(stdout, "  video: %s %s\n", it.Video.Provider, it.Video.ID)
	}
	// Entries by the name split: takes (source-id/entry-id).
	fmt.Fprintf(stdout, "entries (%d):\n", len(it.Entries))
	for _, e := range it.Entries {
		fmt.Fprintf(stdout, "  - [%s] %s/%s\n      %q %s\n", e.Role, e.Entry.SourceID, e.ID, e.Entry.Title, e.Entry.Link)
	}
	keys, err := a.store.ItemKeys(ctx, it.ID)
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		fmt.Fprintf(stdout, "keys (a new entry with one of these joins this item):\n")
		for _, k := range keys {
			fmt.Fprintf(stdout, "  - %s\n", k)
		}
	}
	fmt.Fprintln(stdout, "why:")
	for _, w := range it.Why {
		fmt.Fprintf(stdout, "  - %s\n", w)
	}
	return nil
}

// by names the instance that fetched a source, when the store records one.
func by(instance string) string {
	if instance == "" {
		return ""
	}
	return " by " + instance
}
