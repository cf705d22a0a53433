package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/auth"
)

// collKeys holds the API keys.
const collKeys = "api_keys"

// keyDoc is an API key as stored. The _id is the SHA-256 of the secret, so
// that checking a request's key is an _id look-up; the secret itself is
// never stored.
type keyDoc struct {
	Hash      string     `bson:"_id"`
	ID        string     `bson:"key_id"`
	Name      string     `bson:"name"`
	Scope     string     `bson:"scope"`
	Prefix    string     `bson:"prefix"`
	CreatedAt time.Time  `bson:"created_at"`
	RevokedAt *time.Time `bson:"revoked_at,omitempty"`
	// MadeWithoutAuth: see auth.Key.
	MadeWithoutAuth bool `bson:"made_without_auth,omitempty"`
}

func (d keyDoc) key() auth.Key {
	k := auth.Key{ID: d.ID, Name: d.Name, Scope: auth.Scope(d.Scope), Prefix: d.Prefix, CreatedAt: d.CreatedAt.UTC(), MadeWithoutAuth: d.MadeWithoutAuth}
	if d.RevokedAt != nil {
		t := d.RevokedAt.UTC()
		k.RevokedAt = &t
	}
	return k
}

// CreateKey stores k under the hash of its secret.
func (s *Store) CreateKey(ctx context.Context, k auth.Key, hash string) error {
	d := keyDoc{Hash: hash, ID: k.ID, Name: k.Name, Scope: string(k.Scope), Prefix: k.Prefix, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt, MadeWithoutAuth: k.MadeWithoutAuth}
	if _, err := s.db.Collection(collKeys).InsertOne(ctx, d); err != nil {
		return wrapErr("create key", err)
	}
	return nil
}

// KeyByHash returns the key whose secret has this hash, revoked or not.
func (s *Store) KeyByHash(ctx context.Context, hash string) (auth.Key, error) {
	var d keyDoc
	if err := s.db.Collection(collKeys).FindOne(ctx, bson.D{{Key: "_id", Value: hash}}).Decode(&d); err != nil {
		return auth.Key{}, wrapErr("find key", err)
	}
	return d.key(), nil
}

// ListKeys returns every key, revoked ones too, oldest first. There are
// few keys: they are read in one go.
func (s *Store) ListKeys(ctx context.Context) ([]auth.Key, error) {
	opts := options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "key_id", Value: 1}}).SetHint(idxKeysCreated)
	cur, err := s.find(ctx, collKeys, bson.D{}, opts)
	if err != nil {
		return nil, wrapErr("list keys", err)
	}
	var docs []keyDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrapErr("list keys", err)
	}
	keys := make([]auth.Key, len(docs))
	for i, d := range docs {
		keys[i] = d.key()
	}
	return keys, nil
}

// RevokeKey marks the key with this id revoked at now and returns it. A
// key revoked before keeps its first revocation time; an unknown id wraps
// attribution.ErrNotFound.
func (s *Store) RevokeKey(ctx context.Context, id string, now time.Time) (auth.Key, error) {
	coll := s.db.Collection(collKeys)
	t := now.UTC().Truncate(time.Millisecond)
	// Only a key not yet revoked is updated, so the first time stays.
	_, err := coll.UpdateOne(ctx,
		bson.D{{Key: "key_id", Value: id}, {Key: "revoked_at", Value: bson.D{{Key: "$exists", Value: false}}}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "revoked_at", Value: t}}}})
	if err != nil {
		return auth.Key{}, wrapErr("revoke key", err)
	}
	var d keyDoc
	if err := coll.FindOne(ctx, bson.D{{Key: "key_id", Value: id}}).Decode(&d); err != nil {
		return auth.Key{}, wrapErr(fmt.Sprintf("revoke key %s", id), err)
	}
	return d.key(), nil
}

var _ auth.Store = (*Store)(nil)
