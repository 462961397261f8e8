package merge

import (
	"fmt"
	"slices"
	"strings"
)

// Weighing the candidates an entry's weak keys find. URL and video keys
// join outright (lookup in apply.go); a title, a year or a recording that
// a post links only proposes an item, which the evidence of both sides
// (evidence.go) may reject.

// rejection is a candidate item evidence separated, and why.
type rejection struct {
	item, why string
}

// titleCandidate weighs the items a change's title forms find: only the
// item nearest in date within the window (a title seen twice within the
// window either side is no evidence that those two are one talk), and
// only when nothing separates the two entries; failing that, an item that
// names the same year and agrees on the event or a speaker. Every
// candidate evidence separated is recorded in c.rejected.
func (a *applyState) titleCandidate(c *change) (*titleHit, string) {
	t := &c.title
	if len(t.forms) == 0 {
		return nil, ""
	}
	rejected := map[string]bool{}
	reject := func(f string, h *titleHit, why string) {
		r := fmt.Sprintf("title %q also names item %s, but %s", f, a.resolve(h.item), why)
		if !rejected[r] {
			rejected[r] = true
			c.rejected = append(c.rejected, rejection{h.item, r})
		}
	}
	var best *titleHit
	var bestDist int64
	bestForm := ""
	for _, f := range t.forms {
		for i := range a.titles[f] {
			h := &a.titles[f][i]
			if h.ev.id != "" && h.ev.id == t.ev.id {
				continue // the entry itself, stored before
			}
			dist := max(h.day-t.day, t.day-h.day)
			if dist > a.m.window {
				continue
			}
			if why := separates(t.ev, h.ev); why != "" {
				reject(f, h, why)
				continue
			}
			if best == nil || dist < bestDist ||
				(dist == bestDist && a.created[a.resolve(h.item)] < a.created[a.resolve(best.item)]) {
				best, bestDist, bestForm = h, dist, f
			}
		}
	}
	if best != nil {
		return best, fmt.Sprintf("its title %q, %d days apart", bestForm, bestDist)
	}
	if t.ev.year == 0 {
		return nil, ""
	}
	for _, f := range t.forms {
		hits := a.years[yearKey(f, t.ev.year)]
		for i := range hits {
			h := &hits[i]
			if h.ev.id != "" && h.ev.id == t.ev.id {
				continue
			}
			if why := separates(t.ev, h.ev); why != "" {
				reject(f, h, why)
				continue
			}
			if !agrees(t.ev, h.ev) {
				continue
			}
			if best == nil || a.created[a.resolve(h.item)] < a.created[a.resolve(best.item)] {
				best, bestForm = h, f
			}
		}
	}
	if best == nil {
		return nil, ""
	}
	return best, fmt.Sprintf("its title %q and year %d, with the same event or a speaker in common", bestForm, t.ev.year)
}

// keysOf returns an entry's URL and video keys. An entry that is not the
// thing itself (a podcast episode, a post about a talk) gives no key from
// the recording its text links: linking is not being.
func (m *Merger) keysOf(se *StoredEntry, tc *textCache) map[string]string {
	keys := keysWith(&se.Entry, tc)
	if isTitledID(se.EntryID) {
		// A link its feed gives several stories is none of theirs, as a
		// site's home page is no talk's: it joins nothing.
		delete(keys, keyURL+CanonicalURL(se.Entry.Link))
	}
	if natureOf(m.sourceKind(se.SourceID), &se.Entry) == natureThing {
		return keys
	}
	for k, why := range keys {
		if strings.HasPrefix(k, keyVideo) && why == whyHTMLVideo {
			delete(keys, k)
			if natureOf(m.sourceKind(se.SourceID), &se.Entry) == natureAbout {
				keys[aboutKey(k)+evidenceSep+m.evidenceOf(se, tc).encode()] = "the recording it is about, which its HTML links"
			}
		}
	}
	return keys
}

// linkedVideo is the video key of the recording a post about it links,
// or "".
func (m *Merger) linkedVideo(se *StoredEntry, tc *textCache) string {
	if natureOf(m.sourceKind(se.SourceID), &se.Entry) != natureAbout {
		return ""
	}
	for k, why := range keysWith(&se.Entry, tc) {
		if strings.HasPrefix(k, keyVideo) && why == whyHTMLVideo {
			return k
		}
	}
	return ""
}

// speakerPosts joins a post about a talk and the talk's recording unless
// their speakers are known and disjoint: a speaker presenting their own
// talk writes its page, someone else's recap is a post of its own. A
// podcast episode never joins the recordings its notes link.
func (a *applyState) speakerPosts(c *change, found map[string]KeyOwner, why map[string]string) error {
	reject := func(item, reason string) {
		c.rejected = append(c.rejected, rejection{item, fmt.Sprintf("item %s has the recording it links, but %s", item, reason)})
	}
	if c.linked != "" { // a post about a recording: is it by a speaker of the recording?
		id := a.pending[c.linked]
		if id == "" {
			id = a.owners[c.linked].ItemID
		}
		if id == "" {
			return nil
		}
		id = a.resolve(id)
		speakers, err := a.speakersOf(id)
		if err != nil {
			return err
		}
		ev := a.m.evidenceOf(c.se, a.texts)
		if len(ev.speakers) > 0 && len(speakers) > 0 && !intersects(ev.speakers, speakers) {
			reject(id, fmt.Sprintf("no author of this post speaks in it (%s; %s)", strings.Join(ev.speakers, ", "), strings.Join(speakers, ", ")))
			return nil
		}
		found[c.linked] = KeyOwner{ItemID: id, Created: a.created[id]}
		why[c.linked] = "the recording its speaker's post links"
		return nil
	}
	var ev *evidence
	for k := range c.keys {
		if !strings.HasPrefix(k, keyVideo) {
			continue
		}
		for _, h := range a.abouts[aboutKey(k)] {
			if ev == nil {
				e := a.m.evidenceOf(c.se, a.texts)
				ev = &e
			}
			id := a.resolve(h.item)
			if len(ev.speakers) > 0 && len(h.ev.speakers) > 0 && !intersects(ev.speakers, h.ev.speakers) {
				reject(id, fmt.Sprintf("it is a post about it by someone who does not speak in it (%s; %s)", strings.Join(h.ev.speakers, ", "), strings.Join(ev.speakers, ", ")))
				continue
			}
			found[h.key] = KeyOwner{ItemID: id, Created: a.created[id]}
			why[h.key] = "a post by its speaker that links this recording"
		}
	}
	return nil
}

// speakersOf returns the configured speakers the entries of an item name,
// stored or written during this Apply.
func (a *applyState) speakersOf(itemID string) ([]string, error) {
	stored, err := a.tx.EntriesOfItems([]string{itemID})
	if err != nil {
		return nil, err
	}
	es := stored[itemID]
	for _, se := range a.buf {
		if se.ItemID == itemID {
			es = append(es, *se)
		}
	}
	var out []string
	for i := range es {
		for _, sp := range a.m.evidenceOf(&es[i], a.texts).speakers {
			if !slices.Contains(out, sp) {
				out = append(out, sp)
			}
		}
	}
	return out, nil
}
