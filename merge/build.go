package merge

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/talkstream/talkstream"
)

// rank orders sources by how much their title and summary are trusted
// (Options.Priority): a source named by id, else its kind; lower wins.
func (m *Merger) rank(sourceID string) int {
	r := len(m.priority)
	if p, ok := m.priority[sourceID]; ok {
		r = p
	}
	if s, ok := m.sources[sourceID]; ok {
		if p, ok := m.priority[string(s.Kind)]; ok && p < r {
			r = p
		}
	}
	return r
}

func (m *Merger) sourceKind(sourceID string) talkstream.SourceKind {
	if s, ok := m.sources[sourceID]; ok {
		return s.Kind
	}
	return ""
}

// Build derives an item from its entries. It is a pure function of the
// entries and the options, so rebuilding an unchanged item changes nothing.
func (m *Merger) Build(itemID string, entries []StoredEntry) (*talkstream.Item, []string) {
	return m.build(itemID, entries, nil, newTextCache())
}

// build is Build with the keys of some entries already known.
func (m *Merger) build(itemID string, entries []StoredEntry, entryKeys map[EntryRef][]string, tc *textCache) (*talkstream.Item, []string) {
	es := append([]StoredEntry(nil), entries...)
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		if a.SourceID != b.SourceID {
			return a.SourceID < b.SourceID
		}
		return a.EntryID < b.EntryID
	})
	item := &talkstream.Item{ID: itemID}
	keys := map[string]string{}
	_, split := m.splits[itemID]
	for _, se := range es {
		item.Entries = append(item.Entries, talkstream.ItemEntry{ID: se.EntryID, Role: se.Role, Entry: se.Entry})
		item.Why = append(item.Why, fmt.Sprintf("entry %s/%s: %s", se.SourceID, se.EntryID, se.Why))
		if split {
			continue // a split item answers to no key: nothing merges into it again
		}
		if ks, ok := entryKeys[se.Ref()]; ok {
			for _, k := range ks {
				keys[k] = ""
			}
			continue
		}
		for k, why := range m.keysOf(&se, tc) {
			keys[k] = why
		}
		for _, k := range m.entryTitleOf(&se, tc).keys {
			keys[k] = "title"
		}
	}
	if split {
		item.Why = append(item.Why, "split by config (split:): keys merge nothing into this item")
	}
	if m.hide[itemID] {
		item.Why = append(item.Why, "hidden by config (hide:): in no output")
	}

	// The best entry gives title, summary, content and link: the most
	// trusted source, then the earliest date, so that the choice does not
	// depend on which source happened to be fetched first.
	ranked := m.byPriority(es)
	best := ranked[0]
	b := &best.Entry
	item.Title = b.Title
	item.Summary, item.Content, item.Link = b.Summary, b.Content, b.Link
	if item.Title == "" {
		for _, se := range es {
			if se.Entry.Title != "" {
				item.Title = se.Entry.Title
				break
			}
		}
	}
	if item.Summary == "" && item.Content == "" {
		for _, se := range es {
			if se.Entry.Summary != "" || se.Entry.Content != "" {
				item.Summary, item.Content = se.Entry.Summary, se.Entry.Content
				break
			}
		}
	}
	if item.Link == "" {
		for _, se := range es {
			if se.Entry.Link != "" {
				item.Link = se.Entry.Link
				break
			}
		}
	}
	item.Link = StripTracking(item.Link)
	item.Links = distinctLinks(es)
	item.Why = append(item.Why, fmt.Sprintf("title and summary from %s/%s (%s source, priority %d)", best.SourceID, best.EntryID, m.sourceKind(best.SourceID), m.rank(best.SourceID)+1))

	// Dates: published is the earliest claim; updated the latest change.
	for _, se := range es {
		p := se.Entry.Published
		if p.IsZero() || p.After(se.FirstSeen) {
			p = se.Changed
			if p.After(se.FirstSeen) {
				p = se.FirstSeen
			}
		}
		if item.Published.IsZero() || p.Before(item.Published) {
			item.Published = p
		}
		if se.Changed.After(item.Updated) {
			item.Updated = se.Changed
		}
	}
	if item.Updated.Before(item.Published) {
		item.Updated = item.Published
	}

	m.schedule(item, ranked)

	// Video and thumbnail come from the video platform entry first.
	for _, pass := range []bool{true, false} {
		for _, se := range es {
			isVideoSource := se.Role == talkstream.RoleVideo && m.sourceKind(se.SourceID) != talkstream.SourceCurated
			if item.Video != nil || isVideoSource != pass {
				continue
			}
			if v, _ := entryVideo(&se.Entry, tc); v != nil {
				item.Video = v
			}
		}
	}
	for _, se := range es {
		if se.Role == talkstream.RoleVideo && se.Entry.Thumbnail != "" {
			item.Thumbnail = se.Entry.Thumbnail
			break
		}
	}
	if item.Thumbnail == "" && item.Video != nil {
		item.Thumbnail = item.Video.Thumbnail
	}
	if item.Thumbnail == "" {
		for _, se := range es {
			if se.Entry.Thumbnail != "" {
				item.Thumbnail = se.Entry.Thumbnail
				break
			}
		}
	}

	m.tag(item, ranked, &best, tc)
	return item, sortedKeys(keys)
}

// byPriority orders entries by the rank of their source, then by date,
// then by identity.
func (m *Merger) byPriority(es []StoredEntry) []StoredEntry {
	out := append([]StoredEntry(nil), es...)
	date := func(se *StoredEntry) time.Time {
		if !se.Entry.Published.IsZero() {
			return se.Entry.Published
		}
		return se.Changed
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if ra, rb := m.rank(a.SourceID), m.rank(b.SourceID); ra != rb {
			return ra < rb
		}
		if da, db := date(a), date(b); !da.Equal(db) {
			return da.Before(db)
		}
		if a.SourceID != b.SourceID {
			return a.SourceID < b.SourceID
		}
		return a.EntryID < b.EntryID
	})
	return out
}

// distinctLinks lists every page of an item once: entries' own links and
// curated links, folded by canonical URL (a cross-post with tracking
// parameters is the same page), without tracking parameters, https
// preferred.
func distinctLinks(es []StoredEntry) []talkstream.Link {
	var out []talkstream.Link
	seen := map[string]int{}
	add := func(role talkstream.Role, raw, title, source string) {
		if strings.TrimSpace(raw) == "" {
			return
		}
		clean := StripTracking(raw)
		key := CanonicalURL(raw)
		if key == "" {
			key = clean
		}
		// A video is one link however it is written: an embed (a page's
		// JSON-LD embedUrl, an iframe) is shown as its watch page.
		if v := talkstream.ParseVideoURL(raw); v != nil {
			key = "video:" + v.Provider + ":" + v.ID
			if isEmbedURL(clean) {
				clean = v.URL
			}
		}
		if i, ok := seen[key]; ok {
			if strings.HasPrefix(clean, "https:") && !strings.HasPrefix(out[i].URL, "https:") {
				out[i].URL = clean
			}
			return
		}
		seen[key] = len(out)
		out = append(out, talkstream.Link{Role: role, URL: clean, Title: title, Source: source})
	}
	for _, se := range es {
		add(se.Role, se.Entry.Link, "", se.SourceID)
		for _, l := range se.Entry.Links {
			add(l.Role, l.URL, l.Title, se.SourceID)
		}
	}
	return out
}

// isEmbedURL reports whether a video URL is a player meant for an iframe
// rather than the page a reader visits.
func isEmbedURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return strings.Contains(u.Path, "/embed/") || strings.HasPrefix(u.Host, "player.")
}

// schedule sets when and where the talk takes place: the start (with its
// all-day flag and duration) from the most trusted entry that gives one,
// and a timed start over a date alone (a speaker's list that knows the
// day, a schedule that knows the hour); the location likewise.
func (m *Merger) schedule(item *talkstream.Item, ranked []StoredEntry) {
	var from *StoredEntry
	for i := range ranked {
		e := &ranked[i].Entry
		if e.Start.IsZero() {
			continue
		}
		if from == nil || from.Entry.AllDay && !e.AllDay {
			from = &ranked[i]
		}
	}
	if from != nil {
		e := &from.Entry
		item.Start, item.AllDay, item.Duration = e.Start, e.AllDay, e.Duration
		if item.Duration == 0 {
			for _, se := range ranked {
				if se.Entry.Duration > 0 && se.Entry.AllDay == e.AllDay && sameDay(se.Entry.Start, e.Start) {
					item.Duration = se.Entry.Duration
					break
				}
			}
		}
		when := "at " + e.Start.Format(time.RFC3339)
		if e.AllDay {
			when = "on " + e.Start.Format("2006-01-02")
		}
		item.Why = append(item.Why, fmt.Sprintf("start %s from %s/%s", when, from.SourceID, from.EntryID))
	}
	for _, se := range ranked {
		if se.Entry.Location != "" {
			item.Location = se.Entry.Location
			break
		}
	}
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}
