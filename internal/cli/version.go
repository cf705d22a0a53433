package cli

import (
	"context"
	"flag"
	"fmt"
	"runtime/debug"
)

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print the version, VCS revision and Go version of this binary",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unexpected arguments %q", args)
				}
				fmt.Fprintln(env.Stdout, versionString())
				return nil
			}
		},
	}
}

// versionString describes the binary from its embedded build information;
// there is no version variable to set with -ldflags.
func versionString() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "whosaid (unknown version)"
	}
	s := "whosaid " + bi.Main.Version
	var rev, modified string
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if rev != "" {
		s += " " + rev + modified
	}
	return s + " " + bi.GoVersion
}
