package mongostore

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/dump"
)

// revisionLease is how long a revision under way is left to its writer
// before an ingest of the same text may take it over (the writer died).
const revisionLease = time.Minute

// reviseArticle makes a's text, new at the URL of stored article d, the
// article's next revision, with the rules of the embedded store: quotes
// are matched by their words (attribution.MatchRevision); a matched quote
// keeps its id, attribution, corrections, version and statement and takes
// its place in the new text; the stored quotes left unmatched are
// deleted with their statement occurrences; the new ones are stored
// numbered after the highest number the article used (next_quote, which
// only grows). The article takes the new text, title and language, and
// counts one more revision, updated now.
//
// What is atomic: on a server with transactions (a replica set) all of it
// runs in one. Without (a standalone server, FerretDB) it runs step by
// step: first one write of the article, guarded by the text and revision
// it had, which sets the new text and marks it revising, so that two
// revisions at once cannot both apply (the loser answers ErrConflict, or
// the stored article when it was the same text); then the quotes and
// statements; then the mark is cleared. Quote listings may show the old
// quotes next to the new text meanwhile. An ingest while the mark is
// younger than revisionLease is told ErrConflict; after, an ingest of
// another text revises the article anew, and one of the same text
// takes the revision over (a guarded write) and finishes
// it: the steps are repeated on what is stored (matched again by words),
// and new quote numbers are taken from next_quote with $inc, so that none
// is given twice.
func (s *Store) reviseArticle(ctx context.Context, d articleDoc, a *attribution.Article, res attribution.Result) (attribution.IngestResult, error) {
	var out attribution.IngestResult
	err := s.atomically(ctx, func(ctx context.Context) error {
		var err error
		out, err = s.revise(ctx, d, a, res)
		return err
	})
	if err != nil {
		return attribution.IngestResult{}, err
	}
	return out, nil
}

func (s *Store) revise(ctx context.Context, d articleDoc, a *attribution.Article, res attribution.Result) (attribution.IngestResult, error) {
	id := d.ID.Hex()
	arts := s.db.Collection(collArticles)
	old, err := s.quoteDocs(ctx, id)
	if err != nil {
		return attribution.IngestResult{}, err
	}
	if d.Revising && d.UpdatedAt != nil && time.Since(*d.UpdatedAt) < revisionLease {
		return attribution.IngestResult{}, fmt.Errorf("revise article %s: being revised by another request; try again: %w", id, attribution.ErrConflict)
	}
	if d.Text == a.Text && d.Revising {
		// A revision of this text left by a writer that died: taken over
		// by one writer (a guarded write of updated_at), and finished.
		now := time.Now().UTC().Truncate(time.Millisecond)
		guard := bson.D{{Key: "_id", Value: d.ID}, {Key: "revising", Value: true}}
		if d.UpdatedAt != nil {
			guard = append(guard, bson.E{Key: "updated_at", Value: *d.UpdatedAt})
		}
		r, err := arts.UpdateOne(ctx, guard, bson.D{{Key: "$set", Value: bson.D{{Key: "updated_at", Value: now}}}})
		if err != nil {
			return attribution.IngestResult{}, wrapErr("revise article "+id, err)
		}
		if r.MatchedCount == 0 {
			return attribution.IngestResult{}, fmt.Errorf("revise article %s: taken over by another request; try again: %w", id, attribution.ErrConflict)
		}
	} else {
		// Claim the revision.
		next := 0
		if d.NextQuote != nil {
			next = *d.NextQuote
		}
		for _, q := range old {
			if n, ok := dump.QuoteNumber(id, q.ID); ok {
				next = max(next, n+1)
			}
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		if d.UpdatedAt != nil && !now.After(*d.UpdatedAt) {
			now = d.UpdatedAt.Add(time.Millisecond)
		}
		guard := bson.D{{Key: "_id", Value: d.ID}, {Key: "text_hash", Value: d.TextHash}}
		if d.Revision == 0 {
			guard = append(guard, bson.E{Key: "revision", Value: bson.D{{Key: "$exists", Value: false}}})
		} else {
			guard = append(guard, bson.E{Key: "revision", Value: d.Revision})
		}
		d.Text, d.TextHash, d.Revision, d.UpdatedAt, d.NextQuote, d.Revising = a.Text, TextHash(a.Text), max(d.Revision, 1)+1, &now, &next, true
		d.Title, d.Byline, d.Language = cmp.Or(a.Title, d.Title), cmp.Or(a.Byline, d.Byline), cmp.Or(a.Language, d.Language)
		r, err := arts.UpdateOne(ctx, guard, bson.D{{Key: "$set", Value: bson.D{
			{Key: "text", Value: d.Text}, {Key: "text_hash", Value: d.TextHash}, {Key: "title", Value: d.Title}, {Key: "byline", Value: d.Byline}, {Key: "language", Value: d.Language},
			{Key: "revision", Value: d.Revision}, {Key: "updated_at", Value: now}, {Key: "next_quote", Value: next}, {Key: "revising", Value: true},
		}}})
		if err != nil {
			return attribution.IngestResult{}, wrapErr("revise article "+id, err)
		}
		if r.MatchedCount == 0 {
			// Another revision won: the same text is answered as stored.
			now, err := s.sameArticle(ctx, a)
			if err == nil && now.Text == a.Text && !now.Revising && !now.Pending {
				qs, err := s.quotesOf(ctx, now)
				return attribution.IngestResult{Article: now.article(), Quotes: qs}, err
			}
			return attribution.IngestResult{}, fmt.Errorf("revise article %s: revised by another request meanwhile; try again: %w", id, attribution.ErrConflict)
		}
	}

	kept := attribution.MatchRevision(quotesFromDocs(old), res.Quotes)
	used := make([]bool, len(old))
	for _, i := range kept {
		if i >= 0 {
			used[i] = true
		}
	}
	quotes := s.db.Collection(collQuotes)
	// Removed quotes: out of their statements first, then deleted.
	for i := range old {
		if used[i] {
			continue
		}
		q := &old[i]
		if q.StatementID != "" {
			if err := s.rewriteStatement(ctx, q.StatementID, func(occs []occurrenceDoc) []occurrenceDoc { return withoutQuote(occs, q.ID) }); err != nil {
				return attribution.IngestResult{}, err
			}
		}
		if _, err := quotes.DeleteOne(ctx, bson.D{{Key: "_id", Value: q.ID}}); err != nil {
			return attribution.IngestResult{}, wrapErr("delete quote "+q.ID, err)
		}
	}
	// Kept quotes: in their place in the new text.
	fresh := 0
	for n, i := range kept {
		if i < 0 {
			fresh++
			continue
		}
		q := old[i]
		sq := q.quote()
		attribution.MoveQuote(&sq, res.Quotes[n])
		set := bson.D{{Key: "n", Value: n}, {Key: "text", Value: sq.Text}, {Key: "start", Value: sq.Span.Start}, {Key: "end", Value: sq.Span.End}}
		unset := bson.D{}
		if sq.Cue != nil {
			set = append(set, bson.E{Key: "cue", Value: spanDoc{Text: sq.Cue.Text, Start: sq.Cue.Span.Start, End: sq.Cue.Span.End}})
		} else {
			unset = append(unset, bson.E{Key: "cue", Value: ""})
		}
		update := bson.D{{Key: "$set", Value: set}}
		if len(unset) > 0 {
			update = append(update, bson.E{Key: "$unset", Value: unset})
		}
		if _, err := quotes.UpdateOne(ctx, bson.D{{Key: "_id", Value: q.ID}}, update); err != nil {
			return attribution.IngestResult{}, wrapErr("move quote "+q.ID, err)
		}
		// The mention, only while the quote names the speaker read: a
		// correction made meanwhile is not overwritten.
		if q.Speaker != nil {
			mention := bson.D{{Key: "$unset", Value: bson.D{{Key: "speaker.mention", Value: ""}}}}
			if m := sq.Speaker.Mention; m != nil {
				mention = bson.D{{Key: "$set", Value: bson.D{{Key: "speaker.mention", Value: spanDoc{Text: m.Text, Start: m.Span.Start, End: m.Span.End}}}}}
			}
			if _, err := quotes.UpdateOne(ctx, bson.D{{Key: "_id", Value: q.ID}, {Key: "speaker.name", Value: q.Speaker.Name}}, mention); err != nil {
				return attribution.IngestResult{}, wrapErr("move quote "+q.ID, err)
			}
		}
		if sq.Text != q.Text && q.StatementID != "" {
			if err := s.rewriteStatement(ctx, q.StatementID, func(occs []occurrenceDoc) []occurrenceDoc {
				for j := range occs {
					if occs[j].QuoteID == q.ID {
						occs[j].Text = sq.Text
					}
				}
				return occs
			}); err != nil {
				return attribution.IngestResult{}, err
			}
		}
	}
	// New quotes: numbers taken from next_quote.
	var added []string
	if fresh > 0 {
		var after articleDoc
		if err := arts.FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "next_quote", Value: fresh}}}},
			options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&after); err != nil {
			return attribution.IngestResult{}, wrapErr("number the new quotes of "+id, err)
		}
		first := *after.NextQuote - fresh
		published := d.CreatedAt
		if d.PublishedAt != nil {
			published = *d.PublishedAt
		}
		published = published.UTC().Truncate(time.Millisecond)
		speakerIDs := map[string]string{}
		for _, sp := range res.Speakers {
			if !sp.Type.Stored() || sp.Name == "" {
				continue
			}
			sid, err := s.ensureSpeaker(ctx, sp.Name, sp.Type, sp.Roles, attribution.NameAliases(sp))
			if err != nil {
				return attribution.IngestResult{}, err
			}
			speakerIDs[sp.Name] = sid
		}
		batch := statementBatch{s: s}
		var docs []quoteDoc
		for n, i := range kept {
			if i >= 0 {
				continue
			}
			q := res.Quotes[n]
			sid := ""
			if q.Speaker != nil && q.Speaker.Type.Stored() && q.Speaker.Name != "" {
				if sid = speakerIDs[q.Speaker.Name]; sid == "" {
					var err error
					if sid, err = s.ensureSpeaker(ctx, q.Speaker.Name, q.Speaker.Type, nil, nil); err != nil {
						return attribution.IngestResult{}, err
					}
					speakerIDs[q.Speaker.Name] = sid
				}
			}
			qd := newQuoteDoc(id, n, q, sid, published, d.Outlet, d.URL)
			qd.ID = fmt.Sprintf("%s-%d", id, first+len(docs))
			if err := batch.assign(ctx, &qd); err != nil {
				return attribution.IngestResult{}, err
			}
			docs = append(docs, qd)
		}
		renamed, err := batch.flush(ctx)
		if err != nil {
			return attribution.IngestResult{}, err
		}
		insert := make([]any, len(docs))
		for i := range docs {
			if to, ok := renamed[docs[i].StatementID]; ok {
				docs[i].StatementID = to
			}
			insert[i] = docs[i]
			added = append(added, docs[i].ID)
		}
		if _, err := quotes.InsertMany(ctx, insert); err != nil {
			return attribution.IngestResult{}, wrapErr("store the new quotes of "+id, err)
		}
		used := make([]string, 0, len(speakerIDs))
		for _, sid := range speakerIDs {
			used = append(used, sid)
		}
		moved, err := s.settleSpeakers(ctx, used)
		if err != nil {
			return attribution.IngestResult{}, err
		}
		// The webhook outbox: the new quotes, before the revision is
		// finished (see enqueueDeliveries).
		fresh := quotesFromDocs(docs)
		for i := range fresh {
			if to, ok := moved[fresh[i].SpeakerID]; ok {
				fresh[i].SpeakerID = to.ID
			}
		}
		if err := s.enqueueDeliveries(ctx, fresh, time.Now()); err != nil {
			return attribution.IngestResult{}, err
		}
	}
	if _, err := arts.UpdateOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, bson.D{
		{Key: "$set", Value: bson.D{{Key: "quote_count", Value: len(res.Quotes)}}},
		{Key: "$unset", Value: bson.D{{Key: "revising", Value: ""}, {Key: "pending", Value: ""}}},
	}); err != nil {
		return attribution.IngestResult{}, wrapErr("finish the revision of "+id, err)
	}
	var now articleDoc
	if err := arts.FindOne(ctx, bson.D{{Key: "_id", Value: d.ID}}).Decode(&now); err != nil {
		return attribution.IngestResult{}, wrapErr("get article "+id, err)
	}
	qs, err := s.articleQuotes(ctx, id)
	if err != nil {
		return attribution.IngestResult{}, err
	}
	return attribution.IngestResult{Article: now.article(), Quotes: qs, Revised: true, Added: added}, nil
}

// quoteDocs reads the quotes of an article in text order.
func (s *Store) quoteDocs(ctx context.Context, articleID string) ([]quoteDoc, error) {
	cur, err := s.find(ctx, collQuotes, bson.D{{Key: "article_id", Value: articleID}},
		options.Find().SetSort(bson.D{{Key: "article_id", Value: 1}, {Key: "n", Value: 1}}).SetHint(idxQuotesArticle))
	if err != nil {
		return nil, wrapErr("quotes of "+articleID, err)
	}
	var docs []quoteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrapErr("quotes of "+articleID, err)
	}
	return docs, nil
}

func quotesFromDocs(docs []quoteDoc) []attribution.StoredQuote {
	out := make([]attribution.StoredQuote, len(docs))
	for i := range docs {
		out[i] = docs[i].quote()
	}
	return out
}
