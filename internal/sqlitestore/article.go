package sqlitestore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/extract"
)

// ArticleID is the id of an article: 24 hex digits of the SHA-256 of its
// URL or, without one, of its text (the same ids the MongoDB store gives,
// so that ids survive a move between the stores).
func ArticleID(a *attribution.Article) string {
	key := "text:" + a.Text
	if a.URL != "" {
		key = "url:" + a.URL
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

// TextHash is the SHA-256 of an article's text, hex.
func TextHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

const articleColumns = "id, url, title, text, published_at, outlet, language, created_at, revision, updated_at, byline"

func scanArticle(row interface{ Scan(...any) error }) (attribution.Article, error) {
	var a attribution.Article
	var url sql.NullString
	var published sql.NullInt64
	var created, updated int64
	if err := row.Scan(&a.ID, &url, &a.Title, &a.Text, &published, &a.Outlet, &a.Language, &created, &a.Revision, &updated, &a.Byline); err != nil {
		return a, err
	}
	a.URL = url.String
	if published.Valid {
		a.PublishedAt = fromMS(published.Int64)
	}
	a.CreatedAt = fromMS(created)
	a.UpdatedAt = a.CreatedAt
	if updated > created {
		a.UpdatedAt = fromMS(updated)
	}
	return a, nil
}

// GetArticle returns a stored article.
func (s *Store) GetArticle(ctx context.Context, id string) (attribution.Article, error) {
	a, err := scanArticle(s.r.QueryRowContext(ctx, "SELECT "+articleColumns+" FROM articles WHERE id = ?", id))
	if err != nil {
		return a, wrapErr(fmt.Sprintf("get article %q", id), err)
	}
	return a, nil
}

// sameArticle finds the stored article a is: the one with its URL, or,
// without URL, the first stored with its text.
func sameArticle(ctx context.Context, q queryer, a *attribution.Article) (attribution.Article, error) {
	if a.URL != "" {
		return scanArticle(q.QueryRowContext(ctx, "SELECT "+articleColumns+" FROM articles WHERE url = ?", a.URL))
	}
	return scanArticle(q.QueryRowContext(ctx, "SELECT "+articleColumns+" FROM articles WHERE text_hash = ? ORDER BY created_at, id LIMIT 1", TextHash(a.Text)))
}

// IngestArticle stores an article with the quotes extracted from it (spans
// in code points of a.Text), linking each named person or organisation to
// a speaker across articles, in one transaction. An article is its URL:
// the same URL with the same text, or without URL the same text, is
// returned as stored with Created false, and nothing is written; the same
// URL with another text is a new revision of the stored article (see
// reviseArticle), written in one transaction too. A stored quote that an
// editor corrected keeps its correction either way.
func (s *Store) IngestArticle(ctx context.Context, a *attribution.Article, res attribution.Result) (attribution.IngestResult, error) {
	if err := a.Validate(); err != nil {
		return attribution.IngestResult{}, fmt.Errorf("ingest article: %w", err)
	}
	// Most re-sent articles are found without taking the write lock.
	if r, err := s.StoredArticle(ctx, a); !errors.Is(err, attribution.ErrNotFound) {
		return r, err
	}
	job := &ingestJob{ctx: ctx, a: a, res: res, contexts: extract.ContextSpans(a.Text, quoteSpans(res.Quotes)), done: make(chan ingestDone, 1)}
	select {
	case s.jobs <- job:
	case <-ctx.Done():
		return attribution.IngestResult{}, wrapErr("ingest article", ctx.Err())
	case <-s.quit:
		return attribution.IngestResult{}, fmt.Errorf("ingest article: the store is closed: %w", attribution.ErrUnavailable)
	}
	// Once the writer has the job it answers within its batch.
	d := <-job.done
	if d.err != nil {
		return attribution.IngestResult{}, wrapErr("ingest article", d.err)
	}
	*a = d.r.Article
	return d.r, nil
}

// Group commit: the articles sent while a transaction runs are written
// together in the next one, each inside a savepoint of its own (an
// article that fails is rolled back alone), and every caller is answered
// after the commit. Pages shared by the articles (index leaves, the
// WAL's frames and checkpoints) are then written once per batch.
const (
	maxIngestBatch     = 32
	ingestBatchTimeout = 30 * time.Second
)

type ingestJob struct {
	ctx      context.Context
	a        *attribution.Article
	res      attribution.Result
	contexts []attribution.Span
	done     chan ingestDone
}

type ingestDone struct {
	r   attribution.IngestResult
	err error
}

// writer takes ingest jobs until the store closes, each batch in one
// transaction.
func (s *Store) writer() {
	defer close(s.writerDone)
	for {
		var first *ingestJob
		select {
		case first = <-s.jobs:
		case <-s.quit:
			return
		}
		batch := []*ingestJob{first}
	more:
		for len(batch) < maxIngestBatch {
			select {
			case j := <-s.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		s.writeBatch(batch)
	}
}

func (s *Store) writeBatch(jobs []*ingestJob) {
	ctx, cancel := context.WithTimeout(context.Background(), ingestBatchTimeout)
	defer cancel()
	results := make([]ingestDone, len(jobs))
	var live []int
	for i, j := range jobs {
		if err := j.ctx.Err(); err != nil {
			results[i].err = err
		} else {
			live = append(live, i)
		}
	}
	// All together; if one fails, each alone (failures are rare: a
	// statement the database refuses), so that one bad article does not
	// fail the others and no savepoint is needed on the usual path.
	err := s.tx(ctx, func(tx *wtx) error {
		for _, i := range live {
			r, err := s.ingestOne(ctx, tx, jobs[i].a, jobs[i].res, jobs[i].contexts)
			if err != nil {
				return err
			}
			results[i].r = r
		}
		return nil
	})
	if err != nil && len(live) > 1 {
		for _, i := range live {
			j := jobs[i]
			results[i] = ingestDone{}
			results[i].err = s.tx(ctx, func(tx *wtx) error {
				r, err := s.ingestOne(ctx, tx, j.a, j.res, j.contexts)
				results[i].r = r
				return err
			})
		}
	} else if err != nil {
		for _, i := range live {
			results[i] = ingestDone{err: err}
		}
	}
	for i, j := range jobs {
		j.done <- results[i]
	}
}

// ingestOne stores a new article within tx, revises the one stored at its
// URL with another text, or answers the one stored (by another request,
// or earlier in the same batch).
func (s *Store) ingestOne(ctx context.Context, tx *wtx, a *attribution.Article, res attribution.Result, contexts []attribution.Span) (attribution.IngestResult, error) {
	if stored, err := sameArticle(ctx, tx, a); err == nil {
		if a.URL != "" && stored.Text != a.Text {
			return s.reviseArticle(ctx, tx, stored, a, res, contexts)
		}
		qs, err := articleQuotes(ctx, tx, stored.ID)
		return attribution.IngestResult{Article: stored, Quotes: qs}, err
	} else if !errors.Is(err, sql.ErrNoRows) {
		return attribution.IngestResult{}, err
	}
	art := *a
	art.ID = ArticleID(a)
	art.CreatedAt = now()
	art.Revision, art.UpdatedAt = 1, art.CreatedAt
	var published any
	if !art.PublishedAt.IsZero() {
		art.PublishedAt = art.PublishedAt.UTC().Truncate(time.Millisecond)
		published = ms(art.PublishedAt)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO articles (id, url, title, text, text_hash, published_at, outlet, language, created_at, quote_count,
		revision, updated_at, next_quote, byline)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)`, art.ID, nullString(art.URL), art.Title, art.Text, TextHash(art.Text), published,
		art.Outlet, art.Language, ms(art.CreatedAt), len(res.Quotes), ms(art.CreatedAt), len(res.Quotes), art.Byline); err != nil {
		return attribution.IngestResult{}, err
	}
	ids := make([]string, len(res.Quotes))
	for n := range ids {
		ids[n] = quoteID(art.ID, n)
	}
	qs, err := s.storeQuotes(ctx, tx, &art, res, contexts, ids)
	if err != nil {
		return attribution.IngestResult{}, err
	}
	return attribution.IngestResult{Article: art, Quotes: qs, Created: true, Added: ids}, nil
}

// quoteID is the id of quote number n of an article: the article's id, a
// dash and n. The quotes of an article's first text are numbered by
// position; the new quotes of each revision continue after the highest
// number the article ever used, so an id is never given twice.
func quoteID(articleID string, n int) string { return fmt.Sprintf("%s-%d", articleID, n) }

// reviseArticle makes a's text, new at the URL of stored, the article's
// next revision within tx: the quotes are matched by their words (folded,
// in text order) with the stored ones. A matched quote keeps its id,
// attribution, corrections, version and statement, and takes its place
// in the new text (span, cue, context, the speaker's mention); the
// stored quotes left unmatched are deleted, with their share of the
// speakers' figures and their statement occurrences (a statement left
// empty goes); the new ones are stored as at a first ingest, numbered
// after the highest number used. The article takes the new text, title
// and language (the stored ones when the request has none), keeps its
// id, URL, outlet, publication time and creation time, and counts one
// more revision, updated now.
func (s *Store) reviseArticle(ctx context.Context, tx *wtx, stored attribution.Article, a *attribution.Article, res attribution.Result, contexts []attribution.Span) (attribution.IngestResult, error) {
	old, err := articleQuotes(ctx, tx, stored.ID)
	if err != nil {
		return attribution.IngestResult{}, err
	}
	var next int
	if err := tx.QueryRowContext(ctx, "SELECT next_quote FROM articles WHERE id = ?", stored.ID).Scan(&next); err != nil {
		return attribution.IngestResult{}, err
	}
	kept := attribution.MatchRevision(old, res.Quotes)
	used := make([]bool, len(old))
	for _, i := range kept {
		if i >= 0 {
			used[i] = true
		}
	}
	var stmts []string
	for i := range old {
		q := &old[i]
		if used[i] {
			continue
		}
		if !q.Hidden {
			if err := addFigure(ctx, tx, q.SpeakerID, q.Kind, q.Outlet, -1); err != nil {
				return attribution.IngestResult{}, err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM quote_words WHERE rowid = (SELECT rowid FROM quotes WHERE id = ?)", q.ID); err != nil {
			return attribution.IngestResult{}, err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM quotes WHERE id = ?", q.ID); err != nil {
			return attribution.IngestResult{}, err
		}
		if q.StatementID != "" && !slices.Contains(stmts, q.StatementID) {
			stmts = append(stmts, q.StatementID)
		}
	}
	for _, id := range stmts {
		if err := settleStatement(ctx, tx, id); err != nil {
			return attribution.IngestResult{}, err
		}
	}
	// Positions change: out of the way of UNIQUE (article_id, n) first.
	if _, err := tx.ExecContext(ctx, "UPDATE quotes SET n = -1 - n WHERE article_id = ?", stored.ID); err != nil {
		return attribution.IngestResult{}, err
	}
	ids := make([]string, len(res.Quotes))
	var added []string
	for n, i := range kept {
		if i < 0 {
			ids[n] = quoteID(stored.ID, next)
			added = append(added, ids[n])
			next++
			continue
		}
		q := old[i]
		attribution.MoveQuote(&q, res.Quotes[n])
		var cue, speaker any
		if q.Cue != nil {
			b, _ := json.Marshal(q.Cue)
			cue = string(b)
		}
		if q.Speaker != nil {
			b, _ := json.Marshal(q.Speaker)
			speaker = string(b)
		}
		ctxStart, ctxEnd := 0, 0
		if n < len(contexts) {
			ctxStart, ctxEnd = contexts[n].Start, contexts[n].End
		}
		if _, err := tx.ExecContext(ctx, `UPDATE quotes SET n = ?, text = ?, span_start = ?, span_end = ?, cue = ?, speaker = ?, context_start = ?, context_end = ?
			WHERE id = ?`, n, q.Text, q.Span.Start, q.Span.End, cue, speaker, ctxStart, ctxEnd, q.ID); err != nil {
			return attribution.IngestResult{}, fmt.Errorf("move quote %s: %w", q.ID, err)
		}
	}
	art := stored
	art.Text = a.Text
	art.Title = cmp.Or(a.Title, stored.Title)
	art.Byline = cmp.Or(a.Byline, stored.Byline)
	art.Language = cmp.Or(a.Language, stored.Language)
	art.Revision = stored.Revision + 1
	art.UpdatedAt = now()
	if !art.UpdatedAt.After(stored.UpdatedAt) {
		art.UpdatedAt = stored.UpdatedAt.Add(time.Millisecond)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET text = ?, text_hash = ?, title = ?, byline = ?, language = ?, revision = ?, updated_at = ?,
		quote_count = ?, next_quote = ? WHERE id = ?`, art.Text, TextHash(art.Text), art.Title, art.Byline, art.Language, art.Revision, ms(art.UpdatedAt),
		len(res.Quotes), next, art.ID); err != nil {
		return attribution.IngestResult{}, err
	}
	if len(added) > 0 {
		if _, err := s.storeQuotes(ctx, tx, &art, res, contexts, ids); err != nil {
			return attribution.IngestResult{}, err
		}
	}
	qs, err := articleQuotes(ctx, tx, art.ID)
	if err != nil {
		return attribution.IngestResult{}, err
	}
	return attribution.IngestResult{Article: art, Quotes: qs, Revised: true, Added: added}, nil
}

// StoredArticle answers the article stored as a (same URL and text, or
// without URL the same text) with its quotes; ErrNotFound when there is
// none, or when a's text is a new revision of the article at its URL
// (which IngestArticle stores).
func (s *Store) StoredArticle(ctx context.Context, a *attribution.Article) (attribution.IngestResult, error) {
	stored, err := sameArticle(ctx, s.r, a)
	if err != nil {
		return attribution.IngestResult{}, wrapErr("find stored article", err)
	}
	if a.URL != "" && stored.Text != a.Text {
		return attribution.IngestResult{}, fmt.Errorf("find stored article: %s has another text at this URL: %w", stored.ID, attribution.ErrNotFound)
	}
	qs, err := articleQuotes(ctx, s.r, stored.ID)
	if err != nil {
		return attribution.IngestResult{}, wrapErr("find stored article", err)
	}
	return attribution.IngestResult{Article: stored, Quotes: qs}, nil
}

func quoteSpans(qs []attribution.Quote) []attribution.Span {
	out := make([]attribution.Span, len(qs))
	for i, q := range qs {
		out[i] = q.Span
	}
	return out
}

// storeQuotes writes the speakers of an article, and the quotes n of res
// with ids[n] set, under that id at position n, with their statements.
func (s *Store) storeQuotes(ctx context.Context, tx *wtx, a *attribution.Article, res attribution.Result, contexts []attribution.Span, ids []string) ([]attribution.StoredQuote, error) {
	published := a.PublishedAt
	if published.IsZero() {
		published = a.CreatedAt
	}
	speakerIDs := map[string]string{}
	for _, sp := range res.Speakers {
		if !sp.Type.Stored() || sp.Name == "" {
			continue
		}
		id, err := ensureSpeaker(ctx, tx, sp.Name, sp.Type, sp.Roles, attribution.NameAliases(sp))
		if err != nil {
			return nil, err
		}
		speakerIDs[sp.Name] = id
	}
	batch := statementBatch{tx: tx}
	if err := batch.lookUp(ctx, res.Quotes); err != nil {
		return nil, err
	}
	out := make([]attribution.StoredQuote, 0, len(res.Quotes))
	var positions []int
	for n, q := range res.Quotes {
		if ids[n] == "" {
			continue
		}
		positions = append(positions, n)
		sq := attribution.StoredQuote{
			ID: ids[n], ArticleID: a.ID, Quote: q,
			PublishedAt: published, Outlet: a.Outlet, URL: a.URL, Version: 1,
		}
		if sp := q.Speaker; sp != nil {
			c := *sp
			if sp.Mention != nil {
				m := *sp.Mention
				c.Mention = &m
			}
			sq.Speaker = &c
		}
		if q.Cue != nil {
			c := *q.Cue
			sq.Cue = &c
		}
		if n < len(contexts) && contexts[n] != (attribution.Span{}) {
			c := contexts[n]
			sq.Context = &c
		}
		if q.Speaker != nil && q.Speaker.Type.Stored() && q.Speaker.Name != "" {
			sid := speakerIDs[q.Speaker.Name]
			if sid == "" {
				var err error
				if sid, err = ensureSpeaker(ctx, tx, q.Speaker.Name, q.Speaker.Type, nil, nil); err != nil {
					return nil, err
				}
				speakerIDs[q.Speaker.Name] = sid
			}
			sq.SpeakerID = sid
		}
		if err := batch.assign(ctx, &sq); err != nil {
			return nil, err
		}
		out = append(out, sq)
	}
	renamed, err := batch.flush(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if id, ok := renamed[out[i].StatementID]; ok {
			out[i].StatementID = id
		}
	}
	if err := insertQuotes(ctx, tx, out, positions); err != nil {
		return nil, err
	}
	// The webhook outbox, in the same transaction as the quotes.
	if err := enqueueDeliveries(ctx, tx, out, now()); err != nil {
		return nil, err
	}
	return out, nil
}

// quoteRowArgs are the column values of q for INSERT INTO quotes
// (insertColumns order).
func quoteRowArgs(n int, q *attribution.StoredQuote, corrections []attribution.Correction) []any {
	var cue, speaker, corr any
	if q.Cue != nil {
		b, _ := json.Marshal(q.Cue)
		cue = string(b)
	}
	if q.Speaker != nil {
		b, _ := json.Marshal(q.Speaker)
		speaker = string(b)
	}
	if len(corrections) > 0 {
		b, _ := json.Marshal(corrections)
		corr = string(b)
	}
	ctxStart, ctxEnd := 0, 0
	if q.Context != nil {
		ctxStart, ctxEnd = q.Context.Start, q.Context.End
	}
	// A statement occurrence shows the name the article gave the speaker.
	occSpeaker := ""
	if q.Speaker != nil {
		occSpeaker = q.Speaker.Name
	}
	return []any{q.ID, q.ArticleID, n, q.Text, q.Span.Start, q.Span.End, string(q.Kind), cue, speaker, nullString(q.SpeakerID),
		q.Confidence, q.Rule, ms(q.PublishedAt), q.Outlet, attribution.NormalizeName(q.Outlet), q.URL, nullString(q.StatementID), occSpeaker, q.Hidden, max(q.Version, 1), corr,
		ctxStart, ctxEnd}
}

const insertColumns = `(id, article_id, n, text, span_start, span_end, kind, cue, speaker, speaker_id,
		confidence, rule, published_at, outlet, outlet_key, url, statement_id, occurrence_speaker, hidden, version, corrections, context_start, context_end)`

const quoteRowPlaceholders = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// insertBatch is how many rows one multi-row INSERT writes.
const insertBatch = 32

// insertQuotes writes quotes of an article (qs[i] at position
// positions[i]), their words and their speakers' figures, a few
// statements for all.
func insertQuotes(ctx context.Context, tx *wtx, qs []attribution.StoredQuote, positions []int) error {
	figures := map[[3]string]int{}
	for start, end := 0, 0; start < len(qs); start = end {
		end = start + chunk(len(qs)-start, insertBatch)
		var args []any
		for n := start; n < end; n++ {
			args = append(args, quoteRowArgs(positions[n], &qs[n], nil)...)
			if q := &qs[n]; !q.Hidden && q.SpeakerID != "" {
				figures[[3]string{q.SpeakerID, string(q.Kind), q.Outlet}]++
			}
		}
		res, err := tx.QueryContext(ctx, "INSERT INTO quotes "+insertColumns+" VALUES "+
			rows(quoteRowPlaceholders, end-start)+" RETURNING id, rowid", args...)
		if err != nil {
			return fmt.Errorf("store quotes: %w", err)
		}
		rowids := map[string]int64{}
		for res.Next() {
			var id string
			var rowid int64
			if err := res.Scan(&id, &rowid); err != nil {
				res.Close()
				return err
			}
			rowids[id] = rowid
		}
		res.Close()
		if err := res.Err(); err != nil {
			return err
		}
		var wargs []any
		for n := start; n < end; n++ {
			if words := attribution.DistinctWords(attribution.FoldWords(qs[n].Text)); len(words) > 0 {
				wargs = append(wargs, rowids[qs[n].ID], strings.Join(words, " "))
			}
		}
		for len(wargs) > 0 {
			n := chunk(len(wargs)/2, insertBatch)
			if _, err := tx.ExecContext(ctx, "INSERT INTO quote_words (rowid, words) VALUES "+rows("(?, ?)", n), wargs[:2*n]...); err != nil {
				return fmt.Errorf("index quote words: %w", err)
			}
			wargs = wargs[2*n:]
		}
	}
	if len(figures) == 0 {
		return nil
	}
	var fargs []any
	for k, n := range figures {
		fargs = append(fargs, k[0], k[1], k[2], n)
	}
	for len(fargs) > 0 {
		n := chunk(len(fargs)/4, insertBatch)
		if _, err := tx.ExecContext(ctx, "INSERT INTO speaker_figures (speaker_id, kind, outlet, n) VALUES "+rows("(?, ?, ?, ?)", n)+
			" ON CONFLICT (speaker_id, kind, outlet) DO UPDATE SET n = n + excluded.n", fargs[:4*n]...); err != nil {
			return err
		}
		fargs = fargs[4*n:]
	}
	return nil
}

// insertQuote writes one quote, its words and its share of the speaker's
// figures. corrections is the history of an imported quote.
func insertQuote(ctx context.Context, tx *wtx, n int, q *attribution.StoredQuote, corrections []attribution.Correction) error {
	res, err := tx.ExecContext(ctx, "INSERT INTO quotes "+insertColumns+" VALUES "+quoteRowPlaceholders, quoteRowArgs(n, q, corrections)...)
	if err != nil {
		return fmt.Errorf("store quote %s: %w", q.ID, err)
	}
	rowid, err := res.LastInsertId()
	if err != nil {
		return err
	}
	if words := attribution.DistinctWords(attribution.FoldWords(q.Text)); len(words) > 0 {
		if _, err := tx.ExecContext(ctx, "INSERT INTO quote_words (rowid, words) VALUES (?, ?)", rowid, strings.Join(words, " ")); err != nil {
			return fmt.Errorf("index words of quote %s: %w", q.ID, err)
		}
	}
	if !q.Hidden {
		return addFigure(ctx, tx, q.SpeakerID, q.Kind, q.Outlet, 1)
	}
	return nil
}

// addFigure adds delta to the visible quotes of speaker id of a kind and
// outlet; a speaker-less quote counts nowhere.
func addFigure(ctx context.Context, tx *wtx, speakerID string, kind attribution.Kind, outlet string, delta int) error {
	if speakerID == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO speaker_figures (speaker_id, kind, outlet, n) VALUES (?, ?, ?, ?)
		ON CONFLICT (speaker_id, kind, outlet) DO UPDATE SET n = n + excluded.n`, speakerID, string(kind), outlet, delta); err != nil {
		return fmt.Errorf("speaker figures of %s: %w", speakerID, err)
	}
	if delta > 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM speaker_figures WHERE speaker_id = ? AND kind = ? AND outlet = ? AND n <= 0", speakerID, string(kind), outlet)
	return err
}

// ArticleQuotes returns the quotes of an article in text order, hidden
// ones included. The error wraps attribution.ErrNotFound when there is no
// such article.
func (s *Store) ArticleQuotes(ctx context.Context, articleID string) ([]attribution.StoredQuote, error) {
	var one int
	if err := s.r.QueryRowContext(ctx, "SELECT 1 FROM articles WHERE id = ?", articleID).Scan(&one); err != nil {
		return nil, wrapErr("article quotes "+articleID, err)
	}
	qs, err := articleQuotes(ctx, s.r, articleID)
	return qs, wrapErr("article quotes "+articleID, err)
}

func articleQuotes(ctx context.Context, q queryer, articleID string) ([]attribution.StoredQuote, error) {
	rows, err := q.QueryContext(ctx, "SELECT "+quoteColumns+" FROM quotes WHERE article_id = ? ORDER BY n", articleID)
	if err != nil {
		return nil, err
	}
	return scanQuotes(rows)
}

// DeleteArticle deletes an article, its quotes (and their words and
// figures) and the statements left without occurrences, in one
// transaction.
func (s *Store) DeleteArticle(ctx context.Context, id string) error {
	err := s.tx(ctx, func(tx *wtx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM articles WHERE id = ?", id).Scan(&one); err != nil {
			return err
		}
		qs, err := articleQuotes(ctx, tx, id)
		if err != nil {
			return err
		}
		var stmts []string
		for _, q := range qs {
			if !q.Hidden {
				if err := addFigure(ctx, tx, q.SpeakerID, q.Kind, q.Outlet, -1); err != nil {
					return err
				}
			}
			if q.StatementID != "" && !slices.Contains(stmts, q.StatementID) {
				stmts = append(stmts, q.StatementID)
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM quote_words WHERE rowid IN (SELECT rowid FROM quotes WHERE article_id = ?)", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM quotes WHERE article_id = ?", id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM articles WHERE id = ?", id); err != nil {
			return err
		}
		return dropEmptyStatements(ctx, tx, stmts)
	})
	return wrapErr("delete article "+id, err)
}

// LookupIdempotencyKey returns the article an Idempotency-Key made and the
// fingerprint of its request; ErrNotFound when the key is new.
func (s *Store) LookupIdempotencyKey(ctx context.Context, key string) (articleID, textHash string, err error) {
	err = s.r.QueryRowContext(ctx, "SELECT article_id, text_hash FROM idempotency_keys WHERE key = ?", key).Scan(&articleID, &textHash)
	return articleID, textHash, wrapErr("look up idempotency key", err)
}

// SaveIdempotencyKey records the article a key made. Saving a key again
// for the same article is a no-op; for another article it is ErrConflict.
func (s *Store) SaveIdempotencyKey(ctx context.Context, key, articleID, textHash string) error {
	err := s.tx(ctx, func(tx *wtx) error {
		var stored string
		err := tx.QueryRowContext(ctx, "SELECT article_id FROM idempotency_keys WHERE key = ?", key).Scan(&stored)
		switch {
		case err == nil && stored == articleID:
			return nil
		case err == nil:
			return fmt.Errorf("key %q made another article: %w", key, attribution.ErrConflict)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO idempotency_keys (key, article_id, text_hash, created_at) VALUES (?, ?, ?, ?)",
			key, articleID, textHash, ms(now()))
		return err
	})
	return wrapErr("save idempotency key", err)
}
