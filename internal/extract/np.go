package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/nlp"
)

// phrase is a speaker mention found next to a cue: tokens [First, Last).
type phrase struct {
	First, Last int
	// NameFirst..NameLast is the proper name inside the phrase, if any.
	NameFirst, NameLast int
	Role                string
	Type                attribution.SpeakerType
	Pronoun             string // lower-case pronoun when the phrase is one
	Nominal             bool   // headed by a common noun ("the spokesman")
	Definite            bool   // starts with "the", "this" or a possessive
	Head                string // lower-case head word
	// Ante is the antecedent of a relative pronoun ("McConnell, who said").
	Ante *phrase
}

// words used by the chunker
var determiners = map[string]bool{"the": true, "a": true, "an": true, "this": true, "that": true, "these": true, "those": true, "his": true, "her": true, "their": true, "its": true, "our": true, "one": true, "two": true, "three": true, "several": true, "some": true, "many": true, "most": true, "other": true, "another": true, "both": true, "all": true, "few": true, "more": true, "my": true, "your": true, "der": true, "die": true, "das": true, "dem": true, "den": true, "des": true, "ein": true, "eine": true, "le": true, "la": true, "les": true, "un": true, "une": true, "l'": true}

var nameParticles = map[string]bool{"de": true, "van": true, "von": true, "bin": true, "al": true, "la": true, "der": true, "da": true, "di": true, "le": true, "du": true, "ibn": true, "del": true, "dos": true, "el": true, "ben": true, "abu": true, "st.": true, "of": true, "and": true, "&": true, "'s": true}

// Capitalised words that start sentences or headlines but are not names.

func (x *Extractor) isTitle(w string) bool { return x.lex.has(lTitles, w) }
func (x *Extractor) isHead(w string) bool  { return x.lex.has(lHeads, w) }

// isNameToken: a capitalised word (or initial, or abbreviation) usable in a name.
func (x *Extractor) isNameToken(d *nlp.Doc, i int) bool {
	t := d.Tokens[i]
	if t.Kind != nlp.Word || !t.Cap {
		return false
	}
	return !x.tokHas(d, i, lCapStop|lCapStopDE)
}

// isNounLike guesses whether a lower-case word can head a speaker phrase.
func (x *Extractor) isNounLike(w string) bool {
	return x.isHead(w) || x.isTitle(w) || agentNoun(w)
}

// agentNoun: a word with the ending of an agent or person noun ("lawyer",
// "activists", "chairman") that is none of the common words with it.
func agentNoun(w string) bool {
	if w == "" {
		return false
	}
	switch w[len(w)-1] {
	case 's', 'r', 't', 'n': // the last letters of the endings below
	default:
		return false
	}
	for _, suf := range []string{"ers", "ors", "ists", "ians", "ants", "ents", "er", "or", "ist", "ian", "man", "men", "woman", "women"} {
		if strings.HasSuffix(w, suf) && len(w) > len(suf)+2 {
			// "other", "never", "however", "after", "for" are not agents
			switch w {
			case "other", "never", "however", "after", "under", "over", "either", "neither", "whether", "rather", "together", "further", "later", "earlier", "former", "latter", "sooner", "longer", "better", "major", "minor", "prior", "superior", "inferior", "junior", "senior", "interior", "exterior", "whatever", "whoever", "ever", "instead", "recent", "current", "different", "important", "president", "independent", "confident", "patient", "apparent", "silent", "present":
				return w == "president"
			}
			return true
		}
	}
	return false
}

// leftPhrase finds the speaker phrase that ends just before token end
// (exclusive), without crossing token stop. ok is false when the words
// before end do not form a speaker phrase.
func (x *Extractor) leftPhrase(d *nlp.Doc, end, stop int) (phrase, bool) {
	j := end - 1
	if j < stop {
		return phrase{}, false
	}
	t := d.Tokens[j]
	if t.Kind != nlp.Word {
		return phrase{}, false
	}
	if x.tokHas(d, j, lPronouns) {
		return x.finish(d, phrase{First: j, Last: j + 1, Pronoun: t.Lower}), true
	}
	var headNominal bool
	switch {
	case x.isNameToken(d, j) && t.Lower != "'s":
	case !t.Cap && x.nounLikeAt(d, j):
		headNominal = true
	case !t.Cap && j-1 >= stop && d.Tokens[j-1].Lower == "'s" && !isPrepositionWord(t.Lower):
		headNominal = true // "Ivana Trump's brief said"
	default:
		return phrase{}, false
	}
	k := j
	for k-1 >= stop {
		p := d.Tokens[k-1]
		if p.Kind != nlp.Word {
			// keep hyphens and dots that glue ("Al-Aiban" is one token already)
			break
		}
		if x.tokHas(d, k-1, tagDet) {
			if p.Lower != "that" || headNominal {
				k-- // "that" before a name is the conjunction: "stated that Melania would"
			}
			break
		}
		if x.isNameToken(d, k-1) || x.tokHas(d, k-1, lTitles) || p.Lower == "'s" {
			k--
			continue
		}
		// a word of a compound title: "senior trial counsel Jane Doe"
		isCue := x.tokHas(d, k-1, tagCueForm)
		if !headNominal && !p.Cap && !isCue && x.tokHas(d, k, lTitles) && !isPrepositionWord(p.Lower) && !x.tokHas(d, k-1, lSkip|lPronouns) && !strings.HasSuffix(p.Lower, "ed") && !strings.HasSuffix(p.Lower, "ing") && j-k < 8 {
			k--
			continue
		}
		if x.tokHas(d, k-1, tagParticle) && k-2 >= stop && x.isNameToken(d, k-2) && d.Tokens[k].Cap {
			k--
			continue
		}
		if !p.Cap && (headNominal || x.tokHas(d, k-1, lTitles) || isModifier(p.Lower)) && (x.nounLikeAt(d, k-1) || isModifier(p.Lower)) && j-k < 6 {
			k--
			continue
		}
		// coordinated nouns: "teachers and union officials"
		if p.Lower == "and" && headNominal && k-2 >= stop && j-k < 4 && d.Tokens[k-2].Kind == nlp.Word && !d.Tokens[k-2].Cap && x.nounLikeAt(d, k-2) {
			k -= 2
			continue
		}
		// a noun compound after a determiner: "the transport ministry"
		if !p.Cap && headNominal && j-k < 3 && k-2 >= stop && x.tokHas(d, k-2, tagDet) && !isPrepositionWord(p.Lower) {
			k--
			continue
		}
		break
	}
	// Adjectives before a common noun: "top black lawmakers said", "many
	// local residents said". Taken when they reach a determiner, a comma or
	// the start of the sentence.
	if headNominal && k == j {
		m := k
		for m-1 >= stop && k-m < 3 && d.Tokens[m-1].Kind == nlp.Word && !d.Tokens[m-1].Cap && !x.tokHas(d, m-1, tagDet) && !isPrepositionWord(d.Tokens[m-1].Lower) && !x.tokHas(d, m-1, lSkip|lPronouns) && !strings.HasSuffix(d.Tokens[m-1].Lower, "ed") && !strings.HasSuffix(d.Tokens[m-1].Lower, "ing") {
			m--
		}
		switch {
		case m == k:
		case m-1 >= stop && x.tokHas(d, m-1, tagDet):
			k = m - 1
		case m == stop || m-1 >= stop && d.Tokens[m-1].Lower == ",":
			k = m
		}
	}
	// Do not start a phrase with a dangling particle or possessive.
	for k < j && (x.tokHas(d, k, tagParticle) || d.Tokens[k].Lower == "'s") {
		k++
	}
	ph := phrase{First: k, Last: j + 1, Nominal: headNominal}
	return x.finish(d, ph), true
}

// isNumberCompound reports a hyphenated modifier that opens with a digit
// ("52-count", "12-page"): never the head of a phrase, so the adjectives
// after it may be read on to the head ("a 52-count civil complaint").
func isNumberCompound(w string) bool {
	return isNumberish(w) && strings.IndexByte(w, '-') > 0
}

// isModifier: adjectives common in anonymous-source phrases.
func isModifier(w string) bool {
	switch w {
	case "senior", "top", "former", "local", "foreign", "federal", "state", "military", "government", "administration", "white", "house", "party", "campaign", "other", "some", "many", "several", "two", "three", "four", "anonymous", "unnamed", "independent", "political", "legal", "security", "intelligence", "defense", "defence", "health", "election", "european", "western", "american", "russian", "ukrainian", "israeli", "palestinian", "chinese", "iranian", "british", "french", "german", "u.s.", "us", "republican", "democratic", "conservative", "liberal", "progressive", "prominent", "leading", "chief", "press", "news", "new", "latest", "recent", "national", "public", "private", "key", "veteran", "longtime", "influential", "powerful":
		return true
	}
	return false
}

// rightPhrase finds a speaker phrase starting at token start: after a cue
// ("said James Dorsey of ...") or after "according to".
func (x *Extractor) rightPhrase(d *nlp.Doc, start, stop int) (phrase, bool) {
	i := start
	if i >= stop {
		return phrase{}, false
	}
	t := d.Tokens[i]
	if t.Kind != nlp.Word {
		return phrase{}, false
	}
	if x.tokHas(d, i, lPronouns) {
		return x.finish(d, phrase{First: i, Last: i + 1, Pronoun: t.Lower}), true
	}
	k := i
	if i+3 < stop && isNumberish(t.Lower) && d.Tokens[i+1].Lower == "/" && isNumberish(d.Tokens[i+2].Lower) && d.Tokens[i+3].Kind == nlp.Word {
		k = i + 3 // a date as a modifier: "9/11 widow Terry Strada"
	} else if x.tokHas(d, i, tagDet) {
		k++
		// "one of two witnesses", "some of the voters"
		if k+1 < stop && d.Tokens[k].Lower == "of" {
			k++
			if k < stop && x.tokHas(d, k, tagDet) {
				k++
			}
		}
	}
	// Adjectives before the head: "one unaligned Florida Republican
	// strategist", "undecided Republican voter Stephanie Hooton".
	for n := 0; n < 3 && k+1 < stop && d.Tokens[k].Kind == nlp.Word && !d.Tokens[k].Cap &&
		!x.nounLikeAt(d, k) && !x.tokHas(d, k, lTitles) && !isPrepositionWord(d.Tokens[k].Lower) &&
		!x.tokHas(d, k, lPronouns|lSkip|tagDet) &&
		(d.Tokens[k+1].Cap || x.nounLikeAt(d, k+1) || x.tokHas(d, k+1, lTitles) || isNumberCompound(d.Tokens[k].Lower) && d.Tokens[k+1].Kind == nlp.Word); n++ {
		if x.tokHas(d, k, tagCueForm) {
			break
		}
		k++
	}
	last := -1
	nominal := false
	for k < stop && k-i < 12 {
		p := d.Tokens[k]
		if p.Kind != nlp.Word {
			break
		}
		if x.isNameToken(d, k) || p.Lower == "'s" {
			last = k
			nominal = false
			k++
			continue
		}
		if x.tokHas(d, k, tagParticle) && last >= 0 && k+1 < stop && x.isNameToken(d, k+1) && p.Lower != "of" && p.Lower != "and" {
			k++
			continue
		}
		// "Former secretary of state Hillary Clinton"
		if p.Lower == "of" && last >= 0 && x.tokHas(d, last, lTitles) && k+1 < stop && (d.Tokens[k+1].Cap || x.tokHas(d, k+1, lTitles)) {
			k++
			continue
		}
		adjective := strings.HasSuffix(p.Lower, "al") || strings.HasSuffix(p.Lower, "ic") || strings.HasSuffix(p.Lower, "ian")
		if adjective && !p.Cap && k+1 < stop && d.Tokens[k+1].Kind == nlp.Word && (x.tokHas(d, k+1, lTitles) || x.nounLikeAt(d, k+1)) {
			k++ // "Democratic presidential nominee Hillary Clinton"
			continue
		}
		if !p.Cap && (x.nounLikeAt(d, k) || isModifier(p.Lower) || x.tokHas(d, k, lTitles)) {
			last = k
			nominal = !x.isNameToken(d, k) && x.nounLikeAt(d, k)
			k++
			continue
		}
		break
	}
	if last < 0 {
		return phrase{}, false
	}
	// a possessive takes the noun it qualifies: "Scott's relatives"
	if d.Tokens[last].Lower == "'s" && last+1 < stop && d.Tokens[last+1].Kind == nlp.Word && !d.Tokens[last+1].Cap && !isPrepositionWord(d.Tokens[last+1].Lower) {
		last++
		nominal = true
	}
	ph := phrase{First: i, Last: last + 1, Nominal: nominal}
	ph = x.finish(d, ph)
	// Apposition or affiliation after a name: "of the National University
	// of Singapore", ", a former diplomat,".
	if r := x.rightRole(d, ph.Last, stop); r != "" {
		if ph.Role != "" {
			ph.Role += ", " + r
		} else {
			ph.Role = r
		}
	}
	return ph, true
}

// rightRole reads "of the X Y" or ", a/the ROLE," after a name.
func (x *Extractor) rightRole(d *nlp.Doc, i, stop int) string {
	if i >= stop {
		return ""
	}
	t := d.Tokens[i]
	if t.Lower == "of" || t.Lower == "from" || t.Lower == "at" {
		k := i + 1
		if k < stop && d.Tokens[k].Lower == "the" {
			k++
		}
		j := k
		for j < stop && d.Tokens[j].Kind == nlp.Word && (d.Tokens[j].Cap || d.Tokens[j].Lower == "of" || d.Tokens[j].Lower == "for" || d.Tokens[j].Lower == "and" || d.Tokens[j].Lower == "'s") {
			j++
		}
		for j > k && !d.Tokens[j-1].Cap {
			j--
		}
		if j > k {
			return d.Text[d.Tokens[i].Start:d.Tokens[j-1].End]
		}
		return ""
	}
	if t.Lower == "," && i+1 < stop {
		n := d.Tokens[i+1].Lower
		if n == "a" || n == "an" || n == "the" || n == "who" || x.tokHas(d, i+1, lTitles) {
			for j := i + 2; j < stop && j < i+16; j++ {
				if d.Tokens[j].Lower == "," || d.Tokens[j].Lower == "." {
					if n == "who" {
						return ""
					}
					return d.Text[d.Tokens[i+1].Start:d.Tokens[j-1].End]
				}
			}
		}
	}
	return ""
}

// finish fills the name, role and type of a phrase.
func (x *Extractor) finish(d *nlp.Doc, p phrase) phrase {
	p.NameFirst, p.NameLast = -1, -1
	if p.Pronoun != "" {
		switch p.Pronoun {
		case "he", "she", "i", "you", "er", "sie", "ich":
			p.Type = attribution.SpeakerPerson
		case "they", "we":
			p.Type = attribution.SpeakerGroup
		default:
			p.Type = attribution.SpeakerOrganization
		}
		return p
	}
	if !p.Nominal && p.Last-p.First == 1 && d.Tokens[p.First].Cap {
		// a plural common noun in capitals ("Officials said", "Analysts
		// say") is a group, not a person's name
		if w := d.Tokens[p.First].Lower; x.tokHas(d, p.First, lHeads) && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !x.tokHas(d, p.First, lOrgs) {
			p.Nominal = true
		}
	}
	first := d.Tokens[p.First].Lower
	p.Definite = first == "the" || first == "this" || first == "his" || first == "her" || first == "their" || first == "its"
	p.Head = d.Tokens[p.Last-1].Lower
	if p.Nominal {
		// "a senior official", "Hamas official", "the newspaper"
		switch {
		case first == "a" || first == "an" || first == "one" || first == "two" || first == "three" || first == "several" || first == "some" || first == "many" || p.Head == "source" || p.Head == "sources":
			p.Type = attribution.SpeakerAnonymous
		case x.tokHas(d, p.Last-1, lOrgs|lDocuments) || x.isStatementNoun(p.Head):
			p.Type = attribution.SpeakerOrganization
		case strings.HasSuffix(p.Head, "s") && !strings.HasSuffix(p.Head, "ss") && p.Head != "police" && p.Head != "us":
			p.Type = attribution.SpeakerGroup
			if !p.Definite {
				p.Type = attribution.SpeakerAnonymous
			}
		default:
			if p.Definite {
				p.Type = attribution.SpeakerPerson
			} else {
				p.Type = attribution.SpeakerAnonymous
			}
		}
		return p
	}
	// "Emmanuel Macron of France": the person, of a country (but "the Bank
	// of England", "Secretary of State" are names of their own)
	for k := p.First + 1; k < p.Last-1; k++ {
		if d.Tokens[k].Lower != "of" {
			continue
		}
		if d.Tokens[k-1].Cap && x.tokHas(d, p.Last-1, lCountries) && !x.tokHas(d, k-1, lOrgs|lTitles|lCountries) {
			q := x.finish(d, phrase{First: p.First, Last: k})
			if q.Type == attribution.SpeakerPerson && q.NameFirst >= 0 {
				of := d.Text[d.Tokens[k].Start:d.Tokens[p.Last-1].End]
				if q.Role == "" {
					q.Role = of
				} else {
					q.Role += " " + of
				}
				q.Last = p.Last
				return q
			}
		}
		break
	}
	// Named: the trailing run of name tokens after the last title word.
	nf := p.First
	for k := p.First; k < p.Last; k++ {
		w := d.Tokens[k].Lower
		firstName := x.firstGender(d, k) != 0
		demonym := isDemonym(w) && !(firstName && k+1 < p.Last && d.Tokens[k+1].Cap) // "Christian Lindqvist", "Brian Cole"
		// an organisation word before a name is its employer ("Hamas
		// leader Ismail Haniyeh"), unless the phrase is the organisation's
		// own name ("the State Department")
		employer := x.tokHas(d, k, lOrgs) && k+1 < p.Last && d.Tokens[k+1].Cap && !x.tokHas(d, k+1, lTitles) && !x.tokHas(d, p.Last-1, lOrgs)
		if x.tokHas(d, k, tagDet|lTitles) || w == "'s" || !d.Tokens[k].Cap || demonym || employer {
			nf = k + 1
		}
	}
	orgName := false
	if of := x.orgOf(d, p.First, p.Last); of >= 0 && of < nf {
		orgName = true
		// "the Roper Center for Public Opinion Research", "the Bank of
		// England": one organisation's name across its "for" or "of"
		nf = of
		for k := nf - 1; k >= p.First && d.Tokens[k].Cap && !x.tokHas(d, k, tagDet|lTitles) && d.Tokens[k].Lower != "'s"; k-- {
			nf = k
		}
	}
	if nf > p.First && x.tokHas(d, p.Last-1, lOrgs) && d.Tokens[p.Last-1].Cap {
		// an organisation's own name in capitals, "the State Department",
		// "the Justice Ministry": all of it, after the article
		k := p.First
		for k < p.Last-1 && x.tokHas(d, k, tagDet) {
			k++
		}
		all := true
		for j := k; j < p.Last; j++ {
			all = all && d.Tokens[j].Cap
		}
		if all {
			nf = k
		}
	}
	if nf >= p.Last {
		// all title words: "the President", "Kremlin"
		nf = p.First
		for nf < p.Last-1 && x.tokHas(d, nf, tagDet) {
			nf++
		}
	}
	p.NameFirst, p.NameLast = nf, p.Last
	if nf > p.First {
		rs := p.First
		for rs < nf && x.tokHas(d, rs, tagDet) {
			rs++
		}
		if rs < nf {
			p.Role = d.Text[d.Tokens[rs].Start:d.Tokens[nf-1].End]
			p.Role = strings.TrimSuffix(strings.TrimSuffix(p.Role, " 's"), "'s")
		}
	}
	p.Type = x.nameType(d, nf, p.Last, p.Role != "")
	if orgName {
		p.Type = attribution.SpeakerOrganization
	}
	if lw := d.Tokens[p.Last-1].Lower; p.Type == attribution.SpeakerPerson && strings.HasSuffix(lw, "s") && (isDemonym(lw[:len(lw)-1]) || x.tokHas(d, p.Last-1, lHeads)) {
		p.Type = attribution.SpeakerGroup // "African Americans", "House Democrats"
	}
	for k := p.First; k < p.Last; k++ {
		if d.Tokens[k].Lower == "and" || d.Tokens[k].Lower == "&" {
			if p.Type == attribution.SpeakerPerson {
				p.Type = attribution.SpeakerGroup // "Obama and Clinton"
			}
			break
		}
	}
	return p
}

// orgOf is the token of an organisation word in capitals that a "for",
// "of" or "on" joins to a run of capitalised words ending the phrase ("Center
// for Public Opinion Research", "Institute of Politics"), or -1.
func (x *Extractor) orgOf(d *nlp.Doc, first, last int) int {
	for k := first + 1; k < last-1; k++ {
		switch d.Tokens[k].Lower {
		case "for", "of", "on":
		default:
			continue
		}
		if !d.Tokens[k-1].Cap || !x.tokHas(d, k-1, lOrgs) {
			return -1
		}
		for j := k + 1; j < last; j++ {
			if !d.Tokens[j].Cap && d.Tokens[j].Lower != "and" && d.Tokens[j].Lower != "&" {
				return -1
			}
		}
		return k - 1
	}
	return -1
}

func isDemonym(w string) bool {
	if strings.HasSuffix(w, "ian") || strings.HasSuffix(w, "ese") || strings.HasSuffix(w, "ish") || strings.HasSuffix(w, "ean") {
		return len(w) > 4
	}
	switch w {
	case "u.s.", "us", "u.k.", "uk", "eu", "un", "american", "israeli", "saudi", "iraqi", "pakistani", "thai", "swiss", "dutch", "french", "greek", "kremlin", "white", "house":
		return true
	}
	return false
}

// nameType guesses whether a proper name is a person or an organization.
func (x *Extractor) nameType(d *nlp.Doc, first, last int, hasTitle bool) attribution.SpeakerType {
	n := last - first
	if x.tokHas(d, last-1, lCountries|lOrgs) || x.tokHas(d, first, lOrgs) && n > 1 {
		return attribution.SpeakerOrganization
	}
	if n == 1 && (x.tokHas(d, last-1, lOrgs) || isAcronym(d.TokenText(first))) {
		return attribution.SpeakerOrganization
	}
	if x.firstGender(d, first) != 0 || hasTitle || n >= 2 {
		return attribution.SpeakerPerson
	}
	return attribution.SpeakerPerson
}

func isAcronym(s string) bool {
	if utf8.RuneCountInString(s) < 2 {
		return false
	}
	for _, r := range s {
		if !unicode.IsUpper(r) && r != '.' && r != '&' {
			return false
		}
	}
	return true
}

// text of tokens [a, b)
func span(d *nlp.Doc, a, b int) attribution.Span {
	return attribution.Span{Start: d.Tokens[a].Start, End: d.Tokens[b-1].End}
}

func isPrepositionWord(w string) bool {
	switch w {
	case "of", "by", "to", "with", "for", "from", "about", "against", "on", "at", "in", "into", "than", "like", "as", "and", "or", "but", "that", "who", "which":
		return true
	}
	return false
}

// isStatementNoun: nouns for a piece of speech or writing ("a statement
// saying", "a letter arguing"), whose author is the speaker.
func (x *Extractor) isStatementNoun(w string) bool {
	if e, ok := x.lex.forms[w]; ok && e.Class == ClassNoun {
		return true
	}
	switch w {
	case "statement", "letter", "email", "e-mail", "memo", "tweet", "post", "release", "message", "note", "op-ed", "column", "speech", "remarks", "video", "ad":
		return true
	}
	return false
}
