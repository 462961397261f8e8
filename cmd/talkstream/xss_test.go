package main

// The XSS corpus (testdata/xss-payloads.txt) in every field of an Atom and
// a JSON Feed source of the hostile world (browser_test.go), and a scan of
// every file `talkstream build -out` writes: no script but the page's own,
// no event handler, no style, no script or data URL anywhere a browser or
// a feed reader would follow or run one.

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// xssFields are the fields each payload is put in; the marker a payload
// sets when it runs names the field and the payload's number.
var xssFields = []string{"title", "summary", "content", "author", "authoruri", "category", "link", "enclosure", "thumb"}

// loadPayloads reads the corpus, expanding \t, \n, \0 and \u{XXXX}.
func loadPayloads() ([]string, error) {
	f, err := os.Open(filepath.Join("testdata", "xss-payloads.txt"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	uni := regexp.MustCompile(`\\u\{([0-9A-Fa-f]{1,6})\}`)
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || line == "#" || strings.HasPrefix(line, "# ") {
			continue
		}
		line = strings.NewReplacer(`\t`, "\t", `\n`, "\n", `\0`, "\x00").Replace(line)
		line = uni.ReplaceAllStringFunc(line, func(m string) string {
			n, _ := strconv.ParseUint(uni.FindStringSubmatch(m)[1], 16, 32)
			return string(rune(n))
		})
		out = append(out, line)
	}
	return out, sc.Err()
}

// payload is payload n with its marker for field.
func payload(p, field string, n int) string {
	return strings.ReplaceAll(p, "$X", fmt.Sprintf("window.__xss_%s_%d=1", field, n))
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// xssFeeds builds an Atom feed and a JSON Feed with one entry per payload,
// the payload in every field. Entries are dated 2001, at the end of the
// stream, so that the demo's talks keep the first page.
func xssFeeds(payloads []string) (atomDoc, jsonDoc []byte, err error) {
	var a strings.Builder
	a.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title type="html">` + xmlText(`XSS corpus <script>window.__xss_feedtitle=1</script>`) + `</title>
<id>urn:talkstream:xss</id><updated>2001-12-31T00:00:00Z</updated>
<link rel="alternate" href="javascript:window.__xss_feedlink=1"/>
`)
	type jsonAuthor struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	}
	type jsonAttachment struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
	}
	type jsonItem struct {
		ID            string           `json:"id"`
		URL           string           `json:"url"`
		ExternalURL   string           `json:"external_url"`
		Title         string           `json:"title"`
		ContentHTML   string           `json:"content_html"`
		Summary       string           `json:"summary"`
		Image         string           `json:"image"`
		DatePublished string           `json:"date_published"`
		Authors       []jsonAuthor     `json:"authors"`
		Tags          []string         `json:"tags"`
		Attachments   []jsonAttachment `json:"attachments"`
	}
	var items []jsonItem
	for i, p := range payloads {
		f := func(field string) string { return payload(p, field, i) }
		date := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 24 * time.Hour)
		fmt.Fprintf(&a, `<entry>
  <id>urn:talkstream:xss:%d</id>
  <title type="html">%s</title>
  <updated>%s</updated>
  <author><name>%s</name><uri>%s</uri></author>
  <category term="%s" label="%s"/>
  <link rel="alternate" href="%s"/>
  <link rel="enclosure" href="%s" type="audio/mpeg" length="1"/>
  <media:thumbnail url="%s"/>
  <summary type="html">%s</summary>
  <content type="html">%s</content>
</entry>
`, i, xmlText(f("title")), date.Format(time.RFC3339), xmlText(f("author")), xmlText(f("authoruri")),
			xmlText(f("category")), xmlText(f("category")), xmlText(f("link")), xmlText(f("enclosure")), xmlText(f("thumb")),
			xmlText(f("summary")), xmlText(f("content")))
		items = append(items, jsonItem{
			ID: fmt.Sprintf("xss-%d", i), URL: f("link"), ExternalURL: f("link"), Title: f("title"),
			ContentHTML: f("content"), Summary: f("summary"), Image: f("thumb"),
			DatePublished: date.Add(12 * time.Hour).Format(time.RFC3339),
			Authors:       []jsonAuthor{{Name: f("author"), URL: f("authoruri")}},
			Tags:          []string{f("category")},
			Attachments:   []jsonAttachment{{URL: f("enclosure"), MimeType: "audio/mpeg"}},
		})
	}
	a.WriteString("</feed>\n")
	jsonDoc, err = json.MarshalIndent(map[string]any{
		"version": "https://jsonfeed.org/version/1.1", "title": "XSS corpus <img src=x onerror=window.__xss_jsontitle=1>",
		"home_page_url": "javascript:window.__xss_jsonhome=1", "items": items,
	}, "", " ")
	return []byte(a.String()), jsonDoc, err
}

// xssServer serves /xss.atom and /xss.json built from the corpus.
func xssServer() (*httptest.Server, error) {
	payloads, err := loadPayloads()
	if err != nil {
		return nil, err
	}
	atomDoc, jsonDoc, err := xssFeeds(payloads)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/xss.atom", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(atomDoc)
	})
	mux.HandleFunc("/xss.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/feed+json")
		w.Write(jsonDoc)
	})
	return httptest.NewServer(mux), nil
}

// xssSources is what the hostile world adds to the demo config.
func xssSources(base string) string {
	return fmt.Sprintf("  - {id: xss-atom, kind: blog, url: %q}\n  - {id: xss-json, kind: person, url: %q}\n",
		base+"/xss.atom", base+"/xss.json")
}

// scriptSchemes are URL schemes that run or smuggle code.
var scriptSchemes = regexp.MustCompile(`^(javascript|vbscript|livescript|data|jscript|mocha|about|blob|file|filesystem):`)

// badURL says what is wrong with a URL some output links to: only http,
// https and mailto (and relative URLs, in HTML) are fine. The value is
// normalised as a browser reads it: entities are already decoded, and
// white space and control characters inside the scheme are ignored.
func badURL(v string, relativeOK bool) string {
	n := strings.ToLower(strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || r == 0x200b || r == 0xfeff {
			return -1
		}
		return r
	}, v))
	if n == "" {
		return ""
	}
	if scriptSchemes.MatchString(n) {
		return "script URL"
	}
	scheme, _, ok := strings.Cut(n, ":")
	hasScheme := ok && regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`).MatchString(scheme)
	switch {
	case hasScheme && scheme != "http" && scheme != "https" && scheme != "mailto":
		return "scheme " + scheme
	case !hasScheme && !relativeOK && !strings.HasPrefix(n, "tag:"):
		return "not an absolute URL"
	}
	return ""
}

// ourScript is the page's one script, as each page links it.
var ourScript = regexp.MustCompile(`^(\.\./)*/?app\.js\?v=[0-9a-f]+$`)

// urlAttrs are HTML attributes a browser loads or follows.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "poster": true, "data": true, "background": true,
	"cite": true, "ping": true, "lowsrc": true, "dynsrc": true, "manifest": true, "codebase": true, "srcdoc": true,
	"xlink:href": true, "longdesc": true, "usemap": true, "icon": true,
	"data-embed": true, // app.js builds the player from it
}

// forbiddenElements may not appear in any output, our own pages included.
var forbiddenElements = map[atom.Atom]bool{
	atom.Iframe: true, atom.Frame: true, atom.Frameset: true, atom.Object: true, atom.Embed: true, atom.Applet: true,
	atom.Form: true, atom.Input: true, atom.Button: true, atom.Textarea: true, atom.Select: true, atom.Base: true,
	atom.Style: true, atom.Svg: true, atom.Math: true, atom.Template: true, atom.Noscript: true,
}

// scanHTML lists everything executable in an HTML document (page true) or
// in a fragment a feed reader would render. A page may have its own
// stylesheets, its alternate links and one script: /app.js, external.
func scanHTML(s string, page bool) []string {
	var nodes []*html.Node
	if page {
		doc, err := html.Parse(strings.NewReader(s))
		if err != nil {
			return []string{err.Error()}
		}
		nodes = []*html.Node{doc}
	} else {
		var err error
		nodes, err = html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "body", DataAtom: atom.Body})
		if err != nil {
			return []string{err.Error()}
		}
	}
	var bad []string
	scripts := 0
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			tag := n.Data
			if n.Namespace != "" {
				tag = n.Namespace + ":" + n.Data
				bad = append(bad, "<"+tag+">")
			}
			switch {
			case n.DataAtom == atom.Script:
				scripts++
				src := attr(n, "src")
				if !page || scripts > 1 || n.FirstChild != nil || !ourScript.MatchString(src) {
					bad = append(bad, fmt.Sprintf("<script src=%q>", src))
				}
			case forbiddenElements[n.DataAtom]:
				bad = append(bad, "<"+tag+">")
			case n.DataAtom == atom.Meta && attr(n, "http-equiv") != "":
				bad = append(bad, "<meta http-equiv>")
			case n.DataAtom == atom.Link && !page:
				bad = append(bad, "<link>")
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				if a.Namespace != "" {
					key = a.Namespace + ":" + key
				}
				switch {
				case strings.HasPrefix(key, "on"):
					bad = append(bad, fmt.Sprintf("<%s %s=%q>", tag, key, a.Val))
				case key == "style":
					bad = append(bad, fmt.Sprintf("<%s style=%q>", tag, a.Val))
				case key == "srcset" || key == "imagesrcset":
					for _, c := range strings.Split(a.Val, ",") {
						if f := strings.Fields(c); len(f) > 0 && badURL(f[0], true) != "" {
							bad = append(bad, fmt.Sprintf("<%s %s=%q>", tag, key, a.Val))
						}
					}
				case urlAttrs[key]:
					if why := badURL(a.Val, true); why != "" {
						bad = append(bad, fmt.Sprintf("<%s %s=%q>: %s", tag, key, a.Val, why))
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return bad
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && a.Key == key {
			return a.Val
		}
	}
	return ""
}

// xmlURLAttrs and xmlURLElements hold URLs in RSS, Atom and OPML.
var (
	xmlURLAttrs    = map[string]bool{"href": true, "url": true, "src": true, "xmlUrl": true, "htmlUrl": true, "domain": true, "scheme": true, "uri": true}
	xmlURLElements = map[string]bool{"link": true, "uri": true, "icon": true, "logo": true, "docs": true, "comments": true}
)

// scanXML lists everything executable in a feed or OPML document: every
// text and attribute is read as HTML, as some readers render even titles,
// and every URL must be http(s) or mailto. The document must also parse
// to its end.
func scanXML(data []byte) []string {
	var bad []string
	d := xml.NewDecoder(bytes.NewReader(data))
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return append(bad, "XML: "+err.Error())
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			for _, a := range tok.Attr {
				if xmlURLAttrs[a.Name.Local] {
					if why := badURL(a.Value, false); why != "" {
						bad = append(bad, fmt.Sprintf("<%s %s=%q>: %s", tok.Name.Local, a.Name.Local, a.Value, why))
					}
				}
				for _, b := range scanHTML(a.Value, false) {
					bad = append(bad, fmt.Sprintf("<%s %s>: %s", tok.Name.Local, a.Name.Local, b))
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 || len(bytes.TrimSpace(tok)) == 0 {
				continue
			}
			el := stack[len(stack)-1]
			if xmlURLElements[el] {
				if why := badURL(string(tok), false); why != "" {
					bad = append(bad, fmt.Sprintf("<%s>%s: %s", el, tok, why))
				}
			}
			for _, b := range scanHTML(string(tok), false) {
				bad = append(bad, fmt.Sprintf("<%s>: %s", el, b))
			}
		}
	}
	return bad
}

// scanJSON does for a JSON Feed what scanXML does for the others.
func scanJSON(data []byte) []string {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return []string{"JSON: " + err.Error()}
	}
	var bad []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			if key == "url" || strings.HasSuffix(key, "_url") || key == "image" || key == "banner_image" ||
				key == "icon" || key == "favicon" || key == "avatar" || key == "thumbnail" {
				if why := badURL(v, false); why != "" {
					bad = append(bad, fmt.Sprintf("%s %q: %s", key, v, why))
				}
			}
			for _, b := range scanHTML(v, false) {
				bad = append(bad, fmt.Sprintf("%s: %s", key, b))
			}
		}
	}
	walk("", v)
	return bad
}

// scanOutput scans one output file by its name.
func scanOutput(name string, data []byte) []string {
	switch {
	case strings.HasSuffix(name, ".html"):
		bad := scanHTML(string(data), true)
		if n := bytes.Count(bytes.ToLower(data), []byte("<script")); n > 1 {
			bad = append(bad, fmt.Sprintf("%d <script in the markup", n))
		}
		if !bytes.Contains(data, []byte("</html>")) {
			bad = append(bad, "no </html>")
		}
		return bad
	case strings.HasSuffix(name, ".xml"), strings.HasSuffix(name, ".opml"):
		return scanXML(data)
	case strings.HasSuffix(name, ".json"):
		return scanJSON(data)
	}
	return nil
}

// TestXSSOutputs scans every file of the hostile world's build, the gzip
// siblings decompressed: nothing from the corpus may be executable in any
// of them.
func TestXSSOutputs(t *testing.T) {
	w := newHostileWorld(t)
	payloads, err := loadPayloads()
	if err != nil {
		t.Fatal(err)
	}
	files, xssItems := 0, 0
	err = filepath.WalkDir(w.out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(w.out, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		name := rel
		if strings.HasSuffix(rel, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				return nil
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Errorf("%s: %v", rel, err)
				return nil
			}
			plain, err := os.ReadFile(strings.TrimSuffix(path, ".gz"))
			if err != nil || !bytes.Equal(plain, data) {
				t.Errorf("%s does not decompress to its sibling (%v)", rel, err)
			}
			name = strings.TrimSuffix(rel, ".gz")
		}
		files++
		if rel == "feed.json" || strings.HasPrefix(rel, "page/") && strings.HasSuffix(rel, "feed.json") {
			xssItems += bytes.Count(data, []byte(`"source": "xss-`)) + bytes.Count(data, []byte(`"source":"xss-`))
		}
		for _, b := range scanOutput(name, data) {
			t.Errorf("%s: %s", rel, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d payloads; %d files scanned; %d entries of the xss sources in the main stream", len(payloads), files, xssItems)
	if files < 40 || xssItems < len(payloads) {
		t.Errorf("the scan saw too little: %d files, %d xss entries for %d payloads", files, xssItems, len(payloads))
	}
}

// TestScanners: the scanners above catch what they are meant to, so that
// TestXSSOutputs passing means something.
func TestScanners(t *testing.T) {
	for _, tt := range []struct {
		name, data string
		bad        bool
	}{
		{"page.html", `<!DOCTYPE html><html><head><script src="/app.js?v=1" defer></script></head><body><a href="/x">x</a></body></html>`, false},
		{"page.html", `<!DOCTYPE html><html><body><script>alert(1)</script></body></html>`, true},
		{"page.html", `<!DOCTYPE html><html><body><a href=" java&#x09;script:x">x</a></body></html>`, true},
		{"page.html", `<!DOCTYPE html><html><body><img src=x onerror=x></body></html>`, true},
		{"page.html", `<!DOCTYPE html><html><body><p style="x:expression(1)">x</p></body></html>`, true},
		{"page.html", `<!DOCTYPE html><html><body><p>x</p></body>`, true},
		{"rss.xml", `<rss><channel><item><title>&lt;b&gt;ok&lt;/b&gt;</title><link>https://e.org/</link></item></channel></rss>`, false},
		{"rss.xml", `<rss><channel><item><description>&lt;img src=x onerror=x&gt;</description></item></channel></rss>`, true},
		{"rss.xml", `<rss><channel><item><title>&lt;script&gt;x&lt;/script&gt;</title></item></channel></rss>`, true},
		{"rss.xml", `<rss><channel><item><link>javascript:x</link></item></channel></rss>`, true},
		{"atom.xml", `<feed><entry><link href="data:text/html,x"/></entry></feed>`, true},
		{"atom.xml", `<feed><entry><title>x</title>`, true},
		{"feed.json", `{"items":[{"url":"https://e.org/","title":"javascript: the good parts"}]}`, false},
		{"feed.json", `{"items":[{"url":"javascript:x"}]}`, true},
		{"feed.json", `{"items":[{"content_html":"<svg onload=x>"}]}`, true},
		{"feed.json", `{"items":[{"content_html":"<svg onload=x>"`, true},
		{"sources.opml", `<opml><body><outline xmlUrl="vbscript:x"/></body></opml>`, true},
	} {
		if got := scanOutput(tt.name, []byte(tt.data)); (len(got) > 0) != tt.bad {
			t.Errorf("%s %s: %v, want bad=%v", tt.name, tt.data, got, tt.bad)
		}
	}
}
