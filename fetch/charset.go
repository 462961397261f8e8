package fetch

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16BE = []byte{0xFE, 0xFF}
	bomUTF16LE = []byte{0xFF, 0xFE}

	// prologEncoding finds the encoding pseudo-attribute of an XML declaration.
	prologEncoding = regexp.MustCompile(`^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']\s*([A-Za-z0-9._:-]+)\s*["']`)
)

// toUTF8 returns body as UTF-8, or as the parser can decode it itself.
//
// gofeed's XML decoder already converts a body whose XML declaration names an
// encoding (its CharsetReader is golang.org/x/net/html/charset), so such a
// body is left alone: converting it here too would decode it twice. Only a
// body that declares nothing is converted: from the Content-Type charset when
// there is one, else, when it is not valid UTF-8, from Windows-1252 (which
// also reads Latin-1 correctly).
func toUTF8(body []byte, contentType string) []byte {
	switch {
	case bytes.HasPrefix(body, bomUTF8):
		body = body[len(bomUTF8):]
	case bytes.HasPrefix(body, bomUTF16BE), bytes.HasPrefix(body, bomUTF16LE):
		out, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(body)
		if err != nil {
			return body
		}
		// The declaration (if any) still says UTF-16; make it tell the truth
		// so the parser does not decode a second time.
		return declareUTF8(out)
	}

	if enc := declaredEncoding(body); enc != "" {
		switch _, name := charset.Lookup(enc); {
		case isUTF8(enc) || name == "utf-8":
			if !utf8.Valid(body) {
				// Declared UTF-8 but is not: the XML decoder would stop
				// at the first bad byte.
				return repairUTF8(body)
			}
			return body
		case name != "" && !strings.HasPrefix(name, "utf-16"):
			return body
		}
		// An encoding the decoder does not know, or UTF-16 claimed by a
		// declaration we could read as ASCII: the declaration is wrong, so
		// make it say UTF-8 and decode as if it were missing.
		body = declareUTF8(body)
	}
	if label := contentTypeCharset(contentType); label != "" && !isUTF8(label) {
		if enc, _ := charset.Lookup(label); enc != nil {
			if out, err := enc.NewDecoder().Bytes(body); err == nil {
				return out
			}
		}
	}
	if utf8.Valid(body) {
		return body
	}
	return repairUTF8(body)
}

// declaredEncoding returns the encoding named in the XML declaration, if any.
func declaredEncoding(body []byte) string {
	head := body
	if len(head) > 1024 {
		head = head[:1024]
	}
	m := prologEncoding.FindSubmatch(head)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// declareUTF8 rewrites the XML declaration's encoding to UTF-8.
func declareUTF8(body []byte) []byte {
	loc := prologEncoding.FindSubmatchIndex(body)
	if loc == nil {
		return body
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:loc[2]]...)
	out = append(out, "UTF-8"...)
	return append(out, body[loc[3]:]...)
}

func contentTypeCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

func isUTF8(label string) bool {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "unicode-1-1-utf-8":
		return true
	}
	return false
}

// repairUTF8 makes invalid UTF-8 valid. A body that is UTF-8 but for a few
// stray bytes keeps its multi-byte characters and loses the strays; a body
// with no multi-byte sequence at all is taken to be Windows-1251 when it
// reads like Cyrillic (see looksCyrillic), else Windows-1252.
func repairUTF8(body []byte) []byte {
	if hasMultibyteUTF8(body) {
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	cm := charmap.Windows1252
	if looksCyrillic(body) {
		cm = charmap.Windows1251
	}
	out, err := cm.NewDecoder().Bytes(body)
	if err != nil {
		return bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return out
}

// looksCyrillic tells undeclared Windows-1251 from Windows-1252 (and
// Latin-1). Both put letters at 0xC0–0xFF: Cyrillic ones in 1251, accented
// Latin ones in 1252. Latin text has an accented letter here and there
// inside ASCII words; Cyrillic text is whole words of them. So when most
// high bytes stand in runs of three or more such letters, it is 1251.
func looksCyrillic(b []byte) bool {
	high, inRuns, run := 0, 0, 0
	letter := func(c byte) bool { return c >= 0xC0 || c == 0xA8 || c == 0xB8 } // А–я, Ё, ё
	for i := 0; i <= len(b); i++ {
		if i < len(b) && letter(b[i]) {
			run++
		} else {
			if run >= 3 {
				inRuns += run
			}
			run = 0
		}
		if i < len(b) && b[i] >= 0x80 {
			high++
		}
	}
	return high > 0 && 2*inRuns > high
}

func hasMultibyteUTF8(b []byte) bool {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if size > 1 && r != utf8.RuneError {
			return true
		}
		b = b[size:]
	}
	return false
}
