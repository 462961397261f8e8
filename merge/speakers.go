package merge

import (
	"regexp"
	"strings"
)

type speakerMatcher struct {
	id    string
	names map[string]bool // lower-case name and aliases
	re    matcher
}

func newSpeakerMatcher(sp Speaker) speakerMatcher {
	sm := speakerMatcher{id: sp.ID, names: map[string]bool{strings.ToLower(sp.ID): true}}
	var alts []string
	for _, n := range append([]string{sp.Name}, sp.Aliases...) {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		sm.names[strings.ToLower(n)] = true
		alts = append(alts, regexp.QuoteMeta(n))
	}
	if len(alts) > 0 {
		sm.re = newMatcher(regexp.MustCompile(`(?i)(?:^|[^\pL\pN@_])(` + strings.Join(alts, "|") + `)(?:$|[^\pL\pN_])`))
	}
	return sm
}

func (sm *speakerMatcher) find(t *text) string {
	if m := sm.re.findStringSubmatch(t); m != nil {
		return m[1]
	}
	return ""
}

// speakerID maps a name, alias or id to the configured speaker id; an
// unknown name comes back unchanged.
func (m *Merger) speakerID(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, sm := range m.speakers {
		if sm.names[n] {
			return sm.id
		}
	}
	return strings.TrimSpace(name)
}
