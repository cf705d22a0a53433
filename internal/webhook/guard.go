package webhook

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"syscall"
)

// blockedV4 are the IPv4 ranges a webhook must not reach by default: every
// range of the IANA special-purpose registry (RFC 6890 and updates) that is
// not globally reachable, plus multicast and the reserved 240.0.0.0/4.
var blockedV4 = prefixes(
	"0.0.0.0/8",       // "this network" (0.0.0.1 reaches the host on Linux)
	"10.0.0.0/8",      // private (RFC 1918)
	"100.64.0.0/10",   // shared address space, carrier-grade NAT (RFC 6598)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local: cloud metadata services live here
	"172.16.0.0/12",   // private
	"192.0.0.0/24",    // IETF protocol assignments (RFC 6890)
	"192.0.2.0/24",    // documentation TEST-NET-1 (RFC 5737)
	"192.31.196.0/24", // AS112 (RFC 7535)
	"192.52.193.0/24", // AMT (RFC 7450)
	"192.88.99.0/24",  // deprecated 6to4 relay anycast (RFC 7526)
	"192.168.0.0/16",  // private
	"192.175.48.0/24", // AS112 direct delegation (RFC 7534)
	"198.18.0.0/15",   // benchmarking (RFC 2544)
	"198.51.100.0/24", // documentation TEST-NET-2
	"203.0.113.0/24",  // documentation TEST-NET-3
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, and 255.255.255.255 broadcast
)

// Special IPv6 ranges. Outside 2000::/3 (global unicast) everything is
// refused: ::/128, ::1, IPv4-compatible ::/96, IPv4-translated
// ::ffff:0:0:0/96, discard 100::/64, unique local fc00::/7, link-local
// fe80::/10, site-local fec0::/10, multicast ff00::/8, and the NAT64
// prefixes, which are handled apart.
var (
	globalUnicast = netip.MustParsePrefix("2000::/3")
	blockedV6     = prefixes(
		"2001::/23",     // IETF protocol assignments: Teredo 2001::/32, benchmarking 2001:2::/48, ORCHID
		"2001:db8::/32", // documentation (RFC 3849)
		"3fff::/20",     // documentation (RFC 9637)
	)
	// nat64 is the well-known NAT64 prefix (RFC 6052): the last 32 bits
	// are the IPv4 address reached.
	nat64 = netip.MustParsePrefix("64:ff9b::/96")
	// nat64Local is the local-use NAT64 prefix (RFC 8215), whose
	// translation is the operator's own: always refused.
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48")
	// sixToFour embeds an IPv4 address in bits 16 to 47 (RFC 3056).
	sixToFour = netip.MustParsePrefix("2002::/16")
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// internal reports whether ip is an address a webhook must not reach
// unless the operator allows private targets: loopback, private,
// link-local, unspecified, multicast, broadcast, reserved, shared (CGNAT),
// documentation and benchmarking ranges, and IPv6 addresses that carry an
// IPv4 address which is one of those (IPv4-mapped, NAT64, 6to4) or that
// tunnel to an address nobody can check (Teredo, local-use NAT64,
// IPv4-compatible).
func internal(ip netip.Addr) bool {
	ip = ip.WithZone("").Unmap() // ::ffff:a.b.c.d is a.b.c.d
	if ip.Is4() {
		return inAny(blockedV4, ip)
	}
	if !ip.IsValid() {
		return true
	}
	switch {
	case nat64Local.Contains(ip):
		return true
	case nat64.Contains(ip):
		b := ip.As16()
		return internal(netip.AddrFrom4([4]byte(b[12:16])))
	case !globalUnicast.Contains(ip):
		return true
	case sixToFour.Contains(ip):
		b := ip.As16()
		var v4 [4]byte
		binary.BigEndian.PutUint32(v4[:], binary.BigEndian.Uint32(b[2:6]))
		return internal(netip.AddrFrom4(v4))
	}
	return inAny(blockedV6, ip)
}

func inAny(ps []netip.Prefix, ip netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// refuseInternal is a net.Dialer Control function: it refuses to connect
// to an internal address. It runs on the address actually dialled, after
// DNS, so a name that resolved to a public address when the subscription
// was made cannot be pointed at an internal one later (DNS rebinding).
func refuseInternal(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	if internal(ap.Addr()) {
		return fmt.Errorf("dial %s: %w", address, ErrPrivate)
	}
	return nil
}
