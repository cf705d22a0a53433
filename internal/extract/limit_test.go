package extract

import (
	"encoding/json"
	"testing"

	"github.com/whosaid/whosaid/internal/attribution"
)

// TestResultBound: the JSON of the result for each hostile input of 256 KiB
// stays within ResultBytesPerByte bytes a byte plus ResultBytesBase, in
// every offset unit, and no byte is inside more than MaxOverlap statements.
// Before the bound, "he said that officials said" repeated answered 88
// bytes a byte.
func TestResultBound(t *testing.T) {
	x := hostileExtractor(t)
	const size = 256 << 10
	for _, h := range append([]hostileInput{{"normal", normalText}}, hostileInputs...) {
		t.Run(h.name, func(t *testing.T) {
			text := h.make(size)
			res := x.Extract(text)
			bound := ResultBytesPerByte*len(text) + ResultBytesBase
			for _, unit := range []attribution.Unit{attribution.UnitUTF8, attribution.UnitCodepoint, attribution.UnitUTF16} {
				b, err := json.Marshal(attribution.Convert(text, res, unit))
				if err != nil {
					t.Fatal(err)
				}
				if len(b) > bound {
					t.Errorf("Extract(%s, %d bytes) in %s: %d bytes of JSON (%.1f a byte), want at most %d", h.name, len(text), unit, len(b), float64(len(b))/float64(len(text)), bound)
				}
			}
			var open []int
			for _, q := range res.Quotes {
				n := 0
				for _, e := range open {
					if e > q.Span.Start {
						open[n] = e
						n++
					}
				}
				open = append(open[:n], q.Span.End)
				if len(open) > MaxOverlap {
					t.Fatalf("Extract(%s): %d statements hold byte %d, want at most %d", h.name, len(open), q.Span.Start, MaxOverlap)
				}
			}
		})
	}
}

// TestLimitKeepsSpeakersOfKeptQuotes: past the bound, the speakers list
// keeps only the mentions of the quotes kept, and a name longer than
// MaxNameBytes is no speaker.
func TestLimitKeepsSpeakersOfKeptQuotes(t *testing.T) {
	long := make([]byte, MaxNameBytes+1)
	for i := range long {
		long[i] = 'A'
	}
	text := make([]byte, 64)
	for i := range text {
		text[i] = 'x'
	}
	m := func(a, b int) *attribution.Mention {
		return &attribution.Mention{Text: "Lee", Span: attribution.Span{Start: a, End: b}}
	}
	var quotes []attribution.Quote
	for i := range MaxOverlap + 2 {
		quotes = append(quotes, attribution.Quote{Text: "x", Span: attribution.Span{Start: i, End: 60}, Speaker: &attribution.QuoteSpeaker{Name: "Lee", Mention: m(61+i%3, 62+i%3)}})
	}
	quotes = append(quotes, attribution.Quote{Text: "x", Span: attribution.Span{Start: 61, End: 62}, Speaker: &attribution.QuoteSpeaker{Name: string(long), Mention: m(63, 64)}})
	res := attribution.Result{Quotes: quotes, Speakers: []attribution.Speaker{
		{Name: "Lee", Mentions: []attribution.Mention{*m(61, 62), *m(62, 63), *m(63, 64), *m(0, 1)}},
		{Name: string(long), Mentions: []attribution.Mention{*m(63, 64)}},
	}}
	got := limit(string(text), res)
	if len(got.Quotes) != MaxOverlap+1 {
		t.Fatalf("limit: %d quotes, want %d (the overlapping ones past %d left out)", len(got.Quotes), MaxOverlap+1, MaxOverlap)
	}
	if last := got.Quotes[len(got.Quotes)-1]; last.Speaker != nil {
		t.Errorf("limit: the quote of a %d-byte name has speaker %q, want none", len(long), last.Speaker.Name)
	}
	if len(got.Speakers) != 1 || got.Speakers[0].Name != "Lee" || len(got.Speakers[0].Mentions) != 3 {
		t.Errorf("limit: speakers %+v, want Lee with the 3 mentions of kept quotes", got.Speakers)
	}
}
