package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
)

// Paging of the list routes.
const (
	defaultPageSize = 20
	maxPageSize     = 100
	// maxQueryWords bounds the words of q.
	maxQueryWords = 20
	// maxQueryBytes bounds q and speaker.
	maxQueryBytes = 500
)

// QuoteStore finds stored quotes.
type QuoteStore interface {
	// FindQuotes lists quotes, newest first, one page at a time.
	FindQuotes(ctx context.Context, q attribution.QuoteQuery) (attribution.QuotePage, error)
	GetQuote(ctx context.Context, id string) (attribution.StoredQuote, error)
	// CorrectQuote applies an editor's correction and records it in the
	// quote's history; ifVersion > 0 must equal the quote's version (else
	// ErrPrecondition).
	CorrectQuote(ctx context.Context, id string, p attribution.QuotePatch, by string, ifVersion int64) (attribution.StoredQuote, error)
}

// QuoteList is one page of quotes.
type QuoteList struct {
	// Quotes, newest first (by the article's published_at, then id).
	Quotes []attribution.StoredQuote `json:"quotes"`
	// NextPageToken continues the listing with the same filters; empty at
	// the end.
	NextPageToken string `json:"next_page_token" example:"eyJwdWJsaXNoZWRfYXQiOiIyMDI1LTAyLTE4VDA5OjMwOjAwWiIsImlkIjoiNjdiNDU5MWNiMmExZjFhMmMzZDRlNWY2LTMiLCJmaWx0ZXIiOiI5ZjBhIn0"`
} //	@name	QuoteList

// ArticleRef is the article a quote comes from.
type ArticleRef struct {
	ID          string    `json:"id" example:"67b4591cb2a1f1a2c3d4e5f6"`
	URL         string    `json:"url,omitempty" example:"https://example.com/news/2025/02/18/riyadh-talks"`
	Title       string    `json:"title,omitempty" example:"US, Russian officials begin meeting in Riyadh"`
	Outlet      string    `json:"outlet,omitempty" example:"Reuters"`
	PublishedAt time.Time `json:"published_at,omitzero" example:"2025-02-18T09:30:00Z"`
} //	@name	ArticleRef

// QuoteContext is the sentence (or sentences) of the article around a
// quote.
type QuoteContext struct {
	Text string `json:"text" example:"Kremlin spokesman Dmitry Peskov told reporters the talks would be \"primarily devoted to restoring the whole complex of Russian-American relations\"."`
	// Span of Text in the article, in Unicode code points.
	Span attribution.Span `json:"span"`
} //	@name	QuoteContext

// QuoteDetail is one stored quote with its article and context.
type QuoteDetail struct {
	attribution.StoredQuote
	Article ArticleRef   `json:"article" validate:"required"`
	Context QuoteContext `json:"context" validate:"required"`
	// Corrections are the editors' corrections of the quote (PATCH
	// /v1/quotes/{id}), oldest first; empty when it has none.
	Corrections []attribution.Correction `json:"corrections" validate:"required"`
} //	@name	QuoteDetail

// quoteFilter is a quote listing's filters, parsed from the query.
type quoteFilter struct {
	speaker string // as given: id, name or alias
	words   []string
	kind    attribution.Kind
	outlet  string
	from    time.Time
	to      time.Time
}

// hash identifies the filters, so that a page token is only used with the
// filters it was made for. Spellings that select the same quotes ("Ana
// Ruiz", "ana ruiz") give the same hash.
func (f quoteFilter) hash() string {
	h := sha256.New()
	for _, v := range []string{attribution.NormalizeName(f.speaker), strings.Join(f.words, " "), string(f.kind), f.outlet,
		f.from.Format(time.RFC3339Nano), f.to.Format(time.RFC3339Nano)} {
		fmt.Fprintf(h, "%d:%s\n", len(v), v)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// parseQuoteFilter reads the filters of a quote listing; anything malformed
// is a 400.
func parseQuoteFilter(c *gin.Context) (quoteFilter, error) {
	var f quoteFilter
	if v, ok := c.GetQuery("speaker"); ok {
		v = strings.TrimSpace(v)
		if v == "" || len(v) > maxQueryBytes {
			return f, errStatus(http.StatusBadRequest, fmt.Sprintf("speaker must be a speaker id, name or alias of 1 to %d bytes", maxQueryBytes))
		}
		f.speaker = v
	}
	if v, ok := c.GetQuery("q"); ok {
		if len(v) > maxQueryBytes {
			return f, errStatus(http.StatusBadRequest, fmt.Sprintf("q must be at most %d bytes", maxQueryBytes))
		}
		f.words = attribution.FoldWords(v)
		if len(f.words) == 0 {
			return f, errStatus(http.StatusBadRequest, "q must hold at least one word (letters or digits)")
		}
		if len(f.words) > maxQueryWords {
			return f, errStatus(http.StatusBadRequest, fmt.Sprintf("q must hold at most %d words", maxQueryWords))
		}
	}
	if v, ok := c.GetQuery("kind"); ok {
		switch k := attribution.Kind(v); k {
		case attribution.KindDirect, attribution.KindMixed, attribution.KindIndirect:
			f.kind = k
		default:
			return f, errStatus(http.StatusBadRequest, fmt.Sprintf("kind must be direct, mixed or indirect, got %q", v))
		}
	}
	f.outlet = strings.TrimSpace(c.Query("outlet"))
	var err error
	if f.from, err = parseTimeParam(c, "from", false); err != nil {
		return f, err
	}
	if f.to, err = parseTimeParam(c, "to", true); err != nil {
		return f, err
	}
	if !f.from.IsZero() && !f.to.IsZero() && f.from.After(f.to) {
		return f, errStatus(http.StatusBadRequest, "from must not be after to")
	}
	return f, nil
}

// parseTimeParam reads an RFC 3339 date-time or a YYYY-MM-DD date (UTC).
// A date as the end of a range means the end of that day.
func parseTimeParam(c *gin.Context, name string, end bool) (time.Time, error) {
	v, ok := c.GetQuery(name)
	if !ok || v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, errStatus(http.StatusBadRequest,
			fmt.Sprintf("%s must be an RFC 3339 date-time (2025-02-18T09:30:00Z) or a date (2025-02-18), got %q", name, v))
	}
	if end {
		t = t.AddDate(0, 0, 1).Add(-time.Millisecond) // stored times have milliseconds
	}
	return t, nil
}

// parsePageSize reads page_size as AIP-158 has it: absent or 0 gives the
// default (20), more than the maximum (100) is lowered to it, a negative
// number or no number is a 400.
func parsePageSize(c *gin.Context) (int, error) {
	v, ok := c.GetQuery("page_size")
	if !ok {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	switch {
	case err != nil && len(strings.TrimLeft(v, "0123456789")) == 0 && v != "":
		return maxPageSize, nil // digits too many for an int: above the maximum
	case err != nil || n < 0:
		return 0, errStatus(http.StatusBadRequest, fmt.Sprintf("page_size must be a whole number (0 or absent for %d, at most %d), got %q", defaultPageSize, maxPageSize, v))
	case n == 0:
		return defaultPageSize, nil
	}
	return min(n, maxPageSize), nil
}

// pageToken is what a page token holds, as base64url JSON. Filter is the
// hash of the filters of the listing it continues.
type pageToken struct {
	PublishedAt time.Time `json:"published_at,omitzero"`
	ID          string    `json:"id,omitempty"`
	// After is the store's cursor of speaker listings.
	After  string `json:"after,omitempty"`
	Filter string `json:"filter"`
}

func (t pageToken) encode() string {
	b, _ := json.Marshal(t) // cannot fail: strings and a time
	return base64.RawURLEncoding.EncodeToString(b)
}

// parsePageToken reads page_token; the empty token starts a listing. A
// token that does not decode, or that was made for other filters, is a
// 400.
func parsePageToken(c *gin.Context, filter string) (pageToken, bool, error) {
	v := c.Query("page_token")
	if v == "" {
		return pageToken{}, false, nil
	}
	var t pageToken
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err == nil {
		err = json.Unmarshal(b, &t)
	}
	if err != nil || t.Filter == "" {
		return pageToken{}, false, errStatus(http.StatusBadRequest, "page_token is not a token this API issued")
	}
	if t.Filter != filter {
		return pageToken{}, false, errStatus(http.StatusBadRequest,
			"page_token was issued for other filters; repeat the filters of the first page, or start again without page_token")
	}
	return t, true, nil
}

// listQuotes searches quotes.
//
//	@Summary		Search quotes
//	@ID				listQuotes
//	@Description	Quotes of all stored articles, newest first (by the article's `published_at`, then id), filtered by any of the parameters.
//	@Description	Pagination: pass `next_page_token` of an answer as `page_token`, with the same filters (`page_size` may change), to get the next page;
//	@Description	an empty `next_page_token` means the end. A token used with other filters is a 400. Pages are stable under concurrent inserts:
//	@Description	a quote stored meanwhile with an older date than the last one seen appears on a later page, a newer one does not.
//	@Description	An unknown `speaker` gives an empty list, not a 404. Spans are Unicode code points of the quote's article.
//	@Description	Quotes an editor hid (`PATCH /v1/quotes/{id}`, `"hidden": true`) are left out; corrected ones carry `"corrected": true`.
//	@Description
//	@Description	Example: `GET /v1/quotes?speaker=Dmitry%20Peskov&page_size=1` after storing the seed article:
//	@Description	```json
//	@Description	{"quotes": [{"id": "6b080d1f1bdd25b3ecdf3549-11", "article_id": "6b080d1f1bdd25b3ecdf3549",
//	@Description	"text": "possible negotiations on a Ukrainian resolution, and organizing a meeting between the two presidents",
//	@Description	"span": {"start": 2867, "end": 2967}, "kind": "mixed", "cue": {"text": "told", "span": {"start": 2725, "end": 2729}},
//	@Description	"speaker": {"name": "Dmitry Peskov", "type": "person", "role": "Kremlin spokesman", "mention": {"text": "Kremlin spokesman Dmitry Peskov", "span": {"start": 2693, "end": 2724}}},
//	@Description	"confidence": 0.88, "rule": "reported-speech", "speaker_id": "spk_ee5fdda28411dadd", "published_at": "2025-02-18T09:00:00Z",
//	@Description	"outlet": "Reuters", "url": "https://www.reuters.com/world/us-russian-officials-begin-meeting-riyadh-2025-02-18/"}],
//	@Description	"next_page_token": "eyJwdWJsaXNoZWRfYXQiOiIyMDI1LTAyLTE4VDA5OjAwOjAwWiIsImlkIjoiNmIwODBkMWYxYmRkMjViM2VjZGYzNTQ5LTExIiwiZmlsdGVyIjoiMWQ0ZjAzYjY3YTQ1YjFlMiJ9"}
//	@Description	```
//	@Tags			quotes
//	@Security		BearerAuth
//	@Param			speaker		query	string	false	"speaker id, name or alias (case and diacritics ignored)"							example(Dmitry Peskov)
//	@Param			q			query	string	false	"words that must all appear in the quote (case and diacritics ignored, at most 20)"	example(negotiations)
//	@Param			kind		query	string	false	"kind of quote"																		Enums(direct, mixed, indirect)
//	@Param			outlet		query	string	false	"outlet, exactly as stored"															example(Reuters)
//	@Param			from		query	string	false	"published at or after: RFC 3339 date-time or YYYY-MM-DD (UTC)"						example(2025-02-01)
//	@Param			to			query	string	false	"published at or before: RFC 3339 date-time or YYYY-MM-DD (the whole day, UTC)"		example(2025-02-28)
//	@Param			page_size	query	int		false	"quotes per page"																	minimum(1)	maximum(100)	default(20)
//	@Param			page_token	query	string	false	"next_page_token of the previous page"
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		400	{object}	Problem	"a malformed parameter: kind, from, to, page_size, page_token (or a token used with other filters), q without words"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	QuoteList
//	@Router			/v1/quotes [get]
func (s *Server) listQuotes(c *gin.Context) {
	f, err := parseQuoteFilter(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	// The store resolves the speaker (an id, a name or an alias).
	s.writeQuotePage(c, f, "")
}

// writeQuotePage answers one page of the quotes matching f (and speakerID,
// when set).
func (s *Server) writeQuotePage(c *gin.Context, f quoteFilter, speakerID string) {
	size, err := parsePageSize(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	fh := f.hash()
	tok, ok, err := parsePageToken(c, fh)
	if err != nil {
		s.writeError(c, err)
		return
	}
	q := attribution.QuoteQuery{
		SpeakerID: speakerID,
		Speaker:   f.speaker,
		Words:     f.words,
		Kind:      f.kind,
		Outlet:    f.outlet,
		From:      f.from,
		To:        f.to,
		PageSize:  size,
	}
	if ok {
		if tok.ID == "" {
			s.writeError(c, errStatus(http.StatusBadRequest, "page_token is not a token this API issued"))
			return
		}
		q.After = &attribution.Cursor{PublishedAt: tok.PublishedAt, ID: tok.ID}
	}
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	page, err := s.store.FindQuotes(dctx, q)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := QuoteList{Quotes: page.Quotes}
	if out.Quotes == nil {
		out.Quotes = []attribution.StoredQuote{}
	}
	if page.Next != nil {
		out.NextPageToken = pageToken{PublishedAt: page.Next.PublishedAt, ID: page.Next.ID, Filter: fh}.encode()
	}
	c.JSON(http.StatusOK, out)
}

// getQuote returns one quote with its article and context, as JSON or as
// a schema.org Quotation in JSON-LD.
//
//	@Summary		Get a quote
//	@ID				getQuote
//	@Description	The quote with its article (id, url, title, outlet, published_at) and the sentence around it (`context`).
//	@Description	Spans (of the quote and of the context) are Unicode code points of the article's text.
//	@Description	A quote an editor hid is still served here, with `"hidden": true`; one an editor corrected has `"corrected": true`,
//	@Description	and `corrections` lists each correction, oldest first (see `PATCH /v1/quotes/{id}`). `ETag` carries the quote's version,
//	@Description	for `If-Match` on `PATCH` (the same on both representations).
//	@Description
//	@Description	**JSON-LD.** With `Accept: application/ld+json` the answer is a [schema.org Quotation](https://schema.org/Quotation)
//	@Description	(`Content-Type: application/ld+json`, the `Quotation` schema): `text`; `creator` (and the same in `spokenByCharacter`),
//	@Description	a `Person` or `Organization` with the speaker's current `name` and, when its `wikidata_id` is set,
//	@Description	`sameAs` (`https://www.wikidata.org/wiki/Q…`); `isBasedOn`, the `NewsArticle` (`url`, `headline`, `publisher`
//	@Description	with the outlet, `datePublished`, `inLanguage`); `datePublished`, the article's publication time (absent if it has none).
//	@Description	Quotes of anonymous sources, groups or speakers not named have no `creator`: `description` says whom the article credits.
//	@Description	`@id` values are paths of this API (`/v1/quotes/{id}`, `/v1/speakers/{id}`), which JSON-LD resolves against
//	@Description	the URL of the document. The JSON-LD answer's schema below is listed as one of `QuoteDetail` and `Quotation`
//	@Description	only because the generator cannot give one status two schemas; it is always a `Quotation`.
//	@Description	JSON stays the default: no `Accept`, `*/*`, `application/*` and `application/json` get JSON, and so does a tie in
//	@Description	quality (`q`). An `Accept` that allows neither type is a 406. Answers carry `Vary: Accept`.
//	@Description	Example (a speaker without `wikidata_id`, hence no `sameAs`):
//	@Description	```json
//	@Description	{"@context": "https://schema.org", "@type": "Quotation", "@id": "/v1/quotes/6b080d1f1bdd25b3ecdf3549-10",
//	@Description	"text": "primarily devoted to restoring the whole complex of Russian-American relations",
//	@Description	"creator": {"@type": "Person", "@id": "/v1/speakers/spk_ee5fdda28411dadd", "name": "Dmitry Peskov"},
//	@Description	"spokenByCharacter": {"...": "the same as creator"},
//	@Description	"isBasedOn": {"@type": "NewsArticle", "url": "https://www.reuters.com/world/us-russian-officials-begin-meeting-riyadh-2025-02-18/",
//	@Description	"headline": "US, Russian officials begin meeting in Riyadh", "publisher": {"@type": "Organization", "name": "Reuters"},
//	@Description	"datePublished": "2025-02-18T09:00:00Z", "inLanguage": "en"}, "datePublished": "2025-02-18T09:00:00Z"}
//	@Description	```
//	@Description
//	@Description	Example (the quote's own members, as in `GET /v1/quotes`, abridged to `id` and `text`):
//	@Description	```json
//	@Description	{"id": "6b080d1f1bdd25b3ecdf3549-10", "text": "primarily devoted to restoring the whole complex of Russian-American relations", "...": "...",
//	@Description	"article": {"id": "6b080d1f1bdd25b3ecdf3549", "url": "https://www.reuters.com/world/us-russian-officials-begin-meeting-riyadh-2025-02-18/",
//	@Description	"title": "US, Russian officials begin meeting in Riyadh", "outlet": "Reuters", "published_at": "2025-02-18T09:00:00Z"},
//	@Description	"context": {"text": "Kremlin spokesman Dmitry Peskov told reporters the talks would be \"primarily devoted to restoring the whole complex of Russian-American relations\", alongside discussions on \"possible negotiations on a Ukrainian resolution, and organizing a meeting between the two presidents\".",
//	@Description	"span": {"start": 2693, "end": 2969}}}
//	@Description	```
//	@Tags			quotes
//	@Security		BearerAuth
//	@Param			id	path	string	true	"quote id"	example(67b4591cb2a1f1a2c3d4e5f6-10)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		404	{object}	Problem	"no such quote"
//	@Failure		406	{object}	Problem	"Accept allows neither application/json nor application/ld+json"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json,application/ld+json
//	@Success		200	{object}	QuoteDetail
//	@Produce		application/ld+json
//	@Success		200	{object}	Quotation	"the quote: JSON by default, a schema.org Quotation with Accept: application/ld+json"
//	@Header			200	{string}	Vary		"Accept"
//	@Header			200	{string}	ETag		"the quote's version as a quoted number, for If-Match on PATCH"
//	@Router			/v1/quotes/{id} [get]
func (s *Server) getQuote(c *gin.Context) {
	c.Writer.Header().Add("Vary", "Accept")
	mt, ok := negotiate(c.GetHeader("Accept"), "application/json", jsonLDContentType)
	if !ok {
		s.writeError(c, notAcceptable("application/json", jsonLDContentType))
		return
	}
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	q, err := s.store.GetQuote(dctx, c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	a, err := s.store.GetArticle(dctx, q.ArticleID)
	if err != nil {
		// A quote whose article is gone is gone too.
		s.writeError(c, err)
		return
	}
	if mt == jsonLDContentType {
		ld, err := s.quotation(dctx, q, a)
		if err != nil {
			s.writeError(c, err)
			return
		}
		b, err := json.Marshal(ld)
		if err != nil {
			s.writeError(c, err)
			return
		}
		c.Header("ETag", quoteETag(q))
		c.Data(http.StatusOK, jsonLDContentType, b)
		return
	}
	writeQuoteDetail(c, q, a)
}
