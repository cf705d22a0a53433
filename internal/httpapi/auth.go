package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/auth"
)

// mergeSuffix ends the path of POST /v1/speakers/{id}:merge.
const mergeSuffix = ":merge"

// ginKeyName is where admit leaves the request's API key in the gin
// context.
const ginKeyName = "whosaid.key"

// keyOf returns the API key the request was admitted with, if any.
func keyOf(c *gin.Context) (auth.Key, bool) {
	v, ok := c.Get(ginKeyName)
	if !ok {
		return auth.Key{}, false
	}
	k, ok := v.(auth.Key)
	return k, ok
}

// scopeFor is the scope a /v1 request needs: read for GET, HEAD and POST
// /v1/verify, admin for key management and speaker merges, write for
// everything else.
func scopeFor(r *http.Request) auth.Scope {
	p := r.URL.Path
	switch {
	case p == "/v1/keys" || strings.HasPrefix(p, "/v1/keys/"):
		return auth.ScopeAdmin
	case r.Method == http.MethodGet || r.Method == http.MethodHead:
		return auth.ScopeRead
	case r.Method == http.MethodPost && p == "/v1/verify":
		return auth.ScopeRead // a question, not a change
	case r.Method == http.MethodPost && strings.HasPrefix(p, "/v1/speakers/") && strings.HasSuffix(p, mergeSuffix):
		return auth.ScopeAdmin
	}
	return auth.ScopeWrite
}

// guard runs admit as gin middleware on the /v1 group.
// It then checks the path and query strings of the request.
func (s *Server) guard(c *gin.Context) {
	if !s.admit(c) {
		c.Abort()
		return
	}
	if err := checkURLStrings(c.FullPath(), c.Request.URL); err != nil {
		s.writeError(c, err)
		return
	}
	c.Next()
}

// admit applies authentication (when on) and the rate limit to a /v1
// request. It writes the refusal and returns false when the request may
// not go on.
//
// With auth on, a request that fails authentication is charged to the
// bucket of its client address, and an address whose bucket is empty is
// refused with 429 before its key is looked up: guessing keys costs the
// store nothing past the burst.
func (s *Server) admit(c *gin.Context) bool {
	addr := "addr:" + c.ClientIP()
	client := addr
	if s.authn != nil {
		if s.limiter != nil && !s.limiter.has(addr, time.Now()) {
			return s.limit(c, addr)
		}
		k, ok := s.authenticate(c)
		if !ok {
			if s.limiter != nil {
				s.limiter.take(addr, time.Now())
			}
			return false
		}
		c.Set(ginKeyName, k)
		client = "key:" + k.ID
	}
	if s.limiter == nil {
		return true
	}
	return s.limit(c, client)
}

// limit spends a token of client's bucket, sets the rate-limit headers and
// writes the 429 when the bucket is empty.
func (s *Server) limit(c *gin.Context, client string) bool {
	d := s.limiter.take(client, time.Now())
	h := c.Writer.Header()
	h.Set("RateLimit-Policy", s.limiter.policy())
	h.Set("RateLimit", `"default";r=`+strconv.Itoa(d.remaining)+";t="+strconv.Itoa(ceilSeconds(d.reset)))
	if !d.allowed {
		s.metrics.RateLimited()
		retry := max(ceilSeconds(d.retryAfter), 1)
		h.Set("Retry-After", strconv.Itoa(retry))
		s.writeProblem(c, http.StatusTooManyRequests,
			"rate limit of "+strconv.FormatFloat(float64(s.limiter.rate), 'g', -1, 64)+" requests/s (burst "+
				strconv.Itoa(s.limiter.burst)+") exceeded; retry in "+strconv.Itoa(retry)+" s", nil)
		return false
	}
	return true
}

// authenticate checks the request's bearer key and its scope, writing a
// 401, 403 or 503 when it fails.
func (s *Server) authenticate(c *gin.Context) (auth.Key, bool) {
	h := c.GetHeader("Authorization")
	scheme, secret, _ := strings.Cut(h, " ")
	secret = strings.TrimSpace(secret)
	if h == "" || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		s.metrics.AuthRefused("missing")
		c.Header("WWW-Authenticate", `Bearer realm="whosaid"`)
		detail := "this server requires an API key: send Authorization: Bearer <key> (whosaid keys create makes one)"
		if h != "" {
			detail = "the Authorization header must be: Bearer <key>"
		}
		s.writeProblem(c, http.StatusUnauthorized, detail, nil)
		return auth.Key{}, false
	}
	k, err := s.authn.Authenticate(c.Request.Context(), secret)
	switch {
	case errors.Is(err, auth.ErrUnknownKey):
		s.metrics.AuthRefused("unknown")
		c.Header("WWW-Authenticate", `Bearer realm="whosaid", error="invalid_token"`)
		s.writeProblem(c, http.StatusUnauthorized, "the API key is unknown or revoked", nil)
		return auth.Key{}, false
	case errors.Is(err, auth.ErrMadeWithoutAuth):
		s.metrics.AuthRefused("unknown")
		c.Header("WWW-Authenticate", `Bearer realm="whosaid", error="invalid_token"`)
		s.writeProblem(c, http.StatusUnauthorized,
			"this API key was made while the server ran with auth off, so it is not trusted; an admin must issue a new one (whosaid keys create)", nil)
		return auth.Key{}, false
	case err != nil:
		s.writeError(c, err)
		return auth.Key{}, false
	}
	need := scopeFor(c.Request)
	if !k.Scope.Allows(need) {
		s.metrics.AuthRefused("scope")
		c.Header("WWW-Authenticate", `Bearer realm="whosaid", error="insufficient_scope", scope="`+string(need)+`"`)
		s.writeProblem(c, http.StatusForbidden,
			"the API key has scope "+string(k.Scope)+"; "+c.Request.Method+" "+c.Request.URL.Path+" needs "+string(need), nil)
		return auth.Key{}, false
	}
	return k, true
}
