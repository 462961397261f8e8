package publish

import (
	"bytes"
	"context"
	"fmt"
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
	if t.IsZero() && len(pg.members) == 0 && pg.st.Prefix != upcomingPrefix {
		// /upcoming/ is empty most of the time: its feeds say nothing
		// changed rather than when it last emptied.
		t = pg.st.Modified
	}
	if t.IsZero() {
		return epoch
	}
	return t
}

var fileFormats = map[string]index.Format{fileHTML: index.Card, fileRSS: index.RSS, fileAtom: index.Atom, fileJSON: index.JSON, fileICS: index.JSON}

// assembled is an output's body, and its gzip form when assembling it made
// one for free (a feed, from its items' compressed fragments).
type assembled struct {
	body, gz []byte
}

// assemble returns the body of an output.
func (p *Publisher) assemble(ctx context.Context, s *snapshot, o outputRef) (assembled, error) {
	if o.fixed != nil {
		return assembled{o.fixed.body, o.fixed.gz}, nil
	}
	members, err := p.pageMembers(ctx, o.st, o.n)
	if err != nil {
		return assembled{}, err
	}
	return p.assemblePage(ctx, s, o, members, p.readFragments)
}

// fragmentReader reads the fragments of items, with at least the
// rendering f.
type fragmentReader func(ctx context.Context, ids []string, f index.Format) (map[string]*index.Fragment, error)

// readFragments reads only the rendering asked for: serve assembles one
// output at a time.
func (p *Publisher) readFragments(ctx context.Context, ids []string, f index.Format) (map[string]*index.Fragment, error) {
	return p.store.Fragments(ctx, ids, f)
}

// pageReader reads every rendering of one page's items the first time one
// is asked for, and answers from them after that: export writes all the
// outputs of a page at once, and reading an item's row once is cheaper
// than once per format (store.Fragments).
func (p *Publisher) pageReader() fragmentReader {
	var all map[string]*index.Fragment
	return func(ctx context.Context, ids []string, _ index.Format) (map[string]*index.Fragment, error) {
		if all == nil {
			var err error
			if all, err = p.store.Fragments(ctx, ids, index.RSS, index.Atom, index.JSON, index.Card); err != nil {
				return nil, err
			}
		}
		return all, nil
	}
}

// memberIDs are the item ids of members.
func memberIDs(members []index.Member) []string {
	ids := make([]string, len(members))
	for i, m := range members {
		ids[i] = m.ItemID
	}
	return ids
}

// assemblePage returns the body of an output whose members are known,
// reading their fragments with read.
func (p *Publisher) assemblePage(ctx context.Context, s *snapshot, o outputRef, members []index.Member, read fragmentReader) (assembled, error) {
	if o.file == fileICS {
		return p.assembleICS(ctx, s, o, members, read)
	}
	format := fileFormats[o.file]
	frags, err := read(ctx, memberIDs(members), format)
	if err != nil {
		return assembled{}, err
	}
	pg := &pageData{st: o.st, n: o.n, archive: p.archivePages(o.st)}
	for _, m := range members {
		// An item merged away since the members were read has no
		// fragment any more: the next version leaves it out too.
		if f, ok := frags[m.ItemID]; ok {
			pg.members = append(pg.members, m)
			pg.fragments = append(pg.fragments, *f.Format(format))
		}
	}
	if o.file == fileHTML {
		var b bytes.Buffer
		b.Grow(8192 + 2048*len(pg.fragments))
		if err := p.writeHTML(ctx, &b, s, pg); err != nil {
			return assembled{}, err
		}
		return assembled{body: b.Bytes()}, nil
	}
	var fr frame
	switch o.file {
	case fileRSS:
		fr, err = p.rssFrame(pg)
	case fileAtom:
		fr, err = p.atomFrame(pg)
	default:
		fr, err = p.jsonFrame(pg)
	}
	if err != nil {
		return assembled{}, err
	}
	// The fragments are kept compressed twice (feedfragment.go): the body
	// is their text in the frame; the gzip form joins their segments.
	var b bytes.Buffer
	size := len(fr.pre) + len(fr.post)
	for _, f := range pg.fragments {
		size += 3 * len(f)
	}
	b.Grow(size)
	b.Write(fr.pre)
	segs := make([][]byte, len(pg.fragments))
	for i, f := range pg.fragments {
		if i > 0 {
			b.Write(fr.sep)
		}
		err := appendFeedText(&b, f)
		if err == nil {
			segs[i], err = feedSegment(f)
		}
		if err != nil {
			return assembled{}, fmt.Errorf("publish: fragment of %s: %w", pg.members[i].ItemID, err)
		}
	}
	b.Write(fr.post)
	var sep []byte
	if fr.sep != nil {
		sep = deflateSegment(fr.sep)
	}
	return assembled{body: b.Bytes(), gz: joinedGzip(b.Bytes(), fr.pre, segs, sep, fr.post)}, nil
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
