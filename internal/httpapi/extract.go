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
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
)

// MaxExtractBody is the largest request body POST /v1/extract accepts, JSON
// included: 1 MiB. Larger bodies get 413.
const MaxExtractBody = 1 << 20

// Extractor finds quotes and speakers in a text. Spans in the result are
// byte offsets into text. It gives up with ctx's error when ctx is done.
type Extractor interface {
	ExtractContext(ctx context.Context, text string) (attribution.Result, error)
}

// ExtractRequest is the body of POST /v1/extract.
type ExtractRequest struct {
	// Text is the article text, UTF-8. It is analysed exactly as sent.
	Text string `json:"text" validate:"required" example:"“We will not back down,” the minister said on Tuesday."`
	// Offsets is the unit of every span in the response: codepoint
	// (Unicode code points, the default), utf16 (UTF-16 code units, as in
	// JavaScript) or utf8 (bytes).
	Offsets string `json:"offsets,omitempty" enums:"codepoint,utf16,utf8" default:"codepoint" example:"codepoint"`
} //	@name	ExtractRequest

// extractRequestWire is how the body is decoded: the text stays raw JSON
// until it has been checked for invalid UTF-8, which encoding/json would
// silently replace with U+FFFD.
type extractRequestWire struct {
	Text    json.RawMessage `json:"text"`
	Offsets string          `json:"offsets"`
}

// extract finds the quotes in a text.
//
//	@Summary		Find quotes and speakers in a text
//	@ID				extractQuotes
//	@Description	Runs the extractor on the text and returns its quotes and speakers. Nothing is stored.
//	@Description
//	@Description	Spans are half-open [start, end) ranges in the unit named by `offsets`.
//	@Description	The body must be `application/json`, valid UTF-8, and at most 1 MiB.
//	@Description
//	@Description	Bounds: extraction takes time linear in the text and stops at the server's
//	@Description	extraction deadline (503). The response is at most 16 bytes per byte of text
//	@Description	plus 64 KiB, before JSON escaping (`<`, `>`, `&` and control characters take
//	@Description	6 bytes each): no byte of the text is inside more than 8 statements, speaker
//	@Description	names, roles and mentions longer than 256 bytes are dropped, and past the
//	@Description	size bound only the first quotes (in text order) are returned. News text
//	@Description	answers 2 to 6 bytes per byte.
//	@Description
//	@Description	Example response for the example request (offsets in code points):
//	@Description	```json
//	@Description	{"quotes": [{"text": "We will not back down,", "span": {"start": 1, "end": 23}, "kind": "direct",
//	@Description	"cue": {"text": "said", "span": {"start": 38, "end": 42}},
//	@Description	"speaker": {"name": "the minister", "type": "person", "mention": {"text": "the minister", "span": {"start": 25, "end": 37}}},
//	@Description	"confidence": 0.9, "rule": "quote-mention-cue"}],
//	@Description	"speakers": [{"name": "the minister", "type": "person", "mentions": [{"text": "the minister", "span": {"start": 25, "end": 37}}]}]}
//	@Description	```
//	@Tags			extract
//	@Security		BearerAuth
//	@Accept			json
//	@Param			request	body	ExtractRequest	true	"the text to analyse"
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape"
//	@Failure		413	{object}	Problem	"the body is larger than 1 MiB"
//	@Failure		415	{object}	Problem	"the body is not application/json"
//	@Failure		422	{object}	Problem	"text is empty or not valid UTF-8, or offsets is not a known unit"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"extraction did not finish within the server's extraction deadline (serve --extract-timeout); see Retry-After"
//	@Produce		json
//	@Success		200	{object}	attribution.Result	"quotes and speakers found (possibly none)"
//	@Router			/v1/extract [post]
func (s *Server) extract(c *gin.Context) {
	req, unit, err := decodeExtractRequest(c.Writer, c.Request)
	if err != nil {
		s.writeError(c, err)
		return
	}
	res, err := s.runExtractor(c.Request.Context(), req.Text)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, attribution.Convert(req.Text, res, unit))
}

// decodeExtractRequest reads and checks the body of POST /v1/extract.
func decodeExtractRequest(w http.ResponseWriter, r *http.Request) (ExtractRequest, attribution.Unit, error) {
	if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
		return ExtractRequest{}, "", err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxExtractBody))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return ExtractRequest{}, "", errStatus(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body is larger than %d bytes", MaxExtractBody))
		}
		return ExtractRequest{}, "", errStatus(http.StatusBadRequest, "read request body: "+err.Error())
	}

	var wire extractRequestWire
	if err := decodeJSONObject(body, &wire); err != nil {
		return ExtractRequest{}, "", err
	}

	req := ExtractRequest{Offsets: wire.Offsets}
	var errs []error
	switch raw := bytes.TrimSpace(wire.Text); {
	case len(raw) == 0 || string(raw) == "null":
		errs = append(errs, &attribution.FieldError{Field: "text", Reason: "is required"})
	case raw[0] != '"':
		errs = append(errs, &attribution.FieldError{Field: "text", Reason: "must be a string"})
	case !utf8.Valid(raw) || hasLoneSurrogate(raw):
		errs = append(errs, &attribution.FieldError{Field: "text", Reason: "must be valid UTF-8"})
	default:
		if err := json.Unmarshal(raw, &req.Text); err != nil {
			return ExtractRequest{}, "", errStatus(http.StatusBadRequest, "malformed JSON body: "+jsonErrorDetail(err))
		}
		if strings.TrimSpace(req.Text) == "" {
			errs = append(errs, &attribution.FieldError{Field: "text", Reason: "must not be empty or only white space"})
		}
	}
	unit, err := attribution.ParseUnit(req.Offsets)
	if err != nil {
		errs = append(errs, &attribution.FieldError{Field: "offsets", Reason: "must be codepoint, utf16 or utf8"})
	}
	if len(errs) > 0 {
		return ExtractRequest{}, "", errors.Join(errs...)
	}
	return req, unit, nil
}

// checkJSONContentType accepts application/json with no charset or a UTF-8
// one.
func checkJSONContentType(v string) error {
	if v == "" {
		return errStatus(http.StatusUnsupportedMediaType, "Content-Type must be application/json, got none")
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt != "application/json" {
		return errStatus(http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type must be application/json, got %q", v))
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return errStatus(http.StatusUnsupportedMediaType, fmt.Sprintf("charset must be utf-8, got %q", cs))
	}
	return nil
}

// jsonErrorDetail describes a decoding error for the client, without Go
// type names.
func jsonErrorDetail(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "empty body"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of input"
	case errors.As(err, &se):
		return fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	case errors.As(err, &te):
		if te.Field != "" {
			return fmt.Sprintf("field %s must be a %s, got %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
		}
		return "want a JSON object, got " + te.Value
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return strings.TrimPrefix(err.Error(), "json: ")
	}
	return err.Error()
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "struct", "map":
		return "object"
	case "slice", "array":
		return "array"
	}
	return goKind
}

// hasLoneSurrogate reports whether a JSON string literal contains a \u
// escape of a UTF-16 surrogate that is not part of a valid pair. Such text
// is not valid Unicode, and encoding/json would replace it with U+FFFD.
func hasLoneSurrogate(lit []byte) bool {
	for i := 0; i < len(lit); i++ {
		if lit[i] != '\\' {
			continue
		}
		i++ // the escaped character
		if i >= len(lit) || lit[i] != 'u' {
			continue
		}
		r, ok := hex4(lit[i+1:])
		if !ok {
			continue // a syntax error, reported by the decoder
		}
		i += 4
		switch {
		case r >= 0xD800 && r < 0xDC00: // high surrogate: a low one must follow
			if i+2 < len(lit) && lit[i+1] == '\\' && lit[i+2] == 'u' {
				if lo, ok := hex4(lit[i+3:]); ok && lo >= 0xDC00 && lo < 0xE000 {
					i += 6
					continue
				}
			}
			return true
		case r >= 0xDC00 && r < 0xE000: // low surrogate on its own
			return true
		}
	}
	return false
}

// hex4 parses four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
