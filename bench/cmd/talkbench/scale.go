package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/bench/world"
	"github.com/talkstream/talkstream/config"
	"github.com/talkstream/talkstream/merge"
	"github.com/talkstream/talkstream/store"
)

// ScaleResult is what `talkbench merge` measured.
type ScaleResult struct {
	Engine     string        `json:"engine"`  // sqlite or postgres
	Entries    int           `json:"entries"` // entries in the store at the end
	Seed       int           `json:"seed"`    // entries merged through Apply before the first replication
	Batch      int           `json:"batch"`   // entries per transaction in the measured windows
	SeedBatch  int           `json:"seed_batch"`
	PlainSeed  bool          `json:"plain_seed"`
	Windows    []ScaleWindow `json:"windows"` // one per mark
	Wall       time.Duration `json:"wall_ns"` // wall time of the whole run
	SeedWall   time.Duration `json:"seed_wall_ns"`
	Replicated time.Duration `json:"replicate_wall_ns"` // time spent copying rows
	DBBytes    int64         `json:"db_bytes"`
	Stats      merge.Stats   `json:"stats"`
	Error      string        `json:"error,omitempty"` // why a mark could not be reached
}

// ScaleWindow is the per-entry time of merging Window new entries into a
// store that held At entries.
type ScaleWindow struct {
	At       int           `json:"at"`
	Window   int           `json:"window"`
	PerEntry time.Duration `json:"per_entry_ns"`
	CPU      time.Duration `json:"cpu_per_entry_ns"`
}

// cmdMerge measures merging at scale. Reaching a million entries through
// Apply alone takes longer than make bench may, so the store grows in two
// ways: Seed entries go through Apply (in SeedBatch-entry transactions), and
// then the store's own rows are replicated in SQL (INSERT … SELECT, every
// id, key and item reference suffixed, item sequence numbers offset) until
// it holds about the mark's number of entries. At each mark, Window new
// entries are merged through merge.Merger.Apply inside store.Store.Update in
// Batch-entry transactions (one feed's worth, as a fetch writes them), and
// timed: the per-entry time of merging into a store of that size.
func cmdMerge(args []string) error {
	fs := flag.NewFlagSet("talkbench merge", flag.ContinueOnError)
	dir := fs.String("dir", "", "work `directory` (the store and its config go here)")
	marks := fs.String("marks", "100000,1000000", "comma-separated store sizes to measure at")
	window := fs.Int("window", 5000, "entries merged and timed at each mark")
	batch := fs.Int("batch", 50, "entries per transaction in a window (one feed's worth)")
	seed := fs.Int("seed", 12500, "entries merged through Apply before replicating")
	seedBatch := fs.Int("seed-batch", 1000, "entries per transaction while seeding")
	sources := fs.Int("sources", 1000, "sources the entries are spread over")
	plainSeed := fs.Bool("plain-seed", true, "seed with a merger without speakers, events and rules (same keys and store rows, less tagging)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this `file`")
	database := fs.String("database", "", "a postgres:// `URL` to measure on PostgreSQL instead of a SQLite file in -dir")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("talkbench merge: -dir is required")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var at []int
	for m := range strings.SplitSeq(*marks, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(m))
		if err != nil {
			return fmt.Errorf("-marks: %w", err)
		}
		at = append(at, n)
	}
	// The sources, speakers, events and rules of a world's config, loaded
	// the way the CLI loads them.
	w := world.New(world.Options{Sources: *sources, Entries: 1, MinHTML: 64, MaxHTML: 64})
	cfgPath := filepath.Join(*dir, "merge.yaml")
	if err := os.WriteFile(cfgPath, w.Config(1, "merge.db"), 0o644); err != nil {
		return err
	}
	if *database != "" {
		os.Setenv(config.DatabaseEnv, *database)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	pg := store.IsPostgres(cfg.Database)
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return err
	}
	defer st.Close()
	m := merge.New(cfg.MergeOptions())
	seeder := m
	if *plainSeed {
		seeder = merge.New(merge.Options{Sources: cfg.Sources})
	}
	gen := newEntryGen(cfg.Sources)
	res := ScaleResult{Seed: *seed, Batch: *batch, SeedBatch: *seedBatch, PlainSeed: *plainSeed}
	start := time.Now()
	n := 0
	apply := func(m *merge.Merger, k, per int) error {
		for k > 0 {
			src, entries := gen.next(min(per, k))
			if err := st.Update(ctx, func(tx *store.Tx) error {
				s, err := m.Apply(tx, src, entries, gen.now)
				res.Stats.New += s.New
				res.Stats.Updated += s.Updated
				res.Stats.Unchanged += s.Unchanged
				res.Stats.Filtered += s.Filtered
				return err
			}); err != nil {
				return err
			}
			n += len(entries)
			k -= len(entries)
		}
		return nil
	}
	var rdb *sql.DB
	if pg {
		rdb, err = sql.Open("pgx", cfg.Database)
	} else {
		rdb, err = sql.Open("sqlite", "file:"+cfg.Database+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=cache_size(-1048576)")
	}
	if err != nil {
		return err
	}
	defer rdb.Close()
	rdb.SetMaxOpenConns(1)

	round := 0 // replication rounds so far: each round's suffixes are its own
	for _, mark := range at {
		if n == 0 {
			t0 := time.Now()
			if err := apply(seeder, min(*seed, mark), *seedBatch); err != nil {
				return err
			}
			res.SeedWall = time.Since(t0)
			fmt.Fprintf(os.Stderr, "merge: seeded %d entries in %s\n", n, ms(res.SeedWall))
		}
		if copies := int(float64(mark)/float64(n)+0.5) - 1; copies > 0 {
			t0 := time.Now()
			round++
			if err := replicate(ctx, rdb, pg, round, copies); err != nil {
				res.Error = fmt.Sprintf("replicating the store to reach %d entries: %v", mark, err)
				break
			}
			n *= 1 + copies
			res.Replicated += time.Since(t0)
			fmt.Fprintf(os.Stderr, "merge: replicated to %d entries in %s\n", n, ms(time.Since(t0)))
		}
		size := n
		t0, c0 := time.Now(), selfCPU()
		if err := apply(m, *window, *batch); err != nil {
			return err
		}
		wall, cpu := time.Since(t0), selfCPU()-c0
		res.Windows = append(res.Windows, ScaleWindow{At: size, Window: *window, PerEntry: wall / time.Duration(*window), CPU: cpu / time.Duration(*window)})
		fmt.Fprintf(os.Stderr, "merge: %d new entries into %d: %s/entry\n", *window, size, wall/time.Duration(*window))
	}
	var entries int
	if err := rdb.QueryRowContext(ctx, "SELECT count(*) FROM entries").Scan(&entries); err == nil {
		res.Entries = entries
	}
	res.Wall = time.Since(start)
	res.Engine = st.Engine()
	if pg {
		rdb.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&res.DBBytes)
	}
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(cfg.Database + suffix); err == nil && !pg {
			res.DBBytes += fi.Size()
		}
	}
	printJSON(res)
	return nil
}

// replicate copies every row of every table but sources copies times, in
// one transaction per copy, so that the indexes grow as they would with
// that many more entries. Columns that identify (id, key, *_id but
// source_id) get a "~gGcN" suffix (round G, copy N), so copies never collide
// with each other or with later entries; items' seq is offset past the
// largest. Tables are
// found at run time, so a later migration's table is copied too; one with
// another unique column makes this fail, which the report says. The
// copies are scaffolding, not what is measured: the connection runs with
// synchronous=OFF and a large cache.
func replicate(ctx context.Context, db *sql.DB, pg bool, gen, copies int) error {
	tablesQuery := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'sources' ORDER BY name != 'items', name`
	columnsQuery := `SELECT name FROM pragma_table_info(?)`
	if pg {
		tablesQuery = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
			AND table_name NOT IN ('sources', 'schema_version') ORDER BY table_name != 'items', table_name`
		columnsQuery = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()
			AND table_name = $1 ORDER BY ordinal_position`
	}
	rows, err := db.QueryContext(ctx, tablesQuery)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	type plan struct {
		table, cols string
		exprs       []string // with {copy} for the copy number and {offset} for the seq offset
		idCol       string   // the first suffixed column: rows whose value has this round's suffix are copies
	}
	var maxSeq int64
	db.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM items").Scan(&maxSeq)
	var plans []plan
	for _, t := range tables {
		crows, err := db.QueryContext(ctx, columnsQuery, t)
		if err != nil {
			return err
		}
		var cols, exprs []string
		idCol := ""
		for crows.Next() {
			var c string
			if err := crows.Scan(&c); err != nil {
				crows.Close()
				return err
			}
			cols = append(cols, `"`+c+`"`)
			switch {
			case c == "seq":
				exprs = append(exprs, `"seq" + {offset}`)
			case c == "id" || c == "key" || (strings.HasSuffix(c, "_id") && c != "source_id"):
				exprs = append(exprs, `"`+c+`" || '~{copy}'`)
				if idCol == "" {
					idCol = c
				}
			default:
				exprs = append(exprs, `"`+c+`"`)
			}
		}
		crows.Close()
		if idCol == "" {
			continue // nothing identifies its rows: copying them would only duplicate
		}
		plans = append(plans, plan{table: t, cols: strings.Join(cols, ", "), exprs: exprs, idCol: idCol})
	}
	for c := 1; c <= copies; c++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, p := range plans {
			sel := strings.NewReplacer("{copy}", fmt.Sprintf("g%dc%d", gen, c), "{offset}", strconv.FormatInt(int64(c)*(maxSeq+1), 10)).Replace(strings.Join(p.exprs, ", "))
			// The rows before this round: not a copy made in it (some tables
			// have no rowid to bound by).
			q := fmt.Sprintf(`INSERT INTO "%s" (%s) SELECT %s FROM "%s" WHERE "%s" NOT LIKE '%%~g%dc%%'`, p.table, p.cols, sel, p.table, p.idCol, gen)
			if _, err := tx.ExecContext(ctx, q); err != nil {
				tx.Rollback()
				return fmt.Errorf("%s: %w", p.table, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// entryGen makes the synthetic entries of the merge benchmark: short posts
// (about 400 bytes of HTML) with unique links, some with tracking
// parameters; YouTube and Vimeo sources publish videos, and one post in 20
// embeds a video published earlier, so that keys collide and items merge.
type entryGen struct {
	sources []talkstream.Source
	next_   int // next source, round-robin
	seq     int
	videos  []string // ids published so far (a ring)
	r       *rand.Rand
	now     time.Time
}

func newEntryGen(srcs []talkstream.Source) *entryGen {
	return &entryGen{sources: srcs, r: rand.New(rand.NewPCG(7, 7)), now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}
}

var scaleWords = strings.Fields(`unikernel ocaml mirage xen network stack tls compiler runtime effect handler
	multicore scheduler cloud docker solo5 irmin storage protocol firewall dns security release talk slides
	paper keynote tutorial workshop the a of and to in for with on`)

func (g *entryGen) words(n int) string {
	var b strings.Builder
	for k := range n {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(scaleWords[g.r.IntN(len(scaleWords))])
	}
	return b.String()
}

func (g *entryGen) next(k int) (talkstream.Source, []talkstream.Entry) {
	src := g.sources[g.next_%len(g.sources)]
	g.next_++
	out := make([]talkstream.Entry, k)
	for i := range out {
		g.seq++
		n := g.seq
		e := talkstream.Entry{
			GUID:      fmt.Sprintf("tag:bench,2026:%s/%d", src.ID, n),
			Title:     g.words(4+g.r.IntN(6)) + " " + strconv.Itoa(n),
			Summary:   "<p>" + g.words(30) + ` <a href="https://example.org/docs">docs</a> ` + g.words(25) + "</p>",
			Authors:   []string{"Bench Author"},
			Published: g.now.Add(-time.Duration(n) * time.Minute),
		}
		switch src.Kind {
		case talkstream.SourceYouTube, talkstream.SourceVimeo:
			sum := sha256.Sum256([]byte("v" + strconv.Itoa(n)))
			id := base64.RawURLEncoding.EncodeToString(sum[:9])[:11]
			prov := "youtube"
			if src.Kind == talkstream.SourceVimeo {
				prov, id = "vimeo", strconv.Itoa(200000000+n)
			}
			e.Video = talkstream.NewVideo(prov, id)
			e.Link = e.Video.URL
			if len(g.videos) < 4096 {
				g.videos = append(g.videos, e.Video.EmbedURL)
			} else {
				g.videos[n%len(g.videos)] = e.Video.EmbedURL
			}
		default:
			e.Link = fmt.Sprintf("https://%s.example.org/posts/%d", src.ID, n)
			if n%10 == 0 {
				e.Link += "?utm_source=rss&utm_medium=feed"
			}
			if n%20 == 0 && len(g.videos) > 0 {
				e.Content = `<p><iframe src="` + g.videos[g.r.IntN(len(g.videos))] + `"></iframe></p>` + e.Summary
			}
		}
		out[i] = e
	}
	return src, out
}
