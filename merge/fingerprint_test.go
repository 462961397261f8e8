package merge

import (
	"regexp"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

// Every setting that changes how items are derived must change the
// fingerprint, or `build` would keep stale items after a config edit.
func TestFingerprint(t *testing.T) {
	base := func() Options {
		return Options{
			Sources:  []talkstream.Source{{ID: "blog", Kind: talkstream.SourceBlog, Tags: []string{"a"}}},
			Speakers: []Speaker{{ID: "anil", Name: "Anil Madhavapeddy", Aliases: []string{"avsm"}}},
			Events:   []Event{{ID: "fosdem", Name: "FOSDEM", Match: regexp.MustCompile(`(?i)fosdem`)}},
			Rules:    []Rule{{Match: regexp.MustCompile(`xen`), Tags: []string{"xen"}}},
		}
	}
	fp := base().Fingerprint()
	if again := base().Fingerprint(); again != fp {
		t.Fatalf("same options, different fingerprints: %s %s", fp, again)
	}
	changes := map[string]func(*Options){
		"source tag":      func(o *Options) { o.Sources[0].Tags = []string{"b"} },
		"source include":  func(o *Options) { o.Sources[0].Include = regexp.MustCompile(`x`) },
		"speaker alias":   func(o *Options) { o.Speakers[0].Aliases = nil },
		"event pattern":   func(o *Options) { o.Events[0].Match = regexp.MustCompile(`FOSDEM`) },
		"rule tags":       func(o *Options) { o.Rules[0].Tags = []string{"hypervisor"} },
		"rule kind":       func(o *Options) { o.Rules[0].Kind = talkstream.KindTalk },
		"title window":    func(o *Options) { o.TitleWindow = 7 * 24 * time.Hour },
		"priority":        func(o *Options) { o.Priority = []string{"youtube"} },
		"hide":            func(o *Options) { o.Hide = []string{"abc"} },
		"split":           func(o *Options) { o.Split = []Split{{Item: "abc", Entries: []EntryRef{{Source: "blog", Entry: "1"}}}} },
		"another source":  func(o *Options) { o.Sources = append(o.Sources, talkstream.Source{ID: "yt"}) },
		"another speaker": func(o *Options) { o.Speakers = append(o.Speakers, Speaker{ID: "mort", Name: "Richard Mortier"}) },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			o := base()
			change(&o)
			if o.Fingerprint() == fp {
				t.Errorf("changing the %s leaves the fingerprint as it was", name)
			}
		})
	}
}
