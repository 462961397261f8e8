package publish

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/talkstream/talkstream"
)

// Click-to-play players. A card's video is a link to its watch page; the
// page's script (static/app.js) swaps it for a privacy-friendly player
// when clicked: YouTube through youtube-nocookie.com, Vimeo with dnt=1,
// media.ccc.de's own player, and the players of the PeerTube instances a
// `kind: peertube` source names, with P2P off (p2p=0: no peer sees the
// reader's address). The page's Content-Security-Policy allows frames
// from exactly these hosts, so the embed URLs are rebuilt here from the
// provider and id rather than taken from a feed.

var (
	youtubeID  = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	vimeoID    = regexp.MustCompile(`^[0-9]{1,12}$`)
	mediaCCCID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)
	// A PeerTube video is a UUID or its short form (22 base58 letters).
	peerTubeID = regexp.MustCompile(`^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[1-9A-HJ-NP-Za-km-z]{20,24})$`)
	hostName   = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$`)
)

// fixedPlayers are the player hosts every site allows.
var fixedPlayers = []string{"https://www.youtube-nocookie.com", "https://player.vimeo.com", "https://media.ccc.de"}

// peerTubeHosts normalises the configured PeerTube hosts: lower-case
// host[:port], sorted, nothing that could break out of a header.
func peerTubeHosts(in []string) []string {
	var out []string
	for _, h := range in {
		h = strings.ToLower(strings.TrimSpace(h))
		if hostName.MatchString(h) && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	slices.Sort(out)
	return out
}

// contentSecurityPolicy is the pages' policy (see handler.go), with frames
// from the players above.
func contentSecurityPolicy(peerTube []string) string {
	frames := slices.Clone(fixedPlayers)
	for _, h := range peerTube {
		frames = append(frames, "https://"+h)
	}
	return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https:; " +
		"frame-src " + strings.Join(frames, " ") + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// safeVideo rebuilds an item's video from its provider and id, so that the
// watch and embed URLs the outputs carry (and the page's player loads) are
// ours, not whatever a feed said. A video of another provider, or on a
// PeerTube instance no source names, keeps its safe URLs and gets no
// player.
func (r *renderer) safeVideo(in *talkstream.Video) *talkstream.Video {
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
	case v.Provider == "mediaccc" && mediaCCCID.MatchString(v.ID):
		v.URL = "https://media.ccc.de/v/" + v.ID
		v.EmbedURL = "https://media.ccc.de/v/" + v.ID + "/oembed"
	case v.Provider == "peertube" && peerTubeID.MatchString(v.ID):
		host := peerTubeHost(v.URL, safeURL(in.EmbedURL))
		if host == "" {
			return nil
		}
		if v.URL == "" {
			v.URL = "https://" + host + "/w/" + v.ID
		}
		if slices.Contains(r.peerTube, host) {
			v.EmbedURL = "https://" + host + "/videos/embed/" + v.ID + "?p2p=0"
		}
	case v.URL == "":
		return nil
	}
	return v
}

// peerTubeHost is the instance a PeerTube video is on: the host of its
// watch page, else of its player.
func peerTubeHost(urls ...string) string {
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Scheme != "https" {
			continue
		}
		if h := strings.ToLower(u.Host); hostName.MatchString(h) {
			return h
		}
	}
	return ""
}

func providerName(p string) string {
	switch p {
	case "youtube":
		return "YouTube"
	case "vimeo":
		return "Vimeo"
	case "peertube":
		return "PeerTube"
	case "mediaccc":
		return "media.ccc.de"
	}
	return p
}
