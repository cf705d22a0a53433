package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

func newHandler(t *testing.T, opts Options) *Handler {
	t.Helper()
	h, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

func TestPages(t *testing.T) {
	h := newHandler(t, Options{})
	for _, tc := range []struct {
		target string
		page   string
		want   []string // in the body
	}{
		{"/", "search", []string{`<label for="q">Speaker, alias or words</label>`, `<label for="outlet">`, `<label for="kind">`, `<label for="from">`, `<label for="to">`, `id="results"`, `id="next-page"`}},
		{"/ui/", "search", []string{`id="search-form"`, `<option value="indirect">indirect</option>`}},
		{"/ui/search?q=Peskov&kind=mixed&outlet=Reuters&from=2025-01-01&to=2025-12-31", "search",
			[]string{`value="Peskov"`, `<option value="mixed" selected>`, `value="Reuters"`, `value="2025-01-01"`, `value="2025-12-31"`}},
		{"/ui/speakers/spk_1", "speaker", []string{`data-id="spk_1"`, `id="rename-form"`, `id="alias-form"`, `id="wikidata-form"`, `id="merge-search-form"`, `<dt>Wikidata</dt>`}},
		{"/ui/articles/a1", "article", []string{`data-id="a1"`, `id="art-text"`, `id="qd-kind-form"`, `id="qd-hide"`, `id="qd-history"`}},
		{"/ui/verify?text=we+will+win&speaker=Jane", "verify", []string{`<label for="v-text">Quote to check</label>`, `>we will win</textarea>`, `value="Jane"`}},
		{"/ui/paste", "paste", []string{`<label for="p-text">Article</label>`, `value="html"`, `id="p-store"`}},
	} {
		w := get(t, h, http.MethodGet, tc.target)
		if w.Code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", tc.target, w.Code)
			continue
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s Content-Type = %q", tc.target, ct)
		}
		body := w.Body.String()
		for _, s := range append(tc.want, `data-page="`+tc.page+`"`, `data-auth="off"`, `<script src="/ui/assets/app.js" defer></script>`, `<html lang="en">`, `name="viewport"`) {
			if !strings.Contains(body, s) {
				t.Errorf("GET %s: body lacks %q", tc.target, s)
			}
		}
		if strings.Contains(body, "key-form") {
			t.Errorf("GET %s with auth off asks for a key", tc.target)
		}
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("GET %s Content-Security-Policy = %q", tc.target, csp)
		}
		// No script or style from elsewhere: the pages work offline.
		for _, s := range []string{"http://", "https://"} {
			if i := strings.Index(body, s); i >= 0 {
				t.Errorf("GET %s links outside the binary: %q", tc.target, body[max(0, i-40):min(len(body), i+40)])
			}
		}
	}
}

func TestPagesAuthOn(t *testing.T) {
	h := newHandler(t, Options{Auth: true})
	body := get(t, h, http.MethodGet, "/ui/speakers/spk_1").Body.String()
	for _, s := range []string{`data-auth="on"`, `<label for="key-input">API key</label>`, `type="password"`} {
		if !strings.Contains(body, s) {
			t.Errorf("auth on: body lacks %q", s)
		}
	}
}

// TestEscaping: whatever the URL holds is text in the page, never markup.
func TestEscaping(t *testing.T) {
	h := newHandler(t, Options{})
	for _, target := range []string{
		"/ui/?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E&outlet=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
		"/ui/verify?text=%3C%2Ftextarea%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&speaker=%22+onfocus%3D%22alert(1)",
		"/ui/speakers/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		"/ui/articles/%22%20onload%3D%22alert(1)",
	} {
		w := get(t, h, http.MethodGet, target)
		body := w.Body.String()
		if w.Code != http.StatusOK {
			t.Errorf("GET %s = %d", target, w.Code)
		}
		for _, bad := range []string{"<script>alert", "<img src=x", "</textarea><script", `" onfocus="`, `" onload="`} {
			if strings.Contains(body, bad) {
				t.Errorf("GET %s: body holds unescaped %q", target, bad)
			}
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") && !strings.Contains(body, "&#34; onload=&#34;") && !strings.Contains(body, "&#34; onfocus=&#34;") {
			t.Errorf("GET %s: the escaped input is not in the page", target)
		}
	}
}

// TestScriptWritesText: the script puts API data into the page as text;
// it never assigns HTML.
func TestScriptWritesText(t *testing.T) {
	f, err := assetFS.Open("assets/app.js")
	if err != nil {
		t.Fatal(err)
	}
	src, _ := io.ReadAll(f)
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(string(src), bad) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}

func TestAssetsAndMissing(t *testing.T) {
	h := newHandler(t, Options{})
	for _, tc := range []struct {
		method, target string
		code           int
		ctype          string
		want           string
	}{
		{"GET", "/ui/assets/app.js", 200, "text/javascript; charset=utf-8", "'use strict'"},
		{"GET", "/ui/assets/app.css", 200, "text/css; charset=utf-8", "@media (max-width: 760px)"},
		{"HEAD", "/ui/assets/app.css", 200, "text/css; charset=utf-8", ""},
		{"HEAD", "/", 200, "text/html; charset=utf-8", ""},
		{"GET", "/ui/assets/", 404, "", ""},
		{"GET", "/ui/assets/nope.js", 404, "", ""},
		{"GET", "/ui/nope", 404, "text/html; charset=utf-8", "There is no page here."},
		{"POST", "/ui/", 405, "", ""},
	} {
		w := get(t, h, tc.method, tc.target)
		if w.Code != tc.code {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.target, w.Code, tc.code)
		}
		if tc.ctype != "" && w.Header().Get("Content-Type") != tc.ctype {
			t.Errorf("%s %s Content-Type = %q, want %q", tc.method, tc.target, w.Header().Get("Content-Type"), tc.ctype)
		}
		if !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("%s %s: body lacks %q", tc.method, tc.target, tc.want)
		}
	}
}
