package merge

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCanonicalURL(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"already canonical", "https://example.com/a/b", "https://example.com/a/b"},
		{"scheme case", "HTTPS://example.com/a", "https://example.com/a"},
		{"host case", "https://Example.COM/a", "https://example.com/a"},
		{"path case kept", "https://example.com/About/Us", "https://example.com/About/Us"},
		{"http folds to https", "http://example.com/a", "https://example.com/a"},
		{"default http port", "http://example.com:80/a", "https://example.com/a"},
		{"default https port", "https://example.com:443/a", "https://example.com/a"},
		{"other port kept", "http://example.com:8080/a", "https://example.com:8080/a"},
		{"fragment", "https://example.com/a#section-2", "https://example.com/a"},
		{"trailing slash", "https://example.com/blog/post/", "https://example.com/blog/post"},
		{"several trailing slashes", "https://example.com/blog/post//", "https://example.com/blog/post"},
		{"root keeps slash", "https://example.com/", "https://example.com/"},
		{"empty path is root", "https://example.com", "https://example.com/"},
		{"index.html", "https://example.com/blog/index.html", "https://example.com/blog"},
		{"amp at the end", "https://example.com/blog/post/amp/", "https://example.com/blog/post"},
		{"amp at the start", "https://example.com/amp/blog/post", "https://example.com/blog/post"},
		{"amp parameter", "https://example.com/blog/post?amp=1", "https://example.com/blog/post"},
		{"amp alone is a page", "https://example.com/amp", "https://example.com/amp"},
		{"amp inside a word", "https://example.com/blog/champ", "https://example.com/blog/champ"},
		{"amp in the middle", "https://example.com/blog/amp/post", "https://example.com/blog/post"},
		{"root index.html", "https://example.com/index.html", "https://example.com/"},
		{"www folded", "https://www.example.com/a", "https://example.com/a"},
		{"WWW folded", "https://WWW.Example.com/a", "https://example.com/a"},
		{"www only as a prefix", "https://wwwexample.com/a", "https://wwwexample.com/a"},
		{"trailing dot in host", "https://example.com./a", "https://example.com/a"},
		{"utm params", "https://example.com/a?utm_source=twitter&utm_medium=social&utm_campaign=x", "https://example.com/a"},
		{"upper-case utm", "https://example.com/a?UTM_Source=x", "https://example.com/a"},
		{"fbclid", "https://example.com/a?fbclid=IwAR123", "https://example.com/a"},
		{"gclid", "https://example.com/a?gclid=EAIa", "https://example.com/a"},
		{"mailchimp", "https://example.com/a?mc_cid=1&mc_eid=2", "https://example.com/a"},
		{"ref", "https://example.com/a?ref=hn", "https://example.com/a"},
		{"feature", "https://example.com/a?feature=plcp", "https://example.com/a"},
		{"tracking among real params", "https://example.com/a?id=7&utm_source=x&page=2", "https://example.com/a?id=7&page=2"},
		{"param order", "https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"},
		{"repeated param keeps values", "https://example.com/a?tag=x&tag=y", "https://example.com/a?tag=x&tag=y"},
		{"empty query", "https://example.com/a?", "https://example.com/a"},
		{"only tracking query", "https://example.com/?utm_source=x", "https://example.com/"},
		{"escaped tilde", "https://example.com/%7Euser/", "https://example.com/~user"},
		{"space escaped", "https://example.com/a b", "https://example.com/a%20b"},
		{"user info dropped", "https://user:pass@example.com/a", "https://example.com/a"},
		{"protocol-relative", "//www.example.com/a", "https://example.com/a"},
		{"surrounding space", "  https://example.com/a \n", "https://example.com/a"},
		{"everything at once", "HTTP://WWW.Example.com:80/Talks/2014/?utm_source=rss&b=2&a=1#top", "https://example.com/Talks/2014?a=1&b=2"},
		{"ipv6", "http://[::1]:8080/a/", "https://[::1]:8080/a"},
		{"ipv6 default port", "http://[2001:db8::1]:80/a", "https://[2001:db8::1]/a"},
		{"ftp", "ftp://example.com/a", ""},
		{"mailto", "mailto:me@example.com", ""},
		{"javascript", "javascript:alert(1)", ""},
		{"relative path", "/blog/post", ""},
		{"relative name", "post.html", ""},
		{"no host", "https:///a", ""},
		{"empty", "", ""},
		{"garbage", "::::", ""},
		{"bad escape", "https://example.com/%zz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CanonicalURL(tt.in); got != tt.want {
				t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestCanonicalURLEquivalent checks pairs that must be the same page.
func TestCanonicalURLEquivalent(t *testing.T) {
	tests := []struct{ a, b string }{
		{"http://mirageos.org/blog/announcing-mirage-10", "https://mirageos.org/blog/announcing-mirage-10/?utm_source=twitter"},
		{"https://www.example.com/a?x=1&y=2", "http://example.com:80/a/?y=2&x=1#frag"},
		{"https://example.com/~u/p", "https://EXAMPLE.com/%7Eu/p/index.html"},
		{"https://mirageos.org/blog/announcing-mirage-40", "http://www.mirageos.org/blog/amp/announcing-mirage-40/"},
	}
	for _, tt := range tests {
		t.Run(tt.a, func(t *testing.T) {
			ca, cb := CanonicalURL(tt.a), CanonicalURL(tt.b)
			if ca == "" || ca != cb {
				t.Errorf("CanonicalURL(%q) = %q, CanonicalURL(%q) = %q; want equal", tt.a, ca, tt.b, cb)
			}
		})
	}
}

// FuzzCanonicalURL checks that CanonicalURL never panics and is idempotent:
// canonicalising a canonical URL changes nothing.
func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{
		"HTTP://WWW.Example.com:80/Talks/2014/?utm_source=rss&b=2&a=1#top",
		"https://example.com/%7Euser/index.html",
		"//www.youtube.com/watch?v=dQw4w9WgXcQ&feature=plcp&t=79",
		"https://example.com/a//index.html",
		"https://www.www.example.com./a",
		"http://[::1]:8080/a",
		"http://[fe80::1%25eth0]:8080/a",
		"https://example.com/a?b&a=%20",
		"mailto:x@y",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		once := CanonicalURL(raw)
		if once == "" {
			return
		}
		if !strings.HasPrefix(once, "https://") {
			t.Fatalf("CanonicalURL(%q) = %q, not https", raw, once)
		}
		if twice := CanonicalURL(once); twice != once {
			t.Fatalf("not idempotent: CanonicalURL(%q) = %q, CanonicalURL(%q) = %q", raw, once, once, twice)
		}
	})
}

func TestKeys(t *testing.T) {
	post := readTestdata(t, "post-one-video.html")
	roundup := readTestdata(t, "roundup.html")
	yt := "video:youtube:dQw4w9WgXcQ"
	vimeo := "video:vimeo:57412215"
	tests := []struct {
		name  string
		entry talkstream.Entry
		want  []string
	}{
		{
			name:  "youtube feed entry",
			entry: talkstream.Entry{Link: "https://www.youtube.com/watch?v=dQw4w9WgXcQ", Video: talkstream.NewVideo("youtube", "dQw4w9WgXcQ")},
			want:  []string{"url:https://youtube.com/watch?v=dQw4w9WgXcQ", yt},
		},
		{
			name:  "post embedding one video",
			entry: talkstream.Entry{Link: "https://anil.recoil.org/notes/fosdem-2014", Content: post},
			want:  []string{"url:https://anil.recoil.org/notes/fosdem-2014", yt},
		},
		{
			name:  "video only in the summary",
			entry: talkstream.Entry{Link: "https://example.org/p", Summary: `<iframe src="//player.vimeo.com/video/57412215"></iframe>`},
			want:  []string{"url:https://example.org/p", vimeo},
		},
		{
			name:  "roundup linking two videos",
			entry: talkstream.Entry{Link: "https://mirageos.org/blog/this-month", Content: roundup},
			want:  []string{"url:https://mirageos.org/blog/this-month"},
		},
		{
			name:  "link is the video",
			entry: talkstream.Entry{Link: "https://vimeo.com/57412215", Content: roundup},
			want:  []string{"url:https://vimeo.com/57412215", vimeo},
		},
		{
			name:  "video enclosure",
			entry: talkstream.Entry{Link: "https://example.org/ep1", Enclosures: []talkstream.Enclosure{{URL: "https://youtu.be/dQw4w9WgXcQ"}}},
			want:  []string{"url:https://example.org/ep1", yt},
		},
		{
			name: "curated links: video and slides give keys, event does not",
			entry: talkstream.Entry{Links: []talkstream.Link{
				{Role: talkstream.RoleVideo, URL: "http://vimeo.com/57412215"},
				{Role: talkstream.RoleSlides, URL: "http://decks.openmirage.org/xensummit12/"},
				{Role: talkstream.RoleEvent, URL: "http://www-archive.xenproject.org/xensummit/xs12na_talks/M10b.html"},
			}},
			want: []string{"url:https://decks.openmirage.org/xensummit12", "url:https://vimeo.com/57412215", vimeo},
		},
		{
			name: "curated post and paper links",
			entry: talkstream.Entry{Links: []talkstream.Link{
				{Role: talkstream.RolePost, URL: "https://mirageos.org/blog/announcing-mirage-10?utm_source=x"},
				{Role: talkstream.RolePaper, URL: "https://dl.acm.org/doi/10.1145/2451116.2451167"},
				{Role: talkstream.RolePage, URL: "https://example.org/unrelated"},
			}},
			want: []string{"url:https://dl.acm.org/doi/10.1145/2451116.2451167", "url:https://mirageos.org/blog/announcing-mirage-10"},
		},
		{
			name:  "home page is no key",
			entry: talkstream.Entry{Link: "https://mirageos.org/"},
			want:  []string{},
		},
		{
			name:  "relative link is no key",
			entry: talkstream.Entry{Link: "/blog/post"},
			want:  []string{},
		},
		{
			name:  "nothing",
			entry: talkstream.Entry{Title: "Just a title"},
			want:  []string{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := Keys(&tt.entry)
			if got := sortedKeys(keys); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Keys = %q, want %q", got, tt.want)
			}
			for k, why := range keys {
				if why == "" {
					t.Errorf("key %s has no reason", k)
				}
			}
		})
	}
}

func TestEntryID(t *testing.T) {
	tests := []struct {
		name  string
		entry talkstream.Entry
		want  string
	}{
		{"guid", talkstream.Entry{GUID: "yt:video:dQw4w9WgXcQ", Link: "https://youtu.be/x"}, "yt:video:dQw4w9WgXcQ"},
		{"guid trimmed", talkstream.Entry{GUID: "  tag:example.org,2014:1 \n"}, "tag:example.org,2014:1"},
		{"link when no guid", talkstream.Entry{GUID: "  ", Link: "https://example.org/p"}, "https://example.org/p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EntryID(&tt.entry); got != tt.want {
				t.Errorf("EntryID = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("hash when neither", func(t *testing.T) {
		a := talkstream.Entry{Title: "A talk", Content: "<p>body</p>"}
		b := talkstream.Entry{Title: "A talk", Content: "<p>other body</p>"}
		ida, idb := EntryID(&a), EntryID(&b)
		if !strings.HasPrefix(ida, "hash:") || len(ida) != len("hash:")+32 {
			t.Errorf("EntryID = %q, want hash:<32 hex>", ida)
		}
		if ida == idb {
			t.Errorf("different content gave the same id %q", ida)
		}
		a.Published = time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC)
		if EntryID(&a) != ida {
			t.Errorf("the date changed a hash id")
		}
	})
}

func TestAssignIDs(t *testing.T) {
	tests := []struct {
		name    string
		entries []talkstream.Entry
		want    []string
	}{
		{
			name: "distinct guids",
			entries: []talkstream.Entry{
				{GUID: "1", Link: "https://example.org/a"},
				{GUID: "2", Link: "https://example.org/b"},
			},
			want: []string{"1", "2"},
		},
		{
			name: "colliding guids become guid|link",
			entries: []talkstream.Entry{
				{GUID: "same", Link: "https://example.org/a"},
				{GUID: "other", Link: "https://example.org/c"},
				{GUID: "same", Link: "https://example.org/b"},
			},
			want: []string{"same|https://example.org/a", "other", "same|https://example.org/b"},
		},
		{
			name: "exact duplicates keep the plain id",
			entries: []talkstream.Entry{
				{GUID: "dup", Link: "https://example.org/a"},
				{GUID: "dup", Link: "https://example.org/a"},
			},
			want: []string{"dup", "dup"},
		},
		{
			name: "a guid shared by a duplicate and another link",
			entries: []talkstream.Entry{
				{GUID: "g", Link: "https://example.org/a"},
				{GUID: "g", Link: "https://example.org/a"},
				{GUID: "g", Link: "https://example.org/b"},
			},
			want: []string{"g|https://example.org/a", "g|https://example.org/a", "g|https://example.org/b"},
		},
		{
			name: "links without guids",
			entries: []talkstream.Entry{
				{Link: "https://example.org/a"},
				{Link: "https://example.org/b"},
			},
			want: []string{"https://example.org/a", "https://example.org/b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := titledIDs(tt.entries, assignIDs(tt.entries)); len(got) != 0 {
				t.Errorf("titledIDs = %v for entries with one title per id", got)
			}
			if got := assignIDs(tt.entries); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("assignIDs = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestContentHash(t *testing.T) {
	base := talkstream.Entry{
		GUID:       "yt:video:dQw4w9WgXcQ",
		Link:       "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		Title:      "Unikernels at FOSDEM 2014",
		Summary:    "A talk.",
		Authors:    []string{"FOSDEM"},
		Categories: []string{"talks"},
		Published:  time.Date(2014, 2, 1, 10, 0, 0, 0, time.UTC),
		Updated:    time.Date(2014, 2, 2, 10, 0, 0, 0, time.UTC),
		Video:      talkstream.NewVideo("youtube", "dQw4w9WgXcQ"),
	}
	h := ContentHash(&base)
	tests := []struct {
		name    string
		edit    func(e *talkstream.Entry)
		changed bool
	}{
		{"nothing", func(e *talkstream.Entry) {}, false},
		{"updated bumped", func(e *talkstream.Entry) { e.Updated = e.Updated.Add(72 * time.Hour) }, false},
		{"published moved", func(e *talkstream.Entry) { e.Published = e.Published.Add(time.Hour) }, false},
		{"both dates cleared", func(e *talkstream.Entry) { e.Published, e.Updated = time.Time{}, time.Time{} }, false},
		{"source id set", func(e *talkstream.Entry) { e.SourceID = "tube" }, false},
		{"title edit", func(e *talkstream.Entry) { e.Title = "Unikernels at FOSDEM 2014 (video)" }, true},
		{"summary edit", func(e *talkstream.Entry) { e.Summary = "A talk, with slides." }, true},
		{"content added", func(e *talkstream.Entry) { e.Content = "<p>more</p>" }, true},
		{"link changed", func(e *talkstream.Entry) { e.Link = "https://youtu.be/dQw4w9WgXcQ" }, true},
		{"thumbnail changed", func(e *talkstream.Entry) { e.Thumbnail = "https://i.ytimg.com/x.jpg" }, true},
		{"video changed", func(e *talkstream.Entry) { e.Video = talkstream.NewVideo("vimeo", "57412215") }, true},
		{"category added", func(e *talkstream.Entry) { e.Categories = append(e.Categories, "ocaml") }, true},
		{"curated link added", func(e *talkstream.Entry) {
			e.Links = []talkstream.Link{{Role: talkstream.RoleSlides, URL: "https://example.org/s"}}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := base
			e.Categories = append([]string(nil), base.Categories...)
			tt.edit(&e)
			if got := ContentHash(&e) != h; got != tt.changed {
				t.Errorf("hash changed = %v, want %v", got, tt.changed)
			}
		})
	}
	t.Run("date matters without guid or link", func(t *testing.T) {
		a := talkstream.Entry{Title: "Weekly notes", Published: time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC)}
		b := a
		b.Published = b.Published.AddDate(0, 0, 7)
		if ContentHash(&a) == ContentHash(&b) {
			t.Error("two weeks' notes with the same title hash alike")
		}
	})
}

func BenchmarkCanonicalURL(b *testing.B) {
	urls := []string{
		"HTTP://WWW.Example.com:80/Talks/2014/?utm_source=rss&b=2&a=1#top",
		"https://mirageos.org/blog/announcing-mirage-10",
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=plcp&t=79",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		CanonicalURL(urls[i%len(urls)])
	}
}

func BenchmarkKeys(b *testing.B) {
	e := talkstream.Entry{
		Link:    "https://anil.recoil.org/notes/fosdem-2014?utm_source=rss",
		Content: readTestdata(b, "post-one-video.html") + readTestdata(b, "roundup.html"),
		Summary: readTestdata(b, "post-one-video.html"),
	}
	b.ReportAllocs()
	for b.Loop() {
		Keys(&e)
	}
}

func TestStripTracking(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://mirageos.org/blog/x?utm_source=a&utm_medium=rss", "http://mirageos.org/blog/x"},
		{"https://example.org/a?id=3&fbclid=zz", "https://example.org/a?id=3"},
		{"https://example.org/a?id=3", "https://example.org/a?id=3"},
		{"https://example.org/a#frag", "https://example.org/a#frag"},
		{"not a url\x7f", "not a url\x7f"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := StripTracking(tt.in); got != tt.want {
				t.Errorf("StripTracking(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestDistinctLinks(t *testing.T) {
	es := []StoredEntry{
		{SourceID: "anil", Role: talkstream.RolePost, Entry: talkstream.Entry{Link: "http://mirageos.org/blog/x?utm_source=anil"}},
		{SourceID: "blog", Role: talkstream.RolePost, Entry: talkstream.Entry{Link: "https://mirageos.org/blog/x"}},
		{SourceID: "talks", Role: talkstream.RoleSlides, Entry: talkstream.Entry{Links: []talkstream.Link{
			{Role: talkstream.RoleSlides, URL: "http://decks.openmirage.org/x/"},
			{Role: talkstream.RolePost, URL: "https://www.mirageos.org/blog/x/"},
		}}},
	}
	got := distinctLinks(es)
	want := []talkstream.Link{
		{Role: talkstream.RolePost, URL: "https://mirageos.org/blog/x", Source: "anil"},
		{Role: talkstream.RoleSlides, URL: "http://decks.openmirage.org/x/", Source: "talks"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("link %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestDistinctVideoLinks: one video is one link, shown as its watch page,
// whether an entry gives its watch URL, an embed or a short link.
func TestDistinctVideoLinks(t *testing.T) {
	es := []StoredEntry{
		{SourceID: "page", Role: talkstream.RolePost, Entry: talkstream.Entry{Link: "https://conf.example/talk", Links: []talkstream.Link{
			{Role: talkstream.RoleVideo, URL: "https://www.youtube.com/embed/bC7rTUEZfmI"},
			{Role: talkstream.RoleVideo, URL: "https://player.vimeo.com/video/76878888"},
		}}},
		{SourceID: "yt", Role: talkstream.RoleVideo, Entry: talkstream.Entry{Link: "https://www.youtube.com/watch?v=bC7rTUEZfmI"}},
		{SourceID: "talks", Role: talkstream.RoleVideo, Entry: talkstream.Entry{Link: "https://youtu.be/bC7rTUEZfmI"}},
	}
	got := distinctLinks(es)
	want := []string{"https://conf.example/talk", "https://www.youtube.com/watch?v=bC7rTUEZfmI", "https://vimeo.com/76878888"}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %q", got, want)
	}
	for i := range want {
		if got[i].URL != want[i] {
			t.Errorf("link %d = %+v, want %s", i, got[i], want[i])
		}
	}
}

// TestTitledIDs: stories of one feed that share their identity (a link and
// no GUID, or a GUID and link) are told apart by their titles; an exact
// repeat keeps sharing its twin's id.
func TestTitledIDs(t *testing.T) {
	entries := []talkstream.Entry{
		{Link: "https://radio.example/show", Title: "Episode 2"},
		{Link: "https://radio.example/show", Title: "Episode 1"},
		{Link: "https://radio.example/show", Title: "Episode 1"},
		{GUID: "g", Link: "https://radio.example/n", Title: "Notice A"},
		{GUID: "g", Link: "https://radio.example/n", Title: "Notice B"},
		{Link: "https://radio.example/other", Title: "Alone"},
	}
	got := titledIDs(entries, assignIDs(entries))
	if len(got) != 5 {
		t.Fatalf("titledIDs = %v, want the 5 entries that share an id", got)
	}
	if got[1] != got[2] || got[0] == got[1] || got[3] == got[4] {
		t.Errorf("titledIDs = %v", got)
	}
	for i, id := range got {
		if !isTitledID(id) || !strings.HasPrefix(id, EntryID(&entries[i])+titleIDSep) {
			t.Errorf("entry %d: id %q", i, id)
		}
	}
	if isTitledID("https://example.org/a") || isTitledID("g|https://example.org/a") {
		t.Error("a plain id taken for a titled one")
	}
}
