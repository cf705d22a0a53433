package extract

import (
	"reflect"
	"testing"

	"github.com/whosaid/whosaid/internal/nlp"
)

// allRanker takes the last candidate and wants them all: it shows that the
// choice, not the sieve order, decides.
type allRanker struct{}

func (allRanker) choose(_ *run, _ int, c []candidate) (int, float64) { return len(c) - 1, 0.5 }
func (allRanker) calibrated() bool                                   { return true }
func (allRanker) firstOnly() bool                                    { return false }

func newRun(x *Extractor, text string) *run {
	r := &run{x: x, d: nlp.New(text), usedCue: map[int]bool{}}
	r.german = isGerman(r.d)
	r.markQuotes()
	r.findCues()
	return r
}

func TestProposeHasNoSideEffects(t *testing.T) {
	x := mustNew(t)
	x.ranker = allRanker{}
	text := "Mayor Ann Brook spoke first. \"We will open the harbour in May,\" Brook said. \"It is ready now.\""
	r := newRun(x, text)
	base, ok := r.quoteBase(0)
	if !ok {
		t.Fatal("no first quote")
	}
	c1 := append([]candidate(nil), r.proposeQuote(0, base)...)
	if len(r.usedCue) != 0 || len(r.found) != 0 {
		t.Fatalf("proposeQuote changed the run: usedCue %v, found %d", r.usedCue, len(r.found))
	}
	c2 := r.proposeQuote(0, base)
	if !reflect.DeepEqual(c1, c2) {
		t.Fatalf("proposeQuote is not repeatable:\n%+v\n%+v", c1, c2)
	}
	if len(c1) < 2 || c1[0].sieve != sieveAfter {
		t.Fatalf("want the quote-speaker-cue candidate first among several, got %+v", c1)
	}
	for i := 1; i < len(c1); i++ {
		if c1[i].sieve <= c1[i-1].sieve {
			t.Errorf("candidates out of sieve order: %d then %d", c1[i-1].sieve, c1[i].sieve)
		}
	}
}

func TestRankerChooses(t *testing.T) {
	text := "Mayor Ann Brook spoke first. \"We will open the harbour in May,\" Brook said."
	rule := mustNew(t).Extract(text)
	other, err := New(WithRanker(allRanker{}))
	if err != nil {
		t.Fatal(err)
	}
	got := other.Extract(text)
	if len(rule.Quotes) != 1 || len(got.Quotes) != 1 {
		t.Fatalf("want one quote each, got %d and %d", len(rule.Quotes), len(got.Quotes))
	}
	if rule.Quotes[0].Rule != ruleQuoteSpeakerCue || rule.Quotes[0].Confidence != 0.93 {
		t.Errorf("rule ranker: %s %.2f, want %s 0.93", rule.Quotes[0].Rule, rule.Quotes[0].Confidence, ruleQuoteSpeakerCue)
	}
	if got.Quotes[0].Rule == ruleQuoteSpeakerCue || got.Quotes[0].Confidence != 0.5 {
		t.Errorf("last-candidate ranker: %s %.2f, want another rule at 0.5", got.Quotes[0].Rule, got.Quotes[0].Confidence)
	}
}
