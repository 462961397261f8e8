package merge

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func TestNatureOf(t *testing.T) {
	audio := []talkstream.Enclosure{{URL: "https://radio.example.org/12.mp3", Type: "audio/mpeg"}}
	tests := []struct {
		name  string
		kind  talkstream.SourceKind
		entry talkstream.Entry
		want  nature
	}{
		{"a post", talkstream.SourceBlog, talkstream.Entry{Title: "Unikernels in production"}, natureThing},
		{"an audio enclosure", talkstream.SourceBlog, talkstream.Entry{Title: "Unikernels in production", Enclosures: audio}, natureEpisode},
		{"episode in the title", talkstream.SourcePerson, talkstream.Entry{Title: "Episode 204: Anil on MirageOS"}, natureEpisode},
		{"a recap", talkstream.SourceBlog, talkstream.Entry{Title: "FOSDEM 2014 recap"}, natureAbout},
		{"a trip report", talkstream.SourceBlog, talkstream.Entry{Title: "MirageOS travels to OSCON'13: a trip report"}, natureAbout},
		{"notes from", talkstream.SourcePerson, talkstream.Entry{Title: "Notes from my Haskell Symposium keynote"}, natureAbout},
		{"a discussion thread", talkstream.SourceBlog, talkstream.Entry{Title: "HN: Introducing Irmin"}, natureAbout},
		{"a recording titled recap is a recording", talkstream.SourceYouTube, talkstream.Entry{Title: "DockerCon recap keynote"}, natureThing},
		{"a listing with audio is a listing", talkstream.SourceEvents, talkstream.Entry{Title: "Radio hour", Enclosures: audio}, natureThing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := natureOf(tt.kind, &tt.entry); got != tt.want {
				t.Errorf("natureOf = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSeparates(t *testing.T) {
	talk := evidence{id: "a", event: "fosdem@2014", year: 2014, speakers: []string{"anil"}}
	tests := []struct {
		name string
		b    evidence
		want string // part of the reason; "" for none
	}{
		{"same talk", evidence{id: "b", event: "fosdem@2014", year: 2014, speakers: []string{"anil", "mort"}}, ""},
		{"nothing known", evidence{id: "b"}, ""},
		{"another event", evidence{id: "b", event: "qcon@2014", speakers: []string{"anil"}}, "different events"},
		{"the event another year", evidence{id: "b", event: "fosdem@2015"}, "different events"},
		{"the event without a year", evidence{id: "b", event: "fosdem"}, ""},
		{"another year", evidence{id: "b", year: 2016}, "different years"},
		{"disjoint speakers", evidence{id: "b", speakers: []string{"mort"}}, "different speakers"},
		{"an episode", evidence{id: "b", nature: natureEpisode}, "a podcast episode"},
		{"a post about it", evidence{id: "b", nature: natureAbout}, "a post about something"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := separates(talk, tt.b)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("separates = %q, want %q", got, tt.want)
			}
			if back := separates(tt.b, talk); (back == "") != (got == "") {
				t.Errorf("not symmetric: %q and %q", got, back)
			}
		})
	}
	t.Run("one blog twice", func(t *testing.T) {
		a, b := evidence{src: "links", id: "a"}, evidence{src: "links", id: "b"}
		if got := separates(a, b); !strings.Contains(got, "lists one thing once") {
			t.Errorf("separates = %q", got)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		ev := evidence{src: "blog", id: "0a1b2c3d", nature: natureAbout, event: "strange-loop@2015", year: 2015, speakers: []string{"anil", "mindy"}}
		if got := decodeEvidence(ev.encode()); !slices.Equal(got.speakers, ev.speakers) || got.src != ev.src || got.id != ev.id ||
			got.nature != ev.nature || got.event != ev.event || got.year != ev.year {
			t.Errorf("decode(encode(%+v)) = %+v", ev, got)
		}
	})
}

func TestSpeakerFolding(t *testing.T) {
	m := New(Options{Speakers: []Speaker{
		{ID: "reynir", Name: "Reynir Björnsson", Aliases: []string{"reynir"}},
		{ID: "anil", Name: "Anil Madhavapeddy", Aliases: []string{"avsm"}},
	}})
	tests := []struct {
		text, want string
	}{
		{"A talk by Reynir Bjornsson", "reynir"},
		{"REYNIR BJÖRNSSON on DNS", "reynir"},
		{"thanks @avsm!", "anil"},
		{"mail foo@avsm.example", ""},
		{"avsmtool", ""},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			got := ""
			for i, sm := range m.speakers {
				if m.speakerNamed(newText(tt.text), i) != "" {
					got = sm.id
				}
			}
			if got != tt.want {
				t.Errorf("found %q, want %q", got, tt.want)
			}
		})
	}
	if id := m.speakerID("@AVSM"); id != "anil" {
		t.Errorf("speakerID(@AVSM) = %q", id)
	}
	if got := authorNames("Anil Madhavapeddy, David Scott and Thomas Gazagnaire"); !slices.Equal(got, []string{"Anil Madhavapeddy", "David Scott", "Thomas Gazagnaire"}) {
		t.Errorf("authorNames = %q", got)
	}
}

// evidenceOptions are testOptions with a podcast feed, a link blog and
// one more speaker and event.
func evidenceOptions() Options {
	o := testOptions()
	o.Sources = append(o.Sources,
		talkstream.Source{ID: "radio", Kind: talkstream.SourceBlog},
		talkstream.Source{ID: "links", Kind: talkstream.SourceBlog},
		talkstream.Source{ID: "mindy", Kind: talkstream.SourcePerson, Speakers: []string{"mindy"}},
	)
	o.Speakers = append(o.Speakers, Speaker{ID: "mindy", Name: "Mindy Preston"})
	o.Events = append(o.Events, Event{ID: "strange-loop", Match: regexp.MustCompile(`(?i)\bstrange\s?loop\b`)})
	o.Rules = nil
	return o
}

// TestEvidenceApply merges small worlds in which evidence separates what
// keys alone would join, or joins what the window alone would split.
func TestEvidenceApply(t *testing.T) {
	type step struct {
		source string
		entry  talkstream.Entry
	}
	video := func(id, title string, d time.Time, summary string) talkstream.Entry {
		return talkstream.Entry{GUID: "yt:" + id, Link: "https://www.youtube.com/watch?v=" + id, Title: title, Summary: summary,
			Published: d, Video: talkstream.NewVideo("youtube", id)}
	}
	page := func(id, title string, d time.Time, summary string) talkstream.Entry {
		return talkstream.Entry{GUID: id, Link: "https://example.org/" + id, Title: title, Summary: summary, Published: d}
	}
	embed := func(id string) string { return `<iframe src="https://www.youtube.com/embed/` + id + `"></iframe>` }
	tests := []struct {
		name     string
		steps    []step
		together [][]string // entry GUIDs, each group one item; every other entry alone
		why      string     // part of some item's Why
		kind     talkstream.Kind
	}{
		{
			name: "one title at two events three weeks apart",
			steps: []step{
				{"conf", page("sl", "Non-Imperative Network Programming", day(2015, 9, 24), "Strange Loop 2015. Mindy Preston.")},
				{"conf", page("ow", "Non-Imperative Network Programming", day(2015, 9, 4), "OCaml workshop at QCon 2015. Mindy Preston.")},
				{"tube", video("GNc1t6Q5Dls", "Non-Imperative Network Programming - Mindy Preston - Strange Loop 2015", day(2015, 10, 1), "")},
			},
			together: [][]string{{"sl", "yt:GNc1t6Q5Dls"}},
			why:      "different events",
		},
		{
			name: "a recap by someone else linking the recording",
			steps: []step{
				{"tube", video("W9F4pn9Lngc", "Look ma, no OS! - Richard Mortier", day(2015, 9, 25), "Richard Mortier at Strange Loop 2015.")},
				{"mindy", talkstream.Entry{GUID: "recap", Link: "https://example.org/recap", Title: "Strange Loop 2015 recap",
					Content: "<p>Richard Mortier's demo:</p>" + embed("W9F4pn9Lngc"), Published: day(2015, 9, 28)}},
			},
			why:  "no author of this post speaks in it",
			kind: talkstream.KindTalk,
		},
		{
			name: "a speaker's own trip report is the talk's page, in either order",
			steps: []step{
				{"picky", talkstream.Entry{GUID: "trip", Link: "https://example.org/trip", Title: "MirageOS travels to OSCON: a trip report",
					Content: "<p>Our screencast:</p>" + embed("2Mx8Bd5JYyo"), Published: day(2013, 8, 8)}},
				{"tube", video("2Mx8Bd5JYyo", "Mirage: Extreme Specialization - Richard Mortier", day(2013, 7, 30), "")},
			},
			together: [][]string{{"trip", "yt:2Mx8Bd5JYyo"}},
			why:      "a post by its speaker that links this recording",
		},
		{
			name: "an episode whose notes link the guest's talk",
			steps: []step{
				{"tube", video("bC7rTUEZfmI", "Functional Infrastructure - Anil Madhavapeddy", day(2015, 5, 10), "")},
				{"radio", talkstream.Entry{GUID: "ep204", Link: "https://radio.example.org/204", Title: "Unikernels with Anil Madhavapeddy",
					Authors: []string{"Jo Host"}, Published: day(2015, 5, 20),
					Content:    "<p>Anil's talk at QCon London 2015 with Mindy Preston:</p>" + embed("bC7rTUEZfmI"),
					Enclosures: []talkstream.Enclosure{{URL: "https://radio.example.org/204.mp3", Type: "audio/mpeg"}}}},
			},
			kind: talkstream.KindTalk,
		},
		{
			name: "syndicated copies of a press release in a link blog",
			steps: []step{
				{"links", page("pr1", "Xen Project Introduces New Mirage OS Release", day(2014, 7, 22), "")},
				{"links", page("pr2", "Xen Project Introduces New Mirage OS Release", day(2014, 7, 22), "")},
			},
			why: "which lists one thing once",
		},
		{
			name: "a recording seven weeks after its session, the speaker and event agreeing",
			steps: []step{
				{"conf", page("s", "Leaving legacy behind", day(2015, 8, 14), "Source at FOSDEM 2015. Session by Richard Mortier.")},
				{"tube", video("PTtI8hpR7hQ", "Leaving legacy behind | Richard Mortier | FOSDEM 2015", day(2015, 10, 2), "")},
			},
			together: [][]string{{"s", "yt:PTtI8hpR7hQ"}},
			why:      "and year 2015",
		},
		{
			name: "a re-upload a year later marked with its year",
			steps: []step{
				{"tube", video("8UgiPODw3CY", "Next Generation Unikernels - Richard Mortier - FOSDEM 2015", day(2015, 2, 10), "")},
				{"vim", talkstream.Entry{GUID: "v1", Link: "https://vimeo.com/200000001", Title: "Next Generation Unikernels [2015]",
					Summary: "Richard Mortier, recorded in 2015.", Published: day(2016, 6, 20), Video: talkstream.NewVideo("vimeo", "200000001")}},
			},
			together: [][]string{{"yt:8UgiPODw3CY", "v1"}},
		},
		{
			name: "a re-upload marked with another year",
			steps: []step{
				{"tube", video("8UgiPODw3CY", "Next Generation Unikernels - Richard Mortier - FOSDEM 2015", day(2015, 2, 10), "")},
				{"vim", talkstream.Entry{GUID: "v1", Link: "https://vimeo.com/200000001", Title: "Next Generation Unikernels [2016]",
					Summary: "Richard Mortier.", Published: day(2016, 6, 20), Video: talkstream.NewVideo("vimeo", "200000001")}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, tx := New(evidenceOptions()), newFakeTx()
			for _, s := range tt.steps {
				apply(t, m, tx, s.source, s.entry)
			}
			var got [][]string
			for _, g := range groups(tx) {
				var ids []string
				for _, ref := range g {
					src, _, _ := strings.Cut(ref, "/")
					for _, s := range tt.steps {
						if s.source == src && ref == src+"/"+EntryID(&s.entry) {
							ids = append(ids, s.entry.GUID)
						}
					}
				}
				if len(ids) > 1 {
					sort.Strings(ids)
					got = append(got, ids)
				}
			}
			sort.Slice(got, func(i, j int) bool { return got[i][0] < got[j][0] })
			want := tt.together
			for _, g := range want {
				sort.Strings(g)
			}
			if !slices.EqualFunc(got, want, slices.Equal) {
				t.Errorf("items joining several entries: %q, want %q", got, want)
			}
			var why []string
			kinds := map[talkstream.Kind]bool{}
			for _, id := range tx.itemIDs() {
				it := tx.item(t, id)
				why = append(why, it.Why...)
				kinds[it.Kind] = true
			}
			if tt.why != "" && !hasLine(why, "", tt.why) {
				t.Errorf("no Why says %q:\n%s", tt.why, strings.Join(why, "\n"))
			}
			if tt.kind != "" && !kinds[tt.kind] {
				t.Errorf("no item of kind %s: %v", tt.kind, kinds)
			}
		})
	}
}

// TestEpisodeTags: the episode stays a podcast, its host is no speaker,
// and the event its notes mention is not its event.
func TestEpisodeTags(t *testing.T) {
	m, tx := New(evidenceOptions()), newFakeTx()
	apply(t, m, tx, "radio", talkstream.Entry{GUID: "ep204", Link: "https://radio.example.org/204", Title: "Unikernels with Anil Madhavapeddy",
		Authors: []string{"Jo Host"}, Published: day(2015, 5, 20),
		Content:    "<p>Recorded after QCon London 2015; thanks to Mindy Preston.</p>",
		Enclosures: []talkstream.Enclosure{{URL: "https://radio.example.org/204.mp3", Type: "audio/mpeg"}}})
	it := tx.item(t, tx.itemIDs()[0])
	why := strings.Join(it.Why, "\n")
	if it.Kind != talkstream.KindPodcast || !slices.Equal(it.Speakers, []string{"anil"}) || it.Event != "" {
		t.Errorf("kind %s, speakers %q, event %q, want podcast, [anil], none:\n%s", it.Kind, it.Speakers, it.Event, why)
	}
	for _, w := range []string{"rejected for speakers: author \"Jo Host\"", "rejected for speakers: mindy", "rejected for event: qcon"} {
		if !strings.Contains(why, w) {
			t.Errorf("Why does not say %q:\n%s", w, why)
		}
	}
}

// TestKindEvidence: the strongest signal decides, and the weaker ones are
// recorded as rejected.
func TestKindEvidence(t *testing.T) {
	tests := []struct {
		name     string
		source   string
		entry    talkstream.Entry
		kind     talkstream.Kind
		rejected string
	}{
		{"a category does not beat the title", "blog", talkstream.Entry{GUID: "a", Link: "https://example.org/a", Title: "Announcing Unikraft 1.0",
			Categories: []string{"Talks"}}, talkstream.KindRelease, "category \"Talks\""},
		{"a summary word does not make a post slides", "blog", talkstream.Entry{GUID: "b", Link: "https://example.org/b", Title: "What we learned this year",
			Summary: "The slide deck from our meetup is linked below."}, talkstream.KindPost, "a post's summary talks about other things"},
		{"a paper's address", "anil", talkstream.Entry{GUID: "c", Link: "https://anil.recoil.org/papers/2013-asplos-mirage.pdf", Title: "Unikernels: library operating systems for the cloud",
			Categories: []string{"talks"}}, talkstream.KindPaper, "category \"talks\""},
		{"an enclosure beats a title word", "radio", talkstream.Entry{GUID: "d", Link: "https://radio.example.org/d", Title: "My talk at QCon, retold",
			Enclosures: []talkstream.Enclosure{{URL: "https://radio.example.org/d.mp3", Type: "audio/mpeg"}}}, talkstream.KindPodcast, "the word \"My talk\""},
		{"a recap is a post", "anil", talkstream.Entry{GUID: "e", Link: "https://example.org/e", Title: "Notes from my FOSDEM keynote"},
			talkstream.KindPost, "the word \"keynote\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, tx := New(evidenceOptions()), newFakeTx()
			tt.entry.Published = day(2015, 1, 1)
			apply(t, m, tx, tt.source, tt.entry)
			it := tx.item(t, tx.itemIDs()[0])
			if it.Kind != tt.kind || !hasLine(it.Why, "  rejected for kind: ", tt.rejected) {
				t.Errorf("kind %s, want %s, with %q rejected:\n%s", it.Kind, tt.kind, tt.rejected, strings.Join(it.Why, "\n"))
			}
		})
	}
}

// FuzzEvidence: whatever a stored key holds after "#", decoding it never
// panics, and what it decodes to survives another round trip.
func FuzzEvidence(f *testing.F) {
	f.Add("n=about;e=fosdem@2014;y=2014;s=anil,mort;src=blog;id=0a1b2c3d")
	f.Add("")
	f.Add("n=;e=;y=x;s=;;=;src")
	f.Add("e=@;y=-1;s=,,")
	f.Fuzz(func(t *testing.T, s string) {
		ev := decodeEvidence(s)
		again := decodeEvidence(ev.encode())
		if again.nature != ev.nature || again.year != ev.year || again.src != ev.src && !strings.ContainsAny(ev.src, ";=") ||
			again.id != ev.id && !strings.ContainsAny(ev.id, ";=") {
			t.Errorf("round trip of %q: %+v then %+v", s, ev, again)
		}
	})
}

// TestEventYear: an event named with its year wins over one named
// without, and an elided year counts.
func TestEventYear(t *testing.T) {
	tests := []struct {
		name    string
		source  string
		entries []talkstream.Entry
		want    string
	}{
		{"elided year", "blog", []talkstream.Entry{{GUID: "a", Link: "https://example.org/a", Title: "MirageOS travels to FOSDEM'13: our demo",
			Published: day(2014, 1, 5)}}, "fosdem-2013"},
		{"no year: the item's", "blog", []talkstream.Entry{{GUID: "a", Link: "https://example.org/a", Title: "Our demo at FOSDEM",
			Published: day(2014, 2, 5)}}, "fosdem-2014"},
		{"a recording's description names the year", "tube", []talkstream.Entry{{GUID: "a", Link: "https://www.youtube.com/watch?v=abcdefghijk",
			Title: "Unikernels at FOSDEM", Summary: "Recorded at FOSDEM 2013 in Brussels.", Published: day(2014, 1, 5)}}, "fosdem-2013"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, tx := New(evidenceOptions()), newFakeTx()
			apply(t, m, tx, tt.source, tt.entries...)
			if it := tx.item(t, tx.itemIDs()[0]); it.Event != tt.want {
				t.Errorf("event %q, want %q:\n%s", it.Event, tt.want, strings.Join(it.Why, "\n"))
			}
		})
	}
}
