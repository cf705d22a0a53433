package extract

import "github.com/whosaid/whosaid/internal/nlp"

// Per-token tags, kept in nlp.Token.Tags: the lexicon's word lists the
// token's lower-case form is in (its list bits, below tagListMask) and a few
// word classes, worked out on a token's first query and read back after
// that, so each hot test is a load and a mask rather than a map look-up.
const (
	tagListMask uint32 = 1<<maxLists - 1
	tagDet      uint32 = 1 << (maxLists + iota) // in determiners
	tagParticle                                 // in nameParticles
	tagCueForm                                  // a one-word cue form
	tagNounDone                                 // tagNoun is known
	tagNoun                                     // isNounLike
	tagDone                                     // the tags above are set
)

// maxLists is how many word lists the lexicon may have: their bits share
// the token's tags with the word classes.
const maxLists = 24

// wordTags are the tags of a lower-case word but tagNoun.
func (x *Extractor) wordTags(w string) uint32 {
	t := x.lex.mask[w] & tagListMask
	if determiners[w] {
		t |= tagDet
	}
	if nameParticles[w] {
		t |= tagParticle
	}
	if _, ok := x.lex.forms[w]; ok {
		t |= tagCueForm
	}
	return t | tagDone
}

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
		if x.isNounLike(d.Tokens[i].Lower) {
			t |= tagNoun
		}
		d.Tokens[i].Tags = t
	}
	return t&tagNoun != 0
}
