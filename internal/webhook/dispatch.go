package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
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

// Store keeps subscriptions and the delivery log.
type Store interface {
	// ListSubscriptions returns every subscription, with its secret.
	ListSubscriptions(ctx context.Context) ([]Subscription, error)
	// SaveDelivery writes d, replacing the delivery with its id.
	SaveDelivery(ctx context.Context, d Delivery) error
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
	// QueueSize is how many stored articles may wait to be matched; zero
	// means 1024. Past it Notify drops (and logs) the article's events.
	QueueSize int
	// Concurrency bounds the deliveries in flight; zero means 16.
	Concurrency int
}

// Dispatcher matches new quotes against the subscriptions and delivers
// them. Create it with New, start Run, hand it quotes with Notify.
type Dispatcher struct {
	store   Store
	log     *slog.Logger
	client  *http.Client
	backoff []time.Duration
	queue   chan job
	sem     chan struct{}
	wg      sync.WaitGroup
}

// job is the quotes of one stored article, with when it was stored: only
// subscriptions that existed then get them.
type job struct {
	quotes []attribution.StoredQuote
	at     time.Time
}

// New builds a Dispatcher.
func New(opts Options) *Dispatcher {
	d := &Dispatcher{store: opts.Store, log: opts.Logger, backoff: opts.Backoff}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.backoff == nil {
		d.backoff = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, 2 * time.Hour}
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	qs := opts.QueueSize
	if qs == 0 {
		qs = 1024
	}
	conc := opts.Concurrency
	if conc == 0 {
		conc = 16
	}
	d.queue = make(chan job, qs)
	d.sem = make(chan struct{}, conc)
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

// Notify hands over the quotes of a newly stored article. It never
// blocks: when the queue is full the quotes are dropped and logged.
func (d *Dispatcher) Notify(quotes []attribution.StoredQuote) {
	if d == nil || len(quotes) == 0 {
		return
	}
	select {
	case d.queue <- job{quotes: quotes, at: time.Now()}:
	default:
		d.log.Warn("webhook queue full; events dropped", slog.Int("quotes", len(quotes)), slog.String("article_id", quotes[0].ArticleID))
	}
}

// Run matches and delivers until ctx ends, then waits for the deliveries
// in flight to stop (their pending retries are abandoned; the log shows
// them pending).
func (d *Dispatcher) Run(ctx context.Context) {
	defer d.wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case j := <-d.queue:
			d.dispatch(ctx, j)
		}
	}
}

// dispatch starts one delivery per matching (subscription, quote), for
// the subscriptions made before the article was stored (the queue may be
// read later).
func (d *Dispatcher) dispatch(ctx context.Context, j job) {
	quotes := j.quotes
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	subs, err := d.store.ListSubscriptions(lctx)
	cancel()
	if err != nil {
		d.log.Error("webhook: list subscriptions; events dropped", slog.Any("error", err), slog.Int("quotes", len(quotes)))
		return
	}
	for _, s := range subs {
		if s.CreatedAt.After(j.at) {
			continue
		}
		for _, q := range quotes {
			if !s.Matches(q) {
				continue
			}
			select {
			case d.sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			d.wg.Add(1)
			go func() {
				defer d.wg.Done()
				defer func() { <-d.sem }()
				d.deliver(ctx, s, q)
			}()
		}
	}
}

func newMessageID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return "msg_" + hex.EncodeToString(b[:])
}

// deliver POSTs one event to s, retrying with backoff, and records every
// attempt.
func (d *Dispatcher) deliver(ctx context.Context, s Subscription, q attribution.StoredQuote) {
	now := time.Now().UTC()
	del := Delivery{ID: newMessageID(), SubscriptionID: s.ID, Event: EventQuoteCreated, QuoteID: q.ID, Status: "pending",
		Attempts: []Attempt{}, CreatedAt: now, UpdatedAt: now}
	body, err := json.Marshal(Event{Type: EventQuoteCreated, Timestamp: now, Data: EventData{SubscriptionID: s.ID, Quote: q}})
	if err != nil {
		d.log.Error("webhook: encode event", slog.Any("error", err))
		return
	}
	wh, err := standardwebhooks.NewWebhook(s.Secret)
	if err != nil {
		d.log.Error("webhook: bad secret", slog.String("subscription_id", s.ID), slog.Any("error", err))
		return
	}
	for attempt := 0; ; attempt++ {
		a := d.post(ctx, wh, s.URL, del.ID, body)
		del.Attempts = append(del.Attempts, a)
		del.UpdatedAt = a.At
		done := a.Error == ""
		switch {
		case done:
			del.Status = "delivered"
		case attempt >= len(d.backoff):
			del.Status = "failed"
		}
		d.save(ctx, del)
		if del.Status != "pending" {
			if del.Status == "failed" {
				d.log.Warn("webhook delivery failed; giving up", slog.String("subscription_id", s.ID),
					slog.String("webhook_id", del.ID), slog.Int("attempts", len(del.Attempts)), slog.String("error", a.Error))
			}
			return
		}
		t := time.NewTimer(d.backoff[attempt])
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
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

// save records a delivery; a store that does not answer loses the record,
// not the delivery.
func (d *Dispatcher) save(ctx context.Context, del Delivery) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.store.SaveDelivery(sctx, del); err != nil {
		d.log.Warn("webhook: record delivery", slog.String("webhook_id", del.ID), slog.Any("error", err))
	}
}
