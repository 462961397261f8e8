package merge

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/talkstream/talkstream"
)

// An item's kind comes from the strongest evidence any of its entries
// gives, in this order: a curator's kind; a rule's kind:; the source kind
// of video platforms and event listings (talk); an enclosure (audio:
// podcast, video: talk); what the entry is (a podcast episode, a post
// about something); the URL's path (/papers/, a PDF or DOI: paper;
// /slides/ or a slide host: slides; /talks/: talk); the words of a title;
// then, as weak signals only, feed categories and the words of a summary
// (never for a post, whose summary talks about other things); else
// whether there is a video, else the default of the source. Every signal
// that disagrees with the one that decided is recorded as rejected.

// kindSignal is one piece of evidence for a kind.
type kindSignal struct {
	kind talkstream.Kind
	why  string
}

// kindWords guess an item's kind from its words, most specific first.
var kindWords = []struct {
	kind talkstream.Kind
	re   matcher
}{
	{talkstream.KindPaper, newMatcher(regexp.MustCompile(`(?i)\b(paper|preprint|proceedings|journal|published in|arxiv|camera[- ]ready)\b`))},
	{talkstream.KindSlides, newMatcher(regexp.MustCompile(`(?i)\b(slides|slide deck|slidedeck|speakerdeck)\b`))},
	{talkstream.KindPodcast, newMatcher(regexp.MustCompile(`(?i)\b(podcast|episode \d+|radio)\b`))},
	{talkstream.KindNews, newMatcher(regexp.MustCompile(`(?i)\b(security advisory|advisory|press release)\b`))},
	{talkstream.KindTalk, newMatcher(regexp.MustCompile(`(?i)\b(talk (?:at|on|about|from|given)|(?:gave|give|giving) a talk|my talk|keynote|presentation|presented|lecture|seminar|tech talk|screencast|webinar)\b`))},
	{talkstream.KindRelease, newMatcher(regexp.MustCompile(`(?i)\b(released?|releasing|announcing|available now)\b|\bv?\d+\.\d+(\.\d+)?\b.*\breleased?\b`))},
}

// kindCategories are feed categories that name a kind, as personal sites
// file their posts ("talks", "papers", "news").
var kindCategories = map[string]talkstream.Kind{
	"talk": talkstream.KindTalk, "talks": talkstream.KindTalk, "video": talkstream.KindTalk, "videos": talkstream.KindTalk,
	"paper": talkstream.KindPaper, "papers": talkstream.KindPaper, "publication": talkstream.KindPaper, "publications": talkstream.KindPaper,
	"slides": talkstream.KindSlides, "podcast": talkstream.KindPodcast, "podcasts": talkstream.KindPodcast,
	"release": talkstream.KindRelease, "releases": talkstream.KindRelease,
	"news": talkstream.KindNews, "press": talkstream.KindNews, "announcement": talkstream.KindNews, "announcements": talkstream.KindNews,
}

// slidesHosts and paper links mark a post that is the slides or the paper
// of a talk rather than a write-up.
var slidesHosts = []string{"speakerdeck.com", "slideshare.net", "slides.com", "docs.google.com/presentation"}

// kindOfURL reads a kind from a link's host and path.
func kindOfURL(raw string) (talkstream.Kind, string) {
	l := strings.ToLower(raw)
	if i := strings.IndexAny(l, "?#"); i >= 0 {
		l = l[:i]
	}
	for _, h := range slidesHosts {
		if strings.Contains(l, h) {
			return talkstream.KindSlides, "a slide host"
		}
	}
	switch {
	case strings.HasSuffix(l, ".pdf"), strings.Contains(l, "/papers/"), strings.Contains(l, "doi.org/10."):
		return talkstream.KindPaper, "a paper's address"
	case strings.Contains(l, "/slides/"):
		return talkstream.KindSlides, "a slides path"
	case strings.Contains(l, "/talks/"):
		return talkstream.KindTalk, "a talks path"
	}
	return "", ""
}

// kindSignals lists every signal of an item's entries in the order of
// strength. es is in priority order; summary is the item's.
func (m *Merger) kindSignals(item *talkstream.Item, es []StoredEntry, summary string, rule kindSignal, tc *textCache) []kindSignal {
	var out []kindSignal
	add := func(k talkstream.Kind, why string) { out = append(out, kindSignal{k, why}) }
	ref := func(se *StoredEntry) string { return se.SourceID + "/" + se.EntryID }
	for i := range es {
		if k := es[i].Entry.Kind; k != "" {
			by := "set by curated entry "
			if m.sourceKind(es[i].SourceID) != talkstream.SourceCurated {
				by = "set by entry " // a schedule's talk, a page's paper
			}
			add(k, by+ref(&es[i]))
		}
	}
	if rule.kind != "" {
		out = append(out, rule)
	}
	for i := range es {
		if k := m.sourceKind(es[i].SourceID); k == talkstream.SourceYouTube || k == talkstream.SourceVimeo || k == talkstream.SourcePeerTube || k == talkstream.SourceEvents {
			add(talkstream.KindTalk, "from source "+es[i].SourceID+" (kind "+string(k)+")")
		}
	}
	posts := false
	for i := range es {
		se := &es[i]
		for _, enc := range se.Entry.Enclosures {
			switch t := strings.ToLower(enc.Type); {
			case strings.HasPrefix(t, "audio/"):
				add(talkstream.KindPodcast, "an audio enclosure in "+ref(se))
			case strings.HasPrefix(t, "video/"):
				add(talkstream.KindTalk, "a video enclosure in "+ref(se))
			}
		}
		k := m.sourceKind(se.SourceID)
		posts = posts || k == talkstream.SourceBlog || k == talkstream.SourcePerson
		switch natureOf(k, &se.Entry) {
		case natureEpisode:
			add(talkstream.KindPodcast, ref(se)+" is a podcast episode")
		case natureAbout:
			add(talkstream.KindPost, ref(se)+" is a post about something (its title says so)")
		}
	}
	for i := range es {
		for _, l := range append([]string{es[i].Entry.Link}, linkURLs(es[i].Entry.Links)...) {
			if k, why := kindOfURL(l); k != "" {
				add(k, fmt.Sprintf("%s in the link %s of %s", why, l, ref(&es[i])))
			}
		}
	}
	// Words in a title say more than words in a summary, and more than
	// how a site files its posts.
	for i := range es {
		title := tc.text(es[i].Entry.Title)
		for _, kw := range kindWords {
			if w := kw.re.findString(title); w != "" {
				add(kw.kind, fmt.Sprintf("the word %q in the title of %s", w, ref(&es[i])))
				break
			}
		}
	}
	for i := range es {
		for _, c := range es[i].Entry.Categories {
			if k, ok := kindCategories[strings.ToLower(strings.TrimSpace(c))]; ok {
				add(k, fmt.Sprintf("category %q of %s (weak)", c, ref(&es[i])))
			}
		}
	}
	if w := firstKindWord(tc.text(summary)); w.kind != "" {
		if posts {
			add("", fmt.Sprintf("the word %q in the summary: a post's summary talks about other things", w.word))
		} else {
			add(w.kind, fmt.Sprintf("the word %q in the summary (weak)", w.word))
		}
	}
	if item.Video != nil {
		add(talkstream.KindTalk, "it has a video")
	}
	if len(es) > 0 && m.sourceKind(es[0].SourceID) == talkstream.SourceCurated {
		add(talkstream.KindTalk, "default for a curated entry")
	}
	add(talkstream.KindPost, "default for a post")
	return out
}

// decideKind takes the first signal with a kind and describes the ones
// after it that disagree.
func decideKind(signals []kindSignal) (talkstream.Kind, string, []string) {
	var kind talkstream.Kind
	why := ""
	var rejected []string
	seen := map[string]bool{}
	for _, s := range signals {
		switch {
		case kind == "" && s.kind != "":
			kind, why = s.kind, s.why
		case s.kind == "":
			rejected = append(rejected, s.why)
		case s.kind != kind && !strings.HasPrefix(s.why, "default") && !seen[string(s.kind)+s.why]:
			seen[string(s.kind)+s.why] = true
			rejected = append(rejected, fmt.Sprintf("%s (%s): weaker than %s", s.kind, s.why, why))
		}
	}
	return kind, why, rejected
}

func linkURLs(ls []talkstream.Link) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.URL)
	}
	return out
}

type kindWord struct {
	kind talkstream.Kind
	word string
}

func firstKindWord(t *text) kindWord {
	for _, kw := range kindWords {
		if w := kw.re.findString(t); w != "" {
			return kindWord{kw.kind, w}
		}
	}
	return kindWord{}
}
