// Package statement decides when two quotes are the same statement and how
// alike a text is to a stored statement. It is pure: the store keeps what
// it computes (folded words, shingle hashes, index buckets) and asks it to
// compare.
//
// Texts are compared as folded words (attribution.FoldWords: case,
// diacritics, punctuation, quote-mark style and white space do not count).
// Candidates are found through word 3-shingles: runs of three words of a
// statement are hashed and every third one indexed (IndexShingles), and a
// text is looked up by all of its own (Shingles), so a report that quotes
// only part of a longer quote, or changes a word here and there, still
// meets the stored statement.
package statement

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/whosaid/whosaid/internal/attribution"
)

// ShingleSize is the number of words of a shingle.
const ShingleSize = 3

// Buckets is the number of index documents the shingle hashes are spread
// over. It is part of the stored format: changing it needs a re-index.
const Buckets = 4096

// Words folds a text into the words it is compared by.
func Words(text string) []string { return attribution.FoldWords(text) }

// Shingles returns the distinct hashes of the word 3-shingles of words, in
// increasing order; a text of one or two words is one shingle of all of
// them, and no words give none.
func Shingles(words []string) []int64 {
	if len(words) == 0 {
		return nil
	}
	var out []int64
	if len(words) < ShingleSize {
		out = append(out, hashWords(words))
	} else {
		for i := 0; i+ShingleSize <= len(words); i++ {
			out = append(out, hashWords(words[i:i+ShingleSize]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// IndexStep is the stride of IndexShingles: every IndexStep-th shingle of
// a statement is indexed. A run of MinJoinWords words has
// MinJoinWords-ShingleSize+1 shingles in a row, so it holds one indexed
// shingle of any statement it is part of while IndexStep is no larger.
const IndexStep = MinJoinWords - ShingleSize + 1

// IndexShingles returns the hashes of the shingles a store indexes a
// statement of these words under, in increasing order: those at positions
// 0, IndexStep, 2·IndexStep, … of the text and the last one. A third of
// Shingles, and no join is lost: a text that is part of a statement (or
// the statement part of the text) with at least MinJoinWords words in the
// shorter shares one of these with it, and the same words share all. Look
// a text up by all its Shingles.
func IndexShingles(words []string) []int64 {
	if len(words) == 0 {
		return nil
	}
	if len(words) < ShingleSize {
		return []int64{hashWords(words)}
	}
	last := len(words) - ShingleSize
	var out []int64
	for i := 0; i <= last; i += IndexStep {
		out = append(out, hashWords(words[i:i+ShingleSize]))
	}
	if last%IndexStep != 0 {
		out = append(out, hashWords(words[last:]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// hashWords is FNV-1a of the words joined by a space, as an int64 (BSON
// has no unsigned integers).
func hashWords(words []string) int64 {
	h := fnv.New64a()
	for i, w := range words {
		if i > 0 {
			_, _ = h.Write([]byte{' '})
		}
		_, _ = h.Write([]byte(w))
	}
	return int64(h.Sum64()) //nolint:gosec // a bit pattern, not a quantity
}

// Bucket is the id of the index document that holds shingle hash h.
func Bucket(h int64) string {
	return fmt.Sprintf("%03x", uint64(h)%Buckets)
}

// Match says how a text matches a statement.
type Match string

// Matches, best first.
const (
	// Exact: the same words.
	Exact Match = "exact"
	// Contained: one is a run of words of the other (a partial quote).
	Contained Match = "contained"
	// Near: most words the same and mostly in order (a few changed,
	// dropped or moved).
	Near Match = "near"
	// None: not alike enough.
	None Match = ""
)

// Compare scores how well text words q match statement words s, in 0..1:
// 1 for the same words; 0.9 to 1 when one is a run of the other (the
// larger the share, the higher); below 0.9 for near matches, from how much
// of the shorter text is found in the other in order (longest common
// subsequence) and in any order; None under 0.5.
func Compare(q, s []string) (float64, Match) {
	if len(q) == 0 || len(s) == 0 {
		return 0, None
	}
	if score, m := CompareJoin(q, s); m != None {
		return score, m
	}
	short, long := q, s
	if len(short) > len(long) {
		short, long = long, short
	}
	inOrder := float64(lcs(short, long)) / float64(len(short))
	anyOrder := float64(overlap(short, long)) / float64(len(short))
	score := 0.85 * (inOrder + anyOrder) / 2
	// A short text found in a much longer one on a few common words is
	// weak evidence.
	if len(short) < 4 {
		score *= float64(len(short)) / 4
	}
	if score < 0.5 {
		return score, None
	}
	return score, Near
}

// CompareJoin is Compare for a join (Joinable): the same score and match
// when q and s are the same words or one is a run of the other, else None
// without computing a near-match score (a longest common subsequence is
// quadratic, and near matches never join).
func CompareJoin(q, s []string) (float64, Match) {
	if len(q) == 0 || len(s) == 0 {
		return 0, None
	}
	if slices.Equal(q, s) {
		return 1, Exact
	}
	short, long := q, s
	if len(short) > len(long) {
		short, long = long, short
	}
	share := float64(len(short)) / float64(len(long))
	if containsRun(long, short) {
		return 0.9 + 0.1*share, Contained
	}
	return 0, None
}

// containsRun reports whether run occurs as consecutive words in words.
func containsRun(words, run []string) bool {
	for i := 0; i+len(run) <= len(words); i++ {
		if slices.Equal(words[i:i+len(run)], run) {
			return true
		}
	}
	return false
}

// lcs is the length of the longest common subsequence of a and b. It uses
// two rows of len(b)+1 ints; texts are quotes, a few hundred words at most
// (callers cap them).
func lcs(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := range a {
		for j := range b {
			switch {
			case a[i] == b[j]:
				cur[j+1] = prev[j] + 1
			case prev[j+1] >= cur[j]:
				cur[j+1] = prev[j+1]
			default:
				cur[j+1] = cur[j]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// overlap counts the words of a found in b, each word of b used once.
func overlap(a, b []string) int {
	left := make(map[string]int, len(b))
	for _, w := range b {
		left[w]++
	}
	n := 0
	for _, w := range a {
		if left[w] > 0 {
			left[w]--
			n++
		}
	}
	return n
}

// SameSpeaker reports whether two speaker names can name the same person
// for the same words: equal once folded, or one is the other's surname or
// a shorter form ending in it ("Jansen", "Clara Jansen"; "C. Jansen" is
// not checked against "Clara"). An empty name (unknown speaker) matches
// nothing here; callers decide what an unknown speaker may join.
func SameSpeaker(a, b string) bool {
	wa, wb := attribution.FoldWords(a), attribution.FoldWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return false
	}
	if slices.Equal(wa, wb) {
		return true
	}
	if wa[len(wa)-1] != wb[len(wb)-1] {
		return false
	}
	short, long := wa, wb
	if len(short) > len(long) {
		short, long = long, short
	}
	// Every word of the shorter name is in the longer one.
	for _, w := range short {
		if !slices.Contains(long, w) {
			return false
		}
	}
	return true
}

// Fuller returns whichever of two names of the same speaker says more (more
// words), a on a tie.
func Fuller(a, b string) string {
	if len(strings.Fields(b)) > len(strings.Fields(a)) {
		return b
	}
	return a
}

// MinJoinWords: a quote joins a statement that it is part of, or that is
// part of it, only when the shorter of the two has this many words; the
// same words always join.
const MinJoinWords = 5

// MaxCompareWords caps the words compared (Compare is quadratic in them).
const MaxCompareWords = 400

// Joinable says whether a quote of n words joins a statement of m words
// that matches it as match.
func Joinable(match Match, n, m int) bool {
	switch match {
	case Exact:
		return true
	case Contained:
		return min(n, m) >= MinJoinWords
	}
	return false
}

// CanShare says whether a quote by a speaker (stored id, name; both empty
// when unknown) can be an occurrence of a statement by another (its
// stored id and name): the same stored speaker, names that can be the
// same person ("Jansen", "Clara Jansen"), or one side unknown.
func CanShare(id, name, statementID, statementName string) bool {
	switch {
	case id != "" && id == statementID:
		return true
	case name == "" || statementName == "":
		return true
	}
	return SameSpeaker(name, statementName)
}

// CapWords is w cut to MaxCompareWords.
func CapWords(w []string) []string {
	if len(w) > MaxCompareWords {
		return w[:MaxCompareWords]
	}
	return w
}

// ID derives a statement's id from its words and its speaker's surname,
// the same on every store, so that two writers storing the same quote at
// once meet on it and ids survive a move between stores.
func ID(words []string, speaker string) string {
	surname := ""
	if ws := attribution.FoldWords(speaker); len(ws) > 0 {
		surname = ws[len(ws)-1]
	}
	sum := sha256.Sum256([]byte(surname + "\x00" + strings.Join(words, " ")))
	return "stm_" + hex.EncodeToString(sum[:8])
}

// VariantID is the id of a statement whose ID is taken by a statement its
// words could not join (a namesake said the same words: the same surname
// and words give the same ID): derived from the quote that made it and its
// words, the same on every store.
func VariantID(quoteID string, words []string) string {
	sum := sha256.Sum256([]byte(quoteID + "\x00" + strings.Join(words, " ")))
	return "stm_" + hex.EncodeToString(sum[:8])
}
