package extract

import "github.com/whosaid/whosaid/internal/nlp"

// Per-token tags, kept in nlp.Token.Tags: the lexicon's word lists the
// token's lower-case form is in (its list bits, below tagListMask) and a few
// word classes, worked out on a token's first query and read back after
// that, so each hot test is a load and a mask rather than a map look-up.
const (
	tagListMask  uint32 = 1<<maxLists - 1
	tagDet       uint32 = 1 << (maxLists + iota - 1) // in determiners
	tagParticle                                      // in nameParticles
	tagCueForm                                       // a one-word cue form
	tagFirstM                                        // a male first name (firstMF 'm')
	tagFirstF                                        // a female first name (firstMF 'f')
	tagCuePrefix                                     // the first word of a longer cue form
	tagNounDone                                      // tagNoun is known
	tagNoun                                          // isNounLike
	tagDone                                          // the tags above are set
)

// maxLists is how many word lists the lexicon may have: their bits share
// the token's tags with the word classes.
const maxLists = 20

// buildTags fills lx.tagOf: every word with a tag but tagNoun, in one map.
func (lx *Lexicon) buildTags() {
	lx.tagOf = make(map[string]uint32, len(lx.mask)+len(lx.firstMF))
	for w, m := range lx.mask {
		lx.tagOf[w] |= m & tagListMask
	}
	for w := range determiners {
		if determiners[w] {
			lx.tagOf[w] |= tagDet
		}
	}
	for w := range nameParticles {
		if nameParticles[w] {
			lx.tagOf[w] |= tagParticle
		}
	}
	for f := range lx.forms {
		lx.tagOf[f] |= tagCueForm // a form of several words matches no token
	}
	for p := range lx.prefix {
		lx.tagOf[p] |= tagCuePrefix // so is a prefix of several words
	}
	for w, g := range lx.firstMF {
		if g == 'm' {
			lx.tagOf[w] |= tagFirstM
		} else {
			lx.tagOf[w] |= tagFirstF
		}
	}
}

// wordTags are the tags of a lower-case word but tagNoun.
func (x *Extractor) wordTags(w string) uint32 { return x.lex.tagOf[w] | tagDone }

// tags are the tags of token i of d.
func (x *Extractor) tags(d *nlp.Doc, i int) uint32 {
	t := &d.Tokens[i]
	if t.Tags&tagDone == 0 {
		t.Tags = x.wordTags(t.Lower)
	}
	return t.Tags
}

// tokHas reports whether token i of d is in the list(s) or class(es) of b:
// has(b, d.Tokens[i].Lower) for list bits.
func (x *Extractor) tokHas(d *nlp.Doc, i int, b uint32) bool { return x.tags(d, i)&b != 0 }

// nounLikeAt is isNounLike(d.Tokens[i].Lower), worked out once a token.
func (x *Extractor) nounLikeAt(d *nlp.Doc, i int) bool {
	t := x.tags(d, i)
	if t&tagNounDone == 0 {
		t |= tagNounDone
		if t&(lHeads|lTitles) != 0 || agentNoun(d.Tokens[i].Lower) { // isNounLike
			t |= tagNoun
		}
		d.Tokens[i].Tags = t
	}
	return t&tagNoun != 0
}

// firstGender is firstMF[d.Tokens[i].Lower]: 'm' or 'f' for a first name,
// 0 for any other word.
func (x *Extractor) firstGender(d *nlp.Doc, i int) byte {
	switch t := x.tags(d, i); {
	case t&tagFirstM != 0:
		return 'm'
	case t&tagFirstF != 0:
		return 'f'
	}
	return 0
}
