package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

func correctionCases() []testCase {
	return []testCase{
		{"CorrectQuote", testCorrectQuote},
		{"CorrectQuoteErrors", testCorrectQuoteErrors},
		{"CorrectionSurvivesReingest", testCorrectionSurvivesReingest},
	}
}

// correctionFixture stores an article with two quotes of Ana Ruiz (one
// direct, one indirect) and one with a quote of Jonas Berg.
func (e *env) correctionFixture(t *testing.T) (ruiz, berg attribution.IngestResult) {
	t.Helper()
	ruiz = e.ingest(t, ruizCorrectionArticle())
	berg = e.ingest(t, art{outlet: "Daily", published: time.Date(2025, 1, 5, 7, 0, 0, 0, time.UTC), says: []say{
		{words: "Prices will stabilise this year", speaker: "Jonas Berg", role: "economy minister"},
	}})
	return ruiz, berg
}

func ruizCorrectionArticle() art {
	return art{url: "https://example.com/ruiz", outlet: "Harbour Times", byline: "Priya Natarajan", published: time.Date(2025, 2, 18, 8, 30, 0, 0, time.UTC), says: []say{
		{words: "We will rebuild the port by spring", speaker: "Ana Ruiz", role: "mayor"},
		{words: "the café would reopen soon", kind: attribution.KindIndirect, speaker: "Ana Ruiz", as: "Ruiz"},
	}}
}

func testCorrectQuote(t *testing.T, e *env) {
	ruiz, berg := e.correctionFixture(t)
	q0, ruizID, bergID := ruiz.Quotes[0], ruiz.Quotes[0].SpeakerID, berg.Quotes[0].SpeakerID

	// Another speaker: id, name and type are the speaker's; the role and
	// mention of the extraction go.
	got, err := e.s.CorrectQuote(ctx(t), q0.ID, attribution.QuotePatch{SpeakerID: &bergID}, "key_editor1", 1)
	if err != nil {
		t.Fatalf("CorrectQuote(speaker) error = %v", err)
	}
	if got.SpeakerID != bergID || got.Speaker == nil || got.Speaker.Name != "Jonas Berg" || got.Speaker.Type != attribution.SpeakerPerson ||
		got.Speaker.Mention != nil || got.Speaker.Role != "" || got.Version != 2 || !got.Corrected || len(got.History) != 1 {
		t.Fatalf("after the speaker correction: %+v speaker %+v", got, got.Speaker)
	}
	if got.Text != q0.Text || got.Span != q0.Span || got.ArticleID != q0.ArticleID || !got.PublishedAt.Equal(q0.PublishedAt) {
		t.Errorf("the correction changed what it must not: %+v, was %+v", got, q0)
	}
	c := got.History[0]
	if c.By != "key_editor1" || time.Since(c.At) > time.Hour || time.Until(c.At) > time.Minute {
		t.Errorf("correction by %q at %v, want key_editor1 about now", c.By, c.At)
	}
	if c.Before.SpeakerID != ruizID || c.Before.Speaker == nil || *c.Before.Speaker != (attribution.CorrectionSpeaker{Name: "Ana Ruiz", Type: "person"}) ||
		c.Before.Kind != attribution.KindDirect || c.Before.Hidden {
		t.Errorf("correction before = %+v (speaker %+v), want Ana Ruiz, direct, shown", c.Before, c.Before.Speaker)
	}
	if c.After.SpeakerID != bergID || c.After.Speaker == nil || *c.After.Speaker != (attribution.CorrectionSpeaker{Name: "Jonas Berg", Type: "person"}) ||
		c.After.Kind != attribution.KindDirect || c.After.Hidden {
		t.Errorf("correction after = %+v (speaker %+v), want Jonas Berg, direct, shown", c.After, c.After.Speaker)
	}
	stored, err := e.s.GetQuote(ctx(t), q0.ID)
	if err != nil || stored.Version != 2 || stored.SpeakerID != bergID || !stored.Corrected || len(stored.History) != 1 || !stored.History[0].At.Equal(c.At) {
		t.Errorf("GetQuote after the correction = %+v, %v", stored, err)
	}
	if got := e.allQuotes(t, attribution.QuoteQuery{SpeakerID: bergID}, 10); len(got) != 2 {
		t.Errorf("FindQuotes(berg) = %d quotes, want 2", len(got))
	}
	if p, err := e.s.GetSpeaker(ctx(t), ruizID); err != nil || p.QuoteCount != 1 || p.Counts[attribution.KindDirect] != 0 {
		t.Errorf("Ruiz after losing a quote = %d %v, %v; want 1 indirect", p.QuoteCount, p.Counts, err)
	}

	// A stale version is refused and changes nothing.
	if _, err := e.s.CorrectQuote(ctx(t), q0.ID, attribution.QuotePatch{Kind: ref(attribution.KindIndirect)}, "key_editor2", 1); !errors.Is(err, attribution.ErrPrecondition) {
		t.Errorf("CorrectQuote(stale version) error = %v, want ErrPrecondition", err)
	}
	// A correction that changes nothing is not recorded.
	same, err := e.s.CorrectQuote(ctx(t), q0.ID, attribution.QuotePatch{SpeakerID: &bergID, Hidden: ref(false)}, "key_editor2", 2)
	if err != nil || same.Version != 2 || len(same.History) != 1 {
		t.Errorf("CorrectQuote(no change) = version %d, %d corrections, %v; want 2, 1", same.Version, len(same.History), err)
	}

	// Hidden: out of listings and figures, still read by id and with its
	// article.
	hidden, err := e.s.CorrectQuote(ctx(t), q0.ID, attribution.QuotePatch{Hidden: ref(true), Kind: ref(attribution.KindMixed)}, "key_editor2", 2)
	if err != nil || !hidden.Hidden || hidden.Kind != attribution.KindMixed || hidden.Version != 3 || len(hidden.History) != 2 {
		t.Fatalf("CorrectQuote(hidden, kind) = %+v, %v", hidden, err)
	}
	if h := hidden.History[1]; h.By != "key_editor2" || h.Before.Kind != attribution.KindDirect || h.Before.Hidden || h.After.Kind != attribution.KindMixed || !h.After.Hidden ||
		h.Before.SpeakerID != bergID || h.After.SpeakerID != bergID || h.At.Before(hidden.History[0].At) {
		t.Errorf("second correction = %+v", h)
	}
	for _, q := range []attribution.QuoteQuery{{}, {SpeakerID: bergID}, {Words: []string{"port"}}, {Kind: attribution.KindMixed}, {Outlet: "Harbour Times"}} {
		for _, got := range e.allQuotes(t, q, 10) {
			if got.ID == q0.ID {
				t.Errorf("FindQuotes(%+v) lists the hidden quote", q)
			}
		}
	}
	if p, err := e.s.GetSpeaker(ctx(t), bergID); err != nil || p.QuoteCount != 1 || p.Counts[attribution.KindMixed] != 0 || len(p.Outlets) != 1 || p.Outlets[0] != "Daily" ||
		!p.LastQuoted.Equal(berg.Quotes[0].PublishedAt) {
		t.Errorf("Berg's figures with the hidden quote = %+v, %v; want 1 quote in Daily", p, err)
	}
	if qs, err := e.s.ArticleQuotes(ctx(t), ruiz.Article.ID); err != nil || len(qs) != 2 || !qs[0].Hidden || !qs[0].Corrected || qs[1].Corrected {
		t.Errorf("ArticleQuotes = %+v, %v; want both, the first hidden and corrected", qs, err)
	}
	if q, err := e.s.GetQuote(ctx(t), q0.ID); err != nil || !q.Hidden || q.Kind != attribution.KindMixed {
		t.Errorf("GetQuote(hidden) = %+v, %v; want it, hidden and mixed", q, err)
	}
	// Shown again: back in the listings.
	shown, err := e.s.CorrectQuote(ctx(t), q0.ID, attribution.QuotePatch{Hidden: ref(false)}, "key_editor3", 0)
	if err != nil || shown.Hidden || shown.Version != 4 {
		t.Fatalf("CorrectQuote(show) = %+v, %v", shown, err)
	}
	if got := e.allQuotes(t, attribution.QuoteQuery{Kind: attribution.KindMixed}, 10); len(got) != 1 || got[0].ID != q0.ID {
		t.Errorf("FindQuotes(mixed) after showing = %v, want the quote", quoteIDs(got))
	}

	// Clearing the attribution: no speaker id, no speaker; the history
	// keeps who it was.
	q1 := ruiz.Quotes[1]
	cleared, err := e.s.CorrectQuote(ctx(t), q1.ID, attribution.QuotePatch{SpeakerID: ref("")}, attribution.AnonymousEditor, 0)
	if err != nil || cleared.SpeakerID != "" || cleared.Speaker != nil || len(cleared.History) != 1 || cleared.Version != 2 {
		t.Fatalf("CorrectQuote(clear) = %+v, %v", cleared, err)
	}
	if h := cleared.History[0]; h.By != attribution.AnonymousEditor || h.Before.SpeakerID != ruizID || h.Before.Speaker == nil || h.Before.Speaker.Name != "Ana Ruiz" ||
		h.After.SpeakerID != "" || h.After.Speaker != nil || h.Before.Kind != attribution.KindIndirect {
		t.Errorf("clearing correction = %+v", h)
	}
	if again, err := e.s.CorrectQuote(ctx(t), q1.ID, attribution.QuotePatch{SpeakerID: ref("")}, "x", 0); err != nil || again.Version != 2 {
		t.Errorf("clearing again = version %d, %v; want no change", again.Version, err)
	}
	if p, err := e.s.GetSpeaker(ctx(t), ruizID); err != nil || p.QuoteCount != 0 {
		t.Errorf("Ruiz after losing both quotes = %d quotes, %v", p.QuoteCount, err)
	}
	// And giving it back.
	back, err := e.s.CorrectQuote(ctx(t), q1.ID, attribution.QuotePatch{SpeakerID: &ruizID}, "x", 2)
	if err != nil || back.SpeakerID != ruizID || back.Speaker == nil || back.Speaker.Name != "Ana Ruiz" || back.Version != 3 {
		t.Errorf("CorrectQuote(give back) = %+v, %v", back, err)
	}
}

func testCorrectQuoteErrors(t *testing.T, e *env) {
	ruiz, _ := e.correctionFixture(t)
	q0 := ruiz.Quotes[0]
	for _, tc := range []struct {
		name    string
		id      string
		patch   attribution.QuotePatch
		version int64
		want    error
		field   string
	}{
		{"unknown quote", ruiz.Article.ID + "-9", attribution.QuotePatch{Hidden: ref(true)}, 0, attribution.ErrNotFound, ""},
		{"no quote id", "", attribution.QuotePatch{Hidden: ref(true)}, 0, attribution.ErrNotFound, ""},
		{"unknown speaker", q0.ID, attribution.QuotePatch{SpeakerID: ref("spk_0000000000000000")}, 0, attribution.ErrInvalid, "speaker_id"},
		{"bad kind", q0.ID, attribution.QuotePatch{Kind: ref(attribution.Kind("quoted"))}, 0, attribution.ErrInvalid, "kind"},
		{"empty", q0.ID, attribution.QuotePatch{}, 0, attribution.ErrInvalid, "speaker_id"},
		{"future version", q0.ID, attribution.QuotePatch{Hidden: ref(true)}, 2, attribution.ErrPrecondition, ""},
	} {
		_, err := e.s.CorrectQuote(ctx(t), tc.id, tc.patch, "x", tc.version)
		var fe *attribution.FieldError
		if !errors.Is(err, tc.want) || (tc.field != "" && (!errors.As(err, &fe) || fe.Field != tc.field)) {
			t.Errorf("%s: CorrectQuote error = %v, want %v on field %q", tc.name, err, tc.want, tc.field)
		}
	}
	if got, err := e.s.GetQuote(ctx(t), q0.ID); err != nil || got.Version != 1 || got.Corrected || len(got.History) != 0 {
		t.Errorf("after the failed corrections: version %d, corrected %v, %v; want untouched", got.Version, got.Corrected, err)
	}
}

// testCorrectionSurvivesReingest: ingesting the same article again, by
// URL or by text, never rewrites a corrected quote.
func testCorrectionSurvivesReingest(t *testing.T, e *env) {
	ruiz, berg := e.correctionFixture(t)
	q0, q1 := ruiz.Quotes[0], ruiz.Quotes[1]
	bergID := berg.Quotes[0].SpeakerID
	corrected, err := e.s.CorrectQuote(ctx(t), q0.ID, attribution.QuotePatch{SpeakerID: &bergID, Hidden: ref(true)}, "key_editor", 0)
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
		if got := qs[1]; got.SpeakerID != q1.SpeakerID || got.Corrected || got.Version != 1 {
			t.Errorf("%s: other quote = %+v", step, got)
		}
		stored, err := e.s.GetQuote(ctx(t), q0.ID)
		if err != nil || stored.SpeakerID != bergID || !stored.Hidden || len(stored.History) != 1 {
			t.Errorf("%s: GetQuote = %+v, %v", step, stored, err)
		}
	}
	res := e.ingest(t, ruizCorrectionArticle())
	if res.Created || res.Article.ID != ruiz.Article.ID {
		t.Fatalf("same URL: created %v id %s", res.Created, res.Article.ID)
	}
	check("same URL", res.Quotes)
	noURL := ruizCorrectionArticle()
	noURL.url = ""
	res = e.ingest(t, noURL)
	if res.Created || res.Article.ID != ruiz.Article.ID {
		t.Fatalf("same text without URL: created %v id %s", res.Created, res.Article.ID)
	}
	check("same text", res.Quotes)
	qs, err := e.s.ArticleQuotes(ctx(t), ruiz.Article.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("ArticleQuotes", qs)
	if p, err := e.s.GetSpeaker(ctx(t), q0.SpeakerID); err != nil || p.QuoteCount != 1 {
		t.Errorf("Ruiz after the re-ingests = %d quotes, %v; want 1", p.QuoteCount, err)
	}
}
