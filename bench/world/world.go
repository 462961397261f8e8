// Package world generates the synthetic world talkstream's benchmarks run
// against: N sources of M entries each, in the shapes of the real feeds that
// testdata/feeds copies (a blog's Atom feed as mirage-www writes it, a
// person's RSS 2.0 feed, a YouTube channel feed with yt: and media:
// elements, a Vimeo user's RSS with media: and CDATA descriptions), with
// 2–20 KB of HTML per blog, person and Vimeo entry, some cross-posts with
// tracking parameters, posts that embed one shared video, and roundups that
// embed several.
//
// A World is deterministic for its Options: the same options give the same
// bytes, so every run and every tool (talkstream, gofeed alone,
// python3-feedparser) sees the same world. Handler serves it over HTTP with
// strong ETags, Last-Modified and 304s.
package world

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Options sizes a world. The zero value of each field means its default.
type Options struct {
	Sources int    // default 1000
	Entries int    // per source; default 50
	Seed    uint64 // default 1
	MinHTML int    // bytes of HTML per blog/person/Vimeo entry; default 2048
	MaxHTML int    // default 20480
}

func (o *Options) defaults() {
	if o.Sources <= 0 {
		o.Sources = 1000
	}
	if o.Entries <= 0 {
		o.Entries = 50
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.MinHTML <= 0 {
		o.MinHTML = 2 << 10
	}
	if o.MaxHTML < o.MinHTML {
		o.MaxHTML = max(o.MinHTML, 20<<10)
	}
}

// The source kinds, as feeds.yaml names them.
const (
	Blog    = "blog"
	Person  = "person"
	YouTube = "youtube"
	Vimeo   = "vimeo"
)

// Feed is one generated source.
type Feed struct {
	Index        int
	ID           string // the source id in the generated config
	Kind         string // Blog, Person, YouTube or Vimeo
	Path         string // URL path the feed is served at
	Host         int    // which loopback host serves it (see Hosts)
	File         string // file name when dumped
	ContentType  string
	Body         []byte
	ETag         string
	LastModified string
	Entries      int
	Fresh        int // entries added since generation (AddEntry), newer than the rest
	Speaker      int // person and Vimeo feeds: the speaker the feed belongs to; -1 otherwise
}

// World is a generated set of feeds.
type World struct {
	Opts     Options
	Feeds    []Feed
	Speakers []Speaker
	byPath   map[string]*Feed

	requests, notModified atomic.Int64
	mu                    sync.RWMutex // guards the feeds' bodies against AddEntry
}

// Speaker is a generated person, listed in the config.
type Speaker struct{ ID, Name, Alias string }

// Hosts is how many loopback addresses the world is served on: blogs and
// personal feeds are spread over Hosts-2 hosts, every YouTube feed is on one
// host and every Vimeo feed on another, as on the real web.
const Hosts = 32

// HostAddr is the loopback address of host h: 127.0.1.(h+1).
func HostAddr(h int) string { return fmt.Sprintf("127.0.1.%d", h+1) }

// kindOf spreads the kinds over sources: 40% blogs, 30% people, 20%
// YouTube channels, 10% Vimeo users.
func kindOf(i int) string {
	switch i % 10 {
	case 0, 1, 2, 3:
		return Blog
	case 4, 5, 6:
		return Person
	case 7, 8:
		return YouTube
	}
	return Vimeo
}

// epoch is the date of the newest entry; entries go back from it.
var epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// New generates a world.
func New(opts Options) *World {
	opts.defaults()
	w := &World{Opts: opts, byPath: map[string]*Feed{}}
	for i := range 60 {
		first, last := firstNames[i%len(firstNames)], lastNames[(i*7+3)%len(lastNames)]
		w.Speakers = append(w.Speakers, Speaker{
			ID:    fmt.Sprintf("spk%02d", i),
			Name:  first + " " + last,
			Alias: strings.ToLower(first[:1] + last),
		})
	}
	w.Feeds = make([]Feed, opts.Sources)
	for i := range w.Feeds {
		f := &w.Feeds[i]
		f.Index, f.Kind, f.Speaker = i, kindOf(i), -1
		switch f.Kind {
		case Blog:
			f.ID, f.Path, f.File = fmt.Sprintf("blog-%04d", i), fmt.Sprintf("/blog/%04d/feed.xml", i), fmt.Sprintf("blog-%04d.atom", i)
			f.ContentType = "application/atom+xml; charset=utf-8"
			f.Host = 2 + i%(Hosts-2)
		case Person:
			f.ID, f.Path, f.File = fmt.Sprintf("person-%04d", i), fmt.Sprintf("/people/%04d/news.rss", i), fmt.Sprintf("person-%04d.rss", i)
			f.ContentType = "application/rss+xml; charset=utf-8"
			f.Host = 2 + i%(Hosts-2)
			f.Speaker = i % len(w.Speakers)
		case YouTube:
			f.ID, f.Path, f.File = fmt.Sprintf("yt-%04d", i), "/feeds/videos.xml?channel_id="+channelID(i), fmt.Sprintf("yt-%04d.xml", i)
			f.ContentType = "text/xml; charset=utf-8"
			f.Host = 0
		case Vimeo:
			f.ID, f.Path, f.File = fmt.Sprintf("vimeo-%04d", i), fmt.Sprintf("/user%04d/videos/rss", i), fmt.Sprintf("vimeo-%04d.rss", i)
			f.ContentType = "application/rss+xml; charset=utf-8"
			f.Host = 1
			f.Speaker = i % len(w.Speakers)
		}
		f.Entries = opts.Entries
		w.regenerate(f, epoch.Add(-time.Duration(i)*time.Minute))
		w.byPath[f.Path] = f
	}
	return w
}

// regenerate writes the feed's body and validators.
func (w *World) regenerate(f *Feed, modified time.Time) {
	f.Body = w.generate(f)
	sum := sha256.Sum256(f.Body)
	f.ETag = `"` + hex.EncodeToString(sum[:8]) + `"`
	f.LastModified = modified.Format(http.TimeFormat)
}

// AddEntryPath is where a POST with ?feed=N calls AddEntry(N), for
// measuring incremental cycles by hand against `talkbench world`.
const AddEntryPath = "/_world/add-entry"

// AddEntry publishes one new entry, newer than every other, in feed i: the
// rest of the feed stays byte for byte what it was, its ETag changes. This is
// the benchmarks' "one new post" for incremental cycles.
func (w *World) AddEntry(i int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	f := &w.Feeds[i]
	f.Fresh++
	w.regenerate(f, entryDate(f.Index, -f.Fresh))
}

// entryRand is the random stream of entry j: the feed's own for the
// generated entries, one of its own for each entry added later, so that an
// added entry changes nothing of the others.
func (w *World) entryRand(f *Feed, j int, feed *rand.Rand) *rand.Rand {
	if j >= 0 {
		return feed
	}
	return rand.New(rand.NewPCG(w.Opts.Seed^0x5eed, uint64(f.Index)<<20|uint64(-j)))
}

// TotalEntries is the number of entries in every feed together.
func (w *World) TotalEntries() int { return w.Opts.Sources * w.Opts.Entries }

// TotalBytes is the size of every feed together.
func (w *World) TotalBytes() int64 {
	var n int64
	for i := range w.Feeds {
		n += int64(len(w.Feeds[i].Body))
	}
	return n
}

// Dump writes every feed into dir, one file each (Feed.File).
func (w *World) Dump(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := range w.Feeds {
		f := &w.Feeds[i]
		if err := os.WriteFile(filepath.Join(dir, f.File), f.Body, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Requests returns how many feed requests were served, and how many of
// them were answered 304, since the last ResetCounts.
func (w *World) Requests() (total, notModified int64) {
	return w.requests.Load(), w.notModified.Load()
}

// ResetCounts zeroes the request counters.
func (w *World) ResetCounts() { w.requests.Store(0); w.notModified.Store(0) }

// Handler serves every feed at its path, on any host, with a strong ETag
// and Last-Modified, answering If-None-Match and If-Modified-Since with 304.
func (w *World) Handler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == AddEntryPath && r.Method == http.MethodPost {
			i, err := strconv.Atoi(r.URL.Query().Get("feed"))
			if err != nil || i < 0 || i >= len(w.Feeds) {
				http.Error(rw, "feed=N: one of the world's feeds", http.StatusBadRequest)
				return
			}
			w.AddEntry(i)
			return
		}
		f := w.byPath[r.URL.RequestURI()]
		if f == nil {
			http.NotFound(rw, r)
			return
		}
		w.mu.RLock()
		defer w.mu.RUnlock()
		w.requests.Add(1)
		h := rw.Header()
		h.Set("ETag", f.ETag)
		h.Set("Last-Modified", f.LastModified)
		h.Set("Cache-Control", "max-age=900")
		if inm := r.Header.Get("If-None-Match"); inm != "" {
			if strings.Contains(inm, f.ETag) || strings.TrimSpace(inm) == "*" {
				w.notModified.Add(1)
				rw.WriteHeader(http.StatusNotModified)
				return
			}
		} else if ims := r.Header.Get("If-Modified-Since"); ims != "" {
			t, err := http.ParseTime(ims)
			lm, _ := http.ParseTime(f.LastModified)
			if err == nil && !lm.After(t) {
				w.notModified.Add(1)
				rw.WriteHeader(http.StatusNotModified)
				return
			}
		}
		h.Set("Content-Type", f.ContentType)
		h.Set("Content-Length", strconv.Itoa(len(f.Body)))
		rw.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			rw.Write(f.Body)
		}
	})
}

// URL is the feed's URL when the world is served on port.
func (f *Feed) URL(port int) string {
	return "http://" + HostAddr(f.Host) + ":" + strconv.Itoa(port) + f.Path
}

// Config returns a talkstream feeds.yaml for the world served on port, with
// one source per feed, the world's speakers, some events and topic rules.
// database is written as given (relative paths are relative to the
// config's folder).
func (w *World) Config(port int, database string) []byte {
	return w.ConfigOf(port, database, nil)
}

// ConfigOf is Config with only the feeds keep accepts (all when keep is nil).
func (w *World) ConfigOf(port int, database string, keep func(*Feed) bool) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# Generated by bench/world: %d sources x %d entries, seed %d.\n", w.Opts.Sources, w.Opts.Entries, w.Opts.Seed)
	b.WriteString("title: talkstream benchmark world\n")
	b.WriteString("base_url: https://bench.example.org/\n")
	fmt.Fprintf(&b, "database: %s\n", database)
	b.WriteString("refresh: 24h\nlimit: 50\n")
	b.WriteString("speakers:\n")
	for _, s := range w.Speakers {
		fmt.Fprintf(&b, "  - {id: %s, name: %q, aliases: [%s]}\n", s.ID, s.Name, s.Alias)
	}
	b.WriteString("events:\n")
	for _, e := range events {
		fmt.Fprintf(&b, "  - {id: %s, name: %q, match: %q}\n", e.id, e.name, e.match)
	}
	b.WriteString("rules:\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "  - {match: %q, tags: [%s]}\n", r.match, r.tag)
	}
	b.WriteString("sources:\n")
	for i := range w.Feeds {
		f := &w.Feeds[i]
		if keep != nil && !keep(f) {
			continue
		}
		fmt.Fprintf(&b, "  - id: %s\n    kind: %s\n    url: %s\n", f.ID, f.Kind, f.URL(port))
		switch f.Kind {
		case Blog:
			fmt.Fprintf(&b, "    tags: [%s]\n", topics[i%len(topics)])
		case Person:
			fmt.Fprintf(&b, "    speakers: [%s]\n", w.Speakers[f.Speaker].ID)
			if i%3 == 0 {
				b.WriteString("    include: \"(?i)unikernel|ocaml|xen|mirage|talk|paper\"\n")
			}
		case Vimeo:
			fmt.Fprintf(&b, "    speakers: [%s]\n", w.Speakers[f.Speaker].ID)
		}
	}
	return []byte(b.String())
}

// --- generation ---

var (
	firstNames = []string{"Anil", "Mindy", "Hannes", "Thomas", "Dave", "Amir", "Richard", "Gemma", "Jon", "Mort",
		"Pierre", "Romain", "Lucas", "Sadiq", "Jeremy", "Magnus", "Christiane", "Reynir", "Patrick", "Kate", "Zoë", "Théo"}
	lastNames = []string{"Madhavapeddy", "Preston", "Mehnert", "Gazagnaire", "Scott", "Chaudhry", "Mortier", "Gordon",
		"Crowcroft", "Alain", "Calascibetta", "Pluvinage", "Jaffer", "Yallop", "Skjegstad", "Gómez", "Björnsson", "Ferris", "Nave", "Leonard"}
	words = strings.Fields(`unikernel ocaml mirage xen hypervisor library operating system network stack tls
		functional programming compiler runtime garbage collector memory safety type checker module functor
		effect handler multicore domain scheduler virtual machine cloud deployment container docker solo5
		firmware bootloader kernel driver block device storage irmin database git branch merge replication
		protocol parser packet firewall qubes dns resolver certificate security advisory release announcement
		conference workshop talk slides paper keynote tutorial retreat hack community contributor package opam
		build system dune reproducible benchmark latency throughput performance profiling allocation cache
		the a of and to in for with on by from is are was were that this we our it as at`)
	topics = []string{"ocaml", "xen", "security", "networking", "storage", "release", "community", "research"}
	events = []struct{ id, name, match string }{
		{"fosdem", "FOSDEM", `(?i)\bfosdem\b`},
		{"qcon", "QCon", `(?i)\bqcon\b`},
		{"strange-loop", "Strange Loop", `(?i)\bstrange\s?loop\b`},
		{"xen-summit", "Xen Project Developer Summit", `(?i)\bxen\s?summit\b`},
		{"dockercon", "DockerCon", `(?i)\bdockercon\b`},
		{"icfp", "ICFP", `(?i)\bicfp\b`},
		{"ocaml-workshop", "OCaml Workshop", `(?i)\bocaml\s+workshop\b`},
		{"cufp", "CUFP", `(?i)\bcufp\b`},
		{"nsdi", "NSDI", `(?i)\bnsdi\b`},
		{"mirageos-retreat", "MirageOS hack retreat", `(?i)\b(hack|mirageos)\s+retreat\b`},
	}
	rules = []struct{ match, tag string }{
		{`(?i)\bxen\b`, "xen"},
		{`(?i)\btls\b`, "tls"},
		{`(?i)\bsecurity\b|\badvisory\b|\bcve-\d{4}`, "security"},
		{`(?i)\bdocker\b|\bvpnkit\b`, "docker"},
		{`(?i)\bsolo5\b`, "solo5"},
		{`(?i)\birmin\b`, "irmin"},
		{`(?i)\bocaml\b`, "ocaml"},
	}
)

// channelID is the YouTube channel id of source i.
func channelID(i int) string { return fmt.Sprintf("UCbenchWorld%012d", i) }

// youtubeID is the video id of entry j of YouTube source i.
func youtubeID(i, j int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("yt/%d/%d", i, j)))
	return base64.RawURLEncoding.EncodeToString(sum[:9])[:11]
}

// vimeoID is the clip id of entry j of Vimeo source i.
func vimeoID(i, j int) string { return strconv.Itoa(100000000 + i*1000 + j) }

// blogSlug is the permalink slug of entry j of blog source i.
func blogSlug(i, j int) string { return fmt.Sprintf("%d-post-%03d", 2026-j/12, j) }

func blogEntryURL(i, j int) string {
	return fmt.Sprintf("https://blog%04d.example.org/blog/%s", i, blogSlug(i, j))
}

// date of entry j of source i: weekly, newest first, staggered by source.
func entryDate(i, j int) time.Time {
	return epoch.Add(-time.Duration(j)*7*24*time.Hour - time.Duration(i)*37*time.Minute)
}

// rng returns the random stream of source i.
func (w *World) rng(i int) *rand.Rand { return rand.New(rand.NewPCG(w.Opts.Seed, uint64(i)+1)) }

// sharedVideo picks a video published by some YouTube or Vimeo source of the
// world: its embed URL.
func (w *World) sharedVideo(r *rand.Rand) string {
	n := w.Opts.Sources
	for range 20 {
		k := r.IntN(n)
		j := r.IntN(w.Opts.Entries)
		switch kindOf(k) {
		case YouTube:
			return "https://www.youtube-nocookie.com/embed/" + youtubeID(k, j)
		case Vimeo:
			return "https://player.vimeo.com/video/" + vimeoID(k, j)
		}
	}
	return ""
}

// htmlSize draws a body size, log-uniform between MinHTML and MaxHTML, so
// that most posts are short and a few are long.
func (w *World) htmlSize(r *rand.Rand) int {
	lo, hi := math.Log(float64(w.Opts.MinHTML)), math.Log(float64(w.Opts.MaxHTML))
	return int(math.Exp(lo + r.Float64()*(hi-lo)))
}

func title(r *rand.Rand, w *World, i, j int) string {
	n := 4 + r.IntN(6)
	parts := make([]string, 0, n+4)
	for range n {
		parts = append(parts, words[r.IntN(len(words))])
	}
	parts[0] = strings.ToUpper(parts[0][:1]) + parts[0][1:]
	t := strings.Join(parts, " ")
	switch r.IntN(8) {
	case 0:
		e := events[r.IntN(len(events))]
		t += " at " + e.name + " " + strconv.Itoa(entryDate(i, j).Year())
	case 1:
		t += " - " + w.Speakers[r.IntN(len(w.Speakers))].Name
	case 2:
		t += " & <friends>"
	}
	return t + fmt.Sprintf(" #%d.%d", i, j)
}

// html writes about size bytes of the kind of HTML blog engines emit:
// headings, paragraphs with links and inline code, lists, code blocks,
// relative images, now and then something a sanitiser must remove, and the
// given video embeds.
func html(b *strings.Builder, r *rand.Rand, size int, videos []string, xhtml bool) {
	start := b.Len()
	for k, v := range videos {
		if k == 0 || r.IntN(2) == 0 {
			fmt.Fprintf(b, `<p><iframe width="560" height="315" src="%s" frameborder="0" allowfullscreen="allowfullscreen"></iframe></p>`+"\n", v)
		} else {
			fmt.Fprintf(b, `<p>Also see <a href="%s">this recording</a>.</p>`+"\n", v)
		}
	}
	if r.IntN(25) == 0 {
		b.WriteString(`<p>Tracking pixel <img src="https://tracker.example.com/p.gif" onerror="alert(2)" /> and <a href="javascript:alert(3)">a bad link</a>.</p><script>alert(1)</script>` + "\n")
	}
	for b.Len()-start < size {
		switch r.IntN(10) {
		case 0:
			fmt.Fprintf(b, "<h2>%s %s</h2>\n", strings.ToUpper(words[r.IntN(len(words))][:1]), sentence(r, 4))
		case 1:
			b.WriteString("<ul>\n")
			for range 2 + r.IntN(4) {
				fmt.Fprintf(b, "<li>%s</li>\n", sentence(r, 6+r.IntN(8)))
			}
			b.WriteString("</ul>\n")
		case 2:
			fmt.Fprintf(b, "<pre><code>let %s x = x &gt;&gt;= fun y -&gt; %s y &amp;&amp; true\n(* %s *)</code></pre>\n",
				words[r.IntN(40)], words[r.IntN(40)], sentence(r, 8))
		case 3:
			if xhtml {
				fmt.Fprintf(b, `<p><img src="/graphics/img-%d.png" alt="%s" /></p>`+"\n", r.IntN(1000), sentence(r, 3))
			} else {
				fmt.Fprintf(b, `<p><img src="/graphics/img-%d.png" alt="%s"></p>`+"\n", r.IntN(1000), sentence(r, 3))
			}
		default:
			fmt.Fprintf(b, "<p>%s <a href=\"/docs/%s\">%s</a>, %s <code>%s</code> %s. <em>%s</em> %s.</p>\n",
				sentence(r, 8+r.IntN(20)), words[r.IntN(40)], sentence(r, 3), sentence(r, 10+r.IntN(20)),
				words[r.IntN(40)], sentence(r, 5+r.IntN(15)), sentence(r, 3), sentence(r, 10))
		}
	}
}

func sentence(r *rand.Rand, n int) string {
	var b strings.Builder
	for k := range n {
		if k > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

// videosFor decides what one blog or person entry embeds: usually nothing,
// one shared video for one entry in ten, several (a roundup) for one in 50.
func (w *World) videosFor(r *rand.Rand) []string {
	switch n := r.IntN(50); {
	case n < 5:
		if v := w.sharedVideo(r); v != "" {
			return []string{v}
		}
	case n == 5:
		var vs []string
		for range 3 {
			if v := w.sharedVideo(r); v != "" {
				vs = append(vs, v)
			}
		}
		return vs
	}
	return nil
}

func xmlEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for _, c := range s {
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '"':
			b.WriteString("&quot;")
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func (w *World) generate(f *Feed) []byte {
	r := w.rng(f.Index)
	var b strings.Builder
	b.Grow(w.Opts.Entries * (w.Opts.MinHTML + w.Opts.MaxHTML) / 2)
	switch f.Kind {
	case Blog:
		w.blog(&b, r, f)
	case Person:
		w.person(&b, r, f)
	case YouTube:
		w.youtube(&b, r, f)
	case Vimeo:
		w.vimeo(&b, r, f)
	}
	return []byte(b.String())
}

// blog writes an Atom feed shaped like mirage-www's: no summary or
// published, xhtml content in a div, RFC 3339 dates with -00:00.
func (w *World) blog(b *strings.Builder, feedRand *rand.Rand, f *Feed) {
	i := f.Index
	site := fmt.Sprintf("https://blog%04d.example.org/", i)
	fmt.Fprintf(b, `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>%swiki/</id>
  <title>The %s Blog</title>
  <subtitle>News from project %d</subtitle>
  <rights>All rights reserved by the author</rights>
  <updated>%s</updated>
  <link rel="self" href="%sfeed.xml" />
  <link rel="alternate" href="%sblog/" type="text/html" />
`, site, strings.ToUpper(words[i%40][:1])+words[i%40][1:], i, entryDate(i, 0).Format("2006-01-02T15:04:05-00:00"), site, site)
	for k := range 3 {
		s := w.Speakers[(i+k*11)%len(w.Speakers)]
		fmt.Fprintf(b, "  <contributor>\n    <name>%s</name>\n    <uri>https://%s.example.com</uri>\n  </contributor>\n", s.Name, s.Alias)
	}
	for j := -f.Fresh; j < f.Entries; j++ {
		r := w.entryRand(f, j, feedRand)
		u := blogEntryURL(i, j)
		fmt.Fprintf(b, "  <entry>\n    <id>%s</id>\n    <title>%s</title>\n", u, xmlEscape(title(r, w, i, j)))
		for k := range 1 + r.IntN(2) {
			s := w.Speakers[(i+j+k*7+len(w.Speakers))%len(w.Speakers)]
			fmt.Fprintf(b, "    <author>\n      <name>%s</name>\n      <uri>https://%s.example.com</uri>\n    </author>\n", s.Name, s.Alias)
		}
		fmt.Fprintf(b, `    <rights>All rights reserved by the author</rights>
    <updated>%s</updated>
    <link rel="alternate" href="%s" type="text/html" />
    <content type="xhtml">
      <div xmlns="http://www.w3.org/1999/xhtml">
`, entryDate(i, j).Format("2006-01-02T15:04:05-00:00"), u)
		html(b, r, w.htmlSize(r), w.videosFor(r), true)
		b.WriteString("      </div>\n    </content>\n  </entry>\n")
	}
	b.WriteString("</feed>\n")
}

// person writes a personal RSS 2.0 feed with escaped HTML descriptions;
// one entry in 20 is a cross-post of a blog entry, linked over http with
// utm_ tracking parameters.
func (w *World) person(b *strings.Builder, feedRand *rand.Rand, f *Feed) {
	i := f.Index
	s := w.Speakers[f.Speaker]
	site := fmt.Sprintf("https://person%04d.example.net/", i)
	fmt.Fprintf(b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>%s</title>
    <link>%s</link>
    <description>News, talks and papers by %s</description>
    <language>en-gb</language>
    <lastBuildDate>%s</lastBuildDate>
    <generator>talkstream bench world</generator>
    <atom:link href="%snews.rss" rel="self" type="application/rss+xml" />
`, s.Name, site, s.Name, entryDate(i, 0).Format(time.RFC1123Z), site)
	for j := -f.Fresh; j < f.Entries; j++ {
		r := w.entryRand(f, j, feedRand)
		t := title(r, w, i, j)
		link := fmt.Sprintf("%snotes/%d-%03d", site, i, j)
		guid := link
		if r.IntN(20) == 0 { // a cross-post of some blog's entry
			k := (r.IntN(w.Opts.Sources/10+1))*10 + r.IntN(4)
			if k < w.Opts.Sources && kindOf(k) == Blog {
				jj := r.IntN(w.Opts.Entries)
				link = "http" + strings.TrimPrefix(blogEntryURL(k, jj), "https") + "?utm_source=" + s.Alias + "&utm_medium=rss&utm_campaign=news"
				t += " (via blog " + strconv.Itoa(k) + ")"
			}
		}
		var h strings.Builder
		html(&h, r, w.htmlSize(r), w.videosFor(r), false)
		fmt.Fprintf(b, `    <item>
      <title>%s</title>
      <link>%s</link>
      <guid isPermaLink="true">%s</guid>
      <pubDate>%s</pubDate>
      <dc:creator>%s</dc:creator>
      <category>%s</category>
      <category>%s</category>
      <description>%s</description>
    </item>
`, xmlEscape(t), xmlEscape(link), xmlEscape(guid), entryDate(i, j).Format(time.RFC1123Z), s.Name,
			topics[r.IntN(len(topics))], topics[r.IntN(len(topics))], xmlEscape(h.String()))
	}
	b.WriteString("  </channel>\n</rss>\n")
}

// youtube writes a channel feed: yt:videoId, media:group with a plain-text
// description of 1–5 KB (YouTube caps descriptions at 5,000 characters),
// a thumbnail, star rating and view count.
func (w *World) youtube(b *strings.Builder, feedRand *rand.Rand, f *Feed) {
	i := f.Index
	ch := channelID(i)
	name := fmt.Sprintf("Conference Channel %d", i)
	fmt.Fprintf(b, `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns:media="http://search.yahoo.com/mrss/" xmlns="http://www.w3.org/2005/Atom">
 <link rel="self" href="http://www.youtube.com/feeds/videos.xml?channel_id=%s"/>
 <id>yt:channel:%s</id>
 <yt:channelId>%s</yt:channelId>
 <title>%s</title>
 <link rel="alternate" href="https://www.youtube.com/channel/%s"/>
 <author>
  <name>%s</name>
  <uri>https://www.youtube.com/channel/%s</uri>
 </author>
 <published>2013-11-04T10:12:31+00:00</published>
`, ch, ch, ch, name, ch, name, ch)
	for j := -f.Fresh; j < f.Entries; j++ {
		r := w.entryRand(f, j, feedRand)
		id := youtubeID(i, j)
		t := xmlEscape(title(r, w, i, j))
		d := entryDate(i, j)
		var desc strings.Builder
		target := 1024 + r.IntN(4096)
		for desc.Len() < target {
			desc.WriteString(sentence(r, 12+r.IntN(12)))
			desc.WriteString(".\n")
		}
		fmt.Fprintf(b, ` <entry>
  <id>yt:video:%s</id>
  <yt:videoId>%s</yt:videoId>
  <yt:channelId>%s</yt:channelId>
  <title>%s</title>
  <link rel="alternate" href="https://www.youtube.com/watch?v=%s"/>
  <author>
   <name>%s</name>
   <uri>https://www.youtube.com/channel/%s</uri>
  </author>
  <published>%s</published>
  <updated>%s</updated>
  <media:group>
   <media:title>%s</media:title>
   <media:content url="https://www.youtube.com/v/%s?version=3" type="application/x-shockwave-flash" width="640" height="390"/>
   <media:thumbnail url="https://i%d.ytimg.com/vi/%s/hqdefault.jpg" width="480" height="360"/>
   <media:description>%s</media:description>
   <media:community>
    <media:starRating count="%d" average="4.%02d" min="1" max="5"/>
    <media:statistics views="%d"/>
   </media:community>
  </media:group>
 </entry>
`, id, id, ch, t, id, name, ch, d.Format(time.RFC3339), d.Add(time.Duration(r.IntN(900))*24*time.Hour).Format(time.RFC3339),
			t, id, 1+r.IntN(4), id, xmlEscape(desc.String()), r.IntN(200), r.IntN(100), r.IntN(100000))
	}
	b.WriteString("</feed>\n")
}

// vimeo writes a user's videos RSS: CDATA HTML descriptions with the
// thumbnail first, tag: GUIDs, media:content with player and thumbnail.
func (w *World) vimeo(b *strings.Builder, feedRand *rand.Rand, f *Feed) {
	i := f.Index
	s := w.Speakers[f.Speaker]
	user := fmt.Sprintf("user%04d", i)
	fmt.Fprintf(b, `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:creativeCommons="http://backend.userland.com/creativeCommonsRssModule">
	<channel>
		<title>Vimeo / %s’s videos</title>
		<link>https://vimeo.com/%s/videos</link>
		<description>Videos uploaded by %s on Vimeo.</description>
		<image>
			<url>https://i.vimeocdn.com/portrait/defaults-blue_100x100.png</url>
			<title>Vimeo / %s’s videos</title>
			<link>https://vimeo.com/%s/videos</link>
		</image>
		<generator>Vimeo</generator>
		<language>en</language>
		<atom:link href="https://vimeo.com/%s/videos/rss" rel="self" type="application/rss+xml"/>
		<pubDate>%s</pubDate>
		<ttl>60</ttl>
`, s.Name, user, s.Name, s.Name, user, user, entryDate(i, 0).Format(time.RFC1123Z))
	for j := -f.Fresh; j < f.Entries; j++ {
		r := w.entryRand(f, j, feedRand)
		id := vimeoID(i, j)
		t := title(r, w, i, j)
		d := entryDate(i, j)
		thumb := fmt.Sprintf("https://i.vimeocdn.com/video/%s-%08x-d_640", id, r.Uint32())
		var h strings.Builder
		fmt.Fprintf(&h, `<p><a href="https://vimeo.com/%s"><img src="%s" alt="" /></a></p><p class="first">`, id, thumb)
		html(&h, r, w.htmlSize(r), nil, false)
		fmt.Fprintf(&h, `</p><p><strong>Cast:</strong> <a href="https://vimeo.com/%s" style="color: #2786c2; text-decoration: none;">%s</a></p>`, user, s.Name)
		fmt.Fprintf(b, `		<item>
			<title>%s</title>
			<pubDate>%s</pubDate>
			<link>https://vimeo.com/%s</link>
			<dc:creator>%s</dc:creator>
			<guid isPermaLink="false">tag:vimeo,%s:clip%s</guid>
			<description><![CDATA[%s]]></description>
			<media:content>
				<media:player url="https://player.vimeo.com/video/%s"/>
				<media:credit role="author" scheme="https://vimeo.com/">%s</media:credit>
				<media:thumbnail height="360" width="640" url="%s"/>
				<media:title>%s</media:title>
			</media:content>
		</item>
`, xmlEscape(t), d.Format(time.RFC1123Z), id, s.Name, d.Format("2006-01-02"), id, h.String(), id, s.Name, thumb, xmlEscape(t))
	}
	b.WriteString("\t</channel>\n</rss>\n")
}
