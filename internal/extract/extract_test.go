package extract

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/whosaid/whosaid/internal/attribution"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func mustNew(tb testing.TB) *Extractor {
	tb.Helper()
	x, err := New()
	if err != nil {
		tb.Fatalf("New() error = %v", err)
	}
	return x
}

// TestGolden runs every testdata/*.txt fixture and compares the result
// (code-point offsets) with testdata/*.golden.json; -update rewrites them.
func TestGolden(t *testing.T) {
	x := mustNew(t)
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata/")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			got, err := json.MarshalIndent(attribution.Convert(text, x.Extract(text), attribution.UnitCodepoint), "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := strings.TrimSuffix(f, ".txt") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("read %s (run go test -update to create it): %v", golden, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Extract(%s) differs from %s; run go test ./internal/extract -update and review the diff:\n%s", f, golden, firstDiff(string(got), string(want)))
			}
		})
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + itoa(i+1) + ":\n got: " + al[i] + "\nwant: " + bl[i]
		}
	}
	return "lengths differ"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

// TestSeed checks the seed article: all nine quoted spans found with the
// exact canonical speaker, and its indirect statements with their speakers.
func TestSeed(t *testing.T) {
	var gold struct {
		Text   string `json:"text"`
		Quotes []struct {
			Start, End int
			Text       string
			Speaker    string
			Kind       string
		} `json:"quotes"`
		Indirect []struct {
			Speaker string
			Content string
		} `json:"indirect"`
	}
	b, err := os.ReadFile("testdata/seed.gold.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &gold); err != nil {
		t.Fatal(err)
	}
	m, err := ShippedModel()
	if err != nil {
		t.Fatal(err)
	}
	withModel, err := New(WithModel(m))
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*Extractor{mustNew(t), withModel} {
		t.Run(fmt.Sprintf("%T", x.ranker), func(t *testing.T) { checkSeed(t, x, gold.Text, gold.Quotes, gold.Indirect) })
	}
}

func checkSeed(t *testing.T, x *Extractor, text string, quotes []struct {
	Start, End int
	Text       string
	Speaker    string
	Kind       string
}, indirect []struct {
	Speaker string
	Content string
}) {
	res := attribution.Convert(text, x.Extract(text), attribution.UnitCodepoint)
	for _, g := range quotes {
		var found *attribution.Quote
		for i, q := range res.Quotes {
			if q.Kind != attribution.KindIndirect && q.Span.Start < g.End && g.Start < q.Span.End {
				found = &res.Quotes[i]
				break
			}
		}
		if found == nil {
			t.Errorf("quote %q [%d,%d) not found", g.Text, g.Start, g.End)
			continue
		}
		if strings.TrimRight(found.Text, ",") != strings.TrimRight(g.Text, ",") {
			t.Errorf("quote text = %q, want %q", found.Text, g.Text)
		}
		if string(found.Kind) != g.Kind {
			t.Errorf("quote %q kind = %s, want %s", g.Text, found.Kind, g.Kind)
		}
		if found.Speaker == nil || found.Speaker.Name != g.Speaker {
			t.Errorf("quote %q speaker = %+v, want %q", g.Text, found.Speaker, g.Speaker)
		}
	}
	for _, g := range indirect {
		ok := false
		for _, q := range res.Quotes {
			if q.Kind == attribution.KindIndirect && q.Text == g.Content && q.Speaker != nil && q.Speaker.Name == g.Speaker {
				ok = true
			}
		}
		if !ok {
			t.Errorf("indirect %q by %q not found", g.Content, g.Speaker)
		}
	}
}

// TestForms covers the attribution forms one sentence at a time.
func TestForms(t *testing.T) {
	x := mustNew(t)
	tests := []struct {
		name, text       string
		quote            string // text of the first quote
		kind             attribution.Kind
		speaker, mention string
		rule, role       string
		typ              attribution.SpeakerType
	}{
		{name: "quote-cue-speaker", text: `"We will rebuild," said Mayor Ana Ruiz of Portville.`, quote: "We will rebuild,", kind: "direct", speaker: "Ana Ruiz", mention: "Mayor Ana Ruiz", rule: ruleQuoteCueSpeaker, typ: "person"},
		{name: "quote-speaker-cue", text: `"We will rebuild," Ruiz told reporters.`, quote: "We will rebuild,", kind: "direct", speaker: "Ruiz", mention: "Ruiz", rule: ruleQuoteSpeakerCue, typ: "person"},
		{name: "speaker-cue-colon", text: `The minister said: "Prices will fall."`, quote: "Prices will fall.", kind: "direct", speaker: "minister", mention: "The minister", rule: ruleSpeakerCueQuote, typ: "person"},
		{name: "mixed", text: `Peskov told reporters the talks would be "primarily devoted to trade".`, quote: "primarily devoted to trade", kind: "mixed", speaker: "Peskov", mention: "Peskov", rule: ruleEmbedded, typ: "person"},
		{name: "indirect", text: `Zelenskyy said Kyiv was not invited to the talks.`, quote: "Kyiv was not invited to the talks", kind: "indirect", speaker: "Zelenskyy", mention: "Zelenskyy", rule: ruleIndirect, typ: "person"},
		{name: "indirect trailing", text: `The bridge will reopen in May, officials said.`, quote: "The bridge will reopen in May", kind: "indirect", speaker: "officials", mention: "officials", rule: ruleIndirectTrail, typ: "anonymous"},
		{name: "according to", text: `According to the newspaper, the deal collapsed overnight.`, quote: "the deal collapsed overnight", kind: "indirect", speaker: "newspaper", mention: "the newspaper", rule: ruleAccordingTo, typ: "organization"},
		{name: "organization", text: `Russia said it saw no place for Europeans at the table.`, quote: "it saw no place for Europeans at the table", kind: "indirect", speaker: "Russia", mention: "Russia", rule: ruleIndirect, typ: "organization"},
		{name: "anonymous", text: `A senior official said the plan had been shelved for now.`, quote: "the plan had been shelved for now", kind: "indirect", speaker: "senior official", mention: "A senior official", rule: ruleIndirect, typ: "anonymous"},
		{name: "apposition role", text: `"It is late," Yuri Ushakov, Putin's foreign policy adviser, said.`, quote: "It is late,", kind: "direct", speaker: "Yuri Ushakov", mention: "Yuri Ushakov", role: "Putin's foreign policy adviser", rule: ruleQuoteSpeakerCue, typ: "person"},
		{name: "press release dash", text: `"The public deserves better." — Commissioner Dana Hill`, quote: "The public deserves better.", kind: "direct", speaker: "Dana Hill", mention: "Commissioner Dana Hill", rule: ruleQuoteDash, typ: "person"},
		{name: "press release from", text: "From Chairwoman Lena Ortiz:\n\"We will hold them to account.\"", quote: "We will hold them to account.", kind: "direct", speaker: "Lena Ortiz", mention: "Chairwoman Lena Ortiz", rule: ruleColonSpeaker, typ: "person"},
		{name: "headline", text: `Netanyahu says Hamas will pay for the attack`, quote: "Hamas will pay for the attack", kind: "indirect", speaker: "Netanyahu", mention: "Netanyahu", rule: ruleIndirect, typ: "person"},
		{name: "german", text: `„Wir schaffen das“, sagte Kanzlerin Eva Brandt.`, quote: "Wir schaffen das", kind: "direct", speaker: "Eva Brandt", mention: "Kanzlerin Eva Brandt", rule: ruleQuoteCueSpeaker, typ: "person"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := x.Extract(tc.text)
			if len(res.Quotes) == 0 {
				t.Fatalf("Extract(%q) found no quote", tc.text)
			}
			q := res.Quotes[0]
			if q.Text != tc.quote || q.Kind != tc.kind || q.Rule != tc.rule {
				t.Errorf("Extract(%q) = %q %s %s, want %q %s %s", tc.text, q.Text, q.Kind, q.Rule, tc.quote, tc.kind, tc.rule)
			}
			if q.Speaker == nil || q.Speaker.Mention == nil {
				t.Fatalf("Extract(%q) speaker = %+v, want %q", tc.text, q.Speaker, tc.speaker)
			}
			if q.Speaker.Name != tc.speaker || q.Speaker.Mention.Text != tc.mention || q.Speaker.Type != tc.typ {
				t.Errorf("Extract(%q) speaker = %q (%q, %s), want %q (%q, %s)", tc.text, q.Speaker.Name, q.Speaker.Mention.Text, q.Speaker.Type, tc.speaker, tc.mention, tc.typ)
			}
			if tc.role != "" && q.Speaker.Role != tc.role {
				t.Errorf("Extract(%q) role = %q, want %q", tc.text, q.Speaker.Role, tc.role)
			}
		})
	}
}

// TestCoreference: surnames, pronouns and role nouns resolve inside the article.
func TestCoreference(t *testing.T) {
	text := "Kremlin spokesman Dmitry Peskov spoke on Monday. Ms. Anna Lind, a trade envoy, was also there.\n" +
		"\"The talks went well,\" Peskov said.\n" +
		"\"We will meet again,\" he said.\n" +
		"She said the trade talks would resume in June.\n" +
		"The spokesman added that no date had been fixed yet."
	res := mustNew(t).Extract(text)
	want := []string{"Dmitry Peskov", "Dmitry Peskov", "Anna Lind", "Dmitry Peskov"}
	if len(res.Quotes) != len(want) {
		t.Fatalf("Extract found %d quotes, want %d: %+v", len(res.Quotes), len(want), res.Quotes)
	}
	for i, q := range res.Quotes {
		if q.Speaker == nil || q.Speaker.Name != want[i] {
			t.Errorf("quote %d %q speaker = %+v, want %q", i, q.Text, q.Speaker, want[i])
		}
	}
}

// TestScareQuotes: terms, titles and nicknames in quotes are not statements.
func TestScareQuotes(t *testing.T) {
	x := mustNew(t)
	for _, text := range []string{
		`The so-called "experts" disagreed about everything in the report.`,
		`She watched "The Long Goodbye" twice last week with her brother.`,
		`The plan, dubbed "Operation Clean Sweep by the river", failed.`,
	} {
		if res := x.Extract(text); len(res.Quotes) != 0 {
			t.Errorf("Extract(%q) = %+v, want no quotes", text, res.Quotes)
		}
	}
}

// TestUnbalanced: an unclosed mark never fails the document; the quote ends
// at the paragraph with lower confidence.
func TestUnbalanced(t *testing.T) {
	x := mustNew(t)
	closed := x.Extract(`The spokesman said: "The talks were productive and will resume."`)
	open := x.Extract("The spokesman said: \"The talks were productive and will resume.\nNext paragraph.")
	if len(closed.Quotes) != 1 || len(open.Quotes) != 1 {
		t.Fatalf("quotes = %d and %d, want 1 and 1", len(closed.Quotes), len(open.Quotes))
	}
	if open.Quotes[0].Text != "The talks were productive and will resume." {
		t.Errorf("unclosed quote text = %q", open.Quotes[0].Text)
	}
	if open.Quotes[0].Confidence >= closed.Quotes[0].Confidence {
		t.Errorf("unclosed confidence %v, want below closed %v", open.Quotes[0].Confidence, closed.Quotes[0].Confidence)
	}
}

func checkResult(t *testing.T, text string, res attribution.Result) {
	t.Helper()
	check := func(what string, s attribution.Span, want string) {
		if !s.Valid(len(text)) {
			t.Fatalf("Extract(%q): %s span %+v out of bounds", text, what, s)
		}
		if got := text[s.Start:s.End]; got != want {
			t.Fatalf("Extract(%q): %s text[span] = %q, want %q", text, what, got, want)
		}
	}
	for _, q := range res.Quotes {
		check("quote", q.Span, q.Text)
		if q.Cue != nil {
			check("cue", q.Cue.Span, q.Cue.Text)
		}
		if q.Speaker != nil && q.Speaker.Mention != nil {
			check("mention", q.Speaker.Mention.Span, q.Speaker.Mention.Text)
		}
		if q.Confidence < 0 || q.Confidence > 1 {
			t.Fatalf("Extract(%q): confidence %v outside 0..1", text, q.Confidence)
		}
		// code points and UTF-16 convert back to the same bytes
		if utf8.ValidString(text) {
			for _, u := range []attribution.Unit{attribution.UnitCodepoint, attribution.UnitUTF16} {
				m := attribution.NewOffsetMap(text, u)
				cs := m.Span(q.Span)
				if back := m.Byte(cs.Start); back != q.Span.Start {
					t.Fatalf("Extract(%q): %s offset %d -> %d -> %d", text, u, q.Span.Start, cs.Start, back)
				}
				if back := m.Byte(cs.End); back != q.Span.End {
					t.Fatalf("Extract(%q): %s offset %d -> %d -> %d", text, u, q.Span.End, cs.End, back)
				}
			}
		}
	}
}

func FuzzExtract(f *testing.F) {
	seeds := []string{
		`"Europe's the place," said James Dorsey of the NUS. "You go," he said.`,
		"„Wir“, sagte sie. «Oui», dit-il. 「はい」と彼は言った。",
		"Zelenskyy said Kyiv “did not know anything about” the talks, according to agencies.",
		"“First\n“Second,” she said.\nHe said \"unclosed",
		"WALLACE: x\n\"PENCE: Well, look.\"",
		"'' '' ‘ ’ „ “ » « — Mr. X",
		"😀 “emoji ‘inside’ here,” said Zoë Ångström.",
		"\xff\xfe\"bad\" bytes said he",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	x := mustNew(f)
	m, err := ShippedModel()
	if err != nil {
		f.Fatal(err)
	}
	xm, err := New(WithModel(m))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkResult(t, text, x.Extract(text))
		checkResult(t, text, xm.Extract(text))
	})
}

// TestFixturesInvariants runs the span checks over every fixture.
func TestFixturesInvariants(t *testing.T) {
	x := mustNew(t)
	files, _ := filepath.Glob("testdata/*.txt")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, string(b), x.Extract(string(b)))
	}
}

func TestSentenceAround(t *testing.T) {
	text := "Zoë spoke first. “We go,” said Ann Lee. Then she left."
	// code points of "We go,"
	start := strings.Index(text, "We go")
	cp := utf8.RuneCountInString(text[:start])
	got, sp := SentenceAround(text, attribution.Span{Start: cp, End: cp + 6})
	if got != "“We go,” said Ann Lee." {
		t.Errorf("SentenceAround = %q", got)
	}
	if r := []rune(text); string(r[sp.Start:sp.End]) != got {
		t.Errorf("span %+v gives %q, want %q", sp, string(r[sp.Start:sp.End]), got)
	}
	if s, _ := SentenceAround(text, attribution.Span{Start: 500, End: 510}); s != "" {
		t.Errorf("SentenceAround out of range = %q, want empty", s)
	}
}
