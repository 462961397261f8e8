package merge

import "github.com/talkstream/talkstream"

// talkTime gives an item the time and place of its talk from the most
// trusted entry that knows them (a schedule, a calendar, a curated start),
// so that the item is upcoming until then and a calendar can show it.
func talkTime(item *talkstream.Item, ranked []StoredEntry) {
	for _, se := range ranked {
		if e := &se.Entry; !e.Start.IsZero() {
			item.Start, item.AllDay, item.Duration, item.Location = e.Start, e.AllDay, e.Duration, e.Location
			return
		}
	}
}
