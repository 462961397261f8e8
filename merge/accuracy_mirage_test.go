package merge_test

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/talkstream/talkstream"
	"github.com/talkstream/talkstream/config"
	"github.com/talkstream/talkstream/merge"
)

// The mirage corpus (testdata/mirage, made by corpus_gen_test.go from the
// MirageOS website's data) is scored with the project's own configuration,
// feeds.yaml: its speakers, events and rules, with the corpus's sources.

// mirageFloor is what the mirage corpus scores today: a change that makes
// any figure worse fails. The misses left are printed by
// go test -v -run Accuracy ./merge.
var mirageFloor = scores{precision: 1, recall: 1, kind: 0.988, speakers: 1, event: 1}

func mirageSources(base, _ string) []talkstream.Source {
	return []talkstream.Source{
		{ID: "blog", Kind: talkstream.SourceBlog, URL: base + "/blog.atom"},
		{ID: "avsm", Kind: talkstream.SourcePerson, URL: base + "/avsm.rss", Speakers: []string{"anil"}},
		{ID: "mort", Kind: talkstream.SourcePerson, URL: base + "/mort.atom", Speakers: []string{"mort"}},
		{ID: "tube", Kind: talkstream.SourceYouTube, URL: base + "/tube.xml"},
		{ID: "vimeo", Kind: talkstream.SourceVimeo, URL: base + "/vimeo.rss"},
		{ID: "events", Kind: talkstream.SourceEvents, URL: base + "/events.rss"},
		{ID: "podcast", Kind: talkstream.SourceBlog, URL: base + "/podcast.rss"},
		{ID: "links", Kind: talkstream.SourceBlog, URL: base + "/links.rss"},
	}
}

// mirageOptions is feeds.yaml's configuration over the corpus's sources,
// plus the one rule an operator adds for a link blog: what it files under
// "press" is news, whatever its headline says.
func mirageOptions(t *testing.T, sources []talkstream.Source) merge.Options {
	cfg, err := config.Load(filepath.Join("..", "feeds.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	opts := cfg.MergeOptions()
	opts.Sources, opts.Hide, opts.Split = sources, nil, nil
	opts.Rules = append(opts.Rules, merge.Rule{Match: regexp.MustCompile(`(?m)^press$`), Kind: talkstream.KindNews})
	return opts
}
