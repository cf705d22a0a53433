package mongostore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
)

// collMergeLocks holds one document per speaker that a merge in progress
// involves, by the speaker's id: an insert claims it, which even a server
// that applies conditional updates without re-checking them (the tests'
// FerretDB) does atomically, as the _id index is unique.
const collMergeLocks = "merge_locks"

// mergeLockDoc is a speaker's merge lock.
type mergeLockDoc struct {
	SpeakerID string    `bson:"_id"`
	Token     string    `bson:"token"`
	At        time.Time `bson:"at"`
}

// mergeLease is how long a merge lock holds: a merge cut short (its
// process died) leaves its locks, which other merges take over after
// this long.
const mergeLease = 10 * time.Minute

// errMovedOn: the speaker merged into changed between read and write.
var errMovedOn = errors.New("speaker changed meanwhile")

// MergeSpeakers moves the quotes of the speakers from into speaker id,
// adds their names, aliases and roles to it and leaves them as tombstones
// that name id (look-ups by their ids, and ingests that found them before
// the merge, end at id). The speaker keeps its Wikidata id; without one it
// takes that of the merged speakers when those that have one all have the
// same (mergedWikidataID).
//
// How it stays right with other writers at once, on a standalone server:
//   - It first locks every speaker involved, in id order, each with one
//     insert into merge_locks; a speaker another merge holds makes it fail
//     with ErrConflict. Of two reciprocal merges (A←B, B←A) at
//     once at most one runs; the other fails (ErrConflict, or ErrNotFound
//     once the first has finished).
//   - It then turns each merged speaker into a tombstone and gives its
//     names to id (where the server runs transactions, both in one, so
//     that no moment exists where the names belong to no one), and only
//     then moves the quotes. An ingest that found a merged speaker before
//     its tombstone and stores quotes on it after the move sees the
//     tombstone when it checks its speakers after writing, and moves them
//     itself (settleSpeakers): no quote stays on a merged-away id.
//
// A merge cut short can be repeated once its locks are released (by the
// same call on error) or have expired (mergeLease).
func (s *Store) MergeSpeakers(ctx context.Context, id string, from []string) (attribution.SpeakerProfile, error) {
	if len(from) == 0 {
		return attribution.SpeakerProfile{}, fmt.Errorf("merge into %s: %w", id, &attribution.FieldError{Field: "from", Reason: "must name at least one speaker"})
	}
	for i, f := range from {
		if f == id {
			return attribution.SpeakerProfile{}, fmt.Errorf("merge into %s: %w", id, &attribution.FieldError{Field: fmt.Sprintf("from[%d]", i), Reason: "is the speaker merged into"})
		}
	}
	srcIDs := slices.Compact(slices.Sorted(slices.Values(from)))
	token, err := newMergeToken()
	if err != nil {
		return attribution.SpeakerProfile{}, err
	}
	locked, err := s.lockSpeakers(ctx, id, srcIDs, token)
	defer s.unlockSpeakers(context.WithoutCancel(ctx), locked, token)
	if err != nil {
		return attribution.SpeakerProfile{}, err
	}

	var into speakerDoc
	finish := func(claim bool) error {
		return s.atomically(ctx, func(ctx context.Context) error {
			var err error
			into, err = s.finishMerge(ctx, id, srcIDs, claim)
			return err
		})
	}
	for attempt := 0; ; attempt++ {
		err := finish(true)
		if mongo.IsDuplicateKeyError(err) {
			// Without transactions: a third speaker claimed a name of a
			// merged speaker between its tombstone and this update. The
			// survivor keeps that name as an alias articles use, which
			// claims nothing.
			err = finish(false)
		}
		if err == nil {
			break
		}
		if !errors.Is(err, errMovedOn) || attempt >= 5 {
			return attribution.SpeakerProfile{}, wrapErr("merge into "+id, err)
		}
	}
	for _, src := range srcIDs {
		if err := s.moveQuotes(ctx, src, into); err != nil {
			return attribution.SpeakerProfile{}, err
		}
	}
	return s.GetSpeaker(ctx, id)
}

func newMergeToken() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("merge token: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// lockSpeakers takes the merge lock of speaker id and of every speaker of
// srcIDs, in id order, and returns those it took (to be released by
// unlockSpeakers, also on error). A speaker that another merge holds is
// ErrConflict; then one that is missing or merged away, ErrNotFound.
func (s *Store) lockSpeakers(ctx context.Context, id string, srcIDs []string, token string) ([]string, error) {
	locks := s.db.Collection(collMergeLocks)
	all := slices.Sorted(slices.Values(append([]string{id}, srcIDs...)))
	var locked []string
	for _, x := range all {
		ok, err := s.lockSpeaker(ctx, locks, x, token)
		if err != nil {
			return locked, err
		}
		if !ok {
			return locked, fmt.Errorf("merge speaker %q: another merge of it is running: %w", x, attribution.ErrConflict)
		}
		locked = append(locked, x)
	}
	// Held: no other merge turns them into tombstones now.
	for _, x := range all {
		op := fmt.Sprintf("merge speaker %q", x)
		if x == id {
			op = fmt.Sprintf("merge into %q", x)
		}
		n, err := s.db.Collection(collSpeakers).CountDocuments(ctx, bson.D{{Key: "_id", Value: x}, notMerged})
		if err != nil {
			return locked, wrapErr(op, err)
		}
		if n == 0 {
			return locked, fmt.Errorf("%s: %w", op, attribution.ErrNotFound)
		}
	}
	return locked, nil
}

// lockSpeaker takes the merge lock of speaker x, or that of a merge cut
// short more than mergeLease ago; false when another merge holds it.
func (s *Store) lockSpeaker(ctx context.Context, locks *mongo.Collection, x, token string) (bool, error) {
	for range 2 {
		now := time.Now().UTC().Truncate(time.Millisecond)
		_, err := locks.InsertOne(ctx, mergeLockDoc{SpeakerID: x, Token: token, At: now})
		if err == nil {
			return true, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return false, wrapErr("lock speaker "+x, err)
		}
		var held mergeLockDoc
		err = locks.FindOne(ctx, bson.D{{Key: "_id", Value: x}}).Decode(&held)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue // released meanwhile
		case err != nil:
			return false, wrapErr("lock speaker "+x, err)
		case held.At.After(now.Add(-mergeLease)):
			return false, nil
		}
		// Expired: remove that one lock, then try again.
		if _, err := locks.DeleteOne(ctx, bson.D{{Key: "_id", Value: x}, {Key: "token", Value: held.Token}}); err != nil {
			return false, wrapErr("lock speaker "+x, err)
		}
	}
	return false, nil
}

// unlockSpeakers releases the merge locks token holds on ids.
func (s *Store) unlockSpeakers(ctx context.Context, ids []string, token string) {
	if len(ids) == 0 {
		return
	}
	_, err := s.db.Collection(collMergeLocks).DeleteMany(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "token", Value: token}})
	if err != nil {
		// They expire after mergeLease.
		s.logger.Warn("release merge locks", "speakers", ids, "error", err)
	}
}

// finishMerge turns the speakers srcIDs into tombstones pointing at id and
// gives their names, aliases and roles to id, while the merge holds their
// locks; claim says whether id claims their names as keys. It returns id
// as written. It is idempotent, and its writes are single-document
// conditional updates (atomically may run it in a transaction).
func (s *Store) finishMerge(ctx context.Context, id string, srcIDs []string, claim bool) (speakerDoc, error) {
	c := s.db.Collection(collSpeakers)
	var into speakerDoc
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}, notMerged}).Decode(&into); err != nil {
		return speakerDoc{}, fmt.Errorf("read speaker %s: %w", id, err)
	}
	var srcs []speakerDoc
	for _, src := range srcIDs {
		var d speakerDoc
		if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: src}}).Decode(&d); err != nil {
			return speakerDoc{}, fmt.Errorf("read speaker %s: %w", src, err)
		}
		if d.MergedInto != "" && d.MergedInto != id {
			return speakerDoc{}, fmt.Errorf("speaker %s was merged into %s meanwhile (merge lock expired?): %w", src, d.MergedInto, attribution.ErrConflict)
		}
		srcs = append(srcs, d)
	}
	aliases, roles := slices.Clone(into.Aliases), slices.Clone(into.Roles)
	keys := slices.Clone(into.Keys)
	for _, d := range srcs {
		aliases = append(aliases, d.Name)
		aliases = append(aliases, d.Aliases...)
		roles = append(roles, d.Roles...)
		if claim {
			keys = append(keys, d.NormalizedName)
			keys = append(keys, d.Keys...)
		}
	}
	var kept []string
	seen := map[string]bool{into.NormalizedName: true}
	for _, a := range aliases {
		if k := attribution.NormalizeName(a); k != "" && !seen[k] {
			seen[k] = true
			kept = append(kept, a)
		}
	}
	if kept == nil {
		kept = []string{}
	}
	roles = slices.Compact(slices.Sorted(slices.Values(roles)))
	if roles == nil {
		roles = []string{}
	}
	keys = slices.Compact(slices.Sorted(slices.Values(append(keys, into.NormalizedName))))
	now := time.Now().UTC().Truncate(time.Millisecond)
	// Tombstones first: they release the keys id takes over.
	for _, d := range srcs {
		if d.MergedInto == id {
			continue // done by an earlier run
		}
		_, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}, notMerged}, bson.D{
			{Key: "$set", Value: bson.D{
				{Key: "merged_into", Value: id}, {Key: "alias_keys", Value: []string{}}, {Key: "search_keys", Value: []string{}},
				// Its name is free for others (normalized_name_unique).
				{Key: "normalized_name", Value: tombstoneName(d.ID)},
				{Key: "updated_at", Value: now},
			}},
			{Key: "$unset", Value: bson.D{{Key: "keys", Value: ""}}},
			{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
		})
		if err != nil {
			return speakerDoc{}, fmt.Errorf("mark %s merged: %w", d.ID, err)
		}
	}
	set := bson.D{
		{Key: "keys", Value: keys},
		{Key: "aliases", Value: kept}, {Key: "alias_keys", Value: attribution.AliasKeys(kept)},
		{Key: "search_keys", Value: attribution.SearchKeys(into.Name, kept)}, {Key: "roles", Value: roles},
		{Key: "updated_at", Value: now},
	}
	from := make([]string, len(srcs))
	for i, d := range srcs {
		from[i] = d.WikidataID
	}
	if w := attribution.MergedWikidataID(into.WikidataID, from); w != into.WikidataID {
		set = append(set, bson.E{Key: "wikidata_id", Value: w})
	}
	// Guarded by the version read: an edit of id meanwhile is not lost.
	res, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, notMerged, {Key: "version", Value: into.Version}}, bson.D{
		{Key: "$set", Value: set},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	})
	if err != nil {
		return speakerDoc{}, err
	}
	if res.MatchedCount == 0 {
		return speakerDoc{}, errMovedOn
	}
	into.Keys, into.Aliases, into.Roles = keys, kept, roles
	into.Version++
	return into, nil
}

// tombstoneName is the normalized name of a merged-away speaker: none a
// name folds to.
func tombstoneName(id string) string { return "\x00merged " + id }

// moveQuotes moves the quotes of speaker from to speaker to, under to's
// name. A rename of to meanwhile (UpdateSpeaker renames the quotes it
// finds, maybe before these arrive) is caught by reading the name again
// after the move.
func (s *Store) moveQuotes(ctx context.Context, from string, to speakerDoc) error {
	quotes := s.db.Collection(collQuotes)
	_, err := quotes.UpdateMany(ctx, bson.D{{Key: "speaker_id", Value: from}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "speaker_id", Value: to.ID}, {Key: "speaker.name", Value: to.Name}}}})
	if err != nil {
		return wrapErr("move quotes of "+from, err)
	}
	var now struct {
		Name string `bson:"name"`
	}
	err = s.db.Collection(collSpeakers).FindOne(ctx, bson.D{{Key: "_id", Value: to.ID}}, options.FindOne().SetProjection(bson.D{{Key: "name", Value: 1}})).Decode(&now)
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		return nil // gone; a merge of it moved the quotes on
	case err != nil:
		return wrapErr("read speaker "+to.ID, err)
	case now.Name == to.Name:
		return nil
	}
	if _, err := quotes.UpdateMany(ctx, bson.D{{Key: "speaker_id", Value: to.ID}, {Key: "speaker.name", Value: to.Name}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "speaker.name", Value: now.Name}}}}); err != nil {
		return wrapErr("rename quotes of "+to.ID, err)
	}
	return nil
}

// settleSpeakers is what a writer that just stored quotes on the speakers
// ids does: it moves those on speakers merged away meanwhile to the
// speakers they were merged into, and returns those, by merged id. One
// _id look-up when none was merged.
func (s *Store) settleSpeakers(ctx context.Context, ids []string) (map[string]speakerDoc, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	ids = slices.DeleteFunc(ids, func(id string) bool { return id == "" })
	if len(ids) == 0 {
		return nil, nil
	}
	cur, err := s.db.Collection(collSpeakers).Find(ctx,
		bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: ids}}}, {Key: "merged_into", Value: bson.D{{Key: "$exists", Value: true}}}},
		options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "merged_into", Value: 1}}))
	if err != nil {
		return nil, wrapErr("check speakers", err)
	}
	var gone []speakerDoc
	if err := cur.All(ctx, &gone); err != nil {
		return nil, wrapErr("check speakers", err)
	}
	moved := map[string]speakerDoc{}
	for _, g := range gone {
		live, err := s.liveSpeaker(ctx, g.MergedInto)
		if err != nil {
			return nil, err
		}
		if err := s.moveQuotes(ctx, g.ID, live); err != nil {
			return nil, err
		}
		moved[g.ID] = live
	}
	return moved, nil
}
