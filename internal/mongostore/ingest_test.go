package mongostore_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/extract"
	"github.com/whosaid/whosaid/internal/mongostore"
)

func mustExtract(tb testing.TB, text string) attribution.Result {
	tb.Helper()
	x, err := extract.New()
	if err != nil {
		tb.Fatal(err)
	}
	return attribution.Convert(text, x.Extract(text), attribution.UnitCodepoint)
}

func ingest(tb testing.TB, s *mongostore.Store, a attribution.Article) attribution.IngestResult {
	tb.Helper()
	ctx := context.Background()
	res, err := s.IngestArticle(ctx, &a, mustExtract(tb, a.Text))
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

func TestIngestSeed(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	first := ingest(t, s, seedArticle(t))
	if !first.Created || len(first.Quotes) == 0 {
		t.Fatalf("first ingest: created %v, %d quotes", first.Created, len(first.Quotes))
	}
	again := ingest(t, s, seedArticle(t))
	if again.Created || again.Article.ID != first.Article.ID || len(again.Quotes) != len(first.Quotes) {
		t.Errorf("second ingest: created %v id %s (want %s), %d quotes (want %d)", again.Created, again.Article.ID, first.Article.ID, len(again.Quotes), len(first.Quotes))
	}

	peskov, err := s.ResolveSpeaker(ctx, "Dmitry Peskov")
	if err != nil {
		t.Fatalf("ResolveSpeaker(Dmitry Peskov) error = %v", err)
	}
	page, err := s.FindQuotes(ctx, attribution.QuoteQuery{SpeakerID: peskov.ID, PageSize: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Quotes) != 2 || page.Next != nil {
		t.Errorf("quotes by Peskov = %d (next %v), want 2", len(page.Quotes), page.Next)
	}
	for _, q := range page.Quotes {
		if q.Kind != attribution.KindMixed || q.Outlet != "Example Wire" || q.URL == "" {
			t.Errorf("Peskov quote = %+v", q)
		}
	}
	if peskov.QuoteCount != 2 || len(peskov.Roles) == 0 || peskov.Roles[0] != "Kremlin spokesman" {
		t.Errorf("Peskov profile = %+v", peskov)
	}

	found, next, err := s.SearchSpeakers(ctx, "zelensk", 10, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Name != "Volodymyr Zelenskyy" || next != "" {
		t.Fatalf("SearchSpeakers(zelensk) = %+v", found)
	}
	// His statements in the seed: three quotations (mixed: two after
	// "Zelenskyy said", one after "He said") and one indirect.
	if z := found[0]; z.QuoteCount != 4 || z.Counts[attribution.KindMixed] != 3 || z.Counts[attribution.KindIndirect] != 1 {
		t.Errorf("Zelenskyy counts = %d %v, want 4 = 3 mixed + 1 indirect", z.QuoteCount, z.Counts)
	}
	if found[0].FirstQuoted.IsZero() || len(found[0].Outlets) != 1 {
		t.Errorf("Zelenskyy figures = %+v", found[0])
	}
	// The article called him "Zelenskyy" too: that surname is an alias,
	// matched with case and diacritics folded.
	if p, err := s.ResolveSpeaker(ctx, "ZELENSKÝY"); err != nil || p.ID != found[0].ID {
		t.Errorf("ResolveSpeaker(ZELENSKÝY) = %+v, %v", p, err)
	}
	for _, in := range []string{"ZELENSKÝY", found[0].ID} {
		if id, err := s.ResolveSpeakerID(ctx, in); err != nil || id != found[0].ID {
			t.Errorf("ResolveSpeakerID(%q) = %q, %v; want %q", in, id, err, found[0].ID)
		}
	}
	if _, err := s.ResolveSpeakerID(ctx, "spk_0000000000000000"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("ResolveSpeakerID(unknown id) = %v, want ErrNotFound", err)
	}
	// A later article that only says "Zelenskyy" lands on the same speaker.
	later := ingest(t, s, attribution.Article{Text: `"We will not give up land," Zelenskyy said on Friday.`})
	if len(later.Quotes) != 1 || later.Quotes[0].SpeakerID != found[0].ID {
		t.Errorf("later article quotes = %+v, want speaker %s", later.Quotes, found[0].ID)
	}
}

func TestFindQuotesFiltersAndPages(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	day := func(d int) time.Time { return time.Date(2025, 3, d, 12, 0, 0, 0, time.UTC) }
	for i, a := range []attribution.Article{
		{Title: "a", Outlet: "Gazette", PublishedAt: day(1), Text: `"The harbour will reopen in May," said Mayor Ana Ruiz.`},
		{Title: "b", Outlet: "Herald", PublishedAt: day(2), Text: `"The harbour budget is not negotiable," Ana Ruiz told reporters.`},
		{Title: "c", Outlet: "Gazette", PublishedAt: day(3), Text: `Ana Ruiz said the harbour would be dredged next year. "We will not wait," she said.`},
		{Title: "d", Outlet: "Gazette", PublishedAt: day(4), Text: `"Nothing has been decided about the harbour," said Tomas Berg.`},
	} {
		if res := ingest(t, s, a); !res.Created {
			t.Fatalf("article %d not created", i)
		}
	}
	ruiz, err := s.ResolveSpeaker(ctx, "ana ruiz")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		q    attribution.QuoteQuery
		want []string // quote texts, newest first
	}{
		{"speaker", attribution.QuoteQuery{SpeakerID: ruiz.ID}, []string{"We will not wait,", "the harbour would be dredged next year", "The harbour budget is not negotiable,", "The harbour will reopen in May,"}},
		{"words all must appear, folded", attribution.QuoteQuery{Words: attribution.FoldWords("HARBOUR reopen")}, []string{"The harbour will reopen in May,"}},
		{"kind", attribution.QuoteQuery{Kind: attribution.KindIndirect}, []string{"the harbour would be dredged next year"}},
		{"outlet and range", attribution.QuoteQuery{Outlet: "Gazette", From: day(2), To: day(3)}, []string{"We will not wait,", "the harbour would be dredged next year"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// one quote a page, to walk the cursor
			var got []string
			q := tc.q
			q.PageSize = 1
			for i := 0; i < 10; i++ {
				page, err := s.FindQuotes(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for _, qq := range page.Quotes {
					got = append(got, qq.Text)
				}
				if page.Next == nil {
					break
				}
				q.After = page.Next
			}
			if len(got) != len(tc.want) {
				t.Fatalf("FindQuotes = %q, want %q", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("FindQuotes[%d] = %q, want %q", i, got[i], tc.want[i])
				}
			}
		})
	}
	if _, err := s.FindQuotes(ctx, attribution.QuoteQuery{PageSize: 101}); !errors.Is(err, attribution.ErrInvalid) {
		t.Errorf("FindQuotes(page size 101) error = %v, want ErrInvalid", err)
	}
}

func TestDeleteArticleKeepsCountsRight(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	a := ingest(t, s, attribution.Article{Text: `"We will rebuild," said Mayor Ana Ruiz.`})
	ingest(t, s, attribution.Article{Text: `"The port is open," said Ana Ruiz on Monday.`})
	ruiz, _ := s.ResolveSpeaker(ctx, "Ana Ruiz")
	if ruiz.QuoteCount != 2 {
		t.Fatalf("quote count = %d, want 2", ruiz.QuoteCount)
	}
	if err := s.DeleteArticle(ctx, a.Article.ID); err != nil {
		t.Fatal(err)
	}
	ruiz, _ = s.GetSpeaker(ctx, ruiz.ID)
	if ruiz.QuoteCount != 1 {
		t.Errorf("quote count after delete = %d, want 1", ruiz.QuoteCount)
	}
	if _, err := s.ArticleQuotes(ctx, a.Article.ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("ArticleQuotes(deleted) error = %v, want ErrNotFound", err)
	}
	if err := s.DeleteArticle(ctx, a.Article.ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("second DeleteArticle error = %v, want ErrNotFound", err)
	}
	if _, err := s.GetQuote(ctx, a.Quotes[0].ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetQuote(deleted) error = %v", err)
	}
}

func TestSpeakerEditsAndMerge(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	ingest(t, s, attribution.Article{Text: `"We are ready," said Volodymyr Zelensky.`, Outlet: "A"})
	ingest(t, s, attribution.Article{Text: `"We are not ready," said Volodymyr Zelenskyy.`, Outlet: "B"})
	a, err := s.ResolveSpeaker(ctx, "Volodymyr Zelensky")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.ResolveSpeaker(ctx, "Volodymyr Zelenskyy")
	if err != nil || a.ID == b.ID {
		t.Fatalf("two spellings: %+v / %+v, %v", a, b, err)
	}
	// stale version
	name := "Volodymyr Zelenskyy"
	if _, err := s.UpdateSpeaker(ctx, a.ID, attribution.SpeakerPatch{Name: &name}, a.Version+1); !errors.Is(err, attribution.ErrPrecondition) {
		t.Errorf("stale UpdateSpeaker error = %v, want ErrPrecondition", err)
	}
	// a name another speaker has
	if _, err := s.UpdateSpeaker(ctx, a.ID, attribution.SpeakerPatch{Name: &name}, a.Version); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("colliding UpdateSpeaker error = %v, want ErrConflict", err)
	}
	empty := " "
	if _, err := s.UpdateSpeaker(ctx, a.ID, attribution.SpeakerPatch{Name: &empty}, 0); !errors.Is(err, attribution.ErrInvalid) {
		t.Errorf("empty name error = %v, want ErrInvalid", err)
	}
	aliases := []string{"Zelenskiy", "Зеленський"}
	a2, err := s.UpdateSpeaker(ctx, a.ID, attribution.SpeakerPatch{Aliases: &aliases}, a.Version)
	if err != nil || a2.Version != a.Version+1 || len(a2.Aliases) != 2 {
		t.Fatalf("UpdateSpeaker aliases = %+v, %v", a2, err)
	}
	if p, err := s.ResolveSpeaker(ctx, "zelenskiy"); err != nil || p.ID != a.ID {
		t.Errorf("ResolveSpeaker(alias) = %+v, %v", p, err)
	}
	merged, err := s.MergeSpeakers(ctx, b.ID, []string{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if merged.QuoteCount != 2 || len(merged.Outlets) != 2 {
		t.Errorf("merged = %+v, want 2 quotes from 2 outlets", merged)
	}
	if _, err := s.GetSpeaker(ctx, a.ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("merged-away speaker error = %v, want ErrNotFound", err)
	}
	for _, n := range []string{"Volodymyr Zelensky", "Zelenskiy", "ZELENSKYY"} {
		found, _, err := s.SearchSpeakers(ctx, n, 10, "")
		if err != nil || len(found) != 1 || found[0].ID != b.ID {
			t.Errorf("SearchSpeakers(%q) = %+v, %v", n, found, err)
		}
	}
	// later articles with the merged spelling land on the survivor
	ingest(t, s, attribution.Article{Text: `"Kyiv stands," said Volodymyr Zelensky.`})
	if p, _ := s.GetSpeaker(ctx, b.ID); p.QuoteCount != 3 {
		t.Errorf("after a new article, quote count = %d, want 3", p.QuoteCount)
	}
	if _, err := s.MergeSpeakers(ctx, b.ID, []string{b.ID}); !errors.Is(err, attribution.ErrInvalid) {
		t.Errorf("merge into itself error = %v, want ErrInvalid", err)
	}
	if _, err := s.MergeSpeakers(ctx, b.ID, []string{"spk_nope"}); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("merge unknown error = %v, want ErrNotFound", err)
	}
}

func TestIdempotencyKeys(t *testing.T) {
	s := newTestStore(t)
	ctx := context.Background()
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.LookupIdempotencyKey(ctx, "k1"); !errors.Is(err, attribution.ErrNotFound) {
		t.Fatalf("unknown key error = %v", err)
	}
	if err := s.SaveIdempotencyKey(ctx, "k1", "a1", "h1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveIdempotencyKey(ctx, "k1", "a1", "h1"); err != nil {
		t.Errorf("saving the same key again = %v, want nil", err)
	}
	if err := s.SaveIdempotencyKey(ctx, "k1", "a2", "h2"); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("key reused for another article = %v, want ErrConflict", err)
	}
	if id, h, err := s.LookupIdempotencyKey(ctx, "k1"); err != nil || id != "a1" || h != "h1" {
		t.Errorf("LookupIdempotencyKey = %q %q %v", id, h, err)
	}
}

func TestUnavailable(t *testing.T) {
	s, err := mongostore.Open(mongostore.Options{URI: "mongodb://127.0.0.1:1", Database: "x", ServerSelectionTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	_, err = s.FindQuotes(context.Background(), attribution.QuoteQuery{PageSize: 1})
	if !errors.Is(err, attribution.ErrUnavailable) {
		t.Errorf("FindQuotes on a dead server error = %v, want ErrUnavailable", err)
	}
}

// TestDeadlines: every store call works with a context deadline (the HTTP
// API always sets one; the driver then sends maxTimeMS, which the embedded
// store must accept).
func TestDeadlines(t *testing.T) {
	s := newTestStore(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := attribution.Article{Text: `"We will rebuild," said Mayor Ana Ruiz.`, Outlet: "Gazette"}
	res, err := s.IngestArticle(ctx, &a, mustExtract(t, a.Text))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.ResolveSpeaker(ctx, "Ana Ruiz")
	if err != nil || p.QuoteCount != 1 || len(p.Outlets) != 1 || p.Outlets[0] != "Gazette" {
		t.Fatalf("ResolveSpeaker = %+v, %v", p, err)
	}
	if _, _, err := s.SearchSpeakers(ctx, "ana", 10, ""); err != nil {
		t.Errorf("SearchSpeakers: %v", err)
	}
	name := "Ana María Ruiz"
	if _, err := s.UpdateSpeaker(ctx, p.ID, attribution.SpeakerPatch{Name: &name}, p.Version); err != nil {
		t.Errorf("UpdateSpeaker: %v", err)
	}
	if _, err := s.FindQuotes(ctx, attribution.QuoteQuery{SpeakerID: p.ID, Words: []string{"rebuild"}, PageSize: 5}); err != nil {
		t.Errorf("FindQuotes: %v", err)
	}
	if _, err := s.ArticleQuotes(ctx, res.Article.ID); err != nil {
		t.Errorf("ArticleQuotes: %v", err)
	}
	if err := s.DeleteArticle(ctx, res.Article.ID); err != nil {
		t.Errorf("DeleteArticle: %v", err)
	}
}

// TestReingestSameArticle: the same article again, by URL or by text
// without URL, is the stored one with the same quotes; the same text under
// another URL is another article.
func TestReingestSameArticle(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	first := ingest(t, s, seedArticle(t))
	again := ingest(t, s, seedArticle(t))
	if again.Created || again.Article.ID != first.Article.ID || len(again.Quotes) != len(first.Quotes) {
		t.Fatalf("re-ingest = created %v, %d quotes; want the stored article with %d", again.Created, len(again.Quotes), len(first.Quotes))
	}
	for i := range first.Quotes {
		if again.Quotes[i].ID != first.Quotes[i].ID || again.Quotes[i].Text != first.Quotes[i].Text {
			t.Errorf("quote %d = %s %q, want %s %q", i, again.Quotes[i].ID, again.Quotes[i].Text, first.Quotes[i].ID, first.Quotes[i].Text)
		}
	}
	byArticle, err := s.ArticleQuotes(ctx, first.Article.ID)
	if err != nil || len(byArticle) != len(first.Quotes) {
		t.Errorf("ArticleQuotes = %d, %v; want %d", len(byArticle), err, len(first.Quotes))
	}
	noURL := seedArticle(t)
	noURL.URL = ""
	if res := ingest(t, s, noURL); res.Created || res.Article.ID != first.Article.ID {
		t.Errorf("same text without URL = created %v id %s, want the stored %s", res.Created, res.Article.ID, first.Article.ID)
	}
	otherURL := seedArticle(t)
	otherURL.URL = "https://mirror.example/the-same-article"
	mirror := ingest(t, s, otherURL)
	if !mirror.Created || mirror.Article.ID == first.Article.ID || len(mirror.Quotes) != len(first.Quotes) {
		t.Errorf("same text under another URL = created %v id %s, %d quotes; want a new article with %d", mirror.Created, mirror.Article.ID, len(mirror.Quotes), len(first.Quotes))
	}
	if res := ingest(t, s, otherURL); res.Created || res.Article.ID != mirror.Article.ID {
		t.Errorf("the other URL again = created %v id %s, want the stored %s", res.Created, res.Article.ID, mirror.Article.ID)
	}
	// Without URL, the text is the article first stored with it.
	if res := ingest(t, s, noURL); res.Created || res.Article.ID != first.Article.ID {
		t.Errorf("same text without URL, after the mirror = created %v id %s, want %s", res.Created, res.Article.ID, first.Article.ID)
	}
	for _, a := range []attribution.Article{seedArticle(t), otherURL, noURL} {
		got, err := s.StoredArticle(ctx, &a)
		want := first.Article.ID
		if a.URL == otherURL.URL {
			want = mirror.Article.ID
		}
		if err != nil || got.Article.ID != want || len(got.Quotes) != len(first.Quotes) || got.Created {
			t.Errorf("StoredArticle(%q) = %s with %d quotes, %v; want %s", a.URL, got.Article.ID, len(got.Quotes), err, want)
		}
	}
	unknown := attribution.Article{URL: "https://example.com/never", Text: "Never stored."}
	if _, err := s.StoredArticle(ctx, &unknown); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("StoredArticle(new) error = %v, want ErrNotFound", err)
	}
}
