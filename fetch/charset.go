package fetch

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
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
	if bytes.HasPrefix(body, bomUTF8) {
		body = body[len(bomUTF8):]
	} else if enc := wideEncoding(body); enc != nil {
		out, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return body
		}
		// The declaration (if any) still says UTF-16 or UTF-32; make it
		// tell the truth so the parser does not decode a second time.
		return declareUTF8(out)
	}

	if enc := declaredEncoding(body); enc != "" {
		switch _, name := charset.Lookup(enc); {
		case isUTF8(enc) || name == "utf-8":
			if !utf8.Valid(body) {
				// Declared UTF-8 but is not: the XML decoder would stop
				// at the first bad byte.
				return repairUTF8(body, true)
			}
			return body
		case singleByte(name) && utf8.Valid(body) && hasMultibyteUTF8(body):
			// A misconfigured site declares Latin-1 over a UTF-8 body.
			// Text in a single-byte encoding is almost never valid
			// UTF-8 with multi-byte characters in it: believe the bytes.
			return declareUTF8(body)
		case name != "" && !strings.HasPrefix(name, "utf-16"):
			return body
		}
		// An encoding the decoder does not know, or UTF-16 claimed by a
		// declaration we could read as ASCII: the declaration is wrong, so
		// make it say UTF-8 and decode as if it were missing.
		body = declareUTF8(body)
	}
	if label := contentTypeCharset(contentType); label != "" && !isUTF8(label) {
		if enc, name := charset.Lookup(label); enc != nil && !(singleByte(name) && utf8.Valid(body) && hasMultibyteUTF8(body)) {
			if out, err := enc.NewDecoder().Bytes(body); err == nil {
				return out
			}
		}
	}
	if utf8.Valid(body) {
		return body
	}
	return repairUTF8(body, false)
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
// stray bytes (at least as many valid multi-byte sequences as invalid bytes) keeps its
// multi-byte characters and loses the strays; any other is taken to be
// Windows-1251 when it reads like Cyrillic (see looksCyrillic), else
// Windows-1252. Latin-1 text can hold a sequence that happens to be valid
// UTF-8 ("é", no-break space, "»" is one), so one such sequence does not
// make an undeclared body UTF-8; when the body declares UTF-8, it does.
func repairUTF8(body []byte, declared bool) []byte {
	if valid, invalid := utf8Balance(body); valid >= invalid || (declared && valid > 0) {
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

// utf8Balance counts b's valid multi-byte UTF-8 sequences and its bytes
// that are not part of any valid sequence.
func utf8Balance(b []byte) (valid, invalid int) {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size <= 1:
			invalid++
		case size > 1:
			valid++
		}
		b = b[size:]
	}
	return valid, invalid
}

// singleByte reports whether an encoding's canonical name (from
// charset.Lookup) is one of the single-byte ones that sites mislabel.
func singleByte(name string) bool {
	return strings.HasPrefix(name, "iso-8859-") || strings.HasPrefix(name, "windows-125") || name == "macintosh" || name == "koi8-r" || name == "koi8-u"
}

// wideEncoding recognises UTF-16 and UTF-32, with or without a byte-order
// mark, from how "<" or "<?xml" begins the document (XML 1.0 Appendix F),
// or nil.
func wideEncoding(b []byte) encoding.Encoding {
	if len(b) < 4 {
		if bytes.HasPrefix(b, bomUTF16BE) || bytes.HasPrefix(b, bomUTF16LE) {
			return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
		}
		return nil
	}
	switch {
	case b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF, b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0:
		return utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(b, bomUTF16BE), bytes.HasPrefix(b, bomUTF16LE):
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] != 0:
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)
	case b[0] != 0 && b[1] == 0 && b[2] == 0 && b[3] == 0:
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	case b[0] == 0 && b[1] != 0 && b[2] == 0 && b[3] != 0:
		return unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case b[0] != 0 && b[1] == 0 && b[2] != 0 && b[3] == 0:
		return unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	}
	return nil
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
