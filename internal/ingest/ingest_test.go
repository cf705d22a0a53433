package ingest

import (
	"context"
	"errors"
	"testing"

	"github.com/whosaid/whosaid/internal/attribution"
)

// countStore counts the articles it is asked to store.
type countStore struct{ n int }

func (s *countStore) IngestArticle(_ context.Context, a *attribution.Article, _ attribution.Result) (attribution.IngestResult, error) {
	s.n++
	return attribution.IngestResult{Article: *a, Created: true}, nil
}

func TestArticleCancelled(t *testing.T) {
	st := &countStore{}
	extract := func(ctx context.Context, text string) (attribution.Result, error) {
		if err := ctx.Err(); err != nil {
			return attribution.Result{}, err
		}
		return attribution.Result{Quotes: []attribution.Quote{}, Speakers: []attribution.Speaker{}}, nil
	}
	a := attribution.Article{Text: "“We stay,” she said.", URL: "https://example.com/a"}
	if _, err := Article(context.Background(), st, extract, &a); err != nil || st.n != 1 {
		t.Fatalf("Article(background) = %v, stored %d; want no error and 1 stored", err, st.n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := attribution.Article{Text: "“We go,” he said.", URL: "https://example.com/b"}
	if _, err := Article(ctx, st, extract, &b); !errors.Is(err, context.Canceled) {
		t.Errorf("Article(cancelled) error = %v, want context.Canceled", err)
	}
	if st.n != 1 {
		t.Errorf("Article(cancelled) stored the article: %d stored, want 1", st.n)
	}
}
