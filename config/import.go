package config

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish"
)

// Importing an OPML subscription list adds its feeds to feeds.yaml as
// sources. The file is edited as text, at one place: the new sources are
// written after the last line of the sources: list, found with yaml.v3's
// Node API, so that every comment, blank line and layout choice of the
// file stays as it was. The result must pass Parse, or nothing is written.

// Imported says what an import did with one feed of the list.
type Imported struct {
	Feed   OPMLFeed
	ID     string // the new source's id
	Kind   talkstream.SourceKind
	Reason string // why it was skipped; "" when added
}

// Import adds feeds as sources to the config file data (whose name and
// absolute path are as for Parse). It returns the new file and what it did
// with each feed: added, or skipped because its URL is configured already,
// appears twice in the list or is not an http(s) URL.
func Import(name, abs string, data []byte, feeds []OPMLFeed) ([]byte, []Imported, error) {
	cfg, err := Parse(name, abs, data)
	if err != nil {
		return nil, nil, err
	}
	ids := map[string]bool{}
	urls := map[string]string{} // normalised URL → the source that has it
	for _, s := range cfg.Sources {
		ids[s.ID] = true
		if s.URL != "" {
			urls[feedKey(s.URL)] = s.ID
		}
	}
	var done []Imported
	var add []Imported
	for _, f := range feeds {
		im := Imported{Feed: f}
		u, err := url.Parse(f.URL)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			im.Reason = "not an http(s) URL"
		case urls[feedKey(f.URL)] != "":
			im.Reason = "already configured as " + urls[feedKey(f.URL)]
		default:
			im.Kind = kindOfFeed(u)
			im.ID = uniqueID(ids, f.Title, u)
			urls[feedKey(f.URL)] = im.ID
			add = append(add, im)
		}
		done = append(done, im)
	}
	if len(add) == 0 {
		return data, done, nil
	}
	out, err := insertSources(data, add)
	if err != nil {
		return nil, nil, err
	}
	if _, err := Parse(name, abs, out); err != nil {
		return nil, nil, fmt.Errorf("config: the imported file would not be valid, nothing written: %w", err)
	}
	return out, done, nil
}

// feedKey is a feed URL as compared with the configured ones: scheme and
// host in lower case, without a final slash or fragment. A YouTube
// channel's feed and its uploads playlist (what channel_id: fetches) are
// one channel.
func feedKey(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return raw
	}
	if kindOfFeed(u) == talkstream.SourceYouTube {
		q := u.Query()
		if c := q.Get("channel_id"); strings.HasPrefix(c, "UC") {
			return "youtube-channel:" + c[2:]
		}
		if p := q.Get("playlist_id"); strings.HasPrefix(p, "UULF") {
			return "youtube-channel:" + p[4:]
		}
	}
	u.Scheme, u.Host, u.Fragment = strings.ToLower(u.Scheme), strings.ToLower(u.Host), ""
	return strings.TrimSuffix(u.String(), "/")
}

// kindOfFeed tells a source's kind from its feed URL: YouTube's and
// Vimeo's feeds, PeerTube's (/feeds/videos.xml on any other host), else a
// blog.
func kindOfFeed(u *url.URL) talkstream.SourceKind {
	host := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	path := strings.ToLower(u.Path)
	switch {
	case host == "youtube.com" && strings.HasPrefix(path, "/feeds/videos.xml"):
		return talkstream.SourceYouTube
	case host == "vimeo.com" && strings.HasSuffix(path, "/rss"):
		return talkstream.SourceVimeo
	case strings.HasPrefix(path, "/feeds/videos.") || strings.HasPrefix(path, "/feeds/podcast/videos."):
		return talkstream.SourcePeerTube
	}
	return talkstream.SourceBlog
}

// uniqueID is a new source id from a feed's title (else its host), made
// unique with -2, -3… among ids, which it joins.
func uniqueID(ids map[string]bool, title string, u *url.URL) string {
	base := publish.Slug(title)
	if base == "" {
		base = publish.Slug(strings.TrimPrefix(u.Hostname(), "www."))
	}
	if base == "" {
		base = "feed"
	}
	id := base
	for n := 2; ids[id]; n++ {
		id = base + "-" + strconv.Itoa(n)
	}
	ids[id] = true
	return id
}

// insertSources writes new sources after the last line of the sources:
// list, indented as its items are.
func insertSources(data []byte, add []Imported) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("config: not a mapping")
	}
	root := doc.Content[0]
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	lines := strings.SplitAfter(text, "\n")
	lines = lines[:len(lines)-1] // the "" after the last new line
	var seq *yaml.Node
	next := len(lines) + 1 // the line of the key after sources:, 1-based
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "sources" {
			seq = root.Content[i+1]
			if i+2 < len(root.Content) {
				next = root.Content[i+2].Line
			}
		}
	}
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) == 0 {
		return nil, errors.New("config: no sources: list to add to")
	}
	if seq.Style&yaml.FlowStyle != 0 {
		return nil, errors.New("config: sources: is a flow list ([...]); write it as a block list to import into it")
	}
	first := seq.Content[0]
	indent := max(first.Column-3, 0) // "- " before the item's first key
	// After the last item: before the blank lines and comments that lead
	// to the next key, which belong to it.
	at := next - 1 // lines[at-1] is the last line before the next key
	if next <= len(lines) {
		for at > first.Line && isBlankOrComment(lines[at-1]) {
			at--
		}
	} else {
		for at > first.Line && strings.TrimSpace(lines[at-1]) == "" {
			at--
		}
	}
	var b strings.Builder
	pad := strings.Repeat(" ", indent)
	b.WriteString("\n")
	b.WriteString(pad + "# --- Imported from an OPML subscription list ---\n")
	for _, im := range add {
		text, err := sourceYAML(im)
		if err != nil {
			return nil, err
		}
		if c := im.Feed.Category; c != "" {
			b.WriteString(pad + "# " + c + "\n")
		}
		for _, l := range strings.SplitAfter(text, "\n") {
			if l != "" {
				b.WriteString(pad + l)
			}
		}
	}
	out := strings.Join(lines[:at], "") + b.String() + strings.Join(lines[at:], "")
	return []byte(out), nil
}

// isBlankOrComment says whether a line holds nothing or only a comment.
func isBlankOrComment(line string) bool {
	t := strings.TrimSpace(line)
	return t == "" || strings.HasPrefix(t, "#")
}

// sourceYAML is one source as a block list item, quoted by yaml.v3.
func sourceYAML(im Imported) (string, error) {
	m := &yaml.Node{Kind: yaml.MappingNode}
	put := func(k, v string) {
		if v != "" {
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k},
				&yaml.Node{Kind: yaml.ScalarNode, Value: v})
		}
	}
	put("id", im.ID)
	put("kind", string(im.Kind))
	put("url", im.Feed.URL)
	put("title", im.Feed.Title)
	if u, err := url.Parse(im.Feed.Site); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
		put("site", im.Feed.Site)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{m}}); err != nil {
		return "", err
	}
	return buf.String(), enc.Close()
}
