// Package talkstream holds the domain types that cross package boundaries in
// the talkstream aggregator: a configured Source, an Entry as one source
// published it, and an Item, the unified talk or story built from one or more
// entries. It does no I/O.
//
// The stages are:
//
//	config.Load → Source → fetch.Fetcher.Fetch → []Entry → merge → Item → store → publish
//
// Each stage lives in its own package and depends only on these types.
package talkstream

import (
	"regexp"
	"time"
)

// Version names this build; the fetcher sends it in its User-Agent.
// It is overridden at link time by the Makefile (-ldflags -X).
var Version = "0.1.0-dev"

// SourceKind says what a source is, which decides how its URL is built, how
// its entries are read and how much its titles and summaries are trusted.
type SourceKind string

// The source kinds accepted in feeds.yaml.
const (
	SourceBlog     SourceKind = "blog"     // a project or community blog
	SourcePerson   SourceKind = "person"   // one speaker's personal feed
	SourceYouTube  SourceKind = "youtube"  // a YouTube channel or playlist feed
	SourceVimeo    SourceKind = "vimeo"    // a Vimeo user's videos feed
	SourcePeerTube SourceKind = "peertube" // a PeerTube instance's channel or account feed
	SourceEvents   SourceKind = "events"   // a conference or meetup listing
	SourceCurated  SourceKind = "curated"  // a hand-written YAML file of entries
)

// SourceKinds lists every valid SourceKind, in the order documentation shows them.
var SourceKinds = []SourceKind{SourceBlog, SourcePerson, SourceYouTube, SourceVimeo, SourcePeerTube, SourceEvents, SourceCurated}

// Kind is what an item is.
type Kind string

// The item kinds.
const (
	KindTalk    Kind = "talk"
	KindPaper   Kind = "paper"
	KindSlides  Kind = "slides"
	KindPodcast Kind = "podcast"
	KindRelease Kind = "release"
	KindNews    Kind = "news"
	KindPost    Kind = "post"
)

// Kinds lists every valid Kind.
var Kinds = []Kind{KindTalk, KindPaper, KindSlides, KindPodcast, KindRelease, KindNews, KindPost}

// Role says what one entry (or one link of a curated entry) is to the item it
// belongs to; the planet page shows one link per role.
type Role string

// The roles an entry or link can have.
const (
	RoleVideo  Role = "video"
	RoleSlides Role = "slides"
	RolePost   Role = "post"
	RolePaper  Role = "paper"
	RoleEvent  Role = "event" // an event or conference page
	RolePage   Role = "page"  // anything else
)

// Source is one configured source together with the fetch state the store
// keeps for it. Config fills the configured fields; the store fills State.
type Source struct {
	ID    string     // unique, [a-z0-9-]+
	Kind  SourceKind // blog, person, youtube, vimeo, events, curated
	URL   string     // the feed URL to fetch (youtube/vimeo ids already expanded); empty for curated
	Path  string     // curated sources: absolute path of the YAML file
	Title string     // configured title; empty means "use the feed's own title"
	Site  string     // optional home page of the source, for OPML and the sidebar

	Speakers []string       // speaker ids every entry of this source is by
	Tags     []string       // tags for every item of this source
	Include  *regexp.Regexp // keep only entries whose title/summary/categories match; nil keeps all
	Exclude  *regexp.Regexp // drop entries that match; nil drops none
	Refresh  time.Duration  // interval between fetches
	// Select reads an HTML page that has neither microformats nor
	// schema.org data; nil for every other source.
	Select *Select

	State FetchState
}

// Select says where an HTML page keeps its list of talks: CSS selectors,
// each optionally ending in @attribute to read that attribute rather than
// the element's text (a@href). Item selects one element per entry; the
// others are relative to it.
type Select struct {
	Item, Title, Link, Date, Speakers, Summary string
}

// DisplayTitle is the configured title, else the feed's own, else the id.
func (s *Source) DisplayTitle() string {
	switch {
	case s.Title != "":
		return s.Title
	case s.State.FeedTitle != "":
		return s.State.FeedTitle
	}
	return s.ID
}

// FetchState is what the store remembers about a source between fetches.
type FetchState struct {
	ETag         string    // validator from the last 200
	LastModified string    // validator from the last 200, verbatim
	BodyHash     string    // sha256 of the last body parsed, to skip re-merging an identical 200
	FeedTitle    string    // the feed's own title
	FeedLink     string    // the feed's own home page link
	LastFetch    time.Time // when the last attempt finished (zero: never)
	LastStatus   int       // HTTP status of the last attempt (0: no response)
	LastError    string    // empty when the last attempt succeeded
	Warning      string    // what the last parsed body lost or needed repaired; empty when it read cleanly
	Errors       int       // consecutive failed attempts
	NextCheck    time.Time // when the source is due again
	Duration     time.Duration
	Bytes        int64 // body bytes of the last response
	Entries      int   // entries in the last parsed feed
	MovedTo      string
	Gone         bool

	// TTL is the feed's own update hint (RSS <ttl>, sy:updatePeriod) from
	// the last parsed body, kept so that a 304 still honours it.
	TTL time.Duration
	// ConfigHash identifies the configuration the state was recorded
	// under; when the source's configuration changes, a 410 Gone, a
	// permanent redirect and the validators are forgotten.
	ConfigHash string
	// Format is what the last parsed body was (see fetch.Format*); Followed
	// is the feed an HTML page advertised and that was read instead of it.
	Format   string
	Followed string
	// FetchedBy names the talkstream instance that last fetched the
	// source, when several share one database.
	FetchedBy string
}

// Entry is one item as one source published it, translated from whatever
// format the source uses. Fetch fills it; merge derives keys from it.
type Entry struct {
	SourceID   string
	GUID       string // the feed's own id (RSS guid, Atom id, yt:videoId...), verbatim
	Link       string // absolute URL of the entry's page
	Title      string // plain text
	Summary    string // HTML (unsanitised) or text: a short description
	Content    string // HTML (unsanitised): the full body, if the feed has one
	Authors    []string
	Categories []string
	Published  time.Time // zero when the feed gives none
	Updated    time.Time // zero when the feed gives none

	Video      *Video // the video this entry is, for video platforms
	Thumbnail  string // absolute image URL
	Enclosures []Enclosure

	// Curated sources say these explicitly; fetched entries leave them empty.
	Kind     Kind     // a kind hint
	Speakers []string // speaker ids or names
	Event    string   // free text such as "FOSDEM 2014"
	Tags     []string
	Links    []Link // further links with their roles (video, slides, paper...)

	// A talk's schedule, for sources that know it (conference schedules,
	// calendars, event pages); zero when unknown.
	Start    time.Time     `json:",omitzero"` // when the talk begins, in its own time zone
	AllDay   bool          `json:",omitzero"` // Start is a date only: the time of day is unknown
	Duration time.Duration `json:",omitzero"` // zero when unknown
	Location string        `json:",omitzero"` // room and/or venue, as the source names it
}

// Video describes a video on a platform, built from its id.
type Video struct {
	Provider  string // "youtube", "vimeo", "peertube" or "mediaccc"
	ID        string // a PeerTube video's UUID, a media.ccc.de slug
	URL       string // the watch page
	EmbedURL  string // a privacy-friendly player URL
	Thumbnail string
	Duration  time.Duration // zero when unknown
	Channel   string        // channel or user name, when known
}

// Enclosure is an RSS enclosure or Atom rel="enclosure" link.
type Enclosure struct {
	URL    string
	Type   string
	Length int64
}

// Link is a typed link: one of a curated entry's links, or one of an item's
// distinct pages (Item.Links).
type Link struct {
	Role   Role
	URL    string
	Title  string
	Source string `json:",omitempty"` // for Item.Links: the source id it came from
}

// Item is one unified talk or story: every entry that is the same talk or
// story, wherever it appeared, with the metadata derived from them.
type Item struct {
	ID        string // stable: never changes once given
	Kind      Kind
	Title     string // plain text
	Summary   string // HTML (unsanitised), from the best source
	Content   string // HTML (unsanitised), from the best source
	Link      string // the best page to send a reader to
	Published time.Time
	Updated   time.Time // the last time the item's meaningful content changed
	Speakers  []string  // speaker ids (configured) or names (found only in a feed)
	Event     string    // event id with year, e.g. "fosdem-2014"
	Tags      []string
	// When and where the talk takes place, from the entry that knows best;
	// Start is zero when no entry gives it. An item whose Start lies in
	// the future is upcoming.
	Start     time.Time     `json:",omitzero"`
	AllDay    bool          `json:",omitzero"`
	Duration  time.Duration `json:",omitzero"`
	Location  string        `json:",omitzero"`
	Video     *Video
	Thumbnail string
	Links     []Link      // every distinct page of the item (one per canonical URL, tracking parameters removed)
	Entries   []ItemEntry // every entry merged into this item, oldest first
	Why       []string    // one line per decision: which key merged what, which rule tagged
}

// ItemEntry is one entry attached to an item, with what it is to the item.
type ItemEntry struct {
	ID    string // the entry's identity in its source, as split: names it
	Role  Role
	Entry Entry
}
