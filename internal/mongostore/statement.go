package mongostore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/statement"
)

// collStatements holds one document per statement: its words, the hashes
// of their 3-shingles (a multikey index on MongoDB finds the candidates of
// a text) and its occurrences.
const collStatements = "statements"

// Limits of statement matching.
const (
	// maxCandidates is how many statements, by shared shingles, are
	// compared with a text.
	maxCandidates = 20
	// maxShingleHits caps the statements a shingle query reads on MongoDB
	// before ranking (a common phrase is in many).
	maxShingleHits = 500
)

type statementDoc struct {
	ID    string   `bson:"_id"`
	Text  string   `bson:"text"`
	Words []string `bson:"words"`
	// Shingles are the hashes of the 3-shingles of every reported form.
	Shingles []int64 `bson:"shingles"`
	// SpeakerID and SpeakerName are the fullest named speaker reported.
	SpeakerID   string          `bson:"speaker_id,omitempty"`
	SpeakerName string          `bson:"speaker_name,omitempty"`
	Occurrences []occurrenceDoc `bson:"occurrences"`
	CreatedAt   time.Time       `bson:"created_at"`
	UpdatedAt   time.Time       `bson:"updated_at"`
	// Version grows with every change; removals write guarded by it.
	Version int64 `bson:"version"`
}

type occurrenceDoc struct {
	QuoteID     string    `bson:"quote_id"`
	ArticleID   string    `bson:"article_id"`
	Text        string    `bson:"text"`
	Kind        string    `bson:"kind"`
	SpeakerID   string    `bson:"speaker_id,omitempty"`
	Speaker     string    `bson:"speaker,omitempty"`
	Outlet      string    `bson:"outlet,omitempty"`
	URL         string    `bson:"url,omitempty"`
	PublishedAt time.Time `bson:"published_at"`
}

// statementSpeaker is the name a quote gives a named speaker, "" for
// anonymous, group and unresolved speakers.
func statementSpeaker(qd *quoteDoc) string {
	if qd.Speaker == nil || !attribution.SpeakerType(qd.Speaker.Type).Stored() {
		return ""
	}
	return qd.Speaker.Name
}

// statementBatch assigns the quotes of one article to statements. New
// statements are written together at the end (one insert), so that an
// article costs one write for its new statements plus one per statement
// it adds an occurrence to.
type statementBatch struct {
	s   *Store
	new []*statementDoc
}

// assign links a direct or mixed quote to the statement it is an
// occurrence of, making the statement if there is none, and sets
// qd.StatementID. Indirect speech is a paraphrase, not the speaker's
// words: it gets no statement. It is idempotent: a quote is added to a
// statement once, whatever the retries.
func (b *statementBatch) assign(ctx context.Context, qd *quoteDoc) error {
	if qd.Kind == string(attribution.KindIndirect) {
		return nil
	}
	words := statement.Words(qd.Text)
	if len(words) == 0 {
		return nil
	}
	shingles := statement.Shingles(words)
	speaker := statementSpeaker(qd)
	occ := occurrenceDoc{
		QuoteID: qd.ID, ArticleID: qd.ArticleID, Text: qd.Text, Kind: qd.Kind,
		SpeakerID: qd.SpeakerID, Speaker: speaker, Outlet: qd.Outlet, URL: qd.URL, PublishedAt: qd.Published,
	}
	if qd.Speaker != nil && speaker == "" {
		occ.Speaker = qd.Speaker.Name // "a Hamas official": shown, not matched on
	}

	// A statement this quote can join shares all the shingles of the
	// shorter of the two: only such candidates are read.
	cands, err := b.s.statementCandidates(ctx, shingles, true)
	if err != nil {
		return err
	}
	pick := func(c *statementDoc) float64 {
		score, m := statement.CompareJoin(statement.CapWords(words), statement.CapWords(c.Words))
		if !statement.Joinable(m, len(words), len(c.Words)) || !statement.CanShare(qd.SpeakerID, speaker, c.SpeakerID, c.SpeakerName) {
			return 0
		}
		return score
	}
	var best *statementDoc
	bestScore := 0.0
	for _, c := range b.new { // new in this article: repeated quotes
		if sc := pick(c); sc > bestScore {
			best, bestScore = c, sc
		}
	}
	for i := range cands {
		if sc := pick(&cands[i]); sc > bestScore {
			best, bestScore = &cands[i], sc
		}
	}
	switch {
	case best != nil && slices.Contains(b.new, best):
		addOccurrence(best, occ, words, shingles, speaker)
	case best != nil:
		if err := b.s.joinStatement(ctx, best, occ, words, shingles, speaker); err != nil {
			return err
		}
	default:
		now := time.Now().UTC().Truncate(time.Millisecond)
		best = &statementDoc{
			ID: statement.ID(words, speaker), Text: qd.Text, Words: words, Shingles: shingles,
			SpeakerID: qd.SpeakerID, SpeakerName: speaker,
			Occurrences: []occurrenceDoc{occ}, CreatedAt: now, UpdatedAt: now,
		}
		// Its id taken in this article by a statement these words could
		// not join (a namesake's): a variant at once.
		if slices.ContainsFunc(b.new, func(d *statementDoc) bool { return d.ID == best.ID }) {
			best.ID = statement.VariantID(qd.ID, words)
		}
		b.new = append(b.new, best)
	}
	qd.StatementID = best.ID
	return nil
}

// addOccurrence is joinStatement on a statement not stored yet.
func addOccurrence(d *statementDoc, occ occurrenceDoc, words []string, shingles []int64, speaker string) {
	if slices.ContainsFunc(d.Occurrences, func(o occurrenceDoc) bool { return o.QuoteID == occ.QuoteID }) {
		return
	}
	d.Occurrences = append(d.Occurrences, occ)
	if len(words) > len(d.Words) {
		d.Text, d.Words = occ.Text, words
	}
	d.Shingles = unionSorted(d.Shingles, shingles)
	if speaker != "" && (d.SpeakerName == "" || statement.Fuller(d.SpeakerName, speaker) != d.SpeakerName) {
		d.SpeakerName, d.SpeakerID = speaker, occ.SpeakerID
	}
}

func unionSorted(a, b []int64) []int64 {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// flush writes the new statements. One that exists already (a retry of
// this article, or another writer that stored the same words at once)
// gets the occurrences added instead, unless its words or speaker cannot
// be joined (a namesake's statement): then the new one is stored under a
// variant id, returned in renamed (old id → new) for its quotes.
func (b *statementBatch) flush(ctx context.Context) (renamed map[string]string, err error) {
	for {
		dups, err := b.insert(ctx)
		if err != nil || len(dups) == 0 {
			return renamed, err
		}
		var again []*statementDoc
		for _, d := range dups {
			var existing statementDoc
			if err := b.s.db.Collection(collStatements).FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&existing); err != nil {
				return renamed, wrapErr("find statement "+d.ID, err)
			}
			_, m := statement.CompareJoin(statement.CapWords(d.Words), statement.CapWords(existing.Words))
			if !statement.Joinable(m, len(d.Words), len(existing.Words)) || !statement.CanShare(d.SpeakerID, d.SpeakerName, existing.SpeakerID, existing.SpeakerName) {
				if renamed == nil {
					renamed = map[string]string{}
				}
				old := d.ID
				d.ID = statement.VariantID(d.Occurrences[0].QuoteID, d.Words)
				if d.ID == old {
					return renamed, wrapErr("store statements", fmt.Errorf("statement %s: variant id taken: %w", old, attribution.ErrConflict))
				}
				renamed[old] = d.ID
				again = append(again, d)
				continue
			}
			for _, o := range d.Occurrences {
				if err := b.s.joinStatement(ctx, &existing, o, d.Words, d.Shingles, o.Speaker); err != nil {
					return renamed, err
				}
			}
		}
		b.new = again
	}
}

// insert writes b.new in one InsertMany and returns those whose id exists.
func (b *statementBatch) insert(ctx context.Context) ([]*statementDoc, error) {
	if len(b.new) == 0 {
		return nil, nil
	}
	docs := make([]any, len(b.new))
	for i, d := range b.new {
		docs[i] = d
	}
	coll := b.s.db.Collection(collStatements)
	_, err := coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var dups []*statementDoc
	if err != nil {
		var bwe mongo.BulkWriteException
		if !errors.As(err, &bwe) || bwe.WriteConcernError != nil {
			return nil, wrapErr("store statements", err)
		}
		for _, we := range bwe.WriteErrors {
			if we.Code != 11000 && we.Code != 11001 {
				return nil, wrapErr("store statements", err)
			}
			dups = append(dups, b.new[we.Index])
		}
	}
	b.new = nil
	return dups, nil
}

// joinStatement adds occ to stored statement c (once), keeps the longest
// text and the fullest speaker name, and adds the shingles.
func (s *Store) joinStatement(ctx context.Context, c *statementDoc, occ occurrenceDoc, words []string, shingles []int64, speaker string) error {
	set := bson.D{{Key: "updated_at", Value: time.Now().UTC().Truncate(time.Millisecond)}}
	if len(words) > len(c.Words) {
		set = append(set, bson.E{Key: "text", Value: occ.Text}, bson.E{Key: "words", Value: words})
	}
	if speaker != "" && (c.SpeakerName == "" || statement.Fuller(c.SpeakerName, speaker) != c.SpeakerName) {
		set = append(set, bson.E{Key: "speaker_name", Value: speaker}, bson.E{Key: "speaker_id", Value: occ.SpeakerID})
	}
	_, err := s.db.Collection(collStatements).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: c.ID}, {Key: "occurrences.quote_id", Value: bson.D{{Key: "$ne", Value: occ.QuoteID}}}},
		bson.D{
			{Key: "$push", Value: bson.D{{Key: "occurrences", Value: occ}}},
			{Key: "$addToSet", Value: bson.D{{Key: "shingles", Value: bson.D{{Key: "$each", Value: shingles}}}}},
			{Key: "$set", Value: set},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		})
	if err != nil {
		return wrapErr("add to statement "+c.ID, err)
	}
	return nil
}

// statementCandidates returns the statements sharing the most shingles
// with the given ones, at most maxCandidates, from the multikey index on
// shingles. forJoin keeps only those that share every shingle of the
// shorter of the two (a necessary condition for the same or contained
// words). They are read without their occurrences: callers that show
// them read the statement.
func (s *Store) statementCandidates(ctx context.Context, shingles []int64, forJoin bool) ([]statementDoc, error) {
	if len(shingles) == 0 {
		return nil, nil
	}
	type ranked struct {
		id      string
		n, size int
		doc     *statementDoc // without occurrences
	}
	var rs []ranked
	// One query on the multikey index shingles.
	cur, err := s.find(ctx, collStatements,
		bson.D{{Key: "shingles", Value: bson.D{{Key: "$in", Value: shingles}}}},
		options.Find().SetProjection(bson.D{{Key: "occurrences", Value: 0}}).SetLimit(maxShingleHits).SetHint(idxStatementsShingles))
	if err != nil {
		return nil, wrapErr("find statement candidates", err)
	}
	var docs []statementDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrapErr("find statement candidates", err)
	}
	for i := range docs {
		rs = append(rs, ranked{id: docs[i].ID, n: sharedCount(shingles, docs[i].Shingles), size: len(docs[i].Shingles), doc: &docs[i]})
	}
	if forJoin {
		rs = slices.DeleteFunc(rs, func(r ranked) bool { return r.n < min(len(shingles), r.size) })
	}
	slices.SortFunc(rs, func(a, b ranked) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.id, b.id)) })
	if len(rs) > maxCandidates {
		rs = rs[:maxCandidates]
	}
	out := make([]statementDoc, len(rs))
	for i, r := range rs {
		out[i] = *r.doc
	}
	return out, nil
}

// sharedCount counts the hashes of sorted a found in sorted b.
func sharedCount(a, b []int64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			n++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return n
}

// GetStatement returns a statement with its occurrences, earliest first.
func (s *Store) GetStatement(ctx context.Context, id string) (attribution.Statement, error) {
	var d statementDoc
	if err := s.db.Collection(collStatements).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return attribution.Statement{}, wrapErr(fmt.Sprintf("get statement %q", id), err)
	}
	if len(d.Occurrences) == 0 {
		return attribution.Statement{}, fmt.Errorf("get statement %q: %w", id, attribution.ErrNotFound)
	}
	return s.statementOf(ctx, d)
}

// statementOf converts d, naming the speaker as it is stored now (a
// rename shows; a merged speaker is the one it was merged into), or as
// reported when the speaker is gone.
func (s *Store) statementOf(ctx context.Context, d statementDoc) (attribution.Statement, error) {
	occs := slices.Clone(d.Occurrences)
	slices.SortStableFunc(occs, func(a, b occurrenceDoc) int {
		return cmp.Or(a.PublishedAt.Compare(b.PublishedAt), strings.Compare(a.QuoteID, b.QuoteID))
	})
	st := attribution.Statement{ID: d.ID, Text: d.Text, OccurrenceCount: len(occs), Occurrences: make([]attribution.Occurrence, len(occs))}
	for i, o := range occs {
		st.Occurrences[i] = attribution.Occurrence{
			QuoteID: o.QuoteID, ArticleID: o.ArticleID, Text: o.Text, Kind: attribution.Kind(o.Kind),
			Speaker: o.Speaker, Outlet: o.Outlet, URL: o.URL, PublishedAt: o.PublishedAt.UTC(),
		}
	}
	if len(occs) > 0 {
		st.FirstSeen = st.Occurrences[0]
	}
	if d.SpeakerName != "" {
		st.Speaker = &attribution.StatementSpeaker{ID: d.SpeakerID, Name: d.SpeakerName}
		if d.SpeakerID != "" {
			// The speaker as it is now: renamed, or merged into another.
			sp, err := s.liveSpeaker(ctx, d.SpeakerID)
			switch {
			case err == nil:
				st.Speaker.ID, st.Speaker.Name = sp.ID, sp.Name
			case errors.Is(err, attribution.ErrNotFound):
				st.Speaker.ID = "" // gone: keep the reported name
			default:
				return attribution.Statement{}, fmt.Errorf("get speaker of statement %s: %w", d.ID, err)
			}
		}
	}
	return st, nil
}

// MatchStatements finds the stored statements most like text, best first:
// the same words, a part of them (or they a part of text), or near (a few
// words changed, dropped or moved). Candidates come from the shingle
// index, never from a scan of the statements.
func (s *Store) MatchStatements(ctx context.Context, text string, limit int) ([]attribution.StatementMatch, error) {
	words := statement.Words(text)
	cands, err := s.statementCandidates(ctx, statement.Shingles(words), false)
	if err != nil {
		return nil, err
	}
	var out []attribution.StatementMatch
	for _, c := range cands {
		score, m := statement.Compare(statement.CapWords(words), statement.CapWords(c.Words))
		if m == statement.None {
			continue
		}
		if c.Occurrences == nil { // read without them
			if err := s.db.Collection(collStatements).FindOne(ctx, bson.D{{Key: "_id", Value: c.ID}}).Decode(&c); err != nil {
				if errors.Is(err, mongo.ErrNoDocuments) {
					continue
				}
				return nil, wrapErr("get statement "+c.ID, err)
			}
		}
		st, err := s.statementOf(ctx, c)
		if err != nil {
			return nil, err
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

// removeOccurrences takes an article's quotes out of their statements and
// deletes the statements left without occurrences. The index keeps their
// entries; look-ups skip statements that are gone.
//
// Each statement is read, filtered and written back guarded by its
// version (FerretDB's $pull takes only whole values, not conditions); a
// concurrent change makes it try again.
func (s *Store) removeOccurrences(ctx context.Context, articleID string, statementIDs []string) error {
	coll := s.db.Collection(collStatements)
	for _, id := range statementIDs {
		for attempt := 0; ; attempt++ {
			var d statementDoc
			err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
			if errors.Is(err, mongo.ErrNoDocuments) {
				break
			}
			if err != nil {
				return wrapErr("get statement "+id, err)
			}
			keep := slices.DeleteFunc(slices.Clone(d.Occurrences), func(o occurrenceDoc) bool { return o.ArticleID == articleID })
			if len(keep) == len(d.Occurrences) {
				break
			}
			guard := bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}
			var res *mongo.UpdateResult
			if len(keep) == 0 {
				var dr *mongo.DeleteResult
				dr, err = coll.DeleteOne(ctx, guard)
				if err == nil && dr.DeletedCount == 1 {
					break
				}
			} else {
				res, err = coll.UpdateOne(ctx, guard, bson.D{
					{Key: "$set", Value: bson.D{{Key: "occurrences", Value: keep}, {Key: "updated_at", Value: time.Now().UTC().Truncate(time.Millisecond)}}},
					{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
				if err == nil && res.MatchedCount == 1 {
					break
				}
			}
			if err != nil {
				return wrapErr("update statement "+id, err)
			}
			if attempt >= 10 {
				return fmt.Errorf("update statement %s: changed by others 10 times in a row: %w", id, attribution.ErrUnavailable)
			}
		}
	}
	return nil
}

// withoutQuote is occs without the occurrence of quote id.
func withoutQuote(occs []occurrenceDoc, id string) []occurrenceDoc {
	return slices.DeleteFunc(occs, func(o occurrenceDoc) bool { return o.QuoteID == id })
}

// occurrenceOf is the occurrence quote qd is of its statement.
func occurrenceOf(qd *quoteDoc) occurrenceDoc {
	speaker := statementSpeaker(qd)
	occ := occurrenceDoc{
		QuoteID: qd.ID, ArticleID: qd.ArticleID, Text: qd.Text, Kind: qd.Kind,
		SpeakerID: qd.SpeakerID, Speaker: speaker, Outlet: qd.Outlet, URL: qd.URL, PublishedAt: qd.Published,
	}
	if qd.Speaker != nil && speaker == "" {
		occ.Speaker = qd.Speaker.Name
	}
	return occ
}

// fullest is the statement text and speaker occurrences give it: the
// longest text, the fullest name of a named speaker (one with a speaker
// id), in the order they were published, as joins would have chosen.
func fullest(occs []occurrenceDoc) (text string, words []string, speakerID, speakerName string) {
	occs = slices.Clone(occs)
	slices.SortStableFunc(occs, func(a, b occurrenceDoc) int {
		return cmp.Or(a.PublishedAt.Compare(b.PublishedAt), strings.Compare(a.QuoteID, b.QuoteID))
	})
	for i, o := range occs {
		w := statement.Words(o.Text)
		if i == 0 || len(w) > len(words) {
			text, words = o.Text, w
		}
		if o.SpeakerID != "" && o.Speaker != "" && (speakerName == "" || statement.Fuller(speakerName, o.Speaker) != speakerName) {
			speakerID, speakerName = o.SpeakerID, o.Speaker
		}
	}
	return text, words, speakerID, speakerName
}

// rewriteStatement sets the occurrences of statement id to what edit
// makes of them, with the text and speaker they give it (fullest); a
// statement left without occurrences is deleted. Each write is guarded by
// the statement's version, read again and retried when another changed it
// meanwhile. A statement gone already is left so.
func (s *Store) rewriteStatement(ctx context.Context, id string, edit func([]occurrenceDoc) []occurrenceDoc) error {
	coll := s.db.Collection(collStatements)
	for attempt := 0; ; attempt++ {
		var d statementDoc
		err := coll.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
		if errors.Is(err, mongo.ErrNoDocuments) {
			return nil
		}
		if err != nil {
			return wrapErr("get statement "+id, err)
		}
		occs := edit(slices.Clone(d.Occurrences))
		guard := bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}
		done := false
		if len(occs) == 0 {
			var r *mongo.DeleteResult
			if r, err = coll.DeleteOne(ctx, guard); err == nil {
				done = r.DeletedCount == 1
			}
		} else {
			text, words, sid, name := fullest(occs)
			set := bson.D{{Key: "occurrences", Value: occs}, {Key: "text", Value: text}, {Key: "words", Value: words},
				{Key: "updated_at", Value: time.Now().UTC().Truncate(time.Millisecond)}}
			update := bson.D{{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}
			if name != "" {
				set = append(set, bson.E{Key: "speaker_id", Value: sid}, bson.E{Key: "speaker_name", Value: name})
			} else {
				update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "speaker_id", Value: ""}, {Key: "speaker_name", Value: ""}}})
			}
			update = append(update, bson.E{Key: "$set", Value: set})
			var r *mongo.UpdateResult
			if r, err = coll.UpdateOne(ctx, guard, update); err == nil {
				done = r.MatchedCount == 1
			}
		}
		if err != nil {
			return wrapErr("update statement "+id, err)
		}
		if done {
			return nil
		}
		if attempt >= 10 {
			return fmt.Errorf("update statement %s: changed by others 10 times in a row: %w", id, attribution.ErrUnavailable)
		}
	}
}

// occurs says whether a quote is an occurrence of a statement: shown,
// direct or mixed, and with words.
func occurs(qd *quoteDoc) bool {
	return !qd.Hidden && qd.Kind != string(attribution.KindIndirect) && len(statement.Words(qd.Text)) > 0
}

// enterStatement makes qd an occurrence of the statement of its words and
// speaker, joined or made as at ingest, and stores its statement id.
func (s *Store) enterStatement(ctx context.Context, qd *quoteDoc) error {
	b := statementBatch{s: s}
	if err := b.assign(ctx, qd); err != nil {
		return err
	}
	renamed, err := b.flush(ctx)
	if err != nil {
		return err
	}
	if to, ok := renamed[qd.StatementID]; ok {
		qd.StatementID = to
	}
	if qd.StatementID == "" {
		return nil
	}
	if _, err := s.db.Collection(collQuotes).UpdateOne(ctx, bson.D{{Key: "_id", Value: qd.ID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "statement_id", Value: qd.StatementID}}}}); err != nil {
		return wrapErr("link quote "+qd.ID+" to its statement", err)
	}
	return nil
}

// followStatement moves quote qd, corrected from before (the quote is
// written already), to the statement it belongs to now, by the rules of
// the embedded store: hidden or indirect, it leaves its statement (which
// goes with its last occurrence); shown or quoted again, it joins or
// makes one; with a new speaker it stays while the statement's other
// occurrences can share it (statement.CanShare), else it moves to the
// statement of its words by its new speaker; a kind between direct and
// mixed shows in its occurrence.
func (s *Store) followStatement(ctx context.Context, before, qd *quoteDoc) error {
	from := qd.StatementID
	if from == "" {
		if occurs(qd) {
			return s.enterStatement(ctx, qd)
		}
		return nil
	}
	occ := occurrenceOf(qd)
	if occurs(qd) {
		sameSpeaker := before.SpeakerID == qd.SpeakerID && statementSpeaker(before) == statementSpeaker(qd)
		stays := false
		if err := s.rewriteStatement(ctx, from, func(occs []occurrenceDoc) []occurrenceDoc {
			others := withoutQuote(slices.Clone(occs), qd.ID)
			_, _, sid, name := fullest(others)
			stays = sameSpeaker || (len(others) > 0 && statement.CanShare(qd.SpeakerID, statementSpeaker(qd), sid, name))
			if !stays {
				return others
			}
			for i := range occs {
				if occs[i].QuoteID == qd.ID {
					occs[i] = occ
				}
			}
			return occs
		}); err != nil {
			return err
		}
		if stays {
			return nil
		}
	} else if err := s.rewriteStatement(ctx, from, func(occs []occurrenceDoc) []occurrenceDoc { return withoutQuote(occs, qd.ID) }); err != nil {
		return err
	}
	if _, err := s.db.Collection(collQuotes).UpdateOne(ctx, bson.D{{Key: "_id", Value: qd.ID}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "statement_id", Value: ""}}}}); err != nil {
		return wrapErr("unlink quote "+qd.ID, err)
	}
	qd.StatementID = ""
	if occurs(qd) {
		return s.enterStatement(ctx, qd)
	}
	return nil
}
