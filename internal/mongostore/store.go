// Package mongostore keeps whosaid's data in MongoDB. It is written for
// MongoDB only: every listing is one query answered by an index (see
// indexes.go), and every write that must be atomic is a single-document
// conditional update (see the README, "What needs a replica set").
//
// Its tests also run against an embedded FerretDB (package embedded), a
// stand-in used only by tests: the store uses no index type FerretDB
// rejects (partial, text, TTL), but FerretDB neither uses the indexes nor
// applies conditional updates atomically, so it does not show the speed or
// the concurrency guarantees of MongoDB.
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
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

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
	// HeartbeatInterval is how often the driver checks each server in the
	// background; Reachable notices an outage, and a recovery, within
	// about one interval. Zero means the URI's heartbeatFrequencyMS, or 2s
	// without it (the driver's own default is 10s). The driver's minimum
	// is 500ms.
	HeartbeatInterval time.Duration
	// Observe, when not nil, is called once for every command the driver
	// finishes (not for its own heartbeats) with the command's name
	// ("find", "insert", ...), its duration and its error (nil on
	// success), for metrics. It is called on the goroutine of the
	// operation, so it must be quick and safe for concurrent use.
	Observe func(command string, d time.Duration, err error)
}

// Store is the MongoDB-backed store. It is safe for concurrent use.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	logger *slog.Logger
	reach  *reachability
	txn    transactions
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
	reach := &reachability{logger: logger, hosts: Hosts(opts.URI), failed: map[string]string{}}
	copts := options.Client().
		ApplyURI(opts.URI).
		SetAppName("whosaid").
		SetServerSelectionTimeout(sst).
		SetConnectTimeout(ct).
		SetServerMonitor(&event.ServerMonitor{
			TopologyDescriptionChanged: reach.topologyChanged,
			ServerHeartbeatSucceeded:   reach.heartbeatSucceeded,
			ServerHeartbeatFailed:      reach.heartbeatFailed,
		})
	switch {
	case opts.HeartbeatInterval > 0:
		copts.SetHeartbeatInterval(opts.HeartbeatInterval)
	case copts.HeartbeatInterval == nil:
		copts.SetHeartbeatInterval(defaultHeartbeatInterval)
	}
	copts.SetWriteConcern(durableWriteConcern(copts.WriteConcern))
	if obs := opts.Observe; obs != nil {
		// No Started callback: with one the driver copies every command
		// to publish it.
		copts.SetMonitor(&event.CommandMonitor{
			Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) { obs(e.CommandName, e.Duration, nil) },
			Failed:    func(_ context.Context, e *event.CommandFailedEvent) { obs(e.CommandName, e.Duration, e.Failure) },
		})
	}
	client, err := mongo.Connect(copts)
	if err != nil {
		// The driver's parse errors quote option values, never the
		// credentials; the URI itself is not repeated here.
		return nil, fmt.Errorf("open store at %s: %w", Hosts(opts.URI), err)
	}
	return &Store{client: client, db: client.Database(opts.Database), logger: logger, reach: reach}, nil
}

// defaultHeartbeatInterval is the HeartbeatInterval when neither the
// options nor the URI set one.
const defaultHeartbeatInterval = 2 * time.Second

// durableWriteConcern is the write concern of every write: the URI's
// (uri, nil when it sets none) when it names w, otherwise w "majority"
// with journal (unless the URI sets j itself).
//
// An acknowledged write then survives the loss of the primary (a replica
// set acknowledges it once a majority of members has it in their
// journals) and a crash (a standalone mongod or a mongos acknowledges it
// once it is journaled). It is set whatever the server is, rather than
// after finding out whether it is a replica set or mongos: MongoDB
// standalone accepts "majority" (a majority of one), and the embedded
// FerretDB 1.24 accepts and ignores any write concern (its handlers mark
// writeConcern as an ignored field; found by experiment: inserts, updates,
// deletes and index builds with {w: "majority", j: true}, and even w: 2 or
// an unknown tag, all succeed). FerretDB's own durability is SQLite's: a
// write is answered after its transaction commits to the WAL. The one
// MongoDB that refuses j: true is a mongod without a journal (the
// in-memory storage engine); name w (and j=false) in its URI.
func durableWriteConcern(uri *writeconcern.WriteConcern) *writeconcern.WriteConcern {
	if uri != nil && uri.W != nil {
		return uri
	}
	journal := true
	wc := &writeconcern.WriteConcern{W: writeconcern.WCMajority, Journal: &journal}
	if uri != nil && uri.Journal != nil {
		wc.Journal = uri.Journal
	}
	return wc
}

// Reachable reports, without any network call, whether the driver sees a
// server it can write to: nil when it does, and also before the first
// heartbeat has been answered (at startup) or while no heartbeat has
// failed (an election, or a server the driver marked unknown after one
// failed operation and is checking again); otherwise, when the last
// heartbeat of some server failed and no writable server is known, an
// error wrapping attribution.ErrUnavailable with those heartbeats'
// errors. It follows the driver's background heartbeats (every
// HeartbeatInterval, and at once after a failed operation), so it turns
// to an error within about one interval of an outage and back to nil
// within about one interval of the recovery, without any call from the
// caller. Callers use it to answer at once rather than wait up to
// ServerSelectionTimeout for a server; it is cheap (an atomic load).
func (s *Store) Reachable() error {
	if u := s.reach.cur.Load(); u != nil {
		return u.err
	}
	return nil
}

// reachability follows the driver's view of the deployment through its
// SDAM events, for Reachable.
type reachability struct {
	logger *slog.Logger
	hosts  string // of the URI, for messages

	mu       sync.Mutex
	writable bool              // the latest topology has a server that takes writes
	failed   map[string]string // address → error of its last heartbeat, when that failed
	// cur is the answer of Reachable: nil while reachable.
	cur atomic.Pointer[unreachable]
}

type unreachable struct{ err error }

// topologyChanged takes the driver's new view of the deployment. The
// driver calls it with the topology locked: it must not run operations.
func (r *reachability) topologyChanged(e *event.TopologyDescriptionChangedEvent) {
	d := e.NewDescription
	writable := d.Kind == "LoadBalanced" // no heartbeats, no server kinds
	for _, sd := range d.Servers {
		switch sd.Kind {
		case "Standalone", "RSPrimary", "Mongos", "LoadBalancer":
			writable = true
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writable = writable
	// Forget the failures of servers no longer in the deployment.
	for addr := range r.failed {
		if !slices.ContainsFunc(d.Servers, func(sd event.ServerDescription) bool { return sd.Addr.String() == addr }) {
			delete(r.failed, addr)
		}
	}
	r.update()
}

func (r *reachability) heartbeatSucceeded(e *event.ServerHeartbeatSucceededEvent) {
	addr := heartbeatAddr(e.ConnectionID)
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.failed[addr]; ok {
		delete(r.failed, addr)
		r.update()
	}
}

func (r *reachability) heartbeatFailed(e *event.ServerHeartbeatFailedEvent) {
	msg := "heartbeat failed"
	if e.Failure != nil {
		msg = strings.TrimSpace(e.Failure.Error())
	}
	addr := heartbeatAddr(e.ConnectionID)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed[addr] = msg
	r.update()
}

// update recomputes cur from writable and failed; r.mu is held. It logs
// the changes between reachable and unreachable.
func (r *reachability) update() {
	var next *unreachable
	if !r.writable && len(r.failed) > 0 {
		addrs := make([]string, 0, len(r.failed))
		for a := range r.failed {
			addrs = append(addrs, a)
		}
		slices.Sort(addrs)
		var b strings.Builder
		for i, a := range addrs {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(a + ": " + r.failed[a])
		}
		next = &unreachable{err: fmt.Errorf("%w: no writable server at %s; last heartbeat: %s",
			attribution.ErrUnavailable, r.hosts, b.String())}
	}
	prev := r.cur.Swap(next)
	switch {
	case prev == nil && next != nil:
		r.logger.Warn("store unreachable", slog.Any("error", next.err))
	case prev != nil && next == nil:
		r.logger.Info("store reachable again", slog.String("hosts", r.hosts))
	}
}

// heartbeatAddr is the server address of a heartbeat event's connection
// id, "host:port[-7]".
func heartbeatAddr(connID string) string {
	if i := strings.LastIndex(connID, "[-"); i >= 0 {
		return connID[:i]
	}
	return connID
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
