package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
)

// MaxJSONBody is the largest JSON request body of the /v1 routes that take
// one (POST /v1/articles, PATCH /v1/speakers/{id}, POST
// /v1/speakers/{id}:merge): 1 MiB. Larger bodies get 413.
const MaxJSONBody = 1 << 20

// dbContext bounds one store call made for a request.
func (s *Server) dbContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.dbTimeout)
}

// checkContentType accepts one of the media types want, with no charset
// or a UTF-8 one.
func checkContentType(v string, want ...string) error {
	names := strings.Join(want, " or ")
	if v == "" {
		return errStatus(http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type must be %s, got none", names))
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || !slices.Contains(want, mt) {
		return errStatus(http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type must be %s, got %q", names, v))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errStatus(http.StatusUnsupportedMediaType, fmt.Sprintf("charset must be utf-8, got %q", cs))
	}
	return nil
}

// readJSONBody checks the content type and reads a body of at most
// MaxJSONBody bytes.
func readJSONBody(c *gin.Context, mediaTypes ...string) ([]byte, error) {
	if err := checkContentType(c.GetHeader("Content-Type"), mediaTypes...); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, MaxJSONBody))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return nil, errStatus(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body is larger than %d bytes", MaxJSONBody))
		}
		return nil, errStatus(http.StatusBadRequest, "the request body could not be read to its end")
	}
	return body, nil
}

// decodeJSONObject decodes exactly one JSON value from b into v, with no
// unknown fields; every failure is a 400.
func decodeJSONObject(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errStatus(http.StatusBadRequest, "malformed JSON body: "+jsonErrorDetail(err))
	}
	if dec.More() {
		return errStatus(http.StatusBadRequest, "malformed JSON body: more than one JSON value")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errStatus(http.StatusBadRequest, "malformed JSON body: data after the JSON value")
	}
	return nil
}

// decodeText decodes a required, non-blank JSON string kept raw so that its
// UTF-8 can be checked before encoding/json replaces invalid bytes and lone
// surrogates with U+FFFD. A problem of the value is a *FieldError for
// field; a string that does not decode is a 400.
func decodeText(raw json.RawMessage, field string) (string, error) {
	switch raw = bytes.TrimSpace(raw); {
	case len(raw) == 0 || string(raw) == "null":
		return "", &attribution.FieldError{Field: field, Reason: "is required"}
	case raw[0] != '"':
		return "", &attribution.FieldError{Field: field, Reason: "must be a string"}
	case !utf8.Valid(raw) || hasLoneSurrogate(raw):
		return "", &attribution.FieldError{Field: field, Reason: "must be valid UTF-8"}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errStatus(http.StatusBadRequest, "malformed JSON body: "+jsonErrorDetail(err))
	}
	if strings.TrimSpace(s) == "" {
		return "", &attribution.FieldError{Field: field, Reason: "must not be empty or only white space"}
	}
	return s, nil
}
