package store

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
