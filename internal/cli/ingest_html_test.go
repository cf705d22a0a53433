package cli

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/sqlitestore"
)

// newsPage is the HTML fixture of internal/page: a news page with
// navigation, scripts, asides, a figure caption and a newsletter banner.
func newsPage(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "page", "testdata", "news.html"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func jsonLine(t *testing.T, v map[string]any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseIngestLineHTML(t *testing.T) {
	page := newsPage(t)
	a, _, err := parseIngestLine([]byte(jsonLine(t, map[string]any{"url": "https://ledger.example/bridge", "html": page, "outlet": "The Coastal Ledger"})))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Text, "Harbour bridge to reopen in spring\n\nThe council’s transport chief") || strings.Contains(a.Text, "Subscribe") {
		t.Errorf("text = %q, want the article's paragraphs only", a.Text)
	}
	if a.Title != "Harbour bridge to reopen in spring, council says" || !a.PublishedAt.Equal(time.Date(2025, 3, 4, 6, 15, 0, 0, time.UTC)) || a.Language != "en-GB" {
		t.Errorf("title %q, published %v, language %q: want the page's", a.Title, a.PublishedAt, a.Language)
	}
	// The line's own fields win over the page's.
	a, _, err = parseIngestLine([]byte(jsonLine(t, map[string]any{"html": page, "title": "Mine", "published_at": "2025-03-05", "language": "en"})))
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Mine" || !a.PublishedAt.Equal(time.Date(2025, 3, 5, 0, 0, 0, 0, time.UTC)) || a.Language != "en" {
		t.Errorf("title %q, published %v, language %q: want the line's", a.Title, a.PublishedAt, a.Language)
	}
	for line, want := range map[string]string{
		`{"text":"x","html":"<p>x</p>"}`:   "text: must not be sent with html",
		`{"html":"<nav>Home</nav>"}`:       "html: holds no article text",
		`{"html":5}`:                       "bad JSON",
		`{"html":"<p>x</p>","url":"nope"}`: "url: must be an absolute",
	} {
		_, _, err := parseIngestLine([]byte(line))
		var le *lineError
		if err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, &le) {
			t.Errorf("parseIngestLine(%s) = %v, want a line error with %q", line, err, want)
		}
	}
}

// TestIngestHTMLEmbedded ingests a page into the embedded store: the stored
// article is the page's text, title and date, and its quotes are the
// article's, none from the boilerplate.
func TestIngestHTMLEmbedded(t *testing.T) {
	const url = "https://ledger.example/bridge"
	path := writeJSONL(t,
		jsonLine(t, map[string]any{"url": url, "html": newsPage(t), "outlet": "The Coastal Ledger"}),
		`{"id":"both","text":"x","html":"<p>x</p>"}`,
	)
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, nil, "ingest", "--quiet", "--data-dir", dir, path)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one bad line); stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	checkCounts(t, stdout, 2, 1, 0, 1)
	if want := `line 2 (id "both"): text: must not be sent with html`; !strings.Contains(stdout, want) {
		t.Errorf("summary lacks %q:\n%s", want, stdout)
	}

	st, err := sqlitestore.Open(sqlitestore.Options{Path: filepath.Join(dir, sqlitestore.FileName)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer st.Close(ctx)
	id := sqlitestore.ArticleID(&attribution.Article{URL: url})
	a, err := st.GetArticle(ctx, id)
	if err != nil {
		t.Fatalf("GetArticle(%s): %v", id, err)
	}
	quotes, err := st.ArticleQuotes(ctx, id)
	if err != nil {
		t.Fatalf("ArticleQuotes(%s): %v", id, err)
	}
	if a.Title != "Harbour bridge to reopen in spring, council says" || a.Byline != "Priya Natarajan" || !a.PublishedAt.Equal(time.Date(2025, 3, 4, 6, 15, 0, 0, time.UTC)) || a.Outlet != "The Coastal Ledger" {
		t.Errorf("stored article %q by %q %v %q: want the page's title, byline and date and the line's outlet", a.Title, a.Byline, a.PublishedAt, a.Outlet)
	}
	speakers := map[string]string{}
	for _, q := range quotes {
		if q.Speaker != nil {
			speakers[q.Text] = q.Speaker.Name
		}
		if strings.Contains(q.Text, "Subscribe") || strings.Contains(q.Text, "finished") {
			t.Errorf("boilerplate quote stored: %q", q.Text)
		}
	}
	for quote, who := range map[string]string{
		"We expect the first cars to cross in April,":       "Tomas Berg",
		"Every week without the bridge costs us customers,": "Maria Lindqvist",
	} {
		if speakers[quote] != who {
			t.Errorf("quote %q by %q, want %q; quotes: %v", quote, speakers[quote], who, speakers)
		}
	}
}

// TestIngestAPIHTML: with --api, a line's page is read here and its text,
// title, byline and date posted; the server stores them.
func TestIngestAPIHTML(t *testing.T) {
	s := startServe(t, "--data-dir", t.TempDir())
	path := writeJSONL(t, jsonLine(t, map[string]any{"url": "https://ledger.example/bridge", "html": newsPage(t)}))
	code, stdout, stderr := runCLI(t, nil, "ingest", "--api", s.base, path)
	if code != 0 {
		t.Fatalf("exit %d, want 0; stdout:\n%s\nstderr:\n%s\nserve logs:\n%s", code, stdout, stderr, s.logs)
	}
	checkCounts(t, stdout, 1, 1, 0, 0)

	getJSON := func(path string, out any) {
		t.Helper()
		resp, err := http.Get(s.base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", path, resp.Status)
		}
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var quotes struct {
		Quotes []struct {
			Text      string `json:"text"`
			ArticleID string `json:"article_id"`
		} `json:"quotes"`
	}
	getJSON("/v1/quotes?speaker="+url.QueryEscape("Maria Lindqvist"), &quotes)
	if len(quotes.Quotes) != 1 || quotes.Quotes[0].Text != "Every week without the bridge costs us customers," {
		t.Fatalf("quotes of Maria Lindqvist = %+v, want the bakery quote", quotes.Quotes)
	}
	var art struct {
		Article attribution.Article `json:"article"`
	}
	getJSON("/v1/articles/"+url.PathEscape(quotes.Quotes[0].ArticleID), &art)
	a := art.Article
	if a.Title != "Harbour bridge to reopen in spring, council says" || a.Byline != "Priya Natarajan" ||
		!a.PublishedAt.Equal(time.Date(2025, 3, 4, 6, 15, 0, 0, time.UTC)) || strings.Contains(a.Text, "Subscribe") {
		t.Errorf("stored article %q by %q at %v, text %.60q…: want the page's", a.Title, a.Byline, a.PublishedAt, a.Text)
	}
}
