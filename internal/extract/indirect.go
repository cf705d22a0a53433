package extract

import (
	"sort"
	"strings"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/nlp"
)

// findIndirect reads reported speech without quotation marks from every cue
// no quote has used: "X said (that) CONTENT", "CONTENT, X said",
// "according to X, CONTENT" and "CONTENT, according to X".
func (r *run) findIndirect() {
	d := r.d
	for ci, c := range r.cues {
		if r.usedCue[c.First] {
			continue
		}
		sf, sl := r.sentBounds(c.First)
		var f found
		ok := false
		switch c.Entry.Class {
		case ClassSpeech, ClassBelief:
			if c.Last < sl && d.Tokens[c.Last].Lower == "," || c.Last == sl-1 && d.Tokens[c.Last].Kind == nlp.Punct {
				ok = r.indirectTrailing(ci, sf, sl, &f) || r.indirectForward(ci, sf, sl, &f)
			} else {
				ok = r.indirectForward(ci, sf, sl, &f) || r.indirectTrailing(ci, sf, sl, &f)
			}
		case ClassSource:
			ok = r.accordingTo(ci, sf, sl, &f)
		}
		if !ok {
			continue
		}
		// Content running into a quotation that no cue claimed ends before it.
		if q := r.firstQuoteIn(f.content); q >= 0 {
			if r.quotes[q].Open <= f.content.Start {
				continue
			}
			end := d.TokenAt(r.quotes[q].Open)
			start := d.TokenAt(f.content.Start)
			for end > start && (d.Tokens[end-1].Kind == nlp.Punct || isClauseBreak(d.Tokens[end-1].Lower)) {
				end--
			}
			if r.countWords(start, end) < 3 {
				continue
			}
			f.content = span(d, start, end)
		}
		cc := c
		f.cue, f.quote, f.inherit, f.kind, f.closed = &cc, -1, -1, attribution.KindIndirect, true
		switch {
		case c.Entry.Class == ClassBelief:
			f.conf *= 0.75 // thinks, wants: a stance more than a statement
		case c.Entry.Class == ClassSpeech && !c.Entry.Strong:
			f.conf *= 0.85 // defended, criticized: speech, but the content may be a topic
		}
		r.usedCue[c.First] = true
		r.found = append(r.found, f)
	}
	r.sortFound()
}

// firstQuoteIn returns the index of the first quote overlapping s, or -1.
func (r *run) firstQuoteIn(s attribution.Span) int {
	i := sort.Search(len(r.quotes), func(i int) bool { return r.quotes[i].Close > s.Start })
	if i < len(r.quotes) && r.quotes[i].Open < s.End {
		return i
	}
	return -1
}

// indirectForward: SUBJECT CUE [addressee|adjunct] [that] CONTENT.
func (r *run) indirectForward(ci, sf, sl int, f *found) bool {
	d := r.d
	c := r.cues[ci]
	ph, ok := r.subjectOf(c, sf, sl)
	loose := false
	if !ok && c.Entry.Class == ClassSpeech && !c.Entry.That {
		ph, ok = r.looseSubject(c.First, sf)
		loose = true
	}
	if !ok && strings.HasSuffix(d.Tokens[c.First].Lower, "ing") {
		// "Trump tweeted on Monday, falsely suggesting ...": a participle
		// after a comma shares the subject of the main clause
		p := c.First - 1
		for p > sf && isAdverb(d.Tokens[p].Lower) && !d.Tokens[p].Cap {
			p--
		}
		if p > sf && d.Tokens[p].Lower == "," {
			ph, ok = r.clauseSubjectAny(sf, p)
			loose = true
		}
	}
	if !ok {
		return false
	}
	if c.Entry.Base && d.Tokens[c.First].Cap && ph.Pronoun == "" && !ph.Nominal && ph.Last == c.First {
		// "Trump call" in a headline is rarer than "the call"; keep only plural subjects
		if ph.Type == attribution.SpeakerPerson && ph.NameLast-ph.NameFirst == 1 {
			return false
		}
	}
	k := c.Last
	hasThat := false
	skippedPP := false
	// "that" within a short distance starts the content.
	for j := k; j < sl && j < k+10; j++ {
		t := d.Tokens[j]
		if (t.Lower == "that" || t.Lower == "dass") && !(j+1 < sl && isPreposition(d.Tokens[j+1].Lower)) {
			hasThat = true
			k = j + 1
			break
		}
		if t.Kind == nlp.Punct && t.Lower != "," || r.cueAt[j] >= 0 && j > k {
			break
		}
	}
	if !hasThat && c.Entry.That {
		return false
	}
	if !hasThat {
		if c.Entry.Obj {
			if ph2, ok := r.x.rightPhrase(d, k, sl); ok && ph2.Last-k <= 4 {
				k = ph2.Last
			}
		}
		if k < sl && isPreposition(d.Tokens[k].Lower) && d.Tokens[k].Lower != "that" && !(d.Tokens[k].Lower == "to" && c.Entry.Class == ClassBelief) {
			skippedPP = true
			// "said on Tuesday the ...", "said in a statement the ..."
			j := k + 1
			for n := 0; j < sl && n < 4; n++ {
				w := d.Tokens[j].Lower
				if n > 0 && (determiners[w] || r.x.lex.has(lPronouns, w) || d.Tokens[j].Cap && !d.Tokens[j-1].Cap) {
					break
				}
				j++
			}
			k = j
		}
		if k < sl && (d.Tokens[k].Lower == ":" || d.Tokens[k].Lower == ",") {
			k++
		}
	}
	end := r.contentEnd(k, sl)
	words := r.countWords(k, end)
	minWords := 4
	if hasThat {
		minWords = 3
	}
	if l := c.Entry.Lemma; strings.HasSuffix(l, " to") || strings.HasSuffix(l, " about") || strings.HasSuffix(l, " of") {
		minWords = 1 // "referring to Barack Obama": the topic is the content
	}
	if words < minWords {
		return false
	}
	// after "said at a news event this month" a clause must follow, with a verb
	if skippedPP && !r.hasVerb(k, end) {
		return false
	}
	if w := d.Tokens[k].Lower; (w == "to" || w == "not") && c.Entry.Class == ClassSpeech || w == "and" || w == "but" || w == "or" || w == "which" {
		return false
	}
	f.content = span(d, k, end)
	f.speaker, f.hasSpk = ph, true
	f.rule, f.conf = ruleIndirect, 0.7
	if hasThat {
		f.conf = 0.75
	}
	if loose {
		f.rule, f.conf = ruleIndirectLoose, 0.55
	}
	return true
}

// looseSubject takes the whole clause before a speech cue as its subject
// when no tighter phrase fits: "One in four voters in a poll said", "Many
// in the crowd said", "Supporters who heard from the campaign say".
func (r *run) looseSubject(c, sf int) (phrase, bool) {
	d := r.d
	e := c
	// skip words and adverbs before the cue: "Bill Clinton disingenuously
	// claimed"; ", falsely suggesting" is left with no subject
	for e-1 >= sf && (r.x.tokHas(d, e-1, lSkip) || isAdverb(d.Tokens[e-1].Lower) && !d.Tokens[e-1].Cap) {
		e--
	}
	if e-1 < sf || d.Tokens[e-1].Kind != nlp.Word || r.inQuote[e-1] >= 0 || isAuxiliary(d.Tokens[e-1].Lower) {
		return phrase{}, false // "his staff were told": a passive, no speaker
	}
	// Walk left to the start of the clause; verbs are allowed only inside a
	// relative clause ("voters who watched the debate said"), so remember
	// the leftmost verb and check it against the leftmost "who".
	k := e - 1
	verbAt, relAt := -1, -1
	for k-1 >= sf && e-k < 24 {
		t := d.Tokens[k-1]
		if t.Kind == nlp.Punct && t.Lower != "'s" && t.Lower != "-" && t.Lower != "%" && t.Lower != "." || r.inQuote[k-1] >= 0 {
			// a comma closing a relative clause: "voters who ..., on TV, said"
			if t.Lower == "," && relAt < 0 && verbAt >= 0 {
				k--
				continue
			}
			break
		}
		if isClauseBreak(t.Lower) {
			break
		}
		if t.Lower == "who" || t.Lower == "which" {
			relAt = k - 1
		}
		if r.cueAt[k-1] >= 0 && !(r.cues[r.cueAt[k-1]].Entry.Nouny && r.cues[r.cueAt[k-1]].Entry.FormIdx <= 1) || looksVerb(t.Lower) && !t.Cap && !r.x.isNounLike(t.Lower) && !strings.HasSuffix(t.Lower, "s") || !r.german && isBeForm(t.Lower) {
			verbAt = k - 1
		}
		k--
	}
	if verbAt >= 0 && (relAt < 0 || verbAt < relAt) {
		return phrase{}, false // another verb outside a relative clause: not a plain subject
	}
	if relAt == k || isClauseBreak(d.Tokens[k].Lower) {
		return phrase{}, false // the clause starts with "who" or "when": no head noun
	}
	switch d.Tokens[k].Lower {
	case "when", "where", "why", "how", "what", "whom", "whose", "if", "whether":
		return phrase{}, false
	}
	if k-1 >= sf && d.Tokens[k-1].Kind == nlp.Punct && d.Tokens[k-1].Lower != "," && !(k-1 == sf) {
		return phrase{}, false
	}
	if w := d.Tokens[k].Lower; w == "it" || w == "there" || w == "what" || w == "this" || w == "now" || isPreposition(w) || r.x.lex.has(lSkip, w) {
		return phrase{}, false
	}
	if last := d.Tokens[e-1].Lower; last == "not" || last == "also" || isPreposition(last) || determiners[last] {
		return phrase{}, false
	}
	// "Having announced", "denying claims": a participle heads no subject
	if last := d.Tokens[e-1]; e-k == 1 && strings.HasSuffix(last.Lower, "ing") {
		return phrase{}, false
	}
	ph := phrase{First: k, Last: e, Nominal: !d.Tokens[e-1].Cap}
	return r.x.finish(d, ph), true
}

// indirectTrailing: CONTENT, SUBJECT CUE. or CONTENT, CUE SUBJECT.
func (r *run) indirectTrailing(ci, sf, sl int, f *found) bool {
	d := r.d
	c := r.cues[ci]
	var ph phrase
	var comma int
	p, ok := r.subjectBefore(c.First, sf)
	if !ok && c.Entry.Class == ClassSpeech {
		p, ok = r.looseSubject(c.First, sf) // "..., a source close to him said."
	}
	if ok && p.First-1 > sf && d.Tokens[p.First-1].Lower == "," {
		ph, comma = p, p.First-1
	} else if c.First-1 > sf && d.Tokens[c.First-1].Lower == "," {
		p, ok := r.x.rightPhrase(d, c.Last, sl)
		if !ok {
			return false
		}
		if p.Pronoun != "" && p.Last < sl && d.Tokens[p.Last].Kind == nlp.Word {
			return false // ", said it would ...": not an inverted "said he."
		}
		ph, comma = p, c.First-1
	} else {
		return false
	}
	// The cue must end its clause: sentence end, a comma, or a short adjunct
	// (only after verbs of saying: "..., Warren endorsed Clinton" is no
	// attribution of what came before).
	after := c.Last
	if ph.First > c.First {
		after = ph.Last
	}
	if after < sl && d.Tokens[after].Kind == nlp.Word {
		if !c.Entry.Strong {
			return false
		}
		n := 0
		for j := after; j < sl && d.Tokens[j].Kind == nlp.Word; j++ {
			n++
		}
		if n > 6 {
			return false
		}
	}
	start := sf
	for start < comma && d.Tokens[start].Kind == nlp.Punct {
		start++
	}
	end := comma
	// "This campaign, he says, is different.": the attribution sits inside
	// the content, which runs on after it.
	if after < sl && d.Tokens[after].Lower == "," && after+1 < sl && d.Tokens[after+1].Kind == nlp.Word && !d.Tokens[after+1].Cap && r.hasVerb(after+1, after+2) && !isPreposition(d.Tokens[after+1].Lower) {
		end = r.contentEnd(after+1, sl)
	}
	if r.countWords(start, end) < 3 {
		return false
	}
	f.content = span(d, start, end)
	f.speaker, f.hasSpk = ph, true
	f.rule, f.conf = ruleIndirectTrail, 0.75
	return true
}

// accordingTo: "according to X, CONTENT" and "CONTENT, according to X".
func (r *run) accordingTo(ci, sf, sl int, f *found) bool {
	d := r.d
	c := r.cues[ci]
	ph, ok := r.x.rightPhrase(d, c.Last, sl)
	if !ok || ph.Last < sl && d.Tokens[ph.Last].Kind == nlp.Word {
		// The source runs to the next comma or the sentence end: "according
		// to a 2014 Labor Department study", "according to the schedule
		// published Thursday,".
		k := c.Last
		for k < sl && k < c.Last+14 && d.Tokens[k].Lower != "," && !(d.Tokens[k].Kind == nlp.Punct && k == sl-1) && r.inQuote[k] < 0 {
			k++
		}
		trailing := c.First > sf && d.Tokens[c.First-1].Lower == ","
		if k == c.Last || r.inQuote[min(k, sl-1)] >= 0 || k < sl && d.Tokens[k].Lower != "," && !(k == sl-1 && trailing) {
			if !ok {
				return false
			}
		} else {
			ph = r.x.finish(d, phrase{First: c.Last, Last: k, Nominal: !d.Tokens[k-1].Cap})
		}
	}
	afterComma := func() bool { // "according to X, CONTENT"
		k := ph.Last
		if k >= sl || d.Tokens[k].Lower != "," {
			return false
		}
		end := r.contentEnd(k+1, sl)
		if r.countWords(k+1, end) < 3 {
			return false
		}
		f.content = span(d, k+1, end)
		return true
	}
	switch {
	case c.First > sf && d.Tokens[c.First-1].Lower == ",":
		start := sf
		for start < c.First-1 && d.Tokens[start].Kind == nlp.Punct {
			start++
		}
		if r.countWords(start, c.First-1) < 3 {
			// "In addition, according to the department, CONTENT"
			if !afterComma() {
				return false
			}
			break
		}
		f.content = span(d, start, c.First-1)
	case c.First > sf+3 && ph.Last >= sl-1:
		// "CONTENT according to a count by the AP."
		start := sf
		for start < c.First && d.Tokens[start].Kind == nlp.Punct {
			start++
		}
		end := c.First
		for end > start && d.Tokens[end-1].Kind == nlp.Punct {
			end--
		}
		if r.countWords(start, end) < 3 {
			return false
		}
		f.content = span(d, start, end)
	case c.First == sf || c.First == sf+1 && d.Tokens[sf].Kind == nlp.Punct:
		k := ph.Last
		for k < sl && d.Tokens[k].Lower != "," {
			k++
		}
		k++
		if k >= sl {
			k = ph.Last // "Laut dem Ministerium sind die Kosten gestiegen."
		}
		end := r.contentEnd(k, sl)
		if r.countWords(k, end) < 3 {
			return false
		}
		f.content = span(d, k, end)
	default:
		return false
	}
	f.speaker, f.hasSpk = ph, true
	f.rule, f.conf = ruleAccordingTo, 0.75
	return true
}

// contentEnd: the content runs to the sentence end, stopping before a
// trailing attribution (", he said", ", according to") and final punctuation.
func (r *run) contentEnd(k, sl int) int {
	d := r.d
	end := sl
	for j := k + 1; j < sl; j++ {
		if d.Tokens[j].Lower == ";" {
			end = j
			break
		}
		if d.Tokens[j].Lower == "," && j+1 < sl {
			n := d.Tokens[j+1].Lower
			if n == "while" || n == "whereas" || n == "although" {
				end = j // "..., while European leaders were gathering"
				break
			}
			if n == "according" || n == "officials" && j+2 < sl && r.cueAt[j+2] >= 0 {
				end = j
				break
			}
			if _, ok := r.cueVerbAt(j + 1); ok {
				end = j
				break
			}
			if j+2 < sl {
				if _, ok := r.cueVerbAt(j + 2); ok && r.x.lex.has(lPronouns, n) {
					end = j
					break
				}
			}
		}
	}
	for end > k && d.Tokens[end-1].Kind == nlp.Punct {
		end--
	}
	return end
}

func (r *run) countWords(a, b int) int {
	n := 0
	for i := a; i < b; i++ {
		if r.d.Tokens[i].Kind == nlp.Word {
			n++
		}
	}
	return n
}

// isClauseBreak: words that start a new clause, so a subject never reaches
// past them to the left.
func isClauseBreak(w string) bool {
	switch w {
	case "and", "but", "or", "that", "because", "while", "as", "if", "when", "after", "before", "since", "until", "unless", "although", "though", "once", "whether", "where", "so", "than", "whereas":
		return true
	}
	return false
}

func isNumberish(w string) bool {
	return w != "" && (w[0] >= '0' && w[0] <= '9' || w == "percent" || w == "%")
}

// hasVerb reports whether tokens [a, b) hold a finite verb or an auxiliary.
func (r *run) hasVerb(a, b int) bool {
	for i := a; i < b; i++ {
		w := r.d.Tokens[i].Lower
		switch w {
		case "is", "are", "was", "were", "be", "been", "has", "have", "had", "will", "would", "can", "could", "should", "must", "may", "might", "do", "does", "did", "'s", "'re", "'ll", "'d":
			return true
		}
		if !r.d.Tokens[i].Cap && looksVerb(w) && !r.x.isNounLike(w) {
			return true
		}
	}
	return false
}
