package extract

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"strings"
)

//go:embed lexicon/*.txt
var lexiconFS embed.FS

// CueClass says what kind of attribution a cue introduces.
type CueClass uint8

// The cue classes.
const (
	ClassSpeech CueClass = iota + 1 // said, wrote, told reporters
	ClassBelief                     // thinks, wants: weaker attributions
	ClassSource                     // according to X: the source follows
	ClassNoun                       // in a statement, in an interview
)

func parseClass(s string) (CueClass, error) {
	switch s {
	case "speech":
		return ClassSpeech, nil
	case "belief":
		return ClassBelief, nil
	case "source":
		return ClassSource, nil
	case "noun":
		return ClassNoun, nil
	}
	return 0, fmt.Errorf("unknown cue class %q", s)
}

// cueEntry is one form of a cue.
type cueEntry struct {
	Lemma string
	Words int // number of tokens in the form
	Class CueClass
	Obj   bool // an addressee may follow ("told reporters")
	Base  bool // the bare lemma ("say"), ambiguous with nouns for some verbs
	// Strong cues mark speech whatever their subject ("Many in the crowd said").
	Strong bool
	// That: the verb has other senses, so reported speech needs "that".
	That bool
	// AfterQuote: the cue counts only right after a quotation and a comma
	// (German "„...“, so Merkel").
	AfterQuote bool
	// Nouny: the bare form is no cue and the -s form (FormIdx 1) needs a
	// name or pronoun before it.
	Nouny bool
	// NoParticle: no cue before an adverb particle ("backed down").
	NoParticle bool
	FormIdx    int
	Lang       string
}

// Lexicon maps cue forms (lower case, words joined by a space) to entries.
type Lexicon struct {
	forms  map[string]cueEntry
	maxLen int
	// prefix holds every proper prefix of a multi-word form ("told",
	// "told reporters" of "told reporters that").
	prefix map[string]bool
	words  map[string]map[string]bool // named word lists: titles, nouns, ...
	// mask holds, for every word of a list, one bit per list (listBits):
	// one look-up answers in() for any list
	mask    map[string]uint32
	bits    map[string]uint32 // list name -> its bit
	firstMF map[string]byte   // first names: 'm' or 'f'
	// tagOf holds every word's token tags (tags.go), made once loaded
	tagOf map[string]uint32
}

// loadLexicon reads every lexicon/*.txt file. Cue files are named LANG.txt;
// word lists are LIST.list.txt with one lower-case word or phrase a line.
func loadLexicon() (*Lexicon, error) {
	lx := &Lexicon{forms: map[string]cueEntry{}, words: map[string]map[string]bool{}, firstMF: map[string]byte{}}
	entries, err := fs.ReadDir(lexiconFS, "lexicon")
	if err != nil {
		return nil, fmt.Errorf("read lexicon: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		b, err := lexiconFS.ReadFile("lexicon/" + name)
		if err != nil {
			return nil, fmt.Errorf("read lexicon %s: %w", name, err)
		}
		switch {
		case strings.HasSuffix(name, ".list.txt"):
			list := strings.TrimSuffix(name, ".list.txt")
			if err := lx.addList(list, string(b)); err != nil {
				return nil, fmt.Errorf("lexicon %s: %w", name, err)
			}
		default:
			lang := strings.TrimSuffix(name, ".txt")
			if err := lx.addCues(lang, string(b)); err != nil {
				return nil, fmt.Errorf("lexicon %s: %w", name, err)
			}
		}
	}
	lx.buildTags()
	return lx, nil
}

func (lx *Lexicon) addCues(lang, data string) error {
	sc := bufio.NewScanner(strings.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		f := strings.Split(s, "\t")
		if len(f) < 2 {
			return fmt.Errorf("line %d: want CLASS<TAB>FORMS", line)
		}
		cls, err := parseClass(f[0])
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		var flags string
		if len(f) > 2 {
			flags = f[2]
		}
		obj := strings.Contains(flags, "obj")
		forms := strings.Fields(f[1])
		for i, form := range forms {
			if i == 0 && strings.Contains(flags, "nobase") {
				continue // the lemma only names the entry
			}
			form = strings.ReplaceAll(form, "_", " ")
			n := strings.Count(form, " ") + 1
			if n > lx.maxLen {
				lx.maxLen = n
			}
			if _, dup := lx.forms[form]; dup {
				continue // the first entry wins
			}
			if lx.prefix == nil {
				lx.prefix = map[string]bool{}
			}
			for k := strings.IndexByte(form, ' '); k >= 0; {
				lx.prefix[form[:k]] = true
				j := strings.IndexByte(form[k+1:], ' ')
				if j < 0 {
					break
				}
				k += 1 + j
			}
			lx.forms[form] = cueEntry{Lemma: strings.ReplaceAll(forms[0], "_", " "), Words: n, Class: cls, Obj: obj, Base: i == 0 && len(forms) > 1, Lang: lang, Strong: strings.Contains(flags, "strong"), That: strings.Contains(flags, "that"), AfterQuote: strings.Contains(flags, "afterquote"), Nouny: strings.Contains(flags, "nouny"), NoParticle: strings.Contains(flags, "noparticle"), FormIdx: i}
		}
	}
	return sc.Err()
}

func (lx *Lexicon) addList(list, data string) error {
	m := lx.words[list]
	if m == nil {
		m = map[string]bool{}
		lx.words[list] = m
	}
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if list == "firstnames" {
			// "m john" / "f mary"
			g, name, ok := strings.Cut(s, " ")
			if !ok || (g != "m" && g != "f") {
				return fmt.Errorf("first name line %q: want 'm NAME' or 'f NAME'", s)
			}
			lx.firstMF[name] = g[0]
			continue
		}
		m[s] = true
		if lx.mask == nil {
			lx.mask, lx.bits = map[string]uint32{}, map[string]uint32{}
		}
		b, ok := lx.bits[list]
		if !ok {
			b = listBit(list)
			if b == 0 {
				b = 1 << (len(listNames) + len(lx.bits))
				if len(listNames)+len(lx.bits) >= maxLists {
					return fmt.Errorf("more than %d word lists", maxLists)
				}
			}
			lx.bits[list] = b
		}
		lx.mask[s] |= b
	}
	return sc.Err()
}

// The word lists the extractor reads, by bit: has(lOrgs, w) is one map
// look-up.
const (
	lCountries uint32 = 1 << iota
	lHeads
	lOrgs
	lPronouns
	lSkip
	lTitles
	lCapStop
	lCapStopDE
	lDocuments
)

var listNames = []string{"countries", "heads", "orgs", "pronouns", "skip", "titles", "capstop", "capstop-de", "documents"}

func listBit(name string) uint32 {
	for i, n := range listNames {
		if n == name {
			return 1 << i
		}
	}
	return 0
}

// has reports whether word is in the list(s) of bit b.
func (lx *Lexicon) has(b uint32, word string) bool { return lx.mask[word]&b != 0 }

// nounForm: the bare or -s form of a nouny cue, which reads as a noun more
// often than as a verb ("the label", "personal attacks").
func (e cueEntry) nounForm() bool { return e.Nouny && e.FormIdx <= 1 }
