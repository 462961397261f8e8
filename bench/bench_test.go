// Package bench holds talkstream's benchmark harness (cmd/talkbench, run by
// `make bench`), the synthetic world it serves (world), and Go benchmarks
// of the stages the other packages' benchmarks do not cover: video-id
// extraction, title normalisation, gofeed alone and fetch's parse +
// translate on each of the world's feed shapes.
package bench

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/mmcdole/gofeed"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/bench/world"
	"github.com/talkstream/talkstream/fetch"
	"github.com/talkstream/talkstream/merge"
)

// BenchmarkParseVideoURL is video-id extraction from the URL forms feeds
// and posts use, and from URLs that are not videos (most links).
func BenchmarkParseVideoURL(b *testing.B) {
	urls := []string{
		"https://www.youtube.com/watch?v=bC7rTUEZfmI&feature=youtu.be&t=42",
		"https://youtu.be/cUvNths_5RA",
		"https://www.youtube-nocookie.com/embed/GNc1t6Q5Dls?rel=0",
		"https://player.vimeo.com/video/57412215?dnt=1",
		"https://vimeo.com/channels/staffpicks/16189862",
		"https://mirageos.org/blog/announcing-mirage-20-release?utm_source=rss",
		"/graphics/cubieboard2.jpg",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		talkstream.ParseVideoURL(urls[i%len(urls)])
	}
}

// BenchmarkNormalizeTitle is title normalisation (the title key of
// merge) on titles as feeds decorate them.
func BenchmarkNormalizeTitle(b *testing.B) {
	titles := []string{
		"Unikernels: Functional Infrastructure with MirageOS (Esper 2015)",
		"MirageOS v2.0: a recap of new features (via MirageOS)",
		"Taking the Operating System out of Operations - Gareth Rushgrove - Operability 2015",
		"[slides] Jitsu: Just-In-Time Summoning of Unikernels | NSDI 2015",
		"Vidéo : Les unikernels à l'ère du cloud — Thomas Gazagnaire",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		merge.NormalizeTitle(titles[i%len(titles)])
	}
}

// oneOfEach returns the first feed of each kind in w.
func oneOfEach(w *world.World) []*world.Feed {
	var out []*world.Feed
	seen := map[string]bool{}
	for i := range w.Feeds {
		if f := &w.Feeds[i]; !seen[f.Kind] {
			seen[f.Kind] = true
			out = append(out, f)
		}
	}
	return out
}

// smallWorld has 50-entry feeds, the default feed size.
func smallWorld() *world.World { return world.New(world.Options{Sources: 10, Entries: 50}) }

// BenchmarkGofeedParse is the parse limit per feed shape: gofeed alone,
// configured as fetch configures it, on bytes in memory.
func BenchmarkGofeedParse(b *testing.B) {
	for _, f := range oneOfEach(smallWorld()) {
		b.Run(f.Kind, func(b *testing.B) {
			b.SetBytes(int64(len(f.Body)))
			b.ReportAllocs()
			for b.Loop() {
				p := gofeed.NewParser()
				p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
				if _, err := p.ParseString(string(f.Body)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.Entries), "ns/entry")
		})
	}
}

// BenchmarkFetch is fetch.Fetcher.Fetch of one feed from an httptest
// server on loopback: the HTTP round trip, charset handling, gofeed and
// the translation into talkstream.Entry values. Compare with
// BenchmarkGofeedParse for what fetch adds to the parse.
func BenchmarkFetch(b *testing.B) {
	w := smallWorld()
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()
	fetcher := fetch.New(fetch.Options{})
	ctx := context.Background()
	for _, f := range oneOfEach(w) {
		src := talkstream.Source{ID: f.ID, Kind: talkstream.SourceKind(f.Kind), URL: srv.URL + f.Path}
		b.Run(f.Kind, func(b *testing.B) {
			b.SetBytes(int64(len(f.Body)))
			b.ReportAllocs()
			for b.Loop() {
				res, err := fetcher.Fetch(ctx, src)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Entries) != f.Entries {
					b.Fatalf("%d entries, want %d", len(res.Entries), f.Entries)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(f.Entries), "ns/entry")
		})
	}
}
