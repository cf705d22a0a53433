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
type speakerDoc struct {
	ID             string    `bson:"_id"`
	Name           string    `bson:"name"`
	NormalizedName string    `bson:"normalized_name"` // unique
	Type           string    `bson:"type"`
	Aliases        []string  `bson:"aliases"`
	AliasKeys      []string  `bson:"alias_keys"`  // normalized aliases: look-up by alias
	SearchKeys     []string  `bson:"search_keys"` // names, aliases and their words, folded: prefix search
	Roles          []string  `bson:"roles"`
	WikidataID     string    `bson:"wikidata_id,omitempty"` // Wikidata item ("Q42"); absent when unknown
	Version        int64     `bson:"version"`
	UpdatedAt      time.Time `bson:"updated_at"`
}

// Limits of speaker edits.
const (
	MaxAliases   = 50
	MaxNameBytes = 200
)

func searchKeys(name string, aliases []string) []string {
	var keys []string
	for _, n := range append([]string{name}, aliases...) {
		words := attribution.FoldWords(n)
		if len(words) == 0 {
			continue
		}
		keys = append(keys, strings.Join(words, " "))
		keys = append(keys, words...)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

func aliasKeys(aliases []string) []string {
	keys := make([]string, 0, len(aliases))
	for _, a := range aliases {
		if k := attribution.NormalizeName(a); k != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
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

// speakerByKey finds the speaker whose normalized name or alias is key.
// An alias held by several speakers resolves to none (ambiguous).
func (s *Store) speakerByKey(ctx context.Context, key string) (speakerDoc, error) {
	var d speakerDoc
	// Most speakers still have the name they were created with, and their
	// id derives from it: an _id look-up, which the embedded store filters
	// inside SQLite (about 16 µs per document, measured) where it decodes
	// every document in Go for any other filter (about 170 µs each).
	err := s.db.Collection(collSpeakers).FindOne(ctx, bson.D{{Key: "_id", Value: attribution.SpeakerID(key)}}).Decode(&d)
	if err == nil && d.NormalizedName == key {
		return d, nil
	}
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return d, wrapErr("find speaker", err)
	}
	err = s.db.Collection(collSpeakers).FindOne(ctx, bson.D{{Key: "normalized_name", Value: key}}).Decode(&d)
	if err == nil {
		return d, nil
	}
	if !errors.Is(err, mongo.ErrNoDocuments) {
		return d, wrapErr("find speaker", err)
	}
	cur, err := s.db.Collection(collSpeakers).Find(ctx, bson.D{{Key: "alias_keys", Value: key}}, options.Find().SetLimit(2))
	if err != nil {
		return d, wrapErr("find speaker", err)
	}
	var docs []speakerDoc
	if err := cur.All(ctx, &docs); err != nil {
		return d, wrapErr("find speaker", err)
	}
	if len(docs) != 1 {
		return d, fmt.Errorf("find speaker %q: %w", key, attribution.ErrNotFound)
	}
	return docs[0], nil
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
	now := time.Now().UTC().Truncate(time.Millisecond)
	if id == "" {
		id = attribution.SpeakerID(name)
		// Upsert by id: two articles naming the same new speaker at once
		// create it once.
		_, err := s.db.Collection(collSpeakers).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
			bson.D{{Key: "$setOnInsert", Value: speakerDoc{
				ID: id, Name: name, NormalizedName: key, Type: string(typ),
				Aliases: []string{}, AliasKeys: []string{}, SearchKeys: searchKeys(name, nil), Roles: []string{},
				Version: 1, UpdatedAt: now,
			}}}, options.UpdateOne().SetUpsert(true))
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return "", wrapErr("create speaker "+name, err)
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
			bson.E{Key: "alias_keys", Value: bson.D{{Key: "$each", Value: aliasKeys(newAliases)}}},
			bson.E{Key: "search_keys", Value: bson.D{{Key: "$each", Value: searchKeys(newAliases[0], newAliases[1:])}}})
	}
	if _, err := s.db.Collection(collSpeakers).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$addToSet", Value: add}}); err != nil {
		return "", wrapErr("update speaker "+name, err)
	}
	return id, nil
}

// GetSpeaker returns a speaker with figures computed from its quotes.
func (s *Store) GetSpeaker(ctx context.Context, id string) (attribution.SpeakerProfile, error) {
	var d speakerDoc
	if err := s.db.Collection(collSpeakers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
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
func (s *Store) LookupSpeaker(ctx context.Context, id string) (attribution.SpeakerProfile, error) {
	var d speakerDoc
	if err := s.db.Collection(collSpeakers).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return attribution.SpeakerProfile{}, wrapErr(fmt.Sprintf("get speaker %q", id), err)
	}
	return d.profile(), nil
}

// ResolveSpeaker finds a speaker by id, else by name or alias.
func (s *Store) ResolveSpeaker(ctx context.Context, idOrName string) (attribution.SpeakerProfile, error) {
	if strings.HasPrefix(idOrName, "spk_") {
		p, err := s.GetSpeaker(ctx, idOrName)
		if !errors.Is(err, attribution.ErrNotFound) {
			return p, err
		}
	}
	d, err := s.speakerByKey(ctx, attribution.NormalizeName(idOrName))
	if err != nil {
		return attribution.SpeakerProfile{}, err
	}
	p := d.profile()
	if err := s.addFigures(ctx, &p); err != nil {
		return attribution.SpeakerProfile{}, err
	}
	return p, nil
}

// ResolveSpeakerID is ResolveSpeaker without the figures: the speaker's id
// only, which is all a quote listing needs. The figures cost one pass over
// the speaker's quotes each (a scan of every quote on the embedded store).
func (s *Store) ResolveSpeakerID(ctx context.Context, idOrName string) (string, error) {
	if strings.HasPrefix(idOrName, "spk_") {
		var d struct {
			ID string `bson:"_id"`
		}
		err := s.db.Collection(collSpeakers).FindOne(ctx, bson.D{{Key: "_id", Value: idOrName}},
			options.FindOne().SetProjection(bson.D{{Key: "_id", Value: 1}})).Decode(&d)
		if err == nil {
			return d.ID, nil
		}
		if !errors.Is(err, mongo.ErrNoDocuments) {
			return "", wrapErr(fmt.Sprintf("get speaker %q", idOrName), err)
		}
	}
	d, err := s.speakerByKey(ctx, attribution.NormalizeName(idOrName))
	if err != nil {
		return "", err
	}
	return d.ID, nil
}

// addFigures counts a speaker's quotes and finds the first and last quoted
// dates and the outlets, from the quotes themselves (hidden ones left
// out): counts stay right when articles are deleted, speakers merged or
// quotes corrected. On MongoDB each is one query on the speaker_id index.
func (s *Store) addFigures(ctx context.Context, p *attribution.SpeakerProfile) error {
	c := s.db.Collection(collQuotes)
	f := bson.D{{Key: "speaker_id", Value: p.ID}, notHidden}
	// Counts by kind in one pass over the speaker's quotes.
	cur, err := c.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: f}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$kind"}, {Key: "n", Value: bson.D{{Key: "$sum", Value: 1}}}}}},
	})
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
		err := c.FindOne(ctx, f, options.FindOne().SetSort(bson.D{{Key: "speaker_id", Value: 1}, {Key: "published_at", Value: dir}})).Decode(&d)
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
	cur, err = c.Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: f}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$outlet"}}}},
	})
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
// returned by the previous page ("" for the first).
func (s *Store) SearchSpeakers(ctx context.Context, prefix string, limit int, after string) ([]attribution.SpeakerProfile, string, error) {
	if limit < 1 || limit > MaxPageSize {
		return nil, "", fmt.Errorf("search speakers: %w", &attribution.FieldError{Field: "page_size", Reason: fmt.Sprintf("must be between 1 and %d", MaxPageSize)})
	}
	key := attribution.NormalizeName(prefix)
	filter := bson.D{}
	if key != "" {
		// An anchored, case-sensitive regular expression on folded keys
		// uses the search_keys index on MongoDB.
		filter = append(filter, bson.E{Key: "search_keys", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(key)}}})
	}
	if after != "" {
		name, id, ok := strings.Cut(after, "\x00")
		if !ok {
			return nil, "", fmt.Errorf("search speakers: %w", &attribution.FieldError{Field: "page_token", Reason: "is not a token this server issued"})
		}
		filter = append(filter, bson.E{Key: "$or", Value: bson.A{
			bson.D{{Key: "normalized_name", Value: bson.D{{Key: "$gt", Value: name}}}},
			bson.D{{Key: "normalized_name", Value: name}, {Key: "_id", Value: bson.D{{Key: "$gt", Value: id}}}},
		}})
	}
	cur, err := s.db.Collection(collSpeakers).Find(ctx, filter,
		options.Find().SetSort(bson.D{{Key: "normalized_name", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(limit)+1))
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

func validatePatch(p attribution.SpeakerPatch) error {
	var errs []error
	if p.Name != nil {
		switch n := strings.TrimSpace(*p.Name); {
		case attribution.NormalizeName(n) == "":
			errs = append(errs, &attribution.FieldError{Field: "name", Reason: "must hold a letter or digit"})
		case len(n) > MaxNameBytes:
			errs = append(errs, &attribution.FieldError{Field: "name", Reason: fmt.Sprintf("must be at most %d bytes", MaxNameBytes)})
		}
	}
	if p.Aliases != nil {
		if len(*p.Aliases) > MaxAliases {
			errs = append(errs, &attribution.FieldError{Field: "aliases", Reason: fmt.Sprintf("must hold at most %d aliases", MaxAliases)})
		}
		for i, a := range *p.Aliases {
			if attribution.NormalizeName(a) == "" || len(a) > MaxNameBytes {
				errs = append(errs, &attribution.FieldError{Field: fmt.Sprintf("aliases[%d]", i), Reason: fmt.Sprintf("must hold a letter or digit and be at most %d bytes", MaxNameBytes)})
			}
		}
	}
	if p.WikidataID != nil && *p.WikidataID != "" && !attribution.ValidWikidataID(*p.WikidataID) {
		errs = append(errs, &attribution.FieldError{Field: "wikidata_id", Reason: "must be a Wikidata item id: Q and a number, such as Q3874799"})
	}
	return errors.Join(errs...)
}

// UpdateSpeaker changes a speaker's name, aliases or Wikidata id. With
// ifVersion > 0 the write happens only if the stored version is still
// ifVersion (else ErrPrecondition). A name, alias or Wikidata id that
// another speaker already has is ErrConflict. The old name stays as an
// alias, and the quotes of the speaker carry the new name.
func (s *Store) UpdateSpeaker(ctx context.Context, id string, p attribution.SpeakerPatch, ifVersion int64) (attribution.SpeakerProfile, error) {
	if err := validatePatch(p); err != nil {
		return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: %w", id, err)
	}
	c := s.db.Collection(collSpeakers)
	var d speakerDoc
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
		return attribution.SpeakerProfile{}, wrapErr(fmt.Sprintf("update speaker %q", id), err)
	}
	if ifVersion > 0 && d.Version != ifVersion {
		return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: version %d, not %d: %w", id, d.Version, ifVersion, attribution.ErrPrecondition)
	}
	name, aliases := d.Name, d.Aliases
	if p.Aliases != nil {
		aliases = append([]string(nil), (*p.Aliases)...)
	}
	if p.Name != nil && strings.TrimSpace(*p.Name) != d.Name {
		name = strings.TrimSpace(*p.Name)
		if attribution.NormalizeName(name) != d.NormalizedName && !slices.Contains(aliases, d.Name) {
			aliases = append(aliases, d.Name) // the old name still finds the speaker
		}
	}
	key := attribution.NormalizeName(name)
	// Drop aliases equal to the name; keep the first spelling of each.
	var kept []string
	seen := map[string]bool{key: true}
	for _, a := range aliases {
		if k := attribution.NormalizeName(a); !seen[k] {
			seen[k] = true
			kept = append(kept, strings.TrimSpace(a))
		}
	}
	if kept == nil {
		kept = []string{}
	}
	// Names and aliases must not collide with another speaker's.
	for _, k := range append([]string{key}, aliasKeys(kept)...) {
		n, err := c.CountDocuments(ctx, bson.D{
			{Key: "_id", Value: bson.D{{Key: "$ne", Value: id}}},
			{Key: "$or", Value: bson.A{bson.D{{Key: "normalized_name", Value: k}}, bson.D{{Key: "alias_keys", Value: k}}}},
		})
		if err != nil {
			return attribution.SpeakerProfile{}, wrapErr("update speaker "+id, err)
		}
		if n > 0 {
			field := "aliases"
			if k == key {
				field = "name"
			}
			return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: %s %q belongs to another speaker: %w", id, field, k, attribution.ErrConflict)
		}
	}
	wikidata := d.WikidataID
	if p.WikidataID != nil {
		wikidata = *p.WikidataID
	}
	// One Wikidata item is one speaker: another speaker with it is the
	// same person, to be merged.
	if wikidata != "" && wikidata != d.WikidataID {
		n, err := c.CountDocuments(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$ne", Value: id}}}, {Key: "wikidata_id", Value: wikidata}})
		if err != nil {
			return attribution.SpeakerProfile{}, wrapErr("update speaker "+id, err)
		}
		if n > 0 {
			return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: wikidata_id %s belongs to another speaker: %w", id, wikidata, attribution.ErrConflict)
		}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	set := bson.D{
		{Key: "name", Value: name}, {Key: "normalized_name", Value: key},
		{Key: "aliases", Value: kept}, {Key: "alias_keys", Value: aliasKeys(kept)},
		{Key: "search_keys", Value: searchKeys(name, kept)}, {Key: "updated_at", Value: now},
	}
	if wikidata != "" {
		set = append(set, bson.E{Key: "wikidata_id", Value: wikidata})
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}}
	if wikidata == "" && d.WikidataID != "" {
		update = append(update, bson.E{Key: "$unset", Value: bson.D{{Key: "wikidata_id", Value: ""}}})
	}
	res, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}, update)
	if err != nil {
		return attribution.SpeakerProfile{}, wrapErr("update speaker "+id, err)
	}
	if res.MatchedCount == 0 {
		return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: changed meanwhile: %w", id, attribution.ErrPrecondition)
	}
	if name != d.Name {
		s.quoteWrites.Lock() // not at once with a correction (see Store.quoteWrites)
		_, err := s.db.Collection(collQuotes).UpdateMany(ctx, bson.D{{Key: "speaker_id", Value: id}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "speaker.name", Value: name}}}})
		s.quoteWrites.Unlock()
		if err != nil {
			return attribution.SpeakerProfile{}, wrapErr("rename quotes of "+id, err)
		}
	}
	return s.GetSpeaker(ctx, id)
}

// MergeSpeakers moves the quotes of the speakers from into speaker id,
// adds their names, aliases and roles to it and deletes them. Each step is
// idempotent, so a merge cut short can be repeated. The speaker keeps its
// Wikidata id; without one it takes that of the merged speakers when
// those that have one all have the same (mergedWikidataID).
func (s *Store) MergeSpeakers(ctx context.Context, id string, from []string) (attribution.SpeakerProfile, error) {
	if len(from) == 0 {
		return attribution.SpeakerProfile{}, fmt.Errorf("merge into %s: %w", id, &attribution.FieldError{Field: "from", Reason: "must name at least one speaker"})
	}
	c := s.db.Collection(collSpeakers)
	var into speakerDoc
	if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&into); err != nil {
		return attribution.SpeakerProfile{}, wrapErr(fmt.Sprintf("merge into %q", id), err)
	}
	var srcs []speakerDoc
	for i, f := range from {
		if f == id {
			return attribution.SpeakerProfile{}, fmt.Errorf("merge into %s: %w", id, &attribution.FieldError{Field: fmt.Sprintf("from[%d]", i), Reason: "is the speaker merged into"})
		}
		var d speakerDoc
		if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: f}}).Decode(&d); err != nil {
			return attribution.SpeakerProfile{}, wrapErr(fmt.Sprintf("merge speaker %q", f), err)
		}
		srcs = append(srcs, d)
	}
	aliases, roles := append([]string(nil), into.Aliases...), append([]string(nil), into.Roles...)
	for _, d := range srcs {
		aliases = append(aliases, d.Name)
		aliases = append(aliases, d.Aliases...)
		roles = append(roles, d.Roles...)
	}
	var kept []string
	seen := map[string]bool{into.NormalizedName: true}
	for _, a := range aliases {
		if k := attribution.NormalizeName(a); k != "" && !seen[k] {
			seen[k] = true
			kept = append(kept, a)
		}
	}
	slices.Sort(roles)
	roles = slices.Compact(roles)
	for _, d := range srcs {
		s.quoteWrites.Lock() // not at once with a correction (see Store.quoteWrites)
		_, err := s.db.Collection(collQuotes).UpdateMany(ctx, bson.D{{Key: "speaker_id", Value: d.ID}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "speaker_id", Value: id}, {Key: "speaker.name", Value: into.Name}}}})
		s.quoteWrites.Unlock()
		if err != nil {
			return attribution.SpeakerProfile{}, wrapErr("move quotes of "+d.ID, err)
		}
		// Delete before adding its name as an alias, so no key is held twice.
		if _, err := c.DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ID}}); err != nil {
			return attribution.SpeakerProfile{}, wrapErr("delete merged speaker "+d.ID, err)
		}
	}
	if kept == nil {
		kept = []string{}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	set := bson.D{
		{Key: "aliases", Value: kept}, {Key: "alias_keys", Value: aliasKeys(kept)},
		{Key: "search_keys", Value: searchKeys(into.Name, kept)}, {Key: "roles", Value: roles},
		{Key: "updated_at", Value: now},
	}
	if w := mergedWikidataID(into, srcs); w != into.WikidataID {
		set = append(set, bson.E{Key: "wikidata_id", Value: w})
	}
	if _, err := c.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{
		{Key: "$set", Value: set},
		{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}},
	}); err != nil {
		return attribution.SpeakerProfile{}, wrapErr("merge into "+id, err)
	}
	return s.GetSpeaker(ctx, id)
}

// mergedWikidataID is the Wikidata id of a speaker after merging srcs into
// it: its own if it has one; else the one the merged speakers that have
// one agree on; else none (no merged speaker has one, or they disagree,
// and an editor must choose).
func mergedWikidataID(into speakerDoc, srcs []speakerDoc) string {
	if into.WikidataID != "" {
		return into.WikidataID
	}
	found := ""
	for _, d := range srcs {
		switch {
		case d.WikidataID == "":
		case found == "":
			found = d.WikidataID
		case found != d.WikidataID:
			return ""
		}
	}
	return found
}
