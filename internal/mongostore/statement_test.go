package mongostore_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

func fixture(tb testing.TB, name string) string {
	tb.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// statementOf returns the statement id of the direct quote of res whose
// text starts with prefix.
func statementOf(tb testing.TB, res attribution.IngestResult, prefix string) attribution.StoredQuote {
	tb.Helper()
	for _, q := range res.Quotes {
		if len(q.Text) >= len(prefix) && q.Text[:len(prefix)] == prefix {
			return q
		}
	}
	tb.Fatalf("no quote starting %q in %+v", prefix, res.Quotes)
	return attribution.StoredQuote{}
}

func TestStatementsAcrossOutlets(t *testing.T) {
	t.Parallel()
	s := openStore(t, testURI, testDBName(t))
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	// The fuller, later report is stored first.
	gazette := ingest(t, s, attribution.Article{URL: "https://gazette.example/bridges", Title: "Governor promises bridges",
		Outlet: "Example Gazette", Text: fixture(t, "statement_gazette.txt"), PublishedAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
	courier := ingest(t, s, attribution.Article{URL: "https://courier.example/floods", Title: "Flood repairs",
		Outlet: "Example Courier", Text: fixture(t, "statement_courier.txt"), PublishedAt: time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)})
	vos := ingest(t, s, attribution.Article{URL: "https://other.example/vos", Outlet: "Other Daily",
		Text:        "\u201cWe will rebuild every bridge in this province before the winter comes,\u201d said Pieter Vos, a local mayor.",
		PublishedAt: time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC)})

	gq := statementOf(t, gazette, "We will rebuild")
	cq := statementOf(t, courier, "We will rebuild")
	vq := statementOf(t, vos, "We will rebuild")
	if gq.StatementID == "" || gq.StatementID != cq.StatementID {
		t.Fatalf("the two reports are statements %q and %q, want one", gq.StatementID, cq.StatementID)
	}
	if vq.StatementID == "" || vq.StatementID == gq.StatementID {
		t.Errorf("the same words by another speaker joined the statement %q", vq.StatementID)
	}
	if bq := statementOf(t, gazette, "The money"); bq.StatementID == "" || bq.StatementID == gq.StatementID {
		t.Errorf("Berg's quote has statement %q", bq.StatementID)
	}
	for _, q := range courier.Quotes {
		if q.Kind == attribution.KindIndirect && q.StatementID != "" {
			t.Errorf("indirect speech %q has a statement", q.Text)
		}
	}

	st, err := s.GetStatement(ctx, gq.StatementID)
	if err != nil {
		t.Fatal(err)
	}
	if st.OccurrenceCount != 2 || len(st.Occurrences) != 2 {
		t.Fatalf("statement has %d occurrences, want 2: %+v", st.OccurrenceCount, st)
	}
	if st.FirstSeen.URL != "https://courier.example/floods" || st.Occurrences[1].URL != "https://gazette.example/bridges" {
		t.Errorf("first seen %q, occurrences %+v; want the courier (published first) first", st.FirstSeen.URL, st.Occurrences)
	}
	if st.Speaker == nil || st.Speaker.Name != "Clara Jansen" {
		t.Errorf("speaker %+v, want the fullest name, Clara Jansen", st.Speaker)
	}
	if st.Text != gq.Text {
		t.Errorf("text %q, want the longest report %q", st.Text, gq.Text)
	}
	if st.Occurrences[0].Speaker != "Jansen" || st.Occurrences[0].Outlet != "Example Courier" {
		t.Errorf("courier occurrence %+v", st.Occurrences[0])
	}
	// Ingesting again adds nothing.
	ingest(t, s, attribution.Article{URL: "https://courier.example/floods", Text: fixture(t, "statement_courier.txt")})
	if again, _ := s.GetStatement(ctx, gq.StatementID); again.OccurrenceCount != 2 {
		t.Errorf("after a re-ingest: %d occurrences", again.OccurrenceCount)
	}
	// The quote links to it.
	if q, err := s.GetQuote(ctx, cq.ID); err != nil || q.StatementID != gq.StatementID {
		t.Errorf("GetQuote = %+v, %v", q.StatementID, err)
	}

	// A paraphrase with a word dropped and one changed finds it first.
	ms, err := s.MatchStatements(ctx, "we will rebuild every bridge in the province before winter comes", 5)
	if err != nil || len(ms) == 0 {
		t.Fatalf("MatchStatements = %v, %v", ms, err)
	}
	if ms[0].Match != "near" || ms[0].Score < 0.6 || ms[0].Score >= 0.9 {
		t.Errorf("best match %s %.2f, want near", ms[0].Match, ms[0].Score)
	}
	found := map[string]bool{}
	for _, m := range ms {
		found[m.Statement.ID] = true
	}
	if !found[gq.StatementID] || !found[vq.StatementID] {
		t.Errorf("matches %v lack Jansen's or Vos's statement", found)
	}
	ms, err = s.MatchStatements(ctx, "rebuild every bridge in this province", 5)
	if err != nil || len(ms) == 0 || ms[0].Match != "contained" {
		t.Errorf("partial text: %+v, %v", ms, err)
	}
	if ms, err := s.MatchStatements(ctx, "the harvest was poor and prices rose", 5); err != nil || len(ms) != 0 {
		t.Errorf("unrelated text matched %+v (%v)", ms, err)
	}

	// Deleting the reports removes their occurrences, then the
	// statement.
	if err := s.DeleteArticle(ctx, gazette.Article.ID); err != nil {
		t.Fatal(err)
	}
	if st, err := s.GetStatement(ctx, gq.StatementID); err != nil || st.OccurrenceCount != 1 || st.FirstSeen.URL != "https://courier.example/floods" {
		t.Errorf("after deleting the gazette: %+v, %v", st, err)
	}
	if err := s.DeleteArticle(ctx, courier.Article.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetStatement(ctx, gq.StatementID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("after deleting both: %v, want ErrNotFound", err)
	}
	if _, err := s.GetStatement(ctx, "stm_nope"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("unknown statement: %v", err)
	}
}
