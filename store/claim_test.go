package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func TestClaimSources(t *testing.T) { forEngines(t, testClaimSources) }

func testClaimSources(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	due := now.Add(-time.Minute)
	update(t, s, func(tx *Tx) error {
		return tx.PutSourceState("known", talkstream.FetchState{NextCheck: due, ETag: `"e"`})
	})
	lease := now.Add(5 * time.Minute)

	tests := []struct {
		name   string
		claims []Claim
		want   []string
	}{
		{"new and known", []Claim{{ID: "new"}, {ID: "known", Seen: due}}, []string{"new", "known"}},
		// A second scheduler that read the same snapshot gets nothing.
		{"already claimed", []Claim{{ID: "new"}, {ID: "known", Seen: due}}, nil},
		{"stale read", []Claim{{ID: "known", Seen: now}}, nil},
		{"current read", []Claim{{ID: "known", Seen: lease}}, []string{"known"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ClaimSources(ctx, tt.claims, lease)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("claimed %v, want %v", got, tt.want)
			}
		})
	}
	states, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := states["known"]; !st.NextCheck.Equal(lease) || st.ETag != `"e"` {
		t.Errorf("a claim changes only the next check: %+v", st)
	}
	if st := states["new"]; !st.NextCheck.Equal(lease) {
		t.Errorf("new source next check = %v", st.NextCheck)
	}
}
