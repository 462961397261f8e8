package schedule

import (
	"bytes"
	"encoding/xml"
	"fmt"

	"golang.org/x/net/html/charset"

	"github.com/talkstream/talkstream"
)

// The Pentabarf/frab XML schedule: <schedule><conference/><day><room>
// <event/>…</room></day></schedule>. Only what becomes an entry is read.
type xmlSchedule struct {
	XMLName    xml.Name      `xml:"schedule"`
	Conference xmlConference `xml:"conference"`
	Days       []struct {
		Date  string `xml:"date,attr"`
		Rooms []struct {
			Name   string     `xml:"name,attr"`
			Events []xmlEvent `xml:"event"`
		} `xml:"room"`
	} `xml:"day"`
}

type xmlConference struct {
	Title        string `xml:"title"`
	Acronym      string `xml:"acronym"`
	Start        string `xml:"start"`
	BaseURL      string `xml:"base_url"`
	TimeZoneName string `xml:"time_zone_name"`
}

type xmlEvent struct {
	GUID        string    `xml:"guid,attr"`
	ID          string    `xml:"id,attr"`
	Date        string    `xml:"date"`
	Start       string    `xml:"start"`
	Duration    string    `xml:"duration"`
	Room        string    `xml:"room"`
	Slug        string    `xml:"slug"`
	URL         string    `xml:"url"`
	Title       string    `xml:"title"`
	Subtitle    string    `xml:"subtitle"`
	Track       string    `xml:"track"`
	Type        string    `xml:"type"`
	Abstract    string    `xml:"abstract"`
	Description string    `xml:"description"`
	Persons     []string  `xml:"persons>person"`
	Links       []xmlLink `xml:"links>link"`
	Attachments []struct {
		Type  string `xml:"type,attr"`
		Href  string `xml:"href,attr"`
		Title string `xml:",chardata"`
	} `xml:"attachments>attachment"`
	// c3voc's schedules add where the recording will be published.
	Recording struct {
		URL  string `xml:"url"`
		Link string `xml:"link"`
	} `xml:"recording"`
	VideoDownloadURL string `xml:"video_download_url"`
}

type xmlLink struct {
	Href  string `xml:"href,attr"`
	Title string `xml:",chardata"`
}

// IsXML reports whether data looks like a Pentabarf/frab XML schedule: its
// root element is <schedule>. Only the first elements are read.
func IsXML(data []byte) bool {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	for i := 0; i < 64; i++ {
		tok, err := d.Token()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "schedule"
		}
	}
	return false
}

// ParseXML reads a Pentabarf/frab XML schedule.
func ParseXML(data []byte) (*Schedule, error) {
	var s xmlSchedule
	d := xml.NewDecoder(bytes.NewReader(data))
	d.CharsetReader = charset.NewReaderLabel
	if err := d.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSchedule, err)
	}
	c := &conference{
		title: s.Conference.Title, acronym: s.Conference.Acronym, baseURL: s.Conference.BaseURL,
		start: s.Conference.Start, loc: location(s.Conference.TimeZoneName),
	}
	var talks []talk
	for _, day := range s.Days {
		for _, room := range day.Rooms {
			for _, ev := range room.Events {
				if len(talks) > maxTalks {
					break
				}
				talks = append(talks, ev.talk(day.Date, room.Name))
			}
		}
	}
	return collect(c, talks)
}

func (ev *xmlEvent) talk(day, room string) talk {
	t := talk{
		guid: ev.GUID, id: ev.ID, slug: ev.Slug, date: ev.Date, day: day, start: ev.Start,
		duration: ev.Duration, room: firstNonEmpty(ev.Room, room), track: ev.Track, typ: ev.Type,
		title: ev.Title, subtitle: ev.Subtitle, abstract: ev.Abstract, description: ev.Description,
		url: ev.URL, persons: ev.Persons,
	}
	for _, a := range ev.Attachments {
		t.links = append(t.links, link{url: a.Href, title: a.Title, role: attachmentRole(a.Type, a.Href, a.Title)})
	}
	for _, l := range ev.Links {
		t.links = append(t.links, link{url: l.Href, title: l.Title})
	}
	for _, u := range []string{ev.Recording.Link, ev.Recording.URL, ev.VideoDownloadURL} {
		t.links = append(t.links, link{url: u, title: "recording", role: talkstream.RoleVideo})
	}
	return t
}
