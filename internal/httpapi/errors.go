package httpapi

import (
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

// writeError is the one place that maps an error to a response:
//
//   - *statusError: its own status and detail;
//   - attribution.ErrInvalid: 422 Unprocessable Content, with each
//     *attribution.FieldError in the "errors" member (malformed requests get
//     400 through statusError; 422 is for well-formed ones that break a
//     rule);
//   - attribution.ErrNotFound: 404;
//   - attribution.ErrConflict: 409;
//   - anything else: 500 with a generic detail; only these are logged, at
//     error level, with the full error.
func (s *Server) writeError(c *gin.Context, err error) {
	var se *statusError
	switch {
	case errors.As(err, &se):
		s.writeProblem(c, se.status, se.detail, nil)
	case errors.Is(err, attribution.ErrInvalid):
		fields := fieldErrors(err)
		parts := make([]string, 0, len(fields))
		probs := make([]FieldProblem, 0, len(fields))
		for _, fe := range fields {
			parts = append(parts, fe.Error())
			probs = append(probs, FieldProblem{Field: fe.Field, Pointer: "#/" + fe.Field, Detail: fe.Reason})
		}
		detail := strings.Join(parts, "; ")
		if detail == "" {
			detail = err.Error()
		}
		s.writeProblem(c, http.StatusUnprocessableEntity, detail, probs)
	case errors.Is(err, attribution.ErrNotFound):
		s.writeProblem(c, http.StatusNotFound, err.Error(), nil)
	case errors.Is(err, attribution.ErrConflict):
		s.writeProblem(c, http.StatusConflict, err.Error(), nil)
	default:
		s.logger.ErrorContext(c.Request.Context(), "internal error",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Any("error", err),
		)
		s.writeProblem(c, http.StatusInternalServerError, "internal server error", nil)
	}
}

// writeProblem writes a problem document with the given status and aborts
// the handler chain.
func (s *Server) writeProblem(c *gin.Context, status int, detail string, fields []FieldProblem) {
	p := Problem{
		Type:     "about:blank",
		Title:    http.StatusText(status),
		Status:   status,
		Detail:   detail,
		Instance: c.Request.URL.Path,
		Errors:   fields,
	}
	b, err := json.Marshal(p)
	if err != nil {
		// Cannot happen: Problem holds only strings and ints.
		s.logger.ErrorContext(c.Request.Context(), "encode problem", slog.Any("error", err))
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, problemContentType, b)
	c.Abort()
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
