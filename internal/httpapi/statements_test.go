package httpapi

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/whosaid/whosaid/internal/attribution"
)

// statementFixture stores two outlets' reports of Clara Jansen's words (the
// later one first; the earlier one quotes only part of them and names her
// by surname) and the same words credited to Pieter Vos.
type statementFixture struct {
	*testAPI
	gazette, courier, vos ArticleResponse
}

func newStatementFixture(t *testing.T) *statementFixture {
	t.Helper()
	f := &statementFixture{testAPI: newTestAPI(t)}
	read := func(name string) string {
		b, err := os.ReadFile("../mongostore/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	f.json("POST", "/v1/articles", ArticleRequest{URL: "https://gazette.example/bridges", Title: "Governor promises bridges",
		Outlet: "Example Gazette", PublishedAt: "2026-03-02T09:00:00Z", Text: read("statement_gazette.txt")}, http.StatusCreated, &f.gazette)
	f.json("POST", "/v1/articles", ArticleRequest{URL: "https://courier.example/floods", Title: "Flood repairs",
		Outlet: "Example Courier", PublishedAt: "2026-03-01T18:00:00Z", Text: read("statement_courier.txt")}, http.StatusCreated, &f.courier)
	f.json("POST", "/v1/articles", ArticleRequest{URL: "https://other.example/vos", Outlet: "Other Daily", PublishedAt: "2026-02-01T08:00:00Z",
		Text: "\u201cWe will rebuild every bridge in this province before the winter comes,\u201d said Pieter Vos, a local mayor."}, http.StatusCreated, &f.vos)
	return f
}

func quoteStarting(t *testing.T, qs []attribution.StoredQuote, prefix string) attribution.StoredQuote {
	t.Helper()
	for _, q := range qs {
		if strings.HasPrefix(q.Text, prefix) {
			return q
		}
	}
	t.Fatalf("no quote starting %q", prefix)
	return attribution.StoredQuote{}
}

func TestStatementAcrossOutlets(t *testing.T) {
	t.Parallel()
	f := newStatementFixture(t)
	gq := quoteStarting(t, f.gazette.Quotes, "We will rebuild")
	cq := quoteStarting(t, f.courier.Quotes, "We will rebuild")
	if gq.StatementID == "" || gq.StatementID != cq.StatementID {
		t.Fatalf("statement ids %q and %q, want one", gq.StatementID, cq.StatementID)
	}
	// GET /v1/quotes/{id} links to it.
	var qd map[string]any
	f.json("GET", "/v1/quotes/"+cq.ID, nil, http.StatusOK, &qd)
	if qd["statement_id"] != gq.StatementID {
		t.Errorf("GET /v1/quotes/{id} statement_id = %v", qd["statement_id"])
	}

	var st attribution.Statement
	f.json("GET", "/v1/statements/"+gq.StatementID, nil, http.StatusOK, &st)
	if st.OccurrenceCount != 2 || len(st.Occurrences) != 2 || st.Speaker == nil || st.Speaker.Name != "Clara Jansen" {
		t.Fatalf("statement %+v", st)
	}
	if st.FirstSeen.URL != "https://courier.example/floods" || st.FirstSeen.PublishedAt.Format("2006-01-02") != "2026-03-01" {
		t.Errorf("first_seen %+v, want the courier's earlier report", st.FirstSeen)
	}
	if st.Occurrences[0].QuoteID != cq.ID || st.Occurrences[1].QuoteID != gq.ID {
		t.Errorf("occurrences not by date: %+v", st.Occurrences)
	}
	f.json("GET", "/v1/statements/stm_0000000000000000", nil, http.StatusNotFound, nil)
}

func TestVerify(t *testing.T) {
	t.Parallel()
	f := newStatementFixture(t)
	jansen := quoteStarting(t, f.gazette.Quotes, "We will rebuild").StatementID
	vos := quoteStarting(t, f.vos.Quotes, "We will rebuild").StatementID

	// A paraphrase with a word dropped ("the") and one changed.
	var out VerifyResponse
	f.json("POST", "/v1/verify", VerifyRequest{Text: "We will rebuild every bridge in the province before winter comes", Speaker: "Clara Jansen"},
		http.StatusOK, &out)
	if out.Verdict != "similar" || len(out.Candidates) < 2 {
		t.Fatalf("verify = %+v", out)
	}
	top := out.Candidates[0]
	if top.Statement.ID != jansen || top.Match != "near" || top.SpeakerMatch != "same" || top.Score < 0.6 || top.Score >= 0.9 || len(top.Flags) != 0 {
		t.Errorf("top candidate %+v, want Jansen's statement, near, same speaker", top)
	}
	if top.Statement.FirstSeen.URL != "https://courier.example/floods" || len(top.Statement.Occurrences) != 2 {
		t.Errorf("top candidate lacks first_seen or sources: %+v", top.Statement)
	}
	var other *VerifyCandidate
	for i := range out.Candidates {
		if out.Candidates[i].Statement.ID == vos {
			other = &out.Candidates[i]
		}
	}
	if other == nil || other.SpeakerMatch != "different" || len(other.Flags) != 1 || other.Flags[0] != "other_speaker" ||
		!strings.Contains(other.Note, "Pieter Vos") {
		t.Errorf("Vos's candidate %+v, want flagged other_speaker", other)
	}

	// The exact words under the surname only: found.
	out = VerifyResponse{}
	f.json("POST", "/v1/verify", VerifyRequest{Text: "“We will rebuild every bridge in this province before the winter comes.”", Speaker: "Jansen"},
		http.StatusOK, &out)
	if out.Verdict != "found" || out.Candidates[0].Statement.ID != jansen || out.Candidates[0].SpeakerMatch != "same" {
		t.Errorf("exact words under the surname: %+v", out)
	}

	// Asked under another speaker: flagged as a likely misattribution.
	out = VerifyResponse{}
	f.json("POST", "/v1/verify", VerifyRequest{Text: "rebuild every bridge in this province before the winter comes", Speaker: "Tomas Berg"},
		http.StatusOK, &out)
	if out.Verdict != "other_speaker" {
		t.Errorf("under Tomas Berg: verdict %q, want other_speaker", out.Verdict)
	}
	for _, c := range out.Candidates {
		if c.SpeakerMatch != "different" || len(c.Flags) == 0 {
			t.Errorf("under Tomas Berg: candidate %s %s flags %v", c.Statement.ID, c.SpeakerMatch, c.Flags)
		}
	}
	// By speaker id.
	var berg struct {
		Speakers []attribution.SpeakerProfile `json:"speakers"`
	}
	f.json("GET", "/v1/speakers?q=berg", nil, http.StatusOK, &berg)
	if len(berg.Speakers) == 0 {
		t.Fatal("no speaker Berg")
	}
	out = VerifyResponse{}
	f.json("POST", "/v1/verify", VerifyRequest{Text: "The money is simply not there", Speaker: berg.Speakers[0].ID}, http.StatusOK, &out)
	if out.Verdict != "found" || out.Candidates[0].SpeakerMatch != "same" || out.Candidates[0].Match != "exact" || out.Candidates[0].Score != 1 {
		t.Errorf("Berg's words by id: %+v", out)
	}

	// No speaker asked; limit.
	out = VerifyResponse{}
	f.json("POST", "/v1/verify", VerifyRequest{Text: "we will rebuild every bridge in this province", Limit: 1}, http.StatusOK, &out)
	if out.Verdict != "found" || len(out.Candidates) != 1 || out.Candidates[0].SpeakerMatch != "not_asked" || out.Candidates[0].Match != "contained" {
		t.Errorf("no speaker, limit 1: %+v", out)
	}
	out = VerifyResponse{}
	f.json("POST", "/v1/verify", VerifyRequest{Text: "The harvest was poor and prices rose across the region"}, http.StatusOK, &out)
	if out.Verdict != "not_found" || len(out.Candidates) != 0 {
		t.Errorf("unrelated text: %+v", out)
	}
	raw := f.do("POST", "/v1/verify", `{"text":"nothing like it at all here"}`, "Content-Type", "application/json").Body.String()
	if !strings.Contains(raw, `"candidates":[]`) {
		t.Errorf("no candidates is not an empty array: %s", raw)
	}
}

func TestVerifyErrors(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	for _, tc := range []struct {
		body   string
		status int
		field  string
	}{
		{`{"text":`, http.StatusBadRequest, ""},
		{`{"text":"a b c","extra":1}`, http.StatusBadRequest, ""},
		{`{}`, http.StatusUnprocessableEntity, "text"},
		{`{"text":"   "}`, http.StatusUnprocessableEntity, "text"},
		{`{"text":"—…!"}`, http.StatusUnprocessableEntity, "text"},
		{`{"text":"` + strings.Repeat("word ", 4001) + `"}`, http.StatusUnprocessableEntity, "text"},
		{`{"text":"a b c","speaker":"` + strings.Repeat("x", 501) + `"}`, http.StatusUnprocessableEntity, "speaker"},
		{`{"text":"a b c","limit":0}`, http.StatusUnprocessableEntity, "limit"},
		{`{"text":"a b c","limit":51}`, http.StatusUnprocessableEntity, "limit"},
		{`{"text":7}`, http.StatusUnprocessableEntity, "text"},
	} {
		w := a.do("POST", "/v1/verify", tc.body, "Content-Type", "application/json")
		if w.Code != tc.status {
			t.Errorf("%.60s: %d, want %d; %s", tc.body, w.Code, tc.status, w.Body)
			continue
		}
		p := checkProblem(t, w, tc.status)
		if tc.field != "" && !strings.Contains(w.Body.String(), `"#/`+tc.field+`"`) {
			t.Errorf("%.60s: problem %v does not point at %s", tc.body, p, tc.field)
		}
	}
	if w := a.do("POST", "/v1/verify", "text=a", "Content-Type", "text/plain"); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d", w.Code)
	}
	big := `{"text":"` + strings.Repeat("a", MaxJSONBody) + `"}`
	if w := a.do("POST", "/v1/verify", big, "Content-Type", "application/json"); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: %d", w.Code)
	}
}

func TestClaimReview(t *testing.T) {
	t.Parallel()
	f := newStatementFixture(t)
	q := quoteStarting(t, f.gazette.Quotes, "We will rebuild")
	// Give the speaker a Wikidata id: the author's sameAs.
	f.json("PATCH", "/v1/speakers/"+q.SpeakerID, map[string]string{"wikidata_id": "Q123456"}, http.StatusOK, nil)

	w := f.do("GET", "/v1/statements/"+q.StatementID+"/claimreview", "")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/ld+json" {
		t.Fatalf("claimreview = %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	var cr ClaimReview
	if err := json.Unmarshal(w.Body.Bytes(), &cr); err != nil {
		t.Fatal(err)
	}
	it := cr.ItemReviewed
	if cr.Type != "ClaimReview" || cr.Context != "https://schema.org" || cr.ClaimReviewed != q.Text || it.Type != "Claim" {
		t.Errorf("claimreview %+v", cr)
	}
	if it.Author == nil || it.Author.Type != "Person" || it.Author.Name != "Clara Jansen" || it.Author.SameAs != "https://www.wikidata.org/wiki/Q123456" {
		t.Errorf("author %+v", it.Author)
	}
	if len(it.Appearance) != 2 || it.FirstAppearance.URL != "https://courier.example/floods" ||
		it.FirstAppearance.Publisher == nil || it.FirstAppearance.Publisher.Name != "Example Courier" ||
		it.DatePublished.Format("2006-01-02") != "2026-03-01" {
		t.Errorf("appearances %+v, first %+v, date %v", it.Appearance, it.FirstAppearance, it.DatePublished)
	}
	if strings.Contains(w.Body.String(), "reviewRating") {
		t.Error("the skeleton has a rating")
	}
	// JSON when preferred; 406 when neither; 404.
	if w := f.do("GET", "/v1/statements/"+q.StatementID+"/claimreview", "", "Accept", "application/json"); w.Header().Get("Content-Type") != "application/json" {
		t.Errorf("Accept: application/json gave %s", w.Header().Get("Content-Type"))
	}
	if w := f.do("GET", "/v1/statements/"+q.StatementID+"/claimreview", "", "Accept", "text/html"); w.Code != http.StatusNotAcceptable {
		t.Errorf("Accept: text/html gave %d", w.Code)
	}
	f.json("GET", "/v1/statements/stm_0000000000000000/claimreview", nil, http.StatusNotFound, nil)
}
