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
// frames only from the two privacy-friendly video players that click-to-play
// loads.
const (
	pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; " +
		"frame-src https://www.youtube-nocookie.com https://player.vimeo.com; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
	referrerPolicy = "strict-origin-when-cross-origin" // video players refuse embeds without a referrer

	// immutable is the Cache-Control of a stylesheet, script or icon asked
	// for with its current version (?v=), which pages do: a changed file has
	// another URL.
	immutable = "public, max-age=31536000, immutable"
)

// ServeHTTP serves GET and HEAD for every output ("/index.html" is "/",
// "/tags/xen/index.html" is "/tags/xen/"), with validators, conditional
// requests and gzip. A conditional request is answered from the versions
// alone: a 304 assembles and reads nothing. A folder asked for without its
// final slash ("/tags/xen") is redirected to it. It is safe for concurrent
// use, and serves 503 until the first Sync.
func (p *Publisher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
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
	if path == "/index.html" {
		path = "/"
	} else if strings.HasSuffix(path, "/index.html") {
		path = strings.TrimSuffix(path, "index.html")
	}
	o, ok := p.lookup(s, path)
	if !ok {
		if _, dir := p.lookup(s, path+"/"); dir && !strings.HasSuffix(path, "/") {
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

	etag := p.etag(s, o)
	gz := acceptsGzip(r.Header.Get("Accept-Encoding")) && (o.fixed == nil || len(o.fixed.gz) < len(o.fixed.body))
	tag := etag
	if gz {
		tag = etag[:len(etag)-1] + `-gz"` // another representation, so another strong ETag
	}
	mod := p.modTime(s, o)
	hdr.Set("Vary", "Accept-Encoding")
	hdr.Set("ETag", tag)
	hdr.Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	kind := o.kind()
	if kind == kindAsset && r.URL.Query().Get("v") == o.fixed.version[:assetVersionLen] {
		hdr.Set("Cache-Control", immutable)
	} else {
		hdr.Set("Cache-Control", p.cacheControl)
	}
	if kind == kindFeed {
		hdr.Set("Access-Control-Allow-Origin", "*")
	}
	if kind == kindPage {
		hdr.Set("Content-Security-Policy", pageCSP)
		hdr.Set("Referrer-Policy", referrerPolicy)
		hdr.Set("X-Frame-Options", "DENY")
	}
	if notModified(r, tag, mod) {
		w.WriteHeader(http.StatusNotModified)
		return
	}

	e, err := p.output(r.Context(), s, o, etag)
	if err != nil {
		hdr.Del("ETag")
		hdr.Del("Last-Modified")
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
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("Content-Type", o.contentType())
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// output returns an output from the cache, assembling it on a miss.
func (p *Publisher) output(ctx context.Context, s *snapshot, o outputRef, etag string) (*cached, error) {
	path := o.path()
	if e := p.cache.get(path, etag); e != nil {
		return e, nil
	}
	body, err := p.assemble(ctx, s, o)
	if err != nil {
		return nil, err
	}
	e := &cached{path: path, etag: etag, body: body}
	if o.fixed != nil {
		e.gzOnce.Do(func() { e.gz = o.fixed.gz })
		return e, nil // always in memory: not cached twice
	}
	p.cache.put(e)
	return e, nil
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
