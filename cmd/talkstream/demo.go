package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/talkstream/talkstream/ingest"
)

// runDemo serves the project's own fixture feeds on loopback, aggregates
// them with the demo config and serves the result: a populated, merged
// stream with no internet.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, path := newFlags("demo", stderr)
	fs.Lookup("config").DefValue = "testdata/demo/feeds.yaml"
	*path = "testdata/demo/feeds.yaml"
	feeds := fs.String("feeds", "testdata/feeds", "`directory` of fixture feeds to serve")
	feedsAddr := fs.String("feeds-addr", "127.0.0.1:8089", "`address` the demo config's source URLs point at")
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address` for the aggregated stream")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := os.Stat(*feeds); err != nil {
		return fmt.Errorf("fixture feeds: %w (run the demo from the repository root)", err)
	}
	fln, err := net.Listen("tcp", *feedsAddr)
	if err != nil {
		return fmt.Errorf("fixture feed server: %w", err)
	}
	fsrv := &http.Server{Handler: http.FileServer(http.Dir(*feeds)), ReadHeaderTimeout: 5 * time.Second}
	go fsrv.Serve(fln)
	defer fsrv.Close()
	fmt.Fprintf(stdout, "demo: fixture feeds from %s on http://%s/\n", *feeds, fln.Addr())

	a, err := openApp(ctx, *path)
	if err != nil {
		return err
	}
	defer a.Close()
	in := a.newIngester(nil, nil)
	srcs, err := in.Sources(ctx)
	if err != nil {
		return err
	}
	if _, err := in.Run(ctx, srcs, func(o ingest.Outcome) { fmt.Fprintln(stdout, o) }); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	err = a.serve(ctx, ln, log, stdout)
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
