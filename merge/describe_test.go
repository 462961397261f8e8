package merge

import (
	"fmt"
	"strings"
	"testing"
)

// TestDescribeLongBody: describe reads only the opening of a long body, and
// gets the same text as from the whole of it.
func TestDescribeLongBody(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 40<<10; i++ {
		fmt.Fprintf(&b, `<p class="para">Paragraph %d about <a href="https://example.org/%d">unikernels</a> and é.</p>`, i, i)
	}
	body := b.String()
	whole := strings.Join(strings.Fields(plain(body)), " ")
	whole = whole[:strings.LastIndexByte(whole[:describeLen], ' ')]
	if got := describe(newTextCache(), "", body); got != whole {
		t.Errorf("describe of a long body:\n%q\nwant the opening of the whole body's text:\n%q", got, whole)
	}
}
