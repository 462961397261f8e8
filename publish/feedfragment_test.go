package publish

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"
	"testing"
)

// TestFeedFragment: a stored feed fragment gives back its text, and its
// segment inflates (with the standard library's reader, not ours) to the
// same text; a damaged one is an error, never a panic.
func TestFeedFragment(t *testing.T) {
	for _, text := range []string{"", "<item>x</item>", strings.Repeat("<entry><content>unikernels é</content></entry>\n", 500)} {
		t.Run(strings.Repeat("x", min(len(text), 12)), func(t *testing.T) {
			f := packFeedFragment([]byte(text))
			var b bytes.Buffer
			b.WriteString("pre|")
			if err := appendFeedText(&b, f); err != nil {
				t.Fatal(err)
			}
			if b.String() != "pre|"+text {
				t.Fatalf("text: got %d bytes, want %d", b.Len()-4, len(text))
			}
			seg, err := feedSegment(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(flate.NewReader(io.MultiReader(bytes.NewReader(seg), bytes.NewReader(finalBlock))))
			if err != nil || string(got) != text {
				t.Fatalf("segment inflates to %d bytes (%v), want %d", len(got), err, len(text))
			}
		})
	}
	f := packFeedFragment([]byte(strings.Repeat("abc", 100)))
	// An S2 block whose header claims 4 GiB of text.
	huge := []byte{6, 0xff, 0xff, 0xff, 0xff, 0x0f, 0}
	for _, bad := range [][]byte{nil, {0xff}, {200, 1}, f[:3], append([]byte{2}, f[1:]...), huge} {
		var b bytes.Buffer
		if err := appendFeedText(&b, bad); err == nil && !bytes.Equal(bad, f) {
			t.Errorf("%x: no error", bad[:min(len(bad), 8)])
		}
	}
}
