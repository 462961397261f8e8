package ingest

import (
	"context"
	"encoding/json"
	"html/template"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

// SourceStatus is one source's fetch state as /status.json shows it.
// Times are RFC 3339 in UTC, null when there is none.
type SourceStatus struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"`
	Title      string     `json:"title"`
	URL        string     `json:"url"`       // configured URL (curated: the file)
	FetchURL   string     `json:"fetch_url"` // what is fetched: moved_to, else url
	State      string     `json:"state"`     // never, ok, warning, error, gone
	Format     string     `json:"format"`    // what the last body was read as (fetch.Format*); "" before one was read
	Followed   string     `json:"followed"`  // the feed the configured page advertises, read in its place
	LastFetch  *time.Time `json:"last_fetch"`
	FetchedBy  string     `json:"fetched_by,omitempty"` // the instance that fetched it last
	HTTPStatus int        `json:"http_status"`
	DurationMS int64      `json:"duration_ms"`
	Bytes      int64      `json:"bytes"`
	Entries    int        `json:"entries"`
	NextCheck  *time.Time `json:"next_check"` // null when gone
	Errors     int        `json:"consecutive_errors"`
	LastError  string     `json:"last_error"`
	Warning    string     `json:"warning"`  // state warning: what the last parse lost or repaired
	MovedTo    string     `json:"moved_to"` // after a 301/308: put this URL in the config
	Gone       bool       `json:"gone"`     // after a 410: fix or remove the source
	// Push is the source's WebSub state: none, pending, "active until
	// T", "denied: reason".
	Push string `json:"push"`
}

// Status is the fetch state of every configured source.
type Status struct {
	Generated time.Time      `json:"generated"`
	Instance  string         `json:"instance"` // the instance that answered
	Sources   []SourceStatus `json:"sources"`
}

// Status returns a snapshot of every configured source's fetch state.
func (in *Ingester) Status(ctx context.Context) (*Status, error) {
	srcs, err := in.Sources(ctx)
	if err != nil {
		return nil, err
	}
	push := map[string]string{}
	if in.opts.PushStates != nil {
		if push, err = in.opts.PushStates(ctx); err != nil {
			return nil, err
		}
	}
	st := &Status{Generated: in.opts.Now().UTC().Truncate(time.Second), Instance: in.opts.Instance, Sources: make([]SourceStatus, len(srcs))}
	for i, s := range srcs {
		st.Sources[i] = statusOf(s, in.opts.ConfigDir)
		st.Sources[i].Push = push[s.ID]
		if st.Sources[i].Push == "" {
			st.Sources[i].Push = "none"
		}
	}
	return st, nil
}

func statusOf(s talkstream.Source, configDir string) SourceStatus {
	fs := s.State
	ss := SourceStatus{
		ID: s.ID, Kind: string(s.Kind), Title: s.DisplayTitle(), URL: s.URL, FetchURL: fetchURL(s),
		HTTPStatus: fs.LastStatus, DurationMS: fs.Duration.Milliseconds(), Bytes: fs.Bytes, Entries: fs.Entries,
		Errors: fs.Errors, LastError: fs.LastError, MovedTo: fs.MovedTo, Gone: fs.Gone,
		Format: fs.Format, Followed: fs.Followed,
	}
	if s.Kind == talkstream.SourceCurated {
		p := displayPath(s.Path, configDir)
		ss.URL, ss.FetchURL = p, p
		// A curated file's errors name the file too.
		if s.Path != "" && p != s.Path {
			ss.LastError = strings.ReplaceAll(ss.LastError, s.Path, p)
		}
	}
	ptr := func(t time.Time) *time.Time {
		if t.IsZero() {
			return nil
		}
		t = t.UTC().Truncate(time.Second)
		return &t
	}
	ss.LastFetch = ptr(fs.LastFetch)
	ss.FetchedBy = fs.FetchedBy
	ss.NextCheck = ptr(fs.NextCheck)
	switch {
	case fs.Gone:
		ss.State, ss.NextCheck = "gone", nil
	case fs.LastFetch.IsZero():
		ss.State = "never"
	case fs.LastError != "":
		ss.State = "error"
	case fs.Warning != "":
		ss.State, ss.Warning = "warning", fs.Warning
	default:
		ss.State = "ok"
	}
	return ss
}

// displayPath is a curated file's path as the status shows it: relative to
// the config's folder, since /status is public and an absolute path tells
// strangers how the server's disk is laid out. A file outside that folder
// is shown by its name alone.
func displayPath(path, configDir string) string {
	if path == "" {
		return ""
	}
	if configDir != "" {
		if rel, err := filepath.Rel(configDir, path); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel)
		}
	}
	if filepath.IsAbs(path) {
		return filepath.Base(path)
	}
	return filepath.ToSlash(path)
}

// StatusJSON serves the snapshot as JSON (/status.json).
func (in *Ingester) StatusJSON() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, ok := in.statusOrUnavailable(w, r)
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(st)
	})
}

// statusOrUnavailable reads the status, or answers 503 when the store
// cannot be read. The error goes to the log only: it names the database's
// host, user and name, which a public page must not show.
func (in *Ingester) statusOrUnavailable(w http.ResponseWriter, r *http.Request) (*Status, bool) {
	st, err := in.Status(r.Context())
	if err != nil {
		in.opts.Log.Error("status", "err", err)
		http.Error(w, "status: the store is unavailable", http.StatusServiceUnavailable)
		return st, false
	}
	return st, true
}

// StatusHTML serves the snapshot as a small self-contained page (/status).
func (in *Ingester) StatusHTML() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, ok := in.statusOrUnavailable(w, r)
		if !ok {
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		statusPage.Execute(w, st)
	})
}

var statusPage = template.Must(template.New("status").Funcs(template.FuncMap{
	"when": func(t *time.Time) string {
		if t == nil {
			return "—"
		}
		return t.Format("2006-01-02 15:04:05Z")
	},
	"ms": func(ms int64) string { return (time.Duration(ms) * time.Millisecond).String() },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>talkstream: source status</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f4f4f4}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#176f2c}.warning{color:#8a5a00}.error{color:#b00020}.gone{color:#7a4d00}.never{color:#666}
.err,.url{word-break:break-all;font-size:90%}
</style>
</head>
<body>
<h1>Source status</h1>
<p>{{len .Sources}} sources at {{.Generated.Format "2006-01-02 15:04:05Z"}}, from instance {{.Instance}} · <a href="status.json">JSON</a> · <a href="metrics">metrics</a></p>
<table>
<thead><tr><th>source</th><th>format</th><th>state</th><th>last fetch</th><th>HTTP</th><th>duration</th><th>bytes</th><th>entries</th><th>next check</th><th>errors</th><th>push (WebSub)</th><th>last error / warning / moved to</th></tr></thead>
<tbody>
{{range .Sources}}<tr>
<td><strong>{{.ID}}</strong> <small>{{.Kind}}</small><br><span class="url">{{.FetchURL}}</span></td>
<td>{{if .Format}}{{.Format}}{{else}}—{{end}}{{if .Followed}}<br>via the feed it advertises: <span class="url">{{.Followed}}</span>{{end}}</td>
<td class="{{.State}}">{{.State}}</td>
<td>{{when .LastFetch}}{{if .FetchedBy}}<br><small>by {{.FetchedBy}}</small>{{end}}</td>
<td class="n">{{if .HTTPStatus}}{{.HTTPStatus}}{{else}}—{{end}}</td>
<td class="n">{{ms .DurationMS}}</td>
<td class="n">{{.Bytes}}</td>
<td class="n">{{.Entries}}</td>
<td>{{if .Gone}}gone (410): fix the url in the config{{else}}{{when .NextCheck}}{{end}}</td>
<td class="n">{{.Errors}}</td>
<td>{{.Push}}</td>
<td class="err">{{.LastError}}{{if .Warning}}warning: {{.Warning}}{{end}}{{if .MovedTo}}{{if .LastError}}<br>{{end}}moved permanently to <span class="url">{{.MovedTo}}</span>: update the config{{end}}</td>
</tr>
{{end}}</tbody>
</table>
</body>
</html>
`))
