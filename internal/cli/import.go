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
	"text/tabwriter"
	"time"

	"github.com/whosaid/whosaid/internal/config"
	"github.com/whosaid/whosaid/internal/dump"
)

// importCommand reads an export into the store.
func importCommand() command {
	return command{
		name: "import",
		args: "FILE",
		summary: "store the records of a whosaid export (FILE, or - for stdin) under their own ids; records stored already are " +
			"left as they are, so a re-run adds nothing; prints what was added and skipped; store flags as serve",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			cfg := config.Default()
			cfg.LoadEnv(env.LookupEnv)
			cfg.RegisterStoreFlags(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) != 1 {
					return usageErrorf("want one export file (or - for stdin), got %d arguments", len(args))
				}
				if err := cfg.ValidateStore(); err != nil {
					return usageErrorf("invalid configuration: %v", err)
				}
				in := env.Stdin
				if args[0] != "-" {
					f, err := os.Open(args[0])
					if err != nil {
						return err
					}
					defer f.Close()
					in = f
				}
				st, err := openReadyStore(ctx, cfg, env.Logger, dumpOpenTimeout)
				if err != nil {
					return err
				}
				defer st.Close()
				im, ok := any(st.Store).(dump.Importer)
				if !ok {
					return fmt.Errorf("the %s store cannot import", st.Kind)
				}
				res := importResult{progress: env.Stderr}
				err = importDump(ctx, in, im, &res)
				res.print(env.Stdout)
				return err
			}
		},
	}
}

// importProgressEvery is how often a long import says how far it got.
const importProgressEvery = 10 * time.Second

// importResult counts the records an import added and skipped; with
// progress set, it writes a line there every importProgressEvery.
type importResult struct {
	added, skipped dumpCounts
	progress       io.Writer
	last           time.Time
}

func (r *importResult) note(rec dump.Record, added bool) {
	if added {
		r.added.add(rec)
	} else {
		r.skipped.add(rec)
	}
	if r.progress == nil {
		return
	}
	now := time.Now()
	if r.last.IsZero() {
		r.last = now
	}
	if now.Sub(r.last) >= importProgressEvery {
		r.last = now
		fmt.Fprintf(r.progress, "… %d articles (%d quotes) added, %d stored already\n",
			r.added[dump.TypeArticle], r.added["quote"], r.skipped[dump.TypeArticle])
	}
}

func (r importResult) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tadded\tstored already\t")
	for _, t := range dumpTypes {
		fmt.Fprintf(tw, "%s\t%d\t%d\t\n", t.many, r.added[t.typ], r.skipped[t.typ])
	}
	tw.Flush()
}

// readDump reads the header of an export from in, then calls fn with each
// record. Lines may be of any length (one article with its quotes is one
// line).
func readDump(in io.Reader, fn func(dump.Record) error) error {
	dec := json.NewDecoder(bufio.NewReaderSize(in, 1<<16))
	var h dump.Record
	if err := dec.Decode(&h); err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("empty input: not a whosaid export")
		}
		return fmt.Errorf("read header: %w", err)
	}
	if h.Type != dump.TypeHeader || h.Header == nil || h.Header.Format != dump.Format {
		return fmt.Errorf("not a whosaid export: the first line is not a %q header", dump.Format)
	}
	if h.Header.Version > dump.Version || h.Header.Version < 1 {
		return fmt.Errorf("export version %d: this whosaid reads versions 1 to %d", h.Header.Version, dump.Version)
	}
	for n := 2; ; n++ {
		var r dump.Record
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("record %d: %w", n, err)
		}
		if err := fn(r); err != nil {
			return fmt.Errorf("record %d (%s): %w", n, r.Type, err)
		}
	}
}

// importDump imports every record of an export read from in.
func importDump(ctx context.Context, in io.Reader, im dump.Importer, res *importResult) error {
	return readDump(in, func(r dump.Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		added, err := im.Import(ctx, r)
		if err != nil {
			return err
		}
		res.note(r, added)
		return nil
	})
}
