package extract

import (
	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/nlp"
)

// SentenceAround returns the sentence (or sentences) of text holding the
// span, both spans in Unicode code points: the context shown with a stored
// quote. A span outside text gives an empty sentence.
func SentenceAround(text string, span attribution.Span) (string, attribution.Span) {
	m := attribution.NewOffsetMap(text, attribution.UnitCodepoint)
	b := attribution.Span{Start: m.Byte(span.Start), End: m.Byte(span.End)}
	if !b.Valid(len(text)) || len(text) == 0 {
		return "", attribution.Span{}
	}
	d := nlp.New(text)
	start, end := -1, -1
	for _, s := range d.Sents {
		if s.End <= b.Start && s.Start < b.Start {
			continue
		}
		if s.Start >= b.End && start >= 0 {
			break
		}
		if start < 0 {
			start = s.Start
		}
		end = s.End
	}
	if start < 0 || end < start {
		return "", attribution.Span{}
	}
	// a quote's marks may sit just outside the sentence bounds
	start, end = min(start, b.Start), max(end, b.End)
	return text[start:end], m.Span(attribution.Span{Start: start, End: end})
}
