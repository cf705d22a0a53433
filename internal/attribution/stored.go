package attribution

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// More sentinels, for the store and the HTTP API.
var (
	// ErrPrecondition means a conditional write found the object changed
	// since the caller read it (HTTP 412).
	ErrPrecondition = errors.New("precondition failed")
	// ErrUnavailable means the database did not answer in time (HTTP 503).
	ErrUnavailable = errors.New("store unavailable")
)

// StoredQuote is a quote as the store keeps it: the extracted Quote, with
// spans in Unicode code points of its article's text, plus what its queries
// need without a join (speaker id, date, outlet).
type StoredQuote struct {
	ID        string `json:"id"`
	ArticleID string `json:"article_id"`
	Quote
	// SpeakerID is set for named people and organisations; anonymous,
	// group and unresolved speakers stay on the quote only.
	SpeakerID string `json:"speaker_id,omitempty"`
	// StatementID is the statement a direct or mixed quote is an
	// occurrence of (GET /v1/statements/{id}); indirect speech has none.
	StatementID string `json:"statement_id,omitempty" example:"stm_3f9a2c61d0b84e17"`
	// PublishedAt is the article's publication time, or when it was
	// ingested if it has none; quote lists are ordered by it.
	PublishedAt time.Time `json:"published_at"`
	Outlet      string    `json:"outlet,omitempty"`
	URL         string    `json:"url,omitempty"`
	// Hidden is set by an editor (PATCH /v1/quotes/{id}): the quote is
	// left out of quote searches, speaker listings and speaker figures,
	// but an article's quotes and GET /v1/quotes/{id} still show it with
	// hidden true. Absent when false.
	Hidden bool `json:"hidden,omitempty"`
	// Corrected is true once an editor corrected the quote (speaker, kind
	// or hidden); GET /v1/quotes/{id} lists the corrections. Absent when
	// false.
	Corrected bool `json:"corrected,omitempty"`
	// History is the quote's corrections, oldest first (served as
	// "corrections" by GET /v1/quotes/{id}).
	History []Correction `json:"-"`
	// Version grows with every correction (1 for a quote never
	// corrected); the HTTP API sends it as the ETag.
	Version int64 `json:"-"`
	// Context is the span of the sentence (or sentences) around the
	// quote, found at ingest; nil when the store did not keep it.
	Context *Span `json:"-"`
} // @name StoredQuote

// IngestResult is what a store's ingest stored, or found stored.
type IngestResult struct {
	Article Article
	Quotes  []StoredQuote
	// Created is false when the article was stored before (same URL, or
	// same text without URL).
	Created bool
	// Revised is true when the article was stored before at its URL with
	// another text and was updated to this one (a new revision); Created
	// is then false. Neither set: nothing was written.
	Revised bool
	// Added are the ids of the quotes this ingest stored: all of them for
	// a new article, the new ones of a revision, none otherwise.
	Added []string
}

// SpeakerProfile is a speaker across all stored articles.
type SpeakerProfile struct {
	ID      string      `json:"id"`
	Name    string      `json:"name"`
	Type    SpeakerType `json:"type"`
	Aliases []string    `json:"aliases"`
	Roles   []string    `json:"roles"`
	// WikidataID is the speaker's Wikidata item id (Q and a number), set
	// by an editor; absent when unknown.
	WikidataID string `json:"wikidata_id,omitempty" example:"Q3874799" pattern:"^Q[1-9][0-9]{0,11}$"`
	// Figures computed from the stored quotes when the profile is read.
	// QuoteCount counts every attributed statement; Counts splits it by
	// kind (direct and mixed quotations, indirect speech).
	QuoteCount  int          `json:"quote_count"`
	Counts      map[Kind]int `json:"counts"`
	FirstQuoted time.Time    `json:"first_quoted,omitzero"`
	LastQuoted  time.Time    `json:"last_quoted,omitzero"`
	Outlets     []string     `json:"outlets"`
	// Version grows with every change; the HTTP API sends it as the ETag.
	Version   int64     `json:"-"`
	UpdatedAt time.Time `json:"updated_at"`
} // @name SpeakerProfile

// SpeakerPatch is an edit of a speaker; nil fields stay as they are.
type SpeakerPatch struct {
	Name    *string   `json:"name,omitempty"`
	Aliases *[]string `json:"aliases,omitempty"`
	// WikidataID sets the speaker's Wikidata item; a pointer to "" clears
	// it.
	WikidataID *string `json:"wikidata_id,omitempty"`
	// Type sets person or organization.
	Type *SpeakerType `json:"type,omitempty"`
	// Roles replace the speaker's roles.
	Roles *[]string `json:"roles,omitempty"`
	// KeepOldName makes a rename keep the old name as an alias (so that
	// it still finds the speaker); without it the old name goes.
	KeepOldName bool `json:"keep_old_name,omitempty"`
}

// NewSpeaker is a speaker an editor creates.
type NewSpeaker struct {
	Name       string
	Type       SpeakerType // person (default) or organization
	Roles      []string
	Aliases    []string
	WikidataID string
}

// QuoteQuery selects stored quotes, newest first.
type QuoteQuery struct {
	SpeakerID string
	// Speaker is an id, a name or an alias, resolved by the store (as
	// ResolveSpeakerID does) when SpeakerID is empty; one that names no
	// speaker gives an empty page.
	Speaker string
	// Words must all appear in the quote text, compared after FoldWords.
	Words  []string
	Kind   Kind
	Outlet string
	// From and To bound PublishedAt (inclusive); zero means open.
	From, To time.Time
	// PageSize is 1..100.
	PageSize int
	// After continues a listing after this position (exclusive).
	After *Cursor
}

// Cursor is a position in a listing ordered by (PublishedAt, ID) descending.
type Cursor struct {
	PublishedAt time.Time
	ID          string
}

// QuotePage is one page of quotes; Next is nil at the end.
type QuotePage struct {
	Quotes []StoredQuote
	Next   *Cursor
}

// NormalizeName folds a name for identity: case and diacritics folded,
// punctuation dropped, spaces collapsed. "Zelenskyy", "ZELENSKYY" and
// "Zelenskýy" give the same key.
func NormalizeName(s string) string {
	return strings.Join(FoldWords(s), " ")
}

// FoldWords splits s into lower-case words without diacritics, for
// identity and for word search: "Zelenskýy’s “peace” plan" gives
// [zelenskyy s peace plan].
func FoldWords(s string) []string {
	var words []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining mark: dropped with its diacritic
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return words
}

// SpeakerID is the stable id of a speaker first stored under a name: the
// same normalized name gives the same id on every installation.
func SpeakerID(name string) string {
	sum := sha256.Sum256([]byte(NormalizeName(name)))
	return "spk_" + hex.EncodeToString(sum[:8])
}
