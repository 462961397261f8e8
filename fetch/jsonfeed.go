package fetch

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// JSON Feed is read field by field, as a good reader does: gofeed decodes
// the whole document into one struct, so a single field of the wrong type
// (a string where tags is an array, an object where authors is) would lose
// every item. lenientJSONFeed rewrites the document first so that each field
// the spec defines has its type: a value whose intent is plain is converted
// (one string where an array of strings belongs, one author where an array
// of authors belongs, a number where a string belongs), any other is dropped
// and counted.

// jsonKind is the type the JSON Feed spec gives a field.
type jsonKind int

const (
	jString jsonKind = iota
	jBool
	jInt
	jStrings
	jAuthor
	jAuthors
	jItems
	jAttachments
)

var (
	jsonFeedFields = map[string]jsonKind{
		"version": jString, "title": jString, "home_page_url": jString, "feed_url": jString,
		"description": jString, "user_comment": jString, "next_url": jString, "icon": jString,
		"favicon": jString, "language": jString, "expired": jBool,
		"author": jAuthor, "authors": jAuthors, "items": jItems,
	}
	jsonItemFields = map[string]jsonKind{
		"id": jString, "url": jString, "external_url": jString, "title": jString,
		"content_html": jString, "content_text": jString, "summary": jString, "image": jString,
		"banner_image": jString, "date_published": jString, "date_modified": jString,
		"language": jString, "author": jAuthor, "authors": jAuthors, "tags": jStrings,
		"attachments": jAttachments,
	}
	jsonAuthorFields     = map[string]jsonKind{"name": jString, "url": jString, "avatar": jString}
	jsonAttachmentFields = map[string]jsonKind{
		"url": jString, "mime_type": jString, "title": jString,
		"size_in_bytes": jInt, "duration_in_seconds": jInt,
	}
)

// lenientJSONFeed returns data with every field of the wrong type converted
// or dropped, and how many were dropped. A document that is not a JSON
// object comes back unchanged, for the parser to reject.
func lenientJSONFeed(data []byte) ([]byte, int) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return data, 0
	}
	var l jsonLeniency
	if !l.object(doc, jsonFeedFields) {
		return data, 0 // every field already had its type
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return data, 0
	}
	return out, l.dropped
}

type jsonLeniency struct {
	dropped int
}

// object fixes m's fields in place; it reports whether anything changed.
func (l *jsonLeniency) object(m map[string]any, schema map[string]jsonKind) bool {
	changed := false
	for k, v := range m {
		kind, known := schema[k]
		if !known {
			continue // extensions (_talkstream…) and fields the parser ignores
		}
		nv, ok, ch := l.value(v, kind)
		switch {
		case !ok:
			delete(m, k)
			l.dropped++
			changed = true
		case ch:
			m[k] = nv
			changed = true
		}
	}
	return changed
}

// value returns v as kind: ok false when it cannot be, changed when it was
// converted (or something inside it was).
func (l *jsonLeniency) value(v any, kind jsonKind) (out any, ok, changed bool) {
	if v == nil {
		return nil, false, true // null: as if absent
	}
	switch kind {
	case jString:
		switch x := v.(type) {
		case string:
			return x, true, false
		case json.Number:
			return x.String(), true, true
		case bool:
			return strconv.FormatBool(x), true, true
		}
	case jBool:
		switch x := v.(type) {
		case bool:
			return x, true, false
		case string:
			if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
				return b, true, true
			}
		}
	case jInt:
		var f float64
		var err error
		switch x := v.(type) {
		case json.Number:
			if _, ierr := x.Int64(); ierr == nil {
				return x, true, false
			}
			f, err = x.Float64()
		case string:
			f, err = strconv.ParseFloat(strings.TrimSpace(x), 64)
		default:
			return nil, false, true
		}
		if err == nil && f >= 0 && f < math.MaxInt64 {
			return int64(f), true, true
		}
	case jStrings:
		list, single := v.([]any)
		if !single {
			list = []any{v}
		}
		out := make([]any, 0, len(list))
		changed := !single
		for _, e := range list {
			s, ok, ch := l.value(e, jString)
			if !ok {
				l.dropped++
				changed = true
				continue
			}
			changed = changed || ch
			out = append(out, s)
		}
		return out, true, changed
	case jAuthor:
		switch x := v.(type) {
		case map[string]any:
			return x, true, l.object(x, jsonAuthorFields)
		case string:
			return map[string]any{"name": x}, true, true
		}
	case jAuthors, jItems, jAttachments:
		elem := map[jsonKind]map[string]jsonKind{jAuthors: jsonAuthorFields, jItems: jsonItemFields, jAttachments: jsonAttachmentFields}[kind]
		list, isList := v.([]any)
		if !isList {
			if kind == jItems {
				break // a lone object is not a list of items: drop it
			}
			list = []any{v}
		}
		out := make([]any, 0, len(list))
		changed := !isList
		for _, e := range list {
			if s, isStr := e.(string); isStr && kind == jAuthors {
				e, changed = map[string]any{"name": s}, true
			}
			m, isObj := e.(map[string]any)
			if !isObj {
				l.dropped++
				changed = true
				continue
			}
			changed = l.object(m, elem) || changed
			out = append(out, m)
		}
		return out, true, changed
	}
	return nil, false, true
}
