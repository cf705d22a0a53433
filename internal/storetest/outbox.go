package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/webhook"
)

func outboxCases() []testCase {
	return []testCase{
		{"OutboxEnqueuedWithQuotes", testOutboxEnqueuedWithQuotes},
		{"OutboxRevision", testOutboxRevision},
		{"OutboxLeaseExclusive", testOutboxLeaseExclusive},
		{"OutboxLeaseExpiry", testOutboxLeaseExpiry},
		{"OutboxRestart", testOutboxRestart},
	}
}

// subscribe stores a subscription made now.
func (e *env) subscribe(t *testing.T, sub webhook.Subscription) webhook.Subscription {
	t.Helper()
	if sub.Secret == "" {
		sub.Secret = webhook.NewSecret()
	}
	if sub.URL == "" {
		sub.URL = "https://desk.example/hook"
	}
	if sub.SpeakerIDs == nil {
		sub.SpeakerIDs = []string{}
	}
	sub.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	if err := e.s.CreateSubscription(ctx(t), sub); err != nil {
		t.Fatalf("CreateSubscription(%s) error = %v", sub.ID, err)
	}
	return sub
}

// deliveryIDs lists the ids of a subscription's deliveries, sorted.
func (e *env) deliveryIDs(t *testing.T, subID string) []string {
	t.Helper()
	dels, err := e.s.ListDeliveries(ctx(t), subID, 100)
	if err != nil {
		t.Fatalf("ListDeliveries(%s) error = %v", subID, err)
	}
	var ids []string
	for _, d := range dels {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	return ids
}

// messageIDs are the webhook-ids of quotes qs to subscription subID,
// sorted.
func messageIDs(subID string, qs ...attribution.StoredQuote) []string {
	var ids []string
	for _, q := range qs {
		ids = append(ids, webhook.MessageID(subID, q.ID))
	}
	slices.Sort(ids)
	return ids
}

// testOutboxEnqueuedWithQuotes: the ingest that stores a quote stores,
// before it answers, a pending delivery of it to every subscription it
// matches (none to the others, none to a subscription made after), with
// the event body the dispatcher will POST; ingesting it again adds none.
func testOutboxEnqueuedWithQuotes(t *testing.T, e *env) {
	e.ingest(t, art{lead: "Earlier.", says: []say{{words: "We start today", speaker: "Ana Ruiz"}}})
	ruiz := e.speakerID(t, "Ana Ruiz")
	bySpeaker := e.subscribe(t, webhook.Subscription{ID: "sub_ruiz", SpeakerIDs: []string{ruiz}})
	byWord := e.subscribe(t, webhook.Subscription{ID: "sub_bridge", Query: "bridge"})
	nobody := e.subscribe(t, webhook.Subscription{ID: "sub_tunnel", Query: "tunnel"})
	if ids := e.deliveryIDs(t, bySpeaker.ID); len(ids) != 0 {
		t.Fatalf("deliveries before any new quote = %v, want none (quotes stored before a subscription are not sent)", ids)
	}
	a := art{lead: "Council news.", says: []say{
		{words: "We will rebuild every bridge", speaker: "Ana Ruiz"},
		{words: "The bridge money is not there", speaker: "Jonas Berg"},
		{words: "Nobody will be left behind", speaker: "Ana Ruiz"},
	}}
	res := e.ingest(t, a)
	late := e.subscribe(t, webhook.Subscription{ID: "sub_late"})
	q := res.Quotes
	for _, tc := range []struct {
		sub  string
		want []string
	}{
		{bySpeaker.ID, messageIDs(bySpeaker.ID, q[0], q[2])},
		{byWord.ID, messageIDs(byWord.ID, q[0], q[1])},
		{nobody.ID, nil},
		{late.ID, nil},
	} {
		if got := e.deliveryIDs(t, tc.sub); !slices.Equal(got, tc.want) {
			t.Errorf("deliveries of %s right after ingest = %v, want %v", tc.sub, got, tc.want)
		}
	}
	dels, err := e.s.ListDeliveries(ctx(t), bySpeaker.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dels {
		if d.Status != webhook.StatusPending || len(d.Attempts) != 0 || d.NextAttemptAt == nil || d.Event != webhook.EventQuoteCreated {
			t.Errorf("enqueued delivery %+v, want pending, due, no attempts", d)
		}
	}
	// The same article again: stored already, nothing new to send.
	e.ingest(t, a)
	if got := e.deliveryIDs(t, byWord.ID); len(got) != 2 {
		t.Errorf("deliveries of %s after a second ingest = %v, want the 2 of the first", byWord.ID, got)
	}
	// What a dispatcher claims: the event of the quote, for the target.
	now := time.Now().Add(time.Second)
	claims, err := e.s.ClaimDeliveries(ctx(t), "lease_a", now, now.Add(time.Minute), 10)
	if err != nil {
		t.Fatalf("ClaimDeliveries error = %v", err)
	}
	if len(claims) != 4 {
		t.Fatalf("ClaimDeliveries = %d claims, want the 4 enqueued", len(claims))
	}
	for _, c := range claims {
		var ev webhook.Event
		if err := json.Unmarshal(c.Payload, &ev); err != nil {
			t.Fatalf("payload of %s: %v", c.ID, err)
		}
		if ev.Type != webhook.EventQuoteCreated || ev.Data.SubscriptionID != c.SubscriptionID || ev.Data.Quote.ID != c.QuoteID ||
			c.ID != webhook.MessageID(c.SubscriptionID, c.QuoteID) || c.URL != "https://desk.example/hook" || c.Secret == "" || c.Token != "lease_a" {
			t.Errorf("claim %s: event %+v, url %q, token %q", c.ID, ev, c.URL, c.Token)
		}
		if ev.Data.Quote.Text == "" || (c.SubscriptionID == bySpeaker.ID && ev.Data.Quote.SpeakerID != ruiz) {
			t.Errorf("claim %s carries quote %+v", c.ID, ev.Data.Quote)
		}
	}
}

// testOutboxRevision: a new revision of an article (a new text at its
// URL) enqueues its new quotes only, in the write that stores them.
func testOutboxRevision(t *testing.T, e *env) {
	sub := e.subscribe(t, webhook.Subscription{ID: "sub_any"})
	first := e.ingest(t, art{url: "https://news.example/rev", lead: "Council news.", says: []say{{words: "We will rebuild every bridge", speaker: "Ana Ruiz"}}})
	if got, want := e.deliveryIDs(t, sub.ID), messageIDs(sub.ID, first.Quotes...); !slices.Equal(got, want) {
		t.Fatalf("deliveries after the first revision = %v, want %v", got, want)
	}
	second := e.ingest(t, art{url: "https://news.example/rev", lead: "Council news, updated.", says: []say{
		{words: "We will rebuild every bridge", speaker: "Ana Ruiz"},
		{words: "The money is not there", speaker: "Jonas Berg"},
	}})
	if !second.Revised || len(second.Added) != 1 {
		t.Fatalf("second ingest = revised %v, added %v; want a revision adding one quote", second.Revised, second.Added)
	}
	var want []string
	for _, q := range second.Quotes {
		want = append(want, webhook.MessageID(sub.ID, q.ID))
	}
	slices.Sort(want)
	if got := e.deliveryIDs(t, sub.ID); !slices.Equal(got, want) || !slices.Contains(got, webhook.MessageID(sub.ID, second.Added[0])) {
		t.Errorf("deliveries after the revision = %v, want %v (the first quote's, once, and the added one's)", got, want)
	}
}

// testOutboxLeaseExclusive: dispatchers claiming at once (on every handle
// the harness has) never get one delivery twice, and what they leave is
// claimed later: none is lost.
func testOutboxLeaseExclusive(t *testing.T, e *env) {
	e.subscribe(t, webhook.Subscription{ID: "sub_all"})
	e.trials(t, func(t *testing.T, trial, n int) {
		var says []say
		for i := range 2 * n {
			says = append(says, say{words: fmt.Sprintf("Point number %d stands", i), speaker: trialName("Ana Ruiz", trial)})
		}
		res := e.ingest(t, art{lead: trialName("Lease trial", trial) + ".", says: says})
		now := time.Now().Add(time.Second)
		got := make([][]webhook.Claim, n)
		errs := make([]error, n)
		together(n, func(i int) {
			got[i], errs[i] = e.writer(t, i).ClaimDeliveries(ctx(t), fmt.Sprintf("lease_%d_%d", trial, i), now, now.Add(time.Minute), 3)
		})
		owner := map[string]int{}
		for i, cs := range got {
			if errs[i] != nil {
				t.Errorf("dispatcher %d: ClaimDeliveries error = %v", i, errs[i])
			}
			for _, c := range cs {
				if j, ok := owner[c.ID]; ok {
					t.Errorf("delivery %s claimed by dispatchers %d and %d", c.ID, j, i)
				}
				owner[c.ID] = i
			}
		}
		if len(owner) == 0 {
			t.Errorf("no delivery claimed of %d due", len(res.Quotes))
		}
		// Those the race left (a store may let the losers come back
		// empty-handed) are claimed by a later call, none twice.
		for round := 0; len(owner) < len(res.Quotes) && round < len(res.Quotes); round++ {
			cs, err := e.s.ClaimDeliveries(ctx(t), fmt.Sprintf("lease_%d_late%d", trial, round), now, now.Add(time.Minute), len(res.Quotes))
			if err != nil {
				t.Fatalf("later ClaimDeliveries error = %v", err)
			}
			for _, c := range cs {
				if j, ok := owner[c.ID]; ok {
					t.Errorf("delivery %s claimed again under dispatcher %d's lease", c.ID, j)
				}
				owner[c.ID] = n + round
			}
		}
		if len(owner) != len(res.Quotes) {
			t.Errorf("%d deliveries claimed in the end, want all %d due", len(owner), len(res.Quotes))
		}
	})
}

// testOutboxLeaseExpiry: a claimed delivery is nobody else's until its
// lease ends; then (its dispatcher crashed) another claims it, and the
// first can no longer record an attempt. A retry is claimed when due,
// with its attempts so far, and a settled delivery never again.
func testOutboxLeaseExpiry(t *testing.T, e *env) {
	sub := e.subscribe(t, webhook.Subscription{ID: "sub_one"})
	res := e.ingest(t, art{lead: "Expiry.", says: []say{{words: "We will see", speaker: "Ana Ruiz"}}})
	id := webhook.MessageID(sub.ID, res.Quotes[0].ID)
	t0 := time.Now().Add(time.Second).UTC().Truncate(time.Millisecond)
	lease := time.Minute
	claim := func(token string, at time.Time) []webhook.Claim {
		t.Helper()
		cs, err := e.s.ClaimDeliveries(ctx(t), token, at, at.Add(lease), 10)
		if err != nil {
			t.Fatalf("ClaimDeliveries(%s, %v) error = %v", token, at, err)
		}
		return cs
	}
	if cs := claim("lease_a", t0); len(cs) != 1 || cs[0].ID != id || len(cs[0].Attempts) != 0 {
		t.Fatalf("first claim = %+v, want %s", cs, id)
	}
	if cs := claim("lease_b", t0.Add(lease/2)); len(cs) != 0 {
		t.Errorf("claim while the lease runs = %d claims, want none", len(cs))
	}
	// Dispatcher a crashed; its lease ends and b takes the delivery.
	after := t0.Add(lease + time.Second)
	if cs := claim("lease_b", after); len(cs) != 1 || cs[0].ID != id {
		t.Fatalf("claim after the lease = %+v, want %s again", cs, id)
	}
	failed := webhook.Attempt{At: after, StatusCode: 503, Error: "status 503", DurationMS: 2}
	if err := e.s.RecordAttempt(ctx(t), webhook.Outcome{ID: id, Token: "lease_a", Attempt: failed, Status: webhook.StatusDelivered}); !errors.Is(err, webhook.ErrLeaseLost) {
		t.Errorf("RecordAttempt(expired lease) error = %v, want ErrLeaseLost", err)
	}
	retry := after.Add(5 * time.Second)
	if err := e.s.RecordAttempt(ctx(t), webhook.Outcome{ID: id, Token: "lease_b", Attempt: failed, Status: webhook.StatusPending, NextAttemptAt: retry}); err != nil {
		t.Fatalf("RecordAttempt(lease b) error = %v", err)
	}
	if err := e.s.RecordAttempt(ctx(t), webhook.Outcome{ID: id, Token: "lease_b", Attempt: failed, Status: webhook.StatusPending, NextAttemptAt: retry}); !errors.Is(err, webhook.ErrLeaseLost) {
		t.Errorf("RecordAttempt twice on one lease error = %v, want ErrLeaseLost", err)
	}
	if cs := claim("lease_c", retry.Add(-time.Second)); len(cs) != 0 {
		t.Errorf("claim before the retry is due = %d claims, want none", len(cs))
	}
	cs := claim("lease_c", retry)
	if len(cs) != 1 || len(cs[0].Attempts) != 1 || cs[0].Attempts[0].StatusCode != 503 {
		t.Fatalf("claim of the due retry = %+v, want it with its one attempt", cs)
	}
	ok := webhook.Attempt{At: retry, StatusCode: 204, DurationMS: 1}
	if err := e.s.RecordAttempt(ctx(t), webhook.Outcome{ID: id, Token: "lease_c", Attempt: ok, Status: webhook.StatusDelivered}); err != nil {
		t.Fatalf("RecordAttempt(delivered) error = %v", err)
	}
	if cs := claim("lease_d", retry.Add(24*time.Hour)); len(cs) != 0 {
		t.Errorf("claim of a delivered message = %+v, want none", cs)
	}
	dels, err := e.s.ListDeliveries(ctx(t), sub.ID, 10)
	if err != nil || len(dels) != 1 {
		t.Fatalf("ListDeliveries = %+v, %v", dels, err)
	}
	d := dels[0]
	if d.Status != webhook.StatusDelivered || len(d.Attempts) != 2 || d.Attempts[0].StatusCode != 503 || d.Attempts[1].StatusCode != 204 ||
		d.NextAttemptAt != nil || !d.Attempts[0].At.Equal(after) {
		t.Errorf("delivery log = %+v, want delivered after a 503 and a 204", d)
	}
}

// receiver counts the POSTs it gets by webhook-id, answering 503 while
// down.
type receiver struct {
	mu       sync.Mutex
	down     bool
	posts    map[string]int
	accepted map[string]int
	firstOK  time.Time
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_, _ = io.Copy(io.Discard, req.Body)
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts[id]++
	if r.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	if len(r.accepted) == 0 {
		r.firstOK = time.Now()
	}
	r.accepted[id]++
	w.WriteHeader(http.StatusNoContent)
}

// testOutboxRestart: the receiver is down (503), the dispatcher stops
// after two failed attempts, a new one starts on the same data (another
// handle when the harness has one, as a restarted process), the receiver
// comes back: the message is delivered exactly once, on the schedule the
// first dispatcher left.
func testOutboxRestart(t *testing.T, e *env) {
	r := &receiver{down: true, posts: map[string]int{}, accepted: map[string]int{}}
	srv := httptest.NewServer(r)
	defer srv.Close()
	sub := e.subscribe(t, webhook.Subscription{ID: "sub_desk", URL: srv.URL, Query: "bridge"})
	res := e.ingest(t, art{lead: "Restart.", says: []say{
		{words: "We will rebuild the bridge", speaker: "Ana Ruiz"},
		{words: "Not this year", speaker: "Jonas Berg"},
	}})
	id := webhook.MessageID(sub.ID, res.Quotes[0].ID)
	backoff := []time.Duration{150 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second}
	opts := webhook.Options{AllowPrivate: true, Backoff: backoff, Poll: 20 * time.Millisecond, Timeout: 2 * time.Second}
	start := func(s Store) func() {
		o := opts
		o.Store = s
		d := webhook.New(o)
		c, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(c); close(done) }()
		return func() { cancel(); <-done }
	}
	log := func() webhook.Delivery {
		t.Helper()
		dels, err := e.s.ListDeliveries(ctx(t), sub.ID, 10)
		if err != nil || len(dels) != 1 {
			t.Fatalf("ListDeliveries = %+v, %v; want the one message", dels, err)
		}
		return dels[0]
	}
	waitFor := func(what string, ok func(webhook.Delivery) bool) webhook.Delivery {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			d := log()
			if ok(d) {
				return d
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: not after 20 s; delivery %+v", what, d)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	stop := start(e.s)
	waitFor("two failed attempts", func(d webhook.Delivery) bool { return len(d.Attempts) >= 2 })
	stop()
	before := log()
	if before.Status != webhook.StatusPending || before.NextAttemptAt == nil {
		t.Fatalf("delivery after the first dispatcher = %+v, want pending with a next attempt", before)
	}
	r.mu.Lock()
	r.down = false
	postsBefore := r.posts[id]
	r.mu.Unlock()

	next := e.s
	if e.another != nil {
		next = e.another(t, e.s)
	}
	restarted := time.Now()
	stop = start(next)
	d := waitFor("delivered after the restart", func(d webhook.Delivery) bool { return d.Status != webhook.StatusPending })
	// Some polls more: nothing is sent again.
	time.Sleep(10 * opts.Poll)
	stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	if d.Status != webhook.StatusDelivered || r.accepted[id] != 1 || len(r.accepted) != 1 {
		t.Fatalf("after the restart: status %s, receipts %v; want delivered, %s accepted once", d.Status, r.accepted, id)
	}
	if r.posts[id] != len(d.Attempts) {
		t.Errorf("receiver got %d POSTs of %s, the log shows %d attempts", r.posts[id], id, len(d.Attempts))
	}
	// The retry waits for its schedule, not for a fresh start (5 ms
	// for the store's millisecond times).
	if r.firstOK.Before(before.NextAttemptAt.Add(-5 * time.Millisecond)) {
		t.Errorf("delivered at %v, before its retry was due (%v)", r.firstOK, *before.NextAttemptAt)
	}
	t.Logf("%s: %d attempts before the restart (503), %d after; delivered %v after the new dispatcher started (retry was due %v after it)",
		e.name, postsBefore, len(d.Attempts)-postsBefore, r.firstOK.Sub(restarted).Round(time.Millisecond), before.NextAttemptAt.Sub(restarted).Round(time.Millisecond))
}
