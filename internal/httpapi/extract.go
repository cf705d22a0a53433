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
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/extract"
	"github.com/whosaid/whosaid/internal/ingest"
	"github.com/whosaid/whosaid/internal/page"
)

// MaxExtractBody is the largest request body POST /v1/extract accepts, JSON
// included: 1 MiB. Larger bodies get 413.
const MaxExtractBody = 1 << 20

// MaxHTMLBody is the largest text/html body POST /v1/extract accepts: 4
// MiB, since pages carry scripts and markup around their text (reading
// them is linear, see internal/page). The text taken out must still be at
// most MaxExtractBody bytes.
const MaxHTMLBody = 4 << 20

// Extractor finds quotes and speakers in a text. Spans in the result are
// byte offsets into text. It gives up with ctx's error when ctx is done.
type Extractor interface {
	ExtractContext(ctx context.Context, text string) (attribution.Result, error)
}

// extractorFor is the extractor with the rules of lang ("" the
// extractor's own guess). Only the real extractor can fix its language;
// another Extractor (a test's) is used as it is.
func (s *Server) extractorFor(lang string) Extractor {
	if x, ok := s.extractor.(*extract.Extractor); ok && lang != "" {
		return x.With(extract.WithLanguage(lang))
	}
	return s.extractor
}

// ExtractRequest is the body of POST /v1/extract: exactly one of text and
// html.
type ExtractRequest struct {
	// Text is the article text, UTF-8. It is analysed exactly as sent.
	Text string `json:"text,omitempty" example:"“We will not back down,” the minister said on Tuesday."`
	// HTML is the article as a web page, UTF-8, instead of text: its
	// article text is taken out (entities decoded; scripts, styles,
	// navigation, headers, footers, asides, forms and figure captions
	// dropped; one paragraph per block, a blank line between them) and
	// analysed, and answered as text so that spans can be mapped.
	HTML string `json:"html,omitempty" example:"<html><head><meta name=\"author\" content=\"Ana Ruiz\"></head><body><nav>Home</nav><article><p>&ldquo;We will not back down,&rdquo; the minister said on Tuesday.</p></article></body></html>"`
	// Offsets is the unit of every span in the response: codepoint
	// (Unicode code points, the default), utf16 (UTF-16 code units, as in
	// JavaScript) or utf8 (bytes).
	Offsets string `json:"offsets,omitempty" enums:"codepoint,utf16,utf8" default:"codepoint" example:"codepoint"`
	// Language picks the extraction rules: en, de or fr (a regional tag
	// such as de-CH counts as its language); without it German is guessed
	// from the text (or taken from the page's lang with html) and anything
	// else read with the English rules.
	Language string `json:"language,omitempty" example:"en"`
} //	@name	ExtractRequest

// ExtractResponse is the answer of POST /v1/extract.
type ExtractResponse struct {
	// Quotes found, in text order.
	Quotes []attribution.Quote `json:"quotes"`
	// Speakers of the quotes, each with its mentions.
	Speakers []attribution.Speaker `json:"speakers"`
	// Text is the text analysed, taken from html: every span indexes into
	// it. Absent when text was sent (spans index into that).
	Text string `json:"text,omitempty" example:"“We will not back down,” the minister said on Tuesday."`
	// Page is what the page says of itself, with html.
	Page *PageInfo `json:"page,omitempty"`
} //	@name	ExtractResponse

// PageInfo is what an HTML page says of itself; each member is absent when
// the page does not say it.
type PageInfo struct {
	// Title is og:title, else the JSON-LD headline, else twitter:title,
	// else <title>, else the first <h1>.
	Title string `json:"title,omitempty" example:"Minister vows to stay the course"`
	// Byline names the authors: meta author, else the JSON-LD author, else
	// a byline element; a leading "By" dropped.
	Byline string `json:"byline,omitempty" example:"Ana Ruiz"`
	// PublishedAt is article:published_time, else the JSON-LD
	// datePublished, else another date meta, else the first <time
	// datetime> of the article; UTC.
	PublishedAt *time.Time `json:"published_at,omitempty" format:"date-time" example:"2025-02-18T09:30:00Z"`
	// Language is the lang attribute of <html>.
	Language string `json:"language,omitempty" example:"en-GB"`
} //	@name	PageInfo

func newPageInfo(p page.Page) *PageInfo {
	pi := &PageInfo{Title: p.Title, Byline: p.Byline, Language: p.Language}
	if !p.PublishedAt.IsZero() {
		t := p.PublishedAt
		pi.PublishedAt = &t
	}
	return pi
}

// extractRequestWire is how the body is decoded: text and html stay raw
// JSON until they have been checked for invalid UTF-8, which encoding/json
// would silently replace with U+FFFD.
type extractRequestWire struct {
	Text     json.RawMessage `json:"text"`
	HTML     json.RawMessage `json:"html"`
	Offsets  string          `json:"offsets"`
	Language string          `json:"language"`
}

// extractInput is a checked extract request.
type extractInput struct {
	// text is analysed: as sent, or taken from the page.
	text string
	unit attribution.Unit
	// lang is the rules' language, "" to guess.
	lang string
	// page is set when the request sent html.
	page *page.Page
}

// extract finds the quotes in a text.
//
//	@Summary		Find quotes and speakers in a text or an HTML page
//	@ID				extractQuotes
//	@Description	Runs the extractor on the text and returns its quotes and speakers. Nothing is stored.
//	@Description
//	@Description	Send exactly one of `text` and `html` (both or neither: 422 naming both). With `html`, the article text is
//	@Description	taken out of the page (entities decoded; script, style, noscript, template, nav, aside, header, footer, form,
//	@Description	figure and figcaption dropped, with elements hidden or named as boilerplate by class or id; only the
//	@Description	`<article>`/`<main>` when the page marks one; a blank line between blocks, headings on lines of their own),
//	@Description	analysed, and answered as `text`, with the page's title, byline, date and language in `page`.
//	@Description	A raw page may also be sent as the body with `Content-Type: text/html` (UTF-8), `offsets` and `language`
//	@Description	then being query parameters.
//	@Description
//	@Description	`language` (en, de, fr; a regional tag counts as its language) picks the rules: German word order, and the
//	@Description	cues of that language only. Without it German is guessed from the text, or taken from the page's `lang`.
//	@Description
//	@Description	Spans are half-open [start, end) ranges in the unit named by `offsets`, into `text` (the text sent, or the one answered).
//	@Description	The body must be `application/json` (or `text/html`), valid UTF-8, and at most 1 MiB (a `text/html` body 4 MiB,
//	@Description	the text taken out of it 1 MiB).
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
//	@Description	With `html`, the answer adds `"text": "“We will not back down,” the minister said on Tuesday."` and
//	@Description	`"page": {"byline": "Ana Ruiz"}`.
//	@Tags			extract
//	@Security		BearerAuth
//	@Accept			json
//	@Accept			html
//	@Param			request		body	ExtractRequest	true	"the text or page to analyse"
//	@Param			offsets		query	string			false	"with a text/html body: the unit of spans"					Enums(codepoint, utf16, utf8)
//	@Param			language	query	string			false	"with a text/html body: the rules' language (en, de, fr)"	example(en)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape"
//	@Failure		413	{object}	Problem	"the body is larger than 1 MiB (text/html: 4 MiB, or its article text larger than 1 MiB)"
//	@Failure		415	{object}	Problem	"the body is not application/json or text/html (UTF-8)"
//	@Failure		422	{object}	Problem	"not exactly one of text and html; text empty, html without article text, or either not valid UTF-8; offsets not a known unit; language not en, de or fr"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"extraction did not finish within the server's extraction deadline (serve --extract-timeout); see Retry-After"
//	@Produce		json
//	@Success		200	{object}	ExtractResponse	"quotes and speakers found (possibly none)"
//	@Router			/v1/extract [post]
func (s *Server) extract(c *gin.Context) {
	in, err := decodeExtractRequest(c.Writer, c.Request)
	if err != nil {
		s.writeError(c, err)
		return
	}
	res, err := s.runExtractor(c.Request.Context(), in.lang, in.text)
	if err != nil {
		s.writeError(c, err)
		return
	}
	res = attribution.Convert(in.text, res, in.unit)
	out := ExtractResponse{Quotes: res.Quotes, Speakers: res.Speakers}
	if in.page != nil {
		out.Text = in.text
		out.Page = newPageInfo(*in.page)
	}
	c.JSON(http.StatusOK, out)
}

// decodeExtractRequest reads and checks the body of POST /v1/extract.
func decodeExtractRequest(w http.ResponseWriter, r *http.Request) (extractInput, error) {
	ct := r.Header.Get("Content-Type")
	isHTML := false
	if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "text/html" {
		isHTML = true
	}
	if isHTML {
		if err := checkContentType(ct, "text/html"); err != nil {
			return extractInput{}, err
		}
	} else if err := checkJSONContentType(ct); err != nil {
		return extractInput{}, errStatus(http.StatusUnsupportedMediaType, strings.Replace(err.Error(), "application/json", "application/json or text/html", 1))
	}
	limit := int64(MaxExtractBody)
	if isHTML {
		limit = MaxHTMLBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return extractInput{}, errStatus(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("request body is larger than %d bytes", limit))
		}
		return extractInput{}, errStatus(http.StatusBadRequest, "read request body: "+err.Error())
	}
	if isHTML {
		return decodeExtractHTML(body, r.URL.Query())
	}

	var wire extractRequestWire
	if err := decodeJSONObject(body, &wire); err != nil {
		return extractInput{}, err
	}
	var in extractInput
	var errs []error
	hasText, hasHTML := present(wire.Text), present(wire.HTML)
	if err := ingest.OneBody(hasText, hasHTML); err != nil {
		errs = append(errs, err)
	} else {
		field, raw := "text", wire.Text
		if hasHTML {
			field, raw = "html", wire.HTML
		}
		v, err := decodeText(raw, field)
		var se *statusError
		switch {
		case errors.As(err, &se):
			return extractInput{}, err
		case err != nil:
			errs = append(errs, err)
		case hasHTML:
			p, err := readPage(v)
			if err != nil {
				errs = append(errs, err)
			} else {
				in.text, in.page = p.Text, &p
			}
		default:
			in.text = v
		}
	}
	if in.unit, err = attribution.ParseUnit(wire.Offsets); err != nil {
		errs = append(errs, &attribution.FieldError{Field: "offsets", Reason: "must be codepoint, utf16 or utf8"})
	}
	if in.lang, err = extractLanguage(wire.Language, in.page); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return extractInput{}, errors.Join(errs...)
	}
	return in, nil
}

// decodeExtractHTML checks a text/html body; offsets and language come
// from the query.
func decodeExtractHTML(body []byte, q url.Values) (extractInput, error) {
	var in extractInput
	var errs []error
	switch {
	case !utf8.Valid(body):
		errs = append(errs, &attribution.FieldError{Field: "html", Reason: "must be valid UTF-8"})
	case bytes.IndexByte(body, 0) >= 0:
		errs = append(errs, &attribution.FieldError{Field: "html", Reason: "must not contain NUL (U+0000)"})
	default:
		p, err := readPage(string(body))
		switch {
		case err != nil:
			errs = append(errs, err)
		case len(p.Text) > MaxExtractBody:
			return extractInput{}, errStatus(http.StatusRequestEntityTooLarge,
				fmt.Sprintf("the page's article text is larger than %d bytes", MaxExtractBody))
		default:
			in.text, in.page = p.Text, &p
		}
	}
	var err error
	if in.unit, err = attribution.ParseUnit(q.Get("offsets")); err != nil {
		errs = append(errs, &attribution.FieldError{Field: "offsets", Reason: "must be codepoint, utf16 or utf8"})
	}
	if in.lang, err = extractLanguage(q.Get("language"), in.page); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return extractInput{}, errors.Join(errs...)
	}
	return in, nil
}

// readPage takes the article text out of an HTML page.
func readPage(src string) (page.Page, error) {
	var a attribution.Article
	return ingest.FromHTML(&a, src)
}

// extractLanguage checks the language of an extract request: en, de or fr,
// a regional tag counting as its language. Without one, the page's lang
// is used when the extractor has rules for it.
func extractLanguage(v string, p *page.Page) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		if p != nil {
			return ingest.RuleLanguage(p.Language), nil
		}
		return "", nil
	}
	l := ingest.RuleLanguage(v)
	if l == "" || len(v) > ingest.MaxLanguageBytes {
		return "", &attribution.FieldError{Field: "language", Reason: "must be en, de or fr (or a regional tag of one, such as de-CH)"}
	}
	return l, nil
}

// present reports whether a raw JSON member was sent and is not null.
func present(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && string(raw) != "null"
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
