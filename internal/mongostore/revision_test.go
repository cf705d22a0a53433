package mongostore_test

import (
	"errors"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/mongostore"
)

// TestRevisionCutShort: a writer that died after claiming a revision (the
// article has the new text, marked revising, and the old quotes) blocks
// other ingests of the URL for a minute (409), then an ingest of the same
// text takes the revision over and finishes it.
func TestRevisionCutShort(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	const (
		url = "https://example.com/news/harbour"
		v1  = `"We will rebuild the port by spring," said Mayor Ana Ruiz. "Nobody asked the fishermen," said Jonas Berg.`
		v2  = `Updated. "We will rebuild the port by spring," said Mayor Ana Ruiz. "The ferry returns in May," Ruiz added.`
	)
	first := ingest(t, s, attribution.Article{URL: url, Text: v1})
	if len(first.Quotes) != 2 {
		t.Fatalf("first text: %d quotes, want 2", len(first.Quotes))
	}
	// Die right after the claim.
	raw := rawDB(t, s.Name())
	oid, _ := bson.ObjectIDFromHex(first.Article.ID)
	claim := func(at time.Time) {
		t.Helper()
		if _, err := raw.Collection("articles").UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}}, bson.D{{Key: "$set", Value: bson.D{
			{Key: "text", Value: v2}, {Key: "text_hash", Value: mongostore.TextHash(v2)}, {Key: "revision", Value: 2},
			{Key: "updated_at", Value: at}, {Key: "revising", Value: true},
		}}}); err != nil {
			t.Fatal(err)
		}
	}
	claim(time.Now().UTC())
	a := attribution.Article{URL: url, Text: v2}
	if _, err := s.IngestArticle(ctx, &a, mustExtract(t, v2)); !errors.Is(err, attribution.ErrConflict) {
		t.Fatalf("ingest during the revision: error %v, want ErrConflict", err)
	}
	if _, err := s.StoredArticle(ctx, &attribution.Article{URL: url, Text: v2}); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("StoredArticle of an article being revised: error %v, want ErrNotFound", err)
	}
	claim(time.Now().UTC().Add(-2 * time.Minute))
	got := ingest(t, s, attribution.Article{URL: url, Text: v2})
	if !got.Revised || got.Article.Revision != 2 || got.Article.Text != v2 || len(got.Quotes) != 2 {
		t.Fatalf("taking the revision over = revised %v, revision %d, %d quotes; want revision 2 with 2 quotes", got.Revised, got.Article.Revision, len(got.Quotes))
	}
	if got.Quotes[0].ID != first.Quotes[0].ID || got.Quotes[1].ID != first.Article.ID+"-2" {
		t.Errorf("quote ids = %s, %s; want the kept %s and a new -2", got.Quotes[0].ID, got.Quotes[1].ID, first.Quotes[0].ID)
	}
	if _, err := s.GetQuote(ctx, first.Quotes[1].ID); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetQuote(removed) error = %v, want ErrNotFound", err)
	}
	var doc struct {
		Revising bool `bson:"revising"`
	}
	if err := raw.Collection("articles").FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&doc); err != nil || doc.Revising {
		t.Errorf("article after the takeover: revising %v, %v; want the mark gone", doc.Revising, err)
	}
	again := ingest(t, s, attribution.Article{URL: url, Text: v2})
	if again.Revised || again.Created || again.Article.Revision != 2 {
		t.Errorf("the same text again = revised %v, revision %d; want nothing written", again.Revised, again.Article.Revision)
	}
}
