package mongostore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
)

// IngestArticle stores an article with the quotes extracted from it (spans
// in code points of a.Text) and links each named person or organisation to
// a speaker across articles. An article is its URL: the same URL with the
// same text, or without URL the same text, is returned as stored with
// Created false; the same URL with another text is the stored article's
// next revision (reviseArticle).
//
// The article is written first, marked pending, then the speakers and the
// quotes, then the mark is cleared. No step is acknowledged before all are
// done; a second ingest of an article left pending by a failure finishes
// it (quote ids are deterministic, so nothing is stored twice). No path
// rewrites a stored quote: quotes stored already, which an editor may
// have corrected since (CorrectQuote), are kept and returned as stored.
func (s *Store) IngestArticle(ctx context.Context, a *attribution.Article, res attribution.Result) (attribution.IngestResult, error) {
	if err := a.Validate(); err != nil {
		return attribution.IngestResult{}, fmt.Errorf("ingest article: %w", err)
	}
	// The same URL meets the stored article on insert (its _id derives
	// from the URL; url_unique); the same text without URL is the first
	// article stored with that text, with a URL or without, looked up
	// first (text_hash_created_at); text_key_unique stops two inserts of
	// one such text at once.
	var existing *articleDoc
	if a.URL == "" {
		d, err := s.sameArticle(ctx, a)
		switch {
		case err == nil:
			existing = &d
		case !errors.Is(err, attribution.ErrNotFound):
			return attribution.IngestResult{}, err
		}
	}
	created := false
	if existing == nil {
		a.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
		d := newArticleDoc(a)
		d.ID = articleIDFor(a)
		d.Pending = true
		d.Revision = 1
		next := len(res.Quotes)
		d.NextQuote = &next
		_, err := s.db.Collection(collArticles).InsertOne(ctx, d)
		switch {
		case err == nil:
			created = true
			a.ID = d.ID.Hex()
		case mongo.IsDuplicateKeyError(err):
			d, err := s.sameArticle(ctx, a)
			if err != nil {
				return attribution.IngestResult{}, fmt.Errorf("find stored article: %w", err)
			}
			existing = &d
		default:
			return attribution.IngestResult{}, wrapErr("ingest article", err)
		}
	}
	if existing != nil {
		if (a.URL != "" && existing.Text != a.Text) || existing.Revising {
			return s.reviseArticle(ctx, *existing, a, res)
		}
		if !existing.Pending {
			art := existing.article()
			qs, err := s.quotesOf(ctx, *existing)
			if err != nil {
				return attribution.IngestResult{}, err
			}
			return attribution.IngestResult{Article: art, Quotes: qs}, nil
		}
		// Left pending by a writer that failed, or still being written by
		// another: finish it (idempotent); only its inserter reports it
		// created.
		*a = existing.article()
	}

	published := a.PublishedAt
	if published.IsZero() {
		published = a.CreatedAt
	}
	published = published.UTC().Truncate(time.Millisecond)

	// One speaker per named person or organisation of the article, with
	// the other names the article used for it as aliases.
	speakerIDs := map[string]string{}
	for _, sp := range res.Speakers {
		if !sp.Type.Stored() || sp.Name == "" {
			continue
		}
		id, err := s.ensureSpeaker(ctx, sp.Name, sp.Type, sp.Roles, attribution.NameAliases(sp))
		if err != nil {
			return attribution.IngestResult{}, err
		}
		speakerIDs[sp.Name] = id
	}
	// Finishing a pending article: the quotes its first writer stored
	// stay as they are (kept), with their statements.
	var stored map[int]quoteDoc
	if !created {
		var err error
		if stored, err = s.storedQuotes(ctx, a.ID, len(res.Quotes)); err != nil {
			return attribution.IngestResult{}, err
		}
	}
	kept := map[int]bool{}
	qdocs := make([]quoteDoc, 0, len(res.Quotes))
	for n, q := range res.Quotes {
		if d, ok := stored[n]; ok {
			kept[n] = true
			qdocs = append(qdocs, d)
			continue
		}
		sid := ""
		if q.Speaker != nil && q.Speaker.Type.Stored() {
			sid = speakerIDs[q.Speaker.Name]
			if sid == "" && q.Speaker.Name != "" {
				var err error
				if sid, err = s.ensureSpeaker(ctx, q.Speaker.Name, q.Speaker.Type, nil, nil); err != nil {
					return attribution.IngestResult{}, err
				}
				speakerIDs[q.Speaker.Name] = sid
			}
		}
		qdocs = append(qdocs, newQuoteDoc(a.ID, n, q, sid, published, a.Outlet, a.URL))
	}
	// Statements before the quotes, so that each quote is stored with its
	// statement id; a retry finds the occurrences already there.
	batch := statementBatch{s: s}
	for i := range qdocs {
		if kept[i] {
			continue
		}
		if err := batch.assign(ctx, &qdocs[i]); err != nil {
			return attribution.IngestResult{}, err
		}
	}
	renamed, err := batch.flush(ctx)
	if err != nil {
		return attribution.IngestResult{}, err
	}
	for i := range qdocs {
		if id, ok := renamed[qdocs[i].StatementID]; ok {
			qdocs[i].StatementID = id
		}
	}
	docs := make([]any, 0, len(qdocs))
	out := make([]attribution.StoredQuote, 0, len(qdocs))
	for i := range qdocs {
		if !kept[i] {
			docs = append(docs, qdocs[i])
		}
		out = append(out, qdocs[i].quote())
	}
	if len(docs) > 0 {
		_, err := s.db.Collection(collQuotes).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if err != nil && !onlyDuplicates(err) {
			return attribution.IngestResult{}, wrapErr("store quotes of "+a.ID, err)
		}
		if err != nil {
			// Another writer finishing the same article stored some
			// first: answer what is stored.
			now, err := s.storedQuotes(ctx, a.ID, len(qdocs))
			if err != nil {
				return attribution.IngestResult{}, err
			}
			for n, d := range now {
				out[n] = d.quote()
			}
		}
	}
	// A speaker merged away since it was found: move its quotes on (see
	// MergeSpeakers).
	used := make([]string, 0, len(speakerIDs))
	for _, id := range speakerIDs {
		used = append(used, id)
	}
	moved, err := s.settleSpeakers(ctx, used)
	if err != nil {
		return attribution.IngestResult{}, err
	}
	for i := range out {
		if to, ok := moved[out[i].SpeakerID]; ok {
			out[i].SpeakerID = to.ID
			if out[i].Speaker != nil {
				out[i].Speaker.Name = to.Name
			}
		}
	}
	// The webhook outbox, before the article is finished (see
	// enqueueDeliveries).
	if err := s.enqueueDeliveries(ctx, out, time.Now()); err != nil {
		return attribution.IngestResult{}, err
	}
	oid, _ := bson.ObjectIDFromHex(a.ID)
	if _, err := s.db.Collection(collArticles).UpdateOne(ctx, bson.D{{Key: "_id", Value: oid}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "quote_count", Value: len(qdocs)}}},
		{Key: "$unset", Value: bson.D{{Key: "pending", Value: ""}}},
	}); err != nil {
		return attribution.IngestResult{}, wrapErr("finish article "+a.ID, err)
	}
	a.Revision, a.UpdatedAt = max(a.Revision, 1), a.CreatedAt
	r := attribution.IngestResult{Article: *a, Quotes: out, Created: created}
	if created {
		for i := range out {
			r.Added = append(r.Added, out[i].ID)
		}
	}
	return r, nil
}

func onlyDuplicates(err error) bool {
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
		return false
	}
	for _, we := range bwe.WriteErrors {
		if we.Code != 11000 && we.Code != 11001 {
			return false
		}
	}
	return len(bwe.WriteErrors) > 0
}

// sameArticle finds the stored article a is: the one with its URL, or,
// without URL, the first stored with its text. One look-up on url_unique
// or text_hash_created_at.
func (s *Store) sameArticle(ctx context.Context, a *attribution.Article) (articleDoc, error) {
	filter := bson.D{{Key: "url", Value: a.URL}}
	opts := options.FindOne().SetHint(idxArticlesURL)
	if a.URL == "" {
		filter = bson.D{{Key: "text_hash", Value: TextHash(a.Text)}}
		opts = options.FindOne().SetSort(bson.D{{Key: "text_hash", Value: 1}, {Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}).SetHint(idxArticlesTextHash)
	}
	var d articleDoc
	if err := s.findOne(ctx, collArticles, filter, opts, &d); err != nil {
		return d, wrapErr("find article", err)
	}
	return d, nil
}

// StoredArticle answers the article stored as a (same URL and text, or
// without URL the same text) with its quotes, so that an ingest need not
// extract it again; ErrNotFound when there is none, when it is pending or
// being revised (an ingest with its quotes finishes it), or when a's text
// is a new revision of the article at its URL.
func (s *Store) StoredArticle(ctx context.Context, a *attribution.Article) (attribution.IngestResult, error) {
	d, err := s.sameArticle(ctx, a)
	if err != nil {
		return attribution.IngestResult{}, err
	}
	if d.Pending || d.Revising {
		return attribution.IngestResult{}, fmt.Errorf("stored article %s: pending: %w", d.ID.Hex(), attribution.ErrNotFound)
	}
	if a.URL != "" && d.Text != a.Text {
		return attribution.IngestResult{}, fmt.Errorf("stored article %s has another text at this URL: %w", d.ID.Hex(), attribution.ErrNotFound)
	}
	qs, err := s.quotesOf(ctx, d)
	if err != nil {
		return attribution.IngestResult{}, err
	}
	return attribution.IngestResult{Article: d.article(), Quotes: qs}, nil
}

// DeleteArticle deletes an article and its quotes. Speaker figures are
// computed from the quotes, so they stay right.
func (s *Store) DeleteArticle(ctx context.Context, id string) error {
	oid, err := bson.ObjectIDFromHex(id)
	if err != nil {
		return fmt.Errorf("delete article %q: %w", id, attribution.ErrNotFound)
	}
	// Statements first, then quotes: an article is never left pointing at
	// nothing, and a repeated delete finishes one cut short.
	var art articleDoc
	err = s.db.Collection(collArticles).FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&art)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return fmt.Errorf("delete article %s: %w", id, attribution.ErrNotFound)
	}
	if err != nil {
		return wrapErr("delete article "+id, err)
	}
	qs, err := s.quotesOf(ctx, art)
	if err != nil {
		return err
	}
	var stmts []string
	for _, q := range qs {
		if q.StatementID != "" && !slices.Contains(stmts, q.StatementID) {
			stmts = append(stmts, q.StatementID)
		}
	}
	if err := s.removeOccurrences(ctx, id, stmts); err != nil {
		return err
	}
	if _, err := s.db.Collection(collQuotes).DeleteMany(ctx, bson.D{{Key: "article_id", Value: id}}); err != nil {
		return wrapErr("delete quotes of "+id, err)
	}
	res, err := s.db.Collection(collArticles).DeleteOne(ctx, bson.D{{Key: "_id", Value: oid}})
	if err != nil {
		return wrapErr("delete article "+id, err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete article %s: %w", id, attribution.ErrNotFound)
	}
	return nil
}

// idempotencyDoc remembers which article a client's Idempotency-Key made.
type idempotencyDoc struct {
	Key       string    `bson:"_id"`
	ArticleID string    `bson:"article_id"`
	TextHash  string    `bson:"text_hash"`
	CreatedAt time.Time `bson:"created_at"`
}

// LookupIdempotencyKey returns the article an Idempotency-Key made and the
// hash of its text; ErrNotFound when the key is new.
func (s *Store) LookupIdempotencyKey(ctx context.Context, key string) (articleID, textHash string, err error) {
	var d idempotencyDoc
	if err := s.db.Collection(collIdempotency).FindOne(ctx, bson.D{{Key: "_id", Value: key}}).Decode(&d); err != nil {
		return "", "", wrapErr("look up idempotency key", err)
	}
	return d.ArticleID, d.TextHash, nil
}

// SaveIdempotencyKey records the article a key made. Saving a key again for
// the same article is a no-op; for another article it is ErrConflict.
func (s *Store) SaveIdempotencyKey(ctx context.Context, key, articleID, textHash string) error {
	_, err := s.db.Collection(collIdempotency).InsertOne(ctx, idempotencyDoc{Key: key, ArticleID: articleID, TextHash: textHash, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)})
	if mongo.IsDuplicateKeyError(err) {
		id, _, lerr := s.LookupIdempotencyKey(ctx, key)
		if lerr == nil && id == articleID {
			return nil
		}
		return fmt.Errorf("save idempotency key: %w", attribution.ErrConflict)
	}
	if err != nil {
		return wrapErr("save idempotency key", err)
	}
	return nil
}
