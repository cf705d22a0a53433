package nlp

import (
	"strings"
	"testing"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		text string
		want string // tokens joined by |
	}{
		{`U.S. Secretary Marco Rubio's aide said: "Don't go."`, `U.S.|Secretary|Marco|Rubio|'s|aide|said|:|"|Don't|go|.|"`},
		{"Zelenskyy’s office, the ’90s", "Zelenskyy|’s|office|,|the|’|90s"},
		{"Al-Aiban and Mr. Smith (R-S.C.)", "Al-Aiban|and|Mr.|Smith|(|R-S.C.|)"},
		{"„Wir“ – «non»", "„|Wir|“|–|«|non|»"},
		{"admit 250,000 Syrians, 1,5 and 3,", "admit|250,000|Syrians|,|1|,|5|and|3|,"},
	}
	for _, tc := range tests {
		d := New(tc.text)
		var got []string
		for i := range d.Tokens {
			got = append(got, d.TokenText(i))
		}
		if g := strings.Join(got, "|"); g != tc.want {
			t.Errorf("New(%q) tokens = %s, want %s", tc.text, g, tc.want)
		}
	}
}

func TestSentences(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"Mr. Smith left. He came back.", []string{"Mr. Smith left.", "He came back."}},
		{`"It is over," he said. "We go."`, []string{`"It is over," he said.`, `"We go."`}},
		{"McConnell, R-Ky., said Tuesday. Then he left.", []string{"McConnell, R-Ky., said Tuesday.", "Then he left."}},
		{"Prices rose 3.5 percent.\nA new paragraph", []string{"Prices rose 3.5 percent.", "A new paragraph"}},
		{"It was the U.S. plan, said J. Smith.", []string{"It was the U.S. plan, said J. Smith."}},
	}
	for _, tc := range tests {
		d := New(tc.text)
		var got []string
		for _, s := range d.Sents {
			got = append(got, tc.text[s.Start:s.End])
		}
		if strings.Join(got, "¦") != strings.Join(tc.want, "¦") {
			t.Errorf("New(%q) sentences = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestParagraphs(t *testing.T) {
	d := New("One.\n\nTwo three.\nFour")
	if len(d.Paras) != 3 {
		t.Fatalf("paragraphs = %d, want 3", len(d.Paras))
	}
	if got := d.Text[d.Paras[1].Start:d.Paras[1].End]; got != "Two three." {
		t.Errorf("paragraph 1 = %q, want %q", got, "Two three.")
	}
}
