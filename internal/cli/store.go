package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/whosaid/whosaid/internal/config"
	"github.com/whosaid/whosaid/internal/embedded"
	"github.com/whosaid/whosaid/internal/mongostore"
)

// storeCloseTimeout bounds the driver's disconnect and the embedded
// server's stop, each.
const storeCloseTimeout = 10 * time.Second

// openedStore is the store a command works on, with what started it.
type openedStore struct {
	Store *mongostore.Store
	// Kind is "embedded" or "mongodb", as /readyz reports it.
	Kind string
	log  *slog.Logger
	srv  *embedded.Server // nil with MongoDB
}

// openStore opens the store cfg selects: with no MongoURI it starts the
// embedded FerretDB under cfg.DataDir first. It does not wait for the
// server (see mongostore.Open). Close disconnects and stops what it
// started, in that order.
func openStore(cfg config.Config, log *slog.Logger, edit ...func(*mongostore.Options)) (*openedStore, error) {
	o := &openedStore{Kind: "mongodb", log: log}
	uri := cfg.MongoURI
	if cfg.Embedded() {
		srv, err := embedded.Start(embedded.Options{Dir: cfg.DataDir, Logger: log})
		if err != nil {
			return nil, err
		}
		o.srv, o.Kind, uri = srv, "embedded", srv.URI()
		log.Info("store: embedded FerretDB", slog.String("store", o.Kind), slog.String("engine", "FerretDB v1.24.2, SQLite"),
			slog.String("path", srv.Dir()), slog.String("db", cfg.DB))
	} else {
		// Never log the URI: it may hold credentials.
		log.Info("store: MongoDB", slog.String("store", o.Kind), slog.String("hosts", mongostore.Hosts(uri)),
			slog.String("db", cfg.DB))
	}
	opts := mongostore.Options{URI: uri, Database: cfg.DB, Logger: log}
	for _, f := range edit {
		f(&opts)
	}
	store, err := mongostore.Open(opts)
	if err != nil {
		o.stopEmbedded()
		return nil, err
	}
	o.Store = store
	return o, nil
}

// openReadyStore is openStore for the commands that work on the store
// straight away (ingest, keys): it then makes sure, within timeout, that
// the store answers and has its indexes (the unique ones keep re-runs from
// storing duplicates).
func openReadyStore(ctx context.Context, cfg config.Config, log *slog.Logger, timeout time.Duration) (*openedStore, error) {
	st, err := openStore(cfg, log)
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := st.Store.Ping(sctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("the %s store does not answer: %w", st.Kind, err)
	}
	if err := st.Store.EnsureIndexes(sctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// Close disconnects the driver, then stops the embedded store if there is
// one; problems are logged.
func (o *openedStore) Close() {
	cctx, cancel := context.WithTimeout(context.Background(), storeCloseTimeout)
	defer cancel()
	if err := o.Store.Close(cctx); err != nil {
		o.log.Warn("disconnect from store", slog.Any("error", err))
	}
	o.stopEmbedded()
}

func (o *openedStore) stopEmbedded() {
	if o.srv == nil {
		return
	}
	start := time.Now()
	sctx, cancel := context.WithTimeout(context.Background(), storeCloseTimeout)
	defer cancel()
	if err := o.srv.Stop(sctx); err != nil {
		o.log.Error("stop embedded store", slog.Any("error", err))
		return
	}
	o.log.Info("embedded store stopped", slog.String("took", time.Since(start).String()))
}
