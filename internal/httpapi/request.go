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
	"net/url"
	"slices"
	"strconv"
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
	return checkJSONStrings(b)
}

// checkJSONStrings checks every string of the JSON value b, member names
// included: each must be valid UTF-8, have no lone surrogate escape
// ("\ud800", which encoding/json would silently turn into U+FFFD) and no
// NUL character (U+0000, raw or escaped). The first string that fails is a
// *FieldError naming its place ("aliases[2]", "from[0]"): a 422.
func checkJSONStrings(b []byte) error {
	type frame struct {
		obj     bool
		wantKey bool
		key     string
		idx     int
	}
	var stack []frame
	path := func() string {
		var sb strings.Builder
		for i, f := range stack {
			switch {
			case !f.obj:
				fmt.Fprintf(&sb, "[%d]", f.idx)
			case i > 0:
				sb.WriteString("." + f.key)
			default:
				sb.WriteString(f.key)
			}
		}
		if sb.Len() == 0 {
			return "body"
		}
		return sb.String()
	}
	afterValue := func() {
		if n := len(stack); n > 0 {
			if stack[n-1].obj {
				stack[n-1].wantKey = true
			} else {
				stack[n-1].idx++
			}
		}
	}
	check := func(raw []byte, s, field string) error {
		switch {
		case !utf8.Valid(raw) || hasLoneSurrogate(raw):
			return &attribution.FieldError{Field: field, Reason: "must be valid UTF-8"}
		case strings.ContainsRune(s, 0):
			return &attribution.FieldError{Field: field, Reason: "must not contain NUL (U+0000)"}
		}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	var prev int64
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // the end, or a syntax error decodeJSONObject reports
		}
		end := dec.InputOffset()
		raw := b[prev:end]
		prev = end
		if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].wantKey {
			key, ok := tok.(string)
			if !ok { // '}'
				stack = stack[:n-1]
				afterValue()
				continue
			}
			stack[n-1].key, stack[n-1].wantKey = key, false
			if err := check(raw, key, path()); err != nil {
				return err
			}
			continue
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, frame{obj: true, wantKey: true})
			case '[':
				stack = append(stack, frame{})
			default: // ']' (a '}' is met where a key is wanted)
				stack = stack[:len(stack)-1]
				afterValue()
			}
		case string:
			if err := check(raw, v, path()); err != nil {
				return err
			}
			afterValue()
		default:
			afterValue()
		}
	}
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

// checkURLStrings checks the strings of a request's URL as
// checkJSONStrings checks those of a body: valid UTF-8 without NUL. A path
// that breaks it names nothing stored (404); the query parameters (names
// and values, after percent-decoding) are checked on the routes that read
// any, listed in queryRoutes (400).
func checkURLStrings(route string, u *url.URL) error {
	bad := func(s string) bool { return !utf8.ValidString(s) || strings.ContainsRune(s, 0) }
	if bad(u.Path) {
		return errStatus(http.StatusNotFound, "no "+resourceNoun(u.Path)+" has such an id: ids are valid UTF-8 without NUL (U+0000)")
	}
	if !queryRoutes[route] {
		return nil // the handler reads no query parameter
	}
	q, _ := url.ParseQuery(u.RawQuery) // what does not parse is dropped, as the handlers drop it
	for k, vs := range q {
		if bad(k) {
			return errStatus(http.StatusBadRequest, "query parameter names must be valid UTF-8 without NUL (U+0000)")
		}
		for _, v := range vs {
			if bad(v) {
				return errStatus(http.StatusBadRequest, "query parameter "+strconv.Quote(k)+" must be valid UTF-8 without NUL (U+0000)")
			}
		}
	}
	return nil
}
