package legacy

import (
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/webhook"
)

// The documents of the previous release (internal/mongostore at commit
// d480791), with their field names; fields derived from others (text
// hashes, folded words, shingles, search keys) are left out: the new store
// computes them.

type articleDoc struct {
	ID          string     `json:"_id"`
	URL         string     `json:"url"`
	Title       string     `json:"title"`
	Text        string     `json:"text"`
	PublishedAt *time.Time `json:"published_at"`
	Outlet      string     `json:"outlet"`
	Language    string     `json:"language"`
	CreatedAt   time.Time  `json:"created_at"`
	// Pending marks an article whose ingest was cut short: its quotes may
	// be incomplete.
	Pending bool `json:"pending"`
}

type spanDoc struct {
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

type quoteDoc struct {
	ID        string   `json:"_id"`
	ArticleID string   `json:"article_id"`
	N         int      `json:"n"`
	Text      string   `json:"text"`
	Start     int      `json:"start"`
	End       int      `json:"end"`
	Kind      string   `json:"kind"`
	Cue       *spanDoc `json:"cue"`
	Speaker   *struct {
		Name    string   `json:"name"`
		Type    string   `json:"type"`
		Role    string   `json:"role"`
		Mention *spanDoc `json:"mention"`
	} `json:"speaker"`
	SpeakerID   string          `json:"speaker_id"`
	Confidence  float64         `json:"confidence"`
	Rule        string          `json:"rule"`
	Published   time.Time       `json:"published_at"`
	Outlet      string          `json:"outlet"`
	URL         string          `json:"url"`
	StatementID string          `json:"statement_id"`
	Hidden      bool            `json:"hidden"`
	Version     int64           `json:"version"`
	Corrections []correctionDoc `json:"corrections"`
}

type correctionDoc struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Before stateDoc  `json:"before"`
	After  stateDoc  `json:"after"`
}

type stateDoc struct {
	SpeakerID   string `json:"speaker_id"`
	SpeakerName string `json:"speaker_name"`
	SpeakerType string `json:"speaker_type"`
	Kind        string `json:"kind"`
	Hidden      bool   `json:"hidden"`
}

type speakerDoc struct {
	ID         string    `json:"_id"`
	Name       string    `json:"name"`
	Type       string    `json:"type"`
	Aliases    []string  `json:"aliases"`
	Roles      []string  `json:"roles"`
	WikidataID string    `json:"wikidata_id"`
	Version    int64     `json:"version"`
	UpdatedAt  time.Time `json:"updated_at"`
}

type statementDoc struct {
	ID          string `json:"_id"`
	Text        string `json:"text"`
	SpeakerID   string `json:"speaker_id"`
	SpeakerName string `json:"speaker_name"`
	Occurrences []struct {
		QuoteID     string    `json:"quote_id"`
		ArticleID   string    `json:"article_id"`
		Text        string    `json:"text"`
		Kind        string    `json:"kind"`
		Speaker     string    `json:"speaker"`
		Outlet      string    `json:"outlet"`
		URL         string    `json:"url"`
		PublishedAt time.Time `json:"published_at"`
	} `json:"occurrences"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

type subscriptionDoc struct {
	ID         string    `json:"_id"`
	URL        string    `json:"url"`
	Secret     string    `json:"secret"`
	SpeakerIDs []string  `json:"speaker_ids"`
	Query      string    `json:"q"`
	KeyID      string    `json:"key_id"`
	CreatedAt  time.Time `json:"created_at"`
}

type deliveryDoc struct {
	ID             string `json:"_id"`
	SubscriptionID string `json:"subscription_id"`
	Event          string `json:"event"`
	QuoteID        string `json:"quote_id"`
	Status         string `json:"status"`
	Attempts       []struct {
		At         time.Time `json:"at"`
		StatusCode int       `json:"status_code"`
		Error      string    `json:"error"`
		DurationMS float64   `json:"duration_ms"`
	} `json:"attempts"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

type keyDoc struct {
	Hash      string     `json:"_id"`
	ID        string     `json:"key_id"`
	Name      string     `json:"name"`
	Scope     string     `json:"scope"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

type idempotencyDoc struct {
	Key       string    `json:"_id"`
	ArticleID string    `json:"article_id"`
	TextHash  string    `json:"text_hash"`
	CreatedAt time.Time `json:"created_at"`
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (d speakerDoc) record() dump.Record {
	return dump.Record{Type: dump.TypeSpeaker, Speaker: &dump.Speaker{
		ID: d.ID, Name: d.Name, Type: d.Type, Aliases: orEmpty(d.Aliases), Roles: orEmpty(d.Roles),
		WikidataID: d.WikidataID, Version: max(d.Version, 1), UpdatedAt: d.UpdatedAt,
	}}
}

func (d articleDoc) article() attribution.Article {
	a := attribution.Article{ID: d.ID, URL: d.URL, Title: d.Title, Text: d.Text, Outlet: d.Outlet,
		Language: d.Language, CreatedAt: d.CreatedAt}
	if d.PublishedAt != nil {
		a.PublishedAt = *d.PublishedAt
	}
	return a
}

func (d *spanDoc) mention() *attribution.Mention {
	if d == nil {
		return nil
	}
	return &attribution.Mention{Text: d.Text, Span: attribution.Span{Start: d.Start, End: d.End}}
}

func (d stateDoc) state() attribution.CorrectionState {
	st := attribution.CorrectionState{SpeakerID: d.SpeakerID, Kind: attribution.Kind(d.Kind), Hidden: d.Hidden}
	if d.SpeakerName != "" || d.SpeakerType != "" {
		st.Speaker = &attribution.CorrectionSpeaker{Name: d.SpeakerName, Type: attribution.SpeakerType(d.SpeakerType)}
	}
	return st
}

func (d quoteDoc) quote() dump.Quote {
	q := dump.Quote{
		StoredQuote: attribution.StoredQuote{
			ID: d.ID, ArticleID: d.ArticleID,
			Quote: attribution.Quote{
				Text: d.Text, Span: attribution.Span{Start: d.Start, End: d.End}, Kind: attribution.Kind(d.Kind),
				Confidence: d.Confidence, Rule: d.Rule,
			},
			SpeakerID: d.SpeakerID, StatementID: d.StatementID, PublishedAt: d.Published, Outlet: d.Outlet, URL: d.URL,
			Hidden: d.Hidden, Corrected: len(d.Corrections) > 0,
		},
		N: d.N, Version: max(d.Version, 1),
	}
	if d.Cue != nil {
		q.Cue = &attribution.Cue{Text: d.Cue.Text, Span: attribution.Span{Start: d.Cue.Start, End: d.Cue.End}}
	}
	if sp := d.Speaker; sp != nil {
		q.Speaker = &attribution.QuoteSpeaker{Name: sp.Name, Type: attribution.SpeakerType(sp.Type), Role: sp.Role,
			Mention: sp.Mention.mention()}
	}
	for _, c := range d.Corrections {
		q.Corrections = append(q.Corrections, attribution.Correction{At: c.At, By: c.By, Before: c.Before.state(), After: c.After.state()})
	}
	return q
}

func (d statementDoc) record() dump.Record {
	st := &dump.Statement{ID: d.ID, Text: d.Text, SpeakerID: d.SpeakerID, SpeakerName: d.SpeakerName,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: max(d.Version, 1)}
	for _, o := range d.Occurrences {
		st.Occurrences = append(st.Occurrences, attribution.Occurrence{
			QuoteID: o.QuoteID, ArticleID: o.ArticleID, Text: o.Text, Kind: attribution.Kind(o.Kind),
			Speaker: o.Speaker, Outlet: o.Outlet, URL: o.URL, PublishedAt: o.PublishedAt,
		})
	}
	return dump.Record{Type: dump.TypeStatement, Statement: st}
}

func (d subscriptionDoc) record() dump.Record {
	return dump.Record{Type: dump.TypeSubscription, Subscription: &dump.Subscription{
		Subscription: webhook.Subscription{ID: d.ID, URL: d.URL, Secret: d.Secret, SpeakerIDs: orEmpty(d.SpeakerIDs),
			Query: d.Query, KeyID: d.KeyID, CreatedAt: d.CreatedAt},
		Secret: d.Secret,
	}}
}

func (d deliveryDoc) record() dump.Record {
	dl := webhook.Delivery{ID: d.ID, SubscriptionID: d.SubscriptionID, Event: d.Event, QuoteID: d.QuoteID, Status: d.Status,
		Attempts: make([]webhook.Attempt, len(d.Attempts)), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
	for i, a := range d.Attempts {
		dl.Attempts[i] = webhook.Attempt{At: a.At, StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.DurationMS}
	}
	return dump.Record{Type: dump.TypeDelivery, Delivery: &dump.Delivery{Delivery: dl}}
}

func (d keyDoc) record() dump.Record {
	return dump.Record{Type: dump.TypeKey, Key: &dump.Key{
		Key:  auth.Key{ID: d.ID, Name: d.Name, Scope: auth.Scope(d.Scope), Prefix: d.Prefix, CreatedAt: d.CreatedAt, RevokedAt: d.RevokedAt},
		Hash: d.Hash,
	}}
}

func (d idempotencyDoc) record() dump.Record {
	return dump.Record{Type: dump.TypeIdempotencyKey, IdempotencyKey: &dump.IdempotencyKey{
		Key: d.Key, ArticleID: d.ArticleID, TextHash: d.TextHash, CreatedAt: d.CreatedAt,
	}}
}
