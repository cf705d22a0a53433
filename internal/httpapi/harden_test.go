package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/auth"
)

// countingKeys counts the key lookups that reach the store.
type countingKeys struct {
	Store
	lookups atomic.Int64
}

func (c *countingKeys) KeyByHash(ctx context.Context, hash string) (auth.Key, error) {
	c.lookups.Add(1)
	return c.Store.KeyByHash(ctx, hash)
}

func TestFailedAuthIsRateLimited(t *testing.T) {
	t.Parallel()
	var st *countingKeys
	a := newTestAPIWith(t, func(o *Options) {
		st = &countingKeys{Store: o.Store}
		o.Store = st
		o.Auth = true
		o.RateLimit = 0.001
		o.RateBurst = 3
	})
	_, good := a.makeKey("good", auth.ScopeRead)
	get := func(remote string, hdr ...string) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest("GET", "/v1/quotes", nil)
		req.RemoteAddr = remote
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, req)
		checkContract(t, req, w)
		return w
	}
	var got401, got429 int
	for range 50 {
		_, guess, _, _ := auth.NewKey("guess", auth.ScopeAdmin, time.Now())
		switch w := get("192.0.2.20:1234", bearer(guess)...); w.Code {
		case http.StatusUnauthorized:
			got401++
		case http.StatusTooManyRequests:
			got429++
			checkProblem(t, w, http.StatusTooManyRequests)
			if w.Header().Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		default:
			t.Fatalf("wrong key: %d", w.Code)
		}
	}
	if got401 != 3 || got429 != 47 {
		t.Errorf("50 wrong keys from one address: %d × 401, %d × 429; want 3 and 47", got401, got429)
	}
	if n := st.lookups.Load(); n > 3 {
		t.Errorf("%d key lookups reached the store; want at most the burst, 3", n)
	}
	// Missing keys count the same.
	if w := get("192.0.2.20:1234"); w.Code != http.StatusTooManyRequests {
		t.Errorf("no key from the limited address: %d, want 429", w.Code)
	}
	// Another address is not affected, nor is a valid key from another one.
	if w := get("192.0.2.21:1234", bearer(good)...); w.Code != http.StatusOK {
		t.Errorf("valid key from another address: %d, want 200", w.Code)
	}
}

func TestMetricsLabelsBounded(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	for i := range 200 {
		method := "X" + strconv.Itoa(i)
		for _, target := range []string{"/v1/quotes", "/healthz", "/no/such/" + strconv.Itoa(i), "/v1/articles:batch"} {
			req := httptest.NewRequest(method, target, nil)
			a.h.ServeHTTP(httptest.NewRecorder(), req)
		}
	}
	a.do("GET", "/no/such/path", "")
	w := a.do("GET", "/metrics", "")
	series := 0
	for line := range strings.Lines(w.Body.String()) {
		if !strings.HasPrefix(line, "whosaid_http_requests_total{") {
			continue
		}
		series++
		if strings.Contains(line, `"X`) || strings.Contains(line, "/no/such") {
			t.Errorf("a client-chosen label: %s", line)
		}
	}
	if series == 0 || series > 8 {
		t.Errorf("%d series of whosaid_http_requests_total after 800 requests with invented methods; want a handful", series)
	}
	for _, want := range []string{
		`whosaid_http_requests_total{method="other",route="other",status="405"}`,
		`whosaid_http_requests_total{method="GET",route="other",status="404"} 1`,
	} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
