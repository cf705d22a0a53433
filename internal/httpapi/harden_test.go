package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
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
