package legacy_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/legacy"
	"github.com/whosaid/whosaid/internal/legacy/legacytest"
)

// BenchmarkRead reads a previous-release file grown from the fixture to
// about 10,000 articles and 60,000 quotes (each article and its quotes
// copied under new ids), as migrate does; it reports quotes/s.
func BenchmarkRead(b *testing.B) {
	const copies = 2500
	ctx := context.Background()
	dir := legacytest.CopyFixture(b)
	path := filepath.Join(dir, "whosaid.sqlite")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		b.Fatal(err)
	}
	tables := map[string]string{}
	for _, c := range []string{"articles", "quotes"} {
		var t string
		if err := db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = ?`, c).Scan(&t); err != nil {
			b.Fatal(err)
		}
		tables[c] = t
	}
	// New ids: the copy number in the first 8 hex digits of the article id.
	for _, q := range []string{
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < %d)
			INSERT INTO "%s" SELECT json_set(_ferretdb_sjson, '$._id', printf('%%08x', i) || substr(_ferretdb_sjson->>'$._id', 9),
				'$.url', coalesce(_ferretdb_sjson->>'$.url', 'https://bench.example/' || (_ferretdb_sjson->>'$._id')) || '?' || i, '$.text_hash', printf('%%08x', i) || substr(_ferretdb_sjson->>'$.text_hash', 9))
			FROM "%[2]s", n`, copies, tables["articles"]),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < %d)
			INSERT INTO "%s" SELECT json_set(_ferretdb_sjson, '$._id', printf('%%08x', i) || substr(_ferretdb_sjson->>'$._id', 9),
				'$.article_id', printf('%%08x', i) || substr(_ferretdb_sjson->>'$.article_id', 9))
			FROM "%[2]s", n`, copies, tables["quotes"]),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var st legacy.Stats
	for b.Loop() {
		st, err = legacy.Read(ctx, path, func(dump.Record) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	if st.Orphans != 0 || st.Records[dump.TypeArticle] != 4*(copies+1) {
		b.Fatalf("read %+v", st)
	}
	b.ReportMetric(float64(st.Quotes)*float64(b.N)/b.Elapsed().Seconds(), "quotes/s")
	b.ReportMetric(float64(st.Quotes), "quotes")
}
