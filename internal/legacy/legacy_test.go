package legacy_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/legacy"
	"github.com/whosaid/whosaid/internal/legacy/legacytest"
)

func TestCheckDataDir(t *testing.T) {
	dir := legacytest.CopyFixture(t)
	err := legacy.CheckDataDir(dir)
	var nm *legacy.NotMigratedError
	if !errors.As(err, &nm) || !slices.Equal(nm.Files, []string{"whosaid.sqlite"}) {
		t.Fatalf("CheckDataDir(fixture) = %v, want NotMigratedError naming whosaid.sqlite", err)
	}
	if !strings.Contains(err.Error(), "whosaid migrate --data-dir "+dir) {
		t.Errorf("error %q does not name the migrate command", err)
	}

	empty := t.TempDir()
	if err := legacy.CheckDataDir(empty); err != nil {
		t.Errorf("CheckDataDir(empty dir) = %v", err)
	}
	if err := legacy.CheckDataDir(filepath.Join(empty, "missing")); err != nil {
		t.Errorf("CheckDataDir(missing dir) = %v", err)
	}
	// A file named *.sqlite that is not FerretDB's, and a backup below.
	if err := os.WriteFile(filepath.Join(empty, "notes.sqlite"), []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(empty, "backup"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "whosaid.sqlite"), filepath.Join(empty, "backup", "whosaid.sqlite")); err != nil {
		t.Fatal(err)
	}
	if err := legacy.CheckDataDir(empty); err != nil {
		t.Errorf("CheckDataDir(other file, backup below) = %v", err)
	}

	// A migration cut short: its backup without the marker.
	b := filepath.Join(empty, legacy.BackupPrefix+"20260101T000000Z")
	if err := os.Rename(filepath.Join(empty, "backup"), b); err != nil {
		t.Fatal(err)
	}
	err = legacy.CheckDataDir(empty)
	if !errors.As(err, &nm) || nm.Unfinished != b || !strings.Contains(err.Error(), "whosaid migrate --data-dir "+empty) {
		t.Errorf("CheckDataDir(unfinished migration) = %v, want one naming %s and migrate", err, b)
	}
	if err := os.WriteFile(filepath.Join(b, legacy.MigratedMarker), []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := legacy.CheckDataDir(empty); err != nil {
		t.Errorf("CheckDataDir(finished migration) = %v", err)
	}
}

func TestReadFixture(t *testing.T) {
	dir := legacytest.CopyFixture(t)
	want := legacytest.LoadFixtureIDs(t)
	var recs []dump.Record
	st, err := legacy.Read(context.Background(), filepath.Join(dir, "whosaid.sqlite"), func(r dump.Record) error {
		recs = append(recs, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got := legacytest.IDsOf(recs)
	if !slices.Equal(got.Articles, want.ArticleIDs()) || !slices.Equal(got.Quotes, want.QuoteIDs()) ||
		!slices.Equal(got.Statements, want.Statements) || !slices.Equal(got.Keys, want.Keys) ||
		!slices.Equal(got.Subscriptions, want.Subscriptions) || !slices.Equal(got.Deliveries, want.Deliveries) ||
		!slices.Equal(got.IdempotencyKeys, want.IdempotencyKeys) || !slices.Equal(got.Speakers, want.Speakers) {
		t.Fatalf("read ids\n%+v\nwant\n%+v", got, want)
	}
	if st.Quotes != len(want.QuoteIDs()) || st.Orphans != 0 || st.Records[dump.TypeArticle] != len(want.Articles) {
		t.Errorf("stats = %+v", st)
	}

	// Order of the dump: every kind after the ones it refers to.
	order := []string{dump.TypeSpeaker, dump.TypeArticle, dump.TypeStatement, dump.TypeSubscription, dump.TypeDelivery, dump.TypeKey, dump.TypeIdempotencyKey}
	last := 0
	for _, r := range recs {
		i := slices.Index(order, r.Type)
		if i < last {
			t.Fatalf("record %s after %s", r.Type, order[last])
		}
		last = i
	}

	// What the user did is there.
	q := legacytest.FindQuote(recs, want.CorrectedQuote)
	if q == nil || len(q.Corrections) != 1 || q.Version != 2 || !q.Corrected || q.Kind != "indirect" ||
		q.Corrections[0].Before.Kind != "direct" && q.Corrections[0].Before.Kind != "mixed" || q.Corrections[0].After.Kind != "indirect" ||
		q.Corrections[0].By != want.AdminKeyID {
		t.Errorf("corrected quote = %+v", q)
	}
	if h := legacytest.FindQuote(recs, want.HiddenQuote); h == nil || !h.Hidden || h.Version != 2 {
		t.Errorf("hidden quote = %+v", h)
	}
	for _, r := range recs {
		switch r.Type {
		case dump.TypeSpeaker:
			sp := r.Speaker
			if sp.ID == want.MergedAway {
				t.Errorf("merged-away speaker %s still read", sp.ID)
			}
			if sp.ID == want.MergeInto && (sp.WikidataID != "Q99999901" || !slices.Contains(sp.Aliases, "A. Ruiz")) {
				t.Errorf("merged speaker = %+v, want wikidata id and the alias of the merged one", sp)
			}
		case dump.TypeArticle:
			a := r.Article
			if a.Text == "" || a.CreatedAt.IsZero() {
				t.Errorf("article %s without text or created_at", a.ID)
			}
			for i, q := range a.Quotes {
				if q.N != i || q.ArticleID != a.ID || q.PublishedAt.IsZero() {
					t.Errorf("quote %s: n %d at %d, article %s", q.ID, q.N, i, q.ArticleID)
				}
				if q.SpeakerID == want.MergedAway {
					t.Errorf("quote %s still on the merged-away speaker", q.ID)
				}
				if rs := []rune(a.Text); q.Span.End > len(rs) || string(rs[q.Span.Start:q.Span.End]) != q.Text {
					t.Errorf("quote %s: span %v does not hold its text", q.ID, q.Span)
				}
			}
		case dump.TypeKey:
			if len(r.Key.Hash) != 64 || r.Key.Prefix == "" {
				t.Errorf("key = %+v", r.Key)
			}
		case dump.TypeSubscription:
			if !strings.HasPrefix(r.Subscription.Secret, "whsec_") || r.Subscription.Query != "ferry" || r.Subscription.KeyID != want.AdminKeyID {
				t.Errorf("subscription = %+v", r.Subscription)
			}
		case dump.TypeDelivery:
			if len(r.Delivery.Attempts) == 0 || r.Delivery.Attempts[0].Error == "" {
				t.Errorf("delivery = %+v", r.Delivery)
			}
		case dump.TypeStatement:
			if len(r.Statement.Occurrences) == 0 {
				t.Errorf("statement %s without occurrences", r.Statement.ID)
			}
		}
	}
	if b, err := json.Marshal(recs); err != nil || len(b) == 0 {
		t.Fatalf("records do not marshal: %v", err)
	}

	// Reading never writes: the file is byte for byte the same.
	orig, _ := os.ReadFile(filepath.Join(legacytest.FixtureDir(t), "whosaid.sqlite"))
	now, _ := os.ReadFile(filepath.Join(dir, "whosaid.sqlite"))
	if !slices.Equal(orig, now) {
		t.Error("Read changed the file")
	}
}

// TestReadUncleanStop reads a file whose last changes are still in its
// write-ahead log, as a server killed before it stopped leaves it: the
// changes are read.
func TestReadUncleanStop(t *testing.T) {
	ctx := context.Background()
	src := legacytest.CopyFixture(t)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(src, "whosaid.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var table string
	if err := db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = 'speakers'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`PRAGMA journal_mode=WAL`, `PRAGMA wal_autocheckpoint=0`,
		// The way FerretDB stores a rename: the whole document rewritten.
		`UPDATE "` + table + `" SET _ferretdb_sjson = json_set(_ferretdb_sjson, '$.name', 'Renamed In The Log') WHERE _ferretdb_sjson->>'$._id' = 'spk_d251835de0d6c81c'`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Copy the files while the log is not checkpointed: a crash.
	dir := t.TempDir()
	for _, name := range []string{"whosaid.sqlite", "whosaid.sqlite-wal"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "whosaid.sqlite-wal")); err != nil || fi.Size() == 0 {
		t.Fatalf("no write-ahead log to read (%v)", err)
	}
	found := false
	if _, err := legacy.Read(ctx, filepath.Join(dir, "whosaid.sqlite"), func(r dump.Record) error {
		if r.Type == dump.TypeSpeaker && r.Speaker.ID == "spk_d251835de0d6c81c" {
			found = r.Speaker.Name == "Renamed In The Log"
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Error("the change in the write-ahead log was not read")
	}
}

// TestReadPending: an article an ingest left half stored is read with the
// quotes it has and named in Stats.Pending.
func TestReadPending(t *testing.T) {
	ctx := context.Background()
	want := legacytest.LoadFixtureIDs(t)
	dir := legacytest.CopyFixture(t)
	path := filepath.Join(dir, "whosaid.sqlite")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var table string
	if err := db.QueryRowContext(ctx, `SELECT table_name FROM _ferretdb_collections WHERE name = 'articles'`).Scan(&table); err != nil {
		t.Fatal(err)
	}
	id := want.Articles[1].ID
	// The field with its type in the schema, as FerretDB writes it.
	if _, err := db.ExecContext(ctx, `UPDATE "`+table+`" SET _ferretdb_sjson = json_set(_ferretdb_sjson,
		'$.pending', json('true'), '$."$s".p.pending', json('{"t":"bool"}'), '$."$s"."$k"[#]', 'pending')
		WHERE _ferretdb_sjson->>'$._id' = ?`, id); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	n := 0
	st, err := legacy.Read(ctx, path, func(r dump.Record) error {
		if r.Type == dump.TypeArticle && r.Article.ID == id {
			n = len(r.Article.Quotes)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(st.Pending, []string{id}) || n != len(want.Articles[1].Quotes) {
		t.Errorf("pending %q, %d quotes; want [%s], %d", st.Pending, n, id, len(want.Articles[1].Quotes))
	}
}
