package attribution

import "time"

// Statement is the same words of one speaker as one or more articles
// report them: one occurrence per quote. Reports that quote only part of
// the words, fold them differently (case, punctuation, quote marks) or name
// the speaker by surname only are occurrences of the same statement.
type Statement struct {
	ID string `json:"id" example:"stm_3f9a2c61d0b84e17"`
	// Text is the longest reported form of the words.
	Text string `json:"text" example:"We will rebuild every bridge in this province before the winter comes."`
	// Speaker is who said it, by the fullest name reported; absent when no
	// report names a speaker.
	Speaker *StatementSpeaker `json:"speaker,omitempty"`
	// FirstSeen is the earliest published occurrence.
	FirstSeen       Occurrence `json:"first_seen"`
	OccurrenceCount int        `json:"occurrence_count" example:"2"`
	// Occurrences, earliest published first.
	Occurrences []Occurrence `json:"occurrences"`
} // @name Statement

// StatementSpeaker names a statement's speaker.
type StatementSpeaker struct {
	// ID is the stored speaker, when the speaker is a named person or
	// organisation.
	ID   string `json:"id,omitempty" example:"spk_1118ee61dd083b08"`
	Name string `json:"name" example:"Clara Jansen"`
} // @name StatementSpeaker

// Occurrence is one report of a statement: a stored quote.
type Occurrence struct {
	QuoteID   string `json:"quote_id" example:"67b4591cb2a1f1a2c3d4e5f6-3"`
	ArticleID string `json:"article_id" example:"67b4591cb2a1f1a2c3d4e5f6"`
	// Text is the quote as this article reports it.
	Text string `json:"text"`
	Kind Kind   `json:"kind"`
	// Speaker is the name this article gives the speaker.
	Speaker     string    `json:"speaker,omitempty" example:"Jansen"`
	Outlet      string    `json:"outlet,omitempty" example:"Example Gazette"`
	URL         string    `json:"url,omitempty" example:"https://example.org/news/bridges"`
	PublishedAt time.Time `json:"published_at"`
} // @name Occurrence

// StatementMatch is a stored statement found for a text, with how alike
// they are.
type StatementMatch struct {
	Statement Statement
	// Score is in 0..1: 1 for the same words, 0.9 to 1 when one is part
	// of the other, less for near matches.
	Score float64
	// Match is exact, contained or near.
	Match string
}
