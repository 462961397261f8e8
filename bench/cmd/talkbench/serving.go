package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// servingRow is one path and mode, measured against every server.
type servingRow struct {
	path, mode string
	ts, ng, fl wrkResult // medians
	tsRuns     []wrkResult
	ngRuns     []wrkResult
	flRuns     []wrkResult // net/http's floor (floor.go)
}

type wrkResult struct {
	rps     float64
	p99     time.Duration
	non2xx  int
	bodyLen int // bytes of one response body (0 for 304)
}

var servingModes = []string{"identity", "gzip", "304"}

// runServing starts `talkstream serve` on the store the full cycles left,
// and nginx and net/http's floor (`talkbench floor`) on the directory
// `talkstream build` wrote, and runs wrk against each, interleaved, for
// /atom.xml and /feed.json: plain, with Accept-Encoding: gzip, and with
// If-None-Match (304s).
func runServing(ctx context.Context, log io.Writer, step func(string, ...any), o runOpts, cfg, cycleDir, siteDir string) ([]servingRow, *manyPathsResult, error) {
	rows, many, err := serving(ctx, log, step, o, cfg, cycleDir, siteDir)
	return rows, many, err
}

func serving(ctx context.Context, log io.Writer, step func(string, ...any), o runOpts, cfg, cycleDir, siteDir string) (_ []servingRow, _ *manyPathsResult, err error) {
	tsAddr, err := freeAddr()
	if err != nil {
		return nil, nil, err
	}
	serve := exec.CommandContext(ctx, o.bin, "serve", "-config", cfg, "-addr", tsAddr)
	serve.Dir = cycleDir
	serve.Stdout, serve.Stderr = log, log
	if err := serve.Start(); err != nil {
		return nil, nil, err
	}
	defer stopProc(serve)
	ngAddr, ng, err := startNginx(ctx, log, siteDir, filepath.Join(o.work, "nginx"))
	if err != nil {
		return nil, nil, err
	}
	defer stopProc(ng)
	flAddr, err := freeAddr()
	if err != nil {
		return nil, nil, err
	}
	fl := exec.CommandContext(ctx, selfPath, "floor", "-dir", siteDir, "-addr", flAddr)
	fl.Stdout, fl.Stderr = log, log
	if err := fl.Start(); err != nil {
		return nil, nil, fmt.Errorf("talkbench floor: %w", err)
	}
	defer stopProc(fl)
	if err := waitHTTP("http://"+tsAddr+"/healthz", 3*time.Minute); err != nil {
		return nil, nil, fmt.Errorf("talkstream serve: %w", err)
	}
	if err := waitHTTP("http://"+ngAddr+"/atom.xml", 30*time.Second); err != nil {
		return nil, nil, fmt.Errorf("nginx: %w", err)
	}
	if err := waitHTTP("http://"+flAddr+"/atom.xml", 30*time.Second); err != nil {
		return nil, nil, fmt.Errorf("talkbench floor: %w", err)
	}
	step("serving: talkstream on %s, nginx on %s, net/http's floor on %s", tsAddr, ngAddr, flAddr)

	luaDir := filepath.Join(o.work, "wrk")
	os.MkdirAll(luaDir, 0o755)
	var rows []servingRow
	for _, path := range []string{"/atom.xml", "/feed.json"} {
		for _, mode := range servingModes {
			rows = append(rows, servingRow{path: path, mode: mode})
		}
	}
	for r := range o.serveRuns {
		for i := range rows {
			row := &rows[i]
			for _, srv := range []struct {
				addr string
				runs *[]wrkResult
			}{{tsAddr, &row.tsRuns}, {ngAddr, &row.ngRuns}, {flAddr, &row.flRuns}} {
				url := "http://" + srv.addr + row.path
				hdrs, bodyLen, err := modeHeaders(url, row.mode)
				if err != nil {
					return nil, nil, err
				}
				res, err := runWrk(ctx, log, o, url, hdrs)
				if err != nil {
					return nil, nil, err
				}
				res.bodyLen = bodyLen
				*srv.runs = append(*srv.runs, res)
			}
		}
		step("serving: round %d/%d done", r+1, o.serveRuns)
	}
	for i := range rows {
		rows[i].ts, rows[i].ng, rows[i].fl = medianWrk(rows[i].tsRuns), medianWrk(rows[i].ngRuns), medianWrk(rows[i].flRuns)
	}
	step("serving: wrk over up to %d different paths, serve's memory", manyPathsMax)
	many, err := runManyPaths(ctx, log, o, serve.Process.Pid, tsAddr, siteDir)
	if err != nil {
		return rows, nil, err
	}
	return rows, many, nil
}

// modeHeaders returns the request headers of a mode, checking with one
// request that the server answers as the mode expects (gzip really
// compressed, the ETag really answered with 304).
func modeHeaders(url, mode string) (map[string]string, int, error) {
	get := func(h map[string]string) (*http.Response, int, error) {
		req, _ := http.NewRequest("GET", url, nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		tr := &http.Transport{DisableCompression: true}
		resp, err := (&http.Client{Transport: tr, Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			return nil, 0, err
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp, int(n), nil
	}
	switch mode {
	case "identity":
		resp, n, err := get(nil)
		if err != nil || resp.StatusCode != 200 {
			return nil, 0, fmt.Errorf("GET %s: %v %v", url, statusOf(resp), err)
		}
		return nil, n, nil
	case "gzip":
		h := map[string]string{"Accept-Encoding": "gzip"}
		resp, n, err := get(h)
		if err != nil || resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
			return nil, 0, fmt.Errorf("GET %s with gzip: %v %v (Content-Encoding %q)", url, statusOf(resp), err, resp.Header.Get("Content-Encoding"))
		}
		return h, n, nil
	case "304":
		resp, _, err := get(nil)
		if err != nil || resp.Header.Get("ETag") == "" {
			return nil, 0, fmt.Errorf("GET %s: no ETag (%v)", url, err)
		}
		h := map[string]string{"If-None-Match": resp.Header.Get("ETag")}
		resp, _, err = get(h)
		if err != nil || resp.StatusCode != http.StatusNotModified {
			return nil, 0, fmt.Errorf("GET %s with If-None-Match: %v %v", url, statusOf(resp), err)
		}
		return h, 0, nil
	}
	return nil, 0, fmt.Errorf("unknown mode %q", mode)
}

func statusOf(r *http.Response) string {
	if r == nil {
		return "no response"
	}
	return r.Status
}

var (
	wrkRPS    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkP99    = regexp.MustCompile(`(?m)^\s+99%\s+([0-9.]+)(us|ms|s)\s*$`)
	wrkNon2xx = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
)

func runWrk(ctx context.Context, log io.Writer, o runOpts, url string, hdrs map[string]string) (wrkResult, error) {
	var extra []string
	for k, v := range hdrs {
		extra = append(extra, "-H", k+": "+v)
	}
	return wrk(ctx, log, o, url, extra)
}

// runWrkScript runs wrk with a Lua script that makes the requests.
func runWrkScript(ctx context.Context, log io.Writer, o runOpts, url, script string) (wrkResult, error) {
	return wrk(ctx, log, o, url, []string{"-s", script})
}

func wrk(ctx context.Context, log io.Writer, o runOpts, url string, extra []string) (wrkResult, error) {
	args := []string{"-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(o.conns), "-d", o.serveDur.String(), "--latency"}
	args = append(append(args, extra...), url)
	out, err := exec.CommandContext(ctx, "wrk", args...).CombinedOutput()
	fmt.Fprintf(log, "\n$ wrk %s\n%s", strings.Join(args, " "), out)
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %w", url, err)
	}
	res, err := parseWrk(out)
	if err != nil {
		return res, fmt.Errorf("wrk %s: %w", url, err)
	}
	return res, nil
}

// parseWrk reads requests/s, the 99th percentile latency (--latency) and
// the count of error statuses from wrk's report.
func parseWrk(out []byte) (wrkResult, error) {
	var res wrkResult
	m := wrkRPS.FindSubmatch(out)
	if m == nil {
		return res, fmt.Errorf("no Requests/sec in wrk's output")
	}
	res.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	if m := wrkP99.FindSubmatch(out); m != nil {
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		unit := map[string]float64{"us": 1e3, "ms": 1e6, "s": 1e9}[string(m[2])]
		res.p99 = time.Duration(v * unit)
	}
	if m := wrkNon2xx.FindSubmatch(out); m != nil {
		res.non2xx, _ = strconv.Atoi(string(m[1]))
	}
	return res, nil
}

func medianWrk(rs []wrkResult) wrkResult {
	var rps []float64
	var p99 []int64
	var out wrkResult
	for _, r := range rs {
		rps = append(rps, r.rps)
		p99 = append(p99, int64(r.p99))
		out.non2xx += r.non2xx
		out.bodyLen = r.bodyLen
	}
	out.rps = medianFloat(rps)
	if len(p99) > 0 {
		out.p99 = time.Duration(medianInt(p99))
	}
	return out
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitHTTP(url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready after %s: %w", url, limit, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// startNginx runs nginx in the foreground (daemon off) with a config of
// its own: two workers like the two cores talkstream's Go runtime uses,
// sendfile, keep-alive without a request cap (as Go's server), no access
// log (talkstream logs no requests), gzip_static serving the .gz siblings
// `talkstream build` writes, and every path it writes under dir.
func startNginx(ctx context.Context, log io.Writer, root, dir string) (string, *exec.Cmd, error) {
	addr, err := freeAddr()
	if err != nil {
		return "", nil, err
	}
	for _, d := range []string{"", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return "", nil, err
		}
	}
	os.Chmod(root, 0o755)
	conf := fmt.Sprintf(`# Written by talkbench for one benchmark run.
daemon off;
worker_processes %d;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 4096; }
http {
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 120s;
	keepalive_requests 100000000;
	client_body_temp_path %[2]s/tmp/body;
	proxy_temp_path %[2]s/tmp/proxy;
	fastcgi_temp_path %[2]s/tmp/fastcgi;
	uwsgi_temp_path %[2]s/tmp/uwsgi;
	scgi_temp_path %[2]s/tmp/scgi;
	types {
		text/html html;
		application/xml xml;
		application/feed+json json;
		text/x-opml opml;
	}
	default_type application/octet-stream;
	server {
		listen %[3]s;
		root %[4]s;
		gzip_static on;
		etag on;
	}
}
`, 2, dir, addr, root)
	confPath := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return "", nil, err
	}
	cmd := exec.CommandContext(ctx, nginxPath(), "-e", filepath.Join(dir, "error.log"), "-p", dir, "-c", confPath)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return "", nil, fmt.Errorf("nginx: %w", err)
	}
	return addr, cmd, nil
}

// stopProc asks a child to stop (SIGTERM), waits, and kills it if it has
// not stopped within 15 s.
func stopProc(cmd *exec.Cmd) {
	if cmd == nil || cmd.Process == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
