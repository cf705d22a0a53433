// Package dump is the store-neutral form of everything a whosaid store
// keeps, one JSON object per line (NDJSON): `whosaid export` writes it from
// one store and `whosaid import` reads it into another, so that data moves
// between the embedded SQLite store and MongoDB, and `whosaid migrate`
// converts the FerretDB files of an earlier release into it.
//
// A file starts with a header record, then speakers, articles (each with
// its quotes), statements, subscriptions, deliveries, API keys and
// idempotency keys, in that order, so that an importer meets every id a
// record refers to before the record. Ids are kept as they are: an import
// writes each record under the id it had, and a record whose id is stored
// already is left alone (a re-import adds nothing).
package dump

import (
	"context"
	"strings"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/webhook"
)

// Format is the header's format name; Version its current version.
const (
	Format  = "whosaid-export"
	Version = 1
)

// Record types, in the order a file has them.
const (
	TypeHeader         = "header"
	TypeSpeaker        = "speaker"
	TypeArticle        = "article"
	TypeStatement      = "statement"
	TypeSubscription   = "subscription"
	TypeDelivery       = "delivery"
	TypeKey            = "key"
	TypeIdempotencyKey = "idempotency_key"
)

// Record is one line of a dump: Type names the one field that is set.
type Record struct {
	Type           string          `json:"type"`
	Header         *Header         `json:"header,omitempty"`
	Speaker        *Speaker        `json:"speaker,omitempty"`
	Article        *Article        `json:"article,omitempty"`
	Statement      *Statement      `json:"statement,omitempty"`
	Subscription   *Subscription   `json:"subscription,omitempty"`
	Delivery       *Delivery       `json:"delivery,omitempty"`
	Key            *Key            `json:"key,omitempty"`
	IdempotencyKey *IdempotencyKey `json:"idempotency_key,omitempty"`
}

// Header opens a dump.
type Header struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	ExportedAt time.Time `json:"exported_at"`
	// Store is the kind of store exported ("embedded", "mongodb",
	// "ferretdb" for a migrated data directory).
	Store string `json:"store"`
}

// Speaker is a stored speaker without its figures (they are computed
// from the quotes).
type Speaker struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Aliases    []string  `json:"aliases"`
	Roles      []string  `json:"roles"`
	WikidataID string    `json:"wikidata_id,omitempty"`
	Version    int64     `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Article is a stored article with all its quotes, hidden ones included,
// in text order.
type Article struct {
	attribution.Article
	Quotes []Quote `json:"quotes"`
	// NextQuote is the number the article's next new quote will get (its
	// id is the article id, a dash and the number; see QuoteNumber):
	// higher than every number the article used, kept so that a quote
	// removed by a revision never lends its id to another. Zero in dumps
	// of earlier releases: the importer takes one more than the highest
	// number of Quotes.
	NextQuote int `json:"next_quote,omitempty"`
}

// QuoteNumber is the number of quote id of article articleID ("<article
// id>-<number>"); ok is false for an id of another form.
func QuoteNumber(articleID, id string) (n int, ok bool) {
	rest, found := strings.CutPrefix(id, articleID+"-")
	if !found || rest == "" || len(rest) > 9 || (len(rest) > 1 && rest[0] == '0') {
		return 0, false
	}
	for _, r := range rest {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// Quote is a stored quote with what the API does not show: its position
// in the article, its version and its correction history.
type Quote struct {
	attribution.StoredQuote
	// N is the quote's position in its article (0-based).
	N int `json:"n"`
	// Version is 1 for a quote never corrected.
	Version     int64                    `json:"version"`
	Corrections []attribution.Correction `json:"corrections,omitempty"`
	// Sentence is the span of the sentence around the quote, in code
	// points of the article's text; nil when the exporting store did not
	// keep it (the importer computes it).
	Sentence *attribution.Span `json:"sentence,omitempty"`
}

// Statement is a stored statement. Occurrences are the quotes that name
// it in their statement_id; a store that keeps them with the statement
// (MongoDB) exports them, an importer may derive them from the quotes.
type Statement struct {
	ID          string                   `json:"id"`
	Text        string                   `json:"text"`
	SpeakerID   string                   `json:"speaker_id,omitempty"`
	SpeakerName string                   `json:"speaker_name,omitempty"`
	Occurrences []attribution.Occurrence `json:"occurrences,omitempty"`
	CreatedAt   time.Time                `json:"created_at"`
	UpdatedAt   time.Time                `json:"updated_at"`
	Version     int64                    `json:"version"`
}

// Subscription is a webhook subscription with its signing secret.
type Subscription struct {
	webhook.Subscription
	Secret string `json:"secret"`
}

// Delivery is one webhook delivery with its attempts.
type Delivery struct {
	webhook.Delivery
}

// Key is an API key: its listing and the SHA-256 of its secret (the
// secret itself is never stored).
type Key struct {
	auth.Key
	Hash string `json:"hash"`
}

// IdempotencyKey is an Idempotency-Key header and the article it made.
type IdempotencyKey struct {
	Key       string    `json:"key"`
	ArticleID string    `json:"article_id"`
	TextHash  string    `json:"text_hash"`
	CreatedAt time.Time `json:"created_at"`
}

// Exporter writes every record of a store, in the order of the package
// doc, to emit; the header is written by the caller.
type Exporter interface {
	Export(ctx context.Context, emit func(Record) error) error
}

// Importer stores one record under its own ids. added is false when a
// record with that id is stored already (it is left as it is).
type Importer interface {
	Import(ctx context.Context, r Record) (added bool, err error)
}
