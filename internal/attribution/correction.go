package attribution

import (
	"errors"
	"fmt"
	"time"
)

// AnonymousEditor is the Correction.By of corrections made while the API
// runs without authentication (no API key names the editor).
const AnonymousEditor = "anonymous"

// QuotePatch is an editor's correction of a stored quote's attribution;
// nil fields stay as they are, and at least one must be set.
type QuotePatch struct {
	// SpeakerID attributes the quote to this stored speaker; a pointer to
	// "" clears the attribution (the quote keeps no speaker).
	SpeakerID *string
	// Kind is direct, mixed or indirect.
	Kind *Kind
	// Hidden leaves the quote out of listings and speaker figures.
	Hidden *bool
}

// Empty reports whether p changes nothing.
func (p QuotePatch) Empty() bool { return p.SpeakerID == nil && p.Kind == nil && p.Hidden == nil }

// Validate checks the rules a patch must follow without the store: at
// least one field (an empty patch is a FieldError for each of the three),
// and a kind that is one of the three. Whether the speaker exists is the
// store's to say.
func (p QuotePatch) Validate() error {
	if p.Empty() {
		var errs []error
		for _, f := range []string{"speaker_id", "kind", "hidden"} {
			errs = append(errs, &FieldError{Field: f, Reason: "the patch is empty: give at least one of speaker_id, kind and hidden"})
		}
		return errors.Join(errs...)
	}
	if p.Kind != nil && !ValidKind(*p.Kind) {
		return &FieldError{Field: "kind", Reason: fmt.Sprintf("must be direct, mixed or indirect, not %q", *p.Kind)}
	}
	return nil
}

// ValidKind reports whether k is one of the three kinds.
func ValidKind(k Kind) bool {
	return k == KindDirect || k == KindMixed || k == KindIndirect
}

// Correction is one correction of a quote by an editor, as its history
// keeps it.
type Correction struct {
	At time.Time `json:"at" example:"2025-02-19T08:15:00.123Z"`
	// By is the id of the API key the correction was made with, or
	// "anonymous" when the server runs with auth off.
	By     string          `json:"by" example:"key_840d4f4e37dc6957"`
	Before CorrectionState `json:"before"`
	After  CorrectionState `json:"after"`
} // @name Correction

// CorrectionState is the attribution of a quote before or after a
// correction.
type CorrectionState struct {
	// SpeakerID is the stored speaker; absent when the quote had none.
	SpeakerID string `json:"speaker_id,omitempty" example:"spk_ee5fdda28411dadd"`
	// Speaker is the name and type the quote showed; absent when it had
	// no speaker.
	Speaker *CorrectionSpeaker `json:"speaker,omitempty"`
	Kind    Kind               `json:"kind" example:"mixed"`
	Hidden  bool               `json:"hidden"`
} // @name CorrectionState

// CorrectionSpeaker is a quote's speaker as a correction records it.
type CorrectionSpeaker struct {
	Name string      `json:"name" example:"Dmitry Peskov"`
	Type SpeakerType `json:"type" example:"person"`
} // @name CorrectionSpeaker
