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

func TestCalibration(t *testing.T) {
	// four quoted attributions, speaker right for three; confidences put
	// two in the 0.9 bin (one right) and two in the 0.5 bin (both right)
	var d GoldDoc
	var preds []Pred
	for i, c := range []struct {
		conf  float64
		right bool
	}{{0.95, true}, {0.91, false}, {0.55, true}, {0.51, true}} {
		s := i * 100
		d.Quotes = append(d.Quotes, GoldQuote{Start: s, End: s + 10, Kind: "direct", Speaker: sp("Ann Lee"), SpeakerStart: ip(s + 20), SpeakerEnd: ip(s + 27), AttributionID: string(rune('a' + i))})
		name := "Ann Lee"
		if !c.right {
			name = "Bob Roe"
		}
		preds = append(preds, Pred{Start: s, End: s + 10, Kind: "direct", Name: name, MentionStart: -1, MentionEnd: -1, Confidence: c.conf})
	}
	var s Scorer
	s.Add(d, preds, false)
	m := s.Metrics()
	// bin 0.9: conf 0.93, acc 0.5, gap 0.43; bin 0.5: conf 0.53, acc 1, gap 0.47
	want := 0.5*0.43 + 0.5*0.47
	if m.Speaker != 0.75 || math.Abs(m.ECE-want) > 1e-9 {
		t.Errorf("speaker %v ECE %v, want 0.75 and %v", m.Speaker, m.ECE, want)
	}
}
