package main

// Moderation from the CLI: hide: and split: in the config take effect on
// the next build, without a refetch, in every output; a later fetch merges
// nothing back.

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestModeration(t *testing.T) {
	// Rebuild in batches of two items, so that moderation holds across
	// the batches a large store is rebuilt in.
	defer func(n int) { rebuildBatch = n }(rebuildBatch)
	rebuildBatch = 2
	cfgPath, _ := demoWorld(t, "")
	if code, out, errs := cli(t, "fetch", "-config", cfgPath); code != 0 {
		t.Fatalf("fetch exit %d: %s%s", code, out, errs)
	}
	build := func(name string) (string, jsonFeed) {
		t.Helper()
		dir := filepath.Join(t.TempDir(), name)
		if code, out, errs := cli(t, "build", "-config", cfgPath, "-out", dir); code != 0 {
			t.Fatalf("build exit %d: %s%s", code, out, errs)
		}
		return dir, readFeed(t, dir)
	}
	incDir, before := build("before")

	// The cross-posted MirageOS 2.0 release is blog + person feed + curated;
	// any single-source item will do for hiding.
	var merged, hidden string
	for _, it := range before.Items {
		srcs := map[string]bool{}
		for _, s := range it.Ext.Sources {
			srcs[s.Source] = true
		}
		if srcs["anil"] && srcs["mirage-blog"] && merged == "" {
			merged = itemID(it.ID)
		}
		if len(it.Ext.Sources) == 1 && hidden == "" {
			hidden = itemID(it.ID)
		}
	}
	if merged == "" || hidden == "" {
		t.Fatalf("no merged or no single item in %d items", len(before.Items))
	}

	// explain names the entries as split: takes them.
	code, out, errs := cli(t, "explain", "-config", cfgPath, merged)
	if code != 0 {
		t.Fatalf("explain exit %d: %s%s", code, out, errs)
	}
	ref := regexp.MustCompile(`(?m)^  - \[\w+\] (anil/\S+)$`).FindStringSubmatch(out)
	if ref == nil || !strings.Contains(out, "keys (a new entry") {
		t.Fatalf("explain %s lists no anil entry or no keys:\n%s", merged, out)
	}

	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	moderation := "\nhide:\n  - " + hidden + "\nsplit:\n  - item: " + merged + "\n    entries:\n      - \"" + ref[1] + "\"\n"
	if err := os.WriteFile(cfgPath, append(cfg, moderation...), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := cli(t, "check", "-config", cfgPath); code != 0 {
		t.Fatalf("check exit %d: %s%s", code, out, errs)
	}

	dir, after := build("after")

	// The same change built incrementally over the first build: only what
	// changed is written, and the folder ends up as the full build is, byte
	// for byte, modification times included.
	code, out, errs = cli(t, "build", "-config", cfgPath, "-out", incDir)
	if code != 0 || !regexp.MustCompile(`wrote [1-9]\d* outputs, kept [1-9]\d* unchanged, removed \d+`).MatchString(out) {
		t.Fatalf("incremental build exit %d: %s%s", code, out, errs)
	}
	fullDir := filepath.Join(t.TempDir(), "full")
	if code, out, errs := cli(t, "build", "-full", "-config", cfgPath, "-out", fullDir); code != 0 {
		t.Fatalf("build -full exit %d: %s%s", code, out, errs)
	}
	sameTree(t, incDir, fullDir)
	if code, out, _ := cli(t, "build", "-config", cfgPath, "-out", incDir); code != 0 || !strings.Contains(out, "wrote 0 outputs") {
		t.Errorf("a build with nothing new: %s", out)
	}
	if len(after.Items) != len(before.Items) { // one hidden, one split off
		t.Errorf("%d items, want %d", len(after.Items), len(before.Items))
	}
	var splitOff string
	for _, it := range after.Items {
		id := itemID(it.ID)
		var srcs []string
		for _, s := range it.Ext.Sources {
			srcs = append(srcs, s.Source)
		}
		switch {
		case id == hidden:
			t.Errorf("hidden item %s is in feed.json", hidden)
		case id == merged && slices.Contains(srcs, "anil"):
			t.Errorf("item %s still has the split entry: %v", merged, srcs)
		case id != merged && slices.Equal(srcs, []string{"anil"}) && strings.Contains(it.Title, "MirageOS v2.0"):
			splitOff = id
		}
	}
	if splitOff == "" {
		t.Errorf("no item of its own for the split entry")
	}
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".gz") {
			return err
		}
		data, err := os.ReadFile(path)
		if err == nil && strings.Contains(string(data), hidden) {
			t.Errorf("%s mentions the hidden item %s", path, hidden)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, out, _ := cli(t, "explain", "-config", cfgPath, hidden); !strings.Contains(out, "hidden by config") {
		t.Errorf("explain of the hidden item does not say so:\n%s", out)
	}

	// A refetch changes nothing: the split holds, ids and dates stay.
	if code, out, errs := cli(t, "fetch", "-config", cfgPath); code != 0 {
		t.Fatalf("fetch exit %d: %s%s", code, out, errs)
	}
	_, again := build("again")
	if len(again.Items) != len(after.Items) {
		t.Fatalf("%d items after refetch, want %d", len(again.Items), len(after.Items))
	}
	for i := range after.Items {
		a, b := after.Items[i], again.Items[i]
		if a.ID != b.ID || a.DatePublished != b.DatePublished || a.DateModified != b.DateModified || len(a.Ext.Sources) != len(b.Ext.Sources) {
			t.Errorf("item %d changed on refetch: %s → %s", i, a.ID, b.ID)
		}
	}

	// Without the split rule the entry goes back, and the split item's id
	// (which readers may have linked to) leads to the item it went back to.
	if err := os.WriteFile(cfgPath, append(cfg, "\nhide:\n  - "+hidden+"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, restored := build("restored"); len(restored.Items) != len(before.Items)-1 {
		t.Errorf("%d items without the split rule, want %d", len(restored.Items), len(before.Items)-1)
	}
	if splitOff != "" {
		if code, out, errs := cli(t, "explain", "-config", cfgPath, splitOff); code != 0 || !strings.Contains(out, merged) {
			t.Errorf("explain %s (the removed split item) exit %d, does not lead to %s:\n%s%s", splitOff, code, merged, out, errs)
		}
	}
}

// itemID is the bare item id of a JSON Feed item id (a tag: URI or URL
// ending in the id).
func itemID(feedID string) string {
	if i := strings.LastIndexAny(feedID, "/:#-"); i >= 0 {
		return feedID[i+1:]
	}
	return feedID
}

// sameTree fails unless two exported folders hold the same files with the
// same bytes and modification times (the build's own manifest aside).
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	read := func(dir string) map[string]string {
		out := map[string]string{}
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() == ".talkstream-outputs.json" {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			out[rel] = fi.ModTime().UTC().String() + "\n" + string(data)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	x, y := read(a), read(b)
	if len(x) != len(y) {
		t.Errorf("%d files in %s, %d in %s", len(x), a, len(y), b)
	}
	for name, want := range y {
		if got, ok := x[name]; !ok || got != want {
			t.Errorf("%s differs between the incremental and the full build (present: %v)", name, ok)
		}
	}
}

// TestExplainNamesStoredIDs: explain lists each entry under the id it is
// stored with, the one split: matches, also when the feed's own id was not
// enough: stories of one feed sharing a link are told apart by their titles.
func TestExplainNamesStoredIDs(t *testing.T) {
	radio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		http.ServeFile(w, r, "../../ingest/testdata/shared-link-2.xml")
	}))
	defer radio.Close()
	cfgPath, _ := demoWorld(t, "  - {id: radio, kind: blog, url: \""+radio.URL+"/feed.xml\"}\n")
	if code, out, errs := cli(t, "fetch", "-config", cfgPath); code != 0 {
		t.Fatalf("fetch exit %d: %s%s", code, out, errs)
	}
	dir := filepath.Join(t.TempDir(), "out")
	if code, out, errs := cli(t, "build", "-config", cfgPath, "-out", dir); code != 0 {
		t.Fatalf("build exit %d: %s%s", code, out, errs)
	}
	refs := map[string]string{} // title → the entry id explain lists
	for _, it := range readFeed(t, dir).Items {
		if !strings.HasPrefix(it.Title, "Episode ") {
			continue
		}
		code, out, errs := cli(t, "explain", "-config", cfgPath, itemID(it.ID))
		if code != 0 {
			t.Fatalf("explain exit %d: %s%s", code, out, errs)
		}
		m := regexp.MustCompile(`(?m)^  - \[\w+\] radio/(\S+)$`).FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("explain lists no radio entry:\n%s", out)
		}
		refs[it.Title] = m[1]
	}
	if len(refs) != 3 {
		t.Fatalf("episodes %v, want 3", refs)
	}
	seen := map[string]bool{}
	for title, id := range refs {
		if seen[id] {
			t.Errorf("two episodes listed as %q", id)
		}
		seen[id] = true
		if !strings.Contains(id, "|title:") {
			t.Errorf("%q listed as %q, not the id it is stored under", title, id)
		}
	}
}
