// Package evaluate scores quote-attribution predictions against gold data
// with the protocol of the project's judge (shared/eval/score.py): gold
// attributions are fragments merged by attribution_id; a prediction matches
// a fragment when their overlap covers at least half of the shorter span;
// quoted (direct, mixed) and indirect attributions are scored apart; the
// speaker is right when the mention span overlaps the gold source span or the
// name's last word equals the gold speaker's last word (never for pronouns).
package evaluate

import (
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Offsets are Unicode code points throughout this package.

// GoldQuote is one gold content fragment.
type GoldQuote struct {
	Start         int     `json:"start"`
	End           int     `json:"end"`
	Text          string  `json:"text"`
	Kind          string  `json:"kind"`
	Speaker       *string `json:"speaker"`
	SpeakerStart  *int    `json:"speaker_start"`
	SpeakerEnd    *int    `json:"speaker_end"`
	AttributionID string  `json:"attribution_id"`
}

// GoldDoc is one gold article.
type GoldDoc struct {
	ID     string      `json:"id"`
	Text   string      `json:"text"`
	Quotes []GoldQuote `json:"quotes"`
}

// Pred is one predicted quote.
type Pred struct {
	Start, End int
	Kind       string
	Name       string
	// MentionStart and MentionEnd are -1 when there is no mention.
	MentionStart, MentionEnd int
	// Confidence is the extractor's confidence in the attribution (0..1).
	Confidence float64
}

type span struct{ s, e int }

type attr struct {
	frags   []span
	kind    string
	speaker string
	hasSpk  bool
	ss, se  int
	hasSpan bool
}

// Counts are the raw tallies behind the metrics.
type Counts struct {
	PredQuoted, PredQuotedOK      int
	PredIndirect, PredIndirectOK  int
	GoldQuoted, GoldQuotedHit     int
	GoldIndirect, GoldIndirectHit int
	SpeakerN, SpeakerOK           int
	Missing                       int
	E2EGold, E2EHit               int
	E2EPred, E2EOK                int
	Docs                          int
}

// Scorer accumulates counts over documents.
type Scorer struct {
	C Counts
	// calib tallies, per tenth of confidence, the matched quoted
	// attributions with a gold speaker and how many got it right.
	calib [calibBins]struct {
		n, ok int
		conf  float64
	}
}

const calibBins = 10

func attributions(d GoldDoc) []*attr {
	var order []*attr
	byKey := map[string]*attr{}
	for i, q := range d.Quotes {
		key := q.AttributionID
		if key == "" {
			key = fmt.Sprintf("q%d", i)
		}
		a, ok := byKey[key]
		if !ok {
			a = &attr{kind: q.Kind}
			if q.Speaker != nil {
				a.speaker, a.hasSpk = *q.Speaker, *q.Speaker != ""
			}
			if q.SpeakerStart != nil && q.SpeakerEnd != nil {
				a.ss, a.se, a.hasSpan = *q.SpeakerStart, *q.SpeakerEnd, true
			}
			byKey[key] = a
			order = append(order, a)
		}
		a.frags = append(a.frags, span{q.Start, q.End})
		if q.Kind != "indirect" {
			if q.Kind == "direct" && a.kind != "mixed" {
				a.kind = "direct"
			} else {
				a.kind = q.Kind
			}
		}
	}
	return order
}

func overlap(a, b span) int {
	lo, hi := max(a.s, b.s), min(a.e, b.e)
	if hi < lo {
		return 0
	}
	return hi - lo
}

func matches(p Pred, f span) bool {
	o := overlap(span{p.Start, p.End}, f)
	short := min(p.End-p.Start, f.e-f.s)
	return short > 0 && float64(o) >= 0.5*float64(short)
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}_’'-]+`)

func lastWord(s string) string {
	w := wordRE.FindAllString(s, -1)
	if len(w) == 0 {
		return ""
	}
	return strings.Trim(strings.ToLower(w[len(w)-1]), "’'")
}

var pronouns = map[string]bool{"he": true, "she": true, "they": true, "it": true, "we": true, "i": true, "him": true, "her": true, "them": true, "his": true, "its": true, "their": true}

func speakerOK(p Pred, g *attr) bool {
	if p.MentionStart >= 0 && g.hasSpan && overlap(span{p.MentionStart, p.MentionEnd}, span{g.ss, g.se}) > 0 {
		return true
	}
	gl := lastWord(g.speaker)
	return gl != "" && !pronouns[gl] && gl == lastWord(p.Name)
}

func quoted(kind string) bool { return kind == "direct" || kind == "mixed" }

// Add scores one document; preds is nil when the prediction is missing.
func (s *Scorer) Add(d GoldDoc, preds []Pred, missing bool) {
	c := &s.C
	c.Docs++
	if missing {
		c.Missing++
	}
	atts := attributions(d)
	used := make([]bool, len(preds))
	for _, g := range atts {
		isQ := quoted(g.kind)
		var hits []int
		for i, p := range preds {
			for _, f := range g.frags {
				if matches(p, f) {
					hits = append(hits, i)
					break
				}
			}
		}
		if isQ {
			c.GoldQuoted++
			var qh []int
			for _, i := range hits {
				if quoted(preds[i].Kind) {
					qh = append(qh, i)
				}
			}
			if len(qh) > 0 {
				c.GoldQuotedHit++
				if g.hasSpk {
					c.SpeakerN++
					ok := false
					for _, i := range qh {
						if speakerOK(preds[i], g) {
							c.SpeakerOK++
							ok = true
							break
						}
					}
					conf := min(max(preds[qh[0]].Confidence, 0), 1)
					b := &s.calib[min(int(conf*calibBins), calibBins-1)]
					b.n++
					b.conf += conf
					if ok {
						b.ok++
					}
				}
			}
		} else {
			c.GoldIndirect++
			for _, i := range hits {
				if preds[i].Kind == "indirect" {
					c.GoldIndirectHit++
					break
				}
			}
		}
		for _, i := range hits {
			used[i] = true
		}
		c.E2EGold++
		for _, i := range hits {
			if (preds[i].Kind == "indirect") == !isQ && (!g.hasSpk || speakerOK(preds[i], g)) {
				c.E2EHit++
				break
			}
		}
	}
	for i, p := range preds {
		c.E2EPred++
	found:
		for _, g := range atts {
			for _, f := range g.frags {
				if matches(p, f) {
					if !g.hasSpk || speakerOK(p, g) {
						c.E2EOK++
						break found
					}
					break
				}
			}
		}
		if p.Kind == "indirect" {
			c.PredIndirect++
			if used[i] {
				c.PredIndirectOK++
			}
		} else {
			c.PredQuoted++
			if used[i] {
				c.PredQuotedOK++
			}
		}
	}
}

// PRF is precision, recall and F1.
type PRF struct{ P, R, F1 float64 }

func prf(ok, nPred, hit, nGold int) PRF {
	var r PRF
	if nPred > 0 {
		r.P = float64(ok) / float64(nPred)
	}
	if nGold > 0 {
		r.R = float64(hit) / float64(nGold)
	}
	if r.P+r.R > 0 {
		r.F1 = 2 * r.P * r.R / (r.P + r.R)
	}
	return r
}

// Metrics are the figures score.py prints.
type Metrics struct {
	Quoted   PRF     `json:"quoted"`
	Speaker  float64 `json:"speaker_acc"`
	Indirect PRF     `json:"indirect"`
	E2E      PRF     `json:"end2end"`
	Counts   Counts  `json:"counts"`
	// ECE is the expected calibration error of the speaker: over the
	// matched quoted attributions in ten bins of confidence, the mean gap
	// between confidence and accuracy, weighted by the bin's share.
	ECE float64 `json:"speaker_ece"`
}

// Metrics computes the figures from the counts so far.
func (s *Scorer) Metrics() Metrics {
	c := s.C
	m := Metrics{
		Quoted:   prf(c.PredQuotedOK, c.PredQuoted, c.GoldQuotedHit, c.GoldQuoted),
		Indirect: prf(c.PredIndirectOK, c.PredIndirect, c.GoldIndirectHit, c.GoldIndirect),
		E2E:      prf(c.E2EOK, c.E2EPred, c.E2EHit, c.E2EGold),
		Counts:   c,
	}
	if c.SpeakerN > 0 {
		m.Speaker = float64(c.SpeakerOK) / float64(c.SpeakerN)
		for _, b := range s.calib {
			if b.n > 0 {
				gap := b.conf/float64(b.n) - float64(b.ok)/float64(b.n)
				if gap < 0 {
					gap = -gap
				}
				m.ECE += float64(b.n) / float64(c.SpeakerN) * gap
			}
		}
	}
	return m
}

// Write prints the metrics in score.py's layout.
func (m Metrics) Write(w io.Writer) error {
	c := m.Counts
	_, err := fmt.Fprintf(w, "quoted   P=%.3f R=%.3f F1=%.3f  (gold %d, pred %d)\n"+
		"speaker  acc=%.3f over %d matched quoted attributions, ECE=%.3f\n"+
		"indirect P=%.3f R=%.3f F1=%.3f  (gold %d, pred %d)\n"+
		"end2end  P=%.3f R=%.3f F1=%.3f  (content and speaker right; gold %d, pred %d)\n"+
		"docs %d, missing predictions %d\n",
		m.Quoted.P, m.Quoted.R, m.Quoted.F1, c.GoldQuoted, c.PredQuoted,
		m.Speaker, c.SpeakerN, m.ECE,
		m.Indirect.P, m.Indirect.R, m.Indirect.F1, c.GoldIndirect, c.PredIndirect,
		m.E2E.P, m.E2E.R, m.E2E.F1, c.E2EGold, c.E2EPred,
		c.Docs, c.Missing)
	return err
}
