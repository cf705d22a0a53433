package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"   ", nil},
		{"--rate-limit 0", []string{"--rate-limit", "0"}},
		{"  --a  b\t--c=d ", []string{"--a", "b", "--c=d"}},
		{`--cors-origins "a b" --x ''`, []string{"--cors-origins", "a b", "--x", ""}},
		{`--mongo-uri 'mongodb://h:1/?a=b c'`, []string{"--mongo-uri", "mongodb://h:1/?a=b c"}},
	} {
		got, err := splitArgs(tc.in)
		if err != nil {
			t.Errorf("splitArgs(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("splitArgs(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
	if _, err := splitArgs(`--x "open`); err == nil {
		t.Error("unbalanced quote accepted")
	}
}

func TestParseSizes(t *testing.T) {
	got, err := parseSizes(" 1000, 10_000 ,")
	if err != nil || !cmp.Equal(got, []int{1000, 10000}) {
		t.Errorf("parseSizes = %v, %v", got, err)
	}
	for _, bad := range []string{"x", "0", "-5", "1000,1000", "10000,1000"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) accepted", bad)
		}
	}
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.rate != 500 || o.serveArgs != "--rate-limit 0" || !cmp.Equal(o.sizes, []int{1000, 10000}) ||
		o.listWorkers != 1 || o.getWorkers != 2 || o.p99Target != 25*time.Millisecond {
		t.Errorf("defaults: %+v", o)
	}
	// The default run must stay well under 3 minutes of measuring.
	if d := o.warmup + 2*o.rateDuration + 4*o.queryDuration; d > 90*time.Second {
		t.Errorf("default scenario durations add up to %s", d)
	}
	o, err = parseFlags([]string{"--rate", "50", "--sizes", "100", "--serve-args", "", "--query-duration", "1s"}, io.Discard)
	if err != nil || o.rate != 50 || o.serveArgs != "" || !cmp.Equal(o.sizes, []int{100}) || o.queryDuration != time.Second {
		t.Errorf("parseFlags: %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"--rate", "0"}, {"--list-workers", "0"}, {"--sizes", "a"}, {"extra"}, {"--seed-batch", "0"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
	if _, err := parseFlags([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}

func TestServiceEnv(t *testing.T) {
	got := serviceEnv([]string{"PATH=/bin", "WHOSAID_MONGO_URI=mongodb://x", "WHOSAID_RATE_LIMIT=5", "HOME=/root"})
	want := []string{"PATH=/bin", "HOME=/root", "WHOSAID_LOG_FORMAT=json"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("serviceEnv (-want +got):\n%s", diff)
	}
}

func TestLastLines(t *testing.T) {
	if got := lastLines([]byte("a\nb\nc\n"), 2); got != "b\nc" {
		t.Errorf("lastLines = %q", got)
	}
	if got := lastLines([]byte("a"), 5); got != "a" {
		t.Errorf("lastLines = %q", got)
	}
}

func TestArticlesFor(t *testing.T) {
	for _, tc := range []struct {
		have, want int
		per        float64
		n          int
	}{
		{0, 1000, 10, 100},
		{0, 1000, 17.5, 58},
		{990, 1000, 17, 1},
		{1000, 1000, 17, 1},
		{0, 10, 0, 10},
	} {
		if got := articlesFor(tc.have, tc.want, tc.per); got != tc.n {
			t.Errorf("articlesFor(%d, %d, %v) = %d, want %d", tc.have, tc.want, tc.per, got, tc.n)
		}
	}
}

func TestReadBatchAnswer(t *testing.T) {
	in := `{"line":1,"id":"a","status":201,"quotes":12}

{"line":2,"id":"b","status":201,"quotes":0}
{"line":3,"id":"c","status":200,"quotes":12}
{"line":4,"status":422,"problem":{"status":422,"detail":"text: is required"}}
`
	got, err := readBatchAnswer(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := batchOutcome{Articles: 2, Quotes: 12, Failed: 2, FirstErr: "line 3: already stored"}
	if got != want {
		t.Errorf("readBatchAnswer = %+v, want %+v", got, want)
	}
	if _, err := readBatchAnswer(strings.NewReader("{not json}\n")); err == nil {
		t.Error("bad line accepted")
	}
}

func TestWantJSONMember(t *testing.T) {
	check := wantJSONMember("quotes", true)
	for _, tc := range []struct {
		code int
		body string
		want string
	}{
		{200, `{"quotes":[{"id":"x"}]}`, ""},
		{200, `{"quotes": [ ]}`, ""}, // only an exactly empty array counts as empty
		{200, `{"quotes":[],"next_page_token":""}`, "empty quotes list"},
		{200, `{"speakers":[]}`, `answer without "quotes":`},
		{503, `{}`, "Service Unavailable"},
	} {
		if got := check(tc.code, []byte(tc.body)); got != tc.want {
			t.Errorf("check(%d, %s) = %q, want %q", tc.code, tc.body, got, tc.want)
		}
	}
	if got := wantJSONMember("quotes", false)(200, []byte(`{"quotes":[]}`)); got != "" {
		t.Errorf("empty list rejected without nonEmpty: %q", got)
	}
}

func TestBoundedPacer(t *testing.T) {
	p := boundedPacer{Pacer: vegeta.ConstantPacer{}, duration: time.Second, min: 3, max: 10}
	for _, tc := range []struct {
		elapsed time.Duration
		hits    uint64
		stop    bool
	}{
		{0, 0, false},
		{2 * time.Second, 1, false}, // past the duration, but fewer than min
		{2 * time.Second, 3, true},
		{500 * time.Millisecond, 9, false},
		{500 * time.Millisecond, 10, true}, // max
	} {
		if _, stop := p.Pace(tc.elapsed, tc.hits); stop != tc.stop {
			t.Errorf("Pace(%v, %d) stop = %v, want %v", tc.elapsed, tc.hits, stop, tc.stop)
		}
	}
	rate := scenario{rate: 100, duration: time.Second}.pacer()
	if wait, stop := rate.Pace(0, 0); stop || wait != 10*time.Millisecond {
		t.Errorf("100/s pacer: first wait %v, stop %v", wait, stop)
	}
}

func TestRoundRobin(t *testing.T) {
	tr := roundRobin([]vegeta.Target{{URL: "a"}, {URL: "b"}})
	var got []string
	for range 5 {
		var tg vegeta.Target
		if err := tr(&tg); err != nil {
			t.Fatal(err)
		}
		got = append(got, tg.URL)
	}
	if !cmp.Equal(got, []string{"a", "b", "a", "b", "a"}) {
		t.Errorf("round robin gave %v", got)
	}
}

// TestScenarioClosedLoop runs a closed-loop scenario against a local test
// server: never more requests in flight than workers, at least
// minRequests, the failing answers counted.
func TestScenarioClosedLoop(t *testing.T) {
	var inFlight, peak, n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if cur <= p || peak.CompareAndSwap(p, cur) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		if n.Add(1)%4 == 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"quotes":[{"id":"q"}]}`)
	}))
	defer srv.Close()
	sc := scenario{
		name: "t", targets: []vegeta.Target{{Method: "GET", URL: srv.URL + "/x"}},
		workers: 2, duration: 10 * time.Millisecond, minRequests: 8,
		check: wantJSONMember("quotes", true),
	}
	s := sc.run(context.Background()).summary("t", 0, 0, 2)
	if s.Requests < 8 {
		t.Errorf("%d requests, want at least 8", s.Requests)
	}
	if p := peak.Load(); p > 2 {
		t.Errorf("%d requests in flight at once, want at most 2", p)
	}
	if s.Errors != s.Requests/4 || s.ErrorSamples["503 Service Unavailable"] != s.Errors {
		t.Errorf("%d requests, errors %v", s.Requests, s.ErrorSamples)
	}
	if s.P50 < 20*time.Millisecond {
		t.Errorf("p50 %v below the handler's 20 ms", s.P50)
	}
}

// TestSeeder fills a fake batch endpoint: a first small batch calibrates,
// then rounds of at most workers batches until the target is reached.
func TestSeeder(t *testing.T) {
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/articles:batch" || r.Header.Get("Content-Type") != "application/x-ndjson" {
			http.Error(w, "wrong request", http.StatusBadRequest)
			return
		}
		requests.Add(1)
		body, _ := io.ReadAll(r.Body)
		lines := strings.Split(strings.TrimSpace(string(body)), "\n")
		w.Header().Set("Content-Type", "application/x-ndjson")
		for i := range lines {
			// 17 quotes per article, as the real extractor finds.
			io.WriteString(w, `{"line":`+strconv.Itoa(i+1)+`,"id":"x","status":201,"quotes":17}`+"\n")
		}
	}))
	defer srv.Close()
	sd := &seeder{base: srv.URL, client: srv.Client(), run: "t", quotesPer: 10, batch: 20, workers: 2}
	if err := sd.fill(context.Background(), 1000); err != nil {
		t.Fatal(err)
	}
	// 10 articles (170 quotes), then ceil(830/17) = 49 articles.
	if sd.Articles != 59 || sd.Quotes != 1003 {
		t.Errorf("stored %d articles, %d quotes; want 59, 1003", sd.Articles, sd.Quotes)
	}
	if got := requests.Load(); got != 4 {
		t.Errorf("%d requests, want 4 (10 to calibrate, 20+20 at once, then 9)", got)
	}
	if err := sd.fill(context.Background(), 1000); err != nil || sd.Articles != 59 {
		t.Errorf("a second fill to the same size sent more: %d articles, %v", sd.Articles, err)
	}
}
