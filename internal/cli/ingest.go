package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/config"
	"github.com/whosaid/whosaid/internal/ingest"
)

// Limits of ingest.
const (
	// ingestMaxErrors is how many failed lines the summary lists.
	ingestMaxErrors = 10
	// ingestGiveUpAfter ends the run when this many lines in a row fail
	// because the store or the API does not work (not because of the
	// line): a dead database should not be reported a million times.
	ingestGiveUpAfter = 20
	// ingestArticleTimeout bounds the store's or the API's work on one
	// article.
	ingestArticleTimeout = 2 * time.Minute
	// ingestSetupTimeout bounds the first ping and the index creation.
	ingestSetupTimeout = 30 * time.Second
)

func ingestCommand() command {
	return command{
		name: "ingest",
		args: "FILE.jsonl|-",
		summary: "store JSONL articles ({\"text\" or \"html\", \"url\", \"title\", \"published_at\", \"outlet\", \"language\", \"id\"} a line) " +
			"with their quotes, in the store (as serve opens it) or through a running API with --api; " +
			"articles already stored (same URL, or same text) are skipped, so a re-run adds nothing",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			cfg := config.Default()
			cfg.LoadEnv(env.LookupEnv)
			cfg.RegisterStoreFlags(fs)
			fs.StringVar(&cfg.Model, "model", cfg.Model, "speaker ranker, as serve's --model: a `model` file, \"rules\", or empty for the shipped model (env "+config.EnvModel+")")
			apiURL := fs.String("api", "", "post the articles to the whosaid API at this base `URL` (http://host:port) "+
				"instead of opening the store; the store flags do not apply")
			workers := fs.Int("workers", defaultIngestWorkers, "`number` of articles extracted and stored at once (the embedded store writes those waiting together)")
			quiet := fs.Bool("quiet", false, "no progress on stderr (the summary is still printed)")
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usageErrorf("want one JSONL file, or - for stdin; got %d arguments", len(args))
				}
				if *workers < 1 {
					return usageErrorf("--workers must be at least 1, got %d", *workers)
				}
				opts := ingestOptions{workers: *workers, quiet: *quiet, tty: isTerminal(env.Stderr)}
				if *apiURL != "" {
					var storeFlags []string
					fs.Visit(func(f *flag.Flag) {
						if slices.Contains(config.StoreFlags, f.Name) {
							storeFlags = append(storeFlags, "--"+f.Name)
						}
					})
					if len(storeFlags) > 0 {
						return usageErrorf("--api posts to a running server: %s do not apply", strings.Join(storeFlags, ", "))
					}
					target, err := newAPITarget(*apiURL, *workers)
					if err != nil {
						return usageErrorf("--api: %v", err)
					}
					return ingestFile(ctx, env, args[0], target, opts)
				}
				if err := cfg.ValidateStore(); err != nil {
					return usageErrorf("invalid configuration: %v", err)
				}
				return ingestToStore(ctx, env, cfg, args[0], opts)
			}
		},
	}
}

// ingestToStore opens the store as serve does, makes sure it answers and
// has its indexes, then ingests the file into it.
func ingestToStore(ctx context.Context, env *Env, cfg config.Config, path string, opts ingestOptions) error {
	st, err := openReadyStore(ctx, cfg, env.Logger, ingestSetupTimeout)
	if err != nil {
		return err
	}
	defer st.Close()
	target, err := newStoreTarget(st.Store, cfg.Model)
	if err != nil {
		return err
	}
	return ingestFile(ctx, env, path, target, opts)
}

// ingestTarget stores one article with its quotes: in the store
// (storeTarget) or through the HTTP API (apiTarget). It is called from
// several goroutines at once.
type ingestTarget interface {
	ingest(ctx context.Context, a *attribution.Article) (ingestOutcome, error)
}

// ingestOutcome is what a target did with one article.
type ingestOutcome struct {
	ArticleID string
	// Created is false when the article was stored before (same URL, or
	// same text) and nothing was added.
	Created bool
	// Revised is set when a new text at a stored URL made the article's
	// next revision (known of the store only: the API answers 200 for
	// both, so through --api a revision counts as stored before).
	Revised bool
	// Quotes is the number of quotes the article has in the store.
	Quotes int
}

// lineError is a failure caused by the line itself (bad JSON, an invalid
// article, a 4xx answer): retrying the same line cannot succeed. Every
// other error from a target is a failure of the store or the API.
type lineError struct{ err error }

func (e *lineError) Error() string { return e.err.Error() }
func (e *lineError) Unwrap() error { return e.err }

// ingestOptions tune ingestFile.
type ingestOptions struct {
	workers int
	quiet   bool
	// tty draws a progress bar redrawn in place; otherwise a plain line
	// every progressEvery.
	tty           bool
	progressEvery time.Duration // zero: 200ms on a terminal, 10s otherwise
}

// ingestInput is one line of the input file. Unknown members are ignored,
// so files carrying more (gold annotations) can be loaded as they are; a
// member of the wrong type fails the line.
type ingestInput struct {
	ID          string  `json:"id"`
	URL         string  `json:"url"`
	Title       string  `json:"title"`
	Byline      string  `json:"byline"`
	Text        *string `json:"text"`
	HTML        *string `json:"html"`
	PublishedAt string  `json:"published_at"`
	Outlet      string  `json:"outlet"`
	Language    string  `json:"language"`
}

// parseIngestLine turns one line into an article ready to store, or a
// *lineError. It also returns the line's "id" member for messages.
func parseIngestLine(line []byte) (*attribution.Article, string, error) {
	line = bytes.TrimRight(line, "\r\n")
	if !utf8.Valid(line) {
		return nil, "", &lineError{errors.New("line is not valid UTF-8")}
	}
	var in ingestInput
	if err := json.Unmarshal(line, &in); err != nil {
		return nil, "", &lineError{fmt.Errorf("bad JSON: %w", err)}
	}
	// The API's rule: exactly one of "text" and "html".
	if err := ingest.OneBody(in.Text != nil, in.HTML != nil); err != nil {
		return nil, in.ID, &lineError{errors.New(strings.ReplaceAll(err.Error(), "\n", "; "))}
	}
	// Trimmed as the API trims them, so that both ways store the same.
	a := &attribution.Article{URL: strings.TrimSpace(in.URL), Title: strings.TrimSpace(in.Title), Byline: strings.TrimSpace(in.Byline),
		Outlet: strings.TrimSpace(in.Outlet), Language: strings.TrimSpace(in.Language)}
	if in.Text != nil {
		a.Text = *in.Text
	}
	if in.PublishedAt != "" {
		t, err := attribution.ParsePublished(in.PublishedAt)
		if err != nil {
			return nil, in.ID, &lineError{err}
		}
		a.PublishedAt = t
	}
	if in.HTML != nil {
		// The page fills what the line does not give, as on the API.
		if _, err := ingest.FromHTML(a, *in.HTML); err != nil {
			return nil, in.ID, &lineError{err}
		}
	}
	if err := a.Validate(); err != nil {
		return nil, in.ID, &lineError{errors.New(strings.ReplaceAll(err.Error(), "\n", "; "))}
	}
	return a, in.ID, nil
}

// ingestFile ingests path ("-" for stdin) into target, showing progress
// on env.Stderr and printing the summary on env.Stdout. It fails when a
// line failed or the run was cut short.
func ingestFile(ctx context.Context, env *Env, path string, target ingestTarget, opts ingestOptions) error {
	var in io.Reader
	var file *os.File // for the line count; nil when not a regular file
	if path == "-" {
		in = env.Stdin
		if f, ok := env.Stdin.(*os.File); ok {
			file = f
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in, file = f, f
	}
	var total atomic.Int64 // lines in the file, once counted; 0 unknown
	if file != nil && !opts.quiet {
		if fi, err := file.Stat(); err == nil && fi.Mode().IsRegular() {
			// Count with ReadAt, which leaves the read offset alone, in
			// the background: ingesting starts at once.
			go func() {
				if n, err := countLines(ctx, io.NewSectionReader(file, 0, fi.Size())); err == nil {
					total.Store(n)
				}
			}()
		}
	}

	var prog *progress
	if !opts.quiet {
		prog = startProgress(env.Stderr, opts, &total)
	}
	sum, err := ingestLines(ctx, in, target, opts.workers, prog)
	if prog != nil {
		prog.stop()
	}
	printIngestSummary(env.Stdout, sum)
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%d of %d lines failed", sum.Failed, sum.Read)
	}
	return nil
}

// ingestSummary is the outcome of a run.
type ingestSummary struct {
	Read     int64 // non-blank lines read
	Created  int64 // articles stored by this run
	Quotes   int64 // quotes of the articles created
	Existing int64 // articles stored before, unchanged
	Revised  int64 // articles stored before at their URL, with a new text now
	Failed   int64
	Errors   []lineFailure // the first ingestMaxErrors failures by line number
	Elapsed  time.Duration
	// Interrupted is set when the run stopped before the end of the input.
	Interrupted string
}

// Processed is the number of lines done, failed or not.
func (s *ingestSummary) Processed() int64 { return s.Created + s.Existing + s.Revised + s.Failed }

type lineFailure struct {
	Line int
	ID   string
	Err  string
}

type ingestJob struct {
	line int
	data []byte
}

type ingestDone struct {
	line    int
	id      string
	outcome ingestOutcome
	err     error
}

// defaultIngestWorkers is how many articles `whosaid ingest` has in
// flight: the extraction of a few keeps the CPUs busy, and the embedded
// store writes those waiting for it in one transaction (up to 32), which
// on 2 cores doubles the rate of 8 in flight.
const defaultIngestWorkers = 32

// ingestLines reads JSONL from in and hands each non-blank line to one of
// workers goroutines. At most about 3×workers lines are in memory at
// once. When ctx ends it stops reading, lets the articles in flight
// finish (each within ingestArticleTimeout), and returns the summary so
// far with the cause.
func ingestLines(ctx context.Context, in io.Reader, target ingestTarget, workers int, prog *progress) (ingestSummary, error) {
	start := time.Now()
	jobs := make(chan ingestJob, workers)
	done := make(chan ingestDone, workers)
	// stop ends reading early: on ctx or when the target keeps failing.
	rctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	var readErr error
	var readLines int64
	go func() {
		defer close(jobs)
		br := bufio.NewReaderSize(in, 1<<16)
		for n := 1; ; n++ {
			line, err := br.ReadBytes('\n')
			if prog != nil {
				prog.bytes.Add(int64(len(line)))
			}
			if len(trimSpace(line)) > 0 {
				select {
				case jobs <- ingestJob{line: n, data: line}:
					readLines++
				case <-rctx.Done():
					return
				}
			}
			if err == io.EOF {
				return
			}
			if err != nil {
				readErr = fmt.Errorf("read line %d: %w", n, err)
				return
			}
		}
	}()

	// Work on in-flight articles goes on after ctx ends, so that an
	// interrupt does not count them as failed.
	wctx := context.WithoutCancel(ctx)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				if rctx.Err() != nil {
					continue // stopping: lines not started stay unstored
				}
				d := ingestDone{line: j.line}
				var a *attribution.Article
				a, d.id, d.err = parseIngestLine(j.data)
				if d.err == nil {
					actx, cancel := context.WithTimeout(wctx, ingestArticleTimeout)
					d.outcome, d.err = target.ingest(actx, a)
					cancel()
				}
				done <- d
			}
		})
	}
	go func() { wg.Wait(); close(done) }()

	var sum ingestSummary
	var lastTargetErr error
	inARow := 0
	for d := range done {
		switch {
		case d.err == nil && d.outcome.Created:
			sum.Created++
			sum.Quotes += int64(d.outcome.Quotes)
		case d.err == nil && d.outcome.Revised:
			sum.Revised++
		case d.err == nil:
			sum.Existing++
		default:
			sum.Failed++
			sum.Errors = addFailure(sum.Errors, lineFailure{Line: d.line, ID: d.id, Err: d.err.Error()})
		}
		var le *lineError
		if d.err != nil && !errors.As(d.err, &le) {
			inARow++
			lastTargetErr = d.err
			if inARow == ingestGiveUpAfter {
				stop(fmt.Errorf("gave up after %d lines in a row failed; the last error: %w", inARow, lastTargetErr))
			}
		} else {
			inARow = 0
		}
		if prog != nil {
			prog.record(d.err == nil && d.outcome.Created, d.err == nil && !d.outcome.Created, d.err != nil)
		}
	}
	// done is closed: the reader and the workers have returned.
	sum.Read = readLines
	sum.Elapsed = time.Since(start)
	if readErr != nil {
		sum.Interrupted = readErr.Error()
		return sum, readErr
	}
	if cause := context.Cause(rctx); cause != nil {
		if ctx.Err() != nil {
			cause = fmt.Errorf("interrupted (%w)", context.Cause(ctx))
		}
		sum.Interrupted = cause.Error()
		return sum, cause
	}
	return sum, nil
}

// addFailure keeps the failures with the lowest line numbers, sorted.
func addFailure(fs []lineFailure, f lineFailure) []lineFailure {
	i, _ := slices.BinarySearchFunc(fs, f.Line, func(x lineFailure, line int) int { return x.Line - line })
	if i >= ingestMaxErrors {
		return fs
	}
	fs = slices.Insert(fs, i, f)
	if len(fs) > ingestMaxErrors {
		fs = fs[:ingestMaxErrors]
	}
	return fs
}

func printIngestSummary(w io.Writer, s ingestSummary) {
	fmt.Fprintf(w, "read            %d lines\n", s.Read)
	fmt.Fprintf(w, "created         %d articles (%d quotes)\n", s.Created, s.Quotes)
	fmt.Fprintf(w, "already stored  %d articles\n", s.Existing)
	if s.Revised > 0 {
		fmt.Fprintf(w, "revised         %d articles (a new text at a stored URL)\n", s.Revised)
	}
	fmt.Fprintf(w, "failed          %d lines\n", s.Failed)
	for _, f := range s.Errors {
		id := ""
		if f.ID != "" {
			id = fmt.Sprintf(" (id %q)", f.ID)
		}
		fmt.Fprintf(w, "  line %d%s: %s\n", f.Line, id, f.Err)
	}
	if more := s.Failed - int64(len(s.Errors)); more > 0 {
		fmt.Fprintf(w, "  … and %d more\n", more)
	}
	if s.Interrupted != "" {
		fmt.Fprintf(w, "stopped early   %s; %d lines read were not processed; run again to go on (stored articles are skipped)\n",
			s.Interrupted, s.Read-s.Processed())
	}
	fmt.Fprintf(w, "elapsed         %s\n", s.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "rate            %.1f articles/s\n", perSecond(s.Created+s.Existing+s.Revised, s.Elapsed))
}

func perSecond(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// countLines counts the non-blank lines of r, as ingestLines reads them.
func countLines(ctx context.Context, r io.Reader) (int64, error) {
	buf := make([]byte, 1<<20)
	var n int64
	blank := true
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		k, err := r.Read(buf)
		for _, c := range buf[:k] {
			switch c {
			case '\n':
				if !blank {
					n++
				}
				blank = true
			case ' ', '\t', '\r':
			default:
				blank = false
			}
		}
		if err == io.EOF {
			if !blank {
				n++
			}
			return n, nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// progress reports a run on stderr: a bar redrawn in place on a terminal,
// a plain line now and then otherwise.
type progress struct {
	w     io.Writer
	tty   bool
	every time.Duration
	total *atomic.Int64
	start time.Time

	bytes                     atomic.Int64
	created, existing, failed atomic.Int64

	quit chan struct{}
	done chan struct{}
}

func startProgress(w io.Writer, opts ingestOptions, total *atomic.Int64) *progress {
	p := &progress{w: w, tty: opts.tty, every: opts.progressEvery, total: total, start: time.Now(),
		quit: make(chan struct{}), done: make(chan struct{})}
	if p.every == 0 {
		p.every = 10 * time.Second
		if p.tty {
			p.every = 200 * time.Millisecond
		}
	}
	go func() {
		defer close(p.done)
		t := time.NewTicker(p.every)
		defer t.Stop()
		for {
			select {
			case <-p.quit:
				if p.tty {
					fmt.Fprint(p.w, "\r\x1b[K") // leave a clean line for what follows
				}
				return
			case <-t.C:
				p.draw()
			}
		}
	}()
	return p
}

func (p *progress) record(created, existing, failed bool) {
	switch {
	case created:
		p.created.Add(1)
	case existing:
		p.existing.Add(1)
	case failed:
		p.failed.Add(1)
	}
}

func (p *progress) stop() {
	close(p.quit)
	<-p.done
}

func (p *progress) draw() {
	fmt.Fprint(p.w, p.line(time.Since(p.start)))
}

// line renders the progress after elapsed.
func (p *progress) line(elapsed time.Duration) string {
	created, existing, failed := p.created.Load(), p.existing.Load(), p.failed.Load()
	done := created + existing + failed
	total := p.total.Load()
	rate := perSecond(done, elapsed)
	var b strings.Builder
	if p.tty {
		b.WriteString("\r\x1b[K")
	} else {
		b.WriteString("whosaid ingest: ")
	}
	if total > 0 {
		frac := min(float64(done)/float64(total), 1)
		if p.tty {
			const width = 24
			fill := int(frac * width)
			b.WriteString("[" + strings.Repeat("=", fill) + strings.Repeat(" ", width-fill) + "] ")
		}
		fmt.Fprintf(&b, "%d/%d lines (%.1f%%)", done, total, 100*frac)
	} else {
		fmt.Fprintf(&b, "%d lines", done)
	}
	fmt.Fprintf(&b, ", %.1f articles/s", rate)
	if total > 0 && rate > 0 && done < total {
		eta := time.Duration(float64(total-done) / rate * float64(time.Second))
		fmt.Fprintf(&b, ", ETA %s", eta.Round(time.Second))
	}
	fmt.Fprintf(&b, ", %d new, %d already stored", created, existing)
	if failed > 0 {
		fmt.Fprintf(&b, ", %d failed", failed)
	}
	if !p.tty {
		b.WriteString("\n")
	}
	return b.String()
}
