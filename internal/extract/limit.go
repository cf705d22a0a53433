package extract

import (
	"github.com/whosaid/whosaid/internal/attribution"
)

// The bounds on a result, so that its JSON stays within a fixed multiple of
// the text: overlapping statements (thousands of "he said that officials
// said" in one sentence each reported the rest of the sentence) and
// repeated speaker strings made a 1 MiB text answer 88 MB.
const (
	// MaxOverlap is how many statements may hold one byte of the text: a
	// statement that starts inside MaxOverlap earlier ones is left out.
	// News nests reported speech a few levels deep (5 at most in the
	// evaluation sets).
	MaxOverlap = 8
	// MaxNameBytes is the longest speaker name, role or mention kept: a
	// longer one is no name (the evaluation sets have 160 bytes at most);
	// the quote keeps no speaker then.
	MaxNameBytes = 256
	// ResultBytesPerByte and ResultBytesBase bound the size of a result:
	// its JSON, before escaping, is at most ResultBytesPerByte bytes per
	// byte of text plus ResultBytesBase. Past the bound only the first
	// quotes (in text order) are kept. News text gives 2 to 6 bytes per
	// byte.
	ResultBytesPerByte = 16
	ResultBytesBase    = 64 << 10
)

// Upper bounds of the JSON bytes of a quote, a mention in the speakers
// list and a speaker entry, besides their strings: field names, spans,
// kind, type, confidence and rule.
const (
	quoteJSONBytes   = 320
	mentionJSONBytes = 64
	speakerJSONBytes = 80
)

// limit applies the bounds above to res, a result of text (byte offsets).
// It changes nothing on text within them.
func limit(text string, res attribution.Result) attribution.Result {
	budget := ResultBytesPerByte*len(text) + ResultBytesBase
	used := 0
	seen := map[string]bool{} // speakers counted
	roles := map[string]int{} // the bytes of each speaker's entry
	for _, s := range res.Speakers {
		n := speakerJSONBytes + len(s.Name)
		for _, ro := range s.Roles {
			n += len(ro) + 4
		}
		roles[s.Name] = n
	}
	var open []int // ends of the kept statements that may still be open
	// kept is made at the first change: until then the quotes kept are
	// res.Quotes[:i]
	var kept []attribution.Quote
	dropped := false
	drop := func(i int) {
		if !dropped {
			dropped = true
			kept = append(make([]attribution.Quote, 0, len(res.Quotes)), res.Quotes[:i]...)
		}
	}
	for i, q := range res.Quotes {
		if q.Speaker != nil && (len(q.Speaker.Name) > MaxNameBytes || len(q.Speaker.Role) > MaxNameBytes || q.Speaker.Mention != nil && len(q.Speaker.Mention.Text) > MaxNameBytes) {
			q.Speaker = nil
			drop(i)
		}
		// statements still open at this one's start
		n := 0
		for _, e := range open {
			if e > q.Span.Start {
				open[n] = e
				n++
			}
		}
		open = open[:n]
		if len(open) >= MaxOverlap {
			drop(i)
			continue
		}
		cost := quoteJSONBytes + len(q.Text) + len(q.Rule)
		if q.Cue != nil {
			cost += len(q.Cue.Text)
		}
		if sp := q.Speaker; sp != nil {
			cost += len(sp.Name) + len(sp.Role)
			if sp.Mention != nil {
				cost += 2*len(sp.Mention.Text) + mentionJSONBytes // here and in the speakers list
			}
			if !seen[sp.Name] {
				cost += roles[sp.Name]
			}
		}
		if used+cost > budget {
			drop(i)
			break
		}
		used += cost
		if q.Speaker != nil {
			seen[q.Speaker.Name] = true
		}
		open = append(open, q.Span.End)
		if dropped {
			kept = append(kept, q)
		}
	}
	if !dropped {
		return res
	}
	// the speakers keep the mentions of the kept quotes
	mentioned := map[string]map[attribution.Span]bool{}
	for _, q := range kept {
		if q.Speaker != nil && q.Speaker.Mention != nil {
			if mentioned[q.Speaker.Name] == nil {
				mentioned[q.Speaker.Name] = map[attribution.Span]bool{}
			}
			mentioned[q.Speaker.Name][q.Speaker.Mention.Span] = true
		}
	}
	out := attribution.Result{Quotes: kept, Speakers: []attribution.Speaker{}}
	for _, s := range res.Speakers {
		var ms []attribution.Mention
		for _, m := range s.Mentions {
			if mentioned[s.Name][m.Span] {
				ms = append(ms, m)
			}
		}
		if len(ms) > 0 {
			s.Mentions = ms
			out.Speakers = append(out.Speakers, s)
		}
	}
	return out
}
