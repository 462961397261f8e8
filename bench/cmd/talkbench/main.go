// Command talkbench is talkstream's benchmark harness: `make bench` runs
// `talkbench run`, which generates a synthetic world (bench/world), serves
// it on loopback, drives the real talkstream binary through full and
// unchanged cycles, measures the gofeed parse limit, Python feedparser,
// merging at scale, and serving against nginx with wrk, profiles the
// pipeline and the server, and writes BENCHMARKS.md.
//
// Its other verbs are the pieces `run` starts as child processes, so that
// each is measured alone, and a way to serve a world by hand:
//
//	talkbench run     [flags]          everything; writes BENCHMARKS.md
//	talkbench world   -dir D [-sources N -entries M]   serve a world and write D/feeds.yaml
//	talkbench parse   DIR...           the parse limit: gofeed alone on dumped feeds
//	talkbench merge   -dir D           merge at scale
//	talkbench profile -config F -cpuprofile P   the full cycle in one process, profiled
//	talkbench measure -o FILE -- CMD...   run CMD; write its wall, CPU and peak RSS to FILE
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/talkstream/talkstream/bench/world"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: talkbench run|world|parse|merge|profile|instances|floor [flags]")
		os.Exit(2)
	}
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "run":
		err = cmdRun(args)
	case "world":
		err = cmdWorld(args)
	case "parse":
		err = cmdParse(args)
	case "merge":
		err = cmdMerge(args)
	case "profile":
		err = cmdProfile(args)
	case "measure":
		err = cmdMeasure(args)
	case "instances":
		err = cmdInstances(args)
	case "floor":
		err = cmdFloor(args)
	default:
		err = fmt.Errorf("unknown verb %q", os.Args[1])
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "talkbench:", err)
		os.Exit(1)
	}
}

// serveWorld serves w on every world.HostAddr, all on one port.
func serveWorld(w *world.World) (port int, stop func(), err error) {
	srv := &http.Server{Handler: w.Handler(), ReadHeaderTimeout: 10 * time.Second}
	var lns []net.Listener
	closeAll := func() {
		for _, ln := range lns {
			ln.Close()
		}
	}
	for attempt := 0; attempt < 20 && len(lns) < world.Hosts; attempt++ {
		closeAll()
		lns = lns[:0]
		first, err := net.Listen("tcp", world.HostAddr(0)+":0")
		if err != nil {
			return 0, nil, err
		}
		lns = append(lns, first)
		port = first.Addr().(*net.TCPAddr).Port
		for h := 1; h < world.Hosts; h++ {
			ln, err := net.Listen("tcp", world.HostAddr(h)+":"+strconv.Itoa(port))
			if err != nil {
				break // the port is taken on that address: try another port
			}
			lns = append(lns, ln)
		}
	}
	if len(lns) < world.Hosts {
		closeAll()
		return 0, nil, fmt.Errorf("could not listen on %d loopback addresses with one port", world.Hosts)
	}
	for _, ln := range lns {
		go srv.Serve(ln)
	}
	return port, func() { srv.Close() }, nil
}

// cmdWorld serves a world until interrupted, for trying talkstream by hand.
func cmdWorld(args []string) error {
	fs := flag.NewFlagSet("talkbench world", flag.ContinueOnError)
	dir := fs.String("dir", "", "write feeds.yaml (and the feeds, with -dump) into this `directory`")
	sources := fs.Int("sources", 20, "sources")
	entries := fs.Int("entries", 10, "entries per source")
	dump := fs.Bool("dump", false, "also write every feed into DIR/feeds/")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("talkbench world: -dir is required")
	}
	w := world.New(world.Options{Sources: *sources, Entries: *entries})
	port, stop, err := serveWorld(w)
	if err != nil {
		return err
	}
	defer stop()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	cfg := filepath.Join(*dir, "feeds.yaml")
	if err := os.WriteFile(cfg, w.Config(port, "world.db"), 0o644); err != nil {
		return err
	}
	if *dump {
		if err := w.Dump(filepath.Join(*dir, "feeds")); err != nil {
			return err
		}
	}
	fmt.Printf("serving %d feeds (%d entries, %.1f MiB) on %s..%s port %d; config %s\n",
		len(w.Feeds), w.TotalEntries(), float64(w.TotalBytes())/(1<<20), world.HostAddr(0), world.HostAddr(world.Hosts-1), port, cfg)
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	<-ctx.Done()
	return nil
}
