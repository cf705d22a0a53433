package extract

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// benchCorpus is the fixtures and the seed article joined, repeated to
// about 1 MB of news text.
func benchCorpus(b *testing.B) []string {
	b.Helper()
	var docs []string
	files, _ := filepath.Glob("testdata/*.txt")
	for _, f := range files {
		t, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, string(t))
	}
	seed, err := os.ReadFile("testdata/seed.gold.json")
	if err != nil {
		b.Fatal(err)
	}
	// the seed article's text, without parsing JSON here
	s := string(seed)
	if i := strings.Index(s, `"text": "`); i >= 0 {
		docs = append(docs, s[i:])
	}
	var out []string
	size := 0
	for size < 1<<20 {
		for _, d := range docs {
			out = append(out, d)
			size += len(d)
		}
	}
	return out
}

func bareWalk(docs []string) int {
	n := 0
	for _, d := range docs {
		for i := 0; i < len(d); {
			r, size := utf8.DecodeRuneInString(d[i:])
			if r > 'a' {
				n++
			}
			i += size
		}
	}
	return n
}

// BenchmarkExtract reports MB/s on one core and, as x-bare, how many times
// slower extraction is than a bare pass that decodes every rune of the same
// text in the same run.
func BenchmarkExtract(b *testing.B) {
	x := mustNew(b)
	docs := benchCorpus(b)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	var extractTime time.Duration
	st := time.Now()
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			x.Extract(d)
		}
	}
	extractTime = time.Since(st)
	b.StopTimer()
	st = time.Now()
	sink := 0
	for i := 0; i < b.N; i++ {
		sink += bareWalk(docs)
	}
	bare := time.Since(st)
	if sink < 0 {
		b.Fatal("unreachable")
	}
	b.ReportMetric(float64(extractTime)/float64(bare), "x-bare")
}

// BenchmarkBareWalk is the bare pass alone, for reference.
func BenchmarkBareWalk(b *testing.B) {
	docs := benchCorpus(b)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	for i := 0; i < b.N; i++ {
		bareWalk(docs)
	}
}

// BenchmarkAdversarial runs texts built to defeat windows and look-ups: no
// sentence ends, thousands of quotes or cues in one sentence, capitalised
// cues. Each should cost about what news text of its size costs.
func BenchmarkAdversarial(b *testing.B) {
	for _, rk := range benchRankers(b) {
		b.Run(rk.name, func(b *testing.B) { adversarial(b, rk.x) })
	}
}

func adversarial(b *testing.B, x *Extractor) {
	cases := []struct{ name, text string }{
		{"cues-no-sentence-end", strings.Repeat("he said that officials said ", 20000)},
		{"quotes-in-one-sentence", strings.Repeat(`he said "a b c d" and `, 20000)},
		{"marks-only", strings.Repeat(`"'“”‘’„`, 30000)},
		{"capitalised-cues", strings.Repeat("Officials Say Says Said ", 40000)},
		{"names", strings.Repeat("John Smith Mary Jones ", 30000)},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.text)))
			for i := 0; i < b.N; i++ {
				x.Extract(tc.text)
			}
		})
	}
}

type benchRanker struct {
	name string
	x    *Extractor
}

// benchRankers are the extractor with the rule ranker and with the shipped
// model.
func benchRankers(b *testing.B) []benchRanker {
	m, err := ShippedModel()
	if err != nil {
		b.Fatal(err)
	}
	xm, err := New(WithModel(m))
	if err != nil {
		b.Fatal(err)
	}
	return []benchRanker{{"rules", mustNew(b)}, {"model", xm}}
}

// BenchmarkPolnearTrain extracts the texts of polnear_train.jsonl, read
// from $WHOSAID_EVAL (default ../../../shared/eval); skipped when absent.
// The figure that counts is MB/s with -cpu 1.
func BenchmarkPolnearTrain(b *testing.B) {
	dir := os.Getenv("WHOSAID_EVAL")
	if dir == "" {
		dir = "../../../shared/eval"
	}
	f, err := os.Open(filepath.Join(dir, "polnear_train.jsonl"))
	if err != nil {
		b.Skipf("no eval data: %v", err)
	}
	defer f.Close()
	var docs []string
	size := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<26)
	for sc.Scan() {
		var d struct{ Text string }
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			b.Fatal(err)
		}
		docs = append(docs, d.Text)
		size += len(d.Text)
	}
	for _, rk := range benchRankers(b) {
		b.Run(rk.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for _, d := range docs {
					rk.x.Extract(d)
				}
			}
		})
	}
}
