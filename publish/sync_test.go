package publish

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
	"github.com/talkstream/talkstream/store"
)

// TestSyncRendersOnlyChanges: a Sync renders exactly the items whose
// revision changed; with nothing new it renders nothing and changes no
// stream; a change of options renders everything once.
func TestSyncRendersOnlyChanges(t *testing.T) {
	ctx := context.Background()
	p, st, err := newTestPublisher(t, fixtureOptions(), fixtureItems(), fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	before := p.cur.Load()

	stats, err := p.Sync(ctx, fixtureSources(), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stats, SyncStats{}) {
		t.Errorf("a Sync with nothing new: %+v, want nothing done", stats)
	}
	if after := p.cur.Load(); after.version != before.version {
		t.Errorf("version moved from %d to %d with nothing new", before.version, after.version)
	}

	// One item changes: one is rendered, the streams it is in get a new
	// version, the others keep theirs.
	items := fixtureItems()
	changed := items[len(items)-1]
	changed.Summary = "A new summary."
	if err := putItems(ctx, st, []talkstream.Item{changed}); err != nil {
		t.Fatal(err)
	}
	stats, err = p.Sync(ctx, fixtureSources(), now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if stats.Rendered != 1 || stats.Changed != 1 || stats.Full {
		t.Errorf("one change: %+v", stats)
	}
	after := p.cur.Load()
	var moved []string
	for prefix, sv := range after.streams {
		if sv.Version != before.streams[prefix].Version {
			moved = append(moved, prefix)
		}
	}
	slices.Sort(moved)
	// The fixture's last item: news by anil and a speaker named in the
	// feed, tagged release.
	want := []string{"/", "/kinds/news/", "/speakers/anil/", "/speakers/eve-img-src-x/", "/tags/release/"}
	if !slices.Equal(moved, want) {
		t.Errorf("streams with a new version: %v, want the changed item's %v", moved, want)
	}

	// Other options: every item rendered again, once.
	opts := fixtureOptions()
	opts.Title = "Another title"
	p2, err := New(opts, st)
	if err != nil {
		t.Fatal(err)
	}
	if stats, err = p2.Sync(ctx, fixtureSources(), now.Add(3*time.Hour)); err != nil || !stats.Full || stats.Rendered != len(items) {
		t.Errorf("new options: %+v, %v; want all %d items rendered", stats, err, len(items))
	}
	if stats, err = p2.Sync(ctx, fixtureSources(), now.Add(4*time.Hour)); err != nil || stats.Rendered != 0 {
		t.Errorf("then again: %+v, %v; want nothing rendered", stats, err)
	}

	// Options only headers read (a WebSub hub, max age, page size): no
	// item rendered again, but every stream gets a new version, so every
	// output a new ETag and Last-Modified.
	before = p2.cur.Load()
	opts.Hub = "https://hub.example/"
	opts.MaxAge = 7 * time.Minute
	p3, err := New(opts, st)
	if err != nil {
		t.Fatal(err)
	}
	stats, err = p3.Sync(ctx, fixtureSources(), now.Add(5*time.Hour))
	if err != nil || stats.Full || stats.Rendered != 0 || len(stats.ChangedStreams) != len(before.streams) {
		t.Errorf("a hub: %+v, %v; want nothing rendered, all %d streams changed", stats, err, len(before.streams))
	}
	for prefix, sv := range p3.cur.Load().streams {
		if old, ok := before.streams[prefix]; ok && sv.Version == old.Version {
			t.Errorf("%s kept version %d after the hub changed", prefix, sv.Version)
		}
	}
	if stats, err = p3.Sync(ctx, fixtureSources(), now.Add(6*time.Hour)); err != nil || stats.Rendered != 0 || stats.Streams != 0 {
		t.Errorf("then again: %+v, %v; want nothing done", stats, err)
	}
}

// TestSyncFullRewritesFragments: a Sync under another fragments
// fingerprint stores every fragment again, even one whose text (and so
// hash) it had: fragments kept in a form this version cannot read (an
// older stored form) are replaced, not left behind.
func TestSyncFullRewritesFragments(t *testing.T) {
	ctx := context.Background()
	items := fixtureItems()
	_, st, err := newTestPublisher(t, fixtureOptions(), items, fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	frags, err := st.Fragments(ctx, ids, index.RSS, index.Atom, index.JSON, index.Card)
	if err != nil {
		t.Fatal(err)
	}
	err = st.UpdatePublish(ctx, func(tx index.Tx) error {
		kept, err := tx.FragmentStreams(ids)
		if err != nil {
			return err
		}
		var old []*index.Fragment
		for id, f := range frags {
			f.Hash, f.Streams = kept[id].Hash, kept[id].Streams                 // the same hash
			f.RSS = deflateSegment([]byte("<item>an older stored form</item>")) // unreadable now
			old = append(old, f)
		}
		return tx.PutFragments(old)
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := fixtureOptions()
	opts.Title = "Another title" // reaches fragments' fingerprint, not their text
	p, err := New(opts, st)
	if err != nil {
		t.Fatal(err)
	}
	if stats, err := p.Sync(ctx, fixtureSources(), now.Add(time.Hour)); err != nil || !stats.Full {
		t.Fatalf("new options: %+v, %v", stats, err)
	}
	frags, err = st.Fragments(ctx, ids, index.RSS)
	if err != nil {
		t.Fatal(err)
	}
	for id, f := range frags {
		var b bytes.Buffer
		if err := appendFeedText(&b, f.RSS); err != nil || !bytes.Contains(b.Bytes(), []byte("<guid")) {
			t.Errorf("%s: RSS fragment %.80q, %v: the older form was kept", id, b.String(), err)
		}
	}
}

// TestSyncSourceNames: a source added to the config renders nothing again
// (it has no entries yet); a renamed source renders again exactly the
// items it has entries in, and only the streams whose items now read
// differently get a new version.
func TestSyncSourceNames(t *testing.T) {
	ctx := context.Background()
	items := fixtureItems()
	p, st, err := newTestPublisher(t, fixtureOptions(), items, fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	sources := append(fixtureSources(), talkstream.Source{ID: "newcomer", Kind: talkstream.SourceBlog, URL: "https://new.example/feed", Title: "A newcomer"})
	stats, err := p.Sync(ctx, sources, now.Add(time.Hour))
	if err != nil || stats.Rendered != 0 || stats.Full {
		t.Errorf("a source added: %+v, %v; want nothing rendered", stats, err)
	}

	var mort int
	for _, it := range items {
		for _, ie := range it.Entries {
			if ie.Entry.SourceID == "mort" {
				mort++
				break
			}
		}
	}
	if mort == 0 || mort == len(items) {
		t.Fatalf("the fixture has %d of %d items with an entry from mort: the test needs some, not all", mort, len(items))
	}
	for i := range sources {
		if sources[i].ID == "mort" {
			sources[i].Title = "Mort, renamed"
		}
	}
	stats, err = p.Sync(ctx, sources, now.Add(2*time.Hour))
	if err != nil || stats.Rendered != mort || stats.Renamed != mort || stats.Full {
		t.Errorf("mort renamed: %+v, %v; want the %d items of mort rendered again", stats, err, mort)
	}
	if stats, err = p.Sync(ctx, sources, now.Add(3*time.Hour)); err != nil || stats.Rendered != 0 {
		t.Errorf("then again: %+v, %v; want nothing rendered", stats, err)
	}

	// A publisher started afresh on the same store and sources agrees.
	p2, err := New(fixtureOptions(), st)
	if err != nil {
		t.Fatal(err)
	}
	if stats, err = p2.Sync(ctx, sources, now.Add(4*time.Hour)); err != nil || stats.Rendered != 0 {
		t.Errorf("a new publisher: %+v, %v; want nothing rendered", stats, err)
	}
}

// TestSyncHiddenAndVanished: an item hidden by moderation leaves every
// stream, and a facet it alone had vanishes with its outputs.
func TestSyncHiddenAndVanished(t *testing.T) {
	ctx := context.Background()
	items := fixtureItems()
	p, st, err := newTestPublisher(t, fixtureOptions(), items, fixtureSources(), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := p.lookup(p.cur.Load(), "/tags/release/"); !ok {
		t.Fatal("no /tags/release/ to begin with")
	}
	// Hide the one item tagged release.
	var rel talkstream.Item
	for _, it := range items {
		if slices.Contains(it.Tags, "release") {
			rel = it
		}
	}
	if err := hideItem(ctx, st, rel); err != nil {
		t.Fatal(err)
	}
	stats, err := p.Sync(ctx, fixtureSources(), now.Add(time.Hour))
	if err != nil || stats.Removed != 1 {
		t.Fatalf("Sync: %+v, %v; want one item removed", stats, err)
	}
	s, err := assembleAll(p, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.outputs["/tags/release/"]; ok {
		t.Error("the vanished tag still has outputs")
	}
	for path, o := range s.outputs {
		if o.kind != kindAsset && containsBytes(o.body, rel.Link) {
			t.Errorf("%s still shows the hidden item", path)
		}
	}
}

// TestSlugsKept: a facet keeps its slug once given, even when a label that
// sorts before it and has the same slug comes later.
func TestSlugsKept(t *testing.T) {
	ctx := context.Background()
	opts := Options{Title: "T", BaseURL: "https://example.org/"}
	first := []talkstream.Item{{ID: "a", Title: "a", Link: "https://example.org/a", Published: date(2024, 1, 1), Tags: []string{"c"}}}
	p, st, err := newTestPublisher(t, opts, first, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	later := talkstream.Item{ID: "b", Title: "b", Link: "https://example.org/b", Published: date(2024, 1, 2), Tags: []string{"C"}}
	if err := putItems(ctx, st, []talkstream.Item{later}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Sync(ctx, nil, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	s, err := assembleAll(p, st)
	if err != nil {
		t.Fatal(err)
	}
	if got := feedTitles(t, s, "/tags/c/atom.xml"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("/tags/c/ = %v, want the first tag's item", got)
	}
	if got := feedTitles(t, s, "/tags/c-2/atom.xml"); !slices.Equal(got, []string{"b"}) {
		t.Errorf("/tags/c-2/ = %v, want the later tag's item", got)
	}
}

// TestSyncTwoProcesses: two processes on one SQLite file (serve, and a
// build beside it) publish in turn, so a stream's version never goes back
// nor is given twice: after every round of concurrent Syncs, the state's
// version is past every stream's, and it moved on.
func TestSyncTwoProcesses(t *testing.T) {
	ctx := context.Background()
	items := fixtureItems()
	db := t.TempDir() + "/talkstream.db"
	var pubs []*Publisher
	var st1 *store.Store
	for i := range 2 {
		st, err := store.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if i == 0 {
			st1 = st
			if err := putItems(ctx, st, items); err != nil {
				t.Fatal(err)
			}
		}
		p, err := New(fixtureOptions(), st)
		if err != nil {
			t.Fatal(err)
		}
		pubs = append(pubs, p)
	}
	last := int64(0)
	for round := range 6 {
		it := items[round%len(items)]
		it.Title += fmt.Sprintf(" (round %d)", round)
		if err := putItems(ctx, st1, []talkstream.Item{it}); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for _, p := range pubs {
			go func() {
				_, err := p.Sync(ctx, fixtureSources(), now.Add(time.Duration(round)*time.Minute))
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		state, err := st1.PublishState(ctx)
		if err != nil {
			t.Fatal(err)
		}
		streams, err := st1.Streams(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range streams {
			if s.Version > state.Version {
				t.Errorf("round %d: stream %s has version %d, past the state's %d", round, s.Prefix, s.Version, state.Version)
			}
		}
		if state.Version <= last {
			t.Errorf("round %d: version %d after %d", round, state.Version, last)
		}
		last = state.Version
	}
}

// TestOPMLLastModified: sources.opml's Last-Modified is when its bytes
// changed. A fetch that changes nothing it lists (a 304, new entries)
// leaves it, in this process and in a publisher started afresh; a source
// renamed by its feed moves it to that fetch.
func TestOPMLLastModified(t *testing.T) {
	ctx := context.Background()
	sources := fixtureSources()
	p, st, err := newTestPublisher(t, fixtureOptions(), fixtureItems(), sources, now)
	if err != nil {
		t.Fatal(err)
	}
	lastMod := func(p *Publisher) string {
		t.Helper()
		w := serve(p, "GET", "/sources.opml", nil)
		if w.Code != 200 {
			t.Fatalf("GET /sources.opml: %d", w.Code)
		}
		return w.Header().Get("Last-Modified")
	}
	first := lastMod(p)
	if first == "" || first == epoch.Format(http.TimeFormat) {
		t.Fatalf("Last-Modified %q, want the newest fetch", first)
	}

	later := now.Add(time.Hour)
	sources[1].State.LastFetch, sources[1].State.LastStatus = later, 304
	if _, err := p.Sync(ctx, sources, later); err != nil {
		t.Fatal(err)
	}
	if got := lastMod(p); got != first {
		t.Errorf("after a fetch that changed nothing listed: %s, want %s", got, first)
	}
	p2, err := New(fixtureOptions(), st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p2.Sync(ctx, sources, later); err != nil {
		t.Fatal(err)
	}
	if got := lastMod(p2); got != first {
		t.Errorf("a new publisher: %s, want %s", got, first)
	}

	latest := later.Add(time.Hour)
	sources[0].State.LastFetch, sources[0].State.FeedTitle = latest, "The MirageOS Blog, renamed"
	if _, err := p2.Sync(ctx, sources, latest); err != nil {
		t.Fatal(err)
	}
	if got, want := lastMod(p2), latest.Format(http.TimeFormat); got != want {
		t.Errorf("after the feed renamed itself: %s, want %s", got, want)
	}
}
