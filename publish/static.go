package publish

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"path"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/talkstream/talkstream"
)

// The page's own files: one stylesheet, one small script (click-to-play
// videos) and an icon, served from the site root so that every page and
// browser cache shares them. The page's Content-Security-Policy allows
// nothing else.
//
//go:embed static/style.css static/app.js static/favicon.svg
var staticFS embed.FS

// assetVersionLen is how many hex digits of an asset's ETag its ?v= has.
const assetVersionLen = 10

var assetTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
}

// fixedOutput is an output that is not a stream's: an asset or
// sources.opml. It is small and always in memory.
type fixedOutput struct {
	path, file  string
	contentType string
	kind        int
	body, gz    []byte
	etag        string // strong, quoted
	version     string // the ETag's hex, which pages put in asset URLs (?v=)
	modTime     time.Time
}

func newFixed(path, contentType string, kind int, body []byte, mod time.Time) *fixedOutput {
	sum := sha256.Sum256(body)
	v := hex.EncodeToString(sum[:12])
	return &fixedOutput{
		path: path, file: strings.TrimPrefix(path, "/"), contentType: contentType, kind: kind,
		body: body, gz: gzipBytes(body), etag: `"` + v + `"`, version: v, modTime: mod,
	}
}

// fixedOutputs adds the static files and sources.opml to a snapshot and
// records the files' versions, which pages append to the files' URLs (?v=)
// so that a changed file is fetched again whatever its Cache-Control said.
func (p *Publisher) fixedOutputs(ctx context.Context, s *snapshot, sources []talkstream.Source) error {
	s.fixed = map[string]*fixedOutput{}
	s.assets = map[string]string{}
	for _, o := range assets() {
		s.fixed[o.path] = o
		s.assets[strings.TrimPrefix(o.path, "/")] = o.version[:assetVersionLen]
	}
	o, err := p.opmlOutput(ctx, s, sources)
	if err != nil {
		return err
	}
	s.fixed[o.path] = o
	return nil
}

// assets are the page's own files, embedded in the binary: read, hashed and
// compressed once per process, not at every Sync.
var assets = sync.OnceValue(func() []*fixedOutput {
	var out []*fixedOutput
	for _, name := range []string{"style.css", "app.js", "favicon.svg"} {
		body, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			panic(err) // embedded by go:embed above: always there
		}
		out = append(out, newFixed("/"+name, assetTypes[path.Ext(name)], kindAsset, body, assetTime()))
	}
	return out
})

// assetTime is the assets' Last-Modified and file time: the time of the
// commit the binary was built from (go build stamps it), which is when they
// last could have changed; 1970 when the binary has no such stamp (go test,
// a build outside a repository).
var assetTime = sync.OnceValue(func() time.Time {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.time" {
				if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
					return t.UTC()
				}
			}
		}
	}
	return epoch
})
