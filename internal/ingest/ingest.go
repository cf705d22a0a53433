// Package ingest is the one path by which an article is stored, shared by
// POST /v1/articles (and its batch) and `whosaid ingest`: validate, find
// it stored already without extracting, else extract its quotes and store
// both.
package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/whosaid/whosaid/internal/attribution"
)

// Store stores an article with its quotes (spans in code points), stores
// a new text at a stored URL as the article's next revision (Revised), or
// answers the stored one (neither Created nor Revised).
type Store interface {
	IngestArticle(ctx context.Context, a *attribution.Article, res attribution.Result) (attribution.IngestResult, error)
}

// Finder is implemented by stores that can answer a stored article (same
// URL and text, or without URL the same text) without its extraction; the
// error wraps attribution.ErrNotFound for a new article, and for a new
// text at a stored URL (a revision, which IngestArticle stores).
type Finder interface {
	StoredArticle(ctx context.Context, a *attribution.Article) (attribution.IngestResult, error)
}

// Extract finds the quotes of a text, spans in Unicode code points; it
// answers ctx's error when ctx is done first.
type Extract func(ctx context.Context, text string) (attribution.Result, error)

// Article stores a, extracting its quotes only when it is new.
func Article(ctx context.Context, st Store, extract Extract, a *attribution.Article) (attribution.IngestResult, error) {
	if err := a.Validate(); err != nil {
		return attribution.IngestResult{}, fmt.Errorf("ingest article: %w", err)
	}
	if f, ok := st.(Finder); ok {
		r, err := f.StoredArticle(ctx, a)
		if err == nil {
			return r, nil
		}
		if !errors.Is(err, attribution.ErrNotFound) {
			return attribution.IngestResult{}, err
		}
	}
	res, err := extract(ctx, a.Text)
	if err != nil {
		return attribution.IngestResult{}, fmt.Errorf("ingest article: extract: %w", err)
	}
	return st.IngestArticle(ctx, a, res)
}
