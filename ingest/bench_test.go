package ingest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
)

// BenchmarkRunNotModified is one cycle over 40 sources on 4 hosts that all
// answer 304: the steady state of a deployment, and what a tick costs.
func BenchmarkRunNotModified(b *testing.B) {
	body := fixture(b, "rss.xml")
	var srcs []talkstream.Source
	for h := range 4 {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("ETag", `"e"`)
			if r.Header.Get("If-None-Match") == `"e"` {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Write(body)
		}))
		b.Cleanup(srv.Close)
		for i := range 10 {
			srcs = append(srcs, blog(fmt.Sprintf("h%d-%d", h, i), fmt.Sprintf("%s/%d", srv.URL, i)))
		}
	}
	w := newWorld(b, srcs, fetch.Options{}, Options{})
	ctx := context.Background()
	run := func() Summary {
		cur, err := w.in.Sources(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := w.in.Run(ctx, cur, nil)
		if err != nil {
			b.Fatal(err)
		}
		return sum
	}
	run() // the first fetch parses and merges
	for b.Loop() {
		if sum := run(); sum.Unchanged != len(srcs) {
			b.Fatalf("%+v", sum)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/float64(len(srcs)), "µs/source")
}
