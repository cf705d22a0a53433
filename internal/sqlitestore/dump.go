package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/extract"
	"github.com/whosaid/whosaid/internal/statement"
	"github.com/whosaid/whosaid/internal/webhook"
)

// Export writes every record of the store in the order of package dump,
// each kind by id, from one read transaction (a consistent snapshot).
func (s *Store) Export(ctx context.Context, emit func(dump.Record) error) error {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrapErr("export", err)
	}
	defer tx.Rollback()
	if err := exportRows(ctx, tx, "SELECT "+speakerColumns+" FROM speakers ORDER BY id", func(rows *sql.Rows) error {
		sp, err := scanSpeaker(rows)
		if err != nil {
			return err
		}
		return emit(dump.Record{Type: dump.TypeSpeaker, Speaker: &dump.Speaker{ID: sp.ID, Name: sp.Name, Type: string(sp.Type),
			Aliases: sp.Aliases, Roles: sp.Roles, WikidataID: sp.WikidataID, Version: sp.Version, UpdatedAt: sp.UpdatedAt}})
	}); err != nil {
		return wrapErr("export speakers", err)
	}
	if err := exportRows(ctx, tx, "SELECT "+articleColumns+" FROM articles ORDER BY id", func(rows *sql.Rows) error {
		a, err := scanArticle(rows)
		if err != nil {
			return err
		}
		qrows, err := tx.QueryContext(ctx, "SELECT "+quoteColumns+" FROM quotes WHERE article_id = ? ORDER BY n", a.ID)
		if err != nil {
			return err
		}
		rec := &dump.Article{Article: a, Quotes: []dump.Quote{}}
		if err := tx.QueryRowContext(ctx, "SELECT next_quote FROM articles WHERE id = ?", a.ID).Scan(&rec.NextQuote); err != nil {
			return err
		}
		for qrows.Next() {
			r, err := scanQuote(qrows)
			if err != nil {
				qrows.Close()
				return err
			}
			q := dump.Quote{StoredQuote: r.q, N: r.n, Version: r.q.Version, Corrections: r.corrections, Sentence: r.q.Context}
			q.History, q.Context = nil, nil
			rec.Quotes = append(rec.Quotes, q)
		}
		qrows.Close()
		if err := qrows.Err(); err != nil {
			return err
		}
		return emit(dump.Record{Type: dump.TypeArticle, Article: rec})
	}); err != nil {
		return wrapErr("export articles", err)
	}
	if err := exportRows(ctx, tx, "SELECT id, text, speaker_id, speaker_name, created_at, updated_at, version FROM statements ORDER BY id", func(rows *sql.Rows) error {
		st := &dump.Statement{}
		var created, updated int64
		if err := rows.Scan(&st.ID, &st.Text, &st.SpeakerID, &st.SpeakerName, &created, &updated, &st.Version); err != nil {
			return err
		}
		st.CreatedAt, st.UpdatedAt = fromMS(created), fromMS(updated)
		full, err := statementOf(ctx, txq{tx}, &stmt{id: st.ID})
		if err != nil {
			return err
		}
		st.Occurrences = full.Occurrences
		return emit(dump.Record{Type: dump.TypeStatement, Statement: st})
	}); err != nil {
		return wrapErr("export statements", err)
	}
	if err := exportRows(ctx, tx, "SELECT "+subscriptionColumns+" FROM subscriptions ORDER BY id", func(rows *sql.Rows) error {
		sub, err := scanSubscription(rows)
		if err != nil {
			return err
		}
		return emit(dump.Record{Type: dump.TypeSubscription, Subscription: &dump.Subscription{Subscription: sub, Secret: sub.Secret}})
	}); err != nil {
		return wrapErr("export subscriptions", err)
	}
	if err := exportRows(ctx, tx, "SELECT id, subscription_id, event, quote_id, status, attempts, created_at, updated_at FROM deliveries ORDER BY id", func(rows *sql.Rows) error {
		d, err := scanDelivery(rows)
		if err != nil {
			return err
		}
		return emit(dump.Record{Type: dump.TypeDelivery, Delivery: &dump.Delivery{Delivery: d}})
	}); err != nil {
		return wrapErr("export deliveries", err)
	}
	if err := exportRows(ctx, tx, "SELECT hash, "+keyColumns+" FROM api_keys ORDER BY id", func(rows *sql.Rows) error {
		var hash string
		k, err := scanKey(prefixScanner{rows, &hash})
		if err != nil {
			return err
		}
		return emit(dump.Record{Type: dump.TypeKey, Key: &dump.Key{Key: k, Hash: hash}})
	}); err != nil {
		return wrapErr("export keys", err)
	}
	if err := exportRows(ctx, tx, "SELECT key, article_id, text_hash, created_at FROM idempotency_keys ORDER BY key", func(rows *sql.Rows) error {
		k := &dump.IdempotencyKey{}
		var created int64
		if err := rows.Scan(&k.Key, &k.ArticleID, &k.TextHash, &created); err != nil {
			return err
		}
		k.CreatedAt = fromMS(created)
		return emit(dump.Record{Type: dump.TypeIdempotencyKey, IdempotencyKey: k})
	}); err != nil {
		return wrapErr("export idempotency keys", err)
	}
	return nil
}

// txq makes a read transaction a queryer.
type txq struct{ *sql.Tx }

// prefixScanner scans the first column into first, the rest with the
// wrapped row.
type prefixScanner struct {
	rows  *sql.Rows
	first *string
}

func (p prefixScanner) Scan(dest ...any) error {
	return p.rows.Scan(append([]any{p.first}, dest...)...)
}

// exportRows runs query and calls each for every row (each may run
// queries of its own on the same transaction).
func exportRows(ctx context.Context, tx *sql.Tx, query string, each func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Import stores one record under its own ids, in one transaction. A
// record whose id is stored already is left as it is (added false); one
// that collides with another record's unique name, URL or key is an
// error wrapping ErrConflict, and nothing of it is stored.
func (s *Store) Import(ctx context.Context, r dump.Record) (bool, error) {
	added := false
	err := s.tx(ctx, func(tx *wtx) error {
		var err error
		switch r.Type {
		case dump.TypeHeader:
			return nil
		case dump.TypeSpeaker:
			if r.Speaker == nil {
				return errMissing(r.Type)
			}
			added, err = importSpeaker(ctx, tx, r.Speaker)
		case dump.TypeArticle:
			if r.Article == nil {
				return errMissing(r.Type)
			}
			added, err = importArticle(ctx, tx, r.Article)
		case dump.TypeStatement:
			if r.Statement == nil {
				return errMissing(r.Type)
			}
			added, err = importStatement(ctx, tx, r.Statement)
		case dump.TypeSubscription:
			if r.Subscription == nil {
				return errMissing(r.Type)
			}
			sub := r.Subscription.Subscription
			sub.Secret = r.Subscription.Secret
			added, err = insertNew(ctx, tx, "subscriptions", "id", sub.ID, func() error {
				_, err := tx.ExecContext(ctx, "INSERT INTO subscriptions (id, url, secret, speaker_ids, q, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
					sub.ID, sub.URL, sub.Secret, marshalList(sub.SpeakerIDs), sub.Query, sub.KeyID, ms(sub.CreatedAt))
				return err
			})
		case dump.TypeDelivery:
			if r.Delivery == nil {
				return errMissing(r.Type)
			}
			d := r.Delivery.Delivery
			added, err = insertNew(ctx, tx, "deliveries", "id", d.ID, func() error {
				return insertDelivery(ctx, tx, d)
			})
		case dump.TypeKey:
			if r.Key == nil {
				return errMissing(r.Type)
			}
			k := r.Key
			added, err = insertNew(ctx, tx, "api_keys", "hash", k.Hash, func() error {
				var revoked any
				if k.RevokedAt != nil {
					revoked = ms(*k.RevokedAt)
				}
				_, err := tx.ExecContext(ctx, "INSERT INTO api_keys (hash, id, name, scope, prefix, created_at, revoked_at, made_without_auth) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
					k.Hash, k.ID, k.Name, string(k.Scope), k.Prefix, ms(k.CreatedAt), revoked, k.MadeWithoutAuth)
				return err
			})
		case dump.TypeIdempotencyKey:
			if r.IdempotencyKey == nil {
				return errMissing(r.Type)
			}
			k := r.IdempotencyKey
			added, err = insertNew(ctx, tx, "idempotency_keys", "key", k.Key, func() error {
				_, err := tx.ExecContext(ctx, "INSERT INTO idempotency_keys (key, article_id, text_hash, created_at) VALUES (?, ?, ?, ?)",
					k.Key, k.ArticleID, k.TextHash, ms(k.CreatedAt))
				return err
			})
		default:
			return fmt.Errorf("record type %q: %w", r.Type, attribution.ErrInvalid)
		}
		return err
	})
	if err != nil {
		return false, wrapErr("import "+r.Type, err)
	}
	return added, nil
}

func errMissing(typ string) error {
	return fmt.Errorf("a %s record without its %s: %w", typ, typ, attribution.ErrInvalid)
}

// insertNew runs insert unless table has a row whose column is id.
func insertNew(ctx context.Context, tx *wtx, table, column, id string, insert func() error) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM "+table+" WHERE "+column+" = ?", id).Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	return true, insert()
}

func insertDelivery(ctx context.Context, tx *wtx, d webhook.Delivery) error {
	attempts := make([]attemptJSON, len(d.Attempts))
	for i, a := range d.Attempts {
		attempts[i] = attemptJSON{At: a.At.UTC(), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS}
	}
	b, _ := json.Marshal(attempts)
	_, err := tx.ExecContext(ctx, `INSERT INTO deliveries (id, subscription_id, event, quote_id, status, attempts, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, d.SubscriptionID, d.Event, d.QuoteID, d.Status, string(b), ms(d.CreatedAt), ms(d.UpdatedAt))
	return err
}

func importSpeaker(ctx context.Context, tx *wtx, sp *dump.Speaker) (bool, error) {
	key := attribution.NormalizeName(sp.Name)
	if sp.ID == "" || key == "" {
		return false, fmt.Errorf("speaker %q %q: %w", sp.ID, sp.Name, attribution.ErrInvalid)
	}
	return insertNew(ctx, tx, "speakers", "id", sp.ID, func() error {
		var other string
		err := tx.QueryRowContext(ctx, "SELECT id FROM speakers WHERE normalized_name = ?", key).Scan(&other)
		if err == nil {
			return fmt.Errorf("speaker %s: its name %q is speaker %s's: %w", sp.ID, sp.Name, other, attribution.ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO speakers (id, name, normalized_name, type, aliases, roles, wikidata_id, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			sp.ID, sp.Name, key, sp.Type, marshalList(sp.Aliases), marshalList(sp.Roles), nullString(sp.WikidataID), max(sp.Version, 1), ms(sp.UpdatedAt)); err != nil {
			return err
		}
		// Quotes imported before their speaker count now.
		if _, err := tx.ExecContext(ctx, `INSERT INTO speaker_figures (speaker_id, kind, outlet, n)
			SELECT speaker_id, kind, outlet, count(*) FROM quotes INDEXED BY quotes_speaker WHERE speaker_id = ? AND hidden = 0 GROUP BY kind, outlet`, sp.ID); err != nil {
			return err
		}
		return writeKeys(ctx, tx, sp.ID, sp.Name, sp.Aliases)
	})
}

func importArticle(ctx context.Context, tx *wtx, a *dump.Article) (bool, error) {
	if len(a.ID) != 24 || strings.TrimSpace(a.Text) == "" {
		return false, fmt.Errorf("article %q: %w", a.ID, attribution.ErrInvalid)
	}
	return insertNew(ctx, tx, "articles", "id", a.ID, func() error {
		if a.URL != "" {
			var other string
			err := tx.QueryRowContext(ctx, "SELECT id FROM articles WHERE url = ?", a.URL).Scan(&other)
			if err == nil {
				return fmt.Errorf("article %s: its URL is article %s's: %w", a.ID, other, attribution.ErrConflict)
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		var published any
		if !a.PublishedAt.IsZero() {
			published = ms(a.PublishedAt)
		}
		next := a.NextQuote
		for _, q := range a.Quotes {
			n, ok := dump.QuoteNumber(a.ID, q.ID)
			if !ok || q.ArticleID != a.ID {
				return fmt.Errorf("quote %q of article %s: %w", q.ID, a.ID, attribution.ErrInvalid)
			}
			next = max(next, n+1)
		}
		updated := a.UpdatedAt
		if updated.Before(a.CreatedAt) {
			updated = a.CreatedAt
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO articles (id, url, title, text, text_hash, published_at, outlet, language, created_at, quote_count,
			revision, updated_at, next_quote, byline)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, nullString(a.URL), a.Title, a.Text, TextHash(a.Text), published,
			a.Outlet, a.Language, ms(a.CreatedAt), len(a.Quotes), max(a.Revision, 1), ms(updated), next, a.Byline); err != nil {
			return err
		}
		// The sentences around quotes an exporting store did not keep.
		var missing []attribution.Span
		for _, q := range a.Quotes {
			if q.Sentence == nil {
				missing = append(missing, q.Span)
			}
		}
		contexts := extract.ContextSpans(a.Text, missing)
		for _, q := range a.Quotes {
			sq := q.StoredQuote
			sq.Version = max(q.Version, 1)
			sq.Hidden = q.Hidden
			if q.Sentence != nil {
				c := *q.Sentence
				sq.Context = &c
			} else {
				c := contexts[0]
				contexts = contexts[1:]
				if c != (attribution.Span{}) {
					sq.Context = &c
				}
			}
			// A speaker not stored yet gets its figures when it is
			// (importSpeaker counts its quotes).
			counted := sq.SpeakerID == ""
			if !counted {
				var one int
				err := tx.QueryRowContext(ctx, "SELECT 1 FROM speakers WHERE id = ?", sq.SpeakerID).Scan(&one)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return err
				}
				counted = err == nil
			}
			if !counted {
				sq.Hidden = true // counts nowhere while inserted
			}
			if err := insertQuote(ctx, tx, q.N, &sq, q.Corrections); err != nil {
				return err
			}
			if !counted && !q.Hidden {
				if _, err := tx.ExecContext(ctx, "UPDATE quotes SET hidden = 0 WHERE id = ?", sq.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func importStatement(ctx context.Context, tx *wtx, st *dump.Statement) (bool, error) {
	if st.ID == "" {
		return false, fmt.Errorf("statement without id: %w", attribution.ErrInvalid)
	}
	return insertNew(ctx, tx, "statements", "id", st.ID, func() error {
		words := statement.Words(st.Text)
		if _, err := tx.ExecContext(ctx, `INSERT INTO statements (id, text, words, speaker_id, speaker_name, n_shingles, created_at, updated_at, version)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)`, st.ID, st.Text, strings.Join(words, " "), st.SpeakerID, st.SpeakerName,
			ms(st.CreatedAt), ms(st.UpdatedAt), max(st.Version, 1)); err != nil {
			return err
		}
		// The shingles of every reported form: the quotes naming it, and
		// the occurrences the record lists (the name each showed).
		shingles := statement.IndexShingles(words)
		for _, o := range st.Occurrences {
			shingles = append(shingles, statement.IndexShingles(statement.Words(o.Text))...)
			if _, err := tx.ExecContext(ctx, "UPDATE quotes SET occurrence_speaker = ?, statement_id = ? WHERE id = ?", o.Speaker, st.ID, o.QuoteID); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, "SELECT text FROM quotes WHERE statement_id = ?", st.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var text string
			if err := rows.Scan(&text); err != nil {
				rows.Close()
				return err
			}
			shingles = append(shingles, statement.IndexShingles(statement.Words(text))...)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		slices.Sort(shingles)
		return addShingles(ctx, tx, st.ID, slices.Compact(shingles))
	})
}
