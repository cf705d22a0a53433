package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/legacy/legacytest"
	"github.com/whosaid/whosaid/internal/sqlitestore"
)

// TestExportImportRoundTrip: the migrated fixture moves from the embedded
// store to MongoDB and back (or, until the SQLite store exports, from one
// MongoDB database to another): each export of an import gives the same
// records, and importing again adds nothing.
func TestExportImportRoundTrip(t *testing.T) {
	newMongo := dumpTestStores(t)
	want := legacytest.LoadFixtureIDs(t)
	_, ex := any((*sqlitestore.Store)(nil)).(dump.Exporter)
	_, im := any((*sqlitestore.Store)(nil)).(dump.Importer)
	embeddedToo := ex && im
	if !embeddedToo {
		t.Log("the SQLite store has no Export and Import yet: MongoDB to MongoDB only")
	}
	// A store: its flags and data directory.
	type store struct {
		flags []string
		dir   string
	}
	newStore := func(embedded bool) store {
		if embedded {
			return store{dir: t.TempDir()}
		}
		return store{flags: newMongo(), dir: t.TempDir()}
	}
	withFlags := func(s store, args ...string) []string {
		return append(append(slices.Clone(args[:1]), append([]string{"--data-dir", s.dir}, s.flags...)...), args[1:]...)
	}

	first := newStore(embeddedToo)
	first.dir = legacytest.CopyFixture(t)
	if code, stdout, stderr := runCLI(t, nil, withFlags(first, "migrate")...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	tmp := t.TempDir()
	exportOf := func(s store, name string) string {
		t.Helper()
		f := filepath.Join(tmp, name)
		if code, _, stderr := runCLI(t, nil, withFlags(s, "export", "--out", f)...); code != 0 || !strings.Contains(stderr, "exported "+fixtureCounts(want)) {
			t.Fatalf("export %s: exit %d\n%s", name, code, stderr)
		}
		return f
	}
	importInto := func(s store, f string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, nil, withFlags(s, "import", f)...)
		if code != 0 {
			t.Fatalf("import %s: exit %d\n%s\n%s", f, code, stdout, stderr)
		}
		return stdout
	}

	f1 := exportOf(first, "first.ndjson")
	_, recs, body1 := readExport(t, f1)
	checkFixtureIDs(t, recs, want)

	mongo := newStore(false)
	stdout := importInto(mongo, f1)
	for _, row := range []string{`speakers\s+10\s+0`, `articles\s+4\s+0`, `quotes\s+24\s+0`, `statements\s+15\s+0`, `API keys\s+2\s+0`,
		`subscriptions\s+1\s+0`, `deliveries\s+1\s+0`, `idempotency keys\s+1\s+0`} {
		if !regexp.MustCompile(row).MatchString(stdout) {
			t.Errorf("import output lacks %s:\n%s", row, stdout)
		}
	}
	f2 := exportOf(mongo, "mongo.ndjson")
	_, _, body2 := readExport(t, f2)
	if !bytes.Equal(withoutSentences(t, body1), withoutSentences(t, body2)) {
		t.Errorf("the MongoDB export of the import differs from the first export")
	}
	if embeddedToo {
		back := newStore(true)
		importInto(back, f2)
		_, _, body3 := readExport(t, exportOf(back, "back.ndjson"))
		if !bytes.Equal(body1, body3) {
			t.Errorf("the embedded store's export after MongoDB and back differs from the first export")
		}
	}

	// Again, from stdin: nothing added.
	in, err := os.ReadFile(f1)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb syncBuffer
	env := &Env{Stdin: bytes.NewReader(in), Stdout: &out, Stderr: &errb, LookupEnv: envFrom(nil)}
	if code := run(t.Context(), env, withFlags(mongo, "import", "-")); code != 0 {
		t.Fatalf("re-import: exit %d\n%s", code, errb.String())
	}
	if !regexp.MustCompile(`quotes\s+0\s+24`).MatchString(out.String()) || !regexp.MustCompile(`speakers\s+0\s+10`).MatchString(out.String()) {
		t.Errorf("re-import added something:\n%s", out.String())
	}
}

// withoutSentences drops the quotes' sentence spans from an export body:
// a store that does not keep them (MongoDB) exports none.
func withoutSentences(t *testing.T, body []byte) []byte {
	t.Helper()
	var out []dump.Record
	if err := readDump(bytes.NewReader(append([]byte(`{"type":"header","header":{"format":"whosaid-export","version":1}}`+"\n"), body...)), func(r dump.Record) error {
		if r.Article != nil {
			for i := range r.Article.Quotes {
				r.Article.Quotes[i].Sentence = nil
			}
		}
		out = append(out, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportRejects(t *testing.T) {
	target := dumpTestStores(t)()
	dir := t.TempDir()
	for _, tc := range []struct{ name, body, want string }{
		{"empty", "", "empty input"},
		{"no header", `{"type":"speaker","speaker":{"id":"spk_1","name":"A"}}` + "\n", "not a whosaid export"},
		{"newer version", `{"type":"header","header":{"format":"whosaid-export","version":99}}` + "\n", "version 99"},
		{"bad line", `{"type":"header","header":{"format":"whosaid-export","version":1}}` + "\n{oops\n", "record 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_"))
			if err := os.WriteFile(path, []byte(tc.body), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := runCLI(t, nil, append(append([]string{"import", "--data-dir", dir}, target...), path)...)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tc.want)
			}
		})
	}
	if code, _, stderr := runCLI(t, nil, "import", "--data-dir", dir); code != 2 || !strings.Contains(stderr, "want one export file") {
		t.Errorf("import without file: exit %d, %s", code, stderr)
	}
}

// TestExportFailureLeavesNoFile: an export that cannot be made (the store
// does not answer) leaves --out as it was.
func TestExportFailureLeavesNoFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "x.ndjson")
	if err := os.WriteFile(out, []byte("before\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, _ := runCLI(t, nil, "export", "--mongo-uri", "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=200&connectTimeoutMS=200", "--out", out)
	if code == 0 {
		t.Fatal("export from an unreachable store: exit 0")
	}
	if b, _ := os.ReadFile(out); string(b) != "before\n" {
		t.Errorf("--out changed to %q", b)
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".x.ndjson.*")); len(m) != 0 {
		t.Errorf("temporary files left: %q", m)
	}
}

func TestImportProgress(t *testing.T) {
	var out bytes.Buffer
	r := importResult{progress: &out}
	art := dump.Record{Type: dump.TypeArticle, Article: &dump.Article{Quotes: make([]dump.Quote, 3)}}
	r.note(art, true)
	if out.Len() != 0 {
		t.Fatalf("progress at once: %q", out.String())
	}
	r.last = r.last.Add(-importProgressEvery)
	r.note(art, false)
	if got := out.String(); got != "… 1 articles (3 quotes) added, 1 stored already\n" {
		t.Errorf("progress = %q", got)
	}
	r.note(art, true)
	if strings.Count(out.String(), "\n") != 1 {
		t.Errorf("progress twice within %v: %q", importProgressEvery, out.String())
	}
}
