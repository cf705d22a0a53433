package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/whosaid/whosaid/internal/attribution"
)

// MaxPageSize bounds QuoteQuery.PageSize and speaker pages.
const MaxPageSize = 100

const quoteColumns = `id, article_id, n, text, span_start, span_end, kind, cue, speaker, speaker_id, confidence, rule,
	published_at, outlet, url, statement_id, hidden, version, corrections, context_start, context_end`

// quoteRow is one scanned row of quotes.
type quoteRow struct {
	q           attribution.StoredQuote
	n           int
	corrections []attribution.Correction
}

func scanQuote(row interface{ Scan(...any) error }) (quoteRow, error) {
	var r quoteRow
	q := &r.q
	var kind string
	var cue, speaker, speakerID, statementID, corrections sql.NullString
	var published int64
	var ctxStart, ctxEnd int
	if err := row.Scan(&q.ID, &q.ArticleID, &r.n, &q.Text, &q.Span.Start, &q.Span.End, &kind, &cue, &speaker, &speakerID,
		&q.Confidence, &q.Rule, &published, &q.Outlet, &q.URL, &statementID, &q.Hidden, &q.Version, &corrections,
		&ctxStart, &ctxEnd); err != nil {
		return r, err
	}
	q.Kind = attribution.Kind(kind)
	q.SpeakerID, q.StatementID = speakerID.String, statementID.String
	q.PublishedAt = fromMS(published)
	if cue.Valid {
		q.Cue = new(attribution.Cue)
		if err := json.Unmarshal([]byte(cue.String), q.Cue); err != nil {
			return r, fmt.Errorf("quote %s: cue: %w", q.ID, err)
		}
	}
	if speaker.Valid {
		q.Speaker = new(attribution.QuoteSpeaker)
		if err := json.Unmarshal([]byte(speaker.String), q.Speaker); err != nil {
			return r, fmt.Errorf("quote %s: speaker: %w", q.ID, err)
		}
	}
	if corrections.Valid {
		if err := json.Unmarshal([]byte(corrections.String), &r.corrections); err != nil {
			return r, fmt.Errorf("quote %s: corrections: %w", q.ID, err)
		}
		q.History = r.corrections
		q.Corrected = len(r.corrections) > 0
	}
	if ctxEnd > ctxStart {
		q.Context = &attribution.Span{Start: ctxStart, End: ctxEnd}
	}
	return r, nil
}

func scanQuotes(rows *sql.Rows) ([]attribution.StoredQuote, error) {
	defer rows.Close()
	out := []attribution.StoredQuote{}
	for rows.Next() {
		r, err := scanQuote(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r.q)
	}
	return out, rows.Err()
}

// GetQuote returns one stored quote.
func (s *Store) GetQuote(ctx context.Context, id string) (attribution.StoredQuote, error) {
	r, err := scanQuote(s.r.QueryRowContext(ctx, "SELECT "+quoteColumns+" FROM quotes WHERE id = ?", id))
	if err != nil {
		return attribution.StoredQuote{}, wrapErr(fmt.Sprintf("get quote %q", id), err)
	}
	return r.q, nil
}

// FindQuotes lists quotes matching q, newest first (by published_at, then
// id), one page at a time; quotes an editor hid are left out. Each filter
// has an index whose prefix is its equality and whose suffix is the order
// (quotes_speaker, quotes_kind, quotes_outlet, quotes_feed, all partial on
// hidden = 0); words come from the quote_words full-text index.
func (s *Store) FindQuotes(ctx context.Context, q attribution.QuoteQuery) (attribution.QuotePage, error) {
	if q.PageSize < 1 || q.PageSize > MaxPageSize {
		return attribution.QuotePage{}, fmt.Errorf("find quotes: %w", &attribution.FieldError{Field: "page_size", Reason: fmt.Sprintf("must be between 1 and %d", MaxPageSize)})
	}
	if q.SpeakerID == "" && q.Speaker != "" {
		id, err := s.ResolveSpeakerID(ctx, q.Speaker)
		if errors.Is(err, attribution.ErrNotFound) {
			return attribution.QuotePage{Quotes: []attribution.StoredQuote{}}, nil
		}
		if err != nil {
			return attribution.QuotePage{}, fmt.Errorf("find quotes: %w", err)
		}
		q.SpeakerID = id
	}
	where := []string{"hidden = 0"}
	var args []any
	if q.SpeakerID != "" {
		where = append(where, "speaker_id = ?")
		args = append(args, q.SpeakerID)
	}
	if q.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, string(q.Kind))
	}
	if q.Outlet != "" {
		// Case and diacritics do not count: "reuters" finds Reuters.
		key := attribution.NormalizeName(q.Outlet)
		if key == "" {
			return attribution.QuotePage{Quotes: []attribution.StoredQuote{}}, nil
		}
		where = append(where, "outlet_key = ?")
		args = append(args, key)
	}
	if !q.From.IsZero() {
		where = append(where, "published_at >= ?")
		args = append(args, ms(q.From))
	}
	if !q.To.IsZero() {
		where = append(where, "published_at <= ?")
		args = append(args, ms(q.To))
	}
	if a := q.After; a != nil {
		where = append(where, "(published_at < ? OR (published_at = ? AND id < ?))")
		t := ms(a.PublishedAt)
		args = append(args, t, t, a.ID)
	}
	if words := matchWords(q.Words); words != "" {
		where = append(where, "rowid IN (SELECT rowid FROM quote_words WHERE quote_words MATCH ?)")
		args = append(args, words)
	} else if len(q.Words) > 0 {
		return attribution.QuotePage{Quotes: []attribution.StoredQuote{}}, nil
	}
	// The index whose order is the listing's and whose prefix is the
	// most selective equality; without ANALYZE statistics SQLite may pick
	// another. Word searches start from the full-text index instead.
	from := "quotes"
	switch {
	case len(q.Words) > 0:
	case q.SpeakerID != "":
		from += " INDEXED BY quotes_speaker"
	case q.Outlet != "":
		from += " INDEXED BY quotes_outlet"
	case q.Kind != "":
		from += " INDEXED BY quotes_kind"
	default:
		from += " INDEXED BY quotes_feed"
	}
	args = append(args, q.PageSize+1)
	rows, err := s.r.QueryContext(ctx, "SELECT "+quoteColumns+" FROM "+from+" WHERE "+strings.Join(where, " AND ")+
		" ORDER BY published_at DESC, id DESC LIMIT ?", args...)
	if err != nil {
		return attribution.QuotePage{}, wrapErr("find quotes", err)
	}
	qs, err := scanQuotes(rows)
	if err != nil {
		return attribution.QuotePage{}, wrapErr("find quotes", err)
	}
	page := attribution.QuotePage{Quotes: qs}
	if len(qs) > q.PageSize {
		page.Quotes = qs[:q.PageSize]
		last := page.Quotes[len(page.Quotes)-1]
		page.Next = &attribution.Cursor{PublishedAt: last.PublishedAt, ID: last.ID}
	}
	return page, nil
}

// matchWords is the FTS5 query that holds every one of words (already
// folded): each a quoted phrase of one token. Words the tokenizer would
// split again (none, after FoldWords) are quoted whole.
func matchWords(words []string) string {
	var b strings.Builder
	for _, w := range words {
		for _, f := range attribution.FoldWords(w) {
			if b.Len() > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(strconv.Quote(f))
		}
	}
	return b.String()
}

// stateOf is the attribution of q as a correction records it.
func stateOf(q *attribution.StoredQuote) attribution.CorrectionState {
	st := attribution.CorrectionState{SpeakerID: q.SpeakerID, Kind: q.Kind, Hidden: q.Hidden}
	if q.Speaker != nil {
		st.Speaker = &attribution.CorrectionSpeaker{Name: q.Speaker.Name, Type: q.Speaker.Type}
	}
	return st
}

// CorrectQuote applies an editor's correction p to quote id and appends it
// to the quote's history (by names the editor), in one transaction. With
// ifVersion > 0 the correction is made only if the quote's version is
// still ifVersion (else ErrPrecondition).
//
// A speaker id must name a stored speaker (else a FieldError for
// speaker_id): the quote takes its id, name and type, and drops the role
// and mention the extractor had found. An empty speaker id clears the
// attribution. A correction that changes nothing is not written, and the
// quote is returned as it is.
//
// The quote's statement follows in the same transaction (followStatement):
// a hidden quote, or one made indirect, is no occurrence any more; a
// quote given another speaker shows it, and moves to the statement of its
// words by that speaker when the statement's other occurrences name
// someone else.
func (s *Store) CorrectQuote(ctx context.Context, id string, p attribution.QuotePatch, by string, ifVersion int64) (attribution.StoredQuote, error) {
	if err := p.Validate(); err != nil {
		return attribution.StoredQuote{}, fmt.Errorf("correct quote %s: %w", id, err)
	}
	var out attribution.StoredQuote
	err := s.tx(ctx, func(tx *wtx) error {
		r, err := scanQuote(tx.QueryRowContext(ctx, "SELECT "+quoteColumns+" FROM quotes WHERE id = ?", id))
		if err != nil {
			return err
		}
		q := r.q
		if ifVersion > 0 && q.Version != ifVersion {
			return fmt.Errorf("the quote changed since version %d: %w", ifVersion, attribution.ErrPrecondition)
		}
		before := stateOf(&q)
		changed := false
		switch {
		case p.SpeakerID == nil, *p.SpeakerID == q.SpeakerID && (q.SpeakerID != "" || q.Speaker == nil):
		case *p.SpeakerID == "":
			q.SpeakerID, q.Speaker, changed = "", nil, true
		default:
			var name, typ string
			err := tx.QueryRowContext(ctx, "SELECT name, type FROM speakers WHERE id = ?", *p.SpeakerID).Scan(&name, &typ)
			if errors.Is(err, sql.ErrNoRows) {
				return &attribution.FieldError{Field: "speaker_id", Reason: fmt.Sprintf("no speaker has the id %q", *p.SpeakerID)}
			}
			if err != nil {
				return err
			}
			q.SpeakerID, q.Speaker, changed = *p.SpeakerID, &attribution.QuoteSpeaker{Name: name, Type: attribution.SpeakerType(typ)}, true
		}
		if p.Kind != nil && *p.Kind != q.Kind {
			q.Kind, changed = *p.Kind, true
		}
		if p.Hidden != nil && *p.Hidden != q.Hidden {
			q.Hidden, changed = *p.Hidden, true
		}
		if !changed {
			out = q
			return nil
		}
		corr := attribution.Correction{At: now(), By: by, Before: before, After: stateOf(&q)}
		q.History = append(q.History, corr)
		q.Corrected = true
		q.Version++
		hist, _ := json.Marshal(q.History)
		var speaker any
		if q.Speaker != nil {
			b, _ := json.Marshal(q.Speaker)
			speaker = string(b)
		}
		occSpeaker := ""
		if q.Speaker != nil {
			occSpeaker = q.Speaker.Name
		}
		if _, err := tx.ExecContext(ctx, "UPDATE quotes SET speaker_id = ?, speaker = ?, occurrence_speaker = ?, kind = ?, hidden = ?, version = ?, corrections = ? WHERE id = ?",
			nullString(q.SpeakerID), speaker, occSpeaker, string(q.Kind), q.Hidden, q.Version, string(hist), id); err != nil {
			return err
		}
		if err := followStatement(ctx, tx, &r.q, &q); err != nil {
			return err
		}
		if !r.q.Hidden {
			if err := addFigure(ctx, tx, r.q.SpeakerID, r.q.Kind, r.q.Outlet, -1); err != nil {
				return err
			}
		}
		if !q.Hidden {
			if err := addFigure(ctx, tx, q.SpeakerID, q.Kind, q.Outlet, 1); err != nil {
				return err
			}
		}
		out = q
		return nil
	})
	if err != nil {
		return attribution.StoredQuote{}, wrapErr("correct quote "+id, err)
	}
	return out, nil
}
