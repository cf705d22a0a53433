package extract

import (
	"strings"
	"testing"

	"github.com/whosaid/whosaid/internal/nlp"
)

// TestTagsMatchLexicon checks every token tag against the map it stands
// for, over a text made of every lexicon word, cue form, determiner and
// name particle, in lower case and capitalised.
func TestTagsMatchLexicon(t *testing.T) {
	x := mustNew(t)
	lx := x.lex
	var words []string
	for w := range lx.mask {
		words = append(words, w)
	}
	for w := range lx.forms {
		words = append(words, w)
	}
	for w := range lx.firstMF {
		words = append(words, w)
	}
	for w := range determiners {
		words = append(words, w)
	}
	for w := range nameParticles {
		words = append(words, w)
	}
	words = append(words, "spokesman", "officials", "however", "president", "Zyx", "said", "told")
	var b strings.Builder
	for _, w := range words {
		b.WriteString(w + " " + strings.ToUpper(w[:1]) + w[1:] + " . ")
	}
	d := nlp.New(b.String())
	for i, tk := range d.Tokens {
		w := tk.Lower
		for _, list := range []uint32{lCountries, lHeads, lOrgs, lPronouns, lSkip, lTitles, lCapStop, lCapStopDE} {
			if got, want := x.tokHas(d, i, list), lx.has(list, w); got != want {
				t.Errorf("%q: tokHas(%b) = %v, has = %v", w, list, got, want)
			}
		}
		_, form := lx.forms[w]
		g, first := lx.firstMF[w]
		checks := []struct {
			name      string
			got, want bool
		}{
			{"det", x.tokHas(d, i, tagDet), determiners[w]},
			{"particle", x.tokHas(d, i, tagParticle), nameParticles[w]},
			{"cue form", x.tokHas(d, i, tagCueForm), form},
			{"cue prefix", x.tokHas(d, i, tagCuePrefix), lx.prefix[w]},
			{"first name", x.firstGender(d, i) != 0, first},
			{"gender", x.firstGender(d, i) == g, true},
			{"noun-like", x.nounLikeAt(d, i), x.isNounLike(w)},
			{"noun-like again", x.nounLikeAt(d, i), x.isNounLike(w)},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%q: %s = %v, want %v", w, c.name, c.got, c.want)
			}
		}
	}
}
