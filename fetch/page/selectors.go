package page

import (
	"fmt"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/talkstream/talkstream"
)

// selector is one configured field: a CSS selector and, after an @, the
// attribute to read instead of the text.
type selector struct {
	css  cascadia.Selector
	attr string
}

// CompileSelect checks a source's selectors; config calls it so that a bad
// one is an error at load time, naming the field.
func CompileSelect(s *talkstream.Select) error {
	if s == nil {
		return nil
	}
	if strings.TrimSpace(s.Item) == "" {
		return fmt.Errorf("select: item is required")
	}
	if strings.Contains(s.Item, "@") {
		return fmt.Errorf("select: item selects elements; it takes no @attribute")
	}
	if s.Title == "" && s.Link == "" {
		return fmt.Errorf("select: title or link is required")
	}
	for _, f := range []struct{ name, v string }{{"item", s.Item}, {"title", s.Title}, {"link", s.Link}, {"date", s.Date}, {"speakers", s.Speakers}, {"summary", s.Summary}} {
		if _, err := compile(f.v); err != nil {
			return fmt.Errorf("select: %s: %w", f.name, err)
		}
	}
	return nil
}

// compile parses "css@attr", "css" or "@attr" (the attribute of the item
// element itself); "" compiles to nil.
func compile(spec string) (*selector, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, nil
	}
	css, attr := spec, ""
	if i := strings.LastIndex(spec, "@"); i >= 0 && !strings.ContainsAny(spec[i:], "]\"' ") {
		css, attr = strings.TrimSpace(spec[:i]), strings.TrimSpace(spec[i+1:])
		if attr == "" {
			return nil, fmt.Errorf("%q: empty attribute after @", spec)
		}
	}
	sel := &selector{attr: attr}
	if css != "" {
		c, err := cascadia.Compile(css)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", spec, err)
		}
		sel.css = c
	}
	return sel, nil
}

// in returns the elements the selector picks inside item (item itself
// for "@attr").
func (s *selector) in(item *goquery.Selection) *goquery.Selection {
	if s.css == nil {
		return item
	}
	return item.FindMatcher(s.css)
}

func (s *selector) value(el *goquery.Selection) string {
	if s.attr != "" {
		return el.AttrOr(s.attr, "")
	}
	return el.Text()
}

// first is the value of the first element picked, or "".
func (s *selector) first(item *goquery.Selection) string {
	if s == nil {
		return ""
	}
	el := s.in(item).First()
	if el.Length() == 0 {
		return ""
	}
	return s.value(el)
}

func (r *reader) selectors(doc *goquery.Document, cfg *talkstream.Select) ([]talkstream.Entry, error) {
	if err := CompileSelect(cfg); err != nil {
		return nil, err
	}
	item, _ := compile(cfg.Item)
	title, _ := compile(cfg.Title)
	link, _ := compile(cfg.Link)
	date, _ := compile(cfg.Date)
	speakers, _ := compile(cfg.Speakers)
	summary, _ := compile(cfg.Summary)
	if link != nil && link.attr == "" {
		link.attr = "href" // a link is an href unless told otherwise
	}
	var out []talkstream.Entry
	doc.FindMatcher(item.css).EachWithBreak(func(_ int, it *goquery.Selection) bool {
		e := talkstream.Entry{
			Title:   oneLine(title.first(it)),
			Link:    r.link(link.first(it)),
			Summary: strings.TrimSpace(summary.first(it)),
		}
		if e.Title == "" && link != nil {
			e.Title = oneLine(link.in(it).First().Text())
		}
		if t, allDay, ok := parseDate(date.first(it)); ok {
			e.Start, e.AllDay, e.Published = t, allDay, t
		}
		if speakers != nil {
			speakers.in(it).Each(func(_ int, s *goquery.Selection) {
				for _, name := range splitNames(speakers.value(s)) {
					e.Speakers = addUnique(e.Speakers, name)
				}
			})
		}
		// Every other link of the item, by role: the recording, the slides.
		it.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
			if u := r.link(a.AttrOr("href", "")); u != "" && u != e.Link {
				if role := linkRole(u); role != talkstream.RolePage {
					addLink(&e, u, role, a.Text())
				}
			}
		})
		if v := talkstream.ParseVideoURL(e.Link); v != nil {
			e.Video = v
		}
		if e.Title != "" || e.Link != "" {
			out = append(out, e)
		}
		return len(out) < maxItems
	})
	return out, nil
}

// splitNames splits "A, B and C" into names.
func splitNames(s string) []string {
	s = strings.ReplaceAll(oneLine(s), " and ", ", ")
	s = strings.ReplaceAll(s, " & ", ", ")
	return strings.Split(s, ",")
}
