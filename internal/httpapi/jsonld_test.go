package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
)

func TestNegotiate(t *testing.T) {
	const js, ld = "application/json", jsonLDContentType
	for _, tc := range []struct {
		accept string
		want   string // "" for 406
	}{
		{"", js},
		{"   ", js},
		{"*/*", js},
		{"*", js},
		{"application/*", js},
		{"application/json", js},
		{"APPLICATION/JSON; charset=utf-8", js},
		{"application/ld+json", ld},
		{"Application/LD+JSON", ld},
		{`application/ld+json; profile="https://schema.org"`, ld},
		{"text/html, application/ld+json;q=0.1", ld},
		{"application/json;q=0.5, application/ld+json", ld},
		{"application/ld+json;q=0.9, application/json;q=0.8", ld},
		{"application/ld+json, application/json", js}, // a tie: JSON
		{"application/ld+json, */*;q=0.1", ld},
		{"application/json;q=0, */*", ld}, // the specific range wins over */*
		{"application/ld+json;q=0, application/*", js},
		{"application/*;q=0.2, application/ld+json;q=0.3", ld},
		{"application/ld+json;q=0.5;level=1, application/json;q=0.4", ld},
		{"text/html", ""},
		{"application/xml, text/*", ""},
		{"application/json;q=0, application/ld+json;q=0", ""},
		{"*/*;q=0", ""},
		{"application/problem+json", ""},
		// Malformed ranges are skipped; with none left, anything goes.
		{"garbage", js},
		{"json", js},
		{"*/json", js},
		{"application/json;q=2", js},
		{"application/json;q=abc, application/ld+json", ld},
		{"application/ld+json;q=NaN", js},
		{"text/html;q=NaN, text/plain", ""},
	} {
		got, ok := negotiate(tc.accept, js, ld)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("negotiate(%q) = %q, %v; want %q", tc.accept, got, ok, tc.want)
		}
	}
}

// getLD gets a quote as JSON-LD and decodes it, checking the headers.
func (f *quoteFixture) getLD(id string) (Quotation, map[string]any) {
	f.t.Helper()
	w := f.do("GET", "/v1/quotes/"+id, "", "Accept", jsonLDContentType)
	if w.Code != http.StatusOK {
		f.t.Fatalf("GET /v1/quotes/%s as JSON-LD = %d; body %s", id, w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != jsonLDContentType {
		f.t.Errorf("Content-Type = %q, want %s", ct, jsonLDContentType)
	}
	if v := w.Header().Values("Vary"); !strings.Contains(strings.Join(v, ","), "Accept") {
		f.t.Errorf("Vary = %q, want Accept", v)
	}
	var q Quotation
	var raw map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &q); err != nil {
		f.t.Fatal(err)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &raw); err != nil {
		f.t.Fatal(err)
	}
	return q, raw
}

func TestGetQuoteJSONLD(t *testing.T) {
	f := newQuoteFixture(t)
	ruizID, bergID := attribution.SpeakerID("Ana Ruiz"), attribution.SpeakerID("Jonas Berg")
	f.json("PATCH", ruizPath, `{"wikidata_id":"Q3874799"}`, http.StatusOK, nil)
	var art ArticleResponse
	f.json("GET", "/v1/articles/"+f.q["A0"].ArticleID, nil, http.StatusOK, &art)

	// A named person with a Wikidata id, an article with everything.
	got, raw := f.getLD(f.q["A0"].ID)
	ruiz := &QuotationAgent{Type: "Person", ID: "/v1/speakers/" + ruizID, Name: "Ana Ruiz", SameAs: "https://www.wikidata.org/wiki/Q3874799"}
	published := time.Date(2025, 2, 18, 8, 30, 0, 0, time.UTC)
	want := Quotation{
		Context: "https://schema.org", Type: "Quotation", ID: "/v1/quotes/" + f.q["A0"].ID,
		Text:    f.q["A0"].Text,
		Creator: ruiz, SpokenByCharacter: ruiz,
		IsBasedOn: QuotationArticle{
			Type: "NewsArticle", URL: "https://example.com/news/ruiz", Headline: "Mayor promises port",
			Publisher:     &QuotationOrganization{Type: "Organization", Name: "Harbour Times"},
			DatePublished: published, InLanguage: art.Article.Language,
		},
		DatePublished: published,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("A0 as JSON-LD (-want +got):\n%s", diff)
	}
	for _, k := range []string{"@context", "@type", "@id", "text", "creator", "spokenByCharacter", "isBasedOn", "datePublished"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("A0 as JSON-LD lacks %q: %v", k, raw)
		}
	}
	if _, ok := raw["description"]; ok {
		t.Errorf("A0 has a description next to its creator: %v", raw["description"])
	}
	if d, _ := raw["datePublished"].(string); d != "2025-02-18T08:30:00Z" {
		t.Errorf("datePublished = %q, want 2025-02-18T08:30:00Z", d)
	}

	// A person without Wikidata id: no sameAs. The name is the current one.
	f.json("PATCH", bergPath, `{"name":"Jonas A. Berg"}`, http.StatusOK, nil)
	got, raw = f.getLD(f.q["C0"].ID)
	berg := &QuotationAgent{Type: "Person", ID: "/v1/speakers/" + bergID, Name: "Jonas A. Berg"}
	if diff := cmp.Diff(berg, got.Creator); diff != "" {
		t.Errorf("C0 creator (-want +got):\n%s", diff)
	}
	if c, _ := raw["creator"].(map[string]any); c == nil || c["sameAs"] != nil {
		t.Errorf("C0 creator = %v, want one without sameAs", raw["creator"])
	}

	// No outlet, no date: no publisher, no datePublished.
	got, raw = f.getLD(f.q["D0"].ID)
	if got.IsBasedOn.Publisher != nil || raw["datePublished"] != nil || got.IsBasedOn.URL != "" {
		t.Errorf("D0 as JSON-LD = %+v, want no publisher, date or url", got)
	}
	if got.Creator == nil || got.Creator.Name != "Marta Olsen" || got.IsBasedOn.Type != "NewsArticle" {
		t.Errorf("D0 creator = %+v", got.Creator)
	}

	// An organisation, and an anonymous source without creator.
	var org, anon ArticleResponse
	f.json("POST", "/v1/articles", map[string]any{"text": "“We will appeal the ruling,” Acme Corporation said in a statement.", "outlet": "Daily"},
		http.StatusCreated, &org)
	f.json("POST", "/v1/articles", map[string]any{"text": "“Talks are stalled,” a senior official said."}, http.StatusCreated, &anon)
	got, _ = f.getLD(org.Quotes[0].ID)
	if got.Creator == nil || got.Creator.Type != "Organization" || got.Creator.Name != "Acme Corporation" {
		t.Errorf("organisation creator = %+v, want Organization Acme Corporation", got.Creator)
	}
	got, raw = f.getLD(anon.Quotes[0].ID)
	if raw["creator"] != nil || raw["spokenByCharacter"] != nil {
		t.Errorf("anonymous quote has a creator: %v", raw)
	}
	if got.Description != "Attributed to an anonymous source: a senior official" {
		t.Errorf("anonymous quote description = %q", got.Description)
	}
}

func TestGetQuoteAccept(t *testing.T) {
	f := newQuoteFixture(t)
	target := "/v1/quotes/" + f.q["A0"].ID
	for _, tc := range []struct {
		accept string
		status int
		ct     string
	}{
		{"", 200, "application/json; charset=utf-8"},
		{"*/*", 200, "application/json; charset=utf-8"},
		{"application/json", 200, "application/json; charset=utf-8"},
		{"application/ld+json, application/json;q=0.9", 200, jsonLDContentType},
		{"application/json;q=0.1, application/ld+json;q=0.2", 200, jsonLDContentType},
		{"text/html", 406, problemContentType},
		{"application/json;q=0, application/ld+json;q=0", 406, problemContentType},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			var headers []string
			if tc.accept != "" {
				headers = []string{"Accept", tc.accept}
			}
			w := f.do("GET", target, "", headers...)
			if w.Code != tc.status || w.Header().Get("Content-Type") != tc.ct {
				t.Fatalf("GET %s, Accept %q = %d %s, want %d %s; body %.300s", target, tc.accept, w.Code, w.Header().Get("Content-Type"), tc.status, tc.ct, w.Body)
			}
			if tc.status == 406 {
				checkProblem(t, w, 406)
				return
			}
			if !strings.Contains(strings.Join(w.Header().Values("Vary"), ","), "Accept") {
				t.Errorf("Vary = %q, want Accept", w.Header().Values("Vary"))
			}
			var m map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			_, isLD := m["@context"]
			_, isJSON := m["context"]
			if isLD != (tc.ct == jsonLDContentType) || isJSON == isLD {
				t.Errorf("body %.200s does not match %s", w.Body, tc.ct)
			}
		})
	}
	// Negotiation comes first: an unknown quote with a bad Accept is a 406;
	// with JSON-LD accepted, a 404 problem.
	if w := f.do("GET", "/v1/quotes/nope", "", "Accept", "text/html"); w.Code != 406 {
		t.Errorf("unknown quote, Accept text/html = %d, want 406", w.Code)
	}
	w := f.do("GET", "/v1/quotes/nope", "", "Accept", jsonLDContentType)
	checkProblem(t, w, 404)
}

// lookupStore answers LookupSpeaker with p or err; other calls panic.
type lookupStore struct {
	Store
	p   attribution.SpeakerProfile
	err error
}

func (s lookupStore) LookupSpeaker(context.Context, string) (attribution.SpeakerProfile, error) {
	return s.p, s.err
}

// TestQuotationSpeakerLookup: a speaker gone meanwhile falls back to the
// quote's own speaker; a store failure is an error.
func TestQuotationSpeakerLookup(t *testing.T) {
	q := attribution.StoredQuote{ID: "a-1", ArticleID: "a", SpeakerID: "spk_1",
		Quote: attribution.Quote{Text: "We will.", Speaker: &attribution.QuoteSpeaker{Name: "Acme", Type: attribution.SpeakerOrganization}}}
	a := attribution.Article{ID: "a", Text: "“We will.” said Acme."}

	s := &Server{store: lookupStore{err: attribution.ErrNotFound}}
	got, err := s.quotation(context.Background(), q, a)
	want := &QuotationAgent{Type: "Organization", ID: "/v1/speakers/spk_1", Name: "Acme"}
	if err != nil || !cmp.Equal(want, got.Creator) {
		t.Errorf("speaker gone: creator %+v, %v; want %+v", got.Creator, err, want)
	}
	if !got.DatePublished.IsZero() || got.IsBasedOn.Publisher != nil {
		t.Errorf("no date or outlet: %+v", got)
	}

	s = &Server{store: lookupStore{err: attribution.ErrUnavailable}}
	if _, err := s.quotation(context.Background(), q, a); !errors.Is(err, attribution.ErrUnavailable) {
		t.Errorf("store down: error %v, want ErrUnavailable", err)
	}

	for _, tc := range []struct {
		sp   *attribution.QuoteSpeaker
		want string
	}{
		{nil, "Speaker not identified"},
		{&attribution.QuoteSpeaker{Name: "protesters", Type: attribution.SpeakerGroup,
			Mention: &attribution.Mention{Text: "the protesters"}}, "Attributed to a group: the protesters"},
		{&attribution.QuoteSpeaker{Name: "senior official", Type: attribution.SpeakerAnonymous}, "Attributed to an anonymous source: senior official"},
		{&attribution.QuoteSpeaker{Type: attribution.SpeakerUnknown}, "Attributed to a speaker not identified by name"},
	} {
		q := attribution.StoredQuote{ID: "a-2", Quote: attribution.Quote{Text: "x", Speaker: tc.sp}}
		got, err := s.quotation(context.Background(), q, a)
		if err != nil || got.Creator != nil || got.Description != tc.want {
			t.Errorf("speaker %+v: creator %+v, description %q, %v; want %q", tc.sp, got.Creator, got.Description, err, tc.want)
		}
	}
}
