package storetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

// seedPublished is when the seed article was published.
var seedPublished = time.Date(2025, 2, 18, 9, 0, 0, 0, time.UTC)

// seedArticle is the project's seed article (extract/testdata), found next
// to this package's source.
func seedArticle(t *testing.T) attribution.Article {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("seedArticle: no caller information")
	}
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "extract", "testdata", "seed.gold.json"))
	if err != nil {
		t.Fatalf("read the seed article: %v", err)
	}
	var g struct{ Text string }
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("read the seed article: %v", err)
	}
	return attribution.Article{URL: "https://example.com/riyadh", Title: "US, Russian officials begin meeting in Riyadh", Text: g.Text,
		Byline: "Wire staff", Outlet: "Example Wire", PublishedAt: seedPublished}
}
