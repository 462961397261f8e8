package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmcdole/gofeed"
)

// ParseResult is what `talkbench parse` measured: gofeed alone on the
// world's bytes, already in memory.
type ParseResult struct {
	Feeds   int           `json:"feeds"`
	Entries int64         `json:"entries"`
	Bytes   int64         `json:"bytes"`
	Workers int           `json:"workers"`
	Wall    time.Duration `json:"wall_ns"`
	CPU     time.Duration `json:"cpu_ns"`
	MaxRSS  int64         `json:"maxrss_bytes"`
}

// cmdParse is the parse limit: read every file of a dumped world into
// memory (not timed), then parse them all with gofeed, configured as
// fetch configures it, on GOMAXPROCS goroutines (timed: wall and this
// process's CPU).
func cmdParse(args []string) error {
	fs := flag.NewFlagSet("talkbench parse", flag.ContinueOnError)
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "parsing goroutines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var files []string
	for _, dir := range fs.Args() {
		m, err := filepath.Glob(filepath.Join(dir, "*"))
		if err != nil {
			return err
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	bodies := make([][]byte, len(files))
	res := ParseResult{Feeds: len(files), Workers: *workers}
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		bodies[i] = b
		res.Bytes += int64(len(b))
	}
	var next atomic.Int64
	var entries atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	t0, c0 := time.Now(), selfCPU()
	for range *workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				p := gofeed.NewParser()
				p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
				feed, err := p.Parse(bytes.NewReader(bodies[i]))
				if err != nil {
					firstErr.CompareAndSwap(nil, fmt.Errorf("%s: %w", files[i], err))
					continue
				}
				entries.Add(int64(len(feed.Items)))
			}
		})
	}
	wg.Wait()
	res.Wall, res.CPU = time.Since(t0), selfCPU()-c0
	res.Entries = entries.Load()
	res.MaxRSS = selfMaxRSS()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	printJSON(res)
	return nil
}
