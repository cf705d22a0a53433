package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// routes lists every route of the API. Every GET route answers HEAD too
// (net/http sends the headers and drops the body), probes included.
func (s *Server) routes(e *gin.Engine) {
	get(e, "/healthz", s.healthz)
	get(e, "/readyz", s.readyz)
	get(e, "/openapi.json", s.openAPIJSON)
	get(e, "/docs/*file", s.swaggerUI)
	get(e, "/metrics", s.serveMetrics)
	if s.ui != nil {
		// The newsroom pages call the /v1 routes from the browser with
		// the tab's key; the pages themselves are open, as /docs is.
		ui := gin.WrapH(s.ui)
		get(e, "/", ui)
		get(e, "/ui/*path", ui)
	}

	// Every /v1 route is guarded (API key when auth is on, rate limit);
	// all but extract need the store, and fail at once while it is known
	// to be down.
	v1 := e.Group("/v1", s.guard)
	v1.POST("/extract", s.extract)
	v1 = v1.Group("", s.needStore)

	v1.POST("/articles", s.createArticle)
	// POST /v1/articles:batch is served by noRoute: gin 1.11 registers
	// the escaped path `/articles\:batch` but only unescapes its route
	// trees in Engine.Run*, not when the engine is served by our own
	// http.Server, so the escaped route never matches.
	get(v1, "/articles/:id", s.getArticle)
	v1.DELETE("/articles/:id", s.deleteArticle)
	get(v1, "/articles/:id/quotes", s.articleQuotes)

	get(v1, "/quotes", s.listQuotes)
	get(v1, "/quotes/:id", s.getQuote)
	v1.PATCH("/quotes/:id", s.patchQuote)

	get(v1, "/speakers", s.searchSpeakers)
	v1.POST("/speakers", s.createSpeaker)
	get(v1, "/speakers/:id", s.getSpeaker)
	v1.PATCH("/speakers/:id", s.patchSpeaker)
	// POST /v1/speakers/{id}:merge: gin cannot route text after a
	// parameter, so speakerAction splits ":merge" off the id.
	v1.POST("/speakers/:id", s.speakerAction)
	get(v1, "/speakers/:id/quotes", s.speakerQuotes)

	get(v1, "/statements/:id", s.getStatement)
	get(v1, "/statements/:id/claimreview", s.statementClaimReview)
	v1.POST("/verify", s.verify)

	v1.POST("/subscriptions", s.createSubscription)
	get(v1, "/subscriptions", s.listSubscriptions)
	get(v1, "/subscriptions/:id", s.getSubscription)
	v1.DELETE("/subscriptions/:id", s.deleteSubscription)
	get(v1, "/subscriptions/:id/deliveries", s.listDeliveries)

	v1.POST("/keys", s.createKey)
	get(v1, "/keys", s.listKeys)
	v1.DELETE("/keys/:id", s.revokeKey)
}

// queryRoutes are the routes whose handlers read query parameters; the
// guard checks those parameters' strings (checkURLStrings).
var queryRoutes = map[string]bool{
	"/v1/quotes":              true,
	"/v1/speakers":            true,
	"/v1/speakers/:id/quotes": true,
}

// get registers h for GET and HEAD requests of path.
func get(r gin.IRoutes, path string, h gin.HandlerFunc) {
	r.GET(path, h)
	r.HEAD(path, h)
}

// needStore answers 503 at once when the store knows its server is down,
// before the handler waits for it.
func (s *Server) needStore(c *gin.Context) {
	if !s.storeReachable(c) {
		c.Abort()
		return
	}
	c.Next()
}

// storeReachable writes the 503 and returns false when the store reports
// its server down.
func (s *Server) storeReachable(c *gin.Context) bool {
	rs, ok := s.store.(reachabler)
	if !ok {
		return true
	}
	if err := rs.Reachable(); err != nil {
		c.Header("Retry-After", "2")
		s.writeProblem(c, http.StatusServiceUnavailable, "the "+s.storeKind+" database is unreachable; try again shortly", nil)
		return false
	}
	return true
}

// batchPath is the path of POST /v1/articles:batch.
const batchPath = "/v1/articles:batch"

// noRoute answers requests no route matched: POST /v1/articles:batch
// (see routes), else 404.
func (s *Server) noRoute(c *gin.Context) {
	if c.Request.URL.Path == batchPath {
		if c.Request.Method != http.MethodPost {
			c.Header("Allow", http.MethodPost)
			s.writeProblem(c, http.StatusMethodNotAllowed,
				"method "+c.Request.Method+" is not allowed on "+batchPath+"; allowed: POST", nil)
			return
		}
		if !s.admit(c) || !s.storeReachable(c) {
			return
		}
		if err := checkURLStrings(batchPath, c.Request.URL); err != nil {
			s.writeError(c, err)
			return
		}
		s.batchArticles(c)
		return
	}
	s.writeProblem(c, http.StatusNotFound, "no route for "+c.Request.Method+" "+c.Request.URL.Path, nil)
}
