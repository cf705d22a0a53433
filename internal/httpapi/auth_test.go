package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/auth"
)

// v1Operations lists every /v1 operation of the OpenAPI document as
// (method, target), with path parameters filled in.
func v1Operations(t *testing.T) [][2]string {
	t.Helper()
	var ops [][2]string
	for path, item := range spec.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		target := strings.ReplaceAll(path, "{id}", "67b4591cb2a1f1a2c3d4e5f6")
		for method := range item.Operations() {
			ops = append(ops, [2]string{method, target})
		}
	}
	slices.SortFunc(ops, func(a, b [2]string) int { return strings.Compare(a[0]+a[1], b[0]+b[1]) })
	if len(ops) < 16 {
		t.Fatalf("only %d /v1 operations in the document", len(ops))
	}
	return ops
}

// makeKey stores a key of scope in a's store and returns its secret.
func (a *testAPI) makeKey(name string, scope auth.Scope) (auth.Key, string) {
	a.t.Helper()
	k, secret, hash, err := auth.NewKey(name, scope, time.Now())
	if err != nil {
		a.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(a.t.Context(), 10*time.Second)
	defer cancel()
	if err := a.store.CreateKey(ctx, k, hash); err != nil {
		a.t.Fatal(err)
	}
	return k, secret
}

func bearer(secret string) []string { return []string{"Authorization", "Bearer " + secret} }

func TestAuthEveryRoute(t *testing.T) {
	t.Parallel()
	a := newTestAPIWith(t, func(o *Options) { o.Auth = true })
	_, read := a.makeKey("reader", auth.ScopeRead)
	_, write := a.makeKey("writer", auth.ScopeWrite)
	_, admin := a.makeKey("admin", auth.ScopeAdmin)
	_, unknown, _, _ := auth.NewKey("never stored", auth.ScopeAdmin, time.Now())

	for _, op := range v1Operations(t) {
		method, target := op[0], op[1]
		t.Run(method+" "+target, func(t *testing.T) {
			for _, hdr := range [][]string{nil, {"Authorization", "Basic dXNlcjpwYXNz"}, {"Authorization", "Bearer"}, bearer("wsk_short"), bearer(unknown)} {
				w := a.do(method, target, "", hdr...)
				if w.Code != http.StatusUnauthorized {
					t.Fatalf("with %q: %d, want 401; body %s", hdr, w.Code, w.Body)
				}
				checkProblem(t, w, http.StatusUnauthorized)
				if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer ") {
					t.Errorf("with %q: WWW-Authenticate %q", hdr, w.Header().Get("WWW-Authenticate"))
				}
			}
			need := scopeFor(httptest.NewRequest(method, target, nil))
			for _, k := range []struct {
				scope  auth.Scope
				secret string
			}{{auth.ScopeRead, read}, {auth.ScopeWrite, write}, {auth.ScopeAdmin, admin}} {
				w := a.do(method, target, "", bearer(k.secret)...)
				switch {
				case !k.scope.Allows(need) && w.Code != http.StatusForbidden:
					t.Errorf("%s key: %d, want 403 (needs %s)", k.scope, w.Code, need)
				case !k.scope.Allows(need):
					checkProblem(t, w, http.StatusForbidden)
					if h := w.Header().Get("WWW-Authenticate"); !strings.Contains(h, `scope="`+string(need)+`"`) {
						t.Errorf("403 WWW-Authenticate %q does not name scope %s", h, need)
					}
				case w.Code == http.StatusUnauthorized || w.Code == http.StatusForbidden:
					t.Errorf("%s key: %d, want the route's own answer; body %s", k.scope, w.Code, w.Body)
				}
			}
		})
	}
	// The scopes of the issue: read = GET, write = ingest/extract/edit,
	// admin = keys and merges.
	for _, tc := range []struct {
		method, target string
		want           auth.Scope
	}{
		{"GET", "/v1/quotes", auth.ScopeRead},
		{"POST", "/v1/verify", auth.ScopeRead},
		{"POST", "/v1/extract", auth.ScopeWrite},
		{"POST", "/v1/articles:batch", auth.ScopeWrite},
		{"PATCH", "/v1/speakers/spk_1", auth.ScopeWrite},
		{"DELETE", "/v1/articles/x", auth.ScopeWrite},
		{"POST", "/v1/speakers/spk_1:merge", auth.ScopeAdmin},
		{"GET", "/v1/keys", auth.ScopeAdmin},
		{"DELETE", "/v1/keys/key_1", auth.ScopeAdmin},
	} {
		if got := scopeFor(httptest.NewRequest(tc.method, tc.target, nil)); got != tc.want {
			t.Errorf("scopeFor(%s %s) = %s, want %s", tc.method, tc.target, got, tc.want)
		}
	}
	// Routes outside /v1 never need a key.
	for _, target := range []string{"/healthz", "/readyz", "/openapi.json", "/metrics"} {
		if w := a.do("GET", target, ""); w.Code != http.StatusOK {
			t.Errorf("GET %s with auth on = %d, want 200", target, w.Code)
		}
	}
}

func TestKeysAPI(t *testing.T) {
	t.Parallel()
	a := newTestAPIWith(t, func(o *Options) { o.Auth = true })
	_, admin := a.makeKey("admin", auth.ScopeAdmin)
	adm := bearer(admin)

	var made NewKeyResponse
	a.json("POST", "/v1/keys", KeyRequest{Name: "desk tool", Scope: "write"}, http.StatusCreated, &made, adm...)
	if !auth.WellFormed(made.Secret) || made.Scope != auth.ScopeWrite || made.Name != "desk tool" || !strings.HasPrefix(made.Secret, made.Prefix) {
		t.Fatalf("POST /v1/keys = %+v", made)
	}
	// The new key works at once, within its scope.
	a.json("POST", "/v1/extract", map[string]string{"text": `"Yes," said Ana Ruiz.`}, http.StatusOK, nil, bearer(made.Secret)...)
	a.json("GET", "/v1/keys", nil, http.StatusForbidden, nil, bearer(made.Secret)...)

	var list KeyList
	a.json("GET", "/v1/keys", nil, http.StatusOK, &list, adm...)
	if len(list.Keys) != 2 || list.Keys[1].ID != made.ID {
		t.Fatalf("GET /v1/keys = %+v", list)
	}
	if raw := a.do("GET", "/v1/keys", "", adm...).Body.String(); strings.Contains(raw, made.Secret) || strings.Contains(raw, "secret") {
		t.Errorf("the listing shows a secret: %s", raw)
	}

	// Revoking takes effect at once on this server, cache or not.
	var revoked auth.Key
	a.json("DELETE", "/v1/keys/"+made.ID, nil, http.StatusOK, &revoked, adm...)
	if revoked.RevokedAt == nil {
		t.Errorf("DELETE answered %+v, not revoked", revoked)
	}
	a.json("POST", "/v1/extract", map[string]string{"text": `"Yes," said Ana Ruiz.`}, http.StatusUnauthorized, nil, bearer(made.Secret)...)
	a.json("DELETE", "/v1/keys/"+made.ID, nil, http.StatusOK, nil, adm...)
	a.json("DELETE", "/v1/keys/key_0000000000000000", nil, http.StatusNotFound, nil, adm...)

	// Bad requests.
	a.json("POST", "/v1/keys", `{"name":`, http.StatusBadRequest, nil, adm...)
	a.json("POST", "/v1/keys", `{"name":"x","scope":"read","extra":1}`, http.StatusBadRequest, nil, adm...)
	w := a.json("POST", "/v1/keys", KeyRequest{Name: "x", Scope: "root"}, http.StatusUnprocessableEntity, nil, adm...)
	if p := checkProblem(t, w, http.StatusUnprocessableEntity); !strings.Contains(w.Body.String(), "#/scope") {
		t.Errorf("422 without a scope pointer: %v", p)
	}
	a.json("POST", "/v1/keys", KeyRequest{Name: "  ", Scope: "read"}, http.StatusUnprocessableEntity, nil, adm...)
	if w := a.do("POST", "/v1/keys", "name=x", append(adm, "Content-Type", "application/x-www-form-urlencoded")...); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("form body: %d, want 415", w.Code)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	// 1 request per 1000 s with a burst of 2: the third request of a
	// client is refused, and stays refused for the whole test.
	a := newTestAPIWith(t, func(o *Options) { o.RateLimit = 0.001; o.RateBurst = 2 })
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
	re := regexp.MustCompile(`^"default";r=(\d+);t=(\d+)$`)
	for i, wantRemaining := range []int{1, 0} {
		w := get("192.0.2.10:1000")
		if w.Code != http.StatusOK {
			t.Fatalf("request %d: %d, want 200", i+1, w.Code)
		}
		if got := w.Header().Get("RateLimit-Policy"); got != `"default";q=2;w=2000` {
			t.Errorf("RateLimit-Policy %q", got)
		}
		m := re.FindStringSubmatch(w.Header().Get("RateLimit"))
		if m == nil || m[1] != strconv.Itoa(wantRemaining) {
			t.Errorf("request %d: RateLimit %q, want r=%d", i+1, w.Header().Get("RateLimit"), wantRemaining)
		}
	}
	w := get("192.0.2.10:1001") // another port, same client
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("third request: %d, want 429", w.Code)
	}
	checkProblem(t, w, http.StatusTooManyRequests)
	if ra, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || ra < 900 || ra > 1000 {
		t.Errorf("Retry-After %q, want about 1000 s", w.Header().Get("Retry-After"))
	}
	// Another client has its own bucket; probes are never limited.
	if w := get("192.0.2.11:1000"); w.Code != http.StatusOK {
		t.Errorf("another client: %d, want 200", w.Code)
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", "/openapi.json"} {
		req := httptest.NewRequest("GET", p, nil)
		req.RemoteAddr = "192.0.2.10:1000"
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s from a limited client: %d", p, w.Code)
		}
	}
	// Every /v1 route is limited: httptest's client, 192.0.2.1, spends
	// its burst first.
	a.do("GET", "/v1/quotes", "")
	a.do("GET", "/v1/quotes", "")
	for _, op := range v1Operations(t) {
		if w := a.do(op[0], op[1], ""); w.Code != http.StatusTooManyRequests {
			t.Errorf("%s %s: %d, want 429", op[0], op[1], w.Code)
		}
	}
}

func TestRateLimitPerKey(t *testing.T) {
	t.Parallel()
	a := newTestAPIWith(t, func(o *Options) { o.Auth = true; o.RateLimit = 0.001; o.RateBurst = 1 })
	_, k1 := a.makeKey("one", auth.ScopeRead)
	_, k2 := a.makeKey("two", auth.ScopeRead)
	a.json("GET", "/v1/quotes", nil, http.StatusOK, nil, bearer(k1)...)
	a.json("GET", "/v1/quotes", nil, http.StatusTooManyRequests, nil, bearer(k1)...)
	// Same address, another key: its own bucket.
	a.json("GET", "/v1/quotes", nil, http.StatusOK, nil, bearer(k2)...)
}

func TestCORS(t *testing.T) {
	t.Parallel()
	a := newTestAPIWith(t, func(o *Options) {
		o.Auth = true
		o.CORSOrigins = []string{"https://desk.example.org"}
	})
	// A preflight needs no key.
	req := httptest.NewRequest("OPTIONS", "/v1/quotes", nil)
	req.Header.Set("Origin", "https://desk.example.org")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "authorization, if-none-match")
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, req)
	if w.Code != http.StatusNoContent {
		t.Fatalf("preflight: %d, want 204; headers %v", w.Code, w.Header())
	}
	if got := w.Header().Get("Access-Control-Allow-Origin"); got != "https://desk.example.org" {
		t.Errorf("Allow-Origin %q", got)
	}
	if got := strings.ToLower(w.Header().Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") {
		t.Errorf("Allow-Headers %q lacks Authorization", got)
	}
	// An actual request gets the origin and the exposed headers.
	_, read := a.makeKey("browser", auth.ScopeRead)
	w = a.do("GET", "/v1/quotes", "", append(bearer(read), "Origin", "https://desk.example.org")...)
	if w.Code != http.StatusOK || w.Header().Get("Access-Control-Allow-Origin") != "https://desk.example.org" {
		t.Errorf("GET with Origin: %d, Allow-Origin %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
	for _, h := range []string{"etag", "ratelimit", "retry-after", "x-request-id"} {
		if !strings.Contains(strings.ToLower(w.Header().Get("Access-Control-Expose-Headers")), h) {
			t.Errorf("Expose-Headers %q lacks %s", w.Header().Get("Access-Control-Expose-Headers"), h)
		}
	}
	// Another origin gets no CORS permission.
	req = httptest.NewRequest("OPTIONS", "/v1/quotes", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Access-Control-Request-Method", "GET")
	w = httptest.NewRecorder()
	a.h.ServeHTTP(w, req)
	if w.Header().Get("Access-Control-Allow-Origin") != "" || w.Code == http.StatusNoContent {
		t.Errorf("preflight from another origin: %d, Allow-Origin %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
}

func TestRequestIDAndAccessLog(t *testing.T) {
	t.Parallel()
	var mu lockedWriter
	a := newTestAPIWith(t, func(o *Options) {
		o.Logger = slog.New(slog.NewJSONHandler(&mu, nil))
		o.Auth = true
	})
	k, read := a.makeKey("reader", auth.ScopeRead)

	w := a.do("GET", "/v1/quotes/nope-1", "", append(bearer(read), "X-Request-ID", "trace-abc-123")...)
	if got := w.Header().Get("X-Request-ID"); got != "trace-abc-123" {
		t.Errorf("X-Request-ID %q, want the client's", got)
	}
	w = a.do("GET", "/v1/quotes", "", append(bearer(read), "X-Request-ID", "bad id with spaces")...)
	gen := w.Header().Get("X-Request-ID")
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(gen) {
		t.Errorf("generated X-Request-ID %q", gen)
	}
	if w := a.do("GET", "/healthz", ""); w.Header().Get("X-Request-ID") == "" {
		t.Error("no X-Request-ID on /healthz")
	}

	var lines []map[string]any
	for _, l := range bytes.Split(mu.bytes(), []byte("\n")) {
		var m map[string]any
		if json.Unmarshal(l, &m) == nil && m["msg"] == "http request" {
			lines = append(lines, m)
		}
	}
	find := func(id string) map[string]any {
		for _, m := range lines {
			if m["request_id"] == id {
				return m
			}
		}
		t.Fatalf("no access log line with request_id %q in %v", id, lines)
		return nil
	}
	m := find("trace-abc-123")
	if m["status"] != float64(404) || m["route"] != "/v1/quotes/:id" || m["method"] != "GET" || m["key_id"] != k.ID {
		t.Errorf("access log line %v", m)
	}
	if _, ok := m["duration_ms"].(float64); !ok {
		t.Errorf("duration_ms missing or not a number: %v", m)
	}
	if strings.Contains(string(mu.bytes()), read) {
		t.Error("the log holds an API key")
	}
	find(gen)
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	a.json("POST", "/v1/extract", map[string]string{"text": `"Yes," said Ana Ruiz.`}, http.StatusOK, nil)
	a.do("GET", "/v1/quotes/nope-1", "")
	a.do("GET", "/readyz", "")
	w := a.do("GET", "/metrics", "")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	body := w.Body.String()
	for _, want := range []string{
		`whosaid_http_requests_total{method="POST",route="/v1/extract",status="200"} 1`,
		`whosaid_http_requests_total{method="GET",route="/v1/quotes/:id",status="404"} 1`,
		`whosaid_http_request_duration_seconds_bucket{method="GET",route="/v1/quotes/:id",status="404",le="+Inf"} 1`,
		`whosaid_extract_duration_seconds_count 1`,
		`whosaid_store_info{store="embedded"} 1`,
		`whosaid_store_up 1`,
		`whosaid_http_requests_in_flight 1`, // this request
		`go_goroutines`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// lockedWriter is an io.Writer safe for the server's concurrent logging.
type lockedWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedWriter) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}
