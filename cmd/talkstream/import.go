package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/talkstream/talkstream/config"
)

// runImport adds the feeds of an OPML subscription list to the config as
// sources (config.Import), printing what it added and skipped.
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("import", stderr)
	if err := parseFlagsAndArgs(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fmt.Fprintln(stderr, "talkstream import: name one OPML file")
		fs.Usage()
		return errUsage
	}
	opmlFile := fs.Arg(0)
	f, err := os.Open(opmlFile)
	if err != nil {
		return err
	}
	feeds, err := config.ParseOPML(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", opmlFile, err)
	}
	abs, err := filepath.Abs(*path)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return err
	}
	out, done, err := config.Import(*path, abs, data, feeds)
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
	added := 0
	for _, im := range done {
		if im.Reason != "" {
			fmt.Fprintf(stdout, "skipped %s: %s\n", im.Feed.URL, im.Reason)
			continue
		}
		added++
		fmt.Fprintf(stdout, "added   %s (%s) %s\n", im.ID, im.Kind, im.Feed.URL)
	}
	if added > 0 {
		if err := writeFileAtomic(abs, out); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "%s: added %d sources, skipped %d\n", *path, added, len(done)-added)
	return nil
}

// writeFileAtomic replaces a file through a temporary file and a rename,
// keeping its mode, so that a crash leaves the old file or the new one.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
