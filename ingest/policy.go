package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
)

// MaxWait caps every wait between two checks of a source: backoff after
// errors, Retry-After, a feed's ttl, Cache-Control. Polling slows down but
// never stops for good (only 410 Gone stops it). A source whose own refresh
// is longer than this keeps its refresh.
const MaxWait = 24 * time.Hour

// Jitter is the spread around each next check (±10 %), so that sources
// configured together do not hit their hosts together forever.
const Jitter = 0.10

// Backoff is the wait after n consecutive errors: interval × 2^n, capped at
// MaxWait (or the interval itself, when that is longer).
func Backoff(interval time.Duration, n int) time.Duration {
	limit := max(MaxWait, interval)
	d := interval
	for range n {
		if d >= limit {
			break
		}
		d *= 2
	}
	return min(d, limit)
}

// Next decides when a source is checked again after a fetch that ended at
// now, and why. It returns the wait before jitter and the floor jitter may
// not go under (a wait the server or feed asked for).
//
//   - success: the source's refresh, raised to the feed's ttl/sy:updatePeriod
//     and the response's Cache-Control max-age or Expires;
//   - error: the refresh × 2^errors, raised to Retry-After on a 429 or 503;
//
// everything capped at MaxWait (or the refresh, when longer).
func Next(refresh time.Duration, res *fetch.Result, ferr error, errs int) (wait, floor time.Duration) {
	if refresh <= 0 {
		refresh = time.Hour
	}
	limit := max(MaxWait, refresh)
	if ferr != nil {
		wait = Backoff(refresh, errs)
		var fe *fetch.Error
		if errors.As(ferr, &fe) && fe.RetryAfter > 0 {
			floor = min(fe.RetryAfter, limit)
			wait = max(wait, floor)
		}
		return wait, floor
	}
	floor = min(max(res.TTL, res.Fresh), limit)
	return max(refresh, floor), floor
}

// jitter spreads d by ±Jitter, never below floor nor above limit.
func jitter(d, floor, limit time.Duration, r float64) time.Duration {
	j := time.Duration(float64(d) * (1 + Jitter*(2*r-1)))
	return min(max(j, floor), limit)
}

// nextState is the state to record for src after a fetch.
func (in *Ingester) nextState(src talkstream.Source, res *fetch.Result, ferr error, now time.Time, took time.Duration) talkstream.FetchState {
	st := src.State
	st.ConfigHash = ConfigHash(src)
	st.LastFetch, st.Duration = now.UTC(), took
	refresh := src.Refresh
	if refresh <= 0 {
		refresh = time.Hour
	}
	if in.opts.Pushed != nil && in.opts.Pushed(src.ID) {
		// The hub tells us of changes: polling is only a safety net.
		refresh = max(refresh, in.opts.PushedRefresh)
	}
	limit := max(MaxWait, refresh)
	if ferr != nil {
		var fe *fetch.Error
		st.LastStatus = 0
		if errors.As(ferr, &fe) {
			st.LastStatus = fe.Status
		}
		st.LastError, st.Warning = ferr.Error(), ""
		if src.Kind == talkstream.SourceCurated && src.Path != "" {
			// The error is shown on public pages (/status, the page's
			// source health): name the file as the config does.
			st.LastError = strings.ReplaceAll(st.LastError, src.Path, displayPath(src.Path, in.opts.ConfigDir))
		}
		st.Errors++
		st.Bytes = 0
		if errors.Is(ferr, fetch.ErrGone) {
			// Not polled again until the configuration changes (fresh).
			st.Gone, st.NextCheck = true, time.Time{}
			return st
		}
		wait, floor := Next(refresh, nil, ferr, st.Errors)
		st.NextCheck = now.Add(jitter(wait, floor, limit, in.opts.Rand())).UTC()
		return st
	}
	st.LastStatus, st.LastError, st.Errors, st.Gone = res.Status, "", 0, false
	st.Warning = res.Warning
	st.ETag, st.LastModified, st.TTL, st.Bytes = res.ETag, res.LastModified, res.TTL, res.Bytes
	if res.BodyHash != "" {
		st.BodyHash = res.BodyHash
	}
	if res.FeedTitle != "" {
		st.FeedTitle = res.FeedTitle
	}
	if res.FeedLink != "" {
		st.FeedLink = res.FeedLink
	}
	st.Format, st.Followed = res.Format, res.Followed
	if !res.NotModified && !res.Unchanged {
		st.Entries = len(res.Entries)
	}
	// A permanent redirect is followed from then on; one back to the
	// configured URL undoes the move. 302/307 leave MovedTo alone.
	if res.MovedTo != "" {
		st.MovedTo = res.MovedTo
		if res.MovedTo == src.URL {
			st.MovedTo = ""
		}
	}
	wait, floor := Next(refresh, res, nil, 0)
	st.NextCheck = now.Add(jitter(wait, floor, limit, in.opts.Rand())).UTC()
	return st
}

// ConfigHash identifies what of a source's configuration its fetch state
// depends on: where it is fetched from, how often, and what its entries
// become (filters, speakers, tags, kind). Titles and home pages are left
// out: changing them needs no refetch.
func ConfigHash(s talkstream.Source) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kind=%s\nurl=%s\npath=%s\nrefresh=%d\n", s.Kind, s.URL, s.Path, s.Refresh)
	fmt.Fprintf(&b, "speakers=%q\ntags=%q\n", s.Speakers, s.Tags)
	if s.Include != nil {
		fmt.Fprintf(&b, "include=%s\n", s.Include)
	}
	if s.Exclude != nil {
		fmt.Fprintf(&b, "exclude=%s\n", s.Exclude)
	}
	if s.Select != nil {
		fmt.Fprintf(&b, "select=%q\n", *s.Select)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:8])
}
