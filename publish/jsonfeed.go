package publish

import (
	"bytes"
	"encoding/json"
	"time"
)

// JSON Feed 1.1 (https://jsonfeed.org/version/1.1) with the _talkstream
// extension.

type jsonFeed struct {
	Version     string     `json:"version"`
	Title       string     `json:"title"`
	HomePageURL string     `json:"home_page_url"`
	FeedURL     string     `json:"feed_url"`
	Description string     `json:"description,omitempty"`
	NextURL     string     `json:"next_url,omitempty"`
	Icon        string     `json:"icon,omitempty"`
	Favicon     string     `json:"favicon,omitempty"`
	Language    string     `json:"language,omitempty"`
	Hubs        []jsonHub  `json:"hubs,omitempty"`
	Items       []jsonItem `json:"items"` // always last: assembly puts the items' fragments at its end
}

// jsonHub is an endpoint for real-time notifications (JSON Feed 1.1).
type jsonHub struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url,omitempty"`
	Title         string           `json:"title,omitempty"`
	ContentHTML   string           `json:"content_html,omitempty"`
	ContentText   string           `json:"content_text,omitempty"`
	Summary       string           `json:"summary,omitempty"`
	Image         string           `json:"image,omitempty"`
	DatePublished string           `json:"date_published,omitempty"`
	DateModified  string           `json:"date_modified,omitempty"`
	Authors       []jsonAuthor     `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	Attachments   []jsonAttachment `json:"attachments,omitempty"`
	Talkstream    jsonExtension    `json:"_talkstream"`
}

type jsonAttachment struct {
	URL      string `json:"url"`
	MimeType string `json:"mime_type"`
	Size     int64  `json:"size_in_bytes,omitempty"`
}

type jsonExtension struct {
	Kind     string       `json:"kind,omitempty"`
	Speakers []string     `json:"speakers,omitempty"`
	Event    string       `json:"event,omitempty"`
	Tags     []string     `json:"tags,omitempty"`
	Sources  []jsonSource `json:"sources"`
	Video    *jsonVideo   `json:"video,omitempty"`
	jsonTalk
}

type jsonSource struct {
	Source        string `json:"source"`
	Role          string `json:"role,omitempty"`
	Title         string `json:"title,omitempty"`
	URL           string `json:"url,omitempty"`
	DatePublished string `json:"date_published,omitempty"`
}

type jsonVideo struct {
	Provider  string `json:"provider"`
	ID        string `json:"id"`
	URL       string `json:"url,omitempty"`
	EmbedURL  string `json:"embed_url,omitempty"`
	Thumbnail string `json:"thumbnail,omitempty"`
}

// jsonItem renders one item as a JSON Feed item.
func (r *renderer) jsonItem(v *itemView) ([]byte, error) {
	it := jsonItem{
		ID:           v.id,
		URL:          v.link,
		Title:        v.title,
		ContentHTML:  v.contentHTML,
		Summary:      v.summaryText,
		Image:        v.thumbnail,
		DateModified: v.updated.Format(time.RFC3339),
	}
	// The same categories as RSS and Atom: kind, tags and event.
	for _, c := range r.categories(v) {
		it.Tags = append(it.Tags, c.label)
	}
	if it.ContentHTML == "" {
		// JSON Feed requires content_html or content_text.
		it.ContentText = v.title
	}
	if !v.published.IsZero() {
		it.DatePublished = v.published.Format(time.RFC3339)
	}
	for _, a := range v.authors {
		it.Authors = append(it.Authors, jsonAuthor{Name: a.Name, URL: a.URL})
	}
	for _, e := range v.enclosures {
		it.Attachments = append(it.Attachments, jsonAttachment{URL: e.URL, MimeType: mimeType(e), Size: e.Length})
	}
	ext := jsonExtension{
		Kind:     v.kindFacet.slug,
		Speakers: cleanList(v.item.Speakers),
		Event:    cleanText(v.item.Event),
		Tags:     v.tags,
		Sources:  []jsonSource{},
	}
	for _, ie := range v.item.Entries {
		s := jsonSource{
			Source: cleanText(ie.Entry.SourceID),
			Role:   string(ie.Role),
			Title:  cleanText(ie.Entry.Title),
			URL:    safeURL(ie.Entry.Link),
		}
		if !ie.Entry.Published.IsZero() {
			s.DatePublished = ie.Entry.Published.UTC().Format(time.RFC3339)
		}
		ext.Sources = append(ext.Sources, s)
	}
	if vid := v.video; vid != nil {
		ext.Video = &jsonVideo{Provider: vid.Provider, ID: vid.ID, URL: vid.URL, EmbedURL: vid.EmbedURL, Thumbnail: vid.Thumbnail}
	}
	ext.jsonTalk = talkJSON(v)
	it.Talkstream = ext
	b, err := encodeJSON(it)
	if err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b, []byte("\n")), nil
}

// encodeJSON writes v as one line of JSON. The HTML in it is sanitised;
// escaping it only hurts readability.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// jsonFrame is one page of a stream as JSON Feed around its items, which
// commas separate. Every page is identified by the first page's feed_url
// and leads to the next older one with next_url, as JSON Feed 1.1 describes
// for older items: the first page to the newest archive page, each archive
// page to the one before.
func (p *Publisher) jsonFrame(pg *pageData) (frame, error) {
	st := pg.st
	f := jsonFeed{
		Version:     "https://jsonfeed.org/version/1.1",
		Title:       st.title,
		HomePageURL: p.abs(pagePrefix(st.Prefix, pg.n)),
		FeedURL:     p.abs(st.Prefix + "feed.json"),
		Description: st.description,
		Favicon:     p.abs("/favicon.svg"),
		Language:    p.opts.Language,
		Items:       []jsonItem{},
	}
	if p.opts.Hub != "" {
		f.Hubs = []jsonHub{{Type: "WebSub", URL: p.opts.Hub}}
	}
	if next := pg.older(); next >= 0 {
		f.NextURL = p.abs(pagePrefix(st.Prefix, next) + "feed.json")
	}
	head, err := encodeJSON(f)
	if err != nil {
		return frame{}, err
	}
	// head ends with "[]}\n": the items go between the brackets.
	return splitFrame(head, "]}\n", []byte(","))
}
