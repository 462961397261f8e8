package publish

import (
	"time"

	"github.com/talkstream/talkstream"
)

// now is the render time of every fixture site.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func fixtureOptions() Options {
	return Options{
		Title:       "MirageOS talks and news",
		Description: "Talks, papers and posts from the MirageOS community, gathered in one place.",
		BaseURL:     "https://talks.example.org/",
		Speakers: []Speaker{
			{ID: "anil", Name: "Anil Madhavapeddy", URL: "https://anil.recoil.org/"},
			{ID: "mort", Name: "Richard Mortier", URL: "https://mort.io/"},
			{ID: "hannes", Name: "Hannes Mehnert", URL: "https://hannes.robur.coop/"},
		},
		Events: []Event{
			{ID: "fosdem", Name: "FOSDEM"},
			{ID: "source-code-berlin", Name: "Source_Code Berlin"},
			{ID: "asplos", Name: "ASPLOS"},
		},
	}
}

func fixtureSources() []talkstream.Source {
	return []talkstream.Source{
		{
			ID: "mirage-blog", Kind: talkstream.SourceBlog, URL: "https://mirage.io/feed.xml", Site: "https://mirage.io/",
			State: talkstream.FetchState{FeedTitle: "The MirageOS Blog", LastFetch: now.Add(-10 * time.Minute), LastStatus: 200},
		},
		{
			ID: "mort", Kind: talkstream.SourcePerson, URL: "https://mort.io/index.xml", Title: "Richard Mortier",
			State: talkstream.FetchState{FeedLink: "https://mort.io/", LastFetch: now.Add(-20 * time.Minute), LastStatus: 304},
		},
		{
			ID: "hannes", Kind: talkstream.SourcePerson, URL: "https://hannes.robur.coop/atom", Title: "Hannes Mehnert",
			State: talkstream.FetchState{LastFetch: now.Add(-30 * time.Minute), LastStatus: 200},
		},
		{
			ID: "mirage-youtube", Kind: talkstream.SourceYouTube,
			URL:   "https://www.youtube.com/feeds/videos.xml?channel_id=UCh1wBbTXaM6fhhH0m5eBWxw",
			Title: "MirageOS on YouTube",
			State: talkstream.FetchState{
				LastFetch: now.Add(-5 * time.Minute), LastStatus: 503, Errors: 3,
				LastError: "fetch mirage-youtube: 503 Service Unavailable <script>boom</script>",
			},
		},
		{ID: "talks", Kind: talkstream.SourceCurated, Path: "/etc/talkstream/talks.yaml", Title: "MirageOS talks page"},
		{
			ID: "anil-vimeo", Kind: talkstream.SourceVimeo, URL: "https://vimeo.com/user1234/videos/rss",
			Site: "javascript:alert('xss9')",
		},
	}
}

func fixtureItems() []talkstream.Item {
	yt := &talkstream.Video{
		Provider: "youtube", ID: "PTtI8hpR7hQ",
		URL:       "https://www.youtube.com/watch?v=PTtI8hpR7hQ",
		EmbedURL:  "https://www.youtube-nocookie.com/embed/PTtI8hpR7hQ",
		Thumbnail: "https://i.ytimg.com/vi/PTtI8hpR7hQ/hqdefault.jpg",
		Duration:  41 * time.Minute,
		Channel:   "Source_Code Berlin",
	}
	return []talkstream.Item{
		{
			// A paper from a curated source, with an enclosure without a type.
			ID: "asplos-2013-unikernels", Kind: talkstream.KindPaper,
			Title:     "Unikernels: Library Operating Systems for the Cloud",
			Summary:   "We present unikernels, a new approach to deploying cloud services via applications written in high-level source code.",
			Link:      "https://anil.recoil.org/papers/2013-asplos-mirage.pdf",
			Published: date(2013, time.March, 16),
			Speakers:  []string{"anil", "mort", "David Scott"},
			Event:     "asplos-2013",
			Tags:      []string{"unikernels", "papers"},
			Entries: []talkstream.ItemEntry{{Role: talkstream.RolePaper, Entry: talkstream.Entry{
				SourceID: "talks", Title: "Unikernels: Library Operating Systems for the Cloud",
				Link:       "https://anil.recoil.org/papers/2013-asplos-mirage.pdf",
				Published:  date(2013, time.March, 16),
				Enclosures: []talkstream.Enclosure{{URL: "https://anil.recoil.org/papers/2013-asplos-mirage.pdf", Length: 381286}},
				Links:      []talkstream.Link{{Role: talkstream.RoleEvent, URL: "https://asplos-conference.org/2013/", Title: "ASPLOS 2013"}},
			}}},
		},
		{
			// A talk seen on YouTube and on the speaker's blog, merged into one.
			ID: "scb-2015-leaving-legacy", Kind: talkstream.KindTalk,
			Title:     "Leaving legacy behind — A clean-slate approach to operating systems",
			Summary:   "<p>Hannes explains how MirageOS <em>unikernels</em> leave legacy C code behind.</p>",
			Content:   `<p>The talk at Source_Code Berlin covered TLS, <a href="/Posts/OCaml">OCaml</a> and more.</p><p><img src="/static/img/scb.jpg" alt="Hannes on stage"></p>`,
			Link:      "https://www.youtube.com/watch?v=PTtI8hpR7hQ",
			Published: time.Date(2015, time.August, 27, 17, 30, 0, 0, time.FixedZone("CEST", 2*3600)),
			Updated:   time.Date(2015, time.September, 2, 9, 0, 0, 0, time.UTC),
			Speakers:  []string{"hannes"},
			Event:     "source-code-berlin-2015",
			Tags:      []string{"tls", "unikernels"},
			Video:     yt,
			Thumbnail: yt.Thumbnail,
			Entries: []talkstream.ItemEntry{
				{Role: talkstream.RoleVideo, Entry: talkstream.Entry{
					SourceID: "mirage-youtube", GUID: "yt:video:PTtI8hpR7hQ",
					Title:     "Hannes Mehnert - Leaving legacy behind",
					Link:      "https://www.youtube.com/watch?v=PTtI8hpR7hQ",
					Published: time.Date(2015, time.August, 27, 15, 30, 0, 0, time.UTC),
					Video:     yt,
				}},
				{Role: talkstream.RolePost, Entry: talkstream.Entry{
					SourceID: "hannes", Title: "Talk: Leaving legacy behind",
					Summary:   "<p>Hannes explains how MirageOS <em>unikernels</em> leave legacy C code behind.</p>",
					Content:   `<p>The talk at Source_Code Berlin covered TLS, <a href="/Posts/OCaml">OCaml</a> and more.</p><p><img src="/static/img/scb.jpg" alt="Hannes on stage"></p>`,
					Link:      "https://hannes.robur.coop/Posts/Leaving",
					Published: date(2015, time.September, 2),
					Links:     []talkstream.Link{{Role: talkstream.RoleSlides, URL: "https://berlin.ccc.de/~hannes/scb15.pdf"}},
				}},
			},
		},
		{
			// A personal blog post.
			ID: "mort-oscon-2013", Kind: talkstream.KindPost,
			Title:     "MirageOS travels to OSCON'13: a trip report",
			Summary:   "Now that Mirage OS is rapidly converging on a Developer Preview Release 1, we took it for a first public outing at OSCON'13, the O'Reilly Open Source Conference. OSCON is in its 15th year now, and is a meeting place for developers, business people and investors. It was a great opportunity to show MirageOS off to some of the movers and shakers in the OSS world.",
			Link:      "https://mort.io/blog/2013/08/08/oscon13/",
			Published: time.Date(2013, time.August, 8, 10, 0, 0, 0, time.UTC),
			Speakers:  []string{"mort"},
			Tags:      []string{"events"},
			Entries: []talkstream.ItemEntry{{Role: talkstream.RolePost, Entry: talkstream.Entry{
				SourceID: "mort", Title: "MirageOS travels to OSCON'13: a trip report",
				Link:      "https://mort.io/blog/2013/08/08/oscon13/",
				Published: time.Date(2013, time.August, 8, 10, 0, 0, 0, time.UTC),
			}}},
		},
		{
			// A Vimeo talk known only from a curated entry: no thumbnail,
			// so the page shows a poster that still plays in place.
			ID: "xensummit-2012-mirage", Kind: talkstream.KindTalk,
			Title:     "Mirage: extreme specialisation of virtual appliances",
			Summary:   "Anil's presentation at XenSummit 2012 describing the architecture of Mirage.",
			Link:      "https://vimeo.com/57412215",
			Published: date(2012, time.August, 28),
			Speakers:  []string{"anil"},
			Event:     "xen-summit-2012",
			Tags:      []string{"xen", "unikernels"},
			Video:     talkstream.NewVideo("vimeo", "57412215"),
			Entries: []talkstream.ItemEntry{{Role: talkstream.RoleVideo, Entry: talkstream.Entry{
				SourceID: "talks", Title: "Mirage: extreme specialisation of virtual appliances",
				Link:      "https://vimeo.com/57412215",
				Published: date(2012, time.August, 28),
				Links: []talkstream.Link{
					{Role: talkstream.RoleEvent, URL: "http://www-archive.xenproject.org/xensummit/xs12na_talks/M10b.html"},
				},
			}}},
		},
		{
			// News with hostile HTML everywhere a feed can put it.
			ID: "mirage-4.5-release", Kind: talkstream.KindNews,
			Title:     `MirageOS 4.5 released <b>today</b> & "more"`,
			Summary:   `<p>Hello <script>alert('xss1')</script><img src=x onerror="alert('xss2')" alt="pic"> <a href="javascript:alert('xss3')">click</a></p>`,
			Content:   `<style>body{display:none}</style><iframe src="https://evil.example/frame"></iframe><p onclick="alert('xss4')">Body <a href="/docs/">docs</a> <img src="data:image/png;base64,AAAA" alt="data"><form action="https://evil.example/"><input name=q></form><object data="https://evil.example/x.swf"></object><svg onload=alert('xss5')></svg><a href="JaVaScRiPt:alert('xss6')">x</a> <a href="https://ok.example/" target="_self">ok</a></p>`,
			Link:      "https://mirage.io/blog/release-4.5",
			Published: time.Date(2026, time.February, 20, 9, 0, 0, 0, time.UTC),
			Speakers:  []string{"anil", "Eve <img src=x>"},
			Tags:      []string{"release"},
			Thumbnail: "javascript:alert('xss8')",
			Entries: []talkstream.ItemEntry{{Role: talkstream.RolePost, Entry: talkstream.Entry{
				SourceID: "mirage-blog", Title: "MirageOS 4.5 released",
				Link:      "https://mirage.io/blog/release-4.5",
				Published: time.Date(2026, time.February, 20, 9, 0, 0, 0, time.UTC),
				Links:     []talkstream.Link{{Role: talkstream.RolePage, URL: "javascript:alert('xss7')"}},
			}}},
		},
	}
}

// xssMarkers must appear in no output, in any letter case.
var xssMarkers = []string{
	"alert(", "evil.example", "onerror", "onclick", "onload", "javascript:",
	"<script", "<iframe", "<form", "<input", "<object", "<svg", "data:image", "display:none",
}
