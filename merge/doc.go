// Package merge decides which entries are the same talk or story and derives
// one Item from them. It owns entry identity inside a source (GUID, else
// link, else a content hash), the cross-source keys (canonical URLs, video
// ids, and normalised titles within a window of dates), the evidence that
// separates what a title joined (different events or years, disjoint
// speakers, an episode or a post about a talk rather than the talk: see
// evidence.go), change detection by content hash, the tagging of items
// with kind, speakers, event and topics from the strongest evidence
// (kind.go, tag.go), and moderation (hidden items, split merges). Every
// decision is recorded in the item's Why lines, with the evidence it
// rejected, which `talkstream explain` prints.
//
// It does no I/O of its own: it reads and writes through the Tx interface,
// which the store implements inside one transaction per source. Tx works in
// batches: an Apply looks everything up once, decides in memory (entries of
// one fetch see each other's keys), and writes the entries and items back
// in a few statements, because with a pure-Go SQLite the cost of a statement
// is mostly its overhead, not its work.
package merge
