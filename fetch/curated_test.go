package fetch

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func curatedSource(path string) talkstream.Source {
	return talkstream.Source{ID: "talks", Kind: talkstream.SourceCurated, Path: path}
}

func TestCurated(t *testing.T) {
	path, err := filepath.Abs(filepath.Join("testdata", "curated.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f := New(Options{})
	res, err := f.Fetch(context.Background(), curatedSource(path))
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 0 || len(res.BodyHash) != 64 || res.Bytes == 0 || len(res.Entries) != 3 {
		t.Fatalf("result %+v", res)
	}
	e := res.Entries
	t.Run("full entry", func(t *testing.T) {
		got := e[0]
		if got.SourceID != "talks" || got.GUID != "qcon-sf-2013" || got.Title != "My Other Internet is a Mirage" ||
			!got.Published.Equal(time.Date(2013, 11, 11, 0, 0, 0, 0, time.UTC)) || got.Kind != talkstream.KindTalk ||
			strings.Join(got.Speakers, ",") != "anil" || got.Event != "QCon SF 2013" ||
			got.Summary != "The overall architecture of MirageOS 1.0." || strings.Join(got.Tags, ",") != "xen" {
			t.Errorf("entry %+v", got)
		}
		if len(got.Links) != 1 || got.Links[0] != (talkstream.Link{Role: talkstream.RoleSlides, URL: "http://decks.openmirage.org/qcon13/"}) {
			t.Errorf("links %+v", got.Links)
		}
		if got.Link != "http://decks.openmirage.org/qcon13/" || got.Video != nil {
			t.Errorf("link %q video %+v", got.Link, got.Video)
		}
	})
	t.Run("month date, vimeo video", func(t *testing.T) {
		got := e[1]
		if got.GUID != "" || !got.Published.Equal(time.Date(2012, 8, 1, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("guid %q published %v", got.GUID, got.Published)
		}
		if got.Video == nil || got.Video.Provider != "vimeo" || got.Video.ID != "57412215" || got.Link != "http://vimeo.com/57412215" {
			t.Errorf("video %+v link %q", got.Video, got.Link)
		}
	})
	t.Run("youtube video", func(t *testing.T) {
		got := e[2]
		if got.Title != "Rainbows and Unikernels" || got.Video == nil || got.Video.ID != "cUvNths_5RA" ||
			got.Thumbnail != "https://i.ytimg.com/vi/cUvNths_5RA/hqdefault.jpg" || got.Links[0].Title != "CityCode recording" {
			t.Errorf("entry %+v video %+v", got, got.Video)
		}
	})
	t.Run("unchanged", func(t *testing.T) {
		src := curatedSource(path)
		src.State.BodyHash = res.BodyHash
		again, err := f.Fetch(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		if !again.Unchanged || again.Entries != nil {
			t.Errorf("want Unchanged, got %+v", again)
		}
	})
}

func TestCuratedTalkTime(t *testing.T) {
	tests := []struct {
		name, start, duration, location string
		want                            time.Time
		allDay                          bool
		dur                             time.Duration
	}{
		{name: "none"},
		{name: "a date: all day", start: "2027-02-06", want: time.Date(2027, 2, 6, 0, 0, 0, 0, time.UTC), allDay: true},
		{name: "a date-time with its offset", start: "2027-02-06T10:30:00+01:00", duration: "40m", location: "  Room   K.1.105 ",
			want: time.Date(2027, 2, 6, 9, 30, 0, 0, time.UTC), dur: 40 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := "entries:\n  - title: T\n    date: 2026-11-01\n"
			if tt.start != "" {
				y += "    start: " + tt.start + "\n"
			}
			if tt.duration != "" {
				y += "    duration: " + tt.duration + "\n"
			}
			if tt.location != "" {
				y += "    location: \"" + tt.location + "\"\n"
			}
			es, err := parseCurated("talks.yaml", []byte(y), "talks")
			if err != nil {
				t.Fatal(err)
			}
			e := es[0]
			if !e.Start.Equal(tt.want) || e.AllDay != tt.allDay || e.Duration != tt.dur {
				t.Errorf("start %v all-day %v duration %v, want %v %v %v", e.Start, e.AllDay, e.Duration, tt.want, tt.allDay, tt.dur)
			}
			if want := strings.Join(strings.Fields(tt.location), " "); e.Location != want {
				t.Errorf("location %q, want %q", e.Location, want)
			}
		})
	}
}

func TestCuratedErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		file       string   // a fixture instead of yaml
		want       []string // substrings of the message; "FILE" is the path
	}{
		{
			name: "unknown key in an entry", file: "curated-unknown-key.yaml",
			want: []string{`FILE:9: entry 2 (strangeloop-2015): unknown key "speaker"`},
		},
		{
			name: "unknown top-level key",
			yaml: "entries: []\nsources: []\n",
			want: []string{`FILE:2: unknown key "sources"`},
		},
		{
			name: "unknown key in a link",
			yaml: "entries:\n  - title: T\n    date: 2015-01\n    links:\n      - {role: video, href: \"https://vimeo.com/1\"}\n",
			want: []string{`FILE:5: entry 1: unknown key "href"`},
		},
		{
			name: "two problems",
			yaml: "entries:\n  - title: T\n    date: 2015-01\n    foo: 1\n  - title: U\n    bar: 2\n",
			want: []string{`FILE:4: entry 1: unknown key "foo"`, `FILE:6: entry 2: unknown key "bar"`},
		},
		{
			name: "wrong type",
			yaml: "entries:\n  - id: a\n    title: T\n    date: 2015-01\n    speakers: anil\n",
			want: []string{`FILE:5: entry 1 (a): cannot unmarshal`},
		},
		{
			name: "syntax",
			yaml: "entries:\n  - title: T\n    date: 2015\n\tfoo: 1\n",
			want: []string{"FILE:3: found a tab character"},
		},
		{
			name: "duplicate key",
			yaml: "entries:\n  - title: T\n    date: 2015-01\n    title: U\n",
			want: []string{`FILE:4: entry 1: mapping key "title" already defined at line 2`},
		},
		{
			name: "bad date",
			yaml: "entries:\n  - id: a\n    title: T\n    date: 11/11/2013\n",
			want: []string{`FILE:4: entry 1 (a): bad date "11/11/2013": want YYYY-MM-DD, YYYY-MM or YYYY`},
		},
		{
			name: "missing date",
			yaml: "entries:\n  - id: a\n    title: T\n",
			want: []string{`FILE:2: entry 1 (a): missing date`},
		},
		{
			name: "missing title",
			yaml: "entries:\n  - title: ok\n    date: 2015-01\n  - id: b\n    date: 2015-01\n",
			want: []string{`FILE:4: entry 2 (b): missing title`},
		},
		{
			name: "bad kind",
			yaml: "entries:\n  - title: T\n    date: 2015-01\n    kind: keynote\n",
			want: []string{`FILE:4: entry 1: unknown kind "keynote"`},
		},
		{
			name: "bad role",
			yaml: "entries:\n  - title: T\n    date: 2015-01\n    links:\n      - {role: video, url: \"https://vimeo.com/1\"}\n      - {role: audio, url: \"https://example.org/a.mp3\"}\n",
			want: []string{`FILE:6: entry 1: link 2: unknown role "audio"`},
		},
		{
			name: "relative url",
			yaml: "entries:\n  - title: T\n    date: 2015-01\n    links:\n      - {role: slides, url: \"/decks/x\"}\n",
			want: []string{`FILE:5: entry 1: link 1: url "/decks/x" is not an absolute http(s) URL`},
		},
		{
			name: "duplicate id",
			yaml: "entries:\n  - {id: a, title: T, date: 2015-01}\n  - {id: a, title: U, date: 2015-02}\n",
			want: []string{`FILE:3: entry 2 (a): duplicate id (first at line 2)`},
		},
		{
			name: "bad start",
			yaml: "entries:\n  - id: a\n    title: T\n    date: 2015-01\n    start: 2027-02-06 10:30\n",
			want: []string{`FILE:5: entry 1 (a): bad start "2027-02-06 10:30"`},
		},
		{
			name: "duration without start",
			yaml: "entries:\n  - id: a\n    title: T\n    date: 2015-01\n    duration: 40m\n",
			want: []string{`FILE:5: entry 1 (a): duration needs a start`},
		},
		{
			name: "two documents",
			yaml: "entries: []\n---\nentries: []\n",
			want: []string{"more than one YAML document"},
		},
		{
			name: "not a mapping",
			yaml: "- title: T\n",
			want: []string{"FILE:1: cannot unmarshal"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "talks.yaml")
			if tt.file != "" {
				path = filepath.Join("testdata", tt.file)
			} else if err := os.WriteFile(path, []byte(tt.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := New(Options{}).Fetch(context.Background(), curatedSource(path))
			if err == nil {
				t.Fatal("want an error")
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.Op != "curated" || fe.URL != path {
				t.Errorf("want *Error for %s, got %#v", path, err)
			}
			for _, w := range tt.want {
				if w = strings.ReplaceAll(w, "FILE", path); !strings.Contains(err.Error(), w) {
					t.Errorf("message %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestCuratedFiles(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.yaml")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := New(Options{}).Fetch(context.Background(), curatedSource(empty))
	if err != nil || len(res.Entries) != 0 {
		t.Errorf("empty file: %+v %v", res, err)
	}

	_, err = New(Options{}).Fetch(context.Background(), curatedSource(filepath.Join(dir, "missing.yaml")))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}

	_, err = New(Options{MaxBytes: 10}).Fetch(context.Background(), curatedSource(filepath.Join("testdata", "curated.yaml")))
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("over cap: %v", err)
	}

	_, err = New(Options{}).Fetch(context.Background(), curatedSource(""))
	if err == nil {
		t.Error("no path: no error")
	}
}
