package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/whosaid/whosaid/internal/attribution"
)

// htmlFixture reads a page of internal/page/testdata/.
func htmlFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "page", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// boilerplateQuotes are the quotes of the fixture's banner, menu, script,
// style, caption, asides, noscript, template, form and footer: none may
// come out.
var boilerplateQuotes = []string{"Subscribe", "Sport", "script", "Styled", "finished", "Read this next",
	"Enable JavaScript", "template", "Sign up", "Most read", "All rights reserved", "Accept all cookies"}

// newsSpeakers are the article's quotes and who said them.
var newsSpeakers = map[string]string{
	"We expect the first cars to cross in April,":       "Tomas Berg",
	"Every week without the bridge costs us customers,": "Maria Lindqvist",
}

// checkNewsQuotes checks the quotes of the news fixture: the article's,
// with their speakers, none of the boilerplate, and every span (in code
// points) indexing text.
func checkNewsQuotes(t *testing.T, text string, quotes []attribution.Quote) {
	t.Helper()
	if text == "" {
		t.Fatal("no text answered")
	}
	for _, b := range boilerplateQuotes {
		if strings.Contains(text, b) {
			t.Errorf("text holds boilerplate %q:\n%s", b, text)
		}
	}
	runes := []rune(text)
	got := map[string]string{}
	for _, q := range quotes {
		if q.Span.Start < 0 || q.Span.End > len(runes) || string(runes[q.Span.Start:q.Span.End]) != q.Text {
			t.Errorf("quote %q: span %v does not index the text", q.Text, q.Span)
		}
		if q.Speaker != nil {
			got[q.Text] = q.Speaker.Name
			m := q.Speaker.Mention
			if m != nil && string(runes[m.Span.Start:m.Span.End]) != m.Text {
				t.Errorf("mention %q: span %v does not index the text", m.Text, m.Span)
			}
		}
		for _, b := range boilerplateQuotes {
			if strings.Contains(q.Text, b) {
				t.Errorf("boilerplate quote %q came out", q.Text)
			}
		}
	}
	for quote, who := range newsSpeakers {
		if got[quote] != who {
			t.Errorf("quote %q by %q, want %q (quotes: %v)", quote, got[quote], who, got)
		}
	}
}

var newsPublished = time.Date(2025, 3, 4, 6, 15, 0, 0, time.UTC)

const newsTitle = "Harbour bridge to reopen in spring, council says"

func TestExtractHTML(t *testing.T) {
	a := newTestAPI(t)
	page := htmlFixture(t, "news.html")

	var res ExtractResponse
	a.json("POST", "/v1/extract", map[string]string{"html": page}, http.StatusOK, &res)
	checkNewsQuotes(t, res.Text, res.Quotes)
	if !strings.HasPrefix(res.Text, "Harbour bridge to reopen in spring\n\nThe council’s transport chief, Tomas Berg, said") {
		t.Errorf("text = %.120q…, want the headline on its line, then the first paragraph", res.Text)
	}
	if strings.Contains(res.Text, "&ldquo;") || !strings.Contains(res.Text, "“We expect") {
		t.Errorf("entities not decoded: %.200q", res.Text)
	}
	p := res.Page
	if p == nil || p.Title != newsTitle || p.Byline != "Priya Natarajan" || p.Language != "en-GB" ||
		p.PublishedAt == nil || !p.PublishedAt.Equal(newsPublished) {
		t.Errorf("page = %+v, want the fixture's title, byline, date and language", p)
	}

	// The same page as a raw text/html body, spans in UTF-16 code units.
	w := a.do("POST", "/v1/extract?offsets=utf16&language=en", page, "Content-Type", "text/html; charset=utf-8")
	if w.Code != http.StatusOK {
		t.Fatalf("POST /v1/extract (text/html) = %d; body %.300s", w.Code, w.Body)
	}
	var raw ExtractResponse
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if raw.Text != res.Text || len(raw.Quotes) != len(res.Quotes) {
		t.Fatalf("text/html body: %d quotes of %.60q…, want %d of the JSON request's text", len(raw.Quotes), raw.Text, len(res.Quotes))
	}
	units := utf16.Encode([]rune(raw.Text))
	for _, q := range raw.Quotes {
		if got := string(utf16.Decode(units[q.Span.Start:q.Span.End])); got != q.Text {
			t.Errorf("utf16 span %v = %q, want %q", q.Span, got, q.Text)
		}
	}

	// A plain text request answers no text and no page.
	w = a.json("POST", "/v1/extract", map[string]string{"text": "“We will stay,” Ana Ruiz said."}, http.StatusOK, nil)
	var plain map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &plain); err != nil {
		t.Fatal(err)
	}
	if _, ok := plain["text"]; ok {
		t.Errorf("text request answered text: %s", w.Body)
	}
	if _, ok := plain["page"]; ok {
		t.Errorf("text request answered page: %s", w.Body)
	}
}

func TestExtractHTMLErrors(t *testing.T) {
	a := newTestAPI(t)
	for _, tc := range []struct {
		name, contentType, target, body string
		wantStatus                      int
		wantFields                      []string
	}{
		{"text and html", "application/json", "/v1/extract", `{"text":"a","html":"<p>a</p>"}`, 422, []string{"text", "html"}},
		{"neither", "application/json", "/v1/extract", `{"offsets":"utf8"}`, 422, []string{"text", "html"}},
		{"html of boilerplate only", "application/json", "/v1/extract", `{"html":"<nav>Home</nav><script>x()</script><footer>(c)</footer>"}`, 422, []string{"html"}},
		{"html not a string", "application/json", "/v1/extract", `{"html":["<p>"]}`, 422, []string{"html"}},
		{"html blank", "application/json", "/v1/extract", `{"html":"  "}`, 422, []string{"html"}},
		{"html and unknown language", "application/json", "/v1/extract", `{"html":"<p>a</p>","language":"es"}`, 422, []string{"language"}},
		{"text and a malformed language", "application/json", "/v1/extract", `{"text":"a","language":"not a tag"}`, 422, []string{"language"}},
		{"raw html not UTF-8", "text/html", "/v1/extract", "<p>caf\xe9</p>", 422, []string{"html"}},
		{"raw html with NUL", "text/html", "/v1/extract", "<p>a\x00b</p>", 422, []string{"html"}},
		{"html with NUL", "application/json", "/v1/extract", `{"html":"<p>a\u0000b</p>"}`, 422, []string{"html"}},
		{"raw html of boilerplate, bad offsets", "text/html", "/v1/extract?offsets=runes", "<nav>x</nav>", 422, []string{"html", "offsets"}},
		{"raw html, unknown language", "text/html", "/v1/extract?language=xx", "<p>x</p>", 422, []string{"language"}},
		{"raw html in latin1", "text/html; charset=iso-8859-1", "/v1/extract", "<p>x</p>", 415, nil},
		{"text/plain", "text/plain", "/v1/extract", "x", 415, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := a.do("POST", tc.target, tc.body, "Content-Type", tc.contentType)
			if w.Code != tc.wantStatus {
				t.Fatalf("POST %s = %d, want %d; body %s", tc.target, w.Code, tc.wantStatus, w.Body)
			}
			p := checkProblem(t, w, tc.wantStatus)
			if tc.wantFields != nil {
				checkFields(t, p, tc.wantFields)
			}
		})
	}
}

// TestExtractLanguage: the language picks the rules.
func TestExtractLanguage(t *testing.T) {
	a := newTestAPI(t)
	speakerOf := func(body map[string]string) string {
		t.Helper()
		var res ExtractResponse
		a.json("POST", "/v1/extract", body, http.StatusOK, &res)
		if len(res.Quotes) == 0 {
			return ""
		}
		if sp := res.Quotes[0].Speaker; sp != nil {
			return sp.Name
		}
		return "(none)"
	}
	const de = "Olaf Scholz besuchte Kiel. Am Montag sagte er: „Wir bleiben.“"
	for _, lang := range []string{"de", "de-CH", "DE"} {
		if got := speakerOf(map[string]string{"text": de, "language": lang}); got != "Olaf Scholz" {
			t.Errorf("language %s: speaker %q, want Olaf Scholz (German word order)", lang, got)
		}
	}
	// The page's lang picks the rules when the request names none.
	if got := speakerOf(map[string]string{"html": `<html lang="de"><p>` + de + `</p></html>`}); got != "Olaf Scholz" {
		t.Errorf("html lang=de: speaker %q, want Olaf Scholz", got)
	}
	const fr = "« Nous restons ici », a dit Marie Dubois."
	if got := speakerOf(map[string]string{"text": fr, "language": "fr"}); got != "Marie Dubois" {
		t.Errorf("language fr: speaker %q, want Marie Dubois", got)
	}
	if got := speakerOf(map[string]string{"text": fr, "language": "en"}); got != "" {
		t.Errorf("language en on French text: speaker %q, want no quote (French cues are not English rules)", got)
	}
}

func TestCreateArticleHTML(t *testing.T) {
	a := newTestAPI(t)
	page := htmlFixture(t, "news.html")
	const articleURL = "https://ledger.example/2025/03/04/bridge"

	var created ArticleResponse
	w := a.json("POST", "/v1/articles", ArticleRequest{URL: articleURL, HTML: page, Outlet: "The Coastal Ledger"}, http.StatusCreated, &created)
	art := created.Article
	if art.Title != newsTitle || art.Byline != "Priya Natarajan" || !art.PublishedAt.Equal(newsPublished) || art.Language != "en-GB" || art.Outlet != "The Coastal Ledger" {
		t.Errorf("article %q by %q %v %q %q: want the page's title, byline, date and language, the request's outlet", art.Title, art.Byline, art.PublishedAt, art.Language, art.Outlet)
	}
	qs := make([]attribution.Quote, len(created.Quotes))
	for i, q := range created.Quotes {
		qs[i] = q.Quote
	}
	checkNewsQuotes(t, art.Text, qs)

	// What is stored is what was answered: the text the spans index.
	var got ArticleResponse
	a.json("GET", w.Header().Get("Location"), nil, http.StatusOK, &got)
	if got.Article.Text != art.Text || got.Article.Byline != art.Byline || len(got.Quotes) != len(created.Quotes) {
		t.Errorf("stored article: %d quotes of %.60q…, want %d of the answered text", len(got.Quotes), got.Article.Text, len(created.Quotes))
	}

	// The same page again is the stored article.
	var again ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: articleURL, HTML: page}, http.StatusOK, &again)
	if again.Article.Revision != art.Revision {
		t.Errorf("the same page again: revision %d, want %d", again.Article.Revision, art.Revision)
	}
	// The page updated with a paragraph is a new revision of the article,
	// which keeps the page's byline and gains the new quote.
	updated := strings.Replace(page, "</article>", "<p>&ldquo;We will open on time,&rdquo; said Mayor Ana Ruiz.</p></article>", 1)
	var rev ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: articleURL, HTML: updated}, http.StatusOK, &rev)
	if rev.Article.Revision != art.Revision+1 || rev.Article.Byline != "Priya Natarajan" || !strings.HasSuffix(rev.Article.Text, "“We will open on time,” said Mayor Ana Ruiz.") {
		t.Errorf("updated page: revision %d by %q, text ending %q; want revision %d by the page's byline with the new paragraph",
			rev.Article.Revision, rev.Article.Byline, rev.Article.Text[max(0, len(rev.Article.Text)-60):], art.Revision+1)
	}
	if len(rev.Quotes) != len(created.Quotes)+1 {
		t.Errorf("updated page: %d quotes, want %d", len(rev.Quotes), len(created.Quotes)+1)
	}

	// The request's own title, byline, date and language win over the page's.
	var mine ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: articleURL + "-2", HTML: page, Title: "My headline", Byline: "Desk staff",
		PublishedAt: "2025-03-05T10:00:00Z", Language: "en"}, http.StatusCreated, &mine)
	if m := mine.Article; m.Title != "My headline" || m.Byline != "Desk staff" || !m.PublishedAt.Equal(time.Date(2025, 3, 5, 10, 0, 0, 0, time.UTC)) || m.Language != "en" {
		t.Errorf("article %q by %q %v %q: want the request's title, byline, date and language", m.Title, m.Byline, m.PublishedAt, m.Language)
	}

	// Both or neither of text and html, or a page of boilerplate only.
	for body, fields := range map[string][]string{
		`{"url":"https://ledger.example/x","text":"a","html":"<p>a</p>"}`:      {"text", "html"},
		`{"url":"https://ledger.example/x","title":"t"}`:                       {"text", "html"},
		`{"url":"https://ledger.example/x","html":"<aside>Most read</aside>"}`: {"html"},
		`{"html":"<p>a</p>","url":"ftp://x"}`:                                  {"url"},
		`{"text":"a","byline":"` + strings.Repeat("x", 201) + `"}`:             {"byline"},
	} {
		w := a.do("POST", "/v1/articles", body, "Content-Type", "application/json")
		p := checkProblem(t, w, http.StatusUnprocessableEntity)
		checkFields(t, p, fields)
	}
}

func TestBatchHTML(t *testing.T) {
	a := newTestAPI(t)
	page := htmlFixture(t, "news.html")
	line := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	body := line(ArticleRequest{URL: "https://ledger.example/bridge", HTML: page}) + "\n" +
		`{"text":"a","html":"<p>a</p>"}` + "\n" +
		line(ArticleRequest{HTML: "<article><p>“We will rebuild,” said Mayor Ana Ruiz.</p></article><footer>“Subscribe,” said the footer.</footer>"}) + "\n"
	w := a.do("POST", "/v1/articles:batch", body, "Content-Type", ndjsonContentType)
	if w.Code != http.StatusOK {
		t.Fatalf("batch = %d; body %s", w.Code, w.Body)
	}
	var results []BatchResult
	for _, l := range strings.Split(strings.TrimSpace(w.Body.String()), "\n") {
		var r BatchResult
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
	}
	if len(results) != 3 || results[0].Status != 201 || results[1].Status != 422 || results[2].Status != 201 {
		t.Fatalf("results %+v, want 201, 422, 201", results)
	}
	if p := results[1].Problem; len(p.Errors) != 2 || p.Errors[0].Field != "text" || p.Errors[1].Field != "html" {
		t.Errorf("line 2 problem %+v, want errors on text and html", p)
	}
	var art ArticleResponse
	a.json("GET", "/v1/articles/"+url.PathEscape(results[0].ID), nil, http.StatusOK, &art)
	if art.Article.Title != newsTitle || !art.Article.PublishedAt.Equal(newsPublished) {
		t.Errorf("batch article %q %v, want the page's title and date", art.Article.Title, art.Article.PublishedAt)
	}
	a.json("GET", "/v1/articles/"+url.PathEscape(results[2].ID), nil, http.StatusOK, &art)
	if art.Article.Text != "“We will rebuild,” said Mayor Ana Ruiz." || len(art.Quotes) != 1 {
		t.Errorf("batch article text %q with %d quotes, want the article paragraph and its quote", art.Article.Text, len(art.Quotes))
	}
}

// TestExtractHTMLDeepNesting: a page nesting 100,000 elements (700 kB,
// under the body limit) is answered with the text beside them; the work
// bound itself is tested in internal/page.
func TestExtractHTMLDeepNesting(t *testing.T) {
	a := newTestAPI(t)
	const n = 100_000
	page := "<p>“We will stay,” Ana Ruiz said.</p>" + strings.Repeat("<i>", n) + "deep" + strings.Repeat("</i>", n)
	w := a.do("POST", "/v1/extract", page, "Content-Type", "text/html")
	if w.Code != http.StatusOK {
		t.Fatalf("POST /v1/extract (deep page) = %d; body %.300s", w.Code, w.Body)
	}
	var res ExtractResponse
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Text != "“We will stay,” Ana Ruiz said." || len(res.Quotes) != 1 {
		t.Errorf("text %.80q with %d quotes, want the paragraph and its quote", res.Text, len(res.Quotes))
	}
}

// TestExtractHTMLBodyLimits: a text/html body may be larger than a JSON
// one (scripts and markup around the text), its article text may not.
func TestExtractHTMLBodyLimits(t *testing.T) {
	a := newTestAPI(t)
	script := "<script>" + strings.Repeat("var x = 1; ", (2<<20)/11) + "</script>"
	page := "<html><head>" + script + "</head><body><p>“We will stay,” Ana Ruiz said.</p></body></html>"
	if len(page) <= MaxExtractBody {
		t.Fatalf("page of %d bytes, want more than %d", len(page), MaxExtractBody)
	}
	w := a.do("POST", "/v1/extract", page, "Content-Type", "text/html")
	if w.Code != http.StatusOK {
		t.Fatalf("POST /v1/extract (2 MiB page) = %d; body %.300s", w.Code, w.Body)
	}
	var res ExtractResponse
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Text != "“We will stay,” Ana Ruiz said." || len(res.Quotes) != 1 {
		t.Errorf("text %.80q with %d quotes, want the paragraph and its quote", res.Text, len(res.Quotes))
	}

	w = a.do("POST", "/v1/extract", strings.Repeat("<p>x</p>", MaxHTMLBody/8+1), "Content-Type", "text/html")
	checkProblem(t, w, http.StatusRequestEntityTooLarge)

	long := strings.Repeat("<p>"+strings.Repeat("word ", 200)+"</p>", (MaxExtractBody/1000)+10)
	w = a.do("POST", "/v1/extract", long, "Content-Type", "text/html")
	checkProblem(t, w, http.StatusRequestEntityTooLarge)
}

// TestExtractHTMLGerman: a German page (lang="de-DE", JSON-LD metadata,
// „…“ as entities) is read with the German rules without a language in
// the request: "sagte er" after the verb names Olaf Scholz.
func TestExtractHTMLGerman(t *testing.T) {
	a := newTestAPI(t)
	var res ExtractResponse
	a.json("POST", "/v1/extract", map[string]string{"html": htmlFixture(t, "nachrichten.html")}, http.StatusOK, &res)
	want := "Olaf Scholz besuchte am Dienstag Kiel.\n\nAm Nachmittag sagte er: „Wir bleiben hier.“\n\n„Die Arbeit geht weiter“, sagte Anna Berger."
	if res.Text != want {
		t.Errorf("text = %q, want %q", res.Text, want)
	}
	got := map[string]string{}
	for _, q := range res.Quotes {
		if q.Speaker != nil {
			got[q.Text] = q.Speaker.Name
		}
	}
	for quote, who := range map[string]string{"Wir bleiben hier.": "Olaf Scholz", "Die Arbeit geht weiter": "Anna Berger"} {
		if got[quote] != who {
			t.Errorf("quote %q by %q, want %q (quotes: %v)", quote, got[quote], who, got)
		}
	}
	p := res.Page
	if p == nil || p.Title != "Hafen bleibt offen" || p.Byline != "Jonas Weber" || p.Language != "de-DE" ||
		p.PublishedAt == nil || !p.PublishedAt.Equal(time.Date(2025, 4, 2, 6, 0, 0, 0, time.UTC)) {
		t.Errorf("page = %+v, want the JSON-LD headline, author and date and the lang", p)
	}
}
