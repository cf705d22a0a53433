package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/whosaid/whosaid/api"
	"github.com/whosaid/whosaid/internal/httpapi"
	"github.com/whosaid/whosaid/internal/sqlitestore"
)

// Invented names: every first name with every surname gives 2,500
// speakers; speakers are drawn with a Zipf law, so a few are quoted in
// thousands of articles and most in a handful.
var (
	benchFirst = strings.Fields(`Helena Rafael Ingrid Tomasz Margit Daniel Liesel Pieter Amara Jonas Beatriz Kofi Sofia Emil Nadia
		Viktor Clara Samuel Ottilie Mateo Yara Lukas Elif Henrik Rosalind Tobias Anouk Marcus Priya Felix Greta Ignacio Leona Anton
		Hanna Oskar Farah Julian Miriam Ruben Selma Konrad Dalia Erik Lucia Nils Camille Theo Ines Gustav`)
	benchLast = strings.Fields(`Brandvik Okonjo Solheim Adeyemi Falkenrath Achterberg Marchetti Vandermolen Lindqvist Feldkamp
		Holloway Marangoni Drummond Castellano Oyelaran Hallberg Montferrand Achebe Ravensworth Kristiansen Quimby Brennerman Sandoval
		Abernathy Okafor Wetherby Delacroix Tallgren Westergaard Oduya Halvorsen Pemberton Vasquez Mirelli Ashcombe Nakamura Lindgren
		Thackeray Kowalczyk Ellery Okoro Fairweather Sorbye Montague Brightwater Agbaje Rasmussen Whitlock Varga Mbeki`)
	benchVerbs   = strings.Fields("rebuild protect reopen finance delay repair review expand close modernise defend replace inspect fund rethink")
	benchObjects = []string{"the harbour", "the old bridge", "the flood defences", "the rail depot", "the river path", "the market hall",
		"the ferry service", "the school buildings", "the water plant", "the housing estate", "the northern road", "the fishing quay"}
	benchTails = []string{"before the winter storms arrive", "without raising local taxes", "as soon as the money is there",
		"whatever the national government decides", "within the next three years", "for the families who live there",
		"once the engineers have finished their survey", "even if it takes longer than we hoped"}
	benchOutlets = []string{"Harbour Gazette", "Northern Courier", "Valley Times", "Coastal Herald", "Morning Ledger", "Evening Post",
		"City Wire", "Regional Mirror", "Daily Beacon", "Weekly Observer", "Island Chronicle", "Plains Tribune"}
)

// benchWord is the i-th word of an invented vocabulary: syllables in
// base 24.
func benchWord(i int) string {
	syll := strings.Fields("ba ko ri mes tal un dor vi sa pe lun gor ta mi rek os fa nel du ser ka lo pin ve")
	w := ""
	for {
		w += syll[i%len(syll)]
		i /= len(syll)
		if i == 0 {
			return w
		}
	}
}

func benchSpeaker(i int) string {
	return benchFirst[i%len(benchFirst)] + " " + benchLast[(i/len(benchFirst))%len(benchLast)]
}

// benchArticle is article n of a run: quotes quotations of speakers drawn
// by z, each sentence unique (the article number is in it).
func benchArticle(run string, n, quotes int, z, wz *rand.Zipf, r *rand.Rand) map[string]string {
	var b strings.Builder
	fmt.Fprintf(&b, "Council report %d\n\nReport number %d of the year was on the agenda.\n\n", n, n)
	for i := range quotes {
		name := benchSpeaker(int(z.Uint64()))
		// A common opening, then words drawn by a Zipf law from an invented
		// vocabulary, as words are in real quotes.
		words := []string{"We will", benchVerbs[r.IntN(len(benchVerbs))], benchObjects[r.IntN(len(benchObjects))]}
		for range 6 + r.IntN(10) {
			words = append(words, benchWord(int(wz.Uint64())))
		}
		q := strings.Join(words, " ")
		if i%2 == 0 {
			fmt.Fprintf(&b, "\u201c%s,\u201d said %s.\n\n", q, name)
		} else {
			fmt.Fprintf(&b, "\u201c%s,\u201d %s said.\n\nThe meeting went on for another hour.\n\n", q, name)
		}
	}
	day := time.Date(2023, 1, 1, 8, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(3*365*24*60)) * time.Minute)
	return map[string]string{
		"url": fmt.Sprintf("https://example.com/bench/%s/%d", run, n), "title": fmt.Sprintf("Council report %d", n),
		"text": b.String(), "published_at": day.Format(time.RFC3339), "outlet": benchOutlets[r.IntN(len(benchOutlets))],
	}
}

// writeBenchArticles writes count articles of run as NDJSON.
func writeBenchArticles(tb testing.TB, path, run string, from, count, quotes int) {
	tb.Helper()
	r := rand.New(rand.NewPCG(uint64(from)+7, 11))
	z := rand.NewZipf(r, 1.1, 3, uint64(len(benchFirst)*len(benchLast)-1))
	wz := rand.NewZipf(r, 1.05, 2, 20_000)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for n := from; n < from+count; n++ {
		if err := enc.Encode(benchArticle(run, n, quotes, z, wz, r)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		tb.Fatal(err)
	}
}

// benchIngest ingests an NDJSON file into st as `whosaid ingest` does and
// returns the summary.
func benchIngest(tb testing.TB, st *sqlitestore.Store, path string) ingestSummary {
	tb.Helper()
	target, err := newStoreTarget(st, "")
	if err != nil {
		tb.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sum, err := ingestLines(context.Background(), f, target, defaultIngestWorkers, nil)
	if err != nil || sum.Failed > 0 {
		tb.Fatalf("ingest %s: %v, %d failed: %+v", path, err, sum.Failed, sum.Errors)
	}
	return sum
}

// BenchmarkEmbeddedStore measures the embedded store at
// WHOSAID_BENCH_QUOTES stored quotes (default 100,000; 10 a article):
// `whosaid ingest` of new articles and a re-run that adds nothing, then
// the p50 and p99 latency of each listing through the HTTP API (loopback,
// one client). Run it once: go test -run '^$' -bench EmbeddedStore
// -benchtime 1x ./internal/cli (make bench does).
func BenchmarkEmbeddedStore(b *testing.B) {
	total := 100_000
	if v := os.Getenv("WHOSAID_BENCH_QUOTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1000 {
			b.Fatalf("WHOSAID_BENCH_QUOTES=%q: want a number of quotes, at least 1000", v)
		}
		total = n
	}
	const quotesPer = 10
	dir := b.TempDir()
	st, err := sqlitestore.Open(sqlitestore.Options{Path: filepath.Join(dir, sqlitestore.FileName)})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close(context.Background())
	articles := total / quotesPer
	const probe = 1000 // articles of the measured ingest
	seedPath := filepath.Join(dir, "seed.ndjson")
	writeBenchArticles(b, seedPath, "seed", 0, articles-probe, quotesPer)
	seed := benchIngest(b, st, seedPath)
	b.Logf("seeded %d articles, %d quotes in %v (%.0f articles/s)", seed.Created, seed.Quotes, seed.Elapsed.Round(time.Millisecond),
		float64(seed.Created)/seed.Elapsed.Seconds())

	b.ResetTimer()
	probePath := filepath.Join(dir, "probe.ndjson")
	writeBenchArticles(b, probePath, "probe", articles-probe, probe, quotesPer)
	in := benchIngest(b, st, probePath)
	again := benchIngest(b, st, probePath)
	if in.Created != probe || again.Existing != probe {
		b.Fatalf("probe ingest created %d, re-run found %d stored; want %d each", in.Created, again.Existing, probe)
	}
	b.ReportMetric(float64(in.Created)/in.Elapsed.Seconds(), "ingest_articles/s")
	b.ReportMetric(float64(again.Existing)/again.Elapsed.Seconds(), "rerun_lines/s")
	b.ReportMetric(float64(seed.Quotes+in.Quotes), "quotes")

	x, err := newExtractor("")
	if err != nil {
		b.Fatal(err)
	}
	srv, err := httpapi.New(httpapi.Options{Logger: slog.New(slog.DiscardHandler), Store: st, StoreKind: "embedded", Extractor: x, OpenAPI: api.OpenAPIJSON()})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	c := hs.Client()
	getJSON := func(path string, into any) {
		resp, err := c.Get(hs.URL + path)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
		}
		if into != nil {
			if err := json.Unmarshal(body, into); err != nil {
				b.Fatalf("GET %s: %v", path, err)
			}
		}
	}
	// Speakers by their figures: the hottest and one quoted about 20 times.
	var hot, rare string
	var hotN, rareN int
	var all struct {
		Speakers []struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			QuoteCount int    `json:"quote_count"`
		} `json:"speakers"`
		Next string `json:"next_page_token"`
	}
	for token := ""; ; {
		getJSON("/v1/speakers?page_size=100&page_token="+url.QueryEscape(token), &all)
		for _, sp := range all.Speakers {
			if sp.QuoteCount > hotN {
				hot, hotN = sp.Name, sp.QuoteCount
			}
			if sp.QuoteCount >= 10 && sp.QuoteCount <= 30 && rare == "" {
				rare, rareN = sp.Name, sp.QuoteCount
			}
		}
		if token = all.Next; token == "" {
			break
		}
	}
	b.Logf("hot speaker %s (%d quotes), rare speaker %s (%d quotes)", hot, hotN, rare, rareN)
	var page struct {
		Quotes []struct {
			ID        string `json:"id"`
			ArticleID string `json:"article_id"`
		} `json:"quotes"`
		Next string `json:"next_page_token"`
	}
	getJSON("/v1/quotes?page_size=100&speaker="+url.QueryEscape(hot), &page)
	next := page.Next
	var ids, articleIDs []string
	for _, q := range page.Quotes {
		ids = append(ids, q.ID)
		articleIDs = append(articleIDs, q.ArticleID)
	}
	prefixes := []string{"hel", "okon", "mar", "z", "lind", "an"}
	scenarios := []struct {
		name string
		path func(i int) string
	}{
		{"quotes_hot_speaker", func(int) string { return "/v1/quotes?speaker=" + url.QueryEscape(hot) }},
		{"quotes_rare_speaker", func(int) string { return "/v1/quotes?speaker=" + url.QueryEscape(rare) }},
		{"quotes_words", func(i int) string {
			return "/v1/quotes?q=" + url.QueryEscape(benchVerbs[i%len(benchVerbs)]+" "+strings.Fields(benchTails[i%len(benchTails)])[1])
		}},
		{"quotes_next_page", func(int) string {
			return "/v1/quotes?page_size=100&speaker=" + url.QueryEscape(hot) + "&page_token=" + url.QueryEscape(next)
		}},
		{"quote_by_id", func(i int) string { return "/v1/quotes/" + ids[i%len(ids)] }},
		{"article_quotes", func(i int) string { return "/v1/articles/" + articleIDs[i%len(articleIDs)] + "/quotes" }},
		{"speakers_prefix", func(i int) string { return "/v1/speakers?q=" + prefixes[i%len(prefixes)] }},
		{"speaker_list", func(int) string { return "/v1/speakers" }},
		{"quotes_outlet", func(i int) string { return "/v1/quotes?outlet=" + url.QueryEscape(benchOutlets[i%len(benchOutlets)]) }},
	}
	const runs = 300
	for _, sc := range scenarios {
		lat := make([]time.Duration, runs)
		for i := range runs {
			t0 := time.Now()
			getJSON(sc.path(i), nil)
			lat[i] = time.Since(t0)
		}
		slices.Sort(lat)
		p := func(q float64) float64 {
			return float64(lat[int(math.Ceil(q*float64(runs)))-1].Microseconds()) / 1000
		}
		b.ReportMetric(p(0.5), sc.name+"_p50_ms")
		b.ReportMetric(p(0.99), sc.name+"_p99_ms")
	}
}
