package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/extract"
)

// QuotePatchRequest is the body of PATCH /v1/quotes/{id}: absent members
// stay as they are; at least one must be given.
type QuotePatchRequest struct {
	// SpeakerID attributes the quote to this stored speaker: the quote
	// takes its id, name and type. null clears the attribution (the quote
	// keeps no speaker); "" is not allowed.
	SpeakerID *string `json:"speaker_id,omitempty" example:"spk_ee5fdda28411dadd"`
	// Kind is how much of the statement is in quotation marks; null is
	// not allowed.
	Kind *string `json:"kind,omitempty" enums:"direct,mixed,indirect" example:"mixed"`
	// Hidden true leaves the quote out of quote searches, speaker
	// listings and speaker figures; false shows it again. null is not
	// allowed.
	Hidden *bool `json:"hidden,omitempty" example:"true"`
} //	@name	QuotePatchRequest

// quoteETag is the entity tag of a quote version.
func quoteETag(q attribution.StoredQuote) string {
	return strconv.Quote(strconv.FormatInt(q.Version, 10))
}

// writeQuoteDetail answers a quote as JSON with its article, context,
// corrections and ETag.
func writeQuoteDetail(c *gin.Context, q attribution.StoredQuote, a attribution.Article) {
	text, span := extract.SentenceAround(a.Text, q.Span)
	corrections := q.History
	if corrections == nil {
		corrections = []attribution.Correction{}
	}
	c.Header("ETag", quoteETag(q))
	c.JSON(http.StatusOK, QuoteDetail{
		StoredQuote: q,
		Article:     ArticleRef{ID: a.ID, URL: a.URL, Title: a.Title, Outlet: a.Outlet, PublishedAt: a.PublishedAt},
		Context:     QuoteContext{Text: text, Span: span},
		Corrections: corrections,
	})
}

// editorOf names the editor of a correction: the id of the request's API
// key, or "anonymous" with auth off.
func editorOf(c *gin.Context) string {
	if k, ok := keyOf(c); ok && k.ID != "" {
		return k.ID
	}
	return attribution.AnonymousEditor
}

// patchQuote corrects a quote's attribution.
//
//	@Summary		Correct a quote
//	@ID				correctQuote
//	@Description	An editor's correction of what the extractor found: `speaker_id` attributes the quote to another stored speaker
//	@Description	(the quote takes its id, `name` and `type`; the `role` and `mention` the extractor had found are dropped), `null` clears
//	@Description	the attribution (the quote keeps no `speaker_id` and no `speaker`, like a quote the extractor could not attribute);
//	@Description	`kind` sets direct, mixed or indirect; `hidden: true` leaves the quote out of `GET /v1/quotes`, `GET /v1/speakers/{id}/quotes`
//	@Description	and the speaker's figures, while `GET /v1/quotes/{id}` and the article's quotes still show it, with `"hidden": true`.
//	@Description	The body is a JSON merge patch (`application/merge-patch+json` or `application/json`, at most 1 MiB): absent members stay;
//	@Description	`{}` is a 422.
//	@Description
//	@Description	Each correction is appended to the quote's `corrections` (oldest first): `at`, `by` (the id of the API key used,
//	@Description	`anonymous` when the server runs with auth off), and the attribution `before` and `after` (`speaker_id`, `speaker` name and
//	@Description	type, `kind`, `hidden`). The change and its record are one write, guarded by the quote's version: with `If-Match` (the `ETag`
//	@Description	of a `GET`) the correction is made only if nobody corrected the quote since, otherwise 412; without it, a correction
//	@Description	that meets a concurrent one is retried on the new version (409 if that keeps failing). A correction that changes nothing
//	@Description	is not recorded. The quote is then `"corrected": true`.
//	@Description	Corrections survive re-ingesting the article (same URL or text): stored quotes are never rewritten. Deleting the article
//	@Description	deletes them with its quotes. A quote stays an occurrence of its statement (`statement_id`) whatever its new speaker or kind,
//	@Description	and a hidden quote stays in its statement's occurrences.
//	@Tags			quotes
//	@Security		BearerAuth
//	@Accept			json
//	@Param			id			path	string				true	"quote id"	example(67b4591cb2a1f1a2c3d4e5f6-10)
//	@Param			If-Match	header	string				false	"ETag of the version corrected, e.g. \"2\""
//	@Param			request		body	QuotePatchRequest	true	"the correction"
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape (unknown member, wrong JSON type)"
//	@Failure		404	{object}	Problem	"no such quote"
//	@Failure		409	{object}	Problem	"without If-Match: other corrections of the quote kept winning the race; try again"
//	@Failure		412	{object}	Problem	"If-Match does not match the current version"
//	@Failure		413	{object}	Problem	"the body is larger than 1 MiB"
//	@Failure		415	{object}	Problem	"the body is not application/json or application/merge-patch+json"
//	@Failure		422	{object}	Problem	"an empty patch; speaker_id empty or of no stored speaker; kind not direct, mixed or indirect; kind or hidden null"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	QuoteDetail	"the quote as corrected, with its corrections"
//	@Header			200	{string}	ETag		"the new version"
//	@Router			/v1/quotes/{id} [patch]
func (s *Server) patchQuote(c *gin.Context) {
	body, err := readJSONBody(c, "application/json", "application/merge-patch+json")
	if err != nil {
		s.writeError(c, err)
		return
	}
	patch, err := decodeQuotePatch(body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	id := c.Param("id")
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	m, err := parseIfMatch(c.Request.Header.Values("If-Match"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	var version int64
	if m.present && !m.any {
		cur, err := s.store.GetQuote(dctx, id)
		if err != nil {
			s.writeError(c, err)
			return
		}
		var ok bool
		if version, ok = m.version(cur.Version); !ok {
			s.writeError(c, preconditionFailed("quote", quoteETag(cur)))
			return
		}
	}
	q, err := s.store.CorrectQuote(dctx, id, patch, editorOf(c), version)
	if err != nil {
		s.writeError(c, err)
		return
	}
	a, err := s.store.GetArticle(dctx, q.ArticleID)
	if err != nil {
		// Its article is being deleted: the quote is gone too.
		s.writeError(c, err)
		return
	}
	writeQuoteDetail(c, q, a)
}

// decodeQuotePatch reads a merge patch of a quote. Malformed JSON, an
// unknown member or a wrong JSON type is a 400; values that break a rule
// (null kind or hidden, empty speaker id, unknown kind, an empty patch)
// are field errors (422). Whether the speaker exists is the store's to
// say.
func decodeQuotePatch(body []byte) (attribution.QuotePatch, error) {
	var raw map[string]json.RawMessage
	if err := decodeJSONObject(body, &raw); err != nil {
		return attribution.QuotePatch{}, err
	}
	if raw == nil {
		return attribution.QuotePatch{}, errStatus(http.StatusBadRequest, "malformed JSON body: want a JSON object, got null")
	}
	var p attribution.QuotePatch
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(raw)) { // field errors in a fixed order
		v := raw[k]
		null := string(bytes.TrimSpace(v)) == "null"
		switch k {
		case "speaker_id":
			id := "" // null clears the attribution
			if !null {
				if err := json.Unmarshal(v, &id); err != nil {
					return p, errStatus(http.StatusBadRequest, "malformed JSON body: field speaker_id must be a string or null")
				}
				if strings.TrimSpace(id) == "" {
					errs = append(errs, &attribution.FieldError{Field: "speaker_id", Reason: "must be a speaker id such as spk_ee5fdda28411dadd; null clears the attribution"})
					continue
				}
			}
			p.SpeakerID = &id
		case "kind":
			if null {
				errs = append(errs, &attribution.FieldError{Field: "kind", Reason: "must not be null: a quote is direct, mixed or indirect"})
				continue
			}
			var kind attribution.Kind
			if err := json.Unmarshal(v, &kind); err != nil {
				return p, errStatus(http.StatusBadRequest, "malformed JSON body: field kind must be a string")
			}
			if err := (attribution.QuotePatch{Kind: &kind}).Validate(); err != nil {
				errs = append(errs, err)
				continue
			}
			p.Kind = &kind
		case "hidden":
			if null {
				errs = append(errs, &attribution.FieldError{Field: "hidden", Reason: "must be true or false, not null"})
				continue
			}
			var hidden bool
			if err := json.Unmarshal(v, &hidden); err != nil {
				return p, errStatus(http.StatusBadRequest, "malformed JSON body: field hidden must be true or false")
			}
			p.Hidden = &hidden
		default:
			return p, errStatus(http.StatusBadRequest, fmt.Sprintf("malformed JSON body: unknown field %q", k))
		}
	}
	if len(errs) > 0 {
		return p, errors.Join(errs...)
	}
	return p, p.Validate()
}
