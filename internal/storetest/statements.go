package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

func statementCases() []testCase {
	return []testCase{
		{"StatementsAcrossArticles", testStatementsAcrossArticles},
		{"MatchStatements", testMatchStatements},
		{"StatementsOfNamesakes", testStatementsOfNamesakes},
	}
}

const (
	bridgeWords     = "We will rebuild every bridge in this province before the winter comes"
	bridgeWordsLong = bridgeWords + ", and local firms will do the work"
)

// statementFixture stores three reports: the fuller, later one first
// (Clara Jansen in the Gazette), the first one (Jansen in the Courier),
// and the same words said by someone else (Pieter Vos).
func (e *env) statementFixture(t *testing.T) (gazette, courier, vos attribution.IngestResult) {
	t.Helper()
	gazette = e.ingest(t, art{url: "https://gazette.example/bridges", outlet: "Example Gazette", published: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), says: []say{
		{words: bridgeWordsLong, speaker: "Clara Jansen", role: "governor"},
		{words: "The money is there for every bridge", speaker: "Jonas Berg"},
	}})
	courier = e.ingest(t, art{url: "https://courier.example/floods", outlet: "Example Courier", published: time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC), says: []say{
		{words: "repairs would start in spring", kind: attribution.KindIndirect, speaker: "Jansen"},
		{words: bridgeWords, speaker: "Jansen"},
	}})
	vos = e.ingest(t, art{url: "https://other.example/vos", outlet: "Other Daily", published: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC), says: []say{
		{words: bridgeWords, speaker: "Pieter Vos", role: "mayor"},
	}})
	return gazette, courier, vos
}

func quoteStarting(t *testing.T, res attribution.IngestResult, prefix string) attribution.StoredQuote {
	t.Helper()
	for _, q := range res.Quotes {
		if strings.HasPrefix(q.Text, prefix) {
			return q
		}
	}
	t.Fatalf("no quote starting %q in %v", prefix, quoteTexts(res.Quotes))
	return attribution.StoredQuote{}
}

func testStatementsAcrossArticles(t *testing.T, e *env) {
	gazette, courier, vos := e.statementFixture(t)
	gq := quoteStarting(t, gazette, "We will rebuild")
	cq := quoteStarting(t, courier, "We will rebuild")
	vq := quoteStarting(t, vos, "We will rebuild")
	if gq.StatementID == "" || gq.StatementID != cq.StatementID {
		t.Fatalf("the two reports of Jansen are statements %q and %q, want one", gq.StatementID, cq.StatementID)
	}
	if vq.StatementID == "" || vq.StatementID == gq.StatementID {
		t.Errorf("the same words by another speaker: statement %q (Jansen's %q), want one of their own", vq.StatementID, gq.StatementID)
	}
	if bq := quoteStarting(t, gazette, "The money"); bq.StatementID == "" || bq.StatementID == gq.StatementID || bq.StatementID == vq.StatementID {
		t.Errorf("Berg's quote has statement %q, want one of its own", bq.StatementID)
	}
	if iq := quoteStarting(t, courier, "repairs"); iq.StatementID != "" {
		t.Errorf("indirect speech %q has statement %q, want none", iq.Text, iq.StatementID)
	}

	st, err := e.s.GetStatement(ctx(t), gq.StatementID)
	if err != nil {
		t.Fatalf("GetStatement error = %v", err)
	}
	if st.ID != gq.StatementID || st.OccurrenceCount != 2 || len(st.Occurrences) != 2 {
		t.Fatalf("statement %s has %d occurrences (%d listed), want 2: %+v", st.ID, st.OccurrenceCount, len(st.Occurrences), st)
	}
	first, second := st.Occurrences[0], st.Occurrences[1]
	if first.QuoteID != cq.ID || first.ArticleID != courier.Article.ID || first.URL != "https://courier.example/floods" || first.Outlet != "Example Courier" ||
		first.Text != bridgeWords || first.Kind != attribution.KindDirect || first.Speaker != "Jansen" || !first.PublishedAt.Equal(cq.PublishedAt) {
		t.Errorf("first occurrence = %+v, want the courier's (published first)", first)
	}
	if second.QuoteID != gq.ID || second.URL != "https://gazette.example/bridges" || second.Speaker != "Clara Jansen" {
		t.Errorf("second occurrence = %+v, want the gazette's", second)
	}
	if st.FirstSeen.QuoteID != cq.ID || st.FirstSeen.URL != "https://courier.example/floods" {
		t.Errorf("first seen = %+v, want the courier's", st.FirstSeen)
	}
	if st.Speaker == nil || st.Speaker.Name != "Clara Jansen" || st.Speaker.ID != gq.SpeakerID {
		t.Errorf("statement speaker %+v, want the fullest name, Clara Jansen (%s)", st.Speaker, gq.SpeakerID)
	}
	if st.Text != bridgeWordsLong {
		t.Errorf("statement text %q, want the longest report %q", st.Text, bridgeWordsLong)
	}
	// The same words by the same speaker in another article join too.
	vos2 := e.ingest(t, art{url: "https://fourth.example/vos", outlet: "Fourth Post", published: time.Date(2026, 1, 20, 8, 0, 0, 0, time.UTC), lead: "Mayors met.", says: []say{
		{words: bridgeWords, speaker: "Pieter Vos"},
	}})
	if got := vos2.Quotes[0].StatementID; got != vq.StatementID {
		t.Errorf("Vos's words again: statement %q, want his %q", got, vq.StatementID)
	}
	if st, err := e.s.GetStatement(ctx(t), vq.StatementID); err != nil || st.OccurrenceCount != 2 || st.FirstSeen.QuoteID != vos2.Quotes[0].ID ||
		st.Occurrences[0].Outlet != "Fourth Post" || st.Occurrences[1].Outlet != "Other Daily" {
		t.Errorf("Vos's statement = %+v, %v; want 2 occurrences, first seen in the Fourth Post (published earlier, stored later)", st, err)
	}
	if q, err := e.s.GetQuote(ctx(t), cq.ID); err != nil || q.StatementID != gq.StatementID {
		t.Errorf("GetQuote(courier's) statement = %q, %v; want %q", q.StatementID, err, gq.StatementID)
	}

	// Ingesting again adds nothing.
	a, res := art{url: "https://courier.example/floods", outlet: "Example Courier", published: time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC), says: []say{
		{words: "repairs would start in spring", kind: attribution.KindIndirect, speaker: "Jansen"},
		{words: bridgeWords, speaker: "Jansen"},
	}}.article()
	if r, err := e.s.IngestArticle(ctx(t), &a, res); err != nil || r.Created || r.Article.ID != courier.Article.ID || len(r.Quotes) != 2 {
		t.Errorf("courier again = created %v, %s, %d quotes, %v; want the stored article", r.Created, r.Article.ID, len(r.Quotes), err)
	}
	if again, err := e.s.GetStatement(ctx(t), gq.StatementID); err != nil || again.OccurrenceCount != 2 || len(again.Occurrences) != 2 {
		t.Errorf("after a re-ingest: %d occurrences, %v; want 2", again.OccurrenceCount, err)
	}

	// Deleting the reports removes their occurrences, then the statement.
	if err := e.s.DeleteArticle(ctx(t), gazette.Article.ID); err != nil {
		t.Fatal(err)
	}
	st, err = e.s.GetStatement(ctx(t), gq.StatementID)
	if err != nil || st.OccurrenceCount != 1 || len(st.Occurrences) != 1 || st.Occurrences[0].QuoteID != cq.ID || st.FirstSeen.QuoteID != cq.ID {
		t.Errorf("after deleting the gazette: %+v, %v; want the courier's occurrence only", st, err)
	}
	if err := e.s.DeleteArticle(ctx(t), courier.Article.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.GetStatement(ctx(t), gq.StatementID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("after deleting both reports: %v, want ErrNotFound", err)
	}
	if st, err := e.s.GetStatement(ctx(t), vq.StatementID); err != nil || st.OccurrenceCount != 2 {
		t.Errorf("Vos's statement after deleting Jansen's reports = %d occurrences, %v; want 2", st.OccurrenceCount, err)
	}
	for _, id := range []string{"stm_nope", "", gq.ID} {
		if _, err := e.s.GetStatement(ctx(t), id); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("GetStatement(%q) error = %v, want ErrNotFound", id, err)
		}
	}
}

func testMatchStatements(t *testing.T, e *env) {
	gazette, _, vos := e.statementFixture(t)
	jansen := quoteStarting(t, gazette, "We will rebuild").StatementID
	vosID := quoteStarting(t, vos, "We will rebuild").StatementID

	ms, err := e.s.MatchStatements(ctx(t), "We will rebuild every bridge in this province before the winter comes!", 5)
	if err != nil || len(ms) < 2 {
		t.Fatalf("MatchStatements(exact) = %+v, %v; want Vos's and Jansen's", ms, err)
	}
	if ms[0].Statement.ID != vosID || ms[0].Match != "exact" || ms[0].Score != 1 {
		t.Errorf("best exact match = %s %s %.2f, want Vos's statement, exact, 1", ms[0].Statement.ID, ms[0].Match, ms[0].Score)
	}
	if ms[1].Statement.ID != jansen || ms[1].Match != "contained" {
		t.Errorf("second match = %s %s %.2f, want Jansen's statement, contained", ms[1].Statement.ID, ms[1].Match, ms[1].Score)
	}
	if ms[0].Statement.OccurrenceCount != 1 || len(ms[0].Statement.Occurrences) != 1 || ms[1].Statement.OccurrenceCount != 2 {
		t.Errorf("matched statements have %d and %d occurrences, want 1 and 2", ms[0].Statement.OccurrenceCount, ms[1].Statement.OccurrenceCount)
	}

	// A paraphrase with a word dropped and one moved finds both, near.
	ms, err = e.s.MatchStatements(ctx(t), "we will rebuild every bridge in the province before winter comes", 5)
	if err != nil || len(ms) == 0 {
		t.Fatalf("MatchStatements(near) = %v, %v", ms, err)
	}
	if ms[0].Match != "near" || ms[0].Score < 0.6 || ms[0].Score >= 0.9 {
		t.Errorf("best near match %s %.2f, want near", ms[0].Match, ms[0].Score)
	}
	found := map[string]bool{}
	for i, m := range ms {
		found[m.Statement.ID] = true
		if i > 0 && m.Score > ms[i-1].Score {
			t.Errorf("match %d scores %.2f, above match %d (%.2f): not best first", i, m.Score, i-1, ms[i-1].Score)
		}
	}
	if !found[jansen] || !found[vosID] {
		t.Errorf("near matches %v lack Jansen's or Vos's statement", found)
	}

	ms, err = e.s.MatchStatements(ctx(t), "rebuild every bridge in this province", 5)
	if err != nil || len(ms) == 0 || ms[0].Match != "contained" || ms[0].Score < 0.9 || ms[0].Score >= 1 {
		t.Errorf("part of the words: %+v, %v; want contained first", ms, err)
	}
	if ms, err := e.s.MatchStatements(ctx(t), "rebuild every bridge in this province", 1); err != nil || len(ms) != 1 {
		t.Errorf("limit 1 gave %d matches, %v", len(ms), err)
	}
	if ms, err := e.s.MatchStatements(ctx(t), "the harvest was poor and prices rose", 5); err != nil || len(ms) != 0 {
		t.Errorf("unrelated text matched %+v (%v)", ms, err)
	}
	if ms, err := e.s.MatchStatements(ctx(t), "", 5); err != nil || len(ms) != 0 {
		t.Errorf("empty text matched %+v (%v)", ms, err)
	}
}

// Two speakers with one surname saying the same words make two statements
// (their ids, derived from words and surname, would be the same): the
// second gets a variant id, in another article or in the same one, and a
// later report of either joins its own.
func testStatementsOfNamesakes(t *testing.T, e *env) {
	day := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	const words = "The harbour wall will be finished before the autumn storms"
	const other = "Every school in the valley will get a new roof this year"
	anna := e.ingest(t, art{url: "https://a.example/1", outlet: "A", published: day, says: []say{{words: words, speaker: "Anna Jansen"}}})
	piet := e.ingest(t, art{url: "https://b.example/2", outlet: "B", published: day.Add(time.Hour), says: []say{{words: words, speaker: "Piet Jansen"}}})
	again := e.ingest(t, art{url: "https://c.example/3", outlet: "C", published: day.Add(2 * time.Hour), says: []say{{words: words, speaker: "Anna Jansen"}}})
	both := e.ingest(t, art{url: "https://d.example/4", outlet: "D", published: day.Add(3 * time.Hour), says: []say{
		{words: other, speaker: "Anna Jansen"}, {words: other, speaker: "Piet Jansen"},
	}})
	aq, pq, gq := quoteStarting(t, anna, "The harbour"), quoteStarting(t, piet, "The harbour"), quoteStarting(t, again, "The harbour")
	if aq.StatementID == "" || pq.StatementID == "" || aq.StatementID == pq.StatementID {
		t.Fatalf("the same words by Anna and Piet Jansen: statements %q and %q, want two", aq.StatementID, pq.StatementID)
	}
	if gq.StatementID != aq.StatementID {
		t.Errorf("Anna Jansen again: statement %q, want hers %q", gq.StatementID, aq.StatementID)
	}
	for id, want := range map[string][]string{aq.StatementID: {aq.ID, gq.ID}, pq.StatementID: {pq.ID}} {
		st, err := e.s.GetStatement(ctx(t), id)
		if err != nil {
			t.Fatalf("GetStatement(%s) error = %v", id, err)
		}
		var got []string
		for _, o := range st.Occurrences {
			got = append(got, o.QuoteID)
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("statement %s occurrences %v, want %v", id, got, want)
		}
	}
	if len(both.Quotes) != 2 || both.Quotes[0].StatementID == "" || both.Quotes[0].StatementID == both.Quotes[1].StatementID {
		t.Fatalf("namesakes with the same words in one article: %+v, want two statements", both.Quotes)
	}
	for _, q := range both.Quotes {
		st, err := e.s.GetStatement(ctx(t), q.StatementID)
		if err != nil || st.OccurrenceCount != 1 || st.Occurrences[0].QuoteID != q.ID {
			t.Errorf("statement %s of %s: %+v, %v; want its one occurrence", q.StatementID, q.ID, st, err)
		}
	}
}
