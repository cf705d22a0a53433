package sqlitestore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/statement"
)

// Limits of statement matching (the same as the MongoDB store's).
const (
	// maxCandidates is how many statements, by shared shingles, are
	// compared with a text.
	maxCandidates = 20
)

// stmt is a statement as matching needs it.
type stmt struct {
	id          string
	text        string
	words       []string
	shingles    int // how many it has
	speakerID   string
	speakerName string
	// stored is false for a statement of the article being written.
	stored bool
	// own are its shingles when new (written by flush), or the ones added
	// to a stored one.
	own []int64
	// firstQuote is the quote that made a new statement.
	firstQuote string
	// textChanged, speakerChanged: what joinStatement changed.
	textChanged, speakerChanged bool
}

// statementSpeaker is the name a quote gives a named speaker, "" for
// anonymous, group and unresolved speakers.
func statementSpeaker(q *attribution.StoredQuote) string {
	if q.Speaker == nil || !q.Speaker.Type.Stored() {
		return ""
	}
	return q.Speaker.Name
}

// statementBatch assigns the quotes of one article to statements within
// the article's transaction.
type statementBatch struct {
	tx *wtx
	// df are the document frequencies of the article's shingles, read
	// once (lookUp).
	df map[int64]int
	// touched are the statements of this article, new or stored, by id.
	touched map[string]*stmt
	order   []string
}

// lookUp reads the document frequencies of every shingle of the quotes
// that may get a statement, in one query per 500 shingles.
func (b *statementBatch) lookUp(ctx context.Context, qs []attribution.Quote) error {
	var all []int64
	for _, q := range qs {
		if q.Kind != attribution.KindIndirect {
			all = append(all, statement.Shingles(b.tx.words(q.Text))...)
		}
	}
	df, err := readDF(ctx, b.tx, all)
	b.df = df
	return err
}

// readDF reads the document frequencies of shingles (those in no
// statement are absent).
func readDF(ctx context.Context, q queryer, shingles []int64) (map[int64]int, error) {
	shingles = slices.Clone(shingles)
	slices.Sort(shingles)
	shingles = slices.Compact(shingles)
	df := make(map[int64]int, len(shingles))
	for rest := shingles; len(rest) > 0; {
		n := chunk(len(rest), 512)
		args := make([]any, n)
		for i, h := range rest[:n] {
			args[i] = h
		}
		rows, err := q.QueryContext(ctx, "SELECT shingle, n FROM shingle_df WHERE n > 0 AND shingle IN ("+placeholders(n)+")", args...)
		if err != nil {
			return nil, fmt.Errorf("find statement candidates: %w", err)
		}
		for rows.Next() {
			var h int64
			var c int
			if err := rows.Scan(&h, &c); err != nil {
				rows.Close()
				return nil, err
			}
			df[h] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		rest = rest[n:]
	}
	return df, nil
}

// assign links a direct or mixed quote to the statement it is an
// occurrence of, making the statement if there is none, and sets
// q.StatementID. Indirect speech gets none.
func (b *statementBatch) assign(ctx context.Context, q *attribution.StoredQuote) error {
	if q.Kind == attribution.KindIndirect {
		return nil
	}
	words := b.tx.words(q.Text)
	if len(words) == 0 {
		return nil
	}
	shingles := statement.Shingles(words)
	speaker := statementSpeaker(q)
	probe := []string{statement.ID(words, speaker)}
	if speaker != "" {
		probe = append(probe, statement.ID(words, ""))
	}
	cands, err := candidates(ctx, b.tx, shingles, joinBudget, b.df, probe...)
	if err != nil {
		return err
	}
	if b.touched == nil {
		b.touched = map[string]*stmt{}
	}
	// The article's own statements (a repeated quote) and the stored ones,
	// each once, the touched copy first.
	var all []*stmt
	for _, id := range b.order {
		all = append(all, b.touched[id])
	}
	for i := range cands {
		if b.touched[cands[i].id] == nil {
			all = append(all, &cands[i])
		}
	}
	var best *stmt
	bestScore := 0.0
	for _, c := range all {
		score, m := statement.CompareJoin(statement.CapWords(words), statement.CapWords(c.words))
		if !statement.Joinable(m, len(words), len(c.words)) || !statement.CanShare(q.SpeakerID, speaker, c.speakerID, c.speakerName) {
			continue
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	if best == nil {
		// A new statement; flush checks whether its id is taken. Taken
		// already in this article, by a statement these words could not
		// join (a namesake's), it is a variant at once.
		best = &stmt{id: statement.ID(words, speaker), text: q.Text, words: words, speakerID: q.SpeakerID, speakerName: speaker, firstQuote: q.ID}
		if b.touched[best.id] != nil {
			best.id = statement.VariantID(q.ID, words)
		}
		b.touched[best.id] = best
		b.order = append(b.order, best.id)
	} else if b.touched[best.id] == nil {
		b.touched[best.id] = best
		b.order = append(b.order, best.id)
	}
	join(best, q.Text, words, statement.IndexShingles(words), speaker, q.SpeakerID)
	q.StatementID = best.id
	return nil
}

// join adds an occurrence's words to c: the longest text, the fullest
// speaker name, its shingles.
func join(c *stmt, text string, words []string, shingles []int64, speaker, speakerID string) {
	if len(words) > len(c.words) {
		c.text, c.words, c.textChanged = text, words, true
	}
	if speaker != "" && (c.speakerName == "" || statement.Fuller(c.speakerName, speaker) != c.speakerName) {
		c.speakerName, c.speakerID, c.speakerChanged = speaker, speakerID, true
	}
	c.own = append(c.own, shingles...)
}

// flush writes the statements the article made or changed: the new ones
// and all shingle entries in a few multi-row statements. It returns the
// new ids of the new statements whose id was taken (by a statement their
// words did not join: another speaker with the same surname), to be given
// to their quotes.
func (b *statementBatch) flush(ctx context.Context) (map[string]string, error) {
	t := ms(now())
	var fresh []*stmt
	var pairs []any
	for _, id := range b.order {
		c := b.touched[id]
		slices.Sort(c.own)
		c.own = slices.Compact(c.own)
		if !c.stored {
			fresh = append(fresh, c)
		}
	}
	renamed, err := b.takenIDs(ctx, fresh)
	if err != nil {
		return nil, err
	}
	for _, id := range b.order {
		c := b.touched[id]
		if !c.stored {
			continue
		}
		if _, err := b.tx.ExecContext(ctx, `UPDATE statements SET text = ?, words = ?, speaker_id = ?, speaker_name = ?,
			updated_at = ?, version = version + 1 WHERE id = ?`, c.text, strings.Join(c.words, " "), c.speakerID, c.speakerName, t, c.id); err != nil {
			return nil, fmt.Errorf("update statement %s: %w", c.id, err)
		}
		for _, h := range c.own {
			pairs = append(pairs, h, c.id)
		}
	}
	for start, end := 0, 0; start < len(fresh); start = end {
		end = start + chunk(len(fresh)-start, insertBatch)
		var args []any
		for _, c := range fresh[start:end] {
			args = append(args, c.id, c.text, strings.Join(c.words, " "), c.speakerID, c.speakerName, len(c.own), t, t)
		}
		if _, err := b.tx.ExecContext(ctx, `INSERT INTO statements (id, text, words, speaker_id, speaker_name, n_shingles, created_at, updated_at, version)
			VALUES `+rows("(?, ?, ?, ?, ?, ?, ?, ?, 1)", end-start), args...); err != nil {
			return nil, fmt.Errorf("store statements: %w", err)
		}
	}
	// The shingles of new statements are new entries; those of stored
	// ones may be (RETURNING says which).
	var fargs []any
	for _, c := range fresh {
		for _, h := range c.own {
			fargs = append(fargs, h, c.id)
		}
	}
	df := map[int64]int{}
	for _, h := range fresh {
		for _, x := range h.own {
			df[x]++
		}
	}
	if err := insertPairs(ctx, b.tx, fargs, nil); err != nil {
		return nil, err
	}
	added := map[string]int{}
	if err := insertPairs(ctx, b.tx, pairs, func(h int64, id string) {
		df[h]++
		added[id]++
	}); err != nil {
		return nil, err
	}
	for id, n := range added {
		if _, err := b.tx.ExecContext(ctx, "UPDATE statements SET n_shingles = n_shingles + ? WHERE id = ?", n, id); err != nil {
			return nil, err
		}
	}
	return renamed, addDF(ctx, b.tx, df)
}

// takenIDs gives each of the new statements whose id a stored statement
// has a variant id (from its first quote and words), in one query, and
// returns the renames.
func (b *statementBatch) takenIDs(ctx context.Context, fresh []*stmt) (map[string]string, error) {
	if len(fresh) == 0 {
		return nil, nil
	}
	byID := make(map[string]*stmt, len(fresh))
	var taken []string
	for start, end := 0, 0; start < len(fresh); start = end {
		end = start + chunk(len(fresh)-start, 64)
		args := make([]any, end-start)
		for i, c := range fresh[start:end] {
			args[i] = c.id
			byID[c.id] = c
		}
		rows, err := b.tx.QueryContext(ctx, "SELECT id FROM statements WHERE id IN ("+placeholders(end-start)+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			taken = append(taken, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if len(taken) == 0 {
		return nil, nil
	}
	renamed := make(map[string]string, len(taken))
	for _, id := range taken {
		c := byID[id]
		c.id = statement.VariantID(c.firstQuote, c.words)
		renamed[id] = c.id
	}
	return renamed, nil
}

// insertPairs writes (shingle, statement id) pairs (flat in args); with
// added not nil, the pairs stored already are skipped and added is told
// each new one.
func insertPairs(ctx context.Context, tx *wtx, args []any, added func(int64, string)) error {
	const per = 256
	for len(args) > 0 {
		n := chunk(len(args)/2, per)
		q := "INSERT INTO statement_shingles (shingle, statement_id) VALUES " + rows("(?, ?)", n)
		if added == nil {
			if _, err := tx.ExecContext(ctx, q, args[:2*n]...); err != nil {
				return fmt.Errorf("index statements: %w", err)
			}
		} else {
			rows, err := tx.QueryContext(ctx, q+" ON CONFLICT DO NOTHING RETURNING shingle, statement_id", args[:2*n]...)
			if err != nil {
				return fmt.Errorf("index statements: %w", err)
			}
			for rows.Next() {
				var h int64
				var id string
				if err := rows.Scan(&h, &id); err != nil {
					rows.Close()
					return err
				}
				added(h, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		args = args[2*n:]
	}
	return nil
}

// addDF adds to the document frequencies of shingles.
func addDF(ctx context.Context, tx *wtx, df map[int64]int) error {
	args := make([]any, 0, 2*len(df))
	for h, n := range df {
		args = append(args, h, n)
	}
	const per = 256
	for len(args) > 0 {
		n := chunk(len(args)/2, per)
		if _, err := tx.ExecContext(ctx, "INSERT INTO shingle_df (shingle, n) VALUES "+rows("(?, ?)", n)+
			" ON CONFLICT (shingle) DO UPDATE SET n = n + excluded.n", args[:2*n]...); err != nil {
			return fmt.Errorf("count shingles: %w", err)
		}
		args = args[2*n:]
	}
	return nil
}

// addShingles indexes a statement under shingles, counts it in the
// shingles' document frequencies and updates its shingle count.
func addShingles(ctx context.Context, tx *wtx, id string, shingles []int64) error {
	args := make([]any, 0, 2*len(shingles))
	for _, h := range shingles {
		args = append(args, h, id)
	}
	df := map[int64]int{}
	if err := insertPairs(ctx, tx, args, func(h int64, _ string) { df[h]++ }); err != nil {
		return err
	}
	if len(df) == 0 {
		return nil
	}
	if err := addDF(ctx, tx, df); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "UPDATE statements SET n_shingles = n_shingles + ? WHERE id = ?", len(df), id)
	return err
}

// Candidate search: the rarestShingles of a text with the fewest
// statements, each read up to perShingle statements, rank the statements
// by how many of those they share; the best are compared word by word. A
// statement that holds the text (or the text it) holds one of its
// shingles in the index (statement.IndexShingles), so it is found while
// that shingle is in at most perShingle statements; common phrases cost
// little. Reading stops after the first minShingles shingles once the
// budget of posting entries has been read: joinBudget when a new quote
// looks for its statement (ten times an article, in the one write
// transaction), matchBudget for a verify. The same words by the same
// surname need no index: their statement id is known (statement.ID), and
// joins look it up first.
type searchBudget struct {
	minShingles, entries, perShingle, compared int
}

var (
	joinBudget  = searchBudget{minShingles: 1, entries: 32, perShingle: 32, compared: 8}
	matchBudget = searchBudget{minShingles: 3, entries: 2048, perShingle: 256, compared: maxCandidates}
)

const rarestShingles = 12

// candidates returns the stored statements most likely to match a text of
// these shingles, at most budget.compared, from the statement_shingles
// index, after those of ids that exist; the caller compares their words.
func candidates(ctx context.Context, q queryer, shingles []int64, budget searchBudget, known map[int64]int, ids ...string) ([]stmt, error) {
	if len(shingles) == 0 && len(ids) == 0 {
		return nil, nil
	}
	shingles = slices.Clone(shingles)
	slices.Sort(shingles)
	shingles = slices.Compact(shingles)
	type df struct {
		h int64
		n int
	}
	if known == nil {
		var err error
		if known, err = readDF(ctx, q, shingles); err != nil {
			return nil, err
		}
	}
	var dfs []df
	for _, h := range shingles {
		if n := known[h]; n > 0 {
			dfs = append(dfs, df{h, n})
		}
	}
	slices.SortFunc(dfs, func(a, b df) int { return cmp.Or(cmp.Compare(a.n, b.n), cmp.Compare(a.h, b.h)) })
	if len(dfs) > rarestShingles {
		dfs = dfs[:rarestShingles]
	}
	// The shingles to read, rarest first, until the budget is spent. Their
	// posting lists are read in one query (their lengths are known), but a
	// list longer than perShingle alone with a limit.
	var small []any
	var long []int64
	read := 0
	for i, d := range dfs {
		if i >= budget.minShingles && read >= budget.entries {
			break
		}
		read += min(d.n, budget.perShingle)
		if d.n > budget.perShingle {
			long = append(long, d.h)
		} else {
			small = append(small, d.h)
		}
	}
	hits := map[string]int{}
	count := func(rows *sql.Rows, err error) error {
		if err != nil {
			return fmt.Errorf("find statement candidates: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			hits[id]++
		}
		return rows.Err()
	}
	if len(small) > 0 {
		// As many placeholders as the next power of two (the last shingle
		// again): few statement texts.
		width := chunk(len(small), 64)
		if width < len(small) {
			width *= 2
		}
		for len(small) < width {
			small = append(small, small[len(small)-1])
		}
		if err := count(q.QueryContext(ctx, "SELECT statement_id FROM statement_shingles WHERE shingle IN ("+placeholders(width)+")", small...)); err != nil {
			return nil, err
		}
	}
	for _, h := range long {
		if err := count(q.QueryContext(ctx, "SELECT statement_id FROM statement_shingles WHERE shingle = ? LIMIT ?", h, budget.perShingle)); err != nil {
			return nil, err
		}
	}
	type ranked struct {
		id string
		n  int
	}
	rs := make([]ranked, 0, len(hits))
	for id, n := range hits {
		rs = append(rs, ranked{id, n})
	}
	slices.SortFunc(rs, func(a, b ranked) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.id, b.id)) })
	if len(rs) > budget.compared {
		rs = rs[:budget.compared]
	}
	for _, id := range slices.Backward(ids) {
		if !slices.ContainsFunc(rs, func(r ranked) bool { return r.id == id }) {
			rs = slices.Insert(rs, 0, ranked{id: id})
		}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	// As many placeholders as the next power of two (the last id again):
	// few statement texts.
	width := chunk(len(rs), 64)
	if width < len(rs) {
		width *= 2
	}
	args := make([]any, width)
	for i := range args {
		args[i] = rs[min(i, len(rs)-1)].id
	}
	rows, err := q.QueryContext(ctx, "SELECT id, text, words, n_shingles, speaker_id, speaker_name FROM statements WHERE id IN ("+placeholders(width)+")", args...)
	if err != nil {
		return nil, fmt.Errorf("find statement candidates: %w", err)
	}
	defer rows.Close()
	byID := map[string]stmt{}
	for rows.Next() {
		var c stmt
		var words string
		if err := rows.Scan(&c.id, &c.text, &words, &c.shingles, &c.speakerID, &c.speakerName); err != nil {
			return nil, err
		}
		c.words = strings.Fields(words)
		c.stored = true
		byID[c.id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]stmt, 0, len(rs))
	for _, r := range rs {
		c, ok := byID[r.id]
		if !ok {
			continue
		}
		out = append(out, c)
	}
	return out, nil
}

// GetStatement returns a statement with its occurrences, earliest first.
func (s *Store) GetStatement(ctx context.Context, id string) (attribution.Statement, error) {
	var c stmt
	var words string
	err := s.r.QueryRowContext(ctx, "SELECT id, text, words, speaker_id, speaker_name FROM statements WHERE id = ?", id).
		Scan(&c.id, &c.text, &words, &c.speakerID, &c.speakerName)
	if err != nil {
		return attribution.Statement{}, wrapErr(fmt.Sprintf("get statement %q", id), err)
	}
	st, err := statementOf(ctx, s.r, &c)
	if err == nil && st.OccurrenceCount == 0 {
		err = attribution.ErrNotFound
	}
	return st, wrapErr(fmt.Sprintf("get statement %q", id), err)
}

// statementOf reads c's occurrences (its quotes) and names its speaker as
// stored now.
func statementOf(ctx context.Context, q queryer, c *stmt) (attribution.Statement, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, article_id, text, kind, occurrence_speaker, outlet, url, published_at
		FROM quotes WHERE statement_id = ? ORDER BY published_at, id`, c.id)
	if err != nil {
		return attribution.Statement{}, err
	}
	defer rows.Close()
	st := attribution.Statement{ID: c.id, Text: c.text, Occurrences: []attribution.Occurrence{}}
	for rows.Next() {
		var o attribution.Occurrence
		var kind string
		var speaker sql.NullString
		var published int64
		if err := rows.Scan(&o.QuoteID, &o.ArticleID, &o.Text, &kind, &speaker, &o.Outlet, &o.URL, &published); err != nil {
			return st, err
		}
		o.Kind, o.Speaker, o.PublishedAt = attribution.Kind(kind), speaker.String, fromMS(published)
		st.Occurrences = append(st.Occurrences, o)
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	st.OccurrenceCount = len(st.Occurrences)
	if len(st.Occurrences) > 0 {
		st.FirstSeen = st.Occurrences[0]
	}
	if c.speakerName != "" {
		st.Speaker = &attribution.StatementSpeaker{ID: c.speakerID, Name: c.speakerName}
		if c.speakerID != "" {
			var name string
			err := q.QueryRowContext(ctx, "SELECT name FROM speakers WHERE id = ?", c.speakerID).Scan(&name)
			switch {
			case err == nil:
				st.Speaker.Name = name
			case errors.Is(err, sql.ErrNoRows):
				st.Speaker.ID = ""
			default:
				return st, err
			}
		}
	}
	return st, nil
}

// MatchStatements finds the stored statements most like text, best first.
// Candidates come from the shingle index, never from a scan.
func (s *Store) MatchStatements(ctx context.Context, text string, limit int) ([]attribution.StatementMatch, error) {
	words := statement.Words(text)
	cands, err := candidates(ctx, s.r, statement.Shingles(words), matchBudget, nil)
	if err != nil {
		return nil, wrapErr("match statements", err)
	}
	var out []attribution.StatementMatch
	for i := range cands {
		c := &cands[i]
		score, m := statement.Compare(statement.CapWords(words), statement.CapWords(c.words))
		if m == statement.None {
			continue
		}
		st, err := statementOf(ctx, s.r, c)
		if err != nil {
			return nil, wrapErr("match statements", err)
		}
		if st.OccurrenceCount == 0 {
			continue
		}
		out = append(out, attribution.StatementMatch{Statement: st, Score: score, Match: string(m)})
	}
	slices.SortStableFunc(out, func(a, b attribution.StatementMatch) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), a.Statement.FirstSeen.PublishedAt.Compare(b.Statement.FirstSeen.PublishedAt))
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// dropEmptyStatements deletes those of ids that no quote names any more
// (their shingles go with them).
func dropEmptyStatements(ctx context.Context, tx *wtx, ids []string) error {
	for _, id := range ids {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM quotes WHERE statement_id = ? LIMIT 1", id).Scan(&one)
		if err == nil {
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE shingle_df SET n = n - 1 WHERE shingle IN (SELECT shingle FROM statement_shingles WHERE statement_id = ?)", id); err != nil {
			return fmt.Errorf("drop statement %s: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM statements WHERE id = ?", id); err != nil {
			return fmt.Errorf("drop statement %s: %w", id, err)
		}
	}
	return nil
}

// settleStatement rewrites statement id from the quotes that are its
// occurrences now, after one left it: the longest text, the fullest
// speaker name of a named speaker (in the order the occurrences were
// published, as joins would have chosen). A statement left without
// occurrences is dropped.
func settleStatement(ctx context.Context, tx *wtx, id string) error {
	rows, err := tx.QueryContext(ctx, "SELECT text, speaker_id, occurrence_speaker FROM quotes WHERE statement_id = ? ORDER BY published_at, id", id)
	if err != nil {
		return fmt.Errorf("settle statement %s: %w", id, err)
	}
	var c stmt
	n := 0
	for rows.Next() {
		var text, name string
		var sid sql.NullString
		if err := rows.Scan(&text, &sid, &name); err != nil {
			rows.Close()
			return err
		}
		if n == 0 {
			c.text, c.words = text, statement.Words(text)
		}
		n++
		speaker := ""
		if sid.String != "" {
			speaker = name
		}
		join(&c, text, statement.Words(text), nil, speaker, sid.String)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if n == 0 {
		return dropEmptyStatements(ctx, tx, []string{id})
	}
	_, err = tx.ExecContext(ctx, `UPDATE statements SET text = ?, words = ?, speaker_id = ?, speaker_name = ?, updated_at = ?, version = version + 1
		WHERE id = ?`, c.text, strings.Join(c.words, " "), c.speakerID, c.speakerName, ms(now()), id)
	return err
}

// enterStatement makes q (visible, direct or mixed) an occurrence of the
// statement of its words and speaker, joined or made as at ingest, and
// stores its statement id.
func enterStatement(ctx context.Context, tx *wtx, q *attribution.StoredQuote) error {
	b := statementBatch{tx: tx}
	if err := b.lookUp(ctx, []attribution.Quote{q.Quote}); err != nil {
		return err
	}
	if err := b.assign(ctx, q); err != nil {
		return err
	}
	renamed, err := b.flush(ctx)
	if err != nil {
		return err
	}
	if id, ok := renamed[q.StatementID]; ok {
		q.StatementID = id
	}
	if q.StatementID == "" {
		return nil
	}
	_, err = tx.ExecContext(ctx, "UPDATE quotes SET statement_id = ? WHERE id = ?", q.StatementID, q.ID)
	return err
}

// occurs says whether a quote is an occurrence of a statement: shown,
// direct or mixed, and with words.
func occurs(q *attribution.StoredQuote) bool {
	return !q.Hidden && q.Kind != attribution.KindIndirect && len(statement.Words(q.Text)) > 0
}

// followStatement moves quote q, corrected from before (the row is
// written already), to the statement it belongs to now. Hidden, or
// indirect speech now, it leaves its statement (dropped if left empty);
// shown again, or quoted again, it joins or makes one. With a new speaker
// it stays in its statement while the other occurrences' speaker can
// share it (statement.CanShare: the same person, or unknown), which then
// names the new speaker if that is the fullest; otherwise it moves to the
// statement of its words by its new speaker, joined or made.
func followStatement(ctx context.Context, tx *wtx, before, q *attribution.StoredQuote) error {
	from := q.StatementID
	if from == "" {
		if occurs(q) {
			return enterStatement(ctx, tx, q)
		}
		return nil
	}
	if occurs(q) {
		if before.SpeakerID == q.SpeakerID && statementSpeaker(before) == statementSpeaker(q) {
			return nil // a kind between direct and mixed: read from the quote
		}
		others, id, name, err := otherOccurrences(ctx, tx, from, q.ID)
		if err != nil {
			return err
		}
		if others > 0 && statement.CanShare(q.SpeakerID, statementSpeaker(q), id, name) {
			return settleStatement(ctx, tx, from)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE quotes SET statement_id = NULL WHERE id = ?", q.ID); err != nil {
		return err
	}
	q.StatementID = ""
	if err := settleStatement(ctx, tx, from); err != nil {
		return err
	}
	if occurs(q) {
		return enterStatement(ctx, tx, q)
	}
	return nil
}

// otherOccurrences counts the occurrences of statement id but quote
// quoteID, and names the speaker they give it (the fullest named one).
func otherOccurrences(ctx context.Context, tx *wtx, id, quoteID string) (n int, speakerID, speakerName string, err error) {
	rows, err := tx.QueryContext(ctx, "SELECT speaker_id, occurrence_speaker FROM quotes WHERE statement_id = ? AND id != ? ORDER BY published_at, id", id, quoteID)
	if err != nil {
		return 0, "", "", err
	}
	defer rows.Close()
	var c stmt
	for rows.Next() {
		var sid sql.NullString
		var name string
		if err := rows.Scan(&sid, &name); err != nil {
			return 0, "", "", err
		}
		n++
		if sid.String != "" {
			join(&c, "", nil, nil, name, sid.String)
		}
	}
	return n, c.speakerID, c.speakerName, rows.Err()
}
