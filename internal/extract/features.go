package extract

import (
	"hash/fnv"
	"sort"
	"strconv"

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
	// at most maxCueSubjects a sentence, in a window around the quote
	const maxCueSubjects = 6
	for ps := max(0, s-1); ps <= s+1 && ps < len(d.Sents); ps++ {
		sent := d.Sents[ps]
		from := max(sent.First, o-maxBack)
		to := min(sent.Last, o+maxAhead)
		n := 0
		for i := from; i < to && n < maxCueSubjects; i++ {
			if r.cueAt[i] < 0 || r.inQuote[i] >= 0 {
				continue
			}
			n++
			c := r.cues[r.cueAt[i]]
			ph, ok := r.cueSubject(r.cueAt[i], sent.First, sent.Last)
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
	// definite noun phrases, at most maxNearby a sentence: the quote's
	// own, the one before, the one after
	const maxNearby = 6
	n := 0
	for _, ps := range [2]int{s, s - 1} {
		if ps < 0 || ps >= len(d.Sents) {
			continue
		}
		n = 0
		sent := d.Sents[ps]
		from := max(sent.First, o-maxBack)
		to := min(sent.Last, o+maxAhead)
		phs := r.sentPhrases(ps)
		k0 := sort.Search(len(phs), func(k int) bool { return phs[k].Last > from })
		for k := k0; k < len(phs) && phs[k].Last <= to && n < maxNearby; k++ {
			ph := phs[k]
			if have(ph) {
				continue
			}
			// the object of a preposition ("at Boca West", "in New
			// Hampshire") is rarely the speaker; a sieve proposes the
			// sources that are ("according to X")
			if ph.First > 0 {
				if pv := d.Tokens[ph.First-1].Lower; !r.german && isPreposition(pv) {
					continue
				}
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
	spoken := r.latestSpoken()
	for j := len(spoken) - 1; j >= 0 && n < 2; j-- {
		p := &r.found[spoken[j]]
		if d.Tokens[r.qOpenTok[p.quote]].Para < para-1 {
			break
		}
		ph, _ := r.effective(p)
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

// sentPhrases are the speaker-like phrases of sentence si in order: names,
// pronouns that can speak and definite noun phrases, each ending where the
// next token cannot continue it. Made once a sentence.
func (r *run) sentPhrases(si int) []phrase {
	d := r.d
	if r.sentPh == nil {
		// the previous run's slices, when there are any (runBufs)
		n := len(d.Sents)
		if r.bufs != nil && cap(r.bufs.sentPh) >= n {
			r.sentPh, r.sentPhDone = r.bufs.sentPh[:n], r.bufs.sentPhDone[:n]
			clear(r.sentPhDone)
		} else {
			r.sentPh, r.sentPhDone = make([][]phrase, n), make([]bool, n)
		}
	}
	if r.sentPhDone[si] {
		return r.sentPh[si]
	}
	r.sentPhDone[si] = true
	sent := d.Sents[si]
	out := r.sentPh[si][:0]
	for i := r.datelineEnd(si); i < sent.Last; i++ {
		t := d.Tokens[i]
		if r.inQuote[i] >= 0 || t.Kind != nlp.Word {
			continue
		}
		if i+1 < sent.Last && r.inQuote[i+1] < 0 && (r.x.isNameToken(d, i+1) && t.Cap || d.Tokens[i+1].Lower == "'s") {
			continue
		}
		ph, ok := r.x.leftPhrase(d, i+1, sent.First)
		if !ok || r.inQuote[ph.First] >= 0 || ph.Type == attribution.SpeakerAnonymous && ph.Pronoun == "" {
			continue
		}
		if ph.Pronoun == "" && !ph.Definite && ph.NameFirst < 0 {
			continue
		}
		switch ph.Pronoun {
		case "it", "you", "him", "them", "his", "its", "their", "her":
			continue
		}
		out = append(out, ph)
	}
	r.sentPh[si] = out
	return out
}

// datelineEnd is the first token of sentence si after a dateline that
// opens its paragraph ("FLINT, Mich., Oct. 4 (UPI) — ", "WASHINGTON (AP)
// -- "), or its first token when there is none: the place and the agency
// are no speakers.
func (r *run) datelineEnd(si int) int {
	d := r.d
	sent := d.Sents[si]
	f := sent.First
	if f >= sent.Last || f > 0 && d.Tokens[f-1].Para == d.Tokens[f].Para || !isAllCaps(d.TokenText(f)) {
		return f
	}
	for k := f + 1; k < sent.Last && k < f+16; k++ {
		switch d.Tokens[k].Lower {
		case "—", "–", "-", "--":
			// "WASHINGTON (AP) —", "GREENVILLE, S.C. —", and a lead-in in
			// capitals: "CONGRESS HAS INVESTIGATED HIM —"
			if k >= f+3 && d.Tokens[k-1].Lower == ")" || k <= f+6 && d.Tokens[f+1].Lower == "," || k >= f+2 && r.allCaps(f, k) {
				return k + 1
			}
			return f
		}
	}
	return f
}

// allCaps: tokens [a, b) are all words in capitals.
func (r *run) allCaps(a, b int) bool {
	for k := a; k < b; k++ {
		if r.d.Tokens[k].Kind != nlp.Word || !isAllCaps(r.d.TokenText(k)) {
			return false
		}
	}
	return true
}

// isAllCaps: at least two ASCII capitals and no lower-case letter ("FLINT",
// "S.C.", "U-S-A"; unlike isAcronym, hyphens and digits may stand between).
func isAllCaps(s string) bool {
	letters := 0
	for _, c := range s {
		switch {
		case 'A' <= c && c <= 'Z':
			letters++
		case 'a' <= c && c <= 'z':
			return false
		}
	}
	return letters >= 2
}

// cueSubject is the speaker phrase of cue ci in its sentence [sf, sl): the
// subject of a speech or belief cue (or the phrase after it), the phrase
// after a source cue. Cached per cue: quotes of one sentence share them.
func (r *run) cueSubject(ci, sf, sl int) (phrase, bool) {
	if r.cueSubj == nil {
		if r.bufs != nil && cap(r.bufs.cueSubj) >= len(r.cues) {
			r.cueSubj = r.bufs.cueSubj[:len(r.cues)]
			clear(r.cueSubj)
		} else {
			r.cueSubj = make([]cueSubj, len(r.cues))
		}
	}
	if cs := r.cueSubj[ci]; cs.done {
		return cs.ph, cs.ok
	}
	c := r.cues[ci]
	var ph phrase
	ok := false
	switch c.Entry.Class {
	case ClassSpeech, ClassBelief:
		ph, ok = r.subjectOf(c, sf, sl)
		if !ok && !r.german {
			// "said Mr. Lee": the subject after the verb (subjectOf has
			// already looked there in German, where it may be the object)
			ph, ok = r.x.rightPhrase(r.d, c.Last, sl)
			if ok && ph.Pronoun != "" && ph.Last < sl && r.d.Tokens[ph.Last].Kind == nlp.Word {
				// "said he had fought": the pronoun opens the reported
				// clause; an inverted subject ends it ("..., said he.")
				ok = false
			}
		}
	case ClassSource:
		ph, ok = r.x.rightPhrase(r.d, c.Last, sl)
	}
	r.cueSubj[ci] = cueSubj{ph: ph, ok: ok, done: true}
	return ph, ok
}

type cueSubj struct {
	ph       phrase
	ok, done bool
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
		k := r.foundOf[f.inherit]
		if k < 0 || k >= len(r.found) || r.found[k].quote != f.inherit {
			return phrase{}, false
		}
		f = &r.found[k]
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

// featPrefix is the FNV-1a state after the first part of a feature.
func featPrefix(s string) uint32 {
	h := uint32(2166136261)
	for j := 0; j < len(s); j++ {
		h = (h ^ uint32(s[j])) * 16777619
	}
	return h
}

// The first parts of candidateFeatures' features, hashed once.
var (
	fCue               = featPrefix("cue")
	fCueAdjacent       = featPrefix("cue-adjacent")
	fCueclass          = featPrefix("cueclass")
	fCuegap            = featPrefix("cuegap")
	fCuenouny          = featPrefix("cuenouny")
	fCuestrong         = featPrefix("cuestrong")
	fDist              = featPrefix("dist")
	fDistSieve         = featPrefix("dist-sieve")
	fFirst             = featPrefix("first")
	fFirstname         = featPrefix("firstname")
	fFirstw            = featPrefix("firstw")
	fHead              = featPrefix("head")
	fInComplement      = featPrefix("in-complement")
	fKind              = featPrefix("kind")
	fLastcap           = featPrefix("lastcap")
	fLen               = featPrefix("len")
	fLoneName          = featPrefix("lone-name")
	fMainSubject       = featPrefix("main-subject")
	fNamelen           = featPrefix("namelen")
	fNext              = featPrefix("next")
	fNocue             = featPrefix("nocue")
	fNophrase          = featPrefix("nophrase")
	fOrder             = featPrefix("order")
	fParadist          = featPrefix("paradist")
	fParadistShape     = featPrefix("paradist-shape")
	fPlacePair         = featPrefix("place-pair")
	fPrev              = featPrefix("prev")
	fPrevShape         = featPrefix("prev-shape")
	fPrevtok           = featPrefix("prevtok")
	fPrevw             = featPrefix("prevw")
	fPronAgree         = featPrefix("pron-agree")
	fRelative          = featPrefix("relative")
	fRole              = featPrefix("role")
	fRule              = featPrefix("rule")
	fSentInitial       = featPrefix("sent-initial")
	fSentdist          = featPrefix("sentdist")
	fShape             = featPrefix("shape")
	fShapeSieve        = featPrefix("shape-sieve")
	fSide              = featPrefix("side")
	fSieve             = featPrefix("sieve")
	fSieveOrder        = featPrefix("sieve-order")
	fSourceAfterSpeech = featPrefix("source-after-speech")
	fType              = featPrefix("type")
	fTypeSieve         = featPrefix("type-sieve")
	fVotes             = featPrefix("votes")
)

// candidateFeatures describes candidate i of quote qi for the trained
// ranker: rule and order, phrase shape and type, side and distance, the cue,
// the shape of the quote, agreement with the other candidates and with the
// previous speaker.
func (r *run) candidateFeatures(qi int, cands []candidate, i int, buf features) features {
	d := r.d
	c := &cands[i]
	f := &c.f
	o := r.qOpenTok[qi]
	cl := r.qCloseTok[qi]
	if cl < 0 {
		cl = r.qLast[qi]
	}
	name := sieveNames[c.sieve]
	// each feature is the FNV-1a hash of its parts joined by "|"; h is
	// the hash of its first part, a constant (featPrefix)
	add := func(h uint32, parts ...string) {
		for _, p := range parts {
			h = (h ^ '|') * 16777619
			for j := 0; j < len(p); j++ {
				h = (h ^ uint32(p[j])) * 16777619
			}
		}
		buf = append(buf, h&(1<<featureBits-1))
	}
	add(fSieve, name)
	add(fSieveOrder, name, bucket(c.order, 0, 1, 2))
	add(fOrder, bucket(c.order, 0, 1, 2, 3))
	add(fRule, f.rule)
	add(fKind, string(f.kind))
	firstSieve := c.order == 0
	if firstSieve {
		add(fFirst, name)
	}
	ph, ok := r.effective(f)
	if !ok {
		add(fNophrase, name)
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
	add(fShape, shape)
	add(fType, typ)
	add(fShapeSieve, shape, name)
	add(fTypeSieve, typ, name)
	if ph.Role != "" {
		add(fRole)
	}
	nl := ph.NameLast - ph.NameFirst
	if ph.NameFirst >= 0 {
		add(fNamelen, bucket(nl, 1, 2, 3))
		if r.x.firstGender(d, ph.NameFirst) != 0 {
			add(fFirstname)
		}
	}
	if ph.Head != "" && ph.Nominal {
		add(fHead, ph.Head)
	}
	if ph.Ante != nil {
		add(fRelative)
	}
	if ph.Last < len(d.Tokens) {
		nx := d.Tokens[ph.Last]
		switch {
		case r.cueAt[ph.Last] >= 0:
			add(fNext, "cue")
		case nx.Kind == nlp.Word && !nx.Cap && looksVerb(nx.Lower):
			add(fNext, "verb")
		case nx.Kind == nlp.Punct:
			add(fNext, nx.Lower)
		default:
			add(fNext, "other")
		}
	}
	// function words around the phrase: its article ("dem" is no subject in
	// German), the word before ("nach Angaben", "according to"), whether
	// it opens the sentence
	if t := d.Tokens[ph.First]; t.Kind == nlp.Word && !t.Cap {
		add(fFirstw, t.Lower)
	} else if r.german && t.Kind == nlp.Word && determiners[t.Lower] {
		// a capitalised article opening a German sentence: its case
		// ("Der", "Den") tells the subject from an object
		add(fFirstw, t.Lower)
	}
	if ph.First == d.Sents[d.Tokens[ph.First].Sent].First {
		add(fSentInitial)
	}
	if ph.First > 0 {
		if pv := d.Tokens[ph.First-1]; pv.Kind == nlp.Word && !pv.Cap && len(pv.Lower) <= 12 {
			add(fPrevw, pv.Lower)
		}
	}
	if ph.First > 0 {
		pv := d.Tokens[ph.First-1]
		switch {
		case r.cueAt[ph.First-1] >= 0:
			add(fPrevtok, "cue")
		case pv.Kind == nlp.Punct:
			add(fPrevtok, pv.Lower)
		case isPreposition(pv.Lower) || r.german && isPrepositionDE(pv.Lower):
			add(fPrevtok, "prep")
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
	add(fSide, side)
	add(fDist, side, db)
	add(fDistSieve, side, db, name)
	sd := d.Tokens[ph.First].Sent - d.Tokens[o].Sent
	if sd > 2 || sd < -2 {
		sd = 3
	}
	add(fSentdist, strconv.Itoa(sd))
	pd := d.Tokens[o].Para - d.Tokens[ph.First].Para
	pb, pbs := bucket(pd, 0, 1, 2), bucket(pd, 0, 1)
	if pd < 0 { // a later paragraph
		pb, pbs = "later", "later"
	}
	add(fParadist, pb)
	add(fParadistShape, pbs, shape)
	// the cue
	if f.cue != nil {
		e := f.cue.Entry
		add(fCueclass, strconv.Itoa(int(e.Class)))
		if e.Strong {
			add(fCuestrong)
		}
		if e.Nouny {
			add(fCuenouny)
		}
		if f.cue.First >= 0 {
			add(fCue, e.Lemma)
			gap := 0
			cueSide := "before"
			if f.cue.Last <= o {
				gap = o - f.cue.Last
			} else {
				cueSide, gap = "after", f.cue.First-cl-1
			}
			add(fCuegap, cueSide, bucket(gap, 0, 1, 2, 4, 8, 16))
			// phrase is the cue's subject right next to it
			if ph.Last == f.cue.First || ph.First == f.cue.Last {
				add(fCueAdjacent)
			}
		}
	} else {
		add(fNocue, name)
	}
	// Nothing about the quote alone (its punctuation, its length): such a
	// feature adds the same to every candidate and cannot rank them.
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
	add(fVotes, bucket(votes, 0, 1, 2))
	add(fLen, bucket(ph.Last-ph.First, 1, 2, 3, 5))
	// the main clause: the subject of the first speech cue of the quote's
	// sentence, and whether the candidate's own cue is a source ("according
	// to") after that speech cue
	if ms, mc, ok := r.mainSubject(o); ok {
		if ms.First == ph.First && ms.Last == ph.Last {
			add(fMainSubject)
		} else if !r.german && ph.First > mc && ph.Last <= o && ms.Last <= mc && d.Tokens[ph.First].Sent == d.Tokens[o].Sent {
			// "Brazile said that she's glad Clinton ... looks forward to
			// '...'": inside the main cue's reported clause
			add(fInComplement, shape)
		} else if f.cue != nil && f.cue.Entry.Class == ClassSource && f.cue.First > mc {
			add(fSourceAfterSpeech)
		}
	}
	if !r.german && ph.First >= 3 && ph.Last-ph.First == 1 && d.Tokens[ph.First-1].Lower == "," && d.Tokens[ph.First-2].Cap && isPlacePreposition(d.Tokens[ph.First-3].Lower) {
		// "of Dayton, Ohio", "in Tulsa, Okla.": a place after a place
		add(fPlacePair)
	}
	if d.Tokens[ph.Last-1].Cap {
		add(fLastcap)
	}
	// the previous speaker of the paragraph
	if spoken := r.latestSpoken(); len(spoken) > 0 {
		p := &r.found[spoken[len(spoken)-1]]
		pp, _ := r.effective(p)
		same := d.Tokens[pp.Last-1].Lower == lw
		para := d.Tokens[r.qOpenTok[p.quote]].Para
		rel := bucket(d.Tokens[o].Para-para, 0, 1)
		add(fPrev, rel, strconv.FormatBool(same))
		add(fPrevShape, rel, strconv.FormatBool(same), shape)
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
			add(fPronAgree, "unknown")
		case g == want:
			add(fPronAgree, "yes")
		default:
			add(fPronAgree, "no")
		}
	}
	if ph.Type == attribution.SpeakerPerson && ph.Pronoun == "" && nl == 1 && !r.namedInFull(lw, ph.First) {
		add(fLoneName)
	}
	return buf
}

// mainSubject is the subject of the first speech cue, outside quotes, of the
// sentence holding token o, and that cue's token; cached per sentence.
func (r *run) mainSubject(o int) (phrase, int, bool) {
	d := r.d
	si := d.Tokens[o].Sent
	if r.mainSubj == nil {
		r.mainSubj = map[int]mainSubj{}
	}
	if m, ok := r.mainSubj[si]; ok {
		return m.ph, m.cue, m.ok
	}
	sf, sl := r.sentBounds(o)
	m := mainSubj{cue: -1}
	for i := sf; i < sl; i++ {
		if c, ok := r.cueVerbAt(i); ok && r.inQuote[i] < 0 && c.Entry.Class == ClassSpeech {
			if ph, ok := r.subjectOf(c, sf, sl); ok {
				m = mainSubj{ph: ph, cue: i, ok: true}
			}
			break
		}
	}
	r.mainSubj[si] = m
	return m.ph, m.cue, m.ok
}

type mainSubj struct {
	ph  phrase
	cue int
	ok  bool
}

// lastGender is the gender of the first name of the latest full name before
// token i in its paragraph or the one before, 0 when unknown.
func (r *run) lastGender(i int) byte {
	d := r.d
	para := d.Tokens[i].Para
	for k := i - 1; k >= 0 && k > i-150; k-- {
		t := d.Tokens[k]
		if t.Para < para-1 {
			break
		}
		if t.Kind != nlp.Word || !t.Cap {
			continue
		}
		if g := r.x.firstGender(d, k); g != 0 && k+1 < len(d.Tokens) && d.Tokens[k+1].Cap {
			return g
		}
	}
	return 0
}

// namedInFull: a surname used alone that the article gives in full before
// token i (or anywhere, when i is 0).
func (r *run) namedInFull(surname string, i int) bool {
	d := r.d
	if !r.fullAtDone {
		// the first token of each word that follows a name token
		r.fullAtDone = true
		if r.fullAt == nil {
			r.fullAt = map[string]int{}
		}
		for k := 1; k < len(d.Tokens); k++ {
			if d.Tokens[k].Kind == nlp.Word && d.Tokens[k-1].Cap && d.Tokens[k-1].Kind == nlp.Word && r.x.isNameToken(d, k-1) {
				if _, ok := r.fullAt[d.Tokens[k].Lower]; !ok {
					r.fullAt[d.Tokens[k].Lower] = k
				}
			}
		}
	}
	k, ok := r.fullAt[surname]
	return ok && k < i
}

// isPlacePreposition: the words that put a place name before a comma and
// its state or country ("of Dayton, Ohio", "in Tulsa, Okla.").
func isPlacePreposition(w string) bool {
	return w == "of" || w == "in" || w == "from" || w == "at" || w == "near"
}
