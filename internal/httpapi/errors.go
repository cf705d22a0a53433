package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
)

// problemContentType is the media type of RFC 9457 problem documents.
const problemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document, the body of every error
// response.
type Problem struct {
	// Type is a URI reference naming the problem type; "about:blank" means
	// the HTTP status says it all.
	Type string `json:"type" example:"about:blank"`
	// Title is the short summary of the problem type (the status text).
	Title string `json:"title" example:"Unprocessable Entity"`
	// Status repeats the HTTP status code.
	Status int `json:"status" example:"422"`
	// Detail explains this occurrence.
	Detail string `json:"detail,omitempty" example:"text: must not be empty"`
	// Instance is the path of the request that failed.
	Instance string `json:"instance,omitempty" example:"/v1/extract"`
	// Errors lists the invalid fields of the request, if any.
	Errors []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem is one invalid field of a request.
type FieldProblem struct {
	// Field is the name of the field in the request body.
	Field string `json:"field" example:"text"`
	// Pointer is a JSON Pointer (RFC 6901) fragment to the field.
	Pointer string `json:"pointer" example:"#/text"`
	// Detail says what is wrong with it.
	Detail string `json:"detail" example:"must not be empty"`
}

// statusError is a failure of the HTTP layer itself (wrong media type,
// malformed JSON, body too large) with the status to answer and a detail
// that is safe to show the client.
type statusError struct {
	status int
	detail string
}

func (e *statusError) Error() string { return e.detail }

func errStatus(status int, detail string) error { return &statusError{status: status, detail: detail} }

// writeError writes the problem document problemFor gives for err and
// aborts the handler chain.
func (s *Server) writeError(c *gin.Context, err error) {
	p := s.problemFor(c.Request.Context(), c.Request.Method, c.Request.URL.Path, err)
	if p.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "5")
	}
	s.writeProblemDoc(c, p)
}

// problemFor is the one place that maps an error to a problem document:
//
//   - *statusError: its own status and detail;
//   - attribution.ErrInvalid: 422 Unprocessable Content, with each
//     *attribution.FieldError in the "errors" member (malformed requests get
//     400 through statusError; 422 is for well-formed ones that break a
//     rule);
//   - attribution.ErrNotFound: 404;
//   - attribution.ErrConflict: 409;
//   - attribution.ErrPrecondition: 412;
//   - attribution.ErrUnavailable, a deadline exceeded, or a driver timeout
//     or network error (server selection included): 503, logged at warn
//     level; a request the client cancelled also gets 503, unlogged;
//   - anything else: 500 with a generic detail; only these are logged, at
//     error level, with the full error.
func (s *Server) problemFor(ctx context.Context, method, path string, err error) Problem {
	var se *statusError
	switch {
	case errors.As(err, &se):
		return newProblem(se.status, se.detail, path, nil)
	case errors.Is(err, attribution.ErrInvalid):
		fields := fieldErrors(err)
		parts := make([]string, 0, len(fields))
		probs := make([]FieldProblem, 0, len(fields))
		for _, fe := range fields {
			parts = append(parts, fe.Error())
			probs = append(probs, FieldProblem{Field: fe.Field, Pointer: fieldPointer(fe.Field), Detail: fe.Reason})
		}
		detail := strings.Join(parts, "; ")
		if detail == "" {
			detail = err.Error()
		}
		return newProblem(http.StatusUnprocessableEntity, detail, path, probs)
	case errors.Is(err, attribution.ErrNotFound):
		return newProblem(http.StatusNotFound, err.Error(), path, nil)
	case errors.Is(err, attribution.ErrConflict):
		return newProblem(http.StatusConflict, err.Error(), path, nil)
	case errors.Is(err, attribution.ErrPrecondition):
		return newProblem(http.StatusPreconditionFailed, err.Error(), path, nil)
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		// The client went away; nobody reads this answer.
		return newProblem(http.StatusServiceUnavailable, "request cancelled", path, nil)
	case errors.Is(err, attribution.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		s.logger.WarnContext(ctx, "store unavailable",
			slog.String("method", method),
			slog.String("path", path),
			slog.Any("error", err),
		)
		return newProblem(http.StatusServiceUnavailable, "the database did not answer in time; try again later", path, nil)
	default:
		s.logger.ErrorContext(ctx, "internal error",
			slog.String("method", method),
			slog.String("path", path),
			slog.Any("error", err),
		)
		return newProblem(http.StatusInternalServerError, "internal server error", path, nil)
	}
}

// newProblem builds a problem document of type about:blank.
func newProblem(status int, detail, instance string, fields []FieldProblem) Problem {
	return Problem{
		Type:     "about:blank",
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   detail,
		Instance: instance,
		Errors:   fields,
	}
}

// writeProblem writes a problem document with the given status and aborts
// the handler chain.
func (s *Server) writeProblem(c *gin.Context, status int, detail string, fields []FieldProblem) {
	s.writeProblemDoc(c, newProblem(status, detail, c.Request.URL.Path, fields))
}

// writeProblemDoc writes p and aborts the handler chain.
func (s *Server) writeProblemDoc(c *gin.Context, p Problem) {
	b, err := json.Marshal(p)
	if err != nil {
		// Cannot happen: Problem holds only strings and ints.
		s.logger.ErrorContext(c.Request.Context(), "encode problem", slog.Any("error", err))
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(p.Status, problemContentType, b)
	c.Abort()
}

// fieldPointer turns a field name as the store and the handlers spell it
// ("text", "aliases[2]", "from[0]") into a JSON Pointer fragment
// ("#/text", "#/aliases/2", "#/from/0").
func fieldPointer(field string) string {
	var b strings.Builder
	b.WriteString("#/")
	for _, r := range field {
		switch r {
		case '[', '.':
			b.WriteByte('/')
		case ']':
		case '~':
			b.WriteString("~0")
		case '/':
			b.WriteString("~1")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fieldErrors collects every *attribution.FieldError in err's tree, in
// order.
func fieldErrors(err error) []*attribution.FieldError {
	var out []*attribution.FieldError
	var walk func(error)
	walk = func(err error) {
		if fe, ok := err.(*attribution.FieldError); ok { //nolint:errorlint // walking the tree by hand
			out = append(out, fe)
			return
		}
		switch u := err.(type) { //nolint:errorlint // walking the tree by hand
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			if e := u.Unwrap(); e != nil {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}
