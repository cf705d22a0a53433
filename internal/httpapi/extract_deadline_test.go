package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

// stuckExtractor never finishes on its own: it waits for its context and
// answers its error, as a long extraction that checks its context would.
type stuckExtractor struct{ calls *atomic.Int32 }

func (x stuckExtractor) ExtractContext(ctx context.Context, _ string) (attribution.Result, error) {
	x.calls.Add(1)
	<-ctx.Done()
	return attribution.Result{}, ctx.Err()
}

// ingestCounter counts the articles handed to the store.
type ingestCounter struct {
	Store
	n *atomic.Int32
}

func (s ingestCounter) IngestArticle(ctx context.Context, a *attribution.Article, res attribution.Result) (attribution.IngestResult, error) {
	s.n.Add(1)
	return s.Store.IngestArticle(ctx, a, res)
}

// TestExtractDeadline: an extraction that outlasts the server's extraction
// deadline gets a 503 problem, on /v1/extract, /v1/articles and each line of
// the batch, and nothing is stored.
func TestExtractDeadline(t *testing.T) {
	var calls, stored atomic.Int32
	a := newTestAPIWith(t, func(o *Options) {
		o.Extractor = stuckExtractor{&calls}
		o.ExtractTimeout = 20 * time.Millisecond
		o.Store = ingestCounter{o.Store, &stored}
	})
	w := a.do("POST", "/v1/extract", `{"text":"“We stay,” she said."}`, "Content-Type", "application/json")
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "extraction did not finish within 20ms") {
		t.Errorf("POST /v1/extract past the deadline = %d %s, want 503 naming the deadline", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, problemContentType) || w.Header().Get("Retry-After") == "" {
		t.Errorf("POST /v1/extract past the deadline: Content-Type %q, Retry-After %q; want a problem with Retry-After", ct, w.Header().Get("Retry-After"))
	}
	a.json("POST", "/v1/articles", ruizArticle(), http.StatusServiceUnavailable, nil)
	w = a.do("POST", "/v1/articles:batch", mustJSON(t, ruizArticle())+"\n", "Content-Type", "application/x-ndjson")
	if got := batchResults(t, w.Body.String()); w.Code != http.StatusOK || len(got) != 1 || got[0].Status != http.StatusServiceUnavailable {
		t.Errorf("POST /v1/articles:batch past the deadline = %d %s, want one 503 line", w.Code, w.Body)
	}
	if calls.Load() != 3 || stored.Load() != 0 {
		t.Errorf("extractions %d, articles stored %d; want 3 and 0", calls.Load(), stored.Load())
	}
}

// TestExtractClientGone: when the client has gone (the request context is
// cancelled) the real extractor stops and nothing is stored.
func TestExtractClientGone(t *testing.T) {
	var stored atomic.Int32
	a := newTestAPIWith(t, func(o *Options) { o.Store = ingestCounter{o.Store, &stored} })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for target, body := range map[string]string{
		"/v1/extract":  mustJSON(t, map[string]string{"text": ruizText}),
		"/v1/articles": mustJSON(t, ruizArticle()),
	} {
		req := httptest.NewRequest("POST", target, strings.NewReader(body)).WithContext(ctx)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		a.h.ServeHTTP(w, req)
		if w.Code != http.StatusServiceUnavailable {
			t.Errorf("POST %s with the client gone = %d %s, want 503", target, w.Code, w.Body)
		}
	}
	if stored.Load() != 0 {
		t.Errorf("articles stored with the client gone: %d, want 0", stored.Load())
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
