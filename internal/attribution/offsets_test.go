package attribution

import (
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

func TestOffsetMap(t *testing.T) {
	text := "Zoë said “hi 😀” — ok"
	for _, unit := range []Unit{UnitCodepoint, UnitUTF16, UnitUTF8} {
		m := NewOffsetMap(text, unit)
		for b := 0; b <= len(text); b++ {
			if b < len(text) && !utf8.RuneStart(text[b]) {
				continue
			}
			var want int
			switch unit {
			case UnitCodepoint:
				want = utf8.RuneCountInString(text[:b])
			case UnitUTF16:
				want = len(utf16.Encode([]rune(text[:b])))
			case UnitUTF8:
				want = b
			}
			if got := m.Offset(b); got != want {
				t.Errorf("%s Offset(%d) = %d, want %d", unit, b, got, want)
			}
			if back := m.Byte(want); back != b {
				t.Errorf("%s Byte(%d) = %d, want %d", unit, want, back, b)
			}
		}
	}
}

func TestConvert(t *testing.T) {
	text := "“Ça va,” dit Zoë."
	b := len("“")
	r := Result{Quotes: []Quote{{Text: "Ça va,", Span: Span{b, b + len("Ça va,")},
		Speaker: &QuoteSpeaker{Name: "Zoë", Mention: &Mention{Text: "Zoë", Span: Span{len(text) - len("Zoë."), len(text) - 1}}}}}}
	got := Convert(text, r, UnitCodepoint)
	if s := got.Quotes[0].Span; s != (Span{1, 7}) {
		t.Errorf("quote span = %+v, want {1 7}", s)
	}
	if s := got.Quotes[0].Speaker.Mention.Span; s != (Span{13, 16}) {
		t.Errorf("mention span = %+v, want {13 16}", s)
	}
	if r.Quotes[0].Span.Start != b {
		t.Errorf("Convert changed its input: %+v", r.Quotes[0].Span)
	}
}

func TestParseUnit(t *testing.T) {
	for in, want := range map[string]Unit{"": UnitCodepoint, "codepoint": UnitCodepoint, "utf16": UnitUTF16, "utf8": UnitUTF8} {
		if got, err := ParseUnit(in); err != nil || got != want {
			t.Errorf("ParseUnit(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	if _, err := ParseUnit("bytes"); err == nil {
		t.Error("ParseUnit(\"bytes\") = nil error, want an error")
	}
}
