package attribution

import "strings"

// MatchRevision pairs the quotes extracted from a new revision of an
// article with the quotes stored for the one before: for each new quote,
// the index in stored of the quote it continues, or -1 for a new quote.
// A quote continues a stored one when their words are the same once
// folded (FoldWords: case, diacritics and punctuation aside); repeated
// words pair in text order. Each stored quote continues at most once.
func MatchRevision(stored []StoredQuote, fresh []Quote) []int {
	pool := map[string][]int{}
	for i := range stored {
		k := revisionKey(stored[i].Text)
		pool[k] = append(pool[k], i)
	}
	out := make([]int, len(fresh))
	for n := range fresh {
		k := revisionKey(fresh[n].Text)
		if is := pool[k]; len(is) > 0 {
			out[n], pool[k] = is[0], is[1:]
		} else {
			out[n] = -1
		}
	}
	return out
}

func revisionKey(text string) string { return strings.Join(FoldWords(text), " ") }

// MoveQuote places stored quote q where the new revision of its article
// has it (fresh, the quote MatchRevision paired with it): the span and the
// cue of fresh. The attribution stays the stored one (an editor may have
// corrected it); the speaker's mention is fresh's when it names the same
// speaker, and dropped otherwise, since its span pointed into the old
// text.
func MoveQuote(q *StoredQuote, fresh Quote) {
	q.Text, q.Span = fresh.Text, fresh.Span
	q.Cue = nil
	if fresh.Cue != nil {
		c := *fresh.Cue
		q.Cue = &c
	}
	if q.Speaker == nil {
		return
	}
	sp := *q.Speaker
	sp.Mention = nil
	if fresh.Speaker != nil && fresh.Speaker.Mention != nil && NormalizeName(fresh.Speaker.Name) == NormalizeName(sp.Name) {
		m := *fresh.Speaker.Mention
		sp.Mention = &m
	}
	q.Speaker = &sp
}
