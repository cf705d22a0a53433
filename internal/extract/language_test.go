package extract

import "testing"

// TestWithLanguage: a language given fixes the rules: German word order for
// "de" where the text is too short to be guessed German, and only the cues
// of the language given.
func TestWithLanguage(t *testing.T) {
	x, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, lang, text, wantQuote, wantSpeaker string
	}{
		{"de: verb second, pronoun after the cue", "de", "Olaf Scholz besuchte Kiel. Am Montag sagte er: „Wir bleiben.“", "Wir bleiben.", "Olaf Scholz"},
		{"fr: French cue", "fr", "« Nous restons ici », a dit Marie Dubois.", "Nous restons ici", "Marie Dubois"},
		{"en: French cues are not English rules", "en", "« Nous restons ici », a dit Marie Dubois.", "", ""},
		{"de: English cues are not German rules", "de", "“We will stay,” Ana Ruiz said.", "", ""},
		{"en: English", "en", "“We will stay,” Ana Ruiz said.", "We will stay,", "Ana Ruiz"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			y := x.With(WithLanguage(tc.lang))
			res := y.Extract(tc.text)
			var gotQuote, gotSpeaker string
			if len(res.Quotes) > 0 {
				gotQuote = res.Quotes[0].Text
				if sp := res.Quotes[0].Speaker; sp != nil {
					gotSpeaker = sp.Name
				}
			}
			if gotQuote != tc.wantQuote || gotSpeaker != tc.wantSpeaker {
				t.Errorf("Extract(%q) with %q = quote %q by %q, want %q by %q", tc.text, tc.lang, gotQuote, gotSpeaker, tc.wantQuote, tc.wantSpeaker)
			}
		})
	}
	if x.lang != "" {
		t.Errorf("With changed the original extractor: lang %q", x.lang)
	}
	for _, l := range []string{"en", "de", "fr"} {
		if !IsLanguage(l) {
			t.Errorf("IsLanguage(%q) = false", l)
		}
	}
	for _, l := range []string{"", "es", "EN", "de-CH"} {
		if IsLanguage(l) {
			t.Errorf("IsLanguage(%q) = true", l)
		}
	}
}
