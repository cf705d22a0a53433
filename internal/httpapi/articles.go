package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/ingest"
)

// Limits of the fields of an article request, in bytes.
const (
	maxURLBytes    = 2048
	maxTitleBytes  = 1000
	maxOutletBytes = 200
	// maxIdempotencyKey is the longest Idempotency-Key accepted.
	maxIdempotencyKey = 255
)

// ArticleStore keeps articles with their quotes.
type ArticleStore interface {
	// IngestArticle stores an article with its quotes (spans in code
	// points), or returns the one stored before with the same URL (or,
	// without URL, the same text) with Created false.
	IngestArticle(ctx context.Context, a *attribution.Article, res attribution.Result) (attribution.IngestResult, error)
	GetArticle(ctx context.Context, id string) (attribution.Article, error)
	// ArticleQuotes lists an article's quotes in text order.
	ArticleQuotes(ctx context.Context, articleID string) ([]attribution.StoredQuote, error)
	// DeleteArticle deletes an article and its quotes.
	DeleteArticle(ctx context.Context, id string) error
	// LookupIdempotencyKey returns the article a key made and the
	// fingerprint of the request that made it; ErrNotFound for a new key.
	LookupIdempotencyKey(ctx context.Context, key string) (articleID, textHash string, err error)
	// SaveIdempotencyKey remembers the article a key made.
	SaveIdempotencyKey(ctx context.Context, key, articleID, textHash string) error
}

// ArticleRequest is the body of POST /v1/articles and one line of POST
// /v1/articles:batch.
type ArticleRequest struct {
	// URL is where the article was published: an absolute http or https
	// URL, at most 2048 bytes. An article is stored once per URL.
	URL string `json:"url,omitempty" example:"https://example.com/news/2025/02/18/riyadh-talks"`
	// Title is the headline, at most 1000 bytes.
	Title string `json:"title,omitempty" example:"US, Russian officials begin meeting in Riyadh"`
	// Byline names the authors, at most 200 bytes.
	Byline string `json:"byline,omitempty" example:"Ana Ruiz and Li Wei"`
	// Text is the article body, UTF-8, analysed and stored exactly as
	// sent. Without URL, an article is stored once per text. Send exactly
	// one of text and html.
	Text string `json:"text,omitempty" example:"Kremlin spokesman Dmitry Peskov told reporters the talks would be \"primarily devoted to restoring the whole complex of Russian-American relations\"."`
	// HTML is the article as a web page, UTF-8, instead of text: the
	// article text is taken out of it (as by POST /v1/extract) and stored
	// as the article's text, which the quotes' spans index; the page's
	// title, byline, publication date and lang fill title, byline,
	// published_at and language when the request gives none.
	HTML string `json:"html,omitempty" example:"<html lang=\"en\"><head><meta property=\"article:published_time\" content=\"2025-02-18T09:30:00Z\"></head><body><nav>World</nav><article><h1>Talks begin in Riyadh</h1><p>Kremlin spokesman Dmitry Peskov said the talks would be &ldquo;primarily devoted to restoring relations&rdquo;.</p></article></body></html>"`
	// PublishedAt is the publication time: an RFC 3339 date-time, or a
	// date (YYYY-MM-DD, midnight UTC). Quote listings are ordered by it;
	// without it the time of ingestion counts.
	PublishedAt string `json:"published_at,omitempty" example:"2025-02-18T09:30:00Z"`
	// Outlet names the publisher, at most 200 bytes.
	Outlet string `json:"outlet,omitempty" example:"Reuters"`
	// Language is a BCP 47 tag. When its language is en, de or fr it
	// picks the extraction rules (see POST /v1/extract); others are stored
	// and the rules guessed.
	Language string `json:"language,omitempty" example:"en"`
} //	@name	ArticleRequest

// articleRequestWire is how an article request is decoded: the text stays
// raw until its UTF-8 is checked.
type articleRequestWire struct {
	URL         string          `json:"url"`
	Title       string          `json:"title"`
	Byline      string          `json:"byline"`
	Text        json.RawMessage `json:"text"`
	HTML        json.RawMessage `json:"html"`
	PublishedAt string          `json:"published_at"`
	Outlet      string          `json:"outlet"`
	Language    string          `json:"language"`
}

// ArticleResponse is an article with its quotes.
type ArticleResponse struct {
	Article attribution.Article `json:"article"`
	// Quotes are the article's quotes in text order; spans are in Unicode
	// code points of the article's text.
	Quotes []attribution.StoredQuote `json:"quotes"`
} //	@name	ArticleResponse

// QuotesResponse lists the quotes of one article.
type QuotesResponse struct {
	// Quotes in text order; spans are in Unicode code points of the
	// article's text.
	Quotes []attribution.StoredQuote `json:"quotes"`
} //	@name	QuotesResponse

// decodeArticle decodes and checks one article request. Malformed JSON is a
// 400 *statusError; broken rules are *attribution.FieldError values joined
// together (422).
func decodeArticle(body []byte) (attribution.Article, error) {
	var w articleRequestWire
	if err := decodeJSONObject(body, &w); err != nil {
		return attribution.Article{}, err
	}
	a := attribution.Article{
		URL:      strings.TrimSpace(w.URL),
		Title:    strings.TrimSpace(w.Title),
		Byline:   strings.TrimSpace(w.Byline),
		Outlet:   strings.TrimSpace(w.Outlet),
		Language: strings.TrimSpace(w.Language),
	}
	var errs []error
	hasText, hasHTML := present(w.Text), present(w.HTML)
	var html string
	if err := ingest.OneBody(hasText, hasHTML); err != nil {
		errs = append(errs, err)
	} else {
		field, raw := "text", w.Text
		if hasHTML {
			field, raw = "html", w.HTML
		}
		v, err := decodeText(raw, field)
		var se *statusError
		switch {
		case errors.As(err, &se):
			return attribution.Article{}, err
		case err != nil:
			errs = append(errs, err)
		case hasHTML:
			html = v
		default:
			a.Text = v
		}
	}
	if a.URL != "" {
		u, err := url.Parse(a.URL)
		switch {
		case len(a.URL) > maxURLBytes:
			errs = append(errs, &attribution.FieldError{Field: "url", Reason: fmt.Sprintf("must be at most %d bytes", maxURLBytes)})
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			errs = append(errs, &attribution.FieldError{Field: "url", Reason: "must be an absolute http or https URL"})
		}
	}
	if len(a.Title) > maxTitleBytes {
		errs = append(errs, &attribution.FieldError{Field: "title", Reason: fmt.Sprintf("must be at most %d bytes", maxTitleBytes)})
	}
	if len(a.Byline) > ingest.MaxBylineBytes {
		errs = append(errs, &attribution.FieldError{Field: "byline", Reason: fmt.Sprintf("must be at most %d bytes", ingest.MaxBylineBytes)})
	}
	if len(a.Outlet) > maxOutletBytes {
		errs = append(errs, &attribution.FieldError{Field: "outlet", Reason: fmt.Sprintf("must be at most %d bytes", maxOutletBytes)})
	}
	if a.Language != "" {
		tag, err := language.Parse(a.Language)
		if err != nil || len(a.Language) > ingest.MaxLanguageBytes {
			errs = append(errs, &attribution.FieldError{Field: "language", Reason: "must be a BCP 47 language tag such as en or de-CH"})
		} else {
			a.Language = tag.String()
		}
	}
	if p := strings.TrimSpace(w.PublishedAt); p != "" {
		if t, err := attribution.ParsePublished(p); err != nil {
			errs = append(errs, err)
		} else {
			a.PublishedAt = t
		}
	}
	if len(errs) > 0 {
		return attribution.Article{}, errors.Join(errs...)
	}
	if html != "" {
		// After the request's own fields, which win over the page's.
		if _, err := ingest.FromHTML(&a, html); err != nil {
			return attribution.Article{}, err
		}
	}
	return a, nil
}

// fingerprint identifies the content of an article request, for
// Idempotency-Key checks: the same key with another fingerprint is a
// conflict.
func fingerprint(a attribution.Article) string {
	h := sha256.New()
	for _, f := range []string{a.URL, a.Title, a.Text, a.PublishedAt.Format(time.RFC3339Nano), a.Outlet, a.Language, a.Byline} {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ingest extracts the quotes of a and stores both.
func (s *Server) ingest(ctx context.Context, a attribution.Article) (attribution.IngestResult, error) {
	dctx, cancel := s.dbContext(ctx)
	defer cancel()
	// extraction has its own deadline (runExtractor), not the store's
	lang := ingest.RuleLanguage(a.Language)
	r, err := ingest.Article(dctx, s.store, func(_ context.Context, text string) (attribution.Result, error) {
		res, err := s.runExtractor(ctx, lang, text)
		return attribution.Convert(text, res, attribution.UnitCodepoint), err
	}, &a)
	if err == nil && len(r.Added) > 0 && s.notifier != nil {
		s.notifier.Notify(addedQuotes(r)) // never blocks
	}
	return r, err
}

// addedQuotes are the quotes of r the ingest stored: all of a new
// article's, the new ones of a revision.
func addedQuotes(r attribution.IngestResult) []attribution.StoredQuote {
	if len(r.Added) == len(r.Quotes) {
		return r.Quotes
	}
	out := make([]attribution.StoredQuote, 0, len(r.Added))
	for _, q := range r.Quotes {
		if slices.Contains(r.Added, q.ID) {
			out = append(out, q)
		}
	}
	return out
}

// validIdempotencyKey accepts 1 to 255 visible ASCII characters.
func validIdempotencyKey(k string) bool {
	if k == "" || len(k) > maxIdempotencyKey {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// createArticle stores an article and its quotes.
//
//	@Summary		Store an article and its quotes
//	@ID				createArticle
//	@Description	Extracts the quotes of the text and stores the article, its quotes and their speakers.
//	@Description	An article is its `url`: when the article at that URL has the same `text` (or, without `url`, an article has the same `text`),
//	@Description	the answer is 200 with the stored article and its quotes and nothing is written; a new article gets 201.
//	@Description	The same text at another URL (a syndicated copy) is a new article, whose quotes join the statements of the first copy.
//	@Description	The same `url` with another `text` is an update: the article's next `revision` (200 with the new state, `updated_at` now).
//	@Description	Its quotes are extracted again; a quote whose words are unchanged keeps its id, statement and corrections,
//	@Description	quotes no longer in the text are removed (from listings, speakers and statements), new ones get new ids
//	@Description	(`<article id>-<n>`, numbered after the highest number the article ever used). The id, URL, outlet, `published_at`
//	@Description	and `created_at` stay; `title` and `language` change when given.
//	@Description	Either way `Location` names the article.
//	@Description
//	@Description	`Idempotency-Key` (optional, 1 to 255 visible ASCII characters): a retry with the same key and the same body
//	@Description	answers 200 with the article the key made (header `Idempotent-Replayed: true`); the same key with another body is 409.
//	@Description
//	@Description	Send exactly one of `text` and `html` (both or neither: 422 naming both). With `html`, the article text is taken
//	@Description	out of the page as by `POST /v1/extract` and stored as the article's `text` (answered in `article.text`); the page's
//	@Description	title (og:title, JSON-LD headline, `<title>`), byline (meta author, JSON-LD author, a byline element), date
//	@Description	(article:published_time, JSON-LD datePublished, `<time datetime>`) and `lang` fill `title`, `byline`, `published_at`
//	@Description	and `language` when the request gives none.
//	@Description
//	@Description	Spans of the stored quotes are Unicode code points of `text`. The body must be `application/json`, at most 1 MiB
//	@Description	(`html` included).
//	@Description
//	@Description	Example response for the example request:
//	@Description	```json
//	@Description	{"article": {"id": "67b4591cb2a1f1a2c3d4e5f6", "url": "https://example.com/news/2025/02/18/riyadh-talks", "title": "US, Russian officials begin meeting in Riyadh",
//	@Description	"text": "Kremlin spokesman Dmitry Peskov told reporters the talks would be \"primarily devoted to restoring the whole complex of Russian-American relations\".",
//	@Description	"published_at": "2025-02-18T09:30:00Z", "outlet": "Reuters", "language": "en", "created_at": "2025-02-18T10:00:00.123Z",
//	@Description	"revision": 1, "updated_at": "2025-02-18T10:00:00.123Z"},
//	@Description	"quotes": [{"id": "67b4591cb2a1f1a2c3d4e5f6-0", "article_id": "67b4591cb2a1f1a2c3d4e5f6",
//	@Description	"text": "primarily devoted to restoring the whole complex of Russian-American relations", "span": {"start": 67, "end": 145}, "kind": "mixed",
//	@Description	"cue": {"text": "told", "span": {"start": 32, "end": 36}},
//	@Description	"speaker": {"name": "Dmitry Peskov", "type": "person", "role": "Kremlin spokesman", "mention": {"text": "Kremlin spokesman Dmitry Peskov", "span": {"start": 0, "end": 31}}},
//	@Description	"confidence": 0.88, "rule": "reported-speech", "speaker_id": "spk_ee5fdda28411dadd",
//	@Description	"published_at": "2025-02-18T09:30:00Z", "outlet": "Reuters", "url": "https://example.com/news/2025/02/18/riyadh-talks"}]}
//	@Description	```
//	@Tags			articles
//	@Security		BearerAuth
//	@Accept			json
//	@Param			Idempotency-Key	header	string			false	"makes retries safe: the same key and body answer the article the key made"
//	@Param			request			body	ArticleRequest	true	"the article"
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape, or the Idempotency-Key is malformed"
//	@Failure		409	{object}	Problem	"the Idempotency-Key was used with another body, or (MongoDB) another request is revising the article: retry"
//	@Failure		413	{object}	Problem	"the body is larger than 1 MiB"
//	@Failure		415	{object}	Problem	"the body is not application/json"
//	@Failure		422	{object}	Problem	"a field breaks a rule: not exactly one of text and html, text empty, html without article text, either not valid UTF-8, url not absolute http(s), published_at neither RFC 3339 nor YYYY-MM-DD, language not BCP 47, a field too long"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200		{object}	ArticleResponse	"stored before (same URL and text, same text without URL, or same Idempotency-Key; nothing written), or updated to a new revision (same URL, other text)"
//	@Success		201		{object}	ArticleResponse	"the article and its quotes were stored"
//	@Header			200,201	{string}	Location		"the path of the article"
//	@Router			/v1/articles [post]
func (s *Server) createArticle(c *gin.Context) {
	key, hasKey := c.Request.Header["Idempotency-Key"]
	if hasKey && (len(key) != 1 || !validIdempotencyKey(key[0])) {
		s.writeError(c, errStatus(http.StatusBadRequest, "Idempotency-Key must be one value of 1 to 255 visible ASCII characters"))
		return
	}
	body, err := readJSONBody(c, "application/json")
	if err != nil {
		s.writeError(c, err)
		return
	}
	a, err := decodeArticle(body)
	if err != nil {
		s.writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	fp := fingerprint(a)
	if hasKey {
		if done, err := s.replayIdempotent(c, key[0], fp); done || err != nil {
			if err != nil {
				s.writeError(c, err)
			}
			return
		}
	}
	res, err := s.ingest(ctx, a)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if hasKey {
		if err := s.saveIdempotencyKey(ctx, key[0], res.Article.ID, fp); err != nil {
			s.writeError(c, err)
			return
		}
	}
	status := http.StatusOK
	if res.Created {
		status = http.StatusCreated
	}
	s.writeArticle(c, status, res.Article, res.Quotes)
}

// replayIdempotent answers a request whose Idempotency-Key is known: 200
// with the article it made when the body is the same, 409 when not. done
// is false when the key is new (or its article was deleted since).
func (s *Server) replayIdempotent(c *gin.Context, key, fp string) (done bool, err error) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	id, prev, err := s.store.LookupIdempotencyKey(dctx, key)
	switch {
	case errors.Is(err, attribution.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	case prev != fp:
		return false, errPublic(fmt.Errorf("idempotency key %q: %w", key, attribution.ErrConflict), "this Idempotency-Key was used with another request body; use a new key for a new request")
	}
	a, err := s.store.GetArticle(dctx, id)
	if errors.Is(err, attribution.ErrNotFound) {
		return false, nil // deleted since: store it again
	}
	if err != nil {
		return false, err
	}
	qs, err := s.store.ArticleQuotes(dctx, id)
	if err != nil {
		return false, err
	}
	c.Header("Idempotent-Replayed", "true")
	s.writeArticle(c, http.StatusOK, a, qs)
	return true, nil
}

// saveIdempotencyKey remembers the article a key made. The key may be
// taken already: by a concurrent request with the same body (fine), by a
// concurrent one with another body (409), or by this body for an article
// deleted since (fine: the key keeps naming the old id, and a retry stores
// the article again or finds it by URL or text). Other failures are only
// logged: the article is stored, and a retry finds it by URL or text.
func (s *Server) saveIdempotencyKey(ctx context.Context, key, articleID, fp string) error {
	dctx, cancel := s.dbContext(ctx)
	defer cancel()
	err := s.store.SaveIdempotencyKey(dctx, key, articleID, fp)
	if errors.Is(err, attribution.ErrConflict) {
		var prev string
		if _, prev, err = s.store.LookupIdempotencyKey(dctx, key); err == nil && prev != fp {
			return errPublic(fmt.Errorf("idempotency key %q: %w", key, attribution.ErrConflict), "this Idempotency-Key was used with another request body; use a new key for a new request")
		}
	}
	if err != nil {
		s.logger.WarnContext(ctx, "save idempotency key", slog.String("article", articleID), slog.Any("error", err))
	}
	return nil
}

func (s *Server) writeArticle(c *gin.Context, status int, a attribution.Article, qs []attribution.StoredQuote) {
	if qs == nil {
		qs = []attribution.StoredQuote{}
	}
	c.Header("Location", "/v1/articles/"+url.PathEscape(a.ID))
	c.JSON(status, ArticleResponse{Article: a, Quotes: qs})
}

// getArticle returns an article with its quotes.
//
//	@Summary		Get an article
//	@ID				getArticle
//	@Description	The stored article with its text and its quotes in text order (spans in Unicode code points of the text).
//	@Tags			articles
//	@Security		BearerAuth
//	@Param			id	path	string	true	"article id"	example(67b4591cb2a1f1a2c3d4e5f6)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		404	{object}	Problem	"no such article"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	ArticleResponse
//	@Router			/v1/articles/{id} [get]
func (s *Server) getArticle(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	id := c.Param("id")
	a, err := s.store.GetArticle(dctx, id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	qs, err := s.store.ArticleQuotes(dctx, id)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if qs == nil {
		qs = []attribution.StoredQuote{}
	}
	c.JSON(http.StatusOK, ArticleResponse{Article: a, Quotes: qs})
}

// articleQuotes lists the quotes of an article.
//
//	@Summary		List an article's quotes
//	@ID				listArticleQuotes
//	@Description	The quotes of one article in text order (spans in Unicode code points of the article's text); no pagination.
//	@Tags			articles
//	@Security		BearerAuth
//	@Param			id	path	string	true	"article id"	example(67b4591cb2a1f1a2c3d4e5f6)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		404	{object}	Problem	"no such article"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	QuotesResponse
//	@Router			/v1/articles/{id}/quotes [get]
func (s *Server) articleQuotes(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	qs, err := s.store.ArticleQuotes(dctx, c.Param("id"))
	if err != nil {
		s.writeError(c, err)
		return
	}
	if qs == nil {
		qs = []attribution.StoredQuote{}
	}
	c.JSON(http.StatusOK, QuotesResponse{Quotes: qs})
}

// deleteArticle deletes an article and its quotes.
//
//	@Summary		Delete an article
//	@ID				deleteArticle
//	@Description	Deletes the article and its quotes. Speakers stay; their quote counts drop accordingly.
//	@Tags			articles
//	@Security		BearerAuth
//	@Param			id	path	string	true	"article id"	example(67b4591cb2a1f1a2c3d4e5f6)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		404	{object}	Problem	"no such article"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Success		204	"deleted"
//	@Router			/v1/articles/{id} [delete]
func (s *Server) deleteArticle(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	if err := s.store.DeleteArticle(dctx, c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
