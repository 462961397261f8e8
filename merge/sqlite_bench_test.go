package merge_test

// Benchmarks of merging into the real SQLite store (package store imports
// merge, so these live in the external test package). `make bench` runs
// them; nothing here asserts a duration.

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/store"
)

// synthWorld is a generated community: talks uploaded to YouTube and Vimeo
// channels, speakers' posts embedding the videos, event pages with the
// same titles, blog cross-posts with tracking parameters, and plain posts.
type synthWorld struct {
	sources []talkstream.Source
	feeds   map[string][]talkstream.Entry // source id → entries, oldest first
	order   []string                      // source ids in fetch order
	total   int
}

var synthWords = []string{"unikernels", "ocaml", "xen", "networking", "storage", "irmin", "tls", "dns",
	"compilers", "types", "effects", "scheduling", "firewalls", "hypervisors", "containers", "clouds",
	"embedded", "security", "functional", "reactive", "distributed", "consensus", "databases", "browsers"}

// synth builds a world of about n entries spread over 80 sources.
func synth(n int) *synthWorld {
	r := rand.New(rand.NewPCG(1, 2))
	w := &synthWorld{feeds: map[string][]talkstream.Entry{}}
	add := func(kind talkstream.SourceKind, count int) []string {
		var ids []string
		for i := range count {
			id := fmt.Sprintf("%s-%02d", kind, i)
			w.sources = append(w.sources, talkstream.Source{ID: id, Kind: kind, Tags: []string{"synthetic"}})
			ids = append(ids, id)
		}
		return ids
	}
	tubes := add(talkstream.SourceYouTube, 20)
	vimeos := add(talkstream.SourceVimeo, 10)
	people := add(talkstream.SourcePerson, 30)
	blogs := add(talkstream.SourceBlog, 10)
	events := add(talkstream.SourceEvents, 10)
	start := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	put := func(src string, e talkstream.Entry) {
		w.feeds[src] = append(w.feeds[src], e)
		w.total++
	}
	for talk := 0; w.total < n; talk++ {
		date := start.Add(time.Duration(r.IntN(15*365*24)) * time.Hour)
		title := fmt.Sprintf("%s and %s in practice, part %d", synthWords[r.IntN(len(synthWords))],
			synthWords[r.IntN(len(synthWords))], talk)
		speaker := fmt.Sprintf("Speaker%d Person%d", talk%997, talk%13)
		var video *talkstream.Video
		switch r.IntN(10) {
		case 0, 1, 2, 3, 4, 5:
			id := fmt.Sprintf("v%010d", talk)
			video = talkstream.NewVideo("youtube", id)
			put(tubes[talk%len(tubes)], talkstream.Entry{
				GUID: "yt:video:" + id, Link: video.URL, Title: title + " - " + speaker + " - Conf 2015",
				Summary: "Recorded at Conf.", Published: date.Add(72 * time.Hour), Updated: date.Add(9000 * time.Hour),
				Video: video, Thumbnail: video.Thumbnail,
			})
		case 6, 7:
			id := fmt.Sprint(100000000 + talk)
			video = talkstream.NewVideo("vimeo", id)
			put(vimeos[talk%len(vimeos)], talkstream.Entry{
				GUID: fmt.Sprintf("tag:vimeo,2015-01-01:clip%s", id), Link: video.URL, Title: title,
				Summary: `<p><img src="https://i.vimeocdn.com/video/x.jpg"></p>`, Published: date.Add(48 * time.Hour), Video: video,
			})
		}
		person := people[talk%len(people)]
		link := fmt.Sprintf("https://%s.example.org/talks/%d", person, talk)
		if video != nil && r.IntN(2) == 0 {
			put(person, talkstream.Entry{
				GUID: link, Link: link, Title: "My talk: " + title, Authors: []string{speaker},
				Content:   `<p>The video:</p><iframe src="` + video.EmbedURL + `"></iframe><p>Thanks for coming.</p>`,
				Published: date,
			})
		} else {
			put(person, talkstream.Entry{GUID: link, Link: link, Title: title, Authors: []string{speaker},
				Content: "<p>Some notes on " + title + ".</p>", Published: date, Categories: []string{"notes"}})
		}
		if r.IntN(10) == 0 { // a cross-post of the person's post
			b := blogs[talk%len(blogs)]
			put(b, talkstream.Entry{GUID: fmt.Sprintf("tag:%s,%d", b, talk), Link: "http://WWW." + link[len("https://"):] + "/?utm_source=planet",
				Title: title + " (via " + person + ")", Published: date.Add(24 * time.Hour)})
		}
		if r.IntN(5) == 0 { // the event's page of the talk: merged by title
			ev := events[talk%len(events)]
			put(ev, talkstream.Entry{GUID: fmt.Sprintf("%s/%d", ev, talk), Link: fmt.Sprintf("https://%s.example.org/s/%d", ev, talk),
				Title: title, Summary: "Abstract of the talk.", Published: date.Add(-24 * time.Hour)})
		}
	}
	for _, s := range w.sources {
		w.order = append(w.order, s.ID)
	}
	return w
}

func synthOptions(w *synthWorld) merge.Options {
	return merge.Options{
		Sources: w.sources,
		Speakers: []merge.Speaker{
			{ID: "anil", Name: "Anil Madhavapeddy", Aliases: []string{"avsm"}},
			{ID: "mort", Name: "Richard Mortier", Aliases: []string{"mor1"}},
		},
		Events: []merge.Event{{ID: "conf", Name: "Conf", Match: regexp.MustCompile(`(?i)\bconf\b`)}},
		Rules:  []merge.Rule{{Match: regexp.MustCompile(`(?i)\bunikernels?\b`), Tags: []string{"unikernels"}}},
	}
}

// applyWorld merges every source's feed in batches of batch entries (0:
// the whole feed), one transaction per batch, as fetches do.
func applyWorld(b *testing.B, s *store.Store, m *merge.Merger, w *synthWorld, batch int, now time.Time) {
	ctx := context.Background()
	byID := map[string]talkstream.Source{}
	for _, src := range w.sources {
		byID[src.ID] = src
	}
	for _, id := range w.order {
		feed := w.feeds[id]
		step := batch
		if step <= 0 {
			step = len(feed)
		}
		for i := 0; i < len(feed); i += step {
			part := feed[i:min(i+step, len(feed))]
			err := s.Update(ctx, func(tx *store.Tx) error {
				_, err := m.Apply(tx, byID[id], part, now)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

var benchEntries = flag.Int("bench.entries", 100_000, "entries BenchmarkApplySQLite100k merges (smaller for quick profiling)")

// BenchmarkApplySQLite100k merges 100,000 synthetic entries from 80
// sources into a new SQLite store, one Apply and one transaction per
// source as `talkstream fetch` does. The target is under 2 s per op on one
// core (go test -cpu 1).
func BenchmarkApplySQLite100k(b *testing.B) {
	w := synth(*benchEntries)
	m := merge.New(synthOptions(w))
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := store.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		applyWorld(b, s, m, w, 0, now)
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(w.total), "ns/entry")
}

// populated caches the stores BenchmarkApplyOneEntry starts from: the
// testing package calls a benchmark several times to size b.N, and filling
// a store of 100,000 items takes a while.
var (
	populated = map[int]*populatedStore{}
	tempDirs  []string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range tempDirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

type populatedStore struct {
	once sync.Once
	s    *store.Store
	m    *merge.Merger
	src  talkstream.Source
}

func populate(b *testing.B, size int) *populatedStore {
	p, ok := populated[size]
	if !ok {
		p = &populatedStore{}
		populated[size] = p
	}
	p.once.Do(func() {
		dir, err := os.MkdirTemp("", "talkstream-bench")
		if err != nil {
			b.Fatal(err)
		}
		tempDirs = append(tempDirs, dir)
		w := synth(size)
		p.m = merge.New(synthOptions(w))
		if p.s, err = store.Open(context.Background(), filepath.Join(dir, "bench.db")); err != nil {
			b.Fatal(err)
		}
		applyWorld(b, p.s, p.m, w, 0, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		if err := p.s.Checkpoint(context.Background()); err != nil {
			b.Fatal(err)
		}
		p.src = w.sources[len(w.sources)-1]
	})
	return p
}

// BenchmarkApplyOneEntry merges one new entry per op, in its own
// transaction as a feed with one new post does, into stores of different
// sizes: key lookups are primary-key and range searches, so the cost of an
// entry must not grow with the store. (Not named *SQLite*, so that make
// bench runs it several times rather than once.)
func BenchmarkApplyOneEntry(b *testing.B) {
	for _, size := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("items=%d", size), func(b *testing.B) {
			p := populate(b, size)
			now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				n := time.Now().UnixNano() // unique across the calls that size b.N
				e := talkstream.Entry{
					GUID: fmt.Sprintf("new-%d", n), Link: fmt.Sprintf("https://late.example.org/s/%d", n),
					Title:     fmt.Sprintf("%s and %s in practice, part %d", synthWords[i%7], synthWords[i%11], n),
					Published: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
				}
				err := p.s.Update(ctx, func(tx *store.Tx) error {
					_, err := p.m.Apply(tx, p.src, []talkstream.Entry{e}, now)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
