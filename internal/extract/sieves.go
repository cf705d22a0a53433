package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/nlp"
)

// Rules, most precise first. Each names the sieve that attributed a quote.
const (
	ruleQuoteCueSpeaker = "quote-cue-speaker"   // "...," said James Dorsey
	ruleQuoteSpeakerCue = "quote-speaker-cue"   // "...," he said
	ruleQuoteDash       = "quote-dash-speaker"  // "..." — Commissioner X
	ruleSpeakerCueQuote = "speaker-cue-quote"   // He said: "..."
	ruleColonSpeaker    = "speaker-colon-quote" // From Chairwoman X: "..."
	ruleEmbedded        = "reported-speech"     // X said the talks would be "..."
	ruleTrailingCue     = "trailing-cue"        // "..." words, X said.
	ruleSameParagraph   = "same-paragraph"      // "A," he said. "B."
	ruleContinuation    = "continuation"        // a quote paragraph after X's quote
	ruleNeighbour       = "neighbour-sentence"  // X began talking. "..."
	ruleGermanColon     = "german-colon"        // Stoiber hatte ... betont: „...“
	ruleTranscript      = "transcript"          // "PENCE: Well, ..."
	ruleSubject         = "sentence-subject"    // Cruz exhorted Republicans to "..."
	ruleUnattributed    = "unattributed"
	ruleIndirect        = "subject-cue-content" // X said (that) ...
	ruleIndirectLoose   = "clause-cue-content"  // Many in the crowd said ...
	ruleIndirectTrail   = "content-cue"         // ..., X said.
	ruleAccordingTo     = "according-to"        // according to X, ...
)

// subjectOf finds the speaker of the cue at c: before it, or in German
// after it when the verb comes second ("Am Montag sagte er:").
func (r *run) subjectOf(c cue, stop, end int) (phrase, bool) {
	if r.german && c.Last < end && r.x.tokHas(r.d, c.Last, lPronouns) {
		return r.x.finish(r.d, phrase{First: c.Last, Last: c.Last + 1, Pronoun: r.d.Tokens[c.Last].Lower}), true
	}
	if ph, ok := r.subjectBefore(c.First, stop); ok {
		if !(r.german && ph.First > stop && isPrepositionDE(r.d.Tokens[ph.First-1].Lower)) {
			return ph, true
		}
	}
	// verb second: the subject follows a verb that something else opens
	// the clause with ("Am Montag sagte er"); after "und" the clause shares
	// the subject of the one before, and what follows is the object ("Pau
	// spricht von ... und fordert eine Rücknahme")
	if r.german && !(c.First > stop && isConjunctionDE(r.d.Tokens[c.First-1].Lower)) {
		if ph, ok := r.x.rightPhrase(r.d, c.Last, end); ok && (ph.Pronoun != "" || !ph.Nominal || ph.Definite) && !objectCaseDE(r.d.Tokens[ph.First].Lower) {
			return ph, true
		}
	}
	return phrase{}, false
}

// extendOf joins a phrase to the head it qualifies: "Mr. Morgan of the
// Sierra Club", "attorneys for the family", "a spokeswoman for Hillary
// Clinton". The head names the speaker; the rest is its role.
func (r *run) extendOf(ph phrase, stop int) phrase {
	d := r.d
	p := ph.First - 1
	if p-1 < stop {
		return ph
	}
	switch d.Tokens[p].Lower {
	case "of", "at", "from", "for", "with", "in", "on":
	default:
		return ph
	}
	head, ok := r.x.leftPhrase(d, p, stop)
	// "a post on its website", "a memo in the file": a thing, not a person, heads
	if !ok || head.Pronoun != "" || (d.Tokens[p].Lower == "in" || d.Tokens[p].Lower == "on") && !head.Nominal {
		return ph
	}
	role := d.Text[d.Tokens[p].Start:d.Tokens[ph.Last-1].End]
	if !head.Nominal && ph.Pronoun == "" && !ph.Nominal && head.NameFirst >= 0 && r.x.orgOf(d, head.NameFirst, ph.Last) == head.Last-1 {
		// "the Ridge Center for Public Opinion Research": one name
		head.Last, head.NameLast = ph.Last, ph.Last
		head.Type = attribution.SpeakerOrganization
		return head
	}
	head.Last = ph.Last
	if head.Nominal {
		head.Role = ""
		if head.NameFirst >= 0 {
			head.NameLast = ph.Last
		}
		return head
	}
	if head.Role == "" {
		head.Role = role
	} else {
		head.Role += " " + role
	}
	return head
}

// subjectBefore finds the speaker of the cue at c; for a nouny -s form
// ("attacks", "reports") only a name or a pronoun will do.
func (r *run) subjectBefore(c, stop int) (phrase, bool) {
	ph, ok := r.subjectBefore1(c, stop)
	if ok && r.cueAt[c] >= 0 {
		e := r.cues[r.cueAt[c]].Entry
		if e.Nouny && e.FormIdx == 1 && ph.Nominal && !determiners[r.d.Tokens[ph.First].Lower] {
			return phrase{}, false // "personal attacks", "a U.S. appeals court"
		}
		if e.Nouny && e.FormIdx == 0 && ph.Pronoun == "" && !(c > 0 && r.x.tokHas(r.d, c-1, lSkip)) && ph.Type != attribution.SpeakerGroup {
			return phrase{}, false // "the report", "bring it back"; but "they support", "will back"
		}
	}
	return ph, ok
}

// subjectBefore1 finds the speaker of the cue starting at token c, looking
// left no further than stop: "James Dorsey said", "he also said", "Yuri
// Ushakov, Putin's adviser, said".
func (r *run) subjectBefore1(c, stop int) (phrase, bool) {
	d := r.d
	e := c
	ing := strings.HasSuffix(d.Tokens[c].Lower, "ing")
	e = r.skipTimeAdjunct(e, stop)
	for n := 0; n < 4 && e-1 >= stop; n++ {
		w := d.Tokens[e-1].Lower
		switch {
		case r.x.tokHas(d, e-1, lSkip) || isAdverb(w) && !d.Tokens[e-1].Cap: // "Kelly said" is no adverb
			e--
			continue
		case ing && (w == "is" || w == "are" || w == "was" || w == "were" || w == "been" || w == "'s" || w == "'re"):
			e--
			continue
		case w == ")" && r.inQuote[e-1] < 0:
			// a parenthesis before the cue: "Chaffetz (R-Utah) said"
			k := e - 2
			for k >= stop && k > e-10 && d.Tokens[k].Lower != "(" {
				k--
			}
			if k >= stop && d.Tokens[k].Lower == "(" {
				e = k
				continue
			}
		}
		break
	}
	if e-1 < stop || r.inQuote[e-1] >= 0 {
		return phrase{}, false
	}
	if w := d.Tokens[e-1].Lower; anonymousOne(w) {
		// "one said", "another added", "others say"
		return r.x.finish(d, phrase{First: e - 1, Last: e, Nominal: true}), true
	}
	if w := d.Tokens[e-1].Lower; (w == "who" || w == "which" || w == "that") && e-1 > stop {
		// "McConnell, who said", "the department which reported": the
		// mention is the relative pronoun, its antecedent the phrase before.
		k := e - 1
		if isAppoDelim(d.Tokens[k-1].Lower) { // ", which", "-- which"
			k--
		}
		ante, ok := r.x.leftPhrase(d, k, stop)
		if !ok && k-1 >= stop && anonymousOne(d.Tokens[k-1].Lower) {
			// "29 others who only specified ..."
			f := k - 1
			if f-1 >= stop && isCount(d.Tokens[f-1].Lower) {
				f--
			}
			ante, ok = r.x.finish(d, phrase{First: f, Last: k, Nominal: true}), true
		}
		if ok && ante.Pronoun == "" {
			ph := phrase{First: e - 1, Last: e, Pronoun: w, Type: ante.Type, NameFirst: -1, NameLast: -1}
			a := ante
			ph.Ante = &a
			return ph, true
		}
		return phrase{}, false
	}
	ph, ok := r.x.leftPhrase(d, e, stop)
	if !ok && e-2 > stop && d.Tokens[e-2].Lower == "of" && isCount(d.Tokens[e-1].Lower) {
		// "the 34-year-old mother of three replied"
		if hp, hok := r.x.leftPhrase(d, e-2, stop); hok && hp.Nominal && hp.Pronoun == "" {
			hp.Last = e
			ph, ok = hp, true
		}
	}
	if ok && ing && ph.Nominal && r.x.isStatementNoun(ph.Head) {
		// "Mackler issued a statement saying ...": the statement's author
		// speaks, the subject of the clause.
		sf, _ := r.sentBounds(c)
		if cs, ok := r.clauseSubject(max(sf, stop), ph.First); ok {
			return cs, true
		}
	}
	if !ok && d.Tokens[e-1].Kind == nlp.Word && !d.Tokens[e-1].Cap && !isAuxiliary(d.Tokens[e-1].Lower) {
		// "The clip says", "The NFL legend said": a determiner opening the
		// clause, then up to three words ending in a noun (but "his staff
		// were told" is a passive)
		for k := e - 2; k >= stop && k >= e-4; k-- {
			if d.Tokens[k].Kind != nlp.Word || isPrepositionWord(d.Tokens[k].Lower) || isAuxiliary(d.Tokens[k].Lower) {
				break
			}
			if determiners[d.Tokens[k].Lower] {
				if k == stop || d.Tokens[k-1].Lower == "," || k == r.d.Sents[d.Tokens[k].Sent].First {
					ph, ok = r.x.finish(d, phrase{First: k, Last: e, Nominal: true}), true
				}
				break
			}
		}
	}
	if ok {
		ph = r.extendOf(ph, stop)
		if ph.First > stop && isPreposition(d.Tokens[ph.First-1].Lower) && !(ing && (d.Tokens[ph.First-1].Lower == "of" || d.Tokens[ph.First-1].Lower == "with")) {
			return phrase{}, false // "the report by the committee" heads elsewhere; "footage of Trump saying", "with spokesman X saying" are fine
		}
		return ph, true
	}
	// Apposition: NAME, ROLE, said / NAME -- ROLE -- said / NAME (D-N.Y.), ROLE, said
	if isAppoDelim(d.Tokens[e-1].Lower) {
		delim := d.Tokens[e-1].Lower
		for k := e - 2; k >= stop && k > e-24; k-- {
			if r.inQuote[k] >= 0 || d.Tokens[k].Kind == nlp.Punct && !strings.Contains(",'’-.()&", d.Tokens[k].Lower) && !isAppoDelim(d.Tokens[k].Lower) {
				break
			}
			if d.Tokens[k].Lower != delim && !(delim == "," && isAppoDelim(d.Tokens[k].Lower)) {
				continue
			}
			// "A lawyer for the outlets, David Schulz, said": the name speaks
			// (but "in Tulsa, Oklahoma, arguing" is a place).
			if in, ok := r.x.rightPhrase(d, k+1, e-1); ok && in.Pronoun == "" && !in.Nominal && in.Last == e-1 {
				before, ok := r.x.leftPhrase(d, r.skipParen(k, stop), stop)
				if !ok {
					return in, true
				}
				if before.Nominal {
					before = r.extendOf(before, stop)
					in.Role = d.Text[d.Tokens[before.First].Start:d.Tokens[before.Last-1].End]
					in.First = before.First
					return in, true
				}
			}
			fw := d.Tokens[k+1]
			// a parenthetical that is no role: ", in her dissent,", ", for
			// example,", ", who asked not to be named,"
			aside := fw.Kind == nlp.Word && !fw.Cap && (isPreposition(fw.Lower) && fw.Lower != "of" || fw.Lower == "who" || strings.HasSuffix(fw.Lower, "ing") && k+1 != e-2 || isAdverb(fw.Lower) || fw.Lower == "however" || fw.Lower == "though" || fw.Lower == "too" || fw.Lower == "meanwhile" || isNumberish(fw.Lower) && k+2 < e && d.Tokens[k+2].Lower == ",")
			// an affiliation or home town: "Mr. Mahaney, of RBC Capital
			// Markets, said", "Johnnie Wilson, of Springfield, Va., said"
			ofPlace := fw.Lower == "of" && k+2 < e-1 && (d.Tokens[k+2].Cap || d.Tokens[k+2].Lower == "the")
			if !aside && !ofPlace && fw.Kind == nlp.Word && !fw.Cap && !determiners[fw.Lower] && fw.Lower != "which" && !r.x.isTitle(fw.Lower) && !isModifier(fw.Lower) && !r.x.isNounLike(fw.Lower) && fw.Lower != "'s" {
				break // "Jensen, defended the work, saying": no apposition
			}
			ph, ok := r.x.leftPhrase(d, r.skipParen(k, stop), stop)
			if ok && aside {
				ph = r.extendOf(ph, stop)
				if ph.First > stop && isPreposition(d.Tokens[ph.First-1].Lower) {
					return phrase{}, false
				}
				return ph, true
			}
			if !ok || ph.Nominal && !ph.Definite {
				continue // "Pruitt, the attorney general of Oklahoma, one of the states, said"
			}
			ph = r.extendOf(ph, stop)
			if ph.Nominal && k-1 >= stop {
				// the role before a name: look further left
				if p := ph.First - 1; p >= stop && isAppoDelim(d.Tokens[p].Lower) {
					if name, ok := r.x.leftPhrase(d, r.skipParen(p, stop), stop); ok && !name.Nominal && name.Pronoun == "" {
						name.Role = d.Text[d.Tokens[ph.First].Start:d.Tokens[e-2].End]
						return name, true
					}
				}
			}
			if ph.Pronoun == "" {
				role := d.Text[d.Tokens[k+1].Start:d.Tokens[e-2].End]
				if !strings.HasPrefix(role, "who ") && !strings.HasPrefix(role, "which ") {
					if ph.Role != "" && ofPlace {
						ph.Role += " " + role // "Ms. of Harbor Capital"
					} else if ph.Role != "" {
						ph.Role += ", " + role
					} else {
						ph.Role = role
					}
				}
				// "Clinton, during a meeting in Columbus, Ohio, said"; but
				// "As Lee, an economist, put it" is a clause
				if ph.First > stop && isPreposition(d.Tokens[ph.First-1].Lower) && d.Tokens[ph.First-1].Lower != "as" {
					continue
				}
				return ph, true
			}
			break
		}
	}
	// "She went on to say:", "Trump refused to say": the subject of the
	// clause.
	if d.Tokens[e-1].Lower == "to" {
		sf, _ := r.sentBounds(c)
		if ph, ok := r.clauseSubjectAny(max(sf, stop), e-1); ok {
			return ph, true
		}
	}
	// "Lazar said he welcomed it and added": the subject of the cue before.
	if w := d.Tokens[e-1].Lower; w == "and" || w == "but" || isConjunctionDE(w) {
		for i := e - 2; i >= stop && i > e-40; i-- {
			if r.inQuote[i] >= 0 {
				break
			}
			if c2, ok := r.cueVerbAt(i); ok && !c2.Entry.nounForm() {
				if ph, ok := r.subjectBefore(c2.First, stop); ok {
					return ph, true
				}
				break
			}
		}
		sf, _ := r.sentBounds(c)
		if sf < stop {
			sf = stop
		}
		if ph, ok := r.clauseSubjectAny(sf, e-1); ok {
			return ph, true // "the chairman declined to name them but said"
		}
	}
	// ", saying ...": a participle takes the subject of its clause, or of
	// the cue before it ("...," Black said, referring to ...).
	if ing && d.Tokens[c-1].Lower == "," {
		sf, _ := r.sentBounds(c)
		if sf < stop {
			sf = stop
		}
		for i := c - 2; i >= sf && i > c-12; i-- {
			if r.inQuote[i] >= 0 {
				break
			}
			if c2, ok := r.cueVerbAt(i); ok && c2.First == i && !c2.Entry.nounForm() {
				if ph, ok := r.subjectBefore(i, sf); ok {
					return ph, true
				}
				if ph, ok := r.x.rightPhrase(d, c2.Last, c-1); ok && ph.Last == c-1 && c2.Entry.Strong {
					return ph, true // "...," said Black, referring to ...
				}
				break
			}
		}
		if ph, ok := r.clauseSubjectAny(sf, c-1); ok {
			return ph, true
		}
	}
	return phrase{}, false
}

// anonymousOne: a pronoun-like word that names an unnamed speaker of a
// group already mentioned: "one said", "said another".
func anonymousOne(w string) bool { return w == "one" || w == "another" || w == "others" }

// rolePrefix reports whether tokens [a, b) may stand before a name as its
// description: an optional article, then at most two lower-case words that
// are role nouns or participles used as adjectives ("psychologist Ann Lee",
// "a beaming Novak"), none a cue, preposition or pronoun.
func (r *run) rolePrefix(a, b int) bool {
	d := r.d
	if b <= a || b-a > 3 {
		return false
	}
	if determiners[d.Tokens[a].Lower] && (d.Tokens[a].Lower == "a" || d.Tokens[a].Lower == "an" || d.Tokens[a].Lower == "the") {
		a++
	}
	if b-a < 1 || b-a > 2 {
		return false
	}
	for i := a; i < b; i++ {
		t := d.Tokens[i]
		if t.Kind != nlp.Word || t.Cap || r.cueAt[i] >= 0 && !r.adjectivalIng(i) || isPrepositionWord(t.Lower) || r.x.tokHas(d, i, lPronouns|lSkip|tagDet) {
			return false
		}
		if !r.x.nounLikeAt(d, i) && !isModifier(t.Lower) && !strings.HasSuffix(t.Lower, "ing") {
			return false
		}
	}
	return true
}

// adjectivalIng: an -ing cue form between an article and a name is an
// adjective: "a beaming Novak said", "a smiling Lee told".
func (r *run) adjectivalIng(i int) bool {
	d := r.d
	return i > 0 && i+1 < len(d.Tokens) && strings.HasSuffix(d.Tokens[i].Lower, "ing") && (d.Tokens[i-1].Lower == "a" || d.Tokens[i-1].Lower == "an" || d.Tokens[i-1].Lower == "the") && r.x.isNameToken(d, i+1)
}

// clauseOpener: a token after which a new clause (with its own subject)
// begins.
func clauseOpener(w string) bool {
	switch w {
	case ",", ";", ":", "—", "–", "--", "and", "but", "while", "whereas", "yet":
		return true
	}
	return false
}

// isAdverb: a manner adverb between a subject and its verb ("forcefully told").
func isAdverb(w string) bool {
	return len(w) > 4 && strings.HasSuffix(w, "ly") && w != "only" && w != "early" && w != "family" && w != "italy" && w != "july" && w != "rally" && w != "ally" && w != "supply"
}

func isAppoDelim(w string) bool { return w == "," || w == "--" || w == "—" || w == "–" }

// skipTimeAdjunct steps left over a time phrase between a subject and its
// verb: "Trump on Tuesday said", "who in 2010 said", "Clinton last week said".
func (r *run) skipTimeAdjunct(e, stop int) int {
	d := r.d
	for p := e - 1; p >= stop && p >= e-4; p-- {
		w := d.Tokens[p].Lower
		switch w {
		case "in", "on", "at", "during", "last", "this", "earlier", "late", "early":
			if p < e-1 && allTimeWords(d, p+1, e) {
				return p
			}
			return e
		}
		if !isTimeWord(w) {
			return e
		}
	}
	return e
}

func allTimeWords(d *nlp.Doc, a, b int) bool {
	for i := a; i < b; i++ {
		if !isTimeWord(d.Tokens[i].Lower) {
			return false
		}
	}
	return true
}

func isTimeWord(w string) bool {
	if w != "" && w[0] >= '0' && w[0] <= '9' {
		return true
	}
	switch w {
	case "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "week", "month", "year", "night", "morning", "afternoon", "evening", "day", "weekend", "the", "a", "an":
		return true
	}
	return false
}

// skipParen: when the token before end is a closing parenthesis, the index
// of its opening one ("Meeks (D-N.Y.)"); end otherwise.
func (r *run) skipParen(end, stop int) int {
	d := r.d
	if end-1 < stop || d.Tokens[end-1].Lower != ")" {
		return end
	}
	for k := end - 2; k >= stop && k > end-10; k-- {
		if d.Tokens[k].Lower == "(" {
			return k
		}
	}
	return end
}

func isPrepositionDE(w string) bool {
	switch w {
	case "mit", "von", "bei", "nach", "aus", "zu", "zum", "zur", "für", "über", "gegen", "ohne", "um", "durch", "in", "im", "an", "am", "auf", "vor", "hinter", "neben", "zwischen", "anlässlich", "laut", "seit", "während", "wegen", "trotz", "vom", "beim":
		return true
	}
	return false
}

func isPreposition(w string) bool {
	switch w {
	case "of", "by", "to", "with", "for", "from", "about", "against", "on", "at", "in", "into", "than", "like", "as", "between", "among", "under", "over", "after", "before", "toward", "towards", "that", "whom", "whose",
		"despite", "without", "during", "amid", "upon", "through", "throughout", "within", "across":
		return true
	}
	return false
}

// Windows around a token that the sieves look at: a sentence, but never
// more than maxBack tokens before the token or maxAhead after it, so that a
// text with no sentence ends costs linear time.
const (
	maxBack  = 80
	maxAhead = 160
)

func (r *run) sentBounds(i int) (int, int) {
	s := r.d.Sents[r.d.Tokens[i].Sent]
	return max(s.First, i-maxBack), min(s.Last, i+maxAhead)
}

func (r *run) paraBounds(i int) (int, int) {
	p := r.d.Paras[r.d.Tokens[i].Para]
	return p.First, p.Last
}

// isCueVerb: speech or belief cue at token i.
func (r *run) cueVerbAt(i int) (cue, bool) {
	if i < 0 || i >= len(r.cueAt) || r.cueAt[i] < 0 {
		return cue{}, false
	}
	c := r.cues[r.cueAt[i]]
	return c, c.Entry.Class == ClassSpeech || c.Entry.Class == ClassBelief
}

// attributeQuotes attributes every outermost quote in three stages: the
// sieves propose candidates (proposeQuote, no side effects), the Ranker
// chooses one, and commitQuote applies the choice.
func (r *run) attributeQuotes() {
	r.foundOf = make([]int, len(r.quotes))
	for i := range r.foundOf {
		r.foundOf[i] = -1
	}
	for qi := range r.quotes {
		base, ok := r.quoteBase(qi)
		if !ok {
			continue
		}
		cands := r.proposeQuote(qi, base)
		// a gated sieve's proposal stands (see gated): the other sieves'
		// proposals are enough to give its confidence
		if !r.x.ranker.firstOnly() && !(len(cands) > 0 && gated(cands[0].sieve)) {
			cands = r.moreCandidates(qi, base, cands)
			r.cands = cands
		}
		pick, conf := r.x.ranker.choose(r, qi, cands)
		r.commitQuote(qi, base, cands, pick, conf)
	}
}

// quoteBase is quote qi as an attribution with no speaker yet; false when
// its content is empty.
func (r *run) quoteBase(qi int) (found, bool) {
	q := r.quotes[qi]
	f := found{content: attribution.Span{Start: q.Start, End: q.End}, quote: qi, closed: q.Closed, inherit: -1}
	trimSpan(r.d.Text, &f.content)
	return f, f.content.End > f.content.Start
}

// The quote sieves in the order the rule ranker trusts them, most precise
// first; sieveGermanColon runs only on German text. Each proposes at most one
// attribution of a quote by filling f; it only reads the run (earlier commits
// included) and changes nothing else.
const (
	sieveTranscript = iota
	sieveAfter
	sieveIntro
	sieveColon
	sieveBefore
	sieveTrailing
	sieveGermanColon
	sieveContext
	sieveSubject
	numSieves
)

func (r *run) runSieve(s, qi int, f *found) bool {
	switch s {
	case sieveTranscript:
		return r.sieveTranscript(qi, f)
	case sieveAfter:
		return r.sieveAfter(qi, f)
	case sieveIntro:
		return r.sieveIntro(qi, f)
	case sieveColon:
		return r.sieveColon(qi, f)
	case sieveBefore:
		return r.sieveBefore(qi, f)
	case sieveTrailing:
		return r.sieveTrailing(qi, f)
	case sieveGermanColon:
		return r.german && r.sieveGermanColon(qi, f)
	case sieveContext:
		return r.sieveContext(qi, f)
	case sieveSubject:
		return r.sieveSubject(qi, f)
	}
	return false
}

// proposeQuote runs the sieves on quote qi and returns their candidates in
// sieve order; it stops at the first when the ranker wants no more. It has
// no side effects.
func (r *run) proposeQuote(qi int, base found) []candidate {
	cands := r.cands[:0]
	first := r.x.ranker.firstOnly()
	for s := 0; s < numSieves; s++ {
		f := base
		if r.runSieve(s, qi, &f) {
			cands = append(cands, candidate{f: f, sieve: s, order: len(cands)})
			if first {
				break
			}
		}
	}
	r.cands = cands
	return cands
}

// commitQuote applies the choice for quote qi: cands[pick], or no speaker
// when pick < 0. It marks the cue as used (indirect speech will not read it
// again), drops quotes that are terms or titles rather than statements, and
// appends the attribution.
func (r *run) commitQuote(qi int, base found, cands []candidate, pick int, conf float64) {
	d := r.d
	q := r.quotes[qi]
	f := base
	// Whether the quote is kept and its kind follow the first sieve's
	// proposal (the rule cascade); the speaker follows the ranker's
	// choice, which may be a generated candidate.
	lead := -1
	if len(cands) > 0 && cands[0].sieve < numSieves {
		lead = 0
	}
	var chosen *found
	if pick >= 0 && pick != lead {
		chosen = &cands[pick].f
	}
	if lead >= 0 {
		f = cands[lead].f
		f.conf = conf
	} else if chosen != nil && !r.x.ranker.calibrated() {
		f = *chosen
		f.conf = conf
		chosen = nil
	} else {
		f.kind = r.quoteKind(qi, false)
		f.rule = ruleUnattributed
		f.conf = 0.3
		if r.isScare(qi) && !r.cueInSight(qi, chosen) {
			return // a quoted term with no cue in sight: not a statement
		}
	}
	if f.cue != nil {
		r.usedCue[f.cue.First] = true // even when the quote is dropped below
	}

	calibrated := r.x.ranker.calibrated()
	if !q.Closed && !calibrated {
		f.conf *= 0.7
	}
	if f.kind != attribution.KindDirect && f.rule != ruleUnattributed && r.isScare(qi) && (f.rule == ruleSameParagraph || f.rule == ruleNeighbour || f.rule == ruleContinuation) {
		return
	}
	// A quote in capitals right next to a cue is a statement ("Yes," he
	// said) when it opens its sentence; after "on CBS's" it is a title.
	sf, _ := r.sentBounds(r.qOpenTok[qi])
	opens := r.qOpenTok[qi] == sf || r.qOpenTok[qi] > 0 && d.Tokens[r.qOpenTok[qi]-1].Lower == ":"
	o := r.qOpenTok[qi]
	introduced := o > 0 && (d.Tokens[o-1].Lower == ":" || d.Tokens[o-1].Lower == ",") && (o < 2 || d.Tokens[o-2].Lower != "called")
	adjacent := opens && (f.rule == ruleQuoteCueSpeaker || f.rule == ruleQuoteSpeakerCue || f.rule == ruleTranscript) || f.rule == ruleSpeakerCueQuote && f.kind == attribution.KindDirect && introduced
	if r.quoteWords(qi) == 0 || r.isNamed(qi) {
		return
	}
	if r.isTitleCase(qi) && !adjacent {
		// A name in capitals inside reported speech may be the
		// speaker's own words ("Trump called her “Miss Piggy”"): kept,
		// with low confidence; elsewhere it is a title.
		if f.rule != ruleEmbedded {
			return
		}
		if !calibrated {
			f.conf = 0.4
		}
	}
	f.leadSpk = f.hasSpk || f.inherit >= 0
	if chosen != nil {
		f.speaker, f.hasSpk, f.inherit, f.cue, f.rule = chosen.speaker, chosen.hasSpk, chosen.inherit, chosen.cue, chosen.rule
		f.conf = conf
	}
	r.foundOf[qi] = len(r.found)
	r.found = append(r.found, f)
}

// trimSpan drops spaces and a trailing comma from quote content.
func trimSpan(t string, s *attribution.Span) {
	for s.Start < s.End {
		r, n := utf8.DecodeRuneInString(t[s.Start:])
		if !unicode.IsSpace(r) {
			break
		}
		s.Start += n
	}
	for s.End > s.Start {
		r, n := utf8.DecodeLastRuneInString(t[s.Start:s.End])
		if !unicode.IsSpace(r) {
			break
		}
		s.End -= n
	}
}

func (r *run) quoteWords(qi int) int {
	n := 0
	for i := r.qFirst[qi]; i < r.qLast[qi]; i++ {
		if r.d.Tokens[i].Kind == nlp.Word {
			n++
		}
	}
	return n
}

// cueInSight: the ranker chose for quote qi the subject of a speech cue
// before it in its sentence ("he was back to boasting about "winning"").
func (r *run) cueInSight(qi int, chosen *found) bool {
	if chosen == nil || chosen.cue == nil || chosen.cue.First < 0 || chosen.cue.Entry.Class != ClassSpeech {
		return false
	}
	o := r.qOpenTok[qi]
	return chosen.cue.Last <= o && r.d.Tokens[chosen.cue.First].Sent == r.d.Tokens[o].Sent
}

// isScare reports quotes that are terms, titles or nicknames rather than
// statements: short, or all in Title Case, or after "so-called".
func (r *run) isScare(qi int) bool {
	d := r.d
	words, caps := 0, 0
	for i := r.qFirst[qi]; i < r.qLast[qi]; i++ {
		t := d.Tokens[i]
		if t.Kind != nlp.Word {
			continue
		}
		words++
		if t.Cap || r.x.tokHas(d, i, lCapStop) && len(t.Lower) <= 3 {
			caps++
		}
	}
	if r.isSoCalled(qi) {
		return true
	}
	if words < 4 {
		return true
	}
	return words <= 8 && caps == words
}

// isNamed: the quote is a name given to something: so-called "experts",
// a plan dubbed "Project Sunrise".
func (r *run) isNamed(qi int) bool {
	o := r.qOpenTok[qi]
	if o == 0 {
		return false
	}
	switch r.d.Tokens[o-1].Lower {
	case "so-called", "dubbed", "nicknamed", "titled", "entitled", "codenamed":
		return true
	}
	return false
}

// isSoCalled: the quote names something: so-called "experts", dubbed "X".
func (r *run) isSoCalled(qi int) bool {
	d := r.d
	o := r.qOpenTok[qi]
	if o > 0 {
		p := d.Tokens[o-1].Lower
		if p == "so-called" || p == "called" || p == "dubbed" || p == "named" || p == "titled" || p == "entitled" || p == "as" || p == "word" || p == "term" || p == "phrase" {
			return true
		}
	}
	return false
}

// isTitleCase: a short quote whose words are all capitalised is a title or
// a name ("Morning Joe", "All Bets Are Off."), not a statement.
func (r *run) isTitleCase(qi int) bool {
	words, caps := 0, 0
	for i := r.qFirst[qi]; i < r.qLast[qi]; i++ {
		t := r.d.Tokens[i]
		if t.Kind != nlp.Word {
			continue
		}
		words++
		if t.Cap || words > 1 && titleFunctionWord(t.Lower) || t.Lower[0] >= '0' && t.Lower[0] <= '9' {
			caps++
		}
	}
	return words > 0 && words <= 6 && caps == words
}

func titleFunctionWord(w string) bool {
	switch w {
	case "of", "the", "a", "an", "and", "in", "on", "to", "for", "at", "by", "or", "with", "from", "is":
		return true
	}
	return false
}

// quoteKind: direct when the quote is a whole statement: it starts its
// sentence (or follows a cue and a colon or comma) and ends it (or is
// followed by a cue).
func (r *run) quoteKind(qi int, cueAdjacent bool) attribution.Kind {
	d := r.d
	o := r.qOpenTok[qi]
	sf, _ := r.sentBounds(o)
	startOK := o == sf || cueAdjacent
	if !startOK && o > 0 {
		p := d.Tokens[o-1].Lower
		startOK = p == ":" || p == "," && r.x.startsUpper(d, r.qFirst[qi]) || p == "—" || p == "-"
	}
	if !startOK {
		// only punctuation between the sentence start and the mark
		startOK = true
		for i := sf; i < o; i++ {
			if d.Tokens[i].Kind == nlp.Word {
				startOK = false
				break
			}
		}
	}
	if !startOK {
		return attribution.KindMixed
	}
	if !r.x.startsUpper(d, r.qFirst[qi]) {
		return attribution.KindMixed
	}
	return attribution.KindDirect
}

func (x *Extractor) startsUpper(d *nlp.Doc, i int) bool {
	if i >= len(d.Tokens) {
		return false
	}
	t := d.Tokens[i]
	if t.Kind != nlp.Word {
		return true // "…", a dash
	}
	return t.Cap || unicode.IsDigit(rune(d.Text[t.Start]))
}

// afterStart is the first token after quote qi's closing mark and the end of
// the region it may look at (the paragraph, not past the next quote).
func (r *run) afterRegion(qi int) (int, int) {
	c := r.qCloseTok[qi]
	if c < 0 {
		return -1, -1
	}
	a := c + 1
	_, pl := r.paraBounds(r.qOpenTok[qi])
	if r.qCloseTok[qi] >= 0 {
		_, pl = r.paraBounds(r.qCloseTok[qi])
	}
	end := pl
	if qi+1 < len(r.quotes) && r.qOpenTok[qi+1] < end {
		end = r.qOpenTok[qi+1]
	}
	return a, end
}

// sieveAfter: Quote-Cue-Speaker, Quote-Speaker-Cue and press-release dashes.
func (r *run) sieveAfter(qi int, f *found) bool {
	d := r.d
	a, end := r.afterRegion(qi)
	if a < 0 || a >= end {
		return false
	}
	if d.Tokens[a].Lower == "," {
		a++
	}
	if a >= end {
		return false
	}
	// "...," said X / "...," says the spokesman
	c, ok := r.cueVerbAt(a)
	if !ok && r.cueAt[a] >= 0 && r.cues[r.cueAt[a]].Entry.Class == ClassSource {
		c, ok = r.cues[r.cueAt[a]], true // „...“, so Merkel / "...," according to X
	}
	if ok && (r.endsOpen(qi) || d.Tokens[a-1].Lower == ",") {
		// "it" or "you" after the verb is its object ("...," called it a
		// disgrace), never an inverted subject
		if ph, ok := r.x.rightPhrase(d, c.Last, end); ok && ph.Pronoun != "it" && ph.Pronoun != "you" {
			r.setAttr(f, qi, c, ph, ruleQuoteCueSpeaker, 0.95, true)
			return true
		}
		if k := c.Last; k < end && anonymousOne(d.Tokens[k].Lower) && (k+1 >= end || d.Tokens[k+1].Kind == nlp.Punct) {
			r.setAttr(f, qi, c, r.x.finish(d, phrase{First: k, Last: k + 1, Nominal: true}), ruleQuoteCueSpeaker, 0.9, true)
			return true // "...," said another.
		}
	}
	// "...," X said / "...," X, a former minister, said. A quote that ends
	// its own sentence takes only a short "he said." after it.
	commaAfter := d.Tokens[a-1].Lower == ","
	endsStop := !r.endsOpen(qi) && !commaAfter
	if endsStop && !r.endsPeriod(qi) {
		// a fragment inside a sentence ("robust" security guarantees) takes
		// no speaker after it; a quote opening its sentence ("...too" Sweeny
		// said) may, its comma forgotten
		if sf, _ := r.sentBounds(r.qOpenTok[qi]); r.qOpenTok[qi] != sf {
			return false
		}
	}
	for c := a; c < end && c < a+afterWindow; c++ {
		if d.Tokens[c].Kind == nlp.Punct && (r.inQuote[c] >= 0 || d.Tokens[c].Sent != d.Tokens[a].Sent || strings.Contains(";:!?\"“”«»„", d.Tokens[c].Lower)) {
			break
		}
		cu, ok := r.cueVerbAt(c)
		if !ok || r.adjectivalIng(c) {
			continue
		}
		if cu.Entry.nounForm() && c > a && determiners[d.Tokens[c-1].Lower] {
			continue // '"...," the report says': a noun, the verb follows
		}
		if c > a && isArticle(d.Tokens[c-1].Lower) {
			continue // "one of the states suing the EPA, said": a noun after an article
		}
		if endsStop {
			// '"...end." he said.' but not '"...end." She adds, "..."'
			if cu.Last < end && d.Tokens[cu.Last].Lower != "." {
				break
			}
		}
		// '"...," as X put it' reads as '"...," X put it'
		sa := a
		if d.Tokens[a].Lower == "as" && c > a+1 {
			sa = a + 1
		}
		if ph, ok := r.subjectBefore(c, sa); ok && ph.First == sa || ok && ph.First == sa+1 && determiners[d.Tokens[sa].Lower] {
			r.setAttr(f, qi, cu, ph, ruleQuoteSpeakerCue, 0.93, true)
			return true
		} else if ok && ph.First > a && ph.Pronoun == "" && !ph.Nominal && r.rolePrefix(a, ph.First) {
			// "...," psychologist Ann Lee says / a beaming Novak said
			if ph.Role == "" && !determiners[d.Tokens[ph.First-1].Lower] && r.x.nounLikeAt(d, ph.First-1) {
				ph.Role = d.TokenText(ph.First - 1)
			}
			ph.First = a
			r.setAttr(f, qi, cu, ph, ruleQuoteSpeakerCue, 0.9, true)
			return true
		}
		break
	}
	// "..." — Commissioner X
	if t := d.Tokens[a].Lower; (t == "—" || t == "–" || t == "-" || t == "―") && a+1 < end {
		if ph, ok := r.x.rightPhrase(d, a+1, end); ok && ph.Pronoun == "" {
			r.setAttr(f, qi, cue{First: -1}, ph, ruleQuoteDash, 0.8, true)
			return true
		}
	}
	return false
}

// endsOpen reports whether the quoted text ends with a comma, question or
// exclamation mark, a dash or an ellipsis: punctuation that hands over to an
// attribution ("...," he said).
func (r *run) endsOpen(qi int) bool {
	l := r.qLast[qi]
	// look through the marks of a quote that ends inside ("...‘echo,’")
	// and through emoji ("...won! 🎉")
	for l > r.qFirst[qi] && (isQuoteMarkToken(r.d.Tokens[l-1].Lower) || isSymbolToken(r.d.Tokens[l-1].Lower)) {
		l--
	}
	if l <= r.qFirst[qi] {
		return false
	}
	switch r.d.Tokens[l-1].Lower {
	case ",", "?", "!", "…", "-", "—", "–", ";":
		return true
	}
	return false
}

// isSymbolToken: emoji and other symbols, with their joiners and variation
// selectors ("🎉", "👍🏽", "❤️").
func isSymbolToken(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !unicode.IsSymbol(r) && r != 0x200d && !unicode.Is(unicode.Variation_Selector, r) && !(r >= 0x1f3fb && r <= 0x1f3ff) {
			return false
		}
	}
	return true
}

func isQuoteMarkToken(s string) bool {
	switch s {
	case "'", "’", "‘", "\"", "”", "“", "»", "«", "›", "‹":
		return true
	}
	return false
}

func (r *run) endsPeriod(qi int) bool {
	l := r.qLast[qi]
	for l > r.qFirst[qi] && (isQuoteMarkToken(r.d.Tokens[l-1].Lower) || isSymbolToken(r.d.Tokens[l-1].Lower)) {
		l--
	}
	return l > r.qFirst[qi] && (r.d.Tokens[l-1].Lower == "." || r.d.Tokens[l-1].Lower == "。")
}

// sieveColon: "From Chairwoman X:" or "X:" right before the quote.
func (r *run) sieveColon(qi int, f *found) bool {
	d := r.d
	o := r.qOpenTok[qi]
	if o < 2 || d.Tokens[o-1].Lower != ":" {
		return false
	}
	pf, _ := r.paraBounds(o - 1)
	sf, _ := r.sentBounds(o - 1)
	if sf < pf {
		sf = pf
	}
	start := sf
	if w := d.Tokens[start].Lower; w == "from" || w == "von" {
		start++
	}
	if ph, ok := r.x.rightPhrase(d, start, o-1); ok && ph.Last == o-1 && ph.Pronoun == "" && r.cueAt[ph.Last-1] < 0 {
		r.setAttr(f, qi, cue{First: -1}, ph, ruleColonSpeaker, 0.75, true)
		return true
	}
	// "... - More from Jones:" / "HEADLINE - Frank Newport and Jim Harter:"
	if ph, ok := r.x.leftPhrase(d, o-1, sf); ok && !ph.Nominal && ph.Pronoun == "" && r.cueAt[ph.Last-1] < 0 && ph.First > sf {
		if p := d.Tokens[ph.First-1].Lower; p == "from" || p == "-" || p == "—" || p == "–" || p == "--" {
			r.setAttr(f, qi, cue{First: -1}, ph, ruleColonSpeaker, 0.7, true)
			return true
		}
		// a round-up line "Ann Lee, The Daily Ledger: '...'": the person
		// opening the line speaks, the outlet is her role
		if p := ph.First - 1; d.Tokens[p].Lower == "," && p > sf {
			if name, ok := r.x.rightPhrase(d, start, p); ok && name.Last == p && name.First == start && !name.Nominal && name.Pronoun == "" && name.Type == attribution.SpeakerPerson && r.cueAt[name.Last-1] < 0 {
				name.Role = d.Text[d.Tokens[ph.First].Start:d.Tokens[ph.Last-1].End]
				r.setAttr(f, qi, cue{First: -1}, name, ruleColonSpeaker, 0.7, true)
				return true
			}
		}
	}
	return false
}

// sieveBefore: a cue before the quote in its sentence. The first speech cue
// with a subject wins (the main clause), then belief cues, then
// "according to X".
func (r *run) sieveBefore(qi int, f *found) bool {
	d := r.d
	o := r.qOpenTok[qi]
	sf, _ := r.sentBounds(o)
	pf, _ := r.paraBounds(o)
	if sf < pf {
		sf = pf
	}
	type cand struct {
		c  cue
		ph phrase
	}
	var best, belief, src *cand
	for i := sf; i < o; i++ {
		if r.inQuote[i] >= 0 || r.cueAt[i] < 0 {
			continue
		}
		c := r.cues[r.cueAt[i]]
		switch c.Entry.Class {
		case ClassSpeech, ClassBelief:
			ph, ok := r.subjectOf(c, sf, o)
			if !ok {
				continue
			}
			if c.Entry.Class == ClassSpeech {
				// The first speech cue of the sentence (the main clause), or a
				// later one that opens a clause of its own: "Cruz accuses
				// Obama of "...", and Trump says he's "..."". A cue inside
				// the first one's content ("she said Trump favors") is not.
				// "..., with spokesman X saying" opens one too.
				if best == nil || ph.First > 0 && (clauseOpener(d.Tokens[ph.First-1].Lower) || d.Tokens[ph.First-1].Lower == "with") {
					best = &cand{c, ph}
				}
			} else if c.Entry.Class == ClassBelief && belief == nil {
				belief = &cand{c, ph}
			}
		case ClassSource:
			if ph, ok := r.x.rightPhrase(d, c.Last, o); ok && src == nil {
				src = &cand{c, ph}
			}
		}
	}
	if best == nil && belief == nil && src == nil {
		// "Protesters marching through the streets chanted": the clause
		// before the first speech cue as its subject
		for i := sf; i < o; i++ {
			if c, ok := r.cueVerbAt(i); ok && r.inQuote[i] < 0 && c.Entry.Class == ClassSpeech && !c.Entry.That {
				if ph, ok := r.looseSubject(c.First, sf); ok {
					best = &cand{c, ph}
				}
				break
			}
		}
	}
	pick := best
	// A cue right before the quote ("X boasted, “...”") beats the main clause.
	if o >= 2 && (d.Tokens[o-1].Lower == ":" || d.Tokens[o-1].Lower == ",") {
		for i := o - 2; i >= sf && i >= o-6; i-- {
			if c, ok := r.cueVerbAt(i); ok && r.inQuote[i] < 0 {
				if ph, ok := r.subjectOf(c, sf, o); ok {
					pick = &cand{c, ph}
				}
				break
			}
			if d.Tokens[i].Kind == nlp.Punct {
				break
			}
		}
	}
	if pick == nil {
		pick = src
	}
	if pick == nil {
		pick = belief
	}
	if pick == nil {
		return false
	}
	// Direct when only the cue, an addressee or an adjunct and a colon or
	// comma stand between cue and quote: He told reporters: "...".
	adjacent := false
	gap := o - pick.c.Last
	if gap >= 0 && gap <= 8 && o > 0 && (d.Tokens[o-1].Lower == ":" || d.Tokens[o-1].Lower == ",") {
		adjacent = true
		for i := pick.c.Last; i < o-1; i++ {
			if d.Tokens[i].Kind == nlp.Punct && d.Tokens[i].Lower != "," {
				adjacent = false
			}
		}
	}
	if gap == 0 {
		adjacent = true
	}
	conf := 0.88
	if pick.c.Entry.Class == ClassBelief {
		conf = 0.7
	}
	r.setAttr(f, qi, pick.c, pick.ph, ruleSpeakerCueQuote, conf, adjacent)
	if !adjacent {
		f.rule = ruleEmbedded
	}
	return true
}

// sieveTranscript: a quoted transcript line names its speaker in capitals
// and a colon: "WALLACE: Governor, ..." The content follows the colon.
func (r *run) sieveTranscript(qi int, f *found) bool {
	d := r.d
	i := r.qFirst[qi]
	j := i
	for j < r.qLast[qi] && j < i+4 && d.Tokens[j].Kind == nlp.Word && isAcronym(strings.ReplaceAll(d.TokenText(j), "-", "")) {
		j++
	}
	if j == i || j >= r.qLast[qi]-1 || d.Tokens[j].Lower != ":" {
		return false
	}
	ph := r.x.finish(d, phrase{First: i, Last: j})
	ph.Type = attribution.SpeakerPerson
	f.speaker, f.hasSpk = ph, true
	f.rule, f.conf = ruleTranscript, 0.8
	f.content.Start = d.Tokens[j+1].Start
	f.kind = attribution.KindDirect
	return true
}

// sieveGermanColon: German introduces quotes with a colon after a clause
// whose verb may come late ("Stoiber hatte die Rolle betont: „...“"); the
// speaker is the first pronoun or full name of that clause.
func (r *run) sieveGermanColon(qi int, f *found) bool {
	d := r.d
	o := r.qOpenTok[qi]
	if o == 0 || d.Tokens[o-1].Lower != ":" {
		return false
	}
	sf, _ := r.sentBounds(o - 1)
	for i := sf; i < o-1; i++ {
		t := d.Tokens[i]
		if r.inQuote[i] >= 0 || t.Kind != nlp.Word {
			continue
		}
		if t.Lower == "er" || t.Lower == "sie" && i > sf {
			r.setAttr(f, qi, cue{First: -1}, r.x.finish(d, phrase{First: i, Last: i + 1, Pronoun: t.Lower}), ruleGermanColon, 0.55, true)
			return true
		}
		// a full name: a known first name, or two capitalised words where
		// the second is not a common noun form
		if t.Cap && i+1 < o-1 && d.Tokens[i+1].Cap && d.Tokens[i+1].Kind == nlp.Word {
			if r.x.firstGender(d, i) != 0 {
				j := i + 1
				for j < o-1 && d.Tokens[j].Cap && d.Tokens[j].Kind == nlp.Word {
					j++
				}
				ph := r.x.finish(d, phrase{First: i, Last: j})
				ph.Type = attribution.SpeakerPerson
				r.setAttr(f, qi, cue{First: -1}, ph, ruleGermanColon, 0.55, true)
				return true
			}
		}
	}
	return false
}

// sieveIntro: the quote opens its sentence or paragraph right after a
// sentence that ends with a colon and holds a cue: 'Caddell continued:' ¶ "...".
func (r *run) sieveIntro(qi int, f *found) bool {
	d := r.d
	o := r.qOpenTok[qi]
	if o == 0 || d.Tokens[o-1].Lower != ":" || d.Tokens[o-1].Para == d.Tokens[o].Para {
		return false // within a paragraph sieveBefore reads the sentence
	}
	sf, _ := r.sentBounds(o - 1)
	for i := o - 2; i >= sf && i >= o-10; i-- {
		if c, ok := r.cueVerbAt(i); ok && r.inQuote[i] < 0 {
			if ph, ok := r.subjectOf(c, sf, o-1); ok {
				r.setAttr(f, qi, c, ph, ruleSpeakerCueQuote, 0.8, true)
				return true
			}
			return false
		}
	}
	return false
}

// sieveTrailing: '"..." words, X said.' A cue after the quote in the same
// sentence whose subject follows a comma.
func (r *run) sieveTrailing(qi int, f *found) bool {
	d := r.d
	c0 := r.qCloseTok[qi]
	if c0 < 0 {
		return false
	}
	_, sl := r.sentBounds(c0)
	for i := c0 + 1; i < sl; i++ {
		if r.inQuote[i] >= 0 {
			return false
		}
		if r.cueAt[i] < 0 {
			continue
		}
		cu, ok := r.cueVerbAt(i)
		if !ok {
			if r.cueAt[i] >= 0 && r.cues[r.cueAt[i]].Entry.Class == ClassSource && i > 0 && d.Tokens[i-1].Lower == "," {
				if ph, ok := r.x.rightPhrase(d, r.cues[r.cueAt[i]].Last, sl); ok {
					r.setAttr(f, qi, r.cues[r.cueAt[i]], ph, ruleAccordingTo, 0.8, false)
					return true
				}
			}
			continue
		}
		if ph, ok := r.subjectBefore(i, c0+1); ok && ph.First > 0 && d.Tokens[ph.First-1].Lower == "," {
			r.setAttr(f, qi, cu, ph, ruleTrailingCue, 0.8, false)
			return true
		}
		if d.Tokens[i-1].Lower == "," {
			if ph, ok := r.x.rightPhrase(d, cu.Last, sl); ok {
				r.setAttr(f, qi, cu, ph, ruleTrailingCue, 0.8, false)
				return true
			}
		}
		return false
	}
	return false
}

// sieveContext: no cue next to the quote. Same speaker as an earlier quote
// of the paragraph, or of the previous paragraph (continuation), or a
// person named in the previous sentence.
func (r *run) sieveContext(qi int, f *found) bool {
	d := r.d
	o := r.qOpenTok[qi]
	para := d.Tokens[o].Para
	// the latest attributed quote before this one, as the rule cascade saw
	// it (lead speaker), so that quotes are kept alike
	if k := r.latestLead(); k >= 0 {
		p := r.found[k]
		pp := d.Tokens[r.qOpenTok[p.quote]].Para
		if pp == para {
			f.inherit, f.rule, f.conf = p.quote, ruleSameParagraph, 0.75
			f.kind = r.quoteKind(qi, false)
			return true
		}
		if pp == para-1 && o == d.Paras[para].First {
			f.inherit, f.rule, f.conf = p.quote, ruleContinuation, 0.65
			f.kind = r.quoteKind(qi, false)
			return true
		}
	}
	// A speaker named in the previous sentence of the paragraph, or in a
	// paragraph that ends with a colon.
	s := d.Tokens[o].Sent
	for ps := s - 1; ps >= 0 && ps >= s-1; ps-- {
		sent := d.Sents[ps]
		if sent.Para != para && !(sent.Para == para-1 && d.Tokens[sent.Last-1].Lower == ":") {
			break
		}
		if r.isScare(qi) {
			return false
		}
		if ph, ok := r.clauseSubject(sent.First, sent.Last); ok && ph.Type == attribution.SpeakerPerson {
			f.speaker, f.hasSpk = ph, true
			f.rule, f.conf = ruleNeighbour, 0.55
			f.kind = r.quoteKind(qi, false)
			return true
		}
		if r.german {
			break // every German noun is capitalised: no name guessing
		}
		for i := max(sent.First, sent.Last-maxBack); i < sent.Last; i++ {
			if r.inQuote[i] >= 0 || !r.x.isNameToken(d, i) || i > sent.First && r.x.isNameToken(d, i-1) {
				continue
			}
			j := i
			for j < sent.Last && r.x.isNameToken(d, j) {
				j++
			}
			ph := r.x.finish(d, phrase{First: i, Last: j})
			if ph.Type == attribution.SpeakerPerson && j-i >= 1 && (j-i >= 2 || d.Tokens[i].Lower != d.Tokens[sent.First].Lower) {
				f.speaker, f.hasSpk = ph, true
				f.rule, f.conf = ruleNeighbour, 0.5
				f.kind = r.quoteKind(qi, false)
				return true
			}
		}
	}
	return false
}

// sieveSubject: the subject of the clause holding the quote, when it is a
// name or pronoun directly followed by a verb: 'Cruz exhorted Republicans to
// "vote your conscience"'. Weak: the verb is not a known cue.
func (r *run) sieveSubject(qi int, f *found) bool {
	o := r.qOpenTok[qi]
	sf, _ := r.sentBounds(o)
	start := sf
	// skip a leading adverbial clause: "At a rally, Trump likened ..."
	for i := sf; i < o && i < sf+12; i++ {
		if r.d.Tokens[i].Lower == "," {
			start = i + 1
			break
		}
	}
	for _, st := range []int{sf, start} {
		if st >= o {
			continue
		}
		if ph, ok := r.clauseSubject(st, o); ok {
			f.speaker, f.hasSpk = ph, true
			f.rule, f.conf = ruleSubject, 0.45
			f.kind = r.quoteKind(qi, false)
			return true
		}
	}
	return false
}

// clauseSubject: the name, pronoun or definite phrase that opens the clause
// [from, to) and is followed by a verb.
func (r *run) clauseSubject(from, to int) (phrase, bool) {
	d := r.d
	ph, ok := r.x.rightPhrase(d, from, to)
	if !ok {
		return phrase{}, false
	}
	indefinite := ph.Nominal && !ph.Definite
	v := ph.Last
	if v < to && d.Tokens[v].Lower == "," {
		// an apposition: "The agency's administrator, Carl Jensen, defended"
		for j := v + 1; j < to && j < v+18; j++ {
			if d.Tokens[j].Lower == "," {
				if in, ok := r.x.rightPhrase(d, v+1, j); ok && in.Last == j && !in.Nominal && in.Pronoun == "" {
					in.Role = d.Text[d.Tokens[ph.First].Start:d.Tokens[ph.Last-1].End]
					ph = in
					indefinite = false
				}
				v = j + 1
				break
			}
		}
	}
	if indefinite {
		return phrase{}, false
	}
	aux := false
	for v < to {
		w := d.Tokens[v].Lower
		if r.x.lex.has(lSkip, w) || isAdverb(w) {
			aux = aux || w == "has" || w == "have" || w == "had" || w == "will" || w == "would"
			v++
			continue
		}
		if w == "is" || w == "are" || w == "was" || w == "were" || w == "been" || w == "be" || w == "'s" {
			aux = true
			v++
			continue
		}
		break
	}
	if v < to && aux && d.Tokens[v].Kind == nlp.Word && !d.Tokens[v].Cap && strings.HasSuffix(d.Tokens[v].Lower, "ing") {
		return ph, true // "Reid has been steadily pounding Trump as ..."
	}
	if v >= to || d.Tokens[v].Kind != nlp.Word || d.Tokens[v].Cap || !looksVerb(d.Tokens[v].Lower) && r.cueAt[v] < 0 {
		return phrase{}, false
	}
	return ph, true
}

// clauseSubjectAny tries the clause subject at the sentence start, then
// after a leading adverbial clause ("After the primaries, Warren endorsed").
func (r *run) clauseSubjectAny(from, to int) (phrase, bool) {
	if ph, ok := r.clauseSubject(from, to); ok {
		return ph, true
	}
	for i := from; i < to && i < from+15; i++ {
		if r.d.Tokens[i].Lower == "," {
			return r.clauseSubject(i+1, to)
		}
	}
	return phrase{}, false
}

// looksVerb: a past or present tense form, by its ending.
func looksVerb(w string) bool {
	if strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "ous") {
		return true
	}
	switch w {
	case "put", "took", "gave", "made", "went", "got", "came", "saw", "led", "left", "ran", "won", "lost", "hit", "set", "sent", "spent", "kept", "held", "brought", "bought", "felt", "found", "told", "said", "wrote", "spoke", "sang", "began", "became", "chose", "drew", "threw", "stood", "fought", "taught", "thought", "sought", "meant", "chanted":
		return true
	}
	return false
}

func (r *run) setAttr(f *found, qi int, c cue, ph phrase, rule string, conf float64, adjacent bool) {
	f.speaker, f.hasSpk = ph, true
	f.rule, f.conf = rule, conf
	if c.First >= 0 {
		cc := c
		f.cue = &cc
	}
	f.kind = r.quoteKind(qi, adjacent)
}

// afterWindow is how far after a quote sieveAfter looks for its cue: far
// enough for a name with a long apposition ("...," Ann Lee, a senior
// fellow at the Hoover Institution and a former ambassador, said).
const afterWindow = 26

// isConjunctionDE: a German conjunction that joins two main clauses sharing
// their subject ("Er kritisierte ... und forderte ...").
func isConjunctionDE(w string) bool {
	switch w {
	case "und", "oder", "aber", "sowie", "doch":
		return true
	}
	return false
}

// objectCaseDE: a German article that is never nominative ("bezeichnete den
// Plan", "sagte dem Sender"): the phrase it opens is no subject.
func objectCaseDE(w string) bool {
	switch w {
	case "den", "dem", "des", "einen", "einem", "eines":
		return true
	}
	return false
}

// isBeForm: a finite form of be ("the cleric is shown lecturing").
func isBeForm(w string) bool {
	switch w {
	case "is", "are", "was", "were", "am":
		return true
	}
	return false
}

// isAuxiliary: a form of be, have or do, or a modal verb.
func isAuxiliary(w string) bool {
	switch w {
	case "is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "having", "do", "does", "did", "will", "would", "can", "could", "may", "might", "must", "shall", "should", "'re", "'ve", "'d", "'ll":
		return true
	}
	return false
}

// isArticle: an English article or possessive determiner, which a verb
// never follows ("the states", "their claims").
func isArticle(w string) bool {
	switch w {
	case "the", "a", "an", "his", "their", "its", "our", "my", "your":
		return true
	}
	return false
}

// isCount: a number in digits or words ("3", "three").
func isCount(w string) bool {
	switch w {
	case "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve":
		return true
	}
	return isNumberish(w)
}
