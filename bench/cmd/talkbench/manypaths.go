package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// manyPathsMax is how many different outputs the memory measurement asks
// for: feeds, facets and archive pages, so that most are cache misses.
const manyPathsMax = 1000

// manyPathsResult is serve's memory while wrk asks for many different
// paths, with the default cache.
type manyPathsResult struct {
	paths       int
	rps         float64
	non2xx      int
	rssBefore   int64 // VmRSS before the run
	rssAfter    int64 // VmRSS after it
	hwm         int64 // VmHWM: the peak over serve's whole life
	outputBytes int64 // the paths' bodies together, as build wrote them
}

// runManyPaths runs wrk against serve with a script that walks up to
// manyPathsMax of the site's paths round robin, and reads serve's resident
// memory from /proc.
func runManyPaths(ctx context.Context, log io.Writer, o runOpts, pid int, addr, siteDir string) (*manyPathsResult, error) {
	var paths []string
	var total int64
	filepath.WalkDir(siteDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".gz") || strings.HasPrefix(d.Name(), ".") || len(paths) >= manyPathsMax {
			return err
		}
		rel, _ := filepath.Rel(siteDir, p)
		u := "/" + filepath.ToSlash(rel)
		if fi, err := d.Info(); err == nil {
			total += fi.Size()
		}
		paths = append(paths, strings.TrimSuffix(u, "index.html"))
		return nil
	})
	if len(paths) == 0 {
		return nil, fmt.Errorf("no outputs under %s", siteDir)
	}
	var lua strings.Builder
	lua.WriteString("paths = {")
	for i, p := range paths {
		if i > 0 {
			lua.WriteString(",")
		}
		lua.WriteString(strconv.Quote(p))
	}
	lua.WriteString("}\ni = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i], {[\"Accept-Encoding\"] = \"gzip\"})\nend\n")
	script := filepath.Join(o.work, "wrk", "manypaths.lua")
	if err := os.WriteFile(script, []byte(lua.String()), 0o644); err != nil {
		return nil, err
	}
	r := &manyPathsResult{paths: len(paths), outputBytes: total}
	r.rssBefore, _ = procStatus(pid, "VmRSS")
	res, err := runWrkScript(ctx, log, o, "http://"+addr+"/", script)
	if err != nil {
		return nil, err
	}
	r.rps, r.non2xx = res.rps, res.non2xx
	r.rssAfter, _ = procStatus(pid, "VmRSS")
	r.hwm, _ = procStatus(pid, "VmHWM")
	return r, nil
}

// procStatus reads a size field (kB) of /proc/PID/status, in bytes.
func procStatus(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				n, err := strconv.ParseInt(f[0], 10, 64)
				return n << 10, err
			}
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}
