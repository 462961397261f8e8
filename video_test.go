package talkstream

import "testing"

func TestParseVideoURL(t *testing.T) {
	const yt = "dQw4w9WgXcQ"
	tests := []struct {
		name     string
		url      string
		provider string // "" when no video is expected
		id       string
	}{
		// YouTube forms.
		{"watch", "https://www.youtube.com/watch?v=" + yt, "youtube", yt},
		{"watch http", "http://www.youtube.com/watch?v=" + yt, "youtube", yt},
		{"watch no www", "https://youtube.com/watch?v=" + yt, "youtube", yt},
		{"watch trailing slash", "https://www.youtube.com/watch/?v=" + yt, "youtube", yt},
		{"watch extra params", "https://www.youtube.com/watch?v=" + yt + "&feature=plcp&t=79", "youtube", yt},
		{"watch v not first", "https://www.youtube.com/watch?feature=youtu.be&v=" + yt, "youtube", yt},
		{"watch upper-case host", "HTTPS://WWW.YOUTUBE.COM/watch?v=" + yt, "youtube", yt},
		{"watch with fragment", "https://www.youtube.com/watch?v=" + yt + "#t=1m", "youtube", yt},
		{"watch surrounding space", "  https://www.youtube.com/watch?v=" + yt + "\n", "youtube", yt},
		{"mobile", "https://m.youtube.com/watch?v=" + yt, "youtube", yt},
		{"music", "https://music.youtube.com/watch?v=" + yt, "youtube", yt},
		{"short link", "https://youtu.be/" + yt, "youtube", yt},
		{"short link http", "http://youtu.be/" + yt, "youtube", yt},
		{"short link without scheme", "youtu.be/" + yt, "youtube", yt},
		{"scheme-relative embed", "//www.youtube.com/embed/" + yt, "youtube", yt},
		{"short link with time", "https://youtu.be/" + yt + "?t=79", "youtube", yt},
		{"short link with si", "https://youtu.be/" + yt + "?si=abcDEF123", "youtube", yt},
		{"embed", "https://www.youtube.com/embed/" + yt, "youtube", yt},
		{"embed params", "https://www.youtube.com/embed/" + yt + "?rel=0&start=12", "youtube", yt},
		{"embed protocol-relative", "//www.youtube.com/embed/" + yt, "youtube", yt},
		{"embed nocookie", "https://www.youtube-nocookie.com/embed/" + yt, "youtube", yt},
		{"embed nocookie no www", "https://youtube-nocookie.com/embed/" + yt + "?autoplay=1", "youtube", yt},
		{"shorts", "https://www.youtube.com/shorts/" + yt, "youtube", yt},
		{"live", "https://www.youtube.com/live/" + yt + "?feature=share", "youtube", yt},
		{"old v", "http://www.youtube.com/v/" + yt + "?version=3&hl=en_US", "youtube", yt},
		{"old e", "https://www.youtube.com/e/" + yt, "youtube", yt},
		{"id with dash and underscore", "https://www.youtube.com/watch?v=a-b_c-d_e-f", "youtube", "a-b_c-d_e-f"},

		// Vimeo forms.
		{"vimeo", "https://vimeo.com/57412215", "vimeo", "57412215"},
		{"vimeo http www", "http://www.vimeo.com/57412215", "vimeo", "57412215"},
		{"vimeo unlisted hash", "https://vimeo.com/57412215/a1b2c3d4e5", "vimeo", "57412215"},
		{"vimeo channel", "https://vimeo.com/channels/staffpicks/57412215", "vimeo", "57412215"},
		{"vimeo group", "https://vimeo.com/groups/ocaml/videos/57412215", "vimeo", "57412215"},
		{"vimeo player", "https://player.vimeo.com/video/57412215", "vimeo", "57412215"},
		{"vimeo player dnt", "https://player.vimeo.com/video/57412215?dnt=1", "vimeo", "57412215"},
		{"vimeo player protocol-relative", "//player.vimeo.com/video/57412215?title=0&byline=0", "vimeo", "57412215"},
		{"vimeo showcase video", "https://vimeo.com/showcase/7654321/video/57412215", "vimeo", "57412215"},
		{"vimeo album video", "https://vimeo.com/album/7654321/video/57412215", "vimeo", "57412215"},

		// Not videos.
		{"youtube channel", "https://www.youtube.com/channel/UC3TI-fmhJ_g3_n9fHaXGZKA", "", ""},
		{"youtube user", "https://www.youtube.com/user/abcdefghijk", "", ""},
		{"youtube handle", "https://www.youtube.com/@ocaml", "", ""},
		{"youtube playlist", "https://www.youtube.com/playlist?list=PLgjWYrrJw8_wlrkveCXULbg6oIYDvNuDU", "", ""},
		{"youtube playlist embed", "https://www.youtube.com/embed/videoseries?list=PLgjWYrrJw8_wlrkveCXULbg6oIYDvNuDU", "", ""},
		{"youtube live stream embed", "https://www.youtube.com/embed/live_stream?channel=UC3TI-fmhJ_g3_n9fHaXGZKA", "", ""},
		{"youtube feed", "https://www.youtube.com/feeds/videos.xml?channel_id=UC3TI-fmhJ_g3_n9fHaXGZKA", "", ""},
		{"youtube home", "https://www.youtube.com/", "", ""},
		{"watch without v", "https://www.youtube.com/watch?list=PL123", "", ""},
		{"watch short id", "https://www.youtube.com/watch?v=dQw4w9WgXc", "", ""},
		{"watch long id", "https://www.youtube.com/watch?v=dQw4w9WgXcQQ", "", ""},
		{"watch bad chars", "https://www.youtube.com/watch?v=dQw4w9WgX%21Q", "", ""},
		{"youtu.be root", "https://youtu.be/", "", ""},
		{"embed without id", "https://www.youtube.com/embed/", "", ""},
		{"vimeo user", "https://vimeo.com/user123", "", ""},
		{"vimeo named user", "https://vimeo.com/avsm", "", ""},
		{"vimeo user videos", "https://vimeo.com/avsm/videos", "", ""},
		{"vimeo user rss", "https://vimeo.com/avsm/videos/rss", "", ""},
		{"vimeo channel page", "https://vimeo.com/channels/staffpicks", "", ""},
		{"vimeo showcase page", "https://vimeo.com/showcase/7654321", "", ""},
		{"vimeo album page", "https://vimeo.com/album/7654321", "", ""},
		{"vimeo short number", "https://vimeo.com/12", "", ""},
		{"vimeo user then number", "https://vimeo.com/avsm/57412215", "", ""},
		{"other site with v", "https://example.com/watch?v=" + yt, "", ""},
		{"other site embed", "https://example.com/embed/" + yt, "", ""},
		{"lookalike host", "https://notyoutube.com/watch?v=" + yt, "", ""},
		{"youtube in path", "https://example.com/youtube.com/watch?v=" + yt, "", ""},
		{"vimeo lookalike", "https://vimeo.com.example.org/57412215", "", ""},
		{"no scheme", "www.youtube.com/watch?v=" + yt, "youtube", yt},
		{"empty", "", "", ""},
		{"garbage", "::not a url::", "", ""},
		{"bad escape", "https://www.youtube.com/watch?v=%zz", "", ""},
		{"bad host", "https://[::1/watch?v=" + yt, "", ""},
		{"mailto", "mailto:someone@youtube.com", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ParseVideoURL(tt.url)
			if tt.provider == "" {
				if v != nil {
					t.Fatalf("ParseVideoURL(%q) = %+v, want nil", tt.url, v)
				}
				return
			}
			if v == nil {
				t.Fatalf("ParseVideoURL(%q) = nil, want %s %s", tt.url, tt.provider, tt.id)
			}
			if v.Provider != tt.provider || v.ID != tt.id {
				t.Errorf("ParseVideoURL(%q) = %s %s, want %s %s", tt.url, v.Provider, v.ID, tt.provider, tt.id)
			}
			if *v != *NewVideo(tt.provider, tt.id) {
				t.Errorf("ParseVideoURL(%q) = %+v, want NewVideo's %+v", tt.url, v, NewVideo(tt.provider, tt.id))
			}
		})
	}
}

func TestNewVideo(t *testing.T) {
	tests := []struct {
		provider, id string
		want         *Video
	}{
		{"youtube", "dQw4w9WgXcQ", &Video{
			Provider:  "youtube",
			ID:        "dQw4w9WgXcQ",
			URL:       "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
			EmbedURL:  "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
			Thumbnail: "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
		}},
		{"vimeo", "57412215", &Video{
			Provider: "vimeo",
			ID:       "57412215",
			URL:      "https://vimeo.com/57412215",
			EmbedURL: "https://player.vimeo.com/video/57412215?dnt=1",
		}},
		{"dailymotion", "x7tgad0", nil},
	}
	for _, tt := range tests {
		t.Run(tt.provider, func(t *testing.T) {
			got := NewVideo(tt.provider, tt.id)
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("NewVideo(%q, %q) = %+v, want %+v", tt.provider, tt.id, got, tt.want)
			}
			// Every URL NewVideo builds is recognised again.
			if got != nil {
				for _, u := range []string{got.URL, got.EmbedURL} {
					if v := ParseVideoURL(u); v == nil || v.ID != tt.id {
						t.Errorf("ParseVideoURL(%q) = %+v, want id %s", u, v, tt.id)
					}
				}
			}
		})
	}
}

// FuzzParseVideoURL checks that ParseVideoURL never panics and that a
// video it finds is found again, with the same id, from its own watch URL.
func FuzzParseVideoURL(f *testing.F) {
	for _, s := range []string{
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=plcp&t=79",
		"https://youtu.be/dQw4w9WgXcQ",
		"//www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
		"https://m.youtube.com/shorts/dQw4w9WgXcQ",
		"https://vimeo.com/channels/staffpicks/57412215",
		"https://player.vimeo.com/video/57412215?dnt=1",
		"https://vimeo.com/showcase/1/video/57412215",
		"https://vimeo.com/user123",
		"https://www.youtube.com/channel/UC3TI-fmhJ_g3_n9fHaXGZKA",
		"http://[::1]:80/embed/x",
		"https://watch.ocaml.org/w/mhvXdrZT4jP5T8vBxuvm75",
		"https://tube.example.org:8443/videos/embed/a44521d0-0fb8-4ade-8002-3385545c3318?start=10s",
		"https://media.ccc.de/v/36c3-10961-ocaml",
		"0/w/11111111111111111111",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v := ParseVideoURL(raw)
		if v == nil {
			return
		}
		switch {
		case v.ID == "":
			t.Fatalf("ParseVideoURL(%q) = %+v: no id", raw, v)
		case v.Provider == "youtube", v.Provider == "vimeo", v.Provider == "peertube", v.Provider == "mediaccc":
		default:
			t.Fatalf("ParseVideoURL(%q) = %+v", raw, v)
		}
		again := ParseVideoURL(v.URL)
		if again == nil || again.ID != v.ID || again.Provider != v.Provider {
			t.Fatalf("ParseVideoURL(%q) = %s %s, but its URL %q gives %+v", raw, v.Provider, v.ID, v.URL, again)
		}
		if embed := ParseVideoURL(v.EmbedURL); embed == nil || embed.ID != v.ID {
			t.Fatalf("embed URL %q of %q gives %+v", v.EmbedURL, raw, embed)
		}
	})
}

func TestParseVideoURLPeerTubeAndMediaCCC(t *testing.T) {
	// The short id is the UUID in base 58 (short-uuid's Flickr alphabet):
	// this pair is that package's own documented example.
	const uuid, short = "a44521d0-0fb8-4ade-8002-3385545c3318", "mhvXdrZT4jP5T8vBxuvm75"
	tests := []struct {
		name, url, provider, id, watch, embed string
	}{
		{"peertube watch uuid", "https://watch.ocaml.org/videos/watch/" + uuid, "peertube", uuid,
			"https://watch.ocaml.org/videos/watch/" + uuid, "https://watch.ocaml.org/videos/embed/" + uuid},
		{"peertube embed uuid", "https://watch.ocaml.org/videos/embed/" + uuid + "?start=10s", "peertube", uuid,
			"https://watch.ocaml.org/videos/watch/" + uuid, "https://watch.ocaml.org/videos/embed/" + uuid},
		{"peertube short watch", "https://watch.ocaml.org/w/" + short, "peertube", uuid,
			"https://watch.ocaml.org/videos/watch/" + uuid, "https://watch.ocaml.org/videos/embed/" + uuid},
		{"peertube upper-case uuid", "https://tube.example.org/w/" + "A44521D0-0FB8-4ADE-8002-3385545C3318", "peertube", uuid,
			"https://tube.example.org/videos/watch/" + uuid, "https://tube.example.org/videos/embed/" + uuid},
		{"peertube short embed with port", "http://127.0.0.1:8080/videos/embed/" + short, "peertube", uuid,
			"https://127.0.0.1:8080/videos/watch/" + uuid, "https://127.0.0.1:8080/videos/embed/" + uuid},
		{"media.ccc.de", "https://media.ccc.de/v/36c3-10485-leaving-legacy-behind", "mediaccc", "36c3-10485-leaving-legacy-behind",
			"https://media.ccc.de/v/36c3-10485-leaving-legacy-behind", "https://media.ccc.de/v/36c3-10485-leaving-legacy-behind/oembed"},
		{"media.ccc.de oembed", "https://media.ccc.de/v/36c3-10485-leaving-legacy-behind/oembed", "mediaccc", "36c3-10485-leaving-legacy-behind",
			"https://media.ccc.de/v/36c3-10485-leaving-legacy-behind", "https://media.ccc.de/v/36c3-10485-leaving-legacy-behind/oembed"},

		{"peertube playlist", "https://watch.ocaml.org/w/p/" + short, "", "", "", ""},
		{"peertube channel", "https://watch.ocaml.org/c/ocaml_workshop/videos", "", "", "", ""},
		{"wiki page under /w/", "https://en.wikipedia.org/w/index.php", "", "", "", ""},
		{"short id with a zero", "https://x.example/w/0hvXdrZT4jP5T8vBxuvm75", "", "", "", ""},
		{"short id too large", "https://x.example/w/ZZZZZZZZZZZZZZZZZZZZZZ", "", "", "", ""},
		{"media.ccc.de conference", "https://media.ccc.de/c/36c3", "", "", "", ""},
		{"peertube path on no host name", "a://::/videos/embed/" + uuid, "", "", "", ""},
		{"peertube path on a host with a space", "https://a%20b/w/" + short, "", "", "", ""},
		{"peertube on an IPv6 host", "http://[::1]:9000/w/" + short, "peertube", uuid,
			"https://[::1]:9000/videos/watch/" + uuid, "https://[::1]:9000/videos/embed/" + uuid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ParseVideoURL(tt.url)
			if tt.provider == "" {
				if v != nil {
					t.Fatalf("ParseVideoURL(%q) = %+v, want nil", tt.url, v)
				}
				return
			}
			if v == nil {
				t.Fatalf("ParseVideoURL(%q) = nil", tt.url)
			}
			if v.Provider != tt.provider || v.ID != tt.id || v.URL != tt.watch || v.EmbedURL != tt.embed {
				t.Errorf("ParseVideoURL(%q) = %+v, want %s %s %s %s", tt.url, v, tt.provider, tt.id, tt.watch, tt.embed)
			}
		})
	}
}
