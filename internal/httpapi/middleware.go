package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/metrics"
)

// requestIDHeader carries a request's id: taken from the client (or a
// proxy) when it sends a usable one, generated otherwise, and always
// echoed in the answer.
const requestIDHeader = "X-Request-ID"

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// validRequestID accepts 1 to 128 visible ASCII characters without
// spaces, quotes or backslashes: enough for UUIDs, trace ids and the ids
// proxies make, and safe to copy into logs and headers.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}

// observe is the outermost middleware: it gives the request its id, counts
// it in flight, and when it is done writes the access log line and the
// HTTP metrics.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	id := c.GetHeader(requestIDHeader)
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Header(requestIDHeader, id)
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), requestIDKey{}, id))
	done := s.metrics.RequestStarted()
	defer done()

	c.Next()

	d := time.Since(start)
	// FullPath is a registered route pattern, or "" when none matched:
	// the metrics never see a raw path.
	route := c.FullPath()
	if route == "" {
		route = metrics.Other
		if c.Request.URL.Path == batchPath && c.Request.Method == http.MethodPost {
			route = batchPath
		}
	}
	status := c.Writer.Status()
	s.metrics.ObserveHTTP(route, c.Request.Method, status, d)

	level := slog.LevelInfo
	if p := c.Request.URL.Path; p == "/healthz" || p == "/readyz" || p == "/metrics" {
		level = slog.LevelDebug
	}
	if !s.logger.Enabled(c.Request.Context(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", c.Request.Method),
		slog.String("path", c.Request.URL.Path),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Int("bytes", max(c.Writer.Size(), 0)),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
		slog.String("remote", c.ClientIP()),
	}
	if k, ok := keyOf(c); ok {
		attrs = append(attrs, slog.String("key_id", k.ID))
	}
	if ua := c.Request.UserAgent(); ua != "" {
		attrs = append(attrs, slog.String("user_agent", ua))
	}
	s.logger.LogAttrs(c.Request.Context(), level, "http request", attrs...)
}

// contextHandler adds the request id of a record's context to the record,
// so that every log line written while serving a request (errors from the
// store, panics) can be matched with its access log line.
type contextHandler struct{ slog.Handler }

func (h contextHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return contextHandler{h.Handler.WithAttrs(attrs)}
}

func (h contextHandler) WithGroup(name string) slog.Handler {
	return contextHandler{h.Handler.WithGroup(name)}
}
