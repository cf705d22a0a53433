// Package sqlitestore is whosaid's embedded store: one SQLite database file
// (modernc.org/sqlite, pure Go) with a schema of its own, the default when
// no MongoDB is configured. It serves one process.
//
// Every change is one transaction on the single write connection, so a
// write that reads before it writes (a version check, a conflict check, a
// merge) sees no other write between its read and its write; readers use
// a pool of their own and, in WAL mode, never wait for the writer. Every
// listing is one query on an index of its own (see migrations/); speaker
// figures are kept in speaker_figures with each change of a quote, so a
// speaker page reads a handful of rows, not the speaker's quotes.
//
// Errors wrap attribution.ErrNotFound, ErrConflict, ErrPrecondition,
// ErrInvalid (a *attribution.FieldError) and ErrUnavailable (the database
// is busy or the context ended) as the HTTP API expects.
package sqlitestore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/whosaid/whosaid/internal/attribution"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// FileName is the database file's name in a data directory.
const FileName = "whosaid.db"

// Options configure Open.
type Options struct {
	// Path is the database file, created with its directory if missing.
	Path string
	// Logger receives the store's log records; nil discards them.
	Logger *slog.Logger
	// BusyTimeout is how long a statement waits for a lock held by
	// another connection (another process, or a checkpoint); zero means
	// 5s.
	BusyTimeout time.Duration
	// Readers is the size of the read pool; zero means 4.
	Readers int
}

// Store is the SQLite store. It is safe for concurrent use.
type Store struct {
	path   string
	logger *slog.Logger
	// w is the one write connection: transactions queue for it.
	w *sql.DB
	// wc caches the write connection's statements.
	wc *stmtCache
	// r is the read pool, rdb its statement cache.
	rdb *sql.DB
	r   rdb
	// jobs feed the ingest writer (group commit); quit stops it and
	// writerDone says it stopped.
	jobs       chan *ingestJob
	quit       chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
}

// Open opens (creating if missing) the database at opts.Path and brings
// its schema to the current version.
func Open(opts Options) (*Store, error) {
	if opts.Path == "" {
		return nil, errors.New("open sqlite store: no path")
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(filepath.Dir(opts.Path), 0o750); err != nil {
		return nil, fmt.Errorf("open sqlite store: %w", err)
	}
	busy := opts.BusyTimeout
	if busy == 0 {
		busy = 5 * time.Second
	}
	readers := opts.Readers
	if readers == 0 {
		readers = 4
	}
	pragmas := []string{
		"busy_timeout(" + strconv.FormatInt(busy.Milliseconds(), 10) + ")",
		"journal_mode(WAL)",
		// FULL: a commit is on disk (the WAL synced) before it is
		// acknowledged, so no acknowledged write is lost to a power cut.
		"synchronous(FULL)",
		"foreign_keys(1)",
		"temp_store(MEMORY)",
		// 64 MiB of pages per connection; the WAL is folded back into the
		// file every 8,000 pages (32 MiB), so a page changed by several
		// articles in between is copied once.
		"cache_size(-65536)",
		"wal_autocheckpoint(8000)",
	}
	dsn := func(extra ...string) string {
		q := url.Values{}
		for _, p := range pragmas {
			q.Add("_pragma", p)
		}
		for i := 0; i+1 < len(extra); i += 2 {
			q.Add(extra[i], extra[i+1])
		}
		return "file:" + (&url.URL{Path: opts.Path}).EscapedPath() + "?" + q.Encode()
	}
	w, err := sql.Open("sqlite", dsn("_txlock", "immediate"))
	if err != nil {
		return nil, fmt.Errorf("open sqlite store %s: %w", opts.Path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: opts.Path, logger: logger, w: w, wc: &stmtCache{db: w}}
	if err := s.migrate(context.Background()); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn("mode", "ro"))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite store %s: %w", opts.Path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	r.SetConnMaxIdleTime(0)
	s.rdb, s.r = r, rdb{cache: &stmtCache{db: r}}
	s.jobs, s.quit, s.writerDone = make(chan *ingestJob), make(chan struct{}), make(chan struct{})
	go s.writer()
	return s, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database; a checkpoint folds the WAL into the file.
func (s *Store) Close(ctx context.Context) error {
	s.closeOnce.Do(func() { close(s.quit) })
	select {
	case <-s.writerDone:
	case <-ctx.Done():
		return fmt.Errorf("close sqlite store: the writer did not finish: %w", ctx.Err())
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		s.logger.Warn("sqlite checkpoint on close", slog.Any("error", err))
	}
	s.r.cache.close()
	s.wc.close()
	return errors.Join(s.rdb.Close(), s.w.Close())
}

// Ping checks that the database answers a read.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return wrapErr("ping", err)
	}
	return nil
}

// EnsureIndexes exists for the commands that call it on either store; the
// schema (indexes included) is made by Open.
func (s *Store) EnsureIndexes(context.Context) error { return nil }

// SchemaVersion is the version of the database's schema (user_version).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, wrapErr("schema version", err)
}

// migrate applies, each in one transaction, the migrations newer than the
// database's user_version, in the order of their numbers. A database newer
// than this binary is refused.
func (s *Store) migrate(ctx context.Context) error {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	type mig struct {
		n    int
		name string
	}
	var migs []mig
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		n, err := strconv.Atoi(num)
		if !ok || err != nil {
			return fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		migs = append(migs, mig{n, e.Name()})
	}
	slices.SortFunc(migs, func(a, b mig) int { return a.n - b.n })
	var cur int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&cur); err != nil {
		return wrapErr("open sqlite store "+s.path, err)
	}
	if len(migs) > 0 && cur > migs[len(migs)-1].n {
		return fmt.Errorf("open sqlite store %s: schema version %d is newer than this whosaid knows (%d): use a newer release",
			s.path, cur, migs[len(migs)-1].n)
	}
	for _, m := range migs {
		if m.n <= cur {
			continue
		}
		body, err := migrationFiles.ReadFile("migrations/" + m.name)
		if err != nil {
			return err
		}
		err = s.tx(ctx, func(tx *wtx) error {
			if _, err := tx.tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.n))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s to %s: %w", s.path, m.name, err)
		}
		s.logger.Info("sqlite schema migrated", slog.String("path", s.path), slog.Int("version", m.n))
	}
	return nil
}

// tx runs f in one write transaction (BEGIN IMMEDIATE: the write lock is
// taken at the start), committing when f returns nil.
func (s *Store) tx(ctx context.Context, f func(*wtx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(&wtx{tx: tx, cache: s.wc}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// queryer is what the read helpers need: the read pool or a transaction.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// wrapErr adds op to err and maps SQLite's errors to the domain's
// sentinels. Errors that already carry a sentinel are only prefixed.
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	for _, sentinel := range []error{attribution.ErrNotFound, attribution.ErrConflict, attribution.ErrPrecondition,
		attribution.ErrInvalid, attribution.ErrUnavailable} {
		if errors.Is(err, sentinel) {
			return fmt.Errorf("%s: %w", op, err)
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, attribution.ErrNotFound)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w: %w", op, attribution.ErrUnavailable, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CONSTRAINT:
			return fmt.Errorf("%s: %w: %w", op, attribution.ErrConflict, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT:
			return fmt.Errorf("%s: %w: %w", op, attribution.ErrUnavailable, err)
		}
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Times are stored as Unix milliseconds.
func ms(t time.Time) int64 { return t.UTC().Truncate(time.Millisecond).UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// nullString is s, or NULL when s is empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// chunk is how many of n values one multi-row statement takes: the
// largest power of two up to n and max, so that a statement has few
// distinct texts and stays in the statement cache.
func chunk(n, max int) int {
	c := 1
	for c*2 <= n && c*2 <= max {
		c *= 2
	}
	return c
}

// rows returns "(…),(…)" with n copies of row.
func rows(row string, n int) string {
	return strings.TrimSuffix(strings.Repeat(row+",", n), ",")
}

// placeholders returns "?,?,…" for n values.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// stmtCache keeps the prepared form of the statement texts run through
// it: SQLite's parse and plan of a statement costs more than running most
// of them. A text seen for the first time runs unprepared and is prepared
// in the background, on a connection of its own once one is free: a
// caller that holds the only write connection (a transaction) must never
// wait for a second one.
type stmtCache struct {
	db      *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
	// preparing counts the background prepares, which close waits for
	// (one may be opening a connection to the file).
	preparing sync.WaitGroup
}

// maxCachedStatements bounds a cache: texts beyond it (multi-row inserts
// of rare sizes) run unprepared.
const maxCachedStatements = 512

// get returns the prepared statement of query, or nil (and starts
// preparing it) when there is none yet.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok || c.closed {
		return st
	}
	if c.pending[query] || len(c.m)+len(c.pending) >= maxCachedStatements {
		return nil
	}
	if c.pending == nil {
		c.pending, c.m = map[string]bool{}, map[string]*sql.Stmt{}
	}
	c.pending[query] = true
	c.preparing.Add(1)
	go func() {
		defer c.preparing.Done()
		st, err := c.db.PrepareContext(context.Background(), query)
		c.mu.Lock()
		defer c.mu.Unlock()
		delete(c.pending, query)
		switch {
		case err != nil:
		case c.closed:
			st.Close()
		default:
			c.m[query] = st
		}
	}()
	return nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.preparing.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// wtx is a write transaction whose statements come from the write
// connection's cache.
type wtx struct {
	tx    *sql.Tx
	cache *stmtCache
	// folded holds the folded words of the texts of the articles being
	// written, computed by their callers before the writer took them (the
	// writer is the one goroutine every ingest waits for).
	folded map[string][]string
}

// words are the folded words of text (attribution.FoldWords), from
// t.folded when the caller computed them; the caller must not change them.
func (t *wtx) words(text string) []string {
	if w, ok := t.folded[text]; ok {
		return w
	}
	return attribution.FoldWords(text)
}

func (t *wtx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.cache.get(query); st != nil {
		return t.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, query, args...)
}

func (t *wtx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := t.cache.get(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, query, args...)
}

func (t *wtx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.cache.get(query); st != nil {
		return t.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, query, args...)
}

// rdb is the read pool with its statement cache.
type rdb struct {
	cache *stmtCache
}

func (r rdb) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := r.cache.get(query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return r.cache.db.ExecContext(ctx, query, args...)
}

func (r rdb) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.cache.get(query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.cache.db.QueryContext(ctx, query, args...)
}

func (r rdb) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.cache.get(query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.cache.db.QueryRowContext(ctx, query, args...)
}
