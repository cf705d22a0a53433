package mongostore_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/embedded"
	"github.com/whosaid/whosaid/internal/mongostore"
)

func sampleArticle() attribution.Article {
	return attribution.Article{
		URL:         "https://example.com/news/1",
		Title:       "Minister speaks",
		Text:        "“We will not back down,” the minister said. Café owners disagreed 👍.",
		PublishedAt: time.Date(2025, 3, 1, 12, 30, 0, 0, time.FixedZone("CET", 3600)),
		Outlet:      "Example News",
		Language:    "en",
	}
}

func TestCreateGetArticle(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)

	a := sampleArticle()
	if err := s.CreateArticle(ctx, &a); err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}
	if a.ID == "" || a.CreatedAt.IsZero() {
		t.Fatalf("CreateArticle left ID %q, CreatedAt %v unset", a.ID, a.CreatedAt)
	}
	got, err := s.GetArticle(ctx, a.ID)
	if err != nil {
		t.Fatalf("GetArticle(%q): %v", a.ID, err)
	}
	want := a
	want.PublishedAt = a.PublishedAt.UTC()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("GetArticle(%q) mismatch (-want +got):\n%s", a.ID, diff)
	}
}

func TestGetArticleNotFound(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	for _, tc := range []struct{ name, id string }{
		{"missing", bson.NewObjectID().Hex()},
		{"malformed", "not-an-id"},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.GetArticle(ctx, tc.id)
			if !errors.Is(err, attribution.ErrNotFound) {
				t.Errorf("GetArticle(%q) = %v, want ErrNotFound", tc.id, err)
			}
		})
	}
}

func TestCreateArticleInvalid(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	for _, tc := range []struct {
		name      string
		edit      func(*attribution.Article)
		wantField string
	}{
		{"empty text", func(a *attribution.Article) { a.Text = "" }, "text"},
		{"blank text", func(a *attribution.Article) { a.Text = " \n\t " }, "text"},
		{"relative url", func(a *attribution.Article) { a.URL = "/news/1" }, "url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := sampleArticle()
			tc.edit(&a)
			err := s.CreateArticle(ctx, &a)
			if !errors.Is(err, attribution.ErrInvalid) {
				t.Fatalf("CreateArticle = %v, want ErrInvalid", err)
			}
			var fe *attribution.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.wantField {
				t.Errorf("CreateArticle = %v, want a FieldError for %q", err, tc.wantField)
			}
		})
	}
}

func TestEnsureIndexesIdempotent(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	for i := range 2 {
		if err := s.EnsureIndexes(ctx); err != nil {
			t.Fatalf("EnsureIndexes call %d: %v", i+1, err)
		}
	}
	// The indexes exist with their names: look with the plain driver.
	c, err := mongo.Connect(options.Client().ApplyURI(testURI))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(context.Background())
	db := c.Database(s.Name())
	for coll, want := range map[string][]string{
		"articles":      {"_id_", "published_at", "text_hash_created_at", "text_key_unique", "url_unique"},
		"quotes":        {"_id_", "article_id_n", "kind_published_at_id", "outlet_key_published_at_id", "published_at_id", "speaker_id_published_at_id", "words_published_at_id"},
		"speakers":      {"_id_", "alias_keys", "keys_unique", "normalized_name_id", "normalized_name_unique", "search_keys"},
		"api_keys":      {"_id_", "created_at_key_id", "key_id_unique"},
		"subscriptions": {"_id_", "created_at_id"},
		"deliveries":    {"_id_", "status_next_attempt_at_id", "subscription_id_created_at_id"},
		"statements":    {"_id_", "shingles"},
	} {
		specs, err := db.Collection(coll).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatalf("list indexes of %s: %v", coll, err)
		}
		var got []string
		for _, sp := range specs {
			got = append(got, sp.Name)
		}
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("indexes of %s (-want +got):\n%s", coll, diff)
		}
	}
}

func TestCreateArticleConflict(t *testing.T) {
	s := newTestStore(t)
	ctx := testContext(t)
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatalf("EnsureIndexes: %v", err)
	}
	first := sampleArticle()
	if err := s.CreateArticle(ctx, &first); err != nil {
		t.Fatalf("CreateArticle(first): %v", err)
	}
	for _, tc := range []struct {
		name    string
		edit    func(*attribution.Article)
		wantErr error
	}{
		{"same url", func(a *attribution.Article) { a.Text = "Other text." }, attribution.ErrConflict},
		{"same text", func(a *attribution.Article) { a.URL = "https://example.com/news/2" }, attribution.ErrConflict},
		{"no url, new text", func(a *attribution.Article) { a.URL = ""; a.Text = "Text one." }, nil},
		{"no url again, new text", func(a *attribution.Article) { a.URL = ""; a.Text = "Text two." }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := sampleArticle()
			tc.edit(&a)
			err := s.CreateArticle(ctx, &a)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("CreateArticle = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestPingUnreachable(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1: Ping must fail within its deadline and
	// not wait for the driver's server selection.
	s, err := mongostore.Open(mongostore.Options{URI: "mongodb://127.0.0.1:1", Database: "whosaid"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	err = s.Ping(ctx)
	if err == nil {
		t.Fatal("Ping(mongodb://127.0.0.1:1) = nil, want an error")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Ping took %v, want about 2s at most", d)
	}
}

// TestEmbeddedRestart writes through one embedded FerretDB, stops it, starts
// a new one on the same directory and reads the data back.
func TestEmbeddedRestart(t *testing.T) {
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx := testContext(t)

	start := func() *embedded.Server {
		t.Helper()
		srv, err := embedded.Start(embedded.Options{Dir: dir, Logger: logger})
		if err != nil {
			t.Fatalf("embedded.Start: %v", err)
		}
		return srv
	}
	stop := func(srv *embedded.Server, s *mongostore.Store) {
		t.Helper()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := srv.Stop(ctx); err != nil {
			t.Fatalf("Stop: %v", err)
		}
	}

	srv := start()
	s, err := mongostore.Open(mongostore.Options{URI: srv.URI(), Database: "restart"})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.EnsureIndexes(ctx); err != nil {
		t.Fatalf("EnsureIndexes: %v", err)
	}
	a := sampleArticle()
	if err := s.CreateArticle(ctx, &a); err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}
	firstURI := srv.URI()
	stop(srv, s)

	srv = start()
	t.Logf("first server at %s, second at %s", firstURI, srv.URI())
	s, err = mongostore.Open(mongostore.Options{URI: srv.URI(), Database: "restart"})
	if err != nil {
		t.Fatalf("Open after restart: %v", err)
	}
	defer stop(srv, s)
	got, err := s.GetArticle(ctx, a.ID)
	if err != nil {
		t.Fatalf("GetArticle after restart: %v", err)
	}
	if got.Text != a.Text || got.URL != a.URL {
		t.Errorf("GetArticle after restart = %+v, want %+v", got, a)
	}
	// The unique indexes survived too.
	dup := sampleArticle()
	if err := s.CreateArticle(ctx, &dup); !errors.Is(err, attribution.ErrConflict) {
		t.Errorf("CreateArticle(duplicate) after restart = %v, want ErrConflict", err)
	}
}
