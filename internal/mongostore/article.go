package mongostore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
)

// articleDoc is an article as stored in the articles collection.
type articleDoc struct {
	ID    bson.ObjectID `bson:"_id"`
	URL   string        `bson:"url,omitempty"` // absent, not "", so the sparse unique index skips it
	Title string        `bson:"title,omitempty"`
	// Byline names the authors.
	Byline string `bson:"byline,omitempty"`
	Text   string `bson:"text"`
	// TextHash is the hex SHA-256 of Text: an article without URL is the
	// first stored with its text.
	TextHash string `bson:"text_hash"`
	// TextKey is TextHash on articles without URL only, unique (sparse):
	// one such article per text. Articles with a URL are told apart by it.
	TextKey     string     `bson:"text_key,omitempty"`
	PublishedAt *time.Time `bson:"published_at,omitempty"`
	Outlet      string     `bson:"outlet,omitempty"`
	Language    string     `bson:"language,omitempty"`
	CreatedAt   time.Time  `bson:"created_at"`
	// Pending is true from the insert of the article until all its quotes
	// are stored; an ingest that finds a pending article finishes it.
	Pending bool `bson:"pending,omitempty"`
	// QuoteCount is how many quotes the article has, set when the ingest
	// (or a revision) completes; absent on articles made by CreateArticle.
	QuoteCount *int `bson:"quote_count,omitempty"`
	// Revision counts the texts stored at the article's URL (absent: 1);
	// UpdatedAt is when the text last changed (absent: CreatedAt).
	Revision  int        `bson:"revision,omitempty"`
	UpdatedAt *time.Time `bson:"updated_at,omitempty"`
	// NextQuote is the number of the article's next new quote (ids are
	// the article id, a dash and a number, never given twice); absent on
	// articles stored before revisions, where it is one more than the
	// highest number of their quotes.
	NextQuote *int `bson:"next_quote,omitempty"`
	// Revising is set from the moment a revision writes the new text
	// until its quotes are all written; an ingest of the same text finishes
	// a revision left so.
	Revising bool `bson:"revising,omitempty"`
}

// articleIDFor derives an article's id from its URL, or without URL from its
// text: two writers storing the same article at once meet on _id, and one
// insert wins.
func articleIDFor(a *attribution.Article) bson.ObjectID {
	key := "text:" + a.Text
	if a.URL != "" {
		key = "url:" + a.URL
	}
	sum := sha256.Sum256([]byte(key))
	var id bson.ObjectID
	copy(id[:], sum[:12])
	return id
}

func newArticleDoc(a *attribution.Article) articleDoc {
	d := articleDoc{
		URL:       a.URL,
		Title:     a.Title,
		Byline:    a.Byline,
		Text:      a.Text,
		TextHash:  TextHash(a.Text),
		TextKey:   textKey(a),
		Outlet:    a.Outlet,
		Language:  a.Language,
		CreatedAt: a.CreatedAt,
	}
	if !a.PublishedAt.IsZero() {
		t := a.PublishedAt.UTC().Truncate(time.Millisecond)
		d.PublishedAt = &t
	}
	return d
}

func (d articleDoc) article() attribution.Article {
	a := attribution.Article{
		ID:        d.ID.Hex(),
		URL:       d.URL,
		Title:     d.Title,
		Byline:    d.Byline,
		Text:      d.Text,
		Outlet:    d.Outlet,
		Language:  d.Language,
		CreatedAt: d.CreatedAt.UTC(),
		Revision:  max(d.Revision, 1),
		UpdatedAt: d.CreatedAt.UTC(),
	}
	if d.UpdatedAt != nil && d.UpdatedAt.After(d.CreatedAt) {
		a.UpdatedAt = d.UpdatedAt.UTC()
	}
	if d.PublishedAt != nil {
		a.PublishedAt = d.PublishedAt.UTC()
	}
	return a
}

// textKey is the TextKey of a new article: its text's hash when it has
// no URL.
func textKey(a *attribution.Article) string {
	if a.URL != "" {
		return ""
	}
	return TextHash(a.Text)
}

// TextHash is the hex SHA-256 of an article text: the identity of an
// article without URL.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

// CreateArticle validates a and stores it as a new article, setting a.ID and
// a.CreatedAt. The error wraps attribution.ErrInvalid for an invalid article
// and attribution.ErrConflict when an article with the same URL or the same
// text exists (the text is checked by a look-up first, the URL and, for an
// article without URL, the text by unique indexes).
func (s *Store) CreateArticle(ctx context.Context, a *attribution.Article) error {
	if err := a.Validate(); err != nil {
		return fmt.Errorf("create article: %w", err)
	}
	n, err := s.db.Collection(collArticles).CountDocuments(ctx, bson.D{{Key: "text_hash", Value: TextHash(a.Text)}}, options.Count().SetLimit(1))
	if err != nil {
		return wrapErr("create article", err)
	}
	if n > 0 {
		return fmt.Errorf("create article: an article with this text exists: %w", attribution.ErrConflict)
	}
	// MongoDB keeps milliseconds; truncate so a.CreatedAt equals what a
	// later read returns.
	a.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	a.Revision, a.UpdatedAt = 1, a.CreatedAt
	d := newArticleDoc(a)
	d.ID = bson.NewObjectID()
	if _, err := s.db.Collection(collArticles).InsertOne(ctx, d); err != nil {
		return wrapErr("create article", err)
	}
	a.ID = d.ID.Hex()
	return nil
}

// GetArticle returns the article with the given ID. The error wraps
// attribution.ErrNotFound when there is none, including when id is not a
// well-formed article ID.
func (s *Store) GetArticle(ctx context.Context, id string) (attribution.Article, error) {
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return attribution.Article{}, fmt.Errorf("get article %q: %w", id, attribution.ErrNotFound)
	}
	var d articleDoc
	if err := s.db.Collection(collArticles).FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&d); err != nil {
		return attribution.Article{}, wrapErr(fmt.Sprintf("get article %s", id), err)
	}
	return d.article(), nil
}
