package schedule

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

// The frab/c3voc schedule JSON: {"schedule": {"conference": {…, "days":
// [{"date", "rooms": {"Room": [event…]}}]}}}, or c3voc's schedule 2.0 (the
// CCC hub's), whose talks are one list, {"schedule": {"conference": {…},
// "events": [event…]}}. Fields of an unexpected type are read as absent
// rather than failing the whole schedule (loose).
type jsonSchedule struct {
	Schedule *struct {
		BaseURL    loose             `json:"base_url"`
		Events     []json.RawMessage `json:"events"`
		Conference struct {
			Title        loose `json:"title"`
			Acronym      loose `json:"acronym"`
			Start        loose `json:"start"`
			BaseURL      loose `json:"base_url"`
			TimeZoneName loose `json:"time_zone_name"`
			Tracks       []struct {
				Name loose `json:"name"`
				Slug loose `json:"slug"`
			} `json:"tracks"`
			Days []struct {
				Date  loose                        `json:"date"`
				Rooms map[string][]json.RawMessage `json:"rooms"`
			} `json:"days"`
		} `json:"conference"`
	} `json:"schedule"`
}

type jsonEvent struct {
	GUID        loose `json:"guid"`
	ID          loose `json:"id"`
	Date        loose `json:"date"`
	Start       loose `json:"start"`
	Duration    loose `json:"duration"`
	Room        loose `json:"room"`
	Slug        loose `json:"slug"`
	URL         loose `json:"url"`
	Title       loose `json:"title"`
	Subtitle    loose `json:"subtitle"`
	Track       loose `json:"track"`
	Type        loose `json:"type"`
	Abstract    loose `json:"abstract"`
	Description loose `json:"description"`
	Persons     []struct {
		PublicName loose `json:"public_name"`
		Name       loose `json:"name"`
	} `json:"persons"`
	Links []struct {
		URL   loose `json:"url"`
		Title loose `json:"title"`
	} `json:"links"`
	Attachments []struct {
		URL   loose `json:"url"`
		Title loose `json:"title"`
		Type  loose `json:"type"`
	} `json:"attachments"`
	Recording struct {
		URL  loose `json:"url"`
		Link loose `json:"link"`
	} `json:"recording"`
	VideoDownloadURL loose `json:"video_download_url"`
}

// jsonEvent2 is an event of schedule 2.0: its start and end with their
// offsets, its room and track as objects, its people as participants.
type jsonEvent2 struct {
	jsonEvent
	End          loose      `json:"end"`
	Room         nameOrText `json:"room"`
	Track        nameOrText `json:"track"`
	Participants []struct {
		Name       loose `json:"name"`
		PublicName loose `json:"public_name"`
	} `json:"participants"`
}

// nameOrText is a string, or an object read by its name (else its slug).
type nameOrText string

func (n *nameOrText) UnmarshalJSON(b []byte) error {
	var obj struct {
		Name loose `json:"name"`
		Slug loose `json:"slug"`
	}
	var l loose
	if json.Unmarshal(b, &obj) == nil {
		*n = nameOrText(firstNonEmpty(string(obj.Name), string(obj.Slug)))
	} else if json.Unmarshal(b, &l) == nil {
		*n = nameOrText(l)
	}
	return nil
}

func (ev *jsonEvent2) talk() talk {
	ev.jsonEvent.Room, ev.jsonEvent.Track = loose(ev.Room), loose(ev.Track)
	if ev.jsonEvent.Date == "" {
		ev.jsonEvent.Date = ev.jsonEvent.Start
	}
	t := ev.jsonEvent.talk("", "")
	t.start = ""
	for _, p := range ev.Participants {
		t.persons = append(t.persons, firstNonEmpty(string(p.PublicName), string(p.Name)))
	}
	if t.duration == "" {
		start, err1 := time.Parse(time.RFC3339, strings.TrimSpace(t.date))
		end, err2 := time.Parse(time.RFC3339, strings.TrimSpace(string(ev.End)))
		if d := end.Sub(start); err1 == nil && err2 == nil && d > 0 {
			t.duration = fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
		}
	}
	return t
}

// loose is a JSON string, number or boolean read as text; anything else
// reads as "".
type loose string

func (l *loose) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil
	}
	switch x := v.(type) {
	case string:
		*l = loose(x)
	case float64, bool:
		*l = loose(bytes.TrimSpace(b))
	}
	return nil
}

// IsJSON reports whether data is a frab/c3voc JSON schedule: an object
// with a "schedule" object holding a "conference".
func IsJSON(data []byte) bool {
	var probe struct {
		Schedule *struct {
			Conference *json.RawMessage `json:"conference"`
		} `json:"schedule"`
	}
	return json.Unmarshal(data, &probe) == nil && probe.Schedule != nil && probe.Schedule.Conference != nil
}

// ParseJSON reads a frab/c3voc JSON schedule.
func ParseJSON(data []byte) (*Schedule, error) {
	var s jsonSchedule
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotSchedule, err)
	}
	if s.Schedule == nil {
		return nil, fmt.Errorf("%w: no \"schedule\" object", ErrNotSchedule)
	}
	conf := s.Schedule.Conference
	c := &conference{
		title: string(conf.Title), acronym: string(conf.Acronym), start: string(conf.Start),
		baseURL: firstNonEmpty(string(s.Schedule.BaseURL), string(conf.BaseURL)), loc: location(string(conf.TimeZoneName)),
	}
	var talks []talk
	for _, day := range conf.Days {
		// Rooms are an object: visit them in a fixed order so that the
		// entries come out the same at every fetch.
		names := make([]string, 0, len(day.Rooms))
		for name := range day.Rooms {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			for _, raw := range day.Rooms[name] {
				if len(talks) > maxTalks {
					break
				}
				var ev jsonEvent
				if json.Unmarshal(raw, &ev) != nil {
					continue
				}
				talks = append(talks, ev.talk(string(day.Date), name))
			}
		}
	}
	trackNames := map[string]string{} // schedule 2.0 names an event's track by its slug
	for _, tr := range conf.Tracks {
		if tr.Slug != "" && tr.Name != "" {
			trackNames[string(tr.Slug)] = string(tr.Name)
		}
	}
	for _, raw := range s.Schedule.Events {
		if len(talks) > maxTalks {
			break
		}
		var ev jsonEvent2
		if json.Unmarshal(raw, &ev) != nil {
			continue
		}
		if name, ok := trackNames[string(ev.Track)]; ok {
			ev.Track = nameOrText(name)
		}
		talks = append(talks, ev.talk())
	}
	return collect(c, talks)
}

func (ev *jsonEvent) talk(day, room string) talk {
	t := talk{
		guid: string(ev.GUID), id: string(ev.ID), slug: string(ev.Slug), date: string(ev.Date), day: day,
		start: string(ev.Start), duration: string(ev.Duration), room: firstNonEmpty(string(ev.Room), room),
		track: string(ev.Track), typ: string(ev.Type), title: string(ev.Title), subtitle: string(ev.Subtitle),
		abstract: string(ev.Abstract), description: string(ev.Description), url: string(ev.URL),
	}
	for _, p := range ev.Persons {
		t.persons = append(t.persons, firstNonEmpty(string(p.PublicName), string(p.Name)))
	}
	for _, a := range ev.Attachments {
		t.links = append(t.links, link{url: string(a.URL), title: string(a.Title), role: attachmentRole(string(a.Type), string(a.URL), string(a.Title))})
	}
	for _, l := range ev.Links {
		t.links = append(t.links, link{url: string(l.URL), title: string(l.Title)})
	}
	for _, u := range []loose{ev.Recording.Link, ev.Recording.URL, ev.VideoDownloadURL} {
		t.links = append(t.links, link{url: string(u), title: "recording", role: talkstream.RoleVideo})
	}
	return t
}
