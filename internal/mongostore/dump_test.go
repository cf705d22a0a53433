package mongostore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"testing"

	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/legacy"
	"github.com/whosaid/whosaid/internal/legacy/legacytest"
	"github.com/whosaid/whosaid/internal/mongostore"
)

// fixtureRecords reads the previous release's data directory.
func fixtureRecords(t *testing.T) []dump.Record {
	t.Helper()
	dir := legacytest.CopyFixture(t)
	var recs []dump.Record
	if _, err := legacy.Read(testContext(t), filepath.Join(dir, "whosaid.sqlite"), func(r dump.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return recs
}

func importAll(ctx context.Context, t *testing.T, s *mongostore.Store, recs []dump.Record) (added, skipped int) {
	t.Helper()
	for _, r := range recs {
		ok, err := s.Import(ctx, r)
		if err != nil {
			t.Fatalf("Import %s: %v", r.Type, err)
		}
		if ok {
			added++
		} else {
			skipped++
		}
	}
	return added, skipped
}

func exportAll(ctx context.Context, t *testing.T, s *mongostore.Store) []dump.Record {
	t.Helper()
	var recs []dump.Record
	if err := s.Export(ctx, func(r dump.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatalf("Export: %v", err)
	}
	return recs
}

func ndjson(t *testing.T, recs []dump.Record) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// diffLines reports the first line where a and b differ.
func diffLines(t *testing.T, what string, a, b []byte) {
	t.Helper()
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range max(len(la), len(lb)) {
		var x, y []byte
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if !bytes.Equal(x, y) {
			t.Fatalf("%s: line %d differs:\n%s\n%s", what, i+1, x, y)
		}
	}
}

// TestImportExportFixture moves the previous release's data directory
// into the store, exports it, imports the export into a fresh store and
// exports that: the records are the same each time, and a second import
// adds nothing.
func TestImportExportFixture(t *testing.T) {
	ctx := testContext(t)
	want := legacytest.LoadFixtureIDs(t)
	recs := fixtureRecords(t)

	s1 := newTestStore(t)
	if err := s1.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if added, skipped := importAll(ctx, t, s1, recs); added != len(recs) || skipped != 0 {
		t.Fatalf("import: %d added, %d skipped; want %d, 0", added, skipped, len(recs))
	}
	if added, skipped := importAll(ctx, t, s1, recs); added != 0 || skipped != len(recs) {
		t.Fatalf("re-import: %d added, %d skipped; want 0, %d", added, skipped, len(recs))
	}
	out1 := exportAll(ctx, t, s1)
	diffLines(t, "legacy read vs export", ndjson(t, recs), ndjson(t, out1))

	got := legacytest.IDsOf(out1)
	if !slices.Equal(got.Quotes, want.QuoteIDs()) || !slices.Equal(got.Speakers, want.Speakers) || !slices.Equal(got.Keys, want.Keys) {
		t.Fatalf("exported ids %+v", got)
	}

	s2 := newTestStore(t)
	if err := s2.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if added, _ := importAll(ctx, t, s2, out1); added != len(out1) {
		t.Fatalf("import of the export: %d added of %d", added, len(out1))
	}
	diffLines(t, "export vs export of its import", ndjson(t, out1), ndjson(t, exportAll(ctx, t, s2)))

	// The store serves what was imported.
	q, err := s2.GetQuote(ctx, want.CorrectedQuote)
	if err != nil || q.Version != 2 || !q.Corrected || len(q.History) != 1 || q.History[0].By != want.AdminKeyID {
		t.Errorf("GetQuote(corrected) = %+v, %v", q, err)
	}
	sp, err := s2.GetSpeaker(ctx, want.MergeInto)
	if err != nil || sp.WikidataID != "Q99999901" || sp.QuoteCount == 0 || !slices.Contains(sp.Aliases, "A. Ruiz") {
		t.Errorf("GetSpeaker(merged) = %+v, %v", sp, err)
	}
	if _, err := s2.GetSpeaker(ctx, want.MergedAway); err == nil {
		t.Errorf("merged-away speaker %s found", want.MergedAway)
	}
	for _, id := range want.Statements {
		if st, err := s2.GetStatement(ctx, id); err != nil || len(st.Occurrences) == 0 {
			t.Errorf("GetStatement(%s) = %+v, %v", id, st, err)
		}
	}
	for _, r := range out1 {
		if r.Type == dump.TypeKey {
			if k, err := s2.KeyByHash(ctx, r.Key.Hash); err != nil || k.ID != r.Key.ID {
				t.Errorf("KeyByHash(%s) = %+v, %v", r.Key.ID, k, err)
			}
		}
	}
	if id, _, err := s2.LookupIdempotencyKey(ctx, want.IdempotencyKeys[0]); err != nil || id != want.Articles[0].ID {
		t.Errorf("LookupIdempotencyKey = %q, %v; want %s", id, err, want.Articles[0].ID)
	}
	if ds, err := s2.ListDeliveries(ctx, want.Subscriptions[0], 10); err != nil || len(ds) != 1 || ds[0].ID != want.Deliveries[0] {
		t.Errorf("ListDeliveries = %+v, %v", ds, err)
	}
	if sub, err := s2.GetSubscription(ctx, want.Subscriptions[0]); err != nil || sub.Secret == "" {
		t.Errorf("GetSubscription = %+v, %v", sub, err)
	}
}

// TestImportConflict: a record whose id is new but whose unique name is
// another's is an error, not a silent skip.
func TestImportConflict(t *testing.T) {
	ctx := testContext(t)
	s := newTestStore(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	a := dump.Record{Type: dump.TypeSpeaker, Speaker: &dump.Speaker{ID: "spk_a", Name: "Ana Ruiz", Type: "person", Version: 1}}
	b := dump.Record{Type: dump.TypeSpeaker, Speaker: &dump.Speaker{ID: "spk_b", Name: "Ana Ruiz", Type: "person", Version: 1}}
	if added, err := s.Import(ctx, a); err != nil || !added {
		t.Fatalf("Import a = %v, %v", added, err)
	}
	if added, err := s.Import(ctx, b); err == nil || added {
		t.Fatalf("Import b (same name, other id) = %v, %v; want a conflict", added, err)
	}
	if _, err := s.Import(ctx, dump.Record{Type: dump.TypeArticle}); err == nil {
		t.Fatal("Import of an article record without article: no error")
	}
}
