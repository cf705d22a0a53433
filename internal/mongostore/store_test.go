package mongostore_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/embedded"
	"github.com/whosaid/whosaid/internal/mongostore"
)

// testURI is the server every test of this package uses: a real MongoDB
// when WHOSAID_TEST_MONGO_URI is set, otherwise one embedded FerretDB
// started by TestMain and shared by all tests (each test has its own
// database).
var testURI string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	uri, stop, err := embedded.TestURI("whosaid-mongostore-test-", slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stop()
	testURI = uri
	return m.Run()
}

// newTestStore opens a store on a database of its own, named after the
// test, and drops the database when the test ends.
func newTestStore(tb testing.TB) *mongostore.Store {
	tb.Helper()
	return openStore(tb, testURI, testDBName(tb))
}

func openStore(tb testing.TB, uri, db string) *mongostore.Store {
	tb.Helper()
	s, err := mongostore.Open(mongostore.Options{URI: uri, Database: db})
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Drop(ctx); err != nil {
			tb.Errorf("Drop: %v", err)
		}
		if err := s.Close(ctx); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

var unsafeDBChars = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// testDBName derives a valid, unique database name from the test name.
func testDBName(tb testing.TB) string {
	name := unsafeDBChars.ReplaceAllString(tb.Name(), "_")
	if len(name) > 40 {
		name = name[:40]
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "test_" + strings.Trim(name, "_") + "_" + hex.EncodeToString(b)
}

func testContext(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 30*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// needAtomicUpdates skips a test of writers at once on the embedded
// FerretDB, which applies a conditional update by reading the document,
// changing it and writing it back without checking the filter again, and
// checks a unique multikey index on the whole array rather than on each
// element: the guarantees these tests check are MongoDB's.
func needAtomicUpdates(t *testing.T) {
	t.Helper()
	if os.Getenv("WHOSAID_TEST_MONGO_URI") == "" {
		t.Skip("the embedded FerretDB applies conditional updates without checking the filter again, and a unique multikey index per array, not per element; set WHOSAID_TEST_MONGO_URI to run this against MongoDB")
	}
}
