package httpapi

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
)

const (
	wireText = "Ferries return to the harbour. \u201cThe harbour will reopen to ferries on the first of April,\u201d said Ana Ruiz, the mayor. " +
		"Ruiz said the repairs had cost less than planned."
	updateV1 = "The council met on Tuesday. \u201cWe will balance the budget by next year,\u201d said Ana Ruiz, the mayor. " +
		"\u201cNobody on the council was told about the closure in advance,\u201d said Jonas Berg, a councillor."
	updateV2 = "The council met on Tuesday. Updated with the mayor's reply. \u201cWe will balance the budget by next year,\u201d said Ana Ruiz, the mayor. " +
		"\u201cEvery school in the town keeps its funding,\u201d Ruiz added."
)

// TestSyndicatedCopies: the same wire story at two URLs is two articles
// (201 both), whose quote is one statement seen in both outlets.
func TestSyndicatedCopies(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	var wire, copy ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: "https://wire.example/ferries", Outlet: "Wire Example", PublishedAt: "2026-03-02T08:00:00Z", Text: wireText},
		http.StatusCreated, &wire)
	a.json("POST", "/v1/articles", ArticleRequest{URL: "https://daily.example/ferries", Outlet: "Daily Example", PublishedAt: "2026-03-02T12:00:00Z", Text: wireText},
		http.StatusCreated, &copy)
	if wire.Article.ID == copy.Article.ID || copy.Article.Outlet != "Daily Example" || copy.Article.URL != "https://daily.example/ferries" || copy.Article.Revision != 1 {
		t.Fatalf("the copy = %+v; want an article of its own", copy.Article)
	}
	wq, cq := quoteStarting(t, wire.Quotes, "The harbour"), quoteStarting(t, copy.Quotes, "The harbour")
	if wq.StatementID == "" || wq.StatementID != cq.StatementID || wq.ID == cq.ID {
		t.Fatalf("quotes %s, %s in statements %q, %q; want two quotes of one statement", wq.ID, cq.ID, wq.StatementID, cq.StatementID)
	}
	var st attribution.Statement
	a.json("GET", "/v1/statements/"+wq.StatementID, nil, http.StatusOK, &st)
	if st.OccurrenceCount != 2 || st.FirstSeen.URL != "https://wire.example/ferries" || st.Occurrences[1].Outlet != "Daily Example" {
		t.Errorf("statement = %+v; want first seen on the wire, then in the Daily", st)
	}
	// Sent again: 200, the stored copy.
	var again ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: "https://daily.example/ferries", Outlet: "Daily Example", PublishedAt: "2026-03-02T12:00:00Z", Text: wireText},
		http.StatusOK, &again)
	if again.Article.ID != copy.Article.ID || again.Article.Revision != 1 {
		t.Errorf("the copy again = %+v", again.Article)
	}
}

// TestArticleUpdate: the same URL with another text is answered 200 with
// the new revision: the unchanged quote keeps its id and its correction,
// the removed one is gone, the new one is stored.
func TestArticleUpdate(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	const url = "https://example.com/news/budget"
	var v1 ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: url, Outlet: "Harbour Times", Text: updateV1}, http.StatusCreated, &v1)
	kept := quoteStarting(t, v1.Quotes, "We will balance")
	removed := quoteStarting(t, v1.Quotes, "Nobody on the council")
	// An editor corrects the kept quote's kind first.
	a.patchQuote(kept.ID, `{"kind":"mixed"}`, http.StatusOK)

	var v2 ArticleResponse
	w := a.json("POST", "/v1/articles", ArticleRequest{URL: url, Outlet: "Harbour Times", Text: updateV2}, http.StatusOK, &v2)
	if !strings.Contains(w.Body.String(), `"revision":2`) || !strings.Contains(w.Body.String(), `"updated_at":`) {
		t.Errorf("the update's JSON lacks revision 2 or updated_at: %.300s", w.Body)
	}
	if v2.Article.ID != v1.Article.ID || v2.Article.Revision != 2 || v2.Article.Text != updateV2 || !v2.Article.UpdatedAt.After(v2.Article.CreatedAt) {
		t.Fatalf("update = %+v; want revision 2 of %s with the new text", v2.Article, v1.Article.ID)
	}
	k2 := quoteStarting(t, v2.Quotes, "We will balance")
	if k2.ID != kept.ID || k2.Kind != attribution.KindMixed || !k2.Corrected {
		t.Errorf("kept quote = %s %s corrected %v; want %s, mixed, corrected", k2.ID, k2.Kind, k2.Corrected, kept.ID)
	}
	added := quoteStarting(t, v2.Quotes, "Every school")
	if added.ID == removed.ID || !strings.HasPrefix(added.ID, v1.Article.ID+"-") {
		t.Errorf("new quote id %s; want a new one of the article (the removed was %s)", added.ID, removed.ID)
	}
	for _, q := range v2.Quotes {
		if q.ID == removed.ID {
			t.Errorf("the removed quote is still listed")
		}
	}
	a.json("GET", "/v1/quotes/"+removed.ID, nil, http.StatusNotFound, nil)
	var got ArticleResponse
	a.json("GET", "/v1/articles/"+v1.Article.ID, nil, http.StatusOK, &got)
	if got.Article.Revision != 2 || len(got.Quotes) != len(v2.Quotes) {
		t.Errorf("GET the article = revision %d, %d quotes; want 2, %d", got.Article.Revision, len(got.Quotes), len(v2.Quotes))
	}
	// The same text again changes nothing.
	var v3 ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: url, Outlet: "Harbour Times", Text: updateV2}, http.StatusOK, &v3)
	if v3.Article.Revision != 2 || !v3.Article.UpdatedAt.Equal(v2.Article.UpdatedAt) || len(v3.Quotes) != len(v2.Quotes) {
		t.Errorf("the update again = revision %d updated %v; want 2, %v", v3.Article.Revision, v3.Article.UpdatedAt, v2.Article.UpdatedAt)
	}
}

// TestCorrectionReachesVerify: after an editor moves a quote to its real
// speaker, verify, the statement and its ClaimReview name that speaker.
func TestCorrectionReachesVerify(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t)
	const words = "The harbour will reopen to ferries on the first of April"
	var wrong, right ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: "https://a.example/pm", Outlet: "A Post", PublishedAt: "2026-05-01T08:00:00Z",
		Text: "\u201c" + words + ",\u201d said Boris Jones, the prime minister."}, http.StatusCreated, &wrong)
	a.json("POST", "/v1/articles", ArticleRequest{URL: "https://b.example/pm", Outlet: "B Times", PublishedAt: "2026-05-01T09:00:00Z",
		Text: "\u201c" + words + ",\u201d said Keir Stamm, the opposition leader."}, http.StatusCreated, &right)
	wq, rq := quoteStarting(t, wrong.Quotes, "The harbour"), quoteStarting(t, right.Quotes, "The harbour")
	if wq.SpeakerID == "" || rq.SpeakerID == "" || wq.StatementID == rq.StatementID {
		t.Fatalf("fixture: speakers %q, %q, statements %q, %q", wq.SpeakerID, rq.SpeakerID, wq.StatementID, rq.StatementID)
	}
	verify := func(speaker string) VerifyResponse {
		t.Helper()
		var out VerifyResponse
		a.json("POST", "/v1/verify", VerifyRequest{Text: words, Speaker: speaker}, http.StatusOK, &out)
		return out
	}
	if out := verify("Keir Stamm"); len(out.Candidates) != 2 {
		t.Fatalf("verify before the correction: %+v; want both statements", out)
	}

	a.patchQuote(wq.ID, `{"speaker_id":"`+rq.SpeakerID+`"}`, http.StatusOK)
	out := verify("Keir Stamm")
	if out.Verdict != "found" || len(out.Candidates) != 1 || out.Candidates[0].Statement.ID != rq.StatementID ||
		out.Candidates[0].SpeakerMatch != "same" || len(out.Candidates[0].Flags) != 0 || out.Candidates[0].Statement.OccurrenceCount != 2 {
		t.Errorf("verify under Stamm after the correction = %+v; want his statement alone, with both reports", out)
	}
	out = verify("Boris Jones")
	if out.Verdict != "other_speaker" || len(out.Candidates) != 1 || !strings.Contains(out.Candidates[0].Note, "Keir Stamm") {
		t.Errorf("verify under Jones after the correction = %+v; want other_speaker naming Keir Stamm", out)
	}
	var st attribution.Statement
	a.json("GET", "/v1/statements/"+rq.StatementID, nil, http.StatusOK, &st)
	if st.FirstSeen.QuoteID != wq.ID || st.FirstSeen.Speaker != "Keir Stamm" || st.Speaker == nil || st.Speaker.Name != "Keir Stamm" {
		t.Errorf("statement after the correction = %+v; want first seen in the corrected quote, by Keir Stamm", st)
	}
	a.json("GET", "/v1/statements/"+wq.StatementID, nil, http.StatusNotFound, nil)
	var cr ClaimReview
	a.json("GET", "/v1/statements/"+rq.StatementID+"/claimreview", nil, http.StatusOK, &cr, "Accept", "application/json")
	if cr.ItemReviewed.Author == nil || cr.ItemReviewed.Author.Name != "Keir Stamm" || len(cr.ItemReviewed.Appearance) != 2 ||
		cr.ItemReviewed.FirstAppearance.URL != "https://a.example/pm" {
		t.Errorf("ClaimReview after the correction = author %+v, %d appearances, first %+v", cr.ItemReviewed.Author, len(cr.ItemReviewed.Appearance), cr.ItemReviewed.FirstAppearance)
	}

	// Hidden: no occurrence any more.
	a.patchQuote(rq.ID, `{"hidden":true}`, http.StatusOK)
	a.json("GET", "/v1/statements/"+rq.StatementID, nil, http.StatusOK, &st)
	if st.OccurrenceCount != 1 || st.Occurrences[0].QuoteID != wq.ID {
		t.Errorf("statement with a quote hidden = %+v; want the other only", st.Occurrences)
	}
}

// recordNotifier records the quote ids it is told, in order.
type recordNotifier struct {
	mu  sync.Mutex
	ids [][]string
}

func (r *recordNotifier) Notify(qs []attribution.StoredQuote) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ids = append(r.ids, quoteIDsOf(qs))
}

func (r *recordNotifier) calls() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ids)
}

// TestRevisionNotifiesNewQuotes: webhooks hear of the quotes an ingest
// adds: all of a new article's, only the new ones of a revision, none
// when nothing changed.
func TestRevisionNotifiesNewQuotes(t *testing.T) {
	t.Parallel()
	rec := &recordNotifier{}
	a := newTestAPIWith(t, func(o *Options) { o.Notifier = rec })
	const url = "https://example.com/news/budget"
	var v1, v2 ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: url, Text: updateV1}, http.StatusCreated, &v1)
	a.json("POST", "/v1/articles", ArticleRequest{URL: url, Text: updateV2}, http.StatusOK, &v2)
	a.json("POST", "/v1/articles", ArticleRequest{URL: url, Text: updateV2}, http.StatusOK, nil)
	added := quoteStarting(t, v2.Quotes, "Every school")
	want := [][]string{quoteIDsOf(v1.Quotes), {added.ID}}
	if diff := cmp.Diff(want, rec.calls()); diff != "" {
		t.Errorf("notified quote ids (-want +got):\n%s", diff)
	}
}

// quoteIDsOf lists the ids of qs.
func quoteIDsOf(qs []attribution.StoredQuote) []string {
	out := []string{}
	for _, q := range qs {
		out = append(out, q.ID)
	}
	return out
}
