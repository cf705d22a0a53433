package mongostore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
)

// notHidden is the filter term that leaves out the quotes an editor hid.
// A quote never hidden has no hidden field, which $ne matches.
var notHidden = bson.E{Key: "hidden", Value: bson.D{{Key: "$ne", Value: true}}}

// correctionAttempts bounds how often CorrectQuote, without a version to
// hold to, tries again after another correction of the same quote won
// the race. Each round one of the writers at once wins, so n writers at
// once all finish within n rounds.
const correctionAttempts = 100

// correctionDoc is one correction in a quote's history.
type correctionDoc struct {
	At     time.Time `bson:"at"`
	By     string    `bson:"by"`
	Before stateDoc  `bson:"before"`
	After  stateDoc  `bson:"after"`
}

// stateDoc is a quote's attribution before or after a correction.
type stateDoc struct {
	SpeakerID   string `bson:"speaker_id,omitempty"`
	SpeakerName string `bson:"speaker_name,omitempty"`
	SpeakerType string `bson:"speaker_type,omitempty"`
	Kind        string `bson:"kind"`
	Hidden      bool   `bson:"hidden"`
}

func (c correctionDoc) correction() attribution.Correction {
	return attribution.Correction{At: c.At.UTC(), By: c.By, Before: c.Before.state(), After: c.After.state()}
}

func (d stateDoc) state() attribution.CorrectionState {
	st := attribution.CorrectionState{SpeakerID: d.SpeakerID, Kind: attribution.Kind(d.Kind), Hidden: d.Hidden}
	if d.SpeakerName != "" || d.SpeakerType != "" {
		st.Speaker = &attribution.CorrectionSpeaker{Name: d.SpeakerName, Type: attribution.SpeakerType(d.SpeakerType)}
	}
	return st
}

// version is the quote's version: 1 until its first correction (the
// field is absent until then, also on quotes stored before corrections
// existed).
func (d quoteDoc) version() int64 { return max(d.Version, 1) }

// stateOf is the attribution of d as a correction records it.
func stateOf(d *quoteDoc) stateDoc {
	st := stateDoc{SpeakerID: d.SpeakerID, Kind: d.Kind, Hidden: d.Hidden}
	if d.Speaker != nil {
		st.SpeakerName, st.SpeakerType = d.Speaker.Name, d.Speaker.Type
	}
	return st
}

// CorrectQuote applies an editor's correction p to quote id and appends it
// to the quote's history (by names the editor), in one update guarded by
// the quote's version: two corrections made at once are both kept, one
// after the other, or one fails. With ifVersion > 0 the correction is
// made only if the quote's version is still ifVersion (else
// ErrPrecondition); without, a correction that loses a race reads the
// quote again and tries again, up to correctionAttempts times (then
// ErrConflict).
//
// A speaker id must name a stored speaker (else a FieldError for
// speaker_id): the quote takes its id, name and type, and drops the role
// and mention the extractor had found, which described the attribution
// replaced. An empty speaker id clears the attribution: the quote keeps
// no speaker, like a quote the extractor could not attribute. A
// correction that changes nothing is not written, and the quote is
// returned as it is.
//
// The quote's statement follows (followStatement): hidden or made
// indirect it is no occurrence any more; given another speaker it shows
// that speaker, and moves to the statement of its words by that speaker
// when the other occurrences name someone else. That runs right after the
// quote's guarded update, in a transaction of its own where the server
// has them, else step by step (each step a write guarded by the
// statement's version).
func (s *Store) CorrectQuote(ctx context.Context, id string, p attribution.QuotePatch, by string, ifVersion int64) (attribution.StoredQuote, error) {
	if err := p.Validate(); err != nil {
		return attribution.StoredQuote{}, fmt.Errorf("correct quote %s: %w", id, err)
	}
	c := s.db.Collection(collQuotes)
	var newSpeaker *qSpeakerDoc
	for attempt := 1; ; attempt++ {
		var d quoteDoc
		if err := c.FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&d); err != nil {
			return attribution.StoredQuote{}, wrapErr(fmt.Sprintf("correct quote %q", id), err)
		}
		orig := d
		if ifVersion > 0 && d.version() != ifVersion {
			return attribution.StoredQuote{}, fmt.Errorf("correct quote %s: version %d, not %d: %w", id, d.version(), ifVersion, attribution.ErrPrecondition)
		}
		if p.SpeakerID != nil && *p.SpeakerID != "" && newSpeaker == nil {
			sp, err := s.LookupSpeaker(ctx, *p.SpeakerID)
			if errors.Is(err, attribution.ErrNotFound) {
				return attribution.StoredQuote{}, fmt.Errorf("correct quote %s: %w", id,
					&attribution.FieldError{Field: "speaker_id", Reason: fmt.Sprintf("no speaker has the id %q", *p.SpeakerID)})
			}
			if err != nil {
				return attribution.StoredQuote{}, err
			}
			newSpeaker = &qSpeakerDoc{Name: sp.Name, Type: string(sp.Type)}
		}
		before := stateOf(&d)
		set, unset := bson.D{}, bson.D{}
		switch {
		case p.SpeakerID == nil, *p.SpeakerID == d.SpeakerID && (d.SpeakerID != "" || d.Speaker == nil):
			// unchanged: no speaker id given, the same stored speaker, or
			// cleared while it has no speaker at all
		case *p.SpeakerID == "":
			d.SpeakerID, d.Speaker = "", nil
			unset = append(unset, bson.E{Key: "speaker_id", Value: ""}, bson.E{Key: "speaker", Value: ""})
		default:
			sp := *newSpeaker
			d.SpeakerID, d.Speaker = *p.SpeakerID, &sp
			set = append(set, bson.E{Key: "speaker_id", Value: d.SpeakerID}, bson.E{Key: "speaker", Value: sp})
		}
		if p.Kind != nil && string(*p.Kind) != d.Kind {
			d.Kind = string(*p.Kind)
			set = append(set, bson.E{Key: "kind", Value: d.Kind})
		}
		if p.Hidden != nil && *p.Hidden != d.Hidden {
			d.Hidden = *p.Hidden
			if d.Hidden {
				set = append(set, bson.E{Key: "hidden", Value: true})
			} else {
				unset = append(unset, bson.E{Key: "hidden", Value: ""})
			}
		}
		if len(set) == 0 && len(unset) == 0 {
			return d.quote(), nil
		}
		corr := correctionDoc{At: time.Now().UTC().Truncate(time.Millisecond), By: by, Before: before, After: stateOf(&d)}
		guard := bson.D{{Key: "_id", Value: id}, {Key: "version", Value: d.Version}}
		if d.Version == 0 {
			guard = bson.D{{Key: "_id", Value: id}, {Key: "version", Value: bson.D{{Key: "$exists", Value: false}}}}
		}
		next := d.version() + 1
		set = append(set, bson.E{Key: "version", Value: next})
		update := bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "corrections", Value: corr}}}}
		if len(unset) > 0 {
			update = append(update, bson.E{Key: "$unset", Value: unset})
		}
		res, err := c.UpdateOne(ctx, guard, update)
		if err != nil {
			return attribution.StoredQuote{}, wrapErr("correct quote "+id, err)
		}
		if res.MatchedCount == 1 {
			d.Version = next
			d.Corrections = append(d.Corrections, corr)
			if err := s.atomically(ctx, func(ctx context.Context) error {
				qd := d
				if err := s.followStatement(ctx, &orig, &qd); err != nil {
					return err
				}
				d.StatementID = qd.StatementID
				return nil
			}); err != nil {
				return attribution.StoredQuote{}, fmt.Errorf("correct quote %s: move it to its statement: %w", id, err)
			}
			out := d.quote()
			if len(set) > 0 && d.SpeakerID != "" && d.SpeakerID != before.SpeakerID {
				// The speaker may have been merged away since it was
				// looked up (see MergeSpeakers).
				moved, err := s.settleSpeakers(ctx, []string{d.SpeakerID})
				if err != nil {
					return attribution.StoredQuote{}, err
				}
				if _, ok := moved[d.SpeakerID]; ok {
					return s.GetQuote(ctx, id)
				}
			}
			return out, nil
		}
		// Corrected (or deleted) since it was read: the next round reads
		// it again and answers 404, 412, or tries again.
		if attempt >= correctionAttempts {
			return attribution.StoredQuote{}, fmt.Errorf("correct quote %s: changed by other corrections %d times in a row; try again: %w", id, attempt, attribution.ErrConflict)
		}
	}
}

// storedQuotes reads the quotes of article articleID that are stored
// already, by position, among the first n: one query on article_id.
func (s *Store) storedQuotes(ctx context.Context, articleID string, n int) (map[int]quoteDoc, error) {
	out := map[int]quoteDoc{}
	cur, err := s.find(ctx, collQuotes, bson.D{{Key: "article_id", Value: articleID}}, options.Find().SetHint(idxQuotesArticle))
	if err != nil {
		return nil, wrapErr("stored quotes of "+articleID, err)
	}
	var docs []quoteDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, wrapErr("stored quotes of "+articleID, err)
	}
	for _, d := range docs {
		if d.N < n {
			out[d.N] = d
		}
	}
	return out, nil
}
