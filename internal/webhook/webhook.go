// Package webhook delivers new quotes to subscribers as signed HTTP POSTs
// following Standard Webhooks 1.0: headers webhook-id (the same on every
// retry of a message), webhook-timestamp (Unix seconds of the attempt) and
// webhook-signature ("v1," + base64 HMAC-SHA256 of "id.timestamp.body"
// with the subscription's secret).
//
// Delivery goes through an outbox in the store: the store's ingest writes
// a pending delivery of each new quote that matches a subscription in the
// same write as the quote (Enqueue builds them), and Dispatchers, one per
// running server, claim due deliveries under a lease (Store), POST them
// and record each attempt with the next one on the backoff schedule.
// Pending deliveries and their schedule survive a restart; delivery is at
// least once, and webhook-id lets a receiver drop a repeat.
package webhook

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
)

// Subscription asks for the new quotes of some speakers, or with some
// words, to be POSTed to a URL.
type Subscription struct {
	ID  string `json:"id" example:"sub_5f2c0a9e4b1d7c33"`
	URL string `json:"url" example:"https://desk.example.org/hooks/whosaid"`
	// SpeakerIDs limits the subscription to quotes of these speakers;
	// empty means any speaker.
	SpeakerIDs []string `json:"speaker_ids" example:"spk_1118ee61dd083b08"`
	// Query limits it to quotes with all these words (case, diacritics
	// and punctuation ignored); empty means any words.
	Query     string    `json:"q,omitempty" example:"bridge"`
	CreatedAt time.Time `json:"created_at"`
	// KeyID is the API key that made it, when auth is on.
	KeyID string `json:"key_id,omitempty" example:"key_840d4f4e37dc6957"`
	// Secret signs the deliveries ("whsec_" + base64). Only the answer
	// that creates the subscription shows it.
	Secret string `json:"-"`
} // @name Subscription

// Matches reports whether quote q is one s asks for.
func (s Subscription) Matches(q attribution.StoredQuote) bool {
	if len(s.SpeakerIDs) > 0 && !slices.Contains(s.SpeakerIDs, q.SpeakerID) {
		return false
	}
	if s.Query == "" {
		return true
	}
	have := attribution.FoldWords(q.Text)
	for _, w := range attribution.FoldWords(s.Query) {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// secretPrefix starts Standard Webhooks secrets.
const secretPrefix = "whsec_"

// NewSecret makes a signing secret of 32 random bytes.
func NewSecret() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return secretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// CheckSecret accepts a client's secret: "whsec_" and the standard base64
// of 24 to 64 bytes.
func CheckSecret(s string) error {
	if !strings.HasPrefix(s, secretPrefix) {
		return errors.New(`must start with "whsec_"`)
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, secretPrefix))
	if err != nil {
		return errors.New(`must be "whsec_" and standard base64`)
	}
	if len(b) < 24 || len(b) > 64 {
		return fmt.Errorf("must hold 24 to 64 bytes, has %d", len(b))
	}
	return nil
}

// ErrPrivate is the error of a target on a private, loopback, link-local
// or otherwise internal address, which the operator has not allowed.
var ErrPrivate = errors.New("is a private, loopback or link-local address; the operator can allow such targets with --webhook-allow-private")

// CheckURL accepts a delivery target: an absolute http or https URL
// without credentials whose host does not resolve to an internal address
// (unless allowPrivate). Delivery checks the address it connects to
// again, so a name that later resolves elsewhere is refused then.
func CheckURL(ctx context.Context, raw string, allowPrivate bool, resolver *net.Resolver) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("must be an absolute http or https URL")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an http or https URL")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("must have a host")
	case u.User != nil:
		return errors.New("must not hold credentials")
	case u.Fragment != "":
		return errors.New("must not have a fragment")
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	if ip, err := netip.ParseAddr(host); err == nil {
		if internal(ip) {
			return ErrPrivate
		}
		return nil
	}
	if h := strings.TrimSuffix(strings.ToLower(host), "."); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return ErrPrivate
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := resolver.LookupNetIP(rctx, "ip", host)
	if err != nil {
		return fmt.Errorf("host %q does not resolve", host)
	}
	for _, ip := range addrs {
		if internal(ip) {
			return ErrPrivate
		}
	}
	return nil
}
