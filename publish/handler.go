package publish

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Security headers of the HTML pages. The only script is the site's own
// app.js and the only stylesheet its style.css (no inline script or style,
// so nothing a feed smuggled into the page could run even if it got past the
// sanitiser); images may come from any https host (the feeds' thumbnails);
// frames only from the privacy-friendly video players that click-to-play
// loads (players.go: YouTube, Vimeo, media.ccc.de and the configured
// PeerTube instances).
const (
	referrerPolicy = "strict-origin-when-cross-origin" // video players refuse embeds without a referrer

	// immutable is the Cache-Control of a stylesheet, script or icon asked
	// for with its current version (?v=), which pages do: a changed file has
	// another URL.
	immutable = "public, max-age=31536000, immutable"
)

// route is everything a response of one output says but its body,
// computed once per snapshot and path: the hot path is a map lookup and a
// few header assignments (values as []string, already canonical, which
// net/http does not change).
type route struct {
	o             outputRef
	etag          string   // of the plain form
	etagH, gzTagH []string // ETag headers of the plain and the gzip form
	lastMod       time.Time
	lastModH      []string
	ctypeH        []string
	linkH         []string // WebSub hub and self of a feed's first page
	gzWorth       bool     // the gzip form is smaller (always, but for tiny assets)
	immutableV    string
	kind          int
}

var (
	hNosniff   = []string{"nosniff"}
	hVary      = []string{"Accept-Encoding"}
	hCORS      = []string{"*"}
	hReferrer  = []string{referrerPolicy}
	hFrames    = []string{"DENY"}
	hImmutable = []string{immutable}
	hGzip      = []string{"gzip"}
)

// route returns the route of a path ("/index.html" is "/"), or nil.
func (p *Publisher) route(ctx context.Context, s *snapshot, path string) (*route, error) {
	if rt, ok := s.routes.Load(path); ok {
		return rt.(*route), nil
	}
	if path == "/index.html" {
		path = "/"
	} else if strings.HasSuffix(path, "/index.html") {
		path = strings.TrimSuffix(path, "index.html")
	}
	o, ok := p.lookup(s, path)
	if !ok {
		return nil, nil
	}
	etag, mod, err := p.etag(ctx, s, o)
	if err != nil {
		return nil, err
	}
	rt := &route{
		o: o, etag: etag, kind: o.kind(), lastMod: mod,
		etagH:    []string{etag},
		gzTagH:   []string{etag[:len(etag)-1] + `-gz"`}, // another representation, so another strong ETag
		lastModH: []string{mod.UTC().Format(http.TimeFormat)},
		ctypeH:   []string{o.contentType()},
		gzWorth:  o.fixed == nil || len(o.fixed.gz) < len(o.fixed.body),
	}
	if o.fixed != nil {
		rt.immutableV = o.fixed.version[:assetVersionLen]
	}
	if p.opts.Hub != "" && hubTopic(o) {
		rt.linkH = []string{"<" + p.opts.Hub + `>; rel="hub", <` + p.abs(o.path()) + `>; rel="self"`}
	}
	if s.routeCount.Add(1) <= maxRoutes {
		s.routes.Store(path, rt)
	}
	return rt, nil
}

// maxRoutes bounds the routes a snapshot remembers; past it, a route is
// computed for each request (a crawler walking every archive page).
const maxRoutes = 100_000

// ServeHTTP serves GET and HEAD for every output ("/index.html" is "/",
// "/tags/xen/index.html" is "/tags/xen/"), with validators, conditional
// requests and gzip. A conditional request is answered from the versions
// alone: a 304 assembles and reads nothing. A folder asked for without its
// final slash ("/tags/xen") is redirected to it. It is safe for concurrent
// use, and serves 503 until the first Sync.
func (p *Publisher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr["X-Content-Type-Options"] = hNosniff
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s := p.cur.Load()
	if s == nil {
		hdr.Set("Retry-After", "10")
		http.Error(w, "the site has not been published yet", http.StatusServiceUnavailable)
		return
	}
	path := r.URL.Path
	rt, err := p.route(r.Context(), s, path)
	if err != nil {
		http.Error(w, "could not read "+path, http.StatusInternalServerError)
		return
	}
	if rt == nil {
		if dir, _ := p.route(r.Context(), s, path+"/"); !strings.HasSuffix(path, "/") && dir != nil {
			target := path + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		http.NotFound(w, r)
		return
	}

	gz := rt.gzWorth && acceptsGzip(r.Header.Get("Accept-Encoding"))
	tag := rt.etagH
	if gz {
		tag = rt.gzTagH
	}
	hdr["Vary"] = hVary
	hdr["Etag"] = tag
	hdr["Last-Modified"] = rt.lastModH
	if rt.kind == kindAsset && r.URL.RawQuery != "" && r.URL.Query().Get("v") == rt.immutableV {
		hdr["Cache-Control"] = hImmutable
	} else {
		hdr["Cache-Control"] = p.cacheControlH
	}
	switch rt.kind {
	case kindFeed:
		hdr["Access-Control-Allow-Origin"] = hCORS
		if rt.linkH != nil {
			hdr["Link"] = rt.linkH
		}
	case kindPage:
		hdr["Content-Security-Policy"] = p.cspH
		hdr["Referrer-Policy"] = hReferrer
		hdr["X-Frame-Options"] = hFrames
	}
	if notModified(r, tag[0], rt.lastMod) {
		w.WriteHeader(http.StatusNotModified)
		return
	}

	e, err := p.output(r.Context(), s, rt.o, rt.etag)
	if err != nil {
		delete(hdr, "Etag")
		delete(hdr, "Last-Modified")
		if errors.Is(err, errNoPage) {
			http.NotFound(w, r)
			return
		}
		http.Error(w, "could not assemble "+path, http.StatusInternalServerError)
		return
	}
	body := e.body
	if gz {
		body = e.gzipped(p.cache)
		hdr["Content-Encoding"] = hGzip
	}
	hdr["Content-Type"] = rt.ctypeH
	hdr["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// output returns an output from the cache, assembling it on a miss. Requests
// that miss the same output at once share one assembly, and at most
// maxAssemblies run at a time: assembling is CPU and memory, and a crawler
// asking for every archive page at once must not hold them all in memory.
func (p *Publisher) output(ctx context.Context, s *snapshot, o outputRef, etag string) (*cached, error) {
	path := o.path()
	if e := p.cache.get(path, etag); e != nil {
		return e, nil
	}
	key := path + " " + etag
	p.flightMu.Lock()
	if f, ok := p.flights[key]; ok {
		p.flightMu.Unlock()
		<-f.done
		return f.e, f.err
	}
	f := &flight{done: make(chan struct{})}
	p.flights[key] = f
	p.flightMu.Unlock()
	defer func() {
		p.flightMu.Lock()
		delete(p.flights, key)
		p.flightMu.Unlock()
		close(f.done)
	}()

	select {
	case p.assembling <- struct{}{}:
	case <-ctx.Done():
		f.err = ctx.Err()
		return nil, f.err
	}
	out, err := p.assemble(ctx, s, o)
	<-p.assembling
	if err != nil {
		f.err = err
		return nil, err
	}
	f.e = &cached{path: path, etag: etag, body: out.body}
	if out.gz != nil {
		f.e.gzOnce.Do(func() { f.e.gz = out.gz })
	}
	if o.fixed != nil {
		return f.e, nil // always in memory: not cached twice
	}
	p.cache.put(f.e)
	return f.e, nil
}

// flight is one assembly that concurrent requests wait for.
type flight struct {
	done chan struct{}
	e    *cached
	err  error
}

// notModified evaluates If-None-Match, or If-Modified-Since when there is no
// If-None-Match (RFC 9110 13.2.2).
func notModified(r *http.Request, etag string, mod time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatches(inm, etag)
	}
	ims, err := http.ParseTime(r.Header.Get("If-Modified-Since"))
	if err != nil {
		return false
	}
	return !mod.Truncate(time.Second).After(ims)
}

// etagMatches reports whether the If-None-Match list names etag, using weak
// comparison as RFC 9110 13.1.2 requires for If-None-Match.
func etagMatches(list, etag string) bool {
	for t := range strings.SplitSeq(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	star := false
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		switch coding {
		case "gzip", "x-gzip":
			return q > 0
		case "*":
			star = q > 0
		}
	}
	return star
}
