package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// cmdFloor runs `talkbench floor -dir SITE -addr ADDR`: the least a
// net/http server can do to serve the files `talkstream build` wrote, as a
// third server beside talkstream and nginx in the serving step. Bodies are
// read once and kept in memory; a response carries only Content-Type,
// Content-Length and an ETag; If-None-Match is compared as one string; gzip
// sends the .gz build wrote. What talkstream's rate lacks against it is
// talkstream's own handler; what the floor lacks against nginx is Go's
// net/http itself.
func cmdFloor(args []string) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	dir := fs.String("dir", "", "the directory `talkstream build` wrote")
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("floor: -dir is required")
	}
	srv := &http.Server{Addr: *addr, Handler: &floorHandler{dir: *dir}, ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

type floorHandler struct {
	dir   string
	files sync.Map // path → *floorFile
}

type floorFile struct {
	body, gz   []byte
	etag, gzTg []string
	ctype      []string
}

func (h *floorHandler) file(path string) *floorFile {
	if f, ok := h.files.Load(path); ok {
		return f.(*floorFile)
	}
	name := path
	if strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	name = filepath.Join(h.dir, filepath.FromSlash(filepath.Clean("/"+name)))
	body, err := os.ReadFile(name)
	if err != nil {
		return nil
	}
	gz, _ := os.ReadFile(name + ".gz")
	tag := `"` + strconv.Itoa(len(body)) + `"`
	ctype := map[string]string{".xml": "application/xml", ".json": "application/feed+json", ".html": "text/html"}[filepath.Ext(name)]
	f := &floorFile{body: body, gz: gz, etag: []string{tag}, gzTg: []string{tag[:len(tag)-1] + `-gz"`}, ctype: []string{ctype}}
	h.files.Store(path, f)
	return f
}

func (h *floorHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := h.file(r.URL.Path)
	if f == nil {
		http.NotFound(w, r)
		return
	}
	body, tag := f.body, f.etag
	gz := f.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip")
	if gz {
		body, tag = f.gz, f.gzTg
	}
	hdr := w.Header()
	hdr["Etag"] = tag
	if r.Header.Get("If-None-Match") == tag[0] {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if gz {
		hdr["Content-Encoding"] = []string{"gzip"}
	}
	hdr["Content-Type"] = f.ctype
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.Write(body)
}
