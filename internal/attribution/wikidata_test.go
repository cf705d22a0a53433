package attribution

import "testing"

func TestValidWikidataID(t *testing.T) {
	for id, want := range map[string]bool{
		"Q1":                                true,
		"Q42":                               true,
		"Q3874799":                          true,
		"Q999999999999":                     true, // 12 digits
		"Q1000000000000":                    false,
		"":                                  false,
		"Q":                                 false,
		"Q0":                                false,
		"Q042":                              false,
		"q42":                               false,
		"P31":                               false,
		"L7":                                false,
		" Q42":                              false,
		"Q42 ":                              false,
		"Q42\n":                             false,
		"Q4-2":                              false,
		"Q４２":                               false, // full-width digits
		"https://www.wikidata.org/wiki/Q42": false,
	} {
		if got := ValidWikidataID(id); got != want {
			t.Errorf("ValidWikidataID(%q) = %v, want %v", id, got, want)
		}
	}
	if got := WikidataURL("Q42"); got != "https://www.wikidata.org/wiki/Q42" {
		t.Errorf("WikidataURL(Q42) = %q", got)
	}
}
