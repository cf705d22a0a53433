package page

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestReadNewsPage(t *testing.T) {
	src, err := os.ReadFile("testdata/news.html")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read(string(src))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	want := Page{
		Text: "Harbour bridge to reopen in spring\n\n" +
			"The council’s transport chief, Tomas Berg, said the repairs were ahead of schedule.\n\n" +
			"“We expect the first cars to cross in April,” Berg said at a briefing on Tuesday.\n\n" +
			"Businesses wait\n\n" +
			"Shop owners on Quay Street have lost trade for months. “Every week without the bridge costs us customers,” said Maria Lindqvist, who runs a bakery there.\n\n" +
			"The opposition leader, Hanna Ek, said the council had “wasted a year” on planning.",
		Title:       "Harbour bridge to reopen in spring, council says",
		Byline:      "Priya Natarajan",
		PublishedAt: time.Date(2025, 3, 4, 6, 15, 0, 0, time.UTC),
		Language:    "en-GB",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Read(news.html) mismatch (-want +got):\n%s", diff)
	}
	for _, boiler := range []string{"Subscribe", "Accept all", "script", "Styled", "menu", "passer-by", "editors", "JavaScript", "template", "Sign up", "sidebar", "footer", "Coastal Ledger", "4 March"} {
		if strings.Contains(got.Text, boiler) {
			t.Errorf("Read(news.html).Text holds boilerplate %q", boiler)
		}
	}
}

func TestReadText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{"entities", `<p>&ldquo;Non,&rdquo; dit-elle &amp; lui&nbsp;: &laquo;&#160;oui&#xA0;&raquo;.</p>`, "“Non,” dit-elle & lui\u00a0: «\u00a0oui\u00a0»."},
		{"paragraphs and headings", `<h2>Head</h2><p>One.</p><div>Two.</div><ul><li>Three</li><li>Four</li></ul>`, "Head\n\nOne.\n\nTwo.\n\nThree\n\nFour"},
		{"white space folded", "<p>  a\n\t<b>bold</b>\n c  </p>", "a bold c"},
		{"inline tags join words", `<p>said<em>Ana</em> Ruiz</p>`, "saidAna Ruiz"},
		{"br is a line break", `<p>line one<br>line two<br/></p>`, "line one\nline two"},
		{"implied end of p and li", `<p>One<p>Two<ul><li>a<li>b</ul>`, "One\n\nTwo\n\na\n\nb"},
		{"fragment without html or body", `Bare text, <i>then</i> more.`, "Bare text, then more."},
		{"boilerplate elements", `<nav>n</nav><header>h</header><p>keep</p><aside>a</aside><footer>f</footer><form>x</form><figure>fig<figcaption>c</figcaption></figure><script>s</script><style>y</style><noscript>ns</noscript><template>t</template><button>b</button><svg><text>v</text></svg>`, "keep"},
		{"hidden elements", `<p hidden>h</p><p aria-hidden="true">a</p><p style="display: none">d</p><div role="navigation">r</div><p>keep</p>`, "keep"},
		{"class and id rules", `<div class="promo-box">p</div><div id="newsletter-signup">n</div><div class="share-tools">s</div><div class="caption">c</div><p class="lead">keep</p>`, "keep"},
		{"a positive word keeps a wrapper", `<div class="main-content with-sidebar"><p>keep</p></div>`, "keep"},
		{"class rules dropped when they leave nothing", `<div class="page-wrapper sidebar-layout"><p>keep</p></div>`, "keep"},
		{"article preferred", `<div>Menu text of the page here.</div><article><p>The article itself, long enough to count as most of the page.</p></article>`, "The article itself, long enough to count as most of the page."},
		{"articleBody more specific than article", `<article><p>Standfirst</p><div itemprop="articleBody"><p>Body one is the longer part.</p><p>Body two.</p></div></article>`, "Body one is the longer part.\n\nBody two."},
		{"a small teaser article does not stand for the page", `<p>The real story has most of the words on this page, by far.</p><p>Its second paragraph adds more words again.</p><div><article>Teaser</article></div>`, "The real story has most of the words on this page, by far.\n\nIts second paragraph adds more words again.\n\nTeaser"},
		{"unclosed skip element ends with its parent", `<div><nav>menu</div><p>keep</p>`, "keep"},
		{"stray end tags ignored", `</p></div><p>keep</span></p>`, "keep"},
		{"table cells", `<table><tr><td>a</td><td>b</td></tr><tr><td>c</table>`, "a\n\nb\n\nc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(tc.html)
			if err != nil {
				t.Fatalf("Read(%q): %v", tc.html, err)
			}
			if got.Text != tc.want {
				t.Errorf("Read(%q).Text = %q, want %q", tc.html, got.Text, tc.want)
			}
		})
	}
}

func TestReadNoText(t *testing.T) {
	for _, src := range []string{"", "   ", `<nav>only a menu</nav>`, `<script>var x = 1</script>`, `<html><head><title>T</title></head><body></body></html>`} {
		if _, err := Read(src); !errors.Is(err, ErrNoText) {
			t.Errorf("Read(%q) error = %v, want ErrNoText", src, err)
		}
	}
}

func TestReadMeta(t *testing.T) {
	tests := []struct {
		name, html string
		want       Page
	}{
		{
			"title from <title> and date from time in the article",
			`<title>Doc &amp; title</title><article><time datetime="2024-11-05">5 Nov</time><p>x</p></article>`,
			Page{Title: "Doc & title", PublishedAt: time.Date(2024, 11, 5, 0, 0, 0, 0, time.UTC)},
		},
		{
			"time outside the article is not the date",
			`<div><time datetime="2024-11-05">5 Nov</time></div><p>x</p>`,
			Page{},
		},
		{
			"JSON-LD in @graph with authors",
			`<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, {"@type": ["NewsArticle"], "headline": "LD head", "datePublished": "2023-01-17T10:00:00-05:00", "author": [{"name": "Ana Ruiz"}, {"name": "Li Wei"}]}]}</script><p>x</p>`,
			Page{Title: "LD head", Byline: "Ana Ruiz, Li Wei", PublishedAt: time.Date(2023, 1, 17, 15, 0, 0, 0, time.UTC)},
		},
		{
			"first h1 when nothing else; byline element",
			`<h1>Main <b>headline</b></h1><div class="article-byline">By  Ana Ruiz</div><p>x</p>`,
			Page{Title: "Main headline", Byline: "Ana Ruiz"},
		},
		{
			"article:author URL ignored, itemprop date",
			`<meta property="article:author" content="https://facebook.com/x"><meta itemprop="datePublished" content="2022-02-02T02:02:02Z"><p>x</p>`,
			Page{PublishedAt: time.Date(2022, 2, 2, 2, 2, 2, 0, time.UTC)},
		},
		{
			"unparsable date skipped for the next",
			`<meta property="article:published_time" content="yesterday"><meta name="date" content="2021-06-01 08:00:00"><p>x</p>`,
			Page{PublishedAt: time.Date(2021, 6, 1, 8, 0, 0, 0, time.UTC)},
		},
		{
			"broken JSON-LD ignored",
			`<script type="application/ld+json">{"@type": "NewsArticle", </script><html lang="de"><p>x</p>`,
			Page{Language: "de"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(tc.html)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			got.Text = ""
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Read(%q) meta mismatch (-want +got):\n%s", tc.html, diff)
			}
		})
	}
}

func TestReadTitleTruncated(t *testing.T) {
	long := strings.Repeat("é", 600) // 1200 bytes
	p, err := Read(`<meta property="og:title" content="` + long + `"><p>x</p>`)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Title) > maxTitle || !strings.HasPrefix(long, p.Title) || len(p.Title) < maxTitle-1 {
		t.Errorf("title of %d bytes, want a prefix of at most %d bytes", len(p.Title), maxTitle)
	}
}

// TestReadDeepNesting: 100,000 nested elements are read in linear work,
// with the stack bounded, and the text beside them kept.
func TestReadDeepNesting(t *testing.T) {
	const n = 100_000
	for _, tag := range []string{"div", "b", "p", "li", "table"} {
		t.Run(tag, func(t *testing.T) {
			src := "<p>Lead paragraph.</p>" + strings.Repeat("<"+tag+">", n) + "deep" + strings.Repeat("</"+tag+">", n) + "<p>Tail paragraph.</p>"
			p, st := read(src)
			if st.maxStack > MaxDepth {
				t.Errorf("stack of %d open elements, want at most %d", st.maxStack, MaxDepth)
			}
			if st.steps > 2*st.tokens {
				t.Errorf("%d steps for %d tokens, want at most 2 per token", st.steps, st.tokens)
			}
			if !strings.HasPrefix(p.Text, "Lead paragraph.") || !strings.HasSuffix(p.Text, "Tail paragraph.") {
				t.Errorf("text = %.80q…, want the lead and tail paragraphs", p.Text)
			}
		})
	}
}

// TestReadMismatchedEndTags: end tags that match no open element cost at
// most endTagReach steps each, not the depth of the stack.
func TestReadMismatchedEndTags(t *testing.T) {
	const n = 100_000
	src := "<p>x</p>" + strings.Repeat("<div>", MaxDepth) + strings.Repeat("</span>", n)
	_, st := read(src)
	if st.steps > endTagReach*(n+1) {
		t.Errorf("%d steps for %d unmatched end tags, want at most %d each", st.steps, n, endTagReach)
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "<article><p>x</article>", "<div class=ad><p>y", "&ldquo;q&rdquo;<br>", "<script type=application/ld+json>[{\"@type\":\"NewsArticle\"}]</script>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, st := read(src)
		if st.maxStack > MaxDepth {
			t.Fatalf("stack %d > %d", st.maxStack, MaxDepth)
		}
		if strings.Contains(p.Text, "\n\n\n") {
			t.Fatalf("three newlines in %q", p.Text)
		}
		if len(p.Title) > maxTitle || len(p.Byline) > maxByline {
			t.Fatalf("title %d or byline %d bytes too long", len(p.Title), len(p.Byline))
		}
	})
}

func TestReadGermanPage(t *testing.T) {
	src, err := os.ReadFile("testdata/nachrichten.html")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Read(string(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Page{
		Text:        "Olaf Scholz besuchte am Dienstag Kiel.\n\nAm Nachmittag sagte er: „Wir bleiben hier.“\n\n„Die Arbeit geht weiter“, sagte Anna Berger.",
		Title:       "Hafen bleibt offen",
		Byline:      "Jonas Weber",
		PublishedAt: time.Date(2025, 4, 2, 6, 0, 0, 0, time.UTC),
		Language:    "de-DE",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Read(nachrichten.html) mismatch (-want +got):\n%s", diff)
	}
}

// BenchmarkRead reads the news fixture, a 1 MiB page of paragraphs and a
// 700 kB page nesting 100,000 elements.
func BenchmarkRead(b *testing.B) {
	news, err := os.ReadFile("testdata/news.html")
	if err != nil {
		b.Fatal(err)
	}
	para := "<p>“We expect the first cars to cross in April,” Berg said at a briefing on <b>Tuesday</b>.</p>\n"
	for _, bc := range []struct{ name, src string }{
		{"news", string(news)},
		{"1MiB", strings.Repeat(para, (1<<20)/len(para))},
		{"deep100k", strings.Repeat("<i>", 100_000) + "x" + strings.Repeat("</i>", 100_000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.src)))
			for b.Loop() {
				_, _ = read(bc.src)
			}
		})
	}
}
