package mongostore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/webhook"
)

func TestSubscriptionsAndDeliveries(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	a := webhook.Subscription{ID: "sub_a", URL: "https://a.example/hook", Secret: webhook.NewSecret(), SpeakerIDs: []string{"spk_1"}, CreatedAt: now}
	b := webhook.Subscription{ID: "sub_b", URL: "https://b.example/hook", Secret: webhook.NewSecret(), Query: "bridge", CreatedAt: now.Add(time.Second)}
	for _, sub := range []webhook.Subscription{a, b} {
		if err := s.CreateSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSubscription(ctx, a); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("duplicate id: %v", err)
	}
	list, err := s.ListSubscriptions(ctx)
	if err != nil || len(list) != 2 || list[0].ID != "sub_a" || list[0].Secret != a.Secret || list[1].Query != "bridge" || list[1].SpeakerIDs == nil {
		t.Fatalf("ListSubscriptions = %+v, %v", list, err)
	}
	if got, err := s.GetSubscription(ctx, "sub_b"); err != nil || got.URL != b.URL {
		t.Errorf("GetSubscription = %+v, %v", got, err)
	}
	d := webhook.Delivery{ID: "msg_1", SubscriptionID: "sub_a", Event: "quote.created", QuoteID: "q-1", Status: "pending",
		Attempts: []webhook.Attempt{{At: now, StatusCode: 503, Error: "status 503", DurationMS: 3}}, CreatedAt: now, UpdatedAt: now}
	if err := s.SaveDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	d.Status = "delivered"
	d.Attempts = append(d.Attempts, webhook.Attempt{At: now.Add(time.Second), StatusCode: 200})
	if err := s.SaveDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	later := webhook.Delivery{ID: "msg_2", SubscriptionID: "sub_a", Event: "quote.created", QuoteID: "q-2", Status: "failed",
		Attempts: []webhook.Attempt{}, CreatedAt: now.Add(time.Minute), UpdatedAt: now.Add(time.Minute)}
	if err := s.SaveDelivery(ctx, later); err != nil {
		t.Fatal(err)
	}
	dels, err := s.ListDeliveries(ctx, "sub_a", 10)
	if err != nil || len(dels) != 2 || dels[0].ID != "msg_2" || dels[1].Status != "delivered" || len(dels[1].Attempts) != 2 {
		t.Errorf("ListDeliveries = %+v, %v", dels, err)
	}
	if dels, _ := s.ListDeliveries(ctx, "sub_a", 1); len(dels) != 1 {
		t.Errorf("limit 1 gave %d", len(dels))
	}
	if err := s.DeleteSubscription(ctx, "sub_a"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscription(ctx, "sub_a"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, err := s.GetSubscription(ctx, "sub_a"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("get deleted: %v", err)
	}
}
