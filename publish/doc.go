// Package publish owns what readers and feed readers see of the stream: it
// renders the unified items as RSS 2.0, Atom 1.0, JSON Feed 1.1, a planet-style
// HTML page and an OPML list of the sources, and serves or writes those
// outputs.
//
// Render does all the work once per change of the stream and returns an
// immutable Site holding every output with its gzip form, strong ETag and
// modification time. A Handler serves the current Site from memory and Swap
// replaces it atomically, so requests never render, sanitise or compress
// anything; Site.WriteDir exports the same bytes for static hosting.
//
// # The tree
//
// A stream is a set of items, newest first, under a path prefix, with the
// same four outputs: PREFIX (index.html), PREFIX/rss.xml, PREFIX/atom.xml and
// PREFIX/feed.json. The main stream is "/"; every tag, speaker, kind and
// event that some item has is a stream too (a facet):
//
//	/tags/{tag}/  /speakers/{id}/  /kinds/{kind}/  /events/{id}/
//
// Path segments are slugs: a configured speaker's id, otherwise the label
// folded to [a-z0-9-] ("Étienne Millon" → etienne-millon). The feeds carry
// the latest Options.Limit items. Nothing older is lost: past Limit items a
// stream gets further pages PREFIX/page/2/, /page/3/... each with index.html
// and feed.json; each JSON Feed page names the next in next_url, and the HTML
// pages link each other (rel=prev/next and a numbered pager). Every page
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
// swaps a video card's thumbnail for a youtube-nocookie.com or
// player.vimeo.com (dnt=1) player on click. Without JavaScript the card
// links to the video.
package publish
