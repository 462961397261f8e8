package merge

import (
	"strings"

	"github.com/talkstream/talkstream"
)

// role says what an entry is to its item: from the kind of source it came
// from and, for posts, from their label ("[slides]", "Slides:") or link.
func role(src *talkstream.Source, e *talkstream.Entry) talkstream.Role {
	switch src.Kind {
	case talkstream.SourceBlog, talkstream.SourcePerson:
		link := strings.ToLower(e.Link)
		for _, h := range slidesHosts {
			if strings.Contains(link, h) {
				return talkstream.RoleSlides
			}
		}
		if strings.HasSuffix(link, ".pdf") {
			return talkstream.RolePaper
		}
		if m := leadingLabel.FindStringSubmatch(e.Title); m != nil {
			if l := strings.ToLower(m[0]); strings.Contains(l, "slides") {
				return talkstream.RoleSlides
			} else if strings.Contains(l, "paper") || strings.Contains(l, "preprint") {
				return talkstream.RolePaper
			}
		}
		if g := trailingGroup.FindStringSubmatch(e.Title); g != nil {
			switch strings.ToLower(strings.TrimSpace(g[1])) {
			case "slides":
				return talkstream.RoleSlides
			case "paper", "preprint", "pdf":
				return talkstream.RolePaper
			}
		}
		return talkstream.RolePost
	}
	switch src.Kind {
	case talkstream.SourceYouTube, talkstream.SourceVimeo, talkstream.SourcePeerTube:
		return talkstream.RoleVideo
	case talkstream.SourceEvents:
		return talkstream.RoleEvent
	case talkstream.SourceCurated:
		switch e.Kind {
		case talkstream.KindPaper:
			return talkstream.RolePaper
		case talkstream.KindSlides:
			return talkstream.RoleSlides
		}
		if len(e.Links) > 0 && e.Links[0].Role != "" {
			return e.Links[0].Role
		}
		return talkstream.RolePage
	}
	return talkstream.RolePost
}
