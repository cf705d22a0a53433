package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
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
	// DBTimeout bounds each store call made for a request, so that no
	// request hangs on an unreachable database; zero means 10s.
	DBTimeout time.Duration
	// Extractor serves POST /v1/extract; required.
	Extractor Extractor
	// OpenAPI is the JSON OpenAPI document served at /openapi.json (the
	// generated api/openapi.json); required.
	OpenAPI []byte
}

// Store is everything the handlers need from the store; each part is
// declared next to its handlers.
type Store interface {
	Pinger
	ArticleStore
	QuoteStore
	SpeakerStore
}

// Server is the HTTP API. Create it with New and serve its Handler.
type Server struct {
	logger      *slog.Logger
	store       Store
	storeKind   string
	pingTimeout time.Duration
	dbTimeout   time.Duration
	// maxBatchLines is MaxBatchLines; tests lower it.
	maxBatchLines int
	extractor     Extractor
	openAPI       []byte
	engine        *gin.Engine
	ready         atomic.Int32 // last readiness seen by readyz
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
	}
	s := &Server{
		logger:        opts.Logger,
		store:         opts.Store,
		storeKind:     opts.StoreKind,
		pingTimeout:   opts.PingTimeout,
		dbTimeout:     opts.DBTimeout,
		maxBatchLines: MaxBatchLines,
		extractor:     opts.Extractor,
		openAPI:       opts.OpenAPI,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.pingTimeout == 0 {
		s.pingTimeout = 2 * time.Second
	}
	if s.dbTimeout == 0 {
		s.dbTimeout = 10 * time.Second
	}

	// gin keeps its mode in a package variable (set atomically); release
	// mode stops it printing route tables and warnings to stdout. This is
	// the only global state this package touches.
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.ContextWithFallback = true // c.Done/c.Err follow the request context
	// Trust no proxy headers: ClientIP is the peer address. A deployment
	// behind a proxy sets the proxy's addresses here (a later issue).
	if err := e.SetTrustedProxies(nil); err != nil {
		return nil, fmt.Errorf("new http server: %w", err)
	}
	e.Use(s.logRequests, s.recoverPanic)
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

// logRequests logs one line per request after it is served; health probes
// log at debug level so that they do not drown the rest.
func (s *Server) logRequests(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelInfo
	if p := c.Request.URL.Path; p == "/healthz" || p == "/readyz" {
		level = slog.LevelDebug
	}
	s.logger.LogAttrs(c.Request.Context(), level, "http request",
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("route", c.FullPath()),
		slog.Int("status", c.Writer.Status()),
		slog.Int("bytes", c.Writer.Size()),
		slog.String("duration", time.Since(start).String()),
		slog.String("remote", c.ClientIP()),
	)
}

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
