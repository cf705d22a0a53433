package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/whosaid/whosaid/api"
	"github.com/whosaid/whosaid/internal/config"
	"github.com/whosaid/whosaid/internal/httpapi"
	"github.com/whosaid/whosaid/internal/metrics"
	"github.com/whosaid/whosaid/internal/web"
	"github.com/whosaid/whosaid/internal/webhook"
)

// Timeouts of serve.
const (
	// startupPingTimeout bounds the one ping, in the background after
	// HTTP is up, whose result is logged.
	startupPingTimeout = 2 * time.Second
	// indexAttemptTimeout bounds one attempt to create the indexes.
	indexAttemptTimeout = 10 * time.Second
	// indexRetryMax caps the pause between attempts.
	indexRetryMax = 30 * time.Second
	// httpDrainTimeout is how long requests in flight get at shutdown.
	httpDrainTimeout = 10 * time.Second
)

func serveCommand() command {
	return command{
		name:    "serve",
		summary: "serve the HTTP API; with no --mongo-uri, on the embedded FerretDB store under --data-dir",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			cfg := config.Default()
			cfg.LoadEnv(env.LookupEnv)
			cfg.RegisterFlags(fs)
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unexpected arguments %q", args)
				}
				if err := cfg.Validate(); err != nil {
					return usageErrorf("invalid configuration: %v", err)
				}
				return serve(ctx, env, cfg)
			}
		},
	}
}

// serve runs the HTTP API until ctx is done, then shuts down in order:
// drain HTTP, stop the background store check and index creation,
// disconnect the driver, stop the embedded store. Each step has its own
// timeout.
func serve(ctx context.Context, env *Env, cfg config.Config) error {
	log := env.Logger

	// Listen first: a busy port fails before anything is started.
	ln, err := env.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close() // in case Serve never runs; closing twice is harmless

	kind := "mongodb"
	if cfg.Embedded() {
		kind = "embedded"
	}
	m := metrics.New(kind)
	st, err := openStore(cfg, log, m.ObserveDB)
	if err != nil {
		return err
	}
	defer st.Close()
	store := st.Store

	x, err := newExtractor(cfg.Model)
	if err != nil {
		return fmt.Errorf("build extractor: %w", err)
	}
	// Webhook deliveries run in the background from the store's outbox
	// (what an earlier run, another replica or `whosaid ingest` left
	// pending is tried at once, retries when due) until HTTP is drained;
	// an attempt cut short then is claimed again after its lease.
	hooks := webhook.New(webhook.Options{Store: store, Logger: log, AllowPrivate: bool(cfg.WebhookAllowPrivate)})
	hctx, stopHooks := context.WithCancel(context.WithoutCancel(ctx))
	hooksDone := make(chan struct{})
	go func() { defer close(hooksDone); hooks.Run(hctx) }()
	defer func() {
		stopHooks()
		<-hooksDone
	}()

	pages, err := web.New(web.Options{Auth: bool(cfg.Auth)})
	if err != nil {
		return err
	}
	apiServer, err := httpapi.New(httpapi.Options{
		Logger:    log,
		Store:     store,
		StoreKind: kind,
		Extractor: x,
		OpenAPI:   api.OpenAPIJSON(),

		ExtractTimeout: cfg.ExtractTimeout,

		Metrics:        m,
		Auth:           bool(cfg.Auth),
		RateLimit:      cfg.RateLimit,
		RateBurst:      cfg.RateBurst,
		CORSOrigins:    cfg.CORSOrigins,
		TrustedProxies: cfg.TrustedProxies,

		Notifier:            hooks,
		WebhookAllowPrivate: bool(cfg.WebhookAllowPrivate),
		UI:                  pages,
	})
	if err != nil {
		return err
	}
	logAccess(log, cfg)

	hs := &http.Server{
		Handler:           apiServer.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	// ProblemListener: net/http's own error answers are problem documents too.
	go func() { serveErr <- hs.Serve(httpapi.ProblemListener(ln)) }()
	addr := ln.Addr().String()
	log.Info("serving HTTP", slog.String("addr", addr), slog.String("docs", "http://"+addr+"/docs/"))

	// Check the store and create its indexes in the background, after
	// HTTP is up: an unreachable database must not block startup, and
	// /readyz reports it meanwhile.
	bctx, stopBackground := context.WithCancel(ctx)
	backgroundDone := make(chan struct{})
	go func() {
		defer close(backgroundDone)
		checkStore(bctx, store, kind, log)
		ensureIndexes(bctx, store, log)
	}()
	defer func() {
		stopBackground()
		<-backgroundDone
	}()

	select {
	case err := <-serveErr:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}

	start := time.Now()
	log.Info("shutting down", slog.String("cause", context.Cause(ctx).Error()))
	dctx, cancel := context.WithTimeout(context.Background(), httpDrainTimeout)
	defer cancel()
	if err := hs.Shutdown(dctx); err != nil {
		log.Warn("HTTP requests still running after the drain timeout; closing them", slog.Any("error", err))
		_ = hs.Close()
	}
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		log.Warn("HTTP server", slog.Any("error", err))
	}
	log.Info("HTTP drained", slog.String("took", time.Since(start).String()))
	return nil
}

// logAccess says how the API is protected, loudly when it is open beyond
// this machine.
func logAccess(log *slog.Logger, cfg config.Config) {
	rate := "off"
	if cfg.RateLimit > 0 {
		rate = fmt.Sprintf("%g/s, burst %d, per key or client address", cfg.RateLimit, cfg.RateBurst)
	}
	attrs := []any{slog.String("rate_limit", rate), slog.String("cors_origins", cfg.CORSOrigins.String()),
		slog.String("trusted_proxies", cfg.TrustedProxies.String())}
	switch {
	case bool(cfg.Auth):
		log.Info("auth on: every /v1 route needs an API key (whosaid keys create)", attrs...)
	case isLoopback(cfg.Addr):
		log.Info("auth off: /v1 is open to anyone who can reach "+cfg.Addr+" (loopback only); set --auth on or "+config.EnvAuth+"=on to require API keys", attrs...)
	default:
		log.Warn("auth off on a non-loopback address: /v1 is open to anyone who can reach "+cfg.Addr+"; set --auth on or "+config.EnvAuth+"=on", attrs...)
	}
}

// isLoopback reports whether addr (host:port) listens on loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkStore pings the store once and logs the outcome.
func checkStore(ctx context.Context, store Store, kind string, log *slog.Logger) {
	pctx, cancel := context.WithTimeout(ctx, startupPingTimeout)
	defer cancel()
	if err := store.Ping(pctx); err != nil {
		if ctx.Err() == nil {
			log.Warn("store does not answer; serving anyway, /readyz answers 503 until it does",
				slog.String("store", kind), slog.Any("error", err))
		}
		return
	}
	log.Info("store answers", slog.String("store", kind))
}

// ensureIndexes creates the store's indexes, retrying with backoff (1s,
// 2s, 4s, … up to 30s) until it succeeds or ctx is done.
func ensureIndexes(ctx context.Context, store Store, log *slog.Logger) {
	pause := time.Second
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, indexAttemptTimeout)
		err := store.EnsureIndexes(actx)
		cancel()
		if err == nil {
			log.Info("indexes ensured", slog.Int("attempts", attempt))
			return
		}
		if ctx.Err() != nil {
			return
		}
		log.Warn("ensure indexes failed; will retry", slog.Int("attempt", attempt),
			slog.String("retry_in", pause.String()), slog.Any("error", err))
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		pause = min(2*pause, indexRetryMax)
	}
}
