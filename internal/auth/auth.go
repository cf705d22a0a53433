// Package auth holds whosaid's API keys: their scopes, how a key is made
// and hashed, and an Authenticator that checks the key of a request against
// the store with a short cache.
//
// A key is "wsk_" followed by 43 base64url characters (32 random bytes). It
// is shown once, when it is created; the store keeps only its SHA-256. A
// slow password hash (bcrypt, argon2) would add nothing: the key has 256
// bits of entropy, so its hash cannot be brute-forced, and a fast hash lets
// every request be checked by one _id lookup.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Scope is what a key may do. Scopes are ordered: admin can do everything
// write can, and write everything read can.
type Scope string // @name Scope

// Scopes.
const (
	// ScopeRead allows GET requests.
	ScopeRead Scope = "read"
	// ScopeWrite allows ingesting, extracting and editing as well.
	ScopeWrite Scope = "write"
	// ScopeAdmin allows managing keys and merging speakers as well.
	ScopeAdmin Scope = "admin"
)

// ParseScope checks a scope name.
func ParseScope(s string) (Scope, error) {
	switch sc := Scope(strings.ToLower(strings.TrimSpace(s))); sc {
	case ScopeRead, ScopeWrite, ScopeAdmin:
		return sc, nil
	}
	return "", fmt.Errorf("scope %q: want read, write or admin", s)
}

func (s Scope) rank() int {
	switch s {
	case ScopeRead:
		return 1
	case ScopeWrite:
		return 2
	case ScopeAdmin:
		return 3
	}
	return 0
}

// Allows reports whether a key of scope s may do what need requires.
func (s Scope) Allows(need Scope) bool { return s.rank() > 0 && s.rank() >= need.rank() }

// Key is an API key as stored: everything but the secret.
type Key struct {
	// ID names the key in listings and in `whosaid keys revoke`; it is
	// not secret.
	ID string `json:"id"`
	// Name says whose or what the key is ("desk-tool", "alice").
	Name  string `json:"name"`
	Scope Scope  `json:"scope"`
	// Prefix is the start of the secret ("wsk_AbCd"), so that a key found
	// in a config file can be matched to its listing.
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// MadeWithoutAuth marks a key made through POST /v1/keys while the
	// server ran with auth off, when anyone could make one: a server with
	// auth on refuses it. Re-issue it (`whosaid keys create`, or POST
	// /v1/keys with a trusted admin key) and revoke it.
	MadeWithoutAuth bool `json:"made_without_auth,omitempty"`
} // @name Key

// Revoked reports whether the key has been revoked.
func (k Key) Revoked() bool { return k.RevokedAt != nil }

// secretPrefix starts every key, so that leaked keys can be found by
// secret scanners.
const secretPrefix = "wsk_"

// secretLen is the length of a key: the prefix and 32 bytes in unpadded
// base64url.
var secretLen = len(secretPrefix) + base64.RawURLEncoding.EncodedLen(32)

// NewKey makes a key for name and scope: the Key to store, the secret to
// show once, and the secret's hash to store with it.
func NewKey(name string, scope Scope, now time.Time) (k Key, secret, hash string, err error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return Key{}, "", "", errors.New("key name must not be empty")
	}
	if len(name) > 200 {
		return Key{}, "", "", errors.New("key name must be at most 200 bytes")
	}
	if scope.rank() == 0 {
		return Key{}, "", "", fmt.Errorf("scope %q: want read, write or admin", scope)
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return Key{}, "", "", fmt.Errorf("new key: %w", err)
	}
	secret = secretPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	hash = Hash(secret)
	k = Key{
		// The id is derived from the hash, not the secret: knowing it
		// tells nothing about the secret.
		ID:        "key_" + hash[:16],
		Name:      name,
		Scope:     scope,
		Prefix:    secret[:len(secretPrefix)+4],
		CreatedAt: now.UTC().Truncate(time.Millisecond),
	}
	return k, secret, hash, nil
}

// Hash is the hex SHA-256 of a secret, as the store keeps it.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// WellFormed reports whether secret looks like a key NewKey makes, so that
// garbage is refused without a store lookup.
func WellFormed(secret string) bool {
	if len(secret) != secretLen || !strings.HasPrefix(secret, secretPrefix) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(secret[len(secretPrefix):])
	return err == nil
}

// Store keeps keys. KeyByHash and RevokeKey wrap attribution.ErrNotFound
// for unknown keys.
type Store interface {
	CreateKey(ctx context.Context, k Key, hash string) error
	KeyByHash(ctx context.Context, hash string) (Key, error)
	ListKeys(ctx context.Context) ([]Key, error)
	RevokeKey(ctx context.Context, id string, now time.Time) (Key, error)
}
