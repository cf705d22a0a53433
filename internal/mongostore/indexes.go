package mongostore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
)

// Index names. Every listing names the index that answers it as a hint,
// so that MongoDB's planner cannot pick a collection scan or another
// index; TestExplainListings (run with WHOSAID_TEST_MONGO_URI) asserts
// with explain that each winning plan scans that index.
//
//	listing                                  index
//	FindQuotes with a speaker (and any more) idxQuotesSpeaker
//	FindQuotes with words (no speaker)       idxQuotesWords
//	FindQuotes with a kind (no speaker/words) idxQuotesKind
//	FindQuotes with an outlet only            idxQuotesOutlet
//	FindQuotes with no filter, or dates only  idxQuotesPublished
//	ArticleQuotes, re-ingest, delete          idxQuotesArticle
//	speaker figures (GetSpeaker)              idxQuotesSpeaker
//	speaker by name or alias (resolve)        idxSpeakersKeys, idxSpeakersAliasKeys, idxSpeakersName
//	SearchSpeakers with a prefix              idxSpeakersSearchKeys
//	SearchSpeakers without a prefix           idxSpeakersName
//	statement candidates                      idxStatementsShingles
//	ListSubscriptions                         idxSubscriptionsCreated
//	ListDeliveries                            idxDeliveriesSubscription
//	ClaimDeliveries                           idxDeliveriesDue
//	ListKeys                                  idxKeysCreated
//
// Look-ups by _id (GetQuote, GetArticle, GetSpeaker, KeyByHash,
// idempotency keys, ...) use the _id index.
const (
	idxArticlesURL       = "url_unique"
	idxArticlesTextHash  = "text_hash_created_at"
	idxArticlesTextKey   = "text_key_unique"
	idxArticlesPublished = "published_at"

	idxQuotesArticle   = "article_id_n"
	idxQuotesSpeaker   = "speaker_id_published_at_id"
	idxQuotesWords     = "words_published_at_id"
	idxQuotesKind      = "kind_published_at_id"
	idxQuotesOutlet    = "outlet_key_published_at_id"
	idxQuotesPublished = "published_at_id"

	idxSpeakersKeys       = "keys_unique"
	idxSpeakersNameUnique = "normalized_name_unique"
	idxSpeakersName       = "normalized_name_id"
	idxSpeakersAliasKeys  = "alias_keys"
	idxSpeakersSearchKeys = "search_keys"

	idxStatementsShingles = "shingles"

	idxSubscriptionsCreated   = "created_at_id"
	idxDeliveriesSubscription = "subscription_id_created_at_id"

	idxKeysKeyID   = "key_id_unique"
	idxKeysCreated = "created_at_key_id"
)

// droppedIndexes are indexes of earlier releases that EnsureIndexes
// removes, by collection.
var droppedIndexes = map[string][]string{
	// Replaced by text_hash_created_at and text_key_unique: the same text
	// under two URLs is two articles.
	collArticles: {"text_hash_unique"},
	// Replaced by outlet_key_published_at_id: outlet= ignores case and
	// diacritics.
	collQuotes: {"outlet_published_at_id"},
}

// indexes lists every index by collection. Names are fixed so that
// EnsureIndexes is idempotent: creating an index that exists with the same
// name and keys is a no-op. Changing an index means giving it a new name
// and dropping the old one (droppedIndexes).
//
// No partial, text or TTL indexes: the embedded FerretDB the tests also
// run against rejects them.
func indexes() map[string][]mongo.IndexModel {
	desc := func(field string) bson.D {
		return bson.D{{Key: field, Value: 1}, {Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}
	}
	return map[string][]mongo.IndexModel{
		collArticles: {
			// Sparse: articles without a URL (pasted text) do not collide.
			{Keys: bson.D{{Key: "url", Value: 1}}, Options: options.Index().SetName(idxArticlesURL).SetUnique(true).SetSparse(true)},
			// An article without URL is the first stored with its text.
			{Keys: bson.D{{Key: "text_hash", Value: 1}, {Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName(idxArticlesTextHash)},
			// One article without URL per text (text_key is set on those
			// only).
			{Keys: bson.D{{Key: "text_key", Value: 1}}, Options: options.Index().SetName(idxArticlesTextKey).SetUnique(true).SetSparse(true)},
			{Keys: bson.D{{Key: "published_at", Value: -1}}, Options: options.Index().SetName(idxArticlesPublished)},
		},
		// Every listing sorts by (published_at, _id) descending; each index
		// is an equality prefix for one filter plus that sort.
		collQuotes: {
			{Keys: bson.D{{Key: "article_id", Value: 1}, {Key: "n", Value: 1}}, Options: options.Index().SetName(idxQuotesArticle)},
			{Keys: desc("speaker_id"), Options: options.Index().SetName(idxQuotesSpeaker)},
			{Keys: desc("words"), Options: options.Index().SetName(idxQuotesWords)},
			{Keys: desc("kind"), Options: options.Index().SetName(idxQuotesKind)},
			{Keys: desc("outlet_key"), Options: options.Index().SetName(idxQuotesOutlet)},
			{Keys: bson.D{{Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName(idxQuotesPublished)},
		},
		collSpeakers: {
			// keys: the normalized name and the aliases an editor set, unique
			// across speakers (multikey); sparse, because a speaker merged
			// away has none.
			{Keys: bson.D{{Key: "keys", Value: 1}}, Options: options.Index().SetName(idxSpeakersKeys).SetUnique(true).SetSparse(true)},
			// One speaker per name, also for speakers written without keys
			// (an import, say); a tombstone's name is its id.
			{Keys: bson.D{{Key: "normalized_name", Value: 1}}, Options: options.Index().SetName(idxSpeakersNameUnique).SetUnique(true)},
			{Keys: bson.D{{Key: "normalized_name", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName(idxSpeakersName)},
			// Every alias, those an article used too: several speakers may
			// share one ("Peskov"), which then names none.
			{Keys: bson.D{{Key: "alias_keys", Value: 1}}, Options: options.Index().SetName(idxSpeakersAliasKeys)},
			{Keys: bson.D{{Key: "search_keys", Value: 1}}, Options: options.Index().SetName(idxSpeakersSearchKeys)},
		},
		collIdempotency: {},
		collMergeLocks:  {}, // by _id only
		collSubscriptions: {
			{Keys: bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName(idxSubscriptionsCreated)},
		},
		// The delivery log of a subscription, newest first.
		collDeliveries: {
			{Keys: bson.D{{Key: "subscription_id", Value: 1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName(idxDeliveriesSubscription)},
			// The outbox: pending deliveries by when they are due.
			{Keys: bson.D{{Key: "status", Value: 1}, {Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName(idxDeliveriesDue)},
		},
		// Candidates of a text: statements sharing a shingle hash
		// (multikey).
		collStatements: {
			{Keys: bson.D{{Key: "shingles", Value: 1}}, Options: options.Index().SetName(idxStatementsShingles)},
		},
		// Keys are looked up by _id (the secret's hash); key_id names them.
		collKeys: {
			{Keys: bson.D{{Key: "key_id", Value: 1}}, Options: options.Index().SetName(idxKeysKeyID).SetUnique(true)},
			{Keys: bson.D{{Key: "created_at", Value: 1}, {Key: "key_id", Value: 1}}, Options: options.Index().SetName(idxKeysCreated)},
		},
	}
}

// EnsureIndexes creates the indexes of every collection, and the collections
// themselves, if they are missing, drops those of earlier releases, and
// fills in fields that new indexes need on documents of earlier releases.
// It is safe to call on every start and concurrently from several
// processes.
//
// It creates one index per command: FerretDB v1.24 (the tests' stand-in)
// panics on a createIndexes command listing two or more indexes that
// already exist.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	all := indexes()
	// Fixed order keeps logs and errors reproducible.
	for _, coll := range []string{collArticles, collQuotes, collSpeakers, collIdempotency, collKeys, collStatements, collSubscriptions, collDeliveries, collMergeLocks} {
		iv := s.db.Collection(coll).Indexes()
		for _, name := range droppedIndexes[coll] {
			if err := iv.DropOne(ctx, name); err != nil && !isIndexNotFound(err) {
				return fmt.Errorf("drop index %s on %s: %w", name, coll, err)
			}
		}
		for _, m := range all[coll] {
			if _, err := iv.CreateOne(ctx, m); err != nil {
				return fmt.Errorf("ensure indexes on %s: %w", coll, err)
			}
		}
	}
	if err := s.backfillTextKeys(ctx); err != nil {
		return err
	}
	if err := s.backfillOutletKeys(ctx); err != nil {
		return err
	}
	return s.backfillSpeakerKeys(ctx)
}

// backfillTextKeys gives the articles without URL of earlier releases,
// stored without text_key, theirs.
func (s *Store) backfillTextKeys(ctx context.Context) error {
	c := s.db.Collection(collArticles)
	cur, err := c.Find(ctx, bson.D{{Key: "url", Value: bson.D{{Key: "$exists", Value: false}}}, {Key: "text_key", Value: bson.D{{Key: "$exists", Value: false}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "text_hash", Value: 1}}))
	if err != nil {
		return wrapErr("find articles without text key", err)
	}
	var docs []articleDoc
	if err := cur.All(ctx, &docs); err != nil {
		return wrapErr("find articles without text key", err)
	}
	for _, d := range docs {
		_, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "text_key", Value: d.TextHash}}}})
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return wrapErr("set text key of article "+d.ID.Hex(), err)
		}
	}
	return nil
}

// isIndexNotFound reports the server's answer to dropping an index (or
// from a collection) that does not exist.
func isIndexNotFound(err error) bool {
	var ce mongo.CommandError
	if errors.As(err, &ce) {
		// IndexNotFound, NamespaceNotFound
		return ce.Code == 27 || ce.Code == 26
	}
	return false
}

// backfillSpeakerKeys gives the speakers of earlier releases, stored
// without keys, their name as their key (their aliases stay unclaimed).
// Speakers are few; it reads those without keys, none after the first
// start.
func (s *Store) backfillSpeakerKeys(ctx context.Context) error {
	c := s.db.Collection(collSpeakers)
	cur, err := c.Find(ctx, bson.D{{Key: "keys", Value: bson.D{{Key: "$exists", Value: false}}}, notMerged},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "normalized_name", Value: 1}}))
	if err != nil {
		return wrapErr("find speakers without keys", err)
	}
	var docs []speakerDoc
	if err := cur.All(ctx, &docs); err != nil {
		return wrapErr("find speakers without keys", err)
	}
	for _, d := range docs {
		_, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "keys", Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "keys", Value: []string{d.NormalizedName}}}}})
		if mongo.IsDuplicateKeyError(err) {
			s.logger.Warn("speaker name claimed by another speaker; left unclaimed", "speaker", d.ID, "name", d.NormalizedName)
			continue
		}
		if err != nil {
			return wrapErr("set keys of speaker "+d.ID, err)
		}
	}
	return nil
}

// isBadHint reports the server's answer to a hint naming an index it does
// not have (yet): EnsureIndexes has not run, or is still building it.
func isBadHint(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && ce.Code == 2 && strings.Contains(ce.Message, "hint")
}

// find runs a hinted find; while the index hinted does not exist yet, it
// runs without the hint (slower, but answered) and warns.
func (s *Store) find(ctx context.Context, coll string, filter any, opts *options.FindOptionsBuilder) (*mongo.Cursor, error) {
	cur, err := s.db.Collection(coll).Find(ctx, filter, opts)
	if isBadHint(err) {
		s.logger.Warn("index missing: query without it until EnsureIndexes has built it", "collection", coll, "error", err)
		cur, err = s.db.Collection(coll).Find(ctx, filter, opts.SetHint(nil))
	}
	return cur, err
}

// findOne is find for one document, decoded into out.
func (s *Store) findOne(ctx context.Context, coll string, filter any, opts *options.FindOneOptionsBuilder, out any) error {
	err := s.db.Collection(coll).FindOne(ctx, filter, opts).Decode(out)
	if isBadHint(err) {
		s.logger.Warn("index missing: query without it until EnsureIndexes has built it", "collection", coll, "error", err)
		err = s.db.Collection(coll).FindOne(ctx, filter, opts.SetHint(nil)).Decode(out)
	}
	return err
}

// aggregate is find for a hinted aggregation.
func (s *Store) aggregate(ctx context.Context, coll string, pipeline mongo.Pipeline, opts *options.AggregateOptionsBuilder) (*mongo.Cursor, error) {
	cur, err := s.db.Collection(coll).Aggregate(ctx, pipeline, opts)
	if isBadHint(err) {
		s.logger.Warn("index missing: query without it until EnsureIndexes has built it", "collection", coll, "error", err)
		cur, err = s.db.Collection(coll).Aggregate(ctx, pipeline, opts.SetHint(nil))
	}
	return cur, err
}

// backfillOutletKeys gives the quotes of earlier releases, stored without
// outlet_key, theirs: one update per outlet (outlets are few).
func (s *Store) backfillOutletKeys(ctx context.Context) error {
	c := s.db.Collection(collQuotes)
	missing := bson.D{{Key: "outlet", Value: bson.D{{Key: "$exists", Value: true}}}, {Key: "outlet_key", Value: bson.D{{Key: "$exists", Value: false}}}}
	cur, err := c.Aggregate(ctx, mongo.Pipeline{{{Key: "$match", Value: missing}}, {{Key: "$group", Value: bson.D{{Key: "_id", Value: "$outlet"}}}}})
	if err != nil {
		return wrapErr("find outlets without key", err)
	}
	var groups []struct {
		Outlet string `bson:"_id"`
	}
	if err := cur.All(ctx, &groups); err != nil {
		return wrapErr("find outlets without key", err)
	}
	for _, g := range groups {
		f := append(bson.D{{Key: "outlet", Value: g.Outlet}}, missing[1])
		if _, err := c.UpdateMany(ctx, f, bson.D{{Key: "$set", Value: bson.D{{Key: "outlet_key", Value: attribution.NormalizeName(g.Outlet)}}}}); err != nil {
			return wrapErr("set outlet keys", err)
		}
	}
	return nil
}
