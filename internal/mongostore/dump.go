package mongostore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/statement"
	"github.com/whosaid/whosaid/internal/webhook"
)

// Export writes every document of the store as dump records, in the order
// of the dump package, each kind by _id. An article's quotes are read in
// one pass over the quotes by article and position, beside the articles.
func (s *Store) Export(ctx context.Context, emit func(dump.Record) error) error {
	byID := options.Find().SetSort(bson.D{{Key: "_id", Value: 1}})
	if err := exportColl(ctx, s, collSpeakers, byID, func(d speakerDoc) error {
		if d.MergedInto != "" {
			return nil // a merged speaker's tombstone: its quotes are the survivor's
		}
		return emit(dump.Record{Type: dump.TypeSpeaker, Speaker: &dump.Speaker{
			ID: d.ID, Name: d.Name, Type: d.Type, Aliases: orEmpty(d.Aliases), Roles: orEmpty(d.Roles),
			WikidataID: d.WikidataID, Version: d.Version, UpdatedAt: d.UpdatedAt.UTC(),
		}})
	}); err != nil {
		return err
	}
	if err := s.exportArticles(ctx, emit); err != nil {
		return err
	}
	if err := exportColl(ctx, s, collStatements, byID, func(d statementDoc) error {
		st := &dump.Statement{ID: d.ID, Text: d.Text, SpeakerID: d.SpeakerID, SpeakerName: d.SpeakerName,
			CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(), Version: d.Version}
		for _, o := range d.Occurrences {
			st.Occurrences = append(st.Occurrences, attribution.Occurrence{
				QuoteID: o.QuoteID, ArticleID: o.ArticleID, Text: o.Text, Kind: attribution.Kind(o.Kind),
				Speaker: o.Speaker, Outlet: o.Outlet, URL: o.URL, PublishedAt: o.PublishedAt.UTC(),
			})
		}
		return emit(dump.Record{Type: dump.TypeStatement, Statement: st})
	}); err != nil {
		return err
	}
	if err := exportColl(ctx, s, collSubscriptions, byID, func(d subscriptionDoc) error {
		sub := d.subscription()
		sub.SpeakerIDs = orEmpty(sub.SpeakerIDs)
		return emit(dump.Record{Type: dump.TypeSubscription, Subscription: &dump.Subscription{Subscription: sub, Secret: d.Secret}})
	}); err != nil {
		return err
	}
	if err := exportColl(ctx, s, collDeliveries, byID, func(d deliveryDoc) error {
		dl := webhook.Delivery{ID: d.ID, SubscriptionID: d.SubscriptionID, Event: d.Event, QuoteID: d.QuoteID, Status: d.Status,
			Attempts: make([]webhook.Attempt, len(d.Attempts)), CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC()}
		for i, a := range d.Attempts {
			dl.Attempts[i] = webhook.Attempt{At: a.At.UTC(), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS}
		}
		return emit(dump.Record{Type: dump.TypeDelivery, Delivery: &dump.Delivery{Delivery: dl}})
	}); err != nil {
		return err
	}
	if err := exportColl(ctx, s, collKeys, options.Find().SetSort(bson.D{{Key: "key_id", Value: 1}}), func(d keyDoc) error {
		return emit(dump.Record{Type: dump.TypeKey, Key: &dump.Key{Key: d.key(), Hash: d.Hash}})
	}); err != nil {
		return err
	}
	return exportColl(ctx, s, collIdempotency, byID, func(d idempotencyDoc) error {
		return emit(dump.Record{Type: dump.TypeIdempotencyKey, IdempotencyKey: &dump.IdempotencyKey{
			Key: d.Key, ArticleID: d.ArticleID, TextHash: d.TextHash, CreatedAt: d.CreatedAt.UTC(),
		}})
	})
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func exportColl[T any](ctx context.Context, s *Store, coll string, opts *options.FindOptionsBuilder, fn func(T) error) error {
	cur, err := s.db.Collection(coll).Find(ctx, bson.D{}, opts)
	if err != nil {
		return wrapErr("export "+coll, err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d T
		if err := cur.Decode(&d); err != nil {
			return wrapErr("export "+coll, err)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return wrapErrIf("export "+coll, cur.Err())
}

func wrapErrIf(op string, err error) error {
	if err == nil {
		return nil
	}
	return wrapErr(op, err)
}

// exportArticles emits each article with its quotes. Articles and quotes
// are both read in article id order (quotes by the article_id_n index).
func (s *Store) exportArticles(ctx context.Context, emit func(dump.Record) error) error {
	qcur, err := s.db.Collection(collQuotes).Find(ctx, bson.D{},
		options.Find().SetSort(bson.D{{Key: "article_id", Value: 1}, {Key: "n", Value: 1}}))
	if err != nil {
		return wrapErr("export quotes", err)
	}
	defer qcur.Close(ctx)
	var next *quoteDoc
	advance := func() error {
		next = nil
		if !qcur.Next(ctx) {
			return wrapErrIf("export quotes", qcur.Err())
		}
		var d quoteDoc
		if err := qcur.Decode(&d); err != nil {
			return wrapErr("export quotes", err)
		}
		next = &d
		return nil
	}
	if err := advance(); err != nil {
		return err
	}
	return exportColl(ctx, s, collArticles, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}), func(d articleDoc) error {
		a := &dump.Article{Article: d.article(), Quotes: []dump.Quote{}}
		id := d.ID.Hex()
		for next != nil && next.ArticleID <= id {
			if next.ArticleID == id { // quotes of no stored article are left out
				q := dump.Quote{StoredQuote: next.quote(), N: next.N, Version: next.version()}
				for _, c := range next.Corrections {
					q.Corrections = append(q.Corrections, c.correction())
				}
				q.History = nil
				a.Quotes = append(a.Quotes, q)
			}
			if err := advance(); err != nil {
				return err
			}
		}
		if d.NextQuote != nil {
			a.NextQuote = *d.NextQuote
		}
		for _, q := range a.Quotes {
			if n, ok := dump.QuoteNumber(id, q.ID); ok {
				a.NextQuote = max(a.NextQuote, n+1)
			}
		}
		return emit(dump.Record{Type: dump.TypeArticle, Article: a})
	})
}

// Import stores r under its own ids; added is false when its id is stored
// already (the stored document is left as it is). An article's quotes are
// written before the article, each once, so that an import cut short and
// run again completes it. Derived fields (text hash, folded words, search
// keys, shingles) are computed as an ingest would.
func (s *Store) Import(ctx context.Context, r dump.Record) (bool, error) {
	switch {
	case r.Type == dump.TypeSpeaker && r.Speaker != nil:
		// The speaker claims its name (keys), as a new speaker does; a dump
		// does not say which aliases an editor set or a merge brought, so
		// they are looked up by alias only, not claimed.
		sp := r.Speaker
		key := attribution.NormalizeName(sp.Name)
		d := speakerDoc{ID: sp.ID, Name: sp.Name, NormalizedName: key, Keys: []string{key}, Type: sp.Type,
			Aliases: orEmpty(sp.Aliases), AliasKeys: attribution.AliasKeys(sp.Aliases), SearchKeys: attribution.SearchKeys(sp.Name, sp.Aliases),
			Roles: orEmpty(sp.Roles), WikidataID: sp.WikidataID, Version: max(sp.Version, 1), UpdatedAt: dumpMS(sp.UpdatedAt)}
		return s.insertOnce(ctx, collSpeakers, d.ID, d)
	case r.Type == dump.TypeArticle && r.Article != nil:
		return s.importArticle(ctx, r.Article)
	case r.Type == dump.TypeStatement && r.Statement != nil:
		return s.importStatement(ctx, r.Statement)
	case r.Type == dump.TypeSubscription && r.Subscription != nil:
		sub := r.Subscription
		d := subscriptionDoc{ID: sub.ID, URL: sub.URL, Secret: cmpOr(sub.Secret, sub.Subscription.Secret), SpeakerIDs: orEmpty(sub.SpeakerIDs),
			Query: sub.Query, KeyID: sub.KeyID, CreatedAt: dumpMS(sub.CreatedAt)}
		return s.insertOnce(ctx, collSubscriptions, d.ID, d)
	case r.Type == dump.TypeDelivery && r.Delivery != nil:
		dl := r.Delivery
		d := deliveryDoc{ID: dl.ID, SubscriptionID: dl.SubscriptionID, Event: dl.Event, QuoteID: dl.QuoteID, Status: dl.Status,
			Attempts: make([]attemptDoc, len(dl.Attempts)), CreatedAt: dumpMS(dl.CreatedAt), UpdatedAt: dumpMS(dl.UpdatedAt)}
		for i, a := range dl.Attempts {
			d.Attempts[i] = attemptDoc{At: dumpMS(a.At), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS}
		}
		return s.insertOnce(ctx, collDeliveries, d.ID, d)
	case r.Type == dump.TypeKey && r.Key != nil:
		k := r.Key
		d := keyDoc{Hash: k.Hash, ID: k.ID, Name: k.Name, Scope: string(k.Scope), Prefix: k.Prefix, CreatedAt: dumpMS(k.CreatedAt), MadeWithoutAuth: k.MadeWithoutAuth}
		if k.RevokedAt != nil {
			t := dumpMS(*k.RevokedAt)
			d.RevokedAt = &t
		}
		return s.insertOnce(ctx, collKeys, d.Hash, d)
	case r.Type == dump.TypeIdempotencyKey && r.IdempotencyKey != nil:
		k := r.IdempotencyKey
		d := idempotencyDoc{Key: k.Key, ArticleID: k.ArticleID, TextHash: k.TextHash, CreatedAt: dumpMS(k.CreatedAt)}
		return s.insertOnce(ctx, collIdempotency, d.Key, d)
	case r.Type == dump.TypeHeader:
		return false, nil
	}
	return false, fmt.Errorf("import: record type %q without its %s: %w", r.Type, r.Type, attribution.ErrInvalid)
}

func dumpMS(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// insertOnce inserts doc; a duplicate _id is added=false, a duplicate of
// another unique key (another speaker with the name, another article with
// the URL) an error wrapping attribution.ErrConflict.
func (s *Store) insertOnce(ctx context.Context, coll string, id, doc any) (bool, error) {
	_, err := s.db.Collection(coll).InsertOne(ctx, doc)
	if err == nil {
		return true, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return false, wrapErr("import into "+coll, err)
	}
	n, cerr := s.db.Collection(coll).CountDocuments(ctx, bson.D{{Key: "_id", Value: id}})
	if cerr != nil {
		return false, wrapErr("import into "+coll, cerr)
	}
	if n == 1 {
		return false, nil
	}
	return false, wrapErr(fmt.Sprintf("import %v into %s", id, coll), err)
}

func (s *Store) importArticle(ctx context.Context, a *dump.Article) (bool, error) {
	oid, err := bson.ObjectIDFromHex(a.ID)
	if err != nil {
		return false, fmt.Errorf("import article %q: id is not an ObjectID: %w", a.ID, attribution.ErrInvalid)
	}
	// Another article that is this one (the same URL, or without URL the
	// same text) would make the insert below fail after the quotes:
	// refuse before writing any.
	same := bson.E{Key: "url", Value: a.URL}
	if a.URL == "" {
		same = bson.E{Key: "text_key", Value: TextHash(a.Text)}
	}
	dups, err := s.db.Collection(collArticles).CountDocuments(ctx, bson.D{same, {Key: "_id", Value: bson.D{{Key: "$ne", Value: oid}}}})
	if err != nil {
		return false, wrapErr("import article "+a.ID, err)
	}
	if dups > 0 {
		return false, fmt.Errorf("import article %s: another article has its URL (or, without URL, its text): %w", a.ID, attribution.ErrConflict)
	}
	published := a.PublishedAt
	if published.IsZero() {
		published = a.CreatedAt
	}
	docs := make([]any, len(a.Quotes))
	for i, q := range a.Quotes {
		d := newQuoteDoc(a.ID, q.N, q.Quote, q.SpeakerID, dumpMS(cmpTime(q.PublishedAt, published)), q.Outlet, q.URL)
		d.ID, d.StatementID, d.Hidden = q.ID, q.StatementID, q.Hidden
		if q.Version > 1 {
			d.Version = q.Version
		}
		for _, c := range q.Corrections {
			d.Corrections = append(d.Corrections, correctionDoc{At: dumpMS(c.At), By: c.By, Before: stateDocOf(c.Before), After: stateDocOf(c.After)})
		}
		docs[i] = d
	}
	if len(docs) > 0 {
		_, err := s.db.Collection(collQuotes).InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
		if err != nil && !onlyDuplicates(err) {
			return false, wrapErr("import quotes of article "+a.ID, err)
		}
	}
	n := len(a.Quotes)
	next := a.NextQuote
	for _, q := range a.Quotes {
		if k, ok := dump.QuoteNumber(a.ID, q.ID); ok {
			next = max(next, k+1)
		}
	}
	d := articleDoc{ID: oid, URL: a.URL, Title: a.Title, Byline: a.Byline, Text: a.Text, TextHash: TextHash(a.Text), TextKey: textKey(&a.Article),
		Outlet: a.Outlet, Language: a.Language, CreatedAt: dumpMS(a.CreatedAt), QuoteCount: &n, Revision: max(a.Revision, 1), NextQuote: &next}
	if a.UpdatedAt.After(a.CreatedAt) {
		t := dumpMS(a.UpdatedAt)
		d.UpdatedAt = &t
	}
	if !a.PublishedAt.IsZero() {
		t := dumpMS(a.PublishedAt)
		d.PublishedAt = &t
	}
	return s.insertOnce(ctx, collArticles, oid, d)
}

func cmpTime(a, b time.Time) time.Time {
	if !a.IsZero() {
		return a
	}
	return b
}

func stateDocOf(st attribution.CorrectionState) stateDoc {
	d := stateDoc{SpeakerID: st.SpeakerID, Kind: string(st.Kind), Hidden: st.Hidden}
	if st.Speaker != nil {
		d.SpeakerName, d.SpeakerType = st.Speaker.Name, string(st.Speaker.Type)
	}
	return d
}

// importStatement stores a statement with the words and shingles of its
// text and occurrences; each occurrence takes the speaker id of its quote
// (imported before it).
func (s *Store) importStatement(ctx context.Context, st *dump.Statement) (bool, error) {
	words := statement.Words(st.Text)
	shingles := statement.Shingles(words)
	quoteIDs := make([]string, len(st.Occurrences))
	for i, o := range st.Occurrences {
		quoteIDs[i] = o.QuoteID
		shingles = unionSorted(shingles, statement.Shingles(statement.Words(o.Text)))
	}
	speakerOf := map[string]string{}
	if len(quoteIDs) > 0 {
		cur, err := s.db.Collection(collQuotes).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: quoteIDs}}}},
			options.Find().SetProjection(bson.D{{Key: "speaker_id", Value: 1}}))
		if err != nil {
			return false, wrapErr("import statement "+st.ID, err)
		}
		var qs []struct {
			ID        string `bson:"_id"`
			SpeakerID string `bson:"speaker_id"`
		}
		if err := cur.All(ctx, &qs); err != nil {
			return false, wrapErr("import statement "+st.ID, err)
		}
		for _, q := range qs {
			speakerOf[q.ID] = q.SpeakerID
		}
	}
	d := statementDoc{ID: st.ID, Text: st.Text, Words: words, Shingles: slices.Clip(shingles), SpeakerID: st.SpeakerID,
		SpeakerName: st.SpeakerName, Occurrences: make([]occurrenceDoc, len(st.Occurrences)),
		CreatedAt: dumpMS(st.CreatedAt), UpdatedAt: dumpMS(st.UpdatedAt), Version: st.Version}
	for i, o := range st.Occurrences {
		d.Occurrences[i] = occurrenceDoc{QuoteID: o.QuoteID, ArticleID: o.ArticleID, Text: o.Text, Kind: string(o.Kind),
			SpeakerID: speakerOf[o.QuoteID], Speaker: o.Speaker, Outlet: o.Outlet, URL: o.URL, PublishedAt: dumpMS(o.PublishedAt)}
	}
	return s.insertOnce(ctx, collStatements, d.ID, d)
}

var (
	_ dump.Exporter = (*Store)(nil)
	_ dump.Importer = (*Store)(nil)
)
