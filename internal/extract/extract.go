// Package extract finds attributed quotes in article text: direct quotes,
// quoted fragments inside reported speech (mixed) and indirect speech, each
// with its speaker resolved inside the article.
//
// The pipeline runs in stages over an nlp.Doc (tokens, sentences and
// paragraphs with byte offsets): quotation marks are paired
// (internal/nlp/quotemark), cues are matched against a lexicon kept as data
// (lexicon/*.txt), then ordered sieves attribute each quote, the most precise
// first; indirect speech is read from cue, subject and complement; last,
// mentions are resolved to canonical speakers (surname → full name, pronoun
// → the last compatible person, role noun → its antecedent).
package extract

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/nlp"
	"github.com/whosaid/whosaid/internal/nlp/quotemark"
)

// Extractor finds quotes and their speakers. It is immutable after New and
// safe for concurrent use; it does no I/O.
type Extractor struct {
	lex    *Lexicon
	ranker Ranker
	// lang fixes the language of the rules ("en", "de", "fr"); empty
	// guesses it from the text.
	lang string
}

// An Option configures New.
type Option func(*Extractor)

// WithRanker sets the ranker that chooses a quote's speaker among the
// candidates; the default is the rule ranker.
func WithRanker(rk Ranker) Option { return func(x *Extractor) { x.ranker = rk } }

// WithLanguage fixes the language whose rules are used: "en", "de" or "fr"
// (see IsLanguage); "" (the default) guesses German from the text and reads
// every other text with the English rules. With a language, only the cues
// of that language are matched and German word order is assumed for "de"
// only.
func WithLanguage(lang string) Option { return func(x *Extractor) { x.lang = lang } }

// IsLanguage reports whether WithLanguage takes lang: "en", "de" or "fr".
func IsLanguage(lang string) bool { return lang == "en" || lang == "de" || lang == "fr" }

// With returns a copy of x with opts applied (x does not change), such as
// x.With(WithLanguage("fr")) for one request.
func (x *Extractor) With(opts ...Option) *Extractor {
	y := *x
	for _, o := range opts {
		o(&y)
	}
	return &y
}

// New builds an Extractor with the embedded lexicons.
func New(opts ...Option) (*Extractor, error) {
	lx, err := loadLexicon()
	if err != nil {
		return nil, err
	}
	x := &Extractor{lex: lx, ranker: ruleRanker{}}
	for _, o := range opts {
		o(x)
	}
	return x, nil
}

// cue is a matched cue occurrence: tokens [First, Last).
type cue struct {
	First, Last int
	Entry       cueEntry
}

// found is an attribution under construction.
type found struct {
	content attribution.Span
	kind    attribution.Kind
	cue     *cue
	speaker phrase
	hasSpk  bool
	conf    float64
	rule    string
	quote   int // index into quotes, -1 for indirect
	closed  bool
	// inherit is the quote (index into quotes) whose speaker this one
	// shares, or -1.
	inherit int
	// leadSpk: the first sieve's proposal (the rule cascade's) had a
	// speaker, whatever the ranker chose.
	leadSpk bool
}

// run holds the state of one extraction.
type run struct {
	x      *Extractor
	d      *nlp.Doc
	bufs   *runBufs // storage to reuse, nil for none
	quotes []quotemark.Quote
	// inQuote[i] is the index of the outermost quote holding token i, or -1.
	inQuote []int
	// quoteTok[q] is the token range of quote q's content: [first, last).
	qFirst, qLast []int
	// open/close mark token indices of each quote (-1 when none).
	qOpenTok, qCloseTok []int
	cues                []cue
	cueAt               []int // cue index starting at token, -1
	found               []found
	cands               []candidate // reused by proposeQuote
	featBuf             features    // reused by Model.choose
	// sentPh caches sentPhrases by sentence
	sentPh     [][]phrase
	sentPhDone []bool
	fullAt     map[string]int // namedInFull's index, made on first use
	fullAtDone bool
	mainSubj   map[int]mainSubj
	cueSubj    []cueSubj // cueSubject's cache by cue
	// foundOf[q] is the index in found of quote q's attribution, -1
	foundOf []int
	usedCue map[int]bool
	// german is set when the text reads as German: the verb comes second
	// ("Am Montag sagte er"), every noun is capitalised.
	german bool
	// headlines caches headline(): 1 yes, -1 no, 0 not yet known.
	headlines []int8
	// An index of the quote attributions in found[:indexed] (see
	// indexFound): lead is 1 + the index of the latest one whose lead sieve
	// gave a speaker (0 for none), spoken those with an effective speaker.
	indexed int
	lead    int
	spoken  []int
	fullIx  *fullIndex // see fullIndex
	// steps counts units of work of the stages that scan the text or look
	// back over earlier findings, for the tests of the cost (TestLinearWork).
	steps int
}

// Extract returns the quotes and speakers of text, with byte offsets into
// text. The result is bounded (see ResultBytesPerByte): on a text built to
// make it huge it holds the first quotes only.
func (x *Extractor) Extract(text string) attribution.Result {
	res, _, _ := x.extract(context.Background(), text)
	return res
}

// ExtractContext is Extract that gives up when ctx is done: it checks ctx
// before each stage (tokenizing, pairing marks, cues, quote attribution,
// indirect speech, coreference) and answers ctx.Err() with no result. Each
// stage is linear in the text, so it stops within one stage's time.
func (x *Extractor) ExtractContext(ctx context.Context, text string) (attribution.Result, error) {
	res, _, err := x.extract(ctx, text)
	return res, err
}

// runBufs are the per-token slices of a finished run, for the next run to
// fill: its Doc's tokens, inQuote and cueAt. Nothing of a run refers to
// them once it returns.
type runBufs struct {
	tokens         []nlp.Token
	sents          []nlp.Sentence
	paras          []nlp.Paragraph
	sentPh         [][]phrase
	sentPhDone     []bool
	cueSubj        []cueSubj
	inQuote, cueAt []int
	cues           []cue
	found          []found
	cands          []candidate
	featBuf        features
	quotes         []quotemark.Quote
	qInts          [4][]int // qFirst, qLast, qOpenTok, qCloseTok
	fullAt         map[string]int
	usedCue        map[int]bool
	mainSubj       map[int]mainSubj
}

// runBufPool holds *runBufs.
var runBufPool sync.Pool

// maxPooledTokens bounds the runs whose slices are kept (about 4.5 MB).
const maxPooledTokens = 1 << 16

// ints is buf resized to n, reallocated when too small; its values are
// left as they are.
func ints(buf []int, n int) []int {
	if cap(buf) >= n {
		return buf[:n]
	}
	return make([]int, n)
}

// extract is ExtractContext that also returns the steps counted.
func (x *Extractor) extract(ctx context.Context, text string) (attribution.Result, int, error) {
	if err := ctx.Err(); err != nil {
		return attribution.Result{}, 0, err
	}
	rb, _ := runBufPool.Get().(*runBufs)
	if rb == nil {
		rb = &runBufs{}
	}
	if rb.usedCue == nil {
		rb.usedCue = map[int]bool{}
	}
	r := &run{x: x, d: nlp.NewBuffered(text, nlp.Buffers{Tokens: rb.tokens, Sents: rb.sents, Paras: rb.paras}), usedCue: rb.usedCue, bufs: rb,
		cues: rb.cues[:0], found: rb.found[:0], cands: rb.cands[:0], featBuf: rb.featBuf[:0], quotes: rb.quotes[:0],
		qFirst: rb.qInts[0][:0], qLast: rb.qInts[1][:0], qOpenTok: rb.qInts[2][:0], qCloseTok: rb.qInts[3][:0],
		fullAt: rb.fullAt, mainSubj: rb.mainSubj}
	defer func() {
		if cap(r.d.Tokens) <= maxPooledTokens {
			rb.tokens, rb.inQuote, rb.cueAt = r.d.Tokens[:0], r.inQuote[:0], r.cueAt[:0]
			rb.sents, rb.paras = r.d.Sents[:0], r.d.Paras[:0]
			if r.sentPh != nil {
				rb.sentPh, rb.sentPhDone = r.sentPh, r.sentPhDone
			}
			if r.cueSubj != nil {
				rb.cueSubj = r.cueSubj[:0]
			}
			rb.cues, rb.found, rb.cands, rb.featBuf, rb.quotes = r.cues[:0], r.found[:0], r.cands[:0], r.featBuf[:0], r.quotes[:0]
			rb.qInts = [4][]int{r.qFirst[:0], r.qLast[:0], r.qOpenTok[:0], r.qCloseTok[:0]}
			clear(r.usedCue)
			if r.fullAt != nil {
				clear(r.fullAt)
				rb.fullAt = r.fullAt
			}
			if r.mainSubj != nil {
				clear(r.mainSubj)
				rb.mainSubj = r.mainSubj
			}
			runBufPool.Put(rb)
		}
	}()
	r.steps = len(r.d.Tokens) + len(r.d.Sents) + len(r.d.Paras)
	r.german = x.lang == "de" || x.lang == "" && isGerman(r.d)
	for _, stage := range []func(){r.markQuotes, r.findCues, r.attributeQuotes, r.findIndirect} {
		if err := ctx.Err(); err != nil {
			return attribution.Result{}, r.steps, err
		}
		stage()
	}
	if err := ctx.Err(); err != nil {
		return attribution.Result{}, r.steps, err
	}
	res := limit(text, r.resolve())
	// the sieves and coreference look at each quote, cue and attribution
	// through windows of bounded size
	r.steps += len(r.quotes) + len(r.cues) + len(r.found)
	return res, r.steps, nil
}

func (r *run) markQuotes() {
	d := r.d
	var buf []int
	if r.bufs != nil {
		buf = r.bufs.inQuote
	}
	r.inQuote = ints(buf, len(d.Tokens))
	for i := range r.inQuote {
		r.inQuote[i] = -1
	}
	for _, q := range quotemark.FindSteps(d.Text, &r.steps) {
		if q.Depth != 0 || q.End <= q.Start {
			continue
		}
		qi := len(r.quotes)
		r.quotes = append(r.quotes, q)
		first := d.TokenAt(q.Start)
		last := d.TokenAt(q.End)
		openTok := d.TokenAt(q.Open)
		closeTok := -1
		if q.Closed {
			closeTok = d.TokenAt(q.Close-1) - 1
			if closeTok+1 < len(d.Tokens) && d.Tokens[closeTok+1].Start < q.Close {
				closeTok++
			}
		}
		r.qFirst = append(r.qFirst, first)
		r.qLast = append(r.qLast, last)
		r.qOpenTok = append(r.qOpenTok, openTok)
		r.qCloseTok = append(r.qCloseTok, closeTok)
		end := last
		if closeTok >= 0 {
			end = closeTok + 1
		}
		for i := openTok; i < end && i < len(d.Tokens); i++ {
			r.inQuote[i] = qi
			r.steps++
		}
	}
}

func (r *run) findCues() {
	d := r.d
	lx := r.x.lex
	var buf []int
	if r.bufs != nil {
		buf = r.bufs.cueAt
	}
	r.cueAt = ints(buf, len(d.Tokens))
	for i := range r.cueAt {
		r.cueAt[i] = -1
	}
	for i := 0; i < len(d.Tokens); i++ {
		if r.inQuote[i] >= 0 || d.Tokens[i].Kind != nlp.Word {
			continue
		}
		// longest match first
		key := ""
		best := -1
		var be cueEntry
		for n := 1; n <= lx.maxLen && i+n <= len(d.Tokens); n++ {
			r.steps++
			t := d.Tokens[i+n-1]
			if t.Kind != nlp.Word || r.inQuote[i+n-1] >= 0 || t.Sent != d.Tokens[i].Sent {
				break
			}
			if n == 1 {
				// one word: its tags say whether forms or prefix hold it
				key = t.Lower
				tg := r.x.tags(d, i)
				if tg&tagCueForm != 0 {
					if e := lx.forms[key]; r.x.lang == "" || e.Lang == r.x.lang {
						best, be = n, e
					}
				}
				if tg&tagCuePrefix == 0 {
					break
				}
				continue
			}
			key += " " + t.Lower
			if e, ok := lx.forms[key]; ok && (r.x.lang == "" || e.Lang == r.x.lang) {
				best, be = n, e
			}
			if !lx.prefix[key] {
				break // no longer form starts with these words
			}
		}
		if best < 0 {
			continue
		}
		if be.AfterQuote && !(i >= 2 && d.Tokens[i-1].Lower == "," && r.inQuote[i-2] >= 0) {
			continue
		}
		if be.NoParticle && i+best < len(d.Tokens) && isParticle(d.Tokens[i+best].Lower) {
			continue // "backed down", "backed away from": a phrasal verb, no cue
		}
		// Cue verbs are lower case except at a sentence start ("States" is no
		// cue) and in headlines written in capitals ("County Says Trump Will Win").
		if d.Tokens[i].Cap && i != d.Sents[d.Tokens[i].Sent].First && be.Lang == "en" && !r.headline(d.Tokens[i].Sent) {
			continue
		}
		r.cueAt[i] = len(r.cues)
		r.cues = append(r.cues, cue{First: i, Last: i + best, Entry: be})
		i += best - 1
	}
}

// sortFound orders attributions by position.
func (r *run) sortFound() {
	slices.SortStableFunc(r.found, func(a, b found) int { return cmp.Compare(a.content.Start, b.content.Start) })
	r.indexed, r.lead, r.spoken = 0, 0, r.spoken[:0]
}

// indexFound brings the index of quote attributions up to date with found,
// which only grows while quotes are attributed: the sieves and features
// that look back at earlier speakers read it instead of scanning every
// earlier attribution for each quote (quadratic in a text of thousands of
// unattributed quotes).
func (r *run) indexFound() {
	for ; r.indexed < len(r.found); r.indexed++ {
		r.steps++
		p := &r.found[r.indexed]
		if p.quote < 0 {
			continue
		}
		if p.leadSpk {
			r.lead = r.indexed + 1
		}
		if _, ok := r.effective(p); ok {
			r.spoken = append(r.spoken, r.indexed)
		}
	}
}

// latestLead is the index in found of the latest quote attribution whose
// lead sieve gave a speaker, or -1.
func (r *run) latestLead() int {
	r.indexFound()
	return r.lead - 1
}

// latestSpoken returns the indices in found of the quote attributions with
// an effective speaker, oldest first.
func (r *run) latestSpoken() []int {
	r.indexFound()
	return r.spoken
}

// funcInitial marks the first letters of the function words of isGerman.
var funcInitial = func() (a [256]bool) {
	for _, c := range "abdefimnostuvwz" {
		a[c] = true
	}
	return a
}()

// isGerman guesses the language from frequent function words.
func isGerman(d *nlp.Doc) bool {
	de, en := 0, 0
	for i := range d.Tokens {
		w := d.Tokens[i].Lower
		if len(w) > 5 || !funcInitial[w[0]] {
			continue // longer than any word below, or another first letter
		}
		switch w {
		case "der", "die", "das", "und", "ist", "nicht", "mit", "sich", "auf", "für", "dass", "wird", "ein", "eine", "von", "zu", "den", "im":
			de++
		case "the", "and", "of", "to", "is", "that", "with", "for", "was", "on", "a", "in", "by":
			en++
		}
	}
	return de > 5 && de > 2*en
}

// headline reports whether sentence si is a headline in title case: most of
// its words capitalised, and short (so the scan stops after maxHeadline
// words: a sentence of thousands of words is read once per cue otherwise).
func (r *run) headline(si int) bool {
	const maxHeadline = 20
	if r.headlines == nil {
		r.headlines = make([]int8, len(r.d.Sents))
	}
	if h := r.headlines[si]; h != 0 {
		return h > 0
	}
	r.headlines[si] = -1
	s := r.d.Sents[si]
	words, caps := 0, 0
	for i := s.First; i < s.Last && words <= maxHeadline; i++ {
		r.steps++
		t := r.d.Tokens[i]
		if t.Kind != nlp.Word {
			continue
		}
		words++
		if t.Cap {
			caps++
		}
	}
	if words >= 3 && words <= maxHeadline && caps*10 >= words*7 {
		r.headlines[si] = 1
	}
	return r.headlines[si] > 0
}

// isParticle: an adverb particle that makes a phrasal verb of the verb
// before it ("back down", "back off").
func isParticle(w string) bool {
	switch w {
	case "off", "down", "away", "out", "up", "into", "onto":
		return true
	}
	return false
}
