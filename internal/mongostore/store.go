// Package mongostore keeps whosaid's data in MongoDB, or in anything that
// speaks its wire protocol well enough: the embedded FerretDB store (see
// package embedded) is tested against the same code. It uses only features
// both support; in particular no partial, text or TTL indexes.
//
// Documents are unexported bson structs, one file per collection; the
// exported methods take and return attribution values. Errors wrap
// attribution.ErrNotFound for missing documents and attribution.ErrConflict
// for duplicate keys.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"

	"github.com/whosaid/whosaid/internal/attribution"
)

// Collection names.
const (
	collArticles = "articles"
	collQuotes   = "quotes"
	collSpeakers = "speakers"
	// collIdempotency maps Idempotency-Key headers to the articles they made.
	collIdempotency = "idempotency_keys"
)

// Options configure Open.
type Options struct {
	// URI is the mongodb:// or mongodb+srv:// connection string.
	URI string
	// Database is the database name.
	Database string
	// Logger receives the store's log records; nil discards them.
	Logger *slog.Logger
	// ServerSelectionTimeout bounds how long an operation waits for a
	// usable server when its context has no earlier deadline. Zero means
	// 5s (the driver's own default is 30s, too long for a health check or
	// a request).
	ServerSelectionTimeout time.Duration
	// ConnectTimeout bounds one TCP connect and handshake. Zero means 3s.
	ConnectTimeout time.Duration
	// IDLookupsOnly says the server answers only _id equality from an
	// index and scans for any other filter: the embedded FerretDB. The
	// store then reads an article's quotes one _id at a time instead of
	// by article_id. On MongoDB leave it false.
	IDLookupsOnly bool
}

// Store is the MongoDB-backed store. It is safe for concurrent use.
type Store struct {
	client        *mongo.Client
	db            *mongo.Database
	logger        *slog.Logger
	idLookupsOnly bool
}

// Open creates a client for opts.URI. It does not wait for the server: the
// driver connects in the background and each operation waits for it up to
// ServerSelectionTimeout or its context's deadline, whichever comes first.
// Use Ping to find out whether the server answers. Close releases the
// client.
func Open(opts Options) (*Store, error) {
	if opts.Database == "" {
		return nil, errors.New("open store: empty database name")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sst := opts.ServerSelectionTimeout
	if sst == 0 {
		sst = 5 * time.Second
	}
	ct := opts.ConnectTimeout
	if ct == 0 {
		ct = 3 * time.Second
	}
	copts := options.Client().
		ApplyURI(opts.URI).
		SetAppName("whosaid").
		SetServerSelectionTimeout(sst).
		SetConnectTimeout(ct)
	client, err := mongo.Connect(copts)
	if err != nil {
		// The driver's parse errors quote option values, never the
		// credentials; the URI itself is not repeated here.
		return nil, fmt.Errorf("open store at %s: %w", Hosts(opts.URI), err)
	}
	return &Store{client: client, db: client.Database(opts.Database), logger: logger, idLookupsOnly: opts.IDLookupsOnly}, nil
}

// Ping checks that the primary answers. Give ctx a deadline: without one the
// call waits up to the ServerSelectionTimeout.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("ping: %w", err)
	}
	return nil
}

// Close disconnects the client, waiting for operations in flight until ctx
// ends.
func (s *Store) Close(ctx context.Context) error {
	if err := s.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// Name is the name of the store's database.
func (s *Store) Name() string { return s.db.Name() }

// Drop deletes the store's database with everything in it. Tests use it to
// clean up.
func (s *Store) Drop(ctx context.Context) error {
	if err := s.db.Drop(ctx); err != nil {
		return fmt.Errorf("drop database %s: %w", s.db.Name(), err)
	}
	return nil
}

// Hosts returns the host list of a MongoDB URI without scheme, credentials,
// path or options, for logs and error messages: "mongodb://u:p@a:1,b:2/db"
// gives "a:1,b:2".
func Hosts(uri string) string {
	rest := uri
	if i := strings.Index(rest, "://"); i >= 0 {
		rest = rest[i+3:]
	}
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	return rest
}

// wrapErr adds op to err and maps driver errors to the domain's sentinels:
// a missing document is ErrNotFound, a duplicate key ErrConflict, and a
// server that does not answer (selection timeout, network error, deadline)
// ErrUnavailable.
func wrapErr(op string, err error) error {
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return fmt.Errorf("%s: %w", op, attribution.ErrNotFound)
	case mongo.IsDuplicateKeyError(err):
		return fmt.Errorf("%s: %w: %w", op, attribution.ErrConflict, err)
	case mongo.IsTimeout(err) || mongo.IsNetworkError(err) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, mongo.ErrClientDisconnected) || isServerSelection(err):
		return fmt.Errorf("%s: %w: %w", op, attribution.ErrUnavailable, err)
	default:
		return fmt.Errorf("%s: %w", op, err)
	}
}

// isServerSelection reports a failure to find a usable server; the driver's
// type for it is internal, so it is recognised by its message.
func isServerSelection(err error) bool {
	return strings.Contains(err.Error(), "server selection")
}
