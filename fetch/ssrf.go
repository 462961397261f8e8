package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// ErrPrivateAddress: a URL given by someone else (a WebSub subscriber's
// callback) leads to an address that is not on the public internet.
var ErrPrivateAddress = errors.New("address is not public")

// PublicAddr reports whether ip is a public unicast address: not loopback,
// private (RFC 1918, RFC 4193), link-local, CGNAT (RFC 6598), unspecified,
// multicast or otherwise reserved. Requests to URLs that strangers choose
// go only to such addresses, so that they cannot reach the host's own
// services or its network's.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() ||
		ip.IsLinkLocalUnicast() || ip.IsUnspecified() || ip.IsMulticast() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 can reach IPv4 private space
	netip.MustParsePrefix("2001:db8::/32"),
}

// CheckHost resolves host and fails with ErrPrivateAddress unless every
// address it has is public (PublicAddr).
func CheckHost(ctx context.Context, host string) error {
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("resolve %s: %w", host, err)
	}
	for _, a := range addrs {
		if !PublicAddr(a) {
			return fmt.Errorf("%s is %s: %w", host, a, ErrPrivateAddress)
		}
	}
	return nil
}

// PublicDialer returns a dialer that connects to public addresses only:
// checked at connect time, after resolution, so that a name resolving to
// a public address when checked and a private one when used (DNS
// rebinding) is refused too.
func PublicDialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%s: %w", address, ErrPrivateAddress)
		}
		if !PublicAddr(ap.Addr()) {
			return fmt.Errorf("%s: %w", ap.Addr(), ErrPrivateAddress)
		}
		return nil
	}}
}
