package extract

import (
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/nlp"
)

// Candidates beyond the sieves' own proposals, for a ranker that scores
// them all: the subject of every cue near the quote and the speaker of an
// earlier quote nearby.
const (
	genCueSubject = numSieves + iota // the subject of a cue in the quote's sentence or a neighbour
	genInherit                       // the speaker of an earlier quote of the paragraph or the one before
	genNearby                        // a name, pronoun or definite phrase in the quote's sentence or a neighbour
	numGenerators
)

// sieveNames name the sieves and generators in features.
var sieveNames = [numGenerators]string{"transcript", "after", "intro", "colon", "before", "trailing", "german-colon", "context", "subject", "cue-subject", "inherit", "nearby"}

// moreCandidates adds the cue subjects and earlier speakers near quote qi
// that no sieve proposed. No side effects.
func (r *run) moreCandidates(qi int, base found, cands []candidate) []candidate {
	d := r.d
	o := r.qOpenTok[qi]
	s := d.Tokens[o].Sent
	have := func(ph phrase) bool {
		for i := range cands {
			if p, ok := r.effective(&cands[i].f); ok && p.First == ph.First && p.Last == ph.Last {
				return true
			}
		}
		return false
	}
	for ps := max(0, s-1); ps <= s+1 && ps < len(d.Sents); ps++ {
		sent := d.Sents[ps]
		from := max(sent.First, o-2*maxBack)
		to := min(sent.Last, o+2*maxAhead)
		for i := from; i < to; i++ {
			if r.cueAt[i] < 0 || r.inQuote[i] >= 0 {
				continue
			}
			c := r.cues[r.cueAt[i]]
			var ph phrase
			ok := false
			switch c.Entry.Class {
			case ClassSpeech, ClassBelief:
				ph, ok = r.subjectOf(c, sent.First, sent.Last)
				if !ok {
					ph, ok = r.x.rightPhrase(d, c.Last, sent.Last)
				}
			case ClassSource:
				ph, ok = r.x.rightPhrase(d, c.Last, sent.Last)
			}
			if !ok || r.inQuote[ph.First] >= 0 || have(ph) {
				continue
			}
			f := base
			f.speaker, f.hasSpk = ph, true
			f.rule, f.conf = ruleGenerated(qi, r, ph), 0.3
			cc := c
			f.cue = &cc
			f.kind = r.quoteKind(qi, false)
			cands = append(cands, candidate{f: f, sieve: genCueSubject, order: len(cands)})
		}
	}
	// phrases the chunker builds around the quote: names, pronouns and
	// definite noun phrases, at most maxNearby
	const maxNearby = 10
	n := 0
	for ps := max(0, s-1); ps <= s+1 && ps < len(d.Sents) && n < maxNearby; ps++ {
		sent := d.Sents[ps]
		from := max(sent.First, o-maxBack)
		to := min(sent.Last, o+maxAhead)
		for i := from; i < to && n < maxNearby; i++ {
			t := d.Tokens[i]
			if r.inQuote[i] >= 0 || t.Kind != nlp.Word {
				continue
			}
			// a phrase ends at i when the next token cannot continue it
			if i+1 < to && r.inQuote[i+1] < 0 && (r.x.isNameToken(d, i+1) && t.Cap || d.Tokens[i+1].Lower == "'s") {
				continue
			}
			ph, ok := r.x.leftPhrase(d, i+1, sent.First)
			if !ok || r.inQuote[ph.First] >= 0 || ph.Type == attribution.SpeakerAnonymous && ph.Pronoun == "" {
				continue
			}
			if ph.Pronoun == "" && !ph.Definite && ph.NameFirst < 0 {
				continue
			}
			if ph.Pronoun == "it" || ph.Pronoun == "you" || ph.Pronoun == "him" || ph.Pronoun == "them" || ph.Pronoun == "his" || ph.Pronoun == "its" || ph.Pronoun == "their" || ph.Pronoun == "her" {
				continue
			}
			if have(ph) {
				continue
			}
			f := base
			f.speaker, f.hasSpk = ph, true
			f.rule, f.conf = ruleSubject, 0.3
			if ps != s {
				f.rule = ruleNeighbour
			}
			f.kind = r.quoteKind(qi, false)
			cands = append(cands, candidate{f: f, sieve: genNearby, order: len(cands)})
			n++
		}
	}
	// the speakers of the two latest attributed quotes within a paragraph back
	para := d.Tokens[o].Para
	n = 0
	for k := len(r.found) - 1; k >= 0 && n < 2; k-- {
		p := &r.found[k]
		if p.quote < 0 {
			continue
		}
		if d.Tokens[r.qOpenTok[p.quote]].Para < para-1 {
			break
		}
		ph, ok := r.effective(p)
		if !ok {
			continue
		}
		n++
		if have(ph) {
			continue
		}
		f := base
		f.inherit, f.rule, f.conf = p.quote, ruleSameParagraph, 0.3
		if d.Tokens[r.qOpenTok[p.quote]].Para != para {
			f.rule = ruleContinuation
		}
		f.kind = r.quoteKind(qi, false)
		cands = append(cands, candidate{f: f, sieve: genInherit, order: len(cands)})
	}
	return cands
}

// ruleGenerated names the rule of a generated cue-subject candidate by where
// its phrase stands: before the quote or after it.
func ruleGenerated(qi int, r *run, ph phrase) string {
	if ph.Last <= r.qOpenTok[qi] {
		return ruleEmbedded
	}
	return ruleTrailingCue
}

// effective is the speaker phrase an attribution rests on, following
// inherited speakers back to the quote that named one.
func (r *run) effective(f *found) (phrase, bool) {
	for hops := 0; hops < 64; hops++ {
		if f.hasSpk {
			return f.speaker, true
		}
		if f.inherit < 0 {
			return phrase{}, false
		}
		var next *found
		for k := len(r.found) - 1; k >= 0; k-- {
			if r.found[k].quote == f.inherit {
				next = &r.found[k]
				break
			}
		}
		if next == nil {
			return phrase{}, false
		}
		f = next
	}
	return phrase{}, false
}

// featureBits is log2 of the number of hashed feature slots.
const featureBits = 16

// features are hashed indices of a candidate's features; the same index may
// appear twice.
type features []uint32

func hashFeature(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32() & (1<<featureBits - 1)
}

func bucket(n int, edges ...int) string {
	for _, e := range edges {
		if n <= e {
			return strconv.Itoa(e)
		}
	}
	return "more"
}

// candidateFeatures describes candidate i of quote qi for the trained
// ranker: rule and order, phrase shape and type, side and distance, the cue,
// the shape of the quote, agreement with the other candidates and with the
// previous speaker.
func (r *run) candidateFeatures(qi int, cands []candidate, i int, buf []string) []string {
	d := r.d
	c := &cands[i]
	f := &c.f
	o := r.qOpenTok[qi]
	cl := r.qCloseTok[qi]
	if cl < 0 {
		cl = r.qLast[qi]
	}
	name := sieveNames[c.sieve]
	add := func(parts ...string) { buf = append(buf, strings.Join(parts, "|")) }
	add("bias")
	add("sieve", name)
	add("sieve-order", name, bucket(c.order, 0, 1, 2))
	add("order", bucket(c.order, 0, 1, 2, 3))
	add("n", bucket(len(cands), 1, 2, 3, 4, 6))
	add("rule", f.rule)
	add("kind", string(f.kind))
	firstSieve := c.order == 0
	if firstSieve {
		add("first", name)
	}
	ph, ok := r.effective(f)
	if !ok {
		add("nophrase", name)
		return buf
	}
	// phrase shape
	typ := string(ph.Type)
	shape := "name"
	switch {
	case ph.Pronoun != "":
		shape = "pron:" + ph.Pronoun
	case ph.Nominal && ph.Definite:
		shape = "def"
	case ph.Nominal:
		shape = "indef"
	}
	add("shape", shape)
	add("type", typ)
	add("shape-sieve", shape, name)
	add("type-sieve", typ, name)
	if ph.Role != "" {
		add("role")
	}
	nl := ph.NameLast - ph.NameFirst
	if ph.NameFirst >= 0 {
		add("namelen", bucket(nl, 1, 2, 3))
		if _, first := r.x.lex.firstMF[d.Tokens[ph.NameFirst].Lower]; first {
			add("firstname")
		}
	}
	if ph.Head != "" && ph.Nominal {
		add("head", ph.Head)
	}
	if ph.Ante != nil {
		add("relative")
	}
	if ph.Last < len(d.Tokens) {
		nx := d.Tokens[ph.Last]
		switch {
		case r.cueAt[ph.Last] >= 0:
			add("next", "cue")
		case nx.Kind == nlp.Word && !nx.Cap && looksVerb(nx.Lower):
			add("next", "verb")
		case nx.Kind == nlp.Punct:
			add("next", nx.Lower)
		default:
			add("next", "other")
		}
	}
	if ph.First > 0 {
		pv := d.Tokens[ph.First-1]
		switch {
		case r.cueAt[ph.First-1] >= 0:
			add("prevtok", "cue")
		case pv.Kind == nlp.Punct:
			add("prevtok", pv.Lower)
		case isPreposition(pv.Lower):
			add("prevtok", "prep")
		}
	}
	// side and distance
	side, dist := "in", 0
	switch {
	case ph.Last <= o:
		side, dist = "before", o-ph.Last
	case ph.First > cl:
		side, dist = "after", ph.First-cl-1
	}
	db := bucket(dist, 0, 1, 2, 4, 8, 16, 32)
	add("side", side)
	add("dist", side, db)
	add("dist-sieve", side, db, name)
	sd := d.Tokens[ph.First].Sent - d.Tokens[o].Sent
	if sd > 2 || sd < -2 {
		sd = 3
	}
	add("sentdist", strconv.Itoa(sd))
	pd := d.Tokens[o].Para - d.Tokens[ph.First].Para
	add("paradist", bucket(pd, 0, 1, 2))
	add("paradist-shape", bucket(pd, 0, 1), shape)
	// the cue
	if f.cue != nil {
		e := f.cue.Entry
		add("cueclass", strconv.Itoa(int(e.Class)))
		if e.Strong {
			add("cuestrong")
		}
		if e.Nouny {
			add("cuenouny")
		}
		if f.cue.First >= 0 {
			add("cue", e.Lemma)
			gap := 0
			cueSide := "before"
			if f.cue.Last <= o {
				gap = o - f.cue.Last
			} else {
				cueSide, gap = "after", f.cue.First-cl-1
			}
			add("cuegap", cueSide, bucket(gap, 0, 1, 2, 4, 8, 16))
			// phrase is the cue's subject right next to it
			if ph.Last == f.cue.First || ph.First == f.cue.Last {
				add("cue-adjacent")
			}
		}
	} else {
		add("nocue", name)
	}
	// the quote's shape
	if o > 0 {
		add("pre", d.Tokens[o-1].Lower)
		if d.Tokens[o-1].Para != d.Tokens[o].Para {
			add("opens-para")
		}
	} else {
		add("opens-para")
	}
	if r.endsOpen(qi) {
		add("ends-open")
	}
	if r.endsPeriod(qi) {
		add("ends-period")
	}
	if sf, _ := r.sentBounds(o); sf == o {
		add("opens-sent")
	}
	if cl+1 < len(d.Tokens) {
		next := d.Tokens[cl+1]
		if next.Para != d.Tokens[o].Para {
			add("ends-para")
		} else if r.cueAt[cl+1] >= 0 {
			add("post-cue")
		} else {
			add("post", next.Lower)
		}
	}
	add("qwords", bucket(r.quoteWords(qi), 3, 6, 12, 25))
	// agreement: other candidates naming the same last word
	lw := d.Tokens[ph.Last-1].Lower
	votes := 0
	for j := range cands {
		if j == i {
			continue
		}
		if p, ok := r.effective(&cands[j].f); ok && d.Tokens[p.Last-1].Lower == lw {
			votes++
		}
	}
	add("votes", bucket(votes, 0, 1, 2))
	// the previous speaker of the paragraph
	for k := len(r.found) - 1; k >= 0; k-- {
		p := &r.found[k]
		if p.quote < 0 {
			continue
		}
		pp, ok := r.effective(p)
		if !ok {
			continue
		}
		same := d.Tokens[pp.Last-1].Lower == lw
		para := d.Tokens[r.qOpenTok[p.quote]].Para
		rel := bucket(d.Tokens[o].Para-para, 0, 1)
		add("prev", rel, strconv.FormatBool(same))
		add("prev-shape", rel, strconv.FormatBool(same), shape)
		break
	}
	// pronoun agreement with the latest named person before it
	if ph.Pronoun == "he" || ph.Pronoun == "she" {
		g := r.lastGender(ph.First)
		want := byte('m')
		if ph.Pronoun == "she" {
			want = 'f'
		}
		switch {
		case g == 0:
			add("pron-agree", "unknown")
		case g == want:
			add("pron-agree", "yes")
		default:
			add("pron-agree", "no")
		}
	}
	if ph.Type == attribution.SpeakerPerson && ph.Pronoun == "" && nl == 1 && !r.namedInFull(lw, ph.First) {
		add("lone-name")
	}
	return buf
}

// lastGender is the gender of the first name of the latest full name before
// token i in its paragraph or the one before, 0 when unknown.
func (r *run) lastGender(i int) byte {
	d := r.d
	para := d.Tokens[i].Para
	for k := i - 1; k >= 0 && k > i-400; k-- {
		t := d.Tokens[k]
		if t.Para < para-1 {
			break
		}
		if t.Kind != nlp.Word || !t.Cap {
			continue
		}
		if g, ok := r.x.lex.firstMF[t.Lower]; ok && k+1 < len(d.Tokens) && d.Tokens[k+1].Cap {
			return g
		}
	}
	return 0
}

// namedInFull: a surname used alone that the article gives in full before
// token i (or anywhere, when i is 0).
func (r *run) namedInFull(surname string, i int) bool {
	d := r.d
	for k := max(1, i-2000); k < len(d.Tokens) && k < i; k++ {
		if d.Tokens[k].Lower == surname && d.Tokens[k-1].Cap && d.Tokens[k-1].Kind == nlp.Word && r.x.isNameToken(d, k-1) {
			return true
		}
	}
	return false
}

// hashAll appends the hashed indices of feature strings to out.
func hashAll(fs []string, out features) features {
	for _, s := range fs {
		out = append(out, hashFeature(s))
	}
	return out
}
