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
// each case on a database file of its own.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		Name: "sqlite",
		New: func(t *testing.T) storetest.Store {
			s, err := sqlitestore.Open(sqlitestore.Options{Path: filepath.Join(t.TempDir(), sqlitestore.FileName)})
			if err != nil {
				t.Fatalf("sqlitestore.Open: %v", err)
			}
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := s.Close(ctx); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			return s
		},
		Parallel: true,
	})
}
