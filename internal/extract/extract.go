// Package extract finds attributed quotes in article text.
package extract

import "github.com/whosaid/whosaid/internal/attribution"

// Extractor finds quotes and their speakers. It is immutable after New and
// safe for concurrent use; it does no I/O.
type Extractor struct{}

// New builds an Extractor.
func New() (*Extractor, error) { return &Extractor{}, nil }

// Extract returns the quotes and speakers of text, with byte offsets into text.
func (e *Extractor) Extract(text string) attribution.Result {
	return attribution.Result{Quotes: []attribution.Quote{}, Speakers: []attribution.Speaker{}}
}
