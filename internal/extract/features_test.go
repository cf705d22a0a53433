package extract

import (
	"slices"
	"strings"
	"testing"
)

// recordRanker keeps, for every candidate of every quote, its phrase, its
// cue and its features, and chooses as the rule ranker does.
type recordRanker struct{ cands []recorded }

type recorded struct {
	quote, phrase, cue string
	feats              features
}

func (rr *recordRanker) choose(r *run, qi int, cands []candidate) (int, float64) {
	q := r.quotes[qi]
	for i := range cands {
		rec := recorded{quote: r.d.Text[q.Start:q.End]}
		if ph, ok := r.effective(&cands[i].f); ok {
			rec.phrase = r.d.Text[r.d.Tokens[ph.First].Start:r.d.Tokens[ph.Last-1].End]
		}
		if c := cands[i].f.cue; c != nil && c.First >= 0 {
			rec.cue = r.d.Text[r.d.Tokens[c.First].Start:r.d.Tokens[c.Last-1].End]
		}
		rec.feats = r.candidateFeatures(qi, cands, i, nil)
		rr.cands = append(rr.cands, rec)
	}
	return ruleRanker{}.choose(r, qi, cands)
}

func (*recordRanker) calibrated() bool { return false }
func (*recordRanker) firstOnly() bool  { return false }

func candidatesOf(t *testing.T, text string) []recorded {
	t.Helper()
	rr := &recordRanker{}
	x, err := New(WithRanker(rr))
	if err != nil {
		t.Fatal(err)
	}
	x.Extract(text)
	return rr.cands
}

// TestCandidateFeatures: what the ranker is told about a candidate, on
// invented sentences.
func TestCandidateFeatures(t *testing.T) {
	tests := []struct {
		name, text, quote, phrase, feature string
		want                               bool
	}{
		{"a speaker in the next paragraph is later, not the same paragraph",
			"His former partner, Lee Bell, called him a master of the deal. \"He always found a way out of a corner.\"\n\nThe firm was a giant, Mr. Clarke said, until it went under.",
			"He always found", "Mr. Clarke", "paradist|later", true},
		{"a speaker in the quote's paragraph",
			"His former partner, Lee Bell, called him a master of the deal. \"He always found a way out of a corner.\"\n\nThe firm was a giant, Mr. Clarke said, until it went under.",
			"He always found", "Lee Bell", "paradist|0", true},
		{"a name inside the main cue's reported clause",
			`Donna Brazile said on Sunday that she was glad Clinton felt better and looks forward to "seeing her back out on the trail."`,
			"seeing her back", "Clinton", "in-complement|name", true},
		{"the main cue's subject is not inside its clause",
			`Donna Brazile said on Sunday that she was glad Clinton felt better and looks forward to "seeing her back out on the trail."`,
			"seeing her back", "Donna Brazile", "in-complement|name", false},
		{"a state after a town",
			`Tom Reyes, of Dayton, Ohio, said on Monday that the plant "will close by the spring."`,
			"will close", "Ohio", "place-pair", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cands := candidatesOf(t, tc.text)
			found := false
			for _, c := range cands {
				if !strings.Contains(c.quote, tc.quote) || c.phrase != tc.phrase {
					continue
				}
				found = true
				if got := slices.Contains(c.feats, hashFeature(tc.feature)); got != tc.want {
					t.Errorf("candidate %q (cue %q): feature %q is %v, want %v", c.phrase, c.cue, tc.feature, got, tc.want)
				}
			}
			if !found {
				t.Fatalf("no candidate %q for the quote %q in %+v", tc.phrase, tc.quote, cands)
			}
		})
	}
}

// TestNoPronounOfTheReportedClause: after "said" the pronoun that opens
// the reported clause ("said he had served") is no speaker candidate of
// that cue; an inverted subject at the end of the clause is ("..., said
// he.").
func TestNoPronounOfTheReportedClause(t *testing.T) {
	for _, c := range candidatesOf(t, `Tom Reyes, of Dayton, Ohio, said he had served in the navy "for the sake of the country."`) {
		if c.phrase == "he" && c.cue == "said" {
			t.Errorf("candidate %q of cue %q", c.phrase, c.cue)
		}
	}
	ok := false
	for _, c := range candidatesOf(t, `Tom Reyes walked in. "We served for the sake of the country," said he.`) {
		ok = ok || c.phrase == "he" && c.cue == "said"
	}
	if !ok {
		t.Error(`no candidate "he" for the inverted "said he."`)
	}
}
