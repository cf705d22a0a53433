package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
)

// KeyRequest is the body of POST /v1/keys.
type KeyRequest struct {
	// Name says who or what the key is for.
	Name string `json:"name" example:"desk-tool"`
	// Scope is read (GET), write (also ingest, extract, edit) or admin
	// (also keys and merges).
	Scope string `json:"scope" enums:"read,write,admin" example:"write"`
} //	@name	KeyRequest

// NewKeyResponse is a new key, with its secret shown this once.
type NewKeyResponse struct {
	auth.Key
	// Secret is the key to send as `Authorization: Bearer <secret>`. Only
	// its hash is stored: it cannot be shown again.
	Secret string `json:"secret" example:"wsk_Q2hhbmdlIG1lOiB0aGlzIGlzIGFuIGV4YW1wbGUga2V5"`
} //	@name	NewKeyResponse

// KeyList is every API key, revoked ones too, oldest first.
type KeyList struct {
	Keys []auth.Key `json:"keys"`
} //	@name	KeyList

// createKey makes an API key.
//
//	@Summary		Create an API key
//	@ID				createKey
//	@Description	Makes a key and answers its secret once; only the secret's SHA-256 is stored. Needs an admin key.
//	@Description	The first admin key of a deployment comes from the command line: `whosaid keys create --name NAME --scope admin`.
//	@Description	A key made here while the server runs with auth off (when anyone may call this) is marked `made_without_auth`
//	@Description	and refused (401) once the server runs with auth on; issue a new one then.
//	@Tags			keys
//	@Security		BearerAuth
//	@Accept			json
//	@Param			request	body	KeyRequest	true	"name and scope"
//	@Produce		application/problem+json
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape"
//	@Failure		401	{object}	Problem	"no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"the API key's scope is not admin"
//	@Failure		415	{object}	Problem	"the body is not application/json"
//	@Failure		422	{object}	Problem	"name empty or scope not read, write or admin"
//	@Failure		429	{object}	Problem	"rate limit exceeded"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		201	{object}	NewKeyResponse
//	@Router			/v1/keys [post]
func (s *Server) createKey(c *gin.Context) {
	body, err := readJSONBody(c, "application/json")
	if err != nil {
		s.writeError(c, err)
		return
	}
	var req KeyRequest
	if err := decodeJSONObject(body, &req); err != nil {
		s.writeError(c, err)
		return
	}
	scope, err := auth.ParseScope(req.Scope)
	if err != nil {
		s.writeError(c, &attribution.FieldError{Field: "scope", Reason: "must be read, write or admin"})
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		s.writeError(c, &attribution.FieldError{Field: "name", Reason: "must not be empty"})
		return
	}
	k, secret, hash, err := auth.NewKey(req.Name, scope, time.Now())
	if err != nil {
		s.writeError(c, &attribution.FieldError{Field: "name", Reason: err.Error()})
		return
	}
	// With auth off anyone may call this: the key is marked, and a server
	// with auth on refuses it.
	k.MadeWithoutAuth = s.authn == nil
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	if err := s.store.CreateKey(dctx, k, hash); err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, NewKeyResponse{Key: k, Secret: secret})
}

// listKeys lists the API keys.
//
//	@Summary		List API keys
//	@ID				listKeys
//	@Description	Every key with its id, name, scope, the first characters of its secret and when it was created and revoked. Needs an admin key.
//	@Tags			keys
//	@Security		BearerAuth
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"the API key's scope is not admin"
//	@Failure		429	{object}	Problem	"rate limit exceeded"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	KeyList
//	@Router			/v1/keys [get]
func (s *Server) listKeys(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	keys, err := s.store.ListKeys(dctx)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if keys == nil {
		keys = []auth.Key{}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, KeyList{Keys: keys})
}

// revokeKey revokes an API key.
//
//	@Summary		Revoke an API key
//	@ID				revokeKey
//	@Description	Marks the key revoked; this server refuses it at once, other replicas within 10 seconds (their key cache).
//	@Description	Revoking a revoked key answers it unchanged. Needs an admin key.
//	@Tags			keys
//	@Security		BearerAuth
//	@Param			id	path	string	true	"key id"	example(key_840d4f4e37dc6957)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"the API key's scope is not admin"
//	@Failure		404	{object}	Problem	"no key with this id"
//	@Failure		429	{object}	Problem	"rate limit exceeded"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	auth.Key	"the revoked key"
//	@Router			/v1/keys/{id} [delete]
func (s *Server) revokeKey(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	k, err := s.store.RevokeKey(dctx, c.Param("id"), time.Now())
	if err != nil {
		s.writeError(c, err)
		return
	}
	if s.authn != nil {
		s.authn.Forget()
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, k)
}

// serveMetrics serves the Prometheus metrics.
//
//	@Summary		Metrics
//	@ID				getMetrics
//	@Description	Prometheus text format: requests and latency by route and status, extraction time, database command latency,
//	@Description	the store in use, rate-limit and authentication refusals, Go runtime and process figures. Never needs a key.
//	@Tags			ops
//	@Produce		plain
//	@Success		200	{string}	string	"metrics in the Prometheus text exposition format"
//	@Router			/metrics [get]
func (s *Server) serveMetrics(c *gin.Context) {
	s.metrics.Handler().ServeHTTP(c.Writer, c.Request)
}
