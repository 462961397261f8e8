package merge

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

// benchTagOptions configure what the benchmark world does: 60 speakers
// (some with diacritics), ten events and seven rules.
func benchTagOptions() Options {
	first := []string{"Anil", "Mindy", "Hannes", "Thomas", "Dave", "Zoë", "Théo", "Kate", "Reynir", "Christiane"}
	last := []string{"Gazagnaire", "Calascibetta", "Ferris", "Scott", "Björnsson", "Gómez"}
	opts := Options{
		Sources: []talkstream.Source{
			{ID: "tube", Kind: talkstream.SourceYouTube},
			{ID: "blog", Kind: talkstream.SourceBlog, Tags: []string{"ocaml"}},
			{ID: "talks", Kind: talkstream.SourceCurated},
		},
	}
	for i := range 60 {
		name := first[i%len(first)] + " " + last[i/len(first)]
		opts.Speakers = append(opts.Speakers, Speaker{ID: fmt.Sprintf("spk%02d", i), Name: name,
			Aliases: []string{strings.ToLower(name[:1]) + strings.ToLower(last[i/len(first)])}})
	}
	for _, ev := range [][2]string{{"fosdem", `(?i)\bfosdem\b`}, {"qcon", `(?i)\bqcon\b`}, {"strange-loop", `(?i)\bstrange\s?loop\b`},
		{"xen-summit", `(?i)\bxen\s?summit\b`}, {"dockercon", `(?i)\bdockercon\b`}, {"icfp", `(?i)\bicfp\b`},
		{"ocaml-workshop", `(?i)\bocaml\s+workshop\b`}, {"cufp", `(?i)\bcufp\b`}, {"nsdi", `(?i)\bnsdi\b`},
		{"mirageos-retreat", `(?i)\b(hack|mirageos)\s+retreat\b`}} {
		opts.Events = append(opts.Events, Event{ID: ev[0], Name: ev[0], Match: regexp.MustCompile(ev[1])})
	}
	for _, r := range [][2]string{{"xen", `(?i)\bxen\b`}, {"tls", `(?i)\btls\b`}, {"security", `(?i)\bsecurity\b|\badvisory\b|\bcve-\d{4}`},
		{"docker", `(?i)\bdocker\b|\bvpnkit\b`}, {"solo5", `(?i)\bsolo5\b`}, {"irmin", `(?i)\birmin\b`}, {"ocaml", `(?i)\bocaml\b`}} {
		opts.Rules = append(opts.Rules, Rule{Match: regexp.MustCompile(r[1]), Tags: []string{r[0]}})
	}
	return opts
}

// benchTagItem is a talk as the benchmark world publishes it: the
// recording with a long description, a 20 KB post (in its summary, as
// many feeds put it) that names it among workshops, retreats and
// speakers, and a curated entry.
func benchTagItem() []StoredEntry {
	words := strings.Fields("dns system firmware library retreat module mirage workshop latency and we protocol talk " +
		"package unikernel keynote tls device hack xen docker irmin Gazagnaire thanks to Zoë Ferris for the ocaml")
	var b strings.Builder
	for i := 0; b.Len() < 20<<10; i++ {
		b.WriteString("<p>")
		for j := range 40 {
			b.WriteString(words[(i*7+j*3)%len(words)] + " ")
		}
		b.WriteString(`<a href="https://blog.example.org/docs/x">in device system</a>, at FOSDEM 2019 with Kate Björnsson.</p>`)
	}
	day := time.Date(2019, 2, 3, 10, 0, 0, 0, time.UTC)
	return []StoredEntry{
		{SourceID: "tube", EntryID: "yt:1", Role: talkstream.RoleVideo, FirstSeen: day, Changed: day, Entry: talkstream.Entry{
			Title: "Unikernels in production - Anil Gazagnaire - FOSDEM 2019", Link: "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
			Summary:   "<p>Anil Gazagnaire on unikernels and TLS at FOSDEM 2019. Slides by agazagnaire.</p>" + b.String()[:8<<10],
			Published: day}},
		{SourceID: "blog", EntryID: "post-1", Role: talkstream.RolePost, FirstSeen: day, Changed: day, Entry: talkstream.Entry{
			Title: "Unikernels in production", Link: "https://blog.example.org/post-1", Summary: b.String(),
			Authors: []string{"Zoë Gazagnaire"}, Categories: []string{"talks", "ocaml"}, Published: day.Add(time.Hour)}},
		{SourceID: "talks", EntryID: "t-1", Role: talkstream.RolePage, FirstSeen: day, Changed: day, Entry: talkstream.Entry{
			Title: "Unikernels in production", Link: "https://talks.example.org/1", Speakers: []string{"Anil Gazagnaire"},
			Summary: "A talk at the OCaml workshop and the MirageOS retreat.", Published: day}},
	}
}

// BenchmarkBuild derives (and tags) one realistic item from its entries.
func BenchmarkBuild(b *testing.B) {
	m := New(benchTagOptions())
	entries := benchTagItem()
	b.ReportAllocs()
	for b.Loop() {
		m.Build("item", entries)
	}
}
