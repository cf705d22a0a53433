package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/whosaid/whosaid/internal/attribution"
)

func extractCommand() command {
	return command{
		name: "extract",
		args: "[file|-]",
		summary: "find quotes and speakers in a text (file or stdin) offline and print them as JSON; " +
			"with --jsonl read one {\"id\",\"text\"} article a line and write one prediction a line",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			offsets := fs.String("offsets", "codepoint", "`unit` of the offsets in the output: codepoint, utf16 or utf8")
			jsonl := fs.Bool("jsonl", false, "read JSONL articles {\"id\",\"text\",...} and write one JSON line per input line "+
				"({\"id\",\"quotes\",\"speakers\"}, or {\"id\",\"line\",\"error\"} for a line that cannot be read)")
			minConf := fs.Float64("min-confidence", 0, "leave out quotes whose confidence is below this `value` (0..1)")
			model := fs.String("model", "", modelUsage)
			return func(ctx context.Context, args []string) error {
				unit, err := attribution.ParseUnit(*offsets)
				if err != nil {
					return usageErrorf("%v", err)
				}
				if *minConf < 0 || *minConf > 1 {
					return usageErrorf("--min-confidence must be between 0 and 1, got %v", *minConf)
				}
				in, closeIn, err := openInput(env, args)
				if err != nil {
					return err
				}
				defer closeIn()
				x, err := newExtractor(*model)
				if err != nil {
					return err
				}
				run := func(text string) attribution.Result {
					return filterConfidence(attribution.Convert(text, x.Extract(text), unit), *minConf)
				}
				if *jsonl {
					return extractJSONL(ctx, in, env.Stdout, env.Stderr, run)
				}
				b, err := io.ReadAll(in)
				if err != nil {
					return fmt.Errorf("read text: %w", err)
				}
				if !utf8.Valid(b) {
					return errors.New("the text is not valid UTF-8")
				}
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				return enc.Encode(run(string(b)))
			}
		},
	}
}

// openInput opens the one optional file argument; none or "-" is stdin.
func openInput(env *Env, args []string) (io.Reader, func(), error) {
	switch {
	case len(args) == 0 || len(args) == 1 && args[0] == "-":
		return env.Stdin, func() {}, nil
	case len(args) == 1:
		f, err := os.Open(args[0])
		if err != nil {
			return nil, nil, err
		}
		return f, func() { f.Close() }, nil
	}
	return nil, nil, usageErrorf("want at most one file, got %d arguments", len(args))
}

func filterConfidence(r attribution.Result, min float64) attribution.Result {
	if min <= 0 {
		return r
	}
	kept := r.Quotes[:0:0]
	for _, q := range r.Quotes {
		if q.Confidence >= min {
			kept = append(kept, q)
		}
	}
	r.Quotes = kept
	return r
}

type jsonlPrediction struct {
	ID       string                `json:"id"`
	Quotes   []attribution.Quote   `json:"quotes"`
	Speakers []attribution.Speaker `json:"speakers"`
}

type jsonlError struct {
	ID    string `json:"id"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// extractJSONL reads articles a line at a time (any line length) and writes
// a line for each; a line that cannot be read gets an error line and the
// command fails at the end, after the other lines.
func extractJSONL(ctx context.Context, in io.Reader, out, errOut io.Writer, run func(string) attribution.Result) error {
	br := bufio.NewReaderSize(in, 1<<16)
	bw := bufio.NewWriter(out)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	bad := 0
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		line, err := br.ReadBytes('\n')
		if len(line) == 0 && err == io.EOF {
			break
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read line %d: %w", n, err)
		}
		if len(trimSpace(line)) == 0 {
			if err == io.EOF {
				break
			}
			continue
		}
		var art struct {
			ID   string  `json:"id"`
			Text *string `json:"text"`
		}
		var out any
		switch derr := json.Unmarshal(line, &art); {
		case !utf8.Valid(line):
			out = jsonlError{Line: n, Error: "line is not valid UTF-8"}
		case derr != nil:
			out = jsonlError{Line: n, Error: "bad JSON: " + derr.Error()}
		case art.Text == nil:
			out = jsonlError{ID: art.ID, Line: n, Error: `missing "text"`}
		default:
			res := run(*art.Text)
			out = jsonlPrediction{ID: art.ID, Quotes: res.Quotes, Speakers: res.Speakers}
		}
		if e, ok := out.(jsonlError); ok {
			bad++
			fmt.Fprintf(errOut, "whosaid extract: line %d: %s\n", e.Line, e.Error)
		}
		if werr := enc.Encode(out); werr != nil {
			return fmt.Errorf("write: %w", werr)
		}
		if err == io.EOF {
			break
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d input lines could not be read", bad)
	}
	return nil
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}
