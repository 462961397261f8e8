package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/talkstream/talkstream/bench/world"
)

// runOpts are the flags of `talkbench run`.
type runOpts struct {
	sources, entries int
	runs             int
	serveRuns        int
	serveDur         time.Duration
	conns, threads   int
	out              string
	gobench          string
	bin              string
	work             string
	keep             bool
	skip             string
	marks            string
	deadline         time.Duration
	cycleBudget      time.Duration
	fpPercent        int
	profileEvery     int
	findings         string
}

// results is everything one run measured, for the report.
type results struct {
	opts                   runOpts
	started                time.Time
	env                    []kv
	world                  worldInfo
	calibration, fewerRuns string
	full                   []cycleRun
	failures               []string
	fullMed                cycleRun
	unch                   []cycleRun
	unchMed                cycleRun
	unch304                int64
	incr                   []cycleRun // one new entry in one source: fetch + incremental build
	incrMed                cycleRun
	incrOut                string // what the last incremental build said it wrote
	manyPaths              *manyPathsResult
	parse                  []ParseResult
	parseMed               Sample
	fp                     *fpResult
	fpGofeed               *ParseResult
	scale                  *ScaleResult
	scaleErr               error
	serving                []servingRow
	servErr                error
	push                   *pushResult
	pushErr                error
	profiles               []profileOut
	gobench                []goBench
	gobRaw                 string
	notes                  []string
	loadEnd                string
	elapsed                time.Duration
}

type kv struct{ k, v string }

type worldInfo struct {
	sources, entries, total int
	bytes                   int64
	kinds                   map[string]int
	embeds, crossPosts      int
}

// cycleRun is one cycle through the CLI: fetch, then build.
type cycleRun struct {
	fetch, build, total Sample
}

func cmdRun(args []string) error {
	var o runOpts
	fs := flag.NewFlagSet("talkbench run", flag.ContinueOnError)
	fs.IntVar(&o.sources, "sources", 1000, "sources in the world")
	fs.IntVar(&o.entries, "entries", 50, "entries per source")
	fs.IntVar(&o.runs, "runs", 3, "runs of each cycle and of the parse limit (the report gives medians)")
	fs.IntVar(&o.serveRuns, "serve-runs", 3, "wrk runs per path, mode and server")
	fs.DurationVar(&o.serveDur, "serve-duration", 3*time.Second, "length of one wrk run")
	fs.IntVar(&o.conns, "connections", 32, "wrk keep-alive connections")
	fs.IntVar(&o.threads, "threads", 2, "wrk threads")
	fs.StringVar(&o.out, "out", "BENCHMARKS.md", "write the report to this `file`")
	fs.StringVar(&o.gobench, "gobench", "", "raw `go test -bench` output to include")
	fs.StringVar(&o.bin, "talkstream", "", "talkstream binary (default: go build ./cmd/talkstream into the work dir)")
	fs.StringVar(&o.work, "work", "", "work `directory` (default: a new temporary one, removed at the end)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory")
	fs.StringVar(&o.skip, "skip", "", "comma-separated steps to skip: full,unchanged,incremental,parse,feedparser,serve,push,profile,merge")
	fs.StringVar(&o.marks, "merge-marks", "100000,1000000", "merge at scale: entry counts to measure at")
	fs.DurationVar(&o.deadline, "deadline", 12*time.Minute, "time budget of this run; merge at scale gets what is left")
	fs.DurationVar(&o.cycleBudget, "cycle-budget", 5*time.Minute, "time budget of the full cycles (0: no limit); a calibration run says how many fit (at least one; the world is never reduced)")
	fs.IntVar(&o.fpPercent, "feedparser-percent", 10, "percent of the world's feeds python3-feedparser parses (a stratified sample)")
	fs.IntVar(&o.profileEvery, "profile-every", 5, "profile the full cycle on every Nth source (the same shapes, less time)")
	fs.StringVar(&o.findings, "findings", "bench/FINDINGS.md", "hand-written analysis to include in the report")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start := time.Now()
	ctx := context.Background()
	// What is not the full cycles (calibration, serving, profiles, merge at
	// scale) takes about 8 minutes whatever the world's size (serve and the profiles grow a little with it).
	o.cycleBudget = min(o.cycleBudget, max(o.deadline-8*time.Minute, time.Minute))
	skip := map[string]bool{}
	for s := range strings.SplitSeq(o.skip, ",") {
		skip[strings.TrimSpace(s)] = true
	}

	if o.work == "" {
		d, err := os.MkdirTemp("", "talkbench-")
		if err != nil {
			return err
		}
		o.work = d
		if !o.keep {
			defer os.RemoveAll(d)
		}
	}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return err
	}
	// nginx's workers may run as an unprivileged user: let them read.
	os.Chmod(o.work, 0o755)
	logPath := filepath.Join(o.work, "talkbench.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	log := io.Writer(logf)
	step := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		fmt.Fprintf(os.Stderr, "[%5.0fs] %s\n", time.Since(start).Seconds(), msg)
		fmt.Fprintf(log, "\n=== %s\n", msg)
	}
	res := &results{opts: o, started: start}
	res.env = environment(ctx)
	step("work directory %s (log: %s)", o.work, logPath)

	// The binary users run.
	if o.bin == "" {
		o.bin = filepath.Join(o.work, "talkstream")
		step("building talkstream")
		if _, err := runProc(ctx, log, "", "go", "build", "-o", o.bin, "./cmd/talkstream"); err != nil {
			return err
		}
	}
	if out, err := exec.Command(o.bin, "version").CombinedOutput(); err == nil {
		res.env = append(res.env, kv{"talkstream", strings.TrimSpace(string(out))})
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}

	// The world.
	step("generating a world of %d sources x %d entries", o.sources, o.entries)
	w := world.New(world.Options{Sources: o.sources, Entries: o.entries})
	port, stopWorld, err := serveWorld(w)
	if err != nil {
		return err
	}
	defer func() { stopWorld() }()
	cycleDir := filepath.Join(o.work, "cycle")
	os.MkdirAll(cycleDir, 0o755)

	// Calibrate: when the full cycles of this world would not fit the
	// budget, run fewer of them (at least one), and say so. The world is
	// never reduced: its size is what the figures are about.
	fullRuns := o.runs
	if !skip["full"] && o.cycleBudget > 0 {
		every := max(o.sources/10, 1)
		step("calibrating: one full cycle on 1 source in %d", every)
		perEntry, n, err := calibrate(ctx, log, o.bin, w, port, filepath.Join(o.work, "calibrate"), every)
		if err != nil {
			return err
		}
		one := perEntry * time.Duration(w.TotalEntries())
		projected := one * time.Duration(o.runs)
		step("calibration: %s per entry over %d entries; %d full cycles of the world would take %s (budget %s)", ms(perEntry), n, o.runs, projected.Round(time.Second), o.cycleBudget)
		res.calibration = fmt.Sprintf("a full cycle on 1 source in %d (%d entries) cost %s of wall time per entry", every, n, ms(perEntry))
		if projected > o.cycleBudget {
			fullRuns = max(1, min(o.runs, int(o.cycleBudget/one)))
			res.fewerRuns = fmt.Sprintf("The full cycle ran %d time(s), not %d, so that it fits the %s budget: %s, so %d full cycles of the %d-source world would have taken about %s. "+
				"The world was not reduced.", fullRuns, o.runs, o.cycleBudget, res.calibration, o.runs, o.sources, projected.Round(time.Minute))
			step("running the full cycle %d time(s)", fullRuns)
		}
	}
	res.world = describeWorld(w)
	feedsDir := filepath.Join(o.work, "feeds")
	if err := w.Dump(feedsDir); err != nil {
		return err
	}
	cfg := filepath.Join(cycleDir, "feeds.yaml")
	if err := os.WriteFile(cfg, w.Config(port, "bench.db"), 0o644); err != nil {
		return err
	}
	step("world: %d entries, %s, served on %s..%s:%d", res.world.total, mib(res.world.bytes), world.HostAddr(0), world.HostAddr(world.Hosts-1), port)
	outDir := filepath.Join(o.work, "site")
	db := filepath.Join(cycleDir, "bench.db")

	// Full cycles from an empty database, then unchanged cycles on the last.
	ranFull := false
	if !skip["full"] {
		for r := range fullRuns {
			for _, suf := range []string{"", "-wal", "-shm"} {
				os.Remove(db + suf)
			}
			os.RemoveAll(outDir)
			w.ResetCounts()
			step("full cycle %d/%d: fetch", r+1, fullRuns)
			var out bytes.Buffer
			fetchS, err := runProc(ctx, io.MultiWriter(log, &out), cycleDir, o.bin, "fetch", "-config", cfg)
			if err != nil {
				return err
			}
			if fails := failLines(out.String()); len(fails) > 0 && r == 0 {
				res.failures = fails
			}
			if total, nm := w.Requests(); total != int64(len(w.Feeds)) || nm != 0 {
				res.notes = append(res.notes, fmt.Sprintf("full cycle %d: the world answered %d requests (%d of them 304) for %d sources", r+1, total, nm, len(w.Feeds)))
			}
			step("full cycle %d/%d: build (fetch took %s)", r+1, fullRuns, ms(fetchS.Wall))
			buildS, err := runProc(ctx, log, cycleDir, o.bin, "build", "-config", cfg, "-out", outDir)
			if err != nil {
				return err
			}
			res.full = append(res.full, cycleRun{fetchS, buildS, fetchS.add(buildS)})
			step("full cycle %d/%d: %s wall, %s CPU, %s peak", r+1, fullRuns, ms(fetchS.Wall+buildS.Wall), ms(fetchS.CPU+buildS.CPU), mib(max(fetchS.MaxRSS, buildS.MaxRSS)))
		}
		res.fullMed = medianCycle(res.full)
		ranFull = true
	}
	if ranFull && !skip["unchanged"] {
		for r := range o.runs {
			w.ResetCounts()
			step("unchanged cycle %d/%d", r+1, o.runs)
			fetchS, err := runProc(ctx, log, cycleDir, o.bin, "fetch", "-config", cfg)
			if err != nil {
				return err
			}
			total, nm := w.Requests()
			res.unch304 = nm
			if total != int64(len(w.Feeds)) || nm != total {
				res.notes = append(res.notes, fmt.Sprintf("unchanged cycle %d: the world answered %d requests, %d of them 304, for %d sources", r+1, total, nm, len(w.Feeds)))
			}
			res.unch = append(res.unch, cycleRun{fetch: fetchS, total: fetchS})
		}
		res.unchMed = medianCycle(res.unch)
	}

	// Incremental cycles: one new entry, newer than every other, in one
	// source; then fetch and build into the folder the full cycle wrote.
	if ranFull && !skip["incremental"] {
		for r := range o.runs {
			w.AddEntry((r * 7) % len(w.Feeds))
			step("incremental cycle %d/%d: one new entry in %s", r+1, o.runs, w.Feeds[(r*7)%len(w.Feeds)].ID)
			fetchS, err := runProc(ctx, log, cycleDir, o.bin, "fetch", "-config", cfg)
			if err != nil {
				return err
			}
			var out bytes.Buffer
			buildS, err := runProc(ctx, io.MultiWriter(log, &out), cycleDir, o.bin, "build", "-config", cfg, "-out", outDir)
			if err != nil {
				return err
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			res.incrOut = lines[len(lines)-1] // the build's own summary, after runProc's command line
			res.incr = append(res.incr, cycleRun{fetchS, buildS, fetchS.add(buildS)})
		}
		res.incrMed = medianCycle(res.incr)
	}

	// The parse limit.
	if !skip["parse"] {
		var ps []Sample
		for r := range o.runs {
			step("parse limit %d/%d", r+1, o.runs)
			var pr ParseResult
			if err := runJSON(ctx, log, &pr, self, "parse", feedsDir); err != nil {
				return err
			}
			res.parse = append(res.parse, pr)
			ps = append(ps, Sample{Wall: pr.Wall, CPU: pr.CPU, MaxRSS: pr.MaxRSS})
		}
		res.parseMed = median(ps)
	}

	// python3-feedparser on a sample, and gofeed alone on the same sample.
	if !skip["feedparser"] {
		step("python3-feedparser on %d%% of the feeds", o.fpPercent)
		fp, gp, err := runFeedparser(ctx, log, self, w, feedsDir, filepath.Join(o.work, "sample"), o.fpPercent)
		if err != nil {
			res.notes = append(res.notes, "python3-feedparser: "+err.Error())
		}
		res.fp, res.fpGofeed = fp, gp
	}

	// Serving, against nginx.
	if ranFull && !skip["serve"] {
		step("serving: talkstream serve and nginx, wrk %s x %d runs per case", o.serveDur, o.serveRuns)
		rows, many, err := runServing(ctx, log, step, o, cfg, cycleDir, outDir)
		res.serving, res.manyPaths, res.servErr = rows, many, err
		if err != nil {
			step("serving failed: %v", err)
		}
	}

	// WebSub: push to output on the world's store.
	if ranFull && !skip["push"] {
		step("push: talkstream serve subscribed at a hub this harness runs, one pushed entry at a time")
		res.push, res.pushErr = runPush(ctx, log, o, cfg, cycleDir)
		if res.pushErr != nil {
			step("push failed: %v", res.pushErr)
		}
	}

	// Profiles: the full cycle on every Nth source, and the server.
	if !skip["profile"] {
		step("profiling the full cycle (every %d sources) and the server", o.profileEvery)
		profs, err := runProfiles(ctx, log, o, self, w, port, cfg)
		res.profiles = profs
		if err != nil {
			res.notes = append(res.notes, "profiling: "+err.Error())
			step("profiling failed: %v", err)
		}
	}

	// Merge at scale, with whatever time is left.
	if !skip["merge"] {
		step("merge at scale: marks %s", o.marks)
		mdir := filepath.Join(o.work, "merge")
		os.MkdirAll(mdir, 0o755)
		var sr ScaleResult
		err := runJSON(ctx, log, &sr, self, "merge", "-dir", mdir, "-marks", o.marks)
		if err != nil {
			res.scaleErr = err
		} else {
			res.scale = &sr
		}
		os.RemoveAll(mdir)
	}

	if o.gobench != "" {
		raw, err := os.ReadFile(o.gobench)
		if err != nil {
			return err
		}
		res.gobRaw = string(raw)
		res.gobench = parseGoBench(res.gobRaw)
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		res.loadEnd = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	res.elapsed = time.Since(start)
	report := writeReport(res)
	if err := os.WriteFile(o.out, []byte(report), 0o644); err != nil {
		return err
	}
	step("wrote %s (%s in all)", o.out, res.elapsed.Round(time.Second))
	return nil
}

func medianCycle(rs []cycleRun) cycleRun {
	var f, b, t []Sample
	for _, r := range rs {
		f, b, t = append(f, r.fetch), append(b, r.build), append(t, r.total)
	}
	return cycleRun{median(f), median(b), median(t)}
}

// failLines returns the per-source failure lines `talkstream fetch` printed.
func failLines(out string) []string {
	var fails []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		if strings.HasPrefix(strings.TrimSpace(sc.Text()), "FAIL") {
			fails = append(fails, sc.Text())
		}
	}
	return fails
}

func describeWorld(w *world.World) worldInfo {
	wi := worldInfo{sources: w.Opts.Sources, entries: w.Opts.Entries, total: w.TotalEntries(), bytes: w.TotalBytes(), kinds: map[string]int{}}
	for i := range w.Feeds {
		f := &w.Feeds[i]
		wi.kinds[f.Kind]++
		if f.Kind == world.Blog || f.Kind == world.Person {
			wi.embeds += bytes.Count(f.Body, []byte("youtube-nocookie.com/embed/")) + bytes.Count(f.Body, []byte("player.vimeo.com/video/"))
		}
		wi.crossPosts += bytes.Count(f.Body, []byte("utm_source="))
	}
	return wi
}

// environment describes the machine, for the report's header.
func environment(ctx context.Context) []kv {
	var env []kv
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				env = append(env, kv{"CPU", strings.TrimSpace(v)})
				break
			}
		}
	}
	env = append(env, kv{"cores (GOMAXPROCS)", fmt.Sprint(runtime.GOMAXPROCS(0))})
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if line, _, ok := strings.Cut(string(b), "\n"); ok {
			env = append(env, kv{"memory", strings.TrimSpace(strings.TrimPrefix(line, "MemTotal:"))})
		}
	}
	if out, err := exec.CommandContext(ctx, "uname", "-sr").Output(); err == nil {
		env = append(env, kv{"kernel", strings.TrimSpace(string(out))})
	}
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				env = append(env, kv{"OS", strings.Trim(v, `"`)})
			}
		}
	}
	if out, err := exec.CommandContext(ctx, "go", "version").Output(); err == nil {
		env = append(env, kv{"Go", strings.TrimSpace(string(out))})
	}
	if out, err := exec.CommandContext(ctx, "git", "describe", "--tags", "--always", "--dirty").Output(); err == nil {
		env = append(env, kv{"commit", strings.TrimSpace(string(out))})
	}
	if out, err := exec.CommandContext(ctx, nginxPath(), "-v").CombinedOutput(); err == nil {
		env = append(env, kv{"nginx", strings.TrimSpace(strings.TrimPrefix(string(out), "nginx version: "))})
	}
	if out, err := exec.CommandContext(ctx, "dpkg-query", "-W", "-f", "${Version}", "wrk").Output(); err == nil {
		env = append(env, kv{"wrk", "Debian " + string(out)})
	}
	if out, err := exec.CommandContext(ctx, "/usr/bin/python3", "-c", "import feedparser, sys; print(feedparser.__version__, 'on Python', sys.version.split()[0])").Output(); err == nil {
		env = append(env, kv{"feedparser", strings.TrimSpace(string(out))})
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		env = append(env, kv{"load average at start", strings.Join(strings.Fields(string(b))[:3], " ")})
	}
	return env
}

// nginxPath finds nginx, which Debian installs outside a normal user's PATH.
func nginxPath() string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	return "/usr/sbin/nginx"
}

// calibrate runs one full cycle (fetch, build) through the CLI on every
// Nth source of w, and returns its wall time per entry.
func calibrate(ctx context.Context, log io.Writer, bin string, w *world.World, port int, dir string, every int) (time.Duration, int, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(dir)
	keep := stratified(every)
	n := 0
	for i := range w.Feeds {
		if keep(&w.Feeds[i]) {
			n += w.Feeds[i].Entries
		}
	}
	cfg := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfg, w.ConfigOf(port, "calibrate.db", keep), 0o644); err != nil {
		return 0, 0, err
	}
	f, err := runProc(ctx, log, dir, bin, "fetch", "-config", cfg)
	if err != nil {
		return 0, 0, err
	}
	b, err := runProc(ctx, log, dir, bin, "build", "-config", cfg, "-out", filepath.Join(dir, "site"))
	if err != nil {
		return 0, 0, err
	}
	return (f.Wall + b.Wall) / time.Duration(max(n, 1)), n, nil
}
