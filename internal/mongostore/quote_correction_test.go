package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/mongostore"
)

const (
	ruizText = `"We will rebuild the port by spring," said Mayor Ana Ruiz. Ruiz said the café would reopen soon.`
	bergText = `"Prices will stabilise this year," Economy minister Jonas Berg told reporters.`
)

func ref[T any](v T) *T { return &v }

// correctionFixture stores an article with two quotes of Ana Ruiz and one
// with a quote of Jonas Berg.
func correctionFixture(t *testing.T, s *mongostore.Store) (ruiz attribution.IngestResult, berg attribution.IngestResult) {
	t.Helper()
	ruiz = ingest(t, s, attribution.Article{URL: "https://example.com/ruiz", Text: ruizText, Outlet: "Harbour Times",
		PublishedAt: time.Date(2025, 2, 18, 8, 30, 0, 0, time.UTC)})
	berg = ingest(t, s, attribution.Article{Text: bergText, Outlet: "Daily", PublishedAt: time.Date(2025, 1, 5, 7, 0, 0, 0, time.UTC)})
	if len(ruiz.Quotes) != 2 || len(berg.Quotes) != 1 || ruiz.Quotes[0].SpeakerID == "" || berg.Quotes[0].SpeakerID == "" {
		t.Fatalf("fixture: ruiz %+v, berg %+v", ruiz.Quotes, berg.Quotes)
	}
	return ruiz, berg
}

func TestCorrectQuote(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	ruiz, berg := correctionFixture(t, s)
	q0, ruizID, bergID := ruiz.Quotes[0], ruiz.Quotes[0].SpeakerID, berg.Quotes[0].SpeakerID
	if q0.Version != 1 || q0.Corrected || q0.Hidden || len(q0.History) != 0 {
		t.Fatalf("new quote = version %d, corrected %v, hidden %v, history %v; want 1, none", q0.Version, q0.Corrected, q0.Hidden, q0.History)
	}

	// Another speaker: id, name and type are the speaker's; the role and
	// mention of the extractor's attribution go.
	got, err := s.CorrectQuote(ctx, q0.ID, attribution.QuotePatch{SpeakerID: &bergID}, "key_editor1", 1)
	if err != nil {
		t.Fatalf("CorrectQuote(speaker) error = %v", err)
	}
	if got.SpeakerID != bergID || got.Speaker == nil || got.Speaker.Name != "Jonas Berg" || got.Speaker.Type != attribution.SpeakerPerson ||
		got.Speaker.Mention != nil || got.Speaker.Role != "" || got.Version != 2 || !got.Corrected || len(got.History) != 1 {
		t.Fatalf("after the speaker correction: %+v speaker %+v", got, got.Speaker)
	}
	c := got.History[0]
	wantBefore := attribution.CorrectionState{SpeakerID: ruizID, Speaker: &attribution.CorrectionSpeaker{Name: "Ana Ruiz", Type: "person"}, Kind: attribution.KindDirect}
	wantAfter := attribution.CorrectionState{SpeakerID: bergID, Speaker: &attribution.CorrectionSpeaker{Name: "Jonas Berg", Type: "person"}, Kind: attribution.KindDirect}
	if c.By != "key_editor1" || time.Since(c.At) > time.Minute || *c.Before.Speaker != *wantBefore.Speaker || *c.After.Speaker != *wantAfter.Speaker ||
		c.Before.SpeakerID != wantBefore.SpeakerID || c.After.SpeakerID != wantAfter.SpeakerID || c.Before.Kind != "direct" || c.After.Hidden {
		t.Errorf("correction = %+v (before %+v, after %+v)", c, c.Before.Speaker, c.After.Speaker)
	}
	stored, err := s.GetQuote(ctx, q0.ID)
	if err != nil || stored.Version != 2 || stored.SpeakerID != bergID || len(stored.History) != 1 || !stored.History[0].At.Equal(c.At) {
		t.Errorf("GetQuote after the correction = %+v, %v", stored, err)
	}
	// The listing by speaker follows.
	page, err := s.FindQuotes(ctx, attribution.QuoteQuery{SpeakerID: bergID, PageSize: 10})
	if err != nil || len(page.Quotes) != 2 {
		t.Errorf("FindQuotes(berg) = %d quotes, %v; want 2", len(page.Quotes), err)
	}

	// A stale version is refused and changes nothing.
	if _, err := s.CorrectQuote(ctx, q0.ID, attribution.QuotePatch{Kind: ref(attribution.KindIndirect)}, "key_editor2", 1); !errors.Is(err, attribution.ErrPrecondition) {
		t.Errorf("CorrectQuote(stale version) error = %v, want ErrPrecondition", err)
	}
	// A correction that changes nothing is not recorded.
	same, err := s.CorrectQuote(ctx, q0.ID, attribution.QuotePatch{SpeakerID: &bergID, Hidden: ref(false)}, "key_editor2", 2)
	if err != nil || same.Version != 2 || len(same.History) != 1 {
		t.Errorf("CorrectQuote(no change) = version %d, %d corrections, %v; want 2, 1", same.Version, len(same.History), err)
	}

	// Hidden: out of listings and figures, still read by id and with its
	// article.
	hidden, err := s.CorrectQuote(ctx, q0.ID, attribution.QuotePatch{Hidden: ref(true), Kind: ref(attribution.KindMixed)}, "key_editor2", 2)
	if err != nil || !hidden.Hidden || hidden.Kind != attribution.KindMixed || hidden.Version != 3 {
		t.Fatalf("CorrectQuote(hidden, kind) = %+v, %v", hidden, err)
	}
	for _, q := range []attribution.QuoteQuery{{PageSize: 10}, {SpeakerID: bergID, PageSize: 10}, {Words: []string{"port"}, PageSize: 10}} {
		page, err := s.FindQuotes(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range page.Quotes {
			if got.ID == q0.ID {
				t.Errorf("FindQuotes(%+v) lists the hidden quote", q)
			}
		}
	}
	if p, err := s.GetSpeaker(ctx, bergID); err != nil || p.QuoteCount != 1 || p.Counts[attribution.KindMixed] != 0 || len(p.Outlets) != 1 || p.Outlets[0] != "Daily" {
		t.Errorf("Berg's figures with the hidden quote = %+v, %v; want 1 quote in Daily", p, err)
	}
	if qs, err := s.ArticleQuotes(ctx, ruiz.Article.ID); err != nil || len(qs) != 2 || !qs[0].Hidden || !qs[0].Corrected || qs[1].Corrected {
		t.Errorf("ArticleQuotes = %+v, %v; want both, the first hidden and corrected", qs, err)
	}

	// Clearing the attribution: no speaker id, no speaker; the history
	// keeps who it was.
	cleared, err := s.CorrectQuote(ctx, ruiz.Quotes[1].ID, attribution.QuotePatch{SpeakerID: ref("")}, attribution.AnonymousEditor, 0)
	if err != nil || cleared.SpeakerID != "" || cleared.Speaker != nil || len(cleared.History) != 1 {
		t.Fatalf("CorrectQuote(clear) = %+v, %v", cleared, err)
	}
	if h := cleared.History[0]; h.By != "anonymous" || h.Before.SpeakerID != ruizID || h.Before.Speaker == nil || h.Before.Speaker.Name != "Ana Ruiz" ||
		h.After.SpeakerID != "" || h.After.Speaker != nil || h.Before.Kind != attribution.KindIndirect {
		t.Errorf("clearing correction = %+v", h)
	}
	if again, err := s.CorrectQuote(ctx, ruiz.Quotes[1].ID, attribution.QuotePatch{SpeakerID: ref("")}, "x", 0); err != nil || again.Version != 2 {
		t.Errorf("clearing again = version %d, %v; want no change", again.Version, err)
	}
	if p, err := s.GetSpeaker(ctx, ruizID); err != nil || p.QuoteCount != 0 {
		t.Errorf("Ruiz after losing both quotes = %d quotes, %v", p.QuoteCount, err)
	}

	// Errors.
	var fe *attribution.FieldError
	for _, tc := range []struct {
		name  string
		id    string
		patch attribution.QuotePatch
		want  error
		field string
	}{
		{"unknown quote", ruiz.Article.ID + "-9", attribution.QuotePatch{Hidden: ref(true)}, attribution.ErrNotFound, ""},
		{"unknown speaker", q0.ID, attribution.QuotePatch{SpeakerID: ref("spk_0000000000000000")}, attribution.ErrInvalid, "speaker_id"},
		{"bad kind", q0.ID, attribution.QuotePatch{Kind: ref(attribution.Kind("quoted"))}, attribution.ErrInvalid, "kind"},
		{"empty", q0.ID, attribution.QuotePatch{}, attribution.ErrInvalid, "speaker_id"},
	} {
		_, err := s.CorrectQuote(ctx, tc.id, tc.patch, "x", 0)
		if !errors.Is(err, tc.want) || (tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field)) {
			t.Errorf("%s: error = %v, want %v on field %q", tc.name, err, tc.want, tc.field)
		}
	}
	if got, _ := s.GetQuote(ctx, q0.ID); got.Version != 3 {
		t.Errorf("after the failed corrections: version %d, want 3", got.Version)
	}
}

// TestCorrectQuoteConcurrent: corrections made at once are all kept, each
// after the one before (its "before" is the previous "after"), or not
// made at all when they changed nothing. They go through two stores, as
// from two replicas, so that the version guard alone must keep them
// apart.
func TestCorrectQuoteConcurrent(t *testing.T) {
	needAtomicUpdates(t)
	s := newTestStore(t)
	ctx := testContext(t)
	stores := []*mongostore.Store{s, openStore(t, testURI, s.Name())}
	ruiz, berg := correctionFixture(t, s)
	id := ruiz.Quotes[0].ID
	speakers := []string{ruiz.Quotes[0].SpeakerID, berg.Quotes[0].SpeakerID, ""}
	kinds := []attribution.Kind{attribution.KindDirect, attribution.KindMixed, attribution.KindIndirect}
	const n = 12
	var wg sync.WaitGroup
	made := make([]bool, n)
	for i := range n {
		wg.Go(func() {
			by := fmt.Sprintf("key_%02d", i)
			p := attribution.QuotePatch{SpeakerID: &speakers[i%3], Kind: &kinds[(i/3)%3], Hidden: ref(i%2 == 0)}
			got, err := stores[i%len(stores)].CorrectQuote(ctx, id, p, by, 0)
			if err != nil {
				t.Errorf("correction %d: %v", i, err)
				return
			}
			made[i] = len(got.History) > 0 && got.History[len(got.History)-1].By == by
		})
	}
	wg.Wait()
	q, err := s.GetQuote(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, m := range made {
		if m {
			count++
		}
	}
	if len(q.History) != count || q.Version != int64(count)+1 || count == 0 {
		t.Fatalf("%d corrections recorded, version %d; %d callers saw theirs recorded", len(q.History), q.Version, count)
	}
	for i := 1; i < len(q.History); i++ {
		prev, cur := q.History[i-1].After, q.History[i].Before
		if prev.SpeakerID != cur.SpeakerID || prev.Kind != cur.Kind || prev.Hidden != cur.Hidden {
			t.Errorf("correction %d starts from %+v, but %d left %+v: a correction was lost", i, cur, i-1, prev)
		}
	}
	last := q.History[len(q.History)-1].After
	if last.SpeakerID != q.SpeakerID || last.Kind != q.Kind || last.Hidden != q.Hidden {
		t.Errorf("quote %s %s hidden %v, but its last correction left %+v", q.SpeakerID, q.Kind, q.Hidden, last)
	}
}

// TestCorrectionSurvivesReingest: ingesting the same article again, by
// URL or by text, and finishing an article left pending, never rewrite a
// corrected quote.
func TestCorrectionSurvivesReingest(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	ruiz, berg := correctionFixture(t, s)
	q0, q1 := ruiz.Quotes[0], ruiz.Quotes[1]
	bergID := berg.Quotes[0].SpeakerID
	corrected, err := s.CorrectQuote(ctx, q0.ID, attribution.QuotePatch{SpeakerID: &bergID, Hidden: ref(true)}, "key_editor", 0)
	if err != nil {
		t.Fatal(err)
	}
	check := func(step string, qs []attribution.StoredQuote) {
		t.Helper()
		if len(qs) != 2 {
			t.Fatalf("%s: %d quotes, want 2", step, len(qs))
		}
		if got := qs[0]; got.SpeakerID != bergID || got.Speaker == nil || got.Speaker.Name != "Jonas Berg" || !got.Hidden || !got.Corrected ||
			got.Version != corrected.Version || len(got.History) != 1 || got.History[0].By != "key_editor" {
			t.Errorf("%s: corrected quote = %+v", step, got)
		}
		if got := qs[1]; got.SpeakerID != q1.SpeakerID || got.Corrected {
			t.Errorf("%s: other quote = %+v", step, got)
		}
		stored, err := s.GetQuote(ctx, q0.ID)
		if err != nil || stored.SpeakerID != bergID || !stored.Hidden || len(stored.History) != 1 {
			t.Errorf("%s: GetQuote = %+v, %v", step, stored, err)
		}
	}
	art := attribution.Article{URL: "https://example.com/ruiz", Text: ruizText, Outlet: "Harbour Times",
		PublishedAt: time.Date(2025, 2, 18, 8, 30, 0, 0, time.UTC)}
	res := ingest(t, s, art)
	if res.Created || res.Article.ID != ruiz.Article.ID {
		t.Fatalf("same URL: created %v id %s", res.Created, res.Article.ID)
	}
	check("same URL", res.Quotes)
	noURL := art
	noURL.URL = ""
	res = ingest(t, s, noURL)
	if res.Created || res.Article.ID != ruiz.Article.ID {
		t.Fatalf("same text: created %v id %s", res.Created, res.Article.ID)
	}
	check("same text", res.Quotes)

	// An ingest cut short: the article pending, the second quote
	// never stored. The next ingest finishes it and leaves the
	// corrected quote alone.
	raw := rawDB(t, s.Name())
	oid, _ := bson.ObjectIDFromHex(ruiz.Article.ID)
	if _, err := raw.Collection("articles").UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "pending", Value: true}}}, {Key: "$unset", Value: bson.D{{Key: "quote_count", Value: ""}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Collection("quotes").DeleteOne(ctx, bson.D{{Key: "_id", Value: q1.ID}}); err != nil {
		t.Fatal(err)
	}
	res = ingest(t, s, art)
	if res.Created {
		t.Error("finishing a pending article: created, want not")
	}
	check("pending article finished", res.Quotes)
	var a struct {
		Pending    bool `bson:"pending"`
		QuoteCount int  `bson:"quote_count"`
	}
	if err := raw.Collection("articles").FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&a); err != nil || a.Pending || a.QuoteCount != 2 {
		t.Errorf("article after finishing = %+v, %v; want not pending, 2 quotes", a, err)
	}
	if qs, err := s.ArticleQuotes(ctx, ruiz.Article.ID); err != nil {
		t.Error(err)
	} else {
		check("ArticleQuotes", qs)
	}
}

// rawDB is database name on the test server through a client of its own,
// for changes the store's API cannot make.
func rawDB(t *testing.T, name string) *mongo.Database {
	t.Helper()
	c, err := mongo.Connect(options.Client().ApplyURI(testURI))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Disconnect(context.Background()) })
	return c.Database(name)
}
