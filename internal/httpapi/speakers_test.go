package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
)

var (
	ruizPath  = "/v1/speakers/" + attribution.SpeakerID("Ana Ruiz")
	bergPath  = "/v1/speakers/" + attribution.SpeakerID("Jonas Berg")
	etagShape = regexp.MustCompile(`^"[1-9][0-9]*"$`)
)

// names lists the names of speakers.
func names(ps []attribution.SpeakerProfile) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestSearchSpeakers(t *testing.T) {
	f := newQuoteFixture(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"q=ruiz", []string{"Ana Ruiz"}},
		{"q=RU", []string{"Ana Ruiz"}},
		{"q=r%C3%BA", []string{"Ana Ruiz"}},
		{"q=ana+ru", []string{"Ana Ruiz"}},
		{"q=berg", []string{"Jonas Berg"}},
		{"q=zz", []string{}},
		{"", []string{"Ana Ruiz", "Jonas Berg", "Marta Olsen"}},
		{"q=+", []string{"Ana Ruiz", "Jonas Berg", "Marta Olsen"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			var got SpeakerList
			f.json("GET", "/v1/speakers?"+tc.query, nil, http.StatusOK, &got)
			if diff := cmp.Diff(tc.want, names(got.Speakers)); diff != "" || got.NextPageToken != "" {
				t.Errorf("GET /v1/speakers?%s (-want +got):\n%s\nnext %q", tc.query, diff, got.NextPageToken)
			}
		})
	}

	var got SpeakerList
	f.json("GET", "/v1/speakers?q=ruiz", nil, http.StatusOK, &got)
	p := got.Speakers[0]
	want := attribution.SpeakerProfile{
		ID: attribution.SpeakerID("Ana Ruiz"), Name: "Ana Ruiz", Type: attribution.SpeakerPerson,
		QuoteCount:  3,
		Counts:      map[attribution.Kind]int{attribution.KindDirect: 2, attribution.KindMixed: 0, attribution.KindIndirect: 1},
		FirstQuoted: time.Date(2025, 2, 18, 8, 30, 0, 0, time.UTC),
		LastQuoted:  time.Date(2025, 2, 20, 10, 0, 0, 0, time.UTC),
		Outlets:     []string{"Daily", "Harbour Times"},
	}
	if diff := cmp.Diff(want, p, cmpProfileFigures); diff != "" {
		t.Errorf("GET /v1/speakers?q=ruiz figures (-want +got):\n%s", diff)
	}

	// One speaker per page, all of them in name order.
	var all []string
	next := ""
	for i := 0; i < 5; i++ {
		target := "/v1/speakers?page_size=1"
		if next != "" {
			target += "&page_token=" + next
		}
		var page SpeakerList
		f.json("GET", target, nil, http.StatusOK, &page)
		all = append(all, names(page.Speakers)...)
		if next = page.NextPageToken; next == "" {
			break
		}
	}
	if diff := cmp.Diff([]string{"Ana Ruiz", "Jonas Berg", "Marta Olsen"}, all); diff != "" {
		t.Errorf("speakers page by page (-want +got):\n%s", diff)
	}

	var first SpeakerList
	f.json("GET", "/v1/speakers?page_size=1", nil, http.StatusOK, &first)
	for _, q := range []string{
		"q=berg&page_token=" + first.NextPageToken,
		"page_token=garbage",
		"page_size=-1",
		"page_size=x",
		"q=" + strings.Repeat("a", maxQueryBytes+1),
	} {
		t.Run(q, func(t *testing.T) {
			w := f.do("GET", "/v1/speakers?"+q, "")
			if w.Code != http.StatusBadRequest {
				t.Fatalf("GET /v1/speakers?%.60s = %d, want 400; body %s", q, w.Code, w.Body)
			}
			checkProblem(t, w, http.StatusBadRequest)
		})
	}
	// A quote token is no speaker token.
	var quotes QuoteList
	f.json("GET", "/v1/quotes?page_size=1", nil, http.StatusOK, &quotes)
	if w := f.do("GET", "/v1/speakers?page_token="+quotes.NextPageToken, ""); w.Code != http.StatusBadRequest {
		t.Errorf("GET /v1/speakers with a quote token = %d, want 400", w.Code)
	}
}

// cmpProfileFigures compares what the fixture fixes, not version or times
// of edits, nor aliases and roles, which come from the extractor.
var cmpProfileFigures = cmp.FilterPath(func(p cmp.Path) bool {
	switch p.Last().String() {
	case ".Aliases", ".Roles", ".Version", ".UpdatedAt":
		return true
	}
	return false
}, cmp.Ignore())

func TestGetSpeaker(t *testing.T) {
	f := newQuoteFixture(t)
	var p attribution.SpeakerProfile
	w := f.json("GET", bergPath, nil, http.StatusOK, &p)
	if p.Name != "Jonas Berg" || p.QuoteCount != 1 || !slices.Equal(p.Outlets, []string{"Daily"}) {
		t.Errorf("GET %s = %+v", bergPath, p)
	}
	if et := w.Header().Get("ETag"); !etagShape.MatchString(et) {
		t.Errorf("GET %s ETag = %q, want a quoted version", bergPath, et)
	}
	if !slices.Contains(p.Aliases, "Berg") {
		t.Errorf("aliases = %q, want the surname the article used", p.Aliases)
	}
	w = f.do("GET", "/v1/speakers/spk_0000000000000000", "")
	if w.Code != http.StatusNotFound {
		t.Fatalf("GET unknown speaker = %d, want 404", w.Code)
	}
	checkProblem(t, w, http.StatusNotFound)
}

func TestSpeakerQuotes(t *testing.T) {
	f := newQuoteFixture(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"", []string{"B0", "A1", "A0"}},
		{"?kind=direct", []string{"B0", "A0"}},
		{"?q=cafe&outlet=Daily", []string{"B0"}},
		{"?to=2025-02-19", []string{"A1", "A0"}},
	} {
		got, next := f.list(ruizPath + "/quotes" + tc.query)
		if diff := cmp.Diff(tc.want, got); diff != "" || next != "" {
			t.Errorf("GET %s/quotes%s (-want +got):\n%s\nnext %q", ruizPath, tc.query, diff, next)
		}
	}
	got, next := f.list(ruizPath + "/quotes?page_size=2")
	rest, last := f.list(ruizPath + "/quotes?page_size=2&page_token=" + next)
	if diff := cmp.Diff([]string{"B0", "A1", "A0"}, append(got, rest...)); diff != "" || last != "" {
		t.Errorf("GET %s/quotes in pages of 2 (-want +got):\n%s", ruizPath, diff)
	}
	for _, tc := range []struct {
		target string
		status int
	}{
		{bergPath + "/quotes?page_token=" + next, 400}, // another speaker's token
		{ruizPath + "/quotes?kind=x", 400},
		{ruizPath + "/quotes?page_size=-3", 400},
		{"/v1/speakers/spk_0000000000000000/quotes", 404},
		{"/v1/speakers/Ana%20Ruiz/quotes", 404}, // ids only
	} {
		w := f.do("GET", tc.target, "")
		if w.Code != tc.status {
			t.Errorf("GET %s = %d, want %d; body %s", tc.target, w.Code, tc.status, w.Body)
			continue
		}
		checkProblem(t, w, tc.status)
	}
}

func TestPatchSpeaker(t *testing.T) {
	f := newQuoteFixture(t)
	w := f.json("GET", ruizPath, nil, http.StatusOK, nil)
	etag1 := w.Header().Get("ETag")

	// An edit with the current ETag: a new ETag.
	var p attribution.SpeakerProfile
	w = f.json("PATCH", ruizPath, `{"aliases":["Ana Ruíz Gómez","Ruiz"]}`, http.StatusOK, &p, "If-Match", etag1)
	etag2 := w.Header().Get("ETag")
	if !etagShape.MatchString(etag2) || etag2 == etag1 {
		t.Errorf("PATCH ETag = %q after %q, want a new quoted version", etag2, etag1)
	}
	if diff := cmp.Diff([]string{"Ana Ruíz Gómez", "Ruiz"}, p.Aliases); diff != "" {
		t.Errorf("aliases after PATCH (-want +got):\n%s", diff)
	}
	if w := f.json("GET", ruizPath, nil, http.StatusOK, nil); w.Header().Get("ETag") != etag2 {
		t.Errorf("GET after PATCH: ETag %q, want %q", w.Header().Get("ETag"), etag2)
	}

	// The old ETag is stale now.
	w = f.json("PATCH", ruizPath, `{"aliases":[]}`, http.StatusPreconditionFailed, nil, "If-Match", etag1)
	checkProblem(t, w, http.StatusPreconditionFailed)
	w = f.json("PATCH", ruizPath, `{"aliases":[]}`, http.StatusPreconditionFailed, nil, "If-Match", `"abc"`)
	checkProblem(t, w, http.StatusPreconditionFailed)
	w = f.json("PATCH", ruizPath, `{"aliases":[]}`, http.StatusPreconditionFailed, nil, "If-Match", `"999", "998"`)
	checkProblem(t, w, http.StatusPreconditionFailed)

	// A rename as a merge patch, If-Match * (any version), keeping the old
	// name: it becomes an alias, quotes carry the new name.
	w = f.json("PATCH", ruizPath, `{"name":"Ana María Ruiz","keep_old_name":true}`, http.StatusOK, &p,
		"Content-Type", "application/merge-patch+json", "If-Match", "*")
	if p.Name != "Ana María Ruiz" || !slices.Contains(p.Aliases, "Ana Ruiz") || p.QuoteCount != 3 {
		t.Errorf("PATCH name = %+v, want the new name, the old one as an alias, 3 quotes", p)
	}
	var q QuoteDetail
	f.json("GET", "/v1/quotes/"+f.q["A0"].ID, nil, http.StatusOK, &q)
	if q.Speaker == nil || q.Speaker.Name != "Ana María Ruiz" {
		t.Errorf("quote speaker after rename = %+v, want Ana María Ruiz", q.Speaker)
	}
	if got, _ := f.list("/v1/quotes?speaker=Ana+Ruiz"); len(got) != 3 {
		t.Errorf("GET /v1/quotes?speaker=<old name> = %v, want 3 quotes", got)
	}
	// A weak tag of the current version does not match (strong
	// comparison); the strong tag does, also in a list.
	etag3 := w.Header().Get("ETag")
	w = f.json("PATCH", ruizPath, `{"aliases":null}`, http.StatusPreconditionFailed, nil, "If-Match", "W/"+etag3)
	if p := checkProblem(t, w, http.StatusPreconditionFailed); !strings.Contains(p["detail"].(string), etag3) {
		t.Errorf("412 detail %q does not give the current ETag %s", p["detail"], etag3)
	}
	f.json("PATCH", ruizPath, `{"aliases":null}`, http.StatusOK, &p, "If-Match", `"998", W/`+etag3+`, `+etag3)
	if len(p.Aliases) != 0 {
		t.Errorf(`PATCH {"aliases":null}: aliases %q, want none`, p.Aliases)
	}
}

func TestPatchSpeakerErrors(t *testing.T) {
	f := newQuoteFixture(t)
	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("Alias %d", i)
	}
	manyJSON, _ := json.Marshal(map[string]any{"aliases": many})
	long := strings.Repeat("n", 201)
	for _, tc := range []struct {
		name, target, contentType, body string
		headers                         []string
		status                          int
		fields                          []string
	}{
		{name: "name of another speaker", body: `{"name":"JONAS BERG"}`, status: 409},
		{name: "alias of another speaker", body: `{"aliases":["Berg"]}`, status: 409},
		{name: "empty name", body: `{"name":""}`, status: 422, fields: []string{"name"}},
		{name: "name without letters", body: `{"name":"!!!"}`, status: 422, fields: []string{"name"}},
		{name: "long name", body: `{"name":"` + long + `"}`, status: 422, fields: []string{"name"}},
		{name: "null name", body: `{"name":null}`, status: 422, fields: []string{"name"}},
		{name: "too many aliases", body: string(manyJSON), status: 422, fields: []string{"aliases"}},
		{name: "empty alias", body: `{"aliases":["ok",""]}`, status: 422, fields: []string{"aliases"}},
		{name: "long alias", body: `{"aliases":["` + long + `"]}`, status: 422, fields: []string{"aliases"}},
		{name: "unknown field", body: `{"nick":"x"}`, status: 400},
		{name: "name a number", body: `{"name":5}`, status: 400},
		{name: "aliases a string", body: `{"aliases":"x"}`, status: 400},
		{name: "an array", body: `[1]`, status: 400},
		{name: "null", body: `null`, status: 400},
		{name: "syntax", body: `{`, status: 400},
		{name: "text/plain", contentType: "text/plain", body: `{}`, status: 415},
		{name: "too large", body: `{"name":"` + strings.Repeat("x", MaxJSONBody) + `"}`, status: 413},
		{name: "unknown speaker", target: "/v1/speakers/spk_0000000000000000", body: `{"name":"X"}`, status: 404},
		{name: "unknown speaker, bad If-Match", target: "/v1/speakers/spk_0000000000000000", body: `{"name":"X"}`,
			headers: []string{"If-Match", `"x"`}, status: 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.target
			if target == "" {
				target = ruizPath
			}
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			w := f.do("PATCH", target, tc.body, append([]string{"Content-Type", ct}, tc.headers...)...)
			if w.Code != tc.status {
				t.Fatalf("PATCH %s %.60s = %d, want %d; body %.300s", target, tc.body, w.Code, tc.status, w.Body)
			}
			p := checkProblem(t, w, tc.status)
			if tc.fields != nil {
				checkFields(t, p, tc.fields)
			}
		})
	}
	// Nothing changed.
	var p attribution.SpeakerProfile
	f.json("GET", ruizPath, nil, http.StatusOK, &p)
	if p.Name != "Ana Ruiz" {
		t.Errorf("after failed edits: name %q, want Ana Ruiz", p.Name)
	}
}

func TestMergeSpeakers(t *testing.T) {
	a := newTestAPI(t)
	a.json("POST", "/v1/articles", map[string]any{"text": "“We will not give up,” said Volodymyr Zelensky."}, http.StatusCreated, nil)
	a.json("POST", "/v1/articles", map[string]any{"text": "“Peace needs guarantees,” said Volodymyr Zelenskyy."}, http.StatusCreated, nil)
	into, from := attribution.SpeakerID("Volodymyr Zelenskyy"), attribution.SpeakerID("Volodymyr Zelensky")
	intoPath := "/v1/speakers/" + into

	w := a.json("GET", intoPath, nil, http.StatusOK, nil)
	before := w.Header().Get("ETag")
	var p attribution.SpeakerProfile
	w = a.json("POST", intoPath+":merge", map[string]any{"from": []string{from}}, http.StatusOK, &p)
	if p.ID != into || p.QuoteCount != 2 || !slices.Contains(p.Aliases, "Volodymyr Zelensky") {
		t.Errorf("POST %s:merge = %+v, want 2 quotes and the other name as an alias", intoPath, p)
	}
	if et := w.Header().Get("ETag"); !etagShape.MatchString(et) || et == before {
		t.Errorf("merge ETag = %q (before %q), want a new version", et, before)
	}
	if w := a.do("GET", "/v1/speakers/"+from, ""); w.Code != http.StatusNotFound {
		t.Errorf("GET merged-away speaker = %d, want 404", w.Code)
	}
	var quotes QuoteList
	a.json("GET", "/v1/quotes?speaker=Volodymyr+Zelensky", nil, http.StatusOK, &quotes)
	if len(quotes.Quotes) != 2 {
		t.Errorf("GET /v1/quotes?speaker=<merged name> = %d quotes, want 2", len(quotes.Quotes))
	}

	hundredOne := make([]string, 101)
	for i := range hundredOne {
		hundredOne[i] = fmt.Sprintf("spk_%016d", i)
	}
	hundredOneJSON, _ := json.Marshal(map[string]any{"from": hundredOne})
	for _, tc := range []struct {
		name, target, contentType, body string
		status                          int
		fields                          []string
		allow                           string
	}{
		{name: "into itself", body: `{"from":["` + into + `"]}`, status: 422, fields: []string{"from"}},
		{name: "empty from", body: `{"from":[]}`, status: 422, fields: []string{"from"}},
		{name: "no from", body: `{}`, status: 422, fields: []string{"from"}},
		{name: "too many", body: string(hundredOneJSON), status: 422, fields: []string{"from"}},
		{name: "unknown from", body: `{"from":["` + from + `"]}`, status: 404},
		{name: "unknown target", target: "/v1/speakers/spk_0000000000000000:merge", body: `{"from":["` + into + `"]}`, status: 404},
		{name: "from a string", body: `{"from":"x"}`, status: 400},
		{name: "unknown field", body: `{"from":["x"],"into":"y"}`, status: 400},
		{name: "syntax", body: `{"from":`, status: 400},
		{name: "text/plain", contentType: "text/plain", body: `{"from":["x"]}`, status: 415},
		{name: "too large", body: `{"from":["` + strings.Repeat("x", MaxJSONBody) + `"]}`, status: 413},
		{name: "unknown action", target: intoPath + ":split", body: `{}`, status: 404},
		{name: "no action", target: intoPath, body: `{}`, status: 405, allow: "GET, PATCH"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.target
			if target == "" {
				target = intoPath + ":merge"
			}
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			w := a.do("POST", target, tc.body, "Content-Type", ct)
			if w.Code != tc.status {
				t.Fatalf("POST %s %.60s = %d, want %d; body %.300s", target, tc.body, w.Code, tc.status, w.Body)
			}
			p := checkProblem(t, w, tc.status)
			if tc.fields != nil {
				checkFields(t, p, tc.fields)
			}
			if got := w.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
		})
	}
}

// POST /v1/speakers creates a speaker; PATCH sets type and roles; a rename
// without keep_old_name drops the old name; a title or a surname finds a
// speaker in a listing.
func TestCreateAndFixSpeaker(t *testing.T) {
	f := newTestAPI(t)
	f.json("POST", "/v1/articles", map[string]any{"url": "https://example.com/pm", "outlet": "Gazette",
		"text": "\u201cWe will build the homes,\u201d the Prime Minister said.\n\n\u201cThis is a disgrace,\u201d said Dr Sarah Wollaston.\n"}, http.StatusCreated, nil)

	var sp attribution.SpeakerProfile
	w := f.json("POST", "/v1/speakers", `{"name":"Keir Starmer","roles":["Prime Minister"],"aliases":["Sir Keir"],"wikidata_id":"Q6383"}`, http.StatusCreated, &sp)
	if sp.Name != "Keir Starmer" || sp.Type != attribution.SpeakerPerson || sp.WikidataID != "Q6383" || w.Header().Get("Location") != "/v1/speakers/"+sp.ID || w.Header().Get("ETag") != `"1"` {
		t.Errorf("created %+v, Location %q, ETag %q", sp, w.Header().Get("Location"), w.Header().Get("ETag"))
	}
	for body, status := range map[string]int{
		`{"name":"Keir Starmer"}`:                      http.StatusConflict,
		`{"name":"K. Starmer","aliases":["sir keir"]}`: http.StatusConflict,
		`{"name":"X","wikidata_id":"Q6383"}`:           http.StatusConflict,
		`{"name":""}`:                                  http.StatusUnprocessableEntity,
		`{"name":"X","type":"group"}`:                  http.StatusUnprocessableEntity,
		`{"name":"X","roles":[""]}`:                    http.StatusUnprocessableEntity,
		`{"name":"X","colour":"red"}`:                  http.StatusBadRequest,
		`[1]`:                                          http.StatusBadRequest,
	} {
		w := f.json("POST", "/v1/speakers", body, status, nil)
		checkProblem(t, w, status)
	}
	big := f.do("POST", "/v1/speakers", `{"name":"`+strings.Repeat("x", MaxJSONBody)+`"}`, "Content-Type", "application/json")
	checkProblem(t, big, http.StatusRequestEntityTooLarge)
	// The quote a role-only name got moves to the speaker made for it.
	var page QuoteList
	f.json("GET", "/v1/quotes?speaker=Prime+Minister", nil, http.StatusOK, &page)
	if len(page.Quotes) != 1 {
		t.Fatalf("quotes of the Prime Minister: %d, want 1", len(page.Quotes))
	}
	f.json("PATCH", "/v1/quotes/"+page.Quotes[0].ID, map[string]any{"speaker_id": sp.ID}, http.StatusOK, nil)
	f.json("GET", "/v1/speakers/"+sp.ID+"/quotes", nil, http.StatusOK, &page)
	if len(page.Quotes) != 1 {
		t.Errorf("quotes of Keir Starmer after the correction: %d, want 1", len(page.Quotes))
	}

	// Type and roles; a rename that drops the old name.
	var pm SpeakerList
	f.json("GET", "/v1/speakers?q=prime", nil, http.StatusOK, &pm)
	var pmID string
	for _, x := range pm.Speakers {
		if x.Name == "Prime Minister" {
			pmID = x.ID
		}
	}
	if pmID == "" {
		t.Fatalf("no speaker Prime Minister in %+v", pm.Speakers)
	}
	f.json("PATCH", "/v1/speakers/"+pmID, `{"name":"Downing Street","type":"organization","roles":["government"]}`, http.StatusOK, &sp)
	if sp.Name != "Downing Street" || sp.Type != attribution.SpeakerOrganization || !slices.Equal(sp.Roles, []string{"government"}) || len(sp.Aliases) != 0 {
		t.Errorf("after PATCH: %+v; want Downing Street, organization, [government], no aliases", sp)
	}
	f.json("GET", "/v1/quotes?speaker=Prime+Minister", nil, http.StatusOK, &page)
	if len(page.Quotes) != 0 {
		t.Errorf("the old name still finds %d quotes", len(page.Quotes))
	}
	for body, status := range map[string]int{`{"type":"anonymous"}`: 422, `{"type":null}`: 422, `{"roles":"x"}`: 400, `{"keep_old_name":"yes"}`: 400} {
		w := f.json("PATCH", "/v1/speakers/"+pmID, body, status, nil)
		checkProblem(t, w, status)
	}

	// Surname and title: the article wrote "Dr Sarah Wollaston" only.
	for _, q := range []string{"Wollaston", "Dr+Wollaston", "Ms+Sarah+Wollaston"} {
		f.json("GET", "/v1/quotes?speaker="+q, nil, http.StatusOK, &page)
		if len(page.Quotes) != 1 || page.Quotes[0].Speaker == nil || page.Quotes[0].Speaker.Name != "Sarah Wollaston" {
			t.Errorf("GET /v1/quotes?speaker=%s = %+v, want her quote", q, page.Quotes)
		}
	}
}
