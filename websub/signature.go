package websub

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// Signature errors; check them with errors.Is.
var (
	ErrNoSignature  = errors.New("no X-Hub-Signature")
	ErrBadSignature = errors.New("X-Hub-Signature does not match")
	ErrAlgorithm    = errors.New("unsupported X-Hub-Signature method")
)

// algorithms are the methods §8.1 lists. sha1 is accepted because hubs
// still send it, though we never ask for it.
var algorithms = map[string]func() hash.Hash{
	"sha1":   sha1.New,
	"sha256": sha256.New,
	"sha384": sha512.New384,
	"sha512": sha512.New,
}

// Sign returns the X-Hub-Signature value of body under secret with sha256,
// the method we use.
func Sign(secret string, body []byte) string {
	return "sha256=" + hex.EncodeToString(mac("sha256", secret, body))
}

func mac(method, secret string, body []byte) []byte {
	m := hmac.New(algorithms[method], []byte(secret))
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks an X-Hub-Signature header value ("method=hex") against
// body and secret, in constant time.
func Verify(header, secret string, body []byte) error {
	header = strings.TrimSpace(header)
	if header == "" {
		return ErrNoSignature
	}
	method, sig, ok := strings.Cut(header, "=")
	method = strings.ToLower(strings.TrimSpace(method))
	if _, known := algorithms[method]; !ok || !known {
		return fmt.Errorf("%w: %.16q", ErrAlgorithm, method)
	}
	got, err := hex.DecodeString(strings.TrimSpace(sig))
	if err != nil || !hmac.Equal(got, mac(method, secret, body)) {
		return ErrBadSignature
	}
	return nil
}
