package mongostore

// Benchmarks of the store at scale: on an embedded FerretDB started in a
// temporary directory for each benchmark, or on the MongoDB at
// WHOSAID_TEST_MONGO_URI when it is set (a database of its own, dropped
// at the end). `make bench` runs them; `make test` does not.
//
//	go test ./internal/mongostore -run '^$' -bench . -benchtime 1x
//
// BenchmarkIngestArticle reports the ingest rate into an empty store.
// BenchmarkFindQuotes fills one database with synthetic quotes up to each
// size in WHOSAID_BENCH_SIZES (default 10000,100000) and reports, at each
// size, the ingest rate through IngestArticle and the p50 and p99
// latencies of a speaker query and of a word query. The embedded store
// scans the collection for each query (seconds at 100k quotes), so each
// measurement stops after WHOSAID_BENCH_BUDGET (default 20s) once it has
// 5 samples, and at WHOSAID_BENCH_QUERIES (default 50) queries; the
// reported "queries" says how many it took.
//
// The data are loaded with the store's own document constructors and
// insertMany (IngestArticle on the embedded store takes a scan of the
// articles and of the speakers per article, far too slow to fill 100k
// quotes), so this file is in package mongostore.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/embedded"
)

// Shape of the synthetic data.
const (
	benchQuotesPerArticle = 10
	benchSpeakers         = 1000
	benchVocabulary       = 5000
	benchOutlets          = 20
	benchPageSize         = 20 // the API's default page
	benchLoaders          = 8  // IngestArticle or insertMany calls at once
	// benchExtraBase numbers the articles ingested one by one after a
	// bulk load, apart from the bulk-loaded ones.
	benchExtraBase = 10_000_000
)

func benchEnvInts(b *testing.B, name string, def []int) []int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("%s=%q: want positive integers separated by commas", name, v)
		}
		out = append(out, n)
	}
	return out
}

// benchCorpus generates articles deterministically: speakers and words
// follow a Zipf law, as in news (a few people and words are everywhere).
type benchCorpus struct {
	speakers []string
	words    []string
	outlets  []string
	epoch    time.Time
	run      string // makes URLs unique across benchmark runs
}

func newBenchCorpus() *benchCorpus {
	r := mrand.New(mrand.NewPCG(1, 2))
	first := []string{"Ana", "Karl", "Lena", "Paul", "Maria", "Tom", "Ines", "Omar", "Sofia", "Jonas",
		"Ruth", "Malik", "Elena", "Pedro", "Hanna", "Ivan", "Nadia", "Felix", "Clara", "Yusuf",
		"Greta", "Amir", "Lucia", "Viktor", "Rosa", "Samuel", "Irene", "Bruno", "Leila", "Oskar"}
	syll := []string{"ba", "ren", "tor", "li", "mes", "ka", "dor", "vi", "sun", "hel", "ma", "ro", "gan", "te", "quist", "berg", "an", "os", "ley", "dt"}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		return b.String()
	}
	c := &benchCorpus{epoch: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), run: strconv.FormatInt(time.Now().UnixNano(), 36)}
	seen := map[string]bool{}
	for len(c.speakers) < benchSpeakers {
		w := word(2 + r.IntN(2))
		name := first[r.IntN(len(first))] + " " + strings.ToUpper(w[:1]) + w[1:]
		if !seen[attribution.NormalizeName(name)] {
			seen[attribution.NormalizeName(name)] = true
			c.speakers = append(c.speakers, name)
		}
	}
	for len(c.words) < benchVocabulary {
		w := word(1 + r.IntN(3))
		if !seen[w] {
			seen[w] = true
			c.words = append(c.words, w)
		}
	}
	for i := range benchOutlets {
		c.outlets = append(c.outlets, fmt.Sprintf("Outlet %d", i+1))
	}
	return c
}

func zipf(r *mrand.Rand, n int) *mrand.Zipf {
	return mrand.NewZipf(r, 1.1, 1, uint64(n-1))
}

// article returns article i with its extraction result, spans in code
// points: benchQuotesPerArticle sentences “…,” said Name.
func (c *benchCorpus) article(i int) (attribution.Article, attribution.Result) {
	r := mrand.New(mrand.NewPCG(uint64(i), 7))
	zs, zw := zipf(r, len(c.speakers)), zipf(r, len(c.words))
	var text strings.Builder
	var res attribution.Result
	mentions := map[string][]attribution.Mention{}
	var order []string
	pos := 0 // code points written
	write := func(s string) attribution.Span {
		text.WriteString(s)
		sp := attribution.Span{Start: pos, End: pos + utf8.RuneCountInString(s)}
		pos = sp.End
		return sp
	}
	for range benchQuotesPerArticle {
		n := 8 + r.IntN(12)
		ws := make([]string, n)
		for k := range ws {
			ws[k] = c.words[zw.Uint64()]
		}
		ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
		name := c.speakers[zs.Uint64()]
		write("“")
		qs := write(strings.Join(ws, " "))
		write(",” ")
		cue := write("said")
		write(" ")
		ns := write(name)
		write(". ")
		m := attribution.Mention{Text: name, Span: ns}
		if _, ok := mentions[name]; !ok {
			order = append(order, name)
		}
		mentions[name] = append(mentions[name], m)
		res.Quotes = append(res.Quotes, attribution.Quote{
			Text: strings.Join(ws, " "), Span: qs, Kind: attribution.KindDirect,
			Cue:        &attribution.Cue{Text: "said", Span: cue},
			Speaker:    &attribution.QuoteSpeaker{Name: name, Type: attribution.SpeakerPerson, Mention: &m},
			Confidence: 0.9, Rule: "bench",
		})
	}
	for _, name := range order {
		res.Speakers = append(res.Speakers, attribution.Speaker{Name: name, Type: attribution.SpeakerPerson, Mentions: mentions[name]})
	}
	a := attribution.Article{
		URL:         fmt.Sprintf("https://bench.example/%s/%d", c.run, i),
		Title:       fmt.Sprintf("Article %d", i),
		Text:        text.String(),
		PublishedAt: c.epoch.Add(time.Duration(r.IntN(2*365*24)) * time.Hour),
		Outlet:      c.outlets[r.IntN(len(c.outlets))],
		Language:    "en",
	}
	return a, res
}

// ingest stores articles from..to-1 through IngestArticle,
// benchLoaders at once, and returns how long it took.
func (c *benchCorpus) ingest(ctx context.Context, b *testing.B, s *Store, from, to int) time.Duration {
	b.Helper()
	start := time.Now()
	var next atomic.Int64
	next.Store(int64(from))
	var wg sync.WaitGroup
	var once sync.Once
	var failed error
	for range benchLoaders {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= to || ctx.Err() != nil {
					return
				}
				a, res := c.article(i)
				r, err := s.IngestArticle(ctx, &a, res)
				if err == nil && !r.Created {
					err = fmt.Errorf("stored before")
				}
				if err != nil {
					once.Do(func() { failed = fmt.Errorf("IngestArticle %d: %w", i, err) })
					return
				}
			}
		})
	}
	wg.Wait()
	if failed != nil {
		b.Fatal(failed)
	}
	return time.Since(start)
}

// bulkLoad stores articles from..to-1 with their quotes as IngestArticle
// would, but with insertMany in chunks. The speakers must be stored
// (bulkSpeakers).
func (c *benchCorpus) bulkLoad(ctx context.Context, b *testing.B, s *Store, from, to int) {
	b.Helper()
	const chunk = 100 // articles per insertMany
	now := time.Now().UTC().Truncate(time.Millisecond)
	unordered := options.InsertMany().SetOrdered(false)
	var next atomic.Int64
	next.Store(int64(from))
	errs := make(chan error, benchLoaders)
	var wg sync.WaitGroup
	for range benchLoaders {
		wg.Go(func() {
			for {
				lo := int(next.Add(chunk) - chunk)
				if lo >= to {
					return
				}
				var arts, quotes []any
				for i := lo; i < min(lo+chunk, to); i++ {
					a, res := c.article(i)
					a.CreatedAt = now
					d := newArticleDoc(&a)
					d.ID = bson.NewObjectID()
					arts = append(arts, d)
					for n, q := range res.Quotes {
						quotes = append(quotes, newQuoteDoc(d.ID.Hex(), n, q, attribution.SpeakerID(q.Speaker.Name),
							a.PublishedAt.UTC().Truncate(time.Millisecond), a.Outlet, a.URL))
					}
				}
				if _, err := s.db.Collection(collArticles).InsertMany(ctx, arts, unordered); err != nil {
					errs <- fmt.Errorf("insert articles: %w", err)
					return
				}
				if _, err := s.db.Collection(collQuotes).InsertMany(ctx, quotes, unordered); err != nil {
					errs <- fmt.Errorf("insert quotes: %w", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// bulkSpeakers stores every speaker of the corpus as IngestArticle creates
// a new one.
func (c *benchCorpus) bulkSpeakers(ctx context.Context, b *testing.B, s *Store) {
	b.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	docs := make([]any, 0, len(c.speakers))
	for _, name := range c.speakers {
		docs = append(docs, speakerDoc{
			ID: attribution.SpeakerID(name), Name: name, NormalizedName: attribution.NormalizeName(name),
			Keys: []string{attribution.NormalizeName(name)}, Type: string(attribution.SpeakerPerson), Aliases: []string{}, AliasKeys: []string{},
			SearchKeys: attribution.SearchKeys(name, nil), Roles: []string{}, Version: 1, UpdatedAt: now,
		})
	}
	if _, err := s.db.Collection(collSpeakers).InsertMany(ctx, docs); err != nil {
		b.Fatalf("insert speakers: %v", err)
	}
}

// benchStore opens a store on a new database of the MongoDB at
// WHOSAID_TEST_MONGO_URI, or of an embedded FerretDB in a temporary
// directory, with its indexes; both go at the end of the benchmark.
func benchStore(b *testing.B, edit ...func(*Options)) (*Store, context.Context) {
	b.Helper()
	ctx := context.Background()
	uri := os.Getenv("WHOSAID_TEST_MONGO_URI")
	if uri == "" {
		srv, err := embedded.Start(embedded.Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := srv.Stop(sctx); err != nil {
				b.Error(err)
			}
		})
		uri = srv.URI()
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	opts := Options{URI: uri, Database: "bench_" + hex.EncodeToString(suffix)}
	for _, f := range edit {
		f(&opts)
	}
	s, err := Open(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { // runs before the server's Stop above
		cctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if err := s.Drop(cctx); err != nil {
			b.Error(err)
		}
		if err := s.Close(cctx); err != nil {
			b.Error(err)
		}
	})
	if err := s.EnsureIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	return s, ctx
}

func benchStoreKind() string {
	if os.Getenv("WHOSAID_TEST_MONGO_URI") != "" {
		return "mongodb"
	}
	return "embedded"
}

// BenchmarkIngestArticle stores b.N new articles of benchQuotesPerArticle
// quotes each through IngestArticle, benchLoaders at once, into an empty
// database that knows the corpus's speakers, and reports articles/s and
// quotes/s. Extraction is not measured (see internal/extract's
// BenchmarkExtract).
func BenchmarkIngestArticle(b *testing.B) {
	s, ctx := benchStore(b)
	c := newBenchCorpus()
	c.bulkSpeakers(ctx, b, s)
	b.ResetTimer()
	el := c.ingest(ctx, b, s, 0, b.N)
	b.ReportMetric(float64(b.N)/el.Seconds(), "articles/s")
	b.ReportMetric(float64(b.N*benchQuotesPerArticle)/el.Seconds(), "quotes/s")
}

// BenchmarkFindQuotes fills one database up to each size of stored quotes
// in turn and measures, at each: IngestArticle of new articles, and
// FindQuotes with a SpeakerID and with Words (one or two words), one page
// of benchPageSize, newest first.
func BenchmarkFindQuotes(b *testing.B) {
	sizes := benchEnvInts(b, "WHOSAID_BENCH_SIZES", []int{10_000, 100_000})
	maxQueries := benchEnvInts(b, "WHOSAID_BENCH_QUERIES", []int{50})[0]
	budget := 20 * time.Second
	if v := os.Getenv("WHOSAID_BENCH_BUDGET"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("WHOSAID_BENCH_BUDGET=%q: %v", v, err)
		}
		budget = d
	}
	s, ctx := benchStore(b)
	c := newBenchCorpus()
	c.bulkSpeakers(ctx, b, s)
	articles := 0 // bulk-loaded so far: numbers 0..articles-1
	extra := 0    // ingested one by one: numbers benchExtraBase...
	for _, size := range sizes {
		b.Run(fmt.Sprintf("store=%s/quotes=%d", benchStoreKind(), size), func(b *testing.B) {
			if want := size / benchQuotesPerArticle; articles < want {
				start := time.Now()
				c.bulkLoad(ctx, b, s, articles, want)
				b.Logf("bulk-loaded %d quotes in %v", (want-articles)*benchQuotesPerArticle, time.Since(start).Round(time.Millisecond))
				articles = want
			}
			r := mrand.New(mrand.NewPCG(uint64(size), 3))
			zs, zw := zipf(r, len(c.speakers)), zipf(r, len(c.words))
			b.Run("speaker", func(b *testing.B) {
				measureQueries(ctx, b, s, maxQueries, budget, func() attribution.QuoteQuery {
					return attribution.QuoteQuery{SpeakerID: attribution.SpeakerID(c.speakers[zs.Uint64()]), PageSize: benchPageSize}
				})
			})
			b.Run("words", func(b *testing.B) {
				measureQueries(ctx, b, s, maxQueries, budget, func() attribution.QuoteQuery {
					ws := []string{c.words[zw.Uint64()]}
					if r.IntN(2) == 0 {
						ws = append(ws, c.words[zw.Uint64()])
					}
					return attribution.QuoteQuery{Words: ws, PageSize: benchPageSize}
				})
			})
			// Last, so that its few articles do not count in the queries'
			// size.
			b.Run("ingest", func(b *testing.B) {
				// At least b.N and 5 articles, more (up to 100) while
				// within a quarter of the budget.
				n, el := 0, time.Duration(0)
				for n < max(b.N, 5) || (el < budget/4 && n < 100) {
					k := max(b.N, 5)
					el += c.ingest(ctx, b, s, benchExtraBase+extra, benchExtraBase+extra+k)
					extra += k
					n += k
				}
				b.ReportMetric(float64(el.Nanoseconds())/float64(n), "ns/op")
				b.ReportMetric(float64(n)/el.Seconds(), "articles/s")
				b.ReportMetric(float64(n), "articles")
			})
		})
	}
}

// measureQueries runs queries one after the other: at least b.N and 5,
// then more up to maxQueries while within budget. It reports their p50
// and p99 latencies in ms, the mean as ns/op, how many ran, and the share
// that filled a page.
func measureQueries(ctx context.Context, b *testing.B, s *Store, maxQueries int, budget time.Duration, next func() attribution.QuoteQuery) {
	var lat []time.Duration
	full := 0
	start := time.Now()
	for len(lat) < max(b.N, 5) || (len(lat) < maxQueries && time.Since(start) < budget) {
		q := next()
		t := time.Now()
		page, err := s.FindQuotes(ctx, q)
		lat = append(lat, time.Since(t))
		if err != nil {
			b.Fatalf("FindQuotes(%+v): %v", q, err)
		}
		if len(page.Quotes) == benchPageSize {
			full++
		}
	}
	n := len(lat)
	slices.Sort(lat)
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	b.ReportMetric(float64(sum.Nanoseconds())/float64(n), "ns/op")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
	b.ReportMetric(float64(n), "queries")
	b.ReportMetric(100*float64(full)/float64(n), "%full-pages")
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
