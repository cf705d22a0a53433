package ingest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
)

func TestOneBody(t *testing.T) {
	tests := []struct {
		text, html bool
		wantFields []string
	}{
		{true, false, nil},
		{false, true, nil},
		{true, true, []string{"text", "html"}},
		{false, false, []string{"text", "html"}},
	}
	for _, tc := range tests {
		err := OneBody(tc.text, tc.html)
		var fields []string
		for _, e := range unjoin(err) {
			var fe *attribution.FieldError
			if !errors.As(e, &fe) {
				t.Fatalf("OneBody(%v, %v): %v is no FieldError", tc.text, tc.html, e)
			}
			fields = append(fields, fe.Field)
		}
		if diff := cmp.Diff(tc.wantFields, fields); diff != "" {
			t.Errorf("OneBody(%v, %v) fields (-want +got):\n%s", tc.text, tc.html, diff)
		}
	}
}

func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestFromHTML(t *testing.T) {
	const src = `<html lang="fr-CA"><head><title>Page title</title>
<meta property="article:published_time" content="2024-05-01T10:00:00Z"><meta name="author" content="Ana Ruiz"></head>
<body><nav>Menu</nav><p>&laquo; Oui &raquo;, a dit Marie Dubois.</p></body></html>`
	published := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		in   attribution.Article
		want attribution.Article
	}{
		{"the page fills what the request lacks", attribution.Article{},
			attribution.Article{Text: "« Oui », a dit Marie Dubois.", Title: "Page title", Byline: "Ana Ruiz", PublishedAt: published, Language: "fr-CA"}},
		{"the request wins", attribution.Article{Title: "Mine", Byline: "Li Wei", PublishedAt: published.Add(time.Hour), Language: "fr"},
			attribution.Article{Text: "« Oui », a dit Marie Dubois.", Title: "Mine", Byline: "Li Wei", PublishedAt: published.Add(time.Hour), Language: "fr"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := tc.in
			p, err := FromHTML(&a, src)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, a); diff != "" {
				t.Errorf("FromHTML article (-want +got):\n%s", diff)
			}
			if p.Byline != "Ana Ruiz" {
				t.Errorf("FromHTML byline = %q, want %q", p.Byline, "Ana Ruiz")
			}
		})
	}
	var a attribution.Article
	_, err := FromHTML(&a, `<nav>only a menu</nav><script>x()</script>`)
	var fe *attribution.FieldError
	if !errors.As(err, &fe) || fe.Field != "html" || !errors.Is(err, attribution.ErrInvalid) {
		t.Errorf("FromHTML(boilerplate only) = %v, want a FieldError on html", err)
	}
}

func TestRuleLanguage(t *testing.T) {
	for tag, want := range map[string]string{"": "", "en": "en", "en-GB": "en", "de-CH": "de", "fr": "fr", "FR-ca": "fr", "es": "", "not a tag": "", "zh-Hant": ""} {
		if got := RuleLanguage(tag); got != want {
			t.Errorf("RuleLanguage(%q) = %q, want %q", tag, got, want)
		}
	}
}
