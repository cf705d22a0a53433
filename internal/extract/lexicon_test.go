package extract

import (
	"strings"
	"testing"
)

// TestLexicon checks the cue files load and hold what the sieves rely on.
func TestLexicon(t *testing.T) {
	lx, err := loadLexicon()
	if err != nil {
		t.Fatalf("loadLexicon() error = %v", err)
	}
	if n := len(lx.forms); n < 1000 {
		t.Errorf("lexicon has %d cue forms, want at least 1000", n)
	}
	tests := []struct {
		form   string
		class  CueClass
		lang   string
		strong bool
	}{
		{"said", ClassSpeech, "en", true},
		{"told", ClassSpeech, "en", true},
		{"tweeted", ClassSpeech, "en", true},
		{"defended", ClassSpeech, "en", false},
		{"according to", ClassSource, "en", false},
		{"posted on social media", ClassSpeech, "en", false},
		{"thinks", ClassBelief, "en", true},
		{"sagte", ClassSpeech, "de", true},
		{"laut", ClassSource, "de", false},
		{"a déclaré", ClassSpeech, "fr", true},
	}
	for _, tc := range tests {
		e, ok := lx.forms[tc.form]
		if !ok {
			t.Errorf("form %q missing", tc.form)
			continue
		}
		if e.Class != tc.class || e.Lang != tc.lang || e.Strong != tc.strong {
			t.Errorf("form %q = class %d lang %s strong %v, want %d %s %v", tc.form, e.Class, e.Lang, e.Strong, tc.class, tc.lang, tc.strong)
		}
	}
	if !lx.forms["told"].Obj {
		t.Error(`"told" should take an addressee (obj)`)
	}
	for _, list := range []string{"pronouns", "titles", "heads", "orgs", "countries", "skip"} {
		if len(lx.words[list]) == 0 {
			t.Errorf("word list %s is empty", list)
		}
	}
	if lx.firstMF["james"] != 'm' || lx.firstMF["mary"] != 'f' {
		t.Error("first names lost their gender")
	}
}

func TestLexiconErrors(t *testing.T) {
	lx := &Lexicon{forms: map[string]cueEntry{}, words: map[string]map[string]bool{}, firstMF: map[string]byte{}}
	for _, bad := range []string{"speech", "nonsense\tsay", "speech\t"} {
		err := lx.addCues("xx", bad+"\n")
		if bad == "speech\t" {
			continue // a line with no forms is skipped, not an error
		}
		if err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("addCues(%q) error = %v, want one naming line 1", bad, err)
		}
	}
	if err := lx.addList("firstnames", "x john\n"); err == nil {
		t.Error("a first name without m/f should be an error")
	}
}
