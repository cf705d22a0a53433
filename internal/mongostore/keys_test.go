package mongostore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
)

func TestKeys(t *testing.T) {
	t.Parallel()
	s := newTestStore(t)
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	k1, _, h1, err := auth.NewKey("desk", auth.ScopeWrite, now)
	if err != nil {
		t.Fatal(err)
	}
	k2, _, h2, _ := auth.NewKey("admin", auth.ScopeAdmin, now.Add(time.Second))
	for _, kh := range []struct {
		k auth.Key
		h string
	}{{k1, h1}, {k2, h2}} {
		if err := s.CreateKey(ctx, kh.k, kh.h); err != nil {
			t.Fatalf("CreateKey: %v", err)
		}
	}
	if err := s.CreateKey(ctx, k1, h1); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("CreateKey twice: %v, want ErrConflict", err)
	}

	got, err := s.KeyByHash(ctx, h1)
	if err != nil || got.ID != k1.ID || got.Scope != auth.ScopeWrite || got.Name != "desk" || !got.CreatedAt.Equal(k1.CreatedAt) || got.Revoked() {
		t.Errorf("KeyByHash = %+v, %v; want %+v", got, err, k1)
	}
	if _, err := s.KeyByHash(ctx, auth.Hash("wsk_nothing")); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("KeyByHash(unknown) = %v, want ErrNotFound", err)
	}

	list, err := s.ListKeys(ctx)
	if err != nil || len(list) != 2 || list[0].ID != k1.ID || list[1].ID != k2.ID {
		t.Fatalf("ListKeys = %+v, %v", list, err)
	}

	at := now.Add(time.Hour)
	r, err := s.RevokeKey(ctx, k1.ID, at)
	if err != nil || r.RevokedAt == nil || !r.RevokedAt.Equal(at.Truncate(time.Millisecond)) {
		t.Fatalf("RevokeKey = %+v, %v", r, err)
	}
	// Revoking again keeps the first time.
	r2, err := s.RevokeKey(ctx, k1.ID, at.Add(time.Hour))
	if err != nil || !r2.RevokedAt.Equal(*r.RevokedAt) {
		t.Errorf("RevokeKey again = %+v, %v; want revoked at %v", r2, err, r.RevokedAt)
	}
	if got, err := s.KeyByHash(ctx, h1); err != nil || !got.Revoked() {
		t.Errorf("after revoke KeyByHash = %+v, %v", got, err)
	}
	if _, err := s.RevokeKey(ctx, "key_unknown", at); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("RevokeKey(unknown) = %v, want ErrNotFound", err)
	}
}
