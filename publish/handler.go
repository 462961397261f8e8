package publish

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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

// Handler serves the current Site from memory. It is safe for concurrent use.
type Handler struct {
	mu  sync.Mutex // serialises Swap
	cur atomic.Pointer[served]
}

// served is a Site with the Last-Modified time of each output. An output whose
// bytes did not change across a Swap keeps its time, so If-Modified-Since
// keeps answering 304 for it.
type served struct {
	site    *Site
	modTime map[string]time.Time
}

// NewHandler returns a Handler serving s; s may be nil, in which case every
// request gets 503 until the first Swap.
func NewHandler(s *Site) *Handler {
	h := &Handler{}
	h.Swap(s)
	return h
}

// Swap makes s the Site that requests see, atomically: a request is served
// entirely from the old Site or entirely from the new one.
func (h *Handler) Swap(s *Site) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if s == nil {
		h.cur.Store(nil)
		return
	}
	old := h.cur.Load()
	next := &served{site: s, modTime: make(map[string]time.Time, len(s.outputs))}
	for p, o := range s.outputs {
		next.modTime[p] = o.modTime
		if old == nil {
			continue
		}
		if prev, ok := old.site.outputs[p]; ok && prev.etag == o.etag {
			next.modTime[p] = old.modTime[p]
		}
	}
	h.cur.Store(next)
}

// ServeHTTP serves GET and HEAD for the Site's paths ("/index.html" is "/",
// "/tags/xen/index.html" is "/tags/xen/"), with validators, conditional
// requests and pre-compressed gzip. A folder asked for without its final
// slash ("/tags/xen") is redirected to it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	cur := h.cur.Load()
	if cur == nil {
		hdr.Set("Retry-After", "10")
		http.Error(w, "the site has not been rendered yet", http.StatusServiceUnavailable)
		return
	}
	p := r.URL.Path
	if p == "/index.html" {
		p = "/"
	} else if strings.HasSuffix(p, "/index.html") {
		p = strings.TrimSuffix(p, "index.html")
	}
	o, ok := cur.site.outputs[p]
	if !ok {
		if _, dir := cur.site.outputs[p+"/"]; dir && !strings.HasSuffix(p, "/") {
			target := p + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		http.NotFound(w, r)
		return
	}

	body, etag := o.body, o.etag
	gz := acceptsGzip(r.Header.Get("Accept-Encoding")) && len(o.gz) < len(o.body)
	if gz {
		body, etag = o.gz, o.gzTag
	}
	mod := cur.modTime[p]

	hdr.Set("Vary", "Accept-Encoding")
	hdr.Set("ETag", etag)
	hdr.Set("Last-Modified", mod.UTC().Format(http.TimeFormat))
	if o.kind == kindAsset && r.URL.Query().Get("v") == o.version[:assetVersionLen] {
		hdr.Set("Cache-Control", immutable)
	} else {
		hdr.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(cur.site.maxAge/time.Second)))
	}
	if o.kind == kindFeed {
		hdr.Set("Access-Control-Allow-Origin", "*")
	}
	if o.kind == kindPage {
		hdr.Set("Content-Security-Policy", pageCSP)
		hdr.Set("Referrer-Policy", referrerPolicy)
		hdr.Set("X-Frame-Options", "DENY")
	}

	if notModified(r, etag, mod) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Type", o.contentType)
	if gz {
		hdr.Set("Content-Encoding", "gzip")
	}
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
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
