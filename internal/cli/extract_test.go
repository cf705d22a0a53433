package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runWithStdin(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr syncBuffer
	env := &Env{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr, LookupEnv: envFrom(nil)}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

func TestExtractText(t *testing.T) {
	code, out, errOut := runWithStdin(t, "“Ça va,” said Zoë Ångström.", "extract", "-")
	if code != 0 {
		t.Fatalf("extract = %d, stderr %s", code, errOut)
	}
	var res struct {
		Quotes []struct {
			Text    string
			Span    struct{ Start, End int }
			Kind    string
			Speaker struct{ Name string }
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	if len(res.Quotes) != 1 || res.Quotes[0].Text != "Ça va," || res.Quotes[0].Speaker.Name != "Zoë Ångström" {
		t.Fatalf("extract = %+v", res.Quotes)
	}
	if s := res.Quotes[0].Span; s.Start != 1 || s.End != 7 {
		t.Errorf("span = %+v, want code points {1 7}", s)
	}
	// UTF-16 and UTF-8 on request
	_, out8, _ := runWithStdin(t, "“Ça va,” said Zoë Ångström.", "extract", "--offsets", "utf8")
	if !strings.Contains(out8, `"start": 3`) {
		t.Errorf("utf8 offsets: %s", out8)
	}
	if code, _, _ := runWithStdin(t, "x", "extract", "--offsets", "bytes"); code != 2 {
		t.Errorf("extract --offsets bytes = %d, want 2", code)
	}
	if code, _, _ := runWithStdin(t, "\xff\xfe", "extract"); code != 1 {
		t.Errorf("extract of invalid UTF-8 = %d, want 1", code)
	}
}

func TestExtractJSONL(t *testing.T) {
	in := `{"id":"a","text":"\"We go,\" said Ann Lee."}` + "\n" +
		`not json` + "\n" +
		"\n" +
		`{"id":"c"}` + "\n" +
		`{"id":"d","text":"Officials said the bridge would reopen in May."}` // no final newline
	code, out, errOut := runWithStdin(t, in, "extract", "--jsonl")
	if code != 1 {
		t.Errorf("extract --jsonl with bad lines = %d, want 1", code)
	}
	if !strings.Contains(errOut, "2 input lines could not be read") {
		t.Errorf("stderr = %q", errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d output lines, want 4 (one per non-empty input line):\n%s", len(lines), out)
	}
	var first struct {
		ID     string `json:"id"`
		Quotes []struct {
			Span    struct{ Start, End int }
			Kind    string
			Speaker struct {
				Name    string
				Mention struct{ Span struct{ Start, End int } }
			}
		}
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.ID != "a" || len(first.Quotes) != 1 || first.Quotes[0].Speaker.Name != "Ann Lee" {
		t.Errorf("line 1 = %s (%v)", lines[0], err)
	}
	if !strings.Contains(lines[1], `"line":2`) || !strings.Contains(lines[1], "bad JSON") {
		t.Errorf("line 2 = %s, want an error naming input line 2", lines[1])
	}
	if !strings.Contains(lines[2], `"id":"c"`) || !strings.Contains(lines[2], `missing \"text\"`) {
		t.Errorf("line 3 = %s", lines[2])
	}
	if !strings.Contains(lines[3], `"id":"d"`) || !strings.Contains(lines[3], `"indirect"`) {
		t.Errorf("line 4 = %s", lines[3])
	}
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	gold := filepath.Join(dir, "gold.jsonl")
	doc := `{"id":"g","text":"\"We go,\" said Ann Lee.","quotes":[{"start":1,"end":7,"text":"We go,","kind":"direct","speaker":"Ann Lee","speaker_start":14,"speaker_end":21}]}`
	if err := os.WriteFile(gold, []byte(doc+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runWithStdin(t, "", "eval", "--gold", gold)
	if code != 0 {
		t.Fatalf("eval = %d, stderr %s", code, errOut)
	}
	for _, want := range []string{"quoted   P=1.000 R=1.000 F1=1.000", "speaker  acc=1.000 over 1", "docs 1, missing predictions 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval output lacks %q:\n%s", want, out)
		}
	}
	if code, _, _ := runWithStdin(t, "", "eval"); code != 2 {
		t.Errorf("eval without --gold = %d, want 2", code)
	}
}
