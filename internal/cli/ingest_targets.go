package cli

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

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/extract"
	"github.com/whosaid/whosaid/internal/ingest"
)

// articleIngester is the part of the store ingest uses.
type articleIngester = ingest.Store

// storeTarget extracts the quotes of an article here and stores both.
type storeTarget struct {
	x     *extract.Extractor
	store articleIngester
}

// newStoreTarget extracts with the speaker ranker model names (as serve's
// --model: "" the shipped model, "rules", or a file).
func newStoreTarget(store articleIngester, model string) (*storeTarget, error) {
	x, err := newExtractor(model)
	if err != nil {
		return nil, fmt.Errorf("build extractor: %w", err)
	}
	return &storeTarget{x: x, store: store}, nil
}

func (t *storeTarget) ingest(ctx context.Context, a *attribution.Article) (ingestOutcome, error) {
	// The same path as POST /v1/articles; the store keeps spans in code
	// points.
	x := t.x
	if lang := ingest.RuleLanguage(a.Language); lang != "" {
		x = x.With(extract.WithLanguage(lang))
	}
	r, err := ingest.Article(ctx, t.store, func(ctx context.Context, text string) (attribution.Result, error) {
		res, err := x.ExtractContext(ctx, text)
		return attribution.Convert(text, res, attribution.UnitCodepoint), err
	}, a)
	if err != nil {
		if errors.Is(err, attribution.ErrInvalid) {
			return ingestOutcome{}, &lineError{err}
		}
		return ingestOutcome{}, err
	}
	return ingestOutcome{ArticleID: r.Article.ID, Created: r.Created, Revised: r.Revised, Quotes: len(r.Quotes)}, nil
}

// Retries of apiTarget: a request that failed on the network or got 429,
// 502, 503 or 504 is sent again after apiRetryPause, doubling, at most
// apiAttempts times in all. Posting an article twice is safe: the API
// answers the stored article for the same URL or text.
const (
	apiAttempts    = 4
	apiRetryPause  = 500 * time.Millisecond
	apiTimeout     = 90 * time.Second
	apiMaxErrorMsg = 300
)

// apiTarget posts each article to POST {base}/v1/articles of a running
// whosaid, which extracts and stores it: 201 for a new article, 200 for
// one stored before.
type apiTarget struct {
	endpoint string
	client   *http.Client
}

func newAPITarget(base string, workers int) (*apiTarget, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q: want an http:// or https:// base URL such as http://127.0.0.1:8080", base)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: want a base URL without query or fragment", base)
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = workers // one kept-alive connection per worker
	return &apiTarget{
		endpoint: strings.TrimSuffix(u.String(), "/") + "/v1/articles",
		client:   &http.Client{Transport: tr, Timeout: apiTimeout},
	}, nil
}

// apiArticle is the body of POST /v1/articles.
type apiArticle struct {
	URL         string     `json:"url,omitempty"`
	Title       string     `json:"title,omitempty"`
	Byline      string     `json:"byline,omitempty"`
	Text        string     `json:"text"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	Outlet      string     `json:"outlet,omitempty"`
	Language    string     `json:"language,omitempty"`
}

// apiCreated is what ingest reads of a 200 or 201 answer. The article's
// id is read from "id" or from "article": {"id"}.
type apiCreated struct {
	ID      string `json:"id"`
	Article *struct {
		ID string `json:"id"`
	} `json:"article"`
	Quotes []json.RawMessage `json:"quotes"`
}

func (t *apiTarget) ingest(ctx context.Context, a *attribution.Article) (ingestOutcome, error) {
	body := apiArticle{URL: a.URL, Title: a.Title, Byline: a.Byline, Text: a.Text, Outlet: a.Outlet, Language: a.Language}
	if !a.PublishedAt.IsZero() {
		body.PublishedAt = &a.PublishedAt
	}
	b, err := json.Marshal(body)
	if err != nil {
		return ingestOutcome{}, &lineError{err}
	}
	pause := apiRetryPause
	for attempt := 1; ; attempt++ {
		out, retry, err := t.post(ctx, b)
		if !retry || attempt == apiAttempts {
			return out, err
		}
		timer := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ingestOutcome{}, fmt.Errorf("%w (after %v)", err, context.Cause(ctx))
		case <-timer.C:
		}
		pause *= 2
	}
}

// post sends one request; retry says whether another attempt may succeed.
func (t *apiTarget) post(ctx context.Context, body []byte) (out ingestOutcome, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, bytes.NewReader(body))
	if err != nil {
		return out, false, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, application/problem+json")
	resp, err := t.client.Do(req)
	if err != nil {
		return out, ctx.Err() == nil, fmt.Errorf("POST %s: %w", t.endpoint, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusCreated, http.StatusOK:
		var c apiCreated
		if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
			return out, false, fmt.Errorf("POST %s: %s with an unreadable body: %w", t.endpoint, resp.Status, err)
		}
		out = ingestOutcome{ArticleID: c.ID, Created: resp.StatusCode == http.StatusCreated, Quotes: len(c.Quotes)}
		if out.ArticleID == "" && c.Article != nil {
			out.ArticleID = c.Article.ID
		}
		return out, false, nil
	}
	err = fmt.Errorf("HTTP %s: %s", resp.Status, problemDetail(resp))
	switch code := resp.StatusCode; {
	case code == http.StatusTooManyRequests, code == http.StatusBadGateway,
		code == http.StatusServiceUnavailable, code == http.StatusGatewayTimeout:
		return out, true, err
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout &&
		code != http.StatusNotFound && code != http.StatusMethodNotAllowed:
		// The article was refused (400, 413, 415, 422, 409): a fault
		// of the line. 404 and 405 mean a wrong --api URL, not a bad line.
		return out, false, &lineError{err}
	default:
		return out, false, err
	}
}

// problemDetail is the detail of a problem+json answer, with the fields
// it names, or the start of any other body.
func problemDetail(resp *http.Response) string {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/problem+json" || mt == "application/json" {
		var p struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
			Errors []struct {
				Field  string `json:"field"`
				Detail string `json:"detail"`
			} `json:"errors"`
		}
		if json.Unmarshal(b, &p) == nil && (p.Detail != "" || p.Title != "") {
			msg := p.Detail
			if msg == "" {
				msg = p.Title
			}
			for _, e := range p.Errors {
				if e.Field != "" && !strings.Contains(msg, e.Field+":") {
					msg += "; " + e.Field + ": " + e.Detail
				}
			}
			return msg
		}
	}
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > apiMaxErrorMsg {
		s = string(r[:apiMaxErrorMsg]) + "…"
	}
	if s == "" {
		s = "(empty body)"
	}
	return s
}
