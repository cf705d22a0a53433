package attribution

import (
	"errors"
	"net/url"
	"strings"
	"time"
)

// Article is one news article whose text is searched for quotes.
type Article struct {
	// ID is assigned by the store when the article is created.
	ID string `json:"id"`
	// URL is where the article was published; optional but unique when set.
	URL   string `json:"url,omitempty"`
	Title string `json:"title,omitempty"`
	// Byline names the authors ("Ana Ruiz and Li Wei"), as the request or
	// the page gave it.
	Byline string `json:"byline,omitempty" example:"Priya Natarajan"`
	// Text is the body exactly as received; quote offsets point into it.
	Text        string    `json:"text"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	// Outlet names the publisher ("Reuters").
	Outlet string `json:"outlet,omitempty"`
	// Language is a BCP 47 tag ("en", "de").
	Language string `json:"language,omitempty"`
	// CreatedAt is set by the store when the article is created.
	CreatedAt time.Time `json:"created_at"`
	// Revision is 1 for the text first stored at the article's URL and
	// grows by one each time the URL is sent with another text (an
	// update of the article: its quotes are extracted again). Set by the
	// store.
	Revision int `json:"revision" example:"2" minimum:"1"`
	// UpdatedAt is when the stored text last changed: CreatedAt until the
	// first revision. Set by the store.
	UpdatedAt time.Time `json:"updated_at" example:"2025-02-18T12:05:00.456Z"`
} // @name Article

// Validate reports every invalid field of a new article as *FieldError
// values joined together; nil means the article may be stored.
func (a *Article) Validate() error {
	var errs []error
	if strings.TrimSpace(a.Text) == "" {
		errs = append(errs, &FieldError{Field: "text", Reason: "must not be empty"})
	}
	if a.URL != "" {
		u, err := url.Parse(a.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, &FieldError{Field: "url", Reason: "must be an absolute http or https URL"})
		}
	}
	return errors.Join(errs...)
}

// ParsePublished reads a publication time as every way in accepts it: an
// RFC 3339 date-time (2025-02-18T09:30:00Z, any offset, turned to UTC) or
// a bare date (2025-02-18, midnight UTC), years 0001 to 9999 in UTC.
func ParsePublished(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, s); err != nil {
			return time.Time{}, &FieldError{Field: "published_at", Reason: "must be an RFC 3339 date-time such as 2025-02-18T09:30:00Z or a date such as 2025-02-18"}
		}
	}
	// RFC 3339 has four-digit years; an offset can push a valid date past
	// them in UTC, which could not be written back.
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return time.Time{}, &FieldError{Field: "published_at", Reason: "must be between the years 0001 and 9999 in UTC"}
	}
	return t.UTC(), nil
}
