package publish

import (
	"bytes"
	"context"
	"time"

	"github.com/talkstream/talkstream/publish/index"
)

// Assembly: an output is its stream's header, its page's items' fragments
// in stream order and a footer. Nothing of an item is rendered here.

// pageData is one page of a stream with its items' fragments in one format.
type pageData struct {
	st        *streamView
	n         int // 0: the first page; else the archive page
	archive   int // how many archive pages the stream has
	members   []index.Member
	fragments [][]byte // in the order of members
}

// updated is the newest updated time of the page's items: the feed's own
// date. An empty page takes its stream's Last-Modified.
func (pg *pageData) updated() time.Time {
	var t time.Time
	for _, m := range pg.members {
		if m.Updated.After(t) {
			t = m.Updated
		}
	}
	if t.IsZero() && len(pg.members) == 0 {
		t = pg.st.Modified
	}
	if t.IsZero() {
		return epoch
	}
	return t
}

var fileFormats = map[string]index.Format{fileHTML: index.Card, fileRSS: index.RSS, fileAtom: index.Atom, fileJSON: index.JSON}

// assemble returns the body of an output.
func (p *Publisher) assemble(ctx context.Context, s *snapshot, o outputRef) ([]byte, error) {
	if o.fixed != nil {
		return o.fixed.body, nil
	}
	members, err := p.pageMembers(ctx, o.st, o.n)
	if err != nil {
		return nil, err
	}
	return p.assemblePage(ctx, s, o, members)
}

// assemblePage returns the body of an output whose members are known.
func (p *Publisher) assemblePage(ctx context.Context, s *snapshot, o outputRef, members []index.Member) ([]byte, error) {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.ItemID
	}
	frags, err := p.store.Fragments(ctx, fileFormats[o.file], ids)
	if err != nil {
		return nil, err
	}
	pg := &pageData{st: o.st, n: o.n, archive: p.archivePages(o.st)}
	for _, m := range members {
		// An item merged away since the members were read has no
		// fragment any more: the next version leaves it out too.
		if f, ok := frags[m.ItemID]; ok {
			pg.members = append(pg.members, m)
			pg.fragments = append(pg.fragments, f)
		}
	}
	var b bytes.Buffer
	size := 4096
	for _, f := range pg.fragments {
		size += len(f)
	}
	b.Grow(size)
	switch o.file {
	case fileRSS:
		err = p.writeRSS(&b, pg)
	case fileAtom:
		err = p.writeAtom(&b, pg)
	case fileJSON:
		err = p.writeJSON(&b, pg)
	default:
		err = p.writeHTML(ctx, &b, s, pg)
	}
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// older is the page after this one, towards the oldest items: the newest
// archive page after the first page, the previous archive page after an
// archive page; -1 after the oldest.
func (pg *pageData) older() int {
	switch {
	case pg.n == 0 && pg.archive > 0:
		return pg.archive
	case pg.n > 1:
		return pg.n - 1
	}
	return -1
}

// newer is the page before this one, towards the newest items; -1 before
// the first page.
func (pg *pageData) newer() int {
	switch {
	case pg.n == 0:
		return -1
	case pg.n == pg.archive:
		return 0
	}
	return pg.n + 1
}
