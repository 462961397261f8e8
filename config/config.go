// Package config loads and validates feeds.yaml, the one file an operator
// writes. Loading is strict: an unknown key, a bad regular expression, a
// duplicate source id or a missing URL is an error that names the file, the
// line and the source. Nothing outside cmd reads a Config: cmd turns it into
// the option structs of fetch, merge and publish.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/text/language"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch/page"
	"github.com/talkstream/talkstream/store"
)

// Defaults for keys left out of feeds.yaml.
const (
	DefaultRefresh  = time.Hour
	DefaultLimit    = 50
	DefaultDatabase = "talkstream.db"
	// DatabaseEnv names the environment variable that overrides
	// feeds.yaml's database:, e.g. a PostgreSQL URL with its password.
	DatabaseEnv     = "TALKSTREAM_DATABASE"
	DefaultLanguage = "en"

	// DefaultCacheMaxAge is the Cache-Control max-age of every served output.
	DefaultCacheMaxAge = 5 * time.Minute

	// DefaultCacheSize bounds the memory of assembled outputs that serve
	// keeps (cache_size:).
	DefaultCacheSize = 64 << 20

	// MinRetention is the shortest retention: shorter ones are typos
	// (730 meaning days, not hours). There is no default: a planet keeps
	// its history.
	MinRetention = 24 * time.Hour

	// Defaults of the fetch: block.
	DefaultConcurrency = 4
	DefaultPerHost     = 1
	DefaultTimeout     = 30 * time.Second
	DefaultMaxBytes    = 10 << 20
)

// Fetch is the fetch: block: how hard talkstream may pull on feed hosts.
type Fetch struct {
	Concurrency int           // sources fetched at once
	PerHost     int           // requests at once to one host
	Timeout     time.Duration // total per request, body included
	// Lease is how long a source claimed for fetching stays claimed: when
	// the process that claimed it dies, another instance fetches it after
	// that. At least twice Timeout; default the larger of 5 minutes and
	// that.
	Lease    time.Duration
	MaxBytes int64 // body cap
}

// Config is a loaded and validated feeds.yaml.
type Config struct {
	Path        string // absolute path of the file it came from
	Title       string
	Description string
	BaseURL     string // always ends in "/"
	Language    string
	Database    string // absolute path of a SQLite file, or a PostgreSQL URL
	Refresh     time.Duration
	Limit       int           // items per feed
	CacheMaxAge time.Duration // Cache-Control max-age of the served outputs; 0 means revalidate every time
	CacheSize   int64         // bytes of assembled outputs serve keeps in memory
	Retention   time.Duration // items whose every entry is older are deleted; 0 keeps everything
	Fetch       Fetch         // the fetch: block, defaults filled in
	WebSub      *WebSub       // the websub: block (websub.go); nil when absent
	Merge       Merge         // the merge: block, defaults filled in (merge.go)
	Hide        []string      // item ids left out of every output
	Split       []Split       // wrong merges to undo
	Speakers    []Speaker
	Events      []Event
	Rules       []Rule
	Sources     []talkstream.Source
}

// Speaker is a person whose name and aliases are recognised in entries.
type Speaker struct {
	ID      string
	Name    string
	Aliases []string
	URL     string
}

// Event is a recurring event recognised in entries by Match; items get the
// event id joined with the year, e.g. "fosdem-2014".
type Event struct {
	ID    string
	Name  string
	Match *regexp.Regexp
}

// Rule adds Tags (and optionally sets Kind) on entries whose title, summary
// or categories match.
type Rule struct {
	Match *regexp.Regexp
	Tags  []string
	Kind  talkstream.Kind
}

// Source returns the configured source with the given id.
func (c *Config) Source(id string) (talkstream.Source, bool) {
	for _, s := range c.Sources {
		if s.ID == id {
			return s, true
		}
	}
	return talkstream.Source{}, false
}

// The raw file shape. Tags are the contract of feeds.yaml.
type rawConfig struct {
	Title       string       `yaml:"title"`
	Description string       `yaml:"description"`
	BaseURL     string       `yaml:"base_url"`
	Language    string       `yaml:"language"`
	Database    string       `yaml:"database"`
	Refresh     string       `yaml:"refresh"`
	Limit       int          `yaml:"limit"`
	CacheMaxAge string       `yaml:"cache_max_age"`
	CacheSize   string       `yaml:"cache_size"`
	Retention   string       `yaml:"retention"`
	Fetch       *rawFetch    `yaml:"fetch"`
	WebSub      *rawWebSub   `yaml:"websub"`
	Merge       *rawMerge    `yaml:"merge"`
	Hide        []string     `yaml:"hide"`
	Split       []rawSplit   `yaml:"split"`
	Speakers    []rawSpeaker `yaml:"speakers"`
	Events      []rawEvent   `yaml:"events"`
	Rules       []rawRule    `yaml:"rules"`
	Sources     []rawSource  `yaml:"sources"`
}

type rawFetch struct {
	Concurrency *int   `yaml:"concurrency"`
	PerHost     *int   `yaml:"per_host"`
	Timeout     string `yaml:"timeout"`
	MaxBytes    string `yaml:"max_bytes"`
	Lease       string `yaml:"lease"`
}

type rawSpeaker struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
	URL     string   `yaml:"url"`
}

type rawEvent struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"`
	Match string `yaml:"match"`
}

type rawRule struct {
	Match string   `yaml:"match"`
	Tags  []string `yaml:"tags"`
	Kind  string   `yaml:"kind"`
}

type rawSource struct {
	ID        string     `yaml:"id"`
	Kind      string     `yaml:"kind"`
	URL       string     `yaml:"url"`
	ChannelID string     `yaml:"channel_id"`
	Shorts    bool       `yaml:"shorts"`
	User      string     `yaml:"user"`
	Path      string     `yaml:"path"`
	Title     string     `yaml:"title"`
	Site      string     `yaml:"site"`
	Speakers  []string   `yaml:"speakers"`
	Tags      []string   `yaml:"tags"`
	Include   string     `yaml:"include"`
	Exclude   string     `yaml:"exclude"`
	Refresh   string     `yaml:"refresh"`
	Select    *rawSelect `yaml:"select"`
}

// rawSelect is a source's select: CSS selectors for an HTML page without
// microformats or JSON-LD.
type rawSelect struct {
	Item     string `yaml:"item"`
	Title    string `yaml:"title"`
	Link     string `yaml:"link"`
	Date     string `yaml:"date"`
	Speakers string `yaml:"speakers"`
	Summary  string `yaml:"summary"`
}

// Error is one problem in a config file, located by file, line and source.
type Error struct {
	File   string
	Line   int    // 0 when the problem has no single line
	Source string // the source id, when the problem is inside a source
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Source != "" {
		fmt.Fprintf(&b, "source %q: ", e.Source)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file; Load returns it so that an
// operator fixes them all in one pass.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads, checks and validates the config file at path.
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	data, err := os.ReadFile(abs)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(path, abs, data)
}

// Parse checks and validates config bytes; name is used in messages and abs
// (the file's absolute path) resolves relative paths.
func Parse(name, abs string, data []byte) (*Config, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, Errors{{File: name, Line: yamlErrLine(err), Msg: yamlErrMsg(err)}}
	}
	if len(doc.Content) == 0 {
		return nil, Errors{{File: name, Msg: "empty file: expected at least base_url and sources"}}
	}
	root := doc.Content[0]
	v := &validator{file: name}
	checkKeys(v, root, rawConfig{}, "")
	var raw rawConfig
	if err := root.Decode(&raw); err != nil {
		v.typeErrors(err, root)
	}
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	cfg := v.build(&raw, root, filepath.Dir(abs))
	cfg.Path = abs
	if len(v.errs) > 0 {
		return nil, v.errs
	}
	return cfg, nil
}

type validator struct {
	file string
	errs Errors
}

func (v *validator) add(line int, source, format string, args ...any) {
	v.errs = append(v.errs, &Error{File: v.file, Line: line, Source: source, Msg: fmt.Sprintf(format, args...)})
}

var (
	idPattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	lineInYAML = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
)

// channelIDPattern is a YouTube channel id: UC and 22 base64url characters.
var channelIDPattern = regexp.MustCompile(`^UC[A-Za-z0-9_-]{22}$`)

func yamlErrLine(err error) int {
	var n int
	if m := lineInYAML.FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscan(m[1], &n)
	}
	return n
}

func yamlErrMsg(err error) string {
	if m := lineInYAML.FindStringSubmatch(err.Error()); m != nil {
		return m[2]
	}
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// typeErrors turns yaml's "line N: cannot unmarshal..." lines into Errors
// that also name the source the line is in.
func (v *validator) typeErrors(err error, root *yaml.Node) {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		v.add(0, "", "%s", yamlErrMsg(err))
		return
	}
	for _, msg := range te.Errors {
		line := yamlErrLine(errors.New(msg))
		v.add(line, sourceAtLine(root, line), "%s", yamlErrMsg(errors.New(msg)))
	}
}

// sourceAtLine names the source whose mapping contains line.
func sourceAtLine(root *yaml.Node, line int) string {
	seq := valueOf(root, "sources")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return ""
	}
	// The sources end where the next top-level key starts.
	if root.Kind == yaml.MappingNode {
		for i := 0; i+2 < len(root.Content); i += 2 {
			if root.Content[i+1] == seq && line >= root.Content[i+2].Line {
				return ""
			}
		}
	}
	id := ""
	for _, s := range seq.Content {
		if s.Line > line {
			break
		}
		id = scalar(s, "id")
	}
	return id
}

// checkKeys reports every mapping key that has no field in the shape of t,
// recursing through structs and slices, so that a typo is an error rather
// than a silently ignored setting.
func checkKeys(v *validator, n *yaml.Node, shape any, source string) {
	checkKeysType(v, n, reflectType(shape), source)
}

func (v *validator) build(raw *rawConfig, root *yaml.Node, dir string) *Config {
	cfg := &Config{
		Title:       strings.TrimSpace(raw.Title),
		Description: strings.TrimSpace(raw.Description),
		Language:    raw.Language,
		Limit:       raw.Limit,
		Refresh:     DefaultRefresh,
	}
	if cfg.Title == "" {
		cfg.Title = "talkstream"
	}
	if cfg.Language == "" {
		cfg.Language = DefaultLanguage
	} else if _, err := language.Parse(cfg.Language); err != nil {
		// It becomes <html lang>, RSS <language> and JSON Feed's language.
		v.add(lineOf(root, "language"), "", "language %q is not a BCP 47 language tag such as en or pt-BR", cfg.Language)
	}
	if cfg.Limit == 0 {
		cfg.Limit = DefaultLimit
	} else if cfg.Limit < 0 {
		v.add(lineOf(root, "limit"), "", "limit must be positive, got %d", cfg.Limit)
	}
	// base_url
	switch u, err := url.Parse(raw.BaseURL); {
	case raw.BaseURL == "":
		v.add(0, "", "base_url is required: the address the outputs are published at (ids and self links use it)")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.add(lineOf(root, "base_url"), "", "base_url %q must be an absolute http(s) URL", raw.BaseURL)
	default:
		cfg.BaseURL = strings.TrimSuffix(u.String(), "/") + "/"
	}
	// database: the environment wins, so that a password need not be
	// written in feeds.yaml.
	cfg.Database = raw.Database
	dbLine := lineOf(root, "database")
	if env := os.Getenv(DatabaseEnv); env != "" {
		cfg.Database, dbLine = env, 0
	}
	if cfg.Database == "" {
		cfg.Database = DefaultDatabase
	}
	switch scheme, _, isURL := strings.Cut(cfg.Database, "://"); {
	case isURL && (scheme == "postgres" || scheme == "postgresql"):
		if _, err := url.Parse(cfg.Database); err != nil {
			v.add(dbLine, "", "database: not a PostgreSQL URL such as postgres://user@host:5432/talkstream: %v", err)
		}
	case store.IsKeywordValue(cfg.Database):
		v.add(dbLine, "", "database: %q is a libpq keyword/value string; write PostgreSQL as a URL, such as postgres://user@/talkstream?host=/run/postgresql", store.RedactKeywordValue(cfg.Database))
	case isURL && !strings.ContainsAny(scheme, "/\\."):
		v.add(dbLine, "", "database: %q: talkstream stores in a SQLite file (a path) or in PostgreSQL (postgres://...), not %s", redacted(cfg.Database), scheme)
	case !filepath.IsAbs(cfg.Database):
		cfg.Database = filepath.Join(dir, cfg.Database)
	}
	cfg.CacheMaxAge = DefaultCacheMaxAge
	if raw.CacheMaxAge != "" {
		line := lineOf(root, "cache_max_age")
		switch d, err := ParseDuration(raw.CacheMaxAge); {
		case err != nil:
			v.add(line, "", "cache_max_age: %v", err)
		case d < 0 || d > 365*24*time.Hour:
			v.add(line, "", "cache_max_age %s must be between 0s and 365d", raw.CacheMaxAge)
		default:
			cfg.CacheMaxAge = d
		}
	}
	cfg.CacheSize = DefaultCacheSize
	if raw.CacheSize != "" {
		line := lineOf(root, "cache_size")
		switch n, err := ParseSize(raw.CacheSize); {
		case err != nil:
			v.add(line, "", "cache_size: %v", err)
		case n < 1<<20 || n > 64<<30:
			v.add(line, "", "cache_size %s must be between 1MiB and 64GiB", raw.CacheSize)
		default:
			cfg.CacheSize = n
		}
	}
	if raw.Retention != "" {
		line := lineOf(root, "retention")
		switch d, err := ParseDuration(raw.Retention); {
		case err != nil:
			v.add(line, "", "retention: %v", err)
		case d != 0 && d < MinRetention:
			v.add(line, "", "retention %s is shorter than %s: leave it out (or 0) to keep everything", raw.Retention, "1d")
		default:
			cfg.Retention = d
		}
	}
	if raw.Refresh != "" {
		if d, ok := v.duration(raw.Refresh, lineOf(root, "refresh"), ""); ok {
			cfg.Refresh = d
		}
	}
	cfg.Fetch = v.fetch(raw.Fetch, valueOf(root, "fetch"))
	cfg.WebSub = v.websub(raw.WebSub, valueOf(root, "websub"), cfg.BaseURL)

	speakers := map[string]bool{}
	for i, rs := range raw.Speakers {
		line := itemLine(root, "speakers", i)
		switch {
		case !idPattern.MatchString(rs.ID):
			v.add(line, "", "speaker id %q must match [a-z0-9-]+", rs.ID)
		case speakers[rs.ID]:
			v.add(line, "", "duplicate speaker id %q", rs.ID)
		case strings.TrimSpace(rs.Name) == "":
			v.add(line, "", "speaker %q needs a name", rs.ID)
		}
		speakers[rs.ID] = true
		cfg.Speakers = append(cfg.Speakers, Speaker{ID: rs.ID, Name: strings.TrimSpace(rs.Name), Aliases: rs.Aliases, URL: rs.URL})
	}

	events := map[string]bool{}
	for i, re := range raw.Events {
		line := itemLine(root, "events", i)
		if !idPattern.MatchString(re.ID) {
			v.add(line, "", "event id %q must match [a-z0-9-]+", re.ID)
		} else if events[re.ID] {
			v.add(line, "", "duplicate event id %q", re.ID)
		}
		events[re.ID] = true
		ev := Event{ID: re.ID, Name: re.Name}
		if ev.Name == "" {
			ev.Name = re.ID
		}
		pattern := re.Match
		if pattern == "" {
			// With no pattern, the event's own name is the pattern.
			pattern = `(?i)\b` + regexp.QuoteMeta(ev.Name) + `\b`
		}
		ev.Match = v.regexp(pattern, line, "", "event "+re.ID+" match")
		cfg.Events = append(cfg.Events, ev)
	}

	for i, rr := range raw.Rules {
		line := itemLine(root, "rules", i)
		r := Rule{Tags: rr.Tags, Kind: talkstream.Kind(rr.Kind)}
		if rr.Match == "" {
			v.add(line, "", "rule needs a match pattern")
		} else {
			r.Match = v.regexp(rr.Match, line, "", "rule match")
		}
		if len(rr.Tags) == 0 && rr.Kind == "" {
			v.add(line, "", "rule does nothing: give it tags or a kind")
		}
		if rr.Kind != "" && !validKind(r.Kind) {
			v.add(line, "", "rule kind %q is not one of %s", rr.Kind, kindList())
		}
		cfg.Rules = append(cfg.Rules, r)
	}

	if len(raw.Sources) == 0 {
		v.add(lineOf(root, "sources"), "", "no sources: add at least one under sources:")
	}
	ids := map[string]int{}
	for i, rs := range raw.Sources {
		line := itemLine(root, "sources", i)
		node := sourceNode(root, i)
		src := v.source(rs, node, line, dir, cfg.Refresh, speakers)
		if prev, dup := ids[rs.ID]; dup && rs.ID != "" {
			v.add(keyLine(node, "id", line), rs.ID, "duplicate source id (first at line %d)", prev)
		}
		ids[rs.ID] = line
		cfg.Sources = append(cfg.Sources, src)
	}
	cfg.Merge, cfg.Hide, cfg.Split = v.moderation(raw, root, cfg.Sources)
	return cfg
}

func (v *validator) source(rs rawSource, node *yaml.Node, item int, dir string, refresh time.Duration, speakers map[string]bool) talkstream.Source {
	id := rs.ID
	// A problem with one key is reported at that key's line; one with the
	// source as a whole at the line the source starts.
	line := item
	at := func(key string) int { return keyLine(node, key, item) }
	src := talkstream.Source{
		ID:       id,
		Kind:     talkstream.SourceKind(rs.Kind),
		Title:    strings.TrimSpace(rs.Title),
		Site:     rs.Site,
		Speakers: rs.Speakers,
		Tags:     rs.Tags,
		Refresh:  refresh,
	}
	if id == "" {
		v.add(line, "", "source needs an id")
	} else if !idPattern.MatchString(id) {
		v.add(at("id"), id, "id must match [a-z0-9-]+ (lower-case letters, digits, dashes)")
	}
	if rs.Refresh != "" {
		if d, ok := v.duration(rs.Refresh, at("refresh"), id); ok {
			src.Refresh = d
		}
	}
	for _, sp := range rs.Speakers {
		if !speakers[sp] {
			v.add(at("speakers"), id, "speaker %q is not defined under speakers:", sp)
		}
	}
	if rs.Include != "" {
		src.Include = v.regexp(rs.Include, at("include"), id, "include")
	}
	if rs.Exclude != "" {
		src.Exclude = v.regexp(rs.Exclude, at("exclude"), id, "exclude")
	}
	onlyFor := func(key, val string, kind talkstream.SourceKind) {
		if val != "" && src.Kind != kind {
			v.add(at(key), id, "%s is only for kind %s sources", key, kind)
		}
	}
	onlyFor("channel_id", rs.ChannelID, talkstream.SourceYouTube)
	onlyFor("user", rs.User, talkstream.SourceVimeo)
	onlyFor("path", rs.Path, talkstream.SourceCurated)
	if rs.Shorts {
		switch {
		case src.Kind != talkstream.SourceYouTube:
			v.add(at("shorts"), id, "shorts is only for kind youtube sources")
		case rs.URL != "" || rs.ChannelID == "":
			v.add(at("shorts"), id, "shorts only applies with channel_id (a url is fetched as is)")
		}
	}

	if rs.Select != nil {
		sel := talkstream.Select(*rs.Select)
		switch err := page.CompileSelect(&sel); {
		case src.Kind == talkstream.SourceCurated || src.Kind == talkstream.SourceYouTube || src.Kind == talkstream.SourceVimeo || src.Kind == talkstream.SourcePeerTube:
			v.add(at("select"), id, "select reads HTML pages: not for kind %s sources", src.Kind)
		case err != nil:
			v.add(at("select"), id, "%v", err)
		default:
			src.Select = &sel
		}
	}

	switch src.Kind {
	case talkstream.SourceBlog, talkstream.SourcePerson, talkstream.SourceEvents, talkstream.SourcePeerTube:
		if rs.URL == "" {
			v.add(line, id, "kind %s needs a url", src.Kind)
		}
		src.URL = v.feedURL(rs.URL, at("url"), id)
	case talkstream.SourceYouTube:
		switch {
		case rs.URL != "":
			src.URL = v.feedURL(rs.URL, at("url"), id)
		case rs.ChannelID != "":
			if !channelIDPattern.MatchString(rs.ChannelID) {
				v.add(at("channel_id"), id, "channel_id %q is not a YouTube channel id (UC and 22 letters, digits, - or _)", rs.ChannelID)
				break
			}
			// The channel's uploads without Shorts are the UULF playlist
			// (the UC prefix swapped); the channel feed has everything.
			src.URL = "https://www.youtube.com/feeds/videos.xml?playlist_id=UULF" + rs.ChannelID[2:]
			if rs.Shorts {
				src.URL = "https://www.youtube.com/feeds/videos.xml?channel_id=" + rs.ChannelID
			}
			if src.Site == "" {
				src.Site = "https://www.youtube.com/channel/" + url.PathEscape(rs.ChannelID)
			}
		default:
			v.add(line, id, "kind youtube needs channel_id (or url)")
		}
	case talkstream.SourceVimeo:
		switch {
		case rs.URL != "":
			src.URL = v.feedURL(rs.URL, at("url"), id)
		case rs.User != "":
			src.URL = "https://vimeo.com/" + url.PathEscape(rs.User) + "/videos/rss"
			if src.Site == "" {
				src.Site = "https://vimeo.com/" + url.PathEscape(rs.User)
			}
		default:
			v.add(line, id, "kind vimeo needs user (or url)")
		}
	case talkstream.SourceCurated:
		if rs.URL != "" {
			v.add(at("url"), id, "kind curated reads a local file: use path, not url")
		}
		if rs.Path == "" {
			v.add(line, id, "kind curated needs a path to a YAML file of entries")
			break
		}
		p := rs.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if _, err := os.Stat(p); err != nil {
			v.add(at("path"), id, "path: %v", err)
		}
		src.Path = p
	case "":
		v.add(line, id, "source needs a kind (one of %s)", sourceKindList())
	default:
		v.add(at("kind"), id, "unknown kind %q (one of %s)", rs.Kind, sourceKindList())
	}
	return src
}

func (v *validator) feedURL(raw string, line int, id string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add(line, id, "url %q must be an absolute http(s) URL", raw)
		return ""
	}
	return u.String()
}

func (v *validator) regexp(pattern string, line int, id, what string) *regexp.Regexp {
	re, err := regexp.Compile(pattern)
	if err != nil {
		v.add(line, id, "%s: bad regular expression: %v", what, err)
		return nil
	}
	return re
}

// duration accepts Go durations ("90m", "1h30m") and whole days ("2d").
func (v *validator) duration(s string, line int, id string) (time.Duration, bool) {
	d, err := ParseDuration(s)
	if err != nil {
		v.add(line, id, "refresh: %v", err)
		return 0, false
	}
	if d < time.Minute {
		v.add(line, id, "refresh %s is under a minute: be kind to feed hosts", s)
		return 0, false
	}
	return d, true
}

// ParseDuration parses a Go duration or a number of days such as "2d".
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err == nil && fmt.Sprint(days) == n && days > 0 {
			return time.Duration(days) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (such as 30m, 1h, 2d)", s)
	}
	return d, nil
}

func validKind(k talkstream.Kind) bool {
	for _, x := range talkstream.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func kindList() string {
	s := make([]string, len(talkstream.Kinds))
	for i, k := range talkstream.Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

func sourceKindList() string {
	s := make([]string, len(talkstream.SourceKinds))
	for i, k := range talkstream.SourceKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// redacted is a database URL fit for a message: without its password.
func redacted(database string) string {
	if u, err := url.Parse(database); err == nil {
		return u.Redacted()
	}
	return "(an unparsable URL)"
}
