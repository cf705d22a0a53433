package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
)

// revisionCases: syndicated copies, updated articles and corrections
// that reach statements.
func revisionCases() []testCase {
	return []testCase{
		{"Syndication", testSyndication},
		{"Revision", testRevision},
		{"RevisionKeepsCorrections", testRevisionKeepsCorrections},
		{"CorrectionMovesStatement", testCorrectionMovesStatement},
		{"CorrectionLeavesStatement", testCorrectionLeavesStatement},
		{"ConcurrentRevisions", testConcurrentRevisions},
	}
}

const (
	wireWords  = "The harbour will reopen to ferries on the first of April"
	otherWords = "Nobody on the council was told about the closure in advance"
)

// testSyndication: a wire story at two URLs is two articles, each with
// its outlet, date and URL, whose quotes are occurrences of the same
// statements: the first published is first seen.
func testSyndication(t *testing.T, e *env) {
	wire := func(url, outlet string, published time.Time) art {
		return art{url: url, outlet: outlet, published: published, lead: "Ferries return.", says: []say{
			{words: wireWords, speaker: "Ana Ruiz", role: "mayor"},
			{words: "the repairs had cost less than planned", kind: attribution.KindIndirect, speaker: "Ana Ruiz", as: "Ruiz"},
		}}
	}
	later := e.ingest(t, wire("https://daily.example/ferries", "Daily Example", time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)))
	first := e.ingest(t, wire("https://wire.example/ferries", "Wire Example", time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)))
	if !first.Created || first.Article.ID == later.Article.ID || first.Article.Outlet != "Wire Example" || first.Article.URL != "https://wire.example/ferries" {
		t.Fatalf("the copy at another URL = created %v, id %s (other %s), outlet %q, url %q; want an article of its own",
			first.Created, first.Article.ID, later.Article.ID, first.Article.Outlet, first.Article.URL)
	}
	q1, q2 := first.Quotes[0], later.Quotes[0]
	if q1.ID == q2.ID || q1.StatementID == "" || q1.StatementID != q2.StatementID {
		t.Fatalf("the copies' quotes %s, %s are in statements %q, %q; want one statement", q1.ID, q2.ID, q1.StatementID, q2.StatementID)
	}
	st, err := e.s.GetStatement(ctx(t), q1.StatementID)
	if err != nil {
		t.Fatal(err)
	}
	var outlets []string
	for _, o := range st.Occurrences {
		outlets = append(outlets, o.Outlet+" "+o.URL)
	}
	want := []string{"Wire Example https://wire.example/ferries", "Daily Example https://daily.example/ferries"}
	if diff := cmp.Diff(want, outlets); diff != "" || st.OccurrenceCount != 2 || st.FirstSeen.QuoteID != q1.ID || !st.FirstSeen.PublishedAt.Equal(q1.PublishedAt) {
		t.Errorf("statement of the wire story: first seen %s at %v, occurrences (-want +got):\n%s", st.FirstSeen.QuoteID, st.FirstSeen.PublishedAt, diff)
	}
	if st.Speaker == nil || st.Speaker.Name != "Ana Ruiz" {
		t.Errorf("statement speaker = %+v, want Ana Ruiz", st.Speaker)
	}
	ruiz := e.speakerID(t, "Ana Ruiz")
	if p, err := e.s.GetSpeaker(ctx(t), ruiz); err != nil || p.QuoteCount != 4 || !cmp.Equal(p.Outlets, []string{"Daily Example", "Wire Example"}) {
		t.Errorf("speaker = %d quotes in %q, %v; want 4 in both outlets", p.QuoteCount, p.Outlets, err)
	}
	// Each copy again: nothing new.
	again := e.ingest(t, wire("https://wire.example/ferries", "Wire Example", time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)))
	if again.Created || again.Revised || again.Article.ID != first.Article.ID {
		t.Errorf("the copy again = created %v, revised %v, id %s; want the stored %s", again.Created, again.Revised, again.Article.ID, first.Article.ID)
	}
	if st, err := e.s.GetStatement(ctx(t), q1.StatementID); err != nil || st.OccurrenceCount != 2 {
		t.Errorf("after the copy again: %d occurrences, %v; want 2", st.OccurrenceCount, err)
	}
}

// updatedArticle is the first text of an article and its update: the
// first quote kept, the second removed, a new one between, and the third
// kept with other punctuation.
func updatedArticle() (v1, v2 art) {
	v1 = art{url: "https://example.com/news/budget", title: "Budget", outlet: "Harbour Times", published: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC),
		lead: "The council met.", says: []say{
			{words: "We will balance the budget by next year", speaker: "Ana Ruiz", role: "mayor"},
			{words: otherWords, speaker: "Jonas Berg"},
			{words: "The ferry subsidy stays as it is", speaker: "Ana Ruiz", as: "Ruiz"},
		}}
	v2 = v1
	v2.title = "Budget (updated)"
	v2.lead = "The council met on Tuesday. Updated with the mayor's reply."
	v2.says = []say{
		{words: "We will balance the budget by next year", speaker: "Ana Ruiz", role: "mayor"},
		{words: "Every school keeps its funding", speaker: "Ana Ruiz", as: "Ruiz"},
		{words: "the ferry subsidy stays, as it is", speaker: "Ana Ruiz", as: "Ruiz"},
	}
	return v1, v2
}

// checkSpans fails t unless every quote's span holds its text in the
// article's text (code points).
func checkSpans(t *testing.T, step string, text string, qs []attribution.StoredQuote) {
	t.Helper()
	runes := []rune(text)
	for _, q := range qs {
		if q.Span.Start < 0 || q.Span.End > len(runes) || string(runes[q.Span.Start:q.Span.End]) != q.Text {
			t.Errorf("%s: quote %s span %v does not hold %q in the text", step, q.ID, q.Span, q.Text)
		}
		if m := q.Speaker; m != nil && m.Mention != nil && (m.Mention.Span.End > len(runes) || string(runes[m.Mention.Span.Start:m.Mention.Span.End]) != m.Mention.Text) {
			t.Errorf("%s: quote %s mention %+v is not in the text", step, q.ID, m.Mention)
		}
	}
}

func testRevision(t *testing.T, e *env) {
	v1, v2 := updatedArticle()
	first := e.ingest(t, v1)
	if first.Article.Revision != 1 {
		t.Fatalf("first text: revision %d, want 1", first.Article.Revision)
	}
	kept, removed, moved := first.Quotes[0], first.Quotes[1], first.Quotes[2]
	berg := removed.SpeakerID
	time.Sleep(2 * time.Millisecond) // updated_at must be later than created_at
	got := e.ingest(t, v2)
	article, _ := v2.article()
	if got.Created || !got.Revised || got.Article.ID != first.Article.ID || got.Article.Revision != 2 || got.Article.Text != article.Text ||
		got.Article.Title != "Budget (updated)" || !got.Article.CreatedAt.Equal(first.Article.CreatedAt) || !got.Article.UpdatedAt.After(first.Article.CreatedAt) {
		t.Fatalf("update = created %v, revised %v, id %s, revision %d, title %q, created %v, updated %v; want revision 2 of %s, updated after it was created",
			got.Created, got.Revised, got.Article.ID, got.Article.Revision, got.Article.Title, got.Article.CreatedAt, got.Article.UpdatedAt, first.Article.ID)
	}
	if got.Article.Outlet != "Harbour Times" || !got.Article.PublishedAt.Equal(v1.published) {
		t.Errorf("update: outlet %q, published %v; want the article's", got.Article.Outlet, got.Article.PublishedAt)
	}
	// Quote ids: kept ones keep theirs; the new one is numbered after the
	// highest number used (3 quotes: 0..2), never the removed one's.
	newID := first.Article.ID + "-3"
	if diff := cmp.Diff([]string{kept.ID, newID, moved.ID}, quoteIDs(got.Quotes)); diff != "" {
		t.Errorf("quote ids of revision 2 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{newID}, got.Added); diff != "" {
		t.Errorf("Added of revision 2 (-want +got):\n%s", diff)
	}
	checkSpans(t, "revision 2", got.Article.Text, got.Quotes)
	if q := got.Quotes[0]; q.StatementID != kept.StatementID || q.Version != 1 || q.SpeakerID != kept.SpeakerID {
		t.Errorf("kept quote = statement %q version %d speaker %q; want %q, 1, %q", q.StatementID, q.Version, q.SpeakerID, kept.StatementID, kept.SpeakerID)
	}
	if q := got.Quotes[2]; q.StatementID != moved.StatementID || q.Text != "the ferry subsidy stays, as it is" {
		t.Errorf("quote with the same words = statement %q, text %q; want %q and the new text", q.StatementID, q.Text, moved.StatementID)
	}
	if q := got.Quotes[1]; q.StatementID == "" || q.SpeakerID != kept.SpeakerID || q.Text != "Every school keeps its funding" {
		t.Errorf("new quote = %+v; want Ruiz's, in a statement", q)
	}
	stored, err := e.s.GetArticle(ctx(t), first.Article.ID)
	if err != nil || stored.Revision != 2 || stored.Text != article.Text || !stored.UpdatedAt.Equal(got.Article.UpdatedAt) {
		t.Errorf("GetArticle = revision %d, updated %v, %v; want revision 2 with the new text", stored.Revision, stored.UpdatedAt, err)
	}
	if qs, err := e.s.ArticleQuotes(ctx(t), first.Article.ID); err != nil || !cmp.Equal(quoteIDs(qs), quoteIDs(got.Quotes)) {
		t.Errorf("ArticleQuotes = %v, %v; want %v", quoteIDs(qs), err, quoteIDs(got.Quotes))
	}
	// The removed quote is gone: by id, from listings, from its speaker's
	// figures and from its statement (dropped with its only occurrence).
	if _, err := e.s.GetQuote(ctx(t), removed.ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetQuote(removed) error = %v, want ErrNotFound", err)
	}
	if _, err := e.s.GetStatement(ctx(t), removed.StatementID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetStatement(of the removed quote) error = %v, want ErrNotFound", err)
	}
	if qs := e.allQuotes(t, attribution.QuoteQuery{Words: []string{"council"}}, 10); len(qs) != 0 {
		t.Errorf("FindQuotes(council) = %v, want none", quoteIDs(qs))
	}
	if p, err := e.s.GetSpeaker(ctx(t), berg); err != nil || p.QuoteCount != 0 {
		t.Errorf("Berg after the revision = %d quotes, %v; want 0", p.QuoteCount, err)
	}
	if p, err := e.s.GetSpeaker(ctx(t), kept.SpeakerID); err != nil || p.QuoteCount != 3 {
		t.Errorf("Ruiz after the revision = %d quotes, %v; want 3", p.QuoteCount, err)
	}
	if ms, err := e.s.MatchStatements(ctx(t), otherWords, 5); err != nil || len(ms) != 0 {
		t.Errorf("MatchStatements(removed words) = %d matches, %v; want none", len(ms), err)
	}
	if ms, err := e.s.MatchStatements(ctx(t), "Every school keeps its funding", 5); err != nil || len(ms) != 1 || ms[0].Statement.OccurrenceCount != 1 {
		t.Errorf("MatchStatements(new words) = %+v, %v; want its statement", ms, err)
	}

	// The same text again changes nothing.
	again := e.ingest(t, v2)
	if again.Created || again.Revised || again.Article.Revision != 2 || !again.Article.UpdatedAt.Equal(got.Article.UpdatedAt) || len(again.Added) != 0 ||
		!cmp.Equal(quoteIDs(again.Quotes), quoteIDs(got.Quotes)) {
		t.Errorf("revision 2 again = revised %v, revision %d, updated %v, added %v; want nothing written", again.Revised, again.Article.Revision, again.Article.UpdatedAt, again.Added)
	}

	// Revision 3 drops the new quote and adds another: numbered 4, the
	// removed 3 is not given again.
	v3 := v2
	v3.says = []say{v2.says[0], v2.says[2], {words: "Bus fares will not rise", speaker: "Ana Ruiz", as: "Ruiz"}}
	third := e.ingest(t, v3)
	if diff := cmp.Diff([]string{kept.ID, moved.ID, first.Article.ID + "-4"}, quoteIDs(third.Quotes)); diff != "" || third.Article.Revision != 3 {
		t.Errorf("revision %d quote ids (-want +got):\n%s", third.Article.Revision, diff)
	}
	checkSpans(t, "revision 3", third.Article.Text, third.Quotes)
	if _, err := e.s.GetQuote(ctx(t), newID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetQuote(removed in revision 3) error = %v, want ErrNotFound", err)
	}
	// Deleting the article deletes every revision's quotes.
	if err := e.s.DeleteArticle(ctx(t), first.Article.ID); err != nil {
		t.Fatal(err)
	}
	if p, err := e.s.GetSpeaker(ctx(t), kept.SpeakerID); err != nil || p.QuoteCount != 0 {
		t.Errorf("Ruiz after the delete = %d quotes, %v; want 0", p.QuoteCount, err)
	}
}

// testRevisionKeepsCorrections: a revision never undoes a correction: a
// kept quote keeps its speaker, kind, hidden state, version and history.
func testRevisionKeepsCorrections(t *testing.T, e *env) {
	v1, v2 := updatedArticle()
	first := e.ingest(t, v1)
	other := e.ingest(t, art{url: "https://example.com/other", outlet: "Daily", says: []say{{words: "Ports need dredging", speaker: "Clara Jansen"}}})
	jansen := other.Quotes[0].SpeakerID
	q0, q2 := first.Quotes[0], first.Quotes[2]
	c0, err := e.s.CorrectQuote(ctx(t), q0.ID, attribution.QuotePatch{SpeakerID: &jansen}, "key_editor", 0)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := e.s.CorrectQuote(ctx(t), q2.ID, attribution.QuotePatch{Hidden: ref(true), Kind: ref(attribution.KindMixed)}, "key_editor", 0)
	if err != nil {
		t.Fatal(err)
	}
	got := e.ingest(t, v2)
	if !got.Revised || len(got.Quotes) != 3 {
		t.Fatalf("update = revised %v, %d quotes", got.Revised, len(got.Quotes))
	}
	for _, tc := range []struct {
		got, want attribution.StoredQuote
	}{{got.Quotes[0], c0}, {got.Quotes[2], c2}} {
		g, w := tc.got, tc.want
		if g.ID != w.ID || g.SpeakerID != w.SpeakerID || g.Kind != w.Kind || g.Hidden != w.Hidden || g.Version != w.Version || len(g.History) != len(w.History) ||
			!g.Corrected || g.StatementID != w.StatementID {
			t.Errorf("corrected quote after the revision = %s speaker %q kind %s hidden %v version %d statement %q; want %s %q %s %v %d %q",
				g.ID, g.SpeakerID, g.Kind, g.Hidden, g.Version, g.StatementID, w.ID, w.SpeakerID, w.Kind, w.Hidden, w.Version, w.StatementID)
		}
	}
	if g := got.Quotes[0]; g.Speaker == nil || g.Speaker.Name != "Clara Jansen" || g.Speaker.Mention != nil {
		t.Errorf("corrected speaker after the revision = %+v; want Clara Jansen without the extractor's mention", g.Speaker)
	}
	checkSpans(t, "revision", got.Article.Text, got.Quotes)
	if st, err := e.s.GetStatement(ctx(t), c0.StatementID); err != nil || st.Speaker == nil || st.Speaker.ID != jansen || st.OccurrenceCount != 1 {
		t.Errorf("statement of the corrected quote = %+v, %v; want Jansen's", st.Speaker, err)
	}
	if qs := e.allQuotes(t, attribution.QuoteQuery{Words: []string{"ferry"}}, 10); len(qs) != 0 {
		t.Errorf("FindQuotes(ferry) = %v; the hidden quote must stay hidden", quoteIDs(qs))
	}
	if p, err := e.s.GetSpeaker(ctx(t), jansen); err != nil || p.QuoteCount != 2 {
		t.Errorf("Jansen after the revision = %d quotes, %v; want 2", p.QuoteCount, err)
	}
	if p, err := e.s.GetSpeaker(ctx(t), first.Quotes[1].SpeakerID); err != nil || p.QuoteCount != 0 {
		t.Errorf("Berg after the revision = %d quotes, %v; want 0", p.QuoteCount, err)
	}
}

// misattributed stores the same words in two articles: the first wrongly
// said by Boris Jones, the second by Keir Stamm, who said them.
func (e *env) misattributed(t *testing.T) (wrong, right attribution.StoredQuote) {
	t.Helper()
	a := e.ingest(t, art{url: "https://a.example/pm", outlet: "A Post", published: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), says: []say{
		{words: wireWords, speaker: "Boris Jones", role: "prime minister"},
	}})
	b := e.ingest(t, art{url: "https://b.example/pm", outlet: "B Times", published: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), says: []say{
		{words: wireWords, speaker: "Keir Stamm"},
	}})
	wrong, right = a.Quotes[0], b.Quotes[0]
	if wrong.StatementID == "" || wrong.StatementID == right.StatementID {
		t.Fatalf("fixture: statements %q and %q, want two", wrong.StatementID, right.StatementID)
	}
	return wrong, right
}

// testCorrectionMovesStatement: a quote given its real speaker moves to
// the statement of its words by that speaker at once: statements and
// matches (verify) name the speaker the editor chose.
func testCorrectionMovesStatement(t *testing.T, e *env) {
	wrong, right := e.misattributed(t)
	stamm := right.SpeakerID
	got, err := e.s.CorrectQuote(ctx(t), wrong.ID, attribution.QuotePatch{SpeakerID: &stamm}, "key_editor", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got.StatementID != right.StatementID {
		t.Errorf("corrected quote in statement %q, want Stamm's %q", got.StatementID, right.StatementID)
	}
	if q, err := e.s.GetQuote(ctx(t), wrong.ID); err != nil || q.StatementID != right.StatementID {
		t.Errorf("GetQuote(corrected) statement = %q, %v; want %q", q.StatementID, err, right.StatementID)
	}
	if _, err := e.s.GetStatement(ctx(t), wrong.StatementID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetStatement(Jones's, now empty) error = %v, want ErrNotFound", err)
	}
	st, err := e.s.GetStatement(ctx(t), right.StatementID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Speaker == nil || st.Speaker.ID != stamm || st.OccurrenceCount != 2 || st.FirstSeen.QuoteID != wrong.ID || st.Occurrences[0].Speaker != "Keir Stamm" {
		t.Errorf("Stamm's statement = speaker %+v, %d occurrences, first %s by %q; want Stamm, 2, the corrected quote by Keir Stamm",
			st.Speaker, st.OccurrenceCount, st.FirstSeen.QuoteID, st.Occurrences[0].Speaker)
	}
	ms, err := e.s.MatchStatements(ctx(t), wireWords, 5)
	if err != nil || len(ms) != 1 || ms[0].Statement.ID != right.StatementID || ms[0].Statement.Speaker == nil || ms[0].Statement.Speaker.Name != "Keir Stamm" {
		t.Errorf("MatchStatements after the correction = %+v, %v; want only Stamm's statement", ms, err)
	}
	// Back to Jones: the statement's other occurrence is Stamm's, so the
	// quote moves to a statement by Jones again.
	jones := wrong.SpeakerID
	back, err := e.s.CorrectQuote(ctx(t), wrong.ID, attribution.QuotePatch{SpeakerID: &jones}, "key_editor", 0)
	if err != nil {
		t.Fatal(err)
	}
	if back.StatementID == "" || back.StatementID == right.StatementID {
		t.Fatalf("given back to Jones: statement %q, want one of Jones's", back.StatementID)
	}
	if st, err := e.s.GetStatement(ctx(t), back.StatementID); err != nil || st.Speaker == nil || st.Speaker.ID != jones || st.OccurrenceCount != 1 {
		t.Errorf("Jones's statement again = %+v, %v", st, err)
	}
	if st, err := e.s.GetStatement(ctx(t), right.StatementID); err != nil || st.OccurrenceCount != 1 || st.Speaker == nil || st.Speaker.ID != stamm {
		t.Errorf("Stamm's statement after = %d occurrences, speaker %+v, %v; want 1, Stamm", st.OccurrenceCount, st.Speaker, err)
	}
	// A kind between direct and mixed keeps the statement.
	mixed, err := e.s.CorrectQuote(ctx(t), right.ID, attribution.QuotePatch{Kind: ref(attribution.KindMixed)}, "key_editor", 0)
	if err != nil || mixed.StatementID != right.StatementID {
		t.Errorf("made mixed: statement %q, %v; want %q", mixed.StatementID, err, right.StatementID)
	}
	if st, err := e.s.GetStatement(ctx(t), right.StatementID); err != nil || st.Occurrences[0].Kind != attribution.KindMixed {
		t.Errorf("occurrence kind after the correction = %+v, %v; want mixed", st.Occurrences, err)
	}
	// Re-ingesting the article never undoes the correction.
	if again := e.ingest(t, art{url: "https://a.example/pm", outlet: "A Post", published: time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC), says: []say{
		{words: wireWords, speaker: "Boris Jones", role: "prime minister"},
	}}); again.Quotes[0].StatementID != back.StatementID || again.Quotes[0].Version != back.Version {
		t.Errorf("re-ingest: statement %q version %d, want %q %d", again.Quotes[0].StatementID, again.Quotes[0].Version, back.StatementID, back.Version)
	}
}

// testCorrectionLeavesStatement: hidden, or made indirect, a quote is no
// occurrence (its statement goes with its last one); shown again it is
// one again. An unknown speaker's occurrence lets the statement name the
// corrected one.
func testCorrectionLeavesStatement(t *testing.T, e *env) {
	wrong, right := e.misattributed(t)
	hidden, err := e.s.CorrectQuote(ctx(t), right.ID, attribution.QuotePatch{Hidden: ref(true)}, "key_editor", 0)
	if err != nil {
		t.Fatal(err)
	}
	if hidden.StatementID != "" {
		t.Errorf("hidden quote in statement %q, want none", hidden.StatementID)
	}
	if _, err := e.s.GetStatement(ctx(t), right.StatementID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetStatement(of the hidden quote) error = %v, want ErrNotFound", err)
	}
	ms, err := e.s.MatchStatements(ctx(t), wireWords, 5)
	if err != nil || len(ms) != 1 || ms[0].Statement.ID != wrong.StatementID {
		t.Errorf("MatchStatements with one quote hidden = %+v, %v; want Jones's only", ms, err)
	}
	indirect, err := e.s.CorrectQuote(ctx(t), wrong.ID, attribution.QuotePatch{Kind: ref(attribution.KindIndirect)}, "key_editor", 0)
	if err != nil || indirect.StatementID != "" {
		t.Errorf("made indirect: statement %q, %v; want none", indirect.StatementID, err)
	}
	if ms, err := e.s.MatchStatements(ctx(t), wireWords, 5); err != nil || len(ms) != 0 {
		t.Errorf("MatchStatements with no occurrence left = %d, %v; want none", len(ms), err)
	}
	shown, err := e.s.CorrectQuote(ctx(t), right.ID, attribution.QuotePatch{Hidden: ref(false)}, "key_editor", 0)
	if err != nil || shown.StatementID == "" {
		t.Fatalf("shown again: statement %q, %v; want one", shown.StatementID, err)
	}
	if st, err := e.s.GetStatement(ctx(t), shown.StatementID); err != nil || st.OccurrenceCount != 1 || st.Speaker == nil || st.Speaker.ID != right.SpeakerID {
		t.Errorf("statement of the quote shown again = %+v, %v; want Stamm's with it", st, err)
	}

	// An anonymous report of the same words shares the statement; moving
	// the named occurrence to another speaker keeps it there, and the
	// statement names the new speaker.
	anon := e.ingest(t, art{url: "https://c.example/pm", outlet: "C News", published: time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC), says: []say{
		{words: wireWords},
	}})
	if anon.Quotes[0].StatementID != shown.StatementID {
		t.Fatalf("anonymous report in %q, want %q", anon.Quotes[0].StatementID, shown.StatementID)
	}
	jones := wrong.SpeakerID
	moved, err := e.s.CorrectQuote(ctx(t), right.ID, attribution.QuotePatch{SpeakerID: &jones}, "key_editor", 0)
	if err != nil || moved.StatementID != shown.StatementID {
		t.Errorf("given to Jones next to an anonymous report: statement %q, %v; want it stays in %q", moved.StatementID, err, shown.StatementID)
	}
	if st, err := e.s.GetStatement(ctx(t), shown.StatementID); err != nil || st.Speaker == nil || st.Speaker.ID != jones || st.OccurrenceCount != 2 {
		t.Errorf("the shared statement = speaker %+v, %d occurrences, %v; want Jones, 2", st.Speaker, st.OccurrenceCount, err)
	}
}

// testConcurrentRevisions: writers sending one update of an article at
// once make one revision: each is answered it (or told ErrConflict, to
// try again), and the new quote is stored once.
func testConcurrentRevisions(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		v1, v2 := updatedArticle()
		v1.url = fmt.Sprintf("%s/%d", v1.url, trial)
		v2.url = v1.url
		first := e.ingest(t, v1)
		before, err := e.s.GetSpeaker(ctx(t), first.Quotes[0].SpeakerID)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, n)
		got := make([]attribution.IngestResult, n)
		together(n, func(i int) {
			article, res := v2.article()
			got[i], errs[i] = e.writer(t, i).IngestArticle(ctx(t), &article, res)
		})
		revised := 0
		for i, err := range errs {
			switch {
			case err == nil:
				if got[i].Revised {
					revised++
				}
				if got[i].Article.Revision != 2 || len(got[i].Quotes) != 3 {
					t.Errorf("writer %d answered revision %d with %d quotes; want 2 with 3", i, got[i].Article.Revision, len(got[i].Quotes))
				}
			case !expected(err, attribution.ErrConflict):
				t.Errorf("writer %d: unexpected error %v", i, err)
			}
		}
		if revised != 1 {
			t.Errorf("%d writers made the revision, want 1", revised)
		}
		qs, err := e.s.ArticleQuotes(ctx(t), first.Article.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{first.Quotes[0].ID, first.Article.ID + "-3", first.Quotes[2].ID}
		if diff := cmp.Diff(want, quoteIDs(qs)); diff != "" {
			t.Errorf("quotes after the revisions at once (-want +got):\n%s", diff)
		}
		if a, err := e.s.GetArticle(ctx(t), first.Article.ID); err != nil || a.Revision != 2 {
			t.Errorf("article = revision %d, %v; want 2", a.Revision, err)
		}
		// Ruiz: one quote more (the new one; Berg's was removed).
		if p, err := e.s.GetSpeaker(ctx(t), first.Quotes[0].SpeakerID); err != nil || p.QuoteCount != before.QuoteCount+1 {
			t.Errorf("Ruiz = %d quotes, %v; want %d", p.QuoteCount, err, before.QuoteCount+1)
		}
	})
}
