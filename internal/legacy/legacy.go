// Package legacy reads the data directory of the releases that kept their
// data in an embedded FerretDB v1 on SQLite, without FerretDB: straight
// from its files, with the pure-Go SQLite driver. `whosaid migrate` turns
// what it reads into dump records for the new store, and CheckDataDir
// stops the other commands from starting on such a directory unmigrated.
//
// The files (FerretDB v1.24): one "<database>.sqlite" per database; in it
// the table _ferretdb_collections (name, table_name, settings) names the
// table of each collection, and each such table has one column,
// _ferretdb_sjson, with one document a row (see sjson.go).
package legacy

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	// The "sqlite" database/sql driver, pure Go.
	_ "modernc.org/sqlite"

	"github.com/whosaid/whosaid/internal/dump"
)

// Extension is how FerretDB names a database's file: "<db>.sqlite".
const Extension = ".sqlite"

// `whosaid migrate` moves the files into a directory of the data directory
// named BackupPrefix + a UTC time, and writes MigratedMarker into it once
// everything in them is in the new store.
const (
	BackupPrefix   = "ferretdb-backup-"
	MigratedMarker = "MIGRATED.json"
)

// NotMigratedError says that a data directory holds the FerretDB files of
// an earlier release that `whosaid migrate` has not converted yet.
type NotMigratedError struct {
	Dir   string
	Files []string // base names, "whosaid.sqlite"
	// Unfinished is a backup directory whose migration did not complete
	// (the new store may hold part of it), when Files is empty.
	Unfinished string
}

func (e *NotMigratedError) Error() string {
	if e.Unfinished != "" {
		return fmt.Sprintf("data directory %s holds an unfinished migration of an earlier release's FerretDB files (%s): "+
			"run `whosaid migrate --data-dir %s` to finish it", e.Dir, e.Unfinished, e.Dir)
	}
	return fmt.Sprintf("data directory %s holds the FerretDB files of an earlier whosaid release (%s), which this release does not read: "+
		"run `whosaid migrate --data-dir %s` to convert them into the new store (the old files are kept as a backup)",
		e.Dir, strings.Join(e.Files, ", "), e.Dir)
}

// CheckDataDir returns a *NotMigratedError when dir holds FerretDB
// database files, or a backup of them whose migration did not complete;
// nil when it holds neither or does not exist.
func CheckDataDir(dir string) error {
	files, err := Files(dir)
	if err != nil {
		return err
	}
	if len(files) > 0 {
		names := make([]string, len(files))
		for i, f := range files {
			names[i] = filepath.Base(f)
		}
		return &NotMigratedError{Dir: dir, Files: names}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // missing: Files said so already
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), BackupPrefix) {
			continue
		}
		b := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(b, MigratedMarker)); err == nil {
			continue
		}
		if files, err := Files(b); err != nil {
			return err
		} else if len(files) > 0 {
			return &NotMigratedError{Dir: dir, Unfinished: b}
		}
	}
	return nil
}

// Files returns the paths of the FerretDB database files directly in dir
// (not in its subdirectories, where migrate keeps its backups), sorted.
func Files(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read data directory: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), Extension) {
			continue
		}
		p := filepath.Join(dir, e.Name())
		ok, err := isFerretDB(p)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out, nil
}

// isFerretDB reports whether path is an SQLite database with FerretDB's
// collection table. It reads the header first, so that other files named
// *.sqlite are not opened as databases.
func isFerretDB(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("open %s: %w", path, err)
	}
	head := make([]byte, 16)
	_, err = io.ReadFull(f, head)
	f.Close()
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || !bytes.Equal(head, []byte("SQLite format 3\x00")) {
		return false, nil // empty or not SQLite
	}
	if err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	db, err := openDB(path)
	if err != nil {
		return false, err
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_ferretdb_collections'`).Scan(&n); err != nil {
		return false, fmt.Errorf("read %s: %w", path, err)
	}
	return n == 1, nil
}

// openDB opens path for reading only. A file without a write-ahead log
// (a server that stopped cleanly) is opened immutable: SQLite then makes
// no -wal or -shm files and leaves the file byte for byte as it was. One
// with a log (a server that did not stop cleanly) needs the log replayed,
// which read-only mode cannot do: it is opened query_only, which keeps the
// data as it is but lets SQLite fold the log into the file on close.
func openDB(path string) (*sql.DB, error) {
	q := "mode=ro&immutable=1"
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		q = "_pragma=query_only(1)&_pragma=busy_timeout(5000)"
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q}
	db, err := sql.Open("sqlite", u.String())
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// Collections of the previous release, in the order of the dump.
const (
	collSpeakers      = "speakers"
	collArticles      = "articles"
	collQuotes        = "quotes"
	collStatements    = "statements"
	collSubscriptions = "subscriptions"
	collDeliveries    = "deliveries"
	collKeys          = "api_keys"
	collIdempotency   = "idempotency_keys"
)

// Stats counts what Read emitted by record type, and quotes.
type Stats struct {
	Records map[string]int
	Quotes  int
	// Orphans are quotes whose article is not stored (left by an
	// interrupted delete); they are not emitted.
	Orphans int
	// Pending are the ids of articles whose ingest was cut short in the
	// previous release: they are emitted with the quotes they have, which
	// may be fewer than their text holds.
	Pending []string
}

// Read reads the FerretDB database file path and calls emit with its
// documents as dump records, in the order of the dump package (without a
// header), each kind sorted by id. It reads one snapshot of the file and
// never writes to it.
func Read(ctx context.Context, path string, emit func(dump.Record) error) (Stats, error) {
	st := Stats{Records: map[string]int{}}
	db, err := openDB(path)
	if err != nil {
		return st, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return st, fmt.Errorf("read %s: %w", path, err)
	}
	defer tx.Rollback() //nolint:errcheck // read only
	r := &reader{tx: tx, path: path, tables: map[string]string{}}
	if err := r.loadTables(ctx); err != nil {
		return st, err
	}
	count := func(rec dump.Record) error {
		st.Records[rec.Type]++
		return emit(rec)
	}
	if err := eachDoc(ctx, r, collSpeakers, func(d speakerDoc) error { return count(d.record()) }); err != nil {
		return st, err
	}
	if err := r.articles(ctx, count, &st); err != nil {
		return st, err
	}
	steps := []func() error{
		func() error {
			return eachDoc(ctx, r, collStatements, func(d statementDoc) error { return count(d.record()) })
		},
		func() error {
			return eachDoc(ctx, r, collSubscriptions, func(d subscriptionDoc) error { return count(d.record()) })
		},
		func() error {
			return eachDoc(ctx, r, collDeliveries, func(d deliveryDoc) error { return count(d.record()) })
		},
		func() error { return eachDoc(ctx, r, collKeys, func(d keyDoc) error { return count(d.record()) }) },
		func() error {
			return eachDoc(ctx, r, collIdempotency, func(d idempotencyDoc) error { return count(d.record()) })
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return st, err
		}
	}
	return st, nil
}

type reader struct {
	tx     *sql.Tx
	path   string
	tables map[string]string // collection → table
}

func (r *reader) loadTables(ctx context.Context) error {
	rows, err := r.tx.QueryContext(ctx, `SELECT name, table_name FROM _ferretdb_collections`)
	if err != nil {
		return fmt.Errorf("read collections of %s: %w", r.path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, table string
		if err := rows.Scan(&name, &table); err != nil {
			return fmt.Errorf("read collections of %s: %w", r.path, err)
		}
		r.tables[name] = table
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read collections of %s: %w", r.path, err)
	}
	return nil
}

// query returns the documents of coll ordered by the given fields, or nil
// rows when the collection was never made (an empty store has none).
func (r *reader) query(ctx context.Context, coll string, orderBy ...string) (*sql.Rows, error) {
	table, ok := r.tables[coll]
	if !ok {
		return nil, nil
	}
	// Written as FerretDB writes its index expressions, so that SQLite
	// reads the rows in the order of the _id index (and of quotes'
	// article_id_n) instead of sorting them: the values are JSON text, so
	// numbers sort as text ("10" before "2"), strings as themselves.
	order := make([]string, len(orderBy))
	for i, f := range orderBy {
		order[i] = fmt.Sprintf(`_ferretdb_sjson->"%s"`, f)
	}
	q := fmt.Sprintf(`SELECT _ferretdb_sjson FROM "%s" ORDER BY %s`, strings.ReplaceAll(table, `"`, `""`), strings.Join(order, ", "))
	rows, err := r.tx.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read %s of %s: %w", coll, r.path, err)
	}
	return rows, nil
}

// decodeRow decodes the current row of rows into v.
func decodeRow(rows *sql.Rows, coll string, v any) error {
	var raw []byte
	if err := rows.Scan(&raw); err != nil {
		return fmt.Errorf("read %s: %w", coll, err)
	}
	plain, err := decodeDocument(raw)
	if err != nil {
		return fmt.Errorf("read %s: %w", coll, err)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("read %s: %w", coll, err)
	}
	return nil
}

// eachDoc calls fn with each document of coll, by _id.
func eachDoc[T any](ctx context.Context, r *reader, coll string, fn func(T) error) error {
	rows, err := r.query(ctx, coll, "_id")
	if err != nil || rows == nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d T
		if err := decodeRow(rows, coll, &d); err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s of %s: %w", coll, r.path, err)
	}
	return nil
}

// articles emits each article with its quotes: both collections read in
// article id order, side by side.
func (r *reader) articles(ctx context.Context, emit func(dump.Record) error, st *Stats) error {
	var (
		quotes  *sql.Rows
		pending *quoteDoc // the next quote, read ahead
		err     error
	)
	quotes, err = r.query(ctx, collQuotes, "article_id", "n")
	if err != nil {
		return err
	}
	if quotes != nil {
		defer quotes.Close()
	}
	next := func() error {
		pending = nil
		if quotes == nil || !quotes.Next() {
			if quotes != nil {
				return quotes.Err()
			}
			return nil
		}
		var q quoteDoc
		if err := decodeRow(quotes, collQuotes, &q); err != nil {
			return err
		}
		pending = &q
		return nil
	}
	if err := next(); err != nil {
		return err
	}
	err = eachDoc(ctx, r, collArticles, func(d articleDoc) error {
		a := &dump.Article{Article: d.article(), Quotes: []dump.Quote{}}
		if d.Pending {
			st.Pending = append(st.Pending, d.ID)
		}
		for pending != nil && pending.ArticleID <= d.ID {
			if pending.ArticleID == d.ID {
				a.Quotes = append(a.Quotes, pending.quote())
				st.Quotes++
			} else {
				st.Orphans++
			}
			if err := next(); err != nil {
				return err
			}
		}
		// By position: the index orders n as text.
		slices.SortStableFunc(a.Quotes, func(x, y dump.Quote) int { return x.N - y.N })
		return emit(dump.Record{Type: dump.TypeArticle, Article: a})
	})
	if err != nil {
		return err
	}
	for pending != nil {
		st.Orphans++
		if err := next(); err != nil {
			return err
		}
	}
	return nil
}
