package embedded_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/whosaid/whosaid/internal/embedded"
)

func TestStartStop(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	srv, err := embedded.Start(embedded.Options{Dir: dir})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Errorf("Start did not create %s: %v", dir, err)
	}
	if !strings.HasPrefix(srv.URI(), "mongodb://127.0.0.1:") {
		t.Errorf("URI() = %q, want mongodb://127.0.0.1:<port>", srv.URI())
	}
	if srv.Dir() != dir {
		t.Errorf("Dir() = %q, want %q", srv.Dir(), dir)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(srv.URI()))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(ctx, nil); err != nil {
		t.Fatalf("Ping(%s): %v", srv.URI(), err)
	}
	if err := c.Disconnect(ctx); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	if err := srv.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stop took %v with no clients connected, want well under 2s", d)
	}
	if err := srv.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestStartEmptyDir(t *testing.T) {
	if _, err := embedded.Start(embedded.Options{}); err == nil {
		t.Error("Start(empty Dir) = nil error, want an error")
	}
}

// TestStartConcurrently starts stores at once, as parallel tests do; with
// -race it fails if Start is not safe for concurrent use.
func TestStartConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv, err := embedded.Start(embedded.Options{Dir: t.TempDir()})
			if err != nil {
				errs <- err
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			errs <- srv.Stop(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
