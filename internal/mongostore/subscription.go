package mongostore

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/webhook"
)

// Collections of webhooks.
const (
	collSubscriptions = "subscriptions"
	// collDeliveries is the delivery log: one document per message, with
	// its attempts.
	collDeliveries = "deliveries"
)

type subscriptionDoc struct {
	ID         string    `bson:"_id"`
	URL        string    `bson:"url"`
	Secret     string    `bson:"secret"`
	SpeakerIDs []string  `bson:"speaker_ids"`
	Query      string    `bson:"q,omitempty"`
	KeyID      string    `bson:"key_id,omitempty"`
	CreatedAt  time.Time `bson:"created_at"`
}

func (d subscriptionDoc) subscription() webhook.Subscription {
	return webhook.Subscription{ID: d.ID, URL: d.URL, Secret: d.Secret, SpeakerIDs: d.SpeakerIDs, Query: d.Query,
		KeyID: d.KeyID, CreatedAt: d.CreatedAt.UTC()}
}

// CreateSubscription stores s (its ID set by the caller).
func (s *Store) CreateSubscription(ctx context.Context, sub webhook.Subscription) error {
	ids := sub.SpeakerIDs
	if ids == nil {
		ids = []string{}
	}
	d := subscriptionDoc{ID: sub.ID, URL: sub.URL, Secret: sub.Secret, SpeakerIDs: ids, Query: sub.Query, KeyID: sub.KeyID,
		CreatedAt: sub.CreatedAt.UTC().Truncate(time.Millisecond)}
	if _, err := s.db.Collection(collSubscriptions).InsertOne(ctx, d); err != nil {
		return wrapErr("create subscription", err)
	}
	return nil
}

// ListSubscriptions returns every subscription, oldest first, with its
// secret. There are few: they are read in one go.
func (s *Store) ListSubscriptions(ctx context.Context) ([]webhook.Subscription, error) {
	cur, err := s.find(ctx, collSubscriptions, bson.D{},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}).SetHint(idxSubscriptionsCreated))
	if err != nil {
		return nil, wrapErr("list subscriptions", err)
	}
	var docs []subscriptionDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrapErr("list subscriptions", err)
	}
	out := make([]webhook.Subscription, len(docs))
	for i, d := range docs {
		out[i] = d.subscription()
	}
	return out, nil
}

// GetSubscription returns one subscription.
func (s *Store) GetSubscription(ctx context.Context, id string) (webhook.Subscription, error) {
	var d subscriptionDoc
	if err := s.db.Collection(collSubscriptions).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return webhook.Subscription{}, wrapErr(fmt.Sprintf("get subscription %q", id), err)
	}
	return d.subscription(), nil
}

// DeleteSubscription deletes a subscription; its delivery log stays.
func (s *Store) DeleteSubscription(ctx context.Context, id string) error {
	res, err := s.db.Collection(collSubscriptions).DeleteOne(ctx, bson.D{{Key: "_id", Value: id}})
	if err != nil {
		return wrapErr("delete subscription "+id, err)
	}
	if res.DeletedCount == 0 {
		return fmt.Errorf("delete subscription %q: %w", id, attribution.ErrNotFound)
	}
	return nil
}

type attemptDoc struct {
	At         time.Time `bson:"at"`
	StatusCode int       `bson:"status_code,omitempty"`
	Error      string    `bson:"error,omitempty"`
	DurationMS float64   `bson:"duration_ms"`
}

type deliveryDoc struct {
	ID             string       `bson:"_id"`
	SubscriptionID string       `bson:"subscription_id"`
	Event          string       `bson:"event"`
	QuoteID        string       `bson:"quote_id"`
	Status         string       `bson:"status"`
	Attempts       []attemptDoc `bson:"attempts"`
	CreatedAt      time.Time    `bson:"created_at"`
	UpdatedAt      time.Time    `bson:"updated_at"`
	// The outbox (see outbox.go): absent from an imported log entry,
	// which is never tried.
	Payload       string     `bson:"payload,omitempty"`
	AttemptCount  int        `bson:"attempt_count,omitempty"`
	NextAttemptAt *time.Time `bson:"next_attempt_at,omitempty"`
	ClaimedUntil  *time.Time `bson:"claimed_until,omitempty"`
	ClaimToken    string     `bson:"claim_token,omitempty"`
	// ClaimGen counts the claims (see collDeliveryLeases).
	ClaimGen int `bson:"claim_gen"`
}

func (d deliveryDoc) delivery() webhook.Delivery {
	out := webhook.Delivery{ID: d.ID, SubscriptionID: d.SubscriptionID, Event: d.Event, QuoteID: d.QuoteID, Status: d.Status,
		Attempts: make([]webhook.Attempt, len(d.Attempts)), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
	for j, a := range d.Attempts {
		out.Attempts[j] = webhook.Attempt{At: a.At.UTC(), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS}
	}
	if d.NextAttemptAt != nil && d.Status == webhook.StatusPending && d.Payload != "" {
		t := d.NextAttemptAt.UTC()
		out.NextAttemptAt = &t
	}
	return out
}

// SaveDelivery writes a delivery, replacing the one with its id.
func (s *Store) SaveDelivery(ctx context.Context, d webhook.Delivery) error {
	doc := deliveryDoc{ID: d.ID, SubscriptionID: d.SubscriptionID, Event: d.Event, QuoteID: d.QuoteID, Status: d.Status,
		Attempts: make([]attemptDoc, len(d.Attempts)), CreatedAt: d.CreatedAt.UTC().Truncate(time.Millisecond),
		UpdatedAt: d.UpdatedAt.UTC().Truncate(time.Millisecond)}
	for i, a := range d.Attempts {
		doc.Attempts[i] = attemptDoc{At: a.At.UTC().Truncate(time.Millisecond), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS}
	}
	_, err := s.db.Collection(collDeliveries).ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, doc, options.Replace().SetUpsert(true))
	if err != nil {
		return wrapErr("save delivery "+d.ID, err)
	}
	return nil
}

// ListDeliveries returns the newest deliveries of a subscription, at most
// limit.
func (s *Store) ListDeliveries(ctx context.Context, subscriptionID string, limit int) ([]webhook.Delivery, error) {
	cur, err := s.find(ctx, collDeliveries, bson.D{{Key: "subscription_id", Value: subscriptionID}},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit)).SetHint(idxDeliveriesSubscription))
	if err != nil {
		return nil, wrapErr("list deliveries", err)
	}
	var docs []deliveryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrapErr("list deliveries", err)
	}
	out := make([]webhook.Delivery, len(docs))
	for i, d := range docs {
		out[i] = d.delivery()
	}
	return out, nil
}

var _ webhook.Store = (*Store)(nil)
