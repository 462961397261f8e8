package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func mustAbs(t testing.TB, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func TestLoadValid(t *testing.T) {
	cfg, err := Load("testdata/valid.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	dir := mustAbs(t, "testdata")

	top := []struct {
		name      string
		got, want any
	}{
		{"Path", cfg.Path, filepath.Join(dir, "valid.yaml")},
		{"Title (trimmed)", cfg.Title, "Test talks"},
		{"Description", cfg.Description, "A stream for tests"},
		{"BaseURL (gains a slash)", cfg.BaseURL, "https://talks.example.org/stream/"},
		{"Language", cfg.Language, "en-GB"},
		{"Database (relative to the file)", cfg.Database, filepath.Join(dir, "data", "test.db")},
		{"Refresh", cfg.Refresh, 2 * time.Hour},
		{"Limit", cfg.Limit, 20},
		{"speakers", len(cfg.Speakers), 2},
		{"events", len(cfg.Events), 2},
		{"rules", len(cfg.Rules), 2},
		{"sources", len(cfg.Sources), 7},
	}
	for _, tt := range top {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}

	t.Run("speakers", func(t *testing.T) {
		want := Speaker{ID: "anil", Name: "Anil Madhavapeddy", Aliases: []string{"avsm"}, URL: "https://anil.recoil.org/"}
		if !reflect.DeepEqual(cfg.Speakers[0], want) {
			t.Errorf("speaker 0 = %#v, want %#v", cfg.Speakers[0], want)
		}
	})
	t.Run("events", func(t *testing.T) {
		if got := cfg.Events[0].Match.String(); got != `(?i)\bfosdem\b` {
			t.Errorf("fosdem match = %q", got)
		}
		// An event without match is recognised by its name.
		qcon := cfg.Events[1]
		if qcon.Name != "QCon" || qcon.Match == nil || !qcon.Match.MatchString("at qcon London") || qcon.Match.MatchString("qconference") {
			t.Errorf("qcon event = %+v", qcon)
		}
	})
	t.Run("rules", func(t *testing.T) {
		if r := cfg.Rules[0]; !reflect.DeepEqual(r.Tags, []string{"unikernels"}) || !r.Match.MatchString("Unikernels") {
			t.Errorf("rule 0 = %+v", r)
		}
		if r := cfg.Rules[1]; r.Kind != talkstream.KindSlides {
			t.Errorf("rule 1 kind = %q, want slides", r.Kind)
		}
	})

	sources := []struct {
		id       string
		kind     talkstream.SourceKind
		url      string
		path     string
		site     string
		refresh  time.Duration
		speakers []string
	}{
		{"blog", talkstream.SourceBlog, "https://mirageos.org/feed.xml", "", "https://mirageos.org/", 30 * time.Minute, nil},
		{"anil", talkstream.SourcePerson, "https://anil.recoil.org/news.xml", "", "", 2 * time.Hour, []string{"anil"}},
		{"channel", talkstream.SourceYouTube, "https://www.youtube.com/feeds/videos.xml?playlist_id=UULF3TI-fmhJ_g3_n9fHaXGZKA", "",
			"https://www.youtube.com/channel/UC3TI-fmhJ_g3_n9fHaXGZKA", 24 * time.Hour, nil},
		{"playlist", talkstream.SourceYouTube, "https://www.youtube.com/feeds/videos.xml?playlist_id=PLgjWYrrJw8_wlrkveCXULbg6oIYDvNuDU", "", "", 2 * time.Hour, nil},
		{"avsm-vimeo", talkstream.SourceVimeo, "https://vimeo.com/avsm/videos/rss", "", "https://vimeo.com/avsm", 2 * time.Hour, []string{"anil", "mort"}},
		{"conf", talkstream.SourceEvents, "http://conf.example.org/talks.rss", "", "", 2 * time.Hour, nil},
		{"talks", talkstream.SourceCurated, "", filepath.Join(dir, "curated", "talks.yaml"), "", 2 * time.Hour, nil},
	}
	for i, want := range sources {
		t.Run("source/"+want.id, func(t *testing.T) {
			got, ok := cfg.Source(want.id)
			if !ok {
				t.Fatalf("Source(%q) not found", want.id)
			}
			if cfg.Sources[i].ID != want.id {
				t.Errorf("sources out of order: %d is %q", i, cfg.Sources[i].ID)
			}
			if got.Kind != want.kind || got.URL != want.url || got.Path != want.path || got.Site != want.site || got.Refresh != want.refresh {
				t.Errorf("got kind=%q url=%q path=%q site=%q refresh=%v\nwant kind=%q url=%q path=%q site=%q refresh=%v",
					got.Kind, got.URL, got.Path, got.Site, got.Refresh, want.kind, want.url, want.path, want.site, want.refresh)
			}
			if len(got.Speakers) != 0 || len(want.speakers) != 0 {
				if !reflect.DeepEqual(got.Speakers, want.speakers) {
					t.Errorf("speakers = %v, want %v", got.Speakers, want.speakers)
				}
			}
		})
	}

	t.Run("source/blog title and tags", func(t *testing.T) {
		s, _ := cfg.Source("blog")
		if s.Title != "The blog" || !reflect.DeepEqual(s.Tags, []string{"mirageos"}) {
			t.Errorf("title %q tags %v", s.Title, s.Tags)
		}
	})
	t.Run("source/anil filters", func(t *testing.T) {
		s, _ := cfg.Source("anil")
		if s.Include == nil || !s.Include.MatchString("MirageOS 4") || s.Include.MatchString("Cooking") {
			t.Errorf("include = %v", s.Include)
		}
		if s.Exclude == nil || !s.Exclude.MatchString("Cooking with unikernels") {
			t.Errorf("exclude = %v", s.Exclude)
		}
	})
	t.Run("unknown source", func(t *testing.T) {
		if _, ok := cfg.Source("nope"); ok {
			t.Error("Source(nope) found")
		}
	})
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load("testdata/minimal.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	dir := mustAbs(t, "testdata")
	tests := []struct {
		name      string
		got, want any
	}{
		{"Refresh", cfg.Refresh, DefaultRefresh},
		{"Refresh is 1h", cfg.Refresh, time.Hour},
		{"Limit", cfg.Limit, DefaultLimit},
		{"Limit is 50", cfg.Limit, 50},
		{"Language", cfg.Language, DefaultLanguage},
		{"Title", cfg.Title, "talkstream"},
		{"Database", cfg.Database, filepath.Join(dir, DefaultDatabase)},
		{"BaseURL", cfg.BaseURL, "https://example.org/"},
		{"source refresh", cfg.Sources[0].Refresh, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

// TestParseResolvesAgainstFile checks that relative paths follow the file
// given to Parse, not the working directory.
func TestParseResolvesAgainstFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "talks.yaml"), []byte("entries: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(dir, "feeds.yaml")
	data := []byte("base_url: https://example.org/\ndatabase: state/ts.db\nsources:\n  - {id: talks, kind: curated, path: sub/talks.yaml}\n")
	cfg, err := Parse("feeds.yaml", abs, data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if want := filepath.Join(dir, "state", "ts.db"); cfg.Database != want {
		t.Errorf("Database = %q, want %q", cfg.Database, want)
	}
	if want := filepath.Join(dir, "sub", "talks.yaml"); cfg.Sources[0].Path != want {
		t.Errorf("Path = %q, want %q", cfg.Sources[0].Path, want)
	}

	absDB := filepath.Join(dir, "elsewhere.db")
	data = []byte("base_url: https://example.org/\ndatabase: " + absDB + "\nsources:\n  - {id: b, kind: blog, url: \"https://example.org/f\"}\n")
	cfg, err = Parse("feeds.yaml", abs, data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if cfg.Database != absDB {
		t.Errorf("absolute Database = %q, want %q", cfg.Database, absDB)
	}
}

func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		file   string
		line   int    // 0: no line in the message
		source string // "" when the problem is not in a source
		want   string // part of the message
	}{
		{"unknown-top-key.yaml", 2, "", `unknown key "titel"`},
		{"unknown-source-key.yaml", 8, "anil", `unknown key "urll"`},
		{"duplicate-id.yaml", 9, "blog", "duplicate source id (first at line 3)"},
		{"bad-id.yaml", 3, "My_Blog", "id must match [a-z0-9-]+"},
		{"unknown-kind.yaml", 7, "pod", `unknown kind "podcast"`},
		{"blog-no-url.yaml", 3, "blog", "kind blog needs a url"},
		{"bad-url.yaml", 5, "blog", `url "ftp://example.org/feed.xml" must be an absolute http(s) URL`},
		{"youtube-no-channel.yaml", 7, "tube", "kind youtube needs channel_id (or url)"},
		{"channel-on-blog.yaml", 6, "blog", "channel_id is only for kind youtube sources"},
		{"curated-no-path.yaml", 3, "talks", "kind curated needs a path"},
		{"curated-missing-file.yaml", 5, "talks", "no-such-talks.yaml"},
		{"bad-include.yaml", 6, "anil", "include: bad regular expression"},
		{"bad-rule.yaml", 4, "", "rule match: bad regular expression"},
		{"undefined-speaker.yaml", 8, "anil", `speaker "bob" is not defined`},
		{"bad-refresh.yaml", 7, "blog", `refresh: "every hour" is not a duration`},
		{"bad-top-refresh.yaml", 2, "", "refresh 10s is under a minute"},
		{"sources-string.yaml", 3, "", "cannot unmarshal !!str"},
		{"source-field-type.yaml", 9, "anil", "cannot unmarshal !!map into []string"},
		{"syntax.yaml", 5, "", "found unexpected end of stream"},
		{"syntax-indent.yaml", 4, "", "mapping values are not allowed"},
		{"empty.yaml", 0, "", "empty file"},
		{"comments-only.yaml", 0, "", "empty file"},
		{"no-base-url.yaml", 0, "", "base_url is required"},
		{"bad-base-url.yaml", 2, "", `base_url "/talks/" must be an absolute http(s) URL`},
		{"no-sources.yaml", 2, "", "no sources"},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.file, ".yaml"), func(t *testing.T) {
			path := filepath.Join("testdata", "invalid", tt.file)
			cfg, err := Load(path)
			if err == nil {
				t.Fatalf("Load(%s) = %+v, want an error", path, cfg)
			}
			if cfg != nil {
				t.Errorf("Load returned a config with the error")
			}
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %T %q is not a non-empty Errors", err, err)
			}
			e := es[0]
			if e.File != path {
				t.Errorf("File = %q, want %q", e.File, path)
			}
			if e.Line != tt.line {
				t.Errorf("Line = %d, want %d (%s)", e.Line, tt.line, e)
			}
			if e.Source != tt.source {
				t.Errorf("Source = %q, want %q (%s)", e.Source, tt.source, e)
			}
			msg := err.Error()
			prefix := path + ": "
			if tt.line > 0 {
				prefix = path + ":" + strconv.Itoa(tt.line) + ": "
			}
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("message %q does not start with %q", msg, prefix)
			}
			if tt.source != "" && !strings.Contains(msg, `source "`+tt.source+`"`) {
				t.Errorf("message %q does not name source %q", msg, tt.source)
			}
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message %q does not contain %q", msg, tt.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load(missing) = %v, want an error wrapping os.ErrNotExist", err)
	}
}

func TestErrorsListsEveryProblem(t *testing.T) {
	_, err := Load("testdata/multiple.yaml")
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error %T %v is not Errors", err, err)
	}
	want := []struct {
		line   int
		source string
		msg    string
	}{
		{3, "blog", "kind blog needs a url"},
		{8, "anil", `speaker "nobody" is not defined`},
		{9, "anil", "include: bad regular expression"},
	}
	if len(es) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(es), len(want), err)
	}
	for i, w := range want {
		t.Run(w.msg, func(t *testing.T) {
			e := es[i]
			if e.Line != w.line || e.Source != w.source || !strings.Contains(e.Msg, w.msg) {
				t.Errorf("error %d = %s, want line %d source %q containing %q", i, e, w.line, w.source, w.msg)
			}
		})
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != len(want) {
		t.Errorf("Error() has %d lines, want one per problem:\n%s", len(lines), err)
	}
}

// TestErrorAfterSources: a problem below the sources names no source; one
// inside them names its own.
func TestErrorAfterSources(t *testing.T) {
	head := "title: t\nbase_url: https://example.org/\nsources:\n  - {id: a, kind: blog, url: \"https://example.org/f\"}\n"
	for _, tt := range []struct {
		name, tail string
		line       int
		source     string
	}{
		{"a top-level key twice", "retention: 30d\nretention: 40d\n", 6, ""},
		{"a source's key twice", "  - id: b\n    kind: blog\n    url: https://example.org/b\n    url: https://example.org/c\n", 8, "b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("c.yaml", "/c.yaml", []byte(head+tt.tail))
			var es Errors
			if !errors.As(err, &es) || len(es) != 1 || es[0].Line != tt.line || es[0].Source != tt.source {
				t.Errorf("err = %v, want one problem at line %d in source %q", err, tt.line, tt.source)
			}
		})
	}
}

// TestLanguage: the language is a BCP 47 tag, as the outputs declare it.
func TestLanguage(t *testing.T) {
	for lang, ok := range map[string]bool{"pt-BR": true, "de": true, "not a lang!": false, "english": false} {
		_, err := Parse("c.yaml", "/c.yaml", []byte("title: t\nbase_url: https://example.org/\nlanguage: "+lang+
			"\nsources:\n  - {id: a, kind: blog, url: \"https://example.org/f\"}\n"))
		if (err == nil) != ok || (err != nil && !strings.Contains(err.Error(), "c.yaml:3: language")) {
			t.Errorf("language %q: %v", lang, err)
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"30m", 30 * time.Minute, false},
		{"1h30m", 90 * time.Minute, false},
		{"2d", 48 * time.Hour, false},
		{" 1d ", 24 * time.Hour, false},
		{"0d", 0, true},
		{"-1d", 0, true},
		{"1.5d", 0, true},
		{"d", 0, true},
		{"every hour", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

// FuzzParse checks that no input makes Parse panic, and that it returns
// either a config or Errors, never both or neither.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	invalid, _ := filepath.Glob("testdata/invalid/*.yaml")
	for _, p := range append(seeds, invalid...) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("base_url: https://e.org/\nsources:\n  - &s {id: a, kind: blog, url: 'https://e.org/f'}\n  - *s\n"))
	abs := mustAbs(f, "testdata/fuzz.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", abs, data)
		if (cfg == nil) == (err == nil) {
			t.Fatalf("Parse returned config %v and error %v", cfg != nil, err)
		}
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %T is not a non-empty Errors: %v", err, err)
			}
			for _, e := range es {
				if e.File != "fuzz.yaml" {
					t.Fatalf("error names file %q", e.File)
				}
			}
			return
		}
		if cfg.BaseURL == "" || !strings.HasSuffix(cfg.BaseURL, "/") || len(cfg.Sources) == 0 {
			t.Fatalf("valid config without base_url or sources: %+v", cfg)
		}
	})
}

func TestDatabaseSetting(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(dir, "feeds.yaml")
	parse := func(database string) (*Config, error) {
		data := "base_url: https://example.org/\n"
		if database != "" {
			data += "database: " + database + "\n"
		}
		data += "sources:\n  - {id: b, kind: blog, url: \"https://example.org/f\"}\n"
		return Parse("feeds.yaml", abs, []byte(data))
	}
	tests := []struct {
		name, file, env, want, wantErr string
	}{
		{name: "default file", want: filepath.Join(dir, DefaultDatabase)},
		{name: "postgres URL kept whole", file: "postgres://ts@db.example:5432/talkstream?sslmode=disable",
			want: "postgres://ts@db.example:5432/talkstream?sslmode=disable"},
		{name: "postgresql scheme", file: "postgresql:///talkstream?host=/run/postgresql", want: "postgresql:///talkstream?host=/run/postgresql"},
		{name: "environment wins", file: "local.db", env: "postgres://ts:secret@db/talkstream", want: "postgres://ts:secret@db/talkstream"},
		{name: "environment file path", env: "other.db", want: filepath.Join(dir, "other.db")},
		{name: "other engine refused", file: "mysql://ts@db/talkstream", wantErr: "not mysql"},
		{name: "password never printed", env: "mysql://ts:secret@db/x", wantErr: "xxxxx"},
		// libpq's keyword/value form names no file: taken for a path, it
		// was a SQLite file named after the connection, password included.
		{name: "keyword/value refused", env: "host=/run/postgresql dbname=talkstream user=ts password=secret", wantErr: "write PostgreSQL as a URL"},
		{name: "keyword/value in the file", file: "'dbname=talkstream sslmode=disable'", wantErr: "keyword/value"},
		{name: "a file with = in its name", file: "data/run=1.db", want: filepath.Join(dir, "data/run=1.db")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(DatabaseEnv, tt.env)
			cfg, err := parse(tt.file)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "secret") {
					t.Fatalf("err = %v, want one containing %q and no password", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Database != tt.want {
				t.Errorf("Database = %q, want %q", cfg.Database, tt.want)
			}
		})
	}
}
