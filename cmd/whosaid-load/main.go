// Command whosaid-load measures the whosaid HTTP API under load: it starts
// `whosaid serve` on the embedded store in a temporary directory as a child
// process, drives it over loopback with vegeta and prints throughput and
// latency per scenario:
//
//   - GET /healthz and POST /v1/extract (a 5 KB article) at a constant rate
//     (open loop), so the cost of extraction shows as a ratio;
//   - GET /v1/quotes?speaker=NAME and GET /v1/quotes/{id} with a fixed
//     number of workers (closed loop) after seeding the store through
//     POST /v1/articles:batch to each size in --sizes.
//
// `make bench-api` runs it with the defaults (about 2½ minutes, plus the
// build). The child is stopped and the temporary directory removed at the
// end, also on Ctrl-C.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

//go:embed testdata/article5k.txt
var article5k string

// options are the command-line settings.
type options struct {
	bin           string
	goCmd         string
	serveArgs     string
	rate          int
	rateDuration  time.Duration
	warmup        time.Duration
	listWorkers   int
	getWorkers    int
	queryDuration time.Duration
	minQueries    int
	maxQueries    int
	sizes         []int
	quotesPer     int
	seedBatch     int
	seedWorkers   int
	articleFile   string
	p99Target     time.Duration
	readyTimeout  time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{}
	fs := flag.NewFlagSet("whosaid-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: whosaid-load [flags]\n\n"+
			"Starts `whosaid serve` (embedded store, temporary --data-dir) on a free loopback port,\n"+
			"drives it with vegeta and prints a table of throughput and latency per scenario.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	fs.StringVar(&o.bin, "bin", "", "whosaid `binary` to run; empty builds ./cmd/whosaid into the temporary directory")
	fs.StringVar(&o.goCmd, "go", "go", "go `command` used to build the service")
	fs.StringVar(&o.serveArgs, "serve-args", "--rate-limit 0", "extra `arguments` of `whosaid serve` after --addr and --data-dir (split at spaces; quotes group)")
	fs.IntVar(&o.rate, "rate", 500, "requests/s of the /healthz and /v1/extract scenarios (open loop)")
	fs.DurationVar(&o.rateDuration, "rate-duration", 15*time.Second, "`duration` of each open-loop scenario")
	fs.DurationVar(&o.warmup, "warmup", 2*time.Second, "`duration` of an unrecorded /v1/extract run at --rate before the measured ones")
	fs.IntVar(&o.listWorkers, "list-workers", 1, "concurrent GET /v1/quotes?speaker= requests (closed loop)")
	fs.IntVar(&o.getWorkers, "get-workers", 2, "concurrent GET /v1/quotes/{id} requests (closed loop)")
	fs.DurationVar(&o.queryDuration, "query-duration", 10*time.Second, "`duration` of each quote scenario")
	fs.IntVar(&o.minQueries, "min-queries", 5, "run each quote scenario past --query-duration until this many requests were sent")
	fs.IntVar(&o.maxQueries, "max-queries", 0, "end each quote scenario after this many requests, even before --query-duration (0: no limit)")
	sizes := fs.String("sizes", "1000,10000", "comma-separated quote `counts` to seed the store to, in increasing order; a quote scenario pair runs at each")
	fs.IntVar(&o.quotesPer, "quotes-per-article", 10, "direct quotes per generated article (the extractor finds a few indirect ones too)")
	fs.IntVar(&o.seedBatch, "seed-batch", 50, "articles per POST /v1/articles:batch while seeding")
	fs.IntVar(&o.seedWorkers, "seed-workers", 2, "batch requests at once while seeding")
	fs.StringVar(&o.articleFile, "article", "", "`file` with the text posted to /v1/extract; empty: the built-in 5 KB article (testdata/article5k.txt)")
	fs.DurationVar(&o.p99Target, "p99-target", 25*time.Millisecond, "p99 `latency` /v1/extract should stay under at --rate")
	fs.DurationVar(&o.readyTimeout, "ready-timeout", 90*time.Second, "how long to wait for GET /readyz 200 after starting the service")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	var err error
	if o.sizes, err = parseSizes(*sizes); err != nil {
		return o, fmt.Errorf("--sizes: %w", err)
	}
	switch {
	case o.rate <= 0:
		return o, errors.New("--rate must be positive")
	case o.listWorkers <= 0 || o.getWorkers <= 0:
		return o, errors.New("--list-workers and --get-workers must be positive")
	case o.quotesPer <= 0 || o.seedBatch <= 0 || o.seedWorkers <= 0:
		return o, errors.New("--quotes-per-article, --seed-batch and --seed-workers must be positive")
	case o.rateDuration <= 0 || o.queryDuration <= 0:
		return o, errors.New("--rate-duration and --query-duration must be positive")
	}
	return o, nil
}

// parseSizes parses "1000,10000" (underscores allowed: 10_000) into
// increasing positive counts.
func parseSizes(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.ReplaceAll(strings.TrimSpace(f), "_", "")
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("%q: want a positive count", f)
		}
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, fmt.Errorf("%d: counts must increase", n)
		}
		out = append(out, n)
	}
	return out, nil
}

func main() {
	o, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "whosaid-load:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		// A second signal kills at once (the child gets SIGTERM from the
		// kernel: see childProcAttr).
		stop()
	}()
	err = run(ctx, o, os.Stdout, os.Stderr)
	interrupted := ctx.Err() != nil
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "whosaid-load:", err)
		if interrupted {
			os.Exit(130)
		}
		os.Exit(1)
	}
}

// run does the whole measurement; the service is stopped and the
// temporary directory removed before it returns.
func run(ctx context.Context, o options, stdout, stderr io.Writer) (err error) {
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, format+"\n", args...) }
	extra, err := splitArgs(o.serveArgs)
	if err != nil {
		return fmt.Errorf("--serve-args: %w", err)
	}
	text := article5k
	if o.articleFile != "" {
		b, err := os.ReadFile(o.articleFile)
		if err != nil {
			return err
		}
		text = string(b)
	}

	tmp, err := os.MkdirTemp("", "whosaid-load-")
	if err != nil {
		return err
	}
	defer func() {
		if rerr := os.RemoveAll(tmp); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()

	bin := o.bin
	if bin == "" {
		logf("building %s …", servicePackage)
		t := time.Now()
		if bin, err = buildService(ctx, o.goCmd, tmp); err != nil {
			return err
		}
		logf("built in %s", time.Since(t).Round(100*time.Millisecond))
	}

	svc, err := startService(bin, filepath.Join(tmp, "data"), filepath.Join(tmp, "serve.log"), extra)
	if err != nil {
		return err
	}
	defer func() {
		if serr := svc.stop(15 * time.Second); serr != nil {
			err = errors.Join(err, serr)
		}
	}()
	client := &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 8}, Timeout: 5 * time.Minute}
	t := time.Now()
	if err := svc.waitReady(ctx, client, o.readyTimeout); err != nil {
		return err
	}
	logf("whosaid serve %s ready at %s after %s", strings.Join(extra, " "), svc.base, time.Since(t).Round(10*time.Millisecond))

	started, loadStart := time.Now(), loadAverage()
	var rows []Summary
	var notes []string
	defer func() {
		// Whatever happened, print what was measured.
		if len(rows) == 0 {
			return
		}
		if la, lb := loadStart, loadAverage(); la != "" && lb != "" {
			notes = append(notes, "load average (1, 5, 15 min) at the start "+la+", at the end "+lb+
				": other processes on the machine slow every figure")
		}
		printReport(stdout, o, svc, extra, started, rows, notes)
	}()

	measure := func(sc scenario, stored int) (Summary, error) {
		if err := context.Cause(ctx); err != nil {
			return Summary{}, err
		}
		if err := svc.running(); err != nil {
			return Summary{}, err
		}
		load := fmt.Sprintf("%d req/s for %s", sc.rate, sc.duration)
		if sc.rate == 0 {
			load = fmt.Sprintf("%d workers for %s, at least %d requests", sc.workers, sc.duration, sc.minRequests)
		}
		logf("%-40s %s …", sc.name, load)
		rec := sc.run(ctx)
		name := sc.name
		if ctx.Err() != nil {
			name += " (interrupted)"
		}
		s := rec.summary(name, stored, sc.rate, sc.workers)
		logf("%-40s %d requests, %s, p50 %s, p99 %s, %d errors", "", s.Requests, fmtRate(s.Throughput()),
			fmtDuration(s.P50), fmtDuration(s.P99), s.Errors)
		return s, context.Cause(ctx)
	}

	extractBody, err := json.Marshal(map[string]string{"text": text})
	if err != nil {
		return err
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	extractSc := scenario{
		name:     "POST /v1/extract (" + fmt.Sprintf("%.1f KB", float64(len(text))/1000) + ")",
		targets:  []vegeta.Target{{Method: http.MethodPost, URL: svc.base + "/v1/extract", Body: extractBody, Header: jsonHeader}},
		rate:     o.rate,
		duration: o.rateDuration,
		check:    wantJSONMember("quotes", true),
	}
	healthSc := scenario{
		name:     "GET /healthz",
		targets:  []vegeta.Target{{Method: http.MethodGet, URL: svc.base + "/healthz"}},
		rate:     o.rate,
		duration: o.rateDuration,
		check:    wantJSONMember("status", false),
	}

	if o.warmup > 0 {
		w := extractSc
		w.name, w.duration = "warm-up (not recorded)", o.warmup
		if _, err := measure(w, 0); err != nil {
			return err
		}
	}
	for _, sc := range []scenario{healthSc, extractSc} {
		s, err := measure(sc, 0)
		rows = append(rows, s)
		if err != nil {
			return err
		}
	}

	sd := &seeder{
		base: svc.base, client: client, run: strconv.FormatInt(time.Now().UnixNano(), 36),
		quotesPer: o.quotesPer, batch: o.seedBatch, workers: o.seedWorkers,
	}
	var speakerTargets []vegeta.Target
	for _, name := range speakerPool {
		speakerTargets = append(speakerTargets, vegeta.Target{
			Method: http.MethodGet, URL: svc.base + "/v1/quotes?speaker=" + url.QueryEscape(name)})
	}
	for _, size := range o.sizes {
		logf("seeding to %s quotes through POST /v1/articles:batch …", thousands(int64(size)))
		before, beforeQ, took := sd.Articles, sd.Quotes, sd.Took
		if err := sd.fill(ctx, size); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		arts, qs, d := sd.Articles-before, sd.Quotes-beforeQ, sd.Took-took
		notes = append(notes, fmt.Sprintf("seeding to %s quotes: %s articles (%s quotes) in %s, %.1f articles/s (%.0f quotes/s)",
			thousands(int64(sd.Quotes)), thousands(int64(arts)), thousands(int64(qs)), d.Round(100*time.Millisecond),
			float64(arts)/d.Seconds(), float64(qs)/d.Seconds()))
		logf("%s", notes[len(notes)-1])

		ids, err := quoteIDs(ctx, client, svc.base, 50)
		if err != nil {
			return err
		}
		var idTargets []vegeta.Target
		for _, id := range ids {
			idTargets = append(idTargets, vegeta.Target{Method: http.MethodGet, URL: svc.base + "/v1/quotes/" + url.PathEscape(id)})
		}
		// The _id look-ups first: a listing that ran out of time may still
		// be scanning inside the service for a while.
		for _, sc := range []scenario{
			{
				name: "GET /v1/quotes/{id}", targets: idTargets,
				workers: o.getWorkers, duration: o.queryDuration, minRequests: o.minQueries, maxRequests: o.maxQueries,
				check: wantJSONMember("article", false),
			},
			{
				name: "GET /v1/quotes?speaker=NAME", targets: speakerTargets,
				workers: o.listWorkers, duration: o.queryDuration, minRequests: o.minQueries, maxRequests: o.maxQueries,
				check: wantJSONMember("quotes", true),
			},
		} {
			s, err := measure(sc, sd.Quotes)
			rows = append(rows, s)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// printReport writes the header, the table, errors, notes and the verdict.
func printReport(w io.Writer, o options, svc *service, extra []string, started time.Time, rows []Summary, notes []string) {
	var base *Summary
	for i := range rows {
		if rows[i].Name == "GET /healthz" {
			base = &rows[i]
		}
	}
	fmt.Fprintf(w, "\nwhosaid API load figures, %s, %s/%s, %d CPUs (GOMAXPROCS %d), %s\n",
		started.Format("2006-01-02 15:04 MST"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	fmt.Fprintf(w, "service: whosaid serve --addr %s --data-dir TMP %s (embedded store unless --serve-args names a --mongo-uri)\n",
		strings.TrimPrefix(svc.base, "http://"), strings.Join(extra, " "))
	fmt.Fprintf(w, "open loop: %d req/s for %s each; closed loop: %s each, at least %d requests\n",
		o.rate, o.rateDuration, o.queryDuration, o.minQueries)
	fmt.Fprintf(w, "latencies include failed requests; throughput counts successes only\n\n")
	fmt.Fprint(w, table(rows, base))
	if errs := errorLines(rows, 3); len(errs) > 0 {
		fmt.Fprintln(w, "\nerrors:")
		for _, e := range errs {
			fmt.Fprintln(w, "  "+e)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
		for _, n := range notes {
			fmt.Fprintln(w, n)
		}
	}
	for _, s := range rows {
		if strings.HasPrefix(s.Name, "POST /v1/extract") {
			fmt.Fprintln(w, "\n"+verdict(s, o.p99Target))
		}
	}
}

// loadAverage is the 1, 5 and 15 minute load averages of /proc/loadavg
// ("0.52 0.40 0.31"), or "" where there is none.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
