package publish

import (
	"bytes"
	stdgzip "compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	kflate "github.com/klauspost/compress/flate"
	kgzip "github.com/klauspost/compress/gzip"
)

// TestCacheBounded: the cache never holds more than its size, keeps what
// is asked for most recently, and serves an entry only under its ETag.
func TestCacheBounded(t *testing.T) {
	c := newCache(10 << 10)
	body := bytes.Repeat([]byte("x"), 1000)
	for i := range 50 {
		c.put(&cached{path: fmt.Sprint("/p", i), etag: `"1"`, body: body})
		if c.get("/p0", `"1"`) == nil && i < 5 {
			t.Fatalf("the most recently used entry was dropped after %d puts", i)
		}
		if c.size > c.max {
			t.Fatalf("cache holds %d bytes, more than its %d", c.size, c.max)
		}
	}
	if c.get("/p0", `"1"`) == nil {
		t.Error("the entry asked for all along was dropped")
	}
	if c.get("/p1", `"1"`) != nil {
		t.Error("an old entry nobody asked for is still there")
	}
	if c.get("/p49", `"2"`) != nil {
		t.Error("an entry served under another ETag")
	}
	e := c.get("/p49", `"1"`)
	if z := e.gzipped(c); len(z) == 0 || c.size > c.max {
		t.Errorf("gzip form: %d bytes; cache %d of %d", len(z), c.size, c.max)
	}
	c.put(&cached{path: "/huge", etag: `"1"`, body: bytes.Repeat([]byte("y"), 20<<10)})
	if c.get("/huge", `"1"`) != nil {
		t.Error("an entry larger than the cache was kept")
	}
}

// BenchmarkGzip compresses a real output (the fixture's largest page, or
// BENCH_OUTPUT, e.g. a feed.json page of the bench world) with the standard
// library and with klauspost/compress at the levels that matter, reporting
// the compressed size: the measurement behind gzipWriters' choice.
func BenchmarkGzip(b *testing.B) {
	body := benchOutput(b)
	for _, tc := range []struct {
		name  string
		write func(io.Writer) io.WriteCloser
	}{
		{"stdlib-default", func(w io.Writer) io.WriteCloser {
			z, _ := stdgzip.NewWriterLevel(w, stdgzip.DefaultCompression)
			return z
		}},
		{"stdlib-speed", func(w io.Writer) io.WriteCloser { z, _ := stdgzip.NewWriterLevel(w, stdgzip.BestSpeed); return z }},
		{"klauspost-default", func(w io.Writer) io.WriteCloser { z, _ := kgzip.NewWriterLevel(w, kgzip.DefaultCompression); return z }},
		{"klauspost-speed", func(w io.Writer) io.WriteCloser { z, _ := kgzip.NewWriterLevel(w, kgzip.BestSpeed); return z }},
		{"klauspost-best", func(w io.Writer) io.WriteCloser { z, _ := kgzip.NewWriterLevel(w, kgzip.BestCompression); return z }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				buf.Reset()
				z := tc.write(&buf)
				z.Write(body)
				z.Close()
			}
			b.ReportMetric(float64(buf.Len())/float64(len(body))*100, "%size")
		})
	}
}

// BenchmarkDeflateSegment compresses an output in fragment-sized pieces,
// each alone as deflateSegment does, at the levels that matter, reporting
// the compressed size: the measurement behind segmentLevel.
func BenchmarkDeflateSegment(b *testing.B) {
	body := benchOutput(b)
	for _, level := range []int{1, 3, 5, 6} {
		b.Run(fmt.Sprintf("level-%d", level), func(b *testing.B) {
			w, _ := kflate.NewWriter(nil, level)
			var buf bytes.Buffer
			b.SetBytes(int64(len(body)))
			size := 0
			for b.Loop() {
				size = 0
				for i := 0; i < len(body); i += 8 << 10 {
					buf.Reset()
					w.Reset(&buf)
					w.Write(body[i:min(len(body), i+8<<10)])
					w.Flush()
					size += buf.Len()
				}
			}
			b.ReportMetric(float64(size)/float64(len(body))*100, "%size")
		})
	}
}

func benchOutput(b *testing.B) []byte {
	if p := os.Getenv("BENCH_OUTPUT"); p != "" {
		body, err := os.ReadFile(filepath.Clean(p))
		if err != nil {
			b.Fatal(err)
		}
		return body
	}
	items, opts := largeStream()
	s, err := renderSite(b, opts, items, fixtureSources(), now)
	if err != nil {
		b.Fatal(err)
	}
	return s.outputs["/feed.json"].body
}

// TestJoinedGzip: a feed's gzip form, joined from its items' compressed
// fragments, is a gzip stream whose every check (CRC-32, size) holds and
// whose text is the feed's body, byte for byte.
func TestJoinedGzip(t *testing.T) {
	items, opts := largeStream()
	opts.Limit = 20
	s, err := renderSite(t, opts, items[:100], fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for path, o := range s.outputs {
		if o.gz == nil {
			continue
		}
		n++
		zr, err := stdgzip.NewReader(bytes.NewReader(o.gz))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		zr.Multistream(false)
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !bytes.Equal(got, o.body) {
			t.Errorf("%s: the gzip form's text differs from the body", path)
		}
		if len(o.gz) >= len(o.body) {
			t.Errorf("%s: gzip form of %d bytes for a body of %d", path, len(o.gz), len(o.body))
		}
	}
	if n < 10 {
		t.Errorf("only %d outputs with a joined gzip form", n)
	}
}
