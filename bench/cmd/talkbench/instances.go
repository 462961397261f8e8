package main

// talkbench instances: the world ingested by 1, 2 and 3 `talkstream serve`
// processes sharing one PostgreSQL database, and by one on SQLite, timed
// from start until every entry is stored. CPU is counted for talkstream's
// processes and, on PostgreSQL, for the server's own processes too (every
// process named postgres, from /proc), so that moving work into the
// database does not look free.

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"

	"github.com/talkstream/talkstream/bench/world"
)

type instancesRun struct {
	Engine    string
	Instances int
	Entries   int
	Wall      time.Duration
	CPU       time.Duration // talkstream's processes
	ServerCPU time.Duration // PostgreSQL's processes (0 on SQLite)
}

func cmdInstances(args []string) error {
	fs := flag.NewFlagSet("talkbench instances", flag.ContinueOnError)
	sources := fs.Int("sources", 100, "sources in the world")
	entries := fs.Int("entries", 50, "entries per source")
	bin := fs.String("bin", "", "the talkstream binary (required)")
	pg := fs.String("pg", os.Getenv("TALKSTREAM_TEST_POSTGRES"), "PostgreSQL database `URL` to make schemas in")
	out := fs.String("md", "", "append the markdown report to this `file` (default: stdout)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bin == "" || *pg == "" {
		return errors.New("talkbench instances: -bin and -pg (or TALKSTREAM_TEST_POSTGRES) are required")
	}
	ctx := context.Background()
	w := world.New(world.Options{Sources: *sources, Entries: *entries})
	port, stop, err := serveWorld(w)
	if err != nil {
		return err
	}
	defer stop()
	work, err := os.MkdirTemp("", "talkbench-instances")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	var runs []instancesRun
	for _, c := range []struct {
		engine string
		n      int
	}{{"sqlite", 1}, {"postgres", 1}, {"postgres", 2}, {"postgres", 3}} {
		fmt.Fprintf(os.Stderr, "talkbench instances: %s x %d\n", c.engine, c.n)
		dir := filepath.Join(work, fmt.Sprintf("%s-%d", c.engine, c.n))
		os.MkdirAll(dir, 0o755)
		db := filepath.Join(dir, "talkstream.db")
		if c.engine == "postgres" {
			if db, err = benchSchema(ctx, *pg, fmt.Sprintf("bench_%d", c.n)); err != nil {
				return err
			}
		}
		r, err := ingestWith(ctx, *bin, w, port, dir, db, c.engine, c.n)
		if err != nil {
			return fmt.Errorf("%s x %d: %w", c.engine, c.n, err)
		}
		runs = append(runs, r)
	}
	var md io.Writer = os.Stdout
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		md = f
	}
	fmt.Fprintf(md, "\n## Several instances on PostgreSQL\n\n"+
		"`talkbench instances`: a world of %d sources x %d entries ingested from an empty store by N `talkstream serve` "+
		"processes (fetch.concurrency 4 each) until every entry is stored. CPU per entry counts talkstream's processes "+
		"and, on PostgreSQL, the server's own (every `postgres` process).\n\n", *sources, *entries)
	fmt.Fprintln(md, "| store | instances | wall | entries/s | talkstream CPU/entry | PostgreSQL CPU/entry | total CPU/entry |")
	fmt.Fprintln(md, "|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range runs {
		fmt.Fprintf(md, "| %s | %d | %s | %.0f | %s | %s | %s |\n", r.Engine, r.Instances, r.Wall.Round(100*time.Millisecond),
			float64(r.Entries)/r.Wall.Seconds(), perEntry(r.CPU, r.Entries), perEntry(r.ServerCPU, r.Entries), perEntry(r.CPU+r.ServerCPU, r.Entries))
	}
	fmt.Fprintln(md, "\nWrites are serialised (an advisory lock, like SQLite's one writer), so more instances add fetching, not merging: "+
		"entries per second stay near one instance's.")
	return nil
}

// benchSchema makes an empty schema and returns a URL that uses it.
func benchSchema(ctx context.Context, base, schema string) (string, error) {
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE; CREATE SCHEMA `+schema); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ingestWith runs n serve processes on db until the world is stored.
func ingestWith(ctx context.Context, bin string, w *world.World, port int, dir, db, engine string, n int) (instancesRun, error) {
	r := instancesRun{Engine: engine, Instances: n, Entries: w.TotalEntries()}
	cfg := filepath.Join(dir, "feeds.yaml")
	text := string(w.Config(port, "talkstream.db"))
	text = strings.Replace(text, "refresh: 24h\n", "refresh: 24h\nfetch: {concurrency: 4, per_host: 2}\n", 1)
	if err := os.WriteFile(cfg, []byte(text), 0o644); err != nil {
		return r, err
	}
	driver := "sqlite"
	if engine == "postgres" {
		driver = "pgx"
	}
	count, err := sql.Open(driver, db)
	if err != nil {
		return r, err
	}
	defer count.Close()
	serverBefore := postgresCPU()
	start := time.Now()
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			if p.ProcessState == nil {
				p.Process.Kill()
				p.Wait()
			}
		}
	}()
	for i := range n {
		cmd := exec.Command(bin, "serve", "-config", cfg, "-addr", "127.0.0.1:0", "-instance", fmt.Sprintf("i%d", i), "-tick", "1s")
		cmd.Env = append(os.Environ(), "TALKSTREAM_DATABASE="+db)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			return r, err
		}
		if err := cmd.Start(); err != nil {
			return r, err
		}
		go io.Copy(io.Discard, bufio.NewReader(stdout))
		procs = append(procs, cmd)
	}
	deadline := time.Now().Add(20 * time.Minute)
	for {
		var stored int
		if err := count.QueryRowContext(ctx, `SELECT count(*) FROM entries`).Scan(&stored); err == nil && stored >= r.Entries {
			break
		}
		if time.Now().After(deadline) {
			return r, fmt.Errorf("%d entries not stored after 20 minutes", r.Entries)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r.Wall = time.Since(start)
	// Read the server's CPU while the instances' connections are open: a
	// backend that exits takes its CPU time with it.
	if engine == "postgres" {
		r.ServerCPU = postgresCPU() - serverBefore
	}
	for _, p := range procs {
		r.CPU += procCPU(p.Process.Pid)
		p.Process.Signal(syscall.SIGTERM)
		p.Wait()
	}
	return r, nil
}

// clockTick is the kernel's USER_HZ, in which /proc reports CPU time.
const clockTick = 100

// procCPU is a process's user and system CPU time so far, from /proc.
func procCPU(pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTick
}

// postgresCPU sums the CPU time of every running postgres process. A
// backend that ended meanwhile takes its time with it, so the figure is a
// floor; serve keeps its pool's connections open, which keeps it close.
func postgresCPU() time.Duration {
	entries, _ := os.ReadDir("/proc")
	var total time.Duration
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		total += procCPU(pid)
	}
	return total
}
