package attribution

import (
	"fmt"
	"unicode/utf8"
)

// Unit is the unit offsets are counted in at the CLI and API boundary.
type Unit string

// The offset units a caller may ask for.
const (
	// UnitCodepoint counts Unicode code points (Python str indices; the default).
	UnitCodepoint Unit = "codepoint"
	// UnitUTF16 counts UTF-16 code units (JavaScript string indices).
	UnitUTF16 Unit = "utf16"
	// UnitUTF8 counts bytes of the UTF-8 text (Go string indices).
	UnitUTF8 Unit = "utf8"
)

// ParseUnit reads a unit name; the empty string means UnitCodepoint.
func ParseUnit(s string) (Unit, error) {
	switch Unit(s) {
	case "", UnitCodepoint:
		return UnitCodepoint, nil
	case UnitUTF16, UnitUTF8:
		return Unit(s), nil
	}
	return "", fmt.Errorf("unknown offset unit %q (want codepoint, utf16 or utf8)", s)
}

// OffsetMap converts byte offsets of one text into another unit. Build it once
// per text; each lookup is a binary search over the text's non-ASCII runes, so
// ASCII-only text costs nothing.
type OffsetMap struct {
	unit Unit
	n    int
	// For each non-ASCII rune, its byte offset and the unit offset of the
	// rune just after it; between two entries the text is ASCII.
	byteAt []int
	unitAt []int
}

// NewOffsetMap prepares conversions of byte offsets in text into unit.
// Invalid UTF-8 bytes count as one code point (U+FFFD) each.
func NewOffsetMap(text string, unit Unit) *OffsetMap {
	m := &OffsetMap{unit: unit, n: len(text)}
	if unit == UnitUTF8 {
		return m
	}
	u := 0
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			u++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		w := 1
		if unit == UnitUTF16 && r >= 0x10000 {
			w = 2
		}
		i += size
		u += w
		m.byteAt = append(m.byteAt, i)
		m.unitAt = append(m.unitAt, u)
	}
	return m
}

// Offset converts one byte offset. An offset inside a multi-byte rune maps to
// the start of that rune.
func (m *OffsetMap) Offset(b int) int {
	if m.unit == UnitUTF8 || len(m.byteAt) == 0 {
		return b
	}
	// Find the last entry whose byte end is <= b.
	lo, hi := 0, len(m.byteAt)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m.byteAt[mid] <= b {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return b
	}
	return m.unitAt[lo-1] + (b - m.byteAt[lo-1])
}

// Span converts a byte span.
func (m *OffsetMap) Span(s Span) Span { return Span{Start: m.Offset(s.Start), End: m.Offset(s.End)} }

// Convert returns a copy of r whose spans are counted in unit instead of bytes
// of text.
func Convert(text string, r Result, unit Unit) Result {
	if unit == UnitUTF8 {
		return r
	}
	m := NewOffsetMap(text, unit)
	out := Result{Quotes: make([]Quote, len(r.Quotes)), Speakers: make([]Speaker, len(r.Speakers))}
	for i, q := range r.Quotes {
		q.Span = m.Span(q.Span)
		if q.Cue != nil {
			c := *q.Cue
			c.Span = m.Span(c.Span)
			q.Cue = &c
		}
		if q.Speaker != nil {
			sp := *q.Speaker
			if sp.Mention != nil {
				mn := *sp.Mention
				mn.Span = m.Span(mn.Span)
				sp.Mention = &mn
			}
			q.Speaker = &sp
		}
		out.Quotes[i] = q
	}
	for i, s := range r.Speakers {
		ms := make([]Mention, len(s.Mentions))
		for j, mn := range s.Mentions {
			mn.Span = m.Span(mn.Span)
			ms[j] = mn
		}
		s.Mentions = ms
		out.Speakers[i] = s
	}
	return out
}

// Byte converts an offset in the map's unit back to a byte offset.
func (m *OffsetMap) Byte(u int) int {
	if m.unit == UnitUTF8 || len(m.unitAt) == 0 {
		return u
	}
	// the last entry whose unit end is <= u
	lo, hi := 0, len(m.unitAt)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m.unitAt[mid] <= u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo == 0 {
		return u
	}
	return m.byteAt[lo-1] + (u - m.unitAt[lo-1])
}
