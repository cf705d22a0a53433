package metrics

import (
	"strings"
	"testing"
	"time"
)

func TestMethodLabel(t *testing.T) {
	for in, want := range map[string]string{
		"GET": "GET", "HEAD": "HEAD", "POST": "POST", "PUT": "PUT", "PATCH": "PATCH", "DELETE": "DELETE",
		"OPTIONS": "OPTIONS", "CONNECT": "CONNECT", "TRACE": "TRACE",
		"get": Other, "PROPFIND": Other, "X1": Other, "": Other, strings.Repeat("A", 1000): Other,
	} {
		if got := MethodLabel(in); got != want {
			t.Errorf("MethodLabel(%.20q) = %q, want %q", in, got, want)
		}
	}
}

func TestObserveHTTPBounded(t *testing.T) {
	m := New("embedded")
	for i := range 500 {
		m.ObserveHTTP(Other, "M"+strings.Repeat("x", i), 404, time.Millisecond)
		m.ObserveHTTP("/v1/quotes", "GET", 1000+i, time.Millisecond) // an impossible status
	}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	n := -1
	for _, f := range families {
		if f.GetName() == "whosaid_http_requests_total" {
			n = len(f.GetMetric())
		}
	}
	if n != 2 {
		t.Errorf("%d series after 1000 requests with invented methods and statuses, want 2", n)
	}
}
