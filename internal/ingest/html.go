package ingest

import (
	"errors"
	"fmt"

	"golang.org/x/text/language"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/extract"
	"github.com/whosaid/whosaid/internal/page"
)

// Limits of article fields shared by the API and whosaid ingest, in bytes.
const (
	// MaxLanguageBytes is the longest language tag accepted.
	MaxLanguageBytes = 35
	// MaxBylineBytes is the longest byline accepted (a page's longer one
	// is cut).
	MaxBylineBytes = 200
)

// OneBody checks that an article request gives exactly one of text and
// html: both or neither are *attribution.FieldError values for both
// fields, joined.
func OneBody(hasText, hasHTML bool) error {
	switch {
	case hasText && hasHTML:
		return errors.Join(
			&attribution.FieldError{Field: "text", Reason: "must not be sent with html: send exactly one of text and html"},
			&attribution.FieldError{Field: "html", Reason: "must not be sent with text: send exactly one of text and html"})
	case !hasText && !hasHTML:
		return errors.Join(
			&attribution.FieldError{Field: "text", Reason: "is required (or html): send exactly one of text and html"},
			&attribution.FieldError{Field: "html", Reason: "is required (or text): send exactly one of text and html"})
	}
	return nil
}

// FromHTML sets a's text to the article text of an HTML page (see package
// page) and its title, byline, publication time and language to the
// page's where a has none. src must be valid UTF-8. A page with no article
// text is a *attribution.FieldError for html.
func FromHTML(a *attribution.Article, src string) (page.Page, error) {
	p, err := page.Read(src)
	if errors.Is(err, page.ErrNoText) {
		return p, &attribution.FieldError{Field: "html", Reason: "holds no article text once navigation, scripts, asides, captions and other boilerplate are removed"}
	}
	if err != nil {
		return p, fmt.Errorf("read html: %w", err)
	}
	a.Text = p.Text
	if a.Title == "" {
		a.Title = p.Title
	}
	if a.Byline == "" {
		a.Byline = p.Byline
	}
	if a.PublishedAt.IsZero() {
		a.PublishedAt = p.PublishedAt
	}
	if a.Language == "" && p.Language != "" && len(p.Language) <= MaxLanguageBytes {
		if tag, err := language.Parse(p.Language); err == nil {
			a.Language = tag.String()
		}
	}
	return p, nil
}

// RuleLanguage is the language of the extraction rules for a BCP 47 tag:
// its base language when the extractor has rules for it ("de" for
// "de-CH"), else "" (the extractor guesses).
func RuleLanguage(tag string) string {
	if tag == "" {
		return ""
	}
	t, err := language.Parse(tag)
	if err != nil {
		return ""
	}
	base, _ := t.Base()
	if l := base.String(); extract.IsLanguage(l) {
		return l
	}
	return ""
}
