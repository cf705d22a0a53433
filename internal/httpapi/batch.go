package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"
)

// Limits of POST /v1/articles:batch.
const (
	// MaxBatchLine is the longest line (one article as JSON) accepted: 1
	// MiB, as a single POST /v1/articles body. A longer line gets a 413
	// result and the next line is read.
	MaxBatchLine = MaxJSONBody
	// MaxBatchLines is the most articles (non-empty lines) one request may
	// carry; the line after them gets a 413 result and reading stops.
	MaxBatchLines = 10_000
	// MaxBatchDuration bounds one batch request: its connection's read
	// and write deadlines are set once, when it starts, to at most this
	// far ahead (the server's own timeouts are shorter than a long batch
	// needs). Lines still unread then are not read.
	MaxBatchDuration = 15 * time.Minute
	// BatchIdleTimeout is how long the next article may take to arrive
	// after the previous one was answered (or the request started). Only
	// an article moves it forward, never an empty line, and never past
	// MaxBatchDuration.
	BatchIdleTimeout = 2 * time.Minute
	// batchWriteGrace is how long after MaxBatchDuration the last result
	// line may take to be written.
	batchWriteGrace   = 10 * time.Second
	ndjsonContentType = "application/x-ndjson"
)

// BatchResult is one line of the answer of POST /v1/articles:batch: the
// outcome for one input line.
type BatchResult struct {
	// Line is the number of the input line, from 1; empty lines count but
	// get no result.
	Line int `json:"line" example:"1"`
	// ID is the article's id when it was stored (201) or found stored (200).
	ID string `json:"id,omitempty" example:"67b4591cb2a1f1a2c3d4e5f6"`
	// Status is what POST /v1/articles would have answered for this line.
	Status int `json:"status" example:"201"`
	// Quotes is the number of quotes of the article, on success.
	Quotes *int `json:"quotes,omitempty" example:"12"`
	// Problem says what went wrong, on failure.
	Problem *Problem `json:"problem,omitempty"`
} //	@name	BatchResult

// batchArticles stores many articles, one per NDJSON line.
//
//	@Summary		Store many articles (NDJSON)
//	@ID				createArticlesBatch
//	@Description	The body is NDJSON (`application/x-ndjson`): one article per line, each a JSON object as the body of `POST /v1/articles`.
//	@Description	The answer streams one NDJSON line per non-empty input line, in order, as each is done:
//	@Description	`{"line": n, "id": "...", "status": 201|200, "quotes": k}` on success (201 stored, 200 stored before),
//	@Description	`{"line": n, "status": 400|413|422|500|503, "problem": {...}}` on failure. A bad line does not stop the others.
//	@Description
//	@Description	Limits: a line of at most 1 MiB (a longer one gets a 413 line and reading goes on at the next line);
//	@Description	at most 10,000 articles per request (the line after them gets a 413 line and the rest is not read).
//	@Description	Empty lines are skipped but counted in `line`. When the database does not answer, that line gets 503 and the
//	@Description	batch stops there; sending the whole batch again is safe, since each article is stored once.
//	@Description	Time: the whole request may take 15 minutes, and each article must arrive within 2 minutes of the previous answer
//	@Description	(empty lines do not count); past either, the next line gets a 408 result and the rest is not read.
//	@Description	Memory is bounded whatever the number of lines; the server reads a line, answers it, then reads the next.
//	@Description
//	@Description	Example answer:
//	@Description	```
//	@Description	{"line":1,"id":"67b4591cb2a1f1a2c3d4e5f6","status":201,"quotes":12}
//	@Description	{"line":2,"status":422,"problem":{"type":"https://whosaid.dev/problems/validation","title":"Unprocessable Entity","status":422,"detail":"text: is required","instance":"/v1/articles:batch","errors":[{"field":"text","pointer":"#/text","detail":"is required"}]}}
//	@Description	{"line":4,"id":"67b4591cb2a1f1a2c3d4e5f6","status":200,"quotes":12}
//	@Description	```
//	@Tags			articles
//	@Security		BearerAuth
//	@Accept			application/x-ndjson
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		415	{object}	Problem	"the body is not application/x-ndjson"
//	@Failure		503	{object}	Problem	"the database is known to be unreachable; nothing was read"
//	@Produce		application/x-ndjson
//	@Success		200	{object}	BatchResult	"one result line per non-empty input line (NDJSON)"
//	@Router			/v1/articles:batch [post]
func (s *Server) batchArticles(c *gin.Context) {
	if err := checkContentType(c.GetHeader("Content-Type"), ndjsonContentType); err != nil {
		s.writeError(c, err)
		return
	}
	ctx := c.Request.Context()
	rc := http.NewResponseController(c.Writer)
	// Read lines while answering earlier ones: HTTP/1 servers otherwise
	// consume the whole body before the first byte of the answer.
	if err := rc.EnableFullDuplex(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		s.logger.WarnContext(ctx, "batch: full duplex", slog.Any("error", err))
	}
	c.Header("Content-Type", ndjsonContentType)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	c.Writer.WriteHeaderNow()

	path := c.Request.URL.Path
	write := func(r BatchResult) bool {
		b, err := json.Marshal(r)
		if err != nil {
			s.logger.ErrorContext(ctx, "batch: encode result", slog.Any("error", err))
			return false
		}
		b = append(b, '\n')
		if _, err := c.Writer.Write(b); err != nil {
			return false
		}
		c.Writer.Flush()
		return true
	}
	fail := func(line int, err error) BatchResult {
		p := s.problemFor(ctx, http.MethodPost, path, err)
		return BatchResult{Line: line, Status: p.Status, Problem: &p}
	}

	// The deadlines of the connection: one end for the whole request, and
	// an idle bound that only articles move forward.
	end := time.Now().Add(s.batchMax)
	_ = rc.SetWriteDeadline(end.Add(batchWriteGrace))
	idle := func() {
		d := time.Now().Add(s.batchIdle)
		if d.After(end) {
			d = end
		}
		_ = rc.SetReadDeadline(d)
	}
	idle()

	br := bufio.NewReaderSize(c.Request.Body, 64<<10)
	buf := make([]byte, 0, 64<<10)
	articles := 0
	for n := 1; ; n++ {
		line, tooLong, rerr := readLine(br, buf, MaxBatchLine)
		buf = line[:0]
		if errors.Is(rerr, os.ErrDeadlineExceeded) {
			detail := fmt.Sprintf("no article in %s; the rest of the request was not read", s.batchIdle)
			if !time.Now().Before(end) {
				detail = fmt.Sprintf("the request took longer than %s; the rest of it was not read", s.batchMax)
			}
			write(fail(n, errStatus(http.StatusRequestTimeout, detail)))
			return
		}
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			write(fail(n, errStatus(http.StatusBadRequest, "the request body could not be read")))
			s.logger.InfoContext(ctx, "batch: read request body", slog.Any("error", rerr))
			return
		}
		if len(bytes.TrimSpace(line)) > 0 || tooLong {
			articles++
			if articles > s.maxBatchLines {
				write(fail(n, errStatus(http.StatusRequestEntityTooLarge,
					fmt.Sprintf("more than %d articles in one request; this line and the rest were not read", s.maxBatchLines))))
				return
			}
			r := s.batchLine(c, n, line, tooLong, fail)
			if !write(r) || r.Status == http.StatusServiceUnavailable || ctx.Err() != nil {
				return
			}
			idle()
		}
		if rerr != nil { // io.EOF
			return
		}
	}
}

// batchLine stores the article of one line.
func (s *Server) batchLine(c *gin.Context, n int, line []byte, tooLong bool, fail func(int, error) BatchResult) BatchResult {
	if tooLong {
		return fail(n, errStatus(http.StatusRequestEntityTooLarge, fmt.Sprintf("line is longer than %d bytes", MaxBatchLine)))
	}
	a, err := decodeArticle(line)
	if err != nil {
		return fail(n, err)
	}
	res, err := s.ingest(c.Request.Context(), a)
	if err != nil {
		return fail(n, err)
	}
	status, k := http.StatusOK, len(res.Quotes)
	if res.Created {
		status = http.StatusCreated
	}
	return BatchResult{Line: n, ID: res.Article.ID, Status: status, Quotes: &k}
}

// readLine reads one line into buf (reusing its memory) and returns it
// without its line ending. A line longer than max bytes is read to its end
// but not kept: tooLong is true and line is empty. err is io.EOF after the
// last line, which may be non-empty.
func readLine(br *bufio.Reader, buf []byte, max int) (line []byte, tooLong bool, err error) {
	buf = buf[:0]
	for {
		frag, err := br.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(frag) > max+2 { // room for "\r\n"
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, frag...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		buf = bytes.TrimSuffix(buf, []byte("\n"))
		buf = bytes.TrimSuffix(buf, []byte("\r"))
		if len(buf) > max {
			tooLong, buf = true, buf[:0]
		}
		return buf, tooLong, err
	}
}
