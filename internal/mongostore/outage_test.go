package mongostore_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/attribution"
	"github.com/whosaid/whosaid/internal/embedded"
	"github.com/whosaid/whosaid/internal/mongostore"
)

// TestOutageAndRecovery stops the server under a store and starts it
// again: Reachable turns to ErrUnavailable within a few heartbeats, store
// calls fail with ErrUnavailable long before their deadline instead of
// waiting for it, and once the server is back the same Store (not
// reopened) finds it on its own and reads what was written before.
func TestOutageAndRecovery(t *testing.T) {
	t.Parallel()
	const heartbeat = 2 * time.Second // the default, set to make the bounds below explicit
	dir := t.TempDir()
	addr := freeLoopbackAddr(t)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	start := func() *embedded.Server {
		t.Helper()
		srv, err := embedded.Start(embedded.Options{Dir: dir, Addr: addr, Logger: logger})
		if err != nil {
			t.Fatalf("embedded.Start(%s): %v", addr, err)
		}
		return srv
	}
	srv := start()

	var (
		mu       sync.Mutex
		observed = map[string]int{}
	)
	s, err := mongostore.Open(mongostore.Options{
		URI:                    "mongodb://" + addr + "/",
		Database:               "outage",
		Logger:                 logger,
		ServerSelectionTimeout: time.Second,
		HeartbeatInterval:      heartbeat,
		Observe: func(command string, d time.Duration, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				observed[command]++
			} else {
				observed[command+" failed"]++
			}
		},
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := srv.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	a := attribution.Article{URL: "https://example.com/outage", Outlet: "Gazette",
		Text: `"We will rebuild," said Mayor Ana Ruiz.`}
	res, err := s.IngestArticle(ctx, &a, mustExtract(t, a.Text))
	if err != nil {
		t.Fatalf("IngestArticle: %v", err)
	}
	if err := s.Reachable(); err != nil {
		t.Fatalf("Reachable with the server up = %v, want nil", err)
	}
	mu.Lock()
	if observed["insert"] == 0 || observed["update"] == 0 {
		t.Errorf("Observe saw %v, want insert and update commands", observed)
	}
	mu.Unlock()

	// The outage. FerretDB closes its listener at once but serves the
	// connections it has (the store's) for up to 3s more.
	stopped := time.Now()
	stopCtx, stopCancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer stopCancel()
	if err := srv.Stop(stopCtx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	t.Logf("server stopped in %v", time.Since(stopped).Round(time.Millisecond))
	stopped = time.Now()
	var unreachable error
	waitFor(t, 5*heartbeat, func() bool { unreachable = s.Reachable(); return unreachable != nil })
	t.Logf("Reachable = %v after %v", unreachable, time.Since(stopped).Round(time.Millisecond))
	if !errors.Is(unreachable, attribution.ErrUnavailable) {
		t.Errorf("Reachable during the outage = %v, want ErrUnavailable", unreachable)
	}

	// A store call with a generous deadline fails with ErrUnavailable
	// after the ServerSelectionTimeout, not at its deadline.
	callCtx, callCancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer callCancel()
	called := time.Now()
	_, err = s.GetArticle(callCtx, res.Article.ID)
	t.Logf("GetArticle during the outage took %v: %v", time.Since(called).Round(time.Millisecond), err)
	if !errors.Is(err, attribution.ErrUnavailable) {
		t.Errorf("GetArticle during the outage = %v, want ErrUnavailable", err)
	}
	if callCtx.Err() != nil {
		t.Errorf("GetArticle during the outage returned only at its deadline")
	}

	// The recovery: the same server, port and files again.
	srv = start()
	restarted := time.Now()
	var got attribution.Article
	waitFor(t, 5*heartbeat, func() bool {
		if s.Reachable() != nil {
			return false
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		got, err = s.GetArticle(ctx, res.Article.ID)
		return err == nil
	})
	t.Logf("recovered after %v", time.Since(restarted).Round(time.Millisecond))
	if got.Text != a.Text || got.URL != a.URL {
		t.Errorf("GetArticle after the recovery = %+v, want %+v", got, res.Article)
	}
	qs, err := s.ArticleQuotes(ctx, res.Article.ID)
	if err != nil || len(qs) != len(res.Quotes) {
		t.Errorf("ArticleQuotes after the recovery = %d quotes, %v; want %d", len(qs), err, len(res.Quotes))
	}
}

// TestReachableDeadServer: a store whose server never answers reports it
// after the first heartbeats, without being asked to run anything.
func TestReachableDeadServer(t *testing.T) {
	t.Parallel()
	s, err := mongostore.Open(mongostore.Options{URI: "mongodb://" + freeLoopbackAddr(t) + "/", Database: "x"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	var got error
	waitFor(t, 10*time.Second, func() bool { got = s.Reachable(); return got != nil })
	if !errors.Is(got, attribution.ErrUnavailable) {
		t.Errorf("Reachable = %v, want ErrUnavailable", got)
	}
}

// freeLoopbackAddr returns 127.0.0.1:port of a port that was free a moment
// ago.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprintf("127.0.0.1:%d", l.Addr().(*net.TCPAddr).Port)
}

// waitFor polls cond every 50ms until it holds, and fails the test when it
// still does not after d.
func waitFor(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition still false after %v", d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
