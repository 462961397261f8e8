package merge

import "github.com/talkstream/talkstream/merge/ledger"

// The store's side of merging lives in merge/ledger, the one contract both
// database engines implement; these names keep merge's own code short.
type (
	Tx          = ledger.Tx
	StoredEntry = ledger.StoredEntry
	ItemRecord  = ledger.ItemRecord
	KeyOwner    = ledger.KeyOwner
	KeyRange    = ledger.KeyRange
	EntryRef    = ledger.EntryRef
)
