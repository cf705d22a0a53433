package extract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/whosaid/whosaid/internal/evaluate"
)

// goldDoc builds a gold article from text where the quote is marked
// [[...]] and the speaker {{...}}: offsets in code points, as in shared/eval.
func goldDoc(t *testing.T, id, marked string) evaluate.GoldDoc {
	t.Helper()
	var b strings.Builder
	var qs, qe, ss, se = -1, -1, -1, -1
	cp := 0
	for i := 0; i < len(marked); {
		switch {
		case strings.HasPrefix(marked[i:], "[["):
			qs, i = cp, i+2
		case strings.HasPrefix(marked[i:], "]]"):
			qe, i = cp, i+2
		case strings.HasPrefix(marked[i:], "{{"):
			ss, i = cp, i+2
		case strings.HasPrefix(marked[i:], "}}"):
			se, i = cp, i+2
		default:
			r, n := utf8.DecodeRuneInString(marked[i:])
			b.WriteRune(r)
			cp++
			i += n
		}
	}
	if qs < 0 || qe < 0 || ss < 0 || se < 0 {
		t.Fatalf("fixture %s lacks marks", id)
	}
	text := b.String()
	rs := []rune(text)
	spk := string(rs[ss:se])
	return evaluate.GoldDoc{ID: id, Text: text, Quotes: []evaluate.GoldQuote{{
		Start: qs, End: qe, Text: string(rs[qs:qe]), Kind: "direct", Speaker: &spk,
		SpeakerStart: &ss, SpeakerEnd: &se, AttributionID: id,
	}}}
}

// trainDocs are invented articles in which the speaker of a quote with no
// cue of its own is named in the sentence before.
func trainDocs(t *testing.T) []evaluate.GoldDoc {
	var docs []evaluate.GoldDoc
	names := []string{"Ann Lee", "Omar Diaz", "Rita Moss", "Karl Berg", "Nina Holt", "Paul Vance"}
	for i, n := range names {
		other := names[(i+1)%len(names)]
		docs = append(docs,
			goldDoc(t, "a"+n, "The council met on Monday. {{"+n+"}} spoke after "+other+" had left the room. \"[[We will build the new harbour wall before the winter storms arrive]].\""),
			goldDoc(t, "b"+n, "\"[[The ferry timetable changes in March, and the fares stay the same]],\" {{"+n+"}} said on Tuesday."),
		)
	}
	return docs
}

func modelBytes(t *testing.T, m *Model) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTrainDeterministicAndRoundTrip(t *testing.T) {
	docs := trainDocs(t)
	m1, st, err := Train(docs, TrainOptions{Seed: 7, Epochs: 5})
	if err != nil {
		t.Fatal(err)
	}
	if st.Docs != len(docs) || st.Quotes != len(docs) || st.Reachable != len(docs) {
		t.Fatalf("stats %+v: want %d docs, quotes and reachable quotes", st, len(docs))
	}
	m2, _, err := Train(docs, TrainOptions{Seed: 7, Epochs: 5})
	if err != nil {
		t.Fatal(err)
	}
	b1, b2 := modelBytes(t, m1), modelBytes(t, m2)
	if !bytes.Equal(b1, b2) {
		t.Fatal("two trainings with the same data and seed differ")
	}
	back, err := ReadModel(bytes.NewReader(b1))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(modelBytes(t, back), b1) {
		t.Fatal("read and written again, the model differs")
	}
	if got := back.Languages(); strings.Join(got, ",") != "en,en.cal" {
		t.Errorf("languages %v, want en and its calibration", got)
	}
}

func TestTrainedRankerLearnsNeighbour(t *testing.T) {
	m, _, err := Train(trainDocs(t), TrainOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	x, err := New(WithModel(m))
	if err != nil {
		t.Fatal(err)
	}
	// unseen names: the quote's speaker is the subject of the sentence
	// before, not the person named after it
	text := "The board met on Friday. Vera Kohl spoke after Tom Reyes had left the room. \"We will open the new school library before the spring term begins.\""
	res := x.Extract(text)
	if len(res.Quotes) != 1 {
		t.Fatalf("want one quote, got %+v", res.Quotes)
	}
	q := res.Quotes[0]
	if q.Speaker == nil || q.Speaker.Name != "Vera Kohl" {
		t.Errorf("speaker %+v, want Vera Kohl", q.Speaker)
	}
	if q.Confidence <= 0 || q.Confidence > 1 {
		t.Errorf("confidence %v, want a probability", q.Confidence)
	}
}

func TestReadModelRejects(t *testing.T) {
	m, _, err := Train(trainDocs(t), TrainOptions{Seed: 1, Epochs: 2})
	if err != nil {
		t.Fatal(err)
	}
	good := modelBytes(t, m)
	for name, b := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("notmodel"), good[8:]...),
		"truncated": good[:len(good)-3],
		"trailing":  append(append([]byte(nil), good...), 0),
	} {
		if _, err := ReadModel(bytes.NewReader(b)); err == nil {
			t.Errorf("%s: ReadModel accepted it", name)
		}
	}
}

func TestShippedModel(t *testing.T) {
	m, err := ShippedModel()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m.Languages(), ","); got != "de,de.cal,en,en.cal" {
		t.Errorf("shipped languages %s", got)
	}
	x, err := New(WithModel(m))
	if err != nil {
		t.Fatal(err)
	}
	res := x.Extract("\"The bridge reopens in May,\" said Mayor Ann Brook. \"Tolls stay as they are.\"")
	if len(res.Quotes) != 2 {
		t.Fatalf("want two quotes, got %+v", res.Quotes)
	}
	for _, q := range res.Quotes {
		if q.Speaker == nil || q.Speaker.Name != "Ann Brook" {
			t.Errorf("%q: speaker %+v, want Ann Brook", q.Text, q.Speaker)
		}
	}
	// a continuation with other people named before it is less certain
	// than one right after its speaker's quote
	amb := x.Extract("\"The bridge reopens in May,\" said Mayor Ann Brook. Tom Reyes, a councillor, argued with Ruth Adler about the plan. \"Tolls stay as they are.\"")
	last := amb.Quotes[len(amb.Quotes)-1]
	if last.Confidence >= res.Quotes[1].Confidence {
		t.Errorf("continuation after other names: confidence %.2f, want below %.2f", last.Confidence, res.Quotes[1].Confidence)
	}
}

// TestShippedModelReproducible trains on the files `make model` uses and
// compares the result with the embedded model byte for byte. It needs the
// gold files: WHOSAID_EVAL names their directory (../shared/eval from the
// repository root); without it the test is skipped.
func TestShippedModelReproducible(t *testing.T) {
	dir := os.Getenv("WHOSAID_EVAL")
	if dir == "" {
		t.Skip("WHOSAID_EVAL is not set")
	}
	var docs []evaluate.GoldDoc
	for _, name := range []string{"polnear_train.jsonl", "de_news_quotes_train.jsonl"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<26)
		for sc.Scan() {
			if len(bytes.TrimSpace(sc.Bytes())) == 0 {
				continue
			}
			var d evaluate.GoldDoc
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			docs = append(docs, d)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	m, _, err := Train(docs, TrainOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(modelBytes(t, m), shippedModel) {
		t.Fatal("training on the make model files with seed 1 does not give the shipped model: run make model")
	}
}
