package store

import (
	"fmt"
	"slices"
)

// Items that publish renders again although merge did not change them: an
// upcoming talk whose start has come, the items a renamed source
// contributed to.

// TouchItems implements index.Tx: the items get this transaction's
// revision, as if merge had saved them, so that publish renders them again
// (an upcoming talk whose date has come moves into the stream).
func (t *Tx) TouchItems(itemIDs []string) error {
	if len(itemIDs) == 0 {
		return nil
	}
	rev, err := t.itemRev()
	if err != nil {
		return err
	}
	ids := make([]any, len(itemIDs))
	for i, id := range itemIDs {
		ids[i] = id
	}
	return chunks(ids, func(ids []any) error {
		args := append([]any{rev}, ids...)
		_, err := t.exec(`UPDATE items SET rev = ? WHERE id IN (`+placeholders(len(ids), 1)+`)`, args...)
		return err
	})
}

// ItemsOfSources implements index.Tx: a renamed source's name is in the
// links of the items it contributed to, and only those are rendered again.
func (t *Tx) ItemsOfSources(sourceIDs []string) ([]string, error) {
	ids := make([]any, len(sourceIDs))
	for i, id := range sourceIDs {
		ids[i] = id
	}
	seen := map[string]bool{}
	var out []string
	err := chunks(ids, func(ids []any) error {
		rows, err := t.query(`SELECT DISTINCT item_id FROM entries WHERE source_id IN (`+placeholders(len(ids), 1)+`)`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: items of sources: %w", err)
	}
	slices.Sort(out)
	return out, nil
}
