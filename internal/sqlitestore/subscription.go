package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/webhook"
)

// CreateSubscription stores a webhook subscription; an id stored already
// is ErrConflict.
func (s *Store) CreateSubscription(ctx context.Context, sub webhook.Subscription) error {
	_, err := s.w.ExecContext(ctx, "INSERT INTO subscriptions (id, url, secret, speaker_ids, q, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		sub.ID, sub.URL, sub.Secret, marshalList(sub.SpeakerIDs), sub.Query, sub.KeyID, ms(sub.CreatedAt))
	return wrapErr("create subscription", err)
}

const subscriptionColumns = "id, url, secret, speaker_ids, q, key_id, created_at"

func scanSubscription(row interface{ Scan(...any) error }) (webhook.Subscription, error) {
	var sub webhook.Subscription
	var ids string
	var created int64
	if err := row.Scan(&sub.ID, &sub.URL, &sub.Secret, &ids, &sub.Query, &sub.KeyID, &created); err != nil {
		return sub, err
	}
	sub.CreatedAt = fromMS(created)
	if err := json.Unmarshal([]byte(ids), &sub.SpeakerIDs); err != nil {
		return sub, fmt.Errorf("subscription %s: speaker ids: %w", sub.ID, err)
	}
	if sub.SpeakerIDs == nil {
		sub.SpeakerIDs = []string{}
	}
	return sub, nil
}

// ListSubscriptions returns every subscription, oldest first, with its
// secret.
func (s *Store) ListSubscriptions(ctx context.Context) ([]webhook.Subscription, error) {
	out, err := listSubscriptions(ctx, s.r)
	return out, wrapErr("list subscriptions", err)
}

func listSubscriptions(ctx context.Context, q queryer) ([]webhook.Subscription, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+subscriptionColumns+" FROM subscriptions ORDER BY created_at, id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []webhook.Subscription{}
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// GetSubscription returns one subscription.
func (s *Store) GetSubscription(ctx context.Context, id string) (webhook.Subscription, error) {
	sub, err := scanSubscription(s.r.QueryRowContext(ctx, "SELECT "+subscriptionColumns+" FROM subscriptions WHERE id = ?", id))
	return sub, wrapErr(fmt.Sprintf("get subscription %q", id), err)
}

// DeleteSubscription deletes a subscription; its delivery log stays.
func (s *Store) DeleteSubscription(ctx context.Context, id string) error {
	res, err := s.w.ExecContext(ctx, "DELETE FROM subscriptions WHERE id = ?", id)
	if err != nil {
		return wrapErr("delete subscription "+id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete subscription %q: %w", id, attribution.ErrNotFound)
	}
	return nil
}

type attemptJSON struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"`
	Error      string    `json:"error,omitempty"`
	DurationMS float64   `json:"duration_ms"`
}

// SaveDelivery writes d, replacing the delivery with its id.
func (s *Store) SaveDelivery(ctx context.Context, d webhook.Delivery) error {
	attempts := make([]attemptJSON, len(d.Attempts))
	for i, a := range d.Attempts {
		attempts[i] = attemptJSON{At: a.At.UTC().Truncate(time.Millisecond), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS}
	}
	b, _ := json.Marshal(attempts)
	_, err := s.w.ExecContext(ctx, `INSERT INTO deliveries (id, subscription_id, event, quote_id, status, attempts, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET subscription_id = excluded.subscription_id, event = excluded.event, quote_id = excluded.quote_id,
			status = excluded.status, attempts = excluded.attempts, created_at = excluded.created_at, updated_at = excluded.updated_at`,
		d.ID, d.SubscriptionID, d.Event, d.QuoteID, d.Status, string(b), ms(d.CreatedAt), ms(d.UpdatedAt))
	return wrapErr("save delivery "+d.ID, err)
}

// ListDeliveries returns a subscription's latest deliveries, newest first.
func (s *Store) ListDeliveries(ctx context.Context, subscriptionID string, limit int) ([]webhook.Delivery, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, subscription_id, event, quote_id, status, attempts, created_at, updated_at, next_attempt_at
		FROM deliveries WHERE subscription_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, subscriptionID, limit)
	if err != nil {
		return nil, wrapErr("list deliveries", err)
	}
	defer rows.Close()
	out := []webhook.Delivery{}
	for rows.Next() {
		var next sql.NullInt64
		d, err := scanDelivery(rows, &next)
		if err != nil {
			return nil, wrapErr("list deliveries", err)
		}
		if next.Valid && d.Status == webhook.StatusPending {
			t := fromMS(next.Int64)
			d.NextAttemptAt = &t
		}
		out = append(out, d)
	}
	return out, wrapErr("list deliveries", rows.Err())
}

// scanDelivery reads the columns id, subscription_id, event, quote_id,
// status, attempts, created_at, updated_at, then those of extra.
func scanDelivery(row interface{ Scan(...any) error }, extra ...any) (webhook.Delivery, error) {
	var d webhook.Delivery
	var attempts string
	var created, updated int64
	if err := row.Scan(append([]any{&d.ID, &d.SubscriptionID, &d.Event, &d.QuoteID, &d.Status, &attempts, &created, &updated}, extra...)...); err != nil {
		return d, err
	}
	var as []attemptJSON
	if err := json.Unmarshal([]byte(attempts), &as); err != nil {
		return d, fmt.Errorf("delivery %s: attempts: %w", d.ID, err)
	}
	d.Attempts = make([]webhook.Attempt, len(as))
	for i, a := range as {
		d.Attempts[i] = webhook.Attempt{At: a.At.UTC(), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS}
	}
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return d, nil
}

// enqueueDeliveries writes, within tx (the ingest's), a pending delivery
// of each new quote of qs to each subscription it matches, due at once.
// A delivery enqueued already (same subscription and quote) is kept.
func enqueueDeliveries(ctx context.Context, tx *wtx, qs []attribution.StoredQuote, at time.Time) error {
	if len(qs) == 0 {
		return nil
	}
	subs, err := listSubscriptions(ctx, tx)
	if err != nil || len(subs) == 0 {
		return err
	}
	ps, err := webhook.Enqueue(subs, qs, at)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO deliveries (id, subscription_id, event, quote_id, status, attempts, created_at, updated_at, payload, next_attempt_at)
			VALUES (?, ?, ?, ?, ?, '[]', ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			p.ID, p.SubscriptionID, p.Event, p.QuoteID, p.Status, ms(p.CreatedAt), ms(p.UpdatedAt), string(p.Payload), ms(*p.NextAttemptAt)); err != nil {
			return fmt.Errorf("enqueue delivery %s: %w", p.ID, err)
		}
	}
	return nil
}

// ClaimDeliveries leases to token, until until, at most limit pending
// deliveries due at now whose lease has ended; one write transaction
// picks and marks them, so two dispatchers (on this handle or on
// another process's) never both get one.
func (s *Store) ClaimDeliveries(ctx context.Context, token string, now, until time.Time, limit int) ([]webhook.Claim, error) {
	// Most polls find nothing due: ask the read pool first, so that an
	// idle outbox costs the write connection nothing.
	var one int
	err := s.r.QueryRowContext(ctx, `SELECT 1 FROM deliveries WHERE status = 'pending' AND payload IS NOT NULL
		AND next_attempt_at <= ? AND claimed_until <= ? LIMIT 1`, ms(now), ms(now)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, wrapErr("claim deliveries", err)
	}
	var out []webhook.Claim
	err = s.tx(ctx, func(tx *wtx) error {
		rows, err := tx.QueryContext(ctx, `UPDATE deliveries SET claim_token = ?, claimed_until = ?
			WHERE id IN (SELECT id FROM deliveries WHERE status = 'pending' AND payload IS NOT NULL
				AND next_attempt_at <= ? AND claimed_until <= ? ORDER BY next_attempt_at, id LIMIT ?)
			RETURNING id`, token, ms(until), ms(now), ms(now), limit)
		if err != nil {
			return err
		}
		var ids []any
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		rows, err = tx.QueryContext(ctx, `SELECT d.id, d.subscription_id, d.event, d.quote_id, d.status, d.attempts, d.created_at, d.updated_at,
				d.payload, d.next_attempt_at, COALESCE(s.url, ''), COALESCE(s.secret, '')
			FROM deliveries d LEFT JOIN subscriptions s ON s.id = d.subscription_id
			WHERE d.id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`) ORDER BY d.next_attempt_at, d.id`, ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			c := webhook.Claim{Token: token}
			var payload string
			var next int64
			if c.Delivery, err = scanDelivery(rows, &payload, &next, &c.URL, &c.Secret); err != nil {
				return err
			}
			t := fromMS(next)
			c.NextAttemptAt, c.Payload = &t, []byte(payload)
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, wrapErr("claim deliveries", err)
}

// RecordAttempt appends an attempt to a claimed delivery's log and sets
// its status and next attempt, ending the lease; ErrLeaseLost when the
// delivery is no longer pending under o.Token.
func (s *Store) RecordAttempt(ctx context.Context, o webhook.Outcome) error {
	a := o.Attempt
	b, _ := json.Marshal(attemptJSON{At: a.At.UTC().Truncate(time.Millisecond), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS})
	var next any
	if o.Status == webhook.StatusPending {
		next = ms(o.NextAttemptAt)
	}
	res, err := s.w.ExecContext(ctx, `UPDATE deliveries SET attempts = json_insert(attempts, '$[#]', json(?)), attempt_count = attempt_count + 1,
			status = ?, next_attempt_at = ?, claimed_until = 0, claim_token = '', updated_at = ?
		WHERE id = ? AND claim_token = ? AND status = 'pending'`, string(b), o.Status, next, ms(a.At), o.ID, o.Token)
	if err != nil {
		return wrapErr("record attempt of "+o.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("record attempt of %s: %w", o.ID, webhook.ErrLeaseLost)
	}
	return nil
}

// CreateKey stores an API key under the SHA-256 of its secret.
func (s *Store) CreateKey(ctx context.Context, k auth.Key, hash string) error {
	var revoked any
	if k.RevokedAt != nil {
		revoked = ms(*k.RevokedAt)
	}
	_, err := s.w.ExecContext(ctx, "INSERT INTO api_keys (hash, id, name, scope, prefix, created_at, revoked_at, made_without_auth) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		hash, k.ID, k.Name, string(k.Scope), k.Prefix, ms(k.CreatedAt), revoked, k.MadeWithoutAuth)
	return wrapErr("create key", err)
}

const keyColumns = "id, name, scope, prefix, created_at, revoked_at, made_without_auth"

func scanKey(row interface{ Scan(...any) error }) (auth.Key, error) {
	var k auth.Key
	var scope string
	var created int64
	var revoked sql.NullInt64
	if err := row.Scan(&k.ID, &k.Name, &scope, &k.Prefix, &created, &revoked, &k.MadeWithoutAuth); err != nil {
		return k, err
	}
	k.Scope, k.CreatedAt = auth.Scope(scope), fromMS(created)
	if revoked.Valid {
		t := fromMS(revoked.Int64)
		k.RevokedAt = &t
	}
	return k, nil
}

// KeyByHash finds the key whose secret has this SHA-256.
func (s *Store) KeyByHash(ctx context.Context, hash string) (auth.Key, error) {
	k, err := scanKey(s.r.QueryRowContext(ctx, "SELECT "+keyColumns+" FROM api_keys WHERE hash = ?", hash))
	return k, wrapErr("find key", err)
}

// ListKeys lists every key, oldest first.
func (s *Store) ListKeys(ctx context.Context) ([]auth.Key, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+keyColumns+" FROM api_keys ORDER BY created_at, id")
	if err != nil {
		return nil, wrapErr("list keys", err)
	}
	defer rows.Close()
	out := []auth.Key{}
	for rows.Next() {
		k, err := scanKey(rows)
		if err != nil {
			return nil, wrapErr("list keys", err)
		}
		out = append(out, k)
	}
	return out, wrapErr("list keys", rows.Err())
}

// RevokeKey marks a key revoked at now; revoking it again keeps the first
// time.
func (s *Store) RevokeKey(ctx context.Context, id string, at time.Time) (auth.Key, error) {
	var k auth.Key
	err := s.tx(ctx, func(tx *wtx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", ms(at), id); err != nil {
			return err
		}
		var err error
		k, err = scanKey(tx.QueryRowContext(ctx, "SELECT "+keyColumns+" FROM api_keys WHERE id = ?", id))
		return err
	})
	return k, wrapErr(fmt.Sprintf("revoke key %s", id), err)
}

var (
	_ auth.Store    = (*Store)(nil)
	_ webhook.Store = (*Store)(nil)
)
