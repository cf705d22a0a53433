package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/extract"
)

func TestSpeakerPool(t *testing.T) {
	if len(speakerPool) != 50 {
		t.Errorf("speakerPool has %d names, want 50", len(speakerPool))
	}
	seen := map[string]bool{}
	for _, n := range speakerPool {
		if seen[n] {
			t.Errorf("duplicate name %q", n)
		}
		seen[n] = true
		if len(strings.Fields(n)) != 2 {
			t.Errorf("%q: want a first name and a surname", n)
		}
	}
}

func TestGenArticleDeterministicAndUnique(t *testing.T) {
	a, b := genArticle("r1", 7, 10), genArticle("r1", 7, 10)
	if a != b {
		t.Fatal("same run and number gave different articles")
	}
	urls := map[string]bool{}
	texts := map[string]bool{}
	for n := range 200 {
		x := genArticle("r1", n, 10)
		if urls[x.URL] || texts[x.Text] {
			t.Fatalf("article %d repeats an earlier URL or text", n)
		}
		urls[x.URL], texts[x.Text] = true, true
	}
	if genArticle("r2", 7, 10).URL == a.URL {
		t.Error("another run gave the same URL")
	}
}

func TestGenArticleShape(t *testing.T) {
	for n := range 20 {
		a := genArticle("shape", n, 10)
		if got := strings.Count(a.Text, "\""); got != 20 {
			t.Errorf("article %d: %d quotation marks, want 20 (10 quotes)", n, got)
		}
		if a.Title == "" || a.PublishedAt == "" || !strings.HasPrefix(a.URL, "https://example.com/load/shape/") {
			t.Errorf("article %d: incomplete %+v", n, a)
		}
		if l := len(a.Text); l < 1500 || l > 4000 {
			t.Errorf("article %d: %d bytes, want 1.5 to 4 KB", n, l)
		}
	}
}

// TestGenArticleExtracted checks that the extractor finds the generated
// direct quotes and attributes most of them to pool names, which the
// speaker scenario asks for.
func TestGenArticleExtracted(t *testing.T) {
	x, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	direct, pooled, total := 0, 0, 0
	const articles = 30
	for n := range articles {
		res := x.Extract(genArticle("ex", n, 10).Text)
		total += len(res.Quotes)
		for _, q := range res.Quotes {
			if q.Kind != attribution.KindDirect {
				continue
			}
			direct++
			if q.Speaker != nil && slices.Contains(speakerPool, q.Speaker.Name) {
				pooled++
			}
		}
	}
	if direct != 10*articles {
		t.Errorf("%d direct quotes in %d articles, want %d", direct, articles, 10*articles)
	}
	if pooled < direct*9/10 {
		t.Errorf("only %d of %d direct quotes attributed to a pool name", pooled, direct)
	}
	t.Logf("%d articles: %d quotes, %d direct, %d by pool names", articles, total, direct, pooled)
}

func TestArticle5k(t *testing.T) {
	if l := len(article5k); l < 4500 || l > 5500 {
		t.Errorf("testdata/article5k.txt has %d bytes, want about 5 KB", l)
	}
	x, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	res := x.Extract(article5k)
	kinds := map[attribution.Kind]int{}
	speakers := map[string]bool{}
	for _, q := range res.Quotes {
		kinds[q.Kind]++
		if q.Speaker != nil {
			speakers[q.Speaker.Name] = true
		}
	}
	if kinds[attribution.KindDirect] < 10 || kinds[attribution.KindIndirect] < 3 {
		t.Errorf("quotes by kind %v: want at least 10 direct and 3 indirect", kinds)
	}
	for _, name := range []string{"Helena Brandvik", "Ingrid Solheim", "Tomasz Adeyemi", "Daniel Achterberg"} {
		if !speakers[name] && !speakers["Mayor "+name] && !speakers["Councillor "+name] {
			t.Errorf("no quote attributed to %s; speakers: %v", name, speakers)
		}
	}
}

func TestNDJSON(t *testing.T) {
	arts := []Article{genArticle("nd", 1, 3), genArticle("nd", 2, 3)}
	b, err := ndjson(arts)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSuffix(b, []byte("\n")), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	for i, l := range lines {
		var got Article
		if err := json.Unmarshal(l, &got); err != nil {
			t.Fatal(err)
		}
		if got != arts[i] {
			t.Errorf("line %d does not round-trip", i+1)
		}
	}
	if !bytes.Contains(b, []byte(`"text":"`)) {
		t.Errorf("unexpected encoding: %.200s", b)
	}
}
