package storetest

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/webhook"
)

func dumpCases() []testCase {
	return []testCase{
		{"DumpRoundTrip", testDumpRoundTrip},
	}
}

// dumper is a store that export and import work with.
type dumper interface {
	dump.Exporter
	dump.Importer
}

func asDumper(t *testing.T, s Store) dumper {
	t.Helper()
	d, ok := s.(dumper)
	if !ok {
		t.Skipf("%T implements no dump.Exporter and dump.Importer", s)
	}
	return d
}

// exportAll exports s, one JSON line per record, checking the order of
// record types the dump package prescribes.
func exportAll(t *testing.T, s dumper) (records []dump.Record, lines map[string][]string) {
	t.Helper()
	order := []string{dump.TypeSpeaker, dump.TypeArticle, dump.TypeStatement, dump.TypeSubscription, dump.TypeDelivery, dump.TypeKey, dump.TypeIdempotencyKey}
	last := -1
	lines = map[string][]string{}
	err := s.Export(ctx(t), func(r dump.Record) error {
		i := slices.Index(order, r.Type)
		if i < 0 {
			t.Errorf("Export wrote a record of type %q", r.Type)
		} else if i < last {
			t.Errorf("Export wrote a %s record after a %s record", r.Type, order[last])
		} else {
			last = i
		}
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		records = append(records, r)
		lines[r.Type] = append(lines[r.Type], string(b))
		return nil
	})
	if err != nil {
		t.Fatalf("Export error = %v", err)
	}
	for _, ls := range lines {
		slices.Sort(ls)
	}
	return records, lines
}

func testDumpRoundTrip(t *testing.T, e *env) {
	src := asDumper(t, e.s)
	// Something of every kind: articles with quotes and statements, a
	// correction, a merge, a Wikidata id, a subscription with a
	// delivery, a revoked and a live key, an idempotency key.
	ruiz, berg := e.correctionFixture(t)
	e.statementFixture(t)
	bergID := berg.Quotes[0].SpeakerID
	if _, err := e.s.CorrectQuote(ctx(t), ruiz.Quotes[0].ID, attribution.QuotePatch{SpeakerID: &bergID, Hidden: ref(true)}, "key_editor", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.UpdateSpeaker(ctx(t), bergID, attribution.SpeakerPatch{WikidataID: ref("Q42"), Aliases: &[]string{"J. Berg"}}, 0); err != nil {
		t.Fatal(err)
	}
	jansen, vos := e.speakerID(t, "Clara Jansen"), e.speakerID(t, "Pieter Vos")
	if _, err := e.s.MergeSpeakers(ctx(t), jansen, []string{e.speakerID(t, "Jansen")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	sub := webhook.Subscription{ID: "sub_a", URL: "https://a.example/hook", Secret: webhook.NewSecret(), SpeakerIDs: []string{vos}, Query: "bridge", CreatedAt: now}
	if err := e.s.CreateSubscription(ctx(t), sub); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SaveDelivery(ctx(t), webhook.Delivery{ID: "msg_1", SubscriptionID: "sub_a", Event: "quote.created", QuoteID: ruiz.Quotes[1].ID, Status: "delivered",
		Attempts: []webhook.Attempt{{At: now, StatusCode: 200, DurationMS: 2}}, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	k1, _, h1, _ := auth.NewKey("desk", auth.ScopeWrite, now)
	k2, _, h2, _ := auth.NewKey("admin", auth.ScopeAdmin, now.Add(time.Second))
	k2.MadeWithoutAuth = true
	for _, kh := range [][2]any{{k1, h1}, {k2, h2}} {
		if err := e.s.CreateKey(ctx(t), kh[0].(auth.Key), kh[1].(string)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.s.RevokeKey(ctx(t), k1.ID, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := e.s.SaveIdempotencyKey(ctx(t), "idem-1", ruiz.Article.ID, "hash-1"); err != nil {
		t.Fatal(err)
	}

	records, first := exportAll(t, src)
	bylines := 0
	for _, r := range records {
		if r.Type == dump.TypeArticle && r.Article.Byline == "Priya Natarajan" {
			bylines++
		}
	}
	if bylines != 1 {
		t.Errorf("Export wrote %d articles with the byline of the Ruiz article, want 1", bylines)
	}
	for typ, ls := range first {
		t.Logf("exported %d %s records", len(ls), typ)
	}
	for _, typ := range []string{dump.TypeSpeaker, dump.TypeArticle, dump.TypeStatement, dump.TypeSubscription, dump.TypeDelivery, dump.TypeKey, dump.TypeIdempotencyKey} {
		if len(first[typ]) == 0 {
			t.Errorf("Export wrote no %s record", typ)
		}
	}

	dst := e.newStore(t)
	into := asDumper(t, dst)
	for _, r := range records {
		added, err := into.Import(ctx(t), r)
		if err != nil {
			t.Fatalf("Import(%s) error = %v", r.Type, err)
		}
		// A store may derive a statement from the quotes of the articles
		// imported before it (dump.Statement), and then has it already.
		if !added && r.Type != dump.TypeStatement {
			t.Errorf("Import(%s) into an empty store: added false", describe(r))
		}
	}
	_, second := exportAll(t, into)
	for typ := range first {
		if diff := cmp.Diff(first[typ], second[typ]); diff != "" {
			t.Errorf("%s records after export, import, export (-first +second):\n%s", typ, diff)
		}
	}
	for _, r := range records {
		added, err := into.Import(ctx(t), r)
		if err != nil || added {
			t.Errorf("second Import(%s) = added %v, %v; want nothing added", describe(r), added, err)
		}
	}
	_, third := exportAll(t, into)
	if diff := cmp.Diff(second, third); diff != "" {
		t.Errorf("export after a second import (-before +after):\n%s", diff)
	}

	// The imported store serves what the first served.
	q, err := dst.GetQuote(ctx(t), ruiz.Quotes[0].ID)
	if err != nil || q.SpeakerID != bergID || !q.Hidden || len(q.History) != 1 || q.Version != 2 {
		t.Errorf("imported corrected quote = %+v, %v", q, err)
	}
	if id, err := dst.ResolveSpeakerID(ctx(t), "Jansen"); err != nil || id != jansen {
		t.Errorf("imported merged name resolves to %q, %v; want %s", id, err, jansen)
	}
	if p, err := dst.GetSpeaker(ctx(t), bergID); err != nil || p.WikidataID != "Q42" || p.QuoteCount != 2 {
		t.Errorf("imported speaker = %+v, %v; want Q42 with 2 quotes", p, err)
	}
	if k, err := dst.KeyByHash(ctx(t), h1); err != nil || !k.Revoked() {
		t.Errorf("imported revoked key = %+v, %v", k, err)
	}
	if k, err := dst.KeyByHash(ctx(t), h2); err != nil || !k.MadeWithoutAuth {
		t.Errorf("imported key made without auth = %+v, %v; want it still marked", k, err)
	}
	if id, _, err := dst.LookupIdempotencyKey(ctx(t), "idem-1"); err != nil || id != ruiz.Article.ID {
		t.Errorf("imported idempotency key = %q, %v", id, err)
	}
	if s, err := dst.GetSubscription(ctx(t), "sub_a"); err != nil || s.URL != sub.URL {
		t.Errorf("imported subscription = %+v, %v", s, err)
	}
	if subs, err := dst.ListSubscriptions(ctx(t)); err != nil || len(subs) != 1 || subs[0].Secret != sub.Secret {
		t.Errorf("imported subscription secret lost: %+v, %v", subs, err)
	}
	src1, _ := e.s.FindQuotes(ctx(t), attribution.QuoteQuery{PageSize: 100})
	dst1, _ := dst.FindQuotes(ctx(t), attribution.QuoteQuery{PageSize: 100})
	if !slices.Equal(quoteIDs(src1.Quotes), quoteIDs(dst1.Quotes)) {
		t.Errorf("FindQuotes after import = %v, want %v", quoteIDs(dst1.Quotes), quoteIDs(src1.Quotes))
	}
}

func describe(r dump.Record) string {
	b, _ := json.Marshal(r)
	s := string(b)
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return strings.TrimSpace(s)
}
