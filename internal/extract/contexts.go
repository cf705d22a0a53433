package extract

import (
	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/nlp"
)

// ContextSpans is SentenceAround for many spans of one text: the text is
// split into sentences once. Spans and results are Unicode code points; a
// span outside text gives the zero span.
func ContextSpans(text string, spans []attribution.Span) []attribution.Span {
	out := make([]attribution.Span, len(spans))
	if len(text) == 0 || len(spans) == 0 {
		return out
	}
	m := attribution.NewOffsetMap(text, attribution.UnitCodepoint)
	d := nlp.New(text)
	for i, span := range spans {
		b := attribution.Span{Start: m.Byte(span.Start), End: m.Byte(span.End)}
		if !b.Valid(len(text)) {
			continue
		}
		// The sentences are in text order: the first one that does not end
		// before the span starts, through the last one that starts before
		// it ends.
		lo, hi := 0, len(d.Sents)
		for lo < hi {
			mid := (lo + hi) / 2
			if s := d.Sents[mid]; s.End <= b.Start && s.Start < b.Start {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		start, end := -1, -1
		for _, s := range d.Sents[lo:] {
			if s.Start >= b.End && start >= 0 {
				break
			}
			if start < 0 {
				start = s.Start
			}
			end = s.End
		}
		if start < 0 || end < start {
			continue
		}
		start, end = min(start, b.Start), max(end, b.End)
		out[i] = m.Span(attribution.Span{Start: start, End: end})
	}
	return out
}
