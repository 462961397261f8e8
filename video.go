package talkstream

import (
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"strings"
)

// Video URLs are recognised in the root package because fetch (YouTube and
// Vimeo feeds, curated links) and merge (keys from links and embeds) both
// need the same answer.

var (
	youtubeID = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)
	vimeoID   = regexp.MustCompile(`^[0-9]{3,12}$`)
)

// NewVideo builds the Video for a provider ("youtube" or "vimeo") and id,
// with watch, privacy-friendly embed and default thumbnail URLs. PeerTube
// and media.ccc.de videos need more than an id: see NewPeerTubeVideo and
// NewMediaCCCVideo.
func NewVideo(provider, id string) *Video {
	switch provider {
	case "youtube":
		return &Video{
			Provider:  "youtube",
			ID:        id,
			URL:       "https://www.youtube.com/watch?v=" + id,
			EmbedURL:  "https://www.youtube-nocookie.com/embed/" + id,
			Thumbnail: "https://i.ytimg.com/vi/" + id + "/hqdefault.jpg",
		}
	case "vimeo":
		return &Video{
			Provider: "vimeo",
			ID:       id,
			URL:      "https://vimeo.com/" + id,
			EmbedURL: "https://player.vimeo.com/video/" + id + "?dnt=1",
		}
	}
	return nil
}

// ParseVideoURL recognises a YouTube, Vimeo, media.ccc.de or PeerTube video
// URL and returns the video it names, or nil. It knows YouTube's watch?v=,
// youtu.be/, /embed/, /shorts/, /live/ and /v/ forms (also on
// youtube-nocookie.com and m. hosts), Vimeo's vimeo.com/ID,
// vimeo.com/channels/NAME/ID, vimeo.com/groups/NAME/videos/ID,
// vimeo.com/showcase/N/video/ID (and album/) and player.vimeo.com/video/ID
// forms, media.ccc.de/v/SLUG, and PeerTube's watch and embed paths on any
// host (see peerTubePathID).
func ParseVideoURL(raw string) *Video {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "//") {
		raw = "https:" + raw
	} else if !strings.Contains(raw, "://") {
		raw = "https://" + raw // "youtu.be/ID" as people type it
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	host = strings.TrimPrefix(host, "www.")
	host = strings.TrimPrefix(host, "m.")
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch host {
	case "youtube.com", "youtube-nocookie.com", "music.youtube.com":
		if len(parts) == 1 && parts[0] == "watch" {
			return ytVideo(u.Query().Get("v"))
		}
		if len(parts) >= 2 {
			switch parts[0] {
			case "embed", "shorts", "live", "v", "e":
				return ytVideo(parts[1])
			}
		}
	case "youtu.be":
		if len(parts) >= 1 {
			return ytVideo(parts[0])
		}
	case "vimeo.com", "player.vimeo.com":
		if id := vimeoPathID(host, parts); vimeoID.MatchString(id) {
			return NewVideo("vimeo", id)
		}
	case "media.ccc.de":
		if len(parts) >= 2 && parts[0] == "v" {
			return NewMediaCCCVideo(parts[1])
		}
	}
	if id := peerTubePathID(parts); id != "" {
		return NewPeerTubeVideo(u.Host, id)
	}
	return nil
}

// vimeoPathID returns the path segment that holds the video id in each
// Vimeo URL form, or "". Album and showcase ids are all digits too, so the
// position, not the first number, decides.
func vimeoPathID(host string, p []string) string {
	switch {
	case host == "player.vimeo.com":
		if len(p) >= 2 && p[0] == "video" {
			return p[1]
		}
	case len(p) >= 3 && p[0] == "channels":
		return p[2]
	case len(p) >= 4 && p[0] == "groups" && p[2] == "videos":
		return p[3]
	case len(p) >= 4 && (p[0] == "album" || p[0] == "showcase") && p[2] == "video":
		return p[3]
	case len(p) >= 1:
		return p[0]
	}
	return ""
}

// ytNotVideos are /embed/ paths that are 11 characters long, like an id,
// but embed a playlist or a channel's live stream.
var ytNotVideos = map[string]bool{"videoseries": true, "live_stream": true}

func ytVideo(id string) *Video {
	if !youtubeID.MatchString(id) || ytNotVideos[id] {
		return nil
	}
	return NewVideo("youtube", id)
}

// PeerTube and media.ccc.de.
//
// A PeerTube video has a UUID and a short id, which is the same 128-bit
// number written in base 58 (the short-uuid package's Flickr alphabet), so
// both forms of a video's URL map to one UUID, and the UUID is the key: a
// video federated to another instance keeps it too.

var (
	uuidPattern  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	shortIDChars = regexp.MustCompile(`^[1-9a-km-zA-HJ-NP-Z]{20,22}$`)
	mediaCCCSlug = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._~-]{0,199}$`)
	// instanceHost is a host name or an IPv6 literal in brackets, with an
	// optional port: what a PeerTube watch URL can be built on.
	instanceHost = regexp.MustCompile(`^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::[0-9]{1,5})?$`)
)

const flickrBase58 = "123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

// peerTubePathID returns the UUID a PeerTube watch or embed path names
// (/w/ID, /videos/watch/ID, /videos/embed/ID, ID a UUID or a short id), or
// "". The host is not checked: PeerTube runs on any host, and these paths
// with an id of this exact shape are its own.
func peerTubePathID(p []string) string {
	var id string
	switch {
	case len(p) >= 2 && p[0] == "w" && p[1] != "p": // /w/p/ID is a playlist
		id = p[1]
	case len(p) >= 3 && p[0] == "videos" && (p[1] == "watch" || p[1] == "embed") && p[2] != "playlist":
		id = p[2]
	default:
		return ""
	}
	if uuidPattern.MatchString(id) {
		return strings.ToLower(id)
	}
	return PeerTubeShortToUUID(id)
}

// PeerTubeShortToUUID turns a PeerTube short id into the video's UUID, or
// returns "" when s is not one.
func PeerTubeShortToUUID(s string) string {
	if !shortIDChars.MatchString(s) {
		return ""
	}
	n, base := new(big.Int), big.NewInt(58)
	for i := 0; i < len(s); i++ {
		n.Mul(n, base)
		n.Add(n, big.NewInt(int64(strings.IndexByte(flickrBase58, s[i]))))
	}
	if n.BitLen() > 128 {
		return ""
	}
	h := fmt.Sprintf("%032x", n)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// NewPeerTubeVideo is the video with this UUID on the PeerTube instance at
// host (host[:port]). Its players are the instance's own embed page; the
// watch page is the instance's too.
func NewPeerTubeVideo(host, uuid string) *Video {
	host = strings.ToLower(host)
	if !instanceHost.MatchString(host) || !uuidPattern.MatchString(uuid) {
		return nil
	}
	uuid = strings.ToLower(uuid)
	return &Video{
		Provider: "peertube",
		ID:       uuid,
		URL:      "https://" + host + "/videos/watch/" + uuid,
		EmbedURL: "https://" + host + "/videos/embed/" + uuid,
	}
}

// NewMediaCCCVideo is the media.ccc.de recording with this slug.
func NewMediaCCCVideo(slug string) *Video {
	if !mediaCCCSlug.MatchString(slug) {
		return nil
	}
	return &Video{
		Provider: "mediaccc",
		ID:       slug,
		URL:      "https://media.ccc.de/v/" + slug,
		EmbedURL: "https://media.ccc.de/v/" + slug + "/oembed",
	}
}
