package main

import (
	"testing"
	"time"

	"github.com/talkstream/talkstream/bench/world"
)

func TestParseWrk(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		rps     float64
		p99     time.Duration
		non2xx  int
		wantErr bool
	}{
		{"ok", `Running 4s test @ http://127.0.0.1:8080/atom.xml
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.21ms  400.00us   9.00ms   90.00%
  Latency Distribution
     50%    1.10ms
     75%    1.30ms
     90%    1.60ms
     99%    3.25ms
  48000 requests in 4.00s, 38.00GB read
Requests/sec:  12000.50
Transfer/sec:      9.50GB
`, 12000.5, 3250 * time.Microsecond, 0, false},
		{"microseconds and errors", `     99%  850.00us
  Non-2xx or 3xx responses: 7
Requests/sec:    950.00
`, 950, 850 * time.Microsecond, 7, false},
		{"no report", "unable to connect to 127.0.0.1:1 Connection refused\n", 0, 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWrk([]byte(tt.out))
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got.rps != tt.rps || got.p99 != tt.p99 || got.non2xx != tt.non2xx {
				t.Errorf("got %+v, want rps %v p99 %v non2xx %d", got, tt.rps, tt.p99, tt.non2xx)
			}
		})
	}
}

func TestParseGoBench(t *testing.T) {
	raw := `goos: linux
pkg: github.com/talkstream/talkstream/merge
BenchmarkKeys-2   	  100	  3000 ns/op	  512 B/op	  9 allocs/op
BenchmarkKeys-2   	  100	  1000 ns/op	  512 B/op	  9 allocs/op
BenchmarkKeys-2   	  100	  2000 ns/op	  512 B/op	  9 allocs/op
pkg: github.com/talkstream/talkstream/bench
BenchmarkGofeedParse/blog-2 	 7	 85689965 ns/op	 4.69 MB/s	 1713799 ns/entry
PASS
`
	got := parseGoBench(raw)
	if len(got) != 2 {
		t.Fatalf("%d benchmarks, want 2: %+v", len(got), got)
	}
	tests := []struct {
		i          int
		unit       string
		want       float64
		pkg        string
		runs       int
		benchmarks string
	}{
		{0, "ns/op", 2000, "github.com/talkstream/talkstream/merge", 3, "BenchmarkKeys-2"},
		{0, "allocs/op", 9, "github.com/talkstream/talkstream/merge", 3, "BenchmarkKeys-2"},
		{1, "ns/entry", 1713799, "github.com/talkstream/talkstream/bench", 1, "BenchmarkGofeedParse/blog-2"},
		{1, "MB/s", 4.69, "github.com/talkstream/talkstream/bench", 1, "BenchmarkGofeedParse/blog-2"},
	}
	for _, tt := range tests {
		t.Run(tt.benchmarks+" "+tt.unit, func(t *testing.T) {
			b := got[tt.i]
			if b.pkg != tt.pkg || b.name != tt.benchmarks || b.runs != tt.runs {
				t.Errorf("got %s %s (%d runs), want %s %s (%d)", b.pkg, b.name, b.runs, tt.pkg, tt.benchmarks, tt.runs)
			}
			if v, ok := b.get(tt.unit); !ok || v != tt.want {
				t.Errorf("%s = %v (%v), want %v", tt.unit, v, ok, tt.want)
			}
		})
	}
}

// TestStratified checks that a sample keeps the world's mix of kinds.
func TestStratified(t *testing.T) {
	w := world.New(world.Options{Sources: 200, Entries: 1, MinHTML: 64, MaxHTML: 64})
	all, picked := map[string]int{}, map[string]int{}
	keep := stratified(10)
	for i := range w.Feeds {
		f := &w.Feeds[i]
		all[f.Kind]++
		if keep(f) {
			picked[f.Kind]++
		}
	}
	for k, n := range all {
		if picked[k]*10 != n {
			t.Errorf("%s: picked %d of %d, want a tenth", k, picked[k], n)
		}
	}
}

func TestMedian(t *testing.T) {
	ss := []Sample{{Wall: 3, CPU: 30, MaxRSS: 1}, {Wall: 1, CPU: 10, MaxRSS: 3}, {Wall: 2, CPU: 20, MaxRSS: 2}}
	if got := median(ss); got != (Sample{Wall: 2, CPU: 20, MaxRSS: 2}) {
		t.Errorf("median = %+v", got)
	}
	if got := medianFloat([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("medianFloat = %v, want 2.5", got)
	}
}
