package mongostore_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/mongostore"
)

// threeSpeakers stores one article each by Ana Ruiz, Jonas Berg and Clara
// Jansen and returns their ids.
func threeSpeakers(t *testing.T, s *mongostore.Store) (ruiz, berg, jansen string) {
	t.Helper()
	ids := make([]string, 3)
	for i, name := range []string{"Ana Ruiz", "Jonas Berg", "Clara Jansen"} {
		res := ingest(t, s, attribution.Article{Text: fmt.Sprintf("“We will build the bridge this year,” said %s.", name), Outlet: fmt.Sprintf("Outlet %d", i)})
		if len(res.Quotes) != 1 || res.Quotes[0].SpeakerID == "" {
			t.Fatalf("article by %s: %+v", name, res.Quotes)
		}
		ids[i] = res.Quotes[0].SpeakerID
	}
	return ids[0], ids[1], ids[2]
}

// TestMergeLeavesTombstones: merged speakers are gone for reads and
// listings, but their ids and names lead to the survivor, also for
// ingests after the merge; a merged speaker can be neither merged again
// nor merged into.
func TestMergeLeavesTombstones(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	ruiz, berg, jansen := threeSpeakers(t, s)
	merged, err := s.MergeSpeakers(ctx, ruiz, []string{berg, jansen})
	if err != nil {
		t.Fatal(err)
	}
	if merged.QuoteCount != 3 || !slices.Contains(merged.Aliases, "Jonas Berg") || !slices.Contains(merged.Aliases, "Clara Jansen") {
		t.Errorf("merged = %+v, want 3 quotes and both names as aliases", merged)
	}
	for _, gone := range []string{berg, jansen} {
		if _, err := s.GetSpeaker(ctx, gone); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("GetSpeaker(%s) error = %v, want ErrNotFound", gone, err)
		}
		if _, err := s.LookupSpeaker(ctx, gone); !errors.Is(err, attribution.ErrNotFound) {
			t.Errorf("LookupSpeaker(%s) error = %v, want ErrNotFound", gone, err)
		}
	}
	for _, in := range []string{berg, "Jonas Berg", "clara jansen", jansen} {
		if id, err := s.ResolveSpeakerID(ctx, in); err != nil || id != ruiz {
			t.Errorf("ResolveSpeakerID(%q) = %q, %v; want %s", in, id, err, ruiz)
		}
	}
	all, _, err := s.SearchSpeakers(ctx, "", 10, "")
	if err != nil || len(all) != 1 || all[0].ID != ruiz {
		t.Errorf("SearchSpeakers() = %+v, %v; want only %s", all, err, ruiz)
	}
	page, err := s.FindQuotes(ctx, attribution.QuoteQuery{SpeakerID: berg, PageSize: 10})
	if err != nil || len(page.Quotes) != 0 {
		t.Errorf("quotes still on %s: %+v, %v", berg, page.Quotes, err)
	}
	res := ingest(t, s, attribution.Article{Text: "“The bridge opens in May,” said Jonas Berg."})
	if len(res.Quotes) != 1 || res.Quotes[0].SpeakerID != ruiz {
		t.Errorf("a later article by Jonas Berg: %+v, want speaker %s", res.Quotes, ruiz)
	}
	if p, err := s.GetSpeaker(ctx, ruiz); err != nil || p.QuoteCount != 4 {
		t.Errorf("GetSpeaker(%s) = %d quotes, %v; want 4", ruiz, p.QuoteCount, err)
	}
	if _, err := s.MergeSpeakers(ctx, ruiz, []string{berg}); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("merging a merged speaker again: %v, want ErrNotFound", err)
	}
	if _, err := s.MergeSpeakers(ctx, berg, []string{ruiz}); !errors.Is(err, attribution.ErrNotFound) {
		t.Errorf("merging into a merged speaker: %v, want ErrNotFound", err)
	}
	// The survivor may take a merged speaker's name: it is its own now.
	name := "Jonas Berg"
	if p, err := s.UpdateSpeaker(ctx, ruiz, attribution.SpeakerPatch{Name: &name}, 0); err != nil || p.Name != name {
		t.Errorf("renaming the survivor to a merged name = %+v, %v", p, err)
	}
}

// TestMergeWhileLocked: a speaker another merge holds cannot be merged
// (ErrConflict) until that merge's lock expires; a failed merge releases
// the locks it took.
func TestMergeWhileLocked(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	ruiz, berg, jansen := threeSpeakers(t, s)
	locks := rawDB(t, s.Name()).Collection("merge_locks")
	if _, err := locks.InsertOne(ctx, bson.D{{Key: "_id", Value: berg}, {Key: "token", Value: "other"}, {Key: "at", Value: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MergeSpeakers(ctx, ruiz, []string{berg}); !errors.Is(err, attribution.ErrConflict) {
		t.Fatalf("merge of a locked speaker: %v, want ErrConflict", err)
	}
	// ruiz (locked first) was released: another merge into it runs.
	if _, err := s.MergeSpeakers(ctx, ruiz, []string{jansen}); err != nil {
		t.Fatalf("merge after a failed one: %v", err)
	}
	// The other merge died an hour ago.
	if _, err := locks.UpdateOne(ctx, bson.D{{Key: "_id", Value: berg}}, bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: time.Now().Add(-time.Hour)}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MergeSpeakers(ctx, ruiz, []string{berg}); err != nil {
		t.Fatalf("merge of a speaker whose lock expired: %v", err)
	}
	// The expired lock was taken over, and released with the others.
	n, err := locks.CountDocuments(ctx, bson.D{})
	if err != nil || n != 0 {
		t.Errorf("%d speakers still locked, %v", n, err)
	}
}

// TestIngestFindsMergedSpeakerByID: a writer that meets the tombstone of
// a speaker by id (the speaker's id derives from its name) stores on the
// survivor.
func TestIngestFindsMergedSpeakerByID(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	ruiz, berg, _ := threeSpeakers(t, s)
	if _, err := s.MergeSpeakers(ctx, ruiz, []string{berg}); err != nil {
		t.Fatal(err)
	}
	// As if the merge had not given the survivor the name yet (the
	// moment between the two writes, without transactions).
	if _, err := rawDB(t, s.Name()).Collection("speakers").UpdateOne(ctx, bson.D{{Key: "_id", Value: ruiz}},
		bson.D{{Key: "$pull", Value: bson.D{{Key: "keys", Value: "jonas berg"}, {Key: "alias_keys", Value: "jonas berg"}}}}); err != nil {
		t.Fatal(err)
	}
	if id, err := s.ResolveSpeakerID(ctx, "Jonas Berg"); !errors.Is(err, attribution.ErrNotFound) {
		t.Fatalf("set-up: Jonas Berg resolves to %q, %v", id, err)
	}
	res := ingest(t, s, attribution.Article{Text: "“The bridge opens in May,” said Jonas Berg."})
	if len(res.Quotes) != 1 || res.Quotes[0].SpeakerID != ruiz {
		t.Errorf("article by Jonas Berg: %+v, want speaker %s", res.Quotes, ruiz)
	}
}

// TestSpeakerKeysOfEarlierReleases: EnsureIndexes gives speakers stored
// without keys their name as key, which then conflicts with a rename of
// another speaker to it.
func TestSpeakerKeysOfEarlierReleases(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	speakers := rawDB(t, s.Name()).Collection("speakers")
	if _, err := speakers.Indexes().CreateOne(ctx, mongoIndex("normalized_name", "normalized_name_unique")); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, name := range []string{"Ana Ruiz", "Jonas Berg"} {
		doc := bson.D{
			{Key: "_id", Value: attribution.SpeakerID(name)}, {Key: "name", Value: name}, {Key: "normalized_name", Value: attribution.NormalizeName(name)},
			{Key: "type", Value: "person"}, {Key: "aliases", Value: bson.A{}}, {Key: "alias_keys", Value: bson.A{}},
			{Key: "search_keys", Value: bson.A{attribution.NormalizeName(name)}}, {Key: "roles", Value: bson.A{}},
			{Key: "version", Value: int64(1)}, {Key: "updated_at", Value: now},
		}
		if _, err := speakers.InsertOne(ctx, doc); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // idempotent
		if err := s.EnsureIndexes(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var d struct {
		Keys []string `bson:"keys"`
	}
	if err := speakers.FindOne(ctx, bson.D{{Key: "_id", Value: attribution.SpeakerID("Ana Ruiz")}}).Decode(&d); err != nil || !slices.Equal(d.Keys, []string{"ana ruiz"}) {
		t.Errorf("keys of an earlier speaker = %v, %v; want [ana ruiz]", d.Keys, err)
	}
	if id, err := s.ResolveSpeakerID(ctx, "ANA RUIZ"); err != nil || id != attribution.SpeakerID("Ana Ruiz") {
		t.Errorf("ResolveSpeakerID(ANA RUIZ) = %q, %v", id, err)
	}
	name := "Ana Ruiz"
	if _, err := s.UpdateSpeaker(ctx, attribution.SpeakerID("Jonas Berg"), attribution.SpeakerPatch{Name: &name}, 0); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("renaming to an earlier speaker's name: %v, want ErrConflict", err)
	}
}

// TestConcurrentSpeakerWrites: the writes that must hold with writers at
// once, through two stores (as from two replicas of the service), several
// trials each, all goroutines released at once. Merges hold on the
// embedded FerretDB too (their locks are inserts); edits need MongoDB.
func TestConcurrentSpeakerWrites(t *testing.T) {
	const trials, writers = 4, 8
	// run starts n writers at once and waits for them.
	run := func(n int, f func(i int)) {
		var ready, done sync.WaitGroup
		start := make(chan struct{})
		ready.Add(n)
		for i := range n {
			done.Go(func() {
				ready.Done()
				<-start
				f(i)
			})
		}
		ready.Wait()
		close(start)
		done.Wait()
	}
	t.Run("reciprocal merges", func(t *testing.T) {
		for trial := range trials {
			s := newTestStore(t)
			ctx := testContext(t)
			if err := s.EnsureIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			stores := []*mongostore.Store{s, openStore(t, testURI, s.Name())}
			a, b, _ := threeSpeakers(t, s)
			errs := make([]error, 2)
			run(2, func(i int) {
				into, from := a, b
				if i == 1 {
					into, from = b, a
				}
				_, errs[i] = stores[i].MergeSpeakers(ctx, into, []string{from})
			})
			if errs[0] == nil && errs[1] == nil {
				t.Errorf("trial %d: both reciprocal merges succeeded", trial)
			}
			left := 0
			for _, id := range []string{a, b} {
				if _, err := s.GetSpeaker(ctx, id); err == nil {
					left++
				}
			}
			if left == 0 {
				t.Errorf("trial %d: no speaker left (errors %v)", trial, errs)
			}
			assertNoOrphanQuotes(t, s)
		}
	})
	t.Run("same version", func(t *testing.T) {
		needAtomicUpdates(t)
		for trial := range trials {
			s := newTestStore(t)
			ctx := testContext(t)
			if err := s.EnsureIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			stores := []*mongostore.Store{s, openStore(t, testURI, s.Name())}
			a, _, _ := threeSpeakers(t, s)
			p, err := s.GetSpeaker(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			won := make([]bool, writers)
			run(writers, func(i int) {
				aliases := []string{fmt.Sprintf("Alias %d", i)}
				_, err := stores[i%2].UpdateSpeaker(ctx, a, attribution.SpeakerPatch{Aliases: &aliases}, p.Version)
				switch {
				case err == nil:
					won[i] = true
				case !errors.Is(err, attribution.ErrPrecondition):
					t.Errorf("writer %d: %v, want ErrPrecondition", i, err)
				}
			})
			if n := countTrue(won); n != 1 {
				t.Errorf("trial %d: %d writers with the same version won, want 1", trial, n)
			}
		}
	})
	t.Run("same alias", func(t *testing.T) {
		needAtomicUpdates(t)
		for trial := range trials {
			s := newTestStore(t)
			ctx := testContext(t)
			if err := s.EnsureIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			stores := []*mongostore.Store{s, openStore(t, testURI, s.Name())}
			a, b, _ := threeSpeakers(t, s)
			won := make([]bool, 2)
			run(2, func(i int) {
				aliases := []string{"The Spokesperson"}
				_, err := stores[i].UpdateSpeaker(ctx, []string{a, b}[i], attribution.SpeakerPatch{Aliases: &aliases}, 0)
				switch {
				case err == nil:
					won[i] = true
				case !errors.Is(err, attribution.ErrConflict):
					t.Errorf("writer %d: %v, want ErrConflict", i, err)
				}
			})
			if n := countTrue(won); n > 1 {
				t.Errorf("trial %d: both speakers got the same alias", trial)
			}
		}
	})
	t.Run("ingest during merge", func(t *testing.T) {
		for trial := range trials {
			s := newTestStore(t)
			ctx := testContext(t)
			if err := s.EnsureIndexes(ctx); err != nil {
				t.Fatal(err)
			}
			stores := []*mongostore.Store{s, openStore(t, testURI, s.Name())}
			a, b, _ := threeSpeakers(t, s)
			run(writers, func(i int) {
				if i == 0 {
					if _, err := stores[0].MergeSpeakers(ctx, a, []string{b}); err != nil {
						t.Errorf("merge: %v", err)
					}
					return
				}
				art := attribution.Article{Text: fmt.Sprintf("“Trial %d, article %d: the bridge opens,” said Jonas Berg.", trial, i)}
				if _, err := stores[i%2].IngestArticle(ctx, &art, mustExtract(t, art.Text)); err != nil {
					t.Errorf("ingest %d: %v", i, err)
				}
			})
			page, err := s.FindQuotes(ctx, attribution.QuoteQuery{SpeakerID: b, PageSize: 100})
			if err != nil || len(page.Quotes) != 0 {
				t.Errorf("trial %d: %d quotes left on the merged speaker, %v", trial, len(page.Quotes), err)
			}
			if p, err := s.GetSpeaker(ctx, a); err != nil || p.QuoteCount != 2+writers-1 {
				t.Errorf("trial %d: survivor has %d quotes, %v; want %d", trial, p.QuoteCount, err, 2+writers-1)
			}
			assertNoOrphanQuotes(t, s)
		}
	})
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// assertNoOrphanQuotes checks that every quote with a speaker id names a
// live speaker.
func assertNoOrphanQuotes(t *testing.T, s *mongostore.Store) {
	t.Helper()
	ctx := testContext(t)
	db := rawDB(t, s.Name())
	cur, err := db.Collection("quotes").Aggregate(ctx, mongo.Pipeline{
		{{Key: "$match", Value: bson.D{{Key: "speaker_id", Value: bson.D{{Key: "$exists", Value: true}}}}}},
		{{Key: "$group", Value: bson.D{{Key: "_id", Value: "$speaker_id"}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var groups []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &groups); err != nil {
		t.Fatal(err)
	}
	if len(groups) == 0 {
		t.Fatal("no quote has a speaker")
	}
	for _, g := range groups {
		id := g.ID
		n, err := db.Collection("speakers").CountDocuments(ctx, bson.D{{Key: "_id", Value: id}, {Key: "merged_into", Value: bson.D{{Key: "$exists", Value: false}}}})
		if err != nil || n != 1 {
			t.Errorf("quotes on speaker %s, which is not a live speaker (%d, %v)", id, n, err)
		}
	}
}

func mongoIndex(field, name string) mongo.IndexModel {
	return mongo.IndexModel{Keys: bson.D{{Key: field, Value: 1}}, Options: options.Index().SetName(name).SetUnique(true)}
}

// TestArticlesOfEarlierReleases: EnsureIndexes drops text_hash_unique and
// gives an article without URL of an earlier release its text key: the
// same text without URL is still that article, under another URL a new
// one.
func TestArticlesOfEarlierReleases(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	articles := rawDB(t, s.Name()).Collection("articles")
	if _, err := articles.Indexes().CreateOne(ctx, mongoIndex("text_hash", "text_hash_unique")); err != nil {
		t.Fatal(err)
	}
	text := "“The bridge opens in May,” said Jonas Berg."
	oid := bson.NewObjectID()
	if _, err := articles.InsertOne(ctx, bson.D{{Key: "_id", Value: oid}, {Key: "text", Value: text}, {Key: "text_hash", Value: mongostore.TextHash(text)},
		{Key: "created_at", Value: time.Now().UTC().Truncate(time.Millisecond)}, {Key: "quote_count", Value: 0}}); err != nil {
		t.Fatal(err)
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	var d struct {
		TextKey string `bson:"text_key"`
	}
	if err := articles.FindOne(ctx, bson.D{{Key: "_id", Value: oid}}).Decode(&d); err != nil || d.TextKey != mongostore.TextHash(text) {
		t.Errorf("text_key of an earlier article = %q, %v", d.TextKey, err)
	}
	if res := ingest(t, s, attribution.Article{Text: text}); res.Created || res.Article.ID != oid.Hex() {
		t.Errorf("same text without URL = created %v id %s, want %s", res.Created, res.Article.ID, oid.Hex())
	}
	if res := ingest(t, s, attribution.Article{URL: "https://example.com/bridge", Text: text}); !res.Created || res.Article.ID == oid.Hex() {
		t.Errorf("same text with a URL = created %v id %s, want a new article", res.Created, res.Article.ID)
	}
}
