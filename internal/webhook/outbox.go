package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// ErrLeaseLost is the error of recording an attempt on a delivery whose
// lease has expired and been taken by another dispatcher (or whose
// delivery is no longer pending): the other dispatcher owns it now.
var ErrLeaseLost = errors.New("the delivery's lease is held by another dispatcher")

// Pending is a delivery to enqueue: written by the store in the same write
// as the quote it carries, due at once.
type Pending struct {
	Delivery
	// Payload is the JSON body POSTed on every attempt (the same bytes,
	// so that the signature covers what the receiver stored).
	Payload []byte
}

// Claim is a delivery leased to one dispatcher until its lease ends.
type Claim struct {
	Delivery
	Payload []byte
	// URL and Secret are its subscription's; both empty when the
	// subscription has been deleted since.
	URL, Secret string
	// Token identifies the lease: RecordAttempt must present it.
	Token string
}

// Outcome is what one attempt of a claimed delivery changed.
type Outcome struct {
	ID, Token string
	Attempt   Attempt
	// Status is StatusDelivered, StatusFailed (given up), or
	// StatusPending with the next attempt due at NextAttemptAt.
	Status        string
	NextAttemptAt time.Time
}

// MessageID is the webhook-id of the message of quote quoteID to
// subscription subID: the same whoever enqueues it, so that enqueueing it
// twice (an ingest retried after a failure) stores it once.
func MessageID(subID, quoteID string) string {
	sum := sha256.Sum256([]byte(subID + "\x00" + quoteID))
	return "msg_" + hex.EncodeToString(sum[:12])
}

// Enqueue returns the pending deliveries of new quotes qs: one per
// (subscription, quote) that matches, due at now. Stores call it inside
// the write that stores qs.
func Enqueue(subs []Subscription, qs []attribution.StoredQuote, now time.Time) ([]Pending, error) {
	now = now.UTC().Truncate(time.Millisecond)
	var out []Pending
	for _, s := range subs {
		for _, q := range qs {
			if !s.Matches(q) {
				continue
			}
			body, err := json.Marshal(Event{Type: EventQuoteCreated, Timestamp: now, Data: EventData{SubscriptionID: s.ID, Quote: q}})
			if err != nil {
				return nil, err
			}
			out = append(out, Pending{
				Delivery: Delivery{ID: MessageID(s.ID, q.ID), SubscriptionID: s.ID, Event: EventQuoteCreated, QuoteID: q.ID,
					Status: StatusPending, Attempts: []Attempt{}, CreatedAt: now, UpdatedAt: now, NextAttemptAt: &now},
				Payload: body,
			})
		}
	}
	return out, nil
}

// Store is the outbox the Dispatcher works from. The stores write pending
// deliveries themselves, in the write that stores the quotes.
type Store interface {
	// ClaimDeliveries leases to token, until until, at most limit
	// pending deliveries due at now (next attempt at or before now)
	// whose lease, if any, has ended by now; oldest due first. Two
	// calls never both get one delivery while its lease runs.
	ClaimDeliveries(ctx context.Context, token string, now, until time.Time, limit int) ([]Claim, error)
	// RecordAttempt appends o.Attempt to the delivery's log and sets its
	// status and next attempt, ending the lease; ErrLeaseLost when the
	// delivery is not pending under lease o.Token any more.
	RecordAttempt(ctx context.Context, o Outcome) error
}
