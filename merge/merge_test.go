package merge

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

// now is the fixed "current time" of every Apply in these tests.
var now = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

const ytID = "dQw4w9WgXcQ"

func testOptions() Options {
	return Options{
		Sources: []talkstream.Source{
			{ID: "tube", Kind: talkstream.SourceYouTube},
			{ID: "vim", Kind: talkstream.SourceVimeo},
			{ID: "anil", Kind: talkstream.SourcePerson, Speakers: []string{"anil"}},
			{ID: "blog", Kind: talkstream.SourceBlog, Tags: []string{"mirageos"}},
			{ID: "talks", Kind: talkstream.SourceCurated},
			{ID: "conf", Kind: talkstream.SourceEvents},
			{ID: "picky", Kind: talkstream.SourcePerson, Speakers: []string{"mort"},
				Include: regexp.MustCompile(`(?i)mirage|unikernel`), Exclude: regexp.MustCompile(`(?i)cooking`)},
		},
		Speakers: []Speaker{
			{ID: "anil", Name: "Anil Madhavapeddy", Aliases: []string{"avsm"}},
			{ID: "mort", Name: "Richard Mortier", Aliases: []string{"mor1"}},
		},
		Events: []Event{
			{ID: "fosdem", Name: "FOSDEM", Match: regexp.MustCompile(`(?i)\bfosdem\b`)},
			{ID: "qcon", Name: "QCon", Match: regexp.MustCompile(`(?i)\bqcon\b`)},
		},
		Rules: []Rule{
			{Match: regexp.MustCompile(`(?i)\bunikernels?\b`), Tags: []string{"unikernels"}},
			{Match: regexp.MustCompile(`(?i)\bpodcast\b`), Tags: []string{"audio"}, Kind: talkstream.KindPodcast},
		},
	}
}

func source(t testing.TB, m *Merger, id string) talkstream.Source {
	t.Helper()
	s, ok := m.sources[id]
	if !ok {
		t.Fatalf("no source %s", id)
	}
	return *s
}

func apply(t *testing.T, m *Merger, tx *fakeTx, sourceID string, entries ...talkstream.Entry) Stats {
	t.Helper()
	st, err := m.Apply(tx, source(t, m, sourceID), entries, now)
	if err != nil {
		t.Fatalf("Apply(%s): %v", sourceID, err)
	}
	tx.check(t)
	return st
}

// The fixtures: one YouTube upload, the speaker's post embedding it, a
// roundup linking it among others.
func tubeEntry() talkstream.Entry {
	v := talkstream.NewVideo("youtube", ytID)
	v.Channel = "FOSDEM"
	v.Duration = 42 * time.Minute
	return talkstream.Entry{
		GUID:      "yt:video:" + ytID,
		Link:      "https://www.youtube.com/watch?v=" + ytID,
		Title:     "FOSDEM 2014 - unikernels (upload 1234)",
		Summary:   "Uploaded by the FOSDEM video team.",
		Published: time.Date(2014, 2, 3, 9, 0, 0, 0, time.UTC),
		Updated:   time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
		Video:     v,
		Thumbnail: "https://i.ytimg.com/vi/" + ytID + "/maxresdefault.jpg",
	}
}

func postEntry(t testing.TB) talkstream.Entry {
	return talkstream.Entry{
		GUID:      "https://anil.recoil.org/notes/fosdem-2014",
		Link:      "https://anil.recoil.org/notes/fosdem-2014",
		Title:     "My unikernels talk at FOSDEM 2014",
		Content:   readTestdata(t, "post-one-video.html"),
		Authors:   []string{"Anil Madhavapeddy"},
		Published: time.Date(2014, 2, 1, 18, 0, 0, 0, time.UTC),
	}
}

func roundupEntry(t testing.TB) talkstream.Entry {
	return talkstream.Entry{
		GUID:      "https://mirageos.org/blog/this-month",
		Link:      "https://mirageos.org/blog/this-month",
		Title:     "This month in MirageOS",
		Content:   readTestdata(t, "roundup.html"),
		Published: time.Date(2014, 3, 1, 0, 0, 0, 0, time.UTC),
	}
}

func hasLine(lines []string, prefix, part string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) && strings.Contains(l, part) {
			return true
		}
	}
	return false
}

func TestApplySameVideo(t *testing.T) {
	tests := []struct {
		name  string
		order []string // source ids in the order they are applied
	}{
		{"video first", []string{"tube", "anil"}},
		{"post first", []string{"anil", "tube"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, tx := New(testOptions()), newFakeTx()
			entries := map[string]talkstream.Entry{"tube": tubeEntry(), "anil": postEntry(t)}
			for _, src := range tt.order {
				if st := apply(t, m, tx, src, entries[src]); st.New != 1 {
					t.Fatalf("Apply(%s) = %v, want 1 new", src, st)
				}
			}
			ids := tx.itemIDs()
			if len(ids) != 1 {
				t.Fatalf("got %d items %v, want 1", len(ids), ids)
			}
			it := tx.item(t, ids[0])
			if first := tt.order[0]; it.ID != ItemID(first, EntryID(ptr(entries[first]))) {
				t.Errorf("item id %s is not the first entry's", it.ID)
			}
			if len(it.Entries) != 2 {
				t.Fatalf("item has %d entries, want 2", len(it.Entries))
			}
			if it.Title != "My unikernels talk at FOSDEM 2014" {
				t.Errorf("title %q, want the person post's", it.Title)
			}
			if it.Link != "https://anil.recoil.org/notes/fosdem-2014" {
				t.Errorf("link %q, want the person post's", it.Link)
			}
			if it.Video == nil || *it.Video != *tubeEntry().Video {
				t.Errorf("video %+v, want the youtube entry's %+v", it.Video, tubeEntry().Video)
			}
			if it.Thumbnail != tubeEntry().Thumbnail {
				t.Errorf("thumbnail %q, want the youtube entry's", it.Thumbnail)
			}
			if !slices.Contains(it.Speakers, "anil") {
				t.Errorf("speakers %v lack the person source's speaker anil", it.Speakers)
			}
			if it.Kind != talkstream.KindTalk {
				t.Errorf("kind %q, want talk", it.Kind)
			}
			if it.Event != "fosdem-2014" {
				t.Errorf("event %q, want fosdem-2014", it.Event)
			}
			if want := postEntry(t).Published; !it.Published.Equal(want) {
				t.Errorf("published %v, want the earliest claim %v", it.Published, want)
			}
			roles := map[talkstream.Role]int{}
			for _, ie := range it.Entries {
				roles[ie.Role]++
			}
			if roles[talkstream.RoleVideo] != 1 || roles[talkstream.RolePost] != 1 {
				t.Errorf("roles %v, want one video and one post", roles)
			}
			if !hasLine(it.Why, "entry "+tt.order[1]+"/", "joined by key video:youtube:"+ytID) {
				t.Errorf("Why does not say the second entry joined by the video key:\n%s", strings.Join(it.Why, "\n"))
			}
			if !hasLine(it.Why, "title and summary from anil/", "person source") {
				t.Errorf("Why does not say where the title came from:\n%s", strings.Join(it.Why, "\n"))
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestApplyCrossPost(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	apply(t, m, tx, "blog", talkstream.Entry{
		GUID:  "tag:mirageos.org,2013:announcing-mirage-10",
		Link:  "https://mirageos.org/blog/announcing-mirage-10",
		Title: "MirageOS 1.0: not just a hallucination!",
	})
	apply(t, m, tx, "anil", talkstream.Entry{
		GUID:  "https://anil.recoil.org/?p=1",
		Link:  "http://www.mirageos.org/blog/announcing-mirage-10/?utm_source=anil&utm_medium=rss",
		Title: "Mirage 1.0 is out",
	})
	if ids := tx.itemIDs(); len(ids) != 1 {
		t.Fatalf("got %d items, want 1", len(ids))
	}
	it := tx.item(t, tx.itemIDs()[0])
	if len(it.Entries) != 2 {
		t.Errorf("item has %d entries, want 2", len(it.Entries))
	}
	if !hasLine(it.Why, "entry anil/", "joined by key url:https://mirageos.org/blog/announcing-mirage-10") {
		t.Errorf("Why does not name the url key:\n%s", strings.Join(it.Why, "\n"))
	}
}

func TestApplyRoundupStaysSeparate(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	apply(t, m, tx, "tube", tubeEntry())
	apply(t, m, tx, "vim", talkstream.Entry{
		GUID: "https://vimeo.com/57412215", Link: "https://vimeo.com/57412215", Title: "Mirage at XenSummit",
		Video: talkstream.NewVideo("vimeo", "57412215"),
	})
	apply(t, m, tx, "blog", roundupEntry(t))
	ids := tx.itemIDs()
	if len(ids) != 3 {
		t.Fatalf("got %d items, want 3 (the roundup merged into a talk)", len(ids))
	}
	for _, id := range ids {
		if n := len(tx.item(t, id).Entries); n != 1 {
			t.Errorf("item %s has %d entries, want 1", id, n)
		}
	}
}

func TestApplyReapply(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	entries := []talkstream.Entry{tubeEntry(), roundupEntry(t)}
	entries[1].GUID = "roundup"
	if st := apply(t, m, tx, "blog", entries...); st != (Stats{New: 2}) {
		t.Fatalf("first Apply = %v, want 2 new", st)
	}
	before := len(tx.writes)

	tests := []struct {
		name string
		edit func(es []talkstream.Entry) []talkstream.Entry
		want Stats
	}{
		{"same entries", func(es []talkstream.Entry) []talkstream.Entry { return es }, Stats{Unchanged: 2}},
		{"only Updated changed", func(es []talkstream.Entry) []talkstream.Entry {
			es[0].Updated = es[0].Updated.Add(24 * time.Hour)
			es[1].Updated = now
			return es
		}, Stats{Unchanged: 2}},
		{"only Published changed", func(es []talkstream.Entry) []talkstream.Entry {
			es[0].Published = es[0].Published.Add(time.Hour)
			return es
		}, Stats{Unchanged: 2}},
		{"an exact duplicate in the feed", func(es []talkstream.Entry) []talkstream.Entry {
			return append(es, es[0])
		}, Stats{Unchanged: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es := tt.edit(slices.Clone(entries))
			tx.writes = tx.writes[:before]
			if st := apply(t, m, tx, "blog", es...); st != tt.want {
				t.Errorf("Apply = %v, want %v", st, tt.want)
			}
			if len(tx.writes) != before {
				t.Errorf("unchanged entries wrote: %v", tx.writes[before:])
			}
		})
	}
}

func TestApplyCollidingGUIDs(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	st := apply(t, m, tx, "blog",
		talkstream.Entry{GUID: "same", Link: "https://mirageos.org/blog/a", Title: "A"},
		talkstream.Entry{GUID: "same", Link: "https://mirageos.org/blog/b", Title: "B"},
	)
	if st != (Stats{New: 2}) {
		t.Errorf("Apply = %v, want 2 new", st)
	}
	for _, id := range []string{"same|https://mirageos.org/blog/a", "same|https://mirageos.org/blog/b"} {
		if se, _ := tx.Entry("blog", id); se == nil {
			t.Errorf("no entry %s", id)
		}
	}
	if n := len(tx.itemIDs()); n != 2 {
		t.Errorf("got %d items, want 2", n)
	}
}

func TestApplyTitleEdit(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	e := postEntry(t)
	apply(t, m, tx, "anil", e)
	id := tx.itemIDs()[0]
	e.Title = "My unikernels talk at FOSDEM 2014 (now with slides)"
	e.Updated = time.Date(2014, 2, 5, 0, 0, 0, 0, time.UTC)
	if st := apply(t, m, tx, "anil", e); st != (Stats{Updated: 1}) {
		t.Errorf("Apply = %v, want 1 updated", st)
	}
	ids := tx.itemIDs()
	if len(ids) != 1 || ids[0] != id {
		t.Fatalf("items %v, want only %s", ids, id)
	}
	it := tx.item(t, id)
	if it.Title != e.Title {
		t.Errorf("title %q, want %q", it.Title, e.Title)
	}
	if !it.Updated.Equal(e.Updated) {
		t.Errorf("updated %v, want the entry's own %v", it.Updated, e.Updated)
	}
	se, _ := tx.Entry("anil", EntryID(&e))
	if !se.FirstSeen.Equal(now) || se.Why != "first seen here" {
		t.Errorf("the update lost first-seen %v or why %q", se.FirstSeen, se.Why)
	}
}

// TestApplyEditKeepsPublished: an edit that claims a later publication
// date (an Atom entry without <published>, dated by the <updated> its
// publisher bumps) leaves the item where it was, and in its year's event.
func TestApplyEditKeepsPublished(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	e := postEntry(t)
	apply(t, m, tx, "anil", e)
	id := tx.itemIDs()[0]
	before := tx.item(t, id)
	e.Summary += " Now with slides."
	e.Published = time.Date(2014, 6, 1, 0, 0, 0, 0, time.UTC)
	e.Updated = e.Published
	if st := apply(t, m, tx, "anil", e); st != (Stats{Updated: 1}) {
		t.Errorf("Apply = %v, want 1 updated", st)
	}
	it := tx.item(t, id)
	if !it.Published.Equal(before.Published) || it.Event != before.Event {
		t.Errorf("published %v event %q, want %v %q as before the edit", it.Published, it.Event, before.Published, before.Event)
	}
	if !it.Updated.Equal(e.Updated) {
		t.Errorf("updated %v, want the edit's %v", it.Updated, e.Updated)
	}

	// A curator correcting a talk's date is taken at its word.
	c := talkstream.Entry{GUID: "talk-1", Title: "A talk on unikernels", Summary: "At a meetup.",
		Published: time.Date(2015, 5, 1, 0, 0, 0, 0, time.UTC)}
	apply(t, m, tx, "talks", c)
	c.Summary, c.Published = "At a meetup in September.", time.Date(2015, 9, 1, 0, 0, 0, 0, time.UTC)
	apply(t, m, tx, "talks", c)
	se, _ := tx.Entry("talks", "talk-1")
	if se == nil || !se.Entry.Published.Equal(c.Published) {
		t.Errorf("the curated entry's corrected date was not kept: %+v", se)
	}
}

func TestApplyJoinLaterKeepsID(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	tube := tubeEntry()
	apply(t, m, tx, "tube", tube)
	want := ItemID("tube", EntryID(&tube))
	if ids := tx.itemIDs(); len(ids) != 1 || ids[0] != want {
		t.Fatalf("items %v, want [%s]", ids, want)
	}
	apply(t, m, tx, "anil", postEntry(t))
	apply(t, m, tx, "talks", talkstream.Entry{
		GUID: "fosdem-2014", Title: "Unikernels (FOSDEM 2014)",
		Links: []talkstream.Link{{Role: talkstream.RoleVideo, URL: "https://youtu.be/" + ytID}},
	})
	if ids := tx.itemIDs(); len(ids) != 1 || ids[0] != want {
		t.Fatalf("items %v, want [%s]", ids, want)
	}
	if n := len(tx.item(t, want).Entries); n != 3 {
		t.Errorf("item has %d entries, want 3", n)
	}
	if len(tx.aliases) != 0 {
		t.Errorf("aliases %v, want none: nothing was folded", tx.aliases)
	}
}

func TestApplyBridgeFoldsNewerIntoOlder(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	post := talkstream.Entry{GUID: "p1", Link: "https://mirageos.org/blog/xensummit-2012", Title: "Mirage at XenSummit"}
	apply(t, m, tx, "blog", post)
	older := ItemID("blog", "p1")
	video := talkstream.Entry{GUID: "https://vimeo.com/57412215", Link: "https://vimeo.com/57412215",
		Title: "Mirage: extreme specialisation", Video: talkstream.NewVideo("vimeo", "57412215")}
	apply(t, m, tx, "vim", video)
	newer := ItemID("vim", EntryID(&video))
	if ids := tx.itemIDs(); !slices.Equal(ids, []string{older, newer}) {
		t.Fatalf("items %v, want two: %s then %s", ids, older, newer)
	}

	// A curated entry naming both the post and the video bridges them.
	apply(t, m, tx, "talks", talkstream.Entry{
		GUID:  "xensummit-2012",
		Title: "Mirage: extreme specialisation of cloud appliances",
		Links: []talkstream.Link{
			{Role: talkstream.RoleVideo, URL: "http://vimeo.com/57412215"},
			{Role: talkstream.RolePost, URL: "http://mirageos.org/blog/xensummit-2012/"},
		},
	})
	if ids := tx.itemIDs(); !slices.Equal(ids, []string{older}) {
		t.Fatalf("items %v, want only the older %s", ids, older)
	}
	if got := tx.aliases[newer]; got != older {
		t.Errorf("alias of %s = %q, want %s", newer, got, older)
	}
	it := tx.item(t, newer) // found through the alias
	if it.ID != older || len(it.Entries) != 3 {
		t.Errorf("item %s has %d entries, want %s with 3", it.ID, len(it.Entries), older)
	}
	if it.Title != "Mirage: extreme specialisation of cloud appliances" {
		t.Errorf("title %q, want the curator's", it.Title)
	}
	for k, id := range tx.keys {
		if id != older {
			t.Errorf("key %s left on %s", k, id)
		}
	}
	if _, ok := tx.keys["video:vimeo:57412215"]; !ok {
		t.Errorf("the video key did not move: %v", tx.keys)
	}
}

func TestApplyFilters(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	entries := []talkstream.Entry{
		{GUID: "1", Link: "https://mort.io/blog/mirage-4", Title: "MirageOS 4 is here"},
		{GUID: "2", Link: "https://mort.io/blog/holiday", Title: "Holiday photos"},
		{GUID: "3", Link: "https://mort.io/blog/cooking", Title: "Cooking with unikernels"},
		{GUID: "4", Link: "https://mort.io/blog/notes", Title: "Notes", Categories: []string{"Unikernel"}},
	}
	st := apply(t, m, tx, "picky", entries...)
	if want := (Stats{New: 2, Filtered: 2}); st != want {
		t.Errorf("Apply = %v, want %v", st, want)
	}
	if n := len(tx.itemIDs()); n != 2 {
		t.Errorf("got %d items, want 2", n)
	}
	for _, id := range []string{"2", "3"} {
		if se, _ := tx.Entry("picky", id); se != nil {
			t.Errorf("filtered entry %s was stored", id)
		}
	}

	// The configured filter wins over the copy of the source Apply is given.
	stale := source(t, m, "picky")
	stale.Include, stale.Exclude = nil, nil
	st, err := m.Apply(tx, stale, entries, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Stats{Unchanged: 2, Filtered: 2}); st != want {
		t.Errorf("Apply with a stale source = %v, want %v", st, want)
	}
}

func TestApplyFilterAddedLater(t *testing.T) {
	opts := testOptions()
	e := talkstream.Entry{GUID: "h", Link: "https://anil.recoil.org/holiday", Title: "Holiday photos"}
	tx := newFakeTx()
	apply(t, New(opts), tx, "anil", e)
	if n := len(tx.itemIDs()); n != 1 {
		t.Fatalf("got %d items, want 1", n)
	}
	opts.Sources[2].Include = regexp.MustCompile(`(?i)mirage`)
	if st := apply(t, New(opts), tx, "anil", e); st != (Stats{Filtered: 1}) {
		t.Errorf("Apply = %v, want 1 filtered", st)
	}
	if len(tx.entries) != 0 || len(tx.items) != 0 || len(tx.keys) != 0 {
		t.Errorf("the newly filtered entry left %d entries, %d items, %d keys", len(tx.entries), len(tx.items), len(tx.keys))
	}
}

func TestApplyDerivation(t *testing.T) {
	tests := []struct {
		name     string
		source   string
		entry    talkstream.Entry
		kind     talkstream.Kind
		speakers []string
		event    string
		tags     []string
		why      []string // prefixes of lines Why must have (a "|" separates a part it must contain)
	}{
		{
			name:   "alias, event with year, rule",
			source: "blog",
			entry: talkstream.Entry{GUID: "1", Link: "https://mirageos.org/blog/fosdem",
				Title: "avsm explains unikernels at FOSDEM 2014", Published: time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)},
			kind:     talkstream.KindPost,
			speakers: []string{"anil"},
			event:    "fosdem-2014",
			tags:     []string{"mirageos", "unikernels"},
			why: []string{
				`speaker anil|"avsm" in the title`,
				`event fosdem-2014|"FOSDEM" in the title matched`,
				`event fosdem-2014|year named with it`,
				`tag unikernels|rule (?i)\bunikernels?\b`,
				`tag mirageos|tag of source blog`,
				`kind post|default for a post`,
			},
		},
		{
			name:   "event without a year takes the item's",
			source: "blog",
			entry: talkstream.Entry{GUID: "2", Link: "https://mirageos.org/blog/fosdem-again",
				Title: "Back from Fosdem", Published: time.Date(2016, 2, 1, 0, 0, 0, 0, time.UTC)},
			kind:  talkstream.KindPost,
			event: "fosdem-2016",
			tags:  []string{"mirageos"},
			why:   []string{"event fosdem-2016|year of the item"},
		},
		{
			name:   "alias inside a word is no speaker",
			source: "blog",
			entry:  talkstream.Entry{GUID: "3", Link: "https://mirageos.org/blog/x", Title: "Using avsmtool and foo@avsm"},
			kind:   talkstream.KindPost,
			tags:   []string{"mirageos"},
		},
		{
			name:     "author name maps to a speaker",
			source:   "blog",
			entry:    talkstream.Entry{GUID: "4", Link: "https://mirageos.org/blog/y", Title: "Notes", Authors: []string{"Richard Mortier"}},
			kind:     talkstream.KindPost,
			speakers: []string{"mort"},
			tags:     []string{"mirageos"},
			why:      []string{`speaker mort|author "Richard Mortier"`},
		},
		{
			name:     "unknown author of a blog is kept by name",
			source:   "blog",
			entry:    talkstream.Entry{GUID: "5", Link: "https://mirageos.org/blog/z", Title: "Notes", Authors: []string{" Jane Doe "}},
			kind:     talkstream.KindPost,
			speakers: []string{"Jane Doe"},
			tags:     []string{"mirageos"},
		},
		{
			name:     "person source gives its speakers",
			source:   "anil",
			entry:    talkstream.Entry{GUID: "6", Link: "https://anil.recoil.org/n", Title: "Some notes"},
			kind:     talkstream.KindPost,
			speakers: []string{"anil"},
			why:      []string{"speaker anil|speaker of source anil"},
		},
		{
			name:   "video source makes a talk",
			source: "tube",
			entry:  talkstream.Entry{GUID: "7", Link: "https://www.youtube.com/watch?v=" + ytID, Title: "Upload", Video: talkstream.NewVideo("youtube", ytID)},
			kind:   talkstream.KindTalk,
			why:    []string{"kind talk|from source tube (kind youtube)"},
		},
		{
			name:   "events source makes a talk",
			source: "conf",
			entry:  talkstream.Entry{GUID: "8", Link: "https://qcon.example.org/s/1", Title: "Unikernels at QCon London 2015"},
			kind:   talkstream.KindTalk,
			event:  "qcon-2015",
			tags:   []string{"unikernels"},
		},
		{
			name:   "rule sets the kind",
			source: "blog",
			entry:  talkstream.Entry{GUID: "9", Link: "https://mirageos.org/blog/pod", Title: "Our podcast, episode 3"},
			kind:   talkstream.KindPodcast,
			tags:   []string{"audio", "mirageos"},
			why:    []string{`kind podcast|rule (?i)\bpodcast\b`, `tag audio|rule`},
		},
		{
			name:   "a word gives the kind",
			source: "blog",
			entry:  talkstream.Entry{GUID: "10", Link: "https://mirageos.org/blog/rel", Title: "MirageOS 4.0 released"},
			kind:   talkstream.KindRelease,
			tags:   []string{"mirageos"},
			why:    []string{`kind release|the word "`},
		},
		{
			name:   "an embedded video makes a talk",
			source: "blog",
			entry: talkstream.Entry{GUID: "11", Link: "https://mirageos.org/blog/v", Title: "Watch this",
				Content: `<iframe src="https://www.youtube.com/embed/` + ytID + `"></iframe>`},
			kind: talkstream.KindTalk,
			tags: []string{"mirageos"},
			why:  []string{"kind talk|it has a video"},
		},
		{
			name:   "curated entry says it all",
			source: "talks",
			entry: talkstream.Entry{GUID: "12", Title: "Jitsu: just-in-time summoning of unikernels", Kind: talkstream.KindPaper,
				Speakers: []string{"avsm", "Someone Else"}, Event: "FOSDEM 2014", Tags: []string{"jitsu"}},
			kind:     talkstream.KindPaper,
			speakers: []string{"anil", "Someone Else"},
			event:    "fosdem-2014",
			tags:     []string{"jitsu", "unikernels"},
			why: []string{
				"kind paper|set by curated entry talks/12",
				"speaker anil|named by curated entry talks/12",
				"tag jitsu|curated entry talks/12",
			},
		},
		{
			name:   "curated entry defaults to a talk",
			source: "talks",
			entry:  talkstream.Entry{GUID: "13", Title: "Something"},
			kind:   talkstream.KindTalk,
			why:    []string{"kind talk|default for a curated entry"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, tx := New(testOptions()), newFakeTx()
			apply(t, m, tx, tt.source, tt.entry)
			ids := tx.itemIDs()
			if len(ids) != 1 {
				t.Fatalf("got %d items, want 1", len(ids))
			}
			it := tx.item(t, ids[0])
			why := strings.Join(it.Why, "\n")
			if it.Kind != tt.kind {
				t.Errorf("kind %q, want %q\n%s", it.Kind, tt.kind, why)
			}
			if !slices.Equal(it.Speakers, tt.speakers) {
				t.Errorf("speakers %q, want %q\n%s", it.Speakers, tt.speakers, why)
			}
			if it.Event != tt.event {
				t.Errorf("event %q, want %q\n%s", it.Event, tt.event, why)
			}
			if !slices.Equal(it.Tags, tt.tags) {
				t.Errorf("tags %q, want %q\n%s", it.Tags, tt.tags, why)
			}
			for _, w := range tt.why {
				prefix, part, _ := strings.Cut(w, "|")
				if !hasLine(it.Why, prefix, part) {
					t.Errorf("no Why line %q … %q in:\n%s", prefix, part, why)
				}
			}
			// Every derived value is explained.
			if !hasLine(it.Why, "kind "+string(it.Kind)+": ", "") {
				t.Errorf("kind not explained:\n%s", why)
			}
			for _, s := range it.Speakers {
				if !hasLine(it.Why, "speaker "+s+": ", "") {
					t.Errorf("speaker %s not explained:\n%s", s, why)
				}
			}
			for _, tag := range it.Tags {
				if !hasLine(it.Why, "tag "+tag+": ", "") {
					t.Errorf("tag %s not explained:\n%s", tag, why)
				}
			}
		})
	}
}

// TestBuildIsPure checks that rebuilding an item from the same entries
// gives the same item, so a rebuild of an unchanged item changes nothing.
func TestBuildIsPure(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	apply(t, m, tx, "tube", tubeEntry())
	apply(t, m, tx, "anil", postEntry(t))
	id := tx.itemIDs()[0]
	entries := tx.itemEntries(id)
	a, ka := m.Build(id, entries)
	slices.Reverse(entries)
	b, kb := m.Build(id, entries)
	if fmt.Sprintf("%+v", a) != fmt.Sprintf("%+v", b) || !slices.Equal(ka, kb) {
		t.Errorf("Build depends on the order of its entries:\n%+v\n%+v", a, b)
	}
}

func BenchmarkApply(b *testing.B) {
	m := New(testOptions())
	src := source(b, m, "blog")
	html := readTestdata(b, "post-one-video.html")
	entries := make([]talkstream.Entry, 100)
	for i := range entries {
		entries[i] = talkstream.Entry{
			GUID:      fmt.Sprintf("tag:example.org,2024:%d", i),
			Link:      fmt.Sprintf("https://example.org/blog/post-%d?utm_source=rss", i),
			Title:     fmt.Sprintf("Post %d about unikernels at FOSDEM 2014", i),
			Content:   html,
			Authors:   []string{"Anil Madhavapeddy"},
			Published: now.Add(-time.Duration(i) * time.Hour),
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Apply(newFakeTx(), src, entries, now); err != nil {
			b.Fatal(err)
		}
	}
}
