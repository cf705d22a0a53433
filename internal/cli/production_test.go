package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/embedded"
)

// do sends one request with an optional JSON body and bearer key.
func do(t *testing.T, method, url, body, key string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitStatus polls GET url until it answers want, for up to timeout.
func waitStatus(t *testing.T, url string, want int, timeout time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		code, body := get(t, url)
		if code == want {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			t.Fatalf("GET %s = %d %s, still not %d after %v", url, code, body, want, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestServeKeysAndAuth makes keys with the CLI on the embedded store, then
// serves that store with --auth on.
func TestServeKeysAndAuth(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	code, out, stderr := runCLI(t, nil, "keys", "create", "--data-dir", dataDir, "--name", "desk", "--scope", "read", "--json")
	if code != 0 {
		t.Fatalf("keys create = %d; stderr %s", code, stderr)
	}
	var made struct{ ID, Secret, Scope string }
	if err := json.Unmarshal([]byte(out), &made); err != nil || made.Scope != "read" || !strings.HasPrefix(made.Secret, "wsk_") {
		t.Fatalf("keys create printed %q (%v)", out, err)
	}
	code, out, _ = runCLI(t, nil, "keys", "list", "--data-dir", dataDir)
	if code != 0 || !strings.Contains(out, made.ID) || strings.Contains(out, made.Secret) {
		t.Errorf("keys list = %d %q; want the id and never the secret", code, out)
	}
	if code, _, stderr := runCLI(t, nil, "keys", "create", "--data-dir", dataDir, "--name", "x", "--scope", "owner"); code != 2 || !strings.Contains(stderr, "scope") {
		t.Errorf("keys create --scope owner = %d %q, want 2 and a word on the scope", code, stderr)
	}
	if code, _, stderr := runCLI(t, nil, "keys", "revoke", "--data-dir", dataDir, "key_0000000000000000"); code != 1 || !strings.Contains(stderr, "no key") {
		t.Errorf("keys revoke (unknown) = %d %q", code, stderr)
	}

	s := startServe(t, "--data-dir", dataDir, "--auth", "on")
	s.waitLog(t, "auth on", 5*time.Second)
	waitStatus(t, s.base+"/readyz", http.StatusOK, 20*time.Second)
	if code, body := do(t, "GET", s.base+"/v1/quotes", "", ""); code != http.StatusUnauthorized {
		t.Errorf("GET /v1/quotes without a key = %d %s, want 401", code, body)
	}
	if code, body := do(t, "GET", s.base+"/v1/quotes", "", made.Secret); code != http.StatusOK {
		t.Errorf("GET /v1/quotes with the read key = %d %s, want 200", code, body)
	}
	if code, _ := do(t, "POST", s.base+"/v1/extract", `{"text":"\"Yes,\" she said."}`, made.Secret); code != http.StatusForbidden {
		t.Errorf("POST /v1/extract with a read key = %d, want 403", code)
	}
	if strings.Contains(s.logs.String(), made.Secret) {
		t.Error("the server logged a key")
	}
	// /metrics is labelled with the store.
	code, body := get(t, s.base+"/metrics")
	for _, want := range []string{`whosaid_store_info{store="embedded"} 1`,
		`whosaid_http_auth_refused_total{reason="missing"} 1`, `whosaid_http_auth_refused_total{reason="scope"} 1`} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET /metrics = %d, lacks %s", code, want)
		}
	}
}

// TestServeOpenLogsAuthOff checks that serve says when /v1 is open.
func TestServeOpenLogsAuthOff(t *testing.T) {
	t.Parallel()
	s := startServe(t, "--data-dir", filepath.Join(t.TempDir(), "data"))
	s.waitLog(t, "auth off: /v1 is open to anyone who can reach 127.0.0.1:0 (loopback only)", 5*time.Second)
}

// TestServeDatabaseOutage stops the database under a running service and
// starts it again: requests fail fast with 503 meanwhile, the process
// stays up, and it recovers by itself.
func TestServeDatabaseOutage(t *testing.T) {
	t.Parallel()
	dbDir := t.TempDir()
	db, err := embedded.Start(embedded.Options{Dir: dbDir})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(db.URI())
	if err != nil {
		t.Fatal(err)
	}
	port := u.Port()
	stopDB := func(db *embedded.Server) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := db.Stop(ctx); err != nil {
			t.Errorf("stop database: %v", err)
		}
	}
	current := db
	t.Cleanup(func() { stopDB(current) })

	s := startServe(t, "--mongo-uri", "mongodb://127.0.0.1:"+port+"/", "--rate-limit", "0")
	waitStatus(t, s.base+"/readyz", http.StatusOK, 20*time.Second)
	code, body := do(t, "POST", s.base+"/v1/articles", `{"text":"\"We stay,\" said Ana Ruiz.","url":"https://example.org/outage/1"}`, "")
	if code != http.StatusCreated {
		t.Fatalf("POST /v1/articles = %d %s", code, body)
	}
	var created struct{ Article struct{ ID string } }
	if err := json.Unmarshal([]byte(body), &created); err != nil || created.Article.ID == "" {
		t.Fatalf("POST /v1/articles answered %s", body)
	}
	art := created.Article

	stopDB(db)
	down := waitStatus(t, s.base+"/readyz", http.StatusServiceUnavailable, 20*time.Second)
	t.Logf("readyz said 503 %v after the database stopped", down)

	// A request that comes before the driver's heartbeat has seen the
	// outage waits for server selection (5 s) and gets a 503; once the
	// heartbeat has seen it (within about 2 s), requests are refused at
	// once, before the handler runs.
	start := time.Now()
	for {
		code, body := do(t, "GET", s.base+"/v1/quotes", "", "")
		if code == http.StatusServiceUnavailable && strings.Contains(body, "unreachable") {
			break
		}
		if code != http.StatusServiceUnavailable {
			t.Fatalf("GET /v1/quotes while down = %d %s", code, body)
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("the outage was not noticed within 20 s: %s", body)
		}
	}
	t.Logf("requests refused at once %v after the database stopped", down+time.Since(start))

	// While it is down every store route answers 503 with Retry-After at
	// once; the figure is logged, not asserted (shared machines).
	for _, tc := range []struct{ method, path, body string }{
		{"GET", "/v1/articles/" + art.ID, ""},
		{"GET", "/v1/quotes?speaker=Ana+Ruiz", ""},
		{"POST", "/v1/articles", `{"text":"\"Lost?\" asked Ana Ruiz.","url":"https://example.org/outage/2"}`},
	} {
		start := time.Now()
		code, body := do(t, tc.method, s.base+tc.path, tc.body, "")
		t.Logf("%s %s while down: %d in %v", tc.method, tc.path, code, time.Since(start))
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "unreachable") {
			t.Errorf("%s %s while down = %d %s, want a 503 problem", tc.method, tc.path, code, body)
		}
	}
	if code, _ := get(t, s.base+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz while down = %d, want 200 (the process stays up)", code)
	}
	// Extraction needs no database.
	if code, _ := do(t, "POST", s.base+"/v1/extract", `{"text":"\"Yes,\" she said."}`, ""); code != http.StatusOK {
		t.Errorf("POST /v1/extract while down = %d, want 200", code)
	}

	// The database comes back on the same port and files.
	db2, err := embedded.Start(embedded.Options{Dir: dbDir, Addr: "127.0.0.1:" + port})
	if err != nil {
		t.Fatalf("restart database: %v", err)
	}
	current = db2
	up := waitStatus(t, s.base+"/readyz", http.StatusOK, 30*time.Second)
	t.Logf("readyz said 200 %v after the database restarted", up)
	if code, body := do(t, "GET", s.base+"/v1/articles/"+art.ID, "", ""); code != http.StatusOK {
		t.Errorf("GET the article stored before the outage = %d %s", code, body)
	}
	if code, body := do(t, "POST", s.base+"/v1/articles", `{"text":"\"Back,\" said Ana Ruiz.","url":"https://example.org/outage/3"}`, ""); code != http.StatusCreated {
		t.Errorf("POST /v1/articles after recovery = %d %s", code, body)
	}
	if !strings.Contains(s.logs.String(), `"msg":"store not ready"`) || !strings.Contains(s.logs.String(), `"msg":"store ready"`) {
		t.Errorf("logs do not record the outage and the recovery:\n%s", s.logs)
	}
}

// TestServeShutdownLosesNoAcknowledgedWrite stops the service while
// clients are storing articles: every article answered 201 is there after
// a restart on the same data.
func TestServeShutdownLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	dataDir := filepath.Join(t.TempDir(), "data")
	s := startServe(t, "--data-dir", dataDir, "--rate-limit", "0")
	waitStatus(t, s.base+"/readyz", http.StatusOK, 20*time.Second)

	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				body := fmt.Sprintf(`{"text":"\"Point %d of %d,\" said Ana Ruiz. \"We go on.\"","url":"https://example.org/shutdown/%d/%d"}`, i, w, w, i)
				req, _ := http.NewRequest("POST", s.base+"/v1/articles", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone: not acknowledged
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == http.StatusCreated {
					var a struct{ Article struct{ ID string } }
					if json.Unmarshal(b, &a) == nil && a.Article.ID != "" {
						mu.Lock()
						acked = append(acked, a.Article.ID)
						mu.Unlock()
					} else {
						t.Errorf("201 with body %s", b)
					}
				}
			}
		}()
	}
	time.Sleep(700 * time.Millisecond)
	code, took := s.stop(t)
	close(stop)
	wg.Wait()
	t.Logf("shutdown under load took %v; %d articles acknowledged", took, len(acked))
	if code != 0 {
		t.Errorf("serve exited with %d; logs:\n%s", code, s.logs)
	}
	if len(acked) == 0 {
		t.Fatal("no article was acknowledged before the shutdown")
	}

	s2 := startServe(t, "--data-dir", dataDir, "--rate-limit", "0")
	waitStatus(t, s2.base+"/readyz", http.StatusOK, 20*time.Second)
	for _, id := range acked {
		if code, body := do(t, "GET", s2.base+"/v1/articles/"+id, "", ""); code != http.StatusOK {
			t.Errorf("acknowledged article %s after restart: %d %s", id, code, body)
		}
	}
}
