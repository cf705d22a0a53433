package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/statement"
)

// Limits of POST /v1/verify.
const (
	// maxVerifyText bounds the text to verify, in bytes.
	maxVerifyText = 20_000
	// maxVerifySpeaker bounds the speaker's name or id, in bytes.
	maxVerifySpeaker = 500
	// defaultVerifyLimit and maxVerifyLimit bound the candidates.
	defaultVerifyLimit = 10
	maxVerifyLimit     = 50
)

// StatementStore keeps statements: the same words of a speaker across
// articles.
type StatementStore interface {
	GetStatement(ctx context.Context, id string) (attribution.Statement, error)
	// MatchStatements finds the statements most like text, best first.
	MatchStatements(ctx context.Context, text string, limit int) ([]attribution.StatementMatch, error)
}

// getStatement returns a statement with its occurrences.
//
//	@Summary		Get a statement
//	@ID				getStatement
//	@Description	A statement is the same words of one speaker as one or more articles report them: the same quote
//	@Description	in several outlets, a report that quotes only part of it, or one that names the speaker by surname only.
//	@Description	`text` is the longest reported form, `speaker` the fullest name, `first_seen` the earliest published
//	@Description	occurrence, `occurrences` every report, earliest first. Direct and mixed quotes have statements
//	@Description	(`statement_id` on a quote); indirect speech, a paraphrase, has none.
//	@Tags			statements
//	@Security		BearerAuth
//	@Param			id	path	string	true	"statement id"	example(stm_3f9a2c61d0b84e17)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		404	{object}	Problem	"no such statement"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	attribution.Statement
//	@Router			/v1/statements/{id} [get]
func (s *Server) getStatement(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	st, err := s.store.GetStatement(dctx, c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

// ClaimReview is a schema.org ClaimReview skeleton in JSON-LD for a
// statement: what was said, by whom, where it appeared and first
// appeared. A fact-checker adds author, url, datePublished and
// reviewRating.
type ClaimReview struct {
	Context       string `json:"@context" validate:"required" enums:"https://schema.org" example:"https://schema.org"`
	Type          string `json:"@type" validate:"required" enums:"ClaimReview" example:"ClaimReview"`
	ClaimReviewed string `json:"claimReviewed" validate:"required" example:"We will rebuild every bridge in this province before the winter comes."`
	ItemReviewed  Claim  `json:"itemReviewed" validate:"required"`
} //	@name	ClaimReview

// Claim is the schema.org Claim a ClaimReview reviews.
type Claim struct {
	Type string `json:"@type" validate:"required" enums:"Claim" example:"Claim"`
	// ID is the path of the statement in this API.
	ID string `json:"@id" validate:"required" example:"/v1/statements/stm_3f9a2c61d0b84e17"`
	// Author is the named speaker, with sameAs when its wikidata_id is
	// set; absent when no report names one.
	Author *QuotationAgent `json:"author,omitempty"`
	// DatePublished is when the words were first published.
	DatePublished time.Time `json:"datePublished,omitzero" example:"2026-03-01T18:00:00Z"`
	// Appearance lists every report, earliest first.
	Appearance []QuotationArticle `json:"appearance" validate:"required"`
	// FirstAppearance is the earliest published report.
	FirstAppearance QuotationArticle `json:"firstAppearance" validate:"required"`
} //	@name	Claim

// statementClaimReview returns a ClaimReview skeleton for a statement.
//
//	@Summary		ClaimReview skeleton of a statement
//	@ID				getStatementClaimReview
//	@Description	A schema.org `ClaimReview` (JSON-LD) with `claimReviewed` (the statement's text) and `itemReviewed`: a `Claim`
//	@Description	with its `author` (Person or Organization, `sameAs` its Wikidata page when known), `datePublished` (first seen),
//	@Description	`appearance` (every report) and `firstAppearance`. The fact-checker completes it with `author`, `url`,
//	@Description	`datePublished` and `reviewRating`. Answered as `application/ld+json`, or `application/json` when the Accept
//	@Description	header prefers it.
//	@Tags			statements
//	@Security		BearerAuth
//	@Param			id	path	string	true	"statement id"	example(stm_3f9a2c61d0b84e17)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		404	{object}	Problem	"no such statement"
//	@Failure		406	{object}	Problem	"Accept allows neither application/ld+json nor application/json"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		application/ld+json,json
//	@Success		200	{object}	ClaimReview
//	@Router			/v1/statements/{id}/claimreview [get]
func (s *Server) statementClaimReview(c *gin.Context) {
	offers := []string{jsonLDContentType, "application/json"}
	ct, ok := negotiate(c.GetHeader("Accept"), offers...)
	if !ok {
		s.writeError(c, notAcceptable(offers...))
		return
	}
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	st, err := s.store.GetStatement(dctx, c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	cr := ClaimReview{
		Context: "https://schema.org", Type: "ClaimReview", ClaimReviewed: st.Text,
		ItemReviewed: Claim{Type: "Claim", ID: "/v1/statements/" + st.ID, DatePublished: st.FirstSeen.PublishedAt},
	}
	for _, o := range st.Occurrences {
		cr.ItemReviewed.Appearance = append(cr.ItemReviewed.Appearance, appearance(o))
	}
	cr.ItemReviewed.FirstAppearance = appearance(st.FirstSeen)
	if st.Speaker != nil {
		agent := &QuotationAgent{Type: "Person", Name: st.Speaker.Name}
		if st.Speaker.ID != "" {
			agent.ID = "/v1/speakers/" + st.Speaker.ID
			p, err := s.store.LookupSpeaker(dctx, st.Speaker.ID)
			switch {
			case err == nil:
				agent.Name = p.Name
				if p.Type == attribution.SpeakerOrganization {
					agent.Type = "Organization"
				}
				if p.WikidataID != "" {
					agent.SameAs = attribution.WikidataURL(p.WikidataID)
				}
			case errors.Is(err, attribution.ErrNotFound):
				agent.ID = ""
			default:
				s.writeError(c, err)
				return
			}
		}
		cr.ItemReviewed.Author = agent
	}
	b, err := json.Marshal(cr)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Vary", "Accept")
	c.Data(http.StatusOK, ct, b)
}

// appearance is an occurrence as the schema.org article it appeared in.
func appearance(o attribution.Occurrence) QuotationArticle {
	a := QuotationArticle{Type: "NewsArticle", URL: o.URL, DatePublished: o.PublishedAt}
	if o.Outlet != "" {
		a.Publisher = &QuotationOrganization{Type: "Organization", Name: o.Outlet}
	}
	return a
}

// VerifyRequest is the body of POST /v1/verify.
type VerifyRequest struct {
	// Text is the quote to check, as a claim or a social media post has
	// it.
	Text string `json:"text" validate:"required" example:"We will rebuild every bridge in the province before winter comes"`
	// Speaker is who it is said to be by: a name ("Clara Jansen",
	// "Jansen") or a speaker id. Optional.
	Speaker string `json:"speaker,omitempty" example:"Clara Jansen"`
	// Limit is the most candidates answered, 1 to 50; default 10.
	Limit int `json:"limit,omitempty" minimum:"1" maximum:"50" example:"10"`
} //	@name	VerifyRequest

// VerifyResponse is the answer of POST /v1/verify.
type VerifyResponse struct {
	// Verdict sums up the candidates: found (the same words, or part of
	// them, by the speaker asked about or by anyone when none was asked),
	// similar (only near matches), other_speaker (the words are found, but
	// only under other speakers: a likely misattribution), not_found.
	Verdict string `json:"verdict" enums:"found,similar,other_speaker,not_found" example:"found"`
	// Candidates, best first.
	Candidates []VerifyCandidate `json:"candidates"`
} //	@name	VerifyResponse

// VerifyCandidate is a stored statement like the text verified.
type VerifyCandidate struct {
	Statement attribution.Statement `json:"statement"`
	// Score is in 0..1: 1 for the same words; 0.9 to 1 when one is part of
	// the other; less for near matches (words changed, dropped or moved).
	Score float64 `json:"score" minimum:"0" maximum:"1" example:"0.93"`
	// Match is how the text matches: exact, contained or near.
	Match string `json:"match" enums:"exact,contained,near" example:"near"`
	// SpeakerMatch compares the statement's speaker with the one asked
	// about: same, different, unknown (the statement names none), or
	// not_asked.
	SpeakerMatch string `json:"speaker_match" enums:"same,different,unknown,not_asked" example:"same"`
	// Flags: other_speaker when the words are attributed to someone else
	// than the speaker asked about.
	Flags []string `json:"flags"`
	// Note says in words what a flag means for this candidate.
	Note string `json:"note,omitempty" example:"These words are attributed to Pieter Vos, not to Clara Jansen."`
} //	@name	VerifyCandidate

// verify ranks the stored statements like a text.
//
//	@Summary		Verify a quote
//	@ID				verifyStatement
//	@Description	Did this person really say this, and where did it first appear? Finds the stored statements most like `text`:
//	@Description	the same words (`exact`, score 1), part of them or they part of the text (`contained`, 0.9 to 1), or `near`
//	@Description	(a few words changed, dropped or moved; below 0.9). Each candidate carries the statement with its speaker,
//	@Description	`first_seen` and every occurrence (the sources). With `speaker` (a name or a speaker id), each candidate says
//	@Description	whether its speaker is the same (`Jansen` matches `Clara Jansen`), and the same words found only under other
//	@Description	speakers are flagged `other_speaker`: the verdict is then `other_speaker`, a likely misattribution.
//	@Description	Candidates by the speaker asked about come first, then the others, each group by score.
//	@Description	Candidates come from an index of word 3-shingles, not a scan of the quotes; at least three words
//	@Description	in a row must match for a statement to be found. The body must be `application/json`, at most 1 MiB,
//	@Description	`text` at most 20,000 bytes. Needs a read key when auth is on.
//	@Tags			statements
//	@Security		BearerAuth
//	@Accept			json
//	@Param			request	body	VerifyRequest	true	"the text and, optionally, who it is said to be by"
//	@Produce		application/problem+json
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape"
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		413	{object}	Problem	"the body is larger than 1 MiB"
//	@Failure		415	{object}	Problem	"the body is not application/json"
//	@Failure		422	{object}	Problem	"text missing, blank, without words or too long; speaker too long; limit out of range"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	VerifyResponse
//	@Router			/v1/verify [post]
func (s *Server) verify(c *gin.Context) {
	req, err := decodeVerifyRequest(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	matches, err := s.store.MatchStatements(dctx, req.Text, req.Limit)
	if err != nil {
		s.writeError(c, err)
		return
	}
	asked, err := s.askedSpeaker(dctx, req.Speaker)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := VerifyResponse{Candidates: make([]VerifyCandidate, 0, len(matches))}
	for _, m := range matches {
		vc := VerifyCandidate{Statement: m.Statement, Score: math.Round(m.Score*1000) / 1000, Match: m.Match, Flags: []string{}}
		vc.SpeakerMatch = asked.compare(m.Statement)
		if vc.SpeakerMatch == "different" {
			vc.Flags = append(vc.Flags, "other_speaker")
			vc.Note = fmt.Sprintf("These words are attributed to %s, not to %s.", m.Statement.Speaker.Name, asked.label())
		}
		out.Candidates = append(out.Candidates, vc)
	}
	// The speaker asked about first, then by score (the store's order).
	slices.SortStableFunc(out.Candidates, func(a, b VerifyCandidate) int {
		return boolRank(a.SpeakerMatch == "same") - boolRank(b.SpeakerMatch == "same")
	})
	out.Verdict = verdict(out.Candidates)
	c.JSON(http.StatusOK, out)
}

func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
}

// verdict sums up candidates; see VerifyResponse.Verdict.
func verdict(cands []VerifyCandidate) string {
	if len(cands) == 0 {
		return "not_found"
	}
	similar := false
	for _, c := range cands {
		if c.SpeakerMatch == "different" {
			continue
		}
		if c.Match == string(statement.Exact) || c.Match == string(statement.Contained) {
			return "found"
		}
		similar = true
	}
	if similar {
		return "similar"
	}
	return "other_speaker"
}

// askedSpeakerInfo is the speaker a verify request asks about.
type askedSpeakerInfo struct {
	given string   // as sent; "" when none
	id    string   // the stored speaker it resolves to, if any
	names []string // its name and aliases, or the given name
}

// askedSpeaker resolves the speaker of a verify request: a stored speaker
// by id, name or alias (its name and aliases are then all compared), or
// just the name given.
func (s *Server) askedSpeaker(ctx context.Context, given string) (askedSpeakerInfo, error) {
	a := askedSpeakerInfo{given: given}
	if given == "" {
		return a, nil
	}
	a.names = []string{given}
	id, err := s.store.ResolveSpeakerID(ctx, given)
	switch {
	case errors.Is(err, attribution.ErrNotFound):
		return a, nil
	case err != nil:
		return a, err
	}
	p, err := s.store.LookupSpeaker(ctx, id)
	switch {
	case errors.Is(err, attribution.ErrNotFound):
		return a, nil
	case err != nil:
		return a, err
	}
	a.id = id
	a.names = append([]string{p.Name}, p.Aliases...)
	if !strings.HasPrefix(given, "spk_") {
		a.names = append(a.names, given)
	}
	return a, nil
}

func (a askedSpeakerInfo) label() string {
	if len(a.names) > 0 && strings.HasPrefix(a.given, "spk_") {
		return a.names[0]
	}
	return a.given
}

// compare says whether st's speaker is the one asked about.
func (a askedSpeakerInfo) compare(st attribution.Statement) string {
	switch {
	case a.given == "":
		return "not_asked"
	case st.Speaker == nil:
		return "unknown"
	case a.id != "" && a.id == st.Speaker.ID:
		return "same"
	}
	reported := []string{st.Speaker.Name}
	for _, o := range st.Occurrences {
		if o.Speaker != "" {
			reported = append(reported, o.Speaker)
		}
	}
	for _, n := range a.names {
		for _, r := range reported {
			if statement.SameSpeaker(n, r) {
				return "same"
			}
		}
	}
	return "different"
}

// decodeVerifyRequest reads and checks the body of POST /v1/verify.
func decodeVerifyRequest(c *gin.Context) (VerifyRequest, error) {
	body, err := readJSONBody(c, "application/json")
	if err != nil {
		return VerifyRequest{}, err
	}
	var wire struct {
		Text    json.RawMessage `json:"text"`
		Speaker *string         `json:"speaker"`
		Limit   *int            `json:"limit"`
	}
	if err := decodeJSONObject(body, &wire); err != nil {
		return VerifyRequest{}, err
	}
	req := VerifyRequest{Limit: defaultVerifyLimit}
	var errs []error
	text, err := decodeText(wire.Text, "text")
	switch {
	case err != nil:
		var fe *attribution.FieldError
		if !errors.As(err, &fe) {
			return VerifyRequest{}, err
		}
		errs = append(errs, err)
	case len(text) > maxVerifyText:
		errs = append(errs, &attribution.FieldError{Field: "text", Reason: fmt.Sprintf("must be at most %d bytes", maxVerifyText)})
	case len(statement.Words(text)) == 0:
		errs = append(errs, &attribution.FieldError{Field: "text", Reason: "must contain a word"})
	default:
		req.Text = text
	}
	if wire.Speaker != nil {
		sp := strings.TrimSpace(*wire.Speaker)
		switch {
		case len(sp) > maxVerifySpeaker:
			errs = append(errs, &attribution.FieldError{Field: "speaker", Reason: fmt.Sprintf("must be at most %d bytes", maxVerifySpeaker)})
		case !utf8.ValidString(sp):
			errs = append(errs, &attribution.FieldError{Field: "speaker", Reason: "must be valid UTF-8"})
		default:
			req.Speaker = sp
		}
	}
	if wire.Limit != nil {
		if *wire.Limit < 1 || *wire.Limit > maxVerifyLimit {
			errs = append(errs, &attribution.FieldError{Field: "limit", Reason: fmt.Sprintf("must be 1 to %d", maxVerifyLimit)})
		} else {
			req.Limit = *wire.Limit
		}
	}
	if len(errs) > 0 {
		return VerifyRequest{}, errors.Join(errs...)
	}
	return req, nil
}
