package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
)

func speakerCases() []testCase {
	return []testCase{
		{"SpeakerFigures", testSpeakerFigures},
		{"ResolveSpeaker", testResolveSpeaker},
		{"AmbiguousAliasResolvesToNone", testAmbiguousAlias},
		{"SearchSpeakers", testSearchSpeakers},
		{"UpdateSpeaker", testUpdateSpeaker},
		{"UpdateSpeakerConflicts", testUpdateSpeakerConflicts},
		{"SpeakerWikidataID", testSpeakerWikidataID},
		{"MergeSpeakers", testMergeSpeakers},
		{"MergeSpeakersWikidataID", testMergeSpeakersWikidataID},
		{"CreateSpeaker", testCreateSpeaker},
		{"RenameDropsOldName", testRenameDropsOldName},
		{"SpeakerTypeAndRoles", testSpeakerTypeAndRoles},
		{"ResolveByTitleAndSurname", testResolveByTitleAndSurname},
	}
}

// An editor creates a speaker (to move a misattributed quote to): it
// resolves by name and alias, later articles naming it land on it, and a
// name, alias or Wikidata id of another speaker is a conflict.
func testCreateSpeaker(t *testing.T, e *env) {
	e.ingest(t, art{says: []say{{words: "We will rebuild", speaker: "Ana Ruiz"}}})
	got, err := e.s.CreateSpeaker(ctx(t), attribution.NewSpeaker{Name: " Keir Starmer ", Roles: []string{"Prime Minister", "Labour leader", "Prime Minister"},
		Aliases: []string{"Sir Keir", "keir starmer"}, WikidataID: "Q6383"})
	if err != nil {
		t.Fatalf("CreateSpeaker error = %v", err)
	}
	if got.ID == "" || got.Name != "Keir Starmer" || got.Type != attribution.SpeakerPerson || got.WikidataID != "Q6383" || got.Version != 1 ||
		!cmp.Equal(got.Roles, []string{"Labour leader", "Prime Minister"}) || !cmp.Equal(got.Aliases, []string{"Sir Keir"}) || got.QuoteCount != 0 {
		t.Errorf("created = %+v; want Keir Starmer, person, Q6383, version 1, roles sorted once, alias Sir Keir, no quotes", got)
	}
	for _, n := range []string{"Keir Starmer", "sir keir", got.ID} {
		if rid, err := e.s.ResolveSpeakerID(ctx(t), n); err != nil || rid != got.ID {
			t.Errorf("ResolveSpeakerID(%q) = %q, %v; want %q", n, rid, err, got.ID)
		}
	}
	later := e.ingest(t, art{says: []say{{words: "Change begins now", speaker: "Keir Starmer"}}})
	if later.Quotes[0].SpeakerID != got.ID {
		t.Errorf("a later quote by Keir Starmer has speaker %q, want the created %q", later.Quotes[0].SpeakerID, got.ID)
	}
	org, err := e.s.CreateSpeaker(ctx(t), attribution.NewSpeaker{Name: "Harbour Authority", Type: attribution.SpeakerOrganization})
	if err != nil || org.Type != attribution.SpeakerOrganization || org.ID == got.ID {
		t.Errorf("CreateSpeaker(organization) = %+v, %v", org, err)
	}
	for _, n := range []attribution.NewSpeaker{
		{Name: "Ana Ruiz"}, {Name: "ANA  RUIZ"}, {Name: "Someone Else", Aliases: []string{"Ana Ruiz"}},
		{Name: "A Third", WikidataID: "Q6383"}, {Name: "Sir Keir"},
	} {
		if _, err := e.s.CreateSpeaker(ctx(t), n); !errors.Is(err, attribution.ErrConflict) {
			t.Errorf("CreateSpeaker(%+v) error = %v, want ErrConflict", n, err)
		}
	}
	for _, n := range []attribution.NewSpeaker{
		{Name: "  "}, {Name: "X", Type: attribution.SpeakerGroup}, {Name: "X", Type: "robot"}, {Name: "X", WikidataID: "wd:1"},
		{Name: "X", Roles: []string{""}}, {Name: "X", Aliases: []string{"!!"}},
	} {
		if _, err := e.s.CreateSpeaker(ctx(t), n); !errors.Is(err, attribution.ErrInvalid) {
			t.Errorf("CreateSpeaker(%+v) error = %v, want ErrInvalid", n, err)
		}
	}
}

// A rename drops the old name unless asked to keep it: a wrong name an
// editor fixes must not pull later quotes under it to this speaker.
func testRenameDropsOldName(t *testing.T, e *env) {
	e.ingest(t, art{says: []say{{words: "We will rebuild", speaker: "Prime Minister", typ: attribution.SpeakerPerson}}})
	id := e.speakerID(t, "Prime Minister")
	got, err := e.s.UpdateSpeaker(ctx(t), id, attribution.SpeakerPatch{Name: ref("Boris Johnson")}, 0)
	if err != nil {
		t.Fatalf("rename error = %v", err)
	}
	if got.Name != "Boris Johnson" || len(got.Aliases) != 0 {
		t.Errorf("renamed = %q aliases %q; want Boris Johnson without aliases", got.Name, got.Aliases)
	}
	if rid, err := e.s.ResolveSpeakerID(ctx(t), "Prime Minister"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("ResolveSpeakerID(old name) = %q, %v; want ErrNotFound", rid, err)
	}
	later := e.ingest(t, art{lead: "Later.", says: []say{{words: "Change begins now", speaker: "Prime Minister"}}})
	if later.Quotes[0].SpeakerID == "" || later.Quotes[0].SpeakerID == id {
		t.Errorf("a later quote by the Prime Minister has speaker %q; want a speaker other than Boris Johnson %q", later.Quotes[0].SpeakerID, id)
	}
}

// Type and roles can be set; roles are kept sorted, each once.
func testSpeakerTypeAndRoles(t *testing.T, e *env) {
	e.ingest(t, art{says: []say{{words: "We will rebuild", speaker: "Harbour Board", role: "board"}}})
	id := e.speakerID(t, "Harbour Board")
	typ := attribution.SpeakerOrganization
	got, err := e.s.UpdateSpeaker(ctx(t), id, attribution.SpeakerPatch{Type: &typ, Roles: &[]string{"port operator", " authority", "port operator"}}, 0)
	if err != nil {
		t.Fatalf("UpdateSpeaker(type, roles) error = %v", err)
	}
	if got.Type != attribution.SpeakerOrganization || !cmp.Equal(got.Roles, []string{"authority", "port operator"}) {
		t.Errorf("after the edit type %q roles %q; want organization, [authority port operator]", got.Type, got.Roles)
	}
	if again, err := e.s.GetSpeaker(ctx(t), id); err != nil || again.Type != attribution.SpeakerOrganization || !cmp.Equal(again.Roles, got.Roles) {
		t.Errorf("read back = %+v, %v", again, err)
	}
	bad := attribution.SpeakerAnonymous
	if _, err := e.s.UpdateSpeaker(ctx(t), id, attribution.SpeakerPatch{Type: &bad}, 0); !errors.Is(err, attribution.ErrInvalid) {
		t.Errorf("type anonymous: error = %v, want ErrInvalid", err)
	}
	if got, err := e.s.UpdateSpeaker(ctx(t), id, attribution.SpeakerPatch{Roles: &[]string{}}, 0); err != nil || len(got.Roles) != 0 || got.Roles == nil {
		t.Errorf("clearing the roles = %#v, %v; want an empty list", got.Roles, err)
	}
}

// A query may put a title before a name ("Mr Corbyn"), or give only the
// surname of a speaker whose articles always used a full name ("Dr Sarah
// Wollaston"): the one speaker it can be is found; a surname two speakers
// share finds none.
func testResolveByTitleAndSurname(t *testing.T, e *env) {
	e.ingest(t, art{says: []say{
		{words: "We will not stand by", speaker: "Corbyn", as: "Mr Corbyn"},
		{words: "This is a disgrace", speaker: "Sarah Wollaston", as: "Dr Sarah Wollaston"},
		{words: "We will rebuild", speaker: "Anna Jansen"},
		{words: "We will not", speaker: "Piet Jansen"},
	}})
	corbyn, wollaston := e.speakerID(t, "Corbyn"), e.speakerID(t, "Sarah Wollaston")
	for q, want := range map[string]string{"Mr Corbyn": corbyn, "mr. corbyn": corbyn, "Wollaston": wollaston, "Dr Wollaston": wollaston,
		"Dr Sarah Wollaston": wollaston, "WOLLASTON": wollaston} {
		if id, err := e.s.ResolveSpeakerID(ctx(t), q); err != nil || id != want {
			t.Errorf("ResolveSpeakerID(%q) = %q, %v; want %q", q, id, err, want)
		}
	}
	for _, q := range []string{"Jansen", "Mr Jansen", "Wollast", "Sarah"} {
		if id, err := e.s.ResolveSpeakerID(ctx(t), q); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("ResolveSpeakerID(%q) = %q, %v; want ErrNotFound", q, id, err)
		}
	}
	page, err := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{Speaker: "Mr Wollaston", PageSize: 10})
	if err != nil || len(page.Quotes) != 1 || page.Quotes[0].SpeakerID != wollaston {
		t.Errorf("FindQuotes(speaker Mr Wollaston) = %+v, %v; want her quote", page.Quotes, err)
	}
}

func testSpeakerFigures(t *testing.T, e *env) {
	e.ingest(t, art{outlet: "Herald", published: day(7), says: []say{
		{words: "We will rebuild", speaker: "Ana Ruiz", role: "mayor"},
		{words: "the port would reopen", kind: attribution.KindIndirect, speaker: "Ana Ruiz"},
	}})
	e.ingest(t, art{outlet: "Gazette", published: day(2), says: []say{
		{words: "a new start", kind: attribution.KindMixed, speaker: "Ana Ruiz", role: "candidate"},
		{words: "Prices will fall", speaker: "Jonas Berg"},
	}})
	e.ingest(t, art{published: day(4), says: []say{{words: "Trust us", speaker: "Ana Ruiz"}}})
	ruiz := e.speakerID(t, "Ana Ruiz")
	for name, get := range map[string]func() (attribution.SpeakerProfile, error){
		"GetSpeaker":     func() (attribution.SpeakerProfile, error) { return e.s.GetSpeaker(ctx(t), ruiz) },
		"ResolveSpeaker": func() (attribution.SpeakerProfile, error) { return e.s.ResolveSpeaker(ctx(t), "ana ruiz") },
		"SearchSpeakers": func() (attribution.SpeakerProfile, error) {
			ps, _, err := e.s.SearchSpeakers(ctx(t), "ruiz", 10, "")
			if err != nil || len(ps) != 1 {
				return attribution.SpeakerProfile{}, errors.Join(err, errors.New("not one speaker found"))
			}
			return ps[0], nil
		},
	} {
		p, err := get()
		if err != nil {
			t.Fatalf("%s error = %v", name, err)
		}
		wantCounts := map[attribution.Kind]int{attribution.KindDirect: 2, attribution.KindMixed: 1, attribution.KindIndirect: 1}
		if p.ID != ruiz || p.QuoteCount != 4 || !cmp.Equal(p.Counts, wantCounts) {
			t.Errorf("%s = %s, %d quotes %v; want %s, 4 quotes %v", name, p.ID, p.QuoteCount, p.Counts, ruiz, wantCounts)
		}
		if !p.FirstQuoted.Equal(day(2)) || !p.LastQuoted.Equal(day(7)) {
			t.Errorf("%s quoted %v to %v, want %v to %v", name, p.FirstQuoted, p.LastQuoted, day(2), day(7))
		}
		if !cmp.Equal(p.Outlets, []string{"Gazette", "Herald"}) {
			t.Errorf("%s outlets = %q, want [Gazette Herald] (sorted, the article without outlet adds none)", name, p.Outlets)
		}
		if !cmp.Equal(sortedCopy(p.Roles), []string{"candidate", "mayor"}) {
			t.Errorf("%s roles = %q, want candidate and mayor", name, p.Roles)
		}
	}
	// A speaker with no quote left has zero figures, not missing ones.
	berg := e.speakerID(t, "Jonas Berg")
	bq := e.allQuotes(t, attribution.QuoteQuery{SpeakerID: berg}, 10)
	if _, err := e.s.CorrectQuote(ctx(t), bq[0].ID, attribution.QuotePatch{Hidden: ref(true)}, "x", 0); err != nil {
		t.Fatal(err)
	}
	p, err := e.s.GetSpeaker(ctx(t), berg)
	if err != nil {
		t.Fatal(err)
	}
	if p.QuoteCount != 0 || p.Counts == nil || p.Counts[attribution.KindDirect] != 0 || !p.FirstQuoted.IsZero() || p.Outlets == nil || len(p.Outlets) != 0 {
		t.Errorf("speaker with only a hidden quote = %d %v, first %v, outlets %#v; want 0, zero counts, no date, an empty list", p.QuoteCount, p.Counts, p.FirstQuoted, p.Outlets)
	}
	if p.Aliases == nil || p.Roles == nil {
		t.Errorf("speaker lists aliases %#v roles %#v, want empty lists, not nil", p.Aliases, p.Roles)
	}
}

func testResolveSpeaker(t *testing.T, e *env) {
	e.ingest(t, art{says: []say{
		{words: "We are ready", speaker: "Volodymyr Zelenskýy"},
		{words: "We stand", speaker: "Volodymyr Zelenskýy", as: "Zelenskýy"},
		{words: "Talks go on", speaker: "Dmitry Peskov"},
	}})
	z := e.speakerID(t, "Volodymyr Zelenskýy")
	for _, in := range []string{z, "Volodymyr Zelenskýy", "volodymyr zelenskyy", "VOLODYMYR  ZELENSKÝY!", "Zelenskyy", "ZELENSKÝY"} {
		p, err := e.s.ResolveSpeaker(ctx(t), in)
		if err != nil || p.ID != z || p.Name != "Volodymyr Zelenskýy" || p.QuoteCount != 2 {
			t.Errorf("ResolveSpeaker(%q) = %s %q %d quotes, %v; want %s with 2 quotes", in, p.ID, p.Name, p.QuoteCount, err, z)
		}
		if id, err := e.s.ResolveSpeakerID(ctx(t), in); err != nil || id != z {
			t.Errorf("ResolveSpeakerID(%q) = %q, %v; want %q", in, id, err, z)
		}
	}
	for _, in := range []string{"spk_0000000000000000", "Volodymyr", "Zelensky", "", "Dmitry Peskov Jr"} {
		if _, err := e.s.ResolveSpeaker(ctx(t), in); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("ResolveSpeaker(%q) error = %v, want ErrNotFound", in, err)
		}
		if _, err := e.s.ResolveSpeakerID(ctx(t), in); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("ResolveSpeakerID(%q) error = %v, want ErrNotFound", in, err)
		}
	}
	for _, id := range []string{"spk_0000000000000000", "", "Volodymyr Zelenskýy"} {
		if _, err := e.s.GetSpeaker(ctx(t), id); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("GetSpeaker(%q) error = %v, want ErrNotFound", id, err)
		}
		if _, err := e.s.LookupSpeaker(ctx(t), id); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("LookupSpeaker(%q) error = %v, want ErrNotFound", id, err)
		}
	}
	l, err := e.s.LookupSpeaker(ctx(t), z)
	if err != nil || l.ID != z || l.Name != "Volodymyr Zelenskýy" || l.Type != attribution.SpeakerPerson || !slices.Contains(l.Aliases, "Zelenskýy") || l.Version < 1 {
		t.Errorf("LookupSpeaker = %+v, %v", l, err)
	}
	// A later article that names him by the alias only lands on him.
	later := e.ingest(t, art{says: []say{{words: "We will not give up land", speaker: "Zelenskyy"}}})
	if later.Quotes[0].SpeakerID != z {
		t.Errorf("quote naming the alias has speaker %q, want %q", later.Quotes[0].SpeakerID, z)
	}
}

func testAmbiguousAlias(t *testing.T, e *env) {
	e.ingest(t, art{lead: "One.", says: []say{{words: "We will build", speaker: "Ana Ruiz"}, {words: "Soon", speaker: "Ana Ruiz", as: "Ruiz"}}})
	e.ingest(t, art{lead: "Two.", says: []say{{words: "We will wait", speaker: "Carlos Ruiz"}, {words: "Later", speaker: "Carlos Ruiz", as: "Ruiz"}}})
	ana, carlos := e.speakerID(t, "Ana Ruiz"), e.speakerID(t, "Carlos Ruiz")
	if ana == carlos {
		t.Fatalf("Ana and Carlos Ruiz are one speaker %s", ana)
	}
	if p, err := e.s.ResolveSpeaker(ctx(t), "Ruiz"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("ResolveSpeaker(alias of two) = %s, %v; want ErrNotFound", p.ID, err)
	}
	if id, err := e.s.ResolveSpeakerID(ctx(t), "ruiz"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("ResolveSpeakerID(alias of two) = %s, %v; want ErrNotFound", id, err)
	}
	// Both are still found by the word.
	found, _, err := e.s.SearchSpeakers(ctx(t), "ruiz", 10, "")
	if err != nil || len(found) != 2 {
		t.Errorf("SearchSpeakers(ruiz) = %d, %v; want both", len(found), err)
	}
}

func testSearchSpeakers(t *testing.T, e *env) {
	names := []string{"Ana Ruiz", "Anatol Berg", "Jonas Berg", "Zoë Álvarez", "Tomas Anand", "Marta Olsen"}
	for _, n := range names {
		e.ingest(t, art{lead: n + ".", says: []say{{words: "We are here", speaker: n}}})
	}
	e.ingest(t, art{lead: "Later.", says: []say{{words: "Still here", speaker: "Marta Olsen", as: "Olsen"}}})
	olsen := e.speakerID(t, "Marta Olsen")
	if _, err := e.s.UpdateSpeaker(ctx(t), olsen, attribution.SpeakerPatch{Aliases: &[]string{"Olsen", "Anni Olsen"}}, 0); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		prefix string
		want   []string // names, in listing order
	}{
		{"ana", []string{"Ana Ruiz", "Anatol Berg", "Tomas Anand"}}, // Anand: a word of the name
		{"ANA R", []string{"Ana Ruiz"}},
		{"berg", []string{"Anatol Berg", "Jonas Berg"}},
		{"alv", []string{"Zoë Álvarez"}},
		{"zoe", []string{"Zoë Álvarez"}},
		{"anni", []string{"Marta Olsen"}},
		{"olsen", []string{"Marta Olsen"}},
		{"xyz", nil},
		{"", []string{"Ana Ruiz", "Anatol Berg", "Jonas Berg", "Marta Olsen", "Tomas Anand", "Zoë Álvarez"}},
	} {
		t.Run(tc.prefix, func(t *testing.T) {
			for _, limit := range []int{1, 2, 100} {
				var got []string
				after := ""
				for range 20 {
					ps, next, err := e.s.SearchSpeakers(ctx(t), tc.prefix, limit, after)
					if err != nil {
						t.Fatalf("SearchSpeakers(%q, %d, %q) error = %v", tc.prefix, limit, after, err)
					}
					if len(ps) > limit {
						t.Fatalf("SearchSpeakers(%q, %d) gave %d", tc.prefix, limit, len(ps))
					}
					for _, p := range ps {
						got = append(got, p.Name)
						if p.QuoteCount < 1 {
							t.Errorf("SearchSpeakers(%q): %s without figures (%d quotes)", tc.prefix, p.Name, p.QuoteCount)
						}
					}
					if next == "" {
						break
					}
					after = next
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("SearchSpeakers(%q), %d a page (-want +got):\n%s", tc.prefix, limit, diff)
				}
			}
		})
	}
	for _, limit := range []int{0, -1, 101} {
		if _, _, err := e.s.SearchSpeakers(ctx(t), "a", limit, ""); !errors.Is(err, attribution.ErrInvalid) {
			t.Errorf("SearchSpeakers(limit %d) error = %v, want ErrInvalid", limit, err)
		}
	}
	if _, _, err := e.s.SearchSpeakers(ctx(t), "a", 10, "not a token"); !errors.Is(err, attribution.ErrInvalid) {
		t.Errorf("SearchSpeakers(bad page token) error = %v, want ErrInvalid", err)
	}
}

func testUpdateSpeaker(t *testing.T, e *env) {
	res := e.ingest(t, art{outlet: "Gazette", says: []say{{words: "We will rebuild", speaker: "Ana Ruiz"}, {words: "Soon", speaker: "Ana Ruiz"}}})
	id := e.speakerID(t, "Ana Ruiz")
	p, err := e.s.GetSpeaker(ctx(t), id)
	if err != nil {
		t.Fatal(err)
	}
	v := p.Version

	// Rename keeping the old name: it stays an alias, the quotes carry the
	// new one.
	got, err := e.s.UpdateSpeaker(ctx(t), id, attribution.SpeakerPatch{Name: ref("  Ana María Ruiz "), KeepOldName: true}, v)
	if err != nil {
		t.Fatalf("rename error = %v", err)
	}
	if got.ID != id || got.Name != "Ana María Ruiz" || got.Version != v+1 || !slices.Contains(got.Aliases, "Ana Ruiz") || got.QuoteCount != 2 {
		t.Errorf("renamed = %+v; want id %s, Ana María Ruiz, version %d, alias Ana Ruiz, 2 quotes", got, id, v+1)
	}
	if !got.UpdatedAt.After(p.UpdatedAt) && !got.UpdatedAt.Equal(p.UpdatedAt) {
		t.Errorf("updated_at went back: %v, before %v", got.UpdatedAt, p.UpdatedAt)
	}
	for _, n := range []string{"Ana María Ruiz", "ana maria ruiz", "Ana Ruiz"} {
		if rid, err := e.s.ResolveSpeakerID(ctx(t), n); err != nil || rid != id {
			t.Errorf("after rename ResolveSpeakerID(%q) = %q, %v; want %q", n, rid, err, id)
		}
	}
	for _, q := range res.Quotes {
		sq, err := e.s.GetQuote(ctx(t), q.ID)
		if err != nil || sq.SpeakerID != id || sq.Speaker == nil || sq.Speaker.Name != "Ana María Ruiz" {
			t.Errorf("quote after rename = %q %+v, %v; want the new name", sq.SpeakerID, sq.Speaker, err)
		}
	}
	// A later article with the old name lands on the renamed speaker.
	later := e.ingest(t, art{lead: "Later.", says: []say{{words: "Still here", speaker: "Ana Ruiz"}}})
	if later.Quotes[0].SpeakerID != id {
		t.Errorf("quote naming the old name has speaker %q, want %q", later.Quotes[0].SpeakerID, id)
	}

	// Aliases: replaced as given, the name and repeats dropped.
	got, err = e.s.UpdateSpeaker(ctx(t), id, attribution.SpeakerPatch{Aliases: &[]string{"Ruiz", "ANA MARÍA RUIZ", "ruiz", "La Alcaldesa"}}, got.Version)
	if err != nil {
		t.Fatalf("aliases error = %v", err)
	}
	if !cmp.Equal(sortedCopy(got.Aliases), []string{"La Alcaldesa", "Ruiz"}) || got.Version != v+2 || got.Name != "Ana María Ruiz" {
		t.Errorf("after the aliases edit = %q version %d name %q; want [La Alcaldesa Ruiz], %d, unchanged", got.Aliases, got.Version, got.Name, v+2)
	}
	if rid, err := e.s.ResolveSpeakerID(ctx(t), "la alcaldesa"); err != nil || rid != id {
		t.Errorf("ResolveSpeakerID(new alias) = %q, %v", rid, err)
	}
	if _, err := e.s.ResolveSpeakerID(ctx(t), "Ana Ruiz"); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("ResolveSpeakerID(alias removed) error = %v, want ErrNotFound", err)
	}
	got, err = e.s.UpdateSpeaker(ctx(t), id, attribution.SpeakerPatch{Aliases: &[]string{}}, 0)
	if err != nil || got.Aliases == nil || len(got.Aliases) != 0 {
		t.Errorf("clearing the aliases = %#v, %v; want an empty list", got.Aliases, err)
	}

	// Errors change nothing.
	before, _ := e.s.LookupSpeaker(ctx(t), id)
	for _, tc := range []struct {
		name    string
		id      string
		p       attribution.SpeakerPatch
		version int64
		want    error
	}{
		{"stale version", id, attribution.SpeakerPatch{Name: ref("Ana R.")}, before.Version - 1, attribution.ErrPrecondition},
		{"future version", id, attribution.SpeakerPatch{Name: ref("Ana R.")}, before.Version + 1, attribution.ErrPrecondition},
		{"empty name", id, attribution.SpeakerPatch{Name: ref(" ")}, 0, attribution.ErrInvalid},
		{"punctuation name", id, attribution.SpeakerPatch{Name: ref("--")}, 0, attribution.ErrInvalid},
		{"empty alias", id, attribution.SpeakerPatch{Aliases: &[]string{"Ruiz", "  "}}, 0, attribution.ErrInvalid},
		{"unknown speaker", "spk_0000000000000000", attribution.SpeakerPatch{Name: ref("X")}, 0, attribution.ErrNotFound},
	} {
		if _, err := e.s.UpdateSpeaker(ctx(t), tc.id, tc.p, tc.version); !errors.Is(err, tc.want) {
			t.Errorf("%s: UpdateSpeaker error = %v, want %v", tc.name, err, tc.want)
		}
	}
	if after, _ := e.s.LookupSpeaker(ctx(t), id); after.Version != before.Version || after.Name != before.Name {
		t.Errorf("after failed updates: version %d name %q, want %d %q", after.Version, after.Name, before.Version, before.Name)
	}
}

func testUpdateSpeakerConflicts(t *testing.T, e *env) {
	e.ingest(t, art{says: []say{
		{words: "We are ready", speaker: "Volodymyr Zelensky"},
		{words: "We are not ready", speaker: "Volodymyr Zelenskyy"},
		{words: "Soon", speaker: "Volodymyr Zelenskyy", as: "Zelenskyy"},
	}})
	a, b := e.speakerID(t, "Volodymyr Zelensky"), e.speakerID(t, "Volodymyr Zelenskyy")
	for _, tc := range []struct {
		name string
		p    attribution.SpeakerPatch
	}{
		{"the other's name", attribution.SpeakerPatch{Name: ref("VOLODYMYR ZELENSKYY")}},
		{"the other's alias as name", attribution.SpeakerPatch{Name: ref("Zelenskyy")}},
		{"the other's name as alias", attribution.SpeakerPatch{Aliases: &[]string{"Zelensky", "Volodymyr Zelenskyy"}}},
		{"the other's alias", attribution.SpeakerPatch{Aliases: &[]string{"zelenskyy"}}},
	} {
		if _, err := e.s.UpdateSpeaker(ctx(t), a, tc.p, 0); !errors.Is(err, attribution.ErrConflict) {
			t.Errorf("%s: UpdateSpeaker error = %v, want ErrConflict", tc.name, err)
		}
	}
	if p, err := e.s.LookupSpeaker(ctx(t), a); err != nil || p.Name != "Volodymyr Zelensky" || len(p.Aliases) != 0 {
		t.Errorf("after the conflicts: %+v, %v; want unchanged", p, err)
	}
	// The speaker's own name and aliases are no conflict with itself.
	if _, err := e.s.UpdateSpeaker(ctx(t), b, attribution.SpeakerPatch{Name: ref("Volodymyr Zelenskyy"), Aliases: &[]string{"Zelenskyy"}}, 0); err != nil {
		t.Errorf("UpdateSpeaker(own name and alias) error = %v", err)
	}
	// Once b lets go of its alias, a may take it.
	if _, err := e.s.UpdateSpeaker(ctx(t), b, attribution.SpeakerPatch{Aliases: &[]string{}}, 0); err != nil {
		t.Fatal(err)
	}
	if p, err := e.s.UpdateSpeaker(ctx(t), a, attribution.SpeakerPatch{Aliases: &[]string{"Zelenskyy"}}, 0); err != nil || !slices.Contains(p.Aliases, "Zelenskyy") {
		t.Errorf("taking a freed alias = %q, %v", p.Aliases, err)
	}
}

// wikidataSpeakers stores one quote per name and returns the speakers'
// ids in the same order.
func (e *env) wikidataSpeakers(t *testing.T, names ...string) []string {
	t.Helper()
	ids := make([]string, len(names))
	for i, n := range names {
		e.ingest(t, art{lead: n + ".", outlet: "Outlet " + n, says: []say{{words: "We are ready", speaker: n}}})
		ids[i] = e.speakerID(t, n)
	}
	return ids
}

func testSpeakerWikidataID(t *testing.T, e *env) {
	ids := e.wikidataSpeakers(t, "Ana Ruiz", "Jonas Berg")
	ruiz, berg := ids[0], ids[1]
	p, err := e.s.GetSpeaker(ctx(t), ruiz)
	if err != nil || p.WikidataID != "" {
		t.Fatalf("new speaker = %+v, %v; want no Wikidata id", p, err)
	}
	v := p.Version
	p, err = e.s.UpdateSpeaker(ctx(t), ruiz, attribution.SpeakerPatch{WikidataID: ref("Q3874799")}, v)
	if err != nil || p.WikidataID != "Q3874799" || p.Version != v+1 || p.QuoteCount != 1 {
		t.Fatalf("set wikidata_id = %+v, %v; want Q3874799 at version %d with its figures", p, err, v+1)
	}
	if l, err := e.s.LookupSpeaker(ctx(t), ruiz); err != nil || l.WikidataID != "Q3874799" || l.Version != v+1 {
		t.Errorf("LookupSpeaker = %+v, %v", l, err)
	}
	if p, err = e.s.UpdateSpeaker(ctx(t), ruiz, attribution.SpeakerPatch{Name: ref("Ana María Ruiz"), Aliases: &[]string{"Ruiz"}}, 0); err != nil || p.WikidataID != "Q3874799" {
		t.Errorf("rename = %+v, %v; want the Wikidata id kept", p, err)
	}
	for _, bad := range []string{"q42", "Q0", "Q042", "P31", " Q42", "Q1000000000000", "https://www.wikidata.org/wiki/Q42"} {
		_, err := e.s.UpdateSpeaker(ctx(t), berg, attribution.SpeakerPatch{WikidataID: &bad}, 0)
		var fe *attribution.FieldError
		if !errors.Is(err, attribution.ErrInvalid) || !errors.As(err, &fe) || fe.Field != "wikidata_id" {
			t.Errorf("wikidata_id %q: error %v, want ErrInvalid on wikidata_id", bad, err)
		}
	}
	if _, err := e.s.UpdateSpeaker(ctx(t), berg, attribution.SpeakerPatch{WikidataID: ref("Q3874799")}, 0); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("another speaker's wikidata_id: error %v, want ErrConflict", err)
	}
	if _, err := e.s.UpdateSpeaker(ctx(t), ruiz, attribution.SpeakerPatch{WikidataID: ref("Q1")}, v); !errors.Is(err, attribution.ErrPrecondition) {
		t.Errorf("stale version: error %v, want ErrPrecondition", err)
	}
	if p, err = e.s.UpdateSpeaker(ctx(t), ruiz, attribution.SpeakerPatch{WikidataID: ref("Q3874799")}, 0); err != nil {
		t.Errorf("same wikidata_id again: %v", err)
	}
	v = p.Version
	p, err = e.s.UpdateSpeaker(ctx(t), ruiz, attribution.SpeakerPatch{WikidataID: ref("")}, v)
	if err != nil || p.WikidataID != "" || p.Version != v+1 {
		t.Fatalf("clear wikidata_id = %+v, %v", p, err)
	}
	if l, _ := e.s.LookupSpeaker(ctx(t), ruiz); l.WikidataID != "" {
		t.Errorf("cleared wikidata_id reads back %q", l.WikidataID)
	}
	if p, err := e.s.UpdateSpeaker(ctx(t), berg, attribution.SpeakerPatch{WikidataID: ref("Q3874799")}, 0); err != nil || p.WikidataID != "Q3874799" {
		t.Errorf("a freed wikidata_id on another speaker = %+v, %v", p, err)
	}
	found, _, err := e.s.SearchSpeakers(ctx(t), "", 10, "")
	if err != nil || len(found) != 2 || found[0].ID != ruiz || found[0].WikidataID != "" || found[1].WikidataID != "Q3874799" {
		t.Errorf("SearchSpeakers = %+v, %v; want Ruiz without, Berg with Q3874799", found, err)
	}
}

func testMergeSpeakers(t *testing.T, e *env) {
	e.ingest(t, art{outlet: "A", published: day(1), says: []say{{words: "We are ready", speaker: "Volodymyr Zelensky", role: "president"}}})
	e.ingest(t, art{outlet: "B", published: day(3), says: []say{
		{words: "We are not ready", speaker: "Volodymyr Zelenskyy"},
		{words: "talks would go on", kind: attribution.KindIndirect, speaker: "Volodymyr Zelenskyy", as: "Zelenskyy"},
	}})
	e.ingest(t, art{outlet: "C", published: day(2), says: []say{{words: "Kyiv stands", speaker: "V. Zelenskyi", role: "leader"}}})
	into, a, c := e.speakerID(t, "Volodymyr Zelenskyy"), e.speakerID(t, "Volodymyr Zelensky"), e.speakerID(t, "V. Zelenskyi")
	if _, err := e.s.UpdateSpeaker(ctx(t), a, attribution.SpeakerPatch{Aliases: &[]string{"Zelenskiy"}}, 0); err != nil {
		t.Fatal(err)
	}
	moved := append(e.allQuotes(t, attribution.QuoteQuery{SpeakerID: a}, 10), e.allQuotes(t, attribution.QuoteQuery{SpeakerID: c}, 10)...)
	before, err := e.s.GetSpeaker(ctx(t), into)
	if err != nil {
		t.Fatal(err)
	}
	merged, err := e.s.MergeSpeakers(ctx(t), into, []string{a, c})
	if err != nil {
		t.Fatalf("MergeSpeakers error = %v", err)
	}
	if merged.ID != into || merged.Name != "Volodymyr Zelenskyy" || merged.Version != before.Version+1 {
		t.Errorf("merged = %s %q version %d; want %s, the kept name, version %d", merged.ID, merged.Name, merged.Version, into, before.Version+1)
	}
	if merged.QuoteCount != 4 || merged.Counts[attribution.KindIndirect] != 1 || !cmp.Equal(merged.Outlets, []string{"A", "B", "C"}) ||
		!merged.FirstQuoted.Equal(day(1)) || !merged.LastQuoted.Equal(day(3)) {
		t.Errorf("merged figures = %d %v, outlets %q, %v to %v; want 4 (1 indirect), A B C, day 1 to 3",
			merged.QuoteCount, merged.Counts, merged.Outlets, merged.FirstQuoted, merged.LastQuoted)
	}
	for _, alias := range []string{"Volodymyr Zelensky", "Zelenskiy", "V. Zelenskyi", "Zelenskyy"} {
		if !slices.Contains(merged.Aliases, alias) {
			t.Errorf("merged aliases %q lack %q", merged.Aliases, alias)
		}
	}
	if slices.Contains(merged.Aliases, "Volodymyr Zelenskyy") {
		t.Errorf("merged aliases %q hold the speaker's own name", merged.Aliases)
	}
	if !cmp.Equal(sortedCopy(merged.Roles), []string{"leader", "president"}) {
		t.Errorf("merged roles = %q, want leader and president", merged.Roles)
	}
	for _, id := range []string{a, c} {
		if _, err := e.s.GetSpeaker(ctx(t), id); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("GetSpeaker(merged away %s) error = %v, want ErrNotFound", id, err)
		}
		// A store may keep a merged speaker as a pointer to the survivor;
		// it never answers the merged speaker itself.
		if rid, err := e.s.ResolveSpeakerID(ctx(t), id); !errors.Is(err, attribution.ErrNotFound) && (err != nil || rid != into) {
			t.Errorf("ResolveSpeakerID(merged away %s) = %q, %v; want ErrNotFound or the survivor %s", id, rid, err, into)
		}
		if got := e.allQuotes(t, attribution.QuoteQuery{SpeakerID: id}, 10); len(got) != 0 {
			t.Errorf("quotes still on merged-away %s: %d", id, len(got))
		}
	}
	for _, q := range moved {
		sq, err := e.s.GetQuote(ctx(t), q.ID)
		if err != nil || sq.SpeakerID != into || sq.Speaker == nil || sq.Speaker.Name != "Volodymyr Zelenskyy" {
			t.Errorf("moved quote %s = %q %+v, %v; want %s named Volodymyr Zelenskyy", q.ID, sq.SpeakerID, sq.Speaker, err, into)
		}
	}
	if got := e.allQuotes(t, attribution.QuoteQuery{SpeakerID: into}, 2); len(got) != 4 {
		t.Errorf("FindQuotes(kept speaker) = %d quotes, want 4", len(got))
	}
	for _, n := range []string{"Volodymyr Zelensky", "zelenskiy", "V Zelenskyi"} {
		if id, err := e.s.ResolveSpeakerID(ctx(t), n); err != nil || id != into {
			t.Errorf("ResolveSpeakerID(%q) after merge = %q, %v; want %q", n, id, err, into)
		}
		found, _, err := e.s.SearchSpeakers(ctx(t), n, 10, "")
		if err != nil || len(found) != 1 || found[0].ID != into {
			t.Errorf("SearchSpeakers(%q) after merge = %d found, %v; want the kept speaker only", n, len(found), err)
		}
	}
	// Later articles with a merged name land on the kept speaker.
	later := e.ingest(t, art{lead: "Later.", says: []say{{words: "We hold", speaker: "Volodymyr Zelensky"}}})
	if later.Quotes[0].SpeakerID != into {
		t.Errorf("later quote naming a merged name: speaker %q, want %q", later.Quotes[0].SpeakerID, into)
	}

	for _, tc := range []struct {
		name string
		from []string
		want error
	}{
		{"into itself", []string{into}, attribution.ErrInvalid},
		{"nothing", nil, attribution.ErrInvalid},
		{"unknown", []string{"spk_0000000000000000"}, attribution.ErrNotFound},
		{"merged already", []string{a}, attribution.ErrNotFound},
	} {
		if _, err := e.s.MergeSpeakers(ctx(t), into, tc.from); !errors.Is(err, tc.want) {
			t.Errorf("MergeSpeakers(%s) error = %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := e.s.MergeSpeakers(ctx(t), "spk_0000000000000000", []string{into}); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("MergeSpeakers(into unknown) error = %v, want ErrNotFound", err)
	}
	if p, err := e.s.GetSpeaker(ctx(t), into); err != nil || p.QuoteCount != 5 {
		t.Errorf("kept speaker after the failed merges = %d quotes, %v; want 5", p.QuoteCount, err)
	}
}

func testMergeSpeakersWikidataID(t *testing.T, e *env) {
	for i, tc := range []struct {
		name string
		into string
		from []string
		want string
	}{
		{"kept speaker's wins", "Q1", []string{"Q2"}, "Q1"},
		{"kept speaker's wins over none", "Q1", []string{""}, "Q1"},
		{"taken from the merged one", "", []string{"Q2"}, "Q2"},
		{"merged ones without one do not count", "", []string{"", "Q2", ""}, "Q2"},
		{"merged ones disagree", "", []string{"Q2", "Q3"}, ""},
		{"none anywhere", "", []string{"", ""}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			names := []string{"Ana Ruiz", "Jonas Berg", "Marta Olsen", "Pia Lund"}[:1+len(tc.from)]
			for j := range names {
				names[j] = trialName(names[j], i)
			}
			ids := e.wikidataSpeakers(t, names...)
			for j, w := range append([]string{tc.into}, tc.from...) {
				if w == "" {
					continue
				}
				w = w + string(rune('0'+i)) // one Wikidata id is one speaker: keep the subtests apart
				if _, err := e.s.UpdateSpeaker(ctx(t), ids[j], attribution.SpeakerPatch{WikidataID: &w}, 0); err != nil {
					t.Fatalf("set %s on %s: %v", w, names[j], err)
				}
			}
			want := tc.want
			if want != "" {
				want += string(rune('0' + i))
			}
			before, err := e.s.GetSpeaker(ctx(t), ids[0])
			if err != nil {
				t.Fatal(err)
			}
			p, err := e.s.MergeSpeakers(ctx(t), ids[0], ids[1:])
			if err != nil {
				t.Fatal(err)
			}
			if p.WikidataID != want || p.Version != before.Version+1 || p.QuoteCount != len(names) {
				t.Errorf("merged = wikidata_id %q, version %d, %d quotes; want %q, %d, %d",
					p.WikidataID, p.Version, p.QuoteCount, want, before.Version+1, len(names))
			}
			if l, err := e.s.LookupSpeaker(ctx(t), ids[0]); err != nil || l.WikidataID != want {
				t.Errorf("LookupSpeaker after merge = %q, %v; want %q", l.WikidataID, err, want)
			}
		})
	}
}
