package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// batchResult is one line of the answer of POST /v1/articles:batch.
type batchResult struct {
	Line    int    `json:"line"`
	ID      string `json:"id"`
	Status  int    `json:"status"`
	Quotes  *int   `json:"quotes"`
	Problem *struct {
		Detail string `json:"detail"`
	} `json:"problem"`
}

// batchOutcome sums the answer of one batch.
type batchOutcome struct {
	Articles int // stored now (201)
	Quotes   int // of those articles
	Failed   int
	FirstErr string
}

// readBatchAnswer reads an NDJSON batch answer.
func readBatchAnswer(r io.Reader) (batchOutcome, error) {
	var out batchOutcome
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var br batchResult
		if err := json.Unmarshal(line, &br); err != nil {
			return out, fmt.Errorf("batch answer line %q: %w", line, err)
		}
		switch {
		case br.Status == http.StatusCreated && br.Quotes != nil:
			out.Articles++
			out.Quotes += *br.Quotes
		case br.Status == http.StatusOK:
			// Stored before: the generator made the same URL twice.
			out.Failed++
			if out.FirstErr == "" {
				out.FirstErr = fmt.Sprintf("line %d: already stored", br.Line)
			}
		default:
			out.Failed++
			if out.FirstErr == "" {
				detail := ""
				if br.Problem != nil {
					detail = br.Problem.Detail
				}
				out.FirstErr = fmt.Sprintf("line %d: status %d %s", br.Line, br.Status, detail)
			}
		}
	}
	return out, sc.Err()
}

// seeder stores generated articles through the API until the store holds
// a number of quotes.
type seeder struct {
	base      string
	client    *http.Client
	run       string // names this run's article URLs
	quotesPer int    // direct quotes per generated article
	batch     int    // articles per request
	workers   int    // requests at once

	next     int // number of the next article to generate
	Articles int // stored so far
	Quotes   int // stored so far
	Took     time.Duration
}

// calibrationArticles is the size of the first batch, which measures the
// quotes per article.
const calibrationArticles = 10

// articlesFor is how many more articles should bring the store from have
// to want quotes, at perArticle quotes each (at least one article).
func articlesFor(have, want int, perArticle float64) int {
	if perArticle <= 0 {
		perArticle = 1
	}
	n := int(float64(want-have)/perArticle + 0.999)
	return max(n, 1)
}

// fill stores articles until the store holds at least want quotes.
func (s *seeder) fill(ctx context.Context, want int) error {
	start := time.Now()
	defer func() { s.Took += time.Since(start) }()
	for s.Quotes < want {
		per := float64(s.quotesPer)
		if s.Articles > 0 {
			per = float64(s.Quotes) / float64(s.Articles)
		}
		need := articlesFor(s.Quotes, want, per)
		if s.Articles == 0 {
			// The extractor finds more quotes than the direct ones
			// generated: measure on a first small batch.
			need = min(need, calibrationArticles)
		}
		// Split this round into at most workers requests of at most batch
		// articles.
		var batches [][]Article
		for need > 0 && len(batches) < s.workers {
			n := min(need, s.batch)
			arts := make([]Article, n)
			for i := range arts {
				arts[i] = genArticle(s.run, s.next, s.quotesPer)
				s.next++
			}
			batches = append(batches, arts)
			need -= n
		}
		outs := make([]batchOutcome, len(batches))
		errs := make([]error, len(batches))
		var wg sync.WaitGroup
		for i, arts := range batches {
			wg.Go(func() { outs[i], errs[i] = s.post(ctx, arts) })
		}
		wg.Wait()
		for i, o := range outs {
			s.Articles += o.Articles
			s.Quotes += o.Quotes
			if errs[i] == nil && o.Failed > 0 {
				errs[i] = fmt.Errorf("%d articles not stored (%s)", o.Failed, o.FirstErr)
			}
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("POST /v1/articles:batch: %w", err)
		}
	}
	return nil
}

// post sends one batch.
func (s *seeder) post(ctx context.Context, arts []Article) (batchOutcome, error) {
	body, err := ndjson(arts)
	if err != nil {
		return batchOutcome{}, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/v1/articles:batch", bytes.NewReader(body))
	if err != nil {
		return batchOutcome{}, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := s.client.Do(req)
	if err != nil {
		return batchOutcome{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return batchOutcome{}, fmt.Errorf("status %s: %s", resp.Status, b)
	}
	return readBatchAnswer(resp.Body)
}

// quoteIDs lists up to n quote ids, newest first, with GET /v1/quotes.
func quoteIDs(ctx context.Context, client *http.Client, base string, n int) ([]string, error) {
	u := base + "/v1/quotes?page_size=" + url.QueryEscape(fmt.Sprint(n))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 500))
		return nil, fmt.Errorf("GET /v1/quotes: %s: %s", resp.Status, b)
	}
	var page struct {
		Quotes []struct {
			ID string `json:"id"`
		} `json:"quotes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return nil, fmt.Errorf("GET /v1/quotes: %w", err)
	}
	var ids []string
	for _, q := range page.Quotes {
		if q.ID != "" {
			ids = append(ids, q.ID)
		}
	}
	if len(ids) == 0 {
		return nil, errors.New("GET /v1/quotes: no quotes stored")
	}
	return ids, nil
}
