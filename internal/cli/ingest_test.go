package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

// ingestArticles are news-like articles written for these tests, one JSON
// object each.
var ingestArticles = []string{
	`{"id":"harbour","url":"https://news.example.org/harbour","title":"Harbour to reopen","text":"“We will have the harbour open again by the spring,” said Mayor Ana Ruiz on Tuesday. She said the repairs would cost less than feared.","published_at":"2024-03-05T09:30:00Z","outlet":"Example News","language":"en"}`,
	`{"id":"rail","url":"https://news.example.org/rail","text":"Transport minister Karl Brenner told reporters the new line would be finished in 2027. “Nobody should expect miracles,” Brenner said.","published_at":"2024-03-06"}`,
	`{"id":"school","text":"“The classrooms are simply too cold,” said teacher Lena Ortiz. The school board said it would look into the heating."}`,
	`{"url":"https://news.example.org/storm","text":"Forecaster Paul Mendes warned that the storm would reach the coast by Friday. “Stay indoors if you can,” he said.","outlet":"Coast Daily"}`,
	`{"id":"budget","url":"https://news.example.org/budget","text":"According to finance chief Maria Lindqvist, the budget gap has narrowed. “We are not out of the woods yet,” Lindqvist said on Monday."}`,
}

// writeJSONL writes lines to a file in a temporary directory.
func writeJSONL(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "articles.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// summaryCount reads a count from the summary: "created         4 articles".
func summaryCount(t *testing.T, summary, label string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(label) + ` +(\d+)`).FindStringSubmatch(summary)
	if m == nil {
		t.Fatalf("summary has no %q line:\n%s", label, summary)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func checkCounts(t *testing.T, summary string, read, created, existing, failed int) {
	t.Helper()
	for label, want := range map[string]int{"read": read, "created": created, "already stored": existing, "failed": failed} {
		if got := summaryCount(t, summary, label); got != want {
			t.Errorf("%s = %d, want %d; summary:\n%s", label, got, want, summary)
		}
	}
}

// TestIngestEmbedded ingests a file into an embedded store in a temporary
// directory, twice: the second run stores nothing new, and the bad lines
// are reported both times while the others are stored.
func TestIngestEmbedded(t *testing.T) {
	lines := append([]string{}, ingestArticles...)
	lines = append(lines,
		`{"id":"broken", "text": "no closing brace"`, // line 6
		``,                            // blank: skipped, not counted
		`{"id":"empty","text":"   "}`, // line 8
		`{"id":"badurl","url":"ftp://example.org/x","text":"“Fine,” she said."}`, // line 9
		ingestArticles[0], // line 10: the same URL again in the same file
	)
	path := writeJSONL(t, lines...)
	dir := t.TempDir()
	args := []string{"ingest", "--data-dir", dir, "--db", "ingest_test", path}

	// Lines 1 and 10 (the same article) may run at once: only the one that
	// inserted it counts it as created.
	code, stdout, stderr := runCLI(t, nil, append([]string{"ingest", "--workers", "4"}, args[1:]...)...)
	if code != 1 {
		t.Fatalf("first run: exit %d, want 1 (bad lines); stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	checkCounts(t, stdout, 9, 5, 1, 3)
	if got := summaryCount(t, stdout, "created"); got == 5 && !regexp.MustCompile(`created +5 articles \([1-9]\d* quotes\)`).MatchString(stdout) {
		t.Errorf("no quotes stored; summary:\n%s", stdout)
	}
	for _, want := range []string{
		"  line 6: bad JSON", // no id: the line could not be read
		`  line 8 (id "empty"): text: must not be empty`,
		`  line 9 (id "badurl"): url: must be an absolute http or https URL`,
		"articles/s",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "3 of 9 lines failed") {
		t.Errorf("stderr lacks the failure count:\n%s", stderr)
	}
	// Failures are listed in line order.
	if i6, i8, i9 := strings.Index(stdout, "line 6"), strings.Index(stdout, "line 8"), strings.Index(stdout, "line 9"); !(i6 < i8 && i8 < i9) {
		t.Errorf("failures not in line order:\n%s", stdout)
	}

	code, stdout, stderr = runCLI(t, nil, append([]string{"ingest", "--workers", "3"}, args[1:]...)...)
	if code != 1 {
		t.Fatalf("second run: exit %d, want 1; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	checkCounts(t, stdout, 9, 0, 6, 3)

	// Without the bad lines the run succeeds and still adds nothing.
	good := writeJSONL(t, ingestArticles...)
	code, stdout, stderr = runCLI(t, map[string]string{"WHOSAID_DATA_DIR": dir, "WHOSAID_DB": "ingest_test"},
		"ingest", "--quiet", good)
	if code != 0 {
		t.Fatalf("third run: exit %d, want 0; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	checkCounts(t, stdout, 5, 0, 5, 0)
}

// TestIngestStdin reads the articles from stdin ("-"), with a line longer
// than the reader's buffer and no newline at the end.
func TestIngestStdin(t *testing.T) {
	long, _ := json.Marshal(map[string]string{
		"url":  "https://news.example.org/long",
		"text": strings.Repeat("The council met again and talked for a long time. ", 4000) + "“Enough,” said councillor Tom Berg.",
	})
	in := strings.Join(ingestArticles[:2], "\n") + "\n\n" + string(long)
	var stdout, stderr syncBuffer
	env := &Env{Stdin: strings.NewReader(in), Stdout: &stdout, Stderr: &stderr, LookupEnv: envFrom(nil)}
	code := run(context.Background(), env, []string{"ingest", "--data-dir", t.TempDir(), "-"})
	if code != 0 {
		t.Fatalf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	checkCounts(t, stdout.String(), 3, 3, 0, 0)
}

func TestIngestUsage(t *testing.T) {
	path := writeJSONL(t, ingestArticles[0])
	for _, tc := range []struct {
		name       string
		args       []string
		wantStderr string
	}{
		{"no file", []string{"ingest"}, "want one JSONL file"},
		{"two files", []string{"ingest", path, path}, "got 2 arguments"},
		{"no workers", []string{"ingest", "--workers", "0", path}, "--workers must be at least 1"},
		{"api and store flags", []string{"ingest", "--api", "http://127.0.0.1:1", "--data-dir", "x", path}, "--data-dir do not apply"},
		{"bad api url", []string{"ingest", "--api", "127.0.0.1:8080", path}, "want an http:// or https:// base URL"},
		{"bad db", []string{"ingest", "--db", "a.b", path}, "db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, nil, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("whosaid %q = %d, stderr:\n%s\nwant 2 and %q", tc.args, code, stderr, tc.wantStderr)
			}
		})
	}
	code, _, stderr := runCLI(t, nil, "ingest", "--api", "http://127.0.0.1:1", filepath.Join(t.TempDir(), "missing.jsonl"))
	if code != 1 || !strings.Contains(stderr, "no such file") {
		t.Errorf("missing file: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestIngestAPI posts the articles to a real `whosaid serve` (the HTTP API
// on an embedded store) with --api, twice: the second run creates nothing.
func TestIngestAPI(t *testing.T) {
	s := startServe(t, "--data-dir", t.TempDir())
	path := writeJSONL(t, append(append([]string{}, ingestArticles...),
		`{"id":"blank","text":"  "}`,
		`{"id":"longurl","url":"https://news.example.org/`+strings.Repeat("x", 3000)+`","text":"“Too long,” he said."}`)...)

	code, stdout, stderr := runCLI(t, nil, "ingest", "--api", s.base, path)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s\nstderr:\n%s\nserve logs:\n%s", code, stdout, stderr, s.logs)
	}
	checkCounts(t, stdout, 7, 5, 0, 2)
	for _, want := range []string{
		`line 6 (id "blank"): text: must not be empty`, // refused here, never sent
		`line 7 (id "longurl"): HTTP 422 Unprocessable Entity: `,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if !regexp.MustCompile(`created +5 articles \([1-9]\d* quotes\)`).MatchString(stdout) {
		t.Errorf("no quotes stored; summary:\n%s", stdout)
	}

	code, stdout, _ = runCLI(t, nil, "ingest", "--api", s.base, "--workers", "1", path)
	if code != 1 {
		t.Fatalf("second run: exit %d, want 1", code)
	}
	checkCounts(t, stdout, 7, 0, 5, 2)

	// The API found the quotes of the stored articles.
	resp, err := http.Get(s.base + "/v1/quotes?speaker=" + url.QueryEscape("Ana Ruiz"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Quotes []struct {
			Text string `json:"text"`
		} `json:"quotes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil || resp.StatusCode != http.StatusOK || len(page.Quotes) == 0 {
		t.Errorf("GET /v1/quotes?speaker=Ana Ruiz: %s, %+v, %v", resp.Status, page, err)
	}
}

// fakeArticlesAPI is a stand-in for POST /v1/articles that checks the shape
// of each request strictly and answers as the API does: 201 for a new
// article, 200 for one stored before (same URL, or same text), 422
// problem+json for an invalid one. Its first answer is a 503, which the
// client must retry.
type fakeArticlesAPI struct {
	t        *testing.T
	mu       sync.Mutex
	stored   map[string]string // URL or text → id
	requests atomic.Int64
	failed   atomic.Bool // the first 503 has been sent
}

func (f *fakeArticlesAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	problem := func(status int, detail string) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"type":"about:blank","title":%q,"status":%d,"detail":%q,"instance":%q}`,
			http.StatusText(status), status, detail, r.URL.Path)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/articles" {
		f.t.Errorf("request %s %s, want POST /v1/articles", r.Method, r.URL.Path)
		problem(http.StatusNotFound, "no such route")
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.t.Errorf("Content-Type %q, want application/json", ct)
	}
	if f.failed.CompareAndSwap(false, true) {
		problem(http.StatusServiceUnavailable, "store unavailable")
		return
	}
	var body struct {
		URL         string     `json:"url"`
		Title       string     `json:"title"`
		Text        string     `json:"text"`
		PublishedAt *time.Time `json:"published_at"`
		Outlet      string     `json:"outlet"`
		Language    string     `json:"language"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields() // "id" of the input line must not be sent
	if err := dec.Decode(&body); err != nil {
		f.t.Errorf("request body: %v", err)
		problem(http.StatusBadRequest, err.Error())
		return
	}
	if strings.Contains(body.Text, "REFUSE") {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusUnprocessableEntity)
		io.WriteString(w, `{"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"the article is invalid",`+
			`"instance":"/v1/articles","errors":[{"field":"text","pointer":"#/text","detail":"is refused"}]}`)
		return
	}
	key := body.URL
	if key == "" {
		key = body.Text
	}
	f.mu.Lock()
	id, seen := f.stored[key]
	if !seen {
		id = fmt.Sprintf("art%d", len(f.stored)+1)
		f.stored[key] = id
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !seen {
		w.WriteHeader(http.StatusCreated)
	}
	fmt.Fprintf(w, `{"article":{"id":%q},"quotes":[{"text":"a"},{"text":"b"}]}`, id)
}

// TestIngestAPIFake checks --api against a fake of POST /v1/articles (the
// shape of the requests, the per-line answers, retries), and re-running.
func TestIngestAPIFake(t *testing.T) {
	fake := &fakeArticlesAPI{t: t, stored: map[string]string{}}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	path := writeJSONL(t, append(append([]string{}, ingestArticles...),
		`{"id":"refused","text":"REFUSE this one"}`,
		`{"id":"date","text":"A text.","published_at":"last Tuesday"}`)...)

	code, stdout, stderr := runCLI(t, nil, "ingest", "--api", srv.URL+"/", "--workers", "2", path)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	checkCounts(t, stdout, 7, 5, 0, 2)
	for _, want := range []string{
		"created         5 articles (10 quotes)",
		`line 6 (id "refused"): HTTP 422 Unprocessable Entity: the article is invalid; text: is refused`,
		`line 7 (id "date"): published_at: must be an RFC 3339 date-time`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	// 5 articles, 1 refused, 1 retried after the 503; the bad date is
	// never sent.
	if n := fake.requests.Load(); n != 7 {
		t.Errorf("%d requests, want 7", n)
	}

	code, stdout, _ = runCLI(t, nil, "ingest", "--api", srv.URL, path)
	if code != 1 {
		t.Fatalf("second run: exit %d, want 1", code)
	}
	checkCounts(t, stdout, 7, 0, 5, 2)
}

// TestIngestAPIDown: a server that answers 404 on every path (a wrong
// --api URL) fails the lines as errors of the target, and the run gives
// up after ingestGiveUpAfter of them in a row.
func TestIngestAPIDown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	lines := make([]string, 200)
	for i := range lines {
		lines[i] = fmt.Sprintf(`{"text":"“Line %d,” said Ana Ruiz."}`, i)
	}
	code, stdout, stderr := runCLI(t, nil, "ingest", "--api", srv.URL, "--workers", "1", writeJSONL(t, lines...))
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "gave up after 20 lines in a row failed") || !strings.Contains(stdout, "HTTP 404 Not Found") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if failed := summaryCount(t, stdout, "failed"); failed < ingestGiveUpAfter || failed > ingestGiveUpAfter+3 {
		t.Errorf("failed = %d, want about %d", failed, ingestGiveUpAfter)
	}
}

// fakeTarget stores articles in memory, taking delay for each.
type fakeTarget struct {
	mu       sync.Mutex
	seen     map[string]bool
	delay    time.Duration
	inFlight atomic.Int64
	maxIn    atomic.Int64
	fail     func(a *attribution.Article) error
}

func (f *fakeTarget) ingest(ctx context.Context, a *attribution.Article) (ingestOutcome, error) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxIn.Load()
		if n <= m || f.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	if f.fail != nil {
		if err := f.fail(a); err != nil {
			return ingestOutcome{}, err
		}
	}
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return ingestOutcome{}, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	created := !f.seen[a.Text]
	f.seen[a.Text] = true
	return ingestOutcome{ArticleID: "x", Created: created, Quotes: 1}, nil
}

func numberedLines(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"text":"article %d"}`+"\n", i)
	}
	return b.String()
}

func TestIngestLinesWorkers(t *testing.T) {
	target := &fakeTarget{seen: map[string]bool{}, delay: 2 * time.Millisecond}
	sum, err := ingestLines(context.Background(), strings.NewReader(numberedLines(100)), target, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Read != 100 || sum.Created != 100 || sum.Failed != 0 || sum.Quotes != 100 {
		t.Errorf("summary %+v", sum)
	}
	if m := target.maxIn.Load(); m < 2 || m > 4 {
		t.Errorf("at most %d articles at once, want 2..4", m)
	}
}

// TestIngestLinesErrors keeps the first ingestMaxErrors failures by line
// number, whatever order the workers finish in.
func TestIngestLinesErrors(t *testing.T) {
	target := &fakeTarget{seen: map[string]bool{}, fail: func(a *attribution.Article) error {
		var n int
		fmt.Sscanf(a.Text, "article %d", &n)
		if n%3 == 0 {
			time.Sleep(time.Duration(100-n) * 50 * time.Microsecond) // early lines finish last
			return &lineError{errors.New("refused")}
		}
		return nil
	}}
	sum, err := ingestLines(context.Background(), strings.NewReader(numberedLines(100)), target, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 33 || sum.Created != 67 || len(sum.Errors) != ingestMaxErrors {
		t.Fatalf("summary %+v", sum)
	}
	for i, f := range sum.Errors {
		if f.Line != 3*(i+1) {
			t.Errorf("error %d is line %d, want %d", i, f.Line, 3*(i+1))
		}
	}
	var b strings.Builder
	printIngestSummary(&b, sum)
	if !strings.Contains(b.String(), "  … and 23 more\n") {
		t.Errorf("summary:\n%s", b.String())
	}
}

// TestIngestLinesInterrupt cancels the run midway (SIGINT): reading stops,
// the articles in flight finish and are counted, none fails because of
// the interrupt, and the summary says the run stopped early.
func TestIngestLinesInterrupt(t *testing.T) {
	// The interrupt comes when the tenth article reaches the target (not
	// after a time: the machine may be slow), and ingestLines must stop
	// reading then: far fewer than the 10,000 lines get stored.
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int64
	target := &fakeTarget{seen: map[string]bool{}, delay: 5 * time.Millisecond, fail: func(*attribution.Article) error {
		if calls.Add(1) == 10 {
			cancel()
		}
		return nil
	}}
	start := time.Now()
	sum, err := ingestLines(ctx, strings.NewReader(numberedLines(10000)), target, 2, nil)
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("err = %v, want interrupted", err)
	}
	// A bound against a hang, not a speed target.
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("took %v after the interrupt", took)
	}
	if sum.Failed != 0 || sum.Created == 0 || sum.Created >= 100 {
		t.Errorf("summary %+v", sum)
	}
	var b strings.Builder
	printIngestSummary(&b, sum)
	if !strings.Contains(b.String(), "stopped early   interrupted") {
		t.Errorf("summary:\n%s", b.String())
	}
}

func TestParseIngestLine(t *testing.T) {
	a, id, err := parseIngestLine([]byte(`{"id":"a1","url":"https://x.example/1","title":"T","text":"Body.","published_at":"2024-05-01T12:00:00+02:00","outlet":"O","language":"en","gold":[1,2]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := attribution.Article{URL: "https://x.example/1", Title: "T", Text: "Body.", Outlet: "O", Language: "en",
		PublishedAt: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}
	if id != "a1" || *a != want {
		t.Errorf("got %q %+v", id, *a)
	}
	if a, _, err := parseIngestLine([]byte(`{"text":"x","published_at":"2024-05-01"}`)); err != nil || !a.PublishedAt.Equal(time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date only: %v %v", a, err)
	}
	for line, want := range map[string]string{
		`{"text": 5}`:               "bad JSON",
		`[1,2]`:                     "bad JSON",
		`{"title":"no text"}`:       `text: is required (or html)`,
		"{\"text\":\"caf\xe9\"}":    "not valid UTF-8",
		`{"text":"","url":"nope"}`:  "text: must not be empty; url: must be",
		`{"text":"x","url":"/rel"}`: "url: must be an absolute",
	} {
		_, _, err := parseIngestLine([]byte(line))
		var le *lineError
		if err == nil || !strings.Contains(err.Error(), want) || !errors.As(err, &le) {
			t.Errorf("parseIngestLine(%s) = %v, want a line error with %q", line, err, want)
		}
	}
}

func TestCountLines(t *testing.T) {
	for in, want := range map[string]int64{
		"":              0,
		"a":             1,
		"a\n":           1,
		"a\n\n  \nb":    2,
		"a\r\nb\r\n \n": 2,
	} {
		if got, err := countLines(context.Background(), strings.NewReader(in)); err != nil || got != want {
			t.Errorf("countLines(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	var total atomic.Int64
	p := &progress{tty: true, total: &total}
	p.created.Store(40)
	p.existing.Store(9)
	p.failed.Store(1)
	if got, want := p.line(10*time.Second), "\r\x1b[K50 lines, 5.0 articles/s, 40 new, 9 already stored, 1 failed"; got != want {
		t.Errorf("tty, no total:\n got %q\nwant %q", got, want)
	}
	total.Store(200)
	if got, want := p.line(10*time.Second), "\r\x1b[K[======                  ] 50/200 lines (25.0%), 5.0 articles/s, ETA 30s, 40 new, 9 already stored, 1 failed"; got != want {
		t.Errorf("tty:\n got %q\nwant %q", got, want)
	}
	p.tty = false
	if got, want := p.line(10*time.Second), "whosaid ingest: 50/200 lines (25.0%), 5.0 articles/s, ETA 30s, 40 new, 9 already stored, 1 failed\n"; got != want {
		t.Errorf("plain:\n got %q\nwant %q", got, want)
	}
}

// TestIngestProgress: without --quiet a plain progress line is written
// now and then when stderr is not a terminal; --quiet writes none.
func TestIngestProgress(t *testing.T) {
	path := writeJSONL(t, strings.Split(strings.TrimSpace(numberedLines(30)), "\n")...)
	for _, quiet := range []bool{false, true} {
		var stdout, stderr syncBuffer
		env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr}
		target := &fakeTarget{seen: map[string]bool{}, delay: 5 * time.Millisecond}
		err := ingestFile(context.Background(), env, path, target, ingestOptions{workers: 1, quiet: quiet, progressEvery: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Count(stderr.String(), "whosaid ingest: ")
		if quiet && lines != 0 || !quiet && (lines == 0 || !strings.Contains(stderr.String(), "/30 lines (")) {
			t.Errorf("quiet=%v: stderr:\n%s", quiet, stderr.String())
		}
		checkCounts(t, stdout.String(), 30, 30, 0, 0)
	}
}
