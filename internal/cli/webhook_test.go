package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// hookReceiver counts the POSTs it gets by webhook-id and answers 503
// while down.
type hookReceiver struct {
	mu       sync.Mutex
	down     bool
	posts    map[string]int
	accepted map[string]int
	okAt     time.Time
}

func (r *hookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	_, _ = io.Copy(io.Discard, req.Body)
	id := req.Header.Get("webhook-id")
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts[id]++
	if r.down {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	r.accepted[id]++
	r.okAt = time.Now()
	w.WriteHeader(http.StatusNoContent)
}

func (r *hookReceiver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.posts {
		n += c
	}
	return n
}

// TestWebhookSurvivesRestart: a subscription is made through serve;
// serve stops; `whosaid ingest` stores a matching article into the
// embedded store (enqueueing its delivery); serve starts and tries it at
// once while the receiver answers 503, and stops; the receiver comes
// back; serve starts again and delivers the message once, on the retry
// schedule the stopped serve left (5 s after the failed attempt).
func TestWebhookSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for a 5 s retry")
	}
	rcv := &hookReceiver{down: true, posts: map[string]int{}, accepted: map[string]int{}}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	dataDir := filepath.Join(t.TempDir(), "data")
	args := []string{"--data-dir", dataDir, "--webhook-allow-private", "on"}

	s := startServe(t, args...)
	resp, err := client.Post(s.base+"/v1/subscriptions", "application/json", strings.NewReader(`{"url":"`+srv.URL+`/hook","q":"harbour"}`))
	if err != nil {
		t.Fatal(err)
	}
	var sub struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&sub); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST /v1/subscriptions = %d, %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	s.stop(t)

	// Stored while no serve runs.
	if code, stdout, stderr := runCLI(t, nil, "ingest", "--data-dir", dataDir, writeJSONL(t, ingestArticles[0], ingestArticles[1])); code != 0 {
		t.Fatalf("ingest: exit %d\n%s\n%s", code, stdout, stderr)
	}

	s = startServe(t, args...)
	deadline := time.Now().Add(20 * time.Second)
	for rcv.total() == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("serve made no attempt of the pending delivery in 20 s; logs:\n%s", s.logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	failedAt := time.Now()
	s.stop(t)
	rcv.mu.Lock()
	rcv.down = false
	rcv.mu.Unlock()

	restarted := time.Now()
	s = startServe(t, args...)
	type log struct {
		Deliveries []struct {
			ID       string
			Status   string
			Attempts []struct {
				StatusCode int `json:"status_code"`
			}
		}
	}
	var l log
	deadline = time.Now().Add(30 * time.Second)
	for {
		_, body := get(t, s.base+"/v1/subscriptions/"+sub.ID+"/deliveries")
		l = log{}
		if err := json.Unmarshal([]byte(body), &l); err != nil {
			t.Fatalf("deliveries: %v: %s", err, body)
		}
		if len(l.Deliveries) == 1 && l.Deliveries[0].Status != "pending" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not delivered 30 s after the restart: %s; logs:\n%s", body, s.logs)
		}
		time.Sleep(100 * time.Millisecond) // under the rate limit
	}
	time.Sleep(1500 * time.Millisecond) // a poll more: nothing is sent again
	s.stop(t)
	d := l.Deliveries[0]
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if d.Status != "delivered" || len(rcv.accepted) != 1 || rcv.accepted[d.ID] != 1 {
		t.Fatalf("delivery %+v, receipts %v; want %s delivered and accepted once", d, rcv.accepted, d.ID)
	}
	if len(d.Attempts) != 2 || d.Attempts[0].StatusCode != 503 || d.Attempts[1].StatusCode != 204 || rcv.posts[d.ID] != 2 {
		t.Errorf("attempts %+v, POSTs %d; want a 503 before the restart and a 204 after", d.Attempts, rcv.posts[d.ID])
	}
	if wait := rcv.okAt.Sub(failedAt); wait < 4*time.Second {
		t.Errorf("retried %v after the failed attempt, before the 5 s backoff", wait)
	}
	t.Logf("delivered %v after serve restarted (%v after the failed attempt); %d POSTs, 1 accepted",
		rcv.okAt.Sub(restarted).Round(time.Millisecond), rcv.okAt.Sub(failedAt).Round(time.Millisecond), rcv.posts[d.ID])
}
