package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whosaid/whosaid/api"
	"github.com/whosaid/whosaid/internal/attribution"
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

func TestHead(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()
	for _, tc := range []struct {
		path  string
		want  int
		allow string
	}{
		{path: "/healthz", want: 200},
		{path: "/readyz", want: 200},
		{path: "/openapi.json", want: 200},
		{path: "/metrics", want: 200},
		{path: "/docs/", want: 200},
		{path: "/v1/quotes", want: 200},
		{path: "/v1/speakers", want: 200},
		{path: "/v1/quotes/nope-1", want: 404},
		{path: "/v1/extract", want: 405, allow: "POST"},
		{path: "/no/such/path", want: 404},
	} {
		req, _ := http.NewRequest(http.MethodHead, srv.URL+tc.path, nil)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.want || len(body) != 0 {
			t.Errorf("HEAD %s = %d with %d body bytes, want %d and none", tc.path, res.StatusCode, len(body), tc.want)
		}
		if tc.allow != "" && res.Header.Get("Allow") != tc.allow {
			t.Errorf("HEAD %s: Allow %q, want %q", tc.path, res.Header.Get("Allow"), tc.allow)
		}
		if tc.want != 200 {
			continue
		}
		getRes, err := srv.Client().Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		getRes.Body.Close()
		if g, h := getRes.Header.Get("Content-Type"), res.Header.Get("Content-Type"); g != h {
			t.Errorf("HEAD %s: Content-Type %q, GET has %q", tc.path, h, g)
		}
	}
}

// TestBatchDeadlines checks over a real connection that a batch request
// has bounded deadlines: empty lines do not move them, articles move the
// idle one but never past the request's end.
func TestBatchDeadlines(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		idle, max  time.Duration
		line       string
		every      time.Duration
		wantDetail string
	}{
		{name: "empty lines", idle: 300 * time.Millisecond, max: time.Minute, line: "\n", every: 20 * time.Millisecond, wantDetail: "no article in 300ms"},
		{name: "articles", idle: 5 * time.Second, max: 800 * time.Millisecond, line: `{"text":"“We stay,” said Ana Ruiz."}` + "\n", every: 50 * time.Millisecond, wantDetail: "longer than 800ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newTestAPI(t)
			a.srv.batchIdle, a.srv.batchMax = tc.idle, tc.max
			srv := httptest.NewServer(a.h)
			defer srv.Close()
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			pr, pw := io.Pipe()
			go func() {
				for {
					if _, err := io.WriteString(pw, tc.line); err != nil {
						return
					}
					select {
					case <-ctx.Done():
						pw.CloseWithError(ctx.Err())
						return
					case <-time.After(tc.every):
					}
				}
			}()
			req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/v1/articles:batch", pr)
			req.Header.Set("Content-Type", "application/x-ndjson")
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatalf("POST: %v", err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if ctx.Err() != nil {
				t.Fatalf("the server kept the batch open for 30 s (read %d bytes, %v)", len(body), err)
			}
			lines := strings.Split(strings.TrimSpace(string(body)), "\n")
			var last BatchResult
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
				t.Fatalf("last line %q: %v", lines[len(lines)-1], err)
			}
			if last.Status != http.StatusRequestTimeout || last.Problem == nil || !strings.Contains(last.Problem.Detail, tc.wantDetail) {
				t.Errorf("last result %+v, want 408 saying %q", last, tc.wantDetail)
			}
			for _, l := range lines[:len(lines)-1] {
				if !strings.Contains(l, `"status":201`) && !strings.Contains(l, `"status":200`) {
					t.Errorf("result %s, want 201 or 200", l)
				}
			}
		})
	}
}

// TestKeyMadeWithoutAuth: a key made through POST /v1/keys while auth is
// off is marked and refused once the same store is served with auth on.
func TestKeyMadeWithoutAuth(t *testing.T) {
	t.Parallel()
	open := newTestAPI(t)
	var made NewKeyResponse
	open.json("POST", "/v1/keys", map[string]string{"name": "anyone", "scope": "admin"}, http.StatusCreated, &made)
	if !made.MadeWithoutAuth {
		t.Errorf("key made with auth off = %+v, want made_without_auth", made.Key)
	}
	closed := newTestAPIWith(t, func(o *Options) { o.Store = open.store; o.Auth = true })
	w := closed.do("GET", "/v1/keys", "", bearer(made.Secret)...)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("auth on, key made with auth off: %d, want 401", w.Code)
	}
	if p := checkProblem(t, w, http.StatusUnauthorized); !strings.Contains(p["detail"].(string), "auth off") {
		t.Errorf("detail %q", p["detail"])
	}
	// A key made by a trusted admin, with auth on, works and is not marked.
	_, admin := open.makeKey("admin", auth.ScopeAdmin) // the store both serve
	var reissued NewKeyResponse
	closed.json("POST", "/v1/keys", map[string]string{"name": "anyone", "scope": "admin"}, http.StatusCreated, &reissued, bearer(admin)...)
	if reissued.MadeWithoutAuth {
		t.Errorf("key made with auth on is marked: %+v", reissued.Key)
	}
	var list KeyList
	closed.json("GET", "/v1/keys", nil, http.StatusOK, &list, bearer(reissued.Secret)...)
	marked := 0
	for _, k := range list.Keys {
		if k.MadeWithoutAuth {
			marked++
		}
	}
	if len(list.Keys) != 3 || marked != 1 {
		t.Errorf("keys %+v: want 3, one marked", list.Keys)
	}
}

func TestParseIfMatch(t *testing.T) {
	for _, tc := range []struct {
		values  []string
		want    ifMatch
		wantErr bool
	}{
		{values: nil, want: ifMatch{}},
		{values: []string{"*"}, want: ifMatch{present: true, any: true}},
		{values: []string{`"7"`}, want: ifMatch{present: true, versions: []int64{7}}},
		{values: []string{`W/"7"`}, want: ifMatch{present: true}},
		{values: []string{`"x", W/"2" ,"3",,"4"`}, want: ifMatch{present: true, versions: []int64{3, 4}}},
		{values: []string{`"1"`, `"2"`}, want: ifMatch{present: true, versions: []int64{1, 2}}},
		{values: []string{`"07"`, `"0"`, `"-1"`, `"99999999999999999999"`}, want: ifMatch{present: true}},
		{values: []string{`"a,b"`}, wantErr: true}, // a comma splits: two halves, neither a tag
		{values: []string{`7`}, wantErr: true},
		{values: []string{`"\u0037"`}, want: ifMatch{present: true}}, // no escapes: the tag is \u0037
		{values: []string{`"7`}, wantErr: true},
		{values: []string{`"a b"`}, wantErr: true},
		{values: []string{`*, "1"`}, wantErr: true},
		{values: []string{`W/`}, wantErr: true},
	} {
		got, err := parseIfMatch(tc.values)
		if (err != nil) != tc.wantErr {
			t.Errorf("parseIfMatch(%q) error %v, want error %v", tc.values, err, tc.wantErr)
			continue
		}
		if err == nil && (got.present != tc.want.present || got.any != tc.want.any || !slices.Equal(got.versions, tc.want.versions)) {
			t.Errorf("parseIfMatch(%q) = %+v, want %+v", tc.values, got, tc.want)
		}
	}
}

// TestServerOwnErrorsAreProblems sends requests net/http refuses before any
// handler runs, over a real connection, and wants problem documents.
func TestServerOwnErrorsAreProblems(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	srv := httptest.NewUnstartedServer(a.h)
	srv.Listener = ProblemListener(srv.Listener)
	srv.Config.MaxHeaderBytes = 1 << 10
	srv.Start()
	defer srv.Close()
	for _, tc := range []struct {
		name, request string
		status        int
		wantDetail    string
	}{
		{name: "header too large", request: "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 8<<10) + "\r\n\r\n",
			status: 431, wantDetail: "header fields are larger"},
		{name: "no host", request: "GET /healthz HTTP/1.1\r\n\r\n", status: 400, wantDetail: "missing required Host header"},
		{name: "bad header line", request: "GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", status: 400, wantDetail: "not valid HTTP"},
		{name: "bad transfer coding", request: "POST /v1/extract HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", status: 501, wantDetail: "transfer coding"},
		{name: "garbage", request: "\x16\x03\x01 hello\r\n\r\n", status: 400, wantDetail: "not valid HTTP"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(conn, tc.request); err != nil {
				t.Fatal(err)
			}
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.status || res.Header.Get("Content-Type") != problemContentType {
				t.Fatalf("%d %s %q, want %d problem+json", res.StatusCode, res.Header.Get("Content-Type"), body, tc.status)
			}
			var p Problem
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if p.Status != tc.status || p.Type != ProblemTypeBase+ProblemTypes[tc.status] || !strings.Contains(p.Detail, tc.wantDetail) {
				t.Errorf("problem %+v, want status %d, its type, detail with %q", p, tc.status, tc.wantDetail)
			}
		})
	}
	// A normal answer on the same listener is untouched.
	res, err := srv.Client().Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("GET /healthz through the wrapped listener: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// TestOpenAPIShape checks what generated clients and linters rely on in the
// served document: servers, an operationId and a security requirement on
// every operation, no trailing slashes, schema names without Go package
// prefixes, the problem types, and the range of confidence.
func TestOpenAPIShape(t *testing.T) {
	h := newTestServer(t, serverOpts{})
	w := doCT(t, h, "GET", "/openapi.json", "", "")
	var doc struct {
		Servers    []map[string]any                            `json:"servers"`
		Paths      map[string]map[string]map[string]any        `json:"paths"`
		Webhooks   map[string]map[string]map[string]any        `json:"webhooks"`
		Components struct{ Schemas map[string]map[string]any } `json:"components"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) == 0 {
		t.Error("no servers")
	}
	ids := map[string]string{}
	check := func(where string, ops map[string]map[string]any) {
		for method, op := range ops {
			name := method + " " + where
			id, _ := op["operationId"].(string)
			if id == "" {
				t.Errorf("%s has no operationId", name)
			} else if other, dup := ids[id]; dup {
				t.Errorf("operationId %s on %s and %s", id, name, other)
			}
			ids[id] = name
			if _, ok := op["security"]; !ok {
				t.Errorf("%s declares no security", name)
			}
		}
	}
	for path, ops := range doc.Paths {
		if len(path) > 1 && strings.HasSuffix(path, "/") {
			t.Errorf("path %s ends with a slash", path)
		}
		check(path, ops)
	}
	for name, ops := range doc.Webhooks {
		check("webhook "+name, ops)
	}
	if sec, _ := doc.Paths["/healthz"]["get"]["security"].([]any); sec == nil || len(sec) != 0 {
		t.Errorf("GET /healthz security = %v, want []", doc.Paths["/healthz"]["get"]["security"])
	}
	for name := range doc.Components.Schemas {
		if strings.Contains(name, ".") {
			t.Errorf("schema name %s has a Go package prefix", name)
		}
	}
	problem := doc.Components.Schemas["Problem"]
	props, _ := problem["properties"].(map[string]any)
	typ, _ := props["type"].(map[string]any)
	var enum []string
	for _, v := range typ["enum"].([]any) {
		enum = append(enum, v.(string))
	}
	var want []string
	for _, slug := range ProblemTypes {
		want = append(want, ProblemTypeBase+slug)
	}
	slices.Sort(enum)
	slices.Sort(want)
	if !slices.Equal(enum, want) {
		t.Errorf("Problem.type enum %v, want the types of ProblemTypes %v", enum, want)
	}
	quote, _ := doc.Components.Schemas["Quote"]["properties"].(map[string]any)
	conf, _ := quote["confidence"].(map[string]any)
	if conf["minimum"] != 0.0 || conf["maximum"] != 1.0 || conf["description"] == nil {
		t.Errorf("Quote.confidence = %v, want a description, minimum 0 and maximum 1", conf)
	}
}

// TestProblemDetailsHideChains: the errors of the store name internals
// (ids, versions, operations); the client gets a sentence, the log the
// chain.
func TestProblemDetailsHideChains(t *testing.T) {
	var log lockedWriter
	s, err := New(Options{
		Logger: slog.New(slog.NewTextHandler(&log, nil)), Store: fakeStore{}, StoreKind: "embedded",
		Extractor: fakeExtractor{}, OpenAPI: api.OpenAPIJSON(),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, path string
		err          error
		status       int
		want         string
	}{
		{"PATCH", "/v1/speakers/spk_1", fmt.Errorf("update speaker spk_1: version 2, not 1: %w", attribution.ErrPrecondition), 412, "the speaker changed while this request ran"},
		{"PATCH", "/v1/speakers/spk_1", fmt.Errorf("update speaker spk_1: alias \"Bo\" belongs to another speaker: %w", attribution.ErrConflict), 409, "belongs to another speaker (merge the two instead)"},
		{"GET", "/v1/quotes/abc-1", fmt.Errorf("get quote \"abc-1\": find: %w", attribution.ErrNotFound), 404, `no quote with id "abc-1"`},
		{"GET", "/v1/articles/abc/quotes", fmt.Errorf("article quotes %q: %w", "abc", attribution.ErrNotFound), 404, `no article with id "abc"`},
		{"POST", "/v1/speakers/spk_1:merge", fmt.Errorf("merge: %w", attribution.ErrNotFound), 404, "a speaker to merge"},
		{"POST", "/v1/articles", errPublic(fmt.Errorf("idempotency key: %w", attribution.ErrConflict), "this Idempotency-Key was used with another request body"), 409, "this Idempotency-Key was used"},
	} {
		p := s.problemFor(t.Context(), tc.method, tc.path, tc.err)
		if p.Status != tc.status || !strings.HasPrefix(p.Detail, tc.want) && !strings.Contains(p.Detail, tc.want) {
			t.Errorf("%s %s, %v: %d %q, want %d with %q", tc.method, tc.path, tc.err, p.Status, p.Detail, tc.status, tc.want)
		}
		for _, leak := range []string{"version 2", "update speaker", "find:", ": not found", ": conflict", "idempotency key:"} {
			if strings.Contains(p.Detail, leak) {
				t.Errorf("%s %s: detail %q holds %q", tc.method, tc.path, p.Detail, leak)
			}
		}
		if l := log.bytes(); !bytes.Contains(l, []byte(tc.err.Error())) && !bytes.Contains(l, []byte(strconv.Quote(tc.err.Error()))) {
			t.Errorf("the log lacks the chain %q", tc.err)
		}
	}
}

func TestCheckJSONStrings(t *testing.T) {
	for _, tc := range []struct {
		body, field, reason string
	}{
		{body: `{"a":"ok","b":["x","y"],"c":{"d":1,"e":[true,null,"z"]}}`},
		{body: `{"text":"\u00e9 \ud83d\ude00 \\u0000 \\ud800"}`}, // é, a pair, and escaped backslashes
		{body: "{\"name\":\"a\xffb\"}", field: "name", reason: "must be valid UTF-8"},
		{body: `{"name":"a\ud800"}`, field: "name", reason: "must be valid UTF-8"},
		{body: `{"name":"\udc00"}`, field: "name", reason: "must be valid UTF-8"},
		{body: `{"name":"a\u0000b"}`, field: "name", reason: "must not contain NUL (U+0000)"},
		{body: `{"aliases":["ok","ok","bad\u0000"]}`, field: "aliases[2]", reason: "must not contain NUL (U+0000)"},
		{body: `{"a":{"b":[1,{"c":"\ud800"}]}}`, field: "a.b[1].c", reason: "must be valid UTF-8"},
		{body: "{\"k\xff\":1}", field: "k\ufffd", reason: "must be valid UTF-8"},
		{body: `"\u0000"`, field: "body", reason: "must not contain NUL (U+0000)"},
		{body: `{"a":[[],{}],"b":"\u0000"}`, field: "b", reason: "must not contain NUL (U+0000)"},
	} {
		err := checkJSONStrings([]byte(tc.body))
		if tc.field == "" {
			if err != nil {
				t.Errorf("checkJSONStrings(%q) = %v, want nil", tc.body, err)
			}
			continue
		}
		var fe *attribution.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field || fe.Reason != tc.reason {
			t.Errorf("checkJSONStrings(%q) = %v, want %s: %s", tc.body, err, tc.field, tc.reason)
		}
	}
}

// TestStringFieldsValidated sends invalid strings in fields other than
// text, over the API: each is a 422 naming the field.
func TestStringFieldsValidated(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	for _, tc := range []struct {
		method, target, ct, body, field string
	}{
		{"POST", "/v1/articles", "application/json", `{"text":"“Yes,” she said.","outlet":"Daily\u0000"}`, "outlet"},
		{"POST", "/v1/articles", "application/json", "{\"text\":\"“Yes,” she said.\",\"title\":\"T\xc3\x28\"}", "title"},
		{"POST", "/v1/articles", "application/json", `{"text":"“Yes,” she said.\u0000"}`, "text"},
		{"POST", "/v1/extract", "application/json", `{"text":"Hello.","offsets":"utf8\u0000"}`, "offsets"},
		{"POST", "/v1/keys", "application/json", `{"name":"desk\ud800","scope":"read"}`, "name"},
		{"POST", "/v1/verify", "application/json", `{"text":"Yes.","speaker":"Ana\u0000"}`, "speaker"},
		{"POST", "/v1/subscriptions", "application/json", `{"url":"https://93.184.215.14/h","q":"a\udc00"}`, "q"},
	} {
		w := a.do(tc.method, tc.target, tc.body, "Content-Type", tc.ct)
		if w.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s %s %s = %d, want 422; %s", tc.method, tc.target, tc.body, w.Code, w.Body)
			continue
		}
		p := checkProblem(t, w, http.StatusUnprocessableEntity)
		if errs, _ := p["errors"].([]any); len(errs) == 0 || errs[0].(map[string]any)["field"] != tc.field {
			t.Errorf("%s %s: errors %v, want the field %s", tc.method, tc.target, p["errors"], tc.field)
		}
	}
	// In a query parameter and a path segment.
	for _, tc := range []struct {
		target string
		want   int
	}{
		{"/v1/quotes?q=a%00b", 400}, {"/v1/speakers?q=%FF", 400}, {"/v1/speakers/spk_1/quotes?outlet%00=x", 400},
		{"/v1/quotes/a%00b", 404}, {"/v1/speakers/%FF", 404}, {"/v1/articles/x%00/quotes", 404},
	} {
		if w := a.do("GET", tc.target, ""); w.Code != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.target, w.Code, tc.want)
		} else {
			checkProblem(t, w, tc.want)
		}
	}
}
