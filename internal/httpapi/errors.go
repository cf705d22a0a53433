package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
)

// problemContentType is the media type of RFC 9457 problem documents.
const problemContentType = "application/problem+json"

// Problem is an RFC 9457 problem document, the body of every error
// response.
type Problem struct {
	// Type names the kind of problem with a stable URI, one per kind
	// (ProblemTypes): clients branch on it, not on detail or title.
	Type string `json:"type" example:"https://whosaid.dev/problems/validation" enums:"https://whosaid.dev/problems/malformed-request,https://whosaid.dev/problems/unauthorized,https://whosaid.dev/problems/forbidden,https://whosaid.dev/problems/not-found,https://whosaid.dev/problems/method-not-allowed,https://whosaid.dev/problems/not-acceptable,https://whosaid.dev/problems/request-timeout,https://whosaid.dev/problems/conflict,https://whosaid.dev/problems/precondition-failed,https://whosaid.dev/problems/too-large,https://whosaid.dev/problems/unsupported-media-type,https://whosaid.dev/problems/validation,https://whosaid.dev/problems/rate-limited,https://whosaid.dev/problems/headers-too-large,https://whosaid.dev/problems/internal,https://whosaid.dev/problems/not-implemented,https://whosaid.dev/problems/unavailable,https://whosaid.dev/problems/http-version-not-supported"`
	// Title is the short summary of the problem type (the status text).
	Title string `json:"title" example:"Unprocessable Entity"`
	// Status repeats the HTTP status code.
	Status int `json:"status" example:"422"`
	// Detail explains this occurrence in a sentence for people; it never
	// holds internal error chains (those go to the server's log).
	Detail string `json:"detail,omitempty" example:"text: must not be empty"`
	// Instance is the path of the request that failed.
	Instance string `json:"instance,omitempty" example:"/v1/extract"`
	// Errors lists the invalid fields of the request, if any.
	Errors []FieldProblem `json:"errors,omitempty"`
} // @name Problem

// ProblemTypeBase starts the type URI of every problem document.
const ProblemTypeBase = "https://whosaid.dev/problems/"

// ProblemTypes maps each HTTP status this API answers with a problem to
// the slug of its type URI (ProblemTypeBase + slug). The list is part of
// the API: the Problem schema's type enum documents it, and a slug never
// changes meaning.
var ProblemTypes = map[int]string{
	http.StatusBadRequest:                  "malformed-request",
	http.StatusUnauthorized:                "unauthorized",
	http.StatusForbidden:                   "forbidden",
	http.StatusNotFound:                    "not-found",
	http.StatusMethodNotAllowed:            "method-not-allowed",
	http.StatusNotAcceptable:               "not-acceptable",
	http.StatusRequestTimeout:              "request-timeout",
	http.StatusConflict:                    "conflict",
	http.StatusPreconditionFailed:          "precondition-failed",
	http.StatusRequestEntityTooLarge:       "too-large",
	http.StatusUnsupportedMediaType:        "unsupported-media-type",
	http.StatusUnprocessableEntity:         "validation",
	http.StatusTooManyRequests:             "rate-limited",
	http.StatusRequestHeaderFieldsTooLarge: "headers-too-large",
	http.StatusInternalServerError:         "internal",
	http.StatusNotImplemented:              "not-implemented",
	http.StatusServiceUnavailable:          "unavailable",
	http.StatusHTTPVersionNotSupported:     "http-version-not-supported",
}

// problemType is the type URI of a problem with status; about:blank for a
// status the API does not use.
func problemType(status int) string {
	if slug, ok := ProblemTypes[status]; ok {
		return ProblemTypeBase + slug
	}
	return "about:blank"
}

// FieldProblem is one invalid field of a request.
type FieldProblem struct {
	// Field is the name of the field in the request body.
	Field string `json:"field" example:"text"`
	// Pointer is a JSON Pointer (RFC 6901) fragment to the field.
	Pointer string `json:"pointer" example:"#/text"`
	// Detail says what is wrong with it.
	Detail string `json:"detail" example:"must not be empty"`
} // @name FieldProblem

// statusError is a failure of the HTTP layer itself (wrong media type,
// malformed JSON, body too large) with the status to answer and a detail
// that is safe to show the client.
type statusError struct {
	status int
	detail string
}

func (e *statusError) Error() string { return e.detail }

func errStatus(status int, detail string) error { return &statusError{status: status, detail: detail} }

// publicError gives an error of the store's kinds (attribution.ErrConflict,
// ErrNotFound, ...) a detail for the client; the wrapped error, with its
// chain, is only logged.
type publicError struct {
	detail string
	err    error
}

func (e *publicError) Error() string { return e.detail + ": " + e.err.Error() }
func (e *publicError) Unwrap() error { return e.err }

// errPublic wraps err with a detail safe to show the client.
func errPublic(err error, detail string) error { return &publicError{detail: detail, err: err} }

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
			s.logger.InfoContext(ctx, "request refused",
				slog.String("method", method), slog.String("path", path), slog.Any("error", err))
			detail = "the request breaks a rule of this API"
		}
		return newProblem(http.StatusUnprocessableEntity, detail, path, probs)
	case errors.Is(err, attribution.ErrNotFound):
		return s.refused(ctx, method, path, http.StatusNotFound, err, notFoundDetail(path))
	case errors.Is(err, attribution.ErrConflict):
		return s.refused(ctx, method, path, http.StatusConflict, err, conflictDetail(method, path))
	case errors.Is(err, attribution.ErrPrecondition):
		return s.refused(ctx, method, path, http.StatusPreconditionFailed, err,
			"the "+resourceNoun(path)+" changed while this request ran; read it again and retry")
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

// refused is the problem of a request the store refused (404, 409, 412):
// the detail of a publicError in err's chain, else fallback; the chain
// itself, which names internals, is logged at info level.
func (s *Server) refused(ctx context.Context, method, path string, status int, err error, fallback string) Problem {
	detail := fallback
	var pe *publicError
	if errors.As(err, &pe) {
		detail = pe.detail
	}
	s.logger.InfoContext(ctx, "request refused",
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("status", status),
		slog.Any("error", err),
	)
	return newProblem(status, detail, path, nil)
}

// resourceNoun is what the path names: "speaker" for /v1/speakers/{id}...,
// "resource" when it is not one of the API's collections.
func resourceNoun(path string) string {
	rest, ok := strings.CutPrefix(path, "/v1/")
	if !ok {
		return "resource"
	}
	coll, _, _ := strings.Cut(rest, "/")
	coll, _, _ = strings.Cut(coll, ":")
	switch coll {
	case "articles", "quotes", "speakers", "statements", "subscriptions", "keys":
		return strings.TrimSuffix(coll, "s")
	}
	return "resource"
}

// notFoundDetail says what was not found, from the request's path.
func notFoundDetail(path string) string {
	noun := resourceNoun(path)
	if strings.HasPrefix(path, "/v1/speakers/") && strings.HasSuffix(path, mergeSuffix) {
		return "the speaker, or a speaker to merge into it, does not exist"
	}
	if noun == "resource" {
		return "nothing is stored at " + path
	}
	rest := strings.TrimPrefix(strings.TrimPrefix(path, "/v1/"+noun+"s"), "/")
	id, _, _ := strings.Cut(rest, "/")
	if id = strings.TrimSuffix(id, mergeSuffix); id == "" {
		return "no such " + noun
	}
	return "no " + noun + " with id " + strconv.Quote(id)
}

// conflictDetail says, from the request, why the store refused it as a
// conflict.
func conflictDetail(method, path string) string {
	switch noun := resourceNoun(path); {
	case strings.HasSuffix(path, mergeSuffix):
		return "another merge of these speakers ran at the same time, or one was merged meanwhile; try again"
	case noun == "speaker" && method == http.MethodPatch:
		return "a name, alias or wikidata_id of the request belongs to another speaker (merge the two instead), or another edit ran at the same time"
	case noun == "quote":
		return "other corrections of this quote ran at the same time; try again"
	case noun == "article":
		return "the request conflicts with a stored article (the same URL, or the same text without URL)"
	case noun == "key" || noun == "subscription":
		return "a " + noun + " with this id already exists"
	}
	return "the request conflicts with stored data"
}

// newProblem builds a problem document of the type of its status.
func newProblem(status int, detail, instance string, fields []FieldProblem) Problem {
	return Problem{
		Type:     problemType(status),
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
