package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/whosaid/whosaid/internal/evaluate"
	"github.com/whosaid/whosaid/internal/extract"
)

// modelUsage documents --model for extract, eval and serve.
const modelUsage = "speaker ranker: a `model` file written by 'whosaid train', \"rules\" for the rule cascade, or empty for the shipped model"

// newExtractor builds the extractor with the ranker --model names.
func newExtractor(model string) (*extract.Extractor, error) {
	switch model {
	case "rules":
		return extract.New()
	case "":
		m, err := extract.ShippedModel()
		if err != nil {
			return nil, fmt.Errorf("shipped model: %w", err)
		}
		return extract.New(extract.WithModel(m))
	}
	f, err := os.Open(model)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := extract.ReadModel(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", model, err)
	}
	return extract.New(extract.WithModel(m))
}

type stringList []string

func (l *stringList) String() string     { return fmt.Sprint(*l) }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func trainCommand() command {
	return command{
		name: "train",
		args: "--gold FILE... --out MODEL",
		summary: "train the speaker ranker on gold JSONL articles (the format of shared/eval) and write the model; " +
			"the same files in the same order with the same --seed give the same model bit for bit",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			var gold stringList
			fs.Var(&gold, "gold", "gold `file` (JSONL: {\"id\",\"text\",\"quotes\":[...]} a line); repeat for several, or name more as arguments")
			out := fs.String("out", "", "write the model to this `file`")
			seed := fs.Uint64("seed", 1, "`seed` of the example order")
			epochs := fs.Int("epochs", 0, "`passes` over the examples (0: the default of extract.TrainOptions)")
			rate := fs.Float64("rate", 0, "initial learning `rate` (0: the default)")
			return func(ctx context.Context, args []string) error {
				gold = append(gold, args...)
				if len(gold) == 0 {
					return usageErrorf("name the gold files with --gold FILE")
				}
				if *out == "" {
					return usageErrorf("name the model file with --out FILE")
				}
				var docs []evaluate.GoldDoc
				for _, g := range gold {
					ds, err := readGold(ctx, g)
					if err != nil {
						return err
					}
					docs = append(docs, ds...)
				}
				m, st, err := extract.Train(docs, extract.TrainOptions{Seed: *seed, Epochs: *epochs, Rate: *rate})
				if err != nil {
					return err
				}
				tmp, err := os.CreateTemp(filepath.Dir(*out), ".model-*")
				if err != nil {
					return err
				}
				defer os.Remove(tmp.Name())
				if err := tmp.Chmod(0o644); err != nil {
					tmp.Close()
					return err
				}
				if _, err := m.WriteTo(tmp); err != nil {
					tmp.Close()
					return err
				}
				if err := tmp.Close(); err != nil {
					return err
				}
				if err := os.Rename(tmp.Name(), *out); err != nil {
					return err
				}
				fmt.Fprintf(env.Stderr, "whosaid train: %d docs, %d quotes (%v), %d candidates (%d right); a right candidate for %d quotes, chosen for %d; languages %v; wrote %s\n",
					st.Docs, st.Quotes, st.ByLang, st.Examples, st.Positive, st.Reachable, st.Chosen, m.Languages(), *out)
				return nil
			}
		},
	}
}

// readGold reads a gold JSONL file.
func readGold(ctx context.Context, name string) ([]evaluate.GoldDoc, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var docs []evaluate.GoldDoc
	br := bufio.NewReaderSize(f, 1<<16)
	for n := 1; ; n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		line, rerr := br.ReadBytes('\n')
		if len(trimSpace(line)) > 0 {
			var d evaluate.GoldDoc
			if err := json.Unmarshal(line, &d); err != nil {
				return nil, fmt.Errorf("%s line %d: %w", name, n, err)
			}
			docs = append(docs, d)
		}
		if rerr != nil {
			break
		}
	}
	return docs, nil
}
