package mongostore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/auth"
	"github.com/whosaid/whosaid/internal/webhook"
)

// recorder keeps the read commands a store sends, to explain them.
type recorder struct {
	mu   sync.Mutex
	cmds []bson.Raw
}

func (r *recorder) started(_ context.Context, e *event.CommandStartedEvent) {
	switch e.CommandName {
	case "find", "aggregate", "count", "distinct":
		r.mu.Lock()
		r.cmds = append(r.cmds, slices.Clone(e.Command))
		r.mu.Unlock()
	}
}

func (r *recorder) take() []bson.Raw {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.cmds
	r.cmds = nil
	return out
}

// TestExplainListings runs every listing of the store against the MongoDB
// at WHOSAID_TEST_MONGO_URI, records the queries the store sends, and
// asks the server to explain each: no winning plan may scan a collection,
// and the listing's own query must scan the index named in indexes.go.
// The quote listings must also get their order from the index (no
// blocking SORT stage). The embedded FerretDB answers explain in its own
// way (and uses no index), so the test needs MongoDB.
func TestExplainListings(t *testing.T) {
	uri := os.Getenv("WHOSAID_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("WHOSAID_TEST_MONGO_URI is not set: explain needs MongoDB")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	rec := &recorder{}
	client, err := mongo.Connect(options.Client().ApplyURI(uri).SetMonitor(&event.CommandMonitor{Started: rec.started}))
	if err != nil {
		t.Fatal(err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	s := &Store{client: client, db: client.Database("test_explain_" + hex.EncodeToString(suffix)),
		logger: slog.New(slog.DiscardHandler), reach: &reachability{logger: slog.New(slog.DiscardHandler), failed: map[string]string{}}}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.Drop(cctx)
		_ = client.Disconnect(cctx)
	})
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	c := newBenchCorpus()
	var stored []attribution.IngestResult
	for i := range 40 {
		a, res := c.article(i)
		r, err := s.IngestArticle(ctx, &a, res)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, r)
	}
	q := stored[0].Quotes[0]
	word := attribution.FoldWords(q.Text)[0]
	word2 := attribution.FoldWords(stored[0].Quotes[1].Text)[0]
	speaker := q.SpeakerID
	speakerName := q.Speaker.Name
	now := time.Now().UTC()
	if err := s.CreateSubscription(ctx, webhook.Subscription{ID: "sub_1", URL: "https://example.com/hook", Secret: "s", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveDelivery(ctx, webhook.Delivery{ID: "msg_1", SubscriptionID: "sub_1", Event: "quote.created", QuoteID: q.ID, Status: "pending", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(ctx, auth.Key{ID: "key_1", Name: "k", Scope: auth.Scope("read"), Prefix: "ws_", CreatedAt: now}, "hash1"); err != nil {
		t.Fatal(err)
	}
	page1, err := s.FindQuotes(ctx, attribution.QuoteQuery{SpeakerID: speaker, PageSize: 1})
	if err != nil || page1.Next == nil {
		t.Fatalf("first page of %s = %+v, %v; want a next page", speaker, page1, err)
	}
	from, to := c.epoch, c.epoch.Add(365*24*time.Hour)
	rec.take()

	type listing struct {
		name  string
		coll  string
		index string // that the listing's query on coll scans
		// sorted: the order comes from the index (no SORT stage).
		sorted bool
		run    func() error
	}
	find := func(qq attribution.QuoteQuery) func() error {
		return func() error {
			qq.PageSize = 20
			_, err := s.FindQuotes(ctx, qq)
			return err
		}
	}
	listings := []listing{
		{"quotes", collQuotes, idxQuotesPublished, true, find(attribution.QuoteQuery{})},
		{"quotes by dates", collQuotes, idxQuotesPublished, true, find(attribution.QuoteQuery{From: from, To: to})},
		{"quotes by speaker", collQuotes, idxQuotesSpeaker, true, find(attribution.QuoteQuery{SpeakerID: speaker})},
		{"quotes by speaker, next page", collQuotes, idxQuotesSpeaker, true, find(attribution.QuoteQuery{SpeakerID: speaker, After: page1.Next})},
		{"quotes by speaker and everything", collQuotes, idxQuotesSpeaker, true, find(attribution.QuoteQuery{SpeakerID: speaker, Words: []string{word}, Kind: attribution.KindDirect, Outlet: c.outlets[0], From: from, To: to})},
		{"quotes by a word", collQuotes, idxQuotesWords, true, find(attribution.QuoteQuery{Words: []string{word}})},
		{"quotes by two words", collQuotes, idxQuotesWords, true, find(attribution.QuoteQuery{Words: []string{word, word2}})},
		{"quotes by words and kind and outlet", collQuotes, idxQuotesWords, true, find(attribution.QuoteQuery{Words: []string{word}, Kind: attribution.KindDirect, Outlet: c.outlets[0]})},
		{"quotes by kind", collQuotes, idxQuotesKind, true, find(attribution.QuoteQuery{Kind: attribution.KindDirect})},
		{"quotes by kind and outlet", collQuotes, idxQuotesKind, true, find(attribution.QuoteQuery{Kind: attribution.KindDirect, Outlet: c.outlets[0]})},
		{"quotes by outlet", collQuotes, idxQuotesOutlet, true, find(attribution.QuoteQuery{Outlet: c.outlets[0]})},
		{"quotes by outlet and dates", collQuotes, idxQuotesOutlet, true, find(attribution.QuoteQuery{Outlet: c.outlets[0], From: from, To: to})},
		{"article quotes", collQuotes, idxQuotesArticle, true, func() error {
			_, err := s.ArticleQuotes(ctx, stored[0].Article.ID)
			return err
		}},
		{"speaker figures", collQuotes, idxQuotesSpeaker, false, func() error {
			_, err := s.GetSpeaker(ctx, speaker)
			return err
		}},
		{"speaker by name", collSpeakers, idxSpeakersKeys + "," + idxSpeakersAliasKeys + "," + idxSpeakersName, false, func() error {
			_, err := s.ResolveSpeakerID(ctx, speakerName)
			return err
		}},
		{"speakers by prefix", collSpeakers, idxSpeakersSearchKeys, false, func() error {
			_, _, err := s.SearchSpeakers(ctx, speakerName[:3], 10, "")
			return err
		}},
		{"speakers", collSpeakers, idxSpeakersName, true, func() error {
			_, next, err := s.SearchSpeakers(ctx, "", 5, "")
			if err == nil {
				_, _, err = s.SearchSpeakers(ctx, "", 5, next)
			}
			return err
		}},
		{"statements like a quote", collStatements, idxStatementsShingles, false, func() error {
			_, err := s.MatchStatements(ctx, q.Text, 5)
			return err
		}},
		{"subscriptions", collSubscriptions, idxSubscriptionsCreated, true, func() error {
			_, err := s.ListSubscriptions(ctx)
			return err
		}},
		{"deliveries", collDeliveries, idxDeliveriesSubscription, true, func() error {
			_, err := s.ListDeliveries(ctx, "sub_1", 10)
			return err
		}},
		{"due deliveries", collDeliveries, idxDeliveriesDue, true, func() error {
			_, err := s.ClaimDeliveries(ctx, "lease_explain", now, now.Add(time.Minute), 4)
			return err
		}},
		{"keys", collKeys, idxKeysCreated, true, func() error {
			_, err := s.ListKeys(ctx)
			return err
		}},
	}
	for _, l := range listings {
		t.Run(l.name, func(t *testing.T) {
			if err := l.run(); err != nil {
				t.Fatal(err)
			}
			cmds := rec.take()
			wants := strings.Split(l.index, ",")
			matched := false
			var plans []string
			for _, cmd := range cmds {
				coll, plan := explain(ctx, t, s.db, cmd)
				if slices.Contains(plan.stages, "COLLSCAN") {
					t.Errorf("%s on %s scans the collection: %v", cmd.Index(0).Key(), coll, plan.stages)
				}
				if coll != l.coll {
					continue
				}
				plans = append(plans, fmt.Sprintf("%s: %v %v", cmd.Lookup("filter"), plan.indexes, plan.stages))
				if !slices.ContainsFunc(wants, func(w string) bool { return !slices.Contains(plan.indexes, w) }) {
					matched = true
					if l.sorted && slices.Contains(plan.stages, "SORT") {
						t.Errorf("query %s on %s sorts in memory: stages %v", cmd.Lookup("filter"), coll, plan.stages)
					}
				}
			}
			if !matched {
				t.Errorf("no query on %s scans %v; queries and plans:\n%s", l.coll, wants, strings.Join(plans, "\n"))
			}
		})
	}
}

// plan is what an explain's winning plans hold: their stages and the
// indexes they scan.
type plan struct {
	stages, indexes []string
}

// explain asks the server how it runs a command the store sent and
// returns the collection and the winning plan.
func explain(ctx context.Context, t *testing.T, db *mongo.Database, cmd bson.Raw) (string, plan) {
	t.Helper()
	elems, err := cmd.Elements()
	if err != nil {
		t.Fatal(err)
	}
	var c bson.D
	coll := ""
	for i, e := range elems {
		k := e.Key()
		if i == 0 {
			coll = e.Value().StringValue()
		}
		switch k {
		case "$db", "lsid", "$clusterTime", "txnNumber", "$readPreference", "readConcern", "writeConcern", "maxTimeMS",
			"startTransaction", "autocommit", "apiVersion", "$audit":
			continue
		}
		c = append(c, bson.E{Key: k, Value: e.Value()})
	}
	var out bson.M
	if err := db.RunCommand(ctx, bson.D{{Key: "explain", Value: c}, {Key: "verbosity", Value: "queryPlanner"}}).Decode(&out); err != nil {
		t.Fatalf("explain %v: %v", c, err)
	}
	p := planOf(out)
	if len(p.stages) == 0 {
		t.Fatalf("explain of %v has no winning plan: %v", c, fmt.Sprint(out))
	}
	return coll, p
}

// planOf collects the stages and index names of an explain's winning
// plans (of every shard, and of the $cursor stage of an aggregation),
// classic or slot-based (queryPlan), leaving out the rejected plans.
func planOf(out bson.M) plan {
	var p plan
	var walk func(v any, inPlan bool)
	walk = func(v any, inPlan bool) {
		switch v := v.(type) {
		case bson.M:
			for k, x := range v {
				switch {
				case k == "winningPlan":
					walk(x, true)
				case k == "rejectedPlans":
				case inPlan && k == "stage":
					if st, ok := x.(string); ok {
						p.stages = append(p.stages, st)
					}
				case inPlan && k == "indexName":
					if n, ok := x.(string); ok {
						p.indexes = append(p.indexes, n)
					}
				default:
					walk(x, inPlan)
				}
			}
		case bson.D:
			m := bson.M{}
			for _, e := range v {
				m[e.Key] = e.Value
			}
			walk(m, inPlan)
		case bson.A:
			for _, x := range v {
				walk(x, inPlan)
			}
		}
	}
	walk(out, false)
	return p
}

// TestPlanOf reads explain answers of the shapes MongoDB gives: a classic
// find plan, a slot-based one, an aggregation's and a sharded one.
func TestPlanOf(t *testing.T) {
	ixscan := func(name string) bson.M {
		return bson.M{"stage": "IXSCAN", "indexName": name, "keyPattern": bson.M{"stage": 1}}
	}
	tests := []struct {
		name    string
		explain bson.M
		want    plan
	}{
		{"classic", bson.M{"queryPlanner": bson.M{
			"winningPlan":   bson.M{"stage": "LIMIT", "inputStage": bson.M{"stage": "FETCH", "filter": bson.M{"hidden": bson.M{"$ne": true}}, "inputStage": ixscan("a")}},
			"rejectedPlans": bson.A{bson.M{"stage": "COLLSCAN"}},
		}}, plan{stages: []string{"LIMIT", "FETCH", "IXSCAN"}, indexes: []string{"a"}}},
		{"slot-based", bson.M{"queryPlanner": bson.M{
			"winningPlan": bson.M{"queryPlan": bson.M{"stage": "SORT", "inputStage": ixscan("b")}, "slotBasedPlan": bson.M{"stages": "[1] ixseek"}},
		}}, plan{stages: []string{"SORT", "IXSCAN"}, indexes: []string{"b"}}},
		{"aggregation", bson.M{"stages": bson.A{
			bson.M{"$cursor": bson.M{"queryPlanner": bson.M{"winningPlan": bson.M{"stage": "OR", "inputStages": bson.A{ixscan("c"), ixscan("d")}}}}},
			bson.M{"$group": bson.M{"_id": "$kind"}},
		}}, plan{stages: []string{"OR", "IXSCAN", "IXSCAN"}, indexes: []string{"c", "d"}}},
		{"sharded", bson.M{"queryPlanner": bson.M{"winningPlan": bson.M{"stage": "SINGLE_SHARD", "shards": bson.A{
			bson.M{"shardName": "s0", "winningPlan": bson.M{"stage": "COLLSCAN"}},
		}}}}, plan{stages: []string{"SINGLE_SHARD", "COLLSCAN"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := planOf(tc.explain)
			slices.Sort(got.stages)
			slices.Sort(got.indexes)
			slices.Sort(tc.want.stages)
			if !slices.Equal(got.stages, tc.want.stages) || !slices.Equal(got.indexes, tc.want.indexes) {
				t.Errorf("planOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestListingsBeforeIndexes: before EnsureIndexes has built an index
// (a new database, or a new index after an upgrade) the listings that hint
// it still answer, without the hint. MongoDB only: FerretDB ignores hints.
func TestListingsBeforeIndexes(t *testing.T) {
	uri := os.Getenv("WHOSAID_TEST_MONGO_URI")
	if uri == "" {
		t.Skip("WHOSAID_TEST_MONGO_URI is not set: the embedded FerretDB ignores hints")
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	s, err := Open(Options{URI: uri, Database: "test_noindex_" + hex.EncodeToString(suffix)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = s.Drop(cctx)
		_ = s.Close(cctx)
	})
	c := newBenchCorpus()
	a, res := c.article(1)
	stored, err := s.IngestArticle(ctx, &a, res)
	if err != nil {
		t.Fatal(err)
	}
	sp := stored.Quotes[0].SpeakerID
	if page, err := s.FindQuotes(ctx, attribution.QuoteQuery{SpeakerID: sp, PageSize: 5}); err != nil || len(page.Quotes) == 0 {
		t.Errorf("FindQuotes = %d quotes, %v", len(page.Quotes), err)
	}
	if qs, err := s.ArticleQuotes(ctx, stored.Article.ID); err != nil || len(qs) != len(stored.Quotes) {
		t.Errorf("ArticleQuotes = %d quotes, %v; want %d", len(qs), err, len(stored.Quotes))
	}
	if p, err := s.GetSpeaker(ctx, sp); err != nil || p.QuoteCount == 0 {
		t.Errorf("GetSpeaker = %+v, %v", p, err)
	}
	if list, _, err := s.SearchSpeakers(ctx, "", 5, ""); err != nil || len(list) == 0 {
		t.Errorf("SearchSpeakers = %d, %v", len(list), err)
	}
	if _, err := s.ListKeys(ctx); err != nil {
		t.Errorf("ListKeys: %v", err)
	}
}

func TestIsBadHint(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{mongo.CommandError{Code: 2, Name: "BadValue", Message: "error processing query: ns=x.quotes ... planner returned error :: caused by :: hint provided does not correspond to an existing index"}, true},
		{fmt.Errorf("find quotes: %w", mongo.CommandError{Code: 2, Message: "hint provided does not correspond to an existing index"}), true},
		{mongo.CommandError{Code: 2, Name: "BadValue", Message: "unknown operator: $foo"}, false},
		{mongo.CommandError{Code: 11000, Message: "E11000 duplicate key error"}, false},
		{context.DeadlineExceeded, false},
	}
	for _, tc := range tests {
		if got := isBadHint(tc.err); got != tc.want {
			t.Errorf("isBadHint(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
