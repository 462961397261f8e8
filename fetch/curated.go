package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"

	"github.com/talkstream/talkstream"
)

// The curated file format (docs/curated.md). Field names are the YAML keys;
// KnownFields(true) turns any other key into an error.
type curatedFile struct {
	Entries []curatedEntry `yaml:"entries"`
}

type curatedEntry struct {
	ID       string        `yaml:"id"`
	Title    string        `yaml:"title"`
	Date     string        `yaml:"date"`
	Kind     string        `yaml:"kind"`
	Speakers []string      `yaml:"speakers"`
	Event    string        `yaml:"event"`
	Summary  string        `yaml:"summary"`
	Tags     []string      `yaml:"tags"`
	Links    []curatedLink `yaml:"links"`
	// When and where the talk takes (or took) place, when known.
	Start    string `yaml:"start"`
	Duration string `yaml:"duration"`
	Location string `yaml:"location"`
}

type curatedLink struct {
	Role  string `yaml:"role"`
	URL   string `yaml:"url"`
	Title string `yaml:"title"`
}

var roles = []talkstream.Role{
	talkstream.RoleVideo, talkstream.RoleSlides, talkstream.RolePost,
	talkstream.RolePaper, talkstream.RoleEvent, talkstream.RolePage,
}

// fetchCurated reads a curated source's YAML file.
func (f *Fetcher) fetchCurated(src talkstream.Source) (*Result, error) {
	start := time.Now()
	fail := func(err error) (*Result, error) {
		return nil, &Error{Op: opCurated, URL: src.Path, Err: err}
	}
	if src.Path == "" {
		return fail(fmt.Errorf("source %q has no path", src.ID))
	}
	file, err := os.Open(src.Path)
	if err != nil {
		return fail(err)
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, f.opts.MaxBytes+1))
	if err != nil {
		return fail(fmt.Errorf("%s: %w", src.Path, err))
	}
	if int64(len(data)) > f.opts.MaxBytes {
		return fail(fmt.Errorf("%s: %w: more than %d bytes", src.Path, ErrTooLarge, f.opts.MaxBytes))
	}
	sum := sha256.Sum256(data)
	res := &Result{
		BodyHash: hex.EncodeToString(sum[:]),
		Bytes:    int64(len(data)),
		// A curated file has no feed title; keep whatever is stored.
		FeedTitle: src.State.FeedTitle,
		FeedLink:  src.State.FeedLink,
	}
	if src.State.BodyHash != "" && src.State.BodyHash == res.BodyHash {
		res.Unchanged = true
		res.Duration = time.Since(start)
		return res, nil
	}
	entries, err := parseCurated(src.Path, data, src.ID)
	res.Duration = time.Since(start)
	if err != nil {
		return fail(err)
	}
	res.Entries = entries
	return res, nil
}

// CheckCurated reads and checks a curated file as fetch would, for
// `talkstream check`: the error names path:line.
func CheckCurated(src talkstream.Source) error {
	data, err := os.ReadFile(src.Path)
	if err != nil {
		return err
	}
	_, err = parseCurated(src.Path, data, src.ID)
	return err
}

var (
	yamlLineMsg = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlUnknown = regexp.MustCompile(`^field (\S+) not found in type \S+$`)
)

// parseCurated parses and checks a curated file. Every error names
// path:line and, inside an entry, the entry's number and id.
func parseCurated(path string, data []byte, sourceID string) ([]talkstream.Entry, error) {
	// First as a node tree, for syntax errors and the line of every entry.
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return []talkstream.Entry{}, nil // an empty file has no entries
		}
		return nil, yamlError(path, err.Error())
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s:%d: more than one YAML document", path, extra.Line)
	}
	nodes := entryNodes(&doc)

	// Then strictly into the typed structs: unknown keys are errors.
	var file curatedFile
	strict := yaml.NewDecoder(bytes.NewReader(data))
	strict.KnownFields(true)
	if err := strict.Decode(&file); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, yamlError(path, err.Error())
		}
		var errs []error
		for _, msg := range te.Errors {
			m := yamlLineMsg.FindStringSubmatch(msg)
			if m == nil {
				errs = append(errs, fmt.Errorf("%s: %s", path, msg))
				continue
			}
			line, _ := strconv.Atoi(m[1])
			text := m[2]
			if u := yamlUnknown.FindStringSubmatch(text); u != nil {
				text = fmt.Sprintf("unknown key %q", u[1])
			}
			errs = append(errs, fmt.Errorf("%s:%d: %s%s", path, line, entryAt(nodes, line), text))
		}
		return nil, errors.Join(errs...)
	}

	out := make([]talkstream.Entry, 0, len(file.Entries))
	seen := map[string]int{} // id → line
	for i, ce := range file.Entries {
		var node *yaml.Node
		if i < len(nodes) {
			node = nodes[i]
		}
		e, err := curatedToEntry(ce, sourceID)
		if err != nil {
			var fe *fieldError
			line := 0
			if node != nil {
				line = node.Line
			}
			if errors.As(err, &fe) {
				line = fieldLine(node, fe.key, fe.index, line)
			}
			return nil, fmt.Errorf("%s:%d: %s%w", path, line, entryLabel(i, ce.ID), err)
		}
		if ce.ID != "" {
			line := fieldLine(node, "id", -1, 0)
			if first, dup := seen[ce.ID]; dup {
				return nil, fmt.Errorf("%s:%d: %sduplicate id (first at line %d)", path, line, entryLabel(i, ce.ID), first)
			}
			seen[ce.ID] = line
		}
		out = append(out, e)
	}
	return out, nil
}

// fieldError is a problem with one key of an entry (index: which link).
type fieldError struct {
	key   string
	index int
	msg   string
}

func (e *fieldError) Error() string { return e.msg }

func fieldErr(key string, index int, format string, args ...any) error {
	return &fieldError{key: key, index: index, msg: fmt.Sprintf(format, args...)}
}

func curatedToEntry(ce curatedEntry, sourceID string) (talkstream.Entry, error) {
	e := talkstream.Entry{
		SourceID: sourceID,
		GUID:     strings.TrimSpace(ce.ID),
		Title:    strings.Join(strings.Fields(ce.Title), " "),
		Event:    strings.TrimSpace(ce.Event),
		Summary:  strings.TrimSpace(ce.Summary),
		Speakers: trimAll(ce.Speakers),
		Tags:     trimAll(ce.Tags),
		Kind:     talkstream.Kind(strings.TrimSpace(ce.Kind)),
	}
	if e.Title == "" {
		return e, fieldErr("title", -1, "missing title")
	}
	date, err := parseCuratedDate(ce.Date)
	if err != nil {
		return e, fieldErr("date", -1, "%v", err)
	}
	e.Published = date
	if err := curatedTalkTime(&e, ce); err != nil {
		return e, err
	}
	if e.Kind != "" && !validKind(e.Kind) {
		return e, fieldErr("kind", -1, "unknown kind %q (want one of %v)", e.Kind, talkstream.Kinds)
	}
	for i, l := range ce.Links {
		link := talkstream.Link{
			Role:  talkstream.Role(strings.TrimSpace(l.Role)),
			URL:   strings.TrimSpace(l.URL),
			Title: strings.TrimSpace(l.Title),
		}
		if !validRole(link.Role) {
			return e, fieldErr("links", i, "link %d: unknown role %q (want one of %v)", i+1, link.Role, roles)
		}
		u, err := url.Parse(link.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return e, fieldErr("links", i, "link %d: url %q is not an absolute http(s) URL", i+1, link.URL)
		}
		e.Links = append(e.Links, link)
		if e.Video == nil && link.Role == talkstream.RoleVideo {
			e.Video = talkstream.ParseVideoURL(link.URL)
		}
	}
	if len(e.Links) > 0 {
		e.Link = e.Links[0].URL
	}
	if e.Video != nil {
		e.Thumbnail = e.Video.Thumbnail
	}
	return e, nil
}

func parseCuratedDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("missing date (YYYY-MM-DD, YYYY-MM or YYYY)")
	}
	for _, layout := range []string{"2006-01-02", "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("bad date %q: want YYYY-MM-DD, YYYY-MM or YYYY", s)
}

// curatedTalkTime reads an entry's start (a date: all day; or a date-time
// with its offset), duration and location.
func curatedTalkTime(e *talkstream.Entry, ce curatedEntry) error {
	e.Location = strings.Join(strings.Fields(ce.Location), " ")
	if s := strings.TrimSpace(ce.Start); s != "" {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			e.Start, e.AllDay = t, true
		} else if t, err := time.Parse(time.RFC3339, s); err == nil {
			e.Start = t
		} else {
			return fieldErr("start", -1, "bad start %q: want YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with an offset (Z, +01:00)", s)
		}
	}
	if s := strings.TrimSpace(ce.Duration); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fieldErr("duration", -1, "bad duration %q: want a Go duration such as 40m or 1h30m", s)
		}
		if e.Start.IsZero() {
			return fieldErr("duration", -1, "duration needs a start")
		}
		e.Duration = d
	}
	return nil
}

func validKind(k talkstream.Kind) bool {
	for _, x := range talkstream.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func validRole(r talkstream.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

func trimAll(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// yamlError turns "yaml: line 3: problem" into "path:3: problem".
func yamlError(path, msg string) error {
	if m := yamlLineMsg.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", path, m[1], m[2])
	}
	return fmt.Errorf("%s: %s", path, strings.TrimPrefix(msg, "yaml: "))
}

// entryNodes returns the mapping nodes of the entries sequence, if the
// document has that shape.
func entryNodes(doc *yaml.Node) []*yaml.Node {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "entries" && root.Content[i+1].Kind == yaml.SequenceNode {
			return root.Content[i+1].Content
		}
	}
	return nil
}

// entryAt names the entry a line falls in, as a message prefix.
func entryAt(nodes []*yaml.Node, line int) string {
	idx := -1
	for i, n := range nodes {
		if n.Line <= line {
			idx = i
		}
	}
	if idx < 0 {
		return ""
	}
	return entryLabel(idx, scalarValue(nodes[idx], "id"))
}

func entryLabel(i int, id string) string {
	if id != "" {
		return fmt.Sprintf("entry %d (%s): ", i+1, id)
	}
	return fmt.Sprintf("entry %d: ", i+1)
}

// mappingValue returns the value node of key in a mapping node.
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func scalarValue(n *yaml.Node, key string) string {
	if v := mappingValue(n, key); v != nil && v.Kind == yaml.ScalarNode {
		return v.Value
	}
	return ""
}

// fieldLine is the line of an entry's key (of its index-th item, for a
// sequence), else def.
func fieldLine(entry *yaml.Node, key string, index, def int) int {
	v := mappingValue(entry, key)
	if v == nil {
		return def
	}
	if index >= 0 && v.Kind == yaml.SequenceNode && index < len(v.Content) {
		return v.Content[index].Line
	}
	return v.Line
}
