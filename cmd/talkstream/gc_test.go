package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestBatchGC: fetch and build collect less often, under a soft limit;
// other verbs and an explicit GOGC or GOMEMLIMIT are left alone.
func TestBatchGC(t *testing.T) {
	restore := func(percent int, limit int64) {
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	}
	percent, limit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	defer restore(percent, limit)
	for _, tc := range []struct {
		verb, gogc, gomemlimit string
		percent                int
		limit                  int64
	}{
		{"fetch", "", "", batchGCPercent, 96 << 20},
		{"build", "", "", batchGCPercent, 64 << 20},
		{"serve", "", "", 100, math.MaxInt64},
		{"fetch", "50", "", 100, 96 << 20},
		{"build", "", "1GiB", batchGCPercent, math.MaxInt64},
	} {
		t.Run(tc.verb+"/"+tc.gogc+"/"+tc.gomemlimit, func(t *testing.T) {
			restore(100, math.MaxInt64)
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", tc.gomemlimit)
			batchGC(tc.verb)
			if got := debug.SetGCPercent(100); got != tc.percent {
				t.Errorf("GC percent %d, want %d", got, tc.percent)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.limit {
				t.Errorf("memory limit %d, want %d", got, tc.limit)
			}
		})
	}
}
