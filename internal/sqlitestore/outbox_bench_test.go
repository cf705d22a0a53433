package sqlitestore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/webhook"
)

// BenchmarkIngestOutbox measures what the outbox adds to an ingest: the
// same articles into a store without subscriptions, with 20 that match
// nothing, and with 20 of which one matches every quote.
func BenchmarkIngestOutbox(b *testing.B) {
	text := "\u201cWe will rebuild every bridge,\u201d said Clara Jansen, the regional governor. \u201cNot this year,\u201d said Pieter Berg."
	res := mustExtract(b, text)
	for _, tc := range []struct {
		name  string
		subs  int
		match bool
	}{{"none", 0, false}, {"20-nomatch", 20, false}, {"20-one-matches-all", 20, true}} {
		b.Run(tc.name, func(b *testing.B) {
			s := newStore(b)
			ctx := context.Background()
			for i := range tc.subs {
				q := fmt.Sprintf("tunnel%d", i)
				if tc.match && i == 0 {
					q = ""
				}
				if err := s.CreateSubscription(ctx, webhook.Subscription{ID: fmt.Sprintf("sub_%d", i), URL: "https://desk.example/hook",
					Secret: webhook.NewSecret(), Query: q, SpeakerIDs: []string{}, CreatedAt: time.Now()}); err != nil {
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for i := range b.N {
				a := attribution.Article{URL: fmt.Sprintf("https://news.example/%d", i), Text: text, Language: "en"}
				if _, err := s.IngestArticle(ctx, &a, res); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
