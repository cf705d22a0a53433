package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

// jsonLDContentType is the media type of JSON-LD documents.
const jsonLDContentType = "application/ld+json"

// Quotation is a quote as a schema.org Quotation in JSON-LD, the answer of
// GET /v1/quotes/{id} to Accept: application/ld+json. The @id values are
// paths of this API: JSON-LD resolves them against the URL the document
// was fetched from, so they are absolute URLs to a JSON-LD reader, and they
// stay right behind proxies that rewrite the host or the scheme.
type Quotation struct {
	Context string `json:"@context" validate:"required" enums:"https://schema.org" example:"https://schema.org"`
	Type    string `json:"@type" validate:"required" enums:"Quotation" example:"Quotation"`
	// ID is the path of the quote in this API.
	ID   string `json:"@id" validate:"required" example:"/v1/quotes/6b080d1f1bdd25b3ecdf3549-10"`
	Text string `json:"text" validate:"required" example:"primarily devoted to restoring the whole complex of Russian-American relations"`
	// Creator is the named person or organisation who said it. Quotes of
	// anonymous sources, groups and speakers not identified by name have
	// none; Description then says who the article credits.
	Creator *QuotationAgent `json:"creator,omitempty"`
	// SpokenByCharacter repeats Creator.
	SpokenByCharacter *QuotationAgent `json:"spokenByCharacter,omitempty"`
	// Description is set when there is no Creator: "Attributed to an
	// anonymous source: a senior official".
	Description string `json:"description,omitempty" example:"Attributed to an anonymous source: a senior official"`
	// IsBasedOn is the article the quote was found in.
	IsBasedOn QuotationArticle `json:"isBasedOn" validate:"required"`
	// DatePublished is the article's publication time; absent when the
	// article has none.
	DatePublished time.Time `json:"datePublished,omitzero" example:"2025-02-18T09:00:00Z"`
} // @name Quotation

// QuotationAgent is the speaker of a Quotation: a schema.org Person or
// Organization.
type QuotationAgent struct {
	Type string `json:"@type" validate:"required" enums:"Person,Organization" example:"Person"`
	// ID is the path of the speaker in this API.
	ID   string `json:"@id,omitempty" example:"/v1/speakers/spk_1118ee61dd083b08"`
	Name string `json:"name" validate:"required" example:"Volodymyr Zelenskyy"`
	// SameAs is the speaker's Wikidata page, when its wikidata_id is set.
	SameAs string `json:"sameAs,omitempty" example:"https://www.wikidata.org/wiki/Q3874799"`
} // @name QuotationAgent

// QuotationArticle is the schema.org NewsArticle a Quotation is based on.
type QuotationArticle struct {
	Type string `json:"@type" validate:"required" enums:"NewsArticle" example:"NewsArticle"`
	// URL is where the article was published, when known.
	URL           string                 `json:"url,omitempty" example:"https://www.reuters.com/world/us-russian-officials-begin-meeting-riyadh-2025-02-18/"`
	Headline      string                 `json:"headline,omitempty" example:"US, Russian officials begin meeting in Riyadh"`
	Publisher     *QuotationOrganization `json:"publisher,omitempty"`
	DatePublished time.Time              `json:"datePublished,omitzero" example:"2025-02-18T09:00:00Z"`
	// InLanguage is the article's BCP 47 language tag, when known.
	InLanguage string `json:"inLanguage,omitempty" example:"en"`
} // @name QuotationArticle

// QuotationOrganization is the outlet that published an article.
type QuotationOrganization struct {
	Type string `json:"@type" validate:"required" enums:"Organization" example:"Organization"`
	Name string `json:"name" validate:"required" example:"Reuters"`
} // @name QuotationOrganization

// quotation builds the JSON-LD of quote q from article a. A named speaker
// is read from the store (without figures) for its current name, type
// and Wikidata id; when it is gone (merged or deleted meanwhile) the
// quote's own speaker is used, without sameAs.
func (s *Server) quotation(ctx context.Context, q attribution.StoredQuote, a attribution.Article) (Quotation, error) {
	out := Quotation{
		Context: "https://schema.org",
		Type:    "Quotation",
		ID:      "/v1/quotes/" + q.ID,
		Text:    q.Text,
		IsBasedOn: QuotationArticle{
			Type: "NewsArticle", URL: a.URL, Headline: a.Title, DatePublished: a.PublishedAt.UTC(), InLanguage: a.Language,
		},
		DatePublished: a.PublishedAt.UTC(),
	}
	if a.Outlet != "" {
		out.IsBasedOn.Publisher = &QuotationOrganization{Type: "Organization", Name: a.Outlet}
	}
	if q.SpeakerID != "" && q.Speaker != nil {
		agent := &QuotationAgent{ID: "/v1/speakers/" + q.SpeakerID, Name: q.Speaker.Name}
		typ := q.Speaker.Type
		p, err := s.store.LookupSpeaker(ctx, q.SpeakerID)
		switch {
		case err == nil:
			agent.Name, typ = p.Name, p.Type
			if p.WikidataID != "" {
				agent.SameAs = attribution.WikidataURL(p.WikidataID)
			}
		case errors.Is(err, attribution.ErrNotFound):
		default:
			return Quotation{}, err
		}
		agent.Type = "Person"
		if typ == attribution.SpeakerOrganization {
			agent.Type = "Organization"
		}
		out.Creator, out.SpokenByCharacter = agent, agent
		return out, nil
	}
	out.Description = unnamedSpeaker(q.Speaker)
	return out, nil
}

// unnamedSpeaker describes the speaker of a quote that has no named
// speaker, in the words of the article.
func unnamedSpeaker(sp *attribution.QuoteSpeaker) string {
	if sp == nil {
		return "Speaker not identified"
	}
	words := sp.Name // "senior official"
	if sp.Mention != nil && sp.Mention.Text != "" {
		words = sp.Mention.Text // "a senior official"
	}
	var prefix string
	switch sp.Type {
	case attribution.SpeakerAnonymous:
		prefix = "Attributed to an anonymous source"
	case attribution.SpeakerGroup:
		prefix = "Attributed to a group"
	default:
		prefix = "Attributed to a speaker not identified by name"
	}
	if words == "" {
		return prefix
	}
	return prefix + ": " + words
}

// negotiate picks the media type to answer in: of offers, the one the
// Accept header h gives the highest quality, the earlier offer on a tie
// (RFC 9110, section 12.5.1). The quality of an offer is that of the most
// specific media range matching it (type/subtype over type/* over */*);
// parameters other than q are ignored. An absent header, or one without a
// well-formed media range, accepts anything. ok is false when every offer
// has quality 0 (406).
func negotiate(h string, offers ...string) (string, bool) {
	type mediaRange struct {
		typ, sub string
		q        float64
	}
	var ranges []mediaRange
	for _, el := range strings.Split(h, ",") {
		parts := strings.Split(el, ";")
		mt := strings.ToLower(strings.TrimSpace(parts[0]))
		if mt == "*" {
			mt = "*/*" // as some clients send it
		}
		typ, sub, found := strings.Cut(mt, "/")
		if !found || typ == "" || sub == "" || (typ == "*" && sub != "*") {
			continue
		}
		r := mediaRange{typ: typ, sub: sub, q: 1}
		valid := true
		for _, p := range parts[1:] {
			k, v, _ := strings.Cut(p, "=")
			if !strings.EqualFold(strings.TrimSpace(k), "q") {
				continue
			}
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || !(q >= 0 && q <= 1) { // NaN too
				valid = false
				break
			}
			r.q = q
			break // parameters after q are accept-ext
		}
		if valid {
			ranges = append(ranges, r)
		}
	}
	if len(ranges) == 0 {
		return offers[0], true
	}
	best, bestQ := "", 0.0
	for _, o := range offers {
		typ, sub, _ := strings.Cut(o, "/")
		q, spec := 0.0, -1
		for _, r := range ranges {
			s := -1
			switch {
			case r.typ == typ && r.sub == sub:
				s = 2
			case r.typ == typ && r.sub == "*":
				s = 1
			case r.typ == "*":
				s = 0
			}
			if s > spec {
				q, spec = r.q, s
			}
		}
		if q > bestQ {
			best, bestQ = o, q
		}
	}
	return best, best != ""
}

// notAcceptable is the error of a request whose Accept allows none of the
// offers.
func notAcceptable(offers ...string) error {
	return errStatus(http.StatusNotAcceptable, "Accept allows none of the media types this resource has: "+strings.Join(offers, ", "))
}
