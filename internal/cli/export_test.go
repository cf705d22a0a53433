package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/whosaid/whosaid/internal/legacy/legacytest"
)

// TestExportImportRoundTrip: the migrated fixture exported, imported into
// a fresh store and exported again gives the same records; importing it
// again adds nothing.
func TestExportImportRoundTrip(t *testing.T) {
	newTarget := dumpTestStores(t)
	a, b := newTarget(), newTarget()
	want := legacytest.LoadFixtureIDs(t)
	dir := legacytest.CopyFixture(t)
	if code, stdout, stderr := runCLI(t, nil, append([]string{"migrate", "--data-dir", dir}, a...)...); code != 0 {
		t.Fatalf("migrate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	tmp := t.TempDir()
	f1, f2 := filepath.Join(tmp, "a.ndjson"), filepath.Join(tmp, "b.ndjson")
	if code, _, stderr := runCLI(t, nil, append([]string{"export", "--data-dir", dir, "--out", f1}, a...)...); code != 0 {
		t.Fatalf("export a: exit %d\n%s", code, stderr)
	}

	emptyDir := t.TempDir()
	code, stdout, stderr := runCLI(t, nil, append(append([]string{"import", "--data-dir", emptyDir}, b...), f1)...)
	if code != 0 {
		t.Fatalf("import: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, row := range []string{`speakers\s+10\s+0`, `articles\s+4\s+0`, `quotes\s+24\s+0`, `statements\s+15\s+0`, `API keys\s+2\s+0`,
		`subscriptions\s+1\s+0`, `deliveries\s+1\s+0`, `idempotency keys\s+1\s+0`} {
		if !regexp.MustCompile(row).MatchString(stdout) {
			t.Errorf("import output lacks %s:\n%s", row, stdout)
		}
	}
	if code, _, stderr := runCLI(t, nil, append([]string{"export", "--data-dir", emptyDir, "--out", f2}, b...)...); code != 0 {
		t.Fatalf("export b: exit %d\n%s", code, stderr)
	}
	_, recs, body1 := readExport(t, f1)
	_, _, body2 := readExport(t, f2)
	if !bytes.Equal(body1, body2) {
		t.Errorf("export of the import differs from the export (%d and %d bytes)", len(body1), len(body2))
	}
	checkFixtureIDs(t, recs, want)

	// Again, from stdin: nothing added.
	in, err := os.ReadFile(f1)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb syncBuffer
	env := &Env{Stdin: bytes.NewReader(in), Stdout: &out, Stderr: &errb, LookupEnv: envFrom(nil)}
	if code := run(t.Context(), env, append([]string{"import", "--data-dir", emptyDir}, append(b, "-")...)); code != 0 {
		t.Fatalf("re-import: exit %d\n%s", code, errb.String())
	}
	if !regexp.MustCompile(`quotes\s+0\s+24`).MatchString(out.String()) || !regexp.MustCompile(`speakers\s+0\s+10`).MatchString(out.String()) {
		t.Errorf("re-import added something:\n%s", out.String())
	}
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
