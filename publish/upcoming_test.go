package publish

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

// upcomingItems are a talk already given, a talk announced on 20 February
// for 3 March at 14:00 UTC+01:00 in a room, and an all-day workshop on 10 March.
func upcomingItems() []talkstream.Item {
	entry := func(src, title string) []talkstream.ItemEntry {
		return []talkstream.ItemEntry{{Role: talkstream.RoleEvent, Entry: talkstream.Entry{SourceID: src, Title: title}}}
	}
	cet := time.FixedZone("CET", 3600)
	return []talkstream.Item{
		{ID: "past0000000001", Kind: talkstream.KindTalk, Title: "A talk given", Link: "https://example.org/past", Tags: []string{"history"},
			Published: date(2026, 2, 1), Updated: date(2026, 2, 1), Start: date(2026, 2, 1), AllDay: true,
			Entries: entry("mirage-blog", "A talk given")},
		{ID: "soon0000000001", Kind: talkstream.KindTalk, Title: "Unikernels, soon; with commas, too",
			Link: "https://example.org/soon", Summary: "<p>What <b>MirageOS</b> does next.</p>", Speakers: []string{"anil"},
			Tags: []string{"xen"}, Published: date(2026, 2, 20), Updated: date(2026, 2, 20),
			Start: time.Date(2026, 3, 3, 14, 0, 0, 0, cet), Duration: 40 * time.Minute, Location: "Room K.1.105 (Brussels)",
			Entries: entry("mirage-blog", "Unikernels, soon")},
		{ID: "later000000001", Kind: talkstream.KindTalk, Title: "A workshop later", Link: "https://example.org/later",
			Published: date(2026, 2, 25), Updated: date(2026, 2, 25), Start: date(2026, 3, 10), AllDay: true,
			Entries: entry("mirage-blog", "A workshop later")},
	}
}

func streamItemIDs(t *testing.T, s *testSite, prefix string) []string {
	t.Helper()
	ms, err := s.store.Members(context.Background(), prefix, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ItemID)
	}
	return ids
}

// TestUpcoming follows two upcoming talks as the clock passes their
// starts: on /upcoming/ and above the main page until then, in the main
// stream (at their start) and the facets from then on; a Sync between two
// starts reads and renders nothing.
func TestUpcoming(t *testing.T) {
	ctx := context.Background()
	p, st, err := newTestPublisher(t, fixtureOptions(), upcomingItems(), fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name           string
		at             time.Time
		rendered       int
		main, upcoming []string
	}{
		{name: "before both", at: now, main: []string{"past0000000001"}, upcoming: []string{"later000000001", "soon0000000001"}},
		{name: "an hour later: nothing to do", at: now.Add(time.Hour), rendered: 0,
			main: []string{"past0000000001"}, upcoming: []string{"later000000001", "soon0000000001"}},
		{name: "the first has begun", at: time.Date(2026, 3, 3, 13, 0, 0, 0, time.UTC), rendered: 1,
			main: []string{"soon0000000001", "past0000000001"}, upcoming: []string{"later000000001"}},
		{name: "both", at: date(2026, 3, 11), rendered: 1,
			main: []string{"later000000001", "soon0000000001", "past0000000001"}},
	}
	for i, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			if i > 0 {
				if due := p.UpcomingDue(step.at); due != (step.rendered > 0) {
					t.Errorf("UpcomingDue = %v, want %v", due, step.rendered > 0)
				}
				stats, err := p.Sync(ctx, fixtureSources(), step.at)
				if err != nil {
					t.Fatal(err)
				}
				if stats.Rendered != step.rendered {
					t.Errorf("rendered %d, want %d", stats.Rendered, step.rendered)
				}
			}
			s, err := assembleAll(p, st)
			if err != nil {
				t.Fatal(err)
			}
			if got := streamItemIDs(t, s, "/"); !slices.Equal(got, step.main) {
				t.Errorf("main stream %v, want %v", got, step.main)
			}
			if got := streamItemIDs(t, s, upcomingPrefix); !slices.Equal(got, step.upcoming) {
				t.Errorf("upcoming %v, want %v", got, step.upcoming)
			}
			home := string(body(t, s, "/"))
			section, _, _ := strings.Cut(home, `<section class="year"`)
			if has := strings.Contains(section, `id="upcoming-title"`); has != (len(step.upcoming) > 0) {
				t.Errorf("main page has an Upcoming section: %v, want %v", has, len(step.upcoming) > 0)
			}
			// Soonest first, in the section and on /upcoming/.
			for _, page := range []string{section, string(body(t, s, upcomingPrefix))} {
				last := -1
				for _, id := range []string{"soon0000000001", "later000000001"} {
					at := strings.Index(page, anchorID(id))
					if slices.Contains(step.upcoming, id) != (at >= 0) {
						t.Errorf("%s shown %v, want %v", id, at >= 0, slices.Contains(step.upcoming, id))
					}
					if at >= 0 && at < last {
						t.Errorf("%s before the sooner talk", id)
					}
					last = max(last, at)
				}
			}
			// A facet's page shows its own upcoming talks above its stream.
			facet, _, _ := strings.Cut(string(body(t, s, "/kinds/talk/")), `<section class="year"`)
			for _, id := range []string{"soon0000000001", "later000000001"} {
				if slices.Contains(step.upcoming, id) != strings.Contains(facet, anchorID(id)) {
					t.Errorf("/kinds/talk/ shows %s above its stream: %v", id, !slices.Contains(step.upcoming, id))
				}
			}
			// Nor another facet's.
			if other := string(body(t, s, "/tags/history/")) + string(body(t, s, "/tags/history/talks.ics")); strings.Contains(other, "soon0000000001") ||
				strings.Contains(other, "later000000001") {
				t.Errorf("/tags/history/ shows a talk that is not tagged history")
			}
			speaker := streamItemIDs(t, s, "/speakers/anil/")
			if in := slices.Contains(speaker, "soon0000000001"); in == slices.Contains(step.upcoming, "soon0000000001") {
				t.Errorf("upcoming talk in its speaker's stream: %v", in)
			}
			if rss := string(body(t, s, "/upcoming/rss.xml")); strings.Contains(rss, "Unikernels, soon") != slices.Contains(step.upcoming, "soon0000000001") {
				t.Errorf("/upcoming/rss.xml:\n%s", rss)
			}
			// Every talk with a start is in the main calendar, upcoming or not.
			ics := string(body(t, s, "/talks.ics"))
			for _, id := range []string{"past0000000001", "soon0000000001", "later000000001"} {
				if !strings.Contains(ics, "UID:"+id+"@talks.example.org\r\n") {
					t.Errorf("/talks.ics has no %s:\n%s", id, ics)
				}
			}
			// A facet's calendar has its talks, to come or given.
			if ics := string(body(t, s, "/kinds/talk/talks.ics")); !strings.Contains(ics, "UID:soon0000000001@") {
				t.Errorf("the talks' calendar lacks the talk:\n%s", ics)
			}
		})
	}
	// In the stream, the talk announced in advance is at its start.
	ms, err := st.Members(ctx, "/", nil, 10)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 3, 13, 0, 0, 0, time.UTC); !ms[1].Published.Equal(want) {
		t.Errorf("placed at %v, want its start %v", ms[1].Published, want)
	}
}

// TestCard checks what a card says of a talk's time and place.
func TestTalkCard(t *testing.T) {
	s, err := renderSite(t, fixtureOptions(), upcomingItems(), fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	page := string(body(t, s, upcomingPrefix))
	for _, want := range []string{
		`<time datetime="2026-03-03T14:00:00&#43;01:00">Tue 3 Mar 2026, 14:00 UTC&#43;01:00, 40 min</time>`,
		`<span class="where">Room K.1.105 (Brussels)</span>`,
		`<time datetime="2026-03-10">Tue 10 Mar 2026</time>`,
		`<span class="soon">Upcoming</span>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/upcoming/ lacks %s", want)
		}
	}
}

// TestTalkTimeOrder checks where an item goes by its talk's start: the
// stream it is in and its place there.
func TestTalkTimeOrder(t *testing.T) {
	published := date(2026, 1, 10)
	tests := []struct {
		name      string
		start     time.Time
		published time.Time
		upcoming  bool
		order     time.Time
	}{
		{name: "no start", published: published, order: published},
		{name: "announced ahead, to come", start: date(2026, 4, 1), published: published, upcoming: true, order: date(2026, 4, 1)},
		{name: "announced ahead, given: at its start", start: date(2026, 2, 1), published: published, order: date(2026, 2, 1)},
		{name: "first seen after it: its own date", start: date(2025, 12, 1), published: published, order: published},
		{name: "undated, given", start: date(2025, 12, 1), order: date(2025, 12, 1)},
		{name: "a start in 2099: upcoming, not on top", start: date(2099, 1, 1), published: published, upcoming: true, order: date(2099, 1, 1)},
		{name: "year 10000: ignored", start: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), published: published, order: published},
		{name: "year 999: ignored", start: time.Date(999, 1, 1, 0, 0, 0, 0, time.UTC), published: published, order: published},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &itemView{item: &talkstream.Item{Start: tt.start}, published: tt.published}
			(&renderer{now: now}).talkTime(v)
			if v.upcoming != tt.upcoming || !v.order.Equal(tt.order) {
				t.Errorf("upcoming %v order %v, want %v %v", v.upcoming, v.order, tt.upcoming, tt.order)
			}
		})
	}
}
