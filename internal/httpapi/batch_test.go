package httpapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// batchResults decodes an NDJSON answer.
func batchResults(t *testing.T, body string) []BatchResult {
	t.Helper()
	var out []BatchResult
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if line == "" {
			continue
		}
		var r BatchResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("result line %q: %v", line, err)
		}
		out = append(out, r)
	}
	return out
}

func TestBatch(t *testing.T) {
	a := newTestAPI(t)
	ruiz, _ := json.Marshal(ruizArticle())
	long := `{"text":"` + strings.Repeat("a", MaxBatchLine) + `"}`
	lines := []string{
		string(ruiz), // 1: stored
		``,           // 2: skipped
		`{"text":"“Prices will stabilise this year,” Berg told reporters.","outlet":"Daily"}`, // 3: stored
		`{"text":`,            // 4: malformed
		`{"title":"no text"}`, // 5: 422
		string(ruiz),          // 6: stored before
		long,                  // 7: too long
		`  `,                  // 8: blank, skipped
		`{"text":"Nothing."}`, // 9: stored, no quotes
	}
	body := strings.Join(lines, "\r\n") // CRLF line ends work too; no final newline
	w := a.do("POST", "/v1/articles:batch", body, "Content-Type", "application/x-ndjson")
	if w.Code != http.StatusOK {
		t.Fatalf("POST /v1/articles:batch = %d, want 200; body %.300s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/x-ndjson" {
		t.Errorf("Content-Type = %q, want application/x-ndjson", ct)
	}
	got := batchResults(t, w.Body.String())
	want := []struct {
		line, status, quotes int
	}{{1, 201, 2}, {3, 201, 1}, {4, 400, -1}, {5, 422, -1}, {6, 200, 2}, {7, 413, -1}, {9, 201, 0}}
	if len(got) != len(want) {
		t.Fatalf("POST /v1/articles:batch gave %d result lines, want %d:\n%s", len(got), len(want), w.Body)
	}
	for i, wr := range want {
		r := got[i]
		if r.Line != wr.line || r.Status != wr.status {
			t.Errorf("result %d = line %d status %d, want line %d status %d", i, r.Line, r.Status, wr.line, wr.status)
		}
		switch {
		case wr.quotes >= 0 && (r.Quotes == nil || *r.Quotes != wr.quotes || r.ID == "" || r.Problem != nil):
			t.Errorf("result %d = %+v, want id and %d quotes", i, r, wr.quotes)
		case wr.quotes < 0 && (r.Problem == nil || r.Problem.Status != wr.status || r.Problem.Instance != "/v1/articles:batch" || r.ID != ""):
			t.Errorf("result %d = %+v, want a problem with status %d", i, r, wr.status)
		}
	}
	if got[0].ID != got[4].ID {
		t.Errorf("same article twice: ids %s and %s", got[0].ID, got[4].ID)
	}
	if p := got[3].Problem; len(p.Errors) != 2 || p.Errors[0].Field != "text" || p.Errors[1].Field != "html" {
		t.Errorf("line 5 problem = %+v, want field errors for text and html", p)
	}
	// What the batch stored is there.
	var art ArticleResponse
	a.json("GET", "/v1/articles/"+got[1].ID, nil, http.StatusOK, &art)
	if art.Article.Outlet != "Daily" || len(art.Quotes) != 1 {
		t.Errorf("GET article of line 3 = %+v", art)
	}
}

func TestBatchErrors(t *testing.T) {
	a := newTestAPI(t)
	for _, tc := range []struct {
		name, contentType string
	}{
		{"no content type", ""},
		{"json", "application/json"},
		{"latin1", "application/x-ndjson; charset=latin1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.contentType != "" {
				hdr = []string{"Content-Type", tc.contentType}
			}
			w := a.do("POST", "/v1/articles:batch", `{"text":"x"}`, hdr...)
			if w.Code != http.StatusUnsupportedMediaType {
				t.Fatalf("POST /v1/articles:batch with %q = %d, want 415", tc.contentType, w.Code)
			}
			checkProblem(t, w, http.StatusUnsupportedMediaType)
		})
	}

	t.Run("empty body", func(t *testing.T) {
		w := a.do("POST", "/v1/articles:batch", "", "Content-Type", "application/x-ndjson")
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Errorf("POST /v1/articles:batch (empty) = %d %q, want 200 and no lines", w.Code, w.Body)
		}
	})

	t.Run("too many lines", func(t *testing.T) {
		a.srv.maxBatchLines = 2
		t.Cleanup(func() { a.srv.maxBatchLines = MaxBatchLines })
		body := "{\"text\":\"One.\"}\n\n{\"text\":\"Two.\"}\n{\"text\":\"Three.\"}\n{\"text\":\"Four.\"}\n"
		w := a.do("POST", "/v1/articles:batch", body, "Content-Type", "application/x-ndjson")
		got := batchResults(t, w.Body.String())
		if len(got) != 3 || got[0].Status != 201 || got[1].Status != 201 || got[2].Status != 413 || got[2].Line != 4 {
			t.Fatalf("POST /v1/articles:batch over the cap = %s, want 201, 201, then 413 at line 4 and nothing more", w.Body)
		}
	})
}

// TestBatchStreams checks over a real connection that each result is sent
// as soon as its line is done, while the client is still sending: the
// client reads the first result before it sends the second line.
func TestBatchStreams(t *testing.T) {
	a := newTestAPI(t)
	srv := httptest.NewServer(a.h)
	defer srv.Close()

	pr, pw := io.Pipe()
	req, err := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/v1/articles:batch", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	type answer struct {
		resp *http.Response
		err  error
	}
	done := make(chan answer, 1)
	go func() {
		resp, err := srv.Client().Do(req)
		done <- answer{resp, err}
	}()
	send := func(s string) {
		t.Helper()
		errc := make(chan error, 1)
		go func() { _, err := io.WriteString(pw, s); errc <- err }()
		select {
		case err := <-errc:
			if err != nil {
				t.Fatalf("send: %v", err)
			}
		case <-time.After(20 * time.Second):
			pw.CloseWithError(errors.New("server does not read"))
			t.Fatal("the server did not read a line within 20 s")
		}
	}
	send(`{"text":"“We stay,” said Ana Ruiz."}` + "\n")
	var ans answer
	select {
	case ans = <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("no response headers 20 s after the first line")
	}
	if ans.err != nil {
		t.Fatalf("POST /v1/articles:batch: %v", ans.err)
	}
	defer ans.resp.Body.Close()
	if ans.resp.StatusCode != http.StatusOK {
		t.Fatalf("POST /v1/articles:batch = %d, want 200", ans.resp.StatusCode)
	}
	lines := bufio.NewScanner(ans.resp.Body)
	next := func() BatchResult {
		t.Helper()
		if !lines.Scan() {
			t.Fatalf("no result line: %v", lines.Err())
		}
		var r BatchResult
		if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
			t.Fatalf("result %q: %v", lines.Bytes(), err)
		}
		return r
	}
	if r := next(); r.Line != 1 || r.Status != 201 {
		t.Fatalf("first result = %+v, want line 1 status 201", r)
	}
	send(`{"text":`)
	send("\n")
	if r := next(); r.Line != 2 || r.Status != 400 {
		t.Errorf("second result = %+v, want line 2 status 400", r)
	}
	pw.Close()
	if lines.Scan() {
		t.Errorf("extra result line %q", lines.Bytes())
	}
}

func TestReadLine(t *testing.T) {
	const max = 8
	in := "short\n12345678\n123456789\n\r\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 16) // smaller than a long line plus slack
	var got []string
	buf := make([]byte, 0, 4)
	for {
		line, tooLong, err := readLine(br, buf, max)
		got = append(got, fmt.Sprintf("%q/%v", line, tooLong))
		if err != nil {
			if err != io.EOF {
				t.Fatalf("readLine: %v", err)
			}
			break
		}
	}
	want := []string{`"short"/false`, `"12345678"/false`, `""/true`, `""/false`, `"last"/false`}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("readLine = %v, want %v", got, want)
	}
}
