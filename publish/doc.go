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
// The feed formats are written with this package's own encoding/xml and
// encoding/json structs rather than a feed library, because the output has to
// validate (stable ids, non-empty dates, self links, categories with terms).
// Every piece of HTML that came from a feed goes through one bluemonday
// allowlist policy (see sanitize.go) and titles and names are always treated as
// plain text.
//
// A stream is a set of items under a path prefix; the main stream lives at "/".
// Per-tag, per-speaker and per-event streams are further prefixes rendered by
// the same code.
package publish
