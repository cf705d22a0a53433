package attribution

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Limits of speaker edits, the same on every store.
const (
	MaxAliases   = 50
	MaxNameBytes = 200
)

// Validate checks an edit of a speaker without the store: a name and
// aliases that hold a letter or digit within the limits, a Wikidata item
// id. Broken rules are *FieldError values joined together.
func (p SpeakerPatch) Validate() error {
	var errs []error
	if p.Name != nil {
		switch n := strings.TrimSpace(*p.Name); {
		case NormalizeName(n) == "":
			errs = append(errs, &FieldError{Field: "name", Reason: "must hold a letter or digit"})
		case len(n) > MaxNameBytes:
			errs = append(errs, &FieldError{Field: "name", Reason: fmt.Sprintf("must be at most %d bytes", MaxNameBytes)})
		}
	}
	if p.Aliases != nil {
		if len(*p.Aliases) > MaxAliases {
			errs = append(errs, &FieldError{Field: "aliases", Reason: fmt.Sprintf("must hold at most %d aliases", MaxAliases)})
		}
		for i, a := range *p.Aliases {
			if NormalizeName(a) == "" || len(a) > MaxNameBytes {
				errs = append(errs, &FieldError{Field: fmt.Sprintf("aliases[%d]", i), Reason: fmt.Sprintf("must hold a letter or digit and be at most %d bytes", MaxNameBytes)})
			}
		}
	}
	if p.WikidataID != nil && *p.WikidataID != "" && !ValidWikidataID(*p.WikidataID) {
		errs = append(errs, &FieldError{Field: "wikidata_id", Reason: "must be a Wikidata item id: Q and a number, such as Q3874799"})
	}
	if p.Type != nil && !p.Type.Stored() {
		errs = append(errs, &FieldError{Field: "type", Reason: "must be person or organization (groups, anonymous and unresolved speakers are not stored)"})
	}
	if p.Roles != nil {
		errs = append(errs, validRoles(*p.Roles)...)
	}
	return errors.Join(errs...)
}

// Validate checks a new speaker as SpeakerPatch.Validate checks an edit:
// a name is required, the type is person (the default) or organization.
func (n *NewSpeaker) Validate() error {
	if n.Type == "" {
		n.Type = SpeakerPerson
	}
	name := strings.TrimSpace(n.Name)
	p := SpeakerPatch{Name: &name, Aliases: &n.Aliases, Type: &n.Type, Roles: &n.Roles}
	if n.WikidataID != "" {
		p.WikidataID = &n.WikidataID
	}
	return p.Validate()
}

// Limits of a speaker's roles.
const (
	MaxRoles     = 20
	MaxRoleBytes = 100
)

func validRoles(roles []string) []error {
	var errs []error
	if len(roles) > MaxRoles {
		errs = append(errs, &FieldError{Field: "roles", Reason: fmt.Sprintf("must hold at most %d roles", MaxRoles)})
	}
	for i, r := range roles {
		if NormalizeName(r) == "" || len(r) > MaxRoleBytes {
			errs = append(errs, &FieldError{Field: fmt.Sprintf("roles[%d]", i), Reason: fmt.Sprintf("must hold a letter or digit and be at most %d bytes", MaxRoleBytes)})
		}
	}
	return errs
}

// CleanRoles are roles trimmed, sorted, each once (by their exact text).
func CleanRoles(roles []string) []string {
	out := make([]string, 0, len(roles))
	for _, r := range roles {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// honorifics are the titles a query may put before a name ("Mr Corbyn",
// "Dr. Wollaston", "Frau Merkel"), folded.
var honorifics = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "mx": true, "dr": true, "prof": true, "professor": true,
	"sir": true, "dame": true, "lord": true, "lady": true, "rev": true, "herr": true, "frau": true,
	"m": true, "mme": true, "mlle": true, "monsieur": true, "madame": true, "senor": true, "senora": true,
}

// ResolutionKeys are the keys a speaker query is looked up by, in order:
// its normalized form, then without a leading honorific ("Mr Corbyn" →
// corbyn). Surname is the last word of the second when it is one word
// (a store may then take the one speaker whose name ends in it).
func ResolutionKeys(query string) (keys []string, surname string) {
	words := FoldWords(query)
	if len(words) == 0 {
		return nil, ""
	}
	keys = append(keys, NormalizeName(query))
	if len(words) > 1 && honorifics[words[0]] {
		words = words[1:]
		if k := strings.Join(words, " "); k != keys[0] {
			keys = append(keys, k)
		}
	}
	if len(words) == 1 {
		surname = words[0]
	}
	return keys, surname
}

// Surname is the last folded word of a name.
func Surname(name string) string {
	ws := FoldWords(name)
	if len(ws) == 0 {
		return ""
	}
	return ws[len(ws)-1]
}

// Stored reports whether speakers of this type are kept across articles:
// named people and organisations. Anonymous, group and unresolved
// speakers stay on their quotes.
func (t SpeakerType) Stored() bool {
	return t == SpeakerPerson || t == SpeakerOrganization
}

// NameAliases are the mentions of a speaker that are a part of its name
// ("Peskov" for Dmitry Peskov), each once: later articles that only use
// that form find the same speaker.
func NameAliases(sp Speaker) []string {
	nameWords := map[string]bool{}
	for _, w := range FoldWords(sp.Name) {
		nameWords[w] = true
	}
	var out []string
	for _, m := range sp.Mentions {
		ws := FoldWords(m.Text)
		if len(ws) == 0 || len(ws) >= len(nameWords) {
			continue
		}
		part := true
		for _, w := range ws {
			part = part && nameWords[w]
		}
		if part && !slices.Contains(out, m.Text) {
			out = append(out, m.Text)
		}
	}
	return out
}

// SearchKeys are the folded names and aliases of a speaker and each of
// their words, sorted, each once: what a prefix search matches.
func SearchKeys(name string, aliases []string) []string {
	var keys []string
	for _, n := range append([]string{name}, aliases...) {
		words := FoldWords(n)
		if len(words) == 0 {
			continue
		}
		keys = append(keys, strings.Join(words, " "))
		keys = append(keys, words...)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// AliasKeys are the normalized aliases, sorted, each once.
func AliasKeys(aliases []string) []string {
	keys := make([]string, 0, len(aliases))
	for _, a := range aliases {
		if k := NormalizeName(a); k != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// MergedWikidataID is the Wikidata id of a speaker (with id into) after
// speakers with ids from are merged into it: its own if it has one; else
// the one those that have one agree on; else none (none has one, or they
// disagree, and an editor must choose).
func MergedWikidataID(into string, from []string) string {
	if into != "" {
		return into
	}
	found := ""
	for _, w := range from {
		switch {
		case w == "":
		case found == "":
			found = w
		case found != w:
			return ""
		}
	}
	return found
}

// DistinctWords is ws without repeats, in first-seen order (it reuses
// ws's array).
func DistinctWords(ws []string) []string {
	seen := make(map[string]bool, len(ws))
	out := ws[:0]
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// EditNames applies the name and aliases of p to a speaker stored as name
// with aliases: the new name (trimmed), and the aliases to keep, each
// once by its normalized form, none equal to the name. A rename keeps the
// old name as an alias (so that it still finds the speaker) only with
// p.KeepOldName: a wrong name an editor fixes ("Prime Minister" for Boris
// Johnson) must not pull later quotes under it to this speaker.
func EditNames(name string, aliases []string, p SpeakerPatch) (string, []string) {
	if p.Aliases != nil {
		aliases = slices.Clone(*p.Aliases)
	}
	if p.Name != nil && strings.TrimSpace(*p.Name) != name {
		old := name
		name = strings.TrimSpace(*p.Name)
		if p.KeepOldName && NormalizeName(name) != NormalizeName(old) && !slices.Contains(aliases, old) {
			aliases = append(aliases, old)
		}
	}
	key := NormalizeName(name)
	var kept []string
	seen := map[string]bool{key: true}
	for _, a := range aliases {
		if k := NormalizeName(a); !seen[k] {
			seen[k] = true
			kept = append(kept, strings.TrimSpace(a))
		}
	}
	return name, kept
}
