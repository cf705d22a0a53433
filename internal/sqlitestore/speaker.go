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
)

const speakerColumns = "id, name, normalized_name, type, aliases, roles, wikidata_id, version, updated_at"

type speakerRow struct {
	attribution.SpeakerProfile
	key string
}

func scanSpeaker(row interface{ Scan(...any) error }) (speakerRow, error) {
	var r speakerRow
	var typ, aliases, roles string
	var wikidata sql.NullString
	var updated int64
	if err := row.Scan(&r.ID, &r.Name, &r.key, &typ, &aliases, &roles, &wikidata, &r.Version, &updated); err != nil {
		return r, err
	}
	r.Type = attribution.SpeakerType(typ)
	r.WikidataID = wikidata.String
	r.UpdatedAt = fromMS(updated)
	if err := json.Unmarshal([]byte(aliases), &r.Aliases); err != nil {
		return r, fmt.Errorf("speaker %s: aliases: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(roles), &r.Roles); err != nil {
		return r, fmt.Errorf("speaker %s: roles: %w", r.ID, err)
	}
	if r.Aliases == nil {
		r.Aliases = []string{}
	}
	if r.Roles == nil {
		r.Roles = []string{}
	}
	r.Outlets = []string{}
	r.Counts = map[attribution.Kind]int{attribution.KindDirect: 0, attribution.KindMixed: 0, attribution.KindIndirect: 0}
	return r, nil
}

func getSpeaker(ctx context.Context, q queryer, id string) (speakerRow, error) {
	return scanSpeaker(q.QueryRowContext(ctx, "SELECT "+speakerColumns+" FROM speakers WHERE id = ?", id))
}

// speakerIDByKey finds the speaker whose normalized name is key, else the
// one speaker with that alias; an alias held by several speakers resolves
// to none (ambiguous).
func speakerIDByKey(ctx context.Context, q queryer, key string) (string, error) {
	rows, err := q.QueryContext(ctx, "SELECT speaker_id, is_alias FROM speaker_keys WHERE key = ? ORDER BY is_alias, speaker_id LIMIT 2", key)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		var alias bool
		if err := rows.Scan(&id, &alias); err != nil {
			return "", err
		}
		if !alias {
			return id, nil
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(ids) != 1 {
		return "", fmt.Errorf("find speaker %q: %w", key, attribution.ErrNotFound)
	}
	return ids[0], nil
}

// writeKeys replaces the resolution and search keys of a speaker.
func writeKeys(ctx context.Context, tx *wtx, id, name string, aliases []string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM speaker_keys WHERE speaker_id = ?", id); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM speaker_search WHERE speaker_id = ?", id); err != nil {
		return err
	}
	key := attribution.NormalizeName(name)
	if _, err := tx.ExecContext(ctx, "INSERT INTO speaker_keys (key, speaker_id, is_alias) VALUES (?, ?, 0)", key, id); err != nil {
		return err
	}
	for _, k := range attribution.AliasKeys(aliases) {
		if k == key {
			continue
		}
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO speaker_keys (key, speaker_id, is_alias) VALUES (?, ?, 1)", k, id); err != nil {
			return err
		}
	}
	for _, k := range attribution.SearchKeys(name, aliases) {
		if _, err := tx.ExecContext(ctx, "INSERT OR IGNORE INTO speaker_search (key, speaker_id) VALUES (?, ?)", k, id); err != nil {
			return err
		}
	}
	return nil
}

func marshalList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// ensureSpeaker returns the id of the speaker named name, creating it when
// no speaker has that name or (unambiguous) alias; new roles and aliases
// (other names the article used for it) are added.
func ensureSpeaker(ctx context.Context, tx *wtx, name string, typ attribution.SpeakerType, roles, aliases []string) (string, error) {
	key := attribution.NormalizeName(name)
	if key == "" {
		return "", nil
	}
	id, err := speakerIDByKey(ctx, tx, key)
	if errors.Is(err, attribution.ErrNotFound) {
		return createSpeaker(ctx, tx, name, typ, roles, aliases)
	}
	if err != nil {
		return "", err
	}
	sp, err := getSpeaker(ctx, tx, id)
	if err != nil {
		return "", err
	}
	newRoles := slices.Clone(sp.Roles)
	for _, r := range roles {
		if !slices.Contains(newRoles, r) {
			newRoles = append(newRoles, r)
		}
	}
	newAliases := slices.Clone(sp.Aliases)
	have := map[string]bool{sp.key: true}
	for _, k := range attribution.AliasKeys(sp.Aliases) {
		have[k] = true
	}
	for _, a := range aliases {
		if k := attribution.NormalizeName(a); k != "" && !have[k] {
			have[k] = true
			newAliases = append(newAliases, a)
		}
	}
	if len(newRoles) == len(sp.Roles) && len(newAliases) == len(sp.Aliases) {
		return id, nil
	}
	slices.Sort(newRoles)
	if _, err := tx.ExecContext(ctx, "UPDATE speakers SET roles = ?, aliases = ? WHERE id = ?", marshalList(newRoles), marshalList(newAliases), id); err != nil {
		return "", err
	}
	if len(newAliases) != len(sp.Aliases) {
		if err := writeKeys(ctx, tx, id, sp.Name, newAliases); err != nil {
			return "", err
		}
	}
	return id, nil
}

// createSpeaker stores a new speaker under the id its name gives (or, when
// that id is taken by a speaker since renamed, the next free variant).
func createSpeaker(ctx context.Context, tx *wtx, name string, typ attribution.SpeakerType, roles, aliases []string) (string, error) {
	key := attribution.NormalizeName(name)
	var kept []string
	seen := map[string]bool{key: true}
	for _, a := range aliases {
		if k := attribution.NormalizeName(a); k != "" && !seen[k] {
			seen[k] = true
			kept = append(kept, a)
		}
	}
	roles = slices.Clone(roles)
	slices.Sort(roles)
	roles = slices.Compact(roles)
	id := attribution.SpeakerID(name)
	for i := 2; ; i++ {
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM speakers WHERE id = ?", id).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			break
		}
		if err != nil {
			return "", err
		}
		id = attribution.SpeakerID(fmt.Sprintf("%s %d", key, i))
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO speakers (id, name, normalized_name, type, aliases, roles, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
		id, name, key, string(typ), marshalList(kept), marshalList(roles), ms(now())); err != nil {
		return "", err
	}
	return id, writeKeys(ctx, tx, id, name, kept)
}

// addFigures reads a speaker's figures: counts by kind and outlets from
// speaker_figures, first and last quoted from the ends of quotes_speaker.
func addFigures(ctx context.Context, q queryer, p *attribution.SpeakerProfile) error {
	rows, err := q.QueryContext(ctx, "SELECT kind, outlet, n FROM speaker_figures WHERE speaker_id = ? AND n > 0", p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	p.Counts = map[attribution.Kind]int{attribution.KindDirect: 0, attribution.KindMixed: 0, attribution.KindIndirect: 0}
	p.QuoteCount = 0
	p.Outlets = []string{}
	for rows.Next() {
		var kind, outlet string
		var n int
		if err := rows.Scan(&kind, &outlet, &n); err != nil {
			return err
		}
		p.Counts[attribution.Kind(kind)] += n
		p.QuoteCount += n
		if outlet != "" && !slices.Contains(p.Outlets, outlet) {
			p.Outlets = append(p.Outlets, outlet)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	slices.Sort(p.Outlets)
	if p.QuoteCount == 0 {
		return nil
	}
	var first, last sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT published_at FROM quotes INDEXED BY quotes_speaker WHERE speaker_id = ? AND hidden = 0 ORDER BY published_at LIMIT 1", p.ID).Scan(&first); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if err := q.QueryRowContext(ctx, "SELECT published_at FROM quotes INDEXED BY quotes_speaker WHERE speaker_id = ? AND hidden = 0 ORDER BY published_at DESC LIMIT 1", p.ID).Scan(&last); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if first.Valid {
		p.FirstQuoted = fromMS(first.Int64)
	}
	if last.Valid {
		p.LastQuoted = fromMS(last.Int64)
	}
	return nil
}

// GetSpeaker returns a speaker with its figures.
func (s *Store) GetSpeaker(ctx context.Context, id string) (attribution.SpeakerProfile, error) {
	sp, err := getSpeaker(ctx, s.r, id)
	if err == nil {
		err = addFigures(ctx, s.r, &sp.SpeakerProfile)
	}
	return sp.SpeakerProfile, wrapErr(fmt.Sprintf("get speaker %q", id), err)
}

// LookupSpeaker returns a speaker without its figures.
func (s *Store) LookupSpeaker(ctx context.Context, id string) (attribution.SpeakerProfile, error) {
	sp, err := getSpeaker(ctx, s.r, id)
	return sp.SpeakerProfile, wrapErr(fmt.Sprintf("get speaker %q", id), err)
}

// ResolveSpeaker finds a speaker by id, else by name or alias.
func (s *Store) ResolveSpeaker(ctx context.Context, idOrName string) (attribution.SpeakerProfile, error) {
	id, err := s.ResolveSpeakerID(ctx, idOrName)
	if err != nil {
		return attribution.SpeakerProfile{}, err
	}
	return s.GetSpeaker(ctx, id)
}

// ResolveSpeakerID is ResolveSpeaker without the figures.
func (s *Store) ResolveSpeakerID(ctx context.Context, idOrName string) (string, error) {
	if strings.HasPrefix(idOrName, "spk_") {
		var id string
		err := s.r.QueryRowContext(ctx, "SELECT id FROM speakers WHERE id = ?", idOrName).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", wrapErr(fmt.Sprintf("get speaker %q", idOrName), err)
		}
	}
	keys, surname := attribution.ResolutionKeys(idOrName)
	for _, k := range keys {
		id, err := speakerIDByKey(ctx, s.r, k)
		if !errors.Is(err, attribution.ErrNotFound) {
			return id, wrapErr("resolve speaker", err)
		}
	}
	if surname != "" {
		id, err := speakerBySurname(ctx, s.r, surname)
		return id, wrapErr("resolve speaker", err)
	}
	return "", wrapErr("resolve speaker", fmt.Errorf("no speaker named %q: %w", idOrName, attribution.ErrNotFound))
}

// surnameLimit bounds the speakers a surname look-up reads: more than one
// whose name ends in it is ambiguous anyway.
const surnameLimit = 8

// speakerBySurname finds the one speaker whose name ends in the word
// surname ("Wollaston" for Sarah Wollaston, whose articles wrote "Dr
// Sarah Wollaston"); none, or several, is ErrNotFound.
func speakerBySurname(ctx context.Context, q queryer, surname string) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT s.id, s.name FROM speaker_search k JOIN speakers s ON s.id = k.speaker_id
		WHERE k.key = ? LIMIT ?`, surname, surnameLimit)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var found []string
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return "", err
		}
		if attribution.Surname(name) == surname {
			found = append(found, id)
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(found) != 1 {
		return "", fmt.Errorf("surname %q names %d speakers: %w", surname, len(found), attribution.ErrNotFound)
	}
	return found[0], nil
}

// CreateSpeaker stores a speaker an editor made (name, type, roles,
// aliases, Wikidata id), in one transaction. A name, alias or Wikidata id
// that another speaker has is ErrConflict.
func (s *Store) CreateSpeaker(ctx context.Context, n attribution.NewSpeaker) (attribution.SpeakerProfile, error) {
	if err := n.Validate(); err != nil {
		return attribution.SpeakerProfile{}, fmt.Errorf("create speaker: %w", err)
	}
	name, kept := attribution.EditNames(strings.TrimSpace(n.Name), nil, attribution.SpeakerPatch{Aliases: &n.Aliases})
	var id string
	err := s.tx(ctx, func(tx *wtx) error {
		if err := checkKeysFree(ctx, tx, "", name, kept, n.WikidataID); err != nil {
			return err
		}
		var err error
		if id, err = createSpeaker(ctx, tx, name, n.Type, attribution.CleanRoles(n.Roles), kept); err != nil {
			return err
		}
		if n.WikidataID != "" {
			_, err = tx.ExecContext(ctx, "UPDATE speakers SET wikidata_id = ? WHERE id = ?", n.WikidataID, id)
		}
		return err
	})
	if err != nil {
		return attribution.SpeakerProfile{}, wrapErr("create speaker", err)
	}
	return s.GetSpeaker(ctx, id)
}

// checkKeysFree fails with ErrConflict when a name or alias (normalized)
// or the Wikidata id belongs to a speaker other than id.
func checkKeysFree(ctx context.Context, tx *wtx, id, name string, aliases []string, wikidata string) error {
	key := attribution.NormalizeName(name)
	for _, k := range append([]string{key}, attribution.AliasKeys(aliases)...) {
		var other string
		err := tx.QueryRowContext(ctx, "SELECT speaker_id FROM speaker_keys WHERE key = ? AND speaker_id <> ? LIMIT 1", k, id).Scan(&other)
		if err == nil {
			field := "aliases"
			if k == key {
				field = "name"
			}
			return fmt.Errorf("%s %q belongs to another speaker: %w", field, k, attribution.ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	if wikidata != "" {
		var other string
		err := tx.QueryRowContext(ctx, "SELECT id FROM speakers WHERE wikidata_id = ? AND id <> ?", wikidata, id).Scan(&other)
		if err == nil {
			return fmt.Errorf("wikidata_id %s belongs to another speaker: %w", wikidata, attribution.ErrConflict)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	return nil
}

// SearchSpeakers lists speakers whose name, alias or one of their words
// starts with prefix (folded), ordered by normalized name then id; after
// is the cursor the previous page returned.
func (s *Store) SearchSpeakers(ctx context.Context, prefix string, limit int, after string) ([]attribution.SpeakerProfile, string, error) {
	if limit < 1 || limit > MaxPageSize {
		return nil, "", fmt.Errorf("search speakers: %w", &attribution.FieldError{Field: "page_size", Reason: fmt.Sprintf("must be between 1 and %d", MaxPageSize)})
	}
	var where []string
	var args []any
	if key := attribution.NormalizeName(prefix); key != "" {
		// The range [key, key+U+10FFFF) is every key starting with key.
		where = append(where, "id IN (SELECT speaker_id FROM speaker_search WHERE key >= ? AND key < ?)")
		args = append(args, key, key+"\U0010FFFF")
	}
	if after != "" {
		name, id, ok := strings.Cut(after, "\x00")
		if !ok {
			return nil, "", fmt.Errorf("search speakers: %w", &attribution.FieldError{Field: "page_token", Reason: "is not a token this server issued"})
		}
		where = append(where, "(normalized_name > ? OR (normalized_name = ? AND id > ?))")
		args = append(args, name, name, id)
	}
	query := "SELECT " + speakerColumns + " FROM speakers"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit+1)
	rows, err := s.r.QueryContext(ctx, query+" ORDER BY normalized_name, id LIMIT ?", args...)
	if err != nil {
		return nil, "", wrapErr("search speakers", err)
	}
	var found []speakerRow
	for rows.Next() {
		sp, err := scanSpeaker(rows)
		if err != nil {
			rows.Close()
			return nil, "", wrapErr("search speakers", err)
		}
		found = append(found, sp)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", wrapErr("search speakers", err)
	}
	next := ""
	if len(found) > limit {
		found = found[:limit]
		last := found[len(found)-1]
		next = last.key + "\x00" + last.ID
	}
	out := make([]attribution.SpeakerProfile, len(found))
	for i := range found {
		out[i] = found[i].SpeakerProfile
		if err := addFigures(ctx, s.r, &out[i]); err != nil {
			return nil, "", wrapErr("search speakers", err)
		}
	}
	return out, next, nil
}

// UpdateSpeaker changes a speaker's name, aliases, Wikidata id, type or
// roles in one transaction. With ifVersion > 0 the write happens only if
// the stored version is still ifVersion (else ErrPrecondition). A name,
// alias or Wikidata id that another speaker already has is ErrConflict.
// The old name stays as an alias only with p.KeepOldName, and the quotes
// of the speaker carry the new name.
func (s *Store) UpdateSpeaker(ctx context.Context, id string, p attribution.SpeakerPatch, ifVersion int64) (attribution.SpeakerProfile, error) {
	if err := p.Validate(); err != nil {
		return attribution.SpeakerProfile{}, fmt.Errorf("update speaker %s: %w", id, err)
	}
	err := s.tx(ctx, func(tx *wtx) error {
		d, err := getSpeaker(ctx, tx, id)
		if err != nil {
			return err
		}
		if ifVersion > 0 && d.Version != ifVersion {
			return fmt.Errorf("the speaker changed since version %d: %w", ifVersion, attribution.ErrPrecondition)
		}
		name, kept := attribution.EditNames(d.Name, d.Aliases, p)
		key := attribution.NormalizeName(name)
		wikidata := d.WikidataID
		if p.WikidataID != nil {
			wikidata = *p.WikidataID
		}
		// Names, aliases and the Wikidata id must not be another speaker's.
		newWikidata := ""
		if wikidata != d.WikidataID {
			newWikidata = wikidata
		}
		if err := checkKeysFree(ctx, tx, id, name, kept, newWikidata); err != nil {
			return err
		}
		typ, roles := d.Type, d.Roles
		if p.Type != nil {
			typ = *p.Type
		}
		if p.Roles != nil {
			roles = attribution.CleanRoles(*p.Roles)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE speakers SET name = ?, normalized_name = ?, aliases = ?, wikidata_id = ?, type = ?, roles = ?, version = version + 1, updated_at = ? WHERE id = ?",
			name, key, marshalList(kept), nullString(wikidata), string(typ), marshalList(roles), ms(now()), id); err != nil {
			return err
		}
		if err := writeKeys(ctx, tx, id, name, kept); err != nil {
			return err
		}
		if name != d.Name {
			return renameQuotes(ctx, tx, id, name)
		}
		return nil
	})
	if err != nil {
		return attribution.SpeakerProfile{}, wrapErr("update speaker "+id, err)
	}
	return s.GetSpeaker(ctx, id)
}

// renameQuotes gives the quotes of speaker id its new name.
func renameQuotes(ctx context.Context, tx *wtx, id, name string) error {
	_, err := tx.ExecContext(ctx, "UPDATE quotes SET speaker = json_set(speaker, '$.name', ?) WHERE speaker IS NOT NULL AND rowid IN ("+
		speakerQuotes+")", name, id, id)
	return err
}

// speakerQuotes selects the rowids of the quotes of a speaker (its id
// twice), shown and hidden, from the two partial indexes that hold them:
// no index of all quotes by speaker is kept up at every insert.
const speakerQuotes = `SELECT rowid FROM quotes INDEXED BY quotes_speaker WHERE speaker_id = ? AND hidden = 0
	UNION ALL SELECT rowid FROM quotes INDEXED BY quotes_hidden WHERE speaker_id = ? AND hidden = 1`

// MergeSpeakers moves the quotes of the speakers from into speaker id,
// adds their names, aliases and roles to it and deletes them, in one
// transaction. The speaker keeps its Wikidata id; without one it takes
// that of the merged speakers when those that have one all agree.
func (s *Store) MergeSpeakers(ctx context.Context, id string, from []string) (attribution.SpeakerProfile, error) {
	if len(from) == 0 {
		return attribution.SpeakerProfile{}, fmt.Errorf("merge into %s: %w", id, &attribution.FieldError{Field: "from", Reason: "must name at least one speaker"})
	}
	for i, f := range from {
		if f == id {
			return attribution.SpeakerProfile{}, fmt.Errorf("merge into %s: %w", id, &attribution.FieldError{Field: fmt.Sprintf("from[%d]", i), Reason: "is the speaker merged into"})
		}
	}
	err := s.tx(ctx, func(tx *wtx) error {
		into, err := getSpeaker(ctx, tx, id)
		if err != nil {
			return fmt.Errorf("merge into %q: %w", id, err)
		}
		var srcs []speakerRow
		for _, f := range from {
			if slices.ContainsFunc(srcs, func(r speakerRow) bool { return r.ID == f }) {
				continue
			}
			d, err := getSpeaker(ctx, tx, f)
			if err != nil {
				return fmt.Errorf("merge speaker %q: %w", f, err)
			}
			srcs = append(srcs, d)
		}
		aliases, roles := slices.Clone(into.Aliases), slices.Clone(into.Roles)
		for _, d := range srcs {
			aliases = append(aliases, d.Name)
			aliases = append(aliases, d.Aliases...)
			roles = append(roles, d.Roles...)
		}
		var kept []string
		seen := map[string]bool{into.key: true}
		for _, a := range aliases {
			if k := attribution.NormalizeName(a); k != "" && !seen[k] {
				seen[k] = true
				kept = append(kept, a)
			}
		}
		slices.Sort(roles)
		roles = slices.Compact(roles)
		from := make([]string, len(srcs))
		for i, d := range srcs {
			from[i] = d.WikidataID
		}
		wikidata := attribution.MergedWikidataID(into.WikidataID, from)
		for _, d := range srcs {
			if _, err := tx.ExecContext(ctx, `UPDATE quotes SET speaker_id = ?, speaker = json_set(speaker, '$.name', ?)
				WHERE rowid IN (`+speakerQuotes+`)`, id, into.Name, d.ID, d.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO speaker_figures (speaker_id, kind, outlet, n)
				SELECT ?, kind, outlet, n FROM speaker_figures WHERE speaker_id = ? AND true
				ON CONFLICT (speaker_id, kind, outlet) DO UPDATE SET n = n + excluded.n`, id, d.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "UPDATE statements SET speaker_id = ? WHERE speaker_id = ?", id, d.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM speakers WHERE id = ?", d.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE speakers SET aliases = ?, roles = ?, wikidata_id = ?, version = version + 1, updated_at = ? WHERE id = ?",
			marshalList(kept), marshalList(roles), nullString(wikidata), ms(now()), id); err != nil {
			return err
		}
		return writeKeys(ctx, tx, id, into.Name, kept)
	})
	if err != nil {
		return attribution.SpeakerProfile{}, wrapErr("merge speakers", err)
	}
	return s.GetSpeaker(ctx, id)
}
