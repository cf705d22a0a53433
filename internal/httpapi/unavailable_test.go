package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/whosaid/whosaid/api"
	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/mongostore"
)

// TestStoreUnavailable points the server at a port where nothing listens:
// every route that needs the database answers 503 quickly, never hangs.
func TestStoreUnavailable(t *testing.T) {
	t.Parallel()
	st := newMongoStore(t, "mongodb://127.0.0.1:1", func(o *mongostore.Options) {
		o.ServerSelectionTimeout = 200 * time.Millisecond
		o.ConnectTimeout = 200 * time.Millisecond
	})
	s, err := New(Options{
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Store:     st,
		StoreKind: "mongodb",
		Extractor: testExtractor,
		OpenAPI:   api.OpenAPIJSON(),
		DBTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &testAPI{t: t, srv: s, h: s.Handler()}
	const id = "67b4591cb2a1f1a2c3d4e5f6"
	spk := "/v1/speakers/" + attribution.SpeakerID("Ana Ruiz")
	for _, tc := range []struct {
		method, target, body string
		headers              []string
	}{
		{method: "POST", target: "/v1/articles", body: `{"text":"“Yes,” said Ana Ruiz."}`},
		{method: "POST", target: "/v1/articles", body: `{"text":"“Yes,” said Ana Ruiz."}`, headers: []string{"Idempotency-Key", "k1"}},
		{method: "GET", target: "/v1/articles/" + id},
		{method: "GET", target: "/v1/articles/" + id + "/quotes"},
		{method: "DELETE", target: "/v1/articles/" + id},
		{method: "GET", target: "/v1/quotes"},
		{method: "GET", target: "/v1/quotes?speaker=Ana+Ruiz"},
		{method: "GET", target: "/v1/quotes/" + id + "-0"},
		{method: "PATCH", target: "/v1/quotes/" + id + "-0", body: `{"hidden":true}`},
		{method: "PATCH", target: "/v1/quotes/" + id + "-0", body: `{"hidden":true}`, headers: []string{"If-Match", `"x"`}},
		{method: "GET", target: "/v1/speakers?q=ruiz"},
		{method: "POST", target: "/v1/speakers", body: `{"name":"Keir Starmer"}`},
		{method: "GET", target: spk},
		{method: "GET", target: spk + "/quotes"},
		{method: "PATCH", target: spk, body: `{"name":"Ana María Ruiz"}`},
		{method: "PATCH", target: spk, body: `{"name":"Ana María Ruiz"}`, headers: []string{"If-Match", `"x"`}},
		{method: "POST", target: spk + ":merge", body: `{"from":["spk_0000000000000000"]}`},
		{method: "GET", target: "/v1/statements/stm_0000000000000000"},
		{method: "GET", target: "/v1/statements/stm_0000000000000000/claimreview"},
		{method: "POST", target: "/v1/verify", body: `{"text":"we will rebuild every bridge"}`},
		{method: "POST", target: "/v1/subscriptions", body: `{"url":"https://93.184.215.14/hook"}`},
		{method: "GET", target: "/v1/subscriptions"},
		{method: "GET", target: "/v1/subscriptions/sub_0000000000000000"},
		{method: "DELETE", target: "/v1/subscriptions/sub_0000000000000000"},
		{method: "GET", target: "/v1/subscriptions/sub_0000000000000000/deliveries"},
		{method: "POST", target: "/v1/keys", body: `{"name":"desk","scope":"read"}`},
		{method: "GET", target: "/v1/keys"},
		{method: "DELETE", target: "/v1/keys/key_0000000000000000"},
	} {
		t.Run(fmt.Sprintf("%s %s %v", tc.method, tc.target, tc.headers), func(t *testing.T) {
			t.Parallel()
			hdr := tc.headers
			if tc.body != "" {
				hdr = append([]string{"Content-Type", "application/json"}, hdr...)
			}
			start := time.Now()
			w := a.do(tc.method, tc.target, tc.body, hdr...)
			if w.Code != http.StatusServiceUnavailable {
				t.Fatalf("%s %s = %d, want 503; body %s", tc.method, tc.target, w.Code, w.Body)
			}
			p := checkProblem(t, w, http.StatusServiceUnavailable)
			if d, _ := p["detail"].(string); strings.Contains(d, "127.0.0.1") || strings.Contains(d, "server selection") {
				t.Errorf("503 detail leaks the driver's error: %q", d)
			}
			if w.Header().Get("Retry-After") == "" {
				t.Error("503 without Retry-After")
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("%s %s took %v, want about the server selection timeout", tc.method, tc.target, d)
			}
		})
	}
	t.Run("batch stops at the first 503", func(t *testing.T) {
		t.Parallel()
		body := `{"text":"One."}` + "\n" + `{"text":"Two."}` + "\n"
		w := a.do("POST", "/v1/articles:batch", body, "Content-Type", "application/x-ndjson")
		// Once the driver's heartbeat has seen the server down, the
		// whole batch is refused up front; before, the first line gets
		// the 503 and the batch stops there.
		if w.Code == http.StatusServiceUnavailable {
			checkProblem(t, w, http.StatusServiceUnavailable)
			return
		}
		got := batchResults(t, w.Body.String())
		if w.Code != http.StatusOK || len(got) != 1 || got[0].Status != http.StatusServiceUnavailable || got[0].Line != 1 {
			t.Errorf("POST /v1/articles:batch = %d %s, want one 503 line", w.Code, w.Body)
		}
	})
}

// TestErrorMapping checks the error→status table of problemFor for the
// errors the store and the driver return.
func TestErrorMapping(t *testing.T) {
	s, err := New(Options{Store: fakeStore{}, Extractor: fakeExtractor{}, OpenAPI: api.OpenAPIJSON()})
	if err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		err    error
		status int
	}{
		{"not found", context.Background(), fmt.Errorf("get x: %w", attribution.ErrNotFound), 404},
		{"conflict", context.Background(), fmt.Errorf("x: %w", attribution.ErrConflict), 409},
		{"precondition", context.Background(), fmt.Errorf("x: %w", attribution.ErrPrecondition), 412},
		{"invalid", context.Background(), &attribution.FieldError{Field: "aliases[2]", Reason: "bad"}, 422},
		{"unavailable", context.Background(), fmt.Errorf("x: %w", attribution.ErrUnavailable), 503},
		{"deadline", context.Background(), fmt.Errorf("find: %w", context.DeadlineExceeded), 503},
		{"client gone", cancelled, fmt.Errorf("find: %w", context.Canceled), 503},
		{"other", context.Background(), errors.New("boom"), 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := s.problemFor(tc.ctx, "GET", "/v1/x", tc.err)
			if p.Status != tc.status {
				t.Errorf("problemFor(%v) = %d, want %d", tc.err, p.Status, tc.status)
			}
			if tc.status == 500 && p.Detail != "internal server error" {
				t.Errorf("500 detail = %q", p.Detail)
			}
			if tc.status == 422 && (len(p.Errors) != 1 || p.Errors[0].Pointer != "#/aliases/2") {
				t.Errorf("422 errors = %+v, want pointer #/aliases/2", p.Errors)
			}
		})
	}
}
