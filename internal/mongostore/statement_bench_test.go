package mongostore

import (
	mrand "math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkMatchStatements stores WHOSAID_BENCH_STATEMENTS (default 10000)
// synthetic direct quotes through IngestArticle, each its own statement,
// then asks MatchStatements about paraphrases of stored quotes (one word
// dropped, one replaced) and reports the p50 and p99 latency of a query,
// the share of queries whose best candidate is the quote paraphrased
// (recall@1), and the ingest rate with statements. The candidates come
// from the multikey index on shingles (on the embedded FerretDB, which
// does not use it, from a scan).
func BenchmarkMatchStatements(b *testing.B) {
	n := benchEnvInts(b, "WHOSAID_BENCH_STATEMENTS", []int{10_000})[0]
	s, ctx := benchStore(b)
	c := newBenchCorpus()
	c.bulkSpeakers(ctx, b, s)
	articles := (n + benchQuotesPerArticle - 1) / benchQuotesPerArticle
	el := c.ingest(ctx, b, s, 0, articles)
	b.ReportMetric(float64(articles)/el.Seconds(), "ingest-articles/s")

	r := mrand.New(mrand.NewPCG(42, 1))
	var lat []time.Duration
	hits := 0
	b.ResetTimer()
	for i := 0; i < b.N || len(lat) < 200; i++ {
		_, res := c.article(r.IntN(articles))
		want := res.Quotes[r.IntN(len(res.Quotes))].Text
		words := strings.Fields(want)
		if len(words) > 5 {
			k := 1 + r.IntN(len(words)-2)
			words = slices.Delete(words, k, k+1)                // drop one
			words[len(words)-1] = c.words[r.IntN(len(c.words))] // change the last
		}
		start := time.Now()
		ms, err := s.MatchStatements(ctx, strings.Join(words, " "), 10)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		if len(ms) > 0 && ms[0].Statement.Text == want {
			hits++
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(float64(hits)/float64(len(lat)), "recall@1")
	b.Logf("%s store, %d statements: %d queries, p50 %.2f ms, p99 %.2f ms, recall@1 %.3f, ingest %.1f articles/s",
		benchStoreKind(), n, len(lat), ms(percentile(lat, 0.5)), ms(percentile(lat, 0.99)), float64(hits)/float64(len(lat)), float64(articles)/el.Seconds())
}
