package mongostore

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/webhook"
)

// idxDeliveriesDue finds the due pending deliveries (ClaimDeliveries).
const idxDeliveriesDue = "status_next_attempt_at_id"

// enqueueDeliveries inserts a pending delivery of each quote of qs to each
// subscription it matches. IngestArticle calls it after the quotes are
// written and before the article's pending mark is cleared, so that an
// ingest that fails in between is finished, deliveries included, by the
// next ingest of the article; the ids are the same each time
// (webhook.MessageID), so a delivery is stored once.
func (s *Store) enqueueDeliveries(ctx context.Context, qs []attribution.StoredQuote, at time.Time) error {
	if len(qs) == 0 {
		return nil
	}
	subs, err := s.ListSubscriptions(ctx)
	if err != nil || len(subs) == 0 {
		return err
	}
	ps, err := webhook.Enqueue(subs, qs, at)
	if err != nil || len(ps) == 0 {
		return err
	}
	docs := make([]any, len(ps))
	for i, p := range ps {
		next := p.NextAttemptAt.UTC()
		docs[i] = deliveryDoc{ID: p.ID, SubscriptionID: p.SubscriptionID, Event: p.Event, QuoteID: p.QuoteID, Status: p.Status,
			Attempts: []attemptDoc{}, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
			Payload: string(p.Payload), NextAttemptAt: &next, ClaimGen: 0}
	}
	_, err = s.db.Collection(collDeliveries).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return wrapErr("enqueue deliveries", err)
	}
	return nil
}

// collDeliveryLeases holds one document per claim of a delivery, its _id
// the delivery's id and claim generation ("msg_…/3"): an insert, which
// the _id index makes atomic on MongoDB and FerretDB alike, decides which
// dispatcher a claim goes to. (A findAndModify would not do on FerretDB
// v1, which does not check an update's filter again when it writes.) A
// delivery's leases are dropped once it is delivered or given up.
const collDeliveryLeases = "delivery_leases"

type leaseDoc struct {
	ID           string    `bson:"_id"`
	Token        string    `bson:"token"`
	ClaimedUntil time.Time `bson:"claimed_until"`
}

// ClaimDeliveries leases to token, until until, at most limit pending
// deliveries due at now whose lease has ended. A dispatcher takes a
// delivery by inserting its next lease (see collDeliveryLeases); of two
// that try at once one gets a duplicate key and passes.
func (s *Store) ClaimDeliveries(ctx context.Context, token string, now, until time.Time, limit int) ([]webhook.Claim, error) {
	now, until = now.UTC().Truncate(time.Millisecond), until.UTC().Truncate(time.Millisecond)
	filter := bson.D{
		{Key: "status", Value: webhook.StatusPending},
		{Key: "next_attempt_at", Value: bson.D{{Key: "$lte", Value: now}}},
		{Key: "payload", Value: bson.D{{Key: "$exists", Value: true}}},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "claimed_until", Value: bson.D{{Key: "$exists", Value: false}}}},
			bson.D{{Key: "claimed_until", Value: bson.D{{Key: "$lte", Value: now}}}},
		}},
	}
	// Twice as many as asked: another dispatcher may take some first.
	cur, err := s.find(ctx, collDeliveries, filter, options.Find().SetSort(bson.D{{Key: "next_attempt_at", Value: 1}, {Key: "_id", Value: 1}}).
		SetLimit(int64(2*limit)).SetHint(idxDeliveriesDue))
	if err != nil {
		return nil, wrapErr("claim deliveries", err)
	}
	var found []deliveryDoc
	if err := cur.All(ctx, &found); err != nil {
		return nil, wrapErr("claim deliveries", err)
	}
	var docs []deliveryDoc
	for _, d := range found {
		if len(docs) == limit {
			break
		}
		gen := d.ClaimGen + 1
		_, err := s.db.Collection(collDeliveryLeases).InsertOne(ctx, leaseDoc{ID: fmt.Sprintf("%s/%d", d.ID, gen), Token: token, ClaimedUntil: until})
		if mongo.IsDuplicateKeyError(err) {
			continue // another dispatcher's
		}
		if err != nil {
			return nil, wrapErr("claim deliveries", err)
		}
		// Ours: mark the delivery, so that others see the lease.
		if _, err := s.db.Collection(collDeliveries).UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, {Key: "claim_gen", Value: d.ClaimGen}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "claim_gen", Value: gen}, {Key: "claim_token", Value: token}, {Key: "claimed_until", Value: until}}}}); err != nil {
			return nil, wrapErr("claim deliveries", err)
		}
		d.ClaimGen, d.ClaimToken, d.ClaimedUntil = gen, token, &until
		docs = append(docs, d)
	}
	if len(docs) == 0 {
		return nil, nil
	}
	subIDs := bson.A{}
	for _, d := range docs {
		subIDs = append(subIDs, d.SubscriptionID)
	}
	cur, err = s.db.Collection(collSubscriptions).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: subIDs}}}})
	if err != nil {
		return nil, wrapErr("claim deliveries: subscriptions", err)
	}
	var subs []subscriptionDoc
	if err := cur.All(ctx, &subs); err != nil {
		return nil, wrapErr("claim deliveries: subscriptions", err)
	}
	byID := map[string]subscriptionDoc{}
	for _, sd := range subs {
		byID[sd.ID] = sd
	}
	out := make([]webhook.Claim, len(docs))
	for i, d := range docs {
		out[i] = webhook.Claim{Delivery: d.delivery(), Payload: []byte(d.Payload), Token: token}
		if sd, ok := byID[d.SubscriptionID]; ok {
			out[i].URL, out[i].Secret = sd.URL, sd.Secret
		}
	}
	return out, nil
}

// RecordAttempt appends an attempt to a claimed delivery's log and sets
// its status and next attempt, ending the lease, in one update that
// holds only under lease o.Token; ErrLeaseLost otherwise.
func (s *Store) RecordAttempt(ctx context.Context, o webhook.Outcome) error {
	a := o.Attempt
	set := bson.D{{Key: "status", Value: o.Status}, {Key: "updated_at", Value: a.At.UTC().Truncate(time.Millisecond)}}
	unset := bson.D{{Key: "claim_token", Value: ""}, {Key: "claimed_until", Value: ""}}
	if o.Status == webhook.StatusPending {
		set = append(set, bson.E{Key: "next_attempt_at", Value: o.NextAttemptAt.UTC().Truncate(time.Millisecond)})
	} else {
		unset = append(unset, bson.E{Key: "next_attempt_at", Value: ""})
	}
	res, err := s.db.Collection(collDeliveries).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: o.ID}, {Key: "claim_token", Value: o.Token}, {Key: "status", Value: webhook.StatusPending}},
		bson.D{
			{Key: "$push", Value: bson.D{{Key: "attempts", Value: attemptDoc{At: a.At.UTC().Truncate(time.Millisecond), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS}}}},
			{Key: "$inc", Value: bson.D{{Key: "attempt_count", Value: 1}}},
			{Key: "$set", Value: set},
			{Key: "$unset", Value: unset},
		})
	if err != nil {
		return wrapErr("record attempt of "+o.ID, err)
	}
	if res.MatchedCount == 0 {
		return fmt.Errorf("record attempt of %s: %w", o.ID, webhook.ErrLeaseLost)
	}
	if o.Status != webhook.StatusPending {
		if _, err := s.db.Collection(collDeliveryLeases).DeleteMany(ctx,
			bson.D{{Key: "_id", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(o.ID+"/")}}}}); err != nil {
			return wrapErr("drop leases of "+o.ID, err)
		}
	}
	return nil
}
