package auth

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

// Errors of Authenticate.
var (
	// ErrUnknownKey: the key is malformed, unknown or revoked. Which of
	// these is not said, to the client or in this error.
	ErrUnknownKey = errors.New("unknown or revoked API key")
	// ErrMadeWithoutAuth: the key was made while auth was off (see
	// Key.MadeWithoutAuth) and is not trusted.
	ErrMadeWithoutAuth = errors.New("API key made while auth was off")
)

// DefaultCacheTTL is how long an Authenticator trusts what the store said of
// a key; a revocation takes effect on every replica within it.
const DefaultCacheTTL = 10 * time.Second

// maxCached bounds the cache; past it the cache is emptied (a flood of
// random keys must not grow memory).
const maxCached = 10_000

// Authenticator checks secrets against a Store, remembering answers
// (known, unknown and revoked keys alike) for TTL. It is safe for
// concurrent use.
type Authenticator struct {
	store Store
	ttl   time.Duration
	now   func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	key     Key
	known   bool
	expires time.Time
}

// NewAuthenticator checks keys against store, caching answers for ttl (zero
// means DefaultCacheTTL, negative disables the cache).
func NewAuthenticator(store Store, ttl time.Duration) *Authenticator {
	if ttl == 0 {
		ttl = DefaultCacheTTL
	}
	return &Authenticator{store: store, ttl: ttl, now: time.Now, cache: make(map[string]cached)}
}

// Authenticate returns the key whose secret this is. It fails with
// ErrUnknownKey for a malformed, unknown or revoked key, with
// ErrMadeWithoutAuth for a key made while auth was off, and with the
// store's error (for example attribution.ErrUnavailable) when the store
// cannot tell.
func (a *Authenticator) Authenticate(ctx context.Context, secret string) (Key, error) {
	if !WellFormed(secret) {
		return Key{}, ErrUnknownKey
	}
	hash := Hash(secret)
	now := a.now()
	if a.ttl > 0 {
		a.mu.Lock()
		c, ok := a.cache[hash]
		a.mu.Unlock()
		if ok && now.Before(c.expires) {
			return checked(c.key, c.known)
		}
	}
	k, err := a.store.KeyByHash(ctx, hash)
	known := err == nil
	if err != nil && !errors.Is(err, attribution.ErrNotFound) {
		return Key{}, err // not cached: the store may answer next time
	}
	if a.ttl > 0 {
		a.mu.Lock()
		if len(a.cache) >= maxCached {
			clear(a.cache)
		}
		a.cache[hash] = cached{key: k, known: known, expires: now.Add(a.ttl)}
		a.mu.Unlock()
	}
	return checked(k, known)
}

// checked is what Authenticate answers of a stored key.
func checked(k Key, known bool) (Key, error) {
	switch {
	case !known || k.Revoked():
		return Key{}, ErrUnknownKey
	case k.MadeWithoutAuth:
		return Key{}, ErrMadeWithoutAuth
	}
	return k, nil
}

// Forget drops what the cache holds, so that a revocation made by this
// process takes effect at once.
func (a *Authenticator) Forget() {
	a.mu.Lock()
	clear(a.cache)
	a.mu.Unlock()
}
