package httpapi

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
)

// quoteFixture is a server with four articles stored; q names their quotes.
type quoteFixture struct {
	*testAPI
	q map[string]attribution.StoredQuote // by label
}

// newQuoteFixture stores
//
//	A (Harbour Times, 2025-02-18 08:30 UTC): Ruiz direct (A0), Ruiz indirect about the café (A1)
//	B (Daily, 2025-02-20): Ruiz direct about the café (B0)
//	C (Daily, 2025-01-05): Berg direct (C0)
//	D (no outlet, no date: the time of ingestion): Olsen indirect (D0)
//
// so that newest first is D0, B0, A1, A0, C0.
func newQuoteFixture(t *testing.T) *quoteFixture {
	f := &quoteFixture{testAPI: newTestAPI(t), q: map[string]attribution.StoredQuote{}}
	for _, art := range []struct {
		label string
		body  map[string]any
		n     int
	}{
		{"A", ruizArticle(), 2},
		{"B", map[string]any{"text": "“The harbour café is closed,” Ana Ruiz told the council on Monday.", "outlet": "Daily",
			"published_at": "2025-02-20T10:00:00Z", "url": "https://daily.example/b"}, 1},
		{"C", map[string]any{"text": "Economy minister Jonas Berg spoke. “Prices will stabilise this year,” Berg told reporters.",
			"outlet": "Daily", "published_at": "2025-01-05T07:00:00Z"}, 1},
		{"D", map[string]any{"text": "Police chief Marta Olsen said the investigation was continuing."}, 1},
	} {
		var got ArticleResponse
		f.json("POST", "/v1/articles", art.body, http.StatusCreated, &got)
		if len(got.Quotes) != art.n {
			t.Fatalf("article %s: %d quotes, want %d: %+v", art.label, len(got.Quotes), art.n, got.Quotes)
		}
		for i, q := range got.Quotes {
			f.q[art.label+string(rune('0'+i))] = q
		}
	}
	return f
}

// list gets one page of quotes and returns their labels.
func (f *quoteFixture) list(target string) ([]string, string) {
	f.t.Helper()
	var page QuoteList
	w := f.json("GET", target, nil, http.StatusOK, &page)
	if page.Quotes == nil {
		f.t.Errorf("GET %s: quotes is null, want a list; body %s", target, w.Body)
	}
	return f.labels(page.Quotes), page.NextPageToken
}

func (f *quoteFixture) labels(qs []attribution.StoredQuote) []string {
	out := []string{}
	for _, q := range qs {
		label := "?" + q.ID
		for l, fq := range f.q {
			if fq.ID == q.ID {
				label = l
			}
		}
		out = append(out, label)
	}
	return out
}

func TestListQuotes(t *testing.T) {
	f := newQuoteFixture(t)
	ruizID := attribution.SpeakerID("Ana Ruiz")
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"all, newest first", "", []string{"D0", "B0", "A1", "A0", "C0"}},
		{"speaker by name", "speaker=Ana+Ruiz", []string{"B0", "A1", "A0"}},
		{"speaker folded", "speaker=ANA%20RU%C3%8DZ", []string{"B0", "A1", "A0"}},
		{"speaker by id", "speaker=" + ruizID, []string{"B0", "A1", "A0"}},
		{"speaker by alias", "speaker=Ruiz", []string{"B0", "A1", "A0"}},
		{"unknown speaker", "speaker=Nobody+Atall", []string{}},
		{"words, diacritics folded", "q=CAFE", []string{"B0", "A1"}},
		{"all words must appear", "q=caf%C3%A9+closed", []string{"B0"}},
		{"no quote has the word", "q=submarine", []string{}},
		{"kind indirect", "kind=indirect", []string{"D0", "A1"}},
		{"kind direct", "kind=direct", []string{"B0", "A0", "C0"}},
		{"kind mixed", "kind=mixed", []string{}},
		{"outlet", "outlet=Daily", []string{"B0", "C0"}},
		{"from a date", "from=2025-02-19", []string{"D0", "B0"}},
		{"to a date includes the day", "to=2025-02-18", []string{"A1", "A0", "C0"}},
		{"from a date-time", "from=2025-02-18T09:00:00%2B01:00", []string{"D0", "B0", "A1", "A0"}},
		{"to a date-time", "to=2025-02-18T08:29:59Z", []string{"C0"}},
		{"a range", "from=2025-01-01&to=2025-01-31", []string{"C0"}},
		{"filters combined", "speaker=Ana+Ruiz&kind=direct&outlet=Daily", []string{"B0"}},
		{"speaker and words", "speaker=Ruiz&q=spring", []string{"A0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next := f.list("/v1/quotes?" + tc.query)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("GET /v1/quotes?%s (-want +got):\n%s", tc.query, diff)
			}
			if next != "" {
				t.Errorf("GET /v1/quotes?%s next_page_token = %q, want empty", tc.query, next)
			}
		})
	}
}

func TestListQuotesPages(t *testing.T) {
	f := newQuoteFixture(t)
	got, next := f.list("/v1/quotes?page_size=2")
	if diff := cmp.Diff([]string{"D0", "B0"}, got); diff != "" || next == "" {
		t.Fatalf("page 1 (-want +got):\n%s\nnext %q", diff, next)
	}
	// Stored meanwhile: one newer than the last quote seen (not shown
	// later), one older (shown on a later page).
	var newer, older ArticleResponse
	f.json("POST", "/v1/articles", map[string]any{"text": "“We are ready,” said Ana Ruiz.", "published_at": "2025-03-01T00:00:00Z"},
		http.StatusCreated, &newer)
	f.json("POST", "/v1/articles", map[string]any{"text": "“We were ready,” said Ana Ruiz.", "published_at": "2025-02-19T00:00:00Z"},
		http.StatusCreated, &older)
	f.q["E0"], f.q["F0"] = newer.Quotes[0], older.Quotes[0]

	// The page size may change between pages.
	got, next = f.list("/v1/quotes?page_size=3&page_token=" + url.QueryEscape(next))
	if diff := cmp.Diff([]string{"F0", "A1", "A0"}, got); diff != "" || next == "" {
		t.Fatalf("page 2 (-want +got):\n%s\nnext %q", diff, next)
	}
	got, next = f.list("/v1/quotes?page_size=3&page_token=" + url.QueryEscape(next))
	if diff := cmp.Diff([]string{"C0"}, got); diff != "" || next != "" {
		t.Fatalf("page 3 (-want +got):\n%s\nnext %q, want empty", diff, next)
	}

	// Filtered listings page too, and their tokens are theirs.
	got, next = f.list("/v1/quotes?speaker=Ana+Ruiz&page_size=1")
	if diff := cmp.Diff([]string{"E0"}, got); diff != "" || next == "" {
		t.Fatalf("speaker page 1 (-want +got):\n%s", diff)
	}
	var all []string
	for next != "" {
		var page []string
		page, next = f.list("/v1/quotes?speaker=Ana+Ruiz&page_size=2&page_token=" + next)
		all = append(all, page...)
	}
	if diff := cmp.Diff([]string{"B0", "F0", "A1", "A0"}, all); diff != "" {
		t.Errorf("speaker pages 2.. (-want +got):\n%s", diff)
	}
	_, tok := f.list("/v1/quotes?speaker=Ana+Ruiz&page_size=1")
	// Another spelling of the same filters is the same listing.
	if got, _ := f.list("/v1/quotes?speaker=ANA%20RU%C3%8DZ&page_size=1&page_token=" + tok); !slices.Equal(got, []string{"B0"}) {
		t.Errorf("page 2 with the speaker spelled otherwise = %v, want [B0]", got)
	}
	for _, q := range []string{
		"page_token=" + tok, // no filters
		"speaker=Ana+Ruiz&kind=direct&page_token=" + tok,                           // a filter more
		"speaker=Jonas+Berg&page_token=" + tok,                                     // another speaker
		"speaker=Ana+Ruiz&page_token=" + tok[:len(tok)-3],                          // damaged
		"speaker=Ana+Ruiz&page_token=not-a-token",                                  // garbage
		"page_token=" + base64.RawURLEncoding.EncodeToString([]byte(`{"id":"x"}`)), // no filter hash
	} {
		t.Run(q, func(t *testing.T) {
			w := f.do("GET", "/v1/quotes?"+q, "")
			if w.Code != http.StatusBadRequest {
				t.Fatalf("GET /v1/quotes?%s = %d, want 400; body %s", q, w.Code, w.Body)
			}
			p := checkProblem(t, w, http.StatusBadRequest)
			if d, _ := p["detail"].(string); !strings.Contains(d, "page_token") {
				t.Errorf("detail %q does not name page_token", d)
			}
		})
	}
}

func TestListQuotesErrors(t *testing.T) {
	f := newTestAPI(t)
	for _, tc := range []struct{ query, param string }{
		{"kind=quoted", "kind"},
		{"kind=", "kind"},
		{"from=yesterday", "from"},
		{"from=2025-02-30", "from"},
		{"to=2025-13-01", "to"},
		{"to=2025-02-18T25:00:00Z", "to"},
		{"from=2025-02-19&to=2025-02-18", "from"},
		{"page_size=-1", "page_size"},
		{"page_size=ten", "page_size"},
		{"page_size=", "page_size"},
		{"q=%21%21%21", "q"},
		{"q=" + strings.Repeat("w+", 21), "q"},
		{"speaker=", "speaker"},
		{"speaker=Nobody&page_size=-5", "page_size"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			w := f.do("GET", "/v1/quotes?"+tc.query, "")
			if w.Code != http.StatusBadRequest {
				t.Fatalf("GET /v1/quotes?%s = %d, want 400; body %s", tc.query, w.Code, w.Body)
			}
			p := checkProblem(t, w, http.StatusBadRequest)
			if d, _ := p["detail"].(string); !strings.HasPrefix(d, tc.param) {
				t.Errorf("detail %q does not start with %s", d, tc.param)
			}
		})
	}
}

// page_size follows AIP-158: above the maximum it is lowered to it, 0
// gives the default.
func TestPageSizeClamped(t *testing.T) {
	f := newTestAPI(t)
	text := ""
	for i := range 105 {
		text += fmt.Sprintf("\u201cWe will fix road number %d this week,\u201d said Mayor Ana Ruiz.\n\n", i)
	}
	f.json("POST", "/v1/articles", map[string]any{"url": "https://example.com/roads", "text": text}, http.StatusCreated, nil)
	for query, want := range map[string]int{"page_size=500": 100, "page_size=101": 100, "page_size=99999999999999999999": 100, "page_size=0": 20, "page_size=7": 7} {
		var page QuoteList
		f.json("GET", "/v1/quotes?"+query, nil, http.StatusOK, &page)
		if len(page.Quotes) != want {
			t.Errorf("GET /v1/quotes?%s: %d quotes, want %d", query, len(page.Quotes), want)
		}
		var sp SpeakerList
		f.json("GET", "/v1/speakers?"+query, nil, http.StatusOK, &sp)
	}
}

func TestGetQuote(t *testing.T) {
	f := newQuoteFixture(t)
	for _, tc := range []struct {
		label, context string
	}{
		{"A0", "“We will rebuild the port by spring,” said Mayor Ana Ruiz."},
		{"A1", "Ruiz said the café would reopen soon."},
		{"C0", "“Prices will stabilise this year,” Berg told reporters."},
	} {
		t.Run(tc.label, func(t *testing.T) {
			q := f.q[tc.label]
			var got QuoteDetail
			f.json("GET", "/v1/quotes/"+q.ID, nil, http.StatusOK, &got)
			if diff := cmp.Diff(q, got.StoredQuote); diff != "" {
				t.Errorf("GET /v1/quotes/%s quote (-want +got):\n%s", q.ID, diff)
			}
			var art ArticleResponse
			f.json("GET", "/v1/articles/"+q.ArticleID, nil, http.StatusOK, &art)
			wantRef := ArticleRef{ID: art.Article.ID, URL: art.Article.URL, Title: art.Article.Title,
				Outlet: art.Article.Outlet, PublishedAt: art.Article.PublishedAt}
			if diff := cmp.Diff(wantRef, got.Article); diff != "" {
				t.Errorf("article (-want +got):\n%s", diff)
			}
			if got.Context.Text != tc.context {
				t.Errorf("context = %q, want %q", got.Context.Text, tc.context)
			}
			r := []rune(art.Article.Text)
			if sp := got.Context.Span; string(r[sp.Start:sp.End]) != got.Context.Text {
				t.Errorf("context span %+v gives %q", sp, string(r[sp.Start:sp.End]))
			}
			if !strings.Contains(got.Context.Text, q.Text) {
				t.Errorf("context %q lacks the quote %q", got.Context.Text, q.Text)
			}
		})
	}
	for _, id := range []string{"nope", f.q["A0"].ArticleID + "-99"} {
		w := f.do("GET", "/v1/quotes/"+id, "")
		if w.Code != http.StatusNotFound {
			t.Errorf("GET /v1/quotes/%s = %d, want 404", id, w.Code)
		}
		checkProblem(t, w, http.StatusNotFound)
	}
}
