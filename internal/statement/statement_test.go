package statement

import (
	"slices"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	long := Words("“We will rebuild every bridge in this province before the winter comes,” she said")
	for _, tc := range []struct {
		name string
		q    string
		s    []string
		want Match
		min  float64
		max  float64
	}{
		{"same words, other marks and case", `"WE WILL rebuild every bridge in this province — before the winter comes" she said`, long, Exact, 1, 1},
		{"partial quote", "rebuild every bridge in this province", long, Contained, 0.9, 0.99},
		{"statement inside a longer report", "Yes. We will rebuild every bridge in this province before the winter comes, she said, and more", long, Contained, 0.9, 0.99},
		{"a word dropped", "we will rebuild every bridge in this province before winter comes she said", long, Near, 0.75, 0.9},
		{"a word changed", "we will rebuild each bridge in this province before the winter comes she said", long, Near, 0.75, 0.9},
		{"words moved", "before the winter comes we will rebuild every bridge in this province she said", long, Near, 0.6, 0.9},
		{"other words", "the harvest was poor and prices rose across the region", long, None, 0, 0.5},
		{"two common words", "we will", long, Contained, 0.9, 1},
		{"empty", "", long, None, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			score, m := Compare(Words(tc.q), tc.s)
			if m != tc.want || score < tc.min || score > tc.max {
				t.Errorf("Compare = %.3f %q, want %q in [%.2f, %.2f]", score, m, tc.want, tc.min, tc.max)
			}
		})
	}
	// Symmetric in the match kind.
	a, b := Words("rebuild every bridge"), long
	_, m1 := Compare(a, b)
	_, m2 := Compare(b, a)
	if m1 != m2 {
		t.Errorf("Compare is not symmetric: %q vs %q", m1, m2)
	}
}

func TestShingles(t *testing.T) {
	full := Shingles(Words("We will rebuild every bridge in this province"))
	if len(full) != 6 {
		t.Fatalf("8 words gave %d shingles, want 6", len(full))
	}
	part := Shingles(Words("rebuild every bridge in"))
	for _, h := range part {
		found := false
		for _, f := range full {
			found = found || f == h
		}
		if !found {
			t.Errorf("a shingle of the partial quote is not among the full quote's")
		}
	}
	if got := Shingles(Words("No comment")); len(got) != 1 {
		t.Errorf("two words gave %d shingles, want 1", len(got))
	}
	if got := Shingles(nil); got != nil {
		t.Errorf("no words gave %v", got)
	}
	if a, b := Shingles(Words("Rebuild, every bridge!")), Shingles(Words("rebuild every BRIDGE")); len(a) != 1 || a[0] != b[0] {
		t.Error("folding does not make the same shingle")
	}
	for _, h := range full {
		if b := Bucket(h); len(b) != 3 {
			t.Errorf("Bucket(%d) = %q", h, b)
		}
	}
}

func TestSameSpeaker(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"Clara Jansen", "Jansen", true},
		{"Jansen", "Clara Jansen", true},
		{"Clara Jansen", "CLARA JANSEN", true},
		{"Clara Maria Jansen", "Clara Jansen", true},
		{"Clara Jansen", "Pieter Jansen", false},
		{"Clara Jansen", "Clara", false},
		{"Jansen", "Jansens", false},
		{"", "Jansen", false},
		{"Zelenskyy", "Volodymyr Zelenskyy", true},
	} {
		if got := SameSpeaker(tc.a, tc.b); got != tc.want {
			t.Errorf("SameSpeaker(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	if Fuller("Jansen", "Clara Jansen") != "Clara Jansen" || Fuller("Clara Jansen", "Jansen") != "Clara Jansen" {
		t.Error("Fuller")
	}
}

// Every run of at least MinJoinWords words of a text shares a shingle with
// the text's IndexShingles, and the same words share all of theirs: a join
// is never missed for the shingles that were left out of the index.
func TestIndexShinglesKeepJoins(t *testing.T) {
	vocab := strings.Fields("we will rebuild every bridge in this province and the old harbour before winter comes")
	for seed := range 200 {
		n := 1 + seed%40
		words := make([]string, n)
		for i := range words {
			words[i] = vocab[(seed*7+i*i*3+i)%len(vocab)]
		}
		indexed := IndexShingles(words)
		if len(indexed) > len(Shingles(words)) || (n >= 9 && 2*len(indexed) > len(Shingles(words))+2) {
			t.Fatalf("%d words: %d indexed of %d shingles: not a sample", n, len(indexed), len(Shingles(words)))
		}
		has := func(hs []int64) bool {
			for _, h := range hs {
				if _, ok := slices.BinarySearch(indexed, h); ok {
					return true
				}
			}
			return false
		}
		if !has(Shingles(words)) {
			t.Fatalf("%d words: the same text shares no indexed shingle", n)
		}
		for i := 0; i < n; i++ {
			for j := i + MinJoinWords; j <= n; j++ {
				if !has(Shingles(words[i:j])) {
					t.Fatalf("%d words: words[%d:%d] shares no indexed shingle with the text", n, i, j)
				}
			}
		}
	}
}

// CompareJoin decides joins as Compare does: the same score for the same
// words and for a run of the other, None where Compare finds a near match
// or nothing.
func TestCompareJoinAgreesWithCompare(t *testing.T) {
	base := Words("We will rebuild every bridge in this province before the winter comes")
	for i := 0; i <= len(base); i++ {
		for j := i + 1; j <= len(base); j++ {
			part := base[i:j]
			near := append(slices.Clone(part), "indeed")
			for _, q := range [][]string{part, near, Words("something else entirely")} {
				cs, cm := Compare(q, base)
				js, jm := CompareJoin(q, base)
				want := cm
				if cm == Near {
					want, cs = None, 0
				}
				if jm != want || (jm != None && js != cs) {
					t.Fatalf("CompareJoin(%q) = %v %v, Compare %v %v", q, js, jm, cs, cm)
				}
			}
		}
	}
}
