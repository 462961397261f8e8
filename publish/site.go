package publish

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/talkstream/talkstream"
)

// Speaker is a configured speaker; items name speakers by ID.
type Speaker struct{ ID, Name, URL string }

// Event is a configured event series. ID is a prefix such as "fosdem"; items
// name a particular event with its year, as in "fosdem-2014".
type Event struct{ ID, Name string }

// Options configures Render. The zero values of Language, Limit and MaxAge
// mean their defaults.
type Options struct {
	Title       string // e.g. "MirageOS talks and news"
	Description string
	BaseURL     string // e.g. "https://talks.example.org/"; ids and self links use it; a missing final "/" is added
	Language    string // default "en"
	Limit       int    // items per feed, newest first; default 50
	Speakers    []Speaker
	Events      []Event
	MaxAge      time.Duration // Cache-Control max-age; default 5m
}

const (
	defaultLanguage = "en"
	defaultLimit    = 50
	defaultMaxAge   = 5 * time.Minute

	// tagDate is the date part of every tag: URI this site mints. It must
	// never change: ids are how feed readers recognise items they have seen.
	tagDate = "2026"

	summaryRunes = 300 // plain-text summaries on the page and in JSON Feed
)

// ErrBaseURL is returned by Render when Options.BaseURL is not an absolute
// http or https URL.
var ErrBaseURL = errors.New("publish: base URL must be an absolute http(s) URL")

// Site is every output of one Render, ready to serve. It is immutable.
type Site struct {
	outputs map[string]*output
	paths   []string
	maxAge  time.Duration
}

// output is one pre-rendered file.
type output struct {
	path        string // URL path, e.g. "/rss.xml"
	file        string // slash-separated file name under WriteDir's dir
	contentType string
	feed        bool // machine-readable: served with CORS
	page        bool // HTML: served with the page security headers
	body, gz    []byte
	etag, gzTag string // strong, quoted
	modTime     time.Time
}

// Paths returns the URL path of every output, sorted.
func (s *Site) Paths() []string { return slices.Clone(s.paths) }

// WriteDir writes every output and its gzip sibling (NAME.gz) under dir, each
// through a temporary file and a rename so that a web server reading dir
// never sees half a file. Modification times are set to the render time.
func (s *Site) WriteDir(dir string) error {
	for _, p := range s.paths {
		o := s.outputs[p]
		name := filepath.Join(dir, filepath.FromSlash(o.file))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return fmt.Errorf("publish: write %s: %w", p, err)
		}
		if err := writeFile(name, o.body, o.modTime); err != nil {
			return fmt.Errorf("publish: write %s: %w", p, err)
		}
		if err := writeFile(name+".gz", o.gz, o.modTime); err != nil {
			return fmt.Errorf("publish: write %s.gz: %w", p, err)
		}
	}
	return nil
}

func writeFile(name string, data []byte, mod time.Time) error {
	f, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chtimes(tmp, mod, mod)
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// gzipWriters keeps compressors between renders: at BestCompression each
// one allocates about a megabyte of state. The gzip header has no name and a
// zero time, so the compressed bytes depend on the body alone.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return zw
}}

// add stores one rendered output with its gzip form and validators.
func (s *Site) add(o *output) error {
	if _, dup := s.outputs[o.path]; dup {
		return fmt.Errorf("publish: two outputs at %s", o.path)
	}
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(o.body); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	o.gz = buf.Bytes()
	sum := sha256.Sum256(o.body)
	tag := hex.EncodeToString(sum[:12])
	o.etag = `"` + tag + `"`
	o.gzTag = `"` + tag + `-gz"` // another representation, so another strong ETag
	s.outputs[o.path] = o
	s.paths = append(s.paths, o.path)
	return nil
}

// Render renders every output once. items are the visible unified items in
// any order (Render sorts newest first by Published, ties by ID); sources are
// all configured sources with their fetch state. now is the render time: it
// becomes Last-Modified and stands in for the feed's date when there are no
// items; it never appears in an item.
func Render(opts Options, items []talkstream.Item, sources []talkstream.Source, now time.Time) (*Site, error) {
	r, err := newRenderer(opts, sources, now)
	if err != nil {
		return nil, err
	}
	views := make([]*itemView, len(items))
	for i := range items {
		views[i] = r.view(&items[i])
	}
	slices.SortStableFunc(views, func(a, b *itemView) int {
		if c := b.published.Compare(a.published); c != 0 {
			return c
		}
		return strings.Compare(a.item.ID, b.item.ID)
	})

	site := &Site{outputs: map[string]*output{}, maxAge: r.opts.MaxAge}
	main := stream{
		prefix:      "/",
		title:       r.opts.Title,
		description: r.opts.Description,
		items:       views[:min(len(views), r.opts.Limit)],
	}
	if err := r.renderStream(site, main); err != nil {
		return nil, err
	}
	if err := r.renderOPML(site); err != nil {
		return nil, err
	}
	slices.Sort(site.paths)
	return site, nil
}

// stream is one set of outputs: the items to show, newest first, and the
// path prefix they live under. The main stream is "/"; a facet such as
// "/tag/xen/" gets the same outputs under its own prefix.
type stream struct {
	prefix      string // begins and ends with "/"
	title       string
	description string
	items       []*itemView
}

// feedIDPath is the part of the Atom feed id after "feed": "" for the main
// stream, "/tag/xen" for the facet at "/tag/xen/".
func (st stream) feedIDPath() string { return strings.TrimSuffix(st.prefix, "/") }

// renderStream renders the HTML page and the three feeds of one stream.
func (r *renderer) renderStream(site *Site, st stream) error {
	type format struct {
		name, ctype string
		feed        bool
		render      func(stream) ([]byte, error)
	}
	formats := []format{
		{"index.html", "text/html; charset=utf-8", false, r.renderHTML},
		{"rss.xml", "application/rss+xml; charset=utf-8", true, r.renderRSS},
		{"atom.xml", "application/atom+xml; charset=utf-8", true, r.renderAtom},
		{"feed.json", "application/feed+json; charset=utf-8", true, r.renderJSON},
	}
	for _, f := range formats {
		body, err := f.render(st)
		if err != nil {
			return fmt.Errorf("publish: render %s%s: %w", st.prefix, f.name, err)
		}
		p := st.prefix + f.name
		if f.name == "index.html" {
			p = st.prefix
		}
		o := &output{
			path: p, file: strings.TrimPrefix(st.prefix, "/") + f.name,
			contentType: f.ctype, feed: f.feed, page: !f.feed,
			body: body, modTime: r.now,
		}
		if err := site.add(o); err != nil {
			return err
		}
	}
	return nil
}

// renderer holds what every output of one Render needs.
type renderer struct {
	opts     Options
	host     string // BaseURL's host, for tag: URIs
	now      time.Time
	speakers map[string]Speaker
	events   map[string]Event
	sources  []talkstream.Source
	byID     map[string]*talkstream.Source
}

func newRenderer(opts Options, sources []talkstream.Source, now time.Time) (*renderer, error) {
	u, err := url.Parse(strings.TrimSpace(opts.BaseURL))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, fmt.Errorf("%w: %q", ErrBaseURL, opts.BaseURL)
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
	if opts.MaxAge <= 0 {
		opts.MaxAge = defaultMaxAge
	}
	opts.Title = cleanText(opts.Title)
	opts.Description = cleanText(opts.Description)
	if opts.Title == "" {
		opts.Title = u.Hostname()
	}
	r := &renderer{
		opts:     opts,
		host:     strings.ToLower(u.Hostname()),
		now:      now.UTC().Truncate(time.Second),
		speakers: map[string]Speaker{},
		events:   map[string]Event{},
		sources:  sources,
		byID:     map[string]*talkstream.Source{},
	}
	for _, s := range opts.Speakers {
		r.speakers[s.ID] = s
	}
	for _, e := range opts.Events {
		r.events[e.ID] = e
	}
	for i := range sources {
		r.byID[sources[i].ID] = &sources[i]
	}
	return r, nil
}

// abs returns the absolute URL of a site path such as "/rss.xml".
func (r *renderer) abs(path string) string {
	return r.opts.BaseURL + strings.TrimPrefix(path, "/")
}

// tagURI mints a tag: URI (RFC 4151) under the site's host.
func (r *renderer) tagURI(specific string) string {
	return "tag:" + r.host + "," + tagDate + ":" + specific
}

// person is a speaker as the outputs show one.
type person struct{ Name, URL string }

// roleLink is one link of an item with what it is.
type roleLink struct {
	Role  string
	URL   string
	Title string // the link's own title, else the source's title
}

// itemView is everything the outputs derive from one item, computed once per
// Render so that streams sharing an item share the work (sanitising above all).
type itemView struct {
	item        *talkstream.Item
	id          string // tag: URI; stable because item.ID is
	anchor      string // HTML id of the item's card
	title       string
	link        string
	published   time.Time // zero when unknown
	updated     time.Time // never zero
	authors     []person
	event       string // display name, e.g. "FOSDEM 2014"
	tags        []string
	summaryHTML string // sanitised; may be ""
	contentHTML string // sanitised; may be ""
	summaryText string // plain, at most summaryRunes
	thumbnail   string
	video       *talkstream.Video // with safe URLs
	links       []roleLink        // every entry and typed link, deduplicated by URL
	enclosures  []talkstream.Enclosure
}

// epoch stands in for the updated time of an item without any date, because
// Atom needs one and it must not change from one render to the next.
var epoch = time.Unix(0, 0).UTC()

func (r *renderer) view(it *talkstream.Item) *itemView {
	v := &itemView{
		item:      it,
		id:        r.tagURI("item/" + url.PathEscape(it.ID)),
		anchor:    anchorID(it.ID),
		title:     cleanText(it.Title),
		link:      safeURL(it.Link),
		published: it.Published.UTC(),
		updated:   it.Updated.UTC(),
		event:     r.eventName(it.Event),
		thumbnail: safeURL(it.Thumbnail),
	}
	if it.Published.IsZero() {
		v.published = time.Time{}
	}
	if it.Updated.IsZero() {
		v.updated = v.published
	}
	if v.updated.IsZero() {
		v.updated = epoch
	}
	if v.link == "" {
		for _, ie := range it.Entries {
			if l := safeURL(ie.Entry.Link); l != "" {
				v.link = l
				break
			}
		}
	}
	if v.title == "" {
		v.title = "Untitled"
	}
	for _, s := range it.Speakers {
		if p, ok := r.speaker(s); ok {
			v.authors = append(v.authors, p)
		}
	}
	for _, t := range it.Tags {
		if t = cleanText(t); t != "" && !slices.Contains(v.tags, t) {
			v.tags = append(v.tags, t)
		}
	}
	if it.Video != nil {
		vid := *it.Video
		vid.URL, vid.EmbedURL, vid.Thumbnail = safeURL(vid.URL), safeURL(vid.EmbedURL), safeURL(vid.Thumbnail)
		v.video = &vid
		if v.thumbnail == "" {
			v.thumbnail = vid.Thumbnail
		}
	}

	v.summaryHTML = sanitizeHTML(xmlChars(it.Summary), htmlBase(it, it.Summary, v.link))
	content := sanitizeHTML(xmlChars(it.Content), htmlBase(it, it.Content, v.link))
	v.summaryText = truncate(plainText(v.summaryHTML), summaryRunes)
	if v.summaryText == "" {
		v.summaryText = truncate(plainText(content), summaryRunes)
	}
	if v.summaryHTML == "" && v.summaryText != "" {
		v.summaryHTML = html.EscapeString(v.summaryText)
	}
	if content == "" {
		content = v.summaryHTML
	}

	seen := map[string]bool{}
	addLink := func(role talkstream.Role, raw, title string) {
		u := safeURL(raw)
		if u == "" || seen[u] {
			return
		}
		seen[u] = true
		if role == "" {
			role = talkstream.RolePage
		}
		v.links = append(v.links, roleLink{Role: string(role), URL: u, Title: cleanText(title)})
	}
	encSeen := map[string]bool{}
	// merge lists the item's distinct pages; an item built without them
	// falls back to every entry's links.
	for _, l := range it.Links {
		title := l.Title
		if title == "" {
			title = r.sourceTitle(l.Source)
		}
		addLink(l.Role, l.URL, title)
	}
	for _, ie := range it.Entries {
		if len(it.Links) == 0 {
			addLink(ie.Role, ie.Entry.Link, r.sourceTitle(ie.Entry.SourceID))
			for _, l := range ie.Entry.Links {
				title := l.Title
				if title == "" {
					title = r.sourceTitle(ie.Entry.SourceID)
				}
				addLink(l.Role, l.URL, title)
			}
		}
		for _, e := range ie.Entry.Enclosures {
			if u := safeURL(e.URL); u != "" && !encSeen[u] {
				encSeen[u] = true
				v.enclosures = append(v.enclosures, talkstream.Enclosure{URL: u, Type: cleanText(e.Type), Length: max(e.Length, 0)})
			}
		}
	}
	if v.video != nil && v.video.URL != "" && !seen[v.video.URL] {
		// The item knows its video even when no entry came from the platform.
		seen[v.video.URL] = true
		v.links = append([]roleLink{{Role: string(talkstream.RoleVideo), URL: v.video.URL, Title: providerName(v.video.Provider)}}, v.links...)
	}
	v.contentHTML = r.contentHTML(v, content)
	return v
}

// htmlBase is the URL relative links in an item's HTML are relative to: the
// link of the entry the HTML was taken from (merge copies the best entry's
// summary and content), else the item's link.
func htmlBase(it *talkstream.Item, h, fallback string) string {
	if h == "" {
		return fallback
	}
	for _, ie := range it.Entries {
		if ie.Entry.Content == h || ie.Entry.Summary == h {
			if l := safeURL(ie.Entry.Link); l != "" {
				return l
			}
		}
	}
	return fallback
}

// contentHTML is the body the feeds carry: the item's own sanitised content,
// led by the video's thumbnail (most feed readers ignore Media RSS) and
// followed by the item's other links, so a reader sees what the page shows.
func (r *renderer) contentHTML(v *itemView, content string) string {
	var b strings.Builder
	if v.video != nil && v.video.URL != "" && v.thumbnail != "" {
		fmt.Fprintf(&b, `<p><a href="%s"><img src="%s" alt="%s"></a></p>`,
			html.EscapeString(v.video.URL), html.EscapeString(v.thumbnail), html.EscapeString("Video: "+v.title))
	}
	b.WriteString(content)
	var extra []roleLink
	for _, l := range v.links {
		if l.URL != v.link {
			extra = append(extra, l)
		}
	}
	if len(extra) > 0 {
		b.WriteString("<p>")
		for i, l := range extra {
			if i > 0 {
				b.WriteString(" · ")
			}
			label := l.Role
			if l.Title != "" {
				label += ": " + l.Title
			}
			fmt.Fprintf(&b, `<a href="%s">%s</a>`, html.EscapeString(l.URL), html.EscapeString(label))
		}
		b.WriteString("</p>")
	}
	// Our own additions pass through the policy too, for the same rel and
	// target attributes as the rest.
	return sanitizeHTML(b.String(), "")
}

// speaker maps an item's speaker (a configured id, or a name found only in a
// feed) to a person.
func (r *renderer) speaker(s string) (person, bool) {
	if sp, ok := r.speakers[s]; ok {
		name := cleanText(sp.Name)
		if name == "" {
			name = cleanText(sp.ID)
		}
		return person{Name: name, URL: safeURL(sp.URL)}, name != ""
	}
	name := cleanText(s)
	return person{Name: name}, name != ""
}

// eventName turns an item's event ("fosdem-2014") into its display name
// ("FOSDEM 2014") using the configured events; an unknown event is shown as
// its id with dashes for spaces.
func (r *renderer) eventName(id string) string {
	id = cleanText(id)
	if id == "" {
		return ""
	}
	if e, ok := r.events[id]; ok && e.Name != "" {
		return cleanText(e.Name)
	}
	if i := strings.LastIndexByte(id, '-'); i > 0 {
		if e, ok := r.events[id[:i]]; ok && e.Name != "" {
			return cleanText(e.Name) + " " + id[i+1:]
		}
	}
	return strings.ReplaceAll(id, "-", " ")
}

// sourceTitle is the display title of a configured source, else its id.
func (r *renderer) sourceTitle(id string) string {
	if s, ok := r.byID[id]; ok {
		return cleanText(s.DisplayTitle())
	}
	return id
}

func providerName(p string) string {
	switch p {
	case "youtube":
		return "YouTube"
	case "vimeo":
		return "Vimeo"
	}
	return p
}

// anchorID turns an item id into an HTML id that cannot clash with the
// page's own ids.
func anchorID(id string) string {
	var b strings.Builder
	b.WriteString("item-")
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// feedUpdated is the newest updated time of the stream's items, or now when
// there are none.
func (r *renderer) feedUpdated(st stream) time.Time {
	var t time.Time
	for _, v := range st.items {
		if v.updated.After(t) {
			t = v.updated
		}
	}
	if t.IsZero() {
		return r.now
	}
	return t
}
