package page

import (
	"encoding/json"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/talkstream/talkstream"
)

// JSON-LD is read as plain JSON: the vocabulary is schema.org's and pages
// write it in its compact form, so no expansion is needed. Nodes are
// visited in document order, @graph and ItemList members included, each
// taken once.

// maxNodes bounds how many JSON-LD nodes one page may make us visit.
const maxNodes = 20000

type ldNode = map[string]any

func (r *reader) jsonLD(doc *goquery.Document) []talkstream.Entry {
	var out []talkstream.Entry
	budget := maxNodes
	doc.Find(`script[type="application/ld+json"]`).Each(func(_ int, s *goquery.Selection) {
		var v any
		if json.Unmarshal([]byte(s.Text()), &v) != nil {
			return // one broken block does not hide the others
		}
		r.ldVisit(v, &out, &budget, 0)
	})
	return out
}

func (r *reader) ldVisit(v any, out *[]talkstream.Entry, budget *int, depth int) {
	if *budget <= 0 || depth > 16 {
		return
	}
	*budget--
	switch x := v.(type) {
	case []any:
		for _, y := range x {
			r.ldVisit(y, out, budget, depth+1)
		}
	case ldNode:
		if g, ok := x["@graph"]; ok {
			r.ldVisit(g, out, budget, depth+1)
		}
		switch {
		case ldIs(x, "ItemList"):
			for _, el := range ldList(x["itemListElement"]) {
				if n, ok := el.(ldNode); ok && ldIs(n, "ListItem") && n["item"] != nil {
					r.ldVisit(n["item"], out, budget, depth+1)
				} else {
					r.ldVisit(el, out, budget, depth+1)
				}
			}
		case ldEvent(x), ldIs(x, "VideoObject"), ldIs(x, "ScholarlyArticle"), ldIs(x, "BlogPosting"), ldIs(x, "Article"), ldIs(x, "NewsArticle"), ldIs(x, "PresentationDigitalDocument"):
			if e, ok := r.ldEntry(x); ok && len(*out) < maxItems {
				*out = append(*out, e)
			}
		}
	}
}

// ldEntry translates one node.
func (r *reader) ldEntry(n ldNode) (talkstream.Entry, bool) {
	e := talkstream.Entry{
		GUID:    ldString(n["@id"]),
		Title:   oneLine(firstNonEmpty(ldString(n["name"]), ldString(n["headline"]))),
		Link:    r.link(ldURL(n["url"])),
		Summary: strings.TrimSpace(ldString(n["description"])),
		Content: strings.TrimSpace(ldString(n["articleBody"])),
	}
	for _, a := range ldList(n["author"]) {
		e.Authors = addUnique(e.Authors, ldName(a))
	}
	for _, k := range ldList(n["keywords"]) {
		for _, w := range strings.Split(ldString(k), ",") {
			e.Categories = addUnique(e.Categories, w)
		}
	}
	if t, _, ok := parseDate(firstNonEmpty(ldString(n["datePublished"]), ldString(n["uploadDate"]), ldString(n["dateCreated"]))); ok {
		e.Published = t
	}
	if t, _, ok := parseDate(ldString(n["dateModified"])); ok {
		e.Updated = t
	}
	e.Thumbnail = r.link(firstNonEmpty(ldURL(n["thumbnailUrl"]), ldURL(n["image"])))
	switch {
	case ldEvent(n):
		e.Kind = talkstream.KindTalk
		when(&e, ldString(n["startDate"]), ldString(n["endDate"]))
		if d := isoDuration(ldString(n["duration"])); d > 0 && e.Duration == 0 {
			e.Duration = d
		}
		e.Location = ldLocation(n["location"])
		for _, key := range []string{"performer", "performers", "actor", "contributor"} {
			for _, p := range ldList(n[key]) {
				e.Speakers = addUnique(e.Speakers, ldName(p))
			}
		}
		if sup := ldName(n["superEvent"]); sup != "" {
			e.Event = sup
			if t := e.Start; !t.IsZero() && !strings.Contains(sup, t.Format("2006")) {
				e.Event = sup + " " + t.Format("2006")
			}
		}
		for _, key := range []string{"recordedIn", "subjectOf", "workFeatured", "video"} {
			for _, w := range ldList(n[key]) {
				r.ldWorkLink(&e, w)
			}
		}
	case ldIs(n, "VideoObject"):
		e.Kind = talkstream.KindTalk
		for _, u := range []string{ldURL(n["embedUrl"]), ldURL(n["contentUrl"])} {
			if v := talkstream.ParseVideoURL(r.link(u)); v != nil && e.Video == nil {
				e.Video = v
			}
		}
		if e.Video == nil {
			e.Video = talkstream.ParseVideoURL(e.Link)
		}
		if e.Video != nil {
			e.Video.Duration = isoDuration(ldString(n["duration"]))
		}
		if ev := ldName(n["recordedAt"]); ev != "" {
			e.Event = ev
		}
		for _, p := range ldList(n["actor"]) {
			e.Speakers = addUnique(e.Speakers, ldName(p))
		}
	case ldIs(n, "ScholarlyArticle"):
		e.Kind = talkstream.KindPaper
	}
	for _, u := range ldList(n["sameAs"]) {
		if l := r.link(ldURL(u)); l != "" {
			addLink(&e, l, linkRole(l), "")
		}
	}
	if e.Title == "" && e.Link == "" {
		return e, false
	}
	return e, true
}

// ldWorkLink adds a creative work an event names (its recording, its
// slides) as a link by role.
func (r *reader) ldWorkLink(e *talkstream.Entry, w any) {
	n, ok := w.(ldNode)
	if !ok {
		if u := r.link(ldString(w)); u != "" {
			addLink(e, u, linkRole(u), "")
		}
		return
	}
	u := r.link(firstNonEmpty(ldURL(n["url"]), ldURL(n["embedUrl"]), ldURL(n["contentUrl"])))
	role := linkRole(u)
	switch {
	case ldIs(n, "VideoObject"):
		role = talkstream.RoleVideo
	case ldIs(n, "PresentationDigitalDocument"):
		role = talkstream.RoleSlides
	case ldIs(n, "ScholarlyArticle"):
		role = talkstream.RolePaper
	}
	addLink(e, u, role, ldString(n["name"]))
}

// ldIs reports whether a node has the type (one of its @type values,
// with or without a schema.org prefix).
func ldIs(n ldNode, typ string) bool {
	for _, t := range ldList(n["@type"]) {
		s := ldString(t)
		s = s[strings.LastIndexAny(s, "/:#")+1:]
		if s == typ {
			return true
		}
	}
	return false
}

// ldEvent: Event and its subtypes (EducationEvent, SocialEvent...) all
// end in "Event".
func ldEvent(n ldNode) bool {
	for _, t := range ldList(n["@type"]) {
		if s := ldString(t); strings.HasSuffix(s, "Event") && !strings.HasSuffix(s, "PublicationEvent") {
			return true
		}
	}
	return false
}

// ldList is a value that may be one thing or an array of them.
func ldList(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		return x
	}
	return []any{v}
}

func ldString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case ldNode:
		if s, ok := x["@value"].(string); ok {
			return s
		}
	case []any:
		if len(x) > 0 {
			return ldString(x[0])
		}
	}
	return ""
}

// ldURL reads a URL given as a string, an {"@id"} or a node with a url.
func ldURL(v any) string {
	switch x := v.(type) {
	case ldNode:
		return firstNonEmpty(ldString(x["url"]), ldString(x["@id"]), ldString(x["contentUrl"]))
	case []any:
		if len(x) > 0 {
			return ldURL(x[0])
		}
	}
	return ldString(v)
}

// ldName is a person's, place's or event's name, given as a node or text.
func ldName(v any) string {
	if n, ok := v.(ldNode); ok {
		return oneLine(firstNonEmpty(ldString(n["name"]), strings.TrimSpace(ldString(n["givenName"])+" "+ldString(n["familyName"]))))
	}
	return oneLine(ldString(v))
}

// ldLocation: a Place's name and locality, a VirtualLocation's URL, or
// the text given.
func ldLocation(v any) string {
	var parts []string
	for _, l := range ldList(v) {
		n, ok := l.(ldNode)
		if !ok {
			parts = addUnique(parts, ldString(l))
			continue
		}
		if ldIs(n, "VirtualLocation") {
			parts = addUnique(parts, firstNonEmpty(ldString(n["name"]), ldString(n["url"])))
			continue
		}
		parts = addUnique(parts, ldString(n["name"]))
		switch a := n["address"].(type) {
		case string:
			parts = addUnique(parts, a)
		case ldNode:
			parts = addUnique(parts, ldString(a["addressLocality"]))
		}
	}
	return strings.Join(parts, ", ")
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
