// Command whosaid finds quotes in news articles and says who said them. It
// is a thin shell around internal/cli; run `whosaid help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/whosaid/whosaid/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one kills the process at once.
	go func() { <-ctx.Done(); stop() }()
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
