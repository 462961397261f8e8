package merge

import (
	"time"

	"github.com/talkstream/talkstream"
)

// entryDate is the date an entry claims, bounded by now: a feed that dates
// an entry in 2099 must not pin it to the top of the stream.
func entryDate(e *talkstream.Entry, now time.Time) time.Time {
	d := e.Published
	if d.IsZero() {
		d = e.Updated
	}
	if d.IsZero() || d.After(now) {
		return now
	}
	return d
}
