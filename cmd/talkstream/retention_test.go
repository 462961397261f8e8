package main

import (
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestRetentionCLI: with retention set, `talkstream fetch` prunes what
// aged past it and says so; the curated history stays; nothing else goes.
func TestRetentionCLI(t *testing.T) {
	cfgPath, _ := demoWorld(t, "")
	if code, out, errs := cli(t, "fetch", "-config", cfgPath); code != 0 || strings.Contains(out, "pruned") {
		t.Fatalf("fetch without a retention: exit %d\n%s%s", code, out, errs)
	}
	count := func() (items int, old []string) {
		t.Helper()
		a, err := openApp(context.Background(), cfgPath)
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		all, err := a.store.Items(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		cutoff := time.Now().Add(-730 * 24 * time.Hour)
		for _, it := range all {
			recent, curated := false, false
			for _, ie := range it.Entries {
				d := ie.Entry.Published
				recent = recent || d.IsZero() || !d.Before(cutoff)
				curated = curated || ie.Entry.SourceID == "talks"
			}
			if !recent && !curated {
				old = append(old, it.Title)
			}
		}
		return len(all), old
	}
	before, old := count()
	if len(old) == 0 {
		t.Fatal("the demo world has nothing older than 730 days: the test proves nothing")
	}
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfgPath, append(cfg, "retention: 730d\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := cli(t, "fetch", "-config", cfgPath)
	if code != 0 {
		t.Fatalf("fetch with a retention: exit %d\n%s%s", code, out, errs)
	}
	m := regexp.MustCompile(`pruned (\d+) items \((\d+) entries\) older than the retention of 17520h0m0s`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no prune line in:\n%s", out)
	}
	after, left := count()
	t.Logf("%d items, %d older than 730 days and not curated; after: %s → %d items", before, len(old), m[0], after)
	if len(left) != 0 {
		t.Errorf("still older than the retention: %q", left)
	}
	if after != before-len(old) {
		t.Errorf("%d items after pruning %d of %d: something else went", after, len(old), before)
	}
	// A second fetch neither brings them back nor prunes again.
	if code, out, _ := cli(t, "fetch", "-config", cfgPath); code != 0 || strings.Contains(out, "pruned") {
		t.Errorf("second fetch: exit %d\n%s", code, out)
	}
	if n, _ := count(); n != after {
		t.Errorf("%d items after a second fetch, want %d", n, after)
	}
}
