package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// specialRange is an address block the fetcher refuses to connect to.
type specialRange struct {
	prefix netip.Prefix
	// what completes "the address is in ...".
	what string
}

// specialRanges returns the special-purpose address blocks (IANA IPv4 and
// IPv6 Special-Purpose Address Registries, RFC 6890 and successors) that a
// fetch of an outside URL must never reach. It is a function, not a
// package variable, so that no caller can change the list.
func specialRanges() []specialRange {
	r := func(p, what string) specialRange {
		return specialRange{prefix: netip.MustParsePrefix(p), what: what}
	}
	return []specialRange{
		r("0.0.0.0/8", "the unspecified \"this network\" block"),
		r("10.0.0.0/8", "a private network"),
		r("100.64.0.0/10", "the carrier-grade NAT shared address space"),
		r("127.0.0.0/8", "the loopback network"),
		r("169.254.0.0/16", "the link-local network (cloud metadata services live here)"),
		r("172.16.0.0/12", "a private network"),
		r("192.0.0.0/24", "the IETF protocol assignments block"),
		r("192.0.2.0/24", "a documentation network (TEST-NET-1)"),
		r("192.88.99.0/24", "the 6to4 relay anycast block"),
		r("192.168.0.0/16", "a private network"),
		r("198.18.0.0/15", "the benchmarking network"),
		r("198.51.100.0/24", "a documentation network (TEST-NET-2)"),
		r("203.0.113.0/24", "a documentation network (TEST-NET-3)"),
		r("224.0.0.0/4", "the multicast block"),
		r("240.0.0.0/4", "the reserved block (including broadcast)"),
		r("::/128", "the unspecified address"),
		r("::1/128", "the loopback address"),
		r("64:ff9b:1::/48", "the local-use IPv4/IPv6 translation block"),
		r("100::/64", "the discard-only block"),
		r("2001::/23", "the IETF protocol assignments block (including Teredo)"),
		r("2001:db8::/32", "a documentation network"),
		r("3fff::/20", "a documentation network"),
		r("5f00::/16", "the segment-routing block"),
		r("fc00::/7", "a private network (unique local addresses)"),
		r("fe80::/10", "the link-local network"),
		r("fec0::/10", "the deprecated site-local network"),
		r("ff00::/8", "the multicast block"),
	}
}

// refusal says why an address is refused; nil means the address is allowed.
type refusal struct {
	addr   netip.Addr
	host   string // the host name being dialled, when it is not an IP literal
	reason string // e.g. "is in a private network (10.0.0.0/8)"
}

// Error implements error.
func (r *refusal) Error() string {
	if r.host != "" {
		return fmt.Sprintf("%s resolves to %s, which %s", r.host, r.addr, r.reason)
	}
	return fmt.Sprintf("the address %s %s", r.addr, r.reason)
}

// guard decides which addresses may be dialled.
type guard struct {
	ranges     []specialRange
	allowHosts map[string]bool
	allowCIDRs []netip.Prefix
	// global is the IPv6 global unicast block, nat64 the well-known NAT64
	// prefix and sixToFour the 6to4 block: the last two embed an IPv4
	// address, which is checked in turn.
	global, nat64, sixToFour netip.Prefix
}

func newGuard(hosts []string, cidrs []netip.Prefix) *guard {
	g := &guard{
		ranges:     specialRanges(),
		allowHosts: make(map[string]bool, len(hosts)),
		global:     netip.MustParsePrefix("2000::/3"),
		nat64:      netip.MustParsePrefix("64:ff9b::/96"),
		sixToFour:  netip.MustParsePrefix("2002::/16"),
	}
	for _, h := range hosts {
		g.allowHosts[normalizeHost(h)] = true
	}
	g.allowCIDRs = append(g.allowCIDRs, cidrs...)
	return g
}

// normalizeHost lower-cases a host name and drops a trailing dot and the
// brackets of an IPv6 literal.
func normalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(h), "."))
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

// hostAllowed reports whether host is on the host allow-list: all its
// addresses may be dialled.
func (g *guard) hostAllowed(host string) bool {
	return g.allowHosts[normalizeHost(host)]
}

// check returns nil when addr may be dialled, or why not.
func (g *guard) check(addr netip.Addr) *refusal {
	addr = addr.Unmap()
	for _, p := range g.allowCIDRs {
		if p.Contains(addr) {
			return nil
		}
	}
	if addr.Zone() != "" {
		return &refusal{addr: addr, reason: "has an interface zone, which only link-local addresses use"}
	}
	for _, r := range g.ranges {
		if r.prefix.Contains(addr) {
			return &refusal{addr: addr, reason: fmt.Sprintf("is in %s (%s)", r.what, r.prefix)}
		}
	}
	if addr.Is6() {
		// NAT64 and 6to4 addresses embed an IPv4 address: check it.
		if embedded, ok := g.embeddedIPv4(addr); ok {
			if r := g.check(embedded); r != nil {
				return &refusal{addr: addr, reason: fmt.Sprintf("embeds the IPv4 address %s, which %s", embedded, r.reason)}
			}
			return nil
		}
		if !g.global.Contains(addr) {
			return &refusal{addr: addr, reason: "is not a global unicast IPv6 address (2000::/3)"}
		}
	}
	return nil
}

// embeddedIPv4 returns the IPv4 address inside a NAT64 (64:ff9b::/96) or
// 6to4 (2002::/16) address.
func (g *guard) embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	b := a.As16()
	switch {
	case g.nat64.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case g.sixToFour.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// dialer resolves a host, checks every address it resolves to, and dials
// only checked addresses. It is the http.Transport's DialContext, so it runs
// for the first request and for every redirect, whatever the URL looked like.
type dialer struct {
	guard          *guard
	resolver       Resolver
	dial           DialFunc
	connectTimeout time.Duration
}

// errNoAddress is returned when a host resolves to nothing.
var errNoAddress = errors.New("the host name has no addresses")

// DialContext implements http.Transport.DialContext.
func (d *dialer) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return nil, fmt.Errorf("splitting %q: %w", address, err)
	}
	allowHost := d.guard.hostAllowed(host)
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
		host = ""
	} else {
		addrs, err = d.resolver.LookupNetIP(ctx, ipNetwork(network), host)
		if err != nil {
			return nil, &lookupError{host: host, err: err}
		}
		if len(addrs) == 0 {
			return nil, &lookupError{host: host, err: errNoAddress}
		}
	}
	if !allowHost {
		// Every address must pass, not just the first: a host that mixes a
		// public and a private address is refused whole.
		for _, a := range addrs {
			if r := d.guard.check(a); r != nil {
				r.host = host
				return nil, r
			}
		}
	}
	if allowHost {
		ctx = context.WithValue(ctx, allowedDialKey{}, true)
	}
	var firstErr error
	for _, a := range addrs {
		dctx, cancel := context.WithTimeoutCause(ctx, d.connectTimeout, errConnectTimeout)
		conn, err := d.dial(dctx, network, net.JoinHostPort(a.Unmap().String(), port))
		if err != nil && errors.Is(context.Cause(dctx), errConnectTimeout) {
			err = fmt.Errorf("%w: %w", errConnectTimeout, err)
		}
		cancel()
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// ipNetwork maps a dial network to the network LookupNetIP takes.
func ipNetwork(network string) string {
	switch network {
	case "tcp4", "udp4":
		return "ip4"
	case "tcp6", "udp6":
		return "ip6"
	}
	return "ip"
}

// lookupError is a failed DNS resolution.
type lookupError struct {
	host string
	err  error
}

func (e *lookupError) Error() string { return fmt.Sprintf("resolving %s: %v", e.host, e.err) }
func (e *lookupError) Unwrap() error { return e.err }

// allowedDialKey marks a dial context whose host is on the host allow-list.
type allowedDialKey struct{}

// controlCheck returns a net.Dialer ControlContext hook that checks the
// address the socket is about to connect to: a second, independent check
// under the resolver-level one, so that even a dial path that resolved by
// itself cannot reach a refused address. Hosts on the host allow-list are
// marked in the context by the dialer.
func controlCheck(g *guard) func(ctx context.Context, network, address string, c syscall.RawConn) error {
	return func(ctx context.Context, network, address string, _ syscall.RawConn) error {
		if ctx.Value(allowedDialKey{}) != nil {
			return nil
		}
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("connect to unparsable address %q refused: %w", address, err)
		}
		if r := g.check(ap.Addr()); r != nil {
			return r
		}
		return nil
	}
}
