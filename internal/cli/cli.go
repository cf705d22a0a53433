// Package cli is the whosaid command line. Run dispatches to one subcommand
// per file (serve.go, ingest.go, extract.go, eval.go, version.go); each
// defines its own flag.FlagSet. The process's one *slog.Logger is built
// here and handed to the subcommands in Env.
//
// A subcommand is a command value: its name, a one-line summary, and a
// setup function that defines its flags on the FlagSet it is given and
// returns the function that runs it once the flags are parsed. `whosaid
// help` calls setup on throwaway FlagSets to list every flag.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
)

// Environment variables read by every subcommand.
const (
	EnvLogFormat = "WHOSAID_LOG_FORMAT"
	EnvLogLevel  = "WHOSAID_LOG_LEVEL"
)

// Env is what a subcommand gets from the process besides its arguments.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// LookupEnv reads an environment variable (os.LookupEnv in main).
	LookupEnv func(string) (string, bool)
	// Logger writes to Stderr; Run builds it from WHOSAID_LOG_FORMAT and
	// WHOSAID_LOG_LEVEL.
	Logger *slog.Logger
	// Listen opens serve's HTTP listener; nil means net.Listen. Tests set it
	// to learn the port of --addr 127.0.0.1:0.
	Listen func(network, address string) (net.Listener, error)
}

// runFunc runs a subcommand with the arguments left after its flags.
type runFunc func(ctx context.Context, args []string) error

// command is one subcommand.
type command struct {
	name    string
	args    string // synopsis of the arguments after the flags, e.g. "[file]"
	summary string
	// setup defines the subcommand's flags on fs and returns its runFunc.
	setup func(fs *flag.FlagSet, env *Env) runFunc
}

// commands lists the subcommands in the order help shows them.
func commands() []command {
	return []command{serveCommand(), ingestCommand(), extractCommand(), evalCommand(), trainCommand(), keysCommand(),
		exportCommand(), importCommand(), migrateCommand(), versionCommand()}
}

// usageError is a mistake in the command line; Run prints it with a hint
// and exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Run runs the command line args (without the program name) and returns the
// exit status: 0 on success, 1 when the command fails, 2 for a usage error.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, LookupEnv: os.LookupEnv}, args)
}

func run(ctx context.Context, env *Env, args []string) int {
	if env.Logger == nil {
		logger, err := newLogger(env.Stderr, env.LookupEnv)
		if err != nil {
			fmt.Fprintf(env.Stderr, "whosaid: %v\n", err)
			return 2
		}
		env.Logger = logger
	}
	if env.Listen == nil {
		env.Listen = net.Listen
	}

	if len(args) == 0 {
		fmt.Fprint(env.Stderr, shortUsage())
		return 2
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			cmd, ok := lookup(args[1])
			if !ok {
				fmt.Fprintf(env.Stderr, "whosaid help: unknown command %q\n%s", args[1], shortUsage())
				return 2
			}
			printCommandHelp(env.Stdout, cmd, env.LookupEnv)
			return 0
		}
		printHelp(env.Stdout, env.LookupEnv)
		return 0
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(env.Stderr, "whosaid: unknown command %q\n%s", name, shortUsage())
		return 2
	}

	fs := flag.NewFlagSet("whosaid "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() { printCommandHelp(fs.Output(), cmd, env.LookupEnv) }
	runCmd := cmd.setup(fs, env)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2 // the flag package has printed the error and the usage
	}
	if err := runCmd(ctx, fs.Args()); err != nil {
		var ue *usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(env.Stderr, "whosaid %s: %v\nRun 'whosaid %s -h' for usage.\n", cmd.name, err, cmd.name)
			return 2
		}
		fmt.Fprintf(env.Stderr, "whosaid %s: %v\n", cmd.name, err)
		return 1
	}
	return 0
}

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func shortUsage() string {
	var b strings.Builder
	b.WriteString("Usage: whosaid <command> [flags] [arguments]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(&b, "  %-8s %s\n", "help", "describe every command and flag, or one: whosaid help <command>")
	return b.String()
}

// printHelp describes every subcommand with its flags.
func printHelp(w io.Writer, lookupEnv func(string) (string, bool)) {
	fmt.Fprint(w, "whosaid finds quotes in news articles and says who said them.\n\n")
	fmt.Fprint(w, shortUsage())
	for _, c := range commands() {
		fmt.Fprintln(w)
		printCommandHelp(w, c, lookupEnv)
	}
	fmt.Fprintf(w, `
Every command reads these environment variables:
  %s   auto (default: text when stderr is a terminal, JSON otherwise), text or json
  %s    debug, info (default), warn or error
Logs go to stderr.
`, EnvLogFormat, EnvLogLevel)
}

// printCommandHelp describes one subcommand and its flags, with defaults as
// the environment (lookupEnv) sets them. It runs the command's setup on a
// throwaway FlagSet.
func printCommandHelp(w io.Writer, c command, lookupEnv func(string) (string, bool)) {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.setup(fs, &Env{LookupEnv: lookupEnv, Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard,
		Logger: slog.New(slog.DiscardHandler), Listen: net.Listen})
	synopsis := "whosaid " + c.name
	hasFlags := false
	fs.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		synopsis += " [flags]"
	}
	if c.args != "" {
		synopsis += " " + c.args
	}
	fmt.Fprintf(w, "%s\n  %s\n", synopsis, c.summary)
	if hasFlags {
		fmt.Fprintln(w, "Flags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
	}
}

// newLogger builds the process's logger on w: text or JSON as
// WHOSAID_LOG_FORMAT says, auto meaning text on a terminal and JSON
// otherwise (log collectors), at the level WHOSAID_LOG_LEVEL says.
func newLogger(w io.Writer, lookup func(string) (string, bool)) (*slog.Logger, error) {
	level := slog.LevelInfo
	if v, ok := lookup(EnvLogLevel); ok && v != "" {
		if err := level.UnmarshalText([]byte(v)); err != nil {
			return nil, fmt.Errorf("%s=%q: want debug, info, warn or error", EnvLogLevel, v)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	format, _ := lookup(EnvLogFormat)
	switch format {
	case "", "auto":
		if isTerminal(w) {
			return slog.New(slog.NewTextHandler(w, opts)), nil
		}
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("%s=%q: want auto, text or json", EnvLogFormat, format)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
