package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/whosaid/whosaid/api"
	"github.com/whosaid/whosaid/internal/attribution"
)

// fakeStore answers Ping with err; the tests that use it call no other
// method (the embedded nil Store would panic).
type fakeStore struct {
	Store
	err error
}

func (p fakeStore) Ping(ctx context.Context) error { return p.err }

// fakeExtractor reports every "said" in the text as a cue with byte
// offsets, which lets tests check the offset conversion; it panics on the
// text "panic".
type fakeExtractor struct{}

func (fakeExtractor) ExtractContext(_ context.Context, text string) (attribution.Result, error) {
	if text == "panic" {
		panic("boom: secret internals")
	}
	res := attribution.Result{Quotes: []attribution.Quote{}, Speakers: []attribution.Speaker{}}
	for i := 0; ; {
		j := strings.Index(text[i:], "said")
		if j < 0 {
			break
		}
		start := i + j
		span := attribution.Span{Start: start, End: start + len("said")}
		res.Quotes = append(res.Quotes, attribution.Quote{
			Text: text[:start], Span: attribution.Span{Start: 0, End: start}, Kind: attribution.KindDirect,
			Cue: &attribution.Cue{Text: "said", Span: span}, Rule: "fake",
		})
		i = span.End
	}
	return res, nil
}

type serverOpts struct {
	pingErr error
}

func newTestServer(t *testing.T, o serverOpts) http.Handler {
	t.Helper()
	s, err := New(Options{
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Store:     fakeStore{err: o.pingErr},
		StoreKind: "embedded",
		Extractor: fakeExtractor{},
		OpenAPI:   api.OpenAPIJSON(),
	})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s.Handler()
}

// doCT serves one request with an optional Content-Type and body.
func doCT(t *testing.T, h http.Handler, method, target, contentType, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	var hdr []string
	if contentType != "" {
		hdr = []string{"Content-Type", contentType}
	}
	return do(t, h, method, target, r, hdr...)
}

// checkProblem checks that w is an RFC 9457 problem document with the given
// status and returns it.
func checkProblem(t *testing.T, w *httptest.ResponseRecorder, status int) map[string]any {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type = %q, want application/problem+json", ct)
	}
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem body %q: %v", w.Body, err)
	}
	for _, m := range []string{"type", "title", "status", "detail", "instance"} {
		if _, ok := p[m]; !ok {
			t.Errorf("problem %s lacks member %q", w.Body, m)
		}
	}
	if got, _ := p["status"].(float64); int(got) != status {
		t.Errorf("problem status = %v, want %d", p["status"], status)
	}
	if want := ProblemTypeBase + ProblemTypes[status]; p["type"] != want {
		t.Errorf("problem type = %v, want %s", p["type"], want)
	}
	return p
}

func TestRoutes(t *testing.T) {
	for _, tc := range []struct {
		name, method, target string
		pingErr              error
		wantStatus           int
		wantType             string // Content-Type prefix
		wantBody             []string
		wantHeader           map[string]string
	}{
		{name: "healthz", method: "GET", target: "/healthz", wantStatus: 200, wantType: "application/json",
			wantBody: []string{`{"status":"ok"}`}},
		{name: "readyz ok", method: "GET", target: "/readyz", wantStatus: 200, wantType: "application/json",
			wantBody: []string{`{"status":"ready","store":"embedded"}`}},
		{name: "readyz store down", method: "GET", target: "/readyz", pingErr: errors.New("ping: connection refused"),
			wantStatus: 503, wantType: "application/problem+json",
			wantBody: []string{`"detail":"the embedded store does not answer; the server's log says why"`}},
		{name: "unknown route", method: "GET", target: "/nope", wantStatus: 404, wantType: "application/problem+json",
			wantBody: []string{`"instance":"/nope"`}},
		{name: "unknown v1 route", method: "GET", target: "/v1/nope", wantStatus: 404, wantType: "application/problem+json"},
		{name: "wrong method", method: "DELETE", target: "/healthz", wantStatus: 405, wantType: "application/problem+json",
			wantHeader: map[string]string{"Allow": "GET, HEAD"}},
		{name: "GET on POST route", method: "GET", target: "/v1/extract", wantStatus: 405, wantType: "application/problem+json",
			wantHeader: map[string]string{"Allow": "POST"}},
		{name: "GET on the batch route", method: "GET", target: "/v1/articles:batch", wantStatus: 405, wantType: "application/problem+json",
			wantHeader: map[string]string{"Allow": "POST"}},
		{name: "openapi.json", method: "GET", target: "/openapi.json", wantStatus: 200, wantType: "application/json",
			wantBody: []string{`"openapi": "3.1.0"`, `"/v1/extract"`}},
		{name: "swagger ui", method: "GET", target: "/docs/", wantStatus: 200, wantType: "text/html",
			wantBody: []string{`<div id="swagger-ui">`, `swagger-initializer.js`}},
		{name: "swagger ui index", method: "GET", target: "/docs/index.html", wantStatus: 200, wantType: "text/html"},
		{name: "swagger ui points at our spec", method: "GET", target: "/docs/swagger-initializer.js", wantStatus: 200,
			wantType: "text/javascript", wantBody: []string{`url: "../openapi.json"`, `validatorUrl: null`}},
		{name: "swagger ui bundle", method: "GET", target: "/docs/swagger-ui-bundle.js", wantStatus: 200, wantType: "text/javascript"},
		{name: "swagger ui missing file", method: "GET", target: "/docs/nope.js", wantStatus: 404, wantType: "application/problem+json"},
		{name: "docs without slash", method: "GET", target: "/docs", wantStatus: 301,
			wantHeader: map[string]string{"Location": "/docs/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestServer(t, serverOpts{pingErr: tc.pingErr})
			w := doCT(t, h, tc.method, tc.target, "", "")
			if w.Code != tc.wantStatus {
				t.Fatalf("%s %s = %d, want %d; body %s", tc.method, tc.target, w.Code, tc.wantStatus, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.wantType) {
				t.Errorf("%s %s Content-Type = %q, want %s", tc.method, tc.target, ct, tc.wantType)
			}
			for _, want := range tc.wantBody {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("%s %s body lacks %s; got %.300s", tc.method, tc.target, want, w.Body)
				}
			}
			for k, v := range tc.wantHeader {
				if got := w.Header().Get(k); got != v {
					t.Errorf("%s %s header %s = %q, want %q", tc.method, tc.target, k, got, v)
				}
			}
			if tc.wantType == "application/problem+json" {
				checkProblem(t, w, tc.wantStatus)
			}
		})
	}
}

func TestOpenAPIDocument(t *testing.T) {
	h := newTestServer(t, serverOpts{})
	w := doCT(t, h, "GET", "/openapi.json", "", "")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("GET /openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	for path, method := range map[string]string{
		"/healthz": "get", "/readyz": "get", "/openapi.json": "get", "/docs/{file}": "get", "/v1/extract": "post",
	} {
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("spec lacks %s %s", method, path)
		}
	}
	// Errors are documented as problem documents and successes as JSON:
	// this guards the @Produce ordering the swag annotations rely on.
	var op struct {
		Responses map[string]struct {
			Content map[string]json.RawMessage `json:"content"`
		} `json:"responses"`
	}
	if err := json.Unmarshal(doc.Paths["/v1/extract"]["post"], &op); err != nil {
		t.Fatal(err)
	}
	for code, want := range map[string]string{"200": "application/json", "400": "application/problem+json",
		"413": "application/problem+json", "415": "application/problem+json", "422": "application/problem+json"} {
		r := op.Responses[code]
		if _, ok := r.Content[want]; !ok || len(r.Content) != 1 {
			var got []string
			for k := range r.Content {
				got = append(got, k)
			}
			t.Errorf("POST /v1/extract %s content types = %v, want only %s", code, got, want)
		}
	}
}

func TestPanicGivesProblem(t *testing.T) {
	h := newTestServer(t, serverOpts{})
	w := doCT(t, h, "POST", "/v1/extract", "application/json", `{"text":"panic"}`)
	if w.Code != 500 {
		t.Fatalf("POST /v1/extract (panicking extractor) = %d, want 500", w.Code)
	}
	p := checkProblem(t, w, 500)
	for _, leak := range []string{"boom", "secret", "goroutine", ".go:"} {
		if strings.Contains(w.Body.String(), leak) {
			t.Errorf("500 body leaks %q: %s", leak, w.Body)
		}
	}
	if p["detail"] != "internal server error" {
		t.Errorf("detail = %q, want internal server error", p["detail"])
	}
}
