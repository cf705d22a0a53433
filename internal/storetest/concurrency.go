package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
)

// Defaults of the concurrency cases: goroutines released at once, and
// trials on fresh data.
const (
	defaultGoroutines = 8
	defaultTrials     = 5
)

func concurrencyCases() []testCase {
	return []testCase{
		{"ConcurrentReciprocalMerges", testConcurrentReciprocalMerges},
		{"ConcurrentUpdateSpeakerIfVersion", testConcurrentUpdateSpeakerIfVersion},
		{"ConcurrentSameAlias", testConcurrentSameAlias},
		{"ConcurrentSameName", testConcurrentSameName},
		{"ConcurrentIdempotencyKey", testConcurrentIdempotencyKey},
		{"ConcurrentIngestDuringMerge", testConcurrentIngestDuringMerge},
		{"ConcurrentCorrections", testConcurrentCorrections},
		{"ConcurrentCorrectionsIfVersion", testConcurrentCorrectionsIfVersion},
		{"ConcurrentSameIngest", testConcurrentSameIngest},
		{"ConcurrentRevokeKey", testConcurrentRevokeKey},
		{"ConcurrentNewSpeaker", testConcurrentNewSpeaker},
		{"ConcurrentDeleteArticle", testConcurrentDeleteArticle},
	}
}

// together runs f(0..n-1) in n goroutines released at once on a barrier
// and waits for all of them.
func together(n int, f func(i int)) {
	start := make(chan struct{})
	var ready, done sync.WaitGroup
	ready.Add(n)
	for i := range n {
		done.Go(func() {
			ready.Done()
			<-start
			f(i)
		})
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// expected reports whether err is one of the answers a losing writer may
// get: the store's sentinels, not a driver or database error.
func expected(err error, allowed ...error) bool {
	for _, a := range allowed {
		if errors.Is(err, a) {
			return true
		}
	}
	return false
}

func (e *env) trials(t *testing.T, f func(t *testing.T, trial, n int)) {
	e.openWriters(t)
	if len(e.writers) > 1 {
		t.Logf("writers spread over %d handles on the same data", len(e.writers))
	}
	for trial := range e.trialCount {
		t.Run(fmt.Sprintf("trial%d", trial), func(t *testing.T) {
			f(t, trial, e.goroutines)
		})
		if t.Failed() {
			return // one failing trial says enough
		}
	}
}

func testConcurrentReciprocalMerges(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		nameA, nameB := trialName("Ana Ruiz", trial), trialName("Jonas Berg", trial)
		res := e.ingest(t, art{lead: nameA + ".", says: []say{
			{words: "We will rebuild", speaker: nameA}, {words: "We will not", speaker: nameB},
			{words: "Soon enough", speaker: nameA}, {words: "Never again", speaker: nameB},
		}})
		a, b := e.speakerID(t, nameA), e.speakerID(t, nameB)
		errs := make([]error, n)
		into := make([]string, n)
		together(n, func(i int) {
			into[i], errs[i] = a, nil
			from := b
			if i%2 == 1 {
				into[i], from = b, a
			}
			_, errs[i] = e.writer(t, i).MergeSpeakers(ctx(t), into[i], []string{from})
		})
		var won []string
		for i, err := range errs {
			switch {
			case err == nil:
				won = append(won, into[i])
			case !expected(err, attribution.ErrNotFound, attribution.ErrConflict, attribution.ErrPrecondition):
				t.Errorf("merge %d into %s: unexpected error %v", i, into[i], err)
			}
		}
		if len(won) == n {
			t.Errorf("all %d reciprocal merges succeeded, want at least one to fail", n)
		}
		slices.Sort(won)
		if won = slices.Compact(won); len(won) > 1 {
			t.Errorf("merges into both %v succeeded", won)
		}
		alive := map[string]bool{}
		for _, id := range []string{a, b} {
			_, err := e.s.LookupSpeaker(ctx(t), id)
			switch {
			case err == nil:
				alive[id] = true
			case !errors.Is(err, attribution.ErrNotFound):
				t.Fatalf("LookupSpeaker(%s) error = %v", id, err)
			}
		}
		if len(alive) == 0 {
			t.Fatalf("both speakers are gone after reciprocal merges (%d succeeded)", len(won))
		}
		if len(won) == 1 && (!alive[won[0]] || len(alive) != 1) {
			t.Errorf("the merge into %s succeeded, but the speakers alive are %v", won[0], alive)
		}
		qs, err := e.s.ArticleQuotes(ctx(t), res.Article.ID)
		if err != nil || len(qs) != 4 {
			t.Fatalf("ArticleQuotes = %d, %v; want all 4 quotes", len(qs), err)
		}
		counted := 0
		for _, q := range qs {
			if !alive[q.SpeakerID] {
				t.Errorf("quote %s is on speaker %q, which is not stored (alive: %v)", q.ID, q.SpeakerID, alive)
			}
		}
		for id := range alive {
			p, err := e.s.GetSpeaker(ctx(t), id)
			if err != nil {
				t.Fatal(err)
			}
			counted += p.QuoteCount
		}
		if counted != 4 {
			t.Errorf("the stored speakers count %d quotes, want 4", counted)
		}
	})
}

func testConcurrentUpdateSpeakerIfVersion(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		name := trialName("Ana Ruiz", trial)
		e.ingest(t, art{lead: name + ".", says: []say{{words: "We will rebuild", speaker: name}}})
		id := e.speakerID(t, name)
		before, err := e.s.LookupSpeaker(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		aliases := func(i int) []string { return []string{fmt.Sprintf("Writer %d of %s", i, name)} }
		errs := make([]error, n)
		together(n, func(i int) {
			al := aliases(i)
			_, errs[i] = e.writer(t, i).UpdateSpeaker(ctx(t), id, attribution.SpeakerPatch{Aliases: &al}, before.Version)
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Errorf("writers %d and %d both succeeded with If-Match version %d", winner, i, before.Version)
				}
				winner = i
			case !errors.Is(err, attribution.ErrPrecondition):
				t.Errorf("writer %d: error %v, want ErrPrecondition", i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("none of %d writers succeeded: %v", n, errs)
		}
		after, err := e.s.LookupSpeaker(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != before.Version+1 || !slices.Equal(after.Aliases, aliases(winner)) {
			t.Errorf("stored speaker = version %d aliases %q; want version %d with the winner's %q", after.Version, after.Aliases, before.Version+1, aliases(winner))
		}
	})
}

// conflictingSpeakers stores n speakers of one trial and returns their ids.
func (e *env) conflictingSpeakers(t *testing.T, trial, n int) []string {
	t.Helper()
	var says []say
	for i := range n {
		says = append(says, say{words: "We are ready", speaker: trialName(fmt.Sprintf("Speaker%c Lund", 'A'+i), trial)})
	}
	e.ingest(t, art{lead: trialName("Speakers", trial) + ".", says: says})
	ids := make([]string, n)
	for i, s := range says {
		ids[i] = e.speakerID(t, s.speaker)
	}
	return ids
}

func testConcurrentSameAlias(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		ids := e.conflictingSpeakers(t, trial, n)
		alias := trialName("Shared Alias", trial)
		errs := make([]error, n)
		together(n, func(i int) {
			_, errs[i] = e.writer(t, i).UpdateSpeaker(ctx(t), ids[i], attribution.SpeakerPatch{Aliases: &[]string{alias}}, 0)
		})
		checkAtMostOne(t, e, "alias", errs, ids, func(p attribution.SpeakerProfile) bool { return slices.Contains(p.Aliases, alias) })
		if winner := slices.Index(errs, nil); winner >= 0 {
			if id, err := e.s.ResolveSpeakerID(ctx(t), alias); err != nil || id != ids[winner] {
				t.Errorf("ResolveSpeakerID(%q) = %q, %v; want the winner %s", alias, id, err, ids[winner])
			}
		}
	})
}

func testConcurrentSameName(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		ids := e.conflictingSpeakers(t, trial, n)
		name := trialName("Shared Name", trial)
		errs := make([]error, n)
		together(n, func(i int) {
			_, errs[i] = e.writer(t, i).UpdateSpeaker(ctx(t), ids[i], attribution.SpeakerPatch{Name: &name}, 0)
		})
		checkAtMostOne(t, e, "name", errs, ids, func(p attribution.SpeakerProfile) bool { return p.Name == name })
		if winner := slices.Index(errs, nil); winner >= 0 {
			if id, err := e.s.ResolveSpeakerID(ctx(t), name); err != nil || id != ids[winner] {
				t.Errorf("ResolveSpeakerID(%q) = %q, %v; want the winner %s", name, id, err, ids[winner])
			}
		}
	})
}

// checkAtMostOne: of writers racing for one name or alias, at most one
// succeeded, the others got ErrConflict, and at most one stored speaker
// holds it (the winner).
func checkAtMostOne(t *testing.T, e *env, what string, errs []error, ids []string, holds func(attribution.SpeakerProfile) bool) {
	t.Helper()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, attribution.ErrConflict):
			t.Errorf("writer %d: error %v, want ErrConflict", i, err)
		}
	}
	if won > 1 {
		t.Errorf("%d speakers took the same %s, want at most one", won, what)
	}
	if won == 0 {
		t.Logf("none of %d writers took the %s", len(errs), what)
	}
	var holders []string
	for i, id := range ids {
		p, err := e.s.LookupSpeaker(ctx(t), id)
		if err != nil {
			t.Fatal(err)
		}
		if holds(p) {
			holders = append(holders, id)
			if errs[i] != nil {
				t.Errorf("speaker %s holds the %s, but its writer got %v", id, what, errs[i])
			}
		}
	}
	if len(holders) > 1 {
		t.Errorf("speakers %v all hold the same %s", holders, what)
	}
}

func testConcurrentIdempotencyKey(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		key := fmt.Sprintf("idem-%d", trial)
		errs := make([]error, n)
		together(n, func(i int) {
			errs[i] = e.writer(t, i).SaveIdempotencyKey(ctx(t), key, fmt.Sprintf("article-%d", i), fmt.Sprintf("hash-%d", i))
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Errorf("the key was saved for both article %d and %d", winner, i)
				}
				winner = i
			case !errors.Is(err, attribution.ErrConflict):
				t.Errorf("writer %d: error %v, want ErrConflict", i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("no writer saved the key: %v", errs)
		}
		id, hash, err := e.s.LookupIdempotencyKey(ctx(t), key)
		if err != nil || id != fmt.Sprintf("article-%d", winner) || hash != fmt.Sprintf("hash-%d", winner) {
			t.Errorf("LookupIdempotencyKey = %q %q, %v; want the winner's article-%d hash-%d", id, hash, err, winner, winner)
		}
	})
}

func testConcurrentIngestDuringMerge(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		nameA, nameB := trialName("Ana Ruiz", trial), trialName("Ana Maria Ruiz", trial)
		e.ingest(t, art{lead: nameA + ".", says: []say{{words: "We will rebuild", speaker: nameA}, {words: "We will not", speaker: nameB}}})
		a, b := e.speakerID(t, nameA), e.speakerID(t, nameB)
		articles := make([]string, n)
		var mergeErr error
		together(n, func(i int) {
			if i == 0 {
				_, mergeErr = e.writer(t, i).MergeSpeakers(ctx(t), a, []string{b})
				return
			}
			article, res := art{lead: fmt.Sprintf("Report %d.", i), says: []say{{words: fmt.Sprintf("Remark %d stands", i), speaker: nameB}}}.article()
			got, err := e.writer(t, i).IngestArticle(ctx(t), &article, res)
			if err != nil {
				t.Errorf("ingest %d during the merge: %v", i, err)
				return
			}
			articles[i] = got.Article.ID
		})
		if mergeErr != nil {
			t.Fatalf("MergeSpeakers error = %v", mergeErr)
		}
		if _, err := e.s.LookupSpeaker(ctx(t), b); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("LookupSpeaker(merged away %s) error = %v, want ErrNotFound (an ingest brought it back?)", b, err)
		}
		if qs := e.allQuotes(t, attribution.QuoteQuery{SpeakerID: b}, 100); len(qs) != 0 {
			t.Errorf("%d quotes are on the merged-away speaker %s", len(qs), b)
		}
		for i, id := range articles[1:] {
			if id == "" {
				continue
			}
			qs, err := e.s.ArticleQuotes(ctx(t), id)
			if err != nil || len(qs) != 1 {
				t.Fatalf("ArticleQuotes(report %d) = %d, %v", i+1, len(qs), err)
			}
			if qs[0].SpeakerID != a {
				t.Errorf("report %d's quote is on speaker %q, want the kept %s", i+1, qs[0].SpeakerID, a)
			}
		}
		if id, err := e.s.ResolveSpeakerID(ctx(t), nameB); err != nil || id != a {
			t.Errorf("ResolveSpeakerID(%q) = %q, %v; want the kept %s", nameB, id, err, a)
		}
		if p, err := e.s.GetSpeaker(ctx(t), a); err != nil || p.QuoteCount != n+1 {
			t.Errorf("kept speaker = %d quotes, %v; want %d", p.QuoteCount, err, n+1)
		}
	})
}

// correctionTargets stores a quote of one speaker and n other speakers,
// so that each of n corrections moves the quote to another speaker.
func (e *env) correctionTargets(t *testing.T, trial, n int) (attribution.StoredQuote, []string) {
	t.Helper()
	says := []say{{words: "We will rebuild the port", speaker: trialName("Origin Speaker", trial)}}
	for i := range n {
		says = append(says, say{words: "We agree", speaker: trialName(fmt.Sprintf("Target%c Holm", 'A'+i), trial)})
	}
	res := e.ingest(t, art{lead: trialName("Corrections", trial) + ".", says: says})
	ids := make([]string, n)
	for i := range n {
		ids[i] = res.Quotes[i+1].SpeakerID
	}
	return res.Quotes[0], ids
}

func testConcurrentCorrections(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		q, targets := e.correctionTargets(t, trial, n)
		errs := make([]error, n)
		together(n, func(i int) {
			_, errs[i] = e.writer(t, i).CorrectQuote(ctx(t), q.ID, attribution.QuotePatch{SpeakerID: &targets[i]}, fmt.Sprintf("key_%02d", i), 0)
		})
		for i, err := range errs {
			if err != nil {
				t.Errorf("correction %d without If-Match: %v", i, err)
			}
		}
		got, err := e.s.GetQuote(ctx(t), q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.History) != n || got.Version != int64(n)+1 {
			t.Fatalf("%d corrections at once: %d kept, version %d; want %d, %d", n, len(got.History), got.Version, n, n+1)
		}
		by := map[string]bool{}
		for i, c := range got.History {
			by[c.By] = true
			if i == 0 {
				if c.Before.SpeakerID != q.SpeakerID {
					t.Errorf("first correction starts from %q, want the original %q", c.Before.SpeakerID, q.SpeakerID)
				}
				continue
			}
			if prev := got.History[i-1].After; prev.SpeakerID != c.Before.SpeakerID {
				t.Errorf("correction %d starts from %q, but %d left %q: a correction was lost", i, c.Before.SpeakerID, i-1, prev.SpeakerID)
			}
		}
		if len(by) != n {
			t.Errorf("corrections by %d editors kept, want %d", len(by), n)
		}
		if last := got.History[n-1].After; last.SpeakerID != got.SpeakerID || got.Speaker == nil || last.Speaker == nil || got.Speaker.Name != last.Speaker.Name {
			t.Errorf("quote on %q, but its last correction left %+v", got.SpeakerID, last)
		}
	})
}

func testConcurrentCorrectionsIfVersion(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		q, targets := e.correctionTargets(t, trial, n)
		errs := make([]error, n)
		together(n, func(i int) {
			_, errs[i] = e.writer(t, i).CorrectQuote(ctx(t), q.ID, attribution.QuotePatch{SpeakerID: &targets[i]}, fmt.Sprintf("key_%02d", i), q.Version)
		})
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Errorf("corrections %d and %d both succeeded with If-Match version %d", winner, i, q.Version)
				}
				winner = i
			case !errors.Is(err, attribution.ErrPrecondition):
				t.Errorf("correction %d: error %v, want ErrPrecondition", i, err)
			}
		}
		if winner < 0 {
			t.Fatalf("no correction succeeded: %v", errs)
		}
		got, err := e.s.GetQuote(ctx(t), q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != q.Version+1 || len(got.History) != 1 || got.SpeakerID != targets[winner] || got.History[0].By != fmt.Sprintf("key_%02d", winner) {
			t.Errorf("quote = version %d, %d corrections, speaker %q; want version %d with the winner's one correction to %q",
				got.Version, len(got.History), got.SpeakerID, q.Version+1, targets[winner])
		}
	})
}

func testConcurrentSameIngest(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		name := trialName("Ana Ruiz", trial)
		a := art{url: fmt.Sprintf("https://example.com/same/%d", trial), outlet: "Gazette", published: day(1 + trial), lead: name + ".", says: []say{
			{words: trialName("We will rebuild every bridge in this province", trial), speaker: name},
			{words: "the port would reopen", kind: attribution.KindIndirect, speaker: name},
			{words: "Prices will fall", speaker: trialName("Jonas Berg", trial)},
		}}
		results := make([]attribution.IngestResult, n)
		errs := make([]error, n)
		together(n, func(i int) {
			article, res := a.article()
			results[i], errs[i] = e.writer(t, i).IngestArticle(ctx(t), &article, res)
		})
		created := 0
		for i, err := range errs {
			if err != nil {
				t.Fatalf("ingest %d: %v", i, err)
			}
			if results[i].Created {
				created++
			}
			if results[i].Article.ID != results[0].Article.ID {
				t.Errorf("ingest %d answered article %s, ingest 0 %s", i, results[i].Article.ID, results[0].Article.ID)
			}
			if !slices.Equal(quoteIDs(results[i].Quotes), quoteIDs(results[0].Quotes)) || len(results[i].Quotes) != 3 {
				t.Errorf("ingest %d answered quotes %v, ingest 0 %v", i, quoteIDs(results[i].Quotes), quoteIDs(results[0].Quotes))
			}
		}
		if created != 1 {
			t.Errorf("%d of %d ingests of one article report it created, want exactly 1", created, n)
		}
		id := results[0].Article.ID
		qs, err := e.s.ArticleQuotes(ctx(t), id)
		if err != nil || len(qs) != 3 {
			t.Errorf("ArticleQuotes = %d, %v; want 3", len(qs), err)
		}
		if got := e.allQuotes(t, attribution.QuoteQuery{From: day(1 + trial), To: day(1 + trial)}, 100); len(got) != 3 {
			t.Errorf("FindQuotes(the article's day) = %d quotes, want 3 stored once", len(got))
		}
		p, err := e.s.ResolveSpeaker(ctx(t), name)
		if err != nil || p.QuoteCount != 2 {
			t.Errorf("speaker = %d quotes, %v; want 2", p.QuoteCount, err)
		}
		if found, _, err := e.s.SearchSpeakers(ctx(t), name, 10, ""); err != nil || len(found) != 1 {
			t.Errorf("SearchSpeakers(%q) = %d speakers, %v; want one", name, len(found), err)
		}
		sid := results[0].Quotes[0].StatementID
		if st, err := e.s.GetStatement(ctx(t), sid); err != nil || st.OccurrenceCount != 1 || len(st.Occurrences) != 1 {
			t.Errorf("statement %q = %d occurrences, %v; want 1", sid, st.OccurrenceCount, err)
		}
	})
}

func testConcurrentRevokeKey(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		now := time.Now()
		k, _, h, err := auth.NewKey(fmt.Sprintf("desk-%d", trial), auth.ScopeWrite, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.s.CreateKey(ctx(t), k, h); err != nil {
			t.Fatal(err)
		}
		at := func(i int) time.Time { return now.Add(time.Duration(i+1) * time.Minute) }
		keys := make([]auth.Key, n)
		errs := make([]error, n)
		together(n, func(i int) {
			keys[i], errs[i] = e.writer(t, i).RevokeKey(ctx(t), k.ID, at(i))
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("revoke %d: %v", i, err)
			}
			if keys[i].RevokedAt == nil {
				t.Fatalf("revoke %d answered a key not revoked", i)
			}
		}
		first := *keys[0].RevokedAt
		ok := false
		for i := range n {
			if !keys[i].RevokedAt.Equal(first) {
				t.Errorf("revoke %d answered revoked_at %v, revoke 0 %v", i, keys[i].RevokedAt, first)
			}
			ok = ok || at(i).Sub(first).Abs() < time.Millisecond
		}
		if !ok {
			t.Errorf("revoked_at %v is none of the revoke times", first)
		}
		stored, err := e.s.KeyByHash(ctx(t), h)
		if err != nil || stored.RevokedAt == nil || !stored.RevokedAt.Equal(first) {
			t.Errorf("KeyByHash = %+v, %v; want revoked at %v", stored, err, first)
		}
	})
}

// testConcurrentNewSpeaker: articles naming one new speaker, stored at
// once, make one speaker with all their quotes.
func testConcurrentNewSpeaker(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		name := trialName("Nova Speaker", trial)
		quotes := make([]string, n)
		errs := make([]error, n)
		together(n, func(i int) {
			article, res := art{lead: fmt.Sprintf("%s, report %d.", name, i), says: []say{{words: fmt.Sprintf("Remark %d of the day", i), speaker: name, role: "newcomer"}}}.article()
			got, err := e.writer(t, i).IngestArticle(ctx(t), &article, res)
			if err == nil {
				quotes[i] = got.Quotes[0].SpeakerID
			}
			errs[i] = err
		})
		for i, err := range errs {
			if err != nil {
				t.Fatalf("ingest %d: %v", i, err)
			}
		}
		id := e.speakerID(t, name)
		for i, sid := range quotes {
			if sid != id {
				t.Errorf("article %d's quote is on speaker %q, want the one %s", i, sid, id)
			}
		}
		found, _, err := e.s.SearchSpeakers(ctx(t), name, 10, "")
		if err != nil || len(found) != 1 || found[0].QuoteCount != n || !slices.Equal(found[0].Roles, []string{"newcomer"}) {
			t.Errorf("SearchSpeakers(%q) = %+v, %v; want one speaker with %d quotes and the role once", name, found, err, n)
		}
	})
}

// testConcurrentDeleteArticle: one of many deletes of an article at once
// deletes it; the others find nothing; nothing of it is left.
func testConcurrentDeleteArticle(t *testing.T, e *env) {
	e.trials(t, func(t *testing.T, trial, n int) {
		name := trialName("Ana Ruiz", trial)
		keep := e.ingest(t, art{lead: name + " kept.", published: day(10 + trial), says: []say{{words: trialName("We will rebuild the old harbour wall", trial), speaker: name}}})
		gone := e.ingest(t, art{lead: name + " gone.", published: day(10 + trial), says: []say{
			{words: trialName("We will rebuild the old harbour wall", trial), speaker: name},
			{words: "It will cost a lot", speaker: name},
		}})
		errs := make([]error, n)
		together(n, func(i int) { errs[i] = e.writer(t, i).DeleteArticle(ctx(t), gone.Article.ID) })
		deleted := 0
		for i, err := range errs {
			switch {
			case err == nil:
				deleted++
			case !errors.Is(err, attribution.ErrNotFound):
				t.Errorf("delete %d: error %v, want nil or ErrNotFound", i, err)
			}
		}
		if deleted != 1 {
			t.Errorf("%d of %d deletes of one article succeeded, want 1", deleted, n)
		}
		if _, err := e.s.GetArticle(ctx(t), gone.Article.ID); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("GetArticle(deleted) error = %v, want ErrNotFound", err)
		}
		for _, q := range gone.Quotes {
			if _, err := e.s.GetQuote(ctx(t), q.ID); !errors.Is(err, attribution.ErrNotFound) {
				t.Errorf("GetQuote(%s of the deleted) error = %v, want ErrNotFound", q.ID, err)
			}
		}
		if got := e.allQuotes(t, attribution.QuoteQuery{From: day(10 + trial), To: day(10 + trial)}, 100); len(got) != 1 || got[0].ID != keep.Quotes[0].ID {
			t.Errorf("quotes of the day = %v, want the kept article's only", quoteIDs(got))
		}
		st, err := e.s.GetStatement(ctx(t), keep.Quotes[0].StatementID)
		if err != nil || st.OccurrenceCount != 1 || len(st.Occurrences) != 1 || st.Occurrences[0].QuoteID != keep.Quotes[0].ID {
			t.Errorf("shared statement = %d occurrences, %v; want the kept article's one", st.OccurrenceCount, err)
		}
		if p, err := e.s.ResolveSpeaker(ctx(t), name); err != nil || p.QuoteCount != 1 {
			t.Errorf("speaker = %d quotes, %v; want 1", p.QuoteCount, err)
		}
	})
}
