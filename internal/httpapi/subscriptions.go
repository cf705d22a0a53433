package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/webhook"
)

// Limits of subscriptions.
const (
	maxSubscriptionURL      = 2000
	maxSubscriptionSpeakers = 100
	maxSubscriptionQuery    = 500
	// maxDeliveries is how many deliveries GET …/deliveries answers.
	maxDeliveries = 100
)

// SubscriptionStore keeps webhook subscriptions and their delivery log.
type SubscriptionStore interface {
	CreateSubscription(ctx context.Context, s webhook.Subscription) error
	ListSubscriptions(ctx context.Context) ([]webhook.Subscription, error)
	GetSubscription(ctx context.Context, id string) (webhook.Subscription, error)
	DeleteSubscription(ctx context.Context, id string) error
	ListDeliveries(ctx context.Context, subscriptionID string, limit int) ([]webhook.Delivery, error)
}

// SubscriptionRequest is the body of POST /v1/subscriptions.
type SubscriptionRequest struct {
	// URL receives the deliveries: an absolute http or https URL. Private,
	// loopback and link-local addresses are refused unless the server runs
	// with --webhook-allow-private.
	URL string `json:"url" validate:"required" example:"https://desk.example.org/hooks/whosaid"`
	// Secret signs the deliveries: "whsec_" and the base64 of 24 to 64
	// bytes. Absent: the server makes one and answers it once.
	Secret string `json:"secret,omitempty" example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"`
	// SpeakerIDs limits the deliveries to quotes of these speakers (ids);
	// with speakers, at most 100 in all; both absent or empty: any
	// speaker.
	SpeakerIDs []string `json:"speaker_ids,omitempty" example:"spk_1118ee61dd083b08"`
	// Speakers names speakers by id, name or alias ("Jansen", "Mr
	// Jansen"), resolved when the subscription is made: it then lists
	// their ids in speaker_ids, and a name given later to someone else
	// does not change it.
	Speakers []string `json:"speakers,omitempty" example:"Anna Jansen"`
	// Q limits them to quotes with all these words; absent: any words.
	Q string `json:"q,omitempty" example:"bridge"`
} //	@name	SubscriptionRequest

// NewSubscriptionResponse is a new subscription with its secret, shown
// this once.
type NewSubscriptionResponse struct {
	webhook.Subscription
	Secret string `json:"secret" example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"`
} //	@name	NewSubscriptionResponse

// SubscriptionList is every subscription, oldest first.
type SubscriptionList struct {
	Subscriptions []webhook.Subscription `json:"subscriptions"`
} //	@name	SubscriptionList

// DeliveryList is the newest deliveries of a subscription.
type DeliveryList struct {
	Deliveries []webhook.Delivery `json:"deliveries"`
} //	@name	DeliveryList

// createSubscription subscribes a URL to new quotes.
//
//	@Summary		Subscribe to new quotes
//	@ID				createSubscription
//	@Description	New quotes of the speakers in `speaker_ids` and `speakers` (any speaker when both are empty) that contain
//	@Description	every word of `q` (any when empty) are POSTed to `url`, one `quote.created` event per quote (see the
//	@Description	`quoteCreated` webhook), signed after Standard Webhooks: `webhook-id` (the same on retries: deliveries are
//	@Description	at least once, so drop an id you have processed), `webhook-timestamp`, `webhook-signature` (`v1,` + base64
//	@Description	HMAC-SHA256 of `id.timestamp.body` keyed with the secret's bytes). `speakers` takes ids, names or aliases,
//	@Description	resolved to ids now: the answer lists them in `speaker_ids`. The store writes a pending delivery in the same
//	@Description	write as each matching quote (by the API or `whosaid ingest`); the server's dispatchers (one per replica)
//	@Description	claim due deliveries under a lease, so each attempt is made once, and pending ones survive a restart.
//	@Description	A 2xx answer delivers; anything else (or no answer in 10 s) is retried after 5 s, 30 s, 2 min, 10 min, 30 min
//	@Description	and 2 h, then given up. Every attempt is logged (`GET /v1/subscriptions/{id}/deliveries`). Ingest never waits
//	@Description	for deliveries. Targets on private, loopback or link-local addresses are refused (here and when connecting)
//	@Description	unless the server runs with `--webhook-allow-private`. The subscription belongs to the API key that makes it:
//	@Description	other keys but admin ones neither see nor delete it.
//	@Tags			subscriptions
//	@Security		BearerAuth
//	@Accept			json
//	@Param			request	body	SubscriptionRequest	true	"target, optional secret and filters"
//	@Produce		application/problem+json
//	@Failure		400	{object}	Problem	"the body is not a JSON object of the documented shape"
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		413	{object}	Problem	"the body is larger than 1 MiB"
//	@Failure		415	{object}	Problem	"the body is not application/json"
//	@Failure		422	{object}	Problem	"url missing, not http(s), or private; secret malformed; unknown or ambiguous speaker; q too long"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		201	{object}	NewSubscriptionResponse
//	@Router			/v1/subscriptions [post]
func (s *Server) createSubscription(c *gin.Context) {
	body, err := readJSONBody(c, "application/json")
	if err != nil {
		s.writeError(c, err)
		return
	}
	var req SubscriptionRequest
	if err := decodeJSONObject(body, &req); err != nil {
		s.writeError(c, err)
		return
	}
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	var errs []error
	req.URL = strings.TrimSpace(req.URL)
	switch {
	case req.URL == "":
		errs = append(errs, &attribution.FieldError{Field: "url", Reason: "is required"})
	case len(req.URL) > maxSubscriptionURL:
		errs = append(errs, &attribution.FieldError{Field: "url", Reason: fmt.Sprintf("must be at most %d bytes", maxSubscriptionURL)})
	default:
		if err := webhook.CheckURL(dctx, req.URL, s.allowPrivate, nil); err != nil {
			errs = append(errs, &attribution.FieldError{Field: "url", Reason: err.Error()})
		}
	}
	secret := req.Secret
	if secret == "" {
		secret = webhook.NewSecret()
	} else if err := webhook.CheckSecret(secret); err != nil {
		errs = append(errs, &attribution.FieldError{Field: "secret", Reason: err.Error()})
	}
	var speakerIDs []string
	if len(req.SpeakerIDs)+len(req.Speakers) > maxSubscriptionSpeakers {
		errs = append(errs, &attribution.FieldError{Field: "speaker_ids", Reason: fmt.Sprintf("must name at most %d speakers with speakers", maxSubscriptionSpeakers)})
	} else {
		for i, id := range req.SpeakerIDs {
			_, err := s.store.LookupSpeaker(dctx, id)
			switch {
			case errors.Is(err, attribution.ErrNotFound):
				errs = append(errs, &attribution.FieldError{Field: fmt.Sprintf("speaker_ids[%d]", i), Reason: "is not a stored speaker"})
			case err != nil:
				s.writeError(c, err)
				return
			case !slices.Contains(speakerIDs, id):
				speakerIDs = append(speakerIDs, id)
			}
		}
		for i, name := range req.Speakers {
			id, err := s.store.ResolveSpeakerID(dctx, strings.TrimSpace(name))
			switch {
			case errors.Is(err, attribution.ErrNotFound) || strings.TrimSpace(name) == "":
				errs = append(errs, &attribution.FieldError{Field: fmt.Sprintf("speakers[%d]", i), Reason: "is no stored speaker's id, name or alias"})
			case errors.Is(err, attribution.ErrConflict):
				errs = append(errs, &attribution.FieldError{Field: fmt.Sprintf("speakers[%d]", i), Reason: "names several speakers; give an id"})
			case err != nil:
				s.writeError(c, err)
				return
			case !slices.Contains(speakerIDs, id):
				speakerIDs = append(speakerIDs, id)
			}
		}
	}
	if len(req.Q) > maxSubscriptionQuery {
		errs = append(errs, &attribution.FieldError{Field: "q", Reason: fmt.Sprintf("must be at most %d bytes", maxSubscriptionQuery)})
	}
	if len(errs) > 0 {
		s.writeError(c, errors.Join(errs...))
		return
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	sub := webhook.Subscription{ID: "sub_" + hex.EncodeToString(rnd[:]), URL: req.URL, Secret: secret,
		SpeakerIDs: speakerIDs, Query: strings.TrimSpace(req.Q), CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	if sub.SpeakerIDs == nil {
		sub.SpeakerIDs = []string{}
	}
	if k, ok := keyOf(c); ok {
		sub.KeyID = k.ID
	}
	if err := s.store.CreateSubscription(dctx, sub); err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Location", "/v1/subscriptions/"+sub.ID)
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, NewSubscriptionResponse{Subscription: sub, Secret: secret})
}

// listSubscriptions lists the subscriptions.
//
//	@Summary		List subscriptions
//	@ID				listSubscriptions
//	@Description	The subscriptions of the request's API key (an admin key, or auth off: every subscription), oldest first,
//	@Description	without secrets.
//	@Tags			subscriptions
//	@Security		BearerAuth
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	SubscriptionList
//	@Router			/v1/subscriptions [get]
func (s *Server) listSubscriptions(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	all, err := s.store.ListSubscriptions(dctx)
	if err != nil {
		s.writeError(c, err)
		return
	}
	subs := []webhook.Subscription{}
	for _, sub := range all {
		if visibleTo(c, sub) {
			subs = append(subs, sub)
		}
	}
	c.JSON(http.StatusOK, SubscriptionList{Subscriptions: subs})
}

// getSubscription returns one subscription.
//
//	@Summary		Get a subscription
//	@ID				getSubscription
//	@Description	The subscription, without its secret. Another key's subscription is 404 unless the key is admin.
//	@Tags			subscriptions
//	@Security		BearerAuth
//	@Param			id	path	string	true	"subscription id"	example(sub_5f2c0a9e4b1d7c33)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		404	{object}	Problem	"no such subscription"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	webhook.Subscription
//	@Router			/v1/subscriptions/{id} [get]
func (s *Server) getSubscription(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	sub, err := s.ownSubscription(dctx, c)
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, sub)
}

// visibleTo reports whether the request may see sub: with auth off, with
// an admin key, or with the key that made it.
func visibleTo(c *gin.Context, sub webhook.Subscription) bool {
	k, ok := keyOf(c)
	return !ok || k.Scope == auth.ScopeAdmin || sub.KeyID == k.ID
}

// ownSubscription returns the subscription of the path's id if the
// request may see it, else ErrNotFound (as if there were none).
func (s *Server) ownSubscription(ctx context.Context, c *gin.Context) (webhook.Subscription, error) {
	id := c.Param("id")
	sub, err := s.store.GetSubscription(ctx, id)
	if err != nil {
		return sub, err
	}
	if !visibleTo(c, sub) {
		return webhook.Subscription{}, fmt.Errorf("subscription %q: %w", id, attribution.ErrNotFound)
	}
	return sub, nil
}

// deleteSubscription stops deliveries to a subscription.
//
//	@Summary		Delete a subscription
//	@ID				deleteSubscription
//	@Description	No new deliveries start for it (pending ones fail, logged as "subscription deleted"); its delivery log stays.
//	@Description	Another key's subscription is 404 unless the key is admin.
//	@Tags			subscriptions
//	@Security		BearerAuth
//	@Param			id	path	string	true	"subscription id"	example(sub_5f2c0a9e4b1d7c33)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		403	{object}	Problem	"auth on: the API key's scope does not allow this request"
//	@Failure		404	{object}	Problem	"no such subscription"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Success		204
//	@Router			/v1/subscriptions/{id} [delete]
func (s *Server) deleteSubscription(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	if _, err := s.ownSubscription(dctx, c); err != nil {
		s.writeError(c, err)
		return
	}
	if err := s.store.DeleteSubscription(dctx, c.Param("id")); err != nil {
		s.writeError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listDeliveries returns the delivery log of a subscription.
//
//	@Summary		Deliveries of a subscription
//	@ID				listSubscriptionDeliveries
//	@Description	The newest 100 deliveries, each with its webhook-id, quote, status (pending, delivered, failed), every
//	@Description	attempt (time, status code or error, duration) and, while pending, when it is next tried. Another key's
//	@Description	subscription is 404 unless the key is admin.
//	@Tags			subscriptions
//	@Security		BearerAuth
//	@Param			id	path	string	true	"subscription id"	example(sub_5f2c0a9e4b1d7c33)
//	@Produce		application/problem+json
//	@Failure		401	{object}	Problem	"auth on: no API key, or an unknown or revoked one"
//	@Failure		404	{object}	Problem	"no such subscription"
//	@Failure		429	{object}	Problem	"rate limit exceeded; see Retry-After"
//	@Failure		500	{object}	Problem	"internal error"
//	@Failure		503	{object}	Problem	"the database did not answer in time"
//	@Produce		json
//	@Success		200	{object}	DeliveryList
//	@Router			/v1/subscriptions/{id}/deliveries [get]
func (s *Server) listDeliveries(c *gin.Context) {
	dctx, cancel := s.dbContext(c.Request.Context())
	defer cancel()
	id := c.Param("id")
	if _, err := s.ownSubscription(dctx, c); err != nil {
		s.writeError(c, err)
		return
	}
	dels, err := s.store.ListDeliveries(dctx, id, maxDeliveries)
	if err != nil {
		s.writeError(c, err)
		return
	}
	if dels == nil {
		dels = []webhook.Delivery{}
	}
	c.JSON(http.StatusOK, DeliveryList{Deliveries: dels})
}
