package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/talkstream/talkstream/store"
)

// runCopy copies the configured store into another database: how a planet
// moves from SQLite to PostgreSQL (or back). It never writes into a
// database that holds anything unless -replace says so.
func runCopy(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("copy", stderr)
	to := fs.String("to", "", "the `database` to copy into: a SQLite file or a postgres:// URL (required)")
	replace := fs.Bool("replace", false, "delete what the target holds first")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *to == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "talkstream copy: -to DATABASE is required (a SQLite file or a postgres:// URL)")
		return errUsage
	}
	a, err := openApp(ctx, *path)
	if err != nil {
		return err
	}
	defer a.Close()
	target := *to
	if !store.IsPostgres(target) && !store.IsKeywordValue(target) {
		if target, err = filepath.Abs(target); err != nil {
			return err
		}
		if target == a.cfg.Database {
			return fmt.Errorf("copy: %s is the configured database itself", target)
		}
	}
	if store.IsPostgres(target) && target == a.cfg.Database {
		return fmt.Errorf("copy: %s is the configured database itself", store.Redact(target))
	}
	dst, err := store.Open(ctx, target)
	if err != nil {
		return err
	}
	defer dst.Close()
	copied, err := a.store.CopyTo(ctx, dst, *replace)
	if errors.Is(err, store.ErrNotEmpty) {
		return fmt.Errorf("%w; copy -replace empties it first", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "copied %s (%s) to %s (%s):\n", store.Redact(a.cfg.Database), a.store.Engine(), store.Redact(target), dst.Engine())
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, t := range copied.Tables {
		fmt.Fprintf(tw, "%d\t %s\n", t.Rows, t.Table)
	}
	tw.Flush()
	fmt.Fprintln(stdout, "checked: every table holds the same rows, with the same ids, in both")
	if !store.IsPostgres(target) {
		return nil
	}
	if os.Getenv("TALKSTREAM_DATABASE") == "" {
		fmt.Fprintf(stdout, "to use it: set database: in %s, or TALKSTREAM_DATABASE, to that URL\n", filepath.Base(a.cfg.Path))
	}
	return nil
}
