package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/config"
)

// keysTimeout bounds the store work of one keys command.
const keysTimeout = 30 * time.Second

// keysCommand manages API keys in the store: create, list, revoke.
func keysCommand() command {
	return command{
		name: "keys",
		args: "create --name NAME --scope read|write|admin | list | revoke KEY_ID",
		summary: "manage the API keys that serve --auth on requires: create prints the new key once (only its hash is stored), " +
			"list shows every key, revoke disables one (within 10 s on every running server); " +
			"store flags as serve, before or after the subcommand",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			cfg := config.Default()
			cfg.LoadEnv(env.LookupEnv)
			cfg.RegisterStoreFlags(fs)
			asJSON := fs.Bool("json", false, "print JSON instead of text")
			return func(ctx context.Context, args []string) error {
				if len(args) == 0 {
					return usageErrorf("want a subcommand: create, list or revoke")
				}
				sub, rest := args[0], args[1:]
				sfs := flag.NewFlagSet("whosaid keys "+sub, flag.ContinueOnError)
				sfs.SetOutput(env.Stderr)
				cfg.RegisterStoreFlags(sfs)
				sfs.BoolVar(asJSON, "json", *asJSON, "print JSON instead of text")
				// check runs on the parsed flags before the store is opened.
				check := func() error {
					if sfs.NArg() > 0 {
						return usageErrorf("keys %s: unexpected arguments %q", sub, sfs.Args())
					}
					return nil
				}
				var run func(context.Context, auth.Store) error
				switch sub {
				case "create":
					name := sfs.String("name", "", "who or what the key is for (required)")
					scope := sfs.String("scope", "", "read (GET), write (also ingest, extract, edit) or admin (also keys and merges); required")
					var sc auth.Scope
					check = func() error {
						if sfs.NArg() > 0 {
							return usageErrorf("keys create: unexpected arguments %q", sfs.Args())
						}
						if strings.TrimSpace(*name) == "" {
							return usageErrorf("keys create: --name is required")
						}
						var err error
						if sc, err = auth.ParseScope(*scope); err != nil {
							return usageErrorf("keys create: --%v", err)
						}
						return nil
					}
					run = func(ctx context.Context, st auth.Store) error {
						return createKey(ctx, st, env.Stdout, *name, sc, *asJSON)
					}
				case "list":
					run = func(ctx context.Context, st auth.Store) error {
						return listKeys(ctx, st, env.Stdout, *asJSON)
					}
				case "revoke":
					check = func() error {
						if sfs.NArg() != 1 {
							return usageErrorf("keys revoke: want one key id (key_…), got %d arguments", sfs.NArg())
						}
						return nil
					}
					run = func(ctx context.Context, st auth.Store) error {
						return revokeKey(ctx, st, env.Stdout, sfs.Arg(0), *asJSON)
					}
				default:
					return usageErrorf("unknown keys subcommand %q: want create, list or revoke", sub)
				}
				if err := sfs.Parse(rest); err != nil {
					if errors.Is(err, flag.ErrHelp) {
						return nil
					}
					return usageErrorf("keys %s: %v", sub, err)
				}
				if err := check(); err != nil {
					return err
				}
				if err := cfg.ValidateStore(); err != nil {
					return usageErrorf("invalid configuration: %v", err)
				}
				st, err := openReadyStore(ctx, cfg, env.Logger, keysTimeout)
				if err != nil {
					return err
				}
				defer st.Close()
				kctx, cancel := context.WithTimeout(ctx, keysTimeout)
				defer cancel()
				return run(kctx, st.Store)
			}
		},
	}
}

// createdKey is what keys create prints with --json.
type createdKey struct {
	auth.Key
	// Secret is the key itself, shown this once.
	Secret string `json:"secret"`
}

func createKey(ctx context.Context, st auth.Store, w io.Writer, name string, scope auth.Scope, asJSON bool) error {
	k, secret, hash, err := auth.NewKey(name, scope, time.Now())
	if err != nil {
		return usageErrorf("keys create: %v", err)
	}
	if err := st.CreateKey(ctx, k, hash); err != nil {
		return fmt.Errorf("store the key: %w", err)
	}
	if asJSON {
		return writeJSONLine(w, createdKey{Key: k, Secret: secret})
	}
	_, err = fmt.Fprintf(w, "id:     %s\nname:   %s\nscope:  %s\nkey:    %s\n\nThe key is shown only now; whosaid keeps its hash. Send it as: Authorization: Bearer %s\n",
		k.ID, k.Name, k.Scope, secret, secret)
	return err
}

func listKeys(ctx context.Context, st auth.Store, w io.Writer, asJSON bool) error {
	keys, err := st.ListKeys(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		if keys == nil {
			keys = []auth.Key{}
		}
		return writeJSONLine(w, keys)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tPREFIX\tCREATED\tREVOKED")
	for _, k := range keys {
		revoked := "-"
		if k.RevokedAt != nil {
			revoked = k.RevokedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s…\t%s\t%s\n", k.ID, k.Name, k.Scope, k.Prefix, k.CreatedAt.Format(time.RFC3339), revoked)
	}
	return tw.Flush()
}

func revokeKey(ctx context.Context, st auth.Store, w io.Writer, id string, asJSON bool) error {
	k, err := st.RevokeKey(ctx, id, time.Now())
	if errors.Is(err, attribution.ErrNotFound) {
		return fmt.Errorf("no key with id %q (see whosaid keys list)", id)
	}
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSONLine(w, k)
	}
	_, err = fmt.Fprintf(w, "revoked %s (%s) at %s; running servers refuse it within %s\n",
		k.ID, k.Name, k.RevokedAt.Format(time.RFC3339), auth.DefaultCacheTTL)
	return err
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
