package mongostore

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// indexes lists every index by collection. Names are fixed so that
// EnsureIndexes is idempotent: creating an index that exists with the same
// name and keys is a no-op on MongoDB and FerretDB. Changing an index means
// giving it a new name and dropping the old one in a migration.
//
// FerretDB (SQLite handler) creates these and enforces uniqueness but does
// not use them to speed up reads; it does not support partial, text or TTL
// indexes, so none are used.
func indexes() map[string][]mongo.IndexModel {
	return map[string][]mongo.IndexModel{
		collArticles: {
			// Sparse: articles without a URL (pasted text) do not collide.
			{Keys: bson.D{{Key: "url", Value: 1}}, Options: options.Index().SetName("url_unique").SetUnique(true).SetSparse(true)},
			// The same text is stored once, whatever its URL.
			{Keys: bson.D{{Key: "text_hash", Value: 1}}, Options: options.Index().SetName("text_hash_unique").SetUnique(true)},
			{Keys: bson.D{{Key: "published_at", Value: -1}}, Options: options.Index().SetName("published_at")},
		},
		// Every listing sorts by (published_at, _id) descending; each index
		// is an equality prefix for one filter plus that sort.
		collQuotes: {
			{Keys: bson.D{{Key: "article_id", Value: 1}, {Key: "n", Value: 1}}, Options: options.Index().SetName("article_id_n")},
			{Keys: bson.D{{Key: "speaker_id", Value: 1}, {Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("speaker_id_published_at_id")},
			{Keys: bson.D{{Key: "words", Value: 1}, {Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("words_published_at_id")},
			{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("kind_published_at_id")},
			{Keys: bson.D{{Key: "outlet", Value: 1}, {Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("outlet_published_at_id")},
			{Keys: bson.D{{Key: "published_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("published_at_id")},
		},
		collSpeakers: {
			{Keys: bson.D{{Key: "normalized_name", Value: 1}}, Options: options.Index().SetName("normalized_name_unique").SetUnique(true)},
			{Keys: bson.D{{Key: "alias_keys", Value: 1}}, Options: options.Index().SetName("alias_keys")},
			{Keys: bson.D{{Key: "search_keys", Value: 1}}, Options: options.Index().SetName("search_keys")},
		},
		collIdempotency: {},
		// Candidates of a text: statements sharing a shingle hash
		// (multikey). The embedded store keeps a memory index instead.
		collSubscriptions: {},
		// The delivery log of a subscription, newest first.
		collDeliveries: {
			{Keys: bson.D{{Key: "subscription_id", Value: 1}, {Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}, Options: options.Index().SetName("subscription_id_created_at_id")},
		},
		collStatements: {
			{Keys: bson.D{{Key: "shingles", Value: 1}}, Options: options.Index().SetName("shingles")},
		},
		// Keys are looked up by _id (the secret's hash); key_id names them.
		collKeys: {
			{Keys: bson.D{{Key: "key_id", Value: 1}}, Options: options.Index().SetName("key_id_unique").SetUnique(true)},
		},
	}
}

// EnsureIndexes creates the indexes of every collection, and the collections
// themselves, if they are missing. It is safe to call on every start and
// concurrently from several processes.
//
// It creates one index per command: FerretDB v1.24 panics (and drops the
// connection) on a createIndexes command listing two or more indexes that
// already exist, because it deletes from its filtered list by the index of
// the unfiltered one (handler/msg_createindexes.go).
func (s *Store) EnsureIndexes(ctx context.Context) error {
	all := indexes()
	// Fixed order keeps logs and errors reproducible.
	for _, coll := range []string{collArticles, collQuotes, collSpeakers, collIdempotency, collKeys, collStatements, collSubscriptions, collDeliveries} {
		iv := s.db.Collection(coll).Indexes()
		for _, m := range all[coll] {
			if _, err := iv.CreateOne(ctx, m); err != nil {
				return fmt.Errorf("ensure indexes on %s: %w", coll, err)
			}
		}
	}
	return nil
}
