package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/evaluate"
)

func evalCommand() command {
	return command{
		name: "eval",
		args: "--gold FILE",
		summary: "run the extractor on a gold JSONL file and print quoted, speaker, indirect and end-to-end " +
			"figures with the protocol of shared/eval/score.py",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			gold := fs.String("gold", "", "gold `file` (JSONL: {\"id\",\"text\",\"quotes\":[...]} a line)")
			asJSON := fs.Bool("json", false, "print the figures as JSON")
			minConf := fs.Float64("min-confidence", 0, "score only quotes whose confidence is at least this `value`")
			model := fs.String("model", "", modelUsage)
			return func(ctx context.Context, args []string) error {
				if *gold == "" {
					if len(args) != 1 {
						return usageErrorf("name the gold file with --gold FILE")
					}
					*gold = args[0]
				} else if len(args) > 0 {
					return usageErrorf("unexpected arguments %q", args)
				}
				f, err := os.Open(*gold)
				if err != nil {
					return err
				}
				defer f.Close()
				x, err := newExtractor(*model)
				if err != nil {
					return err
				}
				var sc evaluate.Scorer
				br := bufio.NewReaderSize(f, 1<<16)
				for n := 1; ; n++ {
					if err := ctx.Err(); err != nil {
						return err
					}
					line, rerr := br.ReadBytes('\n')
					if len(trimSpace(line)) > 0 {
						var d evaluate.GoldDoc
						if err := json.Unmarshal(line, &d); err != nil {
							return fmt.Errorf("%s line %d: %w", *gold, n, err)
						}
						res := filterConfidence(attribution.Convert(d.Text, x.Extract(d.Text), attribution.UnitCodepoint), *minConf)
						sc.Add(d, predictions(res), false)
					}
					if rerr != nil {
						break
					}
				}
				m := sc.Metrics()
				if *asJSON {
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(m)
				}
				return m.Write(env.Stdout)
			}
		},
	}
}

// predictions turns extracted quotes (code-point offsets) into scorer input.
func predictions(r attribution.Result) []evaluate.Pred {
	ps := make([]evaluate.Pred, 0, len(r.Quotes))
	for _, q := range r.Quotes {
		p := evaluate.Pred{Start: q.Span.Start, End: q.Span.End, Kind: string(q.Kind), MentionStart: -1, MentionEnd: -1, Confidence: q.Confidence}
		if q.Speaker != nil {
			p.Name = q.Speaker.Name
			if m := q.Speaker.Mention; m != nil {
				p.MentionStart, p.MentionEnd = m.Span.Start, m.Span.End
			}
		}
		ps = append(ps, p)
	}
	return ps
}
