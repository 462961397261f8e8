package main

// Several `serve` processes (the real binary) on one PostgreSQL database
// and a loopback world: each due source is fetched by exactly one of them,
// the per-host limit holds across them, every instance serves every output
// with the same ETag after a change made anywhere, and when one is killed
// mid-cycle the others fetch what it had claimed once its lease runs out,
// with nothing lost or doubled.

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/talkstream/talkstream/config"
	"github.com/talkstream/talkstream/internal/pgtest"
)

// instance is one running `talkstream serve`.
type instance struct {
	name string
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	log  *bufferWriter
}

var servingLine = regexp.MustCompile(`serving .* on (http://[0-9.:]+)/`)

func startInstance(t *testing.T, bin, cfg, db, name string) *instance {
	t.Helper()
	cmd := exec.Command(bin, "serve", "-config", cfg, "-addr", "127.0.0.1:0", "-instance", name, "-tick", "1s")
	cmd.Env = append(os.Environ(), config.DatabaseEnv+"="+db)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in := &instance{name: name, cmd: cmd, log: &bufferWriter{}}
	cmd.Stderr = in.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		}
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if m := servingLine.FindStringSubmatch(sc.Text()); m != nil {
			in.base = m[1]
			go func() {
				for sc.Scan() {
				}
			}()
			return in
		}
	}
	cmd.Wait()
	t.Fatalf("instance %s did not start:\n%s", name, in.log.String())
	return nil
}

// etag GETs path and returns its ETag.
func (in *instance) etag(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(in.base + path)
	if err != nil {
		t.Fatalf("%s %s: %v", in.name, path, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s", in.name, path, resp.Status)
	}
	return resp.Header.Get("ETag")
}

// outputPaths lists every output's URL path, from a build's manifest.
func outputPaths(t *testing.T, cfg string) []string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "out")
	if code, out, errs := cli(t, "build", "-config", cfg, "-out", dir); code != 0 {
		t.Fatalf("build exit %d: %s%s", code, out, errs)
	}
	data, err := os.ReadFile(filepath.Join(dir, ".talkstream-outputs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Outputs map[string]string }
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for file := range m.Outputs {
		paths = append(paths, "/"+strings.TrimSuffix(file, "index.html"))
	}
	if len(paths) < 10 {
		t.Fatalf("only %d outputs: %v", len(paths), paths)
	}
	return paths
}

// sameETags waits until every instance answers every path with the same
// ETag, and returns them.
func sameETags(t *testing.T, ins []*instance, paths []string) map[string]string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		tags := map[string]string{}
		var diff string
		for _, p := range paths {
			for _, in := range ins {
				e := in.etag(t, p)
				if prev, ok := tags[p]; ok && prev != e && diff == "" {
					diff = fmt.Sprintf("%s: %s on %s, %s on %s", p, prev, ins[0].name, e, in.name)
				}
				tags[p] = e
			}
		}
		if diff == "" {
			return tags
		}
		if time.Now().After(deadline) {
			t.Fatalf("instances still differ after 20 s: %s", diff)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitStored waits until every source holds the entries of generation g.
func waitStored(t *testing.T, w *bigWorld, db string, g int) *dbSnap {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		snap := snapshot(t, db)
		done := 0
		for s := range w.sources {
			if snap.perSource[fmt.Sprintf("s%d", s)] == w.entriesAt(g) {
				done++
			}
		}
		if done == w.sources {
			return snap
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s, %d of %d sources hold generation %d", done, w.sources, g)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func fetchedBy(t *testing.T, db string) map[string]string {
	t.Helper()
	conn, err := sql.Open("pgx", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rows, err := conn.Query(`SELECT id, fetched_by FROM sources`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, by string
		if err := rows.Scan(&id, &by); err != nil {
			t.Fatal(err)
		}
		out[id] = by
	}
	return out
}

func TestSeveralInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs three servers")
	}
	db := pgtest.Database(t)
	bin := filepath.Join(t.TempDir(), "talkstream")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const sources, perHost = 24, 2
	w := newBigWorld(t, sources, 20)
	w.delay.Store(int64(150 * time.Millisecond))
	dir := t.TempDir()
	var b strings.Builder
	fmt.Fprintf(&b, "title: instances\nbase_url: http://127.0.0.1:8080/\nrefresh: 1h\n"+
		"fetch: {concurrency: 3, per_host: %d, timeout: 2s, lease: 4s}\nsources:\n", perHost)
	for s := range sources {
		fmt.Fprintf(&b, "  - {id: s%d, kind: blog, url: %q}\n", s, fmt.Sprintf("%s/s%d.rss", w.srv.URL, s))
	}
	cfg := filepath.Join(dir, "feeds.yaml")
	if err := os.WriteFile(cfg, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.DatabaseEnv, db) // for the verbs this test runs in-process

	var ins []*instance
	for i := range 3 {
		ins = append(ins, startInstance(t, bin, cfg, db, fmt.Sprintf("i%d", i)))
	}

	t.Run("each source fetched once", func(t *testing.T) {
		before := waitStored(t, w, db, 0)
		time.Sleep(2 * time.Second) // ticks go on: nothing is due, nothing is fetched again
		for s := range sources {
			if n := w.requests[s].Load(); n != 1 {
				t.Errorf("source s%d requested %d times, want once", s, n)
			}
		}
		if m := w.maxInflight.Load(); m > perHost {
			t.Errorf("%d requests at once to the one host, per_host is %d", m, perHost)
		}
		by := map[string]int{}
		for _, name := range fetchedBy(t, db) {
			by[name]++
		}
		t.Logf("sources fetched per instance: %v; %d entries, %d items", by, len(before.entries), len(before.items))
		if len(by) < 2 {
			t.Errorf("one instance fetched everything: %v", by)
		}
	})

	paths := outputPaths(t, cfg)
	var first map[string]string
	t.Run("same ETags everywhere", func(t *testing.T) {
		first = sameETags(t, ins, paths)
	})

	t.Run("a change made elsewhere shows everywhere", func(t *testing.T) {
		w.gen.Store(1)
		if code, out, errs := cli(t, "fetch", "-config", cfg); code != 0 {
			t.Fatalf("fetch exit %d: %s%s", code, out, errs)
		}
		tags := sameETags(t, ins, paths)
		for tags["/feed.json"] == first["/feed.json"] {
			time.Sleep(200 * time.Millisecond)
			tags = sameETags(t, ins, paths)
		}
	})

	t.Run("a killed instance's sources are taken over", func(t *testing.T) {
		before := snapshot(t, db)
		for s := range sources {
			w.requests[s].Store(0)
		}
		w.maxInflight.Store(0)
		w.delay.Store(int64(300 * time.Millisecond))
		w.gen.Store(2)
		// The hour passes: every source is due again.
		conn, err := sql.Open("pgx", db)
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.ExecContext(context.Background(), `UPDATE sources SET next_check = 0`)
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		victim := ins[2]
		for w.requests[0].Load()+w.requests[sources/2].Load() == 0 {
			// wait for the cycle to be under way
			var total int64
			for s := range sources {
				total += w.requests[s].Load()
			}
			if total >= 4 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		victim.cmd.Wait()
		after := waitStored(t, w, db, 2)
		checkCommitted(t, before, after, w.entriesAt(2))
		twice := 0
		for s := range sources {
			switch n := w.requests[s].Load(); {
			case n == 2:
				twice++ // the victim's request was cut off; another instance fetched it again
			case n != 1:
				t.Errorf("source s%d requested %d times", s, n)
			}
		}
		t.Logf("after the kill: %d sources fetched twice (cut off in the victim), the others once; %d entries, %d items",
			twice, len(after.entries), len(after.items))
		if twice > perHost {
			t.Errorf("%d sources fetched twice; only the victim's in-flight fetches (at most %d) may be", twice, perHost)
		}
		if m := w.maxInflight.Load(); m > perHost {
			t.Errorf("%d requests at once to the one host, per_host is %d", m, perHost)
		}
		sameETags(t, ins[:2], paths)
		if err := ins[0].checkStatus(t); err != nil {
			t.Error(err)
		}
	})
}

// checkStatus checks that /status.json names the instance that answered
// and the instance that fetched each source.
func (in *instance) checkStatus(t *testing.T) error {
	t.Helper()
	resp, err := http.Get(in.base + "/status.json")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var st struct {
		Instance string `json:"instance"`
		Sources  []struct {
			ID        string `json:"id"`
			FetchedBy string `json:"fetched_by"`
		} `json:"sources"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return err
	}
	if st.Instance != in.name {
		return fmt.Errorf("status.json instance %q, want %q", st.Instance, in.name)
	}
	for _, s := range st.Sources {
		if s.FetchedBy == "" {
			return fmt.Errorf("status.json: source %s has no fetched_by", s.ID)
		}
	}
	return nil
}
