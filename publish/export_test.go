package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
)

// tree reads every file under dir: name → contents and modification time.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if rel != manifestName {
			out[filepath.ToSlash(rel)] = fi.ModTime().UTC().Format(time.RFC3339) + "\n" + string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestExportIncremental: an export after a change rewrites only what
// changed, removes what vanished, and leaves the same files, bytes and
// modification times as a full export of the same state.
func TestExportIncremental(t *testing.T) {
	ctx := context.Background()
	items := fixtureItems()
	opts := fixtureOptions()
	opts.Limit = 2 // archive pages too
	p, st, err := newTestPublisher(t, opts, items, fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	inc := t.TempDir()
	first, err := p.Export(ctx, inc, false)
	if err != nil {
		t.Fatal(err)
	}
	if first.Written == 0 || first.Kept != 0 {
		t.Fatalf("first export: %+v", first)
	}
	again, err := p.Export(ctx, inc, false)
	if err != nil || again.Written != 0 || again.Kept != first.Written {
		t.Errorf("export with nothing new: %+v, %v; want everything kept", again, err)
	}

	// One item changes, another is hidden (its tag vanishes).
	changed := items[0]
	changed.Title += " (revised)"
	if err := putItems(ctx, st, []talkstream.Item{changed}); err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if len(it.Tags) == 1 && it.Tags[0] == "release" {
			if err := hideItem(ctx, st, it); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := p.Sync(ctx, fixtureSources(), now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	stats, err := p.Export(ctx, inc, false)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Written == 0 || stats.Kept == 0 || stats.Removed == 0 {
		t.Errorf("incremental export: %+v; want some written, kept and removed", stats)
	}
	if _, err := os.Stat(filepath.Join(inc, "tags", "release")); !os.IsNotExist(err) {
		t.Errorf("the vanished tag's folder is still there: %v", err)
	}

	// A file deleted behind the export's back is made again, even where
	// the export keeps a stream's archive pages without reading them.
	for _, name := range []string{"page/1/feed.json", "page/1/index.html"} {
		if err := os.Remove(filepath.Join(inc, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	if again, err := p.Export(ctx, inc, false); err != nil || again.Written != 2 {
		t.Errorf("export after deleting two files: %+v, %v; want both written again", again, err)
	}

	full := t.TempDir()
	if _, err := p.Export(ctx, full, true); err != nil {
		t.Fatal(err)
	}
	a, b := tree(t, inc), tree(t, full)
	for name, want := range b {
		if got, ok := a[name]; !ok {
			t.Errorf("%s: missing from the incremental export", name)
		} else if got != want {
			t.Errorf("%s differs from the full export", name)
		}
	}
	for name := range a {
		if _, ok := b[name]; !ok {
			t.Errorf("%s: only in the incremental export", name)
		}
	}
}

// TestExportAnotherDatabase: a database made again counts its stream
// versions from 1 again, so its validators must not be the old one's: an
// export into a folder another database wrote rewrites what differs, and
// the two databases never give one ETag to other bytes.
func TestExportAnotherDatabase(t *testing.T) {
	ctx := context.Background()
	items := fixtureItems()
	p1, _, err := newTestPublisher(t, fixtureOptions(), items, fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := p1.Export(ctx, dir, false); err != nil {
		t.Fatal(err)
	}
	changed := append([]talkstream.Item(nil), items...)
	changed[0].Title += " (in the new database)"
	p2, _, err := newTestPublisher(t, fixtureOptions(), changed, fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := p2.Export(ctx, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Written == 0 {
		t.Errorf("export of another database into the folder: %+v; want its streams written", stats)
	}
	full := t.TempDir()
	if _, err := p2.Export(ctx, full, true); err != nil {
		t.Fatal(err)
	}
	a, b := tree(t, dir), tree(t, full)
	for name, want := range b {
		if a[name] != want {
			t.Errorf("%s: the incremental export over the other database's differs from a full export", name)
		}
	}
	for _, path := range []string{"/feed.json", "/atom.xml", "/"} {
		r1, err := p1.route(ctx, p1.cur.Load(), path)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := p2.route(ctx, p2.cur.Load(), path)
		if err != nil {
			t.Fatal(err)
		}
		if r1.etag == r2.etag {
			t.Errorf("%s: both databases give ETag %s", path, r1.etag)
		}
	}
}

// TestLineageOfOlderDatabase: a database published before lineages existed
// keeps none, so its outputs keep their ETags after an upgrade.
func TestLineageOfOlderDatabase(t *testing.T) {
	ctx := context.Background()
	_, st, err := newTestPublisher(t, fixtureOptions(), fixtureItems(), fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	state, err := st.PublishState(ctx)
	if err != nil || len(state.Lineage) != 12 {
		t.Fatalf("a new database's lineage: %q, %v", state.Lineage, err)
	}
	// What an older version left: the same state without a lineage.
	state.Lineage = ""
	if err := st.UpdatePublish(ctx, func(tx index.Tx) error { return tx.SetState(state) }); err != nil {
		t.Fatal(err)
	}
	p2, err := New(fixtureOptions(), st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p2.Sync(ctx, fixtureSources(), now); err != nil {
		t.Fatal(err)
	}
	if state, err := st.PublishState(ctx); err != nil || state.Lineage != "" {
		t.Errorf("an older database's lineage after a Sync: %q, %v; want none", state.Lineage, err)
	}
	rt, err := p2.route(ctx, p2.cur.Load(), "/feed.json")
	if err != nil {
		t.Fatal(err)
	}
	if fp, _ := fingerprints(p2.opts); !strings.HasPrefix(rt.etag, `"`+fp[:8]+"-") {
		t.Errorf("ETag %s: want the form older versions gave, %q and the stream's version", rt.etag, fp[:8])
	}
}

// TestExportNeverHalfWritten reads the exported files while an export
// writes them: every file read is whole (it parses, its gzip is complete).
func TestExportNeverHalfWritten(t *testing.T) {
	ctx := context.Background()
	items, opts := largeStream()
	opts.Limit = 10 // many small outputs
	p, _, err := newTestPublisher(t, opts, items[:120], fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var done atomic.Bool
	var reads atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		for !done.Load() {
			filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
					return nil
				}
				b, err := os.ReadFile(path)
				if err != nil {
					return nil // renamed away between listing and reading
				}
				reads.Add(1)
				if err := whole(path, b); err != nil {
					t.Errorf("%s read half-written: %v", path, err)
				}
				return nil
			})
		}
	})
	for i := range 2 {
		if _, err := p.Export(ctx, dir, i > 0); err != nil {
			t.Fatal(err)
		}
	}
	done.Store(true)
	wg.Wait()
	if reads.Load() == 0 {
		t.Fatal("nothing was read while exporting")
	}
}

// whole checks that a file is a complete document of its kind.
func whole(path string, b []byte) error {
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return err
		}
		_, err = io.ReadAll(zr)
		return err
	}
	switch filepath.Ext(path) {
	case ".xml", ".opml":
		d := xml.NewDecoder(bytes.NewReader(b))
		for {
			if _, err := d.Token(); err == io.EOF {
				return nil
			} else if err != nil {
				return err
			}
		}
	case ".json":
		var v any
		return json.Unmarshal(b, &v)
	case ".html":
		if !bytes.HasSuffix(bytes.TrimSpace(b), []byte("</html>")) {
			return io.ErrUnexpectedEOF
		}
	}
	return nil
}
