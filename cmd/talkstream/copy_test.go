package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/talkstream/talkstream/config"
	"github.com/talkstream/talkstream/internal/pgtest"
)

// TestCopy moves a store from SQLite to PostgreSQL and back with `copy`:
// the outputs built from each are the same bytes, and a target that holds
// anything is refused without -replace.
func TestCopy(t *testing.T) {
	pg := pgtest.Database(t)
	cfgPath, _ := demoWorld(t, "")
	if code, out, errs := cli(t, "fetch", "-config", cfgPath); code != 0 {
		t.Fatalf("fetch exit %d: %s%s", code, out, errs)
	}
	build := func(name string) string {
		t.Helper()
		dir := filepath.Join(t.TempDir(), name)
		if code, out, errs := cli(t, "build", "-config", cfgPath, "-out", dir); code != 0 {
			t.Fatalf("build exit %d: %s%s", code, out, errs)
		}
		return dir
	}
	fromSQLite := build("sqlite")

	code, out, errs := cli(t, "copy", "-config", cfgPath, "-to", pg)
	if code != 0 {
		t.Fatalf("copy exit %d: %s%s", code, out, errs)
	}
	for _, want := range []string{"items", "entries", "fragments", "checked: every table holds the same rows"} {
		if !strings.Contains(out, want) {
			t.Errorf("copy output lacks %q:\n%s", want, out)
		}
	}
	if code, out, errs := cli(t, "copy", "-config", cfgPath, "-to", pg); code == 0 || !strings.Contains(errs, "not empty") {
		t.Errorf("a second copy into the same database: exit %d, %s%s; want a refusal", code, out, errs)
	}
	if code, out, errs := cli(t, "copy", "-config", cfgPath, "-to", pg, "-replace"); code != 0 {
		t.Errorf("copy -replace: exit %d, %s%s", code, out, errs)
	}

	t.Setenv(config.DatabaseEnv, pg)
	fromPostgres := build("postgres")
	sameTrees(t, fromSQLite, fromPostgres)

	back := filepath.Join(t.TempDir(), "back.db")
	if code, out, errs := cli(t, "copy", "-config", cfgPath, "-to", back); code != 0 {
		t.Fatalf("copy back: exit %d: %s%s", code, out, errs)
	}
	t.Setenv(config.DatabaseEnv, back)
	sameTrees(t, fromSQLite, build("back"))
}

// sameTrees compares two build outputs file by file.
func sameTrees(t *testing.T, a, b string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(a, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, path)
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Errorf("%s: only in the first build", rel)
			return nil
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs between the builds", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 10 {
		t.Errorf("only %d files compared", n)
	}
}
