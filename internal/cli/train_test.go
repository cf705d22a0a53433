package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// an invented gold article: `"We will open the harbour wall in May," said Ann Lee.`
const trainGold = `{"id":"t1","text":"\"We will open the harbour wall in May,\" said Ann Lee.","quotes":[{"start":1,"end":38,"text":"We will open the harbour wall in May,","kind":"direct","speaker":"Ann Lee","speaker_start":45,"speaker_end":52,"cue":"said","cue_start":40,"cue_end":44,"attribution_id":"a1"}]}` + "\n"

func TestTrainCommand(t *testing.T) {
	dir := t.TempDir()
	gold := filepath.Join(dir, "gold.jsonl")
	if err := os.WriteFile(gold, []byte(trainGold), 0o644); err != nil {
		t.Fatal(err)
	}
	var models [][]byte
	for _, out := range []string{"a.bin", "b.bin"} {
		p := filepath.Join(dir, out)
		code, _, errOut := runWithStdin(t, "", "train", "--gold", gold, "--seed", "3", "--out", p)
		if code != 0 {
			t.Fatalf("train = %d: %s", code, errOut)
		}
		if !strings.Contains(errOut, "1 docs, 1 quotes") {
			t.Errorf("train summary: %s", errOut)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, b)
	}
	if !bytes.Equal(models[0], models[1]) {
		t.Error("two runs of train with the same data and seed wrote different models")
	}
	model := filepath.Join(dir, "a.bin")
	code, out, errOut := runWithStdin(t, "", "eval", "--model", model, "--gold", gold)
	if code != 0 || !strings.Contains(out, "speaker  acc=1.000 over 1") {
		t.Errorf("eval --model = %d: %s %s", code, out, errOut)
	}
	for _, m := range []string{"rules", model, ""} {
		code, out, _ := runWithStdin(t, `"We go," said Ann Lee.`, "extract", "--model", m)
		if code != 0 || !strings.Contains(out, `"name": "Ann Lee"`) {
			t.Errorf("extract --model %q = %d: %s", m, code, out)
		}
	}
	if code, _, _ := runWithStdin(t, "x", "extract", "--model", filepath.Join(dir, "none.bin")); code == 0 {
		t.Error("extract with a missing model file succeeded")
	}
	if code, _, _ := runWithStdin(t, "x", "extract", "--model", gold); code == 0 {
		t.Error("extract with a gold file as model succeeded")
	}
	if code, _, _ := runWithStdin(t, "", "train", "--out", model); code != 2 {
		t.Errorf("train without --gold = %d, want 2", code)
	}
}
