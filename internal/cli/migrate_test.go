package cli

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/embedded"
	"github.com/whosaid/whosaid/internal/legacy"
	"github.com/whosaid/whosaid/internal/legacy/legacytest"
	"github.com/whosaid/whosaid/internal/sqlitestore"
)

// dumpTestStores returns the store flags of a new, empty MongoDB store
// for a test: a database of its own on a FerretDB started for the test (the
// stand-in for MongoDB), or on $WHOSAID_TEST_MONGO_URI.
func dumpTestStores(t *testing.T) func() []string {
	t.Helper()
	uri, stop, err := embedded.TestURI("whosaid-cli-dump-test-", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return func() []string {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		return []string{"--mongo-uri", uri, "--db", "dumptest_" + hex.EncodeToString(b)}
	}
}

// sqliteDumps says whether the SQLite store exports and imports; the
// tests on it skip until it does.
func sqliteDumps(t *testing.T) {
	t.Helper()
	_, ex := any((*sqlitestore.Store)(nil)).(dump.Exporter)
	_, im := any((*sqlitestore.Store)(nil)).(dump.Importer)
	if !ex || !im {
		t.Skip("the SQLite store has no Export and Import yet")
	}
}

// migrateTargets are the stores migrate is tested into: the embedded
// default (no store flags: the SQLite store in --data-dir) and MongoDB.
func migrateTargets(t *testing.T) []struct {
	name  string
	flags func(t *testing.T) []string
} {
	return []struct {
		name  string
		flags func(t *testing.T) []string
	}{
		{"sqlite", func(t *testing.T) []string { sqliteDumps(t); return nil }},
		{"mongodb", func(t *testing.T) []string { return dumpTestStores(t)() }},
	}
}

// fixtureCounts is the summary export prints for the fixture.
func fixtureCounts(f legacytest.FixtureIDs) string {
	return fmt.Sprintf("%d speakers, %d articles, %d quotes, %d statements, 1 subscription, 1 delivery, %d API keys, 1 idempotency key",
		len(f.Speakers), len(f.Articles), len(f.QuoteIDs()), len(f.Statements), len(f.Keys))
}

// readExport parses an export file: its header and records.
func readExport(t *testing.T, path string) (dump.Header, []dump.Record, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs []dump.Record
	if err := readDump(bytes.NewReader(b), func(r dump.Record) error {
		recs = append(recs, r)
		return nil
	}); err != nil {
		t.Fatalf("read export %s: %v", path, err)
	}
	line, rest, _ := bytes.Cut(b, []byte("\n"))
	var hr dump.Record
	if err := json.Unmarshal(line, &hr); err != nil || hr.Header == nil {
		t.Fatalf("header %s: %v", line, err)
	}
	return *hr.Header, recs, rest
}

func checkFixtureIDs(t *testing.T, recs []dump.Record, want legacytest.FixtureIDs) {
	t.Helper()
	got := legacytest.IDsOf(recs)
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"articles", got.Articles, want.ArticleIDs()}, {"quotes", got.Quotes, want.QuoteIDs()},
		{"speakers", got.Speakers, want.Speakers}, {"statements", got.Statements, want.Statements},
		{"keys", got.Keys, want.Keys}, {"subscriptions", got.Subscriptions, want.Subscriptions},
		{"deliveries", got.Deliveries, want.Deliveries}, {"idempotency keys", got.IdempotencyKeys, want.IdempotencyKeys},
	} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
}

// TestMigrateFixture migrates a data directory written by the previous
// release: the old files move to a backup, unchanged; the new store
// holds every id of the fixture; a second run does nothing.
func TestMigrateFixture(t *testing.T) {
	for _, tg := range migrateTargets(t) {
		t.Run(tg.name, func(t *testing.T) { testMigrateFixture(t, tg.flags(t)) })
	}
}

func testMigrateFixture(t *testing.T, target []string) {
	want := legacytest.LoadFixtureIDs(t)
	dir := legacytest.CopyFixture(t)
	orig, err := os.ReadFile(filepath.Join(legacytest.FixtureDir(t), "whosaid.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if err := legacy.CheckDataDir(dir); err == nil {
		t.Fatal("CheckDataDir(fixture) = nil before migrate")
	}

	code, stdout, stderr := runCLI(t, nil, append([]string{"migrate", "--data-dir", dir}, target...)...)
	if code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`quotes\s+24\s+0`).MatchString(stdout) || !strings.Contains(stderr, "migrated "+fixtureCounts(want)) {
		t.Errorf("migrate printed\n%s\n%s", stdout, stderr)
	}
	if err := legacy.CheckDataDir(dir); err != nil {
		t.Errorf("CheckDataDir after migrate: %v", err)
	}
	backups, _ := filepath.Glob(filepath.Join(dir, backupPrefix+"*", "whosaid.sqlite"))
	if len(backups) != 1 {
		t.Fatalf("backups %q, want one", backups)
	}
	if b, err := os.ReadFile(backups[0]); err != nil || !bytes.Equal(b, orig) {
		t.Errorf("backup %s differs from the original file (%v)", backups[0], err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(backups[0]), migratedMarker)); err != nil {
		t.Errorf("no marker: %v", err)
	}

	out := filepath.Join(t.TempDir(), "export.ndjson")
	code, stdout, stderr = runCLI(t, nil, append([]string{"export", "--data-dir", dir, "--out", out}, target...)...)
	if code != 0 || !strings.Contains(stderr, "exported "+fixtureCounts(want)) {
		t.Fatalf("export: exit %d\n%s\n%s", code, stdout, stderr)
	}
	h, recs, _ := readExport(t, out)
	if h.Format != dump.Format || h.Version != dump.Version || h.Store == "" || h.ExportedAt.IsZero() {
		t.Errorf("header %+v", h)
	}
	checkFixtureIDs(t, recs, want)

	// Run again: nothing to do, nothing changes.
	code, stdout, stderr = runCLI(t, nil, append([]string{"migrate", "--data-dir", dir}, target...)...)
	if code != 0 || !strings.Contains(stdout, "nothing to migrate") {
		t.Fatalf("second migrate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, nil, append([]string{"export", "--data-dir", dir, "--out", out}, target...)...)
	if code != 0 || !strings.Contains(stderr, "exported "+fixtureCounts(want)) {
		t.Fatalf("export after the second migrate: exit %d\n%s", code, stderr)
	}
}

// TestMigrateResume: a migration cut short after the files moved (no
// marker yet, the write-ahead log left behind) is finished by the next
// run, which adds what is missing.
func TestMigrateResume(t *testing.T) {
	for _, tg := range migrateTargets(t) {
		t.Run(tg.name, func(t *testing.T) { testMigrateResume(t, tg.flags(t)) })
	}
}

func testMigrateResume(t *testing.T, target []string) {
	want := legacytest.LoadFixtureIDs(t)
	dir := legacytest.CopyFixture(t)
	backup := filepath.Join(dir, backupPrefix+"20260101T000000Z")
	if err := os.Mkdir(backup, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "whosaid.sqlite"), filepath.Join(backup, "whosaid.sqlite")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "whosaid.sqlite-shm"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// Nothing else opens the store meanwhile: it may hold part of the data.
	if code, _, stderr := runCLI(t, nil, "keys", "--data-dir", dir, "list"); code != 1 || !strings.Contains(stderr, "unfinished migration") ||
		!strings.Contains(stderr, "whosaid migrate --data-dir "+dir) {
		t.Errorf("keys list during an unfinished migration: exit %d, %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, nil, append([]string{"migrate", "--data-dir", dir}, target...)...)
	if code != 0 || !strings.Contains(stderr, "finishing the migration") || !strings.Contains(stderr, "migrated "+fixtureCounts(want)) {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(backup, "whosaid.sqlite-shm")); err != nil {
		t.Errorf("the -shm file left behind was not moved to the backup: %v", err)
	}
	if _, err := os.Stat(filepath.Join(backup, migratedMarker)); err != nil {
		t.Errorf("no marker: %v", err)
	}
	if len(target) == 0 {
		if code, _, stderr := runCLI(t, nil, "keys", "--data-dir", dir, "list"); code != 0 {
			t.Errorf("keys list after the migration: exit %d, %s", code, stderr)
		}
	}
}

func TestMigrateNothing(t *testing.T) {
	code, stdout, stderr := runCLI(t, nil, "migrate", "--data-dir", t.TempDir())
	if code != 0 || !strings.Contains(stdout, "nothing to migrate") {
		t.Fatalf("migrate of an empty dir: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, nil, "migrate", "--data-dir", t.TempDir(), "extra"); code != 2 || !strings.Contains(stderr, "unexpected arguments") {
		t.Errorf("migrate extra: exit %d, %s", code, stderr)
	}
}

// TestLegacyDataDirRefused: the commands that open the embedded store
// refuse a data directory of the previous release, naming migrate, and
// leave it as it was.
func TestLegacyDataDirRefused(t *testing.T) {
	dir := legacytest.CopyFixture(t)
	path := filepath.Join(t.TempDir(), "a.jsonl")
	if err := os.WriteFile(path, []byte(`{"text": "\"Yes,\" she said."}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0"},
		{"ingest", "--data-dir", dir, path},
		{"keys", "--data-dir", dir, "list"},
		{"export", "--data-dir", dir},
		{"import", "--data-dir", dir, path},
	} {
		code, _, stderr := runCLI(t, nil, args...)
		if code != 1 || !strings.Contains(stderr, "whosaid migrate --data-dir "+dir) {
			t.Errorf("%s on a previous release's directory: exit %d, stderr %q; want 1 naming whosaid migrate", args[0], code, stderr)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "whosaid.sqlite" {
		t.Errorf("the directory now holds %v", entries)
	}
}

// TestMigrateUndo: when the new store cannot be opened, the files go back
// where they were.
func TestMigrateUndo(t *testing.T) {
	dir := legacytest.CopyFixture(t)
	code, stdout, stderr := runCLI(t, nil, "migrate", "--data-dir", dir,
		"--mongo-uri", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200&connectTimeoutMS=200")
	if code != 1 {
		t.Fatalf("migrate to an unreachable store: exit %d\n%s\n%s", code, stdout, stderr)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "whosaid.sqlite" {
		t.Errorf("the directory now holds %v, want whosaid.sqlite only", entries)
	}
	if err := legacy.CheckDataDir(dir); err == nil {
		t.Error("CheckDataDir after a failed migrate = nil")
	}
}
