package publish

import (
	"embed"
	"path"
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

// renderAssets adds the static files to the site and records their versions,
// which pages append to the files' URLs (?v=) so that a changed file is
// fetched again whatever its Cache-Control said.
func (r *renderer) renderAssets(site *Site) error {
	r.assets = map[string]string{}
	for _, name := range []string{"style.css", "app.js", "favicon.svg"} {
		body, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			return err
		}
		o := &output{
			path: "/" + name, file: name, contentType: assetTypes[path.Ext(name)],
			kind: kindAsset, body: body, modTime: r.now,
		}
		if err := site.add(o); err != nil {
			return err
		}
		r.assets[name] = o.version[:assetVersionLen]
	}
	return nil
}
