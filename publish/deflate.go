package publish

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// Feed fragments are kept compressed: each is a raw DEFLATE segment that
// ends on a byte boundary without closing the stream (a sync flush), so that
// segments joined one after another are one DEFLATE stream. A feed's gzip
// form is then its header compressed, its items' segments as stored and its
// footer compressed, in a gzip frame (RFC 1952): each item is compressed
// once per change, not once per page it appears on and per request. The
// segments also keep the store small: feed HTML compresses to about a
// quarter. Cards are not compressed: a page puts its own root into them.

// deflaters keeps compressors between fragments.
var deflaters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.DefaultCompression)
	return w
}}

// deflateSegment compresses b into a segment that later segments can follow.
func deflateSegment(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b)/3 + 16)
	w := deflaters.Get().(*flate.Writer)
	w.Reset(&buf)
	w.Write(b) // a bytes.Buffer does not fail
	w.Flush()
	deflaters.Put(w)
	return buf.Bytes()
}

// finalBlock ends a DEFLATE stream: an empty block with BFINAL set.
var finalBlock = func() []byte {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression)
	w.Close()
	return buf.Bytes()
}()

// inflaters keeps decompressors between fragments.
var inflaters = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

// inflateSegments appends the text of segments, in order, to dst.
func inflateSegments(dst *bytes.Buffer, segs ...[]byte) error {
	rs := make([]io.Reader, 0, len(segs)+1)
	for _, s := range segs {
		rs = append(rs, bytes.NewReader(s))
	}
	rs = append(rs, bytes.NewReader(finalBlock))
	r := inflaters.Get().(io.ReadCloser)
	defer inflaters.Put(r)
	if err := r.(flate.Resetter).Reset(io.MultiReader(rs...), nil); err != nil {
		return err
	}
	_, err := dst.ReadFrom(r)
	return err
}

// gzipHeader is the gzip member header of every output: deflate, no name,
// no time, unknown OS, so the bytes depend on the body alone.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff}

// joinedGzip is the gzip form of plain, which is pre + the segments' text
// (with sep's text between them) + post.
func joinedGzip(plain, pre []byte, segs [][]byte, sep, post []byte) []byte {
	var b bytes.Buffer
	size := len(gzipHeader) + len(pre)/3 + len(post)/3 + 64
	for _, s := range segs {
		size += len(s) + len(sep)
	}
	b.Grow(size)
	b.Write(gzipHeader)
	b.Write(deflateSegment(pre))
	for i, s := range segs {
		if i > 0 {
			b.Write(sep)
		}
		b.Write(s)
	}
	b.Write(deflateSegment(post))
	b.Write(finalBlock)
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc32.ChecksumIEEE(plain))
	binary.LittleEndian.PutUint32(trailer[4:], uint32(len(plain)))
	b.Write(trailer[:])
	return b.Bytes()
}
