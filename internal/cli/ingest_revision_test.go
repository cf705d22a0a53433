package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/sqlitestore"
)

// TestIngestSyndicatedAndUpdated: through `whosaid ingest` (the path
// POST /v1/articles shares), a wire story at two URLs is two articles
// with one statement, and an updated text at a URL is its next revision.
func TestIngestSyndicatedAndUpdated(t *testing.T) {
	const (
		wire    = `“The harbour will reopen to ferries on the first of April,” said Mayor Ana Ruiz.`
		updated = `Updated on Wednesday. “The harbour will reopen to ferries on the first of April,” said Mayor Ana Ruiz. “Fares will stay as they are,” Ruiz added.`
	)
	dir := t.TempDir()
	run := func(lines ...string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, nil, "ingest", "--data-dir", dir, writeJSONL(t, lines...))
		if code != 0 {
			t.Fatalf("ingest: exit %d; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		return stdout
	}
	out := run(`{"url":"https://wire.example/ferries","outlet":"Wire","published_at":"2026-03-02T08:00:00Z","text":"`+jsonEscape(wire)+`"}`,
		`{"url":"https://daily.example/ferries","outlet":"Daily","published_at":"2026-03-02T12:00:00Z","text":"`+jsonEscape(wire)+`"}`)
	checkCounts(t, out, 2, 2, 0, 0)
	out = run(`{"url":"https://daily.example/ferries","outlet":"Daily","published_at":"2026-03-02T12:00:00Z","text":"` + jsonEscape(updated) + `"}`)
	if !strings.Contains(out, "revised         1 articles") {
		t.Errorf("the summary does not count the revision:\n%s", out)
	}

	st, err := sqlitestore.Open(sqlitestore.Options{Path: filepath.Join(dir, sqlitestore.FileName)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer st.Close(ctx)
	find := func(url, text string) attribution.IngestResult {
		t.Helper()
		r, err := st.StoredArticle(ctx, &attribution.Article{URL: url, Text: text})
		if err != nil {
			t.Fatalf("StoredArticle(%s) error = %v", url, err)
		}
		return r
	}
	w, d := find("https://wire.example/ferries", wire), find("https://daily.example/ferries", updated)
	if w.Article.ID == d.Article.ID || w.Article.Revision != 1 || d.Article.Revision != 2 || len(d.Quotes) != 2 {
		t.Fatalf("wire %s revision %d, daily %s revision %d with %d quotes; want two articles, the daily's at revision 2 with 2 quotes",
			w.Article.ID, w.Article.Revision, d.Article.ID, d.Article.Revision, len(d.Quotes))
	}
	if d.Quotes[0].ID != d.Article.ID+"-0" || d.Quotes[1].ID != d.Article.ID+"-1" || d.Quotes[0].StatementID != w.Quotes[0].StatementID {
		t.Errorf("daily quotes %s (statement %s), %s; want the kept -0 in the wire's statement %s and a new -1",
			d.Quotes[0].ID, d.Quotes[0].StatementID, d.Quotes[1].ID, w.Quotes[0].StatementID)
	}
	s, err := st.GetStatement(ctx, w.Quotes[0].StatementID)
	if err != nil || s.OccurrenceCount != 2 || s.FirstSeen.Outlet != "Wire" || s.Occurrences[1].Outlet != "Daily" {
		t.Errorf("statement = %+v, %v; want first seen on the wire, then in the Daily", s, err)
	}
}

// jsonEscape escapes s for a JSON string literal of a test line.
func jsonEscape(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}
