package cli

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/whosaid/whosaid/internal/config"
	"github.com/whosaid/whosaid/internal/httpapi"
	"github.com/whosaid/whosaid/internal/legacy"
	"github.com/whosaid/whosaid/internal/mongostore"
	"github.com/whosaid/whosaid/internal/sqlitestore"
	"github.com/whosaid/whosaid/internal/webhook"
)

// storeCloseTimeout bounds closing the store.
const storeCloseTimeout = 10 * time.Second

// Store is what the commands use of either store: what the HTTP API and the
// webhook dispatcher declare, plus their life cycle.
type Store interface {
	httpapi.Store
	webhook.Store
	// EnsureIndexes creates what a store needs before serving (MongoDB's
	// indexes; the SQLite store makes its schema when it opens).
	EnsureIndexes(ctx context.Context) error
	Close(ctx context.Context) error
}

var (
	_ Store = (*mongostore.Store)(nil)
	_ Store = (*sqlitestore.Store)(nil)
)

// openedStore is the store a command works on.
type openedStore struct {
	Store Store
	// Kind is "embedded" or "mongodb", as /readyz reports it.
	Kind string
	log  *slog.Logger
}

// openStore opens the store cfg selects: MongoDB at cfg.MongoURI, or
// without one the embedded SQLite store in cfg.DataDir. It does not wait
// for MongoDB (see mongostore.Open). observe, when not nil, is told the
// duration of every MongoDB command (metrics).
func openStore(cfg config.Config, log *slog.Logger, observe func(string, time.Duration, error)) (*openedStore, error) {
	if cfg.Embedded() {
		if err := checkLegacyDataDir(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	return openUncheckedStore(cfg, log, observe)
}

// openUncheckedStore is openStore without the legacy check: the store
// migrate writes into.
func openUncheckedStore(cfg config.Config, log *slog.Logger, observe func(string, time.Duration, error)) (*openedStore, error) {
	if cfg.Embedded() {
		path := filepath.Join(cfg.DataDir, sqlitestore.FileName)
		st, err := sqlitestore.Open(sqlitestore.Options{Path: path, Logger: log})
		if err != nil {
			return nil, err
		}
		log.Info("store: embedded SQLite", slog.String("store", "embedded"), slog.String("path", path))
		return &openedStore{Store: st, Kind: "embedded", log: log}, nil
	}
	// Never log the URI: it may hold credentials.
	log.Info("store: MongoDB", slog.String("store", "mongodb"), slog.String("hosts", mongostore.Hosts(cfg.MongoURI)),
		slog.String("db", cfg.DB))
	st, err := mongostore.Open(mongostore.Options{URI: cfg.MongoURI, Database: cfg.DB, Logger: log, Observe: observe})
	if err != nil {
		return nil, err
	}
	return &openedStore{Store: st, Kind: "mongodb", log: log}, nil
}

// checkLegacyDataDir refuses a data directory of an earlier release (the
// FerretDB files), which `whosaid migrate` converts, and one whose
// migration was cut short.
var checkLegacyDataDir = legacy.CheckDataDir

// openReadyStore is openStore for the commands that work on the store
// straight away (ingest, keys, export, import): it then makes sure, within
// timeout, that the store answers and has its indexes.
func openReadyStore(ctx context.Context, cfg config.Config, log *slog.Logger, timeout time.Duration) (*openedStore, error) {
	st, err := openStore(cfg, log, nil)
	if err != nil {
		return nil, err
	}
	return st.ready(ctx, timeout)
}

// ready makes sure, within timeout, that the store answers and has its
// indexes; on failure it closes the store.
func (o *openedStore) ready(ctx context.Context, timeout time.Duration) (*openedStore, error) {
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := o.Store.Ping(sctx); err != nil {
		o.Close()
		return nil, fmt.Errorf("the %s store does not answer: %w", o.Kind, err)
	}
	if err := o.Store.EnsureIndexes(sctx); err != nil {
		o.Close()
		return nil, err
	}
	return o, nil
}

// Close closes the store; problems are logged.
func (o *openedStore) Close() {
	cctx, cancel := context.WithTimeout(context.Background(), storeCloseTimeout)
	defer cancel()
	if err := o.Store.Close(cctx); err != nil {
		o.log.Warn("close store", slog.Any("error", err))
		return
	}
	o.log.Info("store closed", slog.String("store", o.Kind))
}
