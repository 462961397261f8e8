package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/talkstream/talkstream/fetch"
)

// Bounds of the fetch: block. Outside them a value is a mistake, not a
// preference: a 0 cap or a 2-hour timeout would make a source useless.
const (
	maxConcurrency = 64
	minTimeout     = time.Second
	maxTimeout     = 10 * time.Minute
	minMaxBytes    = 1 << 10
	maxMaxBytes    = 1 << 30
	// DefaultLease is the shortest default claim on a source (Fetch.Lease).
	DefaultLease = 5 * time.Minute
)

// fetch validates the fetch: block (node is its mapping, for lines) and
// fills in the defaults.
func (v *validator) fetch(raw *rawFetch, node *yaml.Node) (f Fetch) {
	f = Fetch{
		Concurrency: DefaultConcurrency,
		PerHost:     DefaultPerHost,
		Timeout:     DefaultTimeout,
		MaxBytes:    DefaultMaxBytes,
	}
	defer func() {
		if f.Lease == 0 {
			f.Lease = max(DefaultLease, 2*f.Timeout)
		}
	}()
	if raw == nil {
		return f
	}
	at := func(key string) int { return keyLine(node, key, node.Line) }
	if raw.Concurrency != nil {
		if n := *raw.Concurrency; n < 1 || n > maxConcurrency {
			v.add(at("concurrency"), "", "fetch.concurrency %d must be between 1 and %d", n, maxConcurrency)
		} else {
			f.Concurrency = n
		}
	}
	if raw.PerHost != nil {
		if n := *raw.PerHost; n < 1 || n > maxConcurrency {
			v.add(at("per_host"), "", "fetch.per_host %d must be between 1 and %d", n, maxConcurrency)
		} else {
			f.PerHost = n
		}
	}
	if raw.Timeout != "" {
		switch d, err := ParseDuration(raw.Timeout); {
		case err != nil:
			v.add(at("timeout"), "", "fetch.timeout: %v", err)
		case d < minTimeout || d > maxTimeout:
			v.add(at("timeout"), "", "fetch.timeout %s must be between %s and %s", raw.Timeout, minTimeout, maxTimeout)
		default:
			f.Timeout = d
		}
	}
	if raw.MaxBytes != "" {
		switch n, err := ParseSize(raw.MaxBytes); {
		case err != nil:
			v.add(at("max_bytes"), "", "fetch.max_bytes: %v", err)
		case n < minMaxBytes || n > maxMaxBytes:
			v.add(at("max_bytes"), "", "fetch.max_bytes %s must be between 1KiB and 1GiB", raw.MaxBytes)
		default:
			f.MaxBytes = n
		}
	}
	if raw.Lease != "" {
		switch d, err := ParseDuration(raw.Lease); {
		case err != nil:
			v.add(at("lease"), "", "fetch.lease: %v", err)
		case d < 2*f.Timeout || d > 24*time.Hour:
			v.add(at("lease"), "", "fetch.lease %s must be at least twice fetch.timeout (%s) and at most 24h: a claim must outlast the slowest fetch", raw.Lease, f.Timeout)
		default:
			f.Lease = d
		}
	}
	return f
}

// sizeUnits are the suffixes ParseSize accepts, longest first.
var sizeUnits = []struct {
	suffix string
	bytes  int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1000}, {"mb", 1000 * 1000}, {"gb", 1000 * 1000 * 1000},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

// ParseSize parses a byte count: a whole number of bytes, or one with a
// unit such as 512KiB, 10MiB, 5MB (KiB/MiB/GiB and K/M/G are powers of
// 1024, KB/MB/GB powers of 1000).
func ParseSize(s string) (int64, error) {
	orig := s
	s = strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range sizeUnits {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = strings.TrimSpace(n), u.bytes
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size (such as 10MiB, 512KiB or a number of bytes)", orig)
	}
	return n * mult, nil
}

// FetchOptions converts the fetch: block into what fetch.New needs.
func (c *Config) FetchOptions() fetch.Options {
	return fetch.Options{Timeout: c.Fetch.Timeout, MaxBytes: c.Fetch.MaxBytes}
}
