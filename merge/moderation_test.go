package merge

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }

// items returns the stored items with their entries' refs, for comparing
// groupings.
func groups(tx *fakeTx) map[string][]string {
	out := map[string][]string{}
	for k, se := range tx.entries {
		out[se.ItemID] = append(out[se.ItemID], k.source+"/"+k.entry)
	}
	for _, g := range out {
		slices.Sort(g)
	}
	return out
}

func TestApplyTitleKeys(t *testing.T) {
	const title = "Non-Imperative Network Programming"
	video := func(id string, when time.Time, title string) talkstream.Entry {
		return talkstream.Entry{GUID: "yt:video:" + id, Link: "https://www.youtube.com/watch?v=" + id, Title: title,
			Published: when, Video: talkstream.NewVideo("youtube", id)}
	}
	page := func(id string, when time.Time, title string) talkstream.Entry {
		return talkstream.Entry{GUID: id, Link: "https://conf.example.org/" + id, Title: title, Published: when}
	}
	tests := []struct {
		name   string
		window time.Duration
		tube   talkstream.Entry
		conf   talkstream.Entry
		merged bool
		why    string
	}{
		{"same title, days apart", 0, video("aaaaaaaaaaa", day(2015, 9, 26), title+" - Mindy Preston - Strange Loop 2015"),
			page("s1", day(2015, 9, 25), title), true, `joined by key title:non imperative network programming@`},
		{"same title, months apart", 0, video("aaaaaaaaaaa", day(2016, 3, 1), title),
			page("s1", day(2015, 9, 25), title), false, ""},
		{"just inside the window", 0, video("aaaaaaaaaaa", day(2015, 10, 25), title),
			page("s1", day(2015, 9, 25), title), true, "30 days apart"},
		{"just outside the window", 0, video("aaaaaaaaaaa", day(2015, 10, 26), title),
			page("s1", day(2015, 9, 25), title), false, ""},
		{"a narrower window", 2 * 24 * time.Hour, video("aaaaaaaaaaa", day(2015, 9, 29), title),
			page("s1", day(2015, 9, 25), title), false, ""},
		{"title keys off", -1, video("aaaaaaaaaaa", day(2015, 9, 26), title),
			page("s1", day(2015, 9, 25), title), false, ""},
		{"generic titles never merge", 0, video("aaaaaaaaaaa", day(2016, 2, 1), "Keynote"),
			page("s1", day(2016, 2, 1), "Keynote"), false, ""},
		{"a name does not make a generic title specific", 0, video("aaaaaaaaaaa", day(2016, 2, 1), "Keynote - Mindy Preston"),
			page("s1", day(2016, 2, 1), "Keynote: Mindy Preston"), false, ""},
		{"part 1 is not part 2", 0, video("aaaaaaaaaaa", day(2020, 2, 10), "Unikernels and the cloud (Part 1)"),
			page("s1", day(2020, 2, 10), "Unikernels and the cloud (Part 2)"), false, ""},
		{"no date, no title key", 0, video("aaaaaaaaaaa", time.Time{}, title), page("s1", time.Time{}, title), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions()
			opts.TitleWindow = tt.window
			opts.Speakers = append(opts.Speakers, Speaker{ID: "mindy", Name: "Mindy Preston"})
			m, tx := New(opts), newFakeTx()
			apply(t, m, tx, "tube", tt.tube)
			apply(t, m, tx, "conf", tt.conf)
			if n := len(tx.itemIDs()); (n == 1) != tt.merged {
				t.Fatalf("%d items, merged = %v, want %v: %v", n, n == 1, tt.merged, groups(tx))
			}
			if tt.merged {
				it := tx.item(t, tx.itemIDs()[0])
				if !hasLine(it.Why, "entry conf/", tt.why) {
					t.Errorf("Why does not say %q:\n%s", tt.why, strings.Join(it.Why, "\n"))
				}
			}
		})
	}
}

// TestApplyTitleKeysNearest checks that an entry between two items with
// its title joins the nearer one and folds nothing: a title is weaker
// evidence than a URL or a video.
func TestApplyTitleKeysNearest(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	const title = "Unikernels: Functional Infrastructure with MirageOS"
	apply(t, m, tx, "conf", talkstream.Entry{GUID: "may", Link: "https://conf.example.org/may", Title: title, Published: day(2015, 5, 1)})
	apply(t, m, tx, "conf", talkstream.Entry{GUID: "july", Link: "https://conf.example.org/july", Title: title, Published: day(2015, 7, 10)})
	apply(t, m, tx, "blog", talkstream.Entry{GUID: "june", Link: "https://mirageos.org/blog/june", Title: title, Published: day(2015, 6, 14)})
	g := groups(tx)
	if len(g) != 2 {
		t.Fatalf("items %v, want two", g)
	}
	if g[ItemID("conf", "july")] == nil || !slices.Contains(g[ItemID("conf", "july")], "blog/june") {
		t.Errorf("June entry did not join the nearer July item: %v", g)
	}
}

// TestApplyInOneFeed checks that entries of one fetch see each other's
// keys: two posts of one feed about one video are one item.
func TestApplyInOneFeed(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	embed := `<iframe src="https://www.youtube.com/embed/` + ytID + `"></iframe>`
	st := apply(t, m, tx, "anil",
		talkstream.Entry{GUID: "1", Link: "https://anil.recoil.org/1", Title: "Slides of my talk", Content: embed, Published: day(2014, 2, 1)},
		talkstream.Entry{GUID: "2", Link: "https://anil.recoil.org/2", Title: "The video is up", Content: embed, Published: day(2014, 2, 5)},
		talkstream.Entry{GUID: "3", Link: "https://anil.recoil.org/3", Title: "Something else", Published: day(2014, 2, 6)},
	)
	if st.New != 3 {
		t.Fatalf("Apply = %v", st)
	}
	if g := groups(tx); len(g) != 2 || len(g[ItemID("anil", "1")]) != 2 {
		t.Errorf("items %v, want 1 and 2 together", g)
	}
}

// TestApplyUpdateBridgesIntoOlder: an edited entry that now has a key of
// an older item moves, with its own (newer) item, into the older one.
func TestApplyUpdateBridgesIntoOlder(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	apply(t, m, tx, "tube", tubeEntry())
	older := tx.itemIDs()[0]
	post := talkstream.Entry{GUID: "p", Link: "https://anil.recoil.org/p", Title: "My talk", Published: day(2014, 2, 4)}
	apply(t, m, tx, "anil", post)
	newer := ItemID("anil", "p")
	apply(t, m, tx, "vim", talkstream.Entry{GUID: "v", Link: "https://vimeo.com/1234567", Title: "Mirror of my talk",
		Video: talkstream.NewVideo("vimeo", "1234567"), Content: `<a href="https://anil.recoil.org/p">post</a>`})
	if len(tx.itemIDs()) != 3 {
		t.Fatalf("items %v", groups(tx))
	}
	// The post now embeds the video the older item has.
	post.Content = `<iframe src="https://www.youtube.com/embed/` + ytID + `"></iframe>`
	if st := apply(t, m, tx, "anil", post); st != (Stats{Updated: 1}) {
		t.Fatalf("Apply = %v", st)
	}
	g := groups(tx)
	if !slices.Equal(g[older], []string{"anil/p", "tube/" + EntryID(ptr(tubeEntry()))}) {
		t.Errorf("older item %s has %v, want the post and the video: %v", older, g[older], g)
	}
	if _, ok := g[newer]; ok {
		t.Errorf("the newer item %s survived: %v", newer, g)
	}
	if tx.aliases[newer] != older {
		t.Errorf("alias of %s = %q, want %s", newer, tx.aliases[newer], older)
	}
	se, _ := tx.Entry("anil", "p")
	if !strings.Contains(se.Why, "then joined item "+older+" by key video:youtube:"+ytID) {
		t.Errorf("Why %q does not say it joined the older item", se.Why)
	}
}

func TestHide(t *testing.T) {
	opts := testOptions()
	m, tx := New(opts), newFakeTx()
	apply(t, m, tx, "tube", tubeEntry())
	id := tx.itemIDs()[0]
	if tx.items[id].hidden {
		t.Fatal("hidden before any hide:")
	}
	opts.Hide = []string{id}
	m = New(opts)
	if err := m.Rebuild(tx, id); err != nil {
		t.Fatal(err)
	}
	it := tx.items[id]
	if !it.hidden || !hasLine(it.item.Why, "hidden by config", "") {
		t.Errorf("hidden %v, Why:\n%s", it.hidden, strings.Join(it.item.Why, "\n"))
	}
	opts.Hide = nil
	if err := New(opts).Rebuild(tx, id); err != nil {
		t.Fatal(err)
	}
	if tx.items[id].hidden {
		t.Error("still hidden after hide: was emptied")
	}
}

func TestSplit(t *testing.T) {
	post := postEntry(t)
	talk := talkstream.Entry{GUID: "fosdem-2014", Title: "Unikernels (FOSDEM 2014)",
		Links: []talkstream.Link{{Role: talkstream.RoleVideo, URL: "https://youtu.be/" + ytID}}}
	m, tx := New(testOptions()), newFakeTx()
	apply(t, m, tx, "tube", tubeEntry())
	apply(t, m, tx, "anil", post)
	apply(t, m, tx, "talks", talk)
	merged := tx.itemIDs()[0]
	if len(tx.itemIDs()) != 1 {
		t.Fatalf("items %v, want one", groups(tx))
	}

	// The operator says the post is not that talk.
	opts := testOptions()
	rule := Split{Item: merged, Entries: []EntryRef{{Source: "anil", Entry: EntryID(&post)}}}
	opts.Split = []Split{rule}
	m = New(opts)
	if err := m.Rebuild(tx, tx.itemIDs()...); err != nil {
		t.Fatal(err)
	}
	split := SplitID(rule)
	g := groups(tx)
	if len(g) != 2 || !slices.Equal(g[split], []string{"anil/" + EntryID(&post)}) || len(g[merged]) != 2 {
		t.Fatalf("after split: %v, want the post alone in %s and two in %s", g, split, merged)
	}
	tx.check(t)
	if it := tx.item(t, split); !hasLine(it.Why, "entry anil/", "split off item "+merged) || !hasLine(it.Why, "split by config", "") {
		t.Errorf("split item's Why:\n%s", strings.Join(it.Why, "\n"))
	}
	for k, id := range tx.keys {
		if id == split {
			t.Errorf("the split item owns key %s: keys would merge into it", k)
		}
	}

	// An edit of the post, and a new entry with its key, merge nothing
	// back: the post is pinned, and the split item has no keys.
	post.Title += " (updated)"
	apply(t, m, tx, "anil", post)
	apply(t, m, tx, "blog", talkstream.Entry{GUID: "b", Link: "https://mirageos.org/blog/b", Title: "Watch this",
		Content: `<iframe src="https://www.youtube.com/embed/` + ytID + `"></iframe>`})
	g = groups(tx)
	if !slices.Equal(g[split], []string{"anil/" + EntryID(&post)}) || len(g[merged]) != 3 {
		t.Errorf("after more fetches: %v", g)
	}

	// On a fresh store, the split holds from the first merge.
	tx2 := newFakeTx()
	apply(t, m, tx2, "tube", tubeEntry())
	apply(t, m, tx2, "anil", post)
	if g := groups(tx2); len(g) != 2 || len(g[split]) != 1 {
		t.Errorf("fresh store: %v", g)
	}

	// Without the rule, the next rebuild returns the post to its item.
	m = New(testOptions())
	if err := m.Rebuild(tx, tx.itemIDs()...); err != nil {
		t.Fatal(err)
	}
	g = groups(tx)
	if len(g) != 1 || len(g[merged]) != 4 {
		t.Errorf("after removing the rule: %v", g)
	}
	tx.check(t)
	// A reader's link to the split item still leads to the talk.
	if to := tx.aliases[split]; to != merged {
		t.Errorf("split item %s is an alias of %q, want %s", split, to, merged)
	}
	if it := tx.item(t, split); it.ID != merged {
		t.Errorf("item %s resolves to %s, want %s", split, it.ID, merged)
	}

	// Putting the rule back makes the split item again, under its own id.
	m = New(opts)
	if err := m.Rebuild(tx, tx.itemIDs()...); err != nil {
		t.Fatal(err)
	}
	if it := tx.item(t, split); it.ID != split {
		t.Errorf("with the rule back, item %s resolves to %s", split, it.ID)
	}
	tx.check(t)
}

func TestPriority(t *testing.T) {
	tests := []struct {
		name     string
		priority []string
		want     string
	}{
		{"default: the person's post", nil, "My unikernels talk at FOSDEM 2014"},
		{"video platforms first", []string{"youtube", "person"}, "FOSDEM 2014 - unikernels (upload 1234)"},
		{"a source id", []string{"tube"}, "FOSDEM 2014 - unikernels (upload 1234)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions()
			opts.Priority = tt.priority
			m, tx := New(opts), newFakeTx()
			apply(t, m, tx, "anil", postEntry(t))
			apply(t, m, tx, "tube", tubeEntry())
			if it := tx.item(t, tx.itemIDs()[0]); it.Title != tt.want {
				t.Errorf("title %q, want %q", it.Title, tt.want)
			}
		})
	}
}

func TestEventAmbiguous(t *testing.T) {
	m, tx := New(testOptions()), newFakeTx()
	apply(t, m, tx, "blog", talkstream.Entry{GUID: "x", Link: "https://mirageos.org/blog/x", Title: "Two talks",
		Summary: "One at FOSDEM 2014, one at QCon London 2014."})
	it := tx.item(t, tx.itemIDs()[0])
	if it.Event != "" || !hasLine(it.Why, "no event from the summary", "2 events") {
		t.Errorf("event %q:\n%s", it.Event, strings.Join(it.Why, "\n"))
	}
}

func TestRoles(t *testing.T) {
	blog := talkstream.Source{ID: "b", Kind: talkstream.SourceBlog}
	tests := []struct {
		e    talkstream.Entry
		want talkstream.Role
	}{
		{talkstream.Entry{Title: "Notes", Link: "https://example.org/notes"}, talkstream.RolePost},
		{talkstream.Entry{Title: "My talk [slides]", Link: "https://example.org/t"}, talkstream.RoleSlides},
		{talkstream.Entry{Title: "Slides: my talk", Link: "https://example.org/t"}, talkstream.RoleSlides},
		{talkstream.Entry{Title: "My talk", Link: "https://speakerdeck.com/me/my-talk"}, talkstream.RoleSlides},
		{talkstream.Entry{Title: "Our paper", Link: "https://example.org/paper.pdf"}, talkstream.RolePaper},
		{talkstream.Entry{Title: "Preprint: our paper", Link: "https://example.org/p"}, talkstream.RolePaper},
	}
	for _, tt := range tests {
		t.Run(tt.e.Title, func(t *testing.T) {
			if got := role(&blog, &tt.e); got != tt.want {
				t.Errorf("role = %s, want %s", got, tt.want)
			}
		})
	}
}
