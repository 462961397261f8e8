package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/talkstream/talkstream/publish/index"
)

// manifest is what an export leaves in its folder for the next one.
type manifest struct {
	Fingerprint string            `json:"fingerprint"`       // of the publish options
	Lineage     string            `json:"lineage,omitempty"` // of the database (index.State)
	Streams     map[string]int64  `json:"streams"`           // each stream's version
	Outputs     map[string]string `json:"outputs"`           // each file's ETag
}

// manifestName is the file, in an exported directory, that lists each
// output written there with its ETag: the next Export rewrites only the
// outputs whose ETag changed and removes those that no longer exist.
const manifestName = ".talkstream-outputs.json"

// ExportStats says what an Export did.
type ExportStats struct {
	Written, Kept, Removed int
}

// Export writes every output and its gzip sibling (NAME.gz) under dir, one
// output at a time, each through a temporary file and a rename so that a
// web server reading dir never sees half a file. An output whose ETag is
// the one the last Export wrote is kept as it is, modification time
// included; full rewrites everything. Outputs of the last Export that no
// longer exist (a tag that vanished) are removed. Modification times are
// the outputs' Last-Modified. Folders such as /tags/xen/ get an index.html.
func (p *Publisher) Export(ctx context.Context, dir string, full bool) (ExportStats, error) {
	var stats ExportStats
	s := p.cur.Load()
	if s == nil {
		return stats, errors.New("publish: export before the first sync")
	}
	var prev manifest
	if !full {
		if b, err := os.ReadFile(filepath.Join(dir, manifestName)); err == nil {
			json.Unmarshal(b, &prev) // an unreadable manifest: write everything
		}
	}
	old := prev.Outputs
	now := map[string]string{}
	versions := map[string]int64{}
	made := map[string]bool{}
	write := func(o outputRef, etag string, mod time.Time, body func() (assembled, error)) error {
		name := o.fileName()
		now[name] = etag
		if old[name] == etag && !full {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
				stats.Kept++
				return nil
			}
		}
		if body == nil {
			// Kept unread, but the file is gone: make it again.
			var err error
			if etag, mod, err = p.etag(ctx, s, o); err != nil {
				return err
			}
			now[name] = etag
			body = func() (assembled, error) { return p.assemble(ctx, s, o) }
		}
		out, err := body()
		if err != nil {
			return fmt.Errorf("publish: %s: %w", o.path(), err)
		}
		file := filepath.Join(dir, filepath.FromSlash(name))
		if d := filepath.Dir(file); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("publish: write %s: %w", o.path(), err)
			}
			made[d] = true
		}
		if err := writeFile(file, out.body, mod); err != nil {
			return fmt.Errorf("publish: write %s: %w", o.path(), err)
		}
		gz := out.gz
		if gz == nil {
			gz = gzipBytes(out.body)
		}
		if err := writeFile(file+".gz", gz, mod); err != nil {
			return fmt.Errorf("publish: write %s.gz: %w", o.path(), err)
		}
		stats.Written++
		return nil
	}

	for _, path := range sortedKeys(s.fixed) {
		f := s.fixed[path]
		o := outputRef{fixed: f}
		if err := write(o, f.etag, f.modTime, func() (assembled, error) { return assembled{f.body, f.gz}, nil }); err != nil {
			return stats, err
		}
	}
	for _, prefix := range sortedKeys(s.streams) {
		st := s.streams[prefix]
		versions[prefix] = st.Version
		// A stream whose version is the one the last export saw has the
		// same archive pages: they are kept without reading the stream.
		unchanged := !full && prev.Fingerprint == s.fp && prev.Lineage == s.lineage && prev.Streams[prefix] == st.Version
		if err := p.exportStream(ctx, s, st, unchanged, old, write, &stats); err != nil {
			return stats, err
		}
	}

	for _, name := range sortedKeys(old) {
		if _, ok := now[name]; ok {
			continue
		}
		file := filepath.Join(dir, filepath.FromSlash(name))
		for _, f := range []string{file, file + ".gz"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return stats, fmt.Errorf("publish: remove %s: %w", name, err)
			}
		}
		removeEmptyDirs(dir, filepath.Dir(file))
		stats.Removed++
	}
	b, err := json.MarshalIndent(manifest{Fingerprint: s.fp, Lineage: s.lineage, Streams: versions, Outputs: now}, "", " ")
	if err != nil {
		return stats, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return stats, err
	}
	if err := writeFile(filepath.Join(dir, manifestName), b, time.Now()); err != nil {
		return stats, fmt.Errorf("publish: write %s: %w", manifestName, err)
	}
	return stats, nil
}

// exportStream writes a stream's pages: the first, then the archive pages
// from the oldest, walking the stream's index once from its oldest end
// (keyset paging). An archive page's members are read to know its ETag;
// its fragments only when it changed.
func (p *Publisher) exportStream(ctx context.Context, s *snapshot, st *streamView, unchanged bool, old map[string]string,
	write func(outputRef, string, time.Time, func() (assembled, error)) error, stats *ExportStats) error {
	page := func(n int, members []index.Member) error {
		read := p.pageReader()
		for _, file := range streamFiles {
			if n > 0 && !onEveryPage(file) {
				continue
			}
			o := outputRef{st: st, n: n, file: file}
			etag, mod := p.tagOf(s, o, members)
			err := write(o, etag, mod, func() (assembled, error) { return p.assemblePage(ctx, s, o, members, read) })
			if err != nil {
				return err
			}
		}
		return nil
	}
	first, err := p.pageMembers(ctx, st, 0)
	if err != nil {
		return err
	}
	if err := page(0, first); err != nil {
		return err
	}
	for n := 1; unchanged && n <= p.archivePages(st); n++ {
		unchanged = old[outputRef{st: st, n: n, file: fileHTML}.fileName()] != "" &&
			old[outputRef{st: st, n: n, file: fileJSON}.fileName()] != ""
	}
	if unchanged {
		for n := 1; n <= p.archivePages(st); n++ {
			for _, file := range streamFiles {
				if o := (outputRef{st: st, n: n, file: file}); onEveryPage(file) {
					// A kept output: write sees the ETag it had and keeps it.
					if err := write(o, old[o.fileName()], time.Time{}, nil); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	// The archive pages, oldest first, read many pages at a time.
	var before *index.After
	var buf []index.Member
	for n := 1; n <= p.archivePages(st); n++ {
		if len(buf) < p.opts.Limit {
			ms, err := p.store.MembersFromOldest(ctx, st.Prefix, before, 16*p.opts.Limit)
			if err != nil {
				return err
			}
			if len(ms) > 0 {
				last := ms[len(ms)-1]
				before = &index.After{Published: last.Published, ItemID: last.ItemID}
			}
			buf = append(buf, ms...)
			if len(buf) < p.opts.Limit {
				return fmt.Errorf("publish: %s changed while it was exported", st.Prefix)
			}
		}
		ms := slices.Clone(buf[:p.opts.Limit])
		buf = buf[p.opts.Limit:]
		slices.Reverse(ms)
		if err := page(n, ms); err != nil {
			return err
		}
	}
	return nil
}

// removeEmptyDirs removes dir and its parents up to root while they are
// empty: a facet that vanished leaves no folder behind.
func removeEmptyDirs(root, dir string) {
	root = filepath.Clean(root)
	for dir = filepath.Clean(dir); dir != root && len(dir) > len(root); dir = filepath.Dir(dir) {
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) > 0 {
			return
		}
		os.Remove(dir)
	}
}

// writeFile writes data to name through a temporary file and a rename.
func writeFile(name string, data []byte, mod time.Time) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(tmp, mod, mod)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
