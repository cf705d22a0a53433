package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/whosaid/whosaid/internal/config"
	"github.com/whosaid/whosaid/internal/dump"
)

// dumpOpenTimeout bounds opening the store for export, import and migrate
// (the work itself has no deadline: a large store takes its time).
const dumpOpenTimeout = 30 * time.Second

// exportCommand writes the whole store as NDJSON.
func exportCommand() command {
	return command{
		name: "export",
		args: "[--out FILE]",
		summary: "write everything the store holds (articles with their quotes and corrections, speakers, statements, " +
			"subscriptions, deliveries, API key hashes, idempotency keys) as NDJSON to stdout or --out, for whosaid import; " +
			"counts on stderr; store flags as serve",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			cfg := config.Default()
			cfg.LoadEnv(env.LookupEnv)
			cfg.RegisterStoreFlags(fs)
			out := fs.String("out", "", "`file` to write (replaced only once the export is complete); empty or - for stdout")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unexpected arguments %q", args)
				}
				if err := cfg.ValidateStore(); err != nil {
					return usageErrorf("invalid configuration: %v", err)
				}
				st, err := openReadyStore(ctx, cfg, env.Logger, dumpOpenTimeout)
				if err != nil {
					return err
				}
				defer st.Close()
				ex, ok := any(st.Store).(dump.Exporter)
				if !ok {
					return fmt.Errorf("the %s store cannot export", st.Kind)
				}
				var counts dumpCounts
				write := func(w io.Writer) error {
					return writeDump(ctx, w, st.Kind, ex, &counts)
				}
				if *out == "" || *out == "-" {
					err = write(env.Stdout)
				} else {
					err = writeFileAtomic(*out, write)
				}
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stderr, "exported %s\n", counts.summary())
				return nil
			}
		},
	}
}

// writeDump writes the header and every record of ex to w, counting them.
func writeDump(ctx context.Context, w io.Writer, kind string, ex dump.Exporter, counts *dumpCounts) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	h := dump.Record{Type: dump.TypeHeader, Header: &dump.Header{Format: dump.Format, Version: dump.Version,
		ExportedAt: time.Now().UTC().Truncate(time.Millisecond), Store: kind}}
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	err := ex.Export(ctx, func(r dump.Record) error {
		counts.add(r)
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write export: %w", err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write export: %w", err)
	}
	return nil
}

// writeFileAtomic writes path through a temporary file beside it, renamed
// over path only when write succeeded: a failed export leaves no half file.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create export file: %w", err)
	}
	defer os.Remove(f.Name()) //nolint:errcheck // gone after the rename
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write export file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write export file: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write export file: %w", err)
	}
	return nil
}

// dumpTypes are the record types in file order, with the words counts
// use for them.
var dumpTypes = []struct{ typ, one, many string }{
	{dump.TypeSpeaker, "speaker", "speakers"},
	{dump.TypeArticle, "article", "articles"},
	{"quote", "quote", "quotes"},
	{dump.TypeStatement, "statement", "statements"},
	{dump.TypeSubscription, "subscription", "subscriptions"},
	{dump.TypeDelivery, "delivery", "deliveries"},
	{dump.TypeKey, "API key", "API keys"},
	{dump.TypeIdempotencyKey, "idempotency key", "idempotency keys"},
}

// dumpCounts counts records by type, and the quotes of the articles.
type dumpCounts map[string]int

func (c *dumpCounts) add(r dump.Record) {
	c.addN(r, 1)
}

func (c *dumpCounts) addN(r dump.Record, n int) {
	if *c == nil {
		*c = dumpCounts{}
	}
	(*c)[r.Type] += n
	if r.Article != nil {
		(*c)["quote"] += n * len(r.Article.Quotes)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// summary is "10 speakers, 4 articles, 24 quotes, …", every type named.
func (c dumpCounts) summary() string {
	parts := make([]string, len(dumpTypes))
	for i, t := range dumpTypes {
		parts[i] = plural(c[t.typ], t.one, t.many)
	}
	return strings.Join(parts, ", ")
}
