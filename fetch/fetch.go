// Package fetch owns getting entries out of a source: the HTTP client
// (conditional GET, body and time limits, redirect policy, typed errors for
// statuses), decoding charsets, telling the formats apart by content
// (detect.go), parsing every feed format through gofeed, translating gofeed
// items into talkstream.Entry values with explicit field fallbacks, YouTube,
// Vimeo and PeerTube video extraction, following an HTML page to the feed
// it advertises, and reading curated YAML files. Conference schedules
// (fetch/schedule), iCalendar files (fetch/ical) and HTML pages
// (fetch/page) are parsed in subpackages of their own.
//
// A Fetcher is safe for concurrent use. It never touches the store or the
// configuration: the caller passes a talkstream.Source (with its FetchState)
// and stores what the Result says.
package fetch

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/internal/htmltext"
	"github.com/talkstream/talkstream/websub"
)

// Defaults for the zero Options.
const (
	defaultTimeout  = 30 * time.Second
	defaultMaxBytes = 10 << 20
	maxRedirects    = 5
	maxHeaderBytes  = 256 << 10
	// maxValidator bounds a stored ETag or Last-Modified: a longer one is
	// not kept (nor sent back), so a server cannot bloat the store.
	maxValidator = 1 << 10
	// maxStatusText bounds the reason phrase an error repeats.
	maxStatusText = 128
)

// Sentinel errors; check them with errors.Is on the *Error Fetch returns.
var (
	// ErrNotFeed: the body is empty, an HTML page, or not parseable as a feed.
	ErrNotFeed = errors.New("not a feed")
	// ErrTooLarge: the (decompressed) body is larger than Options.MaxBytes.
	ErrTooLarge = errors.New("response body too large")
	// ErrHTTPStatus: any status other than 2xx and 304; Error.Status says which.
	ErrHTTPStatus = errors.New("unexpected http status")
	// ErrGone: the server answered 410 Gone. Such an error is also ErrHTTPStatus.
	ErrGone = errors.New("feed is gone")
)

// Options configures a Fetcher. The zero value is usable.
type Options struct {
	Timeout   time.Duration // total per-request timeout, body included; default 30s
	MaxBytes  int64         // body cap; default 10 MiB; exceeding it is an error, not a truncated parse
	UserAgent string        // default "talkstream/" + talkstream.Version + " (+https://github.com/talkstream/talkstream)"
	// Client is optional; tests may inject one. The default is a client of our
	// own that follows at most 5 redirects, and only to http and https URLs.
	// An injected client without a CheckRedirect gets the same policy.
	Client *http.Client
}

// Fetcher fetches and parses sources.
type Fetcher struct {
	opts   Options
	client *http.Client
}

// New returns a Fetcher with the defaults filled in.
func New(opts Options) *Fetcher {
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = defaultMaxBytes
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "talkstream/" + talkstream.Version + " (+https://github.com/talkstream/talkstream)"
	}
	client := opts.Client
	if client == nil {
		// The transport decompresses gzip itself (it asks for it when we set
		// no Accept-Encoding), so the size cap below counts decompressed bytes.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// A feed's headers are a few hundred bytes; the default allows 10 MB.
		tr.MaxResponseHeaderBytes = maxHeaderBytes
		client = &http.Client{Transport: tr, CheckRedirect: checkRedirect}
	}
	return &Fetcher{opts: opts, client: client}
}

// checkRedirect is the default redirect policy.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if s := req.URL.Scheme; s != "http" && s != "https" {
		return fmt.Errorf("refusing redirect to %q: not http or https", req.URL.Redacted())
	}
	return nil
}

// Result is what one fetch found. On NotModified and Unchanged nothing was
// parsed: Entries is nil and FeedTitle/FeedLink repeat the stored state.
type Result struct {
	Status       int    // HTTP status (200, 304...); 0 for curated
	NotModified  bool   // 304: nothing parsed, Entries nil
	Unchanged    bool   // 200 but BodyHash == src.State.BodyHash: nothing parsed, Entries nil
	ETag         string // validator to store (the old one is kept on 304)
	LastModified string // validator to store (the old one is kept on 304)
	BodyHash     string // hex sha256 of the raw (decompressed, undecoded) body
	FeedTitle    string // the feed's own title, plain text
	FeedLink     string // the feed's own home page, absolute
	Entries      []talkstream.Entry
	// Warning says what the parse read other than as the feed wrote it: a
	// repaired syntax error, items it could not read, fields of the wrong
	// type. Empty when the body read cleanly; on NotModified and Unchanged
	// it repeats the stored src.State.Warning (the same body).
	Warning  string
	Bytes    int64         // body bytes read (decompressed)
	Duration time.Duration // request and body read, parsing excluded
	URL      string        // final URL after redirects; empty for curated
	MovedTo  string        // set when a permanent redirect (301/308) was followed
	// Format is what the body was read as (a Format constant); on
	// NotModified and Unchanged it repeats src.State.Format. Followed is
	// the feed read in place of the configured page that advertised it.
	Format   string
	Followed string

	// Scheduling hints; the caller decides the next check from them.
	// Fresh is how long the server says the response stays fresh
	// (Cache-Control max-age, else Expires minus Date); 0 when it says
	// nothing or forbids caching. TTL is the feed's own hint (RSS <ttl>,
	// sy:updatePeriod/sy:updateFrequency); on NotModified and Unchanged it
	// repeats the stored src.State.TTL.
	Fresh time.Duration
	TTL   time.Duration

	// WebSub (websub.Discover): the hubs the feed advertises and its self
	// URL, the topic to subscribe to, from the Link header or the feed's
	// head. Empty when nothing was parsed (304, unchanged body).
	Hubs []string
	Self string
}

// Error is the error type for a failed fetch, shaped like net/url.Error.
type Error struct {
	Op     string // "fetch", "read", "parse" or "curated"
	URL    string // the URL (final, when a response came) or the curated file's path
	Status int    // the HTTP status, when a response came
	Err    error
	// RetryAfter is the server's Retry-After on a 429 or 503 (seconds or
	// an HTTP date, as a wait from now); 0 when absent or unreadable.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Op == opCurated {
		// The inner error already reads "path:line: entry N (id): problem".
		return "curated source: " + e.Err.Error()
	}
	return fmt.Sprintf("%s %q: %s", e.Op, e.URL, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Timeout reports whether the fetch failed because it took too long.
func (e *Error) Timeout() bool {
	if errors.Is(e.Err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

const (
	opFetch   = "fetch"
	opRead    = "read"
	opParse   = "parse"
	opCurated = "curated"
)

// statusError is the Err of an *Error for an unwanted status; it is
// ErrHTTPStatus, and ErrGone too for 410.
type statusError struct {
	code int
	text string
}

func (e *statusError) Error() string {
	if e.code == http.StatusGone {
		return fmt.Sprintf("%s: http status %s", ErrGone, e.text)
	}
	return fmt.Sprintf("%s %s", ErrHTTPStatus, e.text)
}

func (e *statusError) Is(target error) bool {
	return target == ErrHTTPStatus || (target == ErrGone && e.code == http.StatusGone)
}

// Fetch fetches and parses one source. For kind curated it reads src.Path
// (YAML per docs/curated.md; strict: unknown keys are errors naming
// file:line). Errors are *Error. Never panics on hostile input.
//
// The body may be a feed, a conference schedule, an iCalendar file or an
// HTML page (see the Format constants). A page that holds no talks of its
// own but advertises a feed is followed to that feed (Result.Followed),
// and later fetches go to that feed directly, with its validators, until
// it stops being one.
func (f *Fetcher) Fetch(ctx context.Context, src talkstream.Source) (*Result, error) {
	if src.Kind == talkstream.SourceCurated {
		return f.fetchCurated(src)
	}
	if followed := src.State.Followed; followed != "" {
		fs := src
		fs.URL = followed
		res, err := f.fetchOnce(ctx, fs, false)
		if err == nil {
			res.Followed, res.MovedTo = followed, ""
			return res, nil
		}
		if !errors.Is(err, ErrNotFeed) && !errors.Is(err, ErrHTTPStatus) {
			return nil, err
		}
		// The advertised feed went away or changed: read the page again,
		// from scratch, to see what it offers now.
		src.State.ETag, src.State.LastModified, src.State.BodyHash = "", "", ""
	}
	return f.fetchOnce(ctx, src, true)
}

// fetchOnce is one conditional GET of src.URL and the parse of its body;
// with follow, a page that advertises a feed is fetched a second time, at
// that feed.
func (f *Fetcher) fetchOnce(ctx context.Context, src talkstream.Source, follow bool) (*Result, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, f.opts.Timeout)
	defer cancel()

	fail := func(op, u string, status int, err error) (*Result, error) {
		// Errors end up in logs and the status page: no passwords.
		if pu, perr := url.Parse(u); perr == nil {
			u = pu.Redacted()
		}
		return nil, &Error{Op: op, URL: u, Status: status, Err: err}
	}
	u, err := url.Parse(src.URL)
	if err != nil {
		return fail(opFetch, src.URL, 0, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fail(opFetch, src.URL, 0, errors.New("not an http or https URL"))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(opFetch, src.URL, 0, err)
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept", "application/atom+xml, application/rss+xml, application/feed+json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
	if src.State.ETag != "" {
		req.Header.Set("If-None-Match", src.State.ETag)
	}
	if src.State.LastModified != "" {
		req.Header.Set("If-Modified-Since", src.State.LastModified)
	}

	// A shallow copy of the client per fetch lets CheckRedirect note this
	// request's permanent redirects without shared state.
	var movedTo string
	permanent := true
	client := *f.client
	policy := client.CheckRedirect
	if policy == nil {
		policy = checkRedirect
	}
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := policy(req, via); err != nil {
			return err
		}
		// Only an unbroken chain of permanent redirects from the configured
		// URL says the feed moved; a temporary hop ends it.
		if permanent && req.Response != nil &&
			(req.Response.StatusCode == http.StatusMovedPermanently || req.Response.StatusCode == http.StatusPermanentRedirect) {
			movedTo = req.URL.String()
		} else {
			permanent = false
		}
		return nil
	}

	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is already in our Error
		}
		return fail(opFetch, src.URL, 0, err)
	}
	defer resp.Body.Close()
	final := resp.Request.URL.String()

	res := &Result{
		Status:       resp.StatusCode,
		URL:          final,
		MovedTo:      movedTo,
		ETag:         validator(resp.Header.Get("ETag")),
		LastModified: validator(resp.Header.Get("Last-Modified")),
		Fresh:        freshness(resp.Header, time.Now()),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		drain(resp.Body)
		res.NotModified = true
		if res.ETag == "" {
			res.ETag = src.State.ETag
		}
		if res.LastModified == "" {
			res.LastModified = src.State.LastModified
		}
		res.keepParsed(src.State)
		res.Duration = time.Since(start)
		return res, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		drain(resp.Body)
		res, err := fail(opFetch, final, resp.StatusCode, &statusError{code: resp.StatusCode, text: statusText(resp.Status)})
		if c := resp.StatusCode; c == http.StatusTooManyRequests || c == http.StatusServiceUnavailable {
			// The one status whose answer says when to come back.
			err.(*Error).RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		return res, err
	}

	body, err := f.readBody(resp)
	res.Bytes = int64(len(body))
	res.Duration = time.Since(start)
	if err != nil {
		return fail(opRead, final, resp.StatusCode, err)
	}
	if res.sameBody(body, src.State) {
		return res, nil
	}

	feedURL, err := res.parse(body, resp.Header, final, contentLocation(resp), src)
	if err != nil {
		return fail(opParse, final, resp.StatusCode, err)
	}
	if feedURL != "" {
		return f.followFeed(ctx, src, res, feedURL, follow)
	}
	return res, nil
}

// parse fills in what a body says: entries, the feed's title, link and
// hints, and its WebSub links. Fetch and Parse share it, so that a pushed
// body reads exactly as a fetched one. For an HTML page that advertises a
// feed to read instead, it returns the feed's URL and fills in nothing.
func (res *Result) parse(body []byte, h http.Header, final, docURL string, src talkstream.Source) (follow string, err error) {
	p, err := parseDoc(body, h.Get("Content-Type"), final, docURL, src)
	if err != nil {
		return "", err
	}
	if p.follow != "" {
		return p.follow, nil
	}
	res.FeedTitle, res.FeedLink, res.Entries, res.TTL = p.title, p.link, p.entries, p.ttl
	res.Format = p.format
	res.Warning = strings.Join(p.warnings, "; ")
	links := websub.Discover(h, body, final)
	res.Hubs, res.Self = links.Hubs, links.Self
	return "", nil
}

// Parse reads a body that came another way than Fetch (a WebSub hub
// pushed it) as Fetch reads a 200 response from src: the same size cap,
// body hash (an unchanged body is Unchanged), parse and hints. The
// validators stay the stored ones: the next poll still asks with them.
func (f *Fetcher) Parse(src talkstream.Source, body []byte, contentType string) (*Result, error) {
	u := src.URL
	if src.State.MovedTo != "" {
		u = src.State.MovedTo
	}
	res := &Result{Status: http.StatusOK, URL: u, ETag: src.State.ETag, LastModified: src.State.LastModified, Bytes: int64(len(body))}
	if int64(len(body)) > f.opts.MaxBytes {
		return nil, &Error{Op: opRead, URL: u, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, f.opts.MaxBytes)}
	}
	if res.sameBody(body, src.State) {
		return res, nil
	}
	feedURL, err := res.parse(body, http.Header{"Content-Type": {contentType}}, u, "", src)
	if err == nil && feedURL != "" {
		err = fmt.Errorf("%w: a pushed body is an HTML page advertising %s", ErrNotFeed, feedURL)
	}
	if err != nil {
		return nil, &Error{Op: opParse, URL: u, Status: http.StatusOK, Err: err}
	}
	return res, nil
}

// keepParsed carries over what the last parse of the source found, for a
// body that is not parsed again (a 304, or the same bytes).
func (res *Result) keepParsed(st talkstream.FetchState) {
	res.FeedTitle, res.FeedLink, res.TTL, res.Warning = st.FeedTitle, st.FeedLink, st.TTL, st.Warning
	res.Format = st.Format
}

// sameBody hashes body and says whether it is the body the source's last
// parse read; then the result is Unchanged and keeps what that parse found.
func (res *Result) sameBody(body []byte, st talkstream.FetchState) bool {
	sum := sha256.Sum256(body)
	res.BodyHash = hex.EncodeToString(sum[:])
	if st.BodyHash == "" || st.BodyHash != res.BodyHash {
		return false
	}
	res.Unchanged = true
	res.keepParsed(st)
	return true
}

// followFeed fetches the feed a page advertised, with the same client and
// limits, and answers with what it holds. The page's own validators say
// nothing about the feed, so it is fetched unconditionally.
func (f *Fetcher) followFeed(ctx context.Context, src talkstream.Source, page *Result, feedURL string, follow bool) (*Result, error) {
	if !follow {
		// A followed feed that is itself a page pointing on: no chains.
		return nil, &Error{Op: opParse, URL: page.URL, Status: page.Status,
			Err: fmt.Errorf("%w: the followed feed is an HTML page that advertises another feed, at %s", ErrNotFeed, feedURL)}
	}
	fs := src
	fs.URL, fs.State = feedURL, talkstream.FetchState{}
	res, err := f.fetchOnce(ctx, fs, false)
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			fe.Err = fmt.Errorf("the page %s advertises this feed: %w", page.URL, fe.Err)
		}
		return nil, err
	}
	res.Followed, res.MovedTo = feedURL, page.MovedTo
	res.Bytes += page.Bytes
	return res, nil
}

// contentLocation is the absolute URL a response's Content-Location header
// names, resolved against the request's, or "".
func contentLocation(resp *http.Response) string {
	cl := strings.TrimSpace(resp.Header.Get("Content-Location"))
	if cl == "" {
		return ""
	}
	ref, err := url.Parse(cl)
	if err != nil {
		return ""
	}
	u := resp.Request.URL.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

// readBody reads at most MaxBytes of the decompressed body; more is
// ErrTooLarge rather than a truncated parse.
func (f *Fetcher) readBody(resp *http.Response) ([]byte, error) {
	max := f.opts.MaxBytes
	var r io.Reader = resp.Body
	switch strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))) {
	case "":
		// Content-Length only bounds an identity body; the transport clears
		// it (to -1) when it decompresses.
		if resp.ContentLength > max {
			return nil, fmt.Errorf("%w: Content-Length %d exceeds %d bytes", ErrTooLarge, resp.ContentLength, max)
		}
	case "gzip", "x-gzip":
		// The transport did not decompress (an injected client, or a server
		// that sent gzip unasked), so we do, and cap the output.
		zr, err := gzip.NewReader(resp.Body)
		if err != nil {
			return nil, fmt.Errorf("gzip body: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	body, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max)
	}
	return body, nil
}

// validator returns an ETag or Last-Modified worth storing: "" when too long.
func validator(v string) string {
	if len(v) > maxValidator {
		return ""
	}
	return v
}

// statusText is a status line's "404 Not Found" as an error repeats it:
// bounded, valid UTF-8, without control characters.
func statusText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) > maxStatusText {
		s = strings.ToValidUTF8(s[:maxStatusText], "") + "…"
	}
	return htmltext.DropControls(s)
}

// drain reads a little of an unwanted body so the connection can be reused.
func drain(r io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 4<<10))
}
