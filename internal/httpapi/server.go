package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/metrics"
)

// Options are the dependencies of a Server.
type Options struct {
	// Logger receives request logs and internal errors; nil discards them.
	Logger *slog.Logger
	// Store is pinged by GET /readyz and keeps the articles, quotes and
	// speakers of the /v1 routes; required.
	Store Store
	// StoreKind names the store in readyz answers: "embedded" or "mongodb".
	StoreKind string
	// PingTimeout bounds one readiness ping; zero means 2s.
	PingTimeout time.Duration
	// ExtractTimeout bounds the extraction of one text (POST /v1/extract,
	// each article of /v1/articles and its batch); zero means
	// DefaultExtractTimeout.
	ExtractTimeout time.Duration
	// DBTimeout bounds each store call made for a request, so that no
	// request hangs on an unreachable database; zero means 10s.
	DBTimeout time.Duration
	// Extractor serves POST /v1/extract; required.
	Extractor Extractor
	// OpenAPI is the JSON OpenAPI document served at /openapi.json (the
	// generated api/openapi.json); required.
	OpenAPI []byte

	// Metrics receives the HTTP and extraction metrics and is served at
	// /metrics; nil makes a new one for this server.
	Metrics *metrics.Metrics
	// Auth requires an API key with the right scope on every /v1 route.
	Auth bool
	// KeyCacheTTL is how long a key's lookup is trusted; zero means
	// auth.DefaultCacheTTL.
	KeyCacheTTL time.Duration
	// RateLimit is the sustained requests per second of one API key, or
	// of one client address without a key, on the /v1 routes; zero turns
	// limits off. RateBurst is the bucket size (at least 1).
	RateLimit float64
	RateBurst int
	// CORSOrigins are the origins allowed to call the API from a browser
	// ("*" for any); empty sends no CORS headers.
	CORSOrigins []string
	// TrustedProxies are the proxies (IPs or CIDRs) whose X-Forwarded-For
	// gives the client address; empty trusts none.
	TrustedProxies []string
	// Notifier is told the quotes every ingest stores: all those of a new
	// article, the new ones of a revision (the webhook dispatcher); nil
	// tells no one.
	Notifier Notifier
	// WebhookAllowPrivate lets subscriptions target private and loopback
	// addresses.
	WebhookAllowPrivate bool
	// UI serves the newsroom pages at / and under /ui/ (internal/web);
	// nil serves none.
	UI http.Handler
}

// Notifier takes the quotes an ingest stored; it must not block.
type Notifier interface {
	Notify(quotes []attribution.StoredQuote)
}

// Store is everything the handlers need from the store; each part is
// declared next to its handlers.
type Store interface {
	Pinger
	ArticleStore
	QuoteStore
	SpeakerStore
	StatementStore
	SubscriptionStore
	auth.Store
}

// reachabler is implemented by a store that knows, without a round trip,
// that its server is down (mongostore.Store); requests that need the store
// then fail at once instead of waiting for the driver's server selection.
type reachabler interface {
	Reachable() error
}

// Server is the HTTP API. Create it with New and serve its Handler.
type Server struct {
	logger         *slog.Logger
	store          Store
	storeKind      string
	pingTimeout    time.Duration
	extractTimeout time.Duration
	dbTimeout      time.Duration
	// maxBatchLines is MaxBatchLines; tests lower it.
	maxBatchLines int
	extractor     Extractor
	openAPI       []byte
	engine        *gin.Engine
	ready         atomic.Int32 // last readiness seen by readyz
	metrics       *metrics.Metrics
	authn         *auth.Authenticator // nil: auth off
	limiter       *limiter            // nil: no rate limit
	notifier      Notifier            // nil: none
	allowPrivate  bool                // webhook targets
	ui            http.Handler        // nil: no pages

	// batchMax and batchIdle are MaxBatchDuration and BatchIdleTimeout;
	// tests lower them.
	batchMax, batchIdle time.Duration
}

// New builds a Server with all its routes.
func New(opts Options) (*Server, error) {
	switch {
	case opts.Store == nil:
		return nil, fmt.Errorf("new http server: no store")
	case opts.Extractor == nil:
		return nil, fmt.Errorf("new http server: no extractor")
	case len(opts.OpenAPI) == 0:
		return nil, fmt.Errorf("new http server: no OpenAPI document")
	case opts.RateLimit < 0 || (opts.RateLimit > 0 && opts.RateBurst < 1):
		return nil, fmt.Errorf("new http server: rate limit %v/s with burst %d", opts.RateLimit, opts.RateBurst)
	}
	s := &Server{
		logger:         opts.Logger,
		store:          opts.Store,
		storeKind:      opts.StoreKind,
		pingTimeout:    opts.PingTimeout,
		extractTimeout: opts.ExtractTimeout,
		dbTimeout:      opts.DBTimeout,
		maxBatchLines:  MaxBatchLines,
		extractor:      opts.Extractor,
		openAPI:        opts.OpenAPI,
		metrics:        opts.Metrics,
		notifier:       opts.Notifier,
		allowPrivate:   opts.WebhookAllowPrivate,
		ui:             opts.UI,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.logger = slog.New(contextHandler{s.logger.Handler()})
	if s.metrics == nil {
		s.metrics = metrics.New(s.storeKind)
	}
	if opts.Auth {
		s.authn = auth.NewAuthenticator(reachableKeys{s.store}, opts.KeyCacheTTL)
	}
	s.batchMax, s.batchIdle = MaxBatchDuration, BatchIdleTimeout
	if opts.RateLimit > 0 {
		s.limiter = newLimiter(opts.RateLimit, opts.RateBurst)
	}
	if s.pingTimeout == 0 {
		s.pingTimeout = 2 * time.Second
	}
	if s.dbTimeout == 0 {
		s.dbTimeout = 10 * time.Second
	}
	if s.extractTimeout <= 0 {
		s.extractTimeout = DefaultExtractTimeout
	}

	// gin keeps its mode in a package variable (set atomically); release
	// mode stops it printing route tables and warnings to stdout. This is
	// the only global state this package touches.
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true // c.Done/c.Err follow the request context
	// ClientIP is the peer address unless the peer is a trusted proxy;
	// then it is the rightmost untrusted address of X-Forwarded-For.
	if err := e.SetTrustedProxies(opts.TrustedProxies); err != nil {
		return nil, fmt.Errorf("new http server: trusted proxies: %w", err)
	}
	e.Use(s.observe, s.recoverPanic)
	if len(opts.CORSOrigins) > 0 {
		e.Use(corsMiddleware(opts.CORSOrigins))
	}
	s.routes(e)
	e.NoRoute(s.noRoute)
	e.NoMethod(func(c *gin.Context) {
		s.writeProblem(c, http.StatusMethodNotAllowed,
			"method "+c.Request.Method+" is not allowed on "+c.Request.URL.Path+"; allowed: "+c.Writer.Header().Get("Allow"), nil)
	})
	s.engine = e
	return s, nil
}

// Handler returns the http.Handler serving every route.
func (s *Server) Handler() http.Handler { return s.engine }

// recoverPanic turns a panic in a handler into a logged error and a 500
// problem document; the client never sees the panic value or stack.
func (s *Server) recoverPanic(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler { //nolint:errorlint // sentinel panic value, compared as net/http does
			panic(v)
		}
		s.logger.ErrorContext(c.Request.Context(), "panic in handler",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Any("panic", v),
			slog.String("stack", string(debug.Stack())),
		)
		if !c.Writer.Written() {
			s.writeProblem(c, http.StatusInternalServerError, "internal server error", nil)
		}
		c.Abort()
	}()
	c.Next()
}

// corsMiddleware answers preflight requests and adds the CORS headers for
// the allowed origins. Authorization is listed by name (a "*" would not
// cover it), and the headers a client reads (ETag, Location, rate limits,
// request id) are exposed. No credentials: keys travel in Authorization,
// not in cookies.
func corsMiddleware(origins []string) gin.HandlerFunc {
	cfg := cors.Config{
		AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete},
		AllowHeaders:  []string{"Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", requestIDHeader},
		ExposeHeaders: []string{"ETag", "Location", "Retry-After", "RateLimit", "RateLimit-Policy", requestIDHeader},
		MaxAge:        10 * time.Minute,
	}
	for _, o := range origins {
		if o == "*" {
			cfg.AllowAllOrigins = true
		}
	}
	if !cfg.AllowAllOrigins {
		cfg.AllowOrigins = origins
	}
	return cors.New(cfg)
}

// DefaultExtractTimeout bounds the extraction of one text when
// Options.ExtractTimeout is zero: a 1 MiB text takes well under a second.
const DefaultExtractTimeout = 20 * time.Second

// runExtractor extracts from text with the rules of lang ("" to guess)
// within the extraction deadline and records the time it took. It stops
// when ctx (the request's: done when the client goes away) is done; past
// the deadline it answers a 503.
func (s *Server) runExtractor(ctx context.Context, lang, text string) (attribution.Result, error) {
	ectx, cancel := context.WithTimeout(ctx, s.extractTimeout)
	defer cancel()
	start := time.Now()
	res, err := s.extractorFor(lang).ExtractContext(ectx, text)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return res, errStatus(http.StatusServiceUnavailable,
				fmt.Sprintf("extraction did not finish within %s; send a shorter text or try again later", s.extractTimeout))
		}
		return res, fmt.Errorf("extract: %w", err)
	}
	s.metrics.ObserveExtract(time.Since(start), len(text))
	return res, nil
}

// reachableKeys looks keys up in the store, failing at once when the store
// knows its server is down, so that an outage does not hold every
// authenticated request for the driver's server selection timeout.
type reachableKeys struct{ Store }

func (r reachableKeys) KeyByHash(ctx context.Context, hash string) (auth.Key, error) {
	if rs, ok := r.Store.(reachabler); ok {
		if err := rs.Reachable(); err != nil {
			return auth.Key{}, err
		}
	}
	return r.Store.KeyByHash(ctx, hash)
}
