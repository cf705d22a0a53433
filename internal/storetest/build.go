package storetest

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/whosaid/whosaid/internal/attribution"
)

// say is one quote of a hand-made extraction: its words, its kind and who
// said it. Hand-made results keep the suite independent of the
// extractor's rules, which change on their own.
type say struct {
	words string
	kind  attribution.Kind // direct when empty
	// speaker is the speaker's full name; "" for a quote without one.
	speaker string
	// typ is the speaker's type; person when empty.
	typ attribution.SpeakerType
	// as is how the text names the speaker at this quote ("Ruiz" for Ana
	// Ruiz); the full name when empty. A part of the name becomes an
	// alias of the speaker.
	as string
	// role is a role the article gives the speaker ("mayor").
	role string
}

// compose writes an article's text from its quotes, after lead (which
// keeps otherwise equal texts apart), and returns the text with the
// extraction a perfect extractor would give, spans in code points.
func compose(lead string, says ...say) (string, attribution.Result) {
	var b strings.Builder
	b.WriteString(lead)
	type placed struct {
		words, mention [2]int // byte spans
	}
	places := make([]placed, len(says))
	for i, s := range says {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		name := s.as
		if name == "" {
			name = s.speaker
		}
		if name == "" {
			name = "Someone"
		}
		var p placed
		switch s.kind {
		case attribution.KindIndirect:
			p.mention[0] = b.Len()
			b.WriteString(name)
			p.mention[1] = b.Len()
			b.WriteString(" said that ")
			p.words[0] = b.Len()
			b.WriteString(s.words)
			p.words[1] = b.Len()
			b.WriteString(".")
		case attribution.KindMixed:
			p.mention[0] = b.Len()
			b.WriteString(name)
			p.mention[1] = b.Len()
			b.WriteString(" called it \u201c")
			p.words[0] = b.Len()
			b.WriteString(s.words)
			p.words[1] = b.Len()
			b.WriteString("\u201d.")
		default:
			b.WriteString("\u201c")
			p.words[0] = b.Len()
			b.WriteString(s.words)
			p.words[1] = b.Len()
			b.WriteString(",\u201d said ")
			p.mention[0] = b.Len()
			b.WriteString(name)
			p.mention[1] = b.Len()
			b.WriteString(".")
		}
		places[i] = p
	}
	text := b.String()
	cp := func(i int) int { return utf8.RuneCountInString(text[:i]) }
	span := func(s [2]int) attribution.Span { return attribution.Span{Start: cp(s[0]), End: cp(s[1])} }

	var res attribution.Result
	speakers := map[string]int{} // name → index in res.Speakers
	for i, s := range says {
		kind := s.kind
		if kind == "" {
			kind = attribution.KindDirect
		}
		q := attribution.Quote{Text: s.words, Span: span(places[i].words), Kind: kind, Confidence: 0.9, Rule: "storetest"}
		if s.speaker != "" {
			typ := s.typ
			if typ == "" {
				typ = attribution.SpeakerPerson
			}
			m := attribution.Mention{Text: text[places[i].mention[0]:places[i].mention[1]], Span: span(places[i].mention)}
			q.Speaker = &attribution.QuoteSpeaker{Name: s.speaker, Type: typ, Role: s.role, Mention: &m}
			j, ok := speakers[s.speaker]
			if !ok {
				j = len(res.Speakers)
				speakers[s.speaker] = j
				res.Speakers = append(res.Speakers, attribution.Speaker{Name: s.speaker, Type: typ, Mentions: []attribution.Mention{}})
			}
			sp := &res.Speakers[j]
			sp.Mentions = append(sp.Mentions, m)
			if s.role != "" && !containsString(sp.Roles, s.role) {
				sp.Roles = append(sp.Roles, s.role)
			}
		}
		res.Quotes = append(res.Quotes, q)
	}
	if res.Quotes == nil {
		res.Quotes = []attribution.Quote{}
	}
	if res.Speakers == nil {
		res.Speakers = []attribution.Speaker{}
	}
	return text, res
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// art describes an article of a case; its text is composed from its
// quotes.
type art struct {
	url, title, outlet string
	byline             string
	published          time.Time
	lead               string
	says               []say
}

func (a art) article() (attribution.Article, attribution.Result) {
	text, res := compose(a.lead, a.says...)
	return attribution.Article{URL: a.url, Title: a.title, Byline: a.byline, Text: text, Outlet: a.outlet, PublishedAt: a.published, Language: "en"}, res
}

// ingest stores a and fails the test on an error.
func (e *env) ingest(t *testing.T, a art) attribution.IngestResult {
	t.Helper()
	article, res := a.article()
	got, err := e.s.IngestArticle(ctx(t), &article, res)
	if err != nil {
		t.Fatalf("IngestArticle(%q) error = %v", article.Text, err)
	}
	if len(got.Quotes) != len(res.Quotes) {
		t.Fatalf("IngestArticle(%q) stored %d quotes, want %d", article.Text, len(got.Quotes), len(res.Quotes))
	}
	return got
}

// ingestText stores an article through the real extractor.
func (e *env) ingestText(t *testing.T, a attribution.Article) attribution.IngestResult {
	t.Helper()
	res := attribution.Convert(a.Text, e.x.Extract(a.Text), attribution.UnitCodepoint)
	got, err := e.s.IngestArticle(ctx(t), &a, res)
	if err != nil {
		t.Fatalf("IngestArticle(%q) error = %v", a.Title, err)
	}
	return got
}

// speakerID resolves a name to a stored speaker's id, failing the test
// when there is none.
func (e *env) speakerID(t *testing.T, name string) string {
	t.Helper()
	id, err := e.s.ResolveSpeakerID(ctx(t), name)
	if err != nil {
		t.Fatalf("ResolveSpeakerID(%q) error = %v", name, err)
	}
	return id
}

// day is noon UTC of a day of March 2025.
func day(d int) time.Time { return time.Date(2025, 3, d, 12, 0, 0, 0, time.UTC) }

// allQuotes walks every page of q, pageSize at a time, and fails the test
// when a page is malformed or the walk does not end.
func (e *env) allQuotes(t *testing.T, q attribution.QuoteQuery, pageSize int) []attribution.StoredQuote {
	t.Helper()
	q.PageSize = pageSize
	q.After = nil
	var out []attribution.StoredQuote
	for range 1000 {
		page, err := e.s.FindQuotes(ctx(t), q)
		if err != nil {
			t.Fatalf("FindQuotes(%+v) error = %v", q, err)
		}
		if len(page.Quotes) > pageSize {
			t.Fatalf("FindQuotes(page size %d) gave %d quotes", pageSize, len(page.Quotes))
		}
		out = append(out, page.Quotes...)
		if page.Next == nil {
			return out
		}
		if len(page.Quotes) == 0 {
			t.Fatalf("FindQuotes(%+v) gave an empty page with a next cursor", q)
		}
		q.After = page.Next
	}
	t.Fatalf("FindQuotes(%+v): more than 1000 pages", q)
	return nil
}

func quoteTexts(qs []attribution.StoredQuote) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Text
	}
	return out
}

func quoteIDs(qs []attribution.StoredQuote) []string {
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.ID
	}
	return out
}

// trialName makes base unique to one trial of a concurrency case, in
// words (a name's digits would be words of their own too, but read
// worse): "Ana Ruiz Bravo", then "Ana Ruiz Bravo Bis" from trial 11 on.
func trialName(base string, trial int) string {
	word := []string{"Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliet"}[trial%10]
	return base + " " + word + strings.Repeat(" Bis", trial/10)
}
