// Package legacytest holds the fixture of package legacy for the tests
// of the packages that migrate it: a data directory written by the previous release
// (testdata/ferretdb-v1, made by testdata/make-fixture.sh) and the ids it
// holds (testdata/ferretdb-v1.json).
package legacytest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/whosaid/whosaid/internal/dump"
)

// FixtureDir is the path of testdata/ferretdb-v1.
func FixtureDir(tb testing.TB) string {
	tb.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		tb.Fatal("no caller")
	}
	return filepath.Join(filepath.Dir(filepath.Dir(file)), "testdata", "ferretdb-v1")
}

// CopyFixture copies the fixture's files into a new temporary directory
// and returns it, so that a test may migrate it.
func CopyFixture(tb testing.TB) string {
	tb.Helper()
	src := FixtureDir(tb)
	dst := tb.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return dst
}

// FixtureIDs is testdata/ferretdb-v1.json.
type FixtureIDs struct {
	AdminKeyID     string `json:"admin_key_id"`
	MergeInto      string `json:"merge_into"`
	MergedAway     string `json:"merged_away"`
	CorrectedQuote string `json:"corrected_quote"`
	HiddenQuote    string `json:"hidden_quote"`
	Articles       []struct {
		ID     string   `json:"id"`
		Quotes []string `json:"quotes"`
	} `json:"articles"`
	Statements      []string `json:"statements"`
	VisibleQuotes   []string `json:"visible_quotes"`
	Speakers        []string `json:"speakers"`
	Keys            []string `json:"keys"`
	Subscriptions   []string `json:"subscriptions"`
	Deliveries      []string `json:"deliveries"`
	IdempotencyKeys []string `json:"idempotency_keys"`
}

// LoadFixtureIDs reads testdata/ferretdb-v1.json.
func LoadFixtureIDs(tb testing.TB) FixtureIDs {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(FixtureDir(tb)), "ferretdb-v1.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var f FixtureIDs
	if err := json.Unmarshal(b, &f); err != nil {
		tb.Fatal(err)
	}
	return f
}

// ArticleIDs are the fixture's article ids, sorted.
func (f FixtureIDs) ArticleIDs() []string {
	var out []string
	for _, a := range f.Articles {
		out = append(out, a.ID)
	}
	slices.Sort(out)
	return out
}

// QuoteIDs are the ids of all the fixture's quotes, hidden ones too, sorted.
func (f FixtureIDs) QuoteIDs() []string {
	var out []string
	for _, a := range f.Articles {
		out = append(out, a.Quotes...)
	}
	slices.Sort(out)
	return out
}

// IDs are the ids of dump records by kind, each sorted.
type IDs struct {
	Articles, Quotes, Speakers, Statements, Subscriptions, Deliveries, Keys, IdempotencyKeys []string
}

// IDsOf collects the ids of recs.
func IDsOf(recs []dump.Record) IDs {
	var ids IDs
	for _, r := range recs {
		switch r.Type {
		case dump.TypeSpeaker:
			ids.Speakers = append(ids.Speakers, r.Speaker.ID)
		case dump.TypeArticle:
			ids.Articles = append(ids.Articles, r.Article.ID)
			for _, q := range r.Article.Quotes {
				ids.Quotes = append(ids.Quotes, q.ID)
			}
		case dump.TypeStatement:
			ids.Statements = append(ids.Statements, r.Statement.ID)
		case dump.TypeSubscription:
			ids.Subscriptions = append(ids.Subscriptions, r.Subscription.ID)
		case dump.TypeDelivery:
			ids.Deliveries = append(ids.Deliveries, r.Delivery.ID)
		case dump.TypeKey:
			ids.Keys = append(ids.Keys, r.Key.ID)
		case dump.TypeIdempotencyKey:
			ids.IdempotencyKeys = append(ids.IdempotencyKeys, r.IdempotencyKey.Key)
		}
	}
	for _, s := range []*[]string{&ids.Articles, &ids.Quotes, &ids.Speakers, &ids.Statements, &ids.Subscriptions, &ids.Deliveries, &ids.Keys, &ids.IdempotencyKeys} {
		slices.Sort(*s)
	}
	return ids
}

// FindQuote returns the quote with id among recs, nil if there is none.
func FindQuote(recs []dump.Record, id string) *dump.Quote {
	for _, r := range recs {
		if r.Type != dump.TypeArticle {
			continue
		}
		for i := range r.Article.Quotes {
			if r.Article.Quotes[i].ID == id {
				return &r.Article.Quotes[i]
			}
		}
	}
	return nil
}
