package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

func TestScopes(t *testing.T) {
	for _, tc := range []struct {
		have, need Scope
		want       bool
	}{
		{ScopeRead, ScopeRead, true},
		{ScopeRead, ScopeWrite, false},
		{ScopeRead, ScopeAdmin, false},
		{ScopeWrite, ScopeRead, true},
		{ScopeWrite, ScopeWrite, true},
		{ScopeWrite, ScopeAdmin, false},
		{ScopeAdmin, ScopeRead, true},
		{ScopeAdmin, ScopeAdmin, true},
		{Scope("root"), ScopeRead, false},
		{Scope(""), ScopeRead, false},
	} {
		if got := tc.have.Allows(tc.need); got != tc.want {
			t.Errorf("%q.Allows(%q) = %v, want %v", tc.have, tc.need, got, tc.want)
		}
	}
	for in, want := range map[string]Scope{"read": ScopeRead, " Write ": ScopeWrite, "ADMIN": ScopeAdmin} {
		if got, err := ParseScope(in); err != nil || got != want {
			t.Errorf("ParseScope(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseScope("owner"); err == nil {
		t.Error("ParseScope(owner): no error")
	}
}

func TestNewKey(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 123456789, time.UTC)
	k, secret, hash, err := NewKey(" desk tool ", ScopeWrite, now)
	if err != nil {
		t.Fatal(err)
	}
	if !WellFormed(secret) {
		t.Errorf("WellFormed(%q) = false", secret)
	}
	if hash != Hash(secret) || len(hash) != 64 {
		t.Errorf("hash %q is not the SHA-256 hex of the secret", hash)
	}
	if strings.Contains(k.ID, secret[4:12]) || !strings.HasPrefix(k.ID, "key_") {
		t.Errorf("id %q", k.ID)
	}
	if k.Name != "desk tool" || k.Scope != ScopeWrite || !strings.HasPrefix(secret, k.Prefix) || k.Revoked() {
		t.Errorf("key %+v", k)
	}
	if !k.CreatedAt.Equal(now.Truncate(time.Millisecond)) {
		t.Errorf("created %v", k.CreatedAt)
	}
	_, secret2, _, _ := NewKey("x", ScopeRead, now)
	if secret2 == secret {
		t.Error("two keys with the same secret")
	}
	for _, bad := range []struct {
		name  string
		scope Scope
	}{{"", ScopeRead}, {"  ", ScopeRead}, {"x", "root"}, {strings.Repeat("n", 201), ScopeRead}} {
		if _, _, _, err := NewKey(bad.name, bad.scope, now); err == nil {
			t.Errorf("NewKey(%q, %q): no error", bad.name, bad.scope)
		}
	}
	for _, s := range []string{"", "wsk_", "Bearer " + secret, secret + "x", secret[:len(secret)-1], "wsk_" + strings.Repeat("!", 43)} {
		if WellFormed(s) {
			t.Errorf("WellFormed(%q) = true", s)
		}
	}
}

// memStore is an in-memory Store that counts lookups and can fail.
type memStore struct {
	mu      sync.Mutex
	keys    map[string]Key // by hash
	lookups int
	fail    error
}

func (m *memStore) CreateKey(_ context.Context, k Key, hash string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[hash] = k
	return nil
}

func (m *memStore) KeyByHash(_ context.Context, hash string) (Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lookups++
	if m.fail != nil {
		return Key{}, m.fail
	}
	k, ok := m.keys[hash]
	if !ok {
		return Key{}, fmt.Errorf("find key: %w", attribution.ErrNotFound)
	}
	return k, nil
}

func (m *memStore) ListKeys(context.Context) ([]Key, error) { return nil, nil }

func (m *memStore) RevokeKey(_ context.Context, id string, now time.Time) (Key, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for h, k := range m.keys {
		if k.ID == id {
			k.RevokedAt = &now
			m.keys[h] = k
			return k, nil
		}
	}
	return Key{}, attribution.ErrNotFound
}

func TestAuthenticator(t *testing.T) {
	ctx := context.Background()
	st := &memStore{keys: map[string]Key{}}
	k, secret, hash, err := NewKey("desk", ScopeRead, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	_ = st.CreateKey(ctx, k, hash)
	_, unknown, _, _ := NewKey("never stored", ScopeAdmin, time.Now())

	a := NewAuthenticator(st, time.Minute)
	clock := time.Now()
	a.now = func() time.Time { return clock }

	got, err := a.Authenticate(ctx, secret)
	if err != nil || got.ID != k.ID {
		t.Fatalf("Authenticate(valid) = %+v, %v", got, err)
	}
	if _, err := a.Authenticate(ctx, secret); err != nil || st.lookups != 1 {
		t.Errorf("second Authenticate: %v, %d lookups; want a cache hit", err, st.lookups)
	}
	if _, err := a.Authenticate(ctx, "wsk_garbage"); !errors.Is(err, ErrUnknownKey) || st.lookups != 1 {
		t.Errorf("malformed key: %v after %d lookups; want ErrUnknownKey without a lookup", err, st.lookups)
	}
	if _, err := a.Authenticate(ctx, unknown); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := a.Authenticate(ctx, unknown); !errors.Is(err, ErrUnknownKey) || st.lookups != 2 {
		t.Errorf("unknown key again: %v, %d lookups; want the refusal cached", err, st.lookups)
	}

	// A revocation shows once the cached answer expires.
	if _, err := st.RevokeKey(ctx, k.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Authenticate(ctx, secret); err != nil {
		t.Errorf("within the TTL the cached key still works: %v", err)
	}
	clock = clock.Add(time.Minute + time.Second)
	if _, err := a.Authenticate(ctx, secret); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("revoked key after the TTL: %v, want ErrUnknownKey", err)
	}

	// A store that cannot answer is not a refusal, and is not cached.
	st.fail = fmt.Errorf("find key: %w", attribution.ErrUnavailable)
	_, fresh, fh, _ := NewKey("fresh", ScopeWrite, time.Now())
	_ = st.CreateKey(ctx, Key{ID: "key_fresh", Name: "fresh", Scope: ScopeWrite}, fh)
	if _, err := a.Authenticate(ctx, fresh); !errors.Is(err, attribution.ErrUnavailable) {
		t.Errorf("store down: %v, want ErrUnavailable", err)
	}
	st.fail = nil
	if got, err := a.Authenticate(ctx, fresh); err != nil || got.ID != "key_fresh" {
		t.Errorf("store back: %+v, %v", got, err)
	}

	// Forget drops the cache at once.
	a.Forget()
	before := st.lookups
	_, _ = a.Authenticate(ctx, fresh)
	if st.lookups != before+1 {
		t.Error("Forget kept the cache")
	}
}

func TestAuthenticatorRefusesKeysMadeWithoutAuth(t *testing.T) {
	ctx := context.Background()
	st := &memStore{keys: map[string]Key{}}
	k, secret, hash, err := NewKey("open", ScopeAdmin, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	k.MadeWithoutAuth = true
	_ = st.CreateKey(ctx, k, hash)
	a := NewAuthenticator(st, time.Minute)
	for i := range 2 { // the store's answer, then the cached one
		if _, err := a.Authenticate(ctx, secret); !errors.Is(err, ErrMadeWithoutAuth) {
			t.Errorf("attempt %d: %v, want ErrMadeWithoutAuth", i+1, err)
		}
	}
	if st.lookups != 1 {
		t.Errorf("%d lookups, want 1 (the refusal cached)", st.lookups)
	}
}
