// Command feeddiff is a differential harness for feed reading: it serves
// every file under each directory given on 127.0.0.1, reads each one with
// talkstream's fetcher (the real client, charsets, parser and translation)
// and with Python's feedparser (bench/feeddiff_parse.py, Debian's
// python3-feedparser) from the same URL, and prints where they disagree —
// rejected, entry count, titles, links, dates — with a score per directory:
// the share of files on which they agree entirely.
//
//	go run ./bench/cmd/feeddiff [-show N] [-class C] DIR...
//
// scripts/feeddiff.sh is the one command. No network is used but loopback.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch"
)

// reading is what one parser made of one file.
type reading struct {
	Rejected bool    `json:"rejected"`
	Error    string  `json:"error"`
	Warning  string  `json:"warning,omitempty"`
	Entries  []entry `json:"entries"`
}

type entry struct {
	Title string `json:"title"`
	Link  string `json:"link"`
	Date  string `json:"date"`
	Empty bool   `json:"empty"` // nothing to show or link to: talkstream drops such entries (a documented choice)
}

// The disagreement classes, in the order they are checked; a file counts
// once, under its first class.
const (
	classRejected = "rejected"
	classCount    = "count"
	classTitle    = "title"
	classLink     = "link"
	classDate     = "date"
)

var classes = []string{classRejected, classCount, classTitle, classLink, classDate}

type diff struct {
	file, class, detail string
}

func main() {
	show := flag.Int("show", 1000, "disagreements to print per directory")
	only := flag.String("class", "", "print only disagreements of this class")
	py := flag.String("py", "bench/feeddiff_parse.py", "the feedparser script")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: feeddiff [-show N] [-class C] DIR...")
		os.Exit(2)
	}
	if err := run(flag.Args(), *py, *show, *only); err != nil {
		fmt.Fprintln(os.Stderr, "feeddiff:", err)
		os.Exit(1)
	}
}

func run(dirs []string, py string, show int, only string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	mux := http.NewServeMux()
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()

	total := map[string]int{}
	for i, dir := range dirs {
		files, err := list(dir)
		if err != nil {
			return err
		}
		prefix := fmt.Sprintf("/c%d/", i)
		mux.Handle(prefix, http.StripPrefix(prefix, serveFeeds(dir)))
		urls := make([]string, len(files))
		for j, f := range files {
			urls[j] = base + prefix + filepath.ToSlash(f)
		}
		ours := readOurs(urls)
		theirs, err := readFeedparser(py, urls)
		if err != nil {
			return err
		}
		counts := map[string]int{}
		shown := 0
		agree := 0
		fmt.Printf("== %s: %d files\n", dir, len(files))
		for j, f := range files {
			d := compare(f, ours[j], theirs[j])
			if d == nil {
				agree++
				continue
			}
			counts[d.class]++
			total[d.class]++
			if (only == "" || only == d.class) && shown < show {
				fmt.Printf("%-8s %s: %s\n", d.class, d.file, d.detail)
				shown++
			}
		}
		fmt.Printf("-- %s: agree %d/%d = %.3f;", dir, agree, len(files), float64(agree)/float64(max(len(files), 1)))
		for _, c := range classes {
			fmt.Printf(" %s %d", c, counts[c])
		}
		fmt.Println()
	}
	return nil
}

// list returns the files under dir, relative to it, sorted; hidden files
// are skipped.
func list(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", dir, err)
	}
	sort.Strings(files)
	return files, nil
}

// serveFeeds serves dir's files with a Content-Type that names no charset,
// so both parsers must find the encoding in the bytes, as they must for
// most real servers' text/xml and application/xml.
func serveFeeds(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.ToLower(filepath.Ext(r.URL.Path)) {
		case ".json":
			w.Header().Set("Content-Type", "application/json")
		default:
			w.Header().Set("Content-Type", "application/xml")
		}
		files.ServeHTTP(w, r)
	})
}

func readOurs(urls []string) []reading {
	f := fetch.New(fetch.Options{Timeout: 20 * time.Second})
	out := make([]reading, len(urls))
	for i, u := range urls {
		res, err := f.Fetch(context.Background(), talkstream.Source{ID: "feeddiff", Kind: talkstream.SourceBlog, URL: u})
		if err != nil {
			out[i] = reading{Rejected: true, Error: err.Error()}
			continue
		}
		r := reading{Warning: res.Warning}
		for _, e := range res.Entries {
			d := e.Published
			if d.IsZero() {
				d = e.Updated
			}
			ds := ""
			if !d.IsZero() {
				ds = d.UTC().Format(time.RFC3339)
			}
			r.Entries = append(r.Entries, entry{Title: strings.Join(strings.Fields(e.Title), " "), Link: e.Link, Date: ds})
		}
		out[i] = r
	}
	return out
}

func readFeedparser(py string, urls []string) ([]reading, error) {
	python := os.Getenv("PYTHON")
	if python == "" {
		python = "/usr/bin/python3" // Debian's python3-feedparser
	}
	cmd := exec.Command(python, py)
	cmd.Stdin = strings.NewReader(strings.Join(urls, "\n") + "\n")
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(), "no_proxy=127.0.0.1", "NO_PROXY=127.0.0.1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("feedparser: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("feedparser: %w (is python3-feedparser installed?)", err)
	}
	byURL := map[string]reading{}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r struct {
			URL string `json:"url"`
			reading
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("feedparser output: %w", err)
		}
		byURL[r.URL] = r.reading
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("feedparser: %w", err)
	}
	out := make([]reading, len(urls))
	for i, u := range urls {
		r, ok := byURL[u]
		if !ok {
			return nil, fmt.Errorf("feedparser: no result for %s", u)
		}
		out[i] = r
	}
	return out, nil
}

// compare returns the first disagreement between the two readings, or nil.
// Entries feedparser keeps with nothing to show or link to are left out
// first: talkstream drops them on purpose.
func compare(file string, ours, theirs reading) *diff {
	kept := theirs.Entries[:0:0]
	for _, e := range theirs.Entries {
		if !e.Empty {
			kept = append(kept, e)
		}
	}
	theirs.Entries = kept
	if ours.Rejected != theirs.Rejected {
		if ours.Rejected {
			return &diff{file, classRejected, fmt.Sprintf("talkstream rejects (%s); feedparser reads %d entries", ours.Error, len(theirs.Entries))}
		}
		return &diff{file, classRejected, fmt.Sprintf("feedparser rejects (%s); talkstream reads %d entries", theirs.Error, len(ours.Entries))}
	}
	if len(ours.Entries) != len(theirs.Entries) {
		w := ""
		if ours.Warning != "" {
			w = " (warning: " + ours.Warning + ")"
		}
		return &diff{file, classCount, fmt.Sprintf("talkstream %d entries%s, feedparser %d", len(ours.Entries), w, len(theirs.Entries))}
	}
	for _, c := range []struct {
		class string
		get   func(entry) string
	}{
		{classTitle, func(e entry) string { return e.Title }},
		{classLink, func(e entry) string { return e.Link }},
		{classDate, func(e entry) string { return e.Date }},
	} {
		for i := range ours.Entries {
			if a, b := c.get(ours.Entries[i]), c.get(theirs.Entries[i]); a != b {
				return &diff{file, c.class, fmt.Sprintf("entry %d: talkstream %q, feedparser %q", i, clip(a), clip(b))}
			}
		}
	}
	return nil
}

func clip(s string) string {
	if r := []rune(s); len(r) > 100 {
		return string(r[:100]) + "…"
	}
	return s
}
