// Package embedded runs FerretDB in-process for tests: a MongoDB
// wire-protocol server on a loopback port that keeps its data in SQLite
// files under a directory, which the tests of internal/mongostore (and of
// packages that exercise it) use as a stand-in for MongoDB when
// WHOSAID_TEST_MONGO_URI is not set. Clients talk to it over the wire with
// the ordinary MongoDB driver, exactly as they would to MongoDB.
//
// It is a test harness, not a store to serve from: FerretDB v1.24 uses no
// index for any filter but _id, sorts in Go and applies conditional updates
// without checking the filter again (see internal/mongostore's README
// section "MongoDB: indexes and atomic writes"). Only _test.go files may
// import it, so that FerretDB stays out of the whosaid binary
// (TestBinaryHasNoFerretDB in cmd/whosaid checks the binary's packages).
package embedded

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// newMu serialises ferretdb.New, which writes a package variable
// (version.Get().Package) without a lock: two stores started at once in one
// process (parallel tests, a keys command beside a test server) race there.
var newMu sync.Mutex

// Options configure Start.
type Options struct {
	// Dir is the directory of the SQLite files; it is created if missing.
	Dir string
	// Addr is the TCP address to listen on; empty means a free loopback
	// port (127.0.0.1:0).
	Addr string
	// Logger receives FerretDB's own log records at LogLevel and above,
	// tagged component=ferretdb. Nil discards them.
	Logger *slog.Logger
	// LogLevel is the least level of FerretDB records that are kept; nil
	// means slog.LevelError. FerretDB logs every connection at info level
	// and dumps every failed command (a duplicate key, the driver's
	// endSessions it does not implement) at warn level, so warn is too
	// noisy for normal operation.
	LogLevel slog.Leveler
}

// Server is a running embedded FerretDB.
type Server struct {
	dir    string
	uri    string
	cancel context.CancelFunc
	done   chan struct{}
	err    error // set before done is closed
}

// Start starts FerretDB with the SQLite handler on opts.Dir and returns once
// it accepts connections. Call Stop to shut it down.
func Start(opts Options) (*Server, error) {
	if opts.Dir == "" {
		return nil, errors.New("start embedded store: empty directory")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("start embedded store: %w", err)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var level slog.Leveler = slog.LevelError
	if opts.LogLevel != nil {
		level = opts.LogLevel
	}
	var h slog.Handler = slog.DiscardHandler
	if opts.Logger != nil {
		h = opts.Logger.With(slog.String("component", "ferretdb")).Handler()
	}
	// FerretDB wants a file: URI of an existing directory ending in a slash.
	sqliteURL := (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir) + "/"}).String()

	newMu.Lock() // see newMu
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: sqliteURL,
		Logger:    slog.New(minLevel{h: h, level: level}),
	})
	newMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("start embedded store in %s: %w", dir, err)
	}

	// Run must outlive the caller's context: callers stop the server only
	// after they have disconnected their clients.
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{dir: dir, uri: f.MongoDBURI(), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.err = f.Run(ctx)
	}()
	return s, nil
}

// URI is the mongodb:// URI clients connect to.
func (s *Server) URI() string { return s.uri }

// Dir is the absolute directory of the SQLite files.
func (s *Server) Dir() string { return s.dir }

// Stop stops accepting connections, closes the open ones and the SQLite
// files, and waits for FerretDB to return or ctx to end. Disconnect clients
// first: FerretDB gives connected clients up to 3 seconds to go away.
// Stop may be called more than once.
func (s *Server) Stop(ctx context.Context) error {
	s.cancel()
	select {
	case <-s.done:
		if s.err != nil {
			return fmt.Errorf("stop embedded store: %w", s.err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop embedded store: %w", context.Cause(ctx))
	}
}

// minLevel drops records below level; FerretDB has no level setting of its
// own, only the logger it is given.
type minLevel struct {
	h     slog.Handler
	level slog.Leveler
}

func (m minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= m.level.Level() && m.h.Enabled(ctx, l)
}

func (m minLevel) Handle(ctx context.Context, r slog.Record) error { return m.h.Handle(ctx, r) }

func (m minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h: m.h.WithAttrs(attrs), level: m.level}
}

func (m minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h: m.h.WithGroup(name), level: m.level}
}

// TestURI gives a package's tests a server to run against: the MongoDB at
// $WHOSAID_TEST_MONGO_URI when that is set, otherwise an embedded store in a
// new temporary directory. stop stops that store and removes its directory;
// call it after the tests.
func TestURI(prefix string, logger *slog.Logger) (uri string, stop func(), err error) {
	if uri := os.Getenv("WHOSAID_TEST_MONGO_URI"); uri != "" {
		return uri, func() {}, nil
	}
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", nil, err
	}
	srv, err := Start(Options{Dir: dir, Logger: logger})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return srv.URI(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Stop(ctx); err != nil && logger != nil {
			logger.Error("stop test store", slog.Any("error", err))
		}
		os.RemoveAll(dir)
	}, nil
}
