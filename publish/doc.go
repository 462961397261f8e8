// Package publish owns what readers and feed readers see of the stream: it
// renders the unified items as RSS 2.0, Atom 1.0, JSON Feed 1.1, iCalendar, a planet-style
// HTML page and an OPML list of the sources, and serves or writes those
// outputs.
//
// A Publisher publishes the items a store holds (through the contract in
// publish/index). Sync renders each item that changed since it last ran
// into fragments (fragment.go: its RSS item, Atom entry, JSON Feed item and
// HTML card) and keeps them in the store with each stream's members and a
// version per stream (sync.go). Every output is assembled when asked for:
// its stream's header, its page's fragments read by keyset paging and a
// footer (assemble.go), with an ETag and Last-Modified known from the
// versions alone (stream.go). ServeHTTP serves them through a bounded cache
// (handler.go, cache.go); Export writes them for static hosting, only those
// that changed (export.go).
//
// # The tree
//
// A stream is a set of items, newest first, under a path prefix, with the
// same five outputs: PREFIX (index.html), PREFIX/rss.xml, PREFIX/atom.xml,
// PREFIX/feed.json and PREFIX/talks.ics (calendar.go). The main stream is
// "/", the talks still to come are "/upcoming/" (upcoming.go: they join the
// other streams on their date); every tag, speaker, kind and event that
// some item has is a stream too (a facet):
//
//	/tags/{tag}/  /speakers/{id}/  /kinds/{kind}/  /events/{id}/
//
// Path segments are slugs: a configured speaker's id, otherwise the label
// folded to [a-z0-9-] ("Étienne Millon" → etienne-millon), kept once given.
// A stream's first page and its feeds carry its newest items; the older ones
// are on archive pages PREFIX/page/N/ of Options.Limit items each, counted
// from the oldest (page 1 holds the oldest), so that a new item changes the
// first page and never an archive page. The first page holds the rest:
// between Limit and 2×Limit−1 items once the stream has that many. Each
// JSON Feed page names the next older one in next_url, and the HTML pages
// link each other (rel=prev/next and a pager). Every page
// advertises its stream's feeds with <link rel="alternate">. The root also
// holds sources.opml and the page's own style.css, app.js and favicon.svg.
//
// # Safety
//
// The feed formats are written with this package's own encoding/xml and
// encoding/json structs rather than a feed library, because the output has to
// validate (stable ids, non-empty dates, self links, categories with terms).
// Every piece of HTML that came from a feed goes through one bluemonday
// allowlist policy (see sanitize.go), every URL through safeURL, and titles
// and names are always treated as plain text. The page has no inline script
// or style; its Content-Security-Policy allows only the site's app.js, which
// swaps a video card's thumbnail for a privacy-friendly player on click
// (players.go: YouTube without cookies, Vimeo with dnt=1, media.ccc.de, the
// configured PeerTube instances with P2P off). Without JavaScript the card
// links to the video.
package publish
