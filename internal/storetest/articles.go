package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/ingest"
)

func articleCases() []testCase {
	return []testCase{
		{"IngestNew", testIngestNew},
		{"IngestAgainByURL", testIngestAgainByURL},
		{"IngestSameTextWithoutURL", testIngestSameTextWithoutURL},
		{"IngestSameTextOtherURL", testIngestSameTextOtherURL},
		{"StoredArticle", testStoredArticle},
		{"IngestInvalid", testIngestInvalid},
		{"IngestExtracted", testIngestExtracted},
		{"GetArticleNotFound", testGetArticleNotFound},
		{"ArticleQuotesInOrder", testArticleQuotesInOrder},
		{"GetQuote", testGetQuote},
		{"DeleteArticle", testDeleteArticle},
		{"IdempotencyKeys", testIdempotencyKeys},
	}
}

func ruizArticle() art {
	return art{
		url: "https://example.com/news/port", title: "Port to reopen", outlet: "Harbour Times",
		published: time.Date(2025, 2, 18, 8, 30, 0, 0, time.FixedZone("CET", 3600)),
		lead:      "Café owners cheered 👍.",
		says: []say{
			{words: "We will rebuild the port by spring", speaker: "Ana Ruiz", role: "mayor"},
			{words: "the café would reopen soon", kind: attribution.KindIndirect, speaker: "Ana Ruiz", as: "Ruiz"},
			{words: "a costly promise", kind: attribution.KindMixed, speaker: "Harbour Board", typ: attribution.SpeakerOrganization},
			{words: "Nobody asked us", speaker: "a fisherman", typ: attribution.SpeakerAnonymous},
			{words: "We were never told"},
		},
	}
}

func testIngestNew(t *testing.T, e *env) {
	a := ruizArticle()
	a.byline = "Priya Natarajan and Li Wei"
	article, res := a.article()
	got, err := e.s.IngestArticle(ctx(t), &article, res)
	if err != nil {
		t.Fatalf("IngestArticle error = %v", err)
	}
	if !got.Created || got.Article.ID == "" || got.Article.CreatedAt.IsZero() {
		t.Fatalf("IngestArticle = created %v, id %q, created_at %v; want created with an id and a time", got.Created, got.Article.ID, got.Article.CreatedAt)
	}
	if time.Since(got.Article.CreatedAt) > time.Hour || time.Until(got.Article.CreatedAt) > time.Minute {
		t.Errorf("created_at = %v, want about now", got.Article.CreatedAt)
	}
	stored, err := e.s.GetArticle(ctx(t), got.Article.ID)
	if err != nil {
		t.Fatalf("GetArticle(%q) error = %v", got.Article.ID, err)
	}
	want := attribution.Article{ID: got.Article.ID, URL: a.url, Title: a.title, Byline: "Priya Natarajan and Li Wei", Text: article.Text, Outlet: a.outlet, Language: "en", Revision: 1}
	if diff := cmp.Diff(want, stored, cmp.FilterPath(func(p cmp.Path) bool {
		n := p.Last().String()
		return n == ".PublishedAt" || n == ".CreatedAt" || n == ".UpdatedAt"
	}, cmp.Ignore())); diff != "" {
		t.Errorf("GetArticle mismatch (-want +got):\n%s", diff)
	}
	if !stored.PublishedAt.Equal(a.published) || !stored.CreatedAt.Equal(got.Article.CreatedAt) || !stored.UpdatedAt.Equal(stored.CreatedAt) {
		t.Errorf("GetArticle times = published %v, created %v, updated %v; want %v, %v, %[2]v", stored.PublishedAt, stored.CreatedAt, stored.UpdatedAt, a.published, got.Article.CreatedAt)
	}
	if stored.Revision != 1 || got.Article.Revision != 1 || !got.Article.UpdatedAt.Equal(got.Article.CreatedAt) {
		t.Errorf("new article: revision %d (ingest answered %d, updated %v); want 1, updated when created", stored.Revision, got.Article.Revision, got.Article.UpdatedAt)
	}
	if len(got.Added) != len(res.Quotes) {
		t.Errorf("new article: Added = %v, want all %d quotes", got.Added, len(res.Quotes))
	}

	if len(got.Quotes) != len(res.Quotes) {
		t.Fatalf("stored %d quotes, want %d", len(got.Quotes), len(res.Quotes))
	}
	ids := map[string]bool{}
	ruiz := ""
	for i, q := range got.Quotes {
		w := res.Quotes[i]
		if q.ID == "" || ids[q.ID] {
			t.Errorf("quote %d id %q: empty or repeated", i, q.ID)
		}
		ids[q.ID] = true
		if q.ArticleID != got.Article.ID || q.Text != w.Text || q.Span != w.Span || q.Kind != w.Kind || q.Outlet != a.outlet || q.URL != a.url {
			t.Errorf("quote %d = %+v, want %+v of article %s in %q at %q", i, q, w, got.Article.ID, a.outlet, a.url)
		}
		if !q.PublishedAt.Equal(a.published) {
			t.Errorf("quote %d published_at = %v, want %v", i, q.PublishedAt, a.published)
		}
		if q.Version != 1 || q.Hidden || q.Corrected || len(q.History) != 0 {
			t.Errorf("new quote %d = version %d, hidden %v, corrected %v, %d corrections; want 1, none", i, q.Version, q.Hidden, q.Corrected, len(q.History))
		}
		switch i {
		case 0, 1:
			if q.SpeakerID == "" || q.Speaker == nil || q.Speaker.Name != "Ana Ruiz" {
				t.Errorf("quote %d speaker = %q %+v, want Ana Ruiz with an id", i, q.SpeakerID, q.Speaker)
			}
			if i == 0 {
				ruiz = q.SpeakerID
			} else if q.SpeakerID != ruiz {
				t.Errorf("quote 1 speaker id %q, want quote 0's %q", q.SpeakerID, ruiz)
			}
		case 2:
			if q.SpeakerID == "" || q.SpeakerID == ruiz {
				t.Errorf("organisation quote speaker id %q, want one of its own", q.SpeakerID)
			}
		case 3, 4:
			if q.SpeakerID != "" {
				t.Errorf("quote %d (speaker %+v) has speaker id %q, want none for anonymous and unattributed", i, q.Speaker, q.SpeakerID)
			}
		}
	}
	if got.Quotes[3].Speaker == nil || got.Quotes[3].Speaker.Name != "a fisherman" || got.Quotes[4].Speaker != nil {
		t.Errorf("anonymous quote speaker %+v, unattributed %+v; want the fisherman kept on the quote, none", got.Quotes[3].Speaker, got.Quotes[4].Speaker)
	}
	p, err := e.s.GetSpeaker(ctx(t), ruiz)
	if err != nil {
		t.Fatalf("GetSpeaker(%q) error = %v", ruiz, err)
	}
	if p.Name != "Ana Ruiz" || p.Type != attribution.SpeakerPerson || !containsString(p.Roles, "mayor") || !containsString(p.Aliases, "Ruiz") {
		t.Errorf("speaker = %+v, want Ana Ruiz, a person, mayor, alias Ruiz", p)
	}
	if p.Version < 1 {
		t.Errorf("speaker version = %d, want at least 1", p.Version)
	}
}

func testIngestAgainByURL(t *testing.T, e *env) {
	first := e.ingest(t, ruizArticle())
	for _, tc := range []struct {
		name string
		edit func(*art)
	}{
		{"same article", func(*art) {}},
		{"same URL, other title and outlet", func(a *art) { a.title, a.outlet = "Another title", "Another outlet" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ruizArticle()
			tc.edit(&a)
			again := e.ingest(t, a)
			checkSameIngest(t, first, again)
			if again.Revised || again.Article.Revision != 1 || len(again.Added) != 0 || again.Article.Title != first.Article.Title {
				t.Errorf("the same text again = revised %v, revision %d, added %v, title %q; want nothing written", again.Revised, again.Article.Revision, again.Added, again.Article.Title)
			}
		})
	}
}

func checkSameIngest(t *testing.T, first, again attribution.IngestResult) {
	t.Helper()
	if again.Created || again.Article.ID != first.Article.ID {
		t.Errorf("ingest again = created %v, id %q; want not created, %q", again.Created, again.Article.ID, first.Article.ID)
	}
	if again.Article.Text != first.Article.Text || !again.Article.CreatedAt.Equal(first.Article.CreatedAt) {
		t.Errorf("ingest again answered text %q created %v, want the stored %q created %v", again.Article.Text, again.Article.CreatedAt, first.Article.Text, first.Article.CreatedAt)
	}
	if diff := cmp.Diff(quoteIDs(first.Quotes), quoteIDs(again.Quotes)); diff != "" {
		t.Errorf("ingest again quote ids (-first +again):\n%s", diff)
	}
	if diff := cmp.Diff(quoteTexts(first.Quotes), quoteTexts(again.Quotes)); diff != "" {
		t.Errorf("ingest again quote texts (-first +again):\n%s", diff)
	}
}

func testIngestSameTextWithoutURL(t *testing.T, e *env) {
	a := ruizArticle()
	a.url = ""
	first := e.ingest(t, a)
	if !first.Created {
		t.Fatal("first ingest not created")
	}
	again := e.ingest(t, a)
	checkSameIngest(t, first, again)
	// Another text without URL is another article.
	b := a
	b.lead = "Another day."
	other := e.ingest(t, b)
	if !other.Created || other.Article.ID == first.Article.ID {
		t.Errorf("another text = created %v, id %q; want a new article, not %q", other.Created, other.Article.ID, first.Article.ID)
	}
	page, err := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{Words: attribution.FoldWords("rebuild port"), PageSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Quotes) != 2 {
		t.Errorf("quotes of the two articles = %d, want 2 (the repeat stored nothing)", len(page.Quotes))
	}
}

func testIngestInvalid(t *testing.T, e *env) {
	for _, tc := range []struct {
		name  string
		a     attribution.Article
		field string
	}{
		{"empty text", attribution.Article{Text: ""}, "text"},
		{"blank text", attribution.Article{Text: " \n\t "}, "text"},
		{"relative url", attribution.Article{Text: "Some text.", URL: "/news/1"}, "url"},
		{"ftp url", attribution.Article{Text: "Some text.", URL: "ftp://example.com/1"}, "url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.a
			_, err := e.s.IngestArticle(ctx(t), &a, attribution.Result{Quotes: []attribution.Quote{}, Speakers: []attribution.Speaker{}})
			var fe *attribution.FieldError
			if !errors.Is(err, attribution.ErrInvalid) || !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("IngestArticle(%+v) error = %v, want ErrInvalid on %q", tc.a, err, tc.field)
			}
		})
	}
	page, err := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{PageSize: 10})
	if err != nil || len(page.Quotes) != 0 {
		t.Errorf("after invalid ingests: %d quotes, %v; want none", len(page.Quotes), err)
	}
}

// testIngestExtracted stores an article through the real extractor and
// checks that the speaker figures agree with what was stored.
func testIngestExtracted(t *testing.T, e *env) {
	res := e.ingestText(t, seedArticle(t))
	if !res.Created || len(res.Quotes) == 0 {
		t.Fatalf("seed ingest = created %v, %d quotes", res.Created, len(res.Quotes))
	}
	counts := map[string]map[attribution.Kind]int{}
	for _, q := range res.Quotes {
		if q.SpeakerID == "" {
			continue
		}
		if counts[q.SpeakerID] == nil {
			counts[q.SpeakerID] = map[attribution.Kind]int{}
		}
		counts[q.SpeakerID][q.Kind]++
	}
	if len(counts) == 0 {
		t.Fatal("the seed article has no quote with a speaker id")
	}
	for id, want := range counts {
		p, err := e.s.GetSpeaker(ctx(t), id)
		if err != nil {
			t.Fatalf("GetSpeaker(%q) error = %v", id, err)
		}
		total := 0
		for _, k := range []attribution.Kind{attribution.KindDirect, attribution.KindMixed, attribution.KindIndirect} {
			total += want[k]
			if p.Counts[k] != want[k] {
				t.Errorf("%s counts[%s] = %d, want %d", p.Name, k, p.Counts[k], want[k])
			}
		}
		if p.QuoteCount != total || len(p.Outlets) != 1 || p.Outlets[0] != "Example Wire" {
			t.Errorf("%s = %d quotes in %v, want %d in Example Wire", p.Name, p.QuoteCount, p.Outlets, total)
		}
		if !p.FirstQuoted.Equal(seedPublished) || !p.LastQuoted.Equal(seedPublished) {
			t.Errorf("%s quoted %v to %v, want %v", p.Name, p.FirstQuoted, p.LastQuoted, seedPublished)
		}
		if r, err := e.s.ResolveSpeaker(ctx(t), p.Name); err != nil || r.ID != id {
			t.Errorf("ResolveSpeaker(%q) = %q, %v; want %q", p.Name, r.ID, err, id)
		}
	}
	again := e.ingestText(t, seedArticle(t))
	checkSameIngest(t, res, again)
}

func testGetArticleNotFound(t *testing.T, e *env) {
	deleted := e.ingest(t, ruizArticle())
	if err := e.s.DeleteArticle(ctx(t), deleted.Article.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", "not-an-id", "000000000000000000000000", deleted.Article.ID} {
		if _, err := e.s.GetArticle(ctx(t), id); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("GetArticle(%q) error = %v, want ErrNotFound", id, err)
		}
		if _, err := e.s.ArticleQuotes(ctx(t), id); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("ArticleQuotes(%q) error = %v, want ErrNotFound", id, err)
		}
		if err := e.s.DeleteArticle(ctx(t), id); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("DeleteArticle(%q) error = %v, want ErrNotFound", id, err)
		}
	}
}

func testArticleQuotesInOrder(t *testing.T, e *env) {
	var says []say
	for i := range 12 {
		says = append(says, say{words: "Point number " + string(rune('a'+i)) + " stands", speaker: []string{"Ana Ruiz", "Jonas Berg", ""}[i%3]})
	}
	res := e.ingest(t, art{outlet: "Gazette", published: day(1), says: says})
	got, err := e.s.ArticleQuotes(ctx(t), res.Article.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(quoteIDs(res.Quotes), quoteIDs(got)); diff != "" {
		t.Errorf("ArticleQuotes ids (-ingest +stored):\n%s", diff)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Span.Start <= got[i-1].Span.Start {
			t.Errorf("ArticleQuotes[%d] starts at %d, after %d: not in text order", i, got[i].Span.Start, got[i-1].Span.Start)
		}
	}
	empty := e.ingest(t, art{lead: "Nothing was said today."})
	if qs, err := e.s.ArticleQuotes(ctx(t), empty.Article.ID); err != nil || len(qs) != 0 {
		t.Errorf("ArticleQuotes(article without quotes) = %d, %v; want none, no error", len(qs), err)
	}
}

func testGetQuote(t *testing.T, e *env) {
	res := e.ingest(t, ruizArticle())
	for _, want := range res.Quotes {
		got, err := e.s.GetQuote(ctx(t), want.ID)
		if err != nil {
			t.Fatalf("GetQuote(%q) error = %v", want.ID, err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
			t.Errorf("GetQuote(%q) mismatch (-ingest +stored):\n%s", want.ID, diff)
		}
	}
	for _, id := range []string{"", "nope", res.Article.ID, res.Article.ID + "-99"} {
		if _, err := e.s.GetQuote(ctx(t), id); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("GetQuote(%q) error = %v, want ErrNotFound", id, err)
		}
	}
}

func testDeleteArticle(t *testing.T, e *env) {
	first := e.ingest(t, art{outlet: "Gazette", published: day(1), says: []say{{words: "We will rebuild", speaker: "Ana Ruiz"}}})
	second := e.ingest(t, art{outlet: "Herald", published: day(5), says: []say{{words: "The port is open", speaker: "Ana Ruiz"}}})
	ruiz := e.speakerID(t, "Ana Ruiz")
	if err := e.s.DeleteArticle(ctx(t), first.Article.ID); err != nil {
		t.Fatalf("DeleteArticle error = %v", err)
	}
	if _, err := e.s.GetArticle(ctx(t), first.Article.ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetArticle(deleted) error = %v, want ErrNotFound", err)
	}
	if _, err := e.s.GetQuote(ctx(t), first.Quotes[0].ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetQuote(quote of deleted) error = %v, want ErrNotFound", err)
	}
	if err := e.s.DeleteArticle(ctx(t), first.Article.ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("second DeleteArticle error = %v, want ErrNotFound", err)
	}
	p, err := e.s.GetSpeaker(ctx(t), ruiz)
	if err != nil {
		t.Fatal(err)
	}
	if p.QuoteCount != 1 || p.Counts[attribution.KindDirect] != 1 || !p.FirstQuoted.Equal(day(5)) || !p.LastQuoted.Equal(day(5)) ||
		!cmp.Equal(p.Outlets, []string{"Herald"}) {
		t.Errorf("speaker after delete = %d quotes %v, %v to %v, outlets %v; want 1 direct on day 5 in Herald",
			p.QuoteCount, p.Counts, p.FirstQuoted, p.LastQuoted, p.Outlets)
	}
	if got := quoteIDs(e.allQuotes(t, attribution.QuoteQuery{}, 10)); !cmp.Equal(got, quoteIDs(second.Quotes)) {
		t.Errorf("FindQuotes after delete = %v, want %v", got, quoteIDs(second.Quotes))
	}
	if got := e.allQuotes(t, attribution.QuoteQuery{SpeakerID: ruiz}, 10); len(got) != 1 {
		t.Errorf("FindQuotes(speaker) after delete = %d quotes, want 1", len(got))
	}
	// The same article can be stored again.
	again := e.ingest(t, art{outlet: "Gazette", published: day(1), says: []say{{words: "We will rebuild", speaker: "Ana Ruiz"}}})
	if !again.Created {
		t.Error("ingest after delete: not created")
	}
	if p, _ := e.s.GetSpeaker(ctx(t), ruiz); p.QuoteCount != 2 {
		t.Errorf("speaker after re-ingest = %d quotes, want 2", p.QuoteCount)
	}
}

func testIdempotencyKeys(t *testing.T, e *env) {
	c := ctx(t)
	if _, _, err := e.s.LookupIdempotencyKey(c, "k1"); !errors.Is(err, attribution.ErrNotFound) {
		t.Fatalf("LookupIdempotencyKey(new) error = %v, want ErrNotFound", err)
	}
	if err := e.s.SaveIdempotencyKey(c, "k1", "a1", "h1"); err != nil {
		t.Fatalf("SaveIdempotencyKey error = %v", err)
	}
	if err := e.s.SaveIdempotencyKey(c, "k1", "a1", "h1"); err != nil {
		t.Errorf("SaveIdempotencyKey(same article again) = %v, want nil", err)
	}
	if err := e.s.SaveIdempotencyKey(c, "k1", "a2", "h2"); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("SaveIdempotencyKey(another article) = %v, want ErrConflict", err)
	}
	if id, h, err := e.s.LookupIdempotencyKey(c, "k1"); err != nil || id != "a1" || h != "h1" {
		t.Errorf("LookupIdempotencyKey = %q %q %v, want a1 h1", id, h, err)
	}
	if err := e.s.SaveIdempotencyKey(c, "k2", "a2", "h2"); err != nil {
		t.Errorf("SaveIdempotencyKey(another key) = %v", err)
	}
	if id, _, err := e.s.LookupIdempotencyKey(c, "k2"); err != nil || id != "a2" {
		t.Errorf("LookupIdempotencyKey(k2) = %q, %v; want a2", id, err)
	}
}

// testIngestSameTextOtherURL: an article is the one stored before only by
// its URL (or, without URL, by its text); the same text under another URL,
// as a wire story republished by another outlet, is an article of its own.
func testIngestSameTextOtherURL(t *testing.T, e *env) {
	a := ruizArticle()
	first := e.ingest(t, a)
	b := a
	b.url = "https://other.example/news/port"
	b.outlet = "Other Daily"
	article, res := b.article()
	other, err := e.s.IngestArticle(ctx(t), &article, res)
	if err != nil {
		t.Fatalf("IngestArticle(same text, another URL) error = %v, want a new article", err)
	}
	if !other.Created || other.Article.ID == first.Article.ID || other.Article.URL != b.url {
		t.Fatalf("same text, another URL = created %v, id %s (first %s), url %q; want a new article", other.Created, other.Article.ID, first.Article.ID, other.Article.URL)
	}
	for i, q := range other.Quotes {
		if q.ID == first.Quotes[i].ID || q.ArticleID != other.Article.ID || q.Outlet != "Other Daily" {
			t.Errorf("quote %d of the second article = %s of %s in %q; want its own", i, q.ID, q.ArticleID, q.Outlet)
		}
	}
	ruiz := e.speakerID(t, "Ana Ruiz")
	if p, err := e.s.GetSpeaker(ctx(t), ruiz); err != nil || p.QuoteCount != 4 || !cmp.Equal(p.Outlets, []string{"Harbour Times", "Other Daily"}) {
		t.Errorf("speaker = %d quotes in %q, %v; want 4 in both outlets", p.QuoteCount, p.Outlets, err)
	}
	// The same text without URL is still the first one stored.
	c := a
	c.url = ""
	if again := e.ingest(t, c); again.Created || again.Article.ID != first.Article.ID {
		t.Errorf("same text without URL = created %v, id %s; want the first, %s", again.Created, again.Article.ID, first.Article.ID)
	}
}

// testStoredArticle: a store that answers a stored article without its
// extraction (ingest.Finder) answers what IngestArticle would.
func testStoredArticle(t *testing.T, e *env) {
	f, ok := e.s.(ingest.Finder)
	if !ok {
		t.Skipf("%T implements no ingest.Finder", e.s)
	}
	find := func(a art) (attribution.IngestResult, error) {
		article, _ := a.article()
		return f.StoredArticle(ctx(t), &article)
	}
	if _, err := find(ruizArticle()); !errors.Is(err, attribution.ErrNotFound) {
		t.Fatalf("StoredArticle(new) error = %v, want ErrNotFound", err)
	}
	first := e.ingest(t, ruizArticle())
	bergID := first.Quotes[2].SpeakerID
	corrected, err := e.s.CorrectQuote(ctx(t), first.Quotes[0].ID, attribution.QuotePatch{SpeakerID: &bergID}, "key_editor", 0)
	if err != nil {
		t.Fatal(err)
	}
	first.Quotes[0] = corrected
	for _, tc := range []struct {
		name string
		edit func(*art)
	}{
		{"same article", func(*art) {}},
		{"same text without URL", func(a *art) { a.url = "" }},
	} {
		a := ruizArticle()
		tc.edit(&a)
		got, err := find(a)
		if err != nil {
			t.Errorf("%s: StoredArticle error = %v", tc.name, err)
			continue
		}
		checkSameIngest(t, first, got)
		if q := got.Quotes[0]; q.SpeakerID != bergID || q.Version != corrected.Version || len(q.History) != 1 {
			t.Errorf("%s: StoredArticle answered the corrected quote as %q version %d, want %q version %d", tc.name, q.SpeakerID, q.Version, bergID, corrected.Version)
		}
	}
	other := ruizArticle()
	other.url = "https://other.example/news/port"
	if _, err := find(other); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("StoredArticle(same text, another URL) error = %v, want ErrNotFound", err)
	}
	// Another text at the URL is a revision to extract and store.
	updated := ruizArticle()
	updated.lead = "Updated."
	if _, err := find(updated); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("StoredArticle(same URL, other text) error = %v, want ErrNotFound (a new revision)", err)
	}
	if err := e.s.DeleteArticle(ctx(t), first.Article.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := find(ruizArticle()); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("StoredArticle(deleted) error = %v, want ErrNotFound", err)
	}
}
