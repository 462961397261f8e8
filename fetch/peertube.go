package fetch

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch/internal/weblink"
)

// PeerTube's channel and account feeds are RSS with Media RSS: the item's
// link is the watch page (/w/SHORTID since PeerTube 4, /videos/watch/UUID
// before), media:player and media:embed name the embed page by UUID, and
// the enclosures are the video files, named by UUID too.

// peerTubeFileUUID finds the UUID in a PeerTube file URL
// (/download/videos/UUID-720.mp4, /static/web-videos/UUID-720.mp4).
var peerTubeFileUUID = regexp.MustCompile(`/(?:download|static)/[a-z-]+/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-`)

// peerTubeEntry sets the video of a PeerTube feed's item: the embed URL's
// UUID first, then the watch link's, then an enclosure's, each on the
// host that serves it.
func (t *translator) peerTubeEntry(item *gofeed.Item, e *talkstream.Entry) {
	candidates := mediaURLs(item, "embed", "player")
	candidates = append(candidates, e.Link)
	for _, u := range candidates {
		if v := talkstream.ParseVideoURL(weblink.Resolve(t.base, u)); v != nil && v.Provider == "peertube" {
			t.fillVideo(item, e, v)
			return
		}
	}
	for _, enc := range e.Enclosures {
		if m := peerTubeFileUUID.FindStringSubmatch(enc.URL); m != nil {
			if u, err := url.Parse(enc.URL); err == nil {
				if v := talkstream.NewPeerTubeVideo(u.Host, m[1]); v != nil {
					t.fillVideo(item, e, v)
					return
				}
			}
		}
	}
}

// mediaURLs lists the url attributes of the named Media RSS elements of an
// item, wherever Media RSS allows them (on the item, in media:group, in
// media:content, in media:content inside media:group).
func mediaURLs(item *gofeed.Item, names ...string) []string {
	media := item.Extensions["media"]
	parents := mediaParents(item.Extensions)
	var out []string
	for _, name := range names {
		els := append([]ext.Extension(nil), media[name]...)
		for _, p := range parents {
			els = append(els, p.Children[name]...)
		}
		for _, x := range els {
			if u := strings.TrimSpace(x.Attrs["url"]); u != "" {
				out = append(out, u)
			}
		}
	}
	return out
}
