// Command talkstream aggregates a community's talks and news from many feeds
// into one stream and republishes it as RSS, Atom, JSON Feed and HTML.
//
// Usage:
//
//	talkstream check   [-config feeds.yaml]
//	talkstream fetch   [-config feeds.yaml] [-source ID] [-due]
//	talkstream build   [-config feeds.yaml] -out DIR [-full]
//	talkstream serve   [-config feeds.yaml] [-addr 127.0.0.1:8080]
//	talkstream status  [-config feeds.yaml] [-json]
//	talkstream explain [-config feeds.yaml] ITEM-ID
//	talkstream demo    [-addr 127.0.0.1:8080]
//	talkstream version
//
// TALKSTREAM_CPUPROFILE=FILE writes a CPU profile of the verb to FILE (for
// go tool pprof), so that any verb can be measured as a user runs it.
//
// This package is wiring only: flags, verbs and the order in which the
// config, fetch, merge, store and publish packages are called.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/talkstream/talkstream"
)

// errUsage marks a command-line mistake: exit status 2.
var errUsage = errors.New("usage")

type command struct {
	name  string
	args  string
	help  string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
	debug bool // hidden from the usage text
}

var commands []command

func init() {
	commands = []command{
		{name: "check", args: "[-config FILE]", help: "validate the config; exit 1 with file:line messages", run: runCheck},
		{name: "fetch", args: "[-config FILE] [-source ID] [-due]", help: "fetch every (or one, or every due) source once, merge and store", run: runFetch},
		{name: "build", args: "[-config FILE] -out DIR [-full]", help: "write the outputs that changed since the last build into DIR (-full: all of them)", run: runBuild},
		{name: "serve", args: "[-config FILE] [-addr 127.0.0.1:8080] [-instance NAME] [-tick 30s]", help: "fetch on schedule and serve the stream over HTTP", run: runServe},
		{name: "status", args: "[-config FILE] [-json]", help: "show each source's fetch state and WebSub push state", run: runStatus},
		{name: "copy", args: "[-config FILE] -to DATABASE [-replace]", help: "copy the whole store to another database (a SQLite file or postgres:// URL) and check it", run: runCopy},
		{name: "explain", args: "[-config FILE] ITEM-ID", help: "show why an item was merged and tagged as it was", run: runExplain},
		{name: "import", args: "[-config FILE] FILE.opml", help: "add the feeds of an OPML subscription list to the config as sources", run: runImport},
		{name: "demo", args: "[-addr 127.0.0.1:8080]", help: "serve the fixture feeds on 127.0.0.1:8089, aggregate and serve them (no internet needed)", run: runDemo},
		{name: "version", help: "print the version", run: func(_ context.Context, args []string, stdout, stderr io.Writer) error {
			fs := flag.NewFlagSet("talkstream version", flag.ContinueOnError)
			fs.SetOutput(stderr)
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "talkstream", talkstream.Version)
			return nil
		}},
	}
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "talkstream %s: one stream of a community's talks and news\n\nUsage:\n", talkstream.Version)
	for _, c := range commands {
		if !c.debug {
			fmt.Fprintf(w, "  talkstream %-8s %s\n      %s\n", c.name, c.args, c.help)
		}
	}
	fmt.Fprintf(w, "\n-config defaults to feeds.yaml in the working directory.\nRun 'talkstream VERB -h' for a verb's flags.\n")
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	stopProfile := startProfile(os.Getenv("TALKSTREAM_CPUPROFILE"))
	if len(os.Args) > 1 {
		batchGC(os.Args[1]) // the process's own: tests run verbs inside theirs
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stopProfile()
	stop()
	os.Exit(code)
}

// startProfile starts a CPU profile into path, when one is named; the
// returned function stops it.
func startProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "talkstream: TALKSTREAM_CPUPROFILE:", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// run executes one verb and returns the process exit status: 0 on success,
// 1 when the verb failed, 2 for a usage mistake.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil, errors.Is(err, errHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "talkstream %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "talkstream: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}
