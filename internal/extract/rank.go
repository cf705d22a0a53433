package extract

// candidate is one proposed attribution of a quote: what a sieve would
// commit, with its place in the proposal order.
type candidate struct {
	f     found
	sieve int // the sieve that proposed it
	order int
}

// Ranker chooses among the candidates the sieves propose for a quote. The
// rule ranker takes the first (the sieve order is its ranking); a trained
// ranker scores every candidate.
type Ranker interface {
	// choose returns the index of the chosen candidate, or -1 for none, and
	// the confidence of the choice.
	choose(r *run, qi int, cands []candidate) (int, float64)
	// calibrated reports whether the confidence is a probability; when it
	// is not, the commit step applies the rule ranker's fixed discounts.
	calibrated() bool
	// firstOnly reports whether the ranker only ever takes the first
	// candidate, so that the sieves after a hit need not run.
	firstOnly() bool
}

// ruleRanker reproduces the sieve cascade: first hit wins, with the
// sieve's own confidence.
type ruleRanker struct{}

func (ruleRanker) choose(_ *run, _ int, cands []candidate) (int, float64) {
	if len(cands) == 0 {
		return -1, 0
	}
	return 0, cands[0].f.conf
}

func (ruleRanker) calibrated() bool { return false }

func (ruleRanker) firstOnly() bool { return true }
