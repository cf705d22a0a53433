package extract

import (
	"sort"
	"strings"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/nlp"
)

// entity is a speaker of the article with its mentions.
type entity struct {
	name     string
	typ      attribution.SpeakerType
	roles    []string
	gender   byte // 'm', 'f' or 0
	last     int  // byte offset of the latest mention
	lastPara int
	mentions []attribution.Mention
	surname  string // lower-case last name word of a person
}

// fullName is a person named in full somewhere in the article.
type fullName struct {
	name    string
	surname string
	pos     int
	gender  byte
	role    string
}

// names collects full person names: runs of two or more name tokens, with
// leading titles and demonyms cut off ("Kremlin spokesman Dmitry Peskov").
func (r *run) names() []fullName {
	d := r.d
	var out []fullName
	for i := 0; i < len(d.Tokens); i++ {
		if !r.x.isNameToken(d, i) || r.inQuote[i] >= 0 {
			continue
		}
		j := i
		for j < len(d.Tokens) && (r.x.isNameToken(d, j) || r.x.tokHas(d, j, tagParticle) && d.Tokens[j].Lower != "of" && d.Tokens[j].Lower != "and" && d.Tokens[j].Lower != "&" && d.Tokens[j].Lower != "'s" && j+1 < len(d.Tokens) && r.x.isNameToken(d, j+1)) {
			if j > i && d.Tokens[j].Sent != d.Tokens[i].Sent {
				break
			}
			j++
		}
		if r.hasCue(i, j) {
			i = j
			continue // a headline in capitals: "Bellwether County Says Trump"
		}
		if j-i == 1 && (i == 0 || !r.x.isNameToken(d, i-1) && !r.x.tokHas(d, i-1, tagParticle)) {
			// one name word with no name word or particle before it is no
			// full name, whatever titles precede it
			i = j
			continue
		}
		ph := r.x.finish(d, phrase{First: i, Last: j})
		// take titles before the name as its role: "Kremlin spokesman Dmitry Peskov"
		if lp, ok := r.x.leftPhrase(d, j, d.Sents[d.Tokens[i].Sent].First); ok && !lp.Nominal && lp.Pronoun == "" && lp.NameLast == ph.NameLast {
			ph = lp
		}
		if ph.NameLast-ph.NameFirst >= 2 && ph.Type == attribution.SpeakerPerson && !r.x.tokHas(d, ph.NameLast-1, lOrgs) && !r.x.tokHas(d, ph.NameLast-1, lTitles) {
			fn := fullName{name: d.Text[d.Tokens[ph.NameFirst].Start:d.Tokens[ph.NameLast-1].End], surname: d.Tokens[ph.NameLast-1].Lower, pos: d.Tokens[i].Start, role: ph.Role}
			fn.gender = r.x.firstGender(d, ph.NameFirst)
			out = append(out, fn)
		}
		i = j
	}
	return out
}

// resolve turns the attributions into quotes with canonical speakers.
func (r *run) resolve() attribution.Result {
	d := r.d
	full := r.names()
	var ents []*entity
	// recent holds the entities mentioned last, newest first: pronouns and
	// role nouns look for their antecedent only there.
	var recent []*entity
	touch := func(e *entity) {
		for i, x := range recent {
			if x == e {
				copy(recent[1:i+1], recent[:i])
				recent[0] = e
				return
			}
		}
		if len(recent) < 12 {
			recent = append(recent, nil)
		}
		copy(recent[1:], recent[:len(recent)-1])
		recent[0] = e
	}
	byName := map[string]*entity{}
	get := func(name string, typ attribution.SpeakerType) *entity {
		key := strings.ToLower(name)
		if e, ok := byName[key]; ok {
			return e
		}
		e := &entity{name: name, typ: typ}
		if typ == attribution.SpeakerPerson {
			w := strings.Fields(key)
			e.surname = w[len(w)-1]
		}
		byName[key] = e
		ents = append(ents, e)
		return e
	}
	// distinct full names per surname, each at its first mention
	bySurname := map[string][]fullName{}
	seenFull := map[string]bool{}
	for _, fn := range full {
		if !seenFull[fn.name] {
			seenFull[fn.name] = true
			bySurname[fn.surname] = append(bySurname[fn.surname], fn)
		}
	}
	// the latest full name with the surname before pos, else the first
	fullFor := func(surname string, pos int) (fullName, bool) {
		fns := bySurname[surname] // in text order
		if len(fns) == 0 {
			return fullName{}, false
		}
		if i := sort.Search(len(fns), func(i int) bool { return fns[i].pos >= pos }); i > 0 {
			return fns[i-1], true
		}
		return fns[0], true
	}
	var resolvePh func(ph phrase, role string, pos, para int) (*entity, string)
	resolvePh = func(ph phrase, role string, pos, para int) (*entity, string) {
		var e *entity
		if ph.Ante != nil {
			return resolvePh(*ph.Ante, ph.Ante.Role, pos, para)
		}
		switch {
		case ph.Pronoun != "":
			e = r.pronounAntecedent(ph.Pronoun, pos, para, recent, full, bySurname, get)
			if e.typ == attribution.SpeakerUnknown && (ph.Pronoun == "it" || ph.Pronoun == "they") {
				// "The Security Council condemned what it called ...": an
				// organisation or group opening the pronoun's sentence
				if sp, ok := r.sentenceSubjectBefore(ph.First); ok && (sp.Type == attribution.SpeakerOrganization || ph.Pronoun == "they" && sp.Type == attribution.SpeakerGroup) {
					return resolvePh(sp, sp.Role, pos, para)
				}
			}
		case ph.Nominal || ph.NameFirst < 0 || ph.NameFirst >= ph.NameLast:
			name := nominalName(d, ph)
			if ph.Definite {
				e = antecedentByRole(recent, ph.Head, pos)
			}
			if e == nil {
				e = get(name, ph.Type)
			}
		default:
			name := d.Text[d.Tokens[ph.NameFirst].Start:d.Tokens[ph.NameLast-1].End]
			typ := ph.Type
			if r.allTitles(ph.NameFirst, ph.NameLast) {
				// "the Prime Minister said": the person the article names
				// in that role
				if fn, ok := r.roleHolder(full, name, pos); ok {
					if role == "" {
						role = name
					}
					name, typ = fn.name, attribution.SpeakerPerson
				}
			}
			if ph.NameLast-ph.NameFirst == 1 && typ == attribution.SpeakerPerson {
				if fn, ok := fullFor(d.Tokens[ph.NameFirst].Lower, pos); ok {
					name = fn.name
					if role == "" {
						role = fn.role
					}
				}
			}
			e = get(name, typ)
			if e.gender == 0 && ph.NameLast-ph.NameFirst >= 1 {
				e.gender = r.x.lex.firstMF[strings.ToLower(strings.Fields(name)[0])]
			}
			if e.gender == 0 {
				e.gender = honorificGender(role)
			}
		}
		return e, role
	}
	owner := make([]*entity, len(r.found))
	foundOfQuote := map[int]int{}
	res := attribution.Result{Quotes: make([]attribution.Quote, 0, len(r.found)), Speakers: []attribution.Speaker{}}
	for fi := range r.found {
		f := &r.found[fi]
		var e *entity
		var mention *attribution.Mention
		var role string
		if f.quote >= 0 {
			foundOfQuote[f.quote] = fi
		}
		if f.inherit >= 0 {
			if k, ok := foundOfQuote[f.inherit]; ok {
				e = owner[k]
			}
		} else if f.hasSpk {
			ph := f.speaker
			m := attribution.Mention{Text: d.Text[d.Tokens[ph.First].Start:d.Tokens[ph.Last-1].End], Span: span(d, ph.First, ph.Last)}
			mention = &m
			role = ph.Role
			pos := m.Span.Start
			para := d.Tokens[ph.First].Para
			e, role = resolvePh(ph, role, pos, para)
			if e != nil {
				touch(e)
				e.last, e.lastPara = pos, para
				e.mentions = append(e.mentions, m)
				if role != "" && !contains(e.roles, role) {
					e.roles = append(e.roles, role)
				}
				if ph.Pronoun == "he" && e.gender == 0 {
					e.gender = 'm'
				} else if ph.Pronoun == "she" && e.gender == 0 {
					e.gender = 'f'
				}
			}
		}
		owner[fi] = e
		q := attribution.Quote{Text: d.Text[f.content.Start:f.content.End], Span: f.content, Kind: f.kind, Confidence: round2(f.conf), Rule: f.rule}
		if f.cue != nil {
			c := f.cue
			cs := span(d, c.First, c.Last)
			q.Cue = &attribution.Cue{Text: d.Text[cs.Start:cs.End], Span: cs}
		}
		if e != nil {
			sp := &attribution.QuoteSpeaker{Name: e.name, Type: e.typ, Role: role, Mention: mention}
			if sp.Role == "" && len(e.roles) > 0 {
				sp.Role = e.roles[0]
			}
			if mention == nil && f.inherit >= 0 && len(res.Quotes) > 0 {
				// inherited: point at the mention of the quote it continues
				for k := len(res.Quotes) - 1; k >= 0; k-- {
					if res.Quotes[k].Speaker != nil && res.Quotes[k].Speaker.Name == e.name && res.Quotes[k].Speaker.Mention != nil {
						mm := *res.Quotes[k].Speaker.Mention
						sp.Mention = &mm
						break
					}
				}
			}
			q.Speaker = sp
		}
		res.Quotes = append(res.Quotes, q)
	}
	for _, e := range ents {
		if len(e.mentions) == 0 {
			continue
		}
		res.Speakers = append(res.Speakers, attribution.Speaker{Name: e.name, Type: e.typ, Roles: e.roles, Mentions: e.mentions})
	}
	return res
}

// allTitles: tokens [a, b) are all title words ("Prime Minister").
func (r *run) allTitles(a, b int) bool {
	for i := a; i < b; i++ {
		if !r.x.tokHas(r.d, i, lTitles) {
			return false
		}
	}
	return b > a
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func honorificGender(role string) byte {
	l := strings.ToLower(role)
	switch {
	case strings.HasPrefix(l, "mr"):
		return 'm'
	case strings.HasPrefix(l, "ms") || strings.HasPrefix(l, "mrs") || strings.HasPrefix(l, "miss"):
		return 'f'
	}
	return 0
}

// nominalName is the phrase without a leading article: "a Hamas official"
// → "Hamas official".
func nominalName(d *nlp.Doc, ph phrase) string {
	f := ph.First
	if w := d.Tokens[f].Lower; w == "a" || w == "an" || w == "the" {
		if f+1 < ph.Last {
			f++
		}
	}
	return d.Text[d.Tokens[f].Start:d.Tokens[ph.Last-1].End]
}

// antecedentByRole: "the spokesman" → the latest speaker whose role holds
// the same head word.
func antecedentByRole(ents []*entity, head string, pos int) *entity {
	var best *entity
	for _, e := range ents {
		if e.last >= pos || e.typ != attribution.SpeakerPerson {
			continue
		}
		for _, ro := range e.roles {
			if strings.Contains(strings.ToLower(ro), head) {
				if best == nil || e.last > best.last {
					best = e
				}
			}
		}
	}
	return best
}

// pronounAntecedent resolves he/she to the latest compatible person: a
// speaker of the last two paragraphs first, then the latest person named in
// full; they/we/it to the latest organization or group speaker.
func (r *run) pronounAntecedent(p string, pos, para int, ents []*entity, full []fullName, bySurname map[string][]fullName, get func(string, attribution.SpeakerType) *entity) *entity {
	switch p {
	case "he", "she", "er", "sie":
		g := byte('m')
		if p == "she" || p == "sie" {
			g = 'f'
		}
		// A person of the pronoun's gender first; one of unknown gender
		// only when there is none ("she" is not the last-named man).
		var spk, unknown *entity
		for _, e := range ents {
			if e.typ == attribution.SpeakerPerson && e.last < pos && len(e.mentions) > 0 {
				switch {
				case e.gender == g && (spk == nil || e.last > spk.last):
					spk = e
				case e.gender == 0 && (unknown == nil || e.last > unknown.last):
					unknown = e
				}
			}
		}
		if spk == nil {
			spk = unknown
		}
		var fn *fullName
		i := sort.Search(len(full), func(i int) bool { return full[i].pos >= pos })
		for k := i - 1; k >= 0 && k >= i-20; k-- {
			if full[k].gender == g {
				fn = &full[k]
				break
			}
			if full[k].gender == 0 && fn == nil {
				fn = &full[k]
			}
		}
		// a person of that gender named since the speaker's latest mention
		// (by surname or in full, in this paragraph or the one before) is
		// nearer: "Sanders answered. Later he said ..."
		if near, ok := r.latestNamed(pos, para, g, bySurname); ok && (spk == nil || near.pos > spk.last) {
			return get(near.name, attribution.SpeakerPerson)
		}
		if spk != nil && (para-spk.lastPara <= 2 || fn == nil || fn.pos < spk.last) {
			return spk
		}
		if fn != nil {
			return get(fn.name, attribution.SpeakerPerson)
		}
		if spk != nil {
			return spk
		}
	case "they", "we", "it":
		var best *entity
		for _, e := range ents {
			if (e.typ == attribution.SpeakerOrganization || e.typ == attribution.SpeakerGroup) && e.last < pos && para-e.lastPara <= 3 {
				if best == nil || e.last > best.last {
					best = e
				}
			}
		}
		if best != nil {
			return best
		}
	}
	// No compatible antecedent near: the latest person named before, at any
	// distance, rather than a speaker called "he".
	switch p {
	case "he", "she", "er", "sie", "i", "ich":
		var best *entity
		for _, e := range ents {
			if e.typ == attribution.SpeakerPerson && e.last < pos && len(e.mentions) > 0 && e.gender != other(p) && (best == nil || e.last > best.last) {
				best = e
			}
		}
		i := sort.Search(len(full), func(i int) bool { return full[i].pos >= pos })
		if k := r.latestNotGender(full, i-1, other(p)); k >= 0 && (best == nil || full[k].pos > best.last) {
			return get(full[k].name, attribution.SpeakerPerson)
		}
		if best != nil {
			return best
		}
	}
	// Nothing before it: the pronoun stands, unresolved.
	return get(p, attribution.SpeakerUnknown)
}

// sentenceSubjectBefore is the subject that opens the sentence of token i
// and ends before it: a name or a definite phrase, no pronoun.
func (r *run) sentenceSubjectBefore(i int) (phrase, bool) {
	sf, _ := r.sentBounds(i)
	ph, ok := r.clauseSubjectAny(sf, i)
	if !ok {
		ph, ok = r.x.rightPhrase(r.d, sf, i)
	}
	if !ok || ph.Pronoun != "" || ph.Ante != nil || ph.Last > i || r.inQuote[ph.First] >= 0 {
		return phrase{}, false
	}
	return ph, true
}

// other is the gender a pronoun rules out: 'f' for he, 'm' for she, 1
// (no gender) for the rest.
func other(p string) byte {
	switch p {
	case "he", "er":
		return 'f'
	case "she", "sie":
		return 'm'
	}
	return 1
}

func (r *run) hasCue(a, b int) bool {
	for i := a; i < b; i++ {
		if r.cueAt[i] >= 0 {
			return true
		}
	}
	return false
}

// latestNamed is the person of gender g mentioned last before byte offset
// pos, by a surname or full name of the article (bySurname: each full name
// at its first mention; outside quotes, in the paragraph of pos or the one
// before, at most 80 tokens back); its pos is that mention's offset.
func (r *run) latestNamed(pos, para int, g byte, bySurname map[string][]fullName) (fullName, bool) {
	d := r.d
	i := sort.Search(len(d.Tokens), func(i int) bool { return d.Tokens[i].Start >= pos })
	for k := i - 1; k >= 0 && k >= i-80; k-- {
		t := d.Tokens[k]
		if t.Para < para-1 {
			break
		}
		if t.Kind != nlp.Word || !t.Cap || r.inQuote[k] >= 0 {
			continue
		}
		if k+1 < len(d.Tokens) && d.Tokens[k+1].Cap && d.Tokens[k+1].Kind == nlp.Word {
			continue // not the last word of a name
		}
		var best fullName
		found := false
		for _, fn := range bySurname[t.Lower] {
			if fn.pos <= t.Start && (fn.gender == g || fn.gender == 0) {
				best, found = fn, true
			}
		}
		if found {
			best.pos = t.Start
			return best, true
		}
	}
	return fullName{}, false
}
