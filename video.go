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
// vimeo.com/groups/NAME/videos/ID and player.vimeo.com/video/ID forms.
func ParseVideoURL(raw string) *Video {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "//") {
		raw = "https:" + raw
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
		// The id is the first all-digit segment after a known prefix.
		for i, p := range parts {
			if vimeoID.MatchString(p) {
				if i == 0 || (host == "player.vimeo.com" && parts[0] == "video") ||
					parts[0] == "channels" || parts[0] == "groups" || parts[0] == "album" || parts[0] == "showcase" {
					return NewVideo("vimeo", p)
				}
				return nil
			}
		}
	}
	return nil
}

func ytVideo(id string) *Video {
	if !youtubeID.MatchString(id) {
		return nil
	}
	return NewVideo("youtube", id)
}
