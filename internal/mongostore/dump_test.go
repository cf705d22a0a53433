package mongostore_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/dump/dumptest"
	"github.com/whosaid/whosaid/internal/legacy/legacytest"
	"github.com/whosaid/whosaid/internal/mongostore"
)

func newDumpStore(t *testing.T) *mongostore.Store {
	t.Helper()
	s := newTestStore(t)
	if err := s.EnsureIndexes(testContext(t)); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDump: export and import, the checks every store passes.
func TestDump(t *testing.T) {
	dumptest.Run(t, func(t *testing.T) dumptest.Store { return newDumpStore(t) })
}

// TestImportServes: after importing the previous release's data, the
// store answers for it as it did: corrections, merges, keys, statements,
// idempotency keys, subscriptions and deliveries.
func TestImportServes(t *testing.T) {
	ctx := testContext(t)
	want := legacytest.LoadFixtureIDs(t)
	s := newDumpStore(t)
	recs := dumptest.FixtureRecords(t)
	dumptest.ImportAll(ctx, t, s, recs)
	// MongoDB keeps every field as it came, the occurrences' kinds too.
	dumptest.SameLines(t, "fixture vs export", dumptest.NDJSON(t, dumptest.WithRevisions(recs)), dumptest.NDJSON(t, dumptest.ExportAll(ctx, t, s)))

	q, err := s.GetQuote(ctx, want.CorrectedQuote)
	if err != nil || q.Version != 2 || !q.Corrected || len(q.History) != 1 || q.History[0].By != want.AdminKeyID {
		t.Errorf("GetQuote(corrected) = %+v, %v", q, err)
	}
	if h, err := s.GetQuote(ctx, want.HiddenQuote); err != nil || !h.Hidden {
		t.Errorf("GetQuote(hidden) = %+v, %v", h, err)
	}
	sp, err := s.GetSpeaker(ctx, want.MergeInto)
	if err != nil || sp.WikidataID != "Q99999901" || sp.QuoteCount == 0 || !slices.Contains(sp.Aliases, "A. Ruiz") {
		t.Errorf("GetSpeaker(merged) = %+v, %v", sp, err)
	}
	// Found by name and by the alias the merge brought, as ingest finds it.
	for _, name := range []string{"Ana Ruiz", "A. Ruiz"} {
		if id, err := s.ResolveSpeakerID(ctx, name); err != nil || id != want.MergeInto {
			t.Errorf("ResolveSpeakerID(%q) = %q, %v; want %s", name, id, err, want.MergeInto)
		}
	}
	// The imported name is claimed: no other speaker may take it.
	other := ""
	for _, id := range want.Speakers {
		if id != want.MergeInto {
			other = id
			break
		}
	}
	name := "Ana Ruiz"
	if _, err := s.UpdateSpeaker(ctx, other, attribution.SpeakerPatch{Name: &name}, 0); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("renaming %s to an imported speaker's name: %v, want a conflict", other, err)
	}
	aliases := []string{"Ana Ruiz"}
	if _, err := s.UpdateSpeaker(ctx, other, attribution.SpeakerPatch{Aliases: &aliases}, 0); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("giving %s an imported speaker's name as alias: %v, want a conflict", other, err)
	}
	if _, err := s.GetSpeaker(ctx, want.MergedAway); err == nil {
		t.Errorf("merged-away speaker %s found", want.MergedAway)
	}
	for _, id := range want.Statements {
		if st, err := s.GetStatement(ctx, id); err != nil || len(st.Occurrences) == 0 {
			t.Errorf("GetStatement(%s) = %+v, %v", id, st, err)
		}
	}
	for _, r := range recs {
		if r.Type == dump.TypeKey {
			if k, err := s.KeyByHash(ctx, r.Key.Hash); err != nil || k.ID != r.Key.ID {
				t.Errorf("KeyByHash(%s) = %+v, %v", r.Key.ID, k, err)
			}
		}
	}
	if id, _, err := s.LookupIdempotencyKey(ctx, want.IdempotencyKeys[0]); err != nil || id != want.Articles[0].ID {
		t.Errorf("LookupIdempotencyKey = %q, %v; want %s", id, err, want.Articles[0].ID)
	}
	if ds, err := s.ListDeliveries(ctx, want.Subscriptions[0], 10); err != nil || len(ds) != 1 || ds[0].ID != want.Deliveries[0] {
		t.Errorf("ListDeliveries = %+v, %v", ds, err)
	}
	if sub, err := s.GetSubscription(ctx, want.Subscriptions[0]); err != nil || sub.Secret == "" {
		t.Errorf("GetSubscription = %+v, %v", sub, err)
	}
}

// TestImportSameBareText: without URL an article is its text, so a second
// one without URL and with the same text is refused, before any of its
// quotes is written.
func TestImportSameBareText(t *testing.T) {
	ctx := testContext(t)
	s := newDumpStore(t)
	a := dump.Article{Quotes: []dump.Quote{}}
	a.ID, a.Text, a.CreatedAt = "0123456789abcdef0000000c", "Nothing quoted here.", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if added, err := s.Import(ctx, dump.Record{Type: dump.TypeArticle, Article: &a}); err != nil || !added {
		t.Fatalf("Import = %v, %v", added, err)
	}
	b := a
	b.ID = "0123456789abcdef0000000d"
	if added, err := s.Import(ctx, dump.Record{Type: dump.TypeArticle, Article: &b}); !errors.Is(err, attribution.ErrConflict) || added {
		t.Fatalf("Import of another id with the same text, no URL = %v, %v; want a conflict", added, err)
	}
}
