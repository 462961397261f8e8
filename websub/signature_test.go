package websub

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"hash"
	"testing"
)

// sig is an X-Hub-Signature computed here with crypto/hmac, as §8.1 defines
// it, not with Sign.
func sig(method string, h func() hash.Hash, secret, body string) string {
	m := hmac.New(h, []byte(secret))
	m.Write([]byte(body))
	return method + "=" + hex.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	const secret, body = "s3cret", `<feed xmlns="http://www.w3.org/2005/Atom"/>`
	tests := []struct {
		name, header string
		want         error
	}{
		{"sha1", sig("sha1", sha1.New, secret, body), nil},
		{"sha256", sig("sha256", sha256.New, secret, body), nil},
		{"sha384", sig("sha384", sha512.New384, secret, body), nil},
		{"sha512", sig("sha512", sha512.New, secret, body), nil},
		{"upper-case method", sig("SHA256", sha256.New, secret, body), nil},
		{"Sign", Sign(secret, []byte(body)), nil},
		{"other secret", sig("sha256", sha256.New, "other", body), ErrBadSignature},
		{"other body", sig("sha256", sha256.New, secret, body+" "), ErrBadSignature},
		{"not hex", "sha256=zz", ErrBadSignature},
		{"md5", "md5=00", ErrAlgorithm},
		{"no method", "abcdef", ErrAlgorithm},
		{"missing", "", ErrNoSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.header, secret, []byte(body))
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Errorf("Verify(%q) = %v, want %v", tt.header, err, tt.want)
			}
		})
	}
}
