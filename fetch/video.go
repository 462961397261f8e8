package fetch

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Video URLs are recognised by talkstream.ParseVideoURL, shared with merge.
// A feed's own ids are trusted more than ids parsed from a URL.
var (
	// yt:videoId: any safe id goes.
	youtubeFeedIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	vimeoClipGUID        = regexp.MustCompile(`^tag:vimeo,[^:]*:clip([1-9][0-9]{0,14})$`)
)

// parseMediaDuration reads a duration given in seconds ("141", "141.5") or
// as [[H:]M:]S ("1:02:03"), as media:content and itunes:duration do.
func parseMediaDuration(s string) time.Duration {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	var total float64
	parts := strings.Split(s, ":")
	if len(parts) > 3 {
		return 0
	}
	for _, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || v < 0 || v > 1e7 {
			return 0
		}
		total = total*60 + v
	}
	if total > 1e7 { // about 4 months: not a talk
		return 0
	}
	return time.Duration(total * float64(time.Second)).Round(time.Second)
}
