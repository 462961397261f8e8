package fetch

import (
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/fetch/internal/weblink"
	"github.com/talkstream/talkstream/internal/htmltext"
)

// youtubeEntry fills what a YouTube feed says only in its extensions: the id
// in yt:videoId, the description, title and thumbnail in media:group.
func (t *translator) youtubeEntry(item *gofeed.Item, e *talkstream.Entry) {
	id := extValue(item.Extensions, "yt", "videoId")
	if id == "" {
		id = strings.TrimPrefix(e.GUID, "yt:video:")
	}
	var v *talkstream.Video
	if youtubeFeedIDPattern.MatchString(id) {
		v = talkstream.NewVideo("youtube", id)
	} else if v = talkstream.ParseVideoURL(e.Link); v == nil || v.Provider != "youtube" {
		return
	}
	group := extFirst(item.Extensions, "media", "group")
	if e.Title == "" {
		e.Title = capRunes(htmltext.PlainText(childValue(group, "title")), maxTitleRunes)
	}
	if e.Summary == "" {
		e.Summary = textToHTML(childValue(group, "description"))
	}
	if e.Link == "" {
		e.Link = v.URL
	}
	t.fillVideo(item, e, v)
}

// vimeoEntry finds the clip id in the link, the media:player URL or the
// "tag:vimeo,DATE:clipID" GUID.
func (t *translator) vimeoEntry(item *gofeed.Item, e *talkstream.Entry) {
	v := talkstream.ParseVideoURL(e.Link)
	if v == nil || v.Provider != "vimeo" {
		v = nil
	players:
		for _, c := range item.Extensions["media"]["content"] {
			for _, p := range c.Children["player"] {
				if pv := talkstream.ParseVideoURL(p.Attrs["url"]); pv != nil && pv.Provider == "vimeo" {
					v = pv
					break players
				}
			}
		}
	}
	if v == nil {
		if m := vimeoClipGUID.FindStringSubmatch(e.GUID); m != nil {
			v = talkstream.NewVideo("vimeo", m[1])
		}
	}
	if v == nil {
		return
	}
	if e.Link == "" {
		e.Link = v.URL
	}
	t.fillVideo(item, e, v)
}

// fillVideo completes v from the item (thumbnail, duration, channel) and
// attaches it.
func (t *translator) fillVideo(item *gofeed.Item, e *talkstream.Entry, v *talkstream.Video) {
	if u := mediaThumbnail(item.Extensions); u != "" {
		v.Thumbnail = weblink.Resolve(t.base, u)
	} else if v.Thumbnail == "" {
		v.Thumbnail = e.Thumbnail
	}
	if e.Thumbnail == "" {
		e.Thumbnail = v.Thumbnail
	}
	v.Duration = mediaDuration(item)
	switch {
	case len(e.Authors) > 0:
		v.Channel = e.Authors[0]
	default:
		for _, c := range item.Extensions["media"]["content"] {
			for _, cr := range c.Children["credit"] {
				if cr.Attrs["role"] == "author" && v.Channel == "" {
					v.Channel = htmltext.PlainText(cr.Value)
				}
			}
		}
	}
	e.Video = v
}

// mediaThumbnail finds a media:thumbnail URL on the item, in media:group,
// or in media:content (directly or inside media:group).
func mediaThumbnail(exts ext.Extensions) string {
	media := exts["media"]
	if media == nil {
		return ""
	}
	if u := attrOf(first(media["thumbnail"]), "url"); u != "" {
		return u
	}
	var contents []ext.Extension
	contents = append(contents, media["content"]...)
	for _, g := range media["group"] {
		if u := attrOf(first(g.Children["thumbnail"]), "url"); u != "" {
			return u
		}
		contents = append(contents, g.Children["content"]...)
	}
	for _, c := range contents {
		if u := attrOf(first(c.Children["thumbnail"]), "url"); u != "" {
			return u
		}
	}
	return ""
}

// mediaDuration reads media:content's duration attribute (seconds), then
// itunes:duration.
func mediaDuration(item *gofeed.Item) time.Duration {
	media := item.Extensions["media"]
	var contents []ext.Extension
	contents = append(contents, media["content"]...)
	for _, g := range media["group"] {
		contents = append(contents, g.Children["content"]...)
	}
	for _, c := range contents {
		if d := parseMediaDuration(c.Attrs["duration"]); d > 0 {
			return d
		}
	}
	if item.ITunesExt != nil {
		return parseMediaDuration(item.ITunesExt.Duration)
	}
	return 0
}

// mediaParents are the Media RSS elements that may hold an item's media
// elements besides the item itself: media:group, media:content, and
// media:content inside media:group.
func mediaParents(exts ext.Extensions) []ext.Extension {
	media := exts["media"]
	parents := append(append([]ext.Extension(nil), media["group"]...), media["content"]...)
	for _, g := range media["group"] {
		parents = append(parents, g.Children["content"]...)
	}
	return parents
}

func extFirst(exts ext.Extensions, ns, name string) *ext.Extension {
	return first(exts[ns][name])
}

func extValue(exts ext.Extensions, ns, name string) string {
	if e := extFirst(exts, ns, name); e != nil {
		return strings.TrimSpace(e.Value)
	}
	return ""
}

func first(list []ext.Extension) *ext.Extension {
	if len(list) == 0 {
		return nil
	}
	return &list[0]
}

func childValue(e *ext.Extension, name string) string {
	if e == nil {
		return ""
	}
	if c := first(e.Children[name]); c != nil {
		return c.Value
	}
	return ""
}

func attrOf(e *ext.Extension, name string) string {
	if e == nil {
		return ""
	}
	return strings.TrimSpace(e.Attrs[name])
}

func isVimeo(link string) bool {
	v := talkstream.ParseVideoURL(link)
	return v != nil && v.Provider == "vimeo"
}
