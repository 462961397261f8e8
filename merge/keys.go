package merge

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"regexp"
	"sort"
	"strings"

	"github.com/talkstream/talkstream"
)

// trackingParams are query parameters that say where a click came from, not
// what the page is; two URLs that differ only in them are the same page.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "yclid": true,
	"ref": true, "ref_src": true, "ref_url": true, "referrer": true, "source": true,
	"feature": true, "si": true, "igshid": true, "spm": true, "_hsenc": true, "_hsmi": true,
	"mkt_tok": true, "ocid": true, "cmpid": true, "s_cid": true, "share": true,
}

var trackingPrefixes = []string{"utm_", "mc_", "pk_", "piwik_", "matomo_", "hsa_", "oly_"}

func isTracking(param string) bool {
	p := strings.ToLower(param)
	if trackingParams[p] {
		return true
	}
	for _, pre := range trackingPrefixes {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// CanonicalURL reduces a URL to the form two publishers of the same page
// agree on: lower-case host without "www." and default port, http and https
// folded (to https), no fragment, no tracking parameters (nor "amp=1"),
// remaining query parameters sorted, no AMP variant (an "amp" segment in
// the path) and no trailing slash (but "/" for the root). It returns
// "" for anything that is not an absolute http(s) URL. It is idempotent.
func CanonicalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "//") {
		raw = "https:" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return ""
	}
	// Trimmed to a fixed point, so that canonicalising twice changes nothing.
	host := strings.TrimRight(strings.ToLower(u.Hostname()), ".")
	for strings.HasPrefix(host, "www.") {
		host = strings.TrimRight(strings.TrimPrefix(host, "www."), ".")
	}
	if host == "" {
		return ""
	}
	host = strings.ReplaceAll(host, "%", "%25") // Hostname unescaped it
	if strings.Contains(host, ":") {
		host = "[" + host + "]" // an IPv6 literal
	}
	if port := u.Port(); port != "" && port != "80" && port != "443" {
		host += ":" + port
	}
	path := u.EscapedPath()
	if p, err := url.PathUnescape(path); err == nil {
		// Re-escape uniformly so %7E and ~ compare equal.
		path = (&url.URL{Path: p}).EscapedPath()
	}
	for prev := ""; prev != path; {
		prev = path
		path = strings.TrimRight(path, "/")
		for _, idx := range []string{"/index.html", "/index.htm", "/index.php"} {
			path = strings.TrimSuffix(path, idx)
		}
		// An AMP variant is the same post: an "amp" segment anywhere in
		// the path ("/post/amp", "/amp/post", "/blog/amp/post").
		if strings.HasSuffix(path, "/amp") && len(path) > len("/amp") {
			path = strings.TrimSuffix(path, "/amp")
		}
		if i := strings.Index(path, "/amp/"); i >= 0 && strings.Trim(path[i+len("/amp/"):], "/") != "" {
			path = path[:i] + path[i+len("/amp"):]
		}
	}
	if path == "" {
		path = "/"
	}
	q := u.Query()
	for k := range q {
		if isTracking(k) || k == "amp" {
			delete(q, k)
		}
	}
	out := "https://" + host + path
	if len(q) > 0 {
		out += "?" + q.Encode() // Encode sorts by key
	}
	return out
}

// StripTracking removes tracking parameters from a URL and leaves the rest
// as published; a URL it cannot parse comes back unchanged.
func StripTracking(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.RawQuery == "" {
		return strings.TrimSpace(raw)
	}
	q := u.Query()
	changed := false
	for k := range q {
		if isTracking(k) {
			delete(q, k)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// Key prefixes: each key is "kind:value", so different kinds never collide.
const (
	keyURL   = "url:"
	keyVideo = "video:"
)

// videoInHTML finds video URLs in links and iframes of an entry's HTML.
var videoInHTML = regexp.MustCompile(`(?i)(?:href|src|data-src)\s*=\s*["']?([^"'\s>]+)`)

// videoLinks tries videoInHTML only at the attributes' names (anchored.go),
// not at every byte of a 20 KB post.
var videoLinks = newMatcher(videoInHTML)

// mentionsVideoHost is a cheap test that skips the attribute scan for the
// many posts that reference no video platform at all. PeerTube runs on any
// host, so its paths are what is looked for.
func mentionsVideoHost(html string) bool {
	return containsASCIIFold(html, "youtu") || containsASCIIFold(html, "vimeo") ||
		containsASCIIFold(html, "/videos/") || containsASCIIFold(html, "/w/") || containsASCIIFold(html, "media.ccc.de")
}

// containsASCIIFold reports whether s contains the lower-case ASCII word
// sub in any case, without allocating.
func containsASCIIFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// htmlVideos returns the distinct videos referenced from HTML.
func htmlVideos(html string) []*talkstream.Video {
	if !mentionsVideoHost(html) {
		return nil
	}
	var out []*talkstream.Video
	seen := map[string]bool{}
	for _, m := range videoLinks.findAllStringSubmatch(newText(html)) {
		v := talkstream.ParseVideoURL(strings.ReplaceAll(m[1], "&amp;", "&"))
		if v == nil || seen[v.Provider+v.ID] {
			continue
		}
		seen[v.Provider+v.ID] = true
		out = append(out, v)
	}
	return out
}

// whyHTMLVideo is why a video is an entry's when its HTML names it.
const whyHTMLVideo = "the one video its HTML embeds or links"

// entryVideo is the one video an entry is, or is about: its own Video, else
// a video link, enclosure or curated video link, else the single video its
// HTML references. A post that references several videos (a roundup) is
// about none of them.
func entryVideo(e *talkstream.Entry, tc *textCache) (*talkstream.Video, string) {
	if e.Video != nil && e.Video.ID != "" {
		return e.Video, "the feed's video id"
	}
	if v := talkstream.ParseVideoURL(e.Link); v != nil {
		return v, "its link"
	}
	for _, l := range e.Links {
		if l.Role == talkstream.RoleVideo {
			if v := talkstream.ParseVideoURL(l.URL); v != nil {
				return v, "its video link"
			}
		}
	}
	for _, enc := range e.Enclosures {
		if v := talkstream.ParseVideoURL(enc.URL); v != nil {
			return v, "its enclosure"
		}
	}
	vs := tc.htmlVideos(e.Content, e.Summary)
	if len(vs) == 1 {
		v := *vs[0] // a copy: tc gives every reader of the same HTML the same videos
		return &v, whyHTMLVideo
	}
	return nil, ""
}

// keyedLinkRoles are the curated link roles specific enough to identify a
// talk; an event page is shared by every talk at the event, so it is not.
var keyedLinkRoles = map[talkstream.Role]bool{
	talkstream.RoleVideo: true, talkstream.RoleSlides: true, talkstream.RolePost: true, talkstream.RolePaper: true,
}

// Keys returns the cross-source keys of an entry, sorted, each with the
// reason it was derived (for explain).
func Keys(e *talkstream.Entry) map[string]string {
	return keysWith(e, nil)
}

// keysWith is Keys with the videos of the entry's HTML read through tc.
func keysWith(e *talkstream.Entry, tc *textCache) map[string]string {
	keys := map[string]string{}
	addURL := func(raw, why string) {
		c := CanonicalURL(raw)
		if c == "" || strings.HasSuffix(c, "/") {
			return // a site's home page identifies no talk
		}
		keys[keyURL+c] = why
	}
	if v, why := entryVideo(e, tc); v != nil {
		keys[keyVideo+v.Provider+":"+v.ID] = why
	}
	addURL(e.Link, "its link")
	for _, l := range e.Links {
		if keyedLinkRoles[l.Role] {
			addURL(l.URL, "its "+string(l.Role)+" link")
		}
	}
	return keys
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func hashStrings(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// EntryID is an entry's identity inside its source: the GUID, else the
// link, else a hash of title and content.
func EntryID(e *talkstream.Entry) string {
	switch {
	case strings.TrimSpace(e.GUID) != "":
		return strings.TrimSpace(e.GUID)
	case strings.TrimSpace(e.Link) != "":
		return strings.TrimSpace(e.Link)
	}
	return "hash:" + hashStrings(e.Title, e.Content, e.Summary)[:32]
}

// assignIDs gives every entry of one fetch its identity. When a GUID is
// shared by entries of one feed with different links (a publisher bug),
// those entries are told apart by GUID and link, as miniflux does; exact
// duplicates keep the plain id (so that a repeated entry is not taken for a
// new one) and collapse to one.
func assignIDs(entries []talkstream.Entry) []string {
	ids := make([]string, len(entries))
	links := map[string]map[string]bool{} // id → the distinct links it is used with
	for i := range entries {
		ids[i] = EntryID(&entries[i])
		if links[ids[i]] == nil {
			links[ids[i]] = map[string]bool{}
		}
		links[ids[i]][strings.TrimSpace(entries[i].Link)] = true
	}
	for i := range entries {
		if len(links[ids[i]]) > 1 && strings.TrimSpace(entries[i].GUID) != "" {
			ids[i] = strings.TrimSpace(entries[i].GUID) + "|" + strings.TrimSpace(entries[i].Link)
		}
	}
	return ids
}

// titleIDSep joins an id to the hash of a title, for entries of one feed
// that share their GUID and link, or their link and no GUID, but not their
// title: distinct stories whose publisher gives them one identity (every
// item linking to the same page, a GUID that never changes).
const titleIDSep = "|title:"

func titledID(id, title string) string {
	return id + titleIDSep + hashStrings(strings.TrimSpace(title))[:16]
}

// isTitledID reports whether an entry's id was told apart by its title:
// its link is then shared by other stories of its feed.
func isTitledID(id string) bool {
	i := strings.LastIndex(id, titleIDSep)
	return i >= 0 && len(id)-i-len(titleIDSep) == 16
}

// titledIDs returns, for each entry whose id (assignIDs) another entry of
// the same fetch has with another title, the id that tells it apart.
func titledIDs(entries []talkstream.Entry, ids []string) map[int]string {
	titles := map[string]map[string]bool{} // id → the distinct titles it is used with
	for i := range entries {
		if titles[ids[i]] == nil {
			titles[ids[i]] = map[string]bool{}
		}
		titles[ids[i]][strings.TrimSpace(entries[i].Title)] = true
	}
	out := map[int]string{}
	for i := range entries {
		if len(titles[ids[i]]) > 1 {
			out[i] = titledID(ids[i], entries[i].Title)
		}
	}
	return out
}

// entryIDs gives every entry of one fetch its identity (assignIDs, then a
// title for entries it would otherwise fold into one) and returns what is
// stored under those ids. An identity once given is kept: an entry told
// apart by its title keeps that id when its siblings have left the feed,
// and the one entry stored under the plain id before its siblings came
// keeps the plain id — else a new sibling would overwrite it as an edit.
func entryIDs(tx Tx, sourceID string, entries []talkstream.Entry) ([]string, map[string]*StoredEntry, error) {
	ids := assignIDs(entries)
	shared := titledIDs(entries, ids)
	var look []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			look = append(look, id)
		}
	}
	for i := range ids {
		add(ids[i])
		if t, ok := shared[i]; ok {
			add(t)
		}
	}
	prevs, err := tx.EntryStates(sourceID, look)
	if err != nil {
		return nil, nil, err
	}
	hashes := make([]string, len(entries))
	hash := func(i int) string {
		if hashes[i] == "" {
			hashes[i] = ContentHash(&entries[i])
		}
		return hashes[i]
	}
	// An entry alone with its id now, and new or changed under it, may
	// have been told apart by its title in an earlier fetch: one more
	// lookup, for those entries only.
	titled := map[int]string{}
	var again []string
	for i := range entries {
		if t, ok := shared[i]; ok {
			titled[i] = t
			continue
		}
		if p := prevs[ids[i]]; p == nil || p.Hash != hash(i) {
			titled[i] = titledID(ids[i], entries[i].Title)
			if !seen[titled[i]] {
				seen[titled[i]] = true
				again = append(again, titled[i])
			}
		}
	}
	if len(again) > 0 {
		more, err := tx.EntryStates(sourceID, again)
		if err != nil {
			return nil, nil, err
		}
		for id, p := range more {
			prevs[id] = p
		}
	}
	for i, t := range titled {
		_, isShared := shared[i]
		switch p := prevs[ids[i]]; {
		case prevs[t] != nil:
			ids[i] = t // told apart by its title before: it keeps that id
		case isShared && (p == nil || p.Hash != hash(i)):
			ids[i] = t // shares its id with another story and is not the one stored under it
		}
	}
	return ids, prevs, nil
}

// ContentHash decides whether an entry changed: its meaningful content,
// never its dates (YouTube bumps <updated> with view counts).
func ContentHash(e *talkstream.Entry) string {
	parts := []string{e.Title, e.Link, e.Summary, e.Content, strings.Join(e.Authors, "\x1f"),
		strings.Join(e.Categories, "\x1f"), e.Thumbnail, string(e.Kind), strings.Join(e.Speakers, "\x1f"),
		e.Event, strings.Join(e.Tags, "\x1f")}
	if e.Video != nil {
		parts = append(parts, e.Video.Provider, e.Video.ID)
	}
	for _, l := range e.Links {
		parts = append(parts, string(l.Role), l.URL, l.Title)
	}
	for _, enc := range e.Enclosures {
		parts = append(parts, enc.URL, enc.Type)
	}
	if !e.Published.IsZero() && e.GUID == "" && e.Link == "" {
		parts = append(parts, e.Published.UTC().Format("2006-01-02"))
	}
	return hashStrings(parts...)[:32]
}
