package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/sqlitestore"
	"github.com/whosaid/whosaid/internal/storetest"
)

// TestConformance runs the store conformance suite on the SQLite store,
// each case on a database file of its own. The concurrency cases spread
// their writers over two stores opened on the same file, as `whosaid
// ingest` beside `whosaid serve` would be: SQLite's locks, not the
// store's single write connection, must keep them apart.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Name: "sqlite",
		New: func(t *testing.T) storetest.Store {
			return openConformanceStore(t, filepath.Join(t.TempDir(), sqlitestore.FileName))
		},
		Another: func(t *testing.T, s storetest.Store) storetest.Store {
			return openConformanceStore(t, s.(*sqlitestore.Store).Path())
		},
		Parallel: true,
	})
}

func openConformanceStore(t *testing.T, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(sqlitestore.Options{Path: path})
	if err != nil {
		t.Fatalf("sqlitestore.Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}
