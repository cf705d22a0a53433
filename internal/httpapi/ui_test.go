package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/whosaid/whosaid/internal/web"
)

// TestUIRoutes: with Options.UI the pages are served at / and under /ui/,
// open even with auth on (the pages ask for the key; /v1 checks it),
// beside the API's own routes.
func TestUIRoutes(t *testing.T) {
	pages, err := web.New(web.Options{Auth: true})
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAPIWith(t, func(o *Options) { o.UI = pages; o.Auth = true })
	for _, tc := range []struct {
		method, target string
		code           int
		want           string
	}{
		{"GET", "/", 200, `data-page="search"`},
		{"HEAD", "/", 200, ""},
		{"GET", "/ui/", 200, `data-page="search"`},
		{"GET", "/ui/speakers/spk_1", 200, `data-page="speaker"`},
		{"GET", "/ui/articles/a1", 200, `data-page="article"`},
		{"GET", "/ui/verify", 200, `data-page="verify"`},
		{"GET", "/ui/paste", 200, `data-page="paste"`},
		{"GET", "/ui/assets/app.js", 200, "sessionStorage"},
		{"GET", "/healthz", 200, `"status"`},
		{"GET", "/v1/speakers", 401, "API key"},
	} {
		req := httptest.NewRequest(tc.method, tc.target, nil)
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, req)
		if w.Code != tc.code {
			t.Errorf("%s %s = %d, want %d: %.200s", tc.method, tc.target, w.Code, tc.code, w.Body)
		}
		if !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("%s %s: body lacks %q: %.200s", tc.method, tc.target, tc.want, w.Body)
		}
	}
	// Without Options.UI there are no pages.
	b := newTestAPI(t)
	w := httptest.NewRecorder()
	b.h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusNotFound {
		t.Errorf("GET / without UI = %d, want 404", w.Code)
	}
}
