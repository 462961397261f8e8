package merge

import (
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

// TestTalkTime checks that an item takes its talk's time and place from
// the most trusted entry that knows them, and keeps them when the
// recording joins it later.
func TestTalkTime(t *testing.T) {
	start := time.Date(2014, 2, 1, 15, 0, 0, 0, time.UTC)
	announced := talkstream.Entry{
		GUID: "fosdem-2014-unikernels", Title: "Unikernels at FOSDEM 2014",
		Link:      "https://www.youtube.com/watch?v=" + ytID,
		Published: time.Date(2014, 1, 10, 0, 0, 0, 0, time.UTC),
		Start:     start, Duration: 40 * time.Minute, Location: "Janson",
	}
	tests := []struct {
		name    string
		sources []string
		entries []talkstream.Entry
		want    time.Time
	}{
		{name: "no entry knows it", sources: []string{"tube"}, entries: []talkstream.Entry{tubeEntry()}},
		{name: "the announcement", sources: []string{"talks"}, entries: []talkstream.Entry{announced}, want: start},
		{name: "the recording joins later", sources: []string{"talks", "tube"}, entries: []talkstream.Entry{announced, tubeEntry()}, want: start},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, tx := New(testOptions()), newFakeTx()
			for i, src := range tt.sources {
				apply(t, m, tx, src, tt.entries[i])
			}
			ids := tx.itemIDs()
			if len(ids) != 1 {
				t.Fatalf("%d items, want 1", len(ids))
			}
			it, _ := m.Build(ids[0], tx.itemEntries(ids[0]))
			if !it.Start.Equal(tt.want) {
				t.Fatalf("start %v, want %v", it.Start, tt.want)
			}
			if !tt.want.IsZero() && (it.Duration != 40*time.Minute || it.Location != "Janson") {
				t.Errorf("duration %v location %q", it.Duration, it.Location)
			}
		})
	}
}
