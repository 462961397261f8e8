package publish

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/internal/htmltext"
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
	Limit       int    // items per feed and per page, newest first; default 50
	Speakers    []Speaker
	Events      []Event
	MaxAge      time.Duration // Cache-Control max-age; 0 means 5m, NoCache means max-age=0
}

// NoCache as Options.MaxAge makes every response say max-age=0, so that
// clients revalidate (and get a 304) each time.
const NoCache time.Duration = -1

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
	mu      sync.Mutex // guards outputs and paths while Render fills them
	outputs map[string]*output
	paths   []string
	maxAge  time.Duration
}

// The kinds of output, which decide the response headers.
const (
	kindFeed  = iota + 1 // machine-readable: served with CORS
	kindPage             // HTML: served with the page's security headers
	kindAsset            // the page's stylesheet, script and icon
)

// output is one pre-rendered file.
type output struct {
	path        string // URL path, e.g. "/rss.xml"
	file        string // slash-separated file name under WriteDir's dir
	contentType string
	kind        int
	body, gz    []byte
	etag, gzTag string // strong, quoted
	version     string // the ETag's hex, which pages put in asset URLs (?v=)
	modTime     time.Time
}

// Paths returns the URL path of every output, sorted.
func (s *Site) Paths() []string { return slices.Clone(s.paths) }

// WriteDir writes every output and its gzip sibling (NAME.gz) under dir, each
// through a temporary file and a rename so that a web server reading dir
// never sees half a file. Modification times are set to the render time.
// Directories such as /tags/xen/ get an index.html.
func (s *Site) WriteDir(dir string) error {
	made := map[string]bool{}
	for _, p := range s.paths {
		o := s.outputs[p]
		name := filepath.Join(dir, filepath.FromSlash(o.file))
		if d := filepath.Dir(name); !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("publish: write %s: %w", p, err)
			}
			made[d] = true
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

// gzipWriters keeps compressors between outputs, each about a megabyte of
// state. The level is the default, not BestCompression: with a facet set per
// tag, speaker, kind and event, compressing at the best level was 44% of a
// full cycle's CPU (BENCHMARKS.md) for output a few percent smaller. The gzip header has no name and a
// zero time, so the compressed bytes depend on the body alone.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression)
	return zw
}}

// add compresses one rendered output, computes its validators and stores
// it. It is safe to call from several goroutines.
func (s *Site) add(o *output) error {
	var buf bytes.Buffer
	buf.Grow(len(o.body) / 4)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, err := zw.Write(o.body)
	if err == nil {
		err = zw.Close()
	}
	gzipWriters.Put(zw)
	if err != nil {
		return err
	}
	o.gz = buf.Bytes()
	sum := sha256.Sum256(o.body)
	o.version = hex.EncodeToString(sum[:12])
	o.etag = `"` + o.version + `"`
	o.gzTag = `"` + o.version + `-gz"` // another representation, so another strong ETag

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.outputs[o.path]; dup {
		return fmt.Errorf("publish: two outputs at %s", o.path)
	}
	s.outputs[o.path] = o
	s.paths = append(s.paths, o.path)
	return nil
}

// Render renders every output once. items are the visible unified items in
// any order (Render sorts newest first by Published, ties by ID); sources are
// all configured sources with their fetch state. now is the render time: it
// becomes Last-Modified and stands in for the feed's date when there are no
// items; it never appears in an item.
//
// The outputs are the main stream at "/" and one stream per tag, speaker,
// kind and event (see the package documentation), each with index.html,
// rss.xml, atom.xml and feed.json and, past Limit items, further pages
// PREFIX/page/N/ with index.html and feed.json; plus sources.opml and the
// page's style.css, app.js and favicon.svg.
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
	r.items = views
	r.facets = r.buildFacets(views)
	r.countSources(views)
	r.srcViews = r.sourceViews()
	for _, s := range r.srcViews {
		if s.State == "ok" || s.State == "curated" {
			r.healthy++
		}
	}

	site := &Site{outputs: map[string]*output{}, maxAge: r.opts.MaxAge}
	if err := r.renderAssets(site); err != nil {
		return nil, err
	}
	streams := []*stream{{
		prefix:      "/",
		title:       r.opts.Title,
		description: r.opts.Description,
		items:       views,
	}}
	for _, list := range [][]*facet{r.facets.kinds, r.facets.tags, r.facets.speakers, r.facets.events} {
		for _, f := range list {
			streams = append(streams, r.facetStream(f))
		}
	}
	if err := r.renderStreams(site, streams); err != nil {
		return nil, err
	}
	if err := r.renderOPML(site); err != nil {
		return nil, err
	}
	slices.Sort(site.paths)
	return site, nil
}

// renderStreams renders every stream, spreading the work (templates,
// encoders and above all gzip) over the CPUs.
func (r *renderer) renderStreams(site *Site, streams []*stream) error {
	work := make(chan *stream)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(streams)) {
		wg.Go(func() {
			for st := range work {
				if err := r.renderStream(site, st); err != nil {
					select {
					case errc <- err:
					default:
					}
				}
			}
		})
	}
	for _, st := range streams {
		work <- st
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

// renderStream renders the pages and the feeds of one stream: the first page
// gets index.html, rss.xml, atom.xml and feed.json; the others index.html and
// feed.json, which the first one's next_url leads to.
func (r *renderer) renderStream(site *Site, st *stream) error {
	type format struct {
		name, ctype string
		kind        int
		every       bool // on every page, not only the first
		render      func(*page) ([]byte, error)
	}
	formats := []format{
		{"index.html", "text/html; charset=utf-8", kindPage, true, r.renderHTML},
		{"rss.xml", "application/rss+xml; charset=utf-8", kindFeed, false, r.renderRSS},
		{"atom.xml", "application/atom+xml; charset=utf-8", kindFeed, false, r.renderAtom},
		{"feed.json", "application/feed+json; charset=utf-8", kindFeed, true, r.renderJSON},
	}
	for _, pg := range st.pages(r.opts.Limit) {
		prefix := pg.prefix()
		for _, f := range formats {
			if pg.n > 1 && !f.every {
				continue
			}
			body, err := f.render(pg)
			if err != nil {
				return fmt.Errorf("publish: render %s%s: %w", prefix, f.name, err)
			}
			p := prefix + f.name
			if f.name == "index.html" {
				p = prefix
			}
			o := &output{
				path: p, file: strings.TrimPrefix(prefix, "/") + f.name,
				contentType: f.ctype, kind: f.kind, body: body, modTime: r.now,
			}
			if err := site.add(o); err != nil {
				return err
			}
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

	items       []*itemView // every item, newest first
	facets      facets
	sourceItems map[string]int    // items each source contributed to
	srcViews    []sourceView      // the sidebar's sources, the same on every page
	healthy     int               // sources that are ok or curated
	assets      map[string]string // asset file name → its version, for ?v=

	cardMu   sync.Mutex
	cards    map[cardKey]template.HTML // a card depends only on the item and the page's depth
	sidebars map[string]template.HTML  // by depth
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
	switch {
	case opts.MaxAge == 0:
		opts.MaxAge = defaultMaxAge
	case opts.MaxAge < 0:
		opts.MaxAge = 0
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
		cards:    map[cardKey]template.HTML{},
		sidebars: map[string]template.HTML{},
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
	kindFacet   *facet
	tagFacets   []*facet // in the order of tags
	speakers    []speakerRef
	eventFacet  *facet // nil when the item has no event
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
	if vid := safeVideo(it.Video); vid != nil {
		v.video = vid
		if v.thumbnail == "" {
			v.thumbnail = vid.Thumbnail
		}
	}

	v.summaryHTML = sanitizeHTML(xmlChars(it.Summary), htmlBase(it, it.Summary, v.link))
	content := sanitizeHTML(xmlChars(it.Content), htmlBase(it, it.Content, v.link))
	v.summaryText = truncate(htmltext.PlainText(v.summaryHTML), summaryRunes)
	if v.summaryText == "" {
		v.summaryText = truncate(htmltext.PlainText(content), summaryRunes)
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
		addLink(l.Role, l.URL, r.via(l.URL, l.Source, l.Title))
	}
	for _, ie := range it.Entries {
		if len(it.Links) == 0 {
			addLink(ie.Role, ie.Entry.Link, r.via(ie.Entry.Link, ie.Entry.SourceID, ""))
			for _, l := range ie.Entry.Links {
				addLink(l.Role, l.URL, r.via(l.URL, ie.Entry.SourceID, l.Title))
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

// via names where a link of an item leads, for the page's link buttons and
// the feeds' related links: the link's own title, else the video platform,
// else the source it came from (a curated file says nothing about where its
// links lead, so for those the host).
func (r *renderer) via(u, source, title string) string {
	if title = cleanText(title); title != "" {
		return title
	}
	if vid := talkstream.ParseVideoURL(u); vid != nil {
		return providerName(vid.Provider)
	}
	if s, ok := r.byID[source]; ok && s.Kind != talkstream.SourceCurated {
		return cleanText(s.DisplayTitle())
	}
	if pu, err := url.Parse(u); err == nil {
		return strings.TrimPrefix(strings.ToLower(pu.Hostname()), "www.")
	}
	return ""
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

// feedUpdated is the newest updated time of items, or now when
// there are none.
func (r *renderer) feedUpdated(items []*itemView) time.Time {
	var t time.Time
	for _, v := range items {
		if v.updated.After(t) {
			t = v.updated
		}
	}
	if t.IsZero() {
		return r.now
	}
	return t
}

// countSources counts the items each source contributed an entry to, for the
// sources sidebar.
func (r *renderer) countSources(items []*itemView) {
	r.sourceItems = map[string]int{}
	for _, v := range items {
		seen := map[string]bool{}
		for _, ie := range v.item.Entries {
			if id := ie.Entry.SourceID; !seen[id] {
				seen[id] = true
				r.sourceItems[id]++
			}
		}
	}
}

var (
	youtubeID = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	vimeoID   = regexp.MustCompile(`^[0-9]{1,12}$`)
)

// safeVideo rebuilds an item's video from its provider and id, so that the
// watch and embed URLs the outputs carry (and the page's player loads) are
// ours, not whatever a feed said: YouTube through youtube-nocookie.com and
// Vimeo with dnt=1. A video of another provider keeps its safe URLs and gets
// no player.
func safeVideo(in *talkstream.Video) *talkstream.Video {
	if in == nil {
		return nil
	}
	v := &talkstream.Video{
		Provider: cleanText(in.Provider), ID: cleanText(in.ID),
		URL: safeURL(in.URL), Thumbnail: safeURL(in.Thumbnail),
		Duration: in.Duration, Channel: cleanText(in.Channel),
	}
	switch {
	case v.Provider == "youtube" && youtubeID.MatchString(v.ID):
		v.URL = "https://www.youtube.com/watch?v=" + v.ID
		v.EmbedURL = "https://www.youtube-nocookie.com/embed/" + v.ID
	case v.Provider == "vimeo" && vimeoID.MatchString(v.ID):
		v.URL = "https://vimeo.com/" + v.ID
		v.EmbedURL = "https://player.vimeo.com/video/" + v.ID + "?dnt=1"
	case v.URL == "":
		return nil
	}
	return v
}
