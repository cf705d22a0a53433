package webhook

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"testing"
)

func TestInternal(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		// Public addresses pass, also when written as IPv6.
		{"93.184.215.14", false},
		{"8.8.8.8", false},
		{"::ffff:8.8.8.8", false},
		{"64:ff9b::808:808", false}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", false},  // 6to4 of 8.8.8.8
		{"2606:4700:4700::1111", false},
		{"2a00:1450:4001:80b::200e", false},
		// IPv4 special-purpose ranges.
		{"0.0.0.0", true},
		{"0.0.0.1", true},
		{"0.255.255.255", true},
		{"10.1.2.3", true},
		{"100.64.0.1", true},
		{"100.127.255.254", true},
		{"127.0.0.1", true},
		{"127.255.255.255", true},
		{"169.254.169.254", true},
		{"172.16.0.1", true},
		{"172.31.255.255", true},
		{"192.0.0.8", true},
		{"192.0.2.1", true},
		{"192.88.99.1", true},
		{"192.168.1.1", true},
		{"198.18.0.1", true},
		{"198.19.255.255", true},
		{"198.51.100.7", true},
		{"203.0.113.9", true},
		{"224.0.0.1", true},
		{"239.255.255.250", true},
		{"240.0.0.1", true},
		{"255.255.255.255", true},
		// IPv6 forms of internal IPv4 addresses.
		{"::127.0.0.1", true},      // IPv4-compatible
		{"::8.8.8.8", true},        // IPv4-compatible, deprecated: refused whatever it holds
		{"::ffff:127.0.0.1", true}, // IPv4-mapped
		{"::ffff:10.0.0.1", true},
		{"::ffff:0:127.0.0.1", true}, // IPv4-translated
		{"64:ff9b::7f00:1", true},    // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", true}, // NAT64 of 169.254.169.254
		{"64:ff9b:1::808:808", true}, // local-use NAT64
		{"2002:7f00:1::", true},      // 6to4 of 127.0.0.1
		{"2002:a00:1::1", true},      // 6to4 of 10.0.0.1
		{"2002:c0a8:101::1", true},   // 6to4 of 192.168.1.1
		{"2001::1", true},            // Teredo
		{"2001:0:4136:e378:8000:63bf:3fff:fdd2", true},
		// IPv6 special-purpose ranges.
		{"::", true},
		{"::1", true},
		{"100::1", true},
		{"2001:2::1", true}, // benchmarking
		{"2001:db8::1", true},
		{"3fff::1", true},
		{"fc00::1", true},
		{"fd12:3456::1", true},
		{"fe80::1", true},
		{"fe80::1%eth0", true},
		{"fec0::1", true},
		{"feff::1", true},
		{"ff02::1", true},
		{"ff0e::1", true},
	} {
		ip, err := netip.ParseAddr(tc.addr)
		if err != nil {
			t.Fatalf("ParseAddr(%q): %v", tc.addr, err)
		}
		if got := internal(ip); got != tc.want {
			t.Errorf("internal(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestCheckURLRefusesInternal(t *testing.T) {
	ctx := context.Background()
	for _, raw := range []string{
		"http://[::127.0.0.1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/",
		"http://[64:ff9b::7f00:1]/", "http://[64:ff9b:1::1]/", "http://[2002:7f00:1::]/",
		"http://[2001::1]/", "http://0.0.0.1/", "http://[fec0::1]/", "http://255.255.255.255/",
		"http://240.0.0.1/", "http://192.0.2.1/", "http://198.18.0.1/", "http://100.64.0.1/",
		"http://[fe80::1%25eth0]/", "http://localhost./",
	} {
		if err := CheckURL(ctx, raw, false, nil); !errors.Is(err, ErrPrivate) {
			t.Errorf("CheckURL(%q) = %v, want ErrPrivate", raw, err)
		}
	}
}

// TestDialRefusesInternal checks the guard at connection time: the
// dispatcher's own client cannot reach a receiver on loopback, whether the
// URL names it by an address in any of its forms or by a name that
// resolves to it (what DNS rebinding would do after CheckURL).
func TestDialRefusesInternal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	_, port, _ := net.SplitHostPort(u.Host)
	d := New(Options{})
	for _, host := range []string{"127.0.0.1", "[::ffff:127.0.0.1]", "localhost"} {
		res, err := d.client.Get("http://" + host + ":" + port + "/")
		if err == nil {
			res.Body.Close()
			t.Errorf("GET via %s reached the loopback receiver", host)
			continue
		}
		if !errors.Is(err, ErrPrivate) {
			t.Errorf("GET via %s: %v, want ErrPrivate", host, err)
		}
	}
	// Allowed, the same client reaches it.
	d = New(Options{AllowPrivate: true})
	res, err := d.client.Get(srv.URL)
	if err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	res.Body.Close()
}
