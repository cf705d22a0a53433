package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/webhook"
)

// receiver is a webhook endpoint that checks every delivery with the
// Standard Webhooks reference library and fails the first attempt of each
// message.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	secret string

	mu       sync.Mutex
	attempts map[string]int // by webhook-id
	events   []webhook.Event
}

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{t: t, secret: secret, attempts: map[string]int{}}
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		if err := wh.Verify(body, req.Header); err != nil { // signature and a 5-minute timestamp window
			t.Errorf("delivery does not verify: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		id := req.Header.Get("webhook-id")
		r.attempts[id]++
		if r.attempts[id] == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		var e webhook.Event
		if err := json.Unmarshal(body, &e); err != nil {
			t.Errorf("delivery body: %v", err)
		}
		r.events = append(r.events, e)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) received() []webhook.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]webhook.Event(nil), r.events...)
}

// newWebhookAPI is a server whose stored articles go to a running
// dispatcher with short retries; loopback targets are allowed.
func newWebhookAPI(t *testing.T) *testAPI {
	t.Helper()
	return newTestAPIWith(t, func(o *Options) {
		d := webhook.New(webhook.Options{Store: o.Store.(webhook.Store), AllowPrivate: true, Backoff: []time.Duration{20 * time.Millisecond, 50 * time.Millisecond}})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		o.Notifier = d
		o.WebhookAllowPrivate = true
	})
}

func TestSubscriptionDeliversASpeakersNewQuotes(t *testing.T) {
	t.Parallel()
	a := newWebhookAPI(t)
	// Store a first article so that the speaker exists.
	var first ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: "https://gazette.example/1", Outlet: "Example Gazette",
		Text: "\u201cWe will rebuild every bridge,\u201d said Clara Jansen, the regional governor."}, http.StatusCreated, &first)
	jansen := first.Quotes[0].SpeakerID
	if jansen == "" {
		t.Fatalf("no speaker id: %+v", first.Quotes)
	}

	secret := webhook.NewSecret()
	rcv := newReceiver(t, secret)
	var sub NewSubscriptionResponse
	a.json("POST", "/v1/subscriptions", SubscriptionRequest{URL: rcv.srv.URL + "/hook", Secret: secret, SpeakerIDs: []string{jansen}},
		http.StatusCreated, &sub)
	if sub.Secret != secret || sub.ID == "" || len(sub.SpeakerIDs) != 1 {
		t.Fatalf("subscription %+v", sub)
	}

	// New quotes: two by Jansen, one by Berg; the first article's is old.
	var second ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: "https://courier.example/2", Outlet: "Example Courier",
		Text: "\u201cWork starts next week,\u201d said Clara Jansen. \u201cIt is far too late,\u201d said Tomas Berg, who leads the opposition. " +
			"\u201cNobody will be left behind,\u201d Jansen added."}, http.StatusCreated, &second)
	want := map[string]bool{}
	for _, q := range second.Quotes {
		if q.SpeakerID == jansen {
			want[q.ID] = true
		}
	}
	if len(want) != 2 {
		t.Fatalf("the test article has %d quotes by Jansen, want 2: %+v", len(want), second.Quotes)
	}
	// Storing the same article again sends nothing.
	a.json("POST", "/v1/articles", ArticleRequest{URL: "https://courier.example/2", Text: "same URL, stored already"}, http.StatusOK, nil)

	deadline := time.Now().Add(10 * time.Second)
	for len(rcv.received()) < len(want) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // anything more would show now
	got := rcv.received()
	if len(got) != len(want) {
		t.Fatalf("received %d events, want exactly %d (Jansen's new quotes): %+v", len(got), len(want), got)
	}
	for _, e := range got {
		if e.Type != "quote.created" || e.Data.SubscriptionID != sub.ID || !want[e.Data.Quote.ID] {
			t.Errorf("event %+v", e)
		}
	}
	rcv.mu.Lock()
	for id, n := range rcv.attempts {
		if n != 2 {
			t.Errorf("message %s: %d attempts, want 2 (failed once, then retried with the same id)", id, n)
		}
	}
	rcv.mu.Unlock()

	// The delivery log.
	var log DeliveryList
	deadline = time.Now().Add(5 * time.Second)
	for {
		a.json("GET", "/v1/subscriptions/"+sub.ID+"/deliveries", nil, http.StatusOK, &log)
		done := len(log.Deliveries) == 2
		for _, d := range log.Deliveries {
			done = done && d.Status == "delivered"
		}
		if done || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, d := range log.Deliveries {
		if d.Status != "delivered" || len(d.Attempts) != 2 || d.Attempts[0].StatusCode != http.StatusBadGateway || d.Attempts[1].StatusCode != http.StatusOK || !want[d.QuoteID] {
			t.Errorf("delivery %+v", d)
		}
	}
	if len(log.Deliveries) != 2 {
		t.Errorf("%d deliveries logged, want 2", len(log.Deliveries))
	}

	// Listing, reading and deleting; secrets never shown again.
	var list SubscriptionList
	w := a.json("GET", "/v1/subscriptions", nil, http.StatusOK, &list)
	if len(list.Subscriptions) != 1 || strings.Contains(w.Body.String(), secret) {
		t.Errorf("GET /v1/subscriptions = %s", w.Body)
	}
	if w := a.json("GET", "/v1/subscriptions/"+sub.ID, nil, http.StatusOK, nil); strings.Contains(w.Body.String(), "whsec_") {
		t.Errorf("GET /v1/subscriptions/{id} shows the secret: %s", w.Body)
	}
	a.json("DELETE", "/v1/subscriptions/"+sub.ID, nil, http.StatusNoContent, nil)
	for _, p := range []string{"", "/deliveries"} {
		a.json("GET", "/v1/subscriptions/"+sub.ID+p, nil, http.StatusNotFound, nil)
	}
	a.json("DELETE", "/v1/subscriptions/"+sub.ID, nil, http.StatusNotFound, nil)
}

func TestSubscriptionErrors(t *testing.T) {
	t.Parallel()
	a := newTestAPI(t) // private targets not allowed
	for _, tc := range []struct {
		body   string
		status int
		field  string
	}{
		{`{"url":`, http.StatusBadRequest, ""},
		{`{"url":"https://93.184.215.14/","extra":1}`, http.StatusBadRequest, ""},
		{`{}`, http.StatusUnprocessableEntity, "url"},
		{`{"url":"ftp://93.184.215.14/"}`, http.StatusUnprocessableEntity, "url"},
		{`{"url":"http://127.0.0.1:9/hook"}`, http.StatusUnprocessableEntity, "url"},
		{`{"url":"http://169.254.169.254/"}`, http.StatusUnprocessableEntity, "url"},
		{`{"url":"https://93.184.215.14/","secret":"hunter2"}`, http.StatusUnprocessableEntity, "secret"},
		{`{"url":"https://93.184.215.14/","speaker_ids":["spk_0000000000000000"]}`, http.StatusUnprocessableEntity, "speaker_ids/0"},
		{`{"url":"https://93.184.215.14/","q":"` + strings.Repeat("x", 501) + `"}`, http.StatusUnprocessableEntity, "q"},
	} {
		w := a.do("POST", "/v1/subscriptions", tc.body, "Content-Type", "application/json")
		if w.Code != tc.status {
			t.Errorf("%.70s: %d, want %d; %s", tc.body, w.Code, tc.status, w.Body)
			continue
		}
		checkProblem(t, w, tc.status)
		if tc.field != "" && !strings.Contains(w.Body.String(), `"#/`+tc.field+`"`) {
			t.Errorf("%.70s: problem does not point at %s: %s", tc.body, tc.field, w.Body)
		}
	}
	if w := a.do("POST", "/v1/subscriptions", "url=x", "Content-Type", "application/x-www-form-urlencoded"); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("form body: %d", w.Code)
	}
	big := `{"url":"` + strings.Repeat("a", MaxJSONBody) + `"}`
	if w := a.do("POST", "/v1/subscriptions", big, "Content-Type", "application/json"); w.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: %d", w.Code)
	}
	// A public target is accepted (nothing is sent: nothing is ingested).
	var sub NewSubscriptionResponse
	a.json("POST", "/v1/subscriptions", SubscriptionRequest{URL: "https://93.184.215.14/hook", Q: "bridge"}, http.StatusCreated, &sub)
	if !strings.HasPrefix(sub.Secret, "whsec_") || sub.Query != "bridge" {
		t.Errorf("subscription %+v", sub)
	}
}

// TestSubscriptionsBelongToTheirKey: with auth on, a write key lists,
// gets, reads the log of and deletes only its own subscriptions (another
// key's are 404), and an admin key sees and deletes all.
func TestSubscriptionsBelongToTheirKey(t *testing.T) {
	t.Parallel()
	a := newTestAPIWith(t, func(o *Options) { o.Auth = true })
	_, admin := a.makeKey("admin", auth.ScopeAdmin)
	_, desk := a.makeKey("desk", auth.ScopeWrite)
	_, other := a.makeKey("other desk", auth.ScopeWrite)
	var mine, theirs NewSubscriptionResponse
	a.json("POST", "/v1/subscriptions", SubscriptionRequest{URL: "https://93.184.215.14/a", Q: "bridge"}, http.StatusCreated, &mine, bearer(desk)...)
	a.json("POST", "/v1/subscriptions", SubscriptionRequest{URL: "https://93.184.215.14/b", Q: "tunnel"}, http.StatusCreated, &theirs, bearer(other)...)
	ids := func(key string) []string {
		var list SubscriptionList
		a.json("GET", "/v1/subscriptions", nil, http.StatusOK, &list, bearer(key)...)
		var out []string
		for _, s := range list.Subscriptions {
			out = append(out, s.ID)
		}
		return out
	}
	for _, tc := range []struct {
		key  string
		name string
		want []string
	}{
		{desk, "desk", []string{mine.ID}},
		{other, "other", []string{theirs.ID}},
		{admin, "admin", []string{mine.ID, theirs.ID}},
	} {
		if got := ids(tc.key); !slices.Equal(got, tc.want) {
			t.Errorf("GET /v1/subscriptions as %s = %v, want %v", tc.name, got, tc.want)
		}
	}
	for _, path := range []string{"/v1/subscriptions/" + theirs.ID, "/v1/subscriptions/" + theirs.ID + "/deliveries"} {
		a.json("GET", path, nil, http.StatusNotFound, nil, bearer(desk)...)
		a.json("GET", path, nil, http.StatusOK, nil, bearer(other)...)
		a.json("GET", path, nil, http.StatusOK, nil, bearer(admin)...)
	}
	a.json("DELETE", "/v1/subscriptions/"+theirs.ID, nil, http.StatusNotFound, nil, bearer(desk)...)
	if got := ids(other); len(got) != 1 {
		t.Errorf("another key's DELETE removed the subscription: %v", got)
	}
	a.json("DELETE", "/v1/subscriptions/"+theirs.ID, nil, http.StatusNoContent, nil, bearer(admin)...)
	a.json("DELETE", "/v1/subscriptions/"+mine.ID, nil, http.StatusNoContent, nil, bearer(desk)...)
	if got := ids(admin); len(got) != 0 {
		t.Errorf("after the deletes admin sees %v", got)
	}
}

// TestSubscriptionBySpeakerName: speakers takes ids, names and aliases,
// resolved to ids at creation; an unknown name is a 422 on its index.
func TestSubscriptionBySpeakerName(t *testing.T) {
	t.Parallel()
	a := newWebhookAPI(t)
	var first ArticleResponse
	a.json("POST", "/v1/articles", ArticleRequest{URL: "https://gazette.example/names", Outlet: "Example Gazette",
		Text: "\u201cWe will rebuild every bridge,\u201d said Clara Jansen, the regional governor. \u201cNot this year,\u201d said Pieter Berg."}, http.StatusCreated, &first)
	jansen, berg := first.Quotes[0].SpeakerID, first.Quotes[1].SpeakerID
	if jansen == "" || berg == "" || jansen == berg {
		t.Fatalf("speakers %q %q", jansen, berg)
	}
	var sub NewSubscriptionResponse
	a.json("POST", "/v1/subscriptions", SubscriptionRequest{URL: "https://93.184.215.14/hook", Speakers: []string{"clara jansen", berg}, SpeakerIDs: []string{berg}},
		http.StatusCreated, &sub)
	if !slices.Equal(sub.SpeakerIDs, []string{berg, jansen}) {
		t.Errorf("speaker_ids = %v, want %v (ids first, then the names resolved, once each)", sub.SpeakerIDs, []string{berg, jansen})
	}
	var got webhook.Subscription
	a.json("GET", "/v1/subscriptions/"+sub.ID, nil, http.StatusOK, &got)
	if !slices.Equal(got.SpeakerIDs, sub.SpeakerIDs) {
		t.Errorf("stored speaker_ids = %v, want %v", got.SpeakerIDs, sub.SpeakerIDs)
	}
	w := a.do("POST", "/v1/subscriptions", `{"url":"https://93.184.215.14/hook","speakers":["Clara Jansen","Nobody Known"]}`, "Content-Type", "application/json")
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), `"#/speakers/1"`) || strings.Contains(w.Body.String(), `"#/speakers/0"`) {
		t.Errorf("unknown name: %d %s; want 422 on speakers/1 only", w.Code, w.Body)
	}
}
