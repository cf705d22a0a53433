package extract

import (
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"

	"github.com/whosaid/whosaid/internal/evaluate"
)

// TrainOptions set the training of a Model.
type TrainOptions struct {
	Seed   uint64  // seeds the order of examples in each epoch
	Epochs int     // passes over the examples; 0 means 30
	Rate   float64 // initial learning rate; 0 means 0.5
	L2     float64 // weight decay per example; 0 means 1e-6
}

// TrainStats count what training saw.
type TrainStats struct {
	Docs, Quotes, Examples, Positive int
	// Reachable counts quotes with at least one right candidate; Chosen
	// those where the trained model's choice is right.
	Reachable, Chosen int
	// ByLang counts quotes with candidates by language.
	ByLang map[string]int
}

// example is one candidate: its features and whether its speaker is right.
type example struct {
	fs    features
	label bool
	sieve int
	lw    string // last word of the speaker phrase
	keep  bool   // the first candidate of the group stands (see pick)
}

// Train fits a Model to gold articles in the format of shared/eval: for
// every quote of an article that matches a gold quoted attribution, every
// candidate the sieves and generators propose is an example, right when its
// mention overlaps the gold speaker span or ends in the gold speaker's last
// word. Earlier quotes of the article commit the first right candidate (or
// the rule ranker's), so that "previous speaker" features see the truth.
// Training is deterministic: the same documents, in the same order, with the
// same options give the same model bit for bit (on one architecture).
func Train(docs []evaluate.GoldDoc, o TrainOptions) (*Model, TrainStats, error) {
	if o.Epochs <= 0 {
		o.Epochs = 30
	}
	if o.Rate <= 0 {
		o.Rate = 0.5
	}
	if o.L2 <= 0 {
		o.L2 = 1e-6
	}
	x, err := New()
	if err != nil {
		return nil, TrainStats{}, err
	}
	tr := &teacher{}
	x.ranker = tr
	st := TrainStats{ByLang: map[string]int{}}
	for _, d := range docs {
		tr.setGold(d)
		x.Extract(d.Text)
		st.Docs++
	}
	m := &Model{weights: map[string][]float32{}}
	// English first: the other languages start from its weights, as most
	// features (sieve, distances, shapes) mean the same in any language.
	langs := make([]string, 0, len(tr.byLang))
	for l := range tr.byLang {
		langs = append(langs, l)
	}
	slices.SortFunc(langs, func(a, b string) int {
		if (a == "en") != (b == "en") {
			if a == "en" {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	var prior []float32
	for _, lang := range langs {
		groups := tr.byLang[lang]
		for _, g := range groups {
			st.Quotes++
			st.ByLang[lang]++
			st.Examples += len(g)
			for _, e := range g {
				if e.label {
					st.Positive++
				}
			}
		}
		ws := fit(groups, o, prior)
		m.weights[lang] = ws
		if lang == "en" {
			prior = ws
		}
		for _, g := range groups {
			best, _ := choose(ws, g)
			for _, e := range g {
				if e.label {
					st.Reachable++
					break
				}
			}
			if g[best].label {
				st.Chosen++
			}
		}
		m.weights[lang+calSuffix] = fitCalibration(groups, o, prior)
	}
	return m, st, nil
}

// fit runs stochastic gradient descent on the listwise (softmax) loss:
// for each quote, the probability the scores give its right candidates,
// with L2 decay. Quotes with no right candidate teach nothing.
func fit(groups [][]example, o TrainOptions, prior []float32) []float32 {
	w := make([]float64, 1<<featureBits)
	for i, v := range prior {
		w[i] = float64(v)
	}
	// the weights averaged over the epochs of the second half
	avg := make([]float64, 1<<featureBits)
	navg := 0
	var order []int
	for i, g := range groups {
		for _, e := range g {
			if e.label {
				order = append(order, i)
				break
			}
		}
	}
	rng := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	t := 0
	var ps []float64
	for ep := 0; ep < o.Epochs; ep++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			g := groups[k]
			ps = ps[:0]
			top := math.Inf(-1)
			npos := 0
			for _, e := range g {
				s := 0.0
				for _, i := range e.fs {
					s += w[i]
				}
				ps = append(ps, s)
				top = max(top, s)
				if e.label {
					npos++
				}
			}
			z := 0.0
			for i := range ps {
				ps[i] = math.Exp(ps[i] - top)
				z += ps[i]
			}
			eta := o.Rate / (1 + float64(t)/float64(len(order)+1))
			for j, e := range g {
				y := 0.0
				if e.label {
					y = 1 / float64(npos)
				}
				gr := eta * (ps[j]/z - y)
				if gr == 0 {
					continue
				}
				for _, i := range e.fs {
					w[i] -= gr
				}
			}
			if o.L2 > 0 {
				for _, e := range g {
					for _, i := range e.fs {
						w[i] -= eta * o.L2 * w[i]
					}
				}
			}
			t++
		}
		if ep >= o.Epochs/2 {
			for i, v := range w {
				avg[i] += v
			}
			navg++
		}
	}
	out := make([]float32, len(w))
	for i, v := range avg {
		v /= float64(navg)
		if math.Abs(v) > 1e-6 {
			out[i] = float32(v)
		}
	}
	return out
}

// choose picks among a group of examples as Model.choose does.
func choose(ws []float32, g []example) (int, float64) {
	scores := make([]float64, len(g))
	lws := make([]string, len(g))
	for i, e := range g {
		scores[i] = score(ws, e.fs)
		lws[i] = e.lw
	}
	return pick(scores, lws, g[0].keep)
}

// calFolds is the number of folds of the cross-fitting that gives the
// calibration its held-out choices.
const calFolds = 5

// fitCalibration fits the map from softmax mass to probability on choices
// made by rankers that did not see the quote: the groups split in calFolds
// folds by position, each scored by a ranker fitted on the others. Every
// group counts, those with no right candidate too.
func fitCalibration(groups [][]example, o TrainOptions, prior []float32) []float32 {
	type point struct {
		logit float64
		idx   [3]uint32
		y     float64
	}
	var pts []point
	for k := 0; k < calFolds; k++ {
		var train, held [][]example
		for i, g := range groups {
			if i%calFolds == k {
				held = append(held, g)
			} else {
				train = append(train, g)
			}
		}
		ws := fit(train, o, prior)
		for _, g := range held {
			best, p := choose(ws, g)
			l, idx := calFeatures(p, g[best].sieve, len(g))
			y := 0.0
			if g[best].label {
				y = 1
			}
			pts = append(pts, point{l, idx, y})
		}
	}
	w := make([]float64, 1<<featureBits)
	if len(pts) == 0 {
		return nil
	}
	// full-batch gradient descent, a fixed number of steps
	grad := make(map[uint32]float64)
	for it := 0; it < 300; it++ {
		clear(grad)
		for _, p := range pts {
			s := w[calLogit] * p.logit
			for _, i := range p.idx {
				s += w[i]
			}
			e := sigmoid(s) - p.y
			grad[calLogit] += e * p.logit
			for _, i := range p.idx {
				grad[i] += e
			}
		}
		n := float64(len(pts))
		// apply in index order: map order must not change the sums
		keys := make([]uint32, 0, len(grad))
		for i := range grad {
			keys = append(keys, i)
		}
		slices.Sort(keys)
		for _, i := range keys {
			w[i] -= 1.0 * (grad[i]/n + 1e-4*w[i])
		}
	}
	out := make([]float32, len(w))
	for i, v := range w {
		out[i] = float32(v)
	}
	return out
}

// teacher collects examples while extracting a gold article and commits the
// right candidate.
type teacher struct {
	d       evaluate.GoldDoc
	byteOf  []int // code point index -> byte offset
	gold    []goldQuoted
	byLang  map[string][][]example
	hashbuf features
}

type goldQuoted struct {
	frags    [][2]int // byte offsets
	ss, se   int      // speaker span in bytes, -1 when none
	lastWord string
}

func (t *teacher) setGold(d evaluate.GoldDoc) {
	t.d = d
	t.byteOf = t.byteOf[:0]
	for i := range d.Text {
		t.byteOf = append(t.byteOf, i)
	}
	t.byteOf = append(t.byteOf, len(d.Text))
	b := func(cp int) int {
		if cp < 0 {
			return 0
		}
		if cp >= len(t.byteOf) {
			return len(d.Text)
		}
		return t.byteOf[cp]
	}
	t.gold = t.gold[:0]
	byID := map[string]int{}
	for i, q := range d.Quotes {
		key := q.AttributionID
		if key == "" {
			key = "#" + string(rune(i))
		}
		k, ok := byID[key]
		if !ok {
			g := goldQuoted{ss: -1, se: -1}
			if q.Speaker != nil {
				g.lastWord = lastWord(*q.Speaker)
			}
			if q.SpeakerStart != nil && q.SpeakerEnd != nil {
				g.ss, g.se = b(*q.SpeakerStart), b(*q.SpeakerEnd)
			}
			k = len(t.gold)
			byID[key] = k
			t.gold = append(t.gold, g)
		}
		if q.Kind == "direct" || q.Kind == "mixed" {
			t.gold[k].frags = append(t.gold[k].frags, [2]int{b(q.Start), b(q.End)})
		}
	}
	if t.byLang == nil {
		t.byLang = map[string][][]example{}
	}
}

var goldWordRE = regexp.MustCompile(`[\p{L}\p{N}_’'-]+`)

var goldPronouns = map[string]bool{"he": true, "she": true, "they": true, "it": true, "we": true, "i": true, "him": true, "her": true, "them": true, "his": true, "its": true, "their": true}

func lastWord(s string) string {
	w := goldWordRE.FindAllString(s, -1)
	if len(w) == 0 {
		return ""
	}
	l := strings.Trim(strings.ToLower(w[len(w)-1]), "’'")
	if goldPronouns[l] {
		return ""
	}
	return l
}

// goldFor is the gold quoted attribution quote content [s, e) matches: an
// overlap of at least half the shorter span.
func (t *teacher) goldFor(s, e int) *goldQuoted {
	for k := range t.gold {
		g := &t.gold[k]
		if g.ss < 0 && g.lastWord == "" {
			continue
		}
		for _, f := range g.frags {
			lo, hi := max(s, f[0]), min(e, f[1])
			short := min(e-s, f[1]-f[0])
			if short > 0 && hi > lo && 2*(hi-lo) >= short {
				return g
			}
		}
	}
	return nil
}

func (t *teacher) right(r *run, g *goldQuoted, c *candidate) bool {
	ph, ok := r.effective(&c.f)
	if !ok {
		return false
	}
	d := r.d
	s, e := d.Tokens[ph.First].Start, d.Tokens[ph.Last-1].End
	if g.ss >= 0 && s < g.se && g.ss < e {
		return true
	}
	if ph.Ante != nil {
		// "Trump, who said": the speaker is named by the antecedent
		a := ph.Ante
		return g.lastWord != "" && lastWord(d.Text[d.Tokens[a.First].Start:d.Tokens[a.Last-1].End]) == g.lastWord || g.ss >= 0 && d.Tokens[a.First].Start < g.se && g.ss < d.Tokens[a.Last-1].End
	}
	if ph.Pronoun != "" || g.lastWord == "" {
		return false
	}
	return lastWord(d.Text[s:e]) == g.lastWord
}

func (t *teacher) choose(r *run, qi int, cands []candidate) (int, float64) {
	if len(cands) == 0 {
		return -1, 0
	}
	q := r.quotes[qi]
	g := t.goldFor(q.Start, q.End)
	if g == nil {
		return 0, cands[0].f.conf
	}
	lang := "en"
	if r.german {
		lang = "de"
	}
	group := make([]example, len(cands))
	pick := -1
	for i := range cands {
		t.hashbuf = r.candidateFeatures(qi, cands, i, t.hashbuf[:0])
		group[i] = example{fs: append(features(nil), t.hashbuf...), label: t.right(r, g, &cands[i]), sieve: cands[i].sieve, lw: r.lastWordOf(&cands[i].f)}
		if group[i].label && pick < 0 {
			pick = i
		}
	}
	group[0].keep = gated(cands[0].sieve) || r.colonIntro(qi, &cands[0])
	t.byLang[lang] = append(t.byLang[lang], group)
	if pick < 0 {
		pick = 0
	}
	return pick, cands[pick].f.conf
}

func (*teacher) calibrated() bool { return false }
func (*teacher) firstOnly() bool  { return false }
