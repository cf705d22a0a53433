package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/whosaid/whosaid/internal/attribution"
)

// ruizText has two quotes of Mayor Ana Ruiz: a direct one and an indirect
// one; é and the curly quotes make code points differ from bytes.
const ruizText = "“We will rebuild the port by spring,” said Mayor Ana Ruiz. Ruiz said the café would reopen soon."

func ruizArticle() map[string]any {
	return map[string]any{
		"url":          "https://example.com/news/ruiz",
		"title":        "Mayor promises port",
		"text":         ruizText,
		"published_at": "2025-02-18T09:30:00+01:00",
		"outlet":       "Harbour Times",
		"language":     "EN",
	}
}

// A bare date is accepted wherever a date is, as in whosaid ingest:
// midnight UTC.
func TestCreateArticleBareDate(t *testing.T) {
	a := newTestAPI(t)
	art := ruizArticle()
	art["published_at"] = "2023-01-17"
	var got ArticleResponse
	a.json("POST", "/v1/articles", art, http.StatusCreated, &got)
	if want := time.Date(2023, 1, 17, 0, 0, 0, 0, time.UTC); !got.Article.PublishedAt.Equal(want) {
		t.Errorf("published_at = %v, want %v", got.Article.PublishedAt, want)
	}
	var page QuoteList
	a.json("GET", "/v1/quotes?from=2023-01-17&to=2023-01-17", nil, http.StatusOK, &page)
	if len(page.Quotes) != 2 {
		t.Errorf("quotes of 2023-01-17: %d, want 2", len(page.Quotes))
	}
}

func TestCreateArticle(t *testing.T) {
	a := newTestAPI(t)
	var got ArticleResponse
	w := a.json("POST", "/v1/articles", ruizArticle(), http.StatusCreated, &got)
	art := got.Article
	if art.ID == "" {
		t.Fatalf("POST /v1/articles: no article id in %s", w.Body)
	}
	if loc, want := w.Header().Get("Location"), "/v1/articles/"+art.ID; loc != want {
		t.Errorf("Location = %q, want %q", loc, want)
	}
	wantPub := time.Date(2025, 2, 18, 8, 30, 0, 0, time.UTC)
	if !art.PublishedAt.Equal(wantPub) || art.Language != "en" || art.Outlet != "Harbour Times" || art.Text != ruizText {
		t.Errorf("article = %+v, want published %v, language en, outlet and text as sent", art, wantPub)
	}
	if len(got.Quotes) != 2 {
		t.Fatalf("POST /v1/articles: %d quotes, want 2; body %s", len(got.Quotes), w.Body)
	}
	q := got.Quotes[0]
	if q.Speaker == nil || q.Speaker.Name != "Ana Ruiz" || q.SpeakerID != attribution.SpeakerID("Ana Ruiz") || q.ArticleID != art.ID {
		t.Errorf("quote 0 = %+v, want Ana Ruiz's, of article %s", q, art.ID)
	}
	// Spans are code points: the quote starts after "“", one code point.
	if r := []rune(ruizText); q.Span.Start != 1 || string(r[q.Span.Start:q.Span.End]) != q.Text {
		t.Errorf("quote 0 span %+v gives %q, want code points of %q", q.Span, string(r[q.Span.Start:q.Span.End]), q.Text)
	}

	// The same URL and text again: the stored article, 200.
	var got2 ArticleResponse
	w = a.json("POST", "/v1/articles", ruizArticle(), http.StatusOK, &got2)
	if got2.Article.ID != art.ID || got2.Article.Text != ruizText || len(got2.Quotes) != 2 || got2.Article.Revision != 1 {
		t.Errorf("POST same URL = article %s revision %d with %d quotes, want %s revision 1 with 2", got2.Article.ID, got2.Article.Revision, len(got2.Quotes), art.ID)
	}
	if loc := w.Header().Get("Location"); loc != "/v1/articles/"+art.ID {
		t.Errorf("Location of 200 = %q, want /v1/articles/%s", loc, art.ID)
	}
	// The same URL with another text: its next revision, 200 (see
	// TestArticleUpdate).
	again := ruizArticle()
	again["text"] = "Another text entirely."
	var got3 ArticleResponse
	a.json("POST", "/v1/articles", again, http.StatusOK, &got3)
	if got3.Article.ID != art.ID || got3.Article.Text != "Another text entirely." || len(got3.Quotes) != 0 || got3.Article.Revision != 2 {
		t.Errorf("POST same URL, other text = article %s revision %d with %d quotes, want %s revision 2 without quotes", got3.Article.ID, got3.Article.Revision, len(got3.Quotes), art.ID)
	}

	// Without URL, the text identifies the article.
	noURL := map[string]any{"text": "“Prices will stabilise this year,” Berg told reporters."}
	var first, second ArticleResponse
	a.json("POST", "/v1/articles", noURL, http.StatusCreated, &first)
	a.json("POST", "/v1/articles", noURL, http.StatusOK, &second)
	if first.Article.ID != second.Article.ID {
		t.Errorf("same text twice: ids %s and %s, want one", first.Article.ID, second.Article.ID)
	}
}

func TestArticleReadDelete(t *testing.T) {
	a := newTestAPI(t)
	var created ArticleResponse
	a.json("POST", "/v1/articles", ruizArticle(), http.StatusCreated, &created)
	id := created.Article.ID

	var got ArticleResponse
	a.json("GET", "/v1/articles/"+id, nil, http.StatusOK, &got)
	if got.Article.ID != id || got.Article.Title != "Mayor promises port" || len(got.Quotes) != 2 {
		t.Errorf("GET /v1/articles/%s = %+v, want the article with 2 quotes", id, got)
	}
	var qs QuotesResponse
	a.json("GET", "/v1/articles/"+id+"/quotes", nil, http.StatusOK, &qs)
	if len(qs.Quotes) != 2 || qs.Quotes[0].ID != created.Quotes[0].ID || qs.Quotes[1].Kind != attribution.KindIndirect {
		t.Errorf("GET /v1/articles/%s/quotes = %+v, want the 2 quotes in text order", id, qs.Quotes)
	}

	speaker := "/v1/speakers/" + attribution.SpeakerID("Ana Ruiz")
	var sp attribution.SpeakerProfile
	a.json("GET", speaker, nil, http.StatusOK, &sp)
	if sp.QuoteCount != 2 {
		t.Errorf("GET %s quote_count = %d, want 2", speaker, sp.QuoteCount)
	}

	a.json("DELETE", "/v1/articles/"+id, nil, http.StatusNoContent, nil)
	for _, tc := range []struct{ method, target string }{
		{"DELETE", "/v1/articles/" + id},
		{"GET", "/v1/articles/" + id},
		{"GET", "/v1/articles/" + id + "/quotes"},
		{"GET", "/v1/quotes/" + created.Quotes[0].ID},
		{"GET", "/v1/articles/000000000000000000000000"},
		{"GET", "/v1/articles/not-an-id"},
		{"GET", "/v1/articles/not-an-id/quotes"},
		{"DELETE", "/v1/articles/not-an-id"},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			w := a.do(tc.method, tc.target, "")
			if w.Code != http.StatusNotFound {
				t.Fatalf("%s %s = %d, want 404; body %s", tc.method, tc.target, w.Code, w.Body)
			}
			checkProblem(t, w, http.StatusNotFound)
		})
	}
	// The speaker stays, without the deleted quotes.
	a.json("GET", speaker, nil, http.StatusOK, &sp)
	if sp.QuoteCount != 0 {
		t.Errorf("GET %s after delete: quote_count = %d, want 0", speaker, sp.QuoteCount)
	}
}

func TestCreateArticleErrors(t *testing.T) {
	a := newTestAPI(t)
	big := `{"text":"` + strings.Repeat("a", MaxJSONBody) + `"}`
	for _, tc := range []struct {
		name        string
		contentType string
		headers     []string
		body        string
		wantStatus  int
		wantFields  []string
		wantDetail  string
	}{
		{name: "no content type", body: `{"text":"x"}`, wantStatus: 415},
		{name: "text/plain", contentType: "text/plain", body: `{"text":"x"}`, wantStatus: 415},
		{name: "ndjson", contentType: "application/x-ndjson", body: `{"text":"x"}`, wantStatus: 415},
		{name: "latin1", contentType: "application/json; charset=latin1", body: `{"text":"x"}`, wantStatus: 415},
		{name: "empty body", contentType: "application/json", body: ``, wantStatus: 400, wantDetail: "empty body"},
		{name: "syntax", contentType: "application/json", body: `{"text":`, wantStatus: 400},
		{name: "array", contentType: "application/json", body: `[{"text":"x"}]`, wantStatus: 400},
		{name: "unknown field", contentType: "application/json", body: `{"text":"x","author":"me"}`, wantStatus: 400, wantDetail: `unknown field "author"`},
		{name: "published_at a number", contentType: "application/json", body: `{"text":"x","published_at":2025}`, wantStatus: 400},
		{name: "two values", contentType: "application/json", body: `{"text":"x"} {"text":"y"}`, wantStatus: 400},
		{name: "trailing garbage", contentType: "application/json", body: `{"text":"x"}}`, wantStatus: 400},
		{name: "too large", contentType: "application/json", body: big, wantStatus: 413},
		{name: "text missing", contentType: "application/json", body: `{"title":"x"}`, wantStatus: 422, wantFields: []string{"text", "html"}},
		{name: "text blank", contentType: "application/json", body: `{"text":" \n "}`, wantStatus: 422, wantFields: []string{"text"}},
		{name: "text a number", contentType: "application/json", body: `{"text":5}`, wantStatus: 422, wantFields: []string{"text"}},
		{name: "text invalid UTF-8", contentType: "application/json", body: "{\"text\":\"a\xffb\"}", wantStatus: 422, wantFields: []string{"text"}},
		{name: "text lone surrogate", contentType: "application/json", body: `{"text":"a\ud800b"}`, wantStatus: 422, wantFields: []string{"text"}},
		{name: "relative url", contentType: "application/json", body: `{"text":"x","url":"/news/1"}`, wantStatus: 422, wantFields: []string{"url"}},
		{name: "ftp url", contentType: "application/json", body: `{"text":"x","url":"ftp://example.com/a"}`, wantStatus: 422, wantFields: []string{"url"}},
		{name: "bad date", contentType: "application/json", body: `{"text":"x","published_at":"18/02/2025"}`, wantStatus: 422, wantFields: []string{"published_at"}},
		{name: "bad language", contentType: "application/json", body: `{"text":"x","language":"english!"}`, wantStatus: 422, wantFields: []string{"language"}},
		{name: "long title", contentType: "application/json", body: `{"text":"x","title":"` + strings.Repeat("t", maxTitleBytes+1) + `"}`, wantStatus: 422, wantFields: []string{"title"}},
		{name: "several fields", contentType: "application/json", body: `{"text":"","url":"x","outlet":"` + strings.Repeat("o", maxOutletBytes+1) + `"}`,
			wantStatus: 422, wantFields: []string{"text", "url", "outlet"}},
		{name: "idempotency key with space", contentType: "application/json", headers: []string{"Idempotency-Key", "a b"}, body: `{"text":"x"}`, wantStatus: 400},
		{name: "idempotency key too long", contentType: "application/json", headers: []string{"Idempotency-Key", strings.Repeat("k", 256)}, body: `{"text":"x"}`, wantStatus: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := tc.headers
			if tc.contentType != "" {
				hdr = append([]string{"Content-Type", tc.contentType}, hdr...)
			}
			w := a.do("POST", "/v1/articles", tc.body, hdr...)
			if w.Code != tc.wantStatus {
				t.Fatalf("POST /v1/articles %.80s = %d, want %d; body %.300s", tc.body, w.Code, tc.wantStatus, w.Body)
			}
			p := checkProblem(t, w, tc.wantStatus)
			if tc.wantDetail != "" && !strings.Contains(fmt.Sprint(p["detail"]), tc.wantDetail) {
				t.Errorf("detail = %q, want it to contain %q", p["detail"], tc.wantDetail)
			}
			checkFields(t, p, tc.wantFields)
		})
	}
}

// checkFields checks the "errors" member of a problem: one entry per
// wanted field, in order, each with a pointer and a detail.
func checkFields(t *testing.T, p map[string]any, want []string) {
	t.Helper()
	errs, _ := p["errors"].([]any)
	if len(errs) != len(want) {
		t.Fatalf("problem errors = %v, want fields %v", p["errors"], want)
	}
	for i, e := range errs {
		m, _ := e.(map[string]any)
		field, _ := m["field"].(string)
		if !strings.HasPrefix(field, want[i]) {
			t.Errorf("errors[%d].field = %q, want %q", i, field, want[i])
		}
		if ptr, _ := m["pointer"].(string); !strings.HasPrefix(ptr, "#/"+want[i]) {
			t.Errorf("errors[%d].pointer = %q, want #/%s…", i, ptr, want[i])
		}
		if d, _ := m["detail"].(string); d == "" {
			t.Errorf("errors[%d] has no detail", i)
		}
	}
}

func TestIdempotencyKey(t *testing.T) {
	a := newTestAPI(t)
	body := map[string]any{"text": ruizText, "outlet": "Harbour Times"}
	key := []string{"Idempotency-Key", "order-7f3a"}

	var first ArticleResponse
	w := a.json("POST", "/v1/articles", body, http.StatusCreated, &first, key...)
	if w.Header().Get("Idempotent-Replayed") != "" {
		t.Errorf("first request: Idempotent-Replayed = %q, want none", w.Header().Get("Idempotent-Replayed"))
	}

	var replay ArticleResponse
	w = a.json("POST", "/v1/articles", body, http.StatusOK, &replay, key...)
	if replay.Article.ID != first.Article.ID || len(replay.Quotes) != len(first.Quotes) {
		t.Errorf("replay = article %s with %d quotes, want %s with %d", replay.Article.ID, len(replay.Quotes), first.Article.ID, len(first.Quotes))
	}
	if got := w.Header().Get("Idempotent-Replayed"); got != "true" {
		t.Errorf("replay: Idempotent-Replayed = %q, want true", got)
	}
	if loc := w.Header().Get("Location"); loc != "/v1/articles/"+first.Article.ID {
		t.Errorf("replay: Location = %q", loc)
	}

	// The same key with another body is a conflict, even a small change.
	for name, edit := range map[string]func(map[string]any){
		"other text":   func(m map[string]any) { m["text"] = "Something else, said nobody." },
		"other outlet": func(m map[string]any) { m["outlet"] = "Other Times" },
	} {
		t.Run(name, func(t *testing.T) {
			other := map[string]any{}
			for k, v := range body {
				other[k] = v
			}
			edit(other)
			w := a.json("POST", "/v1/articles", other, http.StatusConflict, nil, key...)
			checkProblem(t, w, http.StatusConflict)
		})
	}

	// Another key with the same body: found by its text, not replayed.
	w = a.json("POST", "/v1/articles", body, http.StatusOK, &replay, "Idempotency-Key", "order-other")
	if replay.Article.ID != first.Article.ID || w.Header().Get("Idempotent-Replayed") != "" {
		t.Errorf("other key, same body = %s (replayed %q), want %s not replayed", replay.Article.ID, w.Header().Get("Idempotent-Replayed"), first.Article.ID)
	}

	// After a delete, a retry with the key stores the article again, under
	// the same id (ids derive from the URL, or the text) and with its quotes.
	a.json("DELETE", "/v1/articles/"+first.Article.ID, nil, http.StatusNoContent, nil)
	var again ArticleResponse
	a.json("POST", "/v1/articles", body, http.StatusCreated, &again, key...)
	if again.Article.ID != first.Article.ID || len(again.Quotes) != len(first.Quotes) {
		t.Errorf("retry after delete = %s with %d quotes, want %s with %d", again.Article.ID, len(again.Quotes), first.Article.ID, len(first.Quotes))
	}
}

func TestCodepointSpansOfStoredQuotes(t *testing.T) {
	a := newTestAPI(t)
	// An emoji is 1 code point, 2 UTF-16 units and 4 bytes.
	text := "👍👍 “The harbour café is closed,” Ana Ruiz told the council on Monday."
	var got ArticleResponse
	a.json("POST", "/v1/articles", map[string]any{"text": text}, http.StatusCreated, &got)
	if len(got.Quotes) != 1 {
		t.Fatalf("POST /v1/articles: %d quotes, want 1", len(got.Quotes))
	}
	q := got.Quotes[0]
	r := []rune(text)
	if string(r[q.Span.Start:q.Span.End]) != q.Text || q.Span.Start != 4 {
		t.Errorf("span %+v gives %q, want the code points of %q starting at 4", q.Span, string(r[q.Span.Start:q.Span.End]), q.Text)
	}
	if q.Speaker == nil || q.Speaker.Mention == nil {
		t.Fatalf("quote %+v has no speaker mention", q)
	}
	if m := q.Speaker.Mention; string(r[m.Span.Start:m.Span.End]) != m.Text {
		t.Errorf("mention span %+v gives %q, want %q", m.Span, string(r[m.Span.Start:m.Span.End]), m.Text)
	}
	if utf8.RuneCountInString(text) == len(text) {
		t.Fatal("test text is ASCII")
	}
}
