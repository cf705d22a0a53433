package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/api"
	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/mongostore"
)

// patchQuote sends a correction as JSON and wants status; it decodes a 200
// into the returned detail.
func (a *testAPI) patchQuote(id, body string, want int, headers ...string) (QuoteDetail, *httptest.ResponseRecorder) {
	a.t.Helper()
	var d QuoteDetail
	var out any
	if want == http.StatusOK {
		out = &d
	}
	w := a.json("PATCH", "/v1/quotes/"+id, body, want, out, headers...)
	if want != http.StatusOK {
		checkProblem(a.t, w, want)
	}
	return d, w
}

func TestPatchQuote(t *testing.T) {
	f := newQuoteFixture(t)
	a0 := f.q["A0"]
	bergID := attribution.SpeakerID("Jonas Berg")

	// A quote never corrected: version 1, no corrections, neither hidden
	// nor corrected in its JSON.
	var q QuoteDetail
	w := f.json("GET", "/v1/quotes/"+a0.ID, nil, http.StatusOK, &q)
	etag1 := w.Header().Get("ETag")
	if etag1 != `"1"` || q.Corrected || q.Hidden || q.Corrections == nil || len(q.Corrections) != 0 {
		t.Fatalf("GET new quote: ETag %s, corrected %v, hidden %v, corrections %v", etag1, q.Corrected, q.Hidden, q.Corrections)
	}
	for _, member := range []string{`"corrected"`, `"hidden"`} {
		if strings.Contains(w.Body.String(), member) {
			t.Errorf("GET new quote has %s: %s", member, w.Body)
		}
	}
	if w := f.do("GET", "/v1/quotes/"+a0.ID, "", "Accept", jsonLDContentType); w.Header().Get("ETag") != etag1 {
		t.Errorf("JSON-LD ETag = %q, want %q", w.Header().Get("ETag"), etag1)
	}

	// Another speaker, with the current ETag.
	q, w = f.patchQuote(a0.ID, `{"speaker_id":"`+bergID+`"}`, http.StatusOK, "If-Match", etag1)
	etag2 := w.Header().Get("ETag")
	if etag2 != `"2"` || q.SpeakerID != bergID || q.Speaker == nil || q.Speaker.Name != "Jonas Berg" || q.Speaker.Mention != nil ||
		!q.Corrected || len(q.Corrections) != 1 || q.Text != a0.Text || q.Article.ID != a0.ArticleID || q.Context.Text == "" {
		t.Fatalf("PATCH speaker_id: ETag %s, %+v", etag2, q)
	}
	c := q.Corrections[0]
	if c.By != attribution.AnonymousEditor || c.At.IsZero() || c.Before.SpeakerID != a0.SpeakerID || c.Before.Speaker == nil ||
		c.Before.Speaker.Name != "Ana Ruiz" || c.After.SpeakerID != bergID || c.After.Speaker.Name != "Jonas Berg" || c.After.Kind != attribution.KindDirect {
		t.Errorf("correction = %+v", c)
	}
	var again QuoteDetail
	if w := f.json("GET", "/v1/quotes/"+a0.ID, nil, http.StatusOK, &again); w.Header().Get("ETag") != etag2 || len(again.Corrections) != 1 || again.SpeakerID != bergID {
		t.Errorf("GET after PATCH: ETag %s, %+v", w.Header().Get("ETag"), again)
	}
	if got, _ := f.list("/v1/quotes?speaker=Jonas+Berg"); !slices.Equal(got, []string{"A0", "C0"}) {
		t.Errorf("Berg's quotes = %v, want A0 C0", got)
	}
	if got, _ := f.list("/v1/quotes?speaker=Ana+Ruiz"); !slices.Equal(got, []string{"B0", "A1"}) {
		t.Errorf("Ruiz's quotes = %v, want B0 A1", got)
	}
	var listed QuoteList
	f.json("GET", "/v1/quotes?speaker=Jonas+Berg", nil, http.StatusOK, &listed)
	if !listed.Quotes[0].Corrected || listed.Quotes[1].Corrected {
		t.Errorf("listing marks corrected = %v, %v; want true, false", listed.Quotes[0].Corrected, listed.Quotes[1].Corrected)
	}

	// The old ETag is stale now, and so is a tag of no version.
	for _, tag := range []string{etag1, `"abc"`, `"999", "998"`} {
		f.patchQuote(a0.ID, `{"kind":"mixed"}`, http.StatusPreconditionFailed, "If-Match", tag)
	}

	// Hidden, as a merge patch with If-Match *: out of the listings and
	// the speaker's figures, still in the article and by id.
	q, _ = f.patchQuote(a0.ID, `{"hidden":true,"kind":"mixed"}`, http.StatusOK, "Content-Type", "application/merge-patch+json", "If-Match", "*")
	if !q.Hidden || q.Kind != attribution.KindMixed || len(q.Corrections) != 2 {
		t.Fatalf("PATCH hidden: %+v", q)
	}
	for _, target := range []string{"/v1/quotes", "/v1/quotes?speaker=Jonas+Berg", "/v1/speakers/" + bergID + "/quotes", "/v1/quotes?q=port", "/v1/quotes?kind=mixed"} {
		if got, _ := f.list(target); slices.Contains(got, "A0") {
			t.Errorf("GET %s = %v, lists the hidden A0", target, got)
		}
	}
	var berg attribution.SpeakerProfile
	f.json("GET", "/v1/speakers/"+bergID, nil, http.StatusOK, &berg)
	if berg.QuoteCount != 1 || berg.Counts[attribution.KindMixed] != 0 || !slices.Equal(berg.Outlets, []string{"Daily"}) {
		t.Errorf("Berg's figures with A0 hidden = %d %v %v; want 1 direct quote in Daily", berg.QuoteCount, berg.Counts, berg.Outlets)
	}
	var art QuotesResponse
	f.json("GET", "/v1/articles/"+a0.ArticleID+"/quotes", nil, http.StatusOK, &art)
	if len(art.Quotes) != 2 || !art.Quotes[0].Hidden || !art.Quotes[0].Corrected || art.Quotes[1].Hidden {
		t.Errorf("the article's quotes = %+v, want A0 hidden and corrected, A1 plain", art.Quotes)
	}
	f.json("GET", "/v1/quotes/"+a0.ID, nil, http.StatusOK, &again)
	if !again.Hidden {
		t.Error("GET /v1/quotes/{id} of the hidden quote: hidden false")
	}

	// A patch that changes nothing records nothing.
	q, w = f.patchQuote(a0.ID, `{"hidden":true}`, http.StatusOK)
	if len(q.Corrections) != 2 || w.Header().Get("ETag") != `"3"` {
		t.Errorf("PATCH without change: ETag %s, %d corrections; want \"3\", 2", w.Header().Get("ETag"), len(q.Corrections))
	}

	// A weak tag never matches (strong comparison, RFC 9110); in a list
	// with the current strong tag the write goes on.
	f.patchQuote(a0.ID, `{"hidden":false}`, http.StatusPreconditionFailed, "If-Match", `W/"3"`)
	// null clears the attribution; shown again.
	q, w = f.patchQuote(a0.ID, `{"speaker_id":null,"hidden":false}`, http.StatusOK, "If-Match", `W/"3", "1", "3"`)
	if q.SpeakerID != "" || q.Speaker != nil || q.Hidden || len(q.Corrections) != 3 || w.Header().Get("ETag") != `"4"` {
		t.Fatalf("PATCH speaker_id null: ETag %s, %+v", w.Header().Get("ETag"), q)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &members); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"speaker_id", "speaker", "hidden"} {
		if _, ok := members[m]; ok {
			t.Errorf("cleared and shown quote has member %s: %s", m, w.Body)
		}
	}
	// Oldest first.
	var order []string
	for _, c := range q.Corrections {
		order = append(order, fmt.Sprintf("%s>%s/%s/%v", c.Before.SpeakerID, c.After.SpeakerID, c.After.Kind, c.After.Hidden))
	}
	want := []string{a0.SpeakerID + ">" + bergID + "/direct/false", bergID + ">" + bergID + "/mixed/true", bergID + ">/mixed/false"}
	if !slices.Equal(order, want) {
		t.Errorf("corrections = %v, want %v", order, want)
	}
	if got, _ := f.list("/v1/quotes"); !slices.Contains(got, "A0") {
		t.Errorf("GET /v1/quotes after un-hiding = %v, want A0 back", got)
	}
}

// TestPatchQuoteBy: with auth on, a correction names the API key's id; a
// read key may not correct.
func TestPatchQuoteBy(t *testing.T) {
	a := newTestAPIWith(t, func(o *Options) { o.Auth = true })
	k, write := a.makeKey("desk", auth.ScopeWrite)
	_, read := a.makeKey("reader", auth.ScopeRead)
	var art ArticleResponse
	a.json("POST", "/v1/articles", ruizArticle(), http.StatusCreated, &art, bearer(write)...)
	id := art.Quotes[0].ID
	q, _ := a.patchQuote(id, `{"kind":"mixed"}`, http.StatusOK, bearer(write)...)
	if len(q.Corrections) != 1 || q.Corrections[0].By != k.ID || !strings.HasPrefix(k.ID, "key_") {
		t.Errorf("correction by %q, want the key id %q", q.Corrections[0].By, k.ID)
	}
	a.patchQuote(id, `{"kind":"indirect"}`, http.StatusForbidden, bearer(read)...)
}

func TestPatchQuoteErrors(t *testing.T) {
	f := newQuoteFixture(t)
	a0 := f.q["A0"]
	for _, tc := range []struct {
		name, id, contentType, body string
		headers                     []string
		status                      int
		fields                      []string
	}{
		{name: "empty patch", body: `{}`, status: 422, fields: []string{"speaker_id", "kind", "hidden"}},
		{name: "empty speaker id", body: `{"speaker_id":""}`, status: 422, fields: []string{"speaker_id"}},
		{name: "unknown speaker", body: `{"speaker_id":"spk_0000000000000000"}`, status: 422, fields: []string{"speaker_id"}},
		{name: "not a speaker id", body: `{"speaker_id":"Jonas Berg"}`, status: 422, fields: []string{"speaker_id"}},
		{name: "bad kind", body: `{"kind":"quoted"}`, status: 422, fields: []string{"kind"}},
		{name: "null kind", body: `{"kind":null}`, status: 422, fields: []string{"kind"}},
		{name: "null hidden", body: `{"hidden":null}`, status: 422, fields: []string{"hidden"}},
		{name: "two bad fields", body: `{"kind":"x","hidden":null}`, status: 422, fields: []string{"hidden", "kind"}},
		{name: "unknown field", body: `{"speaker":"Jonas Berg"}`, status: 400},
		{name: "speaker id a number", body: `{"speaker_id":5}`, status: 400},
		{name: "kind a number", body: `{"kind":1}`, status: 400},
		{name: "hidden a string", body: `{"hidden":"yes"}`, status: 400},
		{name: "wrong type beats a bad value", body: `{"kind":null,"hidden":"yes"}`, status: 400},
		{name: "an array", body: `[1]`, status: 400},
		{name: "null", body: `null`, status: 400},
		{name: "syntax", body: `{`, status: 400},
		{name: "two values", body: `{"hidden":true} {}`, status: 400},
		{name: "text/plain", contentType: "text/plain", body: `{"hidden":true}`, status: 415},
		{name: "too large", body: `{"speaker_id":"` + strings.Repeat("x", MaxJSONBody) + `"}`, status: 413},
		{name: "unknown quote", id: a0.ArticleID + "-99", body: `{"hidden":true}`, status: 404},
		{name: "malformed quote id", id: "nope", body: `{"hidden":true}`, status: 404},
		{name: "unknown quote, bad If-Match", id: a0.ArticleID + "-99", body: `{"hidden":true}`, headers: []string{"If-Match", `"x"`}, status: 404},
		{name: "stale If-Match", body: `{"hidden":true}`, headers: []string{"If-Match", `"2"`}, status: 412},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := tc.id
			if id == "" {
				id = a0.ID
			}
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			w := f.do("PATCH", "/v1/quotes/"+id, tc.body, append([]string{"Content-Type", ct}, tc.headers...)...)
			if w.Code != tc.status {
				t.Fatalf("PATCH %s %.60s = %d, want %d; body %.300s", id, tc.body, w.Code, tc.status, w.Body)
			}
			p := checkProblem(t, w, tc.status)
			if tc.fields != nil {
				checkFields(t, p, tc.fields)
			}
		})
	}
	// Nothing changed.
	var q QuoteDetail
	w := f.json("GET", "/v1/quotes/"+a0.ID, nil, http.StatusOK, &q)
	if w.Header().Get("ETag") != `"1"` || q.Corrected || q.Hidden || q.SpeakerID != a0.SpeakerID {
		t.Errorf("after failed corrections: ETag %s, %+v", w.Header().Get("ETag"), q)
	}
}

// conflictStore loses every correction's race.
type conflictStore struct{ Store }

func (conflictStore) CorrectQuote(ctx context.Context, id string, p attribution.QuotePatch, by string, ifVersion int64) (attribution.StoredQuote, error) {
	return attribution.StoredQuote{}, fmt.Errorf("correct quote %s: changed by other corrections 10 times in a row; try again: %w", id, attribution.ErrConflict)
}

// TestPatchQuoteConflict: a correction that keeps losing to others is a
// 409 (the store's retries are tested in mongostore).
func TestPatchQuoteConflict(t *testing.T) {
	st := newTestStore(t)
	s, err := New(Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: conflictStore{st},
		Extractor: testExtractor, OpenAPI: api.OpenAPIJSON()})
	if err != nil {
		t.Fatal(err)
	}
	a := &testAPI{t: t, srv: s, h: s.Handler(), store: st}
	w := a.do("PATCH", "/v1/quotes/67b4591cb2a1f1a2c3d4e5f6-0", `{"hidden":true}`, "Content-Type", "application/json")
	if w.Code != http.StatusConflict {
		t.Fatalf("PATCH = %d, want 409; body %s", w.Code, w.Body)
	}
	checkProblem(t, w, http.StatusConflict)
}

// TestCorrectionSurvivesReingest: posting the same article again (by URL
// or by text, alone, in a batch, or over a real connection), and finishing
// it when it was left pending, keeps the correction and its history.
func TestCorrectionSurvivesReingest(t *testing.T) {
	f := newQuoteFixture(t)
	a0, a1 := f.q["A0"], f.q["A1"]
	bergID := attribution.SpeakerID("Jonas Berg")
	corrected, _ := f.patchQuote(a0.ID, `{"speaker_id":"`+bergID+`","hidden":true}`, http.StatusOK)
	f.patchQuote(a1.ID, `{"kind":"mixed"}`, http.StatusOK)

	check := func(step string, qs []attribution.StoredQuote) {
		t.Helper()
		if len(qs) != 2 {
			t.Fatalf("%s: %d quotes, want 2", step, len(qs))
		}
		if q := qs[0]; q.ID != a0.ID || q.SpeakerID != bergID || q.Speaker == nil || q.Speaker.Name != "Jonas Berg" || !q.Hidden || !q.Corrected {
			t.Errorf("%s: A0 = %+v", step, q)
		}
		if q := qs[1]; q.ID != a1.ID || q.Kind != attribution.KindMixed || !q.Corrected {
			t.Errorf("%s: A1 = %+v", step, q)
		}
		var d QuoteDetail
		w := f.json("GET", "/v1/quotes/"+a0.ID, nil, http.StatusOK, &d)
		if w.Header().Get("ETag") != `"2"` || len(d.Corrections) != 1 || !d.Corrections[0].At.Equal(corrected.Corrections[0].At) ||
			d.SpeakerID != bergID || !d.Hidden {
			t.Errorf("%s: GET A0 = ETag %s, %+v", step, w.Header().Get("ETag"), d)
		}
	}

	var res ArticleResponse
	f.json("POST", "/v1/articles", ruizArticle(), http.StatusOK, &res)
	check("same URL", res.Quotes)

	noURL := ruizArticle()
	delete(noURL, "url")
	res = ArticleResponse{}
	f.json("POST", "/v1/articles", noURL, http.StatusOK, &res)
	check("same text", res.Quotes)

	line, _ := json.Marshal(ruizArticle())
	w := f.do("POST", "/v1/articles:batch", string(line)+"\n", "Content-Type", "application/x-ndjson")
	if got := batchResults(t, w.Body.String()); len(got) != 1 || got[0].Status != http.StatusOK {
		t.Errorf("batch re-ingest = %s", w.Body)
	}
	var qs QuotesResponse
	f.json("GET", "/v1/articles/"+a0.ArticleID+"/quotes", nil, http.StatusOK, &qs)
	check("batch", qs.Quotes)

	// Over a real connection.
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	postWire := func(step string) {
		t.Helper()
		resp, err := http.Post(srv.URL+"/v1/articles", "application/json", strings.NewReader(string(line)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var res ArticleResponse
		if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: POST over the wire = %d, %v", step, resp.StatusCode, err)
		}
		check(step, res.Quotes)
	}
	postWire("over the wire")

	// An ingest cut short: the article left pending, A1 never stored.
	// Posting it again finishes it and keeps A0 as corrected (A1 comes
	// back as extracted: its correction went with it). Only the MongoDB
	// store writes an article in steps; the SQLite store writes it in one
	// transaction.
	ms, ok := f.store.(*mongostore.Store)
	if !ok {
		return
	}
	raw := rawTestDB(t, ms.Name())
	ctx := t.Context()
	oid, _ := bson.ObjectIDFromHex(a0.ArticleID)
	if _, err := raw.Collection("articles").UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "pending", Value: true}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Collection("quotes").DeleteOne(ctx, bson.D{{Key: "_id", Value: a1.ID}}); err != nil {
		t.Fatal(err)
	}
	f.patchQuote(a1.ID, `{"hidden":true}`, http.StatusNotFound)
	resp, err := http.Post(srv.URL+"/v1/articles", "application/json", strings.NewReader(string(line)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	res = ArticleResponse{} // decoding into old quotes would keep members the answer omits
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("finishing the pending article over the wire = %d, %v", resp.StatusCode, err)
	}
	if len(res.Quotes) != 2 || res.Quotes[1].Corrected || res.Quotes[1].Kind != a1.Kind {
		t.Fatalf("finished article quotes = %+v", res.Quotes)
	}
	if q := res.Quotes[0]; q.SpeakerID != bergID || !q.Hidden || !q.Corrected {
		t.Errorf("finished article: A0 = %+v", q)
	}
	// Correct A1 again and post once more: both corrections stay.
	f.patchQuote(a1.ID, `{"kind":"mixed"}`, http.StatusOK)
	postWire("after finishing")
}

// rawTestDB opens database name on the test server with a client of its
// own, for changes the API cannot make (an article left pending).
func rawTestDB(t *testing.T, name string) *mongo.Database {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(testURI))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c.Database(name)
}

// FuzzQuotePatch decodes the merge patch of PATCH /v1/quotes/{id}.
func FuzzQuotePatch(f *testing.F) {
	for _, s := range []string{
		`{"speaker_id":"spk_ee5fdda28411dadd"}`,
		`{"speaker_id":null}`,
		`{"speaker_id":""}`,
		`{"kind":"mixed","hidden":true}`,
		`{"kind":null}`,
		`{"kind":"x"}`,
		`{"hidden":"yes"}`,
		`{}`,
		`null`,
		`[]`,
		`{"hidden":true,"hidden":false}`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeQuotePatch(body)
		if err != nil {
			wantClientError(t, "/v1/quotes/67b4591cb2a1f1a2c3d4e5f6-0", err)
			return
		}
		if p.Empty() || (p.Kind != nil && !attribution.ValidKind(*p.Kind)) || (p.SpeakerID != nil && *p.SpeakerID != "" && strings.TrimSpace(*p.SpeakerID) == "") {
			t.Fatalf("accepted patch %+v", p)
		}
	})
}
