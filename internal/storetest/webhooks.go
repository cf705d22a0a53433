package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/webhook"
)

func webhookCases() []testCase {
	return []testCase{
		{"Subscriptions", testSubscriptions},
		{"Deliveries", testDeliveries},
	}
}

func keyCases() []testCase {
	return []testCase{
		{"Keys", testKeys},
		{"KeyMadeWithoutAuth", testKeyMadeWithoutAuth},
	}
}

// equalTimes compares times by instant, whatever their zone.
var equalTimes = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

func testSubscriptions(t *testing.T, e *env) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	a := webhook.Subscription{ID: "sub_a", URL: "https://a.example/hook", Secret: webhook.NewSecret(), SpeakerIDs: []string{"spk_1", "spk_2"}, CreatedAt: now, KeyID: "key_1"}
	b := webhook.Subscription{ID: "sub_b", URL: "https://b.example/hook", Secret: webhook.NewSecret(), Query: "bridge", CreatedAt: now.Add(time.Second)}
	if list, err := e.s.ListSubscriptions(ctx(t)); err != nil || len(list) != 0 {
		t.Errorf("ListSubscriptions(empty store) = %v, %v; want none", list, err)
	}
	for _, sub := range []webhook.Subscription{b, a} {
		if err := e.s.CreateSubscription(ctx(t), sub); err != nil {
			t.Fatalf("CreateSubscription(%s) error = %v", sub.ID, err)
		}
	}
	dup := a
	dup.URL = "https://c.example/hook"
	if err := e.s.CreateSubscription(ctx(t), dup); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("CreateSubscription(same id) error = %v, want ErrConflict", err)
	}
	list, err := e.s.ListSubscriptions(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	wantB := b
	wantB.SpeakerIDs = []string{}
	if diff := cmp.Diff([]webhook.Subscription{a, wantB}, list, equalTimes); diff != "" {
		t.Errorf("ListSubscriptions (oldest first, with secrets) mismatch (-want +got):\n%s", diff)
	}
	for _, want := range []webhook.Subscription{a, wantB} {
		got, err := e.s.GetSubscription(ctx(t), want.ID)
		if err != nil {
			t.Fatalf("GetSubscription(%s) error = %v", want.ID, err)
		}
		if diff := cmp.Diff(want, got, equalTimes, cmpopts.IgnoreFields(webhook.Subscription{}, "Secret")); diff != "" {
			t.Errorf("GetSubscription(%s) mismatch (-want +got):\n%s", want.ID, diff)
		}
	}
	if _, err := e.s.GetSubscription(ctx(t), "sub_nope"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetSubscription(unknown) error = %v, want ErrNotFound", err)
	}
	if err := e.s.DeleteSubscription(ctx(t), "sub_a"); err != nil {
		t.Fatalf("DeleteSubscription error = %v", err)
	}
	if err := e.s.DeleteSubscription(ctx(t), "sub_a"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("second DeleteSubscription error = %v, want ErrNotFound", err)
	}
	if _, err := e.s.GetSubscription(ctx(t), "sub_a"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("GetSubscription(deleted) error = %v, want ErrNotFound", err)
	}
	if list, err := e.s.ListSubscriptions(ctx(t)); err != nil || len(list) != 1 || list[0].ID != "sub_b" {
		t.Errorf("ListSubscriptions after delete = %+v, %v; want sub_b", list, err)
	}
}

func testDeliveries(t *testing.T, e *env) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, id := range []string{"sub_a", "sub_b"} {
		if err := e.s.CreateSubscription(ctx(t), webhook.Subscription{ID: id, URL: "https://a.example/hook", Secret: webhook.NewSecret(), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if dels, err := e.s.ListDeliveries(ctx(t), "sub_a", 10); err != nil || len(dels) != 0 {
		t.Errorf("ListDeliveries(none yet) = %v, %v", dels, err)
	}
	d := webhook.Delivery{ID: "msg_1", SubscriptionID: "sub_a", Event: "quote.created", QuoteID: "q-1", Status: "pending",
		Attempts: []webhook.Attempt{{At: now, StatusCode: 503, Error: "status 503", DurationMS: 3.5}}, CreatedAt: now, UpdatedAt: now}
	if err := e.s.SaveDelivery(ctx(t), d); err != nil {
		t.Fatal(err)
	}
	// Saving it again replaces it.
	d.Status = "delivered"
	d.Attempts = append(d.Attempts, webhook.Attempt{At: now.Add(time.Second), StatusCode: 200, DurationMS: 1})
	d.UpdatedAt = now.Add(time.Second)
	if err := e.s.SaveDelivery(ctx(t), d); err != nil {
		t.Fatal(err)
	}
	var later []webhook.Delivery
	for i := range 5 {
		l := webhook.Delivery{ID: fmt.Sprintf("msg_%d", i+2), SubscriptionID: "sub_a", Event: "quote.created", QuoteID: fmt.Sprintf("q-%d", i+2), Status: "failed",
			Attempts: []webhook.Attempt{}, CreatedAt: now.Add(time.Duration(i+1) * time.Minute), UpdatedAt: now.Add(time.Duration(i+1) * time.Minute)}
		if err := e.s.SaveDelivery(ctx(t), l); err != nil {
			t.Fatal(err)
		}
		later = append([]webhook.Delivery{l}, later...)
	}
	other := webhook.Delivery{ID: "msg_other", SubscriptionID: "sub_b", Event: "quote.created", QuoteID: "q-9", Status: "pending", Attempts: []webhook.Attempt{}, CreatedAt: now, UpdatedAt: now}
	if err := e.s.SaveDelivery(ctx(t), other); err != nil {
		t.Fatal(err)
	}
	dels, err := e.s.ListDeliveries(ctx(t), "sub_a", 10)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(append(later, d), dels, equalTimes, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ListDeliveries (newest first, replaced in place) mismatch (-want +got):\n%s", diff)
	}
	if dels, err := e.s.ListDeliveries(ctx(t), "sub_a", 2); err != nil || len(dels) != 2 || dels[0].ID != later[0].ID || dels[1].ID != later[1].ID {
		t.Errorf("ListDeliveries(limit 2) = %d, %v; want the 2 newest", len(dels), err)
	}
	if dels, err := e.s.ListDeliveries(ctx(t), "sub_b", 10); err != nil || len(dels) != 1 || dels[0].ID != "msg_other" {
		t.Errorf("ListDeliveries(sub_b) = %+v, %v; want its one", dels, err)
	}
	if dels, err := e.s.ListDeliveries(ctx(t), "sub_nope", 10); err != nil || len(dels) != 0 {
		t.Errorf("ListDeliveries(unknown subscription) = %+v, %v; want none", dels, err)
	}
}

func testKeys(t *testing.T, e *env) {
	now := time.Now()
	k1, _, h1, err := auth.NewKey("desk", auth.ScopeWrite, now)
	if err != nil {
		t.Fatal(err)
	}
	k2, _, h2, err := auth.NewKey("admin", auth.ScopeAdmin, now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	k3, _, h3, err := auth.NewKey("reader", auth.ScopeRead, now.Add(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if list, err := e.s.ListKeys(ctx(t)); err != nil || len(list) != 0 {
		t.Errorf("ListKeys(empty store) = %v, %v", list, err)
	}
	for _, kh := range []struct {
		k auth.Key
		h string
	}{{k2, h2}, {k1, h1}, {k3, h3}} {
		if err := e.s.CreateKey(ctx(t), kh.k, kh.h); err != nil {
			t.Fatalf("CreateKey(%s) error = %v", kh.k.Name, err)
		}
	}
	if err := e.s.CreateKey(ctx(t), k1, h1); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("CreateKey twice error = %v, want ErrConflict", err)
	}
	other := k1
	other.ID = "key_other"
	if err := e.s.CreateKey(ctx(t), other, h1); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("CreateKey(another id, same hash) error = %v, want ErrConflict", err)
	}
	got, err := e.s.KeyByHash(ctx(t), h1)
	if err != nil || got.ID != k1.ID || got.Scope != auth.ScopeWrite || got.Name != "desk" || got.Prefix != k1.Prefix ||
		got.CreatedAt.Sub(k1.CreatedAt).Abs() >= time.Millisecond || got.Revoked() {
		t.Errorf("KeyByHash = %+v, %v; want %+v", got, err, k1)
	}
	if _, err := e.s.KeyByHash(ctx(t), auth.Hash("wsk_nothing")); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("KeyByHash(unknown) error = %v, want ErrNotFound", err)
	}
	list, err := e.s.ListKeys(ctx(t))
	if err != nil || len(list) != 3 || list[0].ID != k1.ID || list[1].ID != k2.ID || list[2].ID != k3.ID {
		t.Fatalf("ListKeys = %+v, %v; want desk, admin, reader (oldest first)", list, err)
	}

	at := now.Add(time.Hour)
	r, err := e.s.RevokeKey(ctx(t), k1.ID, at)
	if err != nil || r.ID != k1.ID || r.RevokedAt == nil || r.RevokedAt.Sub(at).Abs() >= time.Millisecond {
		t.Fatalf("RevokeKey = %+v, %v; want revoked at %v", r, err, at)
	}
	// Revoking again keeps the first time.
	r2, err := e.s.RevokeKey(ctx(t), k1.ID, at.Add(time.Hour))
	if err != nil || r2.RevokedAt == nil || !r2.RevokedAt.Equal(*r.RevokedAt) {
		t.Errorf("RevokeKey again = %+v, %v; want revoked at %v", r2, err, r.RevokedAt)
	}
	if got, err := e.s.KeyByHash(ctx(t), h1); err != nil || !got.Revoked() || !got.RevokedAt.Equal(*r.RevokedAt) {
		t.Errorf("KeyByHash after revoke = %+v, %v", got, err)
	}
	if got, err := e.s.KeyByHash(ctx(t), h2); err != nil || got.Revoked() {
		t.Errorf("KeyByHash(other key) after revoke = %+v, %v; want not revoked", got, err)
	}
	if list, err := e.s.ListKeys(ctx(t)); err != nil || len(list) != 3 || !list[0].Revoked() || list[1].Revoked() {
		t.Errorf("ListKeys after revoke = %+v, %v", list, err)
	}
	if _, err := e.s.RevokeKey(ctx(t), "key_unknown", at); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("RevokeKey(unknown) error = %v, want ErrNotFound", err)
	}
}

// testKeyMadeWithoutAuth: the mark of a key made while auth was off is
// kept, read back by KeyByHash and ListKeys, and not given to other keys.
func testKeyMadeWithoutAuth(t *testing.T, e *env) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	open, _, h1, err := auth.NewKey("made open", auth.ScopeAdmin, now)
	if err != nil {
		t.Fatal(err)
	}
	open.MadeWithoutAuth = true
	trusted, _, h2, err := auth.NewKey("trusted", auth.ScopeAdmin, now.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	for _, kh := range []struct {
		k auth.Key
		h string
	}{{open, h1}, {trusted, h2}} {
		if err := e.s.CreateKey(ctx(t), kh.k, kh.h); err != nil {
			t.Fatalf("CreateKey(%s) error = %v", kh.k.Name, err)
		}
	}
	if got, err := e.s.KeyByHash(ctx(t), h1); err != nil || !got.MadeWithoutAuth {
		t.Errorf("KeyByHash(made without auth) = %+v, %v; want MadeWithoutAuth", got, err)
	}
	if got, err := e.s.KeyByHash(ctx(t), h2); err != nil || got.MadeWithoutAuth {
		t.Errorf("KeyByHash(trusted) = %+v, %v; want not MadeWithoutAuth", got, err)
	}
	list, err := e.s.ListKeys(ctx(t))
	if err != nil || len(list) != 2 || !list[0].MadeWithoutAuth || list[1].MadeWithoutAuth {
		t.Errorf("ListKeys = %+v, %v; want the first marked, the second not", list, err)
	}
	if r, err := e.s.RevokeKey(ctx(t), open.ID, now.Add(time.Hour)); err != nil || !r.MadeWithoutAuth || !r.Revoked() {
		t.Errorf("RevokeKey = %+v, %v; want revoked and still marked", r, err)
	}
}
