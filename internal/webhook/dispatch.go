package webhook

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/whosaid/whosaid/internal/attribution"
)

// EventQuoteCreated is the type of the event sent for a new quote.
const EventQuoteCreated = "quote.created"

// Delivery is one message to one subscription, with every attempt.
type Delivery struct {
	// ID is the message id, sent as webhook-id on every attempt, so that
	// a receiver can drop a message it has already processed.
	ID             string    `json:"id" example:"msg_9b1c4f0e2a7d5e68"`
	SubscriptionID string    `json:"subscription_id" example:"sub_5f2c0a9e4b1d7c33"`
	Event          string    `json:"event" example:"quote.created"`
	QuoteID        string    `json:"quote_id" example:"67b4591cb2a1f1a2c3d4e5f6-3"`
	Status         string    `json:"status" enums:"pending,delivered,failed" example:"delivered"`
	Attempts       []Attempt `json:"attempts"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	// NextAttemptAt is when a pending delivery is next tried; absent once
	// delivered or failed.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
} // @name Delivery

// Attempt is one POST of a delivery.
type Attempt struct {
	At time.Time `json:"at"`
	// StatusCode is the receiver's answer; absent when there was none.
	StatusCode int `json:"status_code,omitempty" example:"200"`
	// Error says why the attempt failed, when it did.
	Error      string  `json:"error,omitempty" example:"status 503"`
	DurationMS float64 `json:"duration_ms" example:"12.5"`
} // @name Attempt

// Event is the JSON body of a delivery.
type Event struct {
	Type      string    `json:"type" example:"quote.created"`
	Timestamp time.Time `json:"timestamp"`
	Data      EventData `json:"data"`
}

// EventData is the payload of a quote.created event.
type EventData struct {
	SubscriptionID string                  `json:"subscription_id" example:"sub_5f2c0a9e4b1d7c33"`
	Quote          attribution.StoredQuote `json:"quote"`
}

// Options configure a Dispatcher.
type Options struct {
	Store  Store
	Logger *slog.Logger
	// AllowPrivate lets deliveries reach private and loopback addresses.
	AllowPrivate bool
	// Backoff are the pauses before each retry; the message is given up
	// after the last. Nil means 5s, 30s, 2m, 10m, 30m, 2h.
	Backoff []time.Duration
	// Timeout bounds one attempt; zero means 10s.
	Timeout time.Duration
	// Lease is how long a claimed delivery is this dispatcher's alone: a
	// dispatcher that stops (or crashes) mid-attempt leaves it to be
	// claimed again after it. Zero means 1 min; it is raised to twice
	// Timeout when shorter.
	Lease time.Duration
	// Poll is how often the outbox is read for due deliveries when
	// nothing wakes the dispatcher sooner; zero means 1s.
	Poll time.Duration
	// Concurrency bounds the deliveries in flight; zero means 16.
	Concurrency int
}

// Dispatcher delivers the pending deliveries of the store's outbox:
// several may run on one store (replicas of the service), each claiming
// due deliveries under a lease, so each attempt is made by one of them.
// Create it with New and start Run; Notify wakes it after an ingest.
type Dispatcher struct {
	store    Store
	log      *slog.Logger
	client   *http.Client
	backoff  []time.Duration
	lease    time.Duration
	poll     time.Duration
	conc     int
	inflight atomic.Int64
	wake     chan struct{}
	wg       sync.WaitGroup
}

// New builds a Dispatcher.
func New(opts Options) *Dispatcher {
	d := &Dispatcher{store: opts.Store, log: opts.Logger, backoff: opts.Backoff, wake: make(chan struct{}, 1)}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.backoff == nil {
		d.backoff = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, 2 * time.Hour}
	}
	timeout := cmp.Or(opts.Timeout, 10*time.Second)
	d.lease = max(cmp.Or(opts.Lease, time.Minute), 2*timeout)
	d.poll = cmp.Or(opts.Poll, time.Second)
	d.conc = cmp.Or(opts.Concurrency, 16)
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	if !opts.AllowPrivate {
		dialer.Control = refuseInternal
	}
	d.client = &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			DialContext:         dialer.DialContext,
			Proxy:               nil, // a proxy would dial for us, past the check
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     90 * time.Second,
		},
		// A redirect is an answer, not an order: the receiver must answer
		// 2xx itself.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return d
}

// Notify tells the dispatcher that quotes were stored (their deliveries,
// if any, are in the outbox already), so that it reads the outbox now
// rather than at its next poll. It never blocks.
func (d *Dispatcher) Notify([]attribution.StoredQuote) {
	if d == nil {
		return
	}
	d.signal()
}

func (d *Dispatcher) signal() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run claims and delivers due deliveries until ctx ends, then waits for
// the attempts in flight to stop. An attempt cut short by ctx before an
// answer is recorded as such and due again at once (for this
// dispatcher's successor or another replica); one answered is recorded
// as usual.
func (d *Dispatcher) Run(ctx context.Context) {
	defer d.wg.Wait()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		full := d.claim(ctx)
		if !full {
			t.Reset(d.poll)
		} else {
			t.Reset(0)
		}
		select {
		case <-ctx.Done():
			return
		case <-d.wake:
		case <-t.C:
		}
	}
}

// claim leases as many due deliveries as there are free delivery slots
// and starts them; it reports whether it took all it asked for (more may
// be due).
func (d *Dispatcher) claim(ctx context.Context) bool {
	free := d.conc - int(d.inflight.Load())
	if free <= 0 || ctx.Err() != nil {
		return false
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	claims, err := d.store.ClaimDeliveries(cctx, newToken(), now, now.Add(d.lease), free)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("webhook: claim deliveries", slog.Any("error", err))
		}
		return false
	}
	for _, c := range claims {
		d.inflight.Add(1)
		d.wg.Go(func() {
			defer d.signal() // a slot is free again
			defer d.inflight.Add(-1)
			d.deliver(ctx, c)
		})
	}
	return len(claims) == free
}

func newToken() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "lease_" + hex.EncodeToString(b[:])
}

// deliver makes one attempt of a claimed delivery and records it, with
// the next attempt after the backoff, or the end of the delivery.
func (d *Dispatcher) deliver(ctx context.Context, c Claim) {
	var a Attempt
	switch {
	case c.URL == "":
		a = Attempt{At: time.Now().UTC().Truncate(time.Millisecond), Error: "subscription deleted"}
	default:
		wh, err := standardwebhooks.NewWebhook(c.Secret)
		if err != nil {
			a = Attempt{At: time.Now().UTC().Truncate(time.Millisecond), Error: "bad secret"}
			break
		}
		a = d.post(ctx, wh, c.URL, c.ID, c.Payload)
	}
	o := Outcome{ID: c.ID, Token: c.Token, Attempt: a}
	n := len(c.Attempts) + 1
	switch {
	case ctx.Err() != nil && a.StatusCode == 0:
		// Cut short by a stop, without an answer (the receiver may have
		// got it): due again at once, for whichever dispatcher runs
		// next. A dispatcher that dies instead leaves its lease to run
		// out.
		a.Error = "cut short: the dispatcher stopped"
		o.Attempt, o.Status, o.NextAttemptAt = a, StatusPending, a.At
	case a.Error == "":
		o.Status = StatusDelivered
	case c.URL == "" || a.Error == "bad secret" || n > len(d.backoff):
		o.Status = StatusFailed
	default:
		o.Status = StatusPending
		o.NextAttemptAt = a.At.Add(d.backoff[n-1])
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.store.RecordAttempt(rctx, o); err != nil {
		d.log.Warn("webhook: record attempt", slog.String("webhook_id", c.ID), slog.Any("error", err))
		return
	}
	if o.Status == StatusFailed {
		d.log.Warn("webhook delivery failed; giving up", slog.String("subscription_id", c.SubscriptionID),
			slog.String("webhook_id", c.ID), slog.Int("attempts", n), slog.String("error", a.Error))
	}
}

// post makes one attempt.
func (d *Dispatcher) post(ctx context.Context, wh *standardwebhooks.Webhook, url, id string, body []byte) Attempt {
	start := time.Now()
	a := Attempt{At: start.UTC().Truncate(time.Millisecond)}
	sig, err := wh.Sign(id, start, body)
	if err != nil {
		a.Error = "sign: " + err.Error()
		return a
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "whosaid-webhooks/1")
	req.Header.Set(standardwebhooks.HeaderWebhookID, id)
	req.Header.Set(standardwebhooks.HeaderWebhookTimestamp, fmt.Sprint(start.Unix()))
	req.Header.Set(standardwebhooks.HeaderWebhookSignature, sig)
	resp, err := d.client.Do(req)
	a.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	if err != nil {
		a.Error = err.Error()
		if errors.Is(err, ErrPrivate) {
			a.Error = "target " + ErrPrivate.Error()
		}
		return a
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	a.StatusCode = resp.StatusCode
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.Error = fmt.Sprintf("status %d", resp.StatusCode)
	}
	return a
}
