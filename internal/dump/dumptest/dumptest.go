// Package dumptest checks a store's dump.Exporter and dump.Importer, the
// same way for every store: the records of the previous release's data
// directory (package legacy's fixture) imported into a new store, exported,
// imported into another and exported again, with the ids kept, nothing
// lost and nothing added by a second import.
//
//	func TestDump(t *testing.T) {
//		dumptest.Run(t, func(t *testing.T) dumptest.Store { return newTestStore(t) })
//	}
package dumptest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/legacy"
	"github.com/whosaid/whosaid/internal/legacy/legacytest"
)

// Store is a store that exports and imports.
type Store interface {
	dump.Exporter
	dump.Importer
}

// FixtureRecords are the records of the previous release's data
// directory, as `whosaid migrate` reads them.
func FixtureRecords(t *testing.T) []dump.Record {
	t.Helper()
	dir := legacytest.CopyFixture(t)
	var recs []dump.Record
	if _, err := legacy.Read(context.Background(), filepath.Join(dir, "whosaid.sqlite"), func(r dump.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return recs
}

// ImportAll imports recs into s and returns how many were added and how
// many were stored already.
func ImportAll(ctx context.Context, t *testing.T, s dump.Importer, recs []dump.Record) (added, skipped int) {
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

// ExportAll exports s.
func ExportAll(ctx context.Context, t *testing.T, s dump.Exporter) []dump.Record {
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

// NDJSON is recs as an export file has them (without header).
func NDJSON(t *testing.T, recs []dump.Record) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// WithoutSentences is recs without the quotes' sentence spans, which a
// store may compute on import and export (the fixture has none).
func WithoutSentences(recs []dump.Record) []dump.Record {
	out := make([]dump.Record, len(recs))
	for i, r := range recs {
		if r.Article != nil {
			a := *r.Article
			a.Quotes = append([]dump.Quote(nil), a.Quotes...)
			for j := range a.Quotes {
				a.Quotes[j].Sentence = nil
			}
			r.Article = &a
		}
		out[i] = r
	}
	return out
}

// WithRevisions is recs with each article's revision fields as a store
// derives them for a dump of a release before revisions: revision 1,
// updated when created, the next quote number one more than the highest
// one used.
func WithRevisions(recs []dump.Record) []dump.Record {
	out := make([]dump.Record, len(recs))
	for i, r := range recs {
		out[i] = r
		if r.Article == nil {
			continue
		}
		a := *r.Article
		a.Revision = max(a.Revision, 1)
		if a.UpdatedAt.Before(a.CreatedAt) {
			a.UpdatedAt = a.CreatedAt
		}
		for _, q := range a.Quotes {
			if n, ok := dump.QuoteNumber(a.ID, q.ID); ok {
				a.NextQuote = max(a.NextQuote, n+1)
			}
		}
		out[i].Article = &a
	}
	return out
}

// Canonical is recs with what a store may derive from its quotes put as
// the quotes say: each statement occurrence has the kind of its quote now
// (a correction of the quote reaches its statement; a store that copied
// the occurrence keeps the kind it had), and the quotes' sentence spans
// are left out (WithoutSentences).
func Canonical(recs []dump.Record) []dump.Record {
	recs = WithoutSentences(recs)
	kinds := map[string]attribution.Kind{}
	for _, r := range recs {
		if r.Article != nil {
			for _, q := range r.Article.Quotes {
				kinds[q.ID] = q.Kind
			}
		}
	}
	recs = WithRevisions(recs)
	for i, r := range recs {
		if r.Statement == nil {
			continue
		}
		st := *r.Statement
		st.Occurrences = append([]attribution.Occurrence(nil), st.Occurrences...)
		for j, o := range st.Occurrences {
			if k, ok := kinds[o.QuoteID]; ok {
				st.Occurrences[j].Kind = k
			}
		}
		recs[i].Statement = &st
	}
	return recs
}

// SameLines fails t at the first line where a and b differ.
func SameLines(t *testing.T, what string, a, b []byte) {
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

// Run runs the checks on stores made by newStore, each new and empty. The
// first export of the fixture must equal the fixture but for what a store
// derives from its quotes (Canonical); every export after must be exactly
// the export it was imported from.
func Run(t *testing.T, newStore func(t *testing.T) Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	recs := FixtureRecords(t)

	t.Run("fixture round trip", func(t *testing.T) {
		s1 := newStore(t)
		if added, skipped := ImportAll(ctx, t, s1, recs); added != len(recs) || skipped != 0 {
			t.Fatalf("import: %d added, %d skipped; want %d, 0", added, skipped, len(recs))
		}
		if added, skipped := ImportAll(ctx, t, s1, recs); added != 0 || skipped != len(recs) {
			t.Fatalf("re-import: %d added, %d skipped; want 0, %d", added, skipped, len(recs))
		}
		out1 := ExportAll(ctx, t, s1)
		SameLines(t, "fixture vs its export", NDJSON(t, Canonical(recs)), NDJSON(t, Canonical(out1)))

		s2 := newStore(t)
		if added, _ := ImportAll(ctx, t, s2, out1); added != len(out1) {
			t.Fatalf("import of the export: %d added of %d", added, len(out1))
		}
		SameLines(t, "export vs the export of its import", NDJSON(t, out1), NDJSON(t, ExportAll(ctx, t, s2)))
	})

	t.Run("import cut short", func(t *testing.T) {
		// Half the records, then all: the second import adds the rest.
		s := newStore(t)
		half := len(recs) / 2
		ImportAll(ctx, t, s, recs[:half])
		if added, skipped := ImportAll(ctx, t, s, recs); added != len(recs)-half || skipped != half {
			t.Fatalf("import after half: %d added, %d skipped; want %d, %d", added, skipped, len(recs)-half, half)
		}
		SameLines(t, "fixture vs export", NDJSON(t, Canonical(recs)), NDJSON(t, Canonical(ExportAll(ctx, t, s))))
	})

	t.Run("unique name of another id", func(t *testing.T) {
		s := newStore(t)
		a := dump.Record{Type: dump.TypeSpeaker, Speaker: &dump.Speaker{ID: "spk_aaaaaaaaaaaaaaaa", Name: "Ana Ruiz", Type: "person",
			Aliases: []string{}, Roles: []string{}, Version: 1, UpdatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}}
		b := *a.Speaker
		b.ID = "spk_bbbbbbbbbbbbbbbb"
		if added, err := s.Import(ctx, a); err != nil || !added {
			t.Fatalf("Import a = %v, %v", added, err)
		}
		if added, err := s.Import(ctx, dump.Record{Type: dump.TypeSpeaker, Speaker: &b}); err == nil || added {
			t.Fatalf("Import of another id with the same name = %v, %v; want an error", added, err)
		}
	})

	t.Run("article of another id with the same URL", func(t *testing.T) {
		s := newStore(t)
		var art *dump.Article
		for _, r := range recs {
			if r.Type == dump.TypeSpeaker {
				if _, err := s.Import(ctx, r); err != nil {
					t.Fatalf("Import speaker: %v", err)
				}
			}
		}
		for _, r := range recs {
			if r.Type == dump.TypeArticle && r.Article.URL != "" && len(r.Article.Quotes) > 0 {
				art = r.Article
				break
			}
		}
		if added, err := s.Import(ctx, dump.Record{Type: dump.TypeArticle, Article: art}); err != nil || !added {
			t.Fatalf("Import = %v, %v", added, err)
		}
		other := *art
		other.ID = "0123456789abcdef01234567"
		other.Quotes = make([]dump.Quote, len(art.Quotes))
		for i, q := range art.Quotes {
			q.ID = fmt.Sprintf("%s-%d", other.ID, q.N)
			q.ArticleID = other.ID
			other.Quotes[i] = q
		}
		if added, err := s.Import(ctx, dump.Record{Type: dump.TypeArticle, Article: &other}); err == nil || added {
			t.Fatalf("Import of another id with the same URL = %v, %v; want an error", added, err)
		}
		// Nothing of it was stored: no quote of it (stores serve quotes
		// by id), and the export holds the first article only.
		if g, ok := s.(interface {
			GetQuote(ctx context.Context, id string) (attribution.StoredQuote, error)
		}); ok {
			if q, err := g.GetQuote(ctx, other.Quotes[0].ID); !errors.Is(err, attribution.ErrNotFound) {
				t.Errorf("GetQuote(%s) of the refused article = %+v, %v; want not found", other.Quotes[0].ID, q, err)
			}
		}
		var n int
		for _, r := range ExportAll(ctx, t, s) {
			if r.Type == dump.TypeArticle {
				n++
				if r.Article.ID != art.ID || len(r.Article.Quotes) != len(art.Quotes) {
					t.Errorf("exported article %s with %d quotes; want %s with %d", r.Article.ID, len(r.Article.Quotes), art.ID, len(art.Quotes))
				}
			}
		}
		if n != 1 {
			t.Errorf("%d articles exported, want 1", n)
		}
	})

	t.Run("same text under another URL", func(t *testing.T) {
		// An article is its URL: the same text under another URL is an
		// article of its own, and so is one without URL.
		s := newStore(t)
		for _, r := range recs {
			if r.Type == dump.TypeSpeaker {
				if _, err := s.Import(ctx, r); err != nil {
					t.Fatalf("Import speaker: %v", err)
				}
			}
		}
		base := dump.Article{Quotes: []dump.Quote{}}
		base.Text, base.URL = "Nothing quoted here.", "https://a.example.org/1"
		base.ID, base.CreatedAt = "0123456789abcdef0000000a", time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		other := base
		other.ID, other.URL = "0123456789abcdef0000000b", "https://b.example.org/1"
		bare := base
		bare.ID, bare.URL = "0123456789abcdef0000000c", ""
		for _, c := range []struct {
			a       dump.Article
			wantErr bool
		}{{base, false}, {other, false}, {bare, false}} {
			a := c.a
			added, err := s.Import(ctx, dump.Record{Type: dump.TypeArticle, Article: &a})
			if c.wantErr != (err != nil) || added == c.wantErr {
				t.Errorf("Import %s (url %q) = %v, %v; want an error: %v", a.ID, a.URL, added, err, c.wantErr)
			}
		}
	})

	t.Run("record without its body", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.Import(ctx, dump.Record{Type: dump.TypeArticle}); err == nil {
			t.Fatal("Import of an article record without article: no error")
		}
	})
}
