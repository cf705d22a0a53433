package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/whosaid/whosaid/internal/attribution"
)

func quoteCases() []testCase {
	return []testCase{
		{"FindQuotesFilters", testFindQuotesFilters},
		{"FindQuotesPaging", testFindQuotesPaging},
		{"FindQuotesCursorAcrossWrites", testFindQuotesCursorAcrossWrites},
		{"FindQuotesInvalidPageSize", testFindQuotesInvalidPageSize},
	}
}

// newestFirst orders quotes as listings do: by published_at, then id,
// both descending.
func newestFirst(qs []attribution.StoredQuote) []attribution.StoredQuote {
	out := slices.Clone(qs)
	slices.SortFunc(out, func(a, b attribution.StoredQuote) int {
		if c := b.PublishedAt.Compare(a.PublishedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out
}

// checkNewestFirst fails the test when qs is out of listing order or
// holds a quote twice.
func checkNewestFirst(t *testing.T, what string, qs []attribution.StoredQuote) {
	t.Helper()
	seen := map[string]bool{}
	for i, q := range qs {
		if seen[q.ID] {
			t.Errorf("%s: quote %s listed twice", what, q.ID)
		}
		seen[q.ID] = true
		if i == 0 {
			continue
		}
		p := qs[i-1]
		if q.PublishedAt.After(p.PublishedAt) || (q.PublishedAt.Equal(p.PublishedAt) && q.ID >= p.ID) {
			t.Errorf("%s: [%d] %s %v after [%d] %s %v: not newest first by published_at, then id", what, i, q.ID, q.PublishedAt, i-1, p.ID, p.PublishedAt)
		}
	}
}

func testFindQuotesFilters(t *testing.T, e *env) {
	var all []attribution.StoredQuote
	for _, a := range []art{
		{outlet: "Gazette", published: day(1), says: []say{{words: "The harbour will reopen in May", speaker: "Ana Ruiz"}}},
		{outlet: "Herald", published: day(2), says: []say{{words: "The harbour budget is not negotiable", speaker: "Ana Ruiz"}}},
		{outlet: "Gazette", published: day(3), says: []say{
			{words: "the harbour would be dredged next year", kind: attribution.KindIndirect, speaker: "Ana Ruiz"},
			{words: "We will not wait", speaker: "Ana Ruiz", as: "Ruiz"},
		}},
		{outlet: "Gazette", published: day(4), says: []say{
			{words: "Nothing has been decided about the harbour", speaker: "Tomas Berg"},
			{words: "Zoë’s café stays closed", speaker: "Tomas Berg"},
		}},
		{outlet: "Herald", published: day(5), says: []say{{words: "a harbour of hope", kind: attribution.KindMixed, speaker: "Tomas Berg"}}},
	} {
		all = append(all, e.ingest(t, a).Quotes...)
	}
	hidden := all[len(all)-1]
	if _, err := e.s.CorrectQuote(ctx(t), hidden.ID, attribution.QuotePatch{Hidden: ref(true)}, "key_editor", 0); err != nil {
		t.Fatalf("CorrectQuote(hide) error = %v", err)
	}
	ruiz, berg := e.speakerID(t, "Ana Ruiz"), e.speakerID(t, "Tomas Berg")
	only := func(texts ...string) []string {
		var qs []attribution.StoredQuote
		for _, q := range all {
			if slices.Contains(texts, q.Text) {
				qs = append(qs, q)
			}
		}
		if len(qs) != len(texts) {
			t.Fatalf("fixture: %d of %q stored", len(qs), texts)
		}
		return quoteIDs(newestFirst(qs))
	}
	visible := only(quoteTexts(all[:len(all)-1])...)
	ruizAll := only("The harbour will reopen in May", "The harbour budget is not negotiable", "the harbour would be dredged next year", "We will not wait")
	for _, tc := range []struct {
		name string
		q    attribution.QuoteQuery
		want []string
	}{
		{"none", attribution.QuoteQuery{}, visible},
		{"speaker", attribution.QuoteQuery{SpeakerID: ruiz}, only("The harbour will reopen in May", "The harbour budget is not negotiable",
			"the harbour would be dredged next year", "We will not wait")},
		{"speaker without the hidden", attribution.QuoteQuery{SpeakerID: berg}, only("Nothing has been decided about the harbour", "Zoë’s café stays closed")},
		{"words all must appear, folded", attribution.QuoteQuery{Words: attribution.FoldWords("HARBOUR reopen")}, only("The harbour will reopen in May")},
		{"words without diacritics", attribution.QuoteQuery{Words: attribution.FoldWords("cafe ZOE")}, only("Zoë’s café stays closed")},
		{"words none has", attribution.QuoteQuery{Words: attribution.FoldWords("harbour bridge")}, nil},
		{"speaker and words", attribution.QuoteQuery{SpeakerID: ruiz, Words: []string{"harbour"}}, only("The harbour will reopen in May",
			"The harbour budget is not negotiable", "the harbour would be dredged next year")},
		{"kind", attribution.QuoteQuery{Kind: attribution.KindIndirect}, only("the harbour would be dredged next year")},
		{"kind only hidden", attribution.QuoteQuery{Kind: attribution.KindMixed}, nil},
		{"outlet", attribution.QuoteQuery{Outlet: "Herald"}, only("The harbour budget is not negotiable")},
		{"outlet and range", attribution.QuoteQuery{Outlet: "Gazette", From: day(2), To: day(3)}, only("the harbour would be dredged next year", "We will not wait")},
		{"outlet, case and diacritics ignored", attribution.QuoteQuery{Outlet: " hérald "}, only("The harbour budget is not negotiable")},
		{"outlet of no letters", attribution.QuoteQuery{Outlet: "!!"}, nil},
		{"outlet none has", attribution.QuoteQuery{Outlet: "Herald Tribune"}, nil},
		{"from, inclusive", attribution.QuoteQuery{From: day(4)}, only("Nothing has been decided about the harbour", "Zoë’s café stays closed")},
		{"to, inclusive", attribution.QuoteQuery{To: day(1)}, only("The harbour will reopen in May")},
		{"from in another zone", attribution.QuoteQuery{From: day(4).In(time.FixedZone("X", -5*3600))}, only("Nothing has been decided about the harbour", "Zoë’s café stays closed")},
		{"empty range", attribution.QuoteQuery{From: day(2).Add(time.Second), To: day(3).Add(-time.Second)}, nil},
		{"unknown speaker", attribution.QuoteQuery{SpeakerID: "spk_0000000000000000"}, nil},
		{"speaker by name", attribution.QuoteQuery{Speaker: "ANA RUIZ"}, ruizAll},
		{"speaker by alias", attribution.QuoteQuery{Speaker: "ruiz"}, ruizAll},
		{"speaker by id", attribution.QuoteQuery{Speaker: ruiz}, ruizAll},
		{"speaker by name and words", attribution.QuoteQuery{Speaker: "Tomas Berg", Words: []string{"cafe"}}, only("Zoë’s café stays closed")},
		{"speaker naming nobody", attribution.QuoteQuery{Speaker: "Nobody Known"}, nil},
		{"speaker id before speaker", attribution.QuoteQuery{SpeakerID: berg, Speaker: "Ana Ruiz"}, only("Nothing has been decided about the harbour", "Zoë’s café stays closed")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []int{1, 2, 100} {
				got := e.allQuotes(t, tc.q, size)
				if diff := cmp.Diff(tc.want, quoteIDs(got), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("FindQuotes(%+v), %d a page (-want +got):\n%s", tc.q, size, diff)
				}
				for _, q := range got {
					if q.Hidden {
						t.Errorf("FindQuotes(%+v) lists hidden quote %s", tc.q, q.ID)
					}
				}
			}
		})
	}
}

func testFindQuotesPaging(t *testing.T, e *env) {
	var all []attribution.StoredQuote
	for i, published := range []time.Time{day(1), day(2), day(2), day(3), {}} {
		var says []say
		for j := range 4 {
			says = append(says, say{words: fmt.Sprintf("Statement %d of article %d holds", j, i), speaker: []string{"Ana Ruiz", "Jonas Berg"}[j%2]})
		}
		res := e.ingest(t, art{outlet: "Gazette", published: published, lead: fmt.Sprintf("Article %d.", i), says: says})
		if published.IsZero() {
			for _, q := range res.Quotes {
				if !q.PublishedAt.Equal(res.Article.CreatedAt) {
					t.Errorf("quote of an undated article published_at %v, want its created_at %v", q.PublishedAt, res.Article.CreatedAt)
				}
			}
		}
		all = append(all, res.Quotes...)
	}
	want := quoteIDs(newestFirst(all))
	for _, size := range []int{1, 3, 19, 20, 21, 100} {
		got := e.allQuotes(t, attribution.QuoteQuery{}, size)
		checkNewestFirst(t, fmt.Sprintf("%d a page", size), got)
		if diff := cmp.Diff(want, quoteIDs(got)); diff != "" {
			t.Errorf("all quotes, %d a page (-want +got):\n%s", size, diff)
		}
	}
	// A full last page has no next page, or an empty one.
	page, err := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{PageSize: len(all)})
	if err != nil {
		t.Fatal(err)
	}
	if page.Next != nil {
		rest, err := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{PageSize: 10, After: page.Next})
		if err != nil || len(rest.Quotes) != 0 || rest.Next != nil {
			t.Errorf("after a page of all %d: %d more, next %v, %v; want nothing", len(all), len(rest.Quotes), rest.Next, err)
		}
	}
	ruiz := e.speakerID(t, "Ana Ruiz")
	var ruizQuotes []attribution.StoredQuote
	for _, q := range all {
		if q.SpeakerID == ruiz {
			ruizQuotes = append(ruizQuotes, q)
		}
	}
	for _, size := range []int{1, 4, 100} {
		got := e.allQuotes(t, attribution.QuoteQuery{SpeakerID: ruiz}, size)
		if diff := cmp.Diff(quoteIDs(newestFirst(ruizQuotes)), quoteIDs(got)); diff != "" {
			t.Errorf("quotes of one speaker, %d a page (-want +got):\n%s", size, diff)
		}
	}
}

// testFindQuotesCursorAcrossWrites: a cursor continues where its page
// ended even when newer quotes were stored meanwhile, and one made from
// a deleted quote still works.
func testFindQuotesCursorAcrossWrites(t *testing.T, e *env) {
	var all []attribution.StoredQuote
	for i := range 4 {
		res := e.ingest(t, art{published: day(1 + i), lead: fmt.Sprintf("Day %d.", i), says: []say{
			{words: fmt.Sprintf("First remark of day %d", i), speaker: "Ana Ruiz"},
			{words: fmt.Sprintf("Second remark of day %d", i), speaker: "Ana Ruiz"},
		}})
		all = append(all, res.Quotes...)
	}
	want := quoteIDs(newestFirst(all))
	first, err := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{PageSize: 3})
	if err != nil || first.Next == nil {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	e.ingest(t, art{published: day(20), says: []say{{words: "A later remark", speaker: "Ana Ruiz"}}})
	got := quoteIDs(first.Quotes)
	q := attribution.QuoteQuery{PageSize: 3, After: first.Next}
	for q.After != nil {
		page, err := e.s.FindQuotes(ctx(t), q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, quoteIDs(page.Quotes)...)
		q.After = page.Next
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("pages around a new article (-want +got):\n%s", diff)
	}

	// The quote a cursor names is deleted: the walk goes on after it.
	second, err := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{PageSize: 4, From: day(1), To: day(4)})
	if err != nil || second.Next == nil {
		t.Fatalf("page = %+v, %v", second, err)
	}
	gone := second.Quotes[3].ArticleID
	if err := e.s.DeleteArticle(ctx(t), gone); err != nil {
		t.Fatal(err)
	}
	rest := e.allQuotesFrom(t, attribution.QuoteQuery{PageSize: 100, From: day(1), To: day(4), After: second.Next})
	articleOf := map[string]string{}
	for _, q := range all {
		articleOf[q.ID] = q.ArticleID
	}
	var wantRest []string
	for _, id := range want[4:] {
		if articleOf[id] != gone {
			wantRest = append(wantRest, id)
		}
	}
	if diff := cmp.Diff(wantRest, quoteIDs(rest)); diff != "" {
		t.Errorf("after a cursor on a deleted quote (-want +got):\n%s", diff)
	}
}

// allQuotesFrom walks the pages of q from q.After on.
func (e *env) allQuotesFrom(t *testing.T, q attribution.QuoteQuery) []attribution.StoredQuote {
	t.Helper()
	var out []attribution.StoredQuote
	for range 1000 {
		page, err := e.s.FindQuotes(ctx(t), q)
		if err != nil {
			t.Fatalf("FindQuotes(%+v) error = %v", q, err)
		}
		out = append(out, page.Quotes...)
		if page.Next == nil {
			return out
		}
		q.After = page.Next
	}
	t.Fatal("more than 1000 pages")
	return nil
}

func testFindQuotesInvalidPageSize(t *testing.T, e *env) {
	e.ingest(t, art{says: []say{{words: "We will rebuild", speaker: "Ana Ruiz"}}})
	for _, size := range []int{-1, 0, 101} {
		if _, err := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{PageSize: size}); !errors.Is(err, attribution.ErrInvalid) {
			t.Errorf("FindQuotes(page size %d) error = %v, want ErrInvalid", size, err)
		}
	}
	if page, err := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{PageSize: 100}); err != nil || len(page.Quotes) != 1 {
		t.Errorf("FindQuotes(page size 100) = %d quotes, %v; want 1", len(page.Quotes), err)
	}
}
