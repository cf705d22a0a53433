// Package quotemark finds quotations in text: it pairs opening and closing
// quotation marks of many conventions (straight, curly, German, guillemets,
// CJK), tells apostrophes from single quotes, follows quotations over
// several paragraphs and never fails on unbalanced marks.
package quotemark

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Quote is one quotation: the span inside its marks, with byte offsets.
type Quote struct {
	// Open is the byte offset of the opening mark; Start and End delimit the
	// quoted text between the marks.
	Open, Start, End int
	// Close is the byte offset just after the closing mark, or End when the
	// quote was never closed.
	Close int
	// Closed is false when the mark was not closed and the quote was cut at
	// the end of its paragraph.
	Closed bool
	// Paragraphs is how many paragraphs the quote runs over (1 usually).
	Paragraphs int
	// Depth is 0 for an outermost quote, 1 for a quote inside it, ...
	Depth int
	// Mark is the opening mark.
	Mark rune
}

// closers maps an opening mark to the marks that may close it.
var closers = map[rune]string{
	'"':  `"”`, // scraped text mixes straight and curly marks
	'\'': `'`,
	'“':  `”“"`, // English; “…“ is a common typo, “…" a scraping artefact
	'‘':  `’`,
	'„':  `“”`,
	'‚':  `‘’`,
	'«':  `»`,
	'»':  `«`, // German/Danish reversed guillemets
	'‹':  `›`,
	'›':  `‹`,
	'「':  `」`,
	'『':  `』`,
	'”':  `”`, // Swedish and Finnish
	'＂':  `＂`,
}

// IsMark reports whether r is a quotation mark this package knows.
func IsMark(r rune) bool {
	switch r {
	case '"', '\'', '“', '”', '‘', '’', '„', '‚', '«', '»', '‹', '›', '「', '」', '『', '』', '＂':
		return true
	}
	return false
}

func isSingle(r rune) bool {
	return r == '\'' || r == '‘' || r == '’' || r == '‚' || r == '‹' || r == '›'
}

// MaxDepth is how deeply quotations may nest. An opening mark inside
// MaxDepth open quotations is read as text: news never nests more than a
// few levels, and an unbounded stack of unclosed marks would make every
// later mark look through all of them.
const MaxDepth = 16

type open struct {
	mark  rune
	pos   int // byte offset of the mark
	start int // byte offset after the mark
	paras int
}

// Find returns the quotations of text in order of their opening marks. Its
// cost is linear in len(text).
func Find(text string) []Quote {
	return find(text, nil)
}

// FindSteps is Find that also adds to *steps the work it did (marks read,
// open quotes looked at, comparisons while sorting), for tests of the cost
// of callers. steps may be nil.
func FindSteps(text string, steps *int) []Quote {
	return find(text, steps)
}

func find(text string, steps *int) []Quote {
	var out []Quote
	var stack []open
	paraStart := 0
	for paraStart <= len(text) {
		paraEnd := strings.IndexByte(text[paraStart:], '\n')
		if paraEnd < 0 {
			paraEnd = len(text)
		} else {
			paraEnd += paraStart
		}
		para := text[paraStart:paraEnd]
		// A quote left open by the previous paragraph continues when this
		// paragraph opens with the same mark (news style for long quotes).
		if len(stack) > 0 {
			trim := strings.TrimLeftFunc(para, unicode.IsSpace)
			r, size := utf8.DecodeRuneInString(trim)
			if len(trim) > 0 && r == stack[0].mark && len(stack) == 1 {
				stack[0].paras++
				skip := paraStart + (len(para) - len(trim)) + size
				out, stack = scan(text, paraStart, paraEnd, skip, stack, out, steps)
				goto next
			}
			// Otherwise close what is open at the end of the previous paragraph.
			out = closeAll(text, stack, paraStart, out)
			stack = stack[:0]
		}
		out, stack = scan(text, paraStart, paraEnd, paraStart, stack, out, steps)
	next:
		if paraEnd >= len(text) {
			break
		}
		paraStart = paraEnd + 1
	}
	if len(stack) > 0 {
		out = closeAll(text, stack, len(text)+1, out)
	}
	sortQuotes(out, steps)
	return out
}

// closeAll ends open quotes at the end of the paragraph that ends just
// before nextPara (the byte after its newline).
func closeAll(text string, stack []open, nextPara int, out []Quote) []Quote {
	end := nextPara - 1
	if end > len(text) {
		end = len(text)
	}
	// trim trailing spaces
	for end > 0 && (text[end-1] == ' ' || text[end-1] == '\r' || text[end-1] == '\t') {
		end--
	}
	for i := len(stack) - 1; i >= 0; i-- {
		o := stack[i]
		if o.mark == '\'' {
			continue // an unclosed straight single mark is an elision ('em, 'til)
		}
		e := end
		if e < o.start {
			e = o.start
		}
		out = append(out, Quote{Open: o.pos, Start: o.start, End: e, Close: e, Closed: false, Paragraphs: o.paras, Depth: i, Mark: o.mark})
	}
	return out
}

// scan pairs marks in text[from:paraEnd].
func scan(text string, paraStart, paraEnd, from int, stack []open, out []Quote, steps *int) ([]Quote, []open) {
	for i := from; i < paraEnd; {
		r, size := utf8.DecodeRuneInString(text[i:])
		if r == '\'' && i+1 < paraEnd && text[i+1] == '\'' {
			// '' stands for a double quotation mark in some wire styles
			r, size = '"', 2
		}
		if !IsMark(r) {
			i += size
			continue
		}
		count(steps, 1)
		prev, _ := utf8.DecodeLastRuneInString(text[paraStart:i])
		if i == paraStart {
			prev = ' '
		}
		next, _ := utf8.DecodeRuneInString(text[i+size : paraEnd])
		if i+size >= paraEnd {
			next = ' '
		}
		if isApostrophe(r, prev, next, stack, steps) {
			i += size
			continue
		}
		if r == '"' && prev == ' ' && i-1 > paraStart && (unicode.IsSpace(next) || unicode.IsPunct(next)) {
			// "... the term 'outreach,' " he said: a space between a
			// closing single mark and the double one it closes
			if p2, _ := utf8.DecodeLastRuneInString(text[paraStart : i-1]); p2 == '\'' || p2 == '’' {
				prev = p2
			}
		}
		// Close the innermost open quote this mark can close.
		if k := closable(stack, r, prev, next, steps); k >= 0 {
			// Marks opened inside and never closed end here too.
			for j := len(stack) - 1; j > k; j-- {
				o := stack[j]
				out = append(out, Quote{Open: o.pos, Start: o.start, End: i, Close: i, Closed: false, Paragraphs: o.paras, Depth: j, Mark: o.mark})
			}
			o := stack[k]
			out = append(out, Quote{Open: o.pos, Start: o.start, End: i, Close: i + size, Closed: true, Paragraphs: o.paras, Depth: k, Mark: o.mark})
			stack = stack[:k]
			i += size
			continue
		}
		if _, ok := closers[r]; ok && len(stack) < MaxDepth && (canOpen(r, prev, next) || frenchOpen(r, prev, text[i+size:paraEnd])) {
			stack = append(stack, open{mark: r, pos: i, start: i + size, paras: 1})
		}
		i += size
	}
	return out, stack
}

func isSpaceOrStart(r rune) bool { return unicode.IsSpace(r) }

// canOpen: a mark opens when a non-space follows it and it is not glued to
// a preceding word ("a"b). Dedicated opening marks need only the first.
func canOpen(r, prev, next rune) bool {
	if unicode.IsSpace(next) {
		return false
	}
	switch r {
	case '"', '\'', '»', '›', '”', '＂':
		return isSpaceOrStart(prev) || unicode.IsPunct(prev) && !IsCloser(prev) || unicode.IsSymbol(prev)
	}
	return !unicode.IsLetter(prev) && !unicode.IsDigit(prev)
}

// frenchOpen: French typography puts a space, often a no-break one, inside
// guillemets: « Oui », ‹ non ›. A « or ‹ after a space or at the start opens
// when a word follows the spaces.
func frenchOpen(r, prev rune, rest string) bool {
	if r != '«' && r != '‹' || !unicode.IsSpace(prev) && !unicode.IsPunct(prev) {
		return false
	}
	t := strings.TrimLeftFunc(rest, unicode.IsSpace)
	if len(rest)-len(t) > 8 || t == "" {
		return false
	}
	n, _ := utf8.DecodeRuneInString(t)
	return unicode.IsLetter(n) || unicode.IsDigit(n)
}

// IsCloser reports whether r is a mark that only ever closes.
func IsCloser(r rune) bool { return r == '”' || r == '’' || r == '」' || r == '』' }

// canClose: a mark closes when it follows a non-space.
func canClose(prev, next rune) bool {
	return !unicode.IsSpace(prev)
}

func closable(stack []open, r, prev, next rune, steps *int) int {
	for k := len(stack) - 1; k >= 0; k-- {
		count(steps, 1)
		if strings.ContainsRune(closers[stack[k].mark], r) {
			french := r == '»' && stack[k].mark == '«' || r == '›' && stack[k].mark == '‹'
			if !canClose(prev, next) && !french {
				return -1
			}
			// A glued letter after a closing mark is rare ("”s" ); accept
			// unless the mark could open a new quote instead.
			if unicode.IsLetter(next) && !IsCloser(r) && r != '“' && r != '«' && r != '‹' && r != '‘' {
				return -1
			}
			return k
		}
		// Single marks never close across a double opener above them.
		if !isSingle(r) && isSingle(stack[k].mark) {
			continue
		}
		if isSingle(r) {
			return -1
		}
	}
	return -1
}

// isApostrophe tells an apostrophe from a single quotation mark: inside a
// word (don't, Zelenskyy’s), before a number ('90s) or after a plural s
// (the countries’ talks) when no single quote is open.
func isApostrophe(r, prev, next rune, stack []open, steps *int) bool {
	if r != '\'' && r != '’' && r != 'ʼ' {
		return false
	}
	letterPrev := unicode.IsLetter(prev) || unicode.IsDigit(prev)
	letterNext := unicode.IsLetter(next) || unicode.IsDigit(next)
	if letterPrev && letterNext {
		return true
	}
	if unicode.IsDigit(next) && !letterPrev {
		return true // '90s
	}
	if letterPrev && !letterNext {
		// Could close a single quote; an apostrophe only if none is open.
		for _, o := range stack {
			count(steps, 1)
			if o.mark == '\'' || o.mark == '‘' || o.mark == '‚' {
				return false
			}
		}
		return true
	}
	// Elisions at a word start: 'em, 'til, 'n'
	return false
}

// sortQuotes orders quotes by opening mark, keeping the order of quotes
// that open at the same place. Quotes closed at a paragraph end come
// innermost first, so the list can be far from sorted.
func sortQuotes(q []Quote, steps *int) {
	slices.SortStableFunc(q, func(a, b Quote) int {
		count(steps, 1)
		return cmp.Compare(a.Open, b.Open)
	})
}

// count adds n to *steps when steps is not nil.
func count(steps *int, n int) {
	if steps != nil {
		*steps += n
	}
}
