package storetest

import (
	"testing"

	"github.com/whosaid/whosaid/internal/attribution"
)

// TestCompose: the hand-made extraction points at its words in code
// points, also after non-ASCII text, and names each speaker once.
func TestCompose(t *testing.T) {
	text, res := compose("Café owners cheered 👍.",
		say{words: "Zoë’s plan works", speaker: "Zoë Álvarez", role: "mayor"},
		say{words: "the port would reopen", kind: attribution.KindIndirect, speaker: "Zoë Álvarez", as: "Álvarez"},
		say{words: "a costly promise", kind: attribution.KindMixed, speaker: "Harbour Board", typ: attribution.SpeakerOrganization},
		say{words: "Nobody asked"},
	)
	runes := []rune(text)
	at := func(s attribution.Span) string {
		if !s.Valid(len(runes)) {
			t.Fatalf("span %+v out of %d code points", s, len(runes))
		}
		return string(runes[s.Start:s.End])
	}
	if len(res.Quotes) != 4 {
		t.Fatalf("compose made %d quotes, want 4", len(res.Quotes))
	}
	for i, q := range res.Quotes {
		if got := at(q.Span); got != q.Text {
			t.Errorf("quote %d span reads %q, want %q", i, got, q.Text)
		}
		if q.Speaker != nil && q.Speaker.Mention != nil {
			if got := at(q.Speaker.Mention.Span); got != q.Speaker.Mention.Text {
				t.Errorf("quote %d mention span reads %q, want %q", i, got, q.Speaker.Mention.Text)
			}
		}
	}
	if k := res.Quotes[1].Kind; k != attribution.KindIndirect || res.Quotes[0].Kind != attribution.KindDirect {
		t.Errorf("kinds = %s, %s; want direct, indirect", res.Quotes[0].Kind, k)
	}
	if m := res.Quotes[1].Speaker.Mention.Text; m != "Álvarez" {
		t.Errorf("second mention = %q, want Álvarez", m)
	}
	if res.Quotes[3].Speaker != nil {
		t.Errorf("unattributed quote has speaker %+v", res.Quotes[3].Speaker)
	}
	if len(res.Speakers) != 2 || res.Speakers[0].Name != "Zoë Álvarez" || len(res.Speakers[0].Mentions) != 2 ||
		len(res.Speakers[0].Roles) != 1 || res.Speakers[1].Type != attribution.SpeakerOrganization {
		t.Errorf("speakers = %+v, want Zoë Álvarez (2 mentions, mayor) and the Harbour Board", res.Speakers)
	}
	again, _ := compose("Café owners cheered 👍.",
		say{words: "Zoë’s plan works", speaker: "Zoë Álvarez", role: "mayor"},
		say{words: "the port would reopen", kind: attribution.KindIndirect, speaker: "Zoë Álvarez", as: "Álvarez"},
		say{words: "a costly promise", kind: attribution.KindMixed, speaker: "Harbour Board", typ: attribution.SpeakerOrganization},
		say{words: "Nobody asked"})
	if again != text {
		t.Errorf("compose is not deterministic: %q, then %q", text, again)
	}
}
