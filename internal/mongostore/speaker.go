package mongostore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
)

// speakerDoc is a speaker as stored in the speakers collection. The id is
// derived from the name the speaker was first stored under and never
// changes, even when the name is edited.
//
// A speaker merged into another stays as a tombstone: merged_into names
// the speaker it went to, and it has no keys, aliases or search keys left,
// so no look-up by name finds it. Its document is never deleted, so that a
// writer that found it before the merge meets the tombstone, not a gap
// where it would create the speaker again (see MergeSpeakers).
type speakerDoc struct {
	ID             string `bson:"_id"`
	Name           string `bson:"name"`
	NormalizedName string `bson:"normalized_name"`
	// Keys are the normalized name and the aliases an editor set (or that
	// came with merged speakers): unique across speakers (index
	// keys_unique), so two speakers never claim one name, whatever runs
	// at once. Absent on tombstones.
	Keys []string `bson:"keys,omitempty"`
	// MergedInto is set on tombstones only (their NormalizedName is then
	// tombstoneName).
	MergedInto string `bson:"merged_into,omitempty"`
	// MergeLock is held by a merge in progress that involves the speaker.
	MergeLock  *mergeLockDoc `bson:"merge_lock,omitempty"`
	Type       string        `bson:"type"`
	Aliases    []string      `bson:"aliases"`
	AliasKeys  []string      `bson:"alias_keys"`  // normalized aliases: look-up by alias
	SearchKeys []string      `bson:"search_keys"` // names, aliases and their words, folded: prefix search
	Roles      []string      `bson:"roles"`
	WikidataID string        `bson:"wikidata_id,omitempty"` // Wikidata item ("Q42"); absent when unknown
	Version    int64         `bson:"version"`
	UpdatedAt  time.Time     `bson:"updated_at"`
}

func (d speakerDoc) profile() attribution.SpeakerProfile {
	p := attribution.SpeakerProfile{
		ID: d.ID, Name: d.Name, Type: attribution.SpeakerType(d.Type),
		Aliases: d.Aliases, Roles: d.Roles, WikidataID: d.WikidataID, Version: d.Version, UpdatedAt: d.UpdatedAt.UTC(),
		Outlets: []string{}, Counts: map[attribution.Kind]int{attribution.KindDirect: 0, attribution.KindMixed: 0, attribution.KindIndirect: 0},
	}
	if p.Aliases == nil {
		p.Aliases = []string{}
	}
	if p.Roles == nil {
		p.Roles = []string{}
	}
	return p
}

// notMerged is the filter term that leaves out tombstones.
var notMerged = bson.E{Key: "merged_into", Value: bson.D{{Key: "$exists", Value: false}}}

// speakerKeys are the keys a speaker named name with aliases claims.
func speakerKeys(name string, aliases []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(append([]string{attribution.NormalizeName(name)}, attribution.AliasKeys(aliases)...))))
}

// resolveLimit bounds the speakers one name look-up reads: the one that
// claims the key, if any, and those that only share it as an alias.
const resolveLimit = 8

// speakerByKey finds the speaker whose normalized name or alias is key:
// the one that claims it (its name, or an alias an editor set), else the
// only one with that alias; an alias that several speakers share and none
// claims resolves to none (ambiguous). One query: an $or of the indexes
// keys_unique, alias_keys and normalized_name_id.
func (s *Store) speakerByKey(ctx context.Context, key string) (speakerDoc, error) {
	c := s.db.Collection(collSpeakers)
	cur, err := c.Find(ctx, bson.D{{Key: "$or", Value: bson.A{
		bson.D{{Key: "keys", Value: key}},
		bson.D{{Key: "alias_keys", Value: key}},
		// A speaker written without keys (by an import, say) until
		// EnsureIndexes gives it its own.
		bson.D{{Key: "normalized_name", Value: key}, notMerged},
	}}}, options.Find().SetLimit(resolveLimit))
	if err != nil {
		return speakerDoc{}, wrapErr("find speaker", err)
	}
	var docs []speakerDoc
	if err := cur.All(ctx, &docs); err != nil {
		return speakerDoc{}, wrapErr("find speaker", err)
	}
	// The one claiming the key; else one whose name it is but that has no
	// keys yet (EnsureIndexes gives it them).
	for _, claims := range []func(speakerDoc) bool{
		func(d speakerDoc) bool { return slices.Contains(d.Keys, key) },
		func(d speakerDoc) bool { return d.NormalizedName == key },
	} {
		for _, d := range docs {
			if claims(d) && d.MergedInto == "" {
				return d, nil
			}
		}
	}
	switch {
	case len(docs) == 1 && docs[0].MergedInto == "":
		return docs[0], nil
	case len(docs) == resolveLimit:
		// So many share the alias that the one claiming it may not be
		// among those read.
		var d speakerDoc
		err := c.FindOne(ctx, bson.D{{Key: "keys", Value: key}}).Decode(&d)
		if err == nil && d.MergedInto == "" {
			return d, nil
		}
		if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
			return speakerDoc{}, wrapErr("find speaker", err)
		}
	}
	return speakerDoc{}, fmt.Errorf("find speaker %q: %w", key, attribution.ErrNotFound)
}

// maxMergeHops bounds how far a look-up follows tombstones (a speaker
// merged into one merged later into another, ...).
const maxMergeHops = 16

// liveSpeaker returns speaker id, or, when it was merged away, the
// speaker it was merged into (following later merges too).
func (s *Store) liveSpeaker(ctx context.Context, id string) (speakerDoc, error) {
	c := s.db.Collection(collSpeakers)
	for range maxMergeHops {
		var d speakerDoc
		if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
			return speakerDoc{}, wrapErr(fmt.Sprintf("get speaker %q", id), err)
		}
		if d.MergedInto == "" {
			return d, nil
		}
		id = d.MergedInto
	}
	return speakerDoc{}, fmt.Errorf("get speaker %q: more than %d merges: %w", id, maxMergeHops, attribution.ErrNotFound)
}

// checkKeysFree fails with ErrConflict when one of keys (key is the
// name's) is claimed by, or an alias of, a speaker other than id, or when
// wikidata (if not "") is another speaker's. One query on the indexes
// keys_unique, alias_keys and normalized_name_id, one on wikidata_id.
func (s *Store) checkKeysFree(ctx context.Context, id, key string, keys []string, wikidata string) error {
	c := s.db.Collection(collSpeakers)
	var other speakerDoc
	err := c.FindOne(ctx, bson.D{
		{Key: "_id", Value: bson.D{{Key: "$ne", Value: id}}},
		{Key: "$or", Value: bson.A{
			bson.D{{Key: "keys", Value: bson.D{{Key: "$in", Value: keys}}}},
			bson.D{{Key: "alias_keys", Value: bson.D{{Key: "$in", Value: keys}}}},
			bson.D{{Key: "normalized_name", Value: bson.D{{Key: "$in", Value: keys}}}, notMerged},
		}},
	}, options.FindOne().SetProjection(bson.D{{Key: "keys", Value: 1}, {Key: "alias_keys", Value: 1}, {Key: "normalized_name", Value: 1}})).Decode(&other)
	switch {
	case err == nil:
		field, k := "aliases", ""
		for _, ok := range keys {
			if slices.Contains(other.Keys, ok) || slices.Contains(other.AliasKeys, ok) || other.NormalizedName == ok {
				k = ok
				break
			}
		}
		if k == key {
			field = "name"
		}
		return fmt.Errorf("%s %q belongs to another speaker: %w", field, k, attribution.ErrConflict)
	case !errors.Is(err, mongo.ErrNoDocuments):
		return wrapErr("check speaker names", err)
	}
	// One Wikidata item is one speaker: another speaker with it is the
	// same person, to be merged.
	if wikidata != "" {
		n, err := c.CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$ne", Value: id}}}, {Key: "wikidata_id", Value: wikidata}, notMerged})
		if err != nil {
			return wrapErr("check speaker wikidata id", err)
		}
		if n > 0 {
			return fmt.Errorf("wikidata_id %s belongs to another speaker: %w", wikidata, attribution.ErrConflict)
		}
	}
	return nil
}

// CreateSpeaker stores a speaker an editor made (name, type, roles,
// aliases, Wikidata id). A name, alias or Wikidata id that another speaker
// has is ErrConflict (the unique index on keys settles two at once).
func (s *Store) CreateSpeaker(ctx context.Context, n attribution.NewSpeaker) (attribution.SpeakerProfile, error) {
	if err := n.Validate(); err != nil {
		return attribution.SpeakerProfile{}, fmt.Errorf("create speaker: %w", err)
	}
	name, kept := attribution.EditNames(strings.TrimSpace(n.Name), nil, attribution.SpeakerPatch{Aliases: &n.Aliases})
	if kept == nil {
		kept = []string{}
	}
	key := attribution.NormalizeName(name)
	keys := speakerKeys(name, kept)
	if err := s.checkKeysFree(ctx, "", key, keys, n.WikidataID); err != nil {
		return attribution.SpeakerProfile{}, fmt.Errorf("create speaker: %w", err)
	}
	doc := speakerDoc{
		ID: attribution.SpeakerID(name), Name: name, NormalizedName: key, Keys: keys, Type: string(n.Type),
		Aliases: kept, AliasKeys: attribution.AliasKeys(kept), SearchKeys: attribution.SearchKeys(name, kept),
		Roles: attribution.CleanRoles(n.Roles), WikidataID: n.WikidataID, Version: 1, UpdatedAt: time.Now().UTC().Truncate(time.Millisecond),
	}
	c := s.db.Collection(collSpeakers)
	for i := 2; i < 100; i++ {
		_, err := c.InsertOne(ctx, doc)
		if err == nil {
			return s.GetSpeaker(ctx, doc.ID)
		}
		if !mongo.IsDuplicateKeyError(err) {
			return attribution.SpeakerProfile{}, wrapErr("create speaker", err)
		}
		// The id is taken (a speaker since renamed, or a tombstone): the
		// next variant; a name claimed meanwhile is a conflict.
		var taken speakerDoc
		if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: doc.ID}}).Decode(&taken); errors.Is(err, mongo.ErrNoDocuments) {
			return attribution.SpeakerProfile{}, fmt.Errorf("create speaker: its name or an alias was just given to another speaker: %w", attribution.ErrConflict)
		} else if err != nil {
			return attribution.SpeakerProfile{}, wrapErr("create speaker", err)
		}
		doc.ID = attribution.SpeakerID(fmt.Sprintf("%s %d", key, i))
	}
	return attribution.SpeakerProfile{}, fmt.Errorf("create speaker %s: no free id: %w", name, attribution.ErrConflict)
}

// createSpeaker stores a new speaker named name (key normalized) unless
// its id is taken, and returns the id of the live speaker: the new one,
// the one with that id (a writer at once), the speaker that one was merged
// into, or the speaker that claimed the key meanwhile.
func (s *Store) createSpeaker(ctx context.Context, name, key string, typ attribution.SpeakerType) (string, error) {
	c := s.db.Collection(collSpeakers)
	id := attribution.SpeakerID(name)
	now := time.Now().UTC().Truncate(time.Millisecond)
	doc := speakerDoc{
		ID: id, Name: name, NormalizedName: key, Keys: []string{key}, Type: string(typ),
		Aliases: []string{}, AliasKeys: []string{}, SearchKeys: attribution.SearchKeys(name, nil), Roles: []string{},
		Version: 1, UpdatedAt: now,
	}
	for attempt, variant := 0, 2; attempt < 3; attempt++ {
		// Upsert by id: two articles naming the same new speaker at once
		// create it once, and one naming a speaker merged away meets its
		// tombstone.
		var got struct {
			ID             string `bson:"_id"`
			NormalizedName string `bson:"normalized_name"`
			MergedInto     string `bson:"merged_into"`
		}
		err := c.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$setOnInsert", Value: doc}},
			options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&got)
		if err == nil {
			switch {
			case got.MergedInto != "":
				live, err := s.liveSpeaker(ctx, got.MergedInto)
				return live.ID, err
			case got.NormalizedName != key:
				// The id is a speaker's since renamed (an editor fixed a
				// wrong name): this name is someone else, the next variant.
				id = attribution.SpeakerID(fmt.Sprintf("%s %d", key, variant))
				doc.ID = id
				variant++
				attempt--
				if variant > 100 {
					return "", fmt.Errorf("create speaker %s: no free id: %w", name, attribution.ErrConflict)
				}
				continue
			}
			return got.ID, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return "", wrapErr("create speaker "+name, err)
		}
		// Another speaker claimed the key meanwhile (or an upsert of the
		// same id won): that one is the speaker.
		d, err := s.speakerByKey(ctx, key)
		if err == nil {
			return d.ID, nil
		}
		if !errors.Is(err, attribution.ErrNotFound) {
			return "", err
		}
	}
	return "", fmt.Errorf("create speaker %s: its name is claimed and released again: %w", name, attribution.ErrConflict)
}

// ensureSpeaker returns the id of the speaker named name, creating it when
// no speaker has that name or alias. Roles and aliases (other names the
// article used for it) are added.
func (s *Store) ensureSpeaker(ctx context.Context, name string, typ attribution.SpeakerType, roles, aliases []string) (string, error) {
	key := attribution.NormalizeName(name)
	if key == "" {
		return "", nil
	}
	id := ""
	if d, err := s.speakerByKey(ctx, key); err == nil {
		id = d.ID
	} else if !errors.Is(err, attribution.ErrNotFound) {
		return "", err
	}
	if id == "" {
		var err error
		if id, err = s.createSpeaker(ctx, name, key, typ); err != nil {
			return "", err
		}
	}
	// New roles and aliases only: $addToSet on each array.
	var newAliases []string
	for _, a := range aliases {
		if k := attribution.NormalizeName(a); k != "" && k != key {
			newAliases = append(newAliases, a)
		}
	}
	if len(roles) == 0 && len(newAliases) == 0 {
		return id, nil
	}
	add := bson.D{}
	if len(roles) > 0 {
		add = append(add, bson.E{Key: "roles", Value: bson.D{{Key: "$each", Value: roles}}})
	}
	if len(newAliases) > 0 {
		add = append(add,
			bson.E{Key: "aliases", Value: bson.D{{Key: "$each", Value: newAliases}}},
			bson.E{Key: "alias_keys", Value: bson.D{{Key: "$each", Value: attribution.AliasKeys(newAliases)}}},
			bson.E{Key: "search_keys", Value: bson.D{{Key: "$each", Value: attribution.SearchKeys(newAliases[0], newAliases[1:])}}})
	}
	// Not on a tombstone: its aliases would make it found by name again.
	if _, err := s.db.Collection(collSpeakers).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, notMerged}, bson.D{{Key: "$addToSet", Value: add}}); err != nil {
		return "", wrapErr("update speaker "+name, err)
	}
	return id, nil
}

// GetSpeaker returns a speaker with figures computed from its quotes. A
// speaker merged away is not found.
func (s *Store) GetSpeaker(ctx context.Context, id string) (attribution.SpeakerProfile, error) {
	var d speakerDoc
	if err := s.db.Collection(collSpeakers).FindOne(ctx, bson.D{{Key: "_id", Value: id}, notMerged}).Decode(&d); err != nil {
		return attribution.SpeakerProfile{}, wrapErr(fmt.Sprintf("get speaker %q", id), err)
	}
	p := d.profile()
	if err := s.addFigures(ctx, &p); err != nil {
		return attribution.SpeakerProfile{}, err
	}
	return p, nil
}

// LookupSpeaker returns a speaker as stored (name, type, aliases, roles,
// Wikidata id, version) without the figures GetSpeaker computes: one _id
// look-up, where the figures cost a pass over the speaker's quotes each.
// A speaker merged away is not found.
func (s *Store) LookupSpeaker(ctx context.Context, id string) (attribution.SpeakerProfile, error) {
	var d speakerDoc
	if err := s.db.Collection(collSpeakers).FindOne(ctx, bson.D{{Key: "_id", Value: id}, notMerged}).Decode(&d); err != nil {
		return attribution.SpeakerProfile{}, wrapErr(fmt.Sprintf("get speaker %q", id), err)
	}
	return d.profile(), nil
}

// ResolveSpeaker finds a speaker by id (a merged-away id gives the
// speaker it was merged into), else by name or alias.
func (s *Store) ResolveSpeaker(ctx context.Context, idOrName string) (attribution.SpeakerProfile, error) {
	d, err := s.resolveSpeaker(ctx, idOrName)
	if err != nil {
		return attribution.SpeakerProfile{}, err
	}
	p := d.profile()
	if err := s.addFigures(ctx, &p); err != nil {
		return attribution.SpeakerProfile{}, err
	}
	return p, nil
}

// ResolveSpeakerID is ResolveSpeaker without the figures: the id of the
// speaker, which is all a quote listing needs. It is one indexed look-up:
// by _id for an id, else one query on the indexes keys_unique, alias_keys
// and normalized_name_id (plus one _id look-up per merge when the id was
// merged away).
func (s *Store) ResolveSpeakerID(ctx context.Context, idOrName string) (string, error) {
	d, err := s.resolveSpeaker(ctx, idOrName)
	if err != nil {
		return "", err
	}
	return d.ID, nil
}

func (s *Store) resolveSpeaker(ctx context.Context, idOrName string) (speakerDoc, error) {
	if strings.HasPrefix(idOrName, "spk_") {
		d, err := s.liveSpeaker(ctx, idOrName)
		if !errors.Is(err, attribution.ErrNotFound) {
			return d, err
		}
	}
	keys, surname := attribution.ResolutionKeys(idOrName)
	for _, k := range keys {
		d, err := s.speakerByKey(ctx, k)
		if !errors.Is(err, attribution.ErrNotFound) {
			return d, err
		}
	}
	if surname == "" {
		return speakerDoc{}, fmt.Errorf("find speaker %q: %w", idOrName, attribution.ErrNotFound)
	}
	return s.speakerBySurname(ctx, surname)
}

// speakerBySurname finds the one live speaker whose name ends in the word
// surname; none, or several, is ErrNotFound. One query on the multikey
// index search_keys.
func (s *Store) speakerBySurname(ctx context.Context, surname string) (speakerDoc, error) {
	cur, err := s.db.Collection(collSpeakers).Find(ctx, bson.D{{Key: "search_keys", Value: surname}, notMerged}, options.Find().SetLimit(resolveLimit))
	if err != nil {
		return speakerDoc{}, wrapErr("find speaker", err)
	}
	var docs []speakerDoc
	if err := cur.All(ctx, &docs); err != nil {
		return speakerDoc{}, wrapErr("find speaker", err)
	}
	docs = slices.DeleteFunc(docs, func(d speakerDoc) bool { return attribution.Surname(d.Name) != surname })
	if len(docs) != 1 {
		return speakerDoc{}, fmt.Errorf("find speaker: surname %q names %d speakers: %w", surname, len(docs), attribution.ErrNotFound)
	}
	return docs[0], nil
}

// addFigures counts a speaker's quotes and finds the first and last quoted
// dates and the outlets, from the quotes themselves (hidden ones left
// out): counts stay right when articles are deleted, speakers merged or
// quotes corrected. Each is one query on speaker_id_published_at_id.
func (s *Store) addFigures(ctx context.Context, p *attribution.SpeakerProfile) error {
	f := bson.D{{Key: "speaker_id", Value: p.ID}, notHidden}
	// Counts by kind in one pass over the speaker's quotes.
	byIndex := options.Aggregate().SetHint(idxQuotesSpeaker)
	cur, err := s.aggregate(ctx, collQuotes, mongo.Pipeline{
		{{Key: "$match", Value: f}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$kind"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	}, byIndex)
	if err != nil {
		return wrapErr("count quotes of "+p.ID, err)
	}
	var kinds []struct {
		Kind string `bson:"_id"`
		N    int    `bson:"n"`
	}
	if err := cur.All(ctx, &kinds); err != nil {
		return wrapErr("count quotes of "+p.ID, err)
	}
	p.Counts = map[attribution.Kind]int{attribution.KindDirect: 0, attribution.KindMixed: 0, attribution.KindIndirect: 0}
	for _, k := range kinds {
		p.Counts[attribution.Kind(k.Kind)] += k.N
		p.QuoteCount += k.N
	}
	if p.QuoteCount == 0 {
		return nil
	}
	for _, dir := range []int{1, -1} {
		var d quoteDoc
		err := s.findOne(ctx, collQuotes, f, options.FindOne().SetSort(bson.D{{Key: "speaker_id", Value: 1}, {Key: "published_at", Value: dir}}).
			SetHint(idxQuotesSpeaker).SetProjection(bson.D{{Key: "published_at", Value: 1}}), &d)
		if err != nil {
			return wrapErr("quote dates of "+p.ID, err)
		}
		if dir == 1 {
			p.FirstQuoted = d.Published.UTC()
		} else {
			p.LastQuoted = d.Published.UTC()
		}
	}
	// Outlets by $group, not distinct: FerretDB rejects the maxTimeMS the
	// driver adds to distinct when ctx has a deadline.
	cur, err = s.aggregate(ctx, collQuotes, mongo.Pipeline{
		{{Key: "$match", Value: f}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$outlet"}}}},
	}, byIndex)
	if err != nil {
		return wrapErr("outlets of "+p.ID, err)
	}
	var groups []struct {
		Outlet *string `bson:"_id"`
	}
	if err := cur.All(ctx, &groups); err != nil {
		return wrapErr("outlets of "+p.ID, err)
	}
	for _, g := range groups {
		if g.Outlet != nil && *g.Outlet != "" {
			p.Outlets = append(p.Outlets, *g.Outlet)
		}
	}
	slices.Sort(p.Outlets)
	return nil
}

// SearchSpeakers lists speakers whose name, alias or one of their words
// starts with prefix (folded), ordered by name; after is the cursor
// returned by the previous page ("" for the first). With a prefix the
// index search_keys answers (the matches sorted by name); without, the
// index normalized_name_id in its order.
func (s *Store) SearchSpeakers(ctx context.Context, prefix string, limit int, after string) ([]attribution.SpeakerProfile, string, error) {
	if limit < 1 || limit > MaxPageSize {
		return nil, "", fmt.Errorf("search speakers: %w", &attribution.FieldError{Field: "page_size", Reason: fmt.Sprintf("must be between 1 and %d", MaxPageSize)})
	}
	f, opts, err := searchSpeakersQuery(prefix, limit, after)
	if err != nil {
		return nil, "", err
	}
	cur, err := s.find(ctx, collSpeakers, f, opts)
	if err != nil {
		return nil, "", wrapErr("search speakers", err)
	}
	var docs []speakerDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, "", wrapErr("search speakers", err)
	}
	next := ""
	if len(docs) > limit {
		docs = docs[:limit]
		last := docs[len(docs)-1]
		next = last.NormalizedName + "\x00" + last.ID
	}
	out := make([]attribution.SpeakerProfile, len(docs))
	for i, d := range docs {
		out[i] = d.profile()
		if err := s.addFigures(ctx, &out[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// searchSpeakersQuery is the query of SearchSpeakers.
func searchSpeakersQuery(prefix string, limit int, after string) (bson.D, *options.FindOptionsBuilder, error) {
	key := attribution.NormalizeName(prefix)
	filter := bson.D{}
	hint := idxSpeakersName
	if key != "" {
		// An anchored, case-sensitive regular expression on folded keys
		// is a range scan of the index. Tombstones have no search keys.
		filter = append(filter, bson.E{Key: "search_keys", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(key)}}})
		hint = idxSpeakersSearchKeys
	} else {
		filter = append(filter, notMerged)
	}
	if after != "" {
		name, id, ok := strings.Cut(after, "\x00")
		if !ok {
			return nil, nil, fmt.Errorf("search speakers: %w", &attribution.FieldError{Field: "page_token", Reason: "is not a token this server issued"})
		}
		// The range term bounds the index scan; the $or only sorts out
		// the speakers of the same name.
		filter = append(filter,
			bson.E{Key: "normalized_name", Value: bson.D{{Key: "$gte", Value: name}}},
			bson.E{Key: "$or", Value: bson.A{
				bson.D{{Key: "normalized_name", Value: bson.D{{Key: "$gt", Value: name}}}},
				bson.D{{Key: "normalized_name", Value: name}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: id}}}},
			}})
	}
	opts := options.Find().SetSort(bson.D{{Key: "normalized_name", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit) + 1).SetHint(hint)
	return filter, opts, nil
}

// UpdateSpeaker changes a speaker's name, aliases or Wikidata id. With
// ifVersion > 0 the write happens only if the stored version is still
// ifVersion (else ErrPrecondition). A name, alias or Wikidata id that
// another speaker already has is ErrConflict. The old name stays as an
// alias, and the quotes of the speaker carry the new name.
//
// The change is one update guarded by the version read: of writers at
// once from the same version one wins, the others get ErrPrecondition.
// The name and the aliases become the speaker's keys, which the index
// keys_unique keeps unique: of two speakers given the same name or alias
// at once one gets ErrConflict.
func (s *Store) UpdateSpeaker(ctx context.Context, id string, p attribution.SpeakerPatch, ifVersion int64) (attribution.SpeakerProfile, error) {
	if err := p.Validate(); err != nil {
		return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: %w", id, err)
	}
	c := s.db.Collection(collSpeakers)
	var d speakerDoc
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}, notMerged}).Decode(&d); err != nil {
		return attribution.SpeakerProfile{}, wrapErr(fmt.Sprintf("update speaker %q", id), err)
	}
	if ifVersion > 0 && d.Version != ifVersion {
		return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: version %d, not %d: %w", id, d.Version, ifVersion, attribution.ErrPrecondition)
	}
	name, kept := attribution.EditNames(d.Name, d.Aliases, p)
	key := attribution.NormalizeName(name)
	if kept == nil {
		kept = []string{}
	}
	keys := speakerKeys(name, kept)
	wikidata := d.WikidataID
	if p.WikidataID != nil {
		wikidata = *p.WikidataID
	}
	newWikidata := ""
	if wikidata != d.WikidataID {
		newWikidata = wikidata
	}
	if err := s.checkKeysFree(ctx, id, key, keys, newWikidata); err != nil {
		return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: %w", id, err)
	}
	typ, roles := d.Type, d.Roles
	if p.Type != nil {
		typ = string(*p.Type)
	}
	if p.Roles != nil {
		roles = attribution.CleanRoles(*p.Roles)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	set := bson.D{
		{Key: "name", Value: name}, {Key: "normalized_name", Value: key}, {Key: "keys", Value: keys},
		{Key: "aliases", Value: kept}, {Key: "alias_keys", Value: attribution.AliasKeys(kept)},
		{Key: "search_keys", Value: attribution.SearchKeys(name, kept)}, {Key: "updated_at", Value: now},
		{Key: "type", Value: typ}, {Key: "roles", Value: roles},
	}
	if wikidata != "" {
		set = append(set, bson.E{Key: "wikidata_id", Value: wikidata})
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}
	if wikidata == "" && d.WikidataID != "" {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "wikidata_id", Value: ""}}})
	}
	res, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}, notMerged}, update)
	if mongo.IsDuplicateKeyError(err) {
		return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: its name or an alias was just given to another speaker: %w", id, attribution.ErrConflict)
	}
	if err != nil {
		return attribution.SpeakerProfile{}, wrapErr("update speaker "+id, err)
	}
	if res.MatchedCount == 0 {
		return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: changed meanwhile: %w", id, attribution.ErrPrecondition)
	}
	if name != d.Name {
		_, err := s.db.Collection(collQuotes).UpdateMany(ctx, bson.D{{Key: "speaker_id", Value: id}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "speaker.name", Value: name}}}})
		if err != nil {
			return attribution.SpeakerProfile{}, wrapErr("rename quotes of "+id, err)
		}
	}
	return s.GetSpeaker(ctx, id)
}
