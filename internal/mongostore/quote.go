package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
)

// quoteDoc is a quote as stored in the quotes collection. Spans are Unicode
// code points of the article's text. Everything a listing filters or sorts
// on is here, so a search is one indexed query.
type quoteDoc struct {
	ID         string       `bson:"_id"` // article id + "-" + number (see reviseArticle)
	ArticleID  string       `bson:"article_id"`
	N          int          `bson:"n"` // position in the article's current text
	Text       string       `bson:"text"`
	Start      int          `bson:"start"`
	End        int          `bson:"end"`
	Kind       string       `bson:"kind"`
	Cue        *spanDoc     `bson:"cue,omitempty"`
	Speaker    *qSpeakerDoc `bson:"speaker,omitempty"`
	SpeakerID  string       `bson:"speaker_id,omitempty"`
	Confidence float64      `bson:"confidence"`
	Rule       string       `bson:"rule"`
	Published  time.Time    `bson:"published_at"`
	Outlet     string       `bson:"outlet,omitempty"`
	OutletKey  string       `bson:"outlet_key,omitempty"` // the outlet folded: what outlet= matches
	URL        string       `bson:"url,omitempty"`
	Words      []string     `bson:"words"` // folded, distinct: the text search key
	// StatementID links a direct or mixed quote to its statement.
	StatementID string `bson:"statement_id,omitempty"`
	// Set by editors' corrections only (CorrectQuote), never by an
	// ingest: hidden is absent unless true, version is absent until the
	// first correction (and counts as 1), corrections oldest first.
	Hidden      bool            `bson:"hidden,omitempty"`
	Version     int64           `bson:"version,omitempty"`
	Corrections []correctionDoc `bson:"corrections,omitempty"`
}

type spanDoc struct {
	Text  string `bson:"text"`
	Start int    `bson:"start"`
	End   int    `bson:"end"`
}

type qSpeakerDoc struct {
	Name    string   `bson:"name"`
	Type    string   `bson:"type"`
	Role    string   `bson:"role,omitempty"`
	Mention *spanDoc `bson:"mention,omitempty"`
}

func newQuoteDoc(articleID string, n int, q attribution.Quote, speakerID string, published time.Time, outlet, url string) quoteDoc {
	d := quoteDoc{
		ID: fmt.Sprintf("%s-%d", articleID, n), ArticleID: articleID, N: n,
		Text: q.Text, Start: q.Span.Start, End: q.Span.End, Kind: string(q.Kind),
		SpeakerID: speakerID, Confidence: q.Confidence, Rule: q.Rule,
		Published: published, Outlet: outlet, OutletKey: attribution.NormalizeName(outlet), URL: url, Words: attribution.DistinctWords(attribution.FoldWords(q.Text)),
	}
	if q.Cue != nil {
		d.Cue = &spanDoc{Text: q.Cue.Text, Start: q.Cue.Span.Start, End: q.Cue.Span.End}
	}
	if sp := q.Speaker; sp != nil {
		d.Speaker = &qSpeakerDoc{Name: sp.Name, Type: string(sp.Type), Role: sp.Role}
		if sp.Mention != nil {
			d.Speaker.Mention = &spanDoc{Text: sp.Mention.Text, Start: sp.Mention.Span.Start, End: sp.Mention.Span.End}
		}
	}
	if d.Words == nil {
		d.Words = []string{}
	}
	return d
}

func (d quoteDoc) quote() attribution.StoredQuote {
	q := attribution.StoredQuote{
		ID: d.ID, ArticleID: d.ArticleID, SpeakerID: d.SpeakerID, StatementID: d.StatementID,
		PublishedAt: d.Published.UTC(), Outlet: d.Outlet, URL: d.URL,
		Hidden: d.Hidden, Corrected: len(d.Corrections) > 0, Version: d.version(),
		Quote: attribution.Quote{
			Text: d.Text, Span: attribution.Span{Start: d.Start, End: d.End},
			Kind: attribution.Kind(d.Kind), Confidence: d.Confidence, Rule: d.Rule,
		},
	}
	if d.Cue != nil {
		q.Cue = &attribution.Cue{Text: d.Cue.Text, Span: attribution.Span{Start: d.Cue.Start, End: d.Cue.End}}
	}
	if d.Speaker != nil {
		q.Speaker = &attribution.QuoteSpeaker{Name: d.Speaker.Name, Type: attribution.SpeakerType(d.Speaker.Type), Role: d.Speaker.Role}
		if m := d.Speaker.Mention; m != nil {
			q.Speaker.Mention = &attribution.Mention{Text: m.Text, Span: attribution.Span{Start: m.Start, End: m.End}}
		}
	}
	for _, c := range d.Corrections {
		q.History = append(q.History, c.correction())
	}
	return q
}

// ArticleQuotes returns the quotes of an article in text order. The error
// wraps attribution.ErrNotFound when there is no such article.
func (s *Store) ArticleQuotes(ctx context.Context, articleID string) ([]attribution.StoredQuote, error) {
	oid, err := bson.ObjectIDFromHex(articleID)
	if err != nil {
		return nil, fmt.Errorf("article quotes %q: %w", articleID, attribution.ErrNotFound)
	}
	var d articleDoc
	if err := s.db.Collection(collArticles).FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&d); err != nil {
		return nil, wrapErr("article quotes "+articleID, err)
	}
	return s.quotesOf(ctx, d)
}

// quotesOf reads an article's quotes in text order.
func (s *Store) quotesOf(ctx context.Context, d articleDoc) ([]attribution.StoredQuote, error) {
	return s.articleQuotes(ctx, d.ID.Hex())
}

func (s *Store) articleQuotes(ctx context.Context, articleID string) ([]attribution.StoredQuote, error) {
	cur, err := s.find(ctx, collQuotes, bson.D{{Key: "article_id", Value: articleID}},
		options.Find().SetSort(bson.D{{Key: "article_id", Value: 1}, {Key: "n", Value: 1}}).SetHint(idxQuotesArticle))
	if err != nil {
		return nil, wrapErr("article quotes "+articleID, err)
	}
	var docs []quoteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrapErr("article quotes "+articleID, err)
	}
	out := make([]attribution.StoredQuote, len(docs))
	for i, d := range docs {
		out[i] = d.quote()
	}
	return out, nil
}

// GetQuote returns one stored quote.
func (s *Store) GetQuote(ctx context.Context, id string) (attribution.StoredQuote, error) {
	var d quoteDoc
	if err := s.db.Collection(collQuotes).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return attribution.StoredQuote{}, wrapErr(fmt.Sprintf("get quote %q", id), err)
	}
	return d.quote(), nil
}

// findQuotesQuery is the filter and options of FindQuotes: the index it
// hints is the speaker's, else the first word's, else the kind's, else
// the outlet's, else published_at_id (see indexes.go).
func findQuotesQuery(q attribution.QuoteQuery) (bson.D, *options.FindOptionsBuilder) {
	filter := bson.D{notHidden}
	hint := idxQuotesPublished
	if q.Outlet != "" {
		// Case and diacritics do not count: "reuters" finds Reuters.
		// An outlet without a letter or digit folds to "", stored for
		// quotes without outlet, which it must not find: it matches none.
		key := attribution.NormalizeName(q.Outlet)
		if key == "" {
			key = "\x00"
		}
		filter = append(filter, bson.E{Key: "outlet_key", Value: key})
		hint = idxQuotesOutlet
	}
	if q.Kind != "" {
		filter = append(filter, bson.E{Key: "kind", Value: string(q.Kind)})
		hint = idxQuotesKind
	}
	if len(q.Words) > 0 {
		filter = append(filter, bson.E{Key: "words", Value: bson.D{{Key: "$all", Value: q.Words}}})
		hint = idxQuotesWords
	}
	if q.SpeakerID != "" {
		filter = append(filter, bson.E{Key: "speaker_id", Value: q.SpeakerID})
		hint = idxQuotesSpeaker
	}
	rng := bson.D{}
	if !q.From.IsZero() {
		rng = append(rng, bson.E{Key: "$gte", Value: q.From.UTC()})
	}
	to := q.To
	if a := q.After; a != nil && (to.IsZero() || a.PublishedAt.Before(to)) {
		// The page starts at the cursor: a bound of the index scan, where
		// the $or below alone would be checked on every entry before it.
		to = a.PublishedAt
	}
	if !to.IsZero() {
		rng = append(rng, bson.E{Key: "$lte", Value: to.UTC()})
	}
	if len(rng) > 0 {
		filter = append(filter, bson.E{Key: "published_at", Value: rng})
	}
	if a := q.After; a != nil {
		t := a.PublishedAt.UTC()
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "published_at", Value: bson.D{{Key: "$lt", Value: t}}}},
			bson.D{{Key: "published_at", Value: t}, {Key: "_id", Value: bson.D{{Key: "$lt", Value: a.ID}}}},
		}})
	}
	opts := options.Find().
		SetSort(bson.D{{Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}).
		SetLimit(int64(q.PageSize) + 1).
		SetHint(hint)
	return filter, opts
}

// MaxPageSize bounds QuoteQuery.PageSize.
const MaxPageSize = 100

// FindQuotes lists quotes matching q, newest first (by published_at, then
// id), one page at a time; quotes an editor hid are left out. The query
// (findQuotesQuery) scans one index whose prefix is one equality field of
// the filter and whose suffix is the sort, so no listing scans the
// collection or sorts in memory; the other terms are checked on the
// documents the index yields (few are hidden).
func (s *Store) FindQuotes(ctx context.Context, q attribution.QuoteQuery) (attribution.QuotePage, error) {
	if q.PageSize < 1 || q.PageSize > MaxPageSize {
		return attribution.QuotePage{}, fmt.Errorf("find quotes: %w", &attribution.FieldError{Field: "page_size", Reason: fmt.Sprintf("must be between 1 and %d", MaxPageSize)})
	}
	if q.SpeakerID == "" && q.Speaker != "" {
		id, err := s.ResolveSpeakerID(ctx, q.Speaker)
		if errors.Is(err, attribution.ErrNotFound) {
			return attribution.QuotePage{Quotes: []attribution.StoredQuote{}}, nil
		}
		if err != nil {
			return attribution.QuotePage{}, fmt.Errorf("find quotes: %w", err)
		}
		q.SpeakerID = id
	}
	filter, opts := findQuotesQuery(q)
	cur, err := s.find(ctx, collQuotes, filter, opts)
	if err != nil {
		return attribution.QuotePage{}, wrapErr("find quotes", err)
	}
	var docs []quoteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return attribution.QuotePage{}, wrapErr("find quotes", err)
	}
	page := attribution.QuotePage{Quotes: make([]attribution.StoredQuote, 0, min(len(docs), q.PageSize))}
	for i, d := range docs {
		if i == q.PageSize {
			last := page.Quotes[len(page.Quotes)-1]
			page.Next = &attribution.Cursor{PublishedAt: last.PublishedAt, ID: last.ID}
			break
		}
		page.Quotes = append(page.Quotes, d.quote())
	}
	return page, nil
}
