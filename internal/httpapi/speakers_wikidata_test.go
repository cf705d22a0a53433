package httpapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/whosaid/whosaid/internal/attribution"
)

// rawWikidataID decodes a speaker's JSON and reports its wikidata_id
// member and whether the member is there at all.
func rawWikidataID(t *testing.T, body []byte) (string, bool) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	v, ok := m["wikidata_id"]
	s, _ := v.(string)
	return s, ok
}

func TestPatchSpeakerWikidataID(t *testing.T) {
	f := newQuoteFixture(t)
	w := f.json("GET", ruizPath, nil, http.StatusOK, nil)
	if _, ok := rawWikidataID(t, w.Body.Bytes()); ok {
		t.Errorf("GET %s: wikidata_id present before any edit: %s", ruizPath, w.Body)
	}
	etag1 := w.Header().Get("ETag")

	// Set, with If-Match: a new ETag, and GET agrees.
	w = f.json("PATCH", ruizPath, `{"wikidata_id":"Q3874799"}`, http.StatusOK, nil,
		"Content-Type", "application/merge-patch+json", "If-Match", etag1)
	etag2 := w.Header().Get("ETag")
	if got, _ := rawWikidataID(t, w.Body.Bytes()); got != "Q3874799" || !etagShape.MatchString(etag2) || etag2 == etag1 {
		t.Errorf("PATCH wikidata_id: %q, ETag %q after %q; want Q3874799 and a new ETag", got, etag2, etag1)
	}
	w = f.json("GET", ruizPath, nil, http.StatusOK, nil)
	if got, _ := rawWikidataID(t, w.Body.Bytes()); got != "Q3874799" || w.Header().Get("ETag") != etag2 {
		t.Errorf("GET after PATCH: wikidata_id %q, ETag %q; want Q3874799, %q", got, w.Header().Get("ETag"), etag2)
	}
	var list SpeakerList
	f.json("GET", "/v1/speakers?q=ruiz", nil, http.StatusOK, &list)
	if len(list.Speakers) != 1 || list.Speakers[0].WikidataID != "Q3874799" {
		t.Errorf("GET /v1/speakers?q=ruiz = %+v, want Ruiz with Q3874799", list.Speakers)
	}

	// The old ETag is stale; nothing changes.
	w = f.json("PATCH", ruizPath, `{"wikidata_id":"Q1"}`, http.StatusPreconditionFailed, nil, "If-Match", etag1)
	checkProblem(t, w, http.StatusPreconditionFailed)
	// Another speaker cannot have the same item.
	w = f.json("PATCH", bergPath, `{"wikidata_id":"Q3874799"}`, http.StatusConflict, nil)
	checkProblem(t, w, http.StatusConflict)

	// Other edits keep it.
	var p attribution.SpeakerProfile
	f.json("PATCH", ruizPath, `{"name":"Ana María Ruiz","aliases":["Ruiz"]}`, http.StatusOK, &p)
	if p.WikidataID != "Q3874799" {
		t.Errorf("rename: wikidata_id %q, want it kept", p.WikidataID)
	}

	// null clears it: the member is gone.
	w = f.json("GET", ruizPath, nil, http.StatusOK, nil)
	w = f.json("PATCH", ruizPath, `{"wikidata_id":null}`, http.StatusOK, nil,
		"Content-Type", "application/merge-patch+json", "If-Match", w.Header().Get("ETag"))
	if got, ok := rawWikidataID(t, w.Body.Bytes()); ok {
		t.Errorf(`PATCH {"wikidata_id":null}: wikidata_id %q still there`, got)
	}
	w = f.json("GET", ruizPath, nil, http.StatusOK, nil)
	if _, ok := rawWikidataID(t, w.Body.Bytes()); ok {
		t.Errorf("GET after clearing: %s", w.Body)
	}
	// Now free for the other speaker.
	f.json("PATCH", bergPath, `{"wikidata_id":"Q3874799"}`, http.StatusOK, &p)
	if p.WikidataID != "Q3874799" {
		t.Errorf("Berg wikidata_id = %q, want Q3874799", p.WikidataID)
	}
}

func TestPatchSpeakerWikidataIDErrors(t *testing.T) {
	f := newQuoteFixture(t)
	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"wikidata_id":""}`, 422},
		{`{"wikidata_id":"q3874799"}`, 422},
		{`{"wikidata_id":"Q0"}`, 422},
		{`{"wikidata_id":"Q03874799"}`, 422},
		{`{"wikidata_id":"P31"}`, 422},
		{`{"wikidata_id":" Q42"}`, 422},
		{`{"wikidata_id":"Q1000000000000"}`, 422},
		{`{"wikidata_id":"https://www.wikidata.org/wiki/Q42"}`, 422},
		{`{"wikidata_id":42}`, 400},
		{`{"wikidata_id":["Q42"]}`, 400},
	} {
		t.Run(tc.body, func(t *testing.T) {
			w := f.do("PATCH", ruizPath, tc.body, "Content-Type", "application/json")
			if w.Code != tc.status {
				t.Fatalf("PATCH %s = %d, want %d; body %s", tc.body, w.Code, tc.status, w.Body)
			}
			p := checkProblem(t, w, tc.status)
			if tc.status == 422 {
				checkFields(t, p, []string{"wikidata_id"})
			}
		})
	}
	// A bad id with a bad name: both fields named.
	w := f.do("PATCH", ruizPath, `{"name":"","wikidata_id":"x"}`, "Content-Type", "application/json")
	if w.Code != 422 {
		t.Fatalf("PATCH bad name and id = %d, want 422", w.Code)
	}
	checkFields(t, checkProblem(t, w, 422), []string{"name", "wikidata_id"})
	var p attribution.SpeakerProfile
	f.json("GET", ruizPath, nil, http.StatusOK, &p)
	if p.WikidataID != "" || p.Name != "Ana Ruiz" {
		t.Errorf("after failed edits: %+v", p)
	}
}

func TestMergeSpeakersWikidataID(t *testing.T) {
	a := newTestAPI(t)
	a.json("POST", "/v1/articles", map[string]any{"text": "“We will not give up,” said Volodymyr Zelensky."}, http.StatusCreated, nil)
	a.json("POST", "/v1/articles", map[string]any{"text": "“Peace needs guarantees,” said Volodymyr Zelenskyy."}, http.StatusCreated, nil)
	into, from := "/v1/speakers/"+attribution.SpeakerID("Volodymyr Zelenskyy"), attribution.SpeakerID("Volodymyr Zelensky")
	// Only the merged speaker has an id: the kept one takes it.
	a.json("PATCH", "/v1/speakers/"+from, `{"wikidata_id":"Q3874799"}`, http.StatusOK, nil)
	var p attribution.SpeakerProfile
	a.json("POST", into+":merge", map[string]any{"from": []string{from}}, http.StatusOK, &p)
	if p.WikidataID != "Q3874799" || p.QuoteCount != 2 || !slices.Contains(p.Aliases, "Volodymyr Zelensky") {
		t.Errorf("merge = %+v, want Q3874799 from the merged speaker", p)
	}
}
