package cli

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// served is a `whosaid serve` running in-process.
type served struct {
	base   string // http://127.0.0.1:port
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// startServe runs `whosaid serve --addr 127.0.0.1:0 args...` with an empty
// environment and JSON logs at debug level, and returns once it listens.
func startServe(t *testing.T, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	addrc := make(chan string, 1)
	env := &Env{
		Stdin:     strings.NewReader(""),
		Stdout:    io.Discard,
		Stderr:    logs,
		LookupEnv: envFrom(nil),
		Logger:    slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Listen: func(network, address string) (net.Listener, error) {
			ln, err := net.Listen(network, address)
			if err == nil {
				addrc <- ln.Addr().String()
			}
			return ln, err
		},
	}
	s := &served{logs: logs, cancel: cancel, done: make(chan int, 1)}
	go func() { s.done <- run(ctx, env, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not return 30s after cancel")
		}
	})
	select {
	case addr := <-addrc:
		s.base = "http://" + addr
	case code := <-s.done:
		t.Fatalf("serve exited with %d before listening; logs:\n%s", code, logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not listen within 30s; logs:\n%s", logs)
	}
	return s
}

// stop cancels serve's context and returns its exit status and how long it
// took to return.
func (s *served) stop(t *testing.T) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	s.cancel()
	select {
	case code := <-s.done:
		s.done <- code // for the cleanup
		return code, time.Since(start)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not return 30s after cancel; logs:\n%s", s.logs)
		return 0, 0
	}
}

// waitLog waits until the logs contain want.
func (s *served) waitLog(t *testing.T, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(s.logs.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("logs lack %q after %v:\n%s", want, timeout, s.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var client = &http.Client{Timeout: 10 * time.Second}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return resp.StatusCode, string(b)
}

func TestServeEmbedded(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "data")
	s := startServe(t, "--data-dir", dataDir)

	// Ready within a few seconds, naming the embedded store.
	deadline := time.Now().Add(20 * time.Second)
	var code int
	var body string
	for {
		code, body = get(t, s.base+"/readyz")
		if code == http.StatusOK || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code != http.StatusOK {
		t.Fatalf("GET /readyz = %d, want 200; body %s; logs:\n%s", code, body, s.logs)
	}
	var ready struct{ Status, Store string }
	if err := json.Unmarshal([]byte(body), &ready); err != nil || ready.Store != "embedded" {
		t.Errorf("GET /readyz body = %s, want store embedded", body)
	}

	if code, body := get(t, s.base+"/openapi.json"); code != http.StatusOK || !strings.Contains(body, `"openapi": "3.1.0"`) {
		t.Errorf("GET /openapi.json = %d %.100s, want 200 and an OpenAPI 3.1 document", code, body)
	}
	resp, err := client.Post(s.base+"/v1/extract", "application/json",
		strings.NewReader(`{"text":"“We will not back down,” the minister said."}`))
	if err != nil {
		t.Fatalf("POST /v1/extract: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("POST /v1/extract = %d, want 200", resp.StatusCode)
	}

	s.waitLog(t, `"msg":"indexes ensured"`, 20*time.Second)
	if !strings.Contains(s.logs.String(), `"msg":"store: embedded SQLite"`) ||
		!strings.Contains(s.logs.String(), `"path":"`+filepath.Join(dataDir, "whosaid.db")+`"`) {
		t.Errorf("logs do not name the embedded store at %s:\n%s", dataDir, s.logs)
	}
	if entries, err := os.ReadDir(dataDir); err != nil || len(entries) == 0 {
		t.Errorf("data dir %s is empty or missing (%v)", dataDir, err)
	}

	code, took := s.stop(t)
	if code != 0 {
		t.Errorf("serve exited with %d, want 0; logs:\n%s", code, s.logs)
	}
	t.Logf("shutdown took %v", took)
	// A bound against a hang (the drain would wait 30 s for a stuck
	// request), loose enough for a loaded machine: not a speed target.
	if took > 15*time.Second {
		t.Errorf("shutdown took %v, want under 15s", took)
	}
	for _, want := range []string{`"msg":"shutting down"`, `"msg":"HTTP drained"`, `"msg":"store closed"`} {
		if !strings.Contains(s.logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, s.logs)
		}
	}
}

func TestServeUnreachableMongo(t *testing.T) {
	t.Parallel()
	start := time.Now()
	s := startServe(t, "--mongo-uri", "mongodb://127.0.0.1:1")

	// The first readyz answers 503 within a few seconds: one 2s ping.
	code, body := get(t, s.base+"/readyz")
	took := time.Since(start)
	t.Logf("first GET /readyz after %v: %d %s", took, code, body)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("GET /readyz = %d, want 503; body %s", code, body)
	}
	// The ping has a 2 s deadline; without one the driver would wait 30 s
	// for a server. 15 s tells the two apart on a loaded machine.
	if took > 15*time.Second {
		t.Errorf("GET /readyz answered after %v, want within 15s", took)
	}
	var p struct{ Detail string }
	if err := json.Unmarshal([]byte(body), &p); err != nil ||
		!strings.Contains(p.Detail, "mongodb store does not answer") || strings.Contains(p.Detail, "127.0.0.1:1") {
		t.Errorf("readyz detail = %q, want the store named and the driver's error left to the log", p.Detail)
	}
	// The process stays responsive.
	if code, _ := get(t, s.base+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", code)
	}
	s.waitLog(t, `"msg":"store does not answer; serving anyway`, 5*time.Second)
	if !strings.Contains(s.logs.String(), "connection refused") {
		t.Errorf("logs do not say why the store does not answer:\n%s", s.logs)
	}

	code, took = s.stop(t)
	if code != 0 {
		t.Errorf("serve exited with %d, want 0; logs:\n%s", code, s.logs)
	}
	t.Logf("shutdown took %v", took)
	// A bound against a hang (the drain would wait 30 s for a stuck
	// request), loose enough for a loaded machine: not a speed target.
	if took > 15*time.Second {
		t.Errorf("shutdown took %v, want under 15s", took)
	}
}

func TestServeBusyPort(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, stderr := runCLI(t, nil, "serve", "--addr", ln.Addr().String(), "--data-dir", t.TempDir())
	if code != 1 || !strings.Contains(stderr, "listen") {
		t.Errorf("serve on a busy port = %d, stderr %q; want 1 and a listen error", code, stderr)
	}
}
