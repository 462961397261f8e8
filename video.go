package talkstream

import (
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
// with watch, privacy-friendly embed and default thumbnail URLs.
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

// ParseVideoURL recognises a YouTube or Vimeo video URL and returns the
// video it names, or nil. It knows YouTube's watch?v=, youtu.be/, /embed/,
// /shorts/, /live/ and /v/ forms (also on youtube-nocookie.com and m.
// hosts) and Vimeo's vimeo.com/ID, vimeo.com/channels/NAME/ID,
// vimeo.com/groups/NAME/videos/ID, vimeo.com/showcase/N/video/ID (and
// album/) and player.vimeo.com/video/ID forms.
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
