package httpapi

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
)

func TestExtract(t *testing.T) {
	// "“Café” 👍 said": the curly quotes and é are 1 code point and 1
	// UTF-16 unit each, 👍 is 1 code point and 2 UTF-16 units; "said"
	// starts at byte 17, code point 9, UTF-16 unit 10.
	const text = "“Café” 👍 said"
	for _, tc := range []struct {
		name    string
		body    string
		wantCue attribution.Span
	}{
		{"default unit is codepoint", `{"text":"` + text + `"}`, attribution.Span{Start: 9, End: 13}},
		{"codepoint", `{"text":"` + text + `","offsets":"codepoint"}`, attribution.Span{Start: 9, End: 13}},
		{"utf16", `{"text":"` + text + `","offsets":"utf16"}`, attribution.Span{Start: 10, End: 14}},
		{"utf8", `{"text":"` + text + `","offsets":"utf8"}`, attribution.Span{Start: 17, End: 21}},
		{"escaped surrogate pair", `{"text":"“Café” \ud83d\udc4d said"}`, attribution.Span{Start: 9, End: 13}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestServer(t, serverOpts{})
			w := doCT(t, h, "POST", "/v1/extract", "application/json", tc.body)
			if w.Code != 200 {
				t.Fatalf("POST /v1/extract %s = %d, want 200; body %s", tc.body, w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			var res attribution.Result
			if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
				t.Fatalf("response %s: %v", w.Body, err)
			}
			if len(res.Quotes) != 1 || res.Quotes[0].Cue == nil {
				t.Fatalf("response %s, want one quote with a cue", w.Body)
			}
			if diff := cmp.Diff(tc.wantCue, res.Quotes[0].Cue.Span); diff != "" {
				t.Errorf("cue span (-want +got):\n%s", diff)
			}
			if res.Speakers == nil {
				t.Errorf("speakers is null, want []")
			}
		})
	}
}

func TestExtractNoQuotes(t *testing.T) {
	h := newTestServer(t, serverOpts{})
	w := doCT(t, h, "POST", "/v1/extract", "application/json; charset=UTF-8", `{"text":"Nothing to see."}`)
	if w.Code != 200 {
		t.Fatalf("POST /v1/extract = %d, want 200; body %s", w.Code, w.Body)
	}
	if got, want := strings.TrimSpace(w.Body.String()), `{"quotes":[],"speakers":[]}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestExtractErrors(t *testing.T) {
	big := `{"text":"` + strings.Repeat("a", MaxExtractBody) + `"}`
	for _, tc := range []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
		wantFields  []string // the "errors" extension member, by field
		wantDetail  string   // substring
	}{
		{name: "no content type", body: `{"text":"x"}`, wantStatus: 415},
		{name: "text/plain", contentType: "text/plain", body: `{"text":"x"}`, wantStatus: 415},
		{name: "form", contentType: "application/x-www-form-urlencoded", body: `text=x`, wantStatus: 415},
		{name: "latin1 charset", contentType: "application/json; charset=latin1", body: `{"text":"x"}`, wantStatus: 415},
		{name: "empty body", contentType: "application/json", body: ``, wantStatus: 400, wantDetail: "empty body"},
		{name: "malformed", contentType: "application/json", body: `{"text":`, wantStatus: 400},
		{name: "not an object", contentType: "application/json", body: `["x"]`, wantStatus: 400},
		{name: "two values", contentType: "application/json", body: `{"text":"x"} {}`, wantStatus: 400},
		{name: "unknown field", contentType: "application/json", body: `{"text":"x","offset":"utf8"}`, wantStatus: 400,
			wantDetail: `unknown field "offset"`},
		{name: "offsets not a string", contentType: "application/json", body: `{"text":"x","offsets":1}`, wantStatus: 400},
		{name: "too large", contentType: "application/json", body: big, wantStatus: 413},
		{name: "missing text", contentType: "application/json", body: `{}`, wantStatus: 422, wantFields: []string{"text", "html"}},
		{name: "null text", contentType: "application/json", body: `{"text":null}`, wantStatus: 422, wantFields: []string{"text", "html"}},
		{name: "text not a string", contentType: "application/json", body: `{"text":42}`, wantStatus: 422, wantFields: []string{"text"}},
		{name: "empty text", contentType: "application/json", body: `{"text":""}`, wantStatus: 422, wantFields: []string{"text"}},
		{name: "white space text", contentType: "application/json", body: `{"text":" \n\t\u00a0 "}`, wantStatus: 422,
			wantFields: []string{"text"}},
		{name: "invalid UTF-8", contentType: "application/json", body: "{\"text\":\"caf\xe9\"}", wantStatus: 422,
			wantFields: []string{"text"}, wantDetail: "UTF-8"},
		{name: "lone high surrogate", contentType: "application/json", body: `{"text":"a\ud83d b"}`, wantStatus: 422,
			wantFields: []string{"text"}},
		{name: "lone low surrogate", contentType: "application/json", body: `{"text":"a\udc4d"}`, wantStatus: 422,
			wantFields: []string{"text"}},
		{name: "unknown unit", contentType: "application/json", body: `{"text":"x","offsets":"bytes"}`, wantStatus: 422,
			wantFields: []string{"offsets"}},
		{name: "empty text and unknown unit", contentType: "application/json", body: `{"text":"","offsets":"runes"}`,
			wantStatus: 422, wantFields: []string{"text", "offsets"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newTestServer(t, serverOpts{})
			w := doCT(t, h, "POST", "/v1/extract", tc.contentType, tc.body)
			if w.Code != tc.wantStatus {
				t.Fatalf("POST /v1/extract = %d, want %d; body %s", w.Code, tc.wantStatus, w.Body)
			}
			p := checkProblem(t, w, tc.wantStatus)
			if d, _ := p["detail"].(string); !strings.Contains(d, tc.wantDetail) {
				t.Errorf("detail = %q, want it to contain %q", d, tc.wantDetail)
			}
			var got []string
			errs, _ := p["errors"].([]any)
			for _, e := range errs {
				m, _ := e.(map[string]any)
				f, _ := m["field"].(string)
				got = append(got, f)
				if m["pointer"] != "#/"+f || m["detail"] == "" {
					t.Errorf("errors member %v lacks pointer or detail", m)
				}
			}
			if diff := cmp.Diff(tc.wantFields, got); diff != "" {
				t.Errorf("errors fields (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHasLoneSurrogate(t *testing.T) {
	for _, tc := range []struct {
		lit  string
		want bool
	}{
		{`"plain"`, false},
		{`"\ud83d\udc4d"`, false},
		{`"\uD83D\uDC4D"`, false},
		{`"\u00e9\n\\u"`, false},
		{`"\\ud83d"`, false}, // an escaped backslash, then text
		{`"\ud83d"`, true},
		{`"\ud83dx"`, true},
		{`"\ud83d\u0041"`, true},
		{`"\udc4d"`, true},
		{`"\udc4d\ud83d"`, true},
		{`"\ud83d\ud83d\udc4d"`, true},
	} {
		if got := hasLoneSurrogate([]byte(tc.lit)); got != tc.want {
			t.Errorf("hasLoneSurrogate(%s) = %v, want %v", tc.lit, got, tc.want)
		}
	}
}
