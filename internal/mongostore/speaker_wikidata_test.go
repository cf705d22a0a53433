package mongostore_test

import (
	"errors"
	"testing"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/mongostore"
)

// wikidataSpeakers stores one article per name and returns the speakers'
// ids in the same order.
func wikidataSpeakers(t *testing.T, s *mongostore.Store, names ...string) []string {
	t.Helper()
	ids := make([]string, len(names))
	for i, n := range names {
		ingest(t, s, attribution.Article{Text: `"We are ready," said ` + n + `.`})
		p, err := s.ResolveSpeaker(testContext(t), n)
		if err != nil {
			t.Fatalf("ResolveSpeaker(%q): %v", n, err)
		}
		ids[i] = p.ID
	}
	return ids
}

func ptr(s string) *string { return &s }

func TestSpeakerWikidataID(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	ids := wikidataSpeakers(t, s, "Ana Ruiz", "Jonas Berg")
	ruiz, berg := ids[0], ids[1]

	p, err := s.GetSpeaker(ctx, ruiz)
	if err != nil || p.WikidataID != "" {
		t.Fatalf("new speaker = %+v, %v; want no Wikidata id", p, err)
	}
	v := p.Version
	p, err = s.UpdateSpeaker(ctx, ruiz, attribution.SpeakerPatch{WikidataID: ptr("Q3874799")}, v)
	if err != nil || p.WikidataID != "Q3874799" || p.Version != v+1 || p.QuoteCount != 1 {
		t.Fatalf("set wikidata_id = %+v, %v; want Q3874799 at version %d with its figures", p, err, v+1)
	}
	if l, err := s.LookupSpeaker(ctx, ruiz); err != nil || l.WikidataID != "Q3874799" || l.Name != "Ana Ruiz" || l.Version != v+1 {
		t.Errorf("LookupSpeaker = %+v, %v", l, err)
	}
	if _, err := s.LookupSpeaker(ctx, "spk_0000000000000000"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("LookupSpeaker(unknown) error = %v, want ErrNotFound", err)
	}

	// A rename or alias edit keeps it.
	p, err = s.UpdateSpeaker(ctx, ruiz, attribution.SpeakerPatch{Name: ptr("Ana María Ruiz")}, 0)
	if err != nil || p.WikidataID != "Q3874799" {
		t.Errorf("rename = %+v, %v; want the Wikidata id kept", p, err)
	}

	for _, bad := range []string{"q42", "Q0", "Q042", "P31", " Q42", "Q1000000000000", "https://www.wikidata.org/wiki/Q42"} {
		_, err := s.UpdateSpeaker(ctx, berg, attribution.SpeakerPatch{WikidataID: &bad}, 0)
		var fe *attribution.FieldError
		if !errors.As(err, &fe) || fe.Field != "wikidata_id" {
			t.Errorf("wikidata_id %q: error %v, want a field error on wikidata_id", bad, err)
		}
	}
	// Another speaker's id is a conflict; a stale version a precondition.
	if _, err := s.UpdateSpeaker(ctx, berg, attribution.SpeakerPatch{WikidataID: ptr("Q3874799")}, 0); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("another speaker's wikidata_id: error %v, want ErrConflict", err)
	}
	if _, err := s.UpdateSpeaker(ctx, ruiz, attribution.SpeakerPatch{WikidataID: ptr("Q1")}, v); !errors.Is(err, attribution.ErrPrecondition) {
		t.Errorf("stale version: error %v, want ErrPrecondition", err)
	}
	// Setting the id it has is no conflict with itself.
	if p, err = s.UpdateSpeaker(ctx, ruiz, attribution.SpeakerPatch{WikidataID: ptr("Q3874799")}, 0); err != nil {
		t.Errorf("same wikidata_id again: %v", err)
	}

	// "" clears it; the other speaker may take it then.
	v = p.Version
	p, err = s.UpdateSpeaker(ctx, ruiz, attribution.SpeakerPatch{WikidataID: ptr("")}, v)
	if err != nil || p.WikidataID != "" || p.Version != v+1 {
		t.Fatalf("clear wikidata_id = %+v, %v", p, err)
	}
	if p, err := s.UpdateSpeaker(ctx, berg, attribution.SpeakerPatch{WikidataID: ptr("Q3874799")}, 0); err != nil || p.WikidataID != "Q3874799" {
		t.Errorf("free wikidata_id on another speaker = %+v, %v", p, err)
	}
	found, _, err := s.SearchSpeakers(ctx, "", 10, "")
	if err != nil || len(found) != 2 || found[0].WikidataID != "" || found[1].WikidataID != "Q3874799" {
		t.Errorf("SearchSpeakers = %+v, %v; want Ruiz without, Berg with Q3874799", found, err)
	}
}

func TestMergeSpeakersWikidataID(t *testing.T) {
	for _, tc := range []struct {
		name string
		into string   // the kept speaker's id
		from []string // the merged speakers' ids
		want string
	}{
		{"kept speaker's wins", "Q1", []string{"Q2"}, "Q1"},
		{"kept speaker's wins over none", "Q1", []string{""}, "Q1"},
		{"taken from the merged one", "", []string{"Q2"}, "Q2"},
		{"merged ones without one do not count", "", []string{"", "Q2", ""}, "Q2"},
		{"merged ones disagree", "", []string{"Q2", "Q3"}, ""},
		{"none anywhere", "", []string{"", ""}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestStore(t)
			ctx := testContext(t)
			if err := s.EnsureIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			names := []string{"Ana Ruiz", "Jonas Berg", "Marta Olsen", "Pia Lund"}[:1+len(tc.from)]
			ids := wikidataSpeakers(t, s, names...)
			for i, w := range append([]string{tc.into}, tc.from...) {
				if w == "" {
					continue
				}
				if _, err := s.UpdateSpeaker(ctx, ids[i], attribution.SpeakerPatch{WikidataID: &w}, 0); err != nil {
					t.Fatalf("set %s on %s: %v", w, names[i], err)
				}
			}
			before, err := s.GetSpeaker(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			p, err := s.MergeSpeakers(ctx, ids[0], ids[1:])
			if err != nil {
				t.Fatal(err)
			}
			if p.WikidataID != tc.want || p.Version != before.Version+1 || p.QuoteCount != len(names) {
				t.Errorf("merged = wikidata_id %q, version %d, %d quotes; want %q, %d, %d",
					p.WikidataID, p.Version, p.QuoteCount, tc.want, before.Version+1, len(names))
			}
			if l, err := s.LookupSpeaker(ctx, ids[0]); err != nil || l.WikidataID != tc.want {
				t.Errorf("LookupSpeaker after merge = %q, %v; want %q", l.WikidataID, err, tc.want)
			}
		})
	}
}
