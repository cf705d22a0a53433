package extract

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hostileInput is a text built to defeat the extractor's windows and
// look-ups, made to about size bytes.
type hostileInput struct {
	name string
	make func(size int) string
}

// repeatTo repeats unit until the result holds at least size bytes.
func repeatTo(unit string, size int) string {
	n := (size + len(unit) - 1) / len(unit)
	return strings.Repeat(unit, max(n, 1))
}

// nested opens depth quotes of alternating kinds and closes them again, as
// often as size allows.
func nested(size int) string {
	opens := []string{"“", "‘", "„", "‚", "«", "‹", `"`, "'"}
	closes := []string{"”", "’", "“", "‘", "»", "›", `"`, "'"}
	var b strings.Builder
	for b.Len() < size {
		const depth = 200
		for i := range depth {
			b.WriteString(opens[i%len(opens)])
			b.WriteString("word ")
		}
		for i := depth - 1; i >= 0; i-- {
			b.WriteString("end")
			b.WriteString(closes[i%len(closes)])
			b.WriteString(" ")
		}
		b.WriteString("he said.\n")
	}
	return b.String()
}

// manyNames gives thousands of people one surname, then quotes them by
// surname alone.
func manyNames(size int) string {
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		first := []byte{'A' + byte(i%26), 'a' + byte(i/26%26), 'a' + byte(i/676%26), 'n'}
		b.WriteString(string(first))
		b.WriteString(" Smith arrived. \"We stay,\" Smith said. ")
	}
	return b.String()
}

// hostileInputs are the inputs of BenchmarkHostile and TestLinearWork.
var hostileInputs = []hostileInput{
	{"low-9-double", func(n int) string { return repeatTo("„", n) }},
	{"guillemet-open", func(n int) string { return repeatTo("«", n) }},
	{"guillemet-close", func(n int) string { return repeatTo("»", n) }},
	{"single-guillemet", func(n int) string { return repeatTo("‹", n) }},
	{"left-single", func(n int) string { return repeatTo("‘", n) }},
	{"left-double", func(n int) string { return repeatTo("“", n) }},
	{"straight-double", func(n int) string { return repeatTo(`"`, n) }},
	{"straight-single", func(n int) string { return repeatTo("'", n) }},
	{"marks-mixed", func(n int) string { return repeatTo(`„«‹‘“"'»‚›”’「『`, n) }},
	{"marks-spaced", func(n int) string { return repeatTo(`„ « ‹ ‘ “ " ' » `, n) }},
	{"open-before-words", func(n int) string { return repeatTo("„Wir «sagen ‹nein ‘dazu “heute ", n) }},
	{"open-mark-per-paragraph", func(n int) string { return repeatTo("“We will go on, said the minister\n", n) }},
	{"deeply-nested", nested},
	{"no-sentence-end", func(n int) string { return repeatTo("the minister told officials that the union leaders ", n) }},
	{"cue-verbs", func(n int) string { return repeatTo("said says told added warned claimed stated ", n) }},
	{"cues-in-one-sentence", func(n int) string { return repeatTo("he said that officials said ", n) }},
	{"capitalised-words", func(n int) string { return repeatTo("Angela Merkel Olaf Scholz Said Minister Berlin ", n) }},
	{"capitalised-cues", func(n int) string { return repeatTo("Officials Say Says Said ", n) }},
	{"quotes-in-one-sentence", func(n int) string { return repeatTo(`he said "a b c d" and `, n) }},
	{"quotes-and-pronouns", func(n int) string { return repeatTo(`"We go on," he said. "Not now," she said. `, n) }},
	{"names-and-quotes", func(n int) string { return repeatTo(`Ann Lee met Tom Reyes. "It is over," Lee said. `, n) }},
	{"quotes-no-speaker", func(n int) string { return repeatTo(`"a b c d" and `, n) }},
	{"quotes-no-speaker-lines", func(n int) string { return repeatTo("\"a b c d\" and \"e f\".\n", n) }},
	{"she-after-men", func(n int) string { return repeatTo(`John Smith met Tom Reyes. "It is over," she said. `, n) }},
	{"surname-many-names", manyNames},
	{"role-after-names", func(n int) string {
		return repeatTo(`Ann Lee met Tom Reyes. "We go," the Minister said. Minister Jo Park spoke. `, n)
	}},
	{"long-name", func(n int) string {
		name := repeatTo("Kim Lee Park Chan ", min(n/4, 8<<10))
		return name + `said: "We stay." ` + repeatTo(`"We go," he said. `, n-len(name))
	}},
	{"many-roles", func(n int) string {
		var b strings.Builder
		titles := []string{"Minister", "Deputy", "Secretary", "General", "Chief", "Senior", "Foreign", "Interior"}
		for i := 0; b.Len() < n; i++ {
			b.WriteString(titles[i%8] + " " + titles[i/8%8] + " " + titles[i/64%8] + " Ann Lee said. \"We go,\" the " + titles[i/8%8] + " said. ")
		}
		return b.String()
	}},
	{"tiny-lines", func(n int) string { return repeatTo("“a”\nb\n\n", n) }},
	{"one-paragraph", func(n int) string { return strings.ReplaceAll(normalText(n), "\n", " ") }},
	{"mix", func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			for _, h := range hostileMix {
				b.WriteString(h.make(max(n/len(hostileMix), 1<<10)))
				b.WriteString("\n")
			}
		}
		return b.String()
	}},
}

// hostileMix is what the mix input is made of: every other input.
var hostileMix []hostileInput

func init() {
	for _, h := range hostileInputs {
		if h.name != "mix" {
			hostileMix = append(hostileMix, h)
		}
	}
}

// normalFixtures is the text of the fixtures in testdata, read once.
var normalFixtures = func() []string {
	files, _ := filepath.Glob("testdata/*.txt")
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil {
			out = append(out, string(b))
		}
	}
	return out
}()

// normalText is news text of about size bytes in one article: the fixtures
// joined, as often as needed.
func normalText(size int) string {
	var b strings.Builder
	for b.Len() < size {
		for _, t := range normalFixtures {
			b.WriteString(t)
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

// hostileExtractor is the extractor as served: with the shipped model.
func hostileExtractor(tb testing.TB) *Extractor {
	tb.Helper()
	m, err := ShippedModel()
	if err != nil {
		tb.Fatal(err)
	}
	x, err := New(WithModel(m))
	if err != nil {
		tb.Fatal(err)
	}
	return x
}

// BenchmarkHostile extracts each hostile input of 192 KB (the mix: 900 KB)
// and news text of the same size in the same loop, and reports how many
// times slower the hostile one is as x-normal (the target is at most 20),
// and the milliseconds of each; ns/op and B/op count both texts.
func BenchmarkHostile(b *testing.B) {
	x := hostileExtractor(b)
	for _, h := range hostileInputs {
		size := 192 << 10
		if h.name == "mix" {
			size = 900 << 10
		}
		text := h.make(size)
		normal := normalText(len(text))
		b.Run(h.name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			var hostile, news time.Duration
			for i := 0; i < b.N; i++ {
				st := time.Now()
				x.Extract(text)
				hostile += time.Since(st)
				st = time.Now()
				x.Extract(normal)
				news += time.Since(st)
			}
			b.ReportMetric(float64(hostile)/float64(news), "x-normal")
			b.ReportMetric(float64(hostile.Milliseconds())/float64(b.N), "hostile-ms/op")
			b.ReportMetric(float64(news.Milliseconds())/float64(b.N), "news-ms/op")
		})
	}
}

// TestLinearWork counts the extractor's steps (see run.steps: quotation
// marks and open quotes looked at, tokens marked, cue look-ups, headline
// scans, the look-backs over earlier attributions and full names) on each
// hostile input and on news text at n and 4n bytes: the count must grow
// about fourfold. Unclosed marks made it grow sixteenfold.
func TestLinearWork(t *testing.T) {
	x := hostileExtractor(t)
	const n = 12 << 10
	inputs := append([]hostileInput{{"normal", normalText}}, hostileInputs...)
	for _, h := range inputs {
		t.Run(h.name, func(t *testing.T) {
			small, large := h.make(n), h.make(4*n)
			_, s, _ := x.extract(context.Background(), small)
			_, l, _ := x.extract(context.Background(), large)
			// the inputs grow by whole units: compare steps per byte
			ratio := (float64(l) / float64(len(large))) / (float64(s) / float64(len(small)))
			if ratio > 1.5 {
				t.Errorf("extract(%s): %d steps for %d bytes, %d for %d: %.1f times the work per byte, want about the same", h.name, s, len(small), l, len(large), ratio)
			}
		})
	}
}
