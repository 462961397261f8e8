package page

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/talkstream/talkstream"
)

// mf2 reads the h-entry and h-event roots of a page (those inside an
// h-feed included, those nested inside another entry not: a reply or a
// quoted post is part of its parent). One walk finds them, without
// descending into a root, so deep nesting costs no more than the page.
func (r *reader) mf2(doc *goquery.Document) []talkstream.Entry {
	var out []talkstream.Entry
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil && len(out) < maxItems; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			if classes := strings.Fields(attr(c, "class")); slices.Contains(classes, "h-entry") || slices.Contains(classes, "h-event") {
				if e, ok := r.mf2Entry(goquery.NewDocumentFromNode(c).Selection); ok {
					out = append(out, e)
				}
				continue
			}
			walk(c)
		}
	}
	for _, n := range doc.Nodes {
		walk(n)
	}
	return out
}

func (r *reader) mf2Entry(root *goquery.Selection) (talkstream.Entry, bool) {
	props := mf2Props(root)
	e := talkstream.Entry{
		Title:   oneLine(props.text("p-name")),
		Summary: strings.TrimSpace(firstNonEmpty(props.text("p-summary"), props.text("p-description"))),
		Content: strings.TrimSpace(firstNonEmpty(props.html("e-content"), props.html("e-description"))),
		Link:    r.link(props.url("u-url")),
		GUID:    strings.TrimSpace(props.url("u-uid")),
	}
	if e.Title == "" {
		// mf2's implied name, for the shapes a talks list uses: the one
		// heading or link inside the root.
		e.Title = oneLine(firstNonEmpty(root.Find("h1, h2, h3, h4, h5, h6").First().Text(), impliedLinkText(root)))
	}
	if e.Title == "" {
		// A root that is itself the link (<a class="h-event" href=…>Name</a>)
		// or an abbr or image is named by its text, title or alt.
		switch goquery.NodeName(root) {
		case "a":
			e.Title = oneLine(root.Text())
		case "abbr":
			e.Title = oneLine(root.AttrOr("title", root.Text()))
		case "img", "area":
			e.Title = oneLine(root.AttrOr("alt", ""))
		}
	}
	if e.Link == "" {
		e.Link = r.link(impliedURL(root))
	}
	for _, s := range props["p-author"] {
		e.Authors = addUnique(e.Authors, mf2Name(s))
	}
	for _, key := range []string{"p-speaker", "p-performer"} {
		for _, s := range props[key] {
			e.Speakers = addUnique(e.Speakers, mf2Name(s))
		}
	}
	for _, s := range props["p-category"] {
		e.Categories = addUnique(e.Categories, mf2Name(s))
	}
	if t, _, ok := parseDate(props.date("dt-published")); ok {
		e.Published = t
	}
	if t, _, ok := parseDate(props.date("dt-updated")); ok {
		e.Updated = t
	}
	if root.HasClass("h-event") {
		e.Kind = talkstream.KindTalk
		start, end := props.date("dt-start"), props.date("dt-end")
		if len(start) >= 10 && mf2TimeFirst.MatchString(end) {
			end = start[:10] + " " + end // mf2: an end without a date is on the start's
		}
		when(&e, start, end)
		if d := isoDuration(props.date("dt-duration")); d > 0 && e.Duration == 0 {
			e.Duration = d
		}
		if len(props["p-location"]) > 0 {
			e.Location = mf2Name(props["p-location"][0])
		}
	}
	for _, key := range []string{"u-video", "u-syndication", "u-slides", "u-like-of", "u-repost-of"} {
		for _, s := range props[key] {
			u := r.link(mf2URL(s))
			role := linkRole(u)
			if key == "u-video" {
				role = talkstream.RoleVideo
			} else if key == "u-slides" {
				role = talkstream.RoleSlides
			}
			addLink(&e, u, role, "")
		}
	}
	if v := talkstream.ParseVideoURL(e.Link); v != nil {
		e.Video = v
	}
	if e.Title == "" && e.Link == "" {
		return e, false
	}
	return e, true
}

// mf2PropSet maps a property class (p-name, u-url...) to the elements
// that carry it, in document order, for one root: a nested root's own
// properties are its own, though the nested root may itself be the value
// (p-author h-card).
type mf2PropSet map[string][]*goquery.Selection

func mf2Props(root *goquery.Selection) mf2PropSet {
	props := mf2PropSet{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			classes := strings.Fields(attr(c, "class"))
			nestedRoot := false
			for _, cl := range classes {
				switch {
				case strings.HasPrefix(cl, "h-"):
					nestedRoot = true
				case strings.HasPrefix(cl, "p-"), strings.HasPrefix(cl, "u-"), strings.HasPrefix(cl, "dt-"), strings.HasPrefix(cl, "e-"):
					props[cl] = append(props[cl], goquery.NewDocumentFromNode(c).Selection)
				}
			}
			if !nestedRoot {
				walk(c)
			}
		}
	}
	for _, n := range root.Nodes {
		walk(n)
	}
	return props
}

func (p mf2PropSet) text(key string) string {
	if s := p[key]; len(s) > 0 {
		return mf2Text(s[0])
	}
	return ""
}

func (p mf2PropSet) html(key string) string {
	if s := p[key]; len(s) > 0 {
		h, _ := s[0].Html()
		return h
	}
	return ""
}

func (p mf2PropSet) url(key string) string {
	if s := p[key]; len(s) > 0 {
		return mf2URL(s[0])
	}
	return ""
}

func (p mf2PropSet) date(key string) string {
	if s := p[key]; len(s) > 0 {
		if v := valueClassDate(s[0]); v != "" {
			return v
		}
		for _, a := range []string{"datetime", "title", "value"} {
			if v, ok := s[0].Attr(a); ok {
				return v
			}
		}
		return s[0].Text()
	}
	return ""
}

// valueClassDate reads a dt- property written with the value-class
// pattern (<span class="dt-start"><time class="value" datetime="2025-06-12">
// 12 June</time> at <span class="value">7pm</span></span>, or a
// value-title's title): the date, time and zone its value elements give,
// joined as parseDate reads them. A time alone is returned as it is, for
// dt-end to take the start's date; "" when there are no value elements.
func valueClassDate(prop *goquery.Selection) string {
	var date, clock, zone string
	prop.Find(".value, .value-title").Each(func(_ int, v *goquery.Selection) {
		part := ""
		switch {
		case v.HasClass("value-title"):
			part = v.AttrOr("title", "")
		case goquery.NodeName(v) == "img" || goquery.NodeName(v) == "area":
			part = v.AttrOr("alt", "")
		case goquery.NodeName(v) == "data":
			part = v.AttrOr("value", v.Text())
		case goquery.NodeName(v) == "abbr":
			part = v.AttrOr("title", v.Text())
		case goquery.NodeName(v) == "time" || goquery.NodeName(v) == "ins" || goquery.NodeName(v) == "del":
			part = v.AttrOr("datetime", v.Text())
		default:
			part = v.Text()
		}
		part = strings.TrimSpace(part)
		if m := mf2DateTime.FindStringSubmatch(part); m != nil && date == "" && clock == "" {
			date, clock, zone = m[1], m[2], m[3]
			return
		}
		if date == "" && mf2DateOnly.MatchString(part) {
			date = part
			return
		}
		if c, z, ok := mf2Clock(part); ok && clock == "" {
			clock = c
			if zone == "" {
				zone = z
			}
			return
		}
		if zone == "" && mf2Zone.MatchString(part) {
			zone = part
		}
	})
	switch {
	case date != "" && clock != "":
		return date + " " + clock + zone
	case date != "":
		return date
	}
	return clock + zone
}

var (
	mf2TimeFirst = regexp.MustCompile(`^\d{2}:\d{2}`)
	mf2DateOnly  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	mf2DateTime  = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})[ Tt](\d{2}:\d{2}(?::\d{2})?)(Z|z|[+-]\d{2}(?::?\d{2})?)?$`)
	mf2Zone      = regexp.MustCompile(`^(?:Z|z|[+-]\d{2}(?::?\d{2})?)$`)
	mf2ClockRE   = regexp.MustCompile(`^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(?:([aApP])\.?[mM]\.?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$`)
)

// mf2Clock reads a time of day as the value-class pattern allows it
// (19:00, 19:00:00-08:00, 7pm, 07:00:00am): 24-hour HH:MM:SS and its zone.
func mf2Clock(s string) (clock, zone string, ok bool) {
	m := mf2ClockRE.FindStringSubmatch(s)
	if m == nil || (m[2] == "" && m[4] == "") {
		return "", "", false // a bare number is no time
	}
	h, _ := strconv.Atoi(m[1])
	switch strings.ToLower(m[4]) {
	case "p":
		if h < 12 {
			h += 12
		}
	case "a":
		if h == 12 {
			h = 0
		}
	}
	mi, sec := cmp.Or(m[2], "00"), cmp.Or(m[3], "00")
	if h > 23 || mi > "59" || sec > "59" {
		return "", "", false
	}
	return fmt.Sprintf("%02d:%s:%s", h, mi, sec), m[5], true
}

// mf2Text is a p- property's value: an abbr's title, a data's value, an
// img's alt, else the text.
func mf2Text(s *goquery.Selection) string {
	switch goquery.NodeName(s) {
	case "abbr", "link":
		if v, ok := s.Attr("title"); ok {
			return v
		}
	case "data", "input":
		if v, ok := s.Attr("value"); ok {
			return v
		}
	case "img", "area":
		if v, ok := s.Attr("alt"); ok {
			return v
		}
	}
	return s.Text()
}

// mf2URL is a u- property's value: the href, src, data or poster its
// element carries, else its text.
func mf2URL(s *goquery.Selection) string {
	for _, a := range []string{"href", "src", "data", "poster", "value"} {
		if v, ok := s.Attr(a); ok {
			return v
		}
	}
	return s.Text()
}

// mf2Name is the name of a nested h-card or h-adr, else the text.
func mf2Name(s *goquery.Selection) string {
	if strings.Contains(" "+s.AttrOr("class", "")+" ", " h-") {
		if n := mf2Props(s).text("p-name"); n != "" {
			return oneLine(n)
		}
	}
	return oneLine(mf2Text(s))
}

// impliedURL: the root's own href when it is a link, else the one link
// it holds.
func impliedURL(root *goquery.Selection) string {
	if v, ok := root.Attr("href"); ok {
		return v
	}
	if a := root.Find("a[href]:not([class*=' h-']):not([class^='h-'])"); a.Length() == 1 {
		return a.AttrOr("href", "")
	}
	return ""
}

func impliedLinkText(root *goquery.Selection) string {
	if a := root.Find("a[href]"); a.Length() == 1 {
		return a.Text()
	}
	return ""
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
