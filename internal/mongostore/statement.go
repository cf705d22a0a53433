package mongostore

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/statement"
)

// Collections of statements.
const (
	// collStatements holds one document per statement with its
	// occurrences.
	collStatements = "statements"
	// collStatementIndex maps shingle hashes to the statements that have
	// them: statement.Buckets documents, _id = statement.Bucket(hash),
	// each with the (hash, statement id) pairs of its bucket. Finding the
	// candidates of a text is one _id look-up per bucket of its shingles,
	// which both MongoDB and the embedded store answer without scanning
	// the statements (a multikey index on a shingles array would do on
	// MongoDB, but the embedded store scans for any filter but _id).
	collStatementIndex = "statement_index"
)

// Limits of statement matching.
const (
	// minJoinWords: a quote joins a statement that it is part of, or that
	// is part of it, only when the shorter of the two has this many words;
	// the same words always join.
	minJoinWords = 5
	// maxCandidates is how many statements, by shared shingles, are
	// compared with a text.
	maxCandidates = 20
	// maxCompareWords caps the words compared (the comparison is
	// quadratic in them).
	maxCompareWords = 400
)

type statementDoc struct {
	ID    string   `bson:"_id"`
	Text  string   `bson:"text"`
	Words []string `bson:"words"`
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

type indexEntry struct {
	H int64  `bson:"h"`
	S string `bson:"s"`
}

type indexDoc struct {
	ID string       `bson:"_id"`
	E  []indexEntry `bson:"e"`
}

// statementSpeaker is the name a quote gives a named speaker, "" for
// anonymous, group and unresolved speakers.
func statementSpeaker(qd *quoteDoc) string {
	if qd.Speaker == nil || !storedType(attribution.SpeakerType(qd.Speaker.Type)) {
		return ""
	}
	return qd.Speaker.Name
}

// newStatementID derives a statement's id from its first words and its
// speaker's surname, so that two writers storing the same quote at once
// meet on _id.
func newStatementID(words []string, speaker string) string {
	surname := ""
	if ws := attribution.FoldWords(speaker); len(ws) > 0 {
		surname = ws[len(ws)-1]
	}
	sum := sha256.Sum256([]byte(surname + "\x00" + strings.Join(words, " ")))
	return "stm_" + hex.EncodeToString(sum[:8])
}

// assignStatement links a direct or mixed quote to the statement it is an
// occurrence of, making the statement if there is none, and sets
// qd.StatementID. Indirect speech is a paraphrase, not the speaker's
// words: it gets no statement. It is idempotent: the quote is added to a
// statement once, whatever the retries.
func (s *Store) assignStatement(ctx context.Context, qd *quoteDoc) error {
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

	cands, err := s.statementCandidates(ctx, shingles)
	if err != nil {
		return err
	}
	var best *statementDoc
	bestScore := 0.0
	for i := range cands {
		c := &cands[i]
		score, m := statement.Compare(capWords(words), capWords(c.Words))
		if !joinable(m, len(words), len(c.Words)) || !sameSpeaker(qd.SpeakerID, speaker, c) {
			continue
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	id := ""
	if best != nil {
		id = best.ID
		if err := s.joinStatement(ctx, best, occ, words, speaker); err != nil {
			return err
		}
	} else {
		now := time.Now().UTC().Truncate(time.Millisecond)
		d := statementDoc{
			ID: newStatementID(words, speaker), Text: qd.Text, Words: words,
			SpeakerID: qd.SpeakerID, SpeakerName: speaker,
			Occurrences: []occurrenceDoc{occ}, CreatedAt: now, UpdatedAt: now,
		}
		id = d.ID
		if _, err := s.db.Collection(collStatements).InsertOne(ctx, d); err != nil {
			if !mongo.IsDuplicateKeyError(err) {
				return wrapErr("store statement", err)
			}
			// Another writer stored the same words by the same speaker
			// first (or a retry of this one): join it.
			var existing statementDoc
			if err := s.db.Collection(collStatements).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&existing); err != nil {
				return wrapErr("find statement "+id, err)
			}
			if err := s.joinStatement(ctx, &existing, occ, words, speaker); err != nil {
				return err
			}
		}
	}
	if err := s.indexStatement(ctx, id, shingles); err != nil {
		return err
	}
	qd.StatementID = id
	return nil
}

// joinable says whether a quote with n words joins a statement with m words
// that matches it as match.
func joinable(match statement.Match, n, m int) bool {
	switch match {
	case statement.Exact:
		return true
	case statement.Contained:
		return min(n, m) >= minJoinWords
	}
	return false
}

// sameSpeaker says whether a quote by speaker (stored speaker id, name;
// both empty when unknown) can be an occurrence of c: the same stored
// speaker, names that can be the same person ("Jansen", "Clara Jansen"),
// or one side unknown.
func sameSpeaker(id, name string, c *statementDoc) bool {
	switch {
	case id != "" && id == c.SpeakerID:
		return true
	case name == "" || c.SpeakerName == "":
		return true
	}
	return statement.SameSpeaker(name, c.SpeakerName)
}

// joinStatement adds occ to c (once), keeps the longest text and the
// fullest speaker name.
func (s *Store) joinStatement(ctx context.Context, c *statementDoc, occ occurrenceDoc, words []string, speaker string) error {
	set := bson.D{{Key: "updated_at", Value: time.Now().UTC().Truncate(time.Millisecond)}}
	if len(words) > len(c.Words) {
		set = append(set, bson.E{Key: "text", Value: occ.Text}, bson.E{Key: "words", Value: words})
	}
	if speaker != "" && (c.SpeakerName == "" || statement.Fuller(c.SpeakerName, speaker) != c.SpeakerName) {
		set = append(set, bson.E{Key: "speaker_name", Value: speaker}, bson.E{Key: "speaker_id", Value: occ.SpeakerID})
	}
	_, err := s.db.Collection(collStatements).UpdateOne(ctx,
		bson.D{{Key: "_id", Value: c.ID}, {Key: "occurrences.quote_id", Value: bson.D{{Key: "$ne", Value: occ.QuoteID}}}},
		bson.D{{Key: "$push", Value: bson.D{{Key: "occurrences", Value: occ}}}, {Key: "$set", Value: set},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	if err != nil {
		return wrapErr("add to statement "+c.ID, err)
	}
	return nil
}

// indexStatement files the shingles of a statement's text under their
// buckets; entries already there stay once.
func (s *Store) indexStatement(ctx context.Context, id string, shingles []int64) error {
	byBucket := map[string][]indexEntry{}
	for _, h := range shingles {
		b := statement.Bucket(h)
		byBucket[b] = append(byBucket[b], indexEntry{H: h, S: id})
	}
	models := make([]mongo.WriteModel, 0, len(byBucket))
	for _, b := range slices.Sorted(mapsKeys(byBucket)) {
		models = append(models, mongo.NewUpdateOneModel().
			SetFilter(bson.D{{Key: "_id", Value: b}}).
			SetUpdate(bson.D{{Key: "$addToSet", Value: bson.D{{Key: "e", Value: bson.D{{Key: "$each", Value: byBucket[b]}}}}}}).
			SetUpsert(true))
	}
	if len(models) == 0 {
		return nil
	}
	if _, err := s.db.Collection(collStatementIndex).BulkWrite(ctx, models); err != nil {
		if mongo.IsDuplicateKeyError(err) {
			// Two upserts created the same bucket at once; the loser's
			// entries are written again, now as an update.
			if _, err := s.db.Collection(collStatementIndex).BulkWrite(ctx, models); err != nil {
				return wrapErr("index statement "+id, err)
			}
			return nil
		}
		return wrapErr("index statement "+id, err)
	}
	return nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// statementCandidates returns up to maxCandidates statements sharing the
// most shingles with the given ones.
func (s *Store) statementCandidates(ctx context.Context, shingles []int64) ([]statementDoc, error) {
	if len(shingles) == 0 {
		return nil, nil
	}
	want := make(map[int64]bool, len(shingles))
	buckets := map[string]bool{}
	for _, h := range shingles {
		want[h] = true
		buckets[statement.Bucket(h)] = true
	}
	docs, err := findByIDs[indexDoc](ctx, s, collStatementIndex, slices.Sorted(mapsKeys(buckets)))
	if err != nil {
		return nil, wrapErr("find statement candidates", err)
	}
	counts := map[string]int{}
	for _, d := range docs {
		for _, e := range d.E {
			if want[e.H] {
				counts[e.S]++
			}
		}
	}
	ids := slices.Collect(mapsKeys(counts))
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), strings.Compare(a, b))
	})
	if len(ids) > maxCandidates {
		ids = ids[:maxCandidates]
	}
	cands, err := findByIDs[statementDoc](ctx, s, collStatements, ids)
	if err != nil {
		return nil, wrapErr("find statement candidates", err)
	}
	// Most shared shingles first, as ranked.
	slices.SortFunc(cands, func(a, b statementDoc) int {
		return cmp.Or(cmp.Compare(counts[b.ID], counts[a.ID]), strings.Compare(a.ID, b.ID))
	})
	return cands, nil
}

// findByIDs reads the documents with these string ids (missing ones are
// skipped): one _id look-up each on the embedded store, one $in query on
// MongoDB.
func findByIDs[T any](ctx context.Context, s *Store, coll string, ids []string) ([]T, error) {
	c := s.db.Collection(coll)
	var out []T
	if s.idLookupsOnly {
		for _, id := range ids {
			var d T
			err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d)
			if errors.Is(err, mongo.ErrNoDocuments) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
		return out, nil
	}
	if len(ids) == 0 {
		return nil, nil
	}
	cur, err := c.Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, err
	}
	if err := cur.All(ctx, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func capWords(w []string) []string {
	if len(w) > maxCompareWords {
		return w[:maxCompareWords]
	}
	return w
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
// rename shows), or as reported when the speaker is gone (merged).
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
			var sp struct {
				Name string `bson:"name"`
			}
			err := s.db.Collection(collSpeakers).FindOne(ctx, bson.D{{Key: "_id", Value: d.SpeakerID}}).Decode(&sp)
			switch {
			case err == nil:
				st.Speaker.Name = sp.Name
			case errors.Is(err, mongo.ErrNoDocuments):
				st.Speaker.ID = "" // merged away: keep the reported name
			default:
				return attribution.Statement{}, wrapErr("get speaker of statement "+d.ID, err)
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
	cands, err := s.statementCandidates(ctx, statement.Shingles(words))
	if err != nil {
		return nil, err
	}
	var out []attribution.StatementMatch
	for _, c := range cands {
		score, m := statement.Compare(capWords(words), capWords(c.Words))
		if m == statement.None {
			continue
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
