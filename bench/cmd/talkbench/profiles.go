package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/talkstream/talkstream/bench/world"
)

// profileOut is one CPU profile, summarised by `go tool pprof -top`.
type profileOut struct {
	name, what string
	flat, cum  string // pprof -top and -top -cum, trimmed
	file       string
}

// stratified keeps one feed in every n with the world's mix of kinds
// (kinds repeat every 10 sources; the offset shifts by one per block of 10).
func stratified(n int) func(*world.Feed) bool {
	return func(f *world.Feed) bool { return (f.Index+f.Index/10)%n == 0 }
}

// runProfiles profiles the full cycle in one process on every Nth source of
// the world, then the server on the store that cycle built, under wrk.
func runProfiles(ctx context.Context, log io.Writer, o runOpts, self string, w *world.World, port int, _ string) ([]profileOut, error) {
	dir := filepath.Join(o.work, "profile")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	keep := stratified(max(o.profileEvery, 1))
	n := 0
	for i := range w.Feeds {
		if keep(&w.Feeds[i]) {
			n++
		}
	}
	cfg := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfg, w.ConfigOf(port, "profile.db", keep), 0o644); err != nil {
		return nil, err
	}
	var out []profileOut
	cycleProf := filepath.Join(dir, "cycle.pprof")
	if _, err := runProc(ctx, log, dir, self, "profile", "-config", cfg, "-cpuprofile", cycleProf); err != nil {
		return out, err
	}
	out = append(out, summarise(ctx, log, "full cycle", fmt.Sprintf("fetch + build of %d sources (%d entries) in one process: the ingest cycle (fetch.Fetcher, merge.Merger.Apply inside store.Update), then store.Items and publish.Render", n, n*w.Opts.Entries), cycleProf))

	addr, err := freeAddr()
	if err != nil {
		return out, err
	}
	serveProf := filepath.Join(dir, "serve.pprof")
	cmd := exec.CommandContext(ctx, self, "profile", "-config", cfg, "-serve", addr, "-cpuprofile", serveProf)
	cmd.Dir, cmd.Stderr = dir, log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return out, err
	}
	if err := cmd.Start(); err != nil {
		return out, err
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
			}
		}
		close(ready)
	}()
	select {
	case ok := <-ready:
		if !ok {
			cmd.Wait()
			return out, fmt.Errorf("the profiled server exited before serving")
		}
	case <-time.After(3 * time.Minute):
		cmd.Process.Kill()
		cmd.Wait()
		return out, fmt.Errorf("the profiled server was not ready after 3 minutes")
	}
	var cases []string
	for _, c := range []struct{ path, mode string }{{"/feed.json", "gzip"}, {"/atom.xml", "identity"}, {"/atom.xml", "304"}} {
		url := "http://" + addr + c.path
		hdrs, _, err := modeHeaders(url, c.mode)
		if err == nil {
			_, err = runWrk(ctx, log, o, url, hdrs)
		}
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			return out, err
		}
		cases = append(cases, c.path+" "+c.mode)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	out = append(out, summarise(ctx, log, "server", fmt.Sprintf("publish.Handler behind net/http (as `talkstream serve` mounts it) under wrk -c%d for %s each: %s", o.conns, o.serveDur, strings.Join(cases, ", ")), serveProf))
	return out, nil
}

func summarise(ctx context.Context, log io.Writer, name, what, file string) profileOut {
	p := profileOut{name: name, what: what, file: file}
	top := func(extra ...string) string {
		args := append([]string{"tool", "pprof", "-top", "-nodecount=" + strconv.Itoa(25)}, extra...)
		args = append(args, file)
		b, err := exec.CommandContext(ctx, "go", args...).Output()
		if err != nil {
			fmt.Fprintf(log, "pprof %s: %v\n", file, err)
			return "(pprof failed: " + err.Error() + ")"
		}
		// Drop pprof's header lines about the file and build.
		var keep []string
		for line := range strings.SplitSeq(string(b), "\n") {
			if strings.HasPrefix(line, "File:") || strings.HasPrefix(line, "Build ID:") || strings.HasPrefix(line, "Type:") || strings.HasPrefix(line, "Time:") {
				continue
			}
			keep = append(keep, line)
		}
		return strings.TrimSpace(strings.Join(keep, "\n"))
	}
	p.flat = top()
	p.cum = top("-cum")
	return p
}

// fpResult is what bench/feedparser_parse.py measured.
type fpResult struct {
	Feeds   int           `json:"feeds"`
	Entries int           `json:"entries"`
	Bytes   int64         `json:"bytes"`
	Bozo    int           `json:"bozo"`
	Wall    time.Duration `json:"wall_ns"`
	CPU     time.Duration `json:"cpu_ns"`
	Version string        `json:"version"`
}

// runFeedparser links a stratified sample of the feeds into sampleDir and
// has python3-feedparser parse it, then gofeed alone (one goroutine, as
// Python parses on one core) on the same files.
func runFeedparser(ctx context.Context, log io.Writer, self string, w *world.World, feedsDir, sampleDir string, percent int) (*fpResult, *ParseResult, error) {
	if err := os.MkdirAll(sampleDir, 0o755); err != nil {
		return nil, nil, err
	}
	keep := stratified(max(100/max(percent, 1), 1))
	for i := range w.Feeds {
		f := &w.Feeds[i]
		if keep(f) {
			os.Symlink(filepath.Join(feedsDir, f.File), filepath.Join(sampleDir, f.File))
		}
	}
	script, err := filepath.Abs(filepath.Join("bench", "feedparser_parse.py"))
	if err != nil {
		return nil, nil, err
	}
	var fp fpResult
	if err := runJSON(ctx, log, &fp, "/usr/bin/python3", script, sampleDir); err != nil {
		return nil, nil, err
	}
	var gp ParseResult
	if err := runJSON(ctx, log, &gp, self, "parse", "-workers", "1", sampleDir); err != nil {
		return &fp, nil, err
	}
	return &fp, &gp, nil
}
