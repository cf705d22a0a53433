package quotemark

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFind(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // quoted texts of outermost quotes, in order
		open []bool   // closed flags, when given
	}{
		{"straight double", `"Europe's the place," said James. "You go," he said.`, []string{"Europe's the place,", "You go,"}, nil},
		{"curly double", `He said “the talks” would go on.`, []string{"the talks"}, nil},
		{"curly single and apostrophes", `Zelenskyy’s aides said ‘no’, and the countries’ talks ended.`, []string{"no"}, nil},
		{"straight single vs apostrophes", `The '90s were 'so-called experts' time, don't ask.`, []string{"so-called experts"}, nil},
		{"german", `„Wir schaffen das“, sagte sie. ‚Gut‘, sagte er.`, []string{"Wir schaffen das", "Gut"}, nil},
		{"guillemets", `«Bonjour», dit-il. ‹Salut›, dit-elle.`, []string{"Bonjour", "Salut"}, nil},
		{"reversed guillemets", `»Ja«, sagte er.`, []string{"Ja"}, nil},
		{"cjk", `「こんにちは」と彼は言った。『本』`, []string{"こんにちは", "本"}, nil},
		{"nested", `He said "the 'inner' words" and left.`, []string{"the 'inner' words"}, nil},
		{"doubled apostrophes", `''It is over,'' he said.`, []string{"It is over,"}, nil},
		{"mixed straight and curly", `“Immunity deals are bad," he said.`, []string{"Immunity deals are bad,"}, nil},
		{"multi paragraph", "“First paragraph.\n“Second ends here,” she said.", []string{"First paragraph.\n“Second ends here,"}, []bool{true}},
		{"unbalanced closes at paragraph end", "He said “it is over.\nNext paragraph.", []string{"it is over."}, []bool{false}},
		{"stray closer ignored", "It ended” there. Then “a quote” came.", []string{"a quote"}, nil},
		{"elision is no quote", "Rock 'n roll 'til dawn.", nil, nil},
		{"empty", "", nil, nil},
		{"french spaced guillemets", "« Nous restons ici », a dit Marie Dubois. ‹ Non ›, dit-il.", []string{" Nous restons ici ", " Non "}, []bool{true, true}},
		{"french no-break spaces", "«\u00a0Le port rouvre\u00a0», dit-elle. «\u202fOui\u202f».", []string{"\u00a0Le port rouvre\u00a0", "\u202fOui\u202f"}, []bool{true, true}},
		{"lone spaced guillemet opens nothing", "Le prix « est » haut et la marge » basse.", []string{" est "}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			var closed []bool
			for _, q := range Find(tc.text) {
				if q.Depth == 0 {
					got = append(got, tc.text[q.Start:q.End])
					closed = append(closed, q.Closed)
				}
			}
			if len(got) != len(tc.want) {
				t.Fatalf("Find(%q) = %q, want %q", tc.text, got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Find(%q)[%d] = %q, want %q", tc.text, i, got[i], tc.want[i])
				}
			}
			for i, c := range tc.open {
				if closed[i] != c {
					t.Errorf("Find(%q)[%d].Closed = %v, want %v", tc.text, i, closed[i], c)
				}
			}
		})
	}
}

func TestNestedDepth(t *testing.T) {
	qs := Find(`He said "the 'inner' words" and left.`)
	if len(qs) != 2 || qs[0].Depth != 0 || qs[1].Depth != 1 {
		t.Fatalf("Find nested = %+v, want an outer quote at depth 0 and an inner one at depth 1", qs)
	}
}

func FuzzFind(f *testing.F) {
	for _, s := range []string{`"a," he said`, "„x“ ‚y‘ «z» »w« 「v」", "“a\n“b”", "'90s 'a' don’t", "\"\"\"", "‘’’‘", "\xff\"a\"", "''x''"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, q := range Find(s) {
			if !(0 <= q.Open && q.Open <= q.Start && q.Start <= q.End && q.End <= q.Close && q.Close <= len(s)) {
				t.Fatalf("Find(%q): quote %+v out of order or out of bounds", s, q)
			}
			if utf8.ValidString(s) && (!utf8.ValidString(s[q.Start:q.End])) {
				t.Fatalf("Find(%q): quote %+v splits a rune", s, q)
			}
		}
	})
}

// TestFindLinear counts the work Find does (marks read, open quotes looked
// at, comparisons while sorting) on texts of n and 4n bytes: the count must
// grow about fourfold, not sixteenfold. Unclosed opening marks used to keep
// a stack every later mark searched.
func TestFindLinear(t *testing.T) {
	units := []string{"„", "«", "»", "‹", "‘", "“", `"`, "'", "‚", "「",
		`„«‹‘“"'»‚›”’「『`, `„ « ‹ ‘ “ " ' » `, "„Wir «sagen ‹nein ‘dazu “heute ",
		"“a ‘b „c «d ‹e ", "“We go on, he said\n"}
	const n = 4000
	for _, u := range units {
		t.Run(u, func(t *testing.T) {
			var small, large int
			find(strings.Repeat(u, n), &small)
			find(strings.Repeat(u, 4*n), &large)
			if small == 0 {
				t.Fatalf("find(%q × %d) counted no work", u, n)
			}
			if ratio := float64(large) / float64(small); ratio > 6 {
				t.Errorf("find(%q × %d) did %d steps, × %d did %d: ratio %.1f, want about 4", u, n, small, 4*n, large, ratio)
			}
		})
	}
}

// TestMaxDepth: opening marks nested deeper than MaxDepth are text, and the
// quotes around them still close.
func TestMaxDepth(t *testing.T) {
	const levels = MaxDepth + 5
	text := strings.Repeat("“a ", levels) + "b" + strings.Repeat("” c", levels)
	qs := Find(text)
	deepest := -1
	for _, q := range qs {
		deepest = max(deepest, q.Depth)
		if q.Depth == 0 && (q.Open != 0 || !q.Closed) {
			t.Errorf("Find(%q): outermost quote %+v, want one opening at 0 and closed", text, q)
		}
	}
	if deepest != MaxDepth-1 {
		t.Errorf("Find(%q): deepest quote at depth %d, want %d", text, deepest, MaxDepth-1)
	}
}

// TestSpaceBeforeClosingDouble: "... the term 'outreach,' " he said: the
// double mark after a closing single mark and a space closes the quote.
func TestSpaceBeforeClosingDouble(t *testing.T) {
	text := `"I dislike the term 'outreach,' " he told the group. "Next."`
	qs := Find(text)
	var outer []Quote
	for _, q := range qs {
		if q.Depth == 0 {
			outer = append(outer, q)
		}
	}
	if len(outer) != 2 || !outer[0].Closed || text[outer[0].Start:outer[0].End] != `I dislike the term 'outreach,' ` {
		t.Fatalf("got %+v", outer)
	}
}
