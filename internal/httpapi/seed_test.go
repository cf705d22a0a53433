package httpapi

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
)

// TestSeedArticle is the proof on the seed article (Reuters,
// Riyadh talks, 2025-02-18), whose gold annotation lists Dmitry Peskov with
// two quoted spans and Volodymyr Zelenskyy with three quoted spans and one
// indirect statement.
func TestSeedArticle(t *testing.T) {
	raw, err := os.ReadFile("../extract/testdata/seed.gold.json")
	if err != nil {
		t.Fatal(err)
	}
	var gold struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &gold); err != nil {
		t.Fatal(err)
	}
	a := newTestAPI(t)
	body := map[string]any{
		"url":          "https://www.reuters.com/world/us-russian-officials-begin-meeting-riyadh-2025-02-18/",
		"title":        "US, Russian officials begin meeting in Riyadh",
		"text":         gold.Text,
		"published_at": "2025-02-18T09:00:00Z",
		"outlet":       "Reuters",
		"language":     "en",
	}
	var first ArticleResponse
	a.json("POST", "/v1/articles", body, http.StatusCreated, &first)
	if len(first.Quotes) < 9 {
		t.Fatalf("POST seed: %d quotes, want at least the 9 quoted spans of the gold data", len(first.Quotes))
	}

	// Dmitry Peskov: his two quotes, found by name.
	var peskov QuoteList
	a.json("GET", "/v1/quotes?speaker=Dmitry%20Peskov", nil, http.StatusOK, &peskov)
	var texts []string
	for _, q := range peskov.Quotes {
		texts = append(texts, q.Text)
	}
	slices.Sort(texts)
	wantPeskov := []string{
		"possible negotiations on a Ukrainian resolution, and organizing a meeting between the two presidents",
		"primarily devoted to restoring the whole complex of Russian-American relations",
	}
	if diff := cmp.Diff(wantPeskov, texts); diff != "" {
		t.Errorf("GET /v1/quotes?speaker=Dmitry Peskov (-want +got):\n%s", diff)
	}
	// The article never calls him just "Peskov", but no other speaker has
	// that surname: his quotes by surname, and with a title.
	for _, q := range []string{"peskov", "Mr%20Peskov"} {
		var bySurname QuoteList
		a.json("GET", "/v1/quotes?speaker="+q, nil, http.StatusOK, &bySurname)
		if len(bySurname.Quotes) != len(wantPeskov) {
			t.Errorf("GET /v1/quotes?speaker=%s = %d quotes, want %d", q, len(bySurname.Quotes), len(wantPeskov))
		}
	}

	// Volodymyr Zelenskyy: found by a prefix of his surname, with his 4
	// quotes: the 3 quoted spans of the gold data (two mixed in the
	// "did not know anything about" sentence, one in "He said on social
	// media ... 'robust and reliable'") and the indirect "Kyiv was not
	// invited to the discussions in Riyadh".
	var found SpeakerList
	a.json("GET", "/v1/speakers?q=zelensk", nil, http.StatusOK, &found)
	if len(found.Speakers) != 1 || found.Speakers[0].Name != "Volodymyr Zelenskyy" {
		t.Fatalf("GET /v1/speakers?q=zelensk = %v, want Volodymyr Zelenskyy alone", names(found.Speakers))
	}
	z := found.Speakers[0]
	// 4 statements: the three quotations of the seed (mixed) and one indirect.
	if z.QuoteCount != 4 || z.Counts[attribution.KindMixed] != 3 || z.Counts[attribution.KindIndirect] != 1 || z.Type != attribution.SpeakerPerson || !slices.Equal(z.Outlets, []string{"Reuters"}) {
		t.Errorf("Zelenskyy = %+v, want 4 quotes (3 quoted, 1 indirect), a person, quoted by Reuters", z)
	}
	// It calls Zelenskyy by his surname: an alias, case and diacritics
	// folded.
	var bySurname2 QuoteList
	a.json("GET", "/v1/quotes?speaker=ZELENSK%C3%9DY", nil, http.StatusOK, &bySurname2)
	if len(bySurname2.Quotes) != 4 {
		t.Errorf("GET /v1/quotes?speaker=ZELENSKÝY = %d quotes, want 4", len(bySurname2.Quotes))
	}
	var mixed QuoteList
	a.json("GET", "/v1/speakers/"+z.ID+"/quotes?kind=mixed", nil, http.StatusOK, &mixed)
	var quoted []string
	for _, q := range mixed.Quotes {
		quoted = append(quoted, q.Text)
	}
	slices.Sort(quoted)
	wantQuoted := []string{
		"cannot recognize any things or any agreements about us without us",
		"did not know anything about",
		"robust and reliable",
	}
	if diff := cmp.Diff(wantQuoted, quoted); diff != "" {
		t.Errorf("Zelenskyy's quoted words (-want +got):\n%s", diff)
	}

	// Posting it again creates nothing.
	var again ArticleResponse
	a.json("POST", "/v1/articles", body, http.StatusOK, &again)
	if again.Article.ID != first.Article.ID || len(again.Quotes) != len(first.Quotes) {
		t.Errorf("POST seed again = article %s with %d quotes, want %s with %d", again.Article.ID, len(again.Quotes), first.Article.ID, len(first.Quotes))
	}
	var all QuoteList
	a.json("GET", "/v1/quotes?page_size=100", nil, http.StatusOK, &all)
	if len(all.Quotes) != len(first.Quotes) {
		t.Errorf("after posting twice: %d stored quotes, want %d", len(all.Quotes), len(first.Quotes))
	}
	var z2 attribution.SpeakerProfile
	a.json("GET", "/v1/speakers/"+z.ID, nil, http.StatusOK, &z2)
	if z2.QuoteCount != 4 {
		t.Errorf("Zelenskyy after posting twice: %d quotes, want 4", z2.QuoteCount)
	}
	// The same text without URL is the same article too.
	delete(body, "url")
	a.json("POST", "/v1/articles", body, http.StatusOK, &again)
	if again.Article.ID != first.Article.ID {
		t.Errorf("POST seed without URL = %s, want the stored %s", again.Article.ID, first.Article.ID)
	}
}
