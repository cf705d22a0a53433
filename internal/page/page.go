// Package page turns a news page's HTML into the article text the
// extractor reads, and finds the page's title, byline, publication date
// and language.
//
// It reads the page with the HTML5 tokenizer of golang.org/x/net/html
// (entities decoded, raw-text elements such as <script> kept apart) and
// applies boilerplate rules of its own in one pass:
//   - elements that never hold the article's prose are dropped with all
//     they contain: script, style, noscript, template, nav, aside, header,
//     footer, form, figure and figcaption, media, buttons, dialogs;
//     elements with a landmark role other than main or article
//     (navigation, banner, complementary, contentinfo, search), hidden ones
//     (hidden, aria-hidden="true", display:none), and those whose class or
//     id names boilerplate (subscribe, newsletter, related, share, promo,
//     advert, cookie, comments, caption, byline, …);
//   - when the page marks its article (itemprop="articleBody", <article>,
//     <main> or role="main"), only the text inside the most specific such
//     mark is kept;
//   - every block element (p, div, li, h1–h6, blockquote, td, …) is a
//     paragraph of its own: blocks are separated by a blank line, white
//     space inside a block is folded to single spaces, <br> is a line break.
//
// The work is linear in the size of the page whatever its nesting:
// elements nested deeper than MaxDepth are not tracked and their text is
// dropped, and an end tag is matched against at most the innermost
// endTagReach open elements.
package page

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// MaxDepth is the deepest element nesting followed; text inside elements
// nested deeper is dropped (browsers flatten such trees too: Chromium at
// 512 levels, and golang.org/x/net/html's tree parser refuses them).
const MaxDepth = 512

// endTagReach is how many open elements an end tag is matched against, the
// innermost first; an end tag matching none of them is ignored.
const endTagReach = 64

// Limits of the metadata kept, in bytes.
const (
	maxTitle  = 1000
	maxByline = 200
)

// ErrNoText means the page has no article text once boilerplate is gone.
var ErrNoText = errors.New("no article text in the page")

// Page is what Read finds in a page.
type Page struct {
	// Text is the article body: paragraphs separated by a blank line.
	Text string
	// Title is og:title, else the JSON-LD headline, else twitter:title,
	// else <title>, else the first <h1>; empty when there is none.
	Title string
	// Byline names the authors: meta author (or byl, parsely-author,
	// article:author when it is not a URL), else the JSON-LD author, else
	// the text of an element whose class is byline or author, or
	// rel="author"; a leading "By" is dropped.
	Byline string
	// PublishedAt is article:published_time, else the JSON-LD
	// datePublished, else itemprop="datePublished", else another date meta
	// (date, pubdate, DC.date.issued, parsely-pub-date), else the first
	// <time datetime> in the article; zero when none parses.
	PublishedAt time.Time
	// Language is the lang attribute of <html>, as written ("de-CH").
	Language string
}

// Read extracts the article of an HTML page. src must be valid UTF-8 (the
// page's own charset declaration is not read). The error is ErrNoText when
// nothing but boilerplate remains.
func Read(src string) (Page, error) {
	p, _ := read(src)
	if strings.TrimSpace(p.Text) == "" {
		return p, ErrNoText
	}
	return p, nil
}

// stats counts the work of one read, for tests of its bounds.
type stats struct {
	tokens   int // tokens read
	steps    int // open elements visited while matching end tags
	maxStack int
}

// open is an element on the stack of open elements.
type open struct {
	tag  string
	a    atom.Atom // tag's atom, 0 for an unknown tag
	skip bool      // boilerplate: drop its text
	mark int8      // article mark level (see markLevel), 0 none
	meta uint8     // what its text is collected for: metaNone, metaH1, metaByline
}

const (
	metaNone uint8 = iota
	metaH1
	metaByline
)

// block is one paragraph of text with the mark level it was found in.
type block struct {
	text string
	mark int8
}

type reader struct {
	z      *html.Tokenizer
	stack  []open
	over   int // open elements beyond MaxDepth, not tracked
	skip   int // open elements with skip set
	mark   int8
	cur    strings.Builder // text of the block being read
	space  bool            // a space is due before the next word of cur
	blocks []block

	meta struct {
		ogTitle, twTitle, docTitle, h1 string
		ldHeadline, ldAuthor           string
		author, elemByline             string
		published, ldPublished         string
		itempropPublished, otherDate   string
		timeDate                       string
	}
	classRules bool  // apply the class and id rules
	collect    uint8 // metaH1 or metaByline while inside such an element
	lastNL     bool  // cur ends with a line break
	collectBuf strings.Builder
	st         stats
}

func read(src string) (Page, stats) {
	p, st := readWith(src, true)
	if strings.TrimSpace(p.Text) == "" {
		// The class and id rules may have taken a wrapper of the whole
		// page ("layout-with-sidebar"): read again without them.
		q, st2 := readWith(src, false)
		q.Title, q.Byline, q.PublishedAt, q.Language = p.Title, p.Byline, p.PublishedAt, p.Language
		st.tokens += st2.tokens
		st.steps += st2.steps
		st.maxStack = max(st.maxStack, st2.maxStack)
		p = q
	}
	return p, st
}

func readWith(src string, classRules bool) (Page, stats) {
	r := &reader{z: html.NewTokenizer(strings.NewReader(src)), classRules: classRules}
	var p Page
	for {
		tt := r.z.Next()
		r.st.tokens++
		if tt == html.ErrorToken {
			break // io.EOF: a strings.Reader fails in no other way
		}
		switch tt {
		case html.TextToken:
			r.text(string(r.z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := r.z.Token()
			if tok.DataAtom == atom.Html && p.Language == "" {
				p.Language = strings.TrimSpace(attr(tok, "lang"))
			}
			r.start(tok, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := r.z.TagName()
			r.end(string(name))
		}
	}
	r.flush()
	p.Text = r.body()
	r.fillMeta(&p)
	return p, r.st
}

// rawText reads the text of a raw-text element (script, style, title, …)
// that the tokenizer returns as one token after its start tag.
func (r *reader) rawText() string {
	if r.z.Next() != html.TextToken {
		// An empty element: the token read is its end tag, dropped here,
		// or the end of the input, which the main loop reads again.
		return ""
	}
	r.st.tokens++
	return string(r.z.Text())
}

func (r *reader) start(tok html.Token, selfClosing bool) {
	a := tok.DataAtom
	switch a {
	case atom.Title:
		t := r.rawText()
		if r.meta.docTitle == "" && r.skip == 0 {
			r.meta.docTitle = t
		}
		return // its end tag is ignored like any unmatched one
	case atom.Script:
		t := r.rawText()
		if strings.EqualFold(strings.TrimSpace(attr(tok, "type")), "application/ld+json") {
			r.jsonLD(t)
		}
		return
	case atom.Style, atom.Noscript, atom.Textarea, atom.Iframe, atom.Xmp, atom.Noembed, atom.Noframes:
		r.rawText()
		return
	case atom.Plaintext:
		// Everything after <plaintext> is text; none of it is prose.
		r.z.Next()
		return
	case atom.Meta:
		r.metaTag(tok)
		return
	case atom.Time:
		r.timeTag(tok)
	case atom.Br:
		r.lineBreak()
		return
	}
	if isBlock(a) {
		r.flush()
	}
	if selfClosing || isVoid(a) {
		return
	}
	r.closeImplied(a)
	if len(r.stack) >= MaxDepth {
		r.over++
		return
	}
	o := open{tag: tok.Data, a: a, skip: isBoilerplate(tok, r.classRules), mark: markLevel(tok)}
	byl := isByline(tok)
	o.skip = o.skip || byl // a byline is no prose, whatever its class says
	switch {
	case byl && r.collect == metaNone && r.meta.elemByline == "":
		o.meta = metaByline
	case a == atom.H1 && !o.skip && r.skip == 0 && r.collect == metaNone && r.meta.h1 == "":
		o.meta = metaH1
	}
	if o.meta != metaNone {
		r.collect = o.meta
		r.collectBuf.Reset()
	}
	if o.skip {
		r.skip++
	}
	r.stack = append(r.stack, o)
	if len(r.stack) > r.st.maxStack {
		r.st.maxStack = len(r.stack)
	}
	r.setMark()
}

func (r *reader) end(name string) {
	if r.over > 0 {
		r.over-- // closes an untracked element (or one as good)
		return
	}
	for i := len(r.stack) - 1; i >= 0 && i >= len(r.stack)-endTagReach; i-- {
		r.st.steps++
		if r.stack[i].tag != name {
			continue
		}
		for j := len(r.stack) - 1; j >= i; j-- {
			r.pop()
		}
		r.setMark()
		return
	}
}

func (r *reader) pop() {
	o := r.stack[len(r.stack)-1]
	r.stack = r.stack[:len(r.stack)-1]
	if o.skip {
		r.skip--
	}
	if o.meta != metaNone && r.collect == o.meta {
		v := clean(r.collectBuf.String())
		switch o.meta {
		case metaH1:
			r.meta.h1 = v
		case metaByline:
			r.meta.elemByline = v
		}
		r.collect = metaNone
	}
	if isBlock(o.a) {
		r.flush()
	}
}

// setMark sets the article mark level of the innermost marked open
// element. Only the top changes between calls, so looking at it and the
// level below suffices: the level is kept on each element as the most
// specific of its own and its parent's.
func (r *reader) setMark() {
	n := len(r.stack)
	if n == 0 {
		r.mark = 0
		return
	}
	top := &r.stack[n-1]
	if n > 1 && r.stack[n-2].mark > top.mark {
		top.mark = r.stack[n-2].mark
	}
	if r.mark != top.mark {
		r.flush() // a block never spans two levels
	}
	r.mark = top.mark
}

func (r *reader) text(s string) {
	if r.collect != metaNone {
		r.collectBuf.WriteString(s)
		r.collectBuf.WriteByte(' ')
	}
	if r.skip > 0 || r.over > 0 || s == "" {
		return
	}
	if first, _ := utf8.DecodeRuneInString(s); isSpace(first) {
		r.space = true
	}
	for i, f := range strings.FieldsFunc(s, isSpace) {
		if (i > 0 || r.space) && r.cur.Len() > 0 && !r.lastNL {
			r.cur.WriteByte(' ')
		}
		r.cur.WriteString(f)
		r.lastNL = false
	}
	r.space = isSpace(lastRune(s))
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func isSpace(r rune) bool { return unicode.IsSpace(r) && r != '\u00a0' && r != '\u202f' }

func (r *reader) lineBreak() {
	if r.skip > 0 || r.over > 0 || r.cur.Len() == 0 {
		return
	}
	r.cur.WriteByte('\n')
	r.space, r.lastNL = false, true
}

// flush ends the current block.
func (r *reader) flush() {
	t := strings.TrimSpace(r.cur.String())
	r.cur.Reset()
	r.space, r.lastNL = false, false
	if t != "" {
		r.blocks = append(r.blocks, block{text: t, mark: r.mark})
	}
}

// body joins the blocks of the most specific article mark that holds at
// least a quarter of the page's text (so that a marked teaser does not
// stand for the page), and the blocks marked more specifically inside it.
func (r *reader) body() string {
	var total int
	var at [4]int // text bytes by mark level
	for _, b := range r.blocks {
		at[b.mark] += len(b.text)
		total += len(b.text)
	}
	level, sum := int8(0), 0
	for l := int8(3); l > 0; l-- {
		sum += at[l]
		if sum > 0 && 4*sum >= total {
			level = l
			break
		}
	}
	var sb strings.Builder
	for _, b := range r.blocks {
		if b.mark < level {
			continue
		}
		if sb.Len() > 0 {
			sb.WriteString("\n\n")
		}
		sb.WriteString(b.text)
	}
	return sb.String()
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func isVoid(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr, atom.Param, atom.Keygen:
		return true
	}
	return false
}

// isBlock reports whether an element starts and ends a paragraph.
func isBlock(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Blockquote, atom.Body, atom.Caption, atom.Center,
		atom.Dd, atom.Details, atom.Div, atom.Dl, atom.Dt, atom.H1, atom.H2, atom.H3,
		atom.H4, atom.H5, atom.H6, atom.Hr, atom.Li, atom.Main, atom.Ol, atom.P, atom.Pre,
		atom.Section, atom.Summary, atom.Table, atom.Tbody, atom.Td, atom.Tfoot, atom.Th,
		atom.Thead, atom.Tr, atom.Ul, atom.Header, atom.Footer, atom.Nav, atom.Aside,
		atom.Figure, atom.Figcaption, atom.Form, atom.Fieldset, atom.Legend, atom.Html, atom.Head:
		return true
	}
	return false
}

// boilerplateWords are class and id words of elements that are not the
// article's prose.
var boilerplateWords = map[string]bool{
	"ad": true, "ads": true, "advert": true, "advertisement": true, "advertising": true,
	"author": true, "banner": true, "breadcrumb": true, "breadcrumbs": true, "byline": true,
	"caption": true, "comment": true, "comments": true, "cookie": true, "cookies": true,
	"credit": true, "dateline": true, "disclaimer": true, "footer": true, "header": true,
	"masthead": true, "menu": true, "modal": true, "nav": true, "navbar": true,
	"navigation": true, "newsletter": true, "outbrain": true, "paywall": true, "popup": true,
	"promo": true, "recommended": true, "related": true, "share": true, "sharing": true,
	"sidebar": true, "signup": true, "social": true, "sponsor": true, "sponsored": true,
	"subscribe": true, "subscription": true, "taboola": true, "tags": true, "toolbar": true,
	"widget": true,
}

// closeImplied pops the element a start tag a ends implicitly (HTML
// leaves the end tags of p, li, dt, dd, tr, td, th and option optional):
// only the innermost open elements are looked at, so it is O(1).
func (r *reader) closeImplied(a atom.Atom) {
	top := func() atom.Atom {
		if len(r.stack) == 0 {
			return 0
		}
		return r.stack[len(r.stack)-1].a
	}
	popIf := func(as ...atom.Atom) {
		if t := top(); t != 0 && slices.Contains(as, t) {
			r.pop()
			r.setMark()
		}
	}
	if closesP(a) {
		popIf(atom.P)
	}
	switch a {
	case atom.Li:
		popIf(atom.Li)
	case atom.Dt, atom.Dd:
		popIf(atom.Dt, atom.Dd)
	case atom.Td, atom.Th:
		popIf(atom.Td, atom.Th)
	case atom.Tr:
		popIf(atom.Td, atom.Th)
		popIf(atom.Tr)
	case atom.Option:
		popIf(atom.Option)
	}
}

// closesP reports whether a start tag ends an open <p>.
func closesP(a atom.Atom) bool {
	switch a {
	case atom.Address, atom.Article, atom.Aside, atom.Blockquote, atom.Details, atom.Div,
		atom.Dl, atom.Fieldset, atom.Figcaption, atom.Figure, atom.Footer, atom.Form,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Header, atom.Main,
		atom.Menu, atom.Nav, atom.Ol, atom.P, atom.Pre, atom.Section, atom.Table, atom.Ul:
		return true
	}
	return false
}

// positiveWords in a class or id keep an element that also names
// boilerplate ("article-header", "main-content with-sidebar").
var positiveWords = map[string]bool{
	"article": true, "body": true, "content": true, "entry": true, "main": true,
	"post": true, "story": true, "text": true,
}

func isBoilerplate(t html.Token, classRules bool) bool {
	switch t.DataAtom {
	case atom.Nav, atom.Aside, atom.Header, atom.Footer, atom.Form, atom.Figure,
		atom.Figcaption, atom.Template, atom.Button, atom.Select, atom.Option, atom.Dialog,
		atom.Svg, atom.Math, atom.Video, atom.Audio, atom.Canvas, atom.Object, atom.Picture,
		atom.Menu, atom.Label, atom.Datalist, atom.Output:
		return true
	}
	var classes, id, role, style, hidden string
	hasHidden := false
	for _, a := range t.Attr {
		switch a.Key {
		case "class":
			classes = a.Val
		case "id":
			id = a.Val
		case "role":
			role = a.Val
		case "style":
			style = a.Val
		case "aria-hidden":
			hidden = a.Val
		case "hidden":
			hasHidden = true
		}
	}
	if hasHidden || strings.EqualFold(strings.TrimSpace(hidden), "true") {
		return true
	}
	switch strings.ToLower(strings.TrimSpace(role)) {
	case "navigation", "banner", "complementary", "contentinfo", "search", "dialog", "alertdialog", "menu", "menubar", "toolbar":
		return true
	}
	if s := strings.ToLower(strings.ReplaceAll(style, " ", "")); strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
		return true
	}
	if !classRules || markLevel(t) > 0 || t.DataAtom == atom.Html || t.DataAtom == atom.Body {
		return false // the article's own container ("article-body")
	}
	neg, pos := classWords(classes + " " + id)
	return neg && !pos
}

// classWords reports whether a class or id value holds a boilerplate word
// and whether it holds a positive one: words are split at anything but
// letters and digits.
func classWords(v string) (neg, pos bool) {
	for _, w := range strings.FieldsFunc(strings.ToLower(v), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		neg = neg || boilerplateWords[w]
		pos = pos || positiveWords[w]
	}
	return neg, pos
}

// isByline reports whether an element holds the byline.
func isByline(t html.Token) bool {
	if strings.EqualFold(attr(t, "rel"), "author") || strings.EqualFold(attr(t, "itemprop"), "author") {
		return true
	}
	for _, w := range strings.Fields(strings.ToLower(attr(t, "class"))) {
		if w == "byline" || w == "author" || strings.HasSuffix(w, "-byline") || strings.HasSuffix(w, "__byline") {
			return true
		}
	}
	return false
}

// markLevel is how specifically an element marks the article: 3
// itemprop="articleBody", 2 <article> or role="article", 1 <main> or
// role="main", else 0.
func markLevel(t html.Token) int8 {
	if strings.EqualFold(attr(t, "itemprop"), "articleBody") {
		return 3
	}
	role := strings.ToLower(strings.TrimSpace(attr(t, "role")))
	switch {
	case t.DataAtom == atom.Article || role == "article":
		return 2
	case t.DataAtom == atom.Main || role == "main":
		return 1
	}
	return 0
}

func (r *reader) metaTag(t html.Token) {
	key := strings.ToLower(strings.TrimSpace(attr(t, "property")))
	if key == "" {
		key = strings.ToLower(strings.TrimSpace(attr(t, "name")))
	}
	if ip := attr(t, "itemprop"); key == "" && ip != "" {
		key = "itemprop:" + strings.ToLower(ip)
	}
	v := strings.TrimSpace(attr(t, "content"))
	if v == "" {
		return
	}
	set := func(dst *string) {
		if *dst == "" {
			*dst = v
		}
	}
	switch key {
	case "og:title":
		set(&r.meta.ogTitle)
	case "twitter:title":
		set(&r.meta.twTitle)
	case "author", "byl", "parsely-author", "sailthru.author", "dc.creator":
		set(&r.meta.author)
	case "article:author":
		if !strings.Contains(v, "://") {
			set(&r.meta.author)
		}
	case "article:published_time", "og:article:published_time":
		set(&r.meta.published)
	case "itemprop:datepublished":
		set(&r.meta.itempropPublished)
	case "date", "pubdate", "publishdate", "dc.date.issued", "dc.date", "parsely-pub-date", "sailthru.date":
		set(&r.meta.otherDate)
	}
}

func (r *reader) timeTag(t html.Token) {
	dt := strings.TrimSpace(attr(t, "datetime"))
	if dt == "" {
		return
	}
	if strings.EqualFold(attr(t, "itemprop"), "datePublished") {
		if r.meta.itempropPublished == "" {
			r.meta.itempropPublished = dt
		}
		return
	}
	if r.meta.timeDate == "" && (r.mark > 0 || hasAttr(t, "pubdate")) {
		r.meta.timeDate = dt
	}
}

func hasAttr(t html.Token, key string) bool {
	for _, a := range t.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// jsonLD reads headline, author and datePublished of the first article
// object of a JSON-LD script (an object, an array, or a @graph).
func (r *reader) jsonLD(src string) {
	var v any
	if json.Unmarshal([]byte(src), &v) != nil {
		return
	}
	// The objects are visited breadth first, at most a few levels down:
	// the article is at the top, in an array, or in @graph.
	queue := []any{v}
	for n := 0; len(queue) > 0 && n < 256; n++ {
		x := queue[0]
		queue = queue[1:]
		switch x := x.(type) {
		case []any:
			queue = append(queue, x...)
		case map[string]any:
			if g, ok := x["@graph"].([]any); ok {
				queue = append(queue, g...)
			}
			if !isArticleType(x["@type"]) {
				continue
			}
			if r.meta.ldHeadline == "" {
				r.meta.ldHeadline, _ = x["headline"].(string)
			}
			if r.meta.ldPublished == "" {
				r.meta.ldPublished, _ = x["datePublished"].(string)
			}
			if r.meta.ldAuthor == "" {
				r.meta.ldAuthor = authorNames(x["author"])
			}
		}
	}
}

func isArticleType(t any) bool {
	switch t := t.(type) {
	case string:
		return strings.HasSuffix(t, "Article") || t == "ReportageNewsArticle" || t == "BlogPosting" || t == "LiveBlogPosting"
	case []any:
		for _, x := range t {
			if isArticleType(x) {
				return true
			}
		}
	}
	return false
}

func authorNames(a any) string {
	switch a := a.(type) {
	case string:
		return a
	case map[string]any:
		n, _ := a["name"].(string)
		return n
	case []any:
		var names []string
		for _, x := range a {
			if n := authorNames(x); n != "" && len(names) < 8 {
				names = append(names, n)
			}
		}
		return strings.Join(names, ", ")
	}
	return ""
}

func (r *reader) fillMeta(p *Page) {
	m := &r.meta
	p.Title = truncate(clean(first(m.ogTitle, m.ldHeadline, m.twTitle, m.docTitle, m.h1)), maxTitle)
	p.Byline = truncate(byline(first(clean(m.author), clean(m.ldAuthor), m.elemByline)), maxByline)
	for _, d := range []string{m.published, m.ldPublished, m.itempropPublished, m.otherDate, m.timeDate} {
		if t, ok := parseDate(d); ok {
			p.PublishedAt = t
			break
		}
	}
}

func first(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// clean folds white space to single spaces.
func clean(s string) string { return strings.Join(strings.FieldsFunc(s, isSpace), " ") }

// byline drops a leading "By" ("By Jane Doe and Ana Ruiz").
func byline(s string) string {
	s = clean(s)
	if len(s) > 3 && strings.EqualFold(s[:3], "by ") {
		s = strings.TrimSpace(s[3:])
	}
	return s
}

// truncate cuts s to at most n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimSpace(s[:n])
}

// parseDate reads the date forms pages use: RFC 3339 (with or without
// seconds or a colon in the offset), a local date-time (taken as UTC) or
// a bare date (midnight UTC). Years outside 0001–9999 are refused.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{
		time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05", "2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			if t.Year() < 1 || t.Year() > 9999 {
				return time.Time{}, false
			}
			return t, true
		}
	}
	return time.Time{}, false
}
