package main

// Serving under load while ingesting: many keep-alive clients read the
// outputs (and /status.json, which reads the store) while a full fetch
// cycle writes the big world and the site is re-rendered and swapped.
// Every response must be a 200 and a complete document. The same rig is
// BenchmarkServeWhileIngesting, which `make bench` runs.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/ingest"
)

// loadRig is `serve` in process over the big world: the publish handler
// and /status.json on loopback, and the ingester that fetches the world.
type loadRig struct {
	w      *bigWorld
	a      *app
	synced bool // the first cycle is done
	in     *ingest.Ingester
	srv    *httptest.Server
	srcs   []talkstream.Source
}

func newLoadRig(tb testing.TB, sources, entries int) *loadRig {
	tb.Helper()
	r, err := startLoadRig(tb.TempDir(), sources, entries)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(r.close)
	return r
}

// startLoadRig runs the rig, its database in dir, until close.
func startLoadRig(dir string, sources, entries int) (_ *loadRig, err error) {
	r := &loadRig{w: startBigWorld(sources, entries)}
	defer func() {
		if err != nil {
			r.close()
		}
	}()
	cfg, err := r.w.writeConfig(dir)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if r.a, err = openApp(ctx, cfg); err != nil {
		return nil, err
	}
	r.in = r.a.newIngester(nil, nil)
	if r.srcs, err = r.in.Sources(ctx); err != nil {
		return nil, err
	}
	// A first cycle, so that the outputs under load are full ones.
	if err := r.cycle(ctx); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/status.json", r.in.StatusJSON())
	mux.Handle("/", r.a.pub)
	r.srv = httptest.NewServer(mux)
	return r, nil
}

func (r *loadRig) close() {
	if r.srv != nil {
		r.srv.Close()
	}
	if r.a != nil {
		r.a.Close()
	}
	r.w.srv.Close()
}

// cycle is what serve's scheduler does after a tick: fetch every source
// (the world moves on a generation first, so there is writing to do),
// publish what changed.
func (r *loadRig) cycle(ctx context.Context) error {
	if r.synced {
		r.w.gen.Add(1)
	}
	sum, err := r.in.Run(ctx, r.srcs, nil)
	if err != nil {
		return err
	}
	if sum.OK != len(r.srcs) {
		return fmt.Errorf("cycle: %+v", sum)
	}
	if _, err := r.a.publish(ctx, time.Now().UTC()); err != nil {
		return err
	}
	r.synced = true
	return nil
}

var loadPaths = []string{"/", "/atom.xml", "/feed.json", "/rss.xml", "/status.json"}

// checkBody says why a response is not a complete document of its kind.
func checkBody(path string, body []byte) error {
	switch {
	case strings.HasSuffix(path, ".xml"):
		d := xml.NewDecoder(bytes.NewReader(body))
		items := 0
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("XML: %w", err)
			}
			if se, ok := tok.(xml.StartElement); ok && (se.Name.Local == "item" || se.Name.Local == "entry") {
				items++
			}
		}
		if items == 0 {
			return errors.New("no items")
		}
	case strings.HasSuffix(path, ".json"):
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			return fmt.Errorf("JSON: %w", err)
		}
		if _, ok := v["items"]; !ok && path == "/feed.json" {
			return errors.New("no items")
		}
	default:
		if !bytes.HasSuffix(bytes.TrimSpace(body), []byte("</html>")) {
			return errors.New("no </html> at the end")
		}
		if _, err := html.Parse(bytes.NewReader(body)); err != nil {
			return err
		}
	}
	return nil
}

// loadClient is one keep-alive client; odd ones ask for gzip.
func loadClient(i int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		MaxIdleConnsPerHost: 1, DisableCompression: i%2 == 1, IdleConnTimeout: time.Minute,
	}}
}

// get fetches one path and checks it; it returns the latency.
func get(c *http.Client, base, path string) (time.Duration, error) {
	start := time.Now()
	resp, err := c.Get(base + path)
	if err != nil {
		return 0, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := time.Since(start)
	if err != nil {
		return took, fmt.Errorf("%s: reading: %w", path, err)
	}
	if resp.StatusCode != 200 {
		return took, fmt.Errorf("%s: %s", path, resp.Status)
	}
	if err := checkBody(path, body); err != nil {
		return took, fmt.Errorf("%s (%d bytes): %w", path, len(body), err)
	}
	return took, nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

func TestServeWhileIngesting(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches a big world under load")
	}
	r := newLoadRig(t, 30, 120)
	const clients = 32
	stop := make(chan struct{})
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  []string
		requests  atomic.Int64
		wg        sync.WaitGroup
	)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := loadClient(i)
			var mine []time.Duration
			for n := i; ; n++ {
				select {
				case <-stop:
					mu.Lock()
					latencies = append(latencies, mine...)
					mu.Unlock()
					return
				default:
				}
				p := loadPaths[n%len(loadPaths)]
				took, err := get(c, r.srv.URL, p)
				requests.Add(1)
				if err != nil {
					mu.Lock()
					failures = append(failures, err.Error())
					mu.Unlock()
					continue
				}
				mine = append(mine, took)
			}
		}()
	}
	before := requests.Load()
	start := time.Now()
	err := r.cycle(context.Background()) // the full fetch cycle, under load
	cycleTook := time.Since(start)
	during := requests.Load() - before
	time.Sleep(200 * time.Millisecond) // a little after the swap
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	// The swap happened: the outputs show the new generation.
	if _, err := get(loadClient(0), r.srv.URL, "/feed.json"); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d clients, %d requests (%d during the %v fetch cycle of %d sources × %d entries): latency p50 %v, p99 %v, max %v",
		clients, requests.Load(), during, cycleTook.Round(time.Millisecond), r.w.sources, r.w.entriesAt(int(r.w.gen.Load())),
		percentile(latencies, 0.5).Round(time.Microsecond), percentile(latencies, 0.99).Round(time.Microsecond),
		percentile(latencies, 1).Round(time.Microsecond))
	if len(failures) > 0 {
		t.Errorf("%d of %d requests failed, e.g.:\n%s", len(failures), requests.Load(), strings.Join(failures[:min(10, len(failures))], "\n"))
	}
	if during < clients {
		t.Errorf("only %d requests during the fetch cycle", during)
	}
}

// benchRig is one rig for every run of the benchmark in a process (the
// go tool calls a benchmark several times while it sizes b.N): fetch
// cycles write in the background from its start until TestMain ends it.
var benchRig struct {
	once sync.Once
	r    *loadRig
	err  error
	fail atomic.Pointer[error] // the first failed cycle
}

// atExit is run by TestMain once every test and benchmark is done.
var atExit []func()

func sharedLoadRig(b *testing.B) *loadRig {
	benchRig.once.Do(func() {
		dir, err := os.MkdirTemp("", "talkstream-bench-")
		if err != nil {
			benchRig.err = err
			return
		}
		r, err := startLoadRig(dir, 20, 100)
		if err != nil {
			os.RemoveAll(dir)
			benchRig.err = err
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for ctx.Err() == nil {
				if err := r.cycle(ctx); err != nil && ctx.Err() == nil {
					benchRig.fail.CompareAndSwap(nil, &err)
					return
				}
			}
		}()
		benchRig.r = r
		atExit = append(atExit, func() { cancel(); <-done; r.close(); os.RemoveAll(dir) })
	})
	if benchRig.err != nil {
		b.Fatal(benchRig.err)
	}
	return benchRig.r
}

// BenchmarkServeWhileIngesting: requests to the outputs and /status.json
// by 32 keep-alive clients while fetch cycles of 20 sources write without
// pause. ns/op is per request; p99-ms is the 99th percentile latency.
func BenchmarkServeWhileIngesting(b *testing.B) {
	r := sharedLoadRig(b)
	var mu sync.Mutex
	var latencies []time.Duration
	var next atomic.Int64
	b.SetParallelism(16) // 32 clients on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1))
		c := loadClient(i)
		defer c.CloseIdleConnections()
		var mine []time.Duration
		for n := i; pb.Next(); n++ {
			took, err := get(c, r.srv.URL, loadPaths[n%len(loadPaths)])
			if err != nil {
				b.Error(err)
				continue
			}
			mine = append(mine, took)
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	if err := benchRig.fail.Load(); err != nil {
		b.Fatal(*err)
	}
	b.ReportMetric(float64(percentile(latencies, 0.99).Microseconds())/1000, "p99-ms")
}
