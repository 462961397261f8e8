package publish

import (
	"context"
	"html/template"
	"time"

	"github.com/talkstream/talkstream/publish/index"
)

// Upcoming talks. An item whose talk starts after the time Sync was given
// (its now) is upcoming: it is a member of the stream /upcoming/ only,
// ordered by its start, and the main page lists the soonest above its own
// stream (a facet's first page those of the facet, told from the items'
// JSON Feed extension). A reader expects the main stream and the facets to be what has
// happened, so an upcoming talk stays out of them until its start. When a
// Sync's now passes that start, the item is rendered again although
// nothing changed it (the store gives it a new revision, index.TouchItems):
// it leaves /upcoming/ and takes its place in the main stream and its
// facets at its start. A talk announced before it took place is placed at
// its start, not at the announcement's date; a talk first seen after it
// took place (a recording, a historic talk) keeps its own date. The
// recording that appears later merges into the same item by its keys.
//
// The check is cheap: the snapshot remembers the soonest upcoming start,
// and a Sync before it compares two times and reads nothing.

// upcomingPrefix is the stream of upcoming talks.
const upcomingPrefix = "/upcoming/"

// upcomingShown is how many upcoming talks the main page lists.
const upcomingShown = 10

// upcomingTitle is /upcoming/'s title and description.
func (p *Publisher) upcomingTitle() (title, description string) {
	return "Upcoming talks — " + p.opts.Title, "Talks still to come in " + p.opts.Title + ", soonest first."
}

// talkTime fills in a view's talk time and place, whether it is upcoming,
// and its place in its streams (order).
func (r *renderer) talkTime(v *itemView) {
	it := v.item
	v.order = v.published
	if it.Start.IsZero() || it.Start.Year() < 1000 || it.Start.Year() > 9999 {
		return // no start, or one no calendar can write
	}
	v.start, v.allDay, v.duration, v.location = it.Start, it.AllDay, max(it.Duration, 0), cleanText(it.Location)
	v.upcoming = it.Start.After(r.now)
	if start := it.Start.UTC(); v.upcoming || v.order.IsZero() || v.order.Before(start) {
		v.order = start
	}
}

// due returns the upcoming talks whose start has come by now, soonest
// first.
func (p *Publisher) due(ctx context.Context, now time.Time) ([]string, error) {
	var ids []string
	var from *index.After
	for {
		ms, err := p.store.MembersFromOldest(ctx, upcomingPrefix, from, syncBatch)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Published.After(now) {
				return ids, nil
			}
			ids = append(ids, m.ItemID)
		}
		if len(ms) < syncBatch {
			return ids, nil
		}
		last := ms[len(ms)-1]
		from = &index.After{Published: last.Published, ItemID: last.ItemID}
	}
}

// nextStart is the soonest upcoming start (zero when nothing is upcoming):
// the time the next Sync has to look again.
func (p *Publisher) nextStart(ctx context.Context) (time.Time, error) {
	ms, err := p.store.MembersFromOldest(ctx, upcomingPrefix, nil, 1)
	if err != nil || len(ms) == 0 {
		return time.Time{}, err
	}
	return ms[0].Published, nil
}

// UpcomingDue says whether an upcoming talk's start has come by now since
// the last Sync, so that a Sync would move it into the stream. It reads
// nothing; Sync makes the same check before reading anything else.
func (p *Publisher) UpcomingDue(now time.Time) bool {
	s := p.cur.Load()
	return s != nil && s.isDue(now)
}

// isDue says whether an upcoming talk's start has come by now, so that a
// Sync must render again.
func (s *snapshot) isDue(now time.Time) bool {
	return !s.nextStart.IsZero() && !now.Before(s.nextStart)
}

// upcomingOf returns up to limit upcoming talks that belong to a stream,
// soonest first, with their JSON Feed items: every one for the main
// stream, the facet's for a facet (told from the items' _talkstream, as
// upcoming talks are in no facet's stream yet), none for /upcoming/, whose
// own members they are.
func (p *Publisher) upcomingOf(ctx context.Context, s *snapshot, st *streamView, limit int) ([]index.Member, map[string]*calendarItem, error) {
	if st == s.upcoming || s.upcoming == nil || s.upcoming.Count == 0 {
		return nil, nil, nil
	}
	ms, err := p.store.MembersFromOldest(ctx, upcomingPrefix, nil, calendarUpcoming)
	if err != nil {
		return nil, nil, err
	}
	items, err := p.jsonItems(ctx, ms, p.readFragments)
	if err != nil {
		return nil, nil, err
	}
	var out []index.Member
	for _, m := range ms {
		if it, ok := items[m.ItemID]; ok && (st == s.main || inFacet(st.facet, it)) && len(out) < limit {
			out = append(out, m)
		}
	}
	return out, items, nil
}

// upcomingCards are the cards of the soonest upcoming talks of a stream,
// for its first page at root, and how many there are of them.
func (p *Publisher) upcomingCards(ctx context.Context, s *snapshot, st *streamView, root string) ([]template.HTML, int, error) {
	ms, _, err := p.upcomingOf(ctx, s, st, calendarUpcoming)
	if err != nil || len(ms) == 0 {
		return nil, 0, err
	}
	total := len(ms)
	ms = ms[:min(len(ms), upcomingShown)]
	ids := memberIDs(ms)
	frags, err := p.store.Fragments(ctx, ids, index.Card)
	if err != nil {
		return nil, 0, err
	}
	var out []template.HTML
	for _, id := range ids {
		if f, ok := frags[id]; ok {
			out = append(out, cardAt(f.Card, root))
		}
	}
	return out, total, nil
}
