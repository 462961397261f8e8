package main

// The crash test: `talkstream fetch` (the real binary) is SIGKILLed at
// random points while it writes a big world, round after round, the feeds
// changing every round; after each kill the database must be intact and
// hold exactly what was committed, and a last fetch must complete the work.

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"github.com/talkstream/talkstream/store"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// dbSnap is what a database holds, as far as the crash test cares.
type dbSnap struct {
	entries   map[string]string // "source/entry" → content hash
	perSource map[string]int    // source → entries stored
	stateN    map[string]int    // source → entries its fetch state says it stored
	items     map[string]bool
	aliases   map[string]string
}

// snapshot reads a SQLite file or, given a postgres:// URL, a PostgreSQL
// database.
func snapshot(t *testing.T, path string) *dbSnap {
	t.Helper()
	pg := store.IsPostgres(path)
	var db *sql.DB
	var err error
	if pg {
		db, err = sql.Open("pgx", path)
	} else {
		db, err = sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := &dbSnap{entries: map[string]string{}, perSource: map[string]int{}, stateN: map[string]int{},
		items: map[string]bool{}, aliases: map[string]string{}}
	query := func(q string, scan func(*sql.Rows) error) {
		t.Helper()
		rows, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// A process killed before its first commit leaves no schema: the
	// migrations run in one transaction, so nothing of them is there.
	var tables int
	if !pg {
		if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'entries'`).Scan(&tables); err != nil {
			t.Fatal(err)
		}
		if tables == 0 {
			return s
		}
	}
	var problems []string
	link := `json_extract(data, '$.Link')`
	if pg {
		// PostgreSQL checks its pages and foreign keys itself.
		link = `(data::jsonb->>'Link')`
	} else {
		sqliteChecks(t, query, &problems)
	}
	query(`SELECT source_id, entry_id, hash FROM entries`, func(r *sql.Rows) error {
		var src, id, hash string
		if err := r.Scan(&src, &id, &hash); err != nil {
			return err
		}
		s.entries[src+"/"+id] = hash
		s.perSource[src]++
		return nil
	})
	query(`SELECT id, entries FROM sources WHERE last_fetch != 0`, func(r *sql.Rows) error {
		var id string
		var n int
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		s.stateN[id] = n
		return nil
	})
	query(`SELECT id FROM items`, func(r *sql.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		s.items[id] = true
		return nil
	})
	query(`SELECT old_id, item_id FROM aliases`, func(r *sql.Rows) error {
		var from, to string
		if err := r.Scan(&from, &to); err != nil {
			return err
		}
		s.aliases[from] = to
		return nil
	})
	// Orphans either way: an entry without its item, an item without an
	// entry, a key or tag of an item that is gone.
	for _, q := range []string{
		`SELECT 'entry ' || e.source_id || '/' || e.entry_id || ' of missing item ' || e.item_id FROM entries e LEFT JOIN items i ON i.id = e.item_id WHERE i.id IS NULL`,
		`SELECT 'item without entries: ' || i.id FROM items i WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.item_id = i.id)`,
		`SELECT 'key of missing item: ' || k.key FROM keys k LEFT JOIN items i ON i.id = k.item_id WHERE i.id IS NULL`,
		`SELECT 'alias to missing item: ' || a.old_id FROM aliases a LEFT JOIN items i ON i.id = a.item_id WHERE i.id IS NULL`,
		// One talk is one item: entries that share a link share an item.
		`SELECT 'link in ' || COUNT(DISTINCT item_id) || ' items: ' || ` + link + ` FROM entries
			GROUP BY ` + link + ` HAVING COUNT(DISTINCT item_id) > 1`,
	} {
		query(q, func(r *sql.Rows) error {
			var p string
			if err := r.Scan(&p); err != nil {
				return err
			}
			problems = append(problems, p)
			return nil
		})
	}
	for _, p := range problems {
		t.Error(p)
	}
	if len(problems) > 0 {
		t.FailNow()
	}
	return s
}

// sqliteChecks are SQLite's own consistency checks.
func sqliteChecks(t *testing.T, query func(string, func(*sql.Rows) error), problems *[]string) {
	t.Helper()
	query(`PRAGMA integrity_check`, func(r *sql.Rows) error {
		var res string
		if err := r.Scan(&res); err != nil {
			return err
		}
		if res != "ok" {
			*problems = append(*problems, "integrity_check: "+res)
		}
		return nil
	})
	query(`PRAGMA foreign_key_check`, func(r *sql.Rows) error {
		*problems = append(*problems, "foreign_key_check: a dangling reference")
		return nil
	})
}

// checkCommitted compares the database after a kill with before: nothing
// committed is lost, and each source holds either what it held before or
// the whole of the fetch that was cut short (full entries).
func checkCommitted(t *testing.T, before, after *dbSnap, full int) {
	t.Helper()
	for k := range before.entries {
		if _, ok := after.entries[k]; !ok {
			t.Errorf("entry %s was committed and is gone", k)
		}
	}
	for src, n := range after.perSource {
		if b := before.perSource[src]; n != b && n != full {
			t.Errorf("source %s holds %d entries: neither the %d before nor the %d of a whole fetch", src, n, b, full)
		}
		if st, ok := after.stateN[src]; ok && st != n {
			t.Errorf("source %s: its state says %d entries, %d are stored", src, st, n)
		}
	}
	for id := range before.items {
		to := id
		for range 10 {
			if next, ok := after.aliases[to]; ok {
				to = next
			}
		}
		if !after.items[to] {
			t.Errorf("item %s was committed and is gone (resolves to %s)", id, to)
		}
	}
}

func TestCrashDuringFetch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	rounds := 16
	if s := os.Getenv("TALKSTREAM_CRASH_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("TALKSTREAM_CRASH_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (rerun with TALKSTREAM_CRASH_SEED=%d), %d rounds", seed, seed, rounds)
	rng := rand.New(rand.NewPCG(seed, 0))

	bin := filepath.Join(t.TempDir(), "talkstream")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const sources, entries = 40, 200
	w := newBigWorld(t, sources, entries)
	dir := t.TempDir()
	cfg := w.config(t, dir)
	dbPath := filepath.Join(dir, "big.db")

	fetch := func(killAfter int, delay time.Duration) (killed bool, lines int, took time.Duration) {
		t.Helper()
		cmd := exec.Command(bin, "fetch", "-config", cfg)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bufferWriter
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for lines < killAfter && sc.Scan() {
			lines++
		}
		if killAfter >= 0 && lines == killAfter {
			time.Sleep(delay)
			killed = cmd.Process.Signal(syscall.SIGKILL) == nil
		}
		for sc.Scan() {
			lines++
		}
		err = cmd.Wait()
		took = time.Since(start)
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			return true, lines, took
		}
		if err != nil {
			t.Fatalf("fetch: %v\n%s", err, stderr.String())
		}
		return false, lines, took
	}

	before := &dbSnap{entries: map[string]string{}, perSource: map[string]int{}, items: map[string]bool{}}
	killedRounds := 0
	for r := range rounds {
		w.gen.Store(int64(r))
		// Kill after the k-th source is reported committed (others are
		// mid-transaction then), a little later still.
		k := rng.IntN(sources)
		delay := time.Duration(rng.IntN(30)) * time.Millisecond
		killed, lines, took := fetch(k, delay)
		if killed {
			killedRounds++
		}
		after := snapshot(t, dbPath)
		checkCommitted(t, before, after, w.entriesAt(r))
		t.Logf("round %2d: generation %d, killed=%v after %d lines + %v (%v); %d entries, %d items",
			r, r, killed, lines, delay, took.Round(time.Millisecond), len(after.entries), len(after.items))
		if t.Failed() {
			t.FailNow()
		}
		before = after
	}
	if killedRounds < rounds/2 {
		t.Errorf("only %d of %d rounds were killed mid-fetch", killedRounds, rounds)
	}

	// The next fetch completes the work: every source whole at the last
	// generation.
	killed, _, took := fetch(-1, 0)
	if killed {
		t.Fatal("the last fetch was killed")
	}
	final := snapshot(t, dbPath)
	checkCommitted(t, before, final, w.entriesAt(rounds-1))
	want := w.entriesAt(rounds - 1)
	for s := range sources {
		if n := final.perSource[fmt.Sprintf("s%d", s)]; n != want {
			t.Errorf("source s%d: %d entries after the last fetch, want %d", s, n, want)
		}
	}
	t.Logf("last fetch: %v; %d entries, %d items", took.Round(time.Millisecond), len(final.entries), len(final.items))

	// And the store opens and reads as the CLI would.
	a, err := openApp(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.publish(context.Background(), time.Now()); err != nil {
		t.Errorf("publish after the crashes: %v", err)
	}
}

// bufferWriter is a strings.Builder that exec may write to from its copying
// goroutine while nothing else reads it.
type bufferWriter struct{ b []byte }

func (w *bufferWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
func (w *bufferWriter) String() string              { return string(w.b) }
