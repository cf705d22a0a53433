package httpapi

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/whosaid/whosaid/api"
	"github.com/whosaid/whosaid/internal/extract"
	"github.com/whosaid/whosaid/internal/mongostore"
	"github.com/whosaid/whosaid/internal/sqlitestore"
)

// Shared by every test of the package, set up once by TestMain.
var (
	// testURI is a real MongoDB when WHOSAID_TEST_MONGO_URI is set: the
	// tests then run on it, each on a database of its own; otherwise each
	// test has an embedded SQLite store of its own.
	testURI string
	// testExtractor is the real extractor (immutable, safe for
	// concurrent use).
	testExtractor *extract.Extractor
	// spec is the OpenAPI document every response is checked against.
	spec       *openapi3.T
	specRouter routers.Router
	// seen records the documented responses the tests produced, by
	// "METHOD path status".
	seen sync.Map
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	flag.Parse()
	var err error
	if testExtractor, err = extract.New(); err != nil {
		fmt.Fprintln(os.Stderr, "extract.New:", err)
		return 1
	}
	if err := loadSpec(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	testURI = os.Getenv("WHOSAID_TEST_MONGO_URI")
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" && !testing.Short() {
		if missing := uncoveredResponses(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "contract: no test produced these documented responses:\n  %s\n", strings.Join(missing, "\n  "))
			return 1
		}
	}
	return code
}

// loadSpec loads the embedded OpenAPI document (api/openapi.json, which
// the server serves) and builds a router over it.
func loadSpec() error {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIJSON())
	if err != nil {
		return fmt.Errorf("load OpenAPI document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return fmt.Errorf("OpenAPI document is invalid: %w", err)
	}
	// The router matches request URLs against the servers of the
	// document; it has none, so any host matches.
	r, err := gorillamux.NewRouter(doc)
	if err != nil {
		return fmt.Errorf("OpenAPI router: %w", err)
	}
	spec, specRouter = doc, r
	return nil
}

// uncoveredResponses lists the documented responses of the /v1 routes no
// test produced; 500 responses are left out (only a bug produces them).
func uncoveredResponses() []string {
	var out []string
	for path, item := range spec.Paths.Map() {
		if !strings.HasPrefix(path, "/v1/") {
			continue
		}
		for method, op := range item.Operations() {
			for status := range op.Responses.Map() {
				if status == "500" {
					continue
				}
				k := method + " " + path + " " + status
				if _, ok := seen.Load(k); !ok {
					out = append(out, k)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// checkContract validates a response against the OpenAPI document: its
// status must be documented for the route, its content type and body must
// match the documented schema, and documented headers their schemas.
// Requests for paths or methods the document does not have must get 404
// or 405 (gin's own), except the Swagger UI's files.
func checkContract(t *testing.T, req *http.Request, w *httptest.ResponseRecorder) {
	t.Helper()
	route, params, err := specRouter.FindRoute(req)
	if err != nil {
		// The legacy router returns new RouteErrors with the reasons of
		// the sentinels.
		var re *routers.RouteError
		if !errors.As(err, &re) || (re.Reason != routers.ErrPathNotFound.Error() && re.Reason != routers.ErrMethodNotAllowed.Error()) {
			t.Errorf("contract: find route of %s %s: %v", req.Method, req.URL, err)
		}
		// Only gin's own 404 and 405 (and the Swagger UI's files) may
		// come from routes the document lacks.
		if w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed && !strings.HasPrefix(req.URL.Path, "/docs/") {
			t.Errorf("contract: %s %s = %d, but the document has no such operation", req.Method, req.URL, w.Code)
		}
		return
	}
	seen.Store(fmt.Sprintf("%s %s %d", req.Method, route.Path, w.Code), true)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 w.Code,
		Header:                 w.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	ct := w.Header().Get("Content-Type")
	switch mt, _, _ := mime.ParseMediaType(ct); {
	case ct == ndjsonContentType:
		// kin-openapi has no NDJSON decoder: check the status and headers
		// here, and each line against the schema below.
		in.Options.ExcludeResponseBody = true
	case mt != "application/json" && mt != problemContentType && mt != jsonLDContentType:
		// HTML and scripts of the Swagger UI: no schema to check.
		in.Options.ExcludeResponseBody = true
	}
	in.SetBodyBytes(w.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("contract: %s %s = %d does not match the OpenAPI document: %v\nbody: %.500s", req.Method, req.URL, w.Code, err, w.Body)
	}
	if ct != ndjsonContentType {
		return
	}
	mt := route.Operation.Responses.Status(w.Code).Value.Content.Get(ct)
	if mt == nil || mt.Schema == nil {
		t.Errorf("contract: %s %s = %d with %s, which the document does not list", req.Method, req.URL, w.Code, ct)
		return
	}
	sc := bufio.NewScanner(bytes.NewReader(w.Body.Bytes()))
	sc.Buffer(nil, 4<<20)
	for n := 1; sc.Scan(); n++ {
		var v any
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Errorf("contract: %s %s line %d is not JSON: %v", req.Method, req.URL, n, err)
			continue
		}
		if err := mt.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020(), openapi3.VisitAsResponse()); err != nil {
			t.Errorf("contract: %s %s line %d does not match the schema: %v\nline: %s", req.Method, req.URL, n, err, sc.Bytes())
		}
	}
}

// do serves one request and checks the response against the OpenAPI
// document. headers are name, value pairs.
func do(t *testing.T, h http.Handler, method, target string, body io.Reader, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	checkContract(t, req, w)
	return w
}

// testAPI is a server on a real store with a database of its own.
type testAPI struct {
	t     *testing.T
	srv   *Server
	h     http.Handler
	store Store
}

// newTestAPI starts a server on a fresh database (dropped when the test
// ends) with the real extractor.
func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	return newTestAPIWith(t, nil)
}

// newTestAPIWith is newTestAPI with options changed by edit (nil: none).
func newTestAPIWith(t *testing.T, edit func(*Options)) *testAPI {
	t.Helper()
	st := newTestStore(t)
	kind := "embedded"
	if testURI != "" {
		kind = "mongodb"
	}
	opts := Options{
		Logger:    slog.New(slog.NewTextHandler(tWriter{t}, nil)),
		Store:     st,
		StoreKind: kind,
		Extractor: testExtractor,
		OpenAPI:   api.OpenAPIJSON(),
	}
	if edit != nil {
		edit(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &testAPI{t: t, srv: s, h: s.Handler(), store: st}
}

// tWriter sends the server's log to the test's log, shown when it fails.
type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// newTestStore opens a fresh store for one test: an SQLite file in the
// test's temporary directory, or with WHOSAID_TEST_MONGO_URI a database
// of that MongoDB named after the test (dropped when the test ends).
func newTestStore(t *testing.T) Store {
	t.Helper()
	if testURI == "" {
		st, err := sqlitestore.Open(sqlitestore.Options{Path: filepath.Join(t.TempDir(), sqlitestore.FileName)})
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { _ = st.Close(context.Background()) })
		return st
	}
	st := newMongoStore(t, testURI)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if err := st.EnsureIndexes(ctx); err != nil {
		t.Fatalf("EnsureIndexes: %v", err)
	}
	return st
}

// newMongoStore opens a MongoDB store at uri on a database named after the
// test, dropped when the test ends if uri is testURI.
func newMongoStore(t *testing.T, uri string, opts ...func(*mongostore.Options)) *mongostore.Store {
	t.Helper()
	o := mongostore.Options{URI: uri, Database: testDBName(t)}
	for _, f := range opts {
		f(&o)
	}
	st, err := mongostore.Open(o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if uri == testURI {
			if err := st.Drop(ctx); err != nil {
				t.Errorf("Drop: %v", err)
			}
		}
		if err := st.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

var unsafeDBChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// testDBName derives a valid, unique database name from the test name.
func testDBName(t *testing.T) string {
	name := unsafeDBChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "test_" + strings.Trim(name, "_") + "_" + hex.EncodeToString(b)
}

// do serves one request; body "" sends none. headers are name, value
// pairs.
func (a *testAPI) do(method, target, body string, headers ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	return do(a.t, a.h, method, target, r, headers...)
}

// json serves one request with a JSON body (any value but a string, which
// is sent as is) and wants status; it decodes a successful answer into
// out, when not nil.
func (a *testAPI) json(method, target string, body any, want int, out any, headers ...string) *httptest.ResponseRecorder {
	a.t.Helper()
	var s string
	switch b := body.(type) {
	case nil:
	case string:
		s = b
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			a.t.Fatal(err)
		}
		s = string(raw)
	}
	if body != nil {
		headers = append([]string{"Content-Type", "application/json"}, headers...)
	}
	w := a.do(method, target, s, headers...)
	if w.Code != want {
		a.t.Fatalf("%s %s = %d, want %d; body %.500s", method, target, w.Code, want, w.Body)
	}
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			a.t.Fatalf("%s %s: decode %s: %v", method, target, w.Body, err)
		}
	}
	return w
}
