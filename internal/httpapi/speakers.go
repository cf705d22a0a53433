package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
)

// maxMergeFrom bounds the speakers one merge may name.
const maxMergeFrom = 100

// SpeakerStore keeps speakers across articles.
type SpeakerStore interface {
	GetSpeaker(ctx context.Context, id string) (attribution.SpeakerProfile, error)
	// LookupSpeaker is GetSpeaker without the figures (cheaper).
	LookupSpeaker(ctx context.Context, id string) (attribution.SpeakerProfile, error)
	// ResolveSpeaker finds a speaker by id, else by name or alias.
	ResolveSpeaker(ctx context.Context, idOrName string) (attribution.SpeakerProfile, error)
	// ResolveSpeakerID is ResolveSpeaker without the figures (cheaper).
	ResolveSpeakerID(ctx context.Context, idOrName string) (string, error)
	// SearchSpeakers lists speakers whose name or alias (or a word of
	// one) starts with prefix, by name; after is the cursor the previous
	// page returned.
	SearchSpeakers(ctx context.Context, prefix string, limit int, after string) ([]attribution.SpeakerProfile, string, error)
	// UpdateSpeaker applies p; ifVersion > 0 must equal the stored
	// version (else ErrPrecondition).
	UpdateSpeaker(ctx context.Context, id string, p attribution.SpeakerPatch, ifVersion int64) (attribution.SpeakerProfile, error)
	// MergeSpeakers moves the quotes, names and aliases of from into id.
	MergeSpeakers(ctx context.Context, id string, from []string) (attribution.SpeakerProfile, error)
	// CreateSpeaker stores a speaker an editor made; a name, alias or
	// Wikidata id of another speaker is ErrConflict.
	CreateSpeaker(ctx context.Context, n attribution.NewSpeaker) (attribution.SpeakerProfile, error)
}

// SpeakerList is one page of speakers.
type SpeakerList struct {
	// Speakers ordered by name.
	Speakers []attribution.SpeakerProfile `json:"speakers"`
	// NextPageToken continues the listing with the same q; empty at the
	// end.
	NextPageToken string `json:"next_page_token" example:""`
} //	@name	SpeakerList

// SpeakerCreateRequest is the body of POST /v1/speakers.
type SpeakerCreateRequest struct {
	// Name is the canonical name: a letter or digit, at most 200 bytes,
	// no other speaker's name or alias.
	Name string `json:"name" validate:"required" example:"Keir Starmer"`
	// Type is person (the default) or organization.
	Type string `json:"type,omitempty" enums:"person,organization" example:"person"`
	// Roles the speaker is quoted in (at most 20, each at most 100 bytes).
	Roles []string `json:"roles,omitempty" example:"Prime Minister"`
	// Aliases are other names that find the speaker (at most 50).
	Aliases []string `json:"aliases,omitempty" example:"Sir Keir Starmer"`
	// WikidataID is the speaker's Wikidata item id.
	WikidataID string `json:"wikidata_id,omitempty" example:"Q6383" pattern:"^Q[1-9][0-9]{0,11}$"`
} //	@name	SpeakerCreateRequest

// SpeakerPatchRequest is the body of PATCH /v1/speakers/{id}: absent
// members stay as they are.
type SpeakerPatchRequest struct {
	// Name is the new canonical name. The old one is dropped (a wrong
	// name fixed must not find this speaker again) unless keep_old_name
	// is true. It must hold a letter or digit and be at most 200 bytes;
	// null is not allowed.
	Name *string `json:"name,omitempty" example:"Volodymyr Zelenskyy"`
	// KeepOldName keeps the old name as an alias when name changes it
	// (a spelling fixed, where the old spelling should still find the
	// speaker).
	KeepOldName bool `json:"keep_old_name,omitempty" example:"false"`
	// Type is person or organization.
	Type *string `json:"type,omitempty" enums:"person,organization" example:"person"`
	// Roles replace the speaker's roles (at most 20, each at most 100
	// bytes); null clears them.
	Roles []string `json:"roles,omitempty" example:"President of Ukraine"`
	// Aliases replace the speaker's aliases (at most 50, each at most 200
	// bytes); null clears them.
	Aliases []string `json:"aliases,omitempty" example:"Zelensky,Zelenskiy,Volodymyr Zelensky"`
	// WikidataID is the speaker's Wikidata item id: Q and a number without
	// leading zeros (at most 12 digits), not a URL. null clears it; "" is
	// not allowed.
	WikidataID *string `json:"wikidata_id,omitempty" example:"Q3874799" pattern:"^Q[1-9][0-9]{0,11}$"`
} //	@name	SpeakerPatchRequest

// MergeRequest is the body of POST /v1/speakers/{id}:merge.
type MergeRequest struct {
	// From lists the ids of the speakers merged into this one (1 to 100).
	From []string `json:"from" validate:"required" example:"spk_0a1b2c3d4e5f6071"`
} //	@name	MergeRequest

// etag is the entity tag of a speaker version.
func etag(p attribution.SpeakerProfile) string {
	return strconv.Quote(strconv.FormatInt(p.Version, 10))
}

// writeSpeaker answers a speaker with its ETag.
func writeSpeaker(c *gin.Context, p attribution.SpeakerProfile) {
	c.Header("ETag", etag(p))
	c.JSON(http.StatusOK, p)
}

// searchSpeakers lists speakers by name prefix.
//
//	@Summary		Search speakers
//	@ID				searchSpeakers
//	@Description	Speakers whose name or an alias, or a word of one, starts with `q` (case and diacritics ignored): `zelensk` finds Volodymyr Zelenskyy.
//	@Description	Without `q` (or with an empty one) every speaker is listed. Ordered by name; pagination as in `GET /v1/quotes`
//	@Description	(`page_token` with the same `q`, empty `next_page_token` at the end).
//	@Description
//	@Description	Example: `GET /v1/speakers?q=zelensk` after storing the seed article:
//	@Description	```json
//	@Description	{"speakers": [{"id": "spk_1118ee61dd083b08", "name": "Volodymyr Zelenskyy", "type": "person", "aliases": ["Zelenskyy"], "roles": ["Ukrainian President"], "quote_count": 4, "counts": {"direct": 0, "indirect": 1, "mixed": 3}, "first_quoted": "2025-02-18T09:00:00Z", "last_quoted": "2025-02-18T09:00:00Z", "outlets": ["Reuters"], "updated_at": "2025-02-18T10:00:00.123Z"}], "next_page_token": ""}
//	@Description	```
//	@Tags			speakers
//	@Security		BearerAuth
//	@Param			q			query	string	false	"prefix of a name or alias; empty lists all speakers"	example(zelensk)
//	@Param			page_size	query	int		false	"speakers per page"										minimum(1)	maximum(100)	default(20)
//	@Param			page_token	query	string	false	"next_page_token of the previous page"
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		400	{object}	Problem	"a malformed parameter: page_size, page_token (or a token used with another q), q too long"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	SpeakerList
//	@Router			/v1/speakers [get]
func (s *Server) searchSpeakers(c *gin.Context) {
	q := strings.TrimSpace(c.Query("q"))
	if len(q) > maxQueryBytes {
		s.writeError(c, errStatus(http.StatusBadRequest, fmt.Sprintf("q must be at most %d bytes", maxQueryBytes)))
		return
	}
	size, err := parsePageSize(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	sum := sha256.Sum256([]byte("speakers\x00" + attribution.NormalizeName(q)))
	fh := hex.EncodeToString(sum[:8])
	tok, ok, err := parsePageToken(c, fh)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if ok && tok.After == "" {
		s.writeError(c, errStatus(http.StatusBadRequest, "page_token is not a token this API issued"))
		return
	}
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	list, next, err := s.store.SearchSpeakers(dctx, q, size, tok.After)
	if err != nil {
		s.writeError(c, err)
		return
	}
	out := SpeakerList{Speakers: list}
	if out.Speakers == nil {
		out.Speakers = []attribution.SpeakerProfile{}
	}
	if next != "" {
		out.NextPageToken = pageToken{After: next, Filter: fh}.encode()
	}
	c.JSON(http.StatusOK, out)
}

// getSpeaker returns one speaker.
//
//	@Summary		Get a speaker
//	@ID				getSpeaker
//	@Description	The speaker with its aliases, roles, type and figures computed from the stored quotes (quote count, first and last quoted, outlets);
//	@Description	quotes an editor hid do not count.
//	@Description	`ETag` carries the speaker's version, for `If-Match` on `PATCH`.
//	@Description
//	@Description	Example (with `ETag: "1"`):
//	@Description	```json
//	@Description	{"id": "spk_1118ee61dd083b08", "name": "Volodymyr Zelenskyy", "type": "person", "aliases": ["Zelenskyy"], "roles": ["Ukrainian President"], "quote_count": 4, "counts": {"direct": 0, "indirect": 1, "mixed": 3}, "first_quoted": "2025-02-18T09:00:00Z", "last_quoted": "2025-02-18T09:00:00Z", "outlets": ["Reuters"], "updated_at": "2025-02-18T10:00:00.123Z"}
//	@Description	```
//	@Tags			speakers
//	@Security		BearerAuth
//	@Param			id	path	string	true	"speaker id"	example(spk_1118ee61dd083b08)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		404	{object}	Problem	"no such speaker"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	attribution.SpeakerProfile
//	@Header			200	{string}	ETag	"the speaker's version, e.g. \"3\""
//	@Router			/v1/speakers/{id} [get]
func (s *Server) getSpeaker(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	p, err := s.store.GetSpeaker(dctx, c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	writeSpeaker(c, p)
}

// speakerQuotes lists the quotes of one speaker.
//
//	@Summary		List a speaker's quotes
//	@ID				listSpeakerQuotes
//	@Description	As `GET /v1/quotes?speaker={id}`, but an unknown speaker is a 404. The other filters and the pagination are the same,
//	@Description	and hidden quotes are left out too.
//	@Tags			speakers
//	@Security		BearerAuth
//	@Param			id			path	string	true	"speaker id"	example(spk_1118ee61dd083b08)
//	@Param			q			query	string	false	"words that must all appear in the quote (case and diacritics ignored, at most 20)"
//	@Param			kind		query	string	false	"kind of quote"	Enums(direct, mixed, indirect)
//	@Param			outlet		query	string	false	"outlet, exactly as stored"
//	@Param			from		query	string	false	"published at or after: RFC 3339 date-time or YYYY-MM-DD (UTC)"
//	@Param			to			query	string	false	"published at or before: RFC 3339 date-time or YYYY-MM-DD (the whole day, UTC)"
//	@Param			page_size	query	int		false	"quotes per page"	minimum(1)	maximum(100)	default(20)
//	@Param			page_token	query	string	false	"next_page_token of the previous page"
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		400	{object}	Problem	"a malformed parameter"
//	@Failure		404	{object}	Problem	"no such speaker"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	QuoteList
//	@Router			/v1/speakers/{id}/quotes [get]
func (s *Server) speakerQuotes(c *gin.Context) {
	f, err := parseQuoteFilter(c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	id := c.Param("id")
	f.speaker = id // the token is bound to the speaker too
	dctx, cancel := s.dbContext(c.Request.Context())
	// Only the id is checked here: the listing filters on the id it was
	// given, so a speaker found by name would not help.
	if !strings.HasPrefix(id, "spk_") {
		cancel()
		s.writeError(c, fmt.Errorf("speaker %q: %w", id, attribution.ErrNotFound))
		return
	}
	// A store that keeps merged speakers as pointers answers the
	// survivor: its quotes are the merged speaker's now.
	resolved, err := s.store.ResolveSpeakerID(dctx, id)
	cancel()
	if err != nil {
		s.writeError(c, err)
		return
	}
	s.writeQuotePage(c, f, resolved)
}

// patchSpeaker edits a speaker's name, aliases or Wikidata id.
//
//	@Summary		Edit a speaker
//	@ID				updateSpeaker
//	@Description	Changes the name (the speaker's quotes carry the new one; the old name is dropped unless `"keep_old_name": true`),
//	@Description	replaces the aliases or the roles, sets the type (`person` or `organization`) or the speaker's Wikidata item id
//	@Description	(`"wikidata_id": "Q3874799"`).
//	@Description	The body is a JSON merge patch (`application/merge-patch+json` or `application/json`, at most 1 MiB): absent members stay,
//	@Description	`"aliases": null` and `"roles": null` clear them, `"wikidata_id": null` clears the Wikidata id, `"name": null` and `"type": null` are 422s.
//	@Description	With `If-Match` (the `ETag` of a `GET`), the edit happens only if nobody changed the speaker since: otherwise 412.
//	@Description	A name, alias or Wikidata id that another speaker has is a 409 (merge the two speakers instead).
//	@Tags			speakers
//	@Security		BearerAuth
//	@Accept			json
//	@Param			id			path	string				true	"speaker id"	example(spk_1118ee61dd083b08)
//	@Param			If-Match	header	string				false	"ETag of the version edited, e.g. \"3\""
//	@Param			request		body	SpeakerPatchRequest	true	"the changes"
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape"
//	@Failure		404	{object}	Problem	"no such speaker"
//	@Failure		409	{object}	Problem	"the name, an alias or the Wikidata id belongs to another speaker"
//	@Failure		412	{object}	Problem	"If-Match does not match the current version"
//	@Failure		413	{object}	Problem	"the body is larger than 1 MiB"
//	@Failure		415	{object}	Problem	"the body is not application/json or application/merge-patch+json"
//	@Failure		422	{object}	Problem	"name null, empty or too long; too many aliases, or one empty or too long; wikidata_id not of the form Q3874799"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	attribution.SpeakerProfile	"the speaker as edited"
//	@Header			200	{string}	ETag						"the new version"
//	@Router			/v1/speakers/{id} [patch]
func (s *Server) patchSpeaker(c *gin.Context) {
	body, err := readJSONBody(c, "application/json", "application/merge-patch+json")
	if err != nil {
		s.writeError(c, err)
		return
	}
	patch, err := decodeSpeakerPatch(body)
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
		cur, err := s.store.GetSpeaker(dctx, id)
		if err != nil {
			s.writeError(c, err)
			return
		}
		var ok bool
		if version, ok = m.version(cur.Version); !ok {
			s.writeError(c, preconditionFailed("speaker", etag(cur)))
			return
		}
	}
	p, err := s.store.UpdateSpeaker(dctx, id, patch, version)
	if err != nil {
		s.writeError(c, err)
		return
	}
	writeSpeaker(c, p)
}

// decodeSpeakerPatch reads a merge patch of a speaker.
func decodeSpeakerPatch(body []byte) (attribution.SpeakerPatch, error) {
	var raw map[string]json.RawMessage
	if err := decodeJSONObject(body, &raw); err != nil {
		return attribution.SpeakerPatch{}, err
	}
	if raw == nil {
		return attribution.SpeakerPatch{}, errStatus(http.StatusBadRequest, "malformed JSON body: want a JSON object, got null")
	}
	var p attribution.SpeakerPatch
	for k, v := range raw {
		null := string(bytes.TrimSpace(v)) == "null"
		switch k {
		case "name":
			if null {
				return p, &attribution.FieldError{Field: "name", Reason: "must not be null: a speaker has a name"}
			}
			var name string
			if err := json.Unmarshal(v, &name); err != nil {
				return p, errStatus(http.StatusBadRequest, "malformed JSON body: field name must be a string")
			}
			p.Name = &name
		case "aliases":
			aliases := []string{}
			if !null {
				if err := json.Unmarshal(v, &aliases); err != nil {
					return p, errStatus(http.StatusBadRequest, "malformed JSON body: field aliases must be an array of strings")
				}
			}
			p.Aliases = &aliases
		case "wikidata_id":
			id := "" // null clears it
			if !null {
				if err := json.Unmarshal(v, &id); err != nil {
					return p, errStatus(http.StatusBadRequest, "malformed JSON body: field wikidata_id must be a string or null")
				}
				if id == "" {
					return p, &attribution.FieldError{Field: "wikidata_id", Reason: "must be a Wikidata item id such as Q3874799; null clears it"}
				}
			}
			p.WikidataID = &id
		case "keep_old_name":
			if err := json.Unmarshal(v, &p.KeepOldName); err != nil || null {
				return p, errStatus(http.StatusBadRequest, "malformed JSON body: field keep_old_name must be true or false")
			}
		case "type":
			var typ string
			if null {
				return p, &attribution.FieldError{Field: "type", Reason: "must not be null: person or organization"}
			}
			if err := json.Unmarshal(v, &typ); err != nil {
				return p, errStatus(http.StatusBadRequest, "malformed JSON body: field type must be a string")
			}
			t := attribution.SpeakerType(typ)
			p.Type = &t
		case "roles":
			roles := []string{}
			if !null {
				if err := json.Unmarshal(v, &roles); err != nil {
					return p, errStatus(http.StatusBadRequest, "malformed JSON body: field roles must be an array of strings")
				}
			}
			p.Roles = &roles
		default:
			return p, errStatus(http.StatusBadRequest, fmt.Sprintf("malformed JSON body: unknown field %q", k))
		}
	}
	return p, nil
}

// createSpeaker stores a speaker an editor makes.
//
//	@Summary		Create a speaker
//	@ID				createSpeaker
//	@Description	Stores a speaker that no article has named yet, so that an editor can move a misattributed quote to them
//	@Description	(`PATCH /v1/quotes/{id}` with its id) and later articles naming them land on them.
//	@Description	`type` is `person` (the default) or `organization`. A name, alias or Wikidata id that another speaker has is a 409
//	@Description	(use that speaker, or merge). The body must be `application/json`, at most 1 MiB.
//	@Description
//	@Description	Example: `{"name": "Keir Starmer", "roles": ["Prime Minister"], "wikidata_id": "Q6383"}` answers 201 with the speaker,
//	@Description	its `Location` and `ETag`.
//	@Tags			speakers
//	@Security		BearerAuth
//	@Accept			json
//	@Param			request	body	SpeakerCreateRequest	true	"the speaker"
//	@Produce		application/problem+json
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape"
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		409	{object}	Problem	"the name, an alias or the Wikidata id belongs to another speaker"
//	@Failure		413	{object}	Problem	"the body is larger than 1 MiB"
//	@Failure		415	{object}	Problem	"the body is not application/json"
//	@Failure		422	{object}	Problem	"name missing, empty or too long; type not person or organization; too many roles or aliases, or one empty or too long; wikidata_id not of the form Q6383"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		201	{object}	attribution.SpeakerProfile	"the speaker"
//	@Header			201	{string}	Location					"/v1/speakers/{id}"
//	@Header			201	{string}	ETag						"its version, \"1\""
//	@Router			/v1/speakers [post]
func (s *Server) createSpeaker(c *gin.Context) {
	body, err := readJSONBody(c, "application/json")
	if err != nil {
		s.writeError(c, err)
		return
	}
	var req SpeakerCreateRequest
	if err := decodeJSONObject(body, &req); err != nil {
		s.writeError(c, err)
		return
	}
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	p, err := s.store.CreateSpeaker(dctx, attribution.NewSpeaker{Name: req.Name, Type: attribution.SpeakerType(req.Type),
		Roles: req.Roles, Aliases: req.Aliases, WikidataID: req.WikidataID})
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Location", "/v1/speakers/"+p.ID)
	c.Header("ETag", etag(p))
	c.JSON(http.StatusCreated, p)
}

// speakerAction serves POST /v1/speakers/{id}:{action}; gin cannot route a
// suffix after a parameter, so the action is split off here. The only
// action is merge.
//
//	@Summary		Merge speakers
//	@ID				mergeSpeakers
//	@Description	Moves the quotes of the speakers listed in `from` to this speaker, adds their names and aliases to its aliases
//	@Description	and its roles, and deletes them. Use it when one person was stored under two names the store could not tell apart.
//	@Description	The speaker keeps its `wikidata_id`; if it has none, it takes the one of the merged speakers, provided those that have one agree.
//	@Description	The body must be `application/json`, at most 1 MiB.
//	@Tags			speakers
//	@Security		BearerAuth
//	@Accept			json
//	@Param			id		path	string			true	"id of the speaker that stays"	example(spk_1118ee61dd083b08)
//	@Param			request	body	MergeRequest	true	"the speakers merged into it"
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape"
//	@Failure		404	{object}	Problem	"no such speaker (this one or one in from)"
//	@Failure		413	{object}	Problem	"the body is larger than 1 MiB"
//	@Failure		415	{object}	Problem	"the body is not application/json"
//	@Failure		422	{object}	Problem	"from is empty, too long, or names this speaker"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	attribution.SpeakerProfile	"the speaker with the others merged in"
//	@Header			200	{string}	ETag						"the new version"
//	@Router			/v1/speakers/{id}:merge [post]
func (s *Server) speakerAction(c *gin.Context) {
	param := c.Param("id")
	id, action, found := strings.Cut(param, ":")
	switch {
	case !found:
		c.Header("Allow", "GET, PATCH")
		s.writeProblem(c, http.StatusMethodNotAllowed,
			"method POST is not allowed on "+c.Request.URL.Path+"; allowed: GET, PATCH", nil)
		return
	case action != "merge":
		s.writeProblem(c, http.StatusNotFound, "no route for POST "+c.Request.URL.Path+": the only speaker action is :merge", nil)
		return
	}
	body, err := readJSONBody(c, "application/json")
	if err != nil {
		s.writeError(c, err)
		return
	}
	var req struct {
		From *[]string `json:"from"`
	}
	if err := decodeJSONObject(body, &req); err != nil {
		s.writeError(c, err)
		return
	}
	switch {
	case req.From == nil:
		s.writeError(c, &attribution.FieldError{Field: "from", Reason: "is required"})
		return
	case len(*req.From) == 0:
		s.writeError(c, &attribution.FieldError{Field: "from", Reason: "must name at least one speaker"})
		return
	case len(*req.From) > maxMergeFrom:
		s.writeError(c, &attribution.FieldError{Field: "from", Reason: fmt.Sprintf("must name at most %d speakers", maxMergeFrom)})
		return
	}
	var errs []error
	for i, f := range *req.From {
		if f == id {
			errs = append(errs, &attribution.FieldError{Field: fmt.Sprintf("from[%d]", i), Reason: "is the speaker merged into"})
		}
	}
	if len(errs) > 0 {
		s.writeError(c, errors.Join(errs...))
		return
	}
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	p, err := s.store.MergeSpeakers(dctx, id, *req.From)
	if err != nil {
		s.writeError(c, err)
		return
	}
	writeSpeaker(c, p)
}
