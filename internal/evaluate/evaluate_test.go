package evaluate

import (
	"math"
	"testing"
)

func sp(s string) *string { return &s }
func ip(i int) *int       { return &i }

func TestScorer(t *testing.T) {
	// Text: `"We go," said Ann Lee. Bob said the plan failed.` (code points)
	d := GoldDoc{ID: "x", Quotes: []GoldQuote{
		{Start: 1, End: 7, Kind: "direct", Speaker: sp("Ann Lee"), SpeakerStart: ip(14), SpeakerEnd: ip(21), AttributionID: "a"},
		{Start: 32, End: 47, Kind: "indirect", Speaker: sp("Bob"), SpeakerStart: ip(23), SpeakerEnd: ip(26), AttributionID: "b"},
		{Start: 50, End: 60, Kind: "mixed", Speaker: sp("he"), SpeakerStart: ip(61), SpeakerEnd: ip(63), AttributionID: "c"},
	}}
	preds := []Pred{
		{Start: 1, End: 6, Kind: "direct", Name: "Ann Lee", MentionStart: -1, MentionEnd: -1},    // right by name
		{Start: 32, End: 40, Kind: "indirect", Name: "Robert", MentionStart: 23, MentionEnd: 26}, // right by mention
		{Start: 50, End: 60, Kind: "mixed", Name: "Carl He", MentionStart: 70, MentionEnd: 72},   // pronoun gold: name does not count
		{Start: 80, End: 90, Kind: "indirect", Name: "Nobody", MentionStart: -1, MentionEnd: -1}, // no gold there
	}
	var s Scorer
	s.Add(d, preds, false)
	m := s.Metrics()
	c := m.Counts
	if c.GoldQuoted != 2 || c.GoldQuotedHit != 2 || c.PredQuoted != 2 || c.PredQuotedOK != 2 {
		t.Errorf("quoted counts = %+v", c)
	}
	if c.SpeakerN != 2 || c.SpeakerOK != 1 {
		t.Errorf("speaker = %d/%d, want 1/2", c.SpeakerOK, c.SpeakerN)
	}
	if c.GoldIndirect != 1 || c.GoldIndirectHit != 1 || c.PredIndirect != 2 || c.PredIndirectOK != 1 {
		t.Errorf("indirect counts = %+v", c)
	}
	if c.E2EGold != 3 || c.E2EHit != 2 || c.E2EPred != 4 || c.E2EOK != 2 {
		t.Errorf("end-to-end counts = %+v", c)
	}
	if math.Abs(m.Indirect.F1-2.0/3) > 1e-9 {
		t.Errorf("indirect F1 = %v, want 2/3", m.Indirect.F1)
	}
}

func TestMatchNeedsHalfOfShorter(t *testing.T) {
	f := span{10, 20}
	for _, tc := range []struct {
		p    Pred
		want bool
	}{
		{Pred{Start: 15, End: 40}, true},  // 5 of the shorter 10
		{Pred{Start: 16, End: 40}, false}, // 4 of 10
		{Pred{Start: 12, End: 14}, true},  // inside
		{Pred{Start: 20, End: 30}, false}, // touching
	} {
		if got := matches(tc.p, f); got != tc.want {
			t.Errorf("matches(%+v, %+v) = %v, want %v", tc.p, f, got, tc.want)
		}
	}
}
