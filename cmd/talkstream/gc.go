package main

import (
	"os"
	"runtime/debug"
)

// batchGCPercent and batchMemoryLimit tune the garbage collector of the
// one-shot verbs (fetch, build). Their live heap is small (tens of MiB)
// while every entry's text passes through it, so at the default GOGC=100
// the collector runs hundreds of times (280 in a fetch of 2,000 entries)
// for about a tenth of the CPU. Collecting a fifth as often costs 10–15 %
// less CPU on the bench world; the soft limit keeps the Go heap bounded
// whatever the store's size (SQLite's page cache is outside it). GOGC and
// GOMEMLIMIT in the environment win.
const (
	batchGCPercent   = 400
	batchMemoryLimit = 96 << 20
)

// batchVerbs are the verbs batchGC tunes.
var batchVerbs = map[string]bool{"fetch": true, "build": true}

// batchGC tunes the collector when verb is one of batchVerbs.
func batchGC(verb string) {
	if !batchVerbs[verb] {
		return
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(batchGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(batchMemoryLimit)
	}
}
