package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// memStore is the dispatcher's store in memory.
type memStore struct {
	mu   sync.Mutex
	subs []Subscription
	dels map[string]Delivery
}

func (m *memStore) ListSubscriptions(context.Context) ([]Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Subscription(nil), m.subs...), nil
}

func (m *memStore) SaveDelivery(_ context.Context, d Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dels[d.ID] = d
	return nil
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

	st := &memStore{dels: map[string]Delivery{}, subs: []Subscription{
		{ID: "sub_jansen", URL: recv.URL, Secret: secret, SpeakerIDs: []string{"spk_jansen"}},
		{ID: "sub_down", URL: down.URL, Secret: NewSecret(), Query: "bridge"},
	}}
	d := New(Options{Store: st, AllowPrivate: true, Backoff: []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()

	d.Notify([]attribution.StoredQuote{
		{ID: "a-0", SpeakerID: "spk_jansen", Quote: attribution.Quote{Text: "We will rebuild every bridge."}},
		{ID: "a-1", SpeakerID: "spk_berg", Quote: attribution.Quote{Text: "The money is not there."}},
		{ID: "a-2", SpeakerID: "spk_jansen", Quote: attribution.Quote{Text: "Nobody will be left behind."}},
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		st.mu.Lock()
		n := len(st.dels)
		final := 0
		for _, del := range st.dels {
			if del.Status != "pending" {
				final++
			}
		}
		st.mu.Unlock()
		if n == 3 && final == 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
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
	st := &memStore{dels: map[string]Delivery{}, subs: []Subscription{{ID: "sub_x", URL: recv.URL, Secret: NewSecret()}}}
	d := New(Options{Store: st, Backoff: []time.Duration{}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	d.Notify([]attribution.StoredQuote{{ID: "a-0", Quote: attribution.Quote{Text: "x"}}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		st.mu.Lock()
		n := len(st.dels)
		st.mu.Unlock()
		if n == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
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

// TestDispatcherOnlyNewerQuotes: the queue may be read after a subscription
// is made; the quotes stored before it are not its business.
func TestDispatcherOnlyNewerQuotes(t *testing.T) {
	hits := 0
	var mu sync.Mutex
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		hits++
		mu.Unlock()
	}))
	defer recv.Close()
	st := &memStore{dels: map[string]Delivery{}}
	d := New(Options{Store: st, AllowPrivate: true, Backoff: []time.Duration{}})
	d.Notify([]attribution.StoredQuote{{ID: "old-0", Quote: attribution.Quote{Text: "x"}}}) // queued, not yet read
	time.Sleep(5 * time.Millisecond)
	st.subs = []Subscription{{ID: "sub_late", URL: recv.URL, Secret: NewSecret(), CreatedAt: time.Now()}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	d.Notify([]attribution.StoredQuote{{ID: "new-0", Quote: attribution.Quote{Text: "y"}}})
	deadline := time.Now().Add(5 * time.Second)
	for {
		st.mu.Lock()
		n := len(st.dels)
		st.mu.Unlock()
		if n >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-done
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.dels) != 1 {
		t.Fatalf("%d deliveries, want 1 (the quote stored after the subscription)", len(st.dels))
	}
	for _, del := range st.dels {
		if del.QuoteID != "new-0" {
			t.Errorf("delivered %s", del.QuoteID)
		}
	}
}
