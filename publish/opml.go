package publish

import (
	"context"
	"encoding/xml"
	"strconv"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/publish/index"
)

// OPML 2.0 (http://opml.org/spec2.opml) of the sources that have a feed.

type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    opmlHead `xml:"head"`
	Body    opmlBody `xml:"body"`
}

type opmlHead struct {
	Title string `xml:"title"`
	Docs  string `xml:"docs"`
}

type opmlBody struct {
	Outlines []opmlOutline `xml:"outline"`
}

type opmlOutline struct {
	Text     string `xml:"text,attr"`
	Title    string `xml:"title,attr"`
	Type     string `xml:"type,attr"`
	XMLURL   string `xml:"xmlUrl,attr"`
	HTMLURL  string `xml:"htmlUrl,attr,omitempty"`
	Category string `xml:"category,attr,omitempty"`
}

// opml lists the sources that have a feed.
func opml(title string, sources []talkstream.Source) ([]byte, error) {
	doc := opmlDoc{
		Version: "2.0",
		Head:    opmlHead{Title: title + " — sources", Docs: "http://opml.org/spec2.opml"},
	}
	for i := range sources {
		s := &sources[i]
		feed := safeURL(s.URL)
		if feed == "" || s.State.Gone {
			continue // curated files and gone feeds have nothing to subscribe to
		}
		title := cleanText(s.DisplayTitle())
		doc.Body.Outlines = append(doc.Body.Outlines, opmlOutline{
			Text: title, Title: title, Type: "rss", XMLURL: feed,
			HTMLURL:  firstNonEmpty(safeURL(s.Site), safeURL(s.State.FeedLink)),
			Category: "/" + string(s.Kind),
		})
	}
	return encodeXML(doc)
}

// metaOPML records sources.opml's version and the time it took it:
// "VERSION UNIXSECONDS".
const metaOPML = "publish_opml"

// opmlOutput makes sources.opml. Its Last-Modified is when its bytes last
// changed, kept in the store: a fetch that changes nothing it lists (a
// 304, a new entry) leaves it, and so does a restart, another instance or
// a build, so that If-Modified-Since and the exported file's time agree.
// A new version takes the sources' newest fetch, which is what changed it
// when a fetch did.
func (p *Publisher) opmlOutput(ctx context.Context, s *snapshot, sources []talkstream.Source) (*fixedOutput, error) {
	body, err := opml(p.opts.Title, sources)
	if err != nil {
		return nil, err
	}
	o := newFixed("/sources.opml", "text/x-opml; charset=utf-8", kindFeed, body, epoch)
	if cur := p.cur.Load(); cur != nil {
		if old := cur.fixed[o.path]; old != nil && old.version == o.version {
			o.modTime = old.modTime
			return o, nil
		}
	}
	err = p.store.UpdatePublish(ctx, func(tx index.Tx) error {
		stored, err := tx.Meta(metaOPML)
		if err != nil {
			return err
		}
		if version, secs, ok := strings.Cut(stored, " "); ok && version == o.version {
			if n, err := strconv.ParseInt(secs, 10, 64); err == nil {
				o.modTime = time.Unix(n, 0).UTC()
				return nil
			}
		}
		if mod := s.sources.modified; !mod.IsZero() {
			o.modTime = mod.UTC().Truncate(time.Second)
		}
		return tx.SetMeta(metaOPML, o.version+" "+strconv.FormatInt(o.modTime.Unix(), 10))
	})
	return o, err
}
