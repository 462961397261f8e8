package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseOPML(t *testing.T) {
	tests := []struct {
		name, file, text string
		want             []OPMLFeed // the feeds, in order
		err              string
	}{
		{name: "miniflux", file: "miniflux.opml", want: []OPMLFeed{
			{Title: "The MirageOS blog", URL: "https://mirageos.org/feed.xml", Site: "https://mirageos.org/", Category: "All"},
			{Title: "OCaml Planet", URL: "https://ocaml.org/feed.xml", Site: "https://ocaml.org/", Category: "All"},
			{Title: "FUN OCaml", URL: "https://www.youtube.com/feeds/videos.xml?channel_id=UC3TI-fmhJ_g3_n9fHaXGZKA", Site: "https://www.youtube.com/channel/UC3TI-fmhJ_g3_n9fHaXGZKA", Category: "Video"},
			{Title: "Videos of the OCaml channel", URL: "https://watch.ocaml.org/feeds/videos.xml?videoChannelId=3", Site: "https://watch.ocaml.org/c/ocaml/videos", Category: "Video"},
		}},
		{name: "freshrss", file: "freshrss.opml", want: []OPMLFeed{
			{Title: "Hannes Mehnert", URL: "https://hannes.robur.coop/atom", Site: "https://hannes.robur.coop/", Category: "Uncategorized"},
			{Title: "Robur & friends: news", URL: "https://blog.robur.coop/feed.xml", Site: "https://blog.robur.coop/", Category: "Uncategorized"},
			{Title: "Anil Madhavapeddy", URL: "https://vimeo.com/avsm/videos/rss", Site: "https://vimeo.com/avsm", Category: "Talks"},
			{Title: "Étienne Millon — talks", URL: "https://emillon.example/talks.xml", Site: "https://emillon.example/", Category: "Talks"},
			{Title: "Étienne Millon — talks", URL: "https://emillon.example/talks-fr.xml", Site: "https://emillon.example/fr/", Category: "Talks"},
		}},
		{name: "feedly", file: "feedly.opml", want: []OPMLFeed{
			{Title: "Tarides", URL: "https://tarides.com/feed.xml", Site: "https://tarides.com/blog/", Category: "OCaml"},
			{Title: "OCaml Workshop 2023 (ICFP)", URL: "https://www.youtube.com/feeds/videos.xml?playlist_id=PLyrlk8Xaylp7Tq5-ZN6jkir-sYrhGi_0E", Site: "https://www.youtube.com/playlist?list=PLyrlk8Xaylp7Tq5-ZN6jkir-sYrhGi_0E", Category: "OCaml"},
			{Title: "media.ccc.de - NEWS", URL: "https://media.ccc.de/news.atom", Site: "https://media.ccc.de/", Category: "Conferences"},
			{Title: "Tarides", URL: "https://tarides.com/feed.xml", Site: "https://tarides.com/blog/", Category: "Conferences"},
		}},
		{name: "nested categories, feeds at the top, attribute case", text: `<opml version="2.0"><head/><body>
<outline xmlurl="https://a.example/feed" text="A
  feed"/>
<outline text="Tech"><outline title="OCaml"><outline text="B" xmlUrl="https://b.example/rss"/></outline>
<outline text="C" xmlUrl=" https://c.example/atom "/></outline></body></opml>`, want: []OPMLFeed{
			{Title: "A feed", URL: "https://a.example/feed"},
			{Title: "B", URL: "https://b.example/rss", Category: "Tech / OCaml"},
			{Title: "C", URL: "https://c.example/atom", Category: "Tech"},
		}},
		{name: "latin-1", text: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><opml><body><outline text=\"Caf\xe9\" xmlUrl=\"https://cafe.example/rss\"/></body></opml>",
			want: []OPMLFeed{{Title: "Café", URL: "https://cafe.example/rss"}}},
		{name: "empty body", text: `<opml version="2.0"><head><title>x</title></head><body/></opml>`},
		{name: "not opml", text: `<rss version="2.0"><channel/></rss>`, err: "root element is <rss>"},
		{name: "not xml", text: `{"feeds": []}`, err: "no <opml> element"},
		{name: "too deep", text: "<opml><body>" + strings.Repeat("<outline text='x'>", 100) + "</body></opml>", err: "nested deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.text
			if tt.file != "" {
				b, err := os.ReadFile(filepath.Join("testdata", "opml", tt.file))
				if err != nil {
					t.Fatal(err)
				}
				text = string(b)
			}
			got, err := ParseOPML(strings.NewReader(text))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d feeds, want %d: %+v", len(got), len(tt.want), got)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("feed %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func FuzzParseOPML(f *testing.F) {
	for _, name := range []string{"miniflux.opml", "freshrss.opml", "feedly.opml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "opml", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<opml><body><outline text="a"><outline xmlUrl="https://x.example/"/></outline></body></opml>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		feeds, err := ParseOPML(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, fd := range feeds {
			if fd.URL == "" || strings.ContainsAny(fd.Title, "\n\r\t") {
				t.Errorf("feed %+v", fd)
			}
		}
	})
}
