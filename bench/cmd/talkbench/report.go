package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func verdict(ok bool) string {
	if ok {
		return "**met**"
	}
	return "**not met**"
}

func rps(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.1fk", v/1000)
	}
	return fmt.Sprintf("%.0f", v)
}

// writeReport renders BENCHMARKS.md.
func writeReport(r *results) string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	o := r.opts

	p("# Benchmarks\n\n")
	p("Written by `make bench` (the harness is [bench/](bench/)) on %s, in %s. "+
		"Every figure is the median of %d runs unless it says otherwise; each run's figures are in the tables' footnotes. "+
		"Regenerate with `make bench`; do not edit by hand (the analysis comes from [bench/FINDINGS.md](bench/FINDINGS.md)).\n\n",
		r.started.UTC().Format("2006-01-02 15:04 MST"), r.elapsed.Round(time.Second), o.runs)
	p("| machine | |\n|---|---|\n")
	p("| date | %s |\n", r.started.UTC().Format(time.RFC3339))
	for _, e := range r.env {
		p("| %s | %s |\n", e.k, e.v)
	}
	p("| load average at end | %s |\n\n", r.loadEnd)
	p("The machine may be shared: compare the load averages with the core count before trusting a wall time. " +
		"CPU times (user + system, from the kernel's rusage of each process) are less sensitive to other load than wall times.\n\n")

	if r.fewerRuns != "" {
		p("> **Fewer full cycles.** %s\n\n", r.fewerRuns)
	}

	// Goals.
	p("## Goals\n\n| goal | target | measured | |\n|---|---|---|---|\n")
	if len(r.full) > 0 && len(r.parse) > 0 {
		rc := ratio(float64(r.fullMed.total.CPU), float64(r.parseMed.CPU))
		rw := ratio(float64(r.fullMed.total.Wall), float64(r.parseMed.Wall))
		p("| full cycle ÷ parse limit, CPU time | ≤ 5 (aim 1.5) | %.2f | %s |\n", rc, verdict(rc <= 5))
		p("| full cycle ÷ parse limit, wall time | ≤ 5 (aim 1.5) | %.2f | %s |\n", rw, verdict(rw <= 5))
	}
	if len(r.full) > 0 {
		b := r.fullMed.build.MaxRSS
		p("| `build` peak RSS | ≤ 300 MiB | %s | %s |\n", mib(b), verdict(b <= 300<<20))
	}
	if m := r.manyPaths; m != nil {
		p("| `serve` resident while wrk asks for %d different paths (default cache) | ≤ 300 MiB | %s (peak %s) | %s |\n", m.paths, mib(m.rssAfter), mib(m.hwm), verdict(m.hwm <= 300<<20))
	}
	if len(r.incr) > 0 && len(r.full) > 0 {
		ri := ratio(float64(r.incrMed.total.CPU), float64(r.fullMed.total.CPU))
		p("| one new entry: fetch + incremental build ÷ full cycle, CPU time | ≤ 0.02 | %.3f | %s |\n", ri, verdict(ri <= 0.02))
	}
	if len(r.unch) > 0 && len(r.full) > 0 {
		ru := ratio(float64(r.unchMed.total.CPU), float64(r.fullMed.total.CPU))
		p("| unchanged cycle ÷ full cycle, CPU time | ≤ 0.05 | %.3f | %s |\n", ru, verdict(ru <= 0.05))
	}
	if s := r.scale; s != nil && len(s.Windows) >= 2 {
		a, z := s.Windows[0], s.Windows[len(s.Windows)-1]
		rc := ratio(float64(z.CPU), float64(a.CPU))
		rw := ratio(float64(z.PerEntry), float64(a.PerEntry))
		p("| merge CPU per new entry into %s ÷ into %s entries | flat (≤ 1.25) | %.2f (%s vs %s; wall %.2f) | %s |\n",
			approx(z.At), approx(a.At), rc, ms(z.CPU), ms(a.CPU), rw, verdict(rc <= 1.25))
	} else {
		p("| merge per entry into 100k and 1M entries | flat | not measured (see Merge at scale) | **not measured** |\n")
	}
	for _, row := range r.serving {
		rr := ratio(row.ts.rps, row.ng.rps)
		p("| serving %s (%s): talkstream ÷ nginx, requests/s | ≥ 1.0 | %.2f | %s |\n", row.path, modeName(row.mode), rr, verdict(rr >= 1.0))
	}
	if r.servErr != nil {
		p("| serving | ≥ 1.0 | failed: %s | **not measured** |\n", oneLine(r.servErr.Error()))
	}
	if pr := r.push; pr != nil {
		l := medianDuration(pr.latency)
		p("| WebSub push → /feed.json, no poll | < 1 s (polling: up to the refresh, 1 h) | %s (max %s) | %s |\n", ms(l), ms(slices.Max(pr.latency)), verdict(slices.Max(pr.latency) < time.Second))
	}
	if r.pushErr != nil {
		p("| WebSub push → /feed.json | < 1 s | failed: %s | **not measured** |\n", oneLine(r.pushErr.Error()))
	}
	p("\n")
	for _, n := range r.notes {
		p("> Note: %s\n\n", n)
	}

	// The world.
	wi := r.world
	p("## The world\n\n")
	p("`bench/world` generates %d sources × %d entries = **%s entries, %s** of feeds, deterministic for its seed, "+
		"and serves them over HTTP on %d loopback addresses (blogs and personal feeds spread over %d hosts; every YouTube feed on one host and every Vimeo feed on another, as on the real web) "+
		"with strong ETags, Last-Modified and 304s, uncompressed. Shapes copy testdata/feeds: ",
		wi.sources, wi.entries, count(wi.total), mib(wi.bytes), 32, 30)
	p("%d blogs (Atom as mirage-www writes it: xhtml content, no summary), %d personal RSS 2.0 feeds (escaped HTML descriptions; a third of them with an `include` filter), "+
		"%d YouTube channel feeds (`yt:`/`media:group`, 1–5 KB plain-text descriptions: YouTube caps them at 5,000 characters), %d Vimeo user RSS feeds (CDATA HTML). "+
		"Blog, personal and Vimeo entries carry 2–20 KB of HTML each (log-uniform: most short, some long) with headings, lists, code, relative images and, in one entry in 25, a script and an `onerror` for the sanitiser. "+
		"One blog or personal entry in 10 embeds one video some YouTube or Vimeo source of the world publishes (%d embeds, so items merge across sources), one in 50 is a roundup of three; "+
		"one personal entry in 20 cross-posts a blog entry over http with `utm_` parameters (%d). The config has 60 speakers, 10 events and 7 topic rules.\n\n",
		wi.kinds["blog"], wi.kinds["person"], wi.kinds["youtube"], wi.kinds["vimeo"], wi.embeds, wi.crossPosts)

	// Full cycle.
	if len(r.full) > 0 {
		f := r.fullMed
		p("## Full cycle\n\n")
		p("The real binary (`go build -o`), from an empty database: `talkstream fetch -config feeds.yaml` (every source fetched, parsed, merged and stored, 4 at a time), then `talkstream build -config feeds.yaml -out DIR` (every item rendered once into fragments, every output assembled and written with its gzip sibling). Wall time around each process; CPU and peak RSS from its rusage.\n\n")
		p("| step | wall | CPU | peak RSS | wall per entry | CPU per entry |\n|---|---|---|---|---|---|\n")
		row := func(name string, s Sample) {
			p("| %s | %s | %s | %s | %s | %s |\n", name, ms(s.Wall), ms(s.CPU), mib(s.MaxRSS), perEntry(s.Wall, wi.total), perEntry(s.CPU, wi.total))
		}
		row("fetch", f.fetch)
		row("build", f.build)
		row("**full cycle**", f.total)
		p("\nRuns (fetch + build, wall / CPU): ")
		for i, c := range r.full {
			if i > 0 {
				p("; ")
			}
			p("%s / %s", ms(c.total.Wall), ms(c.total.CPU))
		}
		p(".\n\n")
		if len(r.failures) > 0 {
			p("**%d sources failed** in the first run; the first: `%s`\n\n", len(r.failures), r.failures[0])
		}
	}

	// Incremental cycle.
	if len(r.incr) > 0 {
		f := r.incrMed
		p("## One new entry\n\n")
		p("After the full cycles, the world publishes one new entry (newer than every other) in one source; then `talkstream fetch` (one source answers 200, the rest 304) and `talkstream build -out` into the folder the full cycle wrote: Sync renders the one new item, and the export rewrites only the outputs whose ETag changed. The last build said: `%s`.\n\n", r.incrOut)
		p("| step | wall | CPU | peak RSS | CPU ÷ full cycle's |\n|---|---|---|---|---|\n")
		row := func(name string, s, full Sample) {
			p("| %s | %s | %s | %s | %.3f |\n", name, ms(s.Wall), ms(s.CPU), mib(s.MaxRSS), ratio(float64(s.CPU), float64(full.CPU)))
		}
		row("fetch", f.fetch, r.fullMed.fetch)
		row("build", f.build, r.fullMed.build)
		row("**total**", f.total, r.fullMed.total)
		p("\n")
	}

	// WebSub.
	if pr := r.push; pr != nil {
		p("## WebSub push\n\n")
		p("`talkstream serve` on a copy of the full cycle's store (%s sources), with one more source whose feed advertises a hub the harness runs, and `websub: {callback: …, hub: <the harness>}`. "+
			"The harness verifies talkstream's subscription (%s after start), waits for the source's first entry on /feed.json (%s after start) and then, %d times, adds one entry to that feed and pushes it (a signed content distribution); "+
			"the figure is from the POST's start until `GET /feed.json` shows the entry. The POST itself covers the signature check, the ingest (parse, merge, one transaction) and the publish. "+
			"The feed was fetched %d times during the pushes (the subscription is the only way the entries came).\n\n", count(wi.sources+1), ms(pr.subscribe), ms(pr.firstShown), len(pr.latency), pr.polls)
		p("| | median | max |\n|---|---|---|\n")
		p("| push → /feed.json | %s | %s |\n", ms(medianDuration(pr.latency)), ms(slices.Max(pr.latency)))
		p("| the POST (ingest + publish) | %s | %s |\n", ms(medianDuration(pr.post)), ms(slices.Max(pr.post)))
		p("\nPings for /feed.json sent to the hub after each push: %v (one each is right).\n\n", pr.pings)
	}

	// Parse limit.
	if len(r.parse) > 0 {
		pr := r.parse[0]
		p("## Parse limit\n\n")
		p("gofeed alone (`talkbench parse`: `gofeed.Parser.Parse` configured as fetch configures it) on the same %d files, read into memory first, on %d goroutines: no network, no storage, no merge, no render — the floor of the full cycle.\n\n", pr.Feeds, pr.Workers)
		p("| | wall | CPU | wall per entry | CPU per entry | throughput |\n|---|---|---|---|---|---|\n")
		p("| parse limit | %s | %s | %s | %s | %.1f MiB/s of CPU |\n", ms(r.parseMed.Wall), ms(r.parseMed.CPU), perEntry(r.parseMed.Wall, int(pr.Entries)), perEntry(r.parseMed.CPU, int(pr.Entries)),
			float64(pr.Bytes)/(1<<20)/r.parseMed.CPU.Seconds())
		if len(r.full) > 0 {
			p("| full cycle | %s | %s | %s | %s | %.1f MiB/s of CPU |\n", ms(r.fullMed.total.Wall), ms(r.fullMed.total.CPU), perEntry(r.fullMed.total.Wall, wi.total), perEntry(r.fullMed.total.CPU, wi.total),
				float64(wi.bytes)/(1<<20)/r.fullMed.total.CPU.Seconds())
			p("| **full cycle ÷ parse limit** | **%.2f** | **%.2f** | | | |\n", ratio(float64(r.fullMed.total.Wall), float64(r.parseMed.Wall)), ratio(float64(r.fullMed.total.CPU), float64(r.parseMed.CPU)))
		}
		p("\n")
	}

	// Unchanged.
	if len(r.unch) > 0 {
		u := r.unchMed.total
		p("## Unchanged cycle\n\n")
		p("`talkstream fetch` again on the database the last full cycle left: the world answers every conditional GET with 304 (%d of %d in the last run). Nothing changed, so there is nothing to build.\n\n", r.unch304, wi.sources)
		p("| | wall | CPU | peak RSS | CPU ÷ full cycle's |\n|---|---|---|---|---|\n")
		p("| unchanged fetch | %s | %s | %s | %.3f |\n\n", ms(u.Wall), ms(u.CPU), mib(u.MaxRSS), ratio(float64(u.CPU), float64(r.fullMed.total.CPU)))
	}

	// Merge at scale.
	p("## Merge at scale\n\n")
	if s := r.scale; s != nil {
		seeder := "the configured merger"
		if s.PlainSeed {
			seeder = "a merger without speakers, events and rules (the same keys and rows, less tagging)"
		}
		p("`talkbench merge`: synthetic short entries (about 400 bytes of HTML each, unique links, one in 10 with tracking parameters; YouTube and Vimeo sources publish videos that one post in 20 embeds, so keys collide and items merge). "+
			"Merging a million entries through Apply alone would take longer than `make bench` may, so the store grows in two ways: the first %s entries go through `merge.Merger.Apply` inside `store.Store.Update` (%s, with %s), "+
			"then the store's own rows are replicated in SQL (`INSERT … SELECT` into every table but sources, ids, keys and item references suffixed, item sequence numbers offset; %s) until it holds about the mark's number of entries, so that every table and index is that big. "+
			"At each mark, %s new entries are merged through the configured `merge.Merger.Apply` inside `store.Store.Update`, %d per transaction (one feed's worth, as a fetch writes them), and timed. "+
			"The store ends with %s entries, %s on disk; the run took %s.\n\n",
			count(s.Seed), ms(s.SeedWall), seeder, ms(s.Replicated), count(firstWindow(s)), s.Batch, count(s.Entries), mib(s.DBBytes), ms(s.Wall))
		p("| entries in the store | wall per new entry | CPU per new entry |\n|---|---|---|\n")
		for _, w := range s.Windows {
			p("| %s | %s | %s |\n", approx(w.At), ms(w.PerEntry), ms(w.CPU))
		}
		p("\n")
		if s.Error != "" {
			p("Stopped early: `%s`\n\n", oneLine(s.Error))
		}
	} else if r.scaleErr != nil {
		p("Failed: `%s`\n\n", oneLine(r.scaleErr.Error()))
	} else {
		p("Skipped.\n\n")
	}

	// Serving.
	if len(r.serving) > 0 {
		p("## Serving\n\n")
		p("`wrk -t%d -c%d -d%s --latency` with keep-alive on loopback, %d runs per case, interleaved between the servers: `talkstream serve` on the store of the full cycle, "+
			"and nginx (Debian, `daemon off`, 2 workers, sendfile, `gzip_static on`, no access log, no keep-alive request cap) serving the directory `talkstream build` wrote. "+
			"gzip: `Accept-Encoding: gzip` (talkstream compresses an output once and keeps it in its cache; nginx sends the `.gz` build wrote); 304: `If-None-Match` with the server's own ETag. wrk shares the 2 cores with the server.\n\n",
			o.threads, o.conns, o.serveDur, o.serveRuns)
		p("net/http's floor is `talkbench floor`: a net/http server with the least a server can do on the same files (bodies in memory, Content-Type, Content-Length and an ETag, If-None-Match compared as one string), so talkstream ÷ floor is what talkstream's handler costs and floor ÷ nginx what Go's net/http does against nginx.\n\n")
		p("| path | request | body | talkstream req/s | p99 | nginx req/s | p99 | net/http floor req/s | talkstream ÷ nginx | talkstream ÷ floor | floor ÷ nginx |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, row := range r.serving {
			body := "–"
			if row.ts.bodyLen > 0 {
				body = fmt.Sprintf("%.0f KiB", float64(row.ts.bodyLen)/1024)
			}
			p("| %s | %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %.2f |\n", row.path, modeName(row.mode), body, rps(row.ts.rps), ms(row.ts.p99), rps(row.ng.rps), ms(row.ng.p99),
				rps(row.fl.rps), ratio(row.ts.rps, row.ng.rps), ratio(row.ts.rps, row.fl.rps), ratio(row.fl.rps, row.ng.rps))
		}
		p("\nRuns (req/s, talkstream | nginx | floor):")
		for _, row := range r.serving {
			p(" %s %s:", row.path, row.mode)
			for i, runs := range [][]wrkResult{row.tsRuns, row.ngRuns, row.flRuns} {
				if i > 0 {
					p(" |")
				}
				for _, x := range runs {
					p(" %s", rps(x.rps))
				}
			}
			p(";")
		}
		p("\n\n")
		if m := r.manyPaths; m != nil {
			p("**Many paths, bounded memory.** wrk (same flags, `Accept-Encoding: gzip`) asked `talkstream serve` for %d different outputs round robin (%s of bodies as build wrote them: feeds, facets, archive pages), most of them cache misses assembled from fragments: %s requests/s, %d non-2xx. "+
				"serve's resident memory was %s before and %s after, peak %s over its whole life, with the default 64 MiB cache.\n\n",
				m.paths, mib(m.outputBytes), rps(m.rps), m.non2xx, mib(m.rssBefore), mib(m.rssAfter), mib(m.hwm))
		}
	}

	// feedparser.
	if fp := r.fp; fp != nil {
		p("## Python feedparser\n\n")
		p("Debian's python3-feedparser %s (the engine of Planet Venus and rawdog), with its defaults (sanitising, relative URI resolution), parsing a stratified %d%% sample of the world (%d feeds, %s entries, %s; %d bozo), one core. "+
			"gofeed alone on the same files on one goroutine for comparison; talkstream's figures are its whole full cycle on the whole world, per entry.\n\n",
			fp.Version, o.fpPercent, fp.Feeds, count(fp.Entries), mib(fp.Bytes), fp.Bozo)
		p("| | wall per entry | CPU per entry |\n|---|---|---|\n")
		p("| feedparser, parse only | %s | %s |\n", perEntry(fp.Wall, fp.Entries), perEntry(fp.CPU, fp.Entries))
		if g := r.fpGofeed; g != nil {
			p("| gofeed, parse only | %s | %s |\n", perEntry(g.Wall, int(g.Entries)), perEntry(g.CPU, int(g.Entries)))
		}
		if len(r.full) > 0 {
			f := r.fullMed.total
			p("| talkstream, full cycle (fetch, parse, merge, store, render) | %s | %s |\n", perEntry(f.Wall, wi.total), perEntry(f.CPU, wi.total))
			p("\ntalkstream's full cycle costs **%.2f×** feedparser's parse alone per entry in CPU time (%.2f× in wall time).\n\n",
				ratio(float64(f.CPU)/float64(wi.total), float64(fp.CPU)/float64(fp.Entries)),
				ratio(float64(f.Wall)/float64(wi.total), float64(fp.Wall)/float64(fp.Entries)))
		}
	}

	// Go benchmarks.
	if len(r.gobench) > 0 {
		p("## Go benchmarks\n\n")
		p("`go test -run '^$' -bench . -benchmem -count 6` over every package with benchmarks; medians of the 6 runs. The raw output below is what `benchstat` reads (save it to a file and run `benchstat old.txt new.txt` to compare two runs).\n\n")
		p("| package | benchmark | time/op | B/op | allocs/op |\n|---|---|---|---|---|\n")
		for _, g := range r.gobench {
			ns, _ := g.get("ns/op")
			bop, _ := g.get("B/op")
			allocs, _ := g.get("allocs/op")
			p("| %s | %s | %s | %.0f | %.0f |\n", strings.TrimPrefix(g.pkg, "github.com/talkstream/talkstream/"), g.name, ms(time.Duration(ns)), bop, allocs)
		}
		p("\n<details><summary>raw go test output</summary>\n\n```\n%s\n```\n</details>\n\n", strings.TrimSpace(r.gobRaw))
	}

	// Profiles.
	if len(r.profiles) > 0 {
		p("## Profiles\n\n")
		for _, pr := range r.profiles {
			p("### %s\n\n%s.\n\n", pr.name, pr.what)
			p("<details><summary>pprof -top (flat)</summary>\n\n```\n%s\n```\n</details>\n\n", pr.flat)
			p("<details><summary>pprof -top -cum</summary>\n\n```\n%s\n```\n</details>\n\n", pr.cum)
		}
	}

	// Hand-written findings.
	if f, err := os.ReadFile(o.findings); err == nil {
		p("%s\n", strings.TrimSpace(string(f)))
	}
	return b.String()
}

func firstWindow(s *ScaleResult) int {
	if len(s.Windows) > 0 {
		return s.Windows[0].Window
	}
	return 0
}

func modeName(m string) string {
	switch m {
	case "identity":
		return "plain"
	case "304":
		return "304 (If-None-Match)"
	}
	return m
}

func count(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// approx writes a store size the way the marks are named: 1.05M, 100k.
func approx(n int) string {
	switch {
	case n >= 1_000_000:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", float64(n)/1e6), "0"), ".") + "M"
	case n >= 10_000:
		return fmt.Sprintf("%.0fk", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
