// Package nlp holds the shared annotations of the extraction pipeline: a
// document split into paragraphs, sentences and tokens, every one carrying
// byte offsets into the text exactly as received. Nothing here rewrites the
// text.
package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// TokenKind classifies a token.
type TokenKind uint8

// The token kinds.
const (
	Word  TokenKind = iota // letters and digits, with inner apostrophes, hyphens and abbreviation dots
	Punct                  // any other single non-space rune
)

// Token is a word or punctuation mark with its byte offsets.
type Token struct {
	Start, End int
	// Lower is the lower-cased text with curly apostrophes straightened.
	Lower string
	// Para and Sent index the paragraph and sentence holding the token.
	Para, Sent int
	Kind       TokenKind
	// Cap is true when the token starts with an upper-case letter.
	Cap bool
	// Tags are free for the caller: bits it works out once a token (word
	// lists the token is in, say) and keeps here. New leaves them zero.
	Tags uint32
}

// Sentence is a range of tokens [First, Last) and its byte span.
type Sentence struct {
	Start, End  int
	First, Last int
	Para        int
}

// Paragraph is a line-delimited block of text.
type Paragraph struct {
	Start, End  int
	First, Last int // token range
}

// Doc is a tokenized text.
type Doc struct {
	Text   string
	Tokens []Token
	Sents  []Sentence
	Paras  []Paragraph
}

// TokenText returns the source text of token i.
func (d *Doc) TokenText(i int) string { return d.Text[d.Tokens[i].Start:d.Tokens[i].End] }

// TokenAt returns the index of the first token starting at or after byte b.
func (d *Doc) TokenAt(b int) int {
	lo, hi := 0, len(d.Tokens)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.Tokens[m].Start < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// New tokenizes text and splits it into paragraphs and sentences.
func New(text string) *Doc { return NewReusing(text, nil) }

// NewReusing is New that may keep the tokens in buf's storage (its length
// does not matter), overwriting what is there: a caller done with a Doc can
// hand its Tokens to the next one and spare the allocation.
func NewReusing(text string, buf []Token) *Doc {
	return NewBuffered(text, Buffers{Tokens: buf})
}

// Buffers are storage a Doc may take over (their lengths do not matter):
// the Tokens, Sents and Paras of a Doc its caller is done with.
type Buffers struct {
	Tokens []Token
	Sents  []Sentence
	Paras  []Paragraph
}

// NewBuffered is New that may keep its tokens, sentences and paragraphs
// in b's storage, overwriting what is there.
func NewBuffered(text string, b Buffers) *Doc {
	d := &Doc{Text: text, Sents: b.Sents[:0], Paras: b.Paras[:0]}
	d.tokenize(b.Tokens)
	d.split()
	return d
}

// asciiSpace marks the ASCII white space of unicode.IsSpace.
var asciiSpace = [256]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// asciiWord marks the ASCII letters and digits.
var asciiWord = func() (a [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		a[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	return a
}()

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// IsApostrophe reports whether r can be an apostrophe.
func IsApostrophe(r rune) bool { return r == '\'' || r == '’' || r == 'ʼ' }

// decodeRune is utf8.DecodeRuneInString(t[i:]) with the ASCII case inline.
func decodeRune(t string, i int) (rune, int) {
	if c := t[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(t[i:])
}

// asciiLower is t with the ASCII capitals lower-cased and every other byte
// as it is: the lower-case form of any all-ASCII token is a slice of it.
func asciiLower(t string) string {
	k := 0
	for k < len(t) && (t[k] < 'A' || t[k] > 'Z') {
		k++
	}
	if k == len(t) {
		return t
	}
	var b strings.Builder
	b.Grow(len(t))
	start := 0
	for ; k < len(t); k++ {
		if c := t[k]; 'A' <= c && c <= 'Z' {
			b.WriteString(t[start:k])
			b.WriteByte(c + 'a' - 'A')
			start = k + 1
		}
	}
	b.WriteString(t[start:])
	return b.String()
}

func (d *Doc) tokenize(buf []Token) {
	t := d.Text
	low := asciiLower(t)
	if cap(buf) >= len(t)/5 {
		d.Tokens = buf[:0]
	} else {
		d.Tokens = make([]Token, 0, len(t)/5)
	}
	for i := 0; i < len(t); {
		if c := t[i]; c < utf8.RuneSelf && asciiSpace[c] {
			i++ // the common case: an ASCII space or line break
			continue
		}
		r, size := decodeRune(t, i)
		if unicode.IsSpace(r) {
			i += size
			continue
		}
		if !isWordRune(r) {
			j := i + size
			if r == '-' || r == '.' {
				for j < len(t) && t[j] == byte(r) {
					j++ // "--" and "..." are one token
				}
			}
			d.Tokens = append(d.Tokens, Token{Start: i, End: j, Kind: Punct, Lower: t[i:j]})
			i = j
			continue
		}
		j := i + size
		ascii := size == 1 // so far every byte of the word is ASCII
		for j < len(t) {
			if asciiWord[t[j]] {
				j++ // the common case: an ASCII letter or digit
				continue
			}
			ascii = ascii && t[j] < utf8.RuneSelf
			r2, s2 := decodeRune(t, j)
			if isWordRune(r2) {
				j += s2
				continue
			}
			// A thousands separator inside a number: "250,000".
			if r2 == ',' && j+4 <= len(t) && isDigits(t[j+1:j+4]) && (j+4 == len(t) || !unicode.IsDigit(rune(t[j+4]))) && isDigits(t[j-1:j]) {
				j += s2
				continue
			}
			// Inner apostrophe, hyphen or abbreviation dot: keep when a word
			// rune follows ("don't", "Al-Aiban", "U.S").
			if r2 == '\'' || r2 == '’' || r2 == '-' || r2 == '.' || r2 == '&' {
				if j+s2 < len(t) {
					r3, s3 := decodeRune(t, j+s2)
					if isWordRune(r3) && (r2 != '.' || isAbbrevDot(t, i, j, j+s2+s3)) {
						j += s2
						continue
					}
				}
			}
			break
		}
		// A trailing dot belongs to an abbreviation such as "U.S." or "Mr.".
		if j < len(t) && t[j] == '.' && (strings.Contains(t[i:j], ".") || isTitleAbbrev(t[i:j])) {
			j++
		}
		// A possessive "'s" is a token of its own: "Putin's advisor".
		if j-i > 3 && (strings.HasSuffix(t[i:j], "'s") || strings.HasSuffix(t[i:j], "’s")) {
			k := strings.LastIndexAny(t[i:j], "'’") + i
			d.Tokens = append(d.Tokens, newWord(t, low, i, k), newWord(t, low, k, j))
		} else if ascii && j-i > 0 {
			c := t[i]
			d.Tokens = append(d.Tokens, Token{Start: i, End: j, Kind: Word, Lower: low[i:j], Cap: 'A' <= c && c <= 'Z'})
		} else {
			d.Tokens = append(d.Tokens, newWord(t, low, i, j))
		}
		i = j
	}
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// isAbbrevDot reports whether the dot at j inside a word that starts at i
// joins an abbreviation like "U.S" (single letters between dots).
func isAbbrevDot(t string, i, j, next int) bool {
	// letters before the dot since the previous dot
	k := strings.LastIndexAny(t[i:j], ".-")
	seg := t[i+k+1 : j]
	after := t[j+1 : next]
	return utf8.RuneCountInString(seg) == 1 && utf8.RuneCountInString(after) == 1
}

// newWord is the word t[i:j]; low is asciiLower(t).
func newWord(t, low string, i, j int) Token {
	s := t[i:j]
	ascii := true
	for k := 0; k < len(s); k++ {
		if s[k] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		c := s[0]
		return Token{Start: i, End: j, Kind: Word, Lower: low[i:j], Cap: 'A' <= c && c <= 'Z'}
	}
	r, _ := utf8.DecodeRuneInString(s)
	low = strings.ToLower(s)
	if strings.IndexByte(low, 0xe2) >= 0 && strings.ContainsRune(low, '’') {
		low = strings.ReplaceAll(low, "’", "'")
	}
	return Token{Start: i, End: j, Kind: Word, Lower: low, Cap: unicode.IsUpper(r)}
}

// Abbreviations that take a dot without ending a sentence.
var titleAbbrevs = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sen": true, "rep": true,
	"gov": true, "gen": true, "lt": true, "col": true, "sgt": true, "capt": true, "st": true,
	"jr": true, "sr": true, "rev": true, "hon": true, "pres": true, "vs": true, "no": false,
	"inc": true, "corp": true, "co": true, "ltd": true, "jan": true, "feb": true, "aug": true,
	"sept": true, "sep": true, "oct": true, "nov": true, "dec": true, "adm": true, "maj": true,
	"supt": true, "det": true, "insp": true, "atty": true, "dept": true, "fig": true, "approx": true,
	"etc": false, "ca": true, "bzw": true, "dh": true, "nr": true, "vgl": true, "usw": false,
}

func isTitleAbbrev(w string) bool {
	if utf8.RuneCountInString(w) == 1 {
		r, _ := utf8.DecodeRuneInString(w)
		return unicode.IsUpper(r) // an initial: "J. Smith"
	}
	return titleAbbrevs[strings.ToLower(w)]
}

// split assigns paragraphs (blocks between newlines) and sentences.
func (d *Doc) split() {
	t := d.Text
	// Paragraph boundaries: every newline ends a paragraph.
	start := 0
	tok := 0
	for start <= len(t) {
		end := strings.IndexByte(t[start:], '\n')
		if end < 0 {
			end = len(t)
		} else {
			end += start
		}
		first := tok
		for tok < len(d.Tokens) && d.Tokens[tok].Start < end {
			tok++
		}
		if tok > first {
			p := Paragraph{Start: d.Tokens[first].Start, End: d.Tokens[tok-1].End, First: first, Last: tok}
			d.Paras = append(d.Paras, p)
		}
		if end >= len(t) {
			break
		}
		start = end + 1
	}
	for pi, p := range d.Paras {
		s := p.First
		for i := p.First; i < p.Last; i++ {
			d.Tokens[i].Para = pi
			if d.endsSentence(i, p.Last) {
				d.addSent(s, i+1+d.trailingClosers(i+1, p.Last), pi)
				i = d.Sents[len(d.Sents)-1].Last - 1
				for k := s; k <= i; k++ {
					d.Tokens[k].Para = pi
				}
				s = i + 1
			}
		}
		if s < p.Last {
			d.addSent(s, p.Last, pi)
		}
	}
}

func (d *Doc) addSent(first, last, para int) {
	si := len(d.Sents)
	for k := first; k < last; k++ {
		d.Tokens[k].Sent = si
	}
	d.Sents = append(d.Sents, Sentence{Start: d.Tokens[first].Start, End: d.Tokens[last-1].End, First: first, Last: last, Para: para})
}

// trailingClosers counts closing quote marks and brackets right after a
// sentence end ("...said." or ...end.”).
func (d *Doc) trailingClosers(i, last int) int {
	n := 0
	for i+n < last && d.Tokens[i+n].Kind == Punct {
		s := d.Text[d.Tokens[i+n].Start:d.Tokens[i+n].End]
		switch s {
		case "\"", "”", "’", "'", ")", "]", "»", "“", "«", "」", "』":
			// only when it is glued to the previous token
			if d.Tokens[i+n].Start != d.Tokens[i+n-1].End {
				return n
			}
			n++
			continue
		}
		break
	}
	return n
}

// endsSentence reports whether token i ends a sentence.
func (d *Doc) endsSentence(i, last int) bool {
	tk := d.Tokens[i]
	if tk.Kind == Word {
		// "U.S." or "Mr." carry their dot; a capital word after "U.S." may
		// still start a sentence, but we keep the sentence whole there.
		return false
	}
	s := d.Text[tk.Start:tk.End]
	switch s {
	case ".", "!", "?", "…", "。", "！", "？":
	default:
		return false
	}
	j := i + 1 + d.trailingClosers(i+1, last)
	if j >= last {
		return true
	}
	next := d.Tokens[j]
	if next.Start == d.Tokens[j-1].End {
		return false // "3.5", "...x"
	}
	if s == "." && i > 0 && d.Tokens[i-1].Kind == Word && d.Tokens[i-1].End == tk.Start && isTitleAbbrev(d.TokenText(i-1)) {
		return false
	}
	if next.Kind == Word && next.End-next.Start == 1 && j+1 < last && d.Text[d.Tokens[j+1].Start] == '.' {
		return false // an initial follows: "R-S. C."
	}
	if next.Kind == Word {
		return next.Cap || unicode.IsDigit(rune(d.Text[next.Start]))
	}
	switch d.Text[next.Start:next.End] {
	case ",", ";", ":", ")", "]", ".":
		return false // "R-Ky., said"
	}
	return true // a quote mark, a dash, a bracket
}
