package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"
)

// cmdProfile runs the CLI's stages in this process under the CPU profiler:
// either the full cycle (fetch every source of -config, then build), or,
// with -serve, the server: render from the existing store, serve it on
// -serve like `talkstream serve`, and profile until SIGTERM.
func cmdProfile(args []string) error {
	fs := flag.NewFlagSet("talkbench profile", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "the world's feeds.yaml")
	cpu := fs.String("cpuprofile", "", "write the CPU profile to this `file`")
	mem := fs.String("memprofile", "", "write an allocation profile to this `file` (full cycle only)")
	serve := fs.String("serve", "", "profile the server on this `address` instead of the full cycle")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cfgPath == "" || *cpu == "" {
		return fmt.Errorf("talkbench profile: -config and -cpuprofile are required")
	}
	ctx := context.Background()
	p, err := openPipeline(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer p.Close()
	f, err := os.Create(*cpu)
	if err != nil {
		return err
	}
	defer f.Close()

	if *serve != "" {
		if err := p.sync(ctx); err != nil {
			return err
		}
		mux := http.NewServeMux()
		mux.Handle("/", p.pub)
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		ln, err := net.Listen("tcp", *serve)
		if err != nil {
			return err
		}
		sig, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
		defer stop()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		go srv.Serve(ln)
		fmt.Println("ready")
		<-sig.Done()
		pprof.StopCPUProfile()
		srv.Close()
		return nil
	}

	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	t0, c0 := time.Now(), selfCPU()
	ferr := p.fetchAll(ctx)
	fetchWall, fetchCPU := time.Since(t0), selfCPU()-c0
	t1, c1 := time.Now(), selfCPU()
	out, err := os.MkdirTemp("", "talkbench-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(out)
	_, berr := p.build(ctx, out)
	pprof.StopCPUProfile()
	fmt.Fprintf(os.Stderr, "profile: fetch %s wall %s cpu; build %s wall %s cpu\n",
		ms(fetchWall), ms(fetchCPU), ms(time.Since(t1)), ms(selfCPU()-c1))
	if ferr != nil {
		return ferr
	}
	if berr != nil {
		return berr
	}
	if *mem != "" {
		mf, err := os.Create(*mem)
		if err != nil {
			return err
		}
		defer mf.Close()
		if err := pprof.Lookup("allocs").WriteTo(mf, 0); err != nil {
			return err
		}
	}
	printJSON(map[string]time.Duration{"fetch_wall_ns": fetchWall, "fetch_cpu_ns": fetchCPU})
	return nil
}
