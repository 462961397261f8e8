package publish

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

// Speaker is a configured speaker; items name speakers by ID.
type Speaker struct{ ID, Name, URL string }

// Event is a configured event series. ID is a prefix such as "fosdem"; items
// name a particular event with its year, as in "fosdem-2014".
type Event struct{ ID, Name string }

// Options configures publishing. The zero values of Language, Limit, MaxAge
// and CacheSize mean their defaults.
type Options struct {
	Title       string // e.g. "MirageOS talks and news"
	Description string
	BaseURL     string // e.g. "https://talks.example.org/"; ids and self links use it; a missing final "/" is added
	Language    string // default "en"
	Limit       int    // items per feed and per page, newest first; default 50
	Speakers    []Speaker
	Events      []Event
	MaxAge      time.Duration // Cache-Control max-age; 0 means 5m, NoCache means max-age=0
	CacheSize   int64         // bytes of assembled outputs kept in memory; default 64 MiB
	// PeerTubeHosts are the instances (host[:port]) of the configured
	// peertube sources: their players may play videos in the page.
	PeerTubeHosts []string
	// Hub is the WebSub hub every feed advertises, with its own URL as
	// self (RSS atom:link, Atom link, JSON Feed hubs, HTTP Link); "" for
	// none.
	Hub string
}

// NoCache as Options.MaxAge makes every response say max-age=0, so that
// clients revalidate (and get a 304) each time.
const NoCache time.Duration = -1

const (
	defaultLanguage  = "en"
	defaultLimit     = 50
	defaultMaxAge    = 5 * time.Minute
	defaultCacheSize = 64 << 20

	// tagDate is the date part of every tag: URI this site mints. It must
	// never change: ids are how feed readers recognise items they have seen.
	tagDate = "2026"

	summaryRunes = 300 // plain-text summaries on the page and in JSON Feed

	// renderVersion is part of every fragment's fingerprint: change it when
	// a change to this package changes what an item renders to, so that
	// every fragment is rendered again once.
	renderVersion = "5"
)

// ErrBaseURL is returned when Options.BaseURL is not an absolute http or
// https URL.
var ErrBaseURL = errors.New("publish: base URL must be an absolute http(s) URL")

// normalized returns the options with defaults filled in, and the base URL's
// host.
func (opts Options) normalized() (Options, string, error) {
	u, err := url.Parse(strings.TrimSpace(opts.BaseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return opts, "", fmt.Errorf("%w: %q", ErrBaseURL, opts.BaseURL)
	}
	opts.BaseURL = u.String()
	if !strings.HasSuffix(opts.BaseURL, "/") {
		opts.BaseURL += "/"
	}
	if opts.Language == "" {
		opts.Language = defaultLanguage
	}
	if opts.Limit <= 0 {
		opts.Limit = defaultLimit
	}
	switch {
	case opts.MaxAge == 0:
		opts.MaxAge = defaultMaxAge
	case opts.MaxAge < 0:
		opts.MaxAge = 0
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = defaultCacheSize
	}
	opts.Title = cleanText(opts.Title)
	opts.Description = cleanText(opts.Description)
	if opts.Title == "" {
		opts.Title = u.Hostname()
	}
	return opts, strings.ToLower(u.Hostname()), nil
}

// fingerprints name what outputs are rendered from besides the items and
// their sources' names: fragments the options that may reach an item's
// rendering and this package's render version; outputs those and the
// options only a stream's header or pages read (page size, max age, the
// WebSub hub). Fragments rendered under another fragments fingerprint are
// rendered again, once; another outputs fingerprint only gives every
// stream a new version (and every output a new ETag).
func fingerprints(opts Options) (outputs, fragments string) {
	fragments = shortHash(struct {
		V                              string
		Title, Description, Base, Lang string
		Speakers                       []Speaker
		Events                         []Event
		PeerTube                       []string
	}{renderVersion, opts.Title, opts.Description, opts.BaseURL, opts.Language,
		opts.Speakers, opts.Events, peerTubeHosts(opts.PeerTubeHosts)})
	outputs = shortHash(struct {
		Fragments string
		Limit     int
		MaxAge    time.Duration
		Hub       string `json:",omitempty"`
	}{fragments, opts.Limit, opts.MaxAge, opts.Hub})
	return outputs, fragments
}

// shortHash is 16 hex digits of the SHA-256 of v's JSON.
func shortHash(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// sourceNames is what fragments show of the sources: each one's name
// (links say which source they came from; a curated file's say nothing),
// as JSON, by id. A source added or removed, or renamed, renders again
// only the items it has entries in (Sync), not every item.
func sourceNames(sources []talkstream.Source) string {
	names := make(map[string]string, len(sources))
	for i := range sources {
		s := &sources[i]
		name := ""
		if s.Kind != talkstream.SourceCurated {
			name = cleanText(s.DisplayTitle())
		}
		names[s.ID] = name
	}
	b, _ := json.Marshal(names) // keys sorted
	return string(b)
}

// renamedSources lists the sources whose name differs between two
// sourceNames (added and removed ones too). A value that does not decode
// (a store from before sources' names were kept) names no source: its
// fingerprint differs, so every item is rendered again anyway.
func renamedSources(was, now string) []string {
	var a, b map[string]string
	json.Unmarshal([]byte(was), &a)
	json.Unmarshal([]byte(now), &b)
	var out []string
	for id, name := range b {
		if old, ok := a[id]; !ok || old != name {
			out = append(out, id)
		}
	}
	for id := range a {
		if _, ok := b[id]; !ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// etagPrefix is what every stream's ETag starts with: 8 hex digits of the
// outputs fingerprint, mixed with the database's lineage when it has one,
// so that neither another configuration nor another database repeats a
// validator for other bytes.
func etagPrefix(fp, lineage string) string {
	if lineage == "" {
		return fp[:8]
	}
	return shortHash([]string{fp, lineage})[:8]
}

// newLineage is a database's lineage: 12 random hex digits.
func newLineage() string {
	var b [6]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}
