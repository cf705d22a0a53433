package extract

import (
	"testing"

	"github.com/whosaid/whosaid/internal/attribution"
)

// ContextSpans gives, for every span, what SentenceAround gives for it alone.
func TestContextSpansMatchesSentenceAround(t *testing.T) {
	text := "The mayor spoke first. “We will rebuild,” said Ana Ruiz. Then she left!\n\nLater, a second “quote” came. Étoile dit « oui »."
	n := len([]rune(text))
	var spans []attribution.Span
	for start := 0; start < n; start += 3 {
		for _, l := range []int{0, 1, 7, 30} {
			if start+l <= n {
				spans = append(spans, attribution.Span{Start: start, End: start + l})
			}
		}
	}
	spans = append(spans, attribution.Span{Start: n + 1, End: n + 2}, attribution.Span{Start: 5, End: 2})
	got := ContextSpans(text, spans)
	for i, sp := range spans {
		_, want := SentenceAround(text, sp)
		if got[i] != want {
			t.Errorf("span %v: ContextSpans %v, SentenceAround %v", sp, got[i], want)
		}
	}
}
