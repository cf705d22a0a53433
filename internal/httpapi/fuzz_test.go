package httpapi

// Fuzz targets of the decoding of request input: bodies, NDJSON lines,
// page tokens, query parameters and If-Match. Each asserts that nothing
// panics and that every input gives either a valid value or an error that
// the API answers with a 4xx problem document. They run their seeds as
// ordinary tests; fuzz one with
//
//	go test -run '^$' -fuzz '^FuzzArticleRequest$' -fuzztime 10s ./internal/httpapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"golang.org/x/text/language"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/ingest"
)

// fuzzServer maps errors to problem documents; problemFor needs no more
// than a logger.
var fuzzServer = &Server{logger: slog.New(slog.DiscardHandler)}

// wantClientError fails unless err is answered with a 4xx problem
// document that names its fields when it is a 422.
func wantClientError(t *testing.T, path string, err error) {
	t.Helper()
	p := fuzzServer.problemFor(context.Background(), http.MethodPost, path, err)
	if p.Status < 400 || p.Status > 499 {
		t.Fatalf("error %q is answered with %d, want a 4xx", err, p.Status)
	}
	if p.Detail == "" {
		t.Fatalf("error %q gives a problem without detail", err)
	}
	if p.Status == http.StatusUnprocessableEntity {
		if len(p.Errors) == 0 {
			t.Fatalf("422 for %q lists no field", err)
		}
		for _, fp := range p.Errors {
			if fp.Field == "" || fp.Detail == "" || !strings.HasPrefix(fp.Pointer, "#/") {
				t.Fatalf("422 for %q has a malformed field problem %+v", err, fp)
			}
		}
	}
	if _, err := json.Marshal(p); err != nil {
		t.Fatalf("encode problem: %v", err)
	}
}

// fuzzContext is a gin context of a request, with a recorder to answer.
func fuzzContext(method, path, rawQuery string, body []byte) *gin.Context {
	gin.SetMode(gin.ReleaseMode) // as New does; quiet
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	req.URL.RawQuery = rawQuery
	c.Request = req
	return c
}

// articleSeeds are bodies of POST /v1/articles, good and bad.
var articleSeeds = []string{
	`{"text":"\"We will rebuild,\" said Mayor Ana Ruiz."}`,
	`{"html":"<html lang=\"de-CH\"><title> T </title><meta name=\"author\" content=\"By A\"><article><p>&ldquo;x,&rdquo; said B.</p></article>"}`,
	`{"html":"<meta property=\"article:published_time\" content=\"9999-12-31T23:30:00-01:00\"><p>x</p>"}`,
	`{"text":"x","html":"<p>x</p>"}`,
	`{"html":"<nav>x</nav>"}`,
	`{"html":"<p>x</p>","byline":"B","title":"T"}`,
	`{"url":"https://example.com/a","title":" T ","text":"x","published_at":"2025-02-18T09:30:00Z","outlet":"Reuters","language":"en"}`,
	`{"url":"https://example.com/a","text":"x","published_at":"2025-02-18T09:30:00.123456789+02:00","language":"DE-ch"}`,
	`{"text":"x","published_at":"0000-01-01T00:00:00+01:00"}`,
	`{"text":"x","published_at":"9999-12-31T23:30:00-01:00"}`,
	`{"text":"x","published_at":"2025-02-18"}`,
	`{"text":"x","language":"xx-invalid-"}`,
	`{"text":"x","url":"ftp://example.com/"}`,
	`{"text":"x","url":"https:///nohost"}`,
	`{"text":"\ud800"}`,
	`{"text":"\ud83d\ude00 ok"}`,
	`{"text":"   "}`,
	`{"text":""}`,
	`{"text":null}`,
	`{"text":12}`,
	`{"text":["a"]}`,
	`{"text":"a","extra":1}`,
	`{"text":"a"}{"text":"b"}`,
	`{"text":"a"} x`,
	`{"text":"a"}}`,
	`[]`,
	`null`,
	`"text"`,
	``,
	`{`,
	"{\"text\":\"\xff\"}",
}

// FuzzArticleRequest decodes the body of POST /v1/articles (one line of
// POST /v1/articles:batch too) with its Content-Type. An accepted article
// passes the store's own validation and survives a round trip: encoded
// again as a request, it decodes to the same article.
func FuzzArticleRequest(f *testing.F) {
	for _, s := range articleSeeds {
		f.Add("application/json", []byte(s))
	}
	f.Add("application/json; charset=UTF-8", []byte(articleSeeds[0]))
	f.Add("application/json; charset=latin1", []byte(articleSeeds[0]))
	f.Add("text/plain", []byte(articleSeeds[0]))
	f.Add("application/json; charset", []byte(articleSeeds[0]))
	f.Add("", []byte(articleSeeds[0]))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		c := fuzzContext(http.MethodPost, "/v1/articles", "", body)
		c.Request.Header.Set("Content-Type", contentType)
		b, err := readJSONBody(c, "application/json")
		var a attribution.Article
		if err == nil {
			a, err = decodeArticle(b)
		}
		if err != nil {
			wantClientError(t, "/v1/articles", err)
			return
		}
		checkArticle(t, a)

		req := ArticleRequest{URL: a.URL, Title: a.Title, Byline: a.Byline, Text: a.Text, Outlet: a.Outlet, Language: a.Language}
		if !a.PublishedAt.IsZero() {
			req.PublishedAt = a.PublishedAt.Format(time.RFC3339Nano)
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatal(err)
		}
		a2, err := decodeArticle(again)
		if err != nil {
			t.Fatalf("the accepted article %+v, encoded again as %s, is rejected: %v", a, again, err)
		}
		if fingerprint(a2) != fingerprint(a) {
			t.Fatalf("round trip changes the article:\n%+v\n%+v", a, a2)
		}
	})
}

// checkArticle checks the rules of an accepted article request.
func checkArticle(t *testing.T, a attribution.Article) {
	t.Helper()
	if err := a.Validate(); err != nil {
		t.Fatalf("accepted article %+v fails the store's validation: %v", a, err)
	}
	if !utf8.ValidString(a.Text) || strings.TrimSpace(a.Text) == "" {
		t.Fatalf("accepted text %q is blank or not UTF-8", a.Text)
	}
	if len(a.URL) > maxURLBytes || len(a.Title) > maxTitleBytes || len(a.Outlet) > maxOutletBytes || len(a.Byline) > ingest.MaxBylineBytes {
		t.Fatalf("accepted field over its limit: %+v", a)
	}
	if a.Language != "" {
		tag, err := language.Parse(a.Language)
		if err != nil || tag.String() != a.Language {
			t.Fatalf("accepted language %q is not a canonical BCP 47 tag (%v, %v)", a.Language, tag, err)
		}
	}
	if !a.PublishedAt.IsZero() {
		if a.PublishedAt.Location() != time.UTC {
			t.Fatalf("published_at %v is not UTC", a.PublishedAt)
		}
		// Answers carry it as JSON; a time that does not encode breaks
		// every answer that shows the article or its quotes.
		if _, err := json.Marshal(a.PublishedAt); err != nil {
			t.Fatalf("accepted published_at %v cannot be answered: %v", a.PublishedAt, err)
		}
	}
}

// FuzzExtractRequest decodes the body of POST /v1/extract.
func FuzzExtractRequest(f *testing.F) {
	for _, s := range articleSeeds {
		f.Add("application/json", []byte(s))
	}
	for _, s := range []string{
		`{"text":"a","offsets":"utf16"}`,
		`{"text":"a","offsets":"utf8"}`,
		`{"text":"a","offsets":"codepoint"}`,
		`{"text":"a","offsets":"bytes"}`,
		`{"text":"a","offsets":null}`,
		`{"text":"a","offsets":7}`,
	} {
		f.Add("application/json", []byte(s))
	}
	f.Add("application/json; charset=utf-8", []byte(articleSeeds[0]))
	f.Add("application/xml", []byte(articleSeeds[0]))
	f.Add("text/html", []byte("<article><p>&ldquo;x,&rdquo; said B.</p></article>"))
	f.Add("text/html; charset=utf-8", []byte("<nav>x</nav>"))
	f.Add("", []byte(articleSeeds[0]))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/v1/extract", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		in, err := decodeExtractRequest(httptest.NewRecorder(), r)
		if err != nil {
			wantClientError(t, "/v1/extract", err)
			return
		}
		if !utf8.ValidString(in.text) || strings.TrimSpace(in.text) == "" {
			t.Fatalf("accepted text %q is blank or not UTF-8", in.text)
		}
		if _, err := attribution.ParseUnit(string(in.unit)); err != nil || in.unit == "" {
			t.Fatalf("accepted unit %q: %v", in.unit, err)
		}
		if mt, _, _ := mime.ParseMediaType(contentType); mt != "text/html" && !json.Valid(body) {
			t.Fatalf("accepted a body that is not one JSON value: %q", body)
		}
	})
}

// FuzzBatchLines splits an NDJSON body into lines as POST
// /v1/articles:batch does, with small limits so that long lines and
// partial buffer reads are common, checks them against a plain split, and
// decodes each line as an article.
func FuzzBatchLines(f *testing.F) {
	f.Add([]byte(articleSeeds[0]+"\n"+articleSeeds[1]+"\r\n\n"+articleSeeds[7]), uint8(200), uint8(0))
	f.Add([]byte("a\nbb\r\nccc\r\r\ndddd\r"), uint8(3), uint8(0))
	f.Add([]byte(strings.Repeat("x", 100)+"\n"+"y\n"), uint8(10), uint8(3))
	f.Add([]byte("\n\n\r\n"), uint8(1), uint8(1))
	f.Add([]byte{}, uint8(0), uint8(0))
	f.Add([]byte(`{"text":"a"}`), uint8(12), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, maxLine, bufExtra uint8) {
		max := int(maxLine)
		br := bufio.NewReaderSize(bytes.NewReader(body), 16+int(bufExtra%64)) // 16 is bufio's least
		want := bytes.Split(body, []byte("\n"))
		var buf []byte
		for n := 0; ; n++ {
			line, tooLong, err := readLine(br, buf, max)
			buf = line[:0]
			if n >= len(want) {
				t.Fatalf("line %d read, but the body has only %d", n+1, len(want))
			}
			w := bytes.TrimSuffix(want[n], []byte("\r"))
			switch {
			case len(w) > max && (!tooLong || len(line) != 0):
				t.Fatalf("line %d (%d bytes, limit %d) = %q, tooLong %v; want tooLong and empty", n+1, len(w), max, line, tooLong)
			case len(w) <= max && (tooLong || !bytes.Equal(line, w)):
				t.Fatalf("line %d = %q, tooLong %v; want %q", n+1, line, tooLong, w)
			}
			last := n == len(want)-1
			if last != errors.Is(err, io.EOF) || (err != nil && !errors.Is(err, io.EOF)) {
				t.Fatalf("line %d of %d: err %v", n+1, len(want), err)
			}
			if !tooLong && len(bytes.TrimSpace(line)) > 0 {
				if _, err := decodeArticle(line); err != nil {
					wantClientError(t, "/v1/articles:batch", err)
				}
			}
			if last {
				return
			}
		}
	})
}

// FuzzPageToken decodes page_token of the list routes. raw is the token,
// or, when encode is set, the JSON inside it (so that the fuzzer reaches
// tokens that decode). An accepted token was made for the filters it is
// used with and survives a round trip through encode.
func FuzzPageToken(f *testing.F) {
	filter := quoteFilter{}.hash()
	good := pageToken{PublishedAt: time.Date(2025, 2, 18, 9, 0, 0, 0, time.UTC), ID: "67b4591cb2a1f1a2c3d4e5f6-3", Filter: filter}
	f.Add(good.encode(), false)
	f.Add(pageToken{After: "spk_0a1b2c3d4e5f6071", Filter: filter}.encode(), false)
	f.Add(pageToken{ID: "x", Filter: "other"}.encode(), false)
	f.Add(good.encode()+"=", false)
	f.Add("!!!", false)
	f.Add("", false)
	for _, s := range []string{
		`{"published_at":"2025-02-18T09:00:00+02:00","id":"a","filter":"` + filter + `"}`,
		`{"published_at":"0000-01-01T00:00:00+01:00","id":"a","filter":"` + filter + `"}`,
		`{"published_at":"2025-02-18","id":"a","filter":"` + filter + `"}`,
		`{"id":7,"filter":"` + filter + `"}`,
		`{"filter":""}`,
		`{"filter":"` + filter + `","filter":"x"}`,
		`[]`,
		`null`,
	} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, raw string, encode bool) {
		tok := raw
		if encode {
			tok = base64.RawURLEncoding.EncodeToString([]byte(raw))
		}
		c := fuzzContext(http.MethodGet, "/v1/quotes", "page_token="+url.QueryEscape(tok), nil)
		got, ok, err := parsePageToken(c, filter)
		if err != nil {
			wantClientError(t, "/v1/quotes", err)
			return
		}
		if !ok {
			if tok != "" {
				t.Fatalf("token %q neither accepted nor rejected", tok)
			}
			return
		}
		if got.Filter != filter {
			t.Fatalf("token for filters %q accepted for %q", got.Filter, filter)
		}
		again := got.encode()
		c = fuzzContext(http.MethodGet, "/v1/quotes", "page_token="+url.QueryEscape(again), nil)
		got2, ok, err := parsePageToken(c, filter)
		if err != nil || !ok || got2.ID != got.ID || got2.After != got.After || !got2.PublishedAt.Equal(got.PublishedAt) {
			t.Fatalf("token %+v encoded again as %q decodes to %+v, %v, %v", got, again, got2, ok, err)
		}
	})
}

// FuzzQuoteQuery parses the query of GET /v1/quotes: filters, page_size
// and page_token.
func FuzzQuoteQuery(f *testing.F) {
	for _, q := range []string{
		"",
		"speaker=Dmitry%20Peskov&page_size=1",
		"q=negotiations+talks&kind=mixed&outlet=Reuters&from=2025-02-01&to=2025-02-28",
		"from=2025-02-18T09:30:00Z&to=2025-02-18",
		"from=2025-03-01&to=2025-02-01",
		"from=0000-01-01T00:00:00%2B01:00",
		"to=9999-12-31",
		"kind=quote",
		"q=%21%21%21",
		"q=" + strings.Repeat("w+", 21),
		"speaker=++",
		"page_size=0", "page_size=101", "page_size=-1", "page_size=1e2", "page_size=99999999999999999999",
		"page_token=%%%", "q=a;b=c", "speaker=%ff",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		c := fuzzContext(http.MethodGet, "/v1/quotes", rawQuery, nil)
		qf, err := parseQuoteFilter(c)
		if err != nil {
			wantClientError(t, "/v1/quotes", err)
			return
		}
		if _, ok := c.GetQuery("speaker"); ok && (qf.speaker == "" || len(qf.speaker) > maxQueryBytes || strings.TrimSpace(qf.speaker) != qf.speaker) {
			t.Fatalf("accepted speaker %q", qf.speaker)
		}
		if _, ok := c.GetQuery("q"); ok && (len(qf.words) == 0 || len(qf.words) > maxQueryWords) {
			t.Fatalf("accepted q with %d words", len(qf.words))
		}
		for _, w := range qf.words {
			if w == "" || strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) >= 0 {
				t.Fatalf("accepted word %q", w)
			}
		}
		switch qf.kind {
		case "", attribution.KindDirect, attribution.KindMixed, attribution.KindIndirect:
		default:
			t.Fatalf("accepted kind %q", qf.kind)
		}
		if !qf.from.IsZero() && !qf.to.IsZero() && qf.from.After(qf.to) {
			t.Fatalf("accepted from %v after to %v", qf.from, qf.to)
		}
		if h1, h2 := qf.hash(), qf.hash(); h1 != h2 || len(h1) != 16 {
			t.Fatalf("filter hash %q, then %q; want one of 16 characters", h1, h2)
		}
		size, err := parsePageSize(c)
		if err != nil {
			wantClientError(t, "/v1/quotes", err)
		} else if size < 1 || size > maxPageSize {
			t.Fatalf("accepted page_size %d", size)
		}
		if _, _, err := parsePageToken(c, qf.hash()); err != nil {
			wantClientError(t, "/v1/quotes", err)
		}
	})
}

// FuzzSpeakerPatch decodes the merge patch of PATCH /v1/speakers/{id}.
func FuzzSpeakerPatch(f *testing.F) {
	for _, s := range []string{
		`{"name":"Ana Ruiz"}`,
		`{"aliases":["Ruiz","Mayor Ruiz"]}`,
		`{"aliases":null}`,
		`{"wikidata_id":"Q3874799"}`,
		`{"wikidata_id":null}`,
		`{"wikidata_id":""}`,
		`{"wikidata_id":42}`,
		`{"name":null}`,
		`{"name":1}`,
		`{"aliases":[1]}`,
		`{"other":1}`,
		`{}`,
		`null`,
		`[]`,
		`{"name":"a","name":"b"}`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeSpeakerPatch(body)
		if err != nil {
			wantClientError(t, "/v1/speakers/spk_0a1b2c3d4e5f6071", err)
			return
		}
		if p.Aliases != nil && *p.Aliases == nil {
			t.Fatal("aliases patched to a nil list")
		}
	})
}

// FuzzIfMatch reads the If-Match header of PATCH /v1/speakers/{id} and
// PATCH /v1/quotes/{id}: the ETag of a version matches that version, alone
// or in a list, and only under strong comparison.
func FuzzIfMatch(f *testing.F) {
	for _, h := range []string{``, `*`, `"7"`, `W/"7"`, `"x", "3"`, `7`, `"0"`, `"-1"`, `"99999999999999999999"`, `"\u0037"`, `W/`, `"07"`, `*, "1"`, `, ,"2",`} {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, h string) {
		m, err := parseIfMatch([]string{h})
		if err != nil {
			var se *statusError
			if !errors.As(err, &se) || se.status != http.StatusBadRequest {
				t.Fatalf("parseIfMatch(%q) error %v, want a 400", h, err)
			}
			return
		}
		for _, v := range m.versions {
			if v <= 0 {
				t.Fatalf("parseIfMatch(%q) gives version %d", h, v)
			}
			tag := etag(attribution.SpeakerProfile{Version: v})
			if !strings.Contains(h, tag) {
				t.Fatalf("parseIfMatch(%q) gives version %d, whose tag %s it does not hold", h, v, tag)
			}
			if w, err := parseIfMatch([]string{"W/" + tag}); err != nil || len(w.versions) != 0 {
				t.Fatalf("weak W/%s gives %+v, %v; want no version", tag, w, err)
			}
			if got, ok := m.version(v); !ok || got != v {
				t.Fatalf("parseIfMatch(%q).version(%d) = %d, %v", h, v, got, ok)
			}
		}
	})
}
