package publish

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/klauspost/compress/s2"
)

// A feed fragment (an RSS <item>, Atom <entry> or JSON Feed item) is kept
// in the store in two compressed forms, one after the other: its text in S2
// (github.com/klauspost/compress/s2), then its DEFLATE segment (deflate.go).
//
// Every page an item is on needs both: the plain body is the fragments'
// text, the gzip body their segments joined. An item is on about ten
// pages (the main stream, its kind, tags, speakers and event, in three
// formats), so the text is read far more often than it is written.
// Inflating the segments for it was a third of a full export's CPU (about
// 130 MB/s); S2 decodes at memory speed for about half of DEFLATE's saving
// in the store.
//
// Layout: uvarint length of the S2 block, the S2 block, the segment.

// packFeedFragment compresses a feed fragment's text into its stored form.
func packFeedFragment(text []byte) []byte {
	seg := deflateSegment(text)
	block := s2.Encode(nil, text)
	out := make([]byte, 0, binary.MaxVarintLen64+len(block)+len(seg))
	out = binary.AppendUvarint(out, uint64(len(block)))
	out = append(out, block...)
	return append(out, seg...)
}

var errFeedFragment = errors.New("malformed stored feed fragment")

// maxFeedText bounds the text a stored fragment may claim to hold before
// it is decoded: an entry is at most a 10 MiB feed, five times longer
// escaped, and a damaged row must be an error, not a 4 GiB allocation.
const maxFeedText = 64 << 20

// splitFeedFragment returns a stored feed fragment's S2 block and DEFLATE
// segment.
func splitFeedFragment(f []byte) (block, seg []byte, err error) {
	n, k := binary.Uvarint(f)
	if k <= 0 || n > uint64(len(f)-k) {
		return nil, nil, errFeedFragment
	}
	return f[k : k+int(n)], f[k+int(n):], nil
}

// feedSegment is a stored feed fragment's DEFLATE segment.
func feedSegment(f []byte) ([]byte, error) {
	_, seg, err := splitFeedFragment(f)
	return seg, err
}

// appendFeedText appends a stored feed fragment's text to dst.
func appendFeedText(dst *bytes.Buffer, f []byte) error {
	block, _, err := splitFeedFragment(f)
	if err != nil {
		return err
	}
	n, err := s2.DecodedLen(block)
	if err != nil {
		return fmt.Errorf("%w: %w", errFeedFragment, err)
	}
	if n > maxFeedText {
		return fmt.Errorf("%w: it claims %d bytes of text", errFeedFragment, n)
	}
	dst.Grow(n)
	buf := dst.AvailableBuffer()[:n]
	if _, err := s2.Decode(buf, block); err != nil {
		return fmt.Errorf("%w: %w", errFeedFragment, err)
	}
	dst.Write(buf)
	return nil
}
