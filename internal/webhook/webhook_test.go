package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/whosaid/whosaid/internal/attribution"
)

func TestCheckURL(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		url          string
		allowPrivate bool
		wantPrivate  bool
		wantErr      bool
	}{
		{url: "https://93.184.215.14/hook"},
		{url: "http://127.0.0.1:8080/hook", wantPrivate: true},
		{url: "http://127.0.0.1:8080/hook", allowPrivate: true},
		{url: "http://[::1]/hook", wantPrivate: true},
		{url: "http://10.1.2.3/hook", wantPrivate: true},
		{url: "http://192.168.0.10/hook", wantPrivate: true},
		{url: "http://169.254.169.254/latest/meta-data", wantPrivate: true},
		{url: "http://100.64.0.1/", wantPrivate: true},
		{url: "http://0.0.0.0/", wantPrivate: true},
		{url: "http://[::ffff:127.0.0.1]/", wantPrivate: true},
		{url: "http://localhost:9000/", wantPrivate: true},
		{url: "http://api.localhost/", wantPrivate: true},
		{url: "ftp://example.org/", wantErr: true},
		{url: "/relative", wantErr: true},
		{url: "https://user:pw@93.184.215.14/", wantErr: true},
		{url: "https://93.184.215.14/#x", wantErr: true},
		{url: "https://does-not-exist.invalid/", wantErr: true},
	} {
		err := CheckURL(ctx, tc.url, tc.allowPrivate, nil)
		switch {
		case tc.wantPrivate && !errors.Is(err, ErrPrivate):
			t.Errorf("CheckURL(%q) = %v, want ErrPrivate", tc.url, err)
		case tc.wantErr && (err == nil || errors.Is(err, ErrPrivate)):
			t.Errorf("CheckURL(%q) = %v, want an error", tc.url, err)
		case !tc.wantPrivate && !tc.wantErr && err != nil:
			t.Errorf("CheckURL(%q) = %v, want nil", tc.url, err)
		}
	}
}

func TestSecretsAndMatching(t *testing.T) {
	s := NewSecret()
	if err := CheckSecret(s); err != nil {
		t.Errorf("CheckSecret(NewSecret()) = %v", err)
	}
	for _, bad := range []string{"", "secret", "whsec_!!", "whsec_c2hvcnQ="} {
		if CheckSecret(bad) == nil {
			t.Errorf("CheckSecret(%q) = nil", bad)
		}
	}
	q := attribution.StoredQuote{SpeakerID: "spk_a", Quote: attribution.Quote{Text: "We will rebuild every Bridge."}}
	for _, tc := range []struct {
		sub  Subscription
		want bool
	}{
		{Subscription{}, true},
		{Subscription{SpeakerIDs: []string{"spk_a"}}, true},
		{Subscription{SpeakerIDs: []string{"spk_b"}}, false},
		{Subscription{Query: "bridge REBUILD"}, true},
		{Subscription{Query: "bridges"}, false},
		{Subscription{SpeakerIDs: []string{"spk_a"}, Query: "tunnel"}, false},
	} {
		if got := tc.sub.Matches(q); got != tc.want {
			t.Errorf("%+v.Matches = %v, want %v", tc.sub, got, tc.want)
		}
	}
}

// memStore is an outbox in memory.
type memStore struct {
	mu   sync.Mutex
	subs []Subscription
	dels map[string]*memDelivery
}

type memDelivery struct {
	Delivery
	payload []byte
	next    time.Time
	until   time.Time
	token   string
}

// ingest enqueues the deliveries of new quotes, as a store's ingest does.
func (m *memStore) ingest(t *testing.T, qs []attribution.StoredQuote) {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	ps, err := Enqueue(m.subs, qs, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if _, ok := m.dels[p.ID]; !ok {
			m.dels[p.ID] = &memDelivery{Delivery: p.Delivery, payload: p.Payload, next: *p.NextAttemptAt}
		}
	}
}

func (m *memStore) ClaimDeliveries(_ context.Context, token string, now, until time.Time, limit int) ([]Claim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Claim
	for _, d := range m.dels {
		if len(out) == limit {
			break
		}
		if d.Status != StatusPending || d.next.After(now) || d.until.After(now) {
			continue
		}
		d.token, d.until = token, until
		c := Claim{Delivery: d.Delivery, Payload: d.payload, Token: token}
		c.Attempts = append([]Attempt(nil), d.Attempts...)
		for _, s := range m.subs {
			if s.ID == d.SubscriptionID {
				c.URL, c.Secret = s.URL, s.Secret
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func (m *memStore) RecordAttempt(_ context.Context, o Outcome) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.dels[o.ID]
	if d == nil || d.token != o.Token || d.Status != StatusPending {
		return ErrLeaseLost
	}
	d.Attempts = append(d.Attempts, o.Attempt)
	d.Status, d.next, d.until, d.token = o.Status, o.NextAttemptAt, time.Time{}, ""
	return nil
}

// wait polls until every delivery of m is settled and there are n, or
// fails after 10 s.
func (m *memStore) wait(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m.mu.Lock()
		settled := 0
		for _, d := range m.dels {
			if d.Status != StatusPending {
				settled++
			}
		}
		total := len(m.dels)
		m.mu.Unlock()
		if total == n && settled == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries settled after 10 s, want %d", settled, total, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDispatcher checks signatures, timestamps and retries against a
// receiver that verifies with the Standard Webhooks reference library and
// fails the first attempt of each message.
func TestDispatcher(t *testing.T) {
	secret := NewSecret()
	verifier, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		id    string
		event Event
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var received []got
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := verifier.Verify(body, r.Header); err != nil {
			t.Errorf("signature: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		ts, _ := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
		if d := time.Since(time.Unix(ts, 0)); d < -time.Minute || d > time.Minute {
			t.Errorf("timestamp %d is %v off", ts, d)
		}
		id := r.Header.Get("webhook-id")
		mu.Lock()
		defer mu.Unlock()
		seen[id]++
		if seen[id] == 1 {
			w.WriteHeader(http.StatusServiceUnavailable) // fail the first attempt
			return
		}
		var e Event
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("body: %v", err)
		}
		received = append(received, got{id, e})
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	// A receiver that always fails, and a subscription signed with
	// another secret.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) }))
	defer down.Close()

	st := &memStore{dels: map[string]*memDelivery{}, subs: []Subscription{
		{ID: "sub_jansen", URL: recv.URL, Secret: secret, SpeakerIDs: []string{"spk_jansen"}},
		{ID: "sub_down", URL: down.URL, Secret: NewSecret(), Query: "bridge"},
	}}
	d := New(Options{Store: st, AllowPrivate: true, Backoff: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}, Poll: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()

	qs := []attribution.StoredQuote{
		{ID: "a-0", SpeakerID: "spk_jansen", Quote: attribution.Quote{Text: "We will rebuild every bridge."}},
		{ID: "a-1", SpeakerID: "spk_berg", Quote: attribution.Quote{Text: "The money is not there."}},
		{ID: "a-2", SpeakerID: "spk_jansen", Quote: attribution.Quote{Text: "Nobody will be left behind."}},
	}
	st.ingest(t, qs)
	d.Notify(qs)
	st.wait(t, 3)
	cancel()
	<-done

	mu.Lock()
	defer mu.Unlock()
	if len(received) != 2 {
		t.Fatalf("receiver got %d events, want Jansen's 2 quotes: %+v", len(received), received)
	}
	for _, r := range received {
		if r.event.Type != "quote.created" || r.event.Data.SubscriptionID != "sub_jansen" || r.event.Data.Quote.SpeakerID != "spk_jansen" {
			t.Errorf("event %+v", r.event)
		}
		if seen[r.id] != 2 {
			t.Errorf("message %s was posted %d times, want 2 (one failure, one retry with the same id)", r.id, seen[r.id])
		}
	}
	for _, del := range st.dels {
		switch del.SubscriptionID {
		case "sub_jansen":
			if del.Status != "delivered" || len(del.Attempts) != 2 || del.Attempts[0].StatusCode != 503 || del.Attempts[1].StatusCode != 204 {
				t.Errorf("delivery log %+v", del)
			}
		case "sub_down":
			if del.Status != "failed" || len(del.Attempts) != 3 || del.QuoteID != "a-0" || del.Attempts[2].Error != "status 500" {
				t.Errorf("failed delivery log %+v", del)
			}
		}
	}
}

// TestDispatcherRefusesPrivateTargets: without AllowPrivate the dial to a
// loopback receiver is refused, whatever the subscription says.
func TestDispatcherRefusesPrivateTargets(t *testing.T) {
	hit := false
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { hit = true }))
	defer recv.Close()
	st := &memStore{dels: map[string]*memDelivery{}, subs: []Subscription{{ID: "sub_x", URL: recv.URL, Secret: NewSecret()}}}
	d := New(Options{Store: st, Backoff: []time.Duration{}, Poll: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	st.ingest(t, []attribution.StoredQuote{{ID: "a-0", Quote: attribution.Quote{Text: "x"}}})
	st.wait(t, 1)
	cancel()
	<-done
	if hit {
		t.Error("a loopback receiver was reached")
	}
	for _, del := range st.dels {
		if del.Status != "failed" || len(del.Attempts) != 1 || del.Attempts[0].StatusCode != 0 {
			t.Errorf("delivery %+v, want failed without an answer", del)
		}
	}
}

// TestDispatcherSubscriptionDeleted: a delivery whose subscription is
// gone fails at once, logged, without a POST.
func TestDispatcherSubscriptionDeleted(t *testing.T) {
	st := &memStore{dels: map[string]*memDelivery{}, subs: []Subscription{{ID: "sub_gone", URL: "http://127.0.0.1:1/", Secret: NewSecret()}}}
	st.ingest(t, []attribution.StoredQuote{{ID: "a-0", Quote: attribution.Quote{Text: "x"}}})
	st.subs = nil
	d := New(Options{Store: st, AllowPrivate: true, Poll: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	st.wait(t, 1)
	cancel()
	<-done
	for _, del := range st.dels {
		if del.Status != StatusFailed || len(del.Attempts) != 1 || del.Attempts[0].Error != "subscription deleted" {
			t.Errorf("delivery %+v, want failed: subscription deleted", del.Delivery)
		}
	}
}

// TestMessageID: the webhook-id of a (subscription, quote) is the same
// whoever enqueues it, and differs between pairs.
func TestMessageID(t *testing.T) {
	a, b := MessageID("sub_a", "q-1"), MessageID("sub_a", "q-1")
	if a != b || MessageID("sub_a", "q-2") == a || MessageID("sub_b", "q-1") == a {
		t.Errorf("MessageID not a function of its pair: %s %s %s %s", a, b, MessageID("sub_a", "q-2"), MessageID("sub_b", "q-1"))
	}
}

// TestDispatcherStopCutsShort: a stop during an attempt that has no
// answer yet records it cut short and due again at once, so that the
// next dispatcher need not wait for the lease.
func TestDispatcherStopCutsShort(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer recv.Close()
	defer close(release)
	st := &memStore{dels: map[string]*memDelivery{}, subs: []Subscription{{ID: "sub_slow", URL: recv.URL, Secret: NewSecret()}}}
	st.ingest(t, []attribution.StoredQuote{{ID: "a-0", Quote: attribution.Quote{Text: "x"}}})
	d := New(Options{Store: st, AllowPrivate: true, Poll: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	<-arrived
	stopped := time.Now()
	cancel()
	<-done
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, del := range st.dels {
		if del.Status != StatusPending || len(del.Attempts) != 1 || !strings.HasPrefix(del.Attempts[0].Error, "cut short") ||
			del.next.After(stopped.Add(time.Second)) || del.token != "" {
			t.Errorf("delivery after a stop mid-attempt: %+v, next %v; want pending, due now, lease released", del.Delivery, del.next)
		}
	}
}
