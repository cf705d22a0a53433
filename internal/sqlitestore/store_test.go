package sqlitestore_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/extract"
	"github.com/whosaid/whosaid/internal/sqlitestore"
)

func newStore(tb testing.TB) *sqlitestore.Store {
	tb.Helper()
	s, err := sqlitestore.Open(sqlitestore.Options{Path: filepath.Join(tb.TempDir(), sqlitestore.FileName)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close(context.Background()) })
	return s
}

var extractor *extract.Extractor

func mustExtract(tb testing.TB, text string) attribution.Result {
	tb.Helper()
	if extractor == nil {
		x, err := extract.New()
		if err != nil {
			tb.Fatal(err)
		}
		extractor = x
	}
	return attribution.Convert(text, extractor.Extract(text), attribution.UnitCodepoint)
}

func ingest(tb testing.TB, s *sqlitestore.Store, a attribution.Article) attribution.IngestResult {
	tb.Helper()
	res, err := s.IngestArticle(context.Background(), &a, mustExtract(tb, a.Text))
	if err != nil {
		tb.Fatalf("IngestArticle(%q) error = %v", a.Title, err)
	}
	return res
}

func seedArticle(tb testing.TB) attribution.Article {
	tb.Helper()
	b, err := os.ReadFile("../extract/testdata/seed.gold.json")
	if err != nil {
		tb.Fatal(err)
	}
	var g struct{ Text string }
	if err := json.Unmarshal(b, &g); err != nil {
		tb.Fatal(err)
	}
	return attribution.Article{URL: "https://example.com/riyadh", Title: "US, Russian officials begin meeting in Riyadh", Text: g.Text,
		Outlet: "Example Wire", PublishedAt: time.Date(2025, 2, 18, 9, 0, 0, 0, time.UTC)}
}

// The seed article stored, found again, listed by speaker and word, and
// its speakers' figures right before and after a delete.
func TestSeedRoundTrip(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	first := ingest(t, s, seedArticle(t))
	if !first.Created || len(first.Quotes) == 0 {
		t.Fatalf("first ingest: created %v, %d quotes", first.Created, len(first.Quotes))
	}
	for _, q := range first.Quotes {
		if q.Context == nil || q.Context.Start > q.Span.Start || q.Context.End < q.Span.End {
			t.Errorf("quote %s at %v: context %v does not hold it", q.ID, q.Span, q.Context)
		}
	}
	again := ingest(t, s, seedArticle(t))
	if again.Created || again.Article.ID != first.Article.ID || len(again.Quotes) != len(first.Quotes) {
		t.Errorf("second ingest: created %v id %s (want %s), %d quotes", again.Created, again.Article.ID, first.Article.ID, len(again.Quotes))
	}
	peskov, err := s.ResolveSpeaker(ctx, "Dmitry Peskov")
	if err != nil {
		t.Fatalf("ResolveSpeaker(Dmitry Peskov) error = %v", err)
	}
	if peskov.QuoteCount != 2 || len(peskov.Roles) == 0 || peskov.Roles[0] != "Kremlin spokesman" || len(peskov.Outlets) != 1 {
		t.Errorf("Peskov profile = %+v", peskov)
	}
	page, err := s.FindQuotes(ctx, attribution.QuoteQuery{SpeakerID: peskov.ID, PageSize: 1})
	if err != nil || len(page.Quotes) != 1 || page.Next == nil {
		t.Fatalf("first page by Peskov = %+v, %v", page, err)
	}
	page2, err := s.FindQuotes(ctx, attribution.QuoteQuery{SpeakerID: peskov.ID, PageSize: 1, After: page.Next})
	if err != nil || len(page2.Quotes) != 1 || page2.Quotes[0].ID == page.Quotes[0].ID {
		t.Fatalf("second page by Peskov = %+v, %v", page2, err)
	}
	found, _, err := s.SearchSpeakers(ctx, "zelensk", 10, "")
	if err != nil || len(found) != 1 || found[0].Name != "Volodymyr Zelenskyy" {
		t.Fatalf("SearchSpeakers(zelensk) = %+v, %v", found, err)
	}
	if z := found[0]; z.QuoteCount != 4 || z.Counts[attribution.KindMixed] != 3 || z.Counts[attribution.KindIndirect] != 1 {
		t.Errorf("Zelenskyy counts = %d %v, want 4 = 3 mixed + 1 indirect", z.QuoteCount, z.Counts)
	}
	if id, err := s.ResolveSpeakerID(ctx, "ZELENSKÝY"); err != nil || id != found[0].ID {
		t.Errorf("ResolveSpeakerID(ZELENSKÝY) = %q, %v", id, err)
	}
	words, err := s.FindQuotes(ctx, attribution.QuoteQuery{Words: attribution.FoldWords("PRIMARILY devoted"), PageSize: 10})
	if err != nil || len(words.Quotes) != 1 || words.Quotes[0].SpeakerID != peskov.ID {
		t.Errorf("quotes with 'primarily devoted' = %+v, %v", words.Quotes, err)
	}
	later := ingest(t, s, attribution.Article{Text: `"We will not give up land," Zelenskyy said on Friday.`, Outlet: "Other"})
	if len(later.Quotes) != 1 || later.Quotes[0].SpeakerID != found[0].ID {
		t.Fatalf("later article quotes = %+v, want speaker %s", later.Quotes, found[0].ID)
	}
	if z, _ := s.GetSpeaker(ctx, found[0].ID); z.QuoteCount != 5 || len(z.Outlets) != 2 {
		t.Errorf("Zelenskyy after a second article = %d quotes, outlets %v", z.QuoteCount, z.Outlets)
	}
	if err := s.DeleteArticle(ctx, later.Article.ID); err != nil {
		t.Fatal(err)
	}
	if z, _ := s.GetSpeaker(ctx, found[0].ID); z.QuoteCount != 4 || len(z.Outlets) != 1 {
		t.Errorf("Zelenskyy after the delete = %d quotes, outlets %v", z.QuoteCount, z.Outlets)
	}
	if err := s.DeleteArticle(ctx, later.Article.ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("second delete = %v, want ErrNotFound", err)
	}
	// A statement of the seed is found by its words.
	m, err := s.MatchStatements(ctx, "primarily devoted to restoring the whole complex of Russian-American relations", 3)
	if err != nil || len(m) == 0 || m[0].Match != "exact" && m[0].Match != "contained" {
		t.Fatalf("MatchStatements = %+v, %v", m, err)
	}
	// Merge Peskov into Zelenskyy: quotes and figures move.
	merged, err := s.MergeSpeakers(ctx, found[0].ID, []string{peskov.ID})
	if err != nil || merged.QuoteCount != 6 {
		t.Fatalf("merge = %+v, %v", merged, err)
	}
	if _, err := s.GetSpeaker(ctx, peskov.ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("merged speaker still there: %v", err)
	}
	// A correction hides a quote: figures follow.
	q := page.Quotes[0]
	hidden := true
	if _, err := s.CorrectQuote(ctx, q.ID, attribution.QuotePatch{Hidden: &hidden}, "anonymous", 1); err != nil {
		t.Fatal(err)
	}
	kind := attribution.KindDirect
	if _, err := s.CorrectQuote(ctx, q.ID, attribution.QuotePatch{Kind: &kind}, "anonymous", 1); !errors.Is(err, attribution.ErrPrecondition) {
		t.Errorf("stale correction = %v, want ErrPrecondition", err)
	}
	if z, _ := s.GetSpeaker(ctx, found[0].ID); z.QuoteCount != 5 {
		t.Errorf("after hiding one: %d quotes, want 5", z.QuoteCount)
	}
}
