// Package attribution holds the domain types of whosaid: quotes, the cues that
// introduce them and the speakers they are attributed to. It has no
// dependencies beyond the standard library; the extractor produces these
// values, the store keeps them and the HTTP API renders them.
package attribution

// Span is a half-open range [Start, End) of offsets into a text. Inside the
// program offsets are byte offsets into the text exactly as received; at the
// CLI and API boundary they are converted to the unit the caller asked for
// (see Units).
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
} // @name Span

// Len is the length of the span in its unit.
func (s Span) Len() int { return s.End - s.Start }

// Valid reports whether the span lies inside a text of length n.
func (s Span) Valid(n int) bool { return 0 <= s.Start && s.Start <= s.End && s.End <= n }

// Kind says how much of a statement is inside quotation marks.
type Kind string // @name Kind

// The kinds of quote.
const (
	// KindDirect is a whole statement in quotation marks.
	KindDirect Kind = "direct"
	// KindMixed is reported speech with quoted words inside it.
	KindMixed Kind = "mixed"
	// KindIndirect is reported speech with no quotation marks.
	KindIndirect Kind = "indirect"
)

// SpeakerType classifies who a speaker is.
type SpeakerType string // @name SpeakerType

// The speaker types.
const (
	SpeakerPerson       SpeakerType = "person"
	SpeakerOrganization SpeakerType = "organization"
	SpeakerGroup        SpeakerType = "group"
	SpeakerAnonymous    SpeakerType = "anonymous"
	SpeakerUnknown      SpeakerType = "unknown"
)

// Mention is a stretch of text that refers to a speaker: a name, a pronoun,
// a role noun ("the spokesman") or a description ("a senior official").
type Mention struct {
	Text string `json:"text"`
	Span Span   `json:"span"`
} // @name Mention

// Cue is the reporting verb or phrase that introduces a quote
// ("said", "told reporters", "according to").
type Cue struct {
	Text string `json:"text"`
	Span Span   `json:"span"`
} // @name Cue

// QuoteSpeaker is the speaker of one quote: the canonical name resolved inside
// the article and the local mention the attribution rests on.
type QuoteSpeaker struct {
	Name    string      `json:"name"`
	Type    SpeakerType `json:"type"`
	Role    string      `json:"role,omitempty"`
	Mention *Mention    `json:"mention,omitempty"`
} // @name QuoteSpeaker

// Quote is one attributed statement found in a text.
type Quote struct {
	Text    string        `json:"text"`
	Span    Span          `json:"span"`
	Kind    Kind          `json:"kind"`
	Cue     *Cue          `json:"cue,omitempty"`
	Speaker *QuoteSpeaker `json:"speaker,omitempty"`
	// Confidence is the calibrated probability, from 0 to 1 (two
	// decimals), that the speaker is right; a quote without speaker has a
	// low one. Filter with a threshold of your own.
	Confidence float64 `json:"confidence" minimum:"0" maximum:"1" example:"0.88"`
	// Rule names the extraction rule that attributed the quote.
	Rule string `json:"rule" example:"quote-mention-cue"`
} // @name Quote

// Speaker is a speaker of an article with every mention that refers to it.
type Speaker struct {
	Name     string      `json:"name"`
	Type     SpeakerType `json:"type"`
	Roles    []string    `json:"roles,omitempty"`
	Mentions []Mention   `json:"mentions"`
} // @name Speaker

// Result is what extraction returns for one text.
type Result struct {
	Quotes   []Quote   `json:"quotes"`
	Speakers []Speaker `json:"speakers"`
} // @name Result
