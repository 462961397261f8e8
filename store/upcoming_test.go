package store

import (
	"context"
	"slices"
	"testing"

	"github.com/talkstream/talkstream/publish/index"
)

// TestTouchItems: touched items come past publish's cursor again, with
// their entries, although nothing changed them; the others do not.
func TestTouchItems(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	update(t, s, func(tx *Tx) error {
		for _, id := range []string{"a", "b", "c"} {
			if err := putItemWithEntry(tx, id, "src", "e-"+id, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	all, err := s.ChangedItems(ctx, index.Cursor{}, 10)
	if err != nil || len(all) != 3 {
		t.Fatalf("ChangedItems = %+v, %v", all, err)
	}
	cursor := index.Cursor{Rev: all[2].Rev, ItemID: all[2].Item.ID}
	tests := []struct {
		name  string
		touch []string
		want  []string
	}{
		{"nothing", nil, nil},
		{"two", []string{"c", "a"}, []string{"a", "c"}},
		{"an item that is not there", []string{"gone"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			publishUpdate(t, s, func(tx index.Tx) error { return tx.TouchItems(tt.touch) })
			got, err := s.ChangedItems(ctx, cursor, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.Item.ID)
				if len(c.Item.Entries) != 1 {
					t.Errorf("%s has %d entries", c.Item.ID, len(c.Item.Entries))
				}
				cursor = index.Cursor{Rev: c.Rev, ItemID: c.Item.ID}
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("past the cursor: %v, want %v", ids, tt.want)
			}
		})
	}
}
