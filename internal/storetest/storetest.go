// Package storetest is the conformance suite of whosaid's stores: every
// behaviour the HTTP API, the webhook dispatcher and the key commands rely
// on, written against the interfaces those consumers declare, so that the
// embedded SQLite store and the MongoDB store are held to one contract.
//
// A store's tests call Run with a Harness that makes a fresh, empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Harness{Name: "sqlite", New: newTestStore})
//	}
//
// Each case runs as a subtest of its own on a store of its own. The
// concurrency cases start many goroutines on a barrier and repeat several
// trials; they check the outcomes a client can see (who won, what is
// stored), never timings. The package is imported by tests only.
package storetest

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/extract"
	"github.com/whosaid/whosaid/internal/httpapi"
	"github.com/whosaid/whosaid/internal/webhook"
)

// Store is what the suite tests: the store of the HTTP API (with the API
// key store of auth) and of the webhook dispatcher.
type Store interface {
	httpapi.Store
	webhook.Store
	// SaveDelivery writes a delivery log entry as an import does.
	SaveDelivery(ctx context.Context, d webhook.Delivery) error
}

// Harness describes one store implementation to Run.
type Harness struct {
	// Name names the store in failure messages ("sqlite", "ferretdb").
	Name string
	// New returns a fresh, empty store, ready for use (indexes or schema
	// in place); it registers its own clean-up with t.Cleanup.
	New func(t *testing.T) Store
	// Skip maps a case name (as listed by Cases) to the reason it is
	// skipped on this store; the reason is printed by t.Skip.
	Skip map[string]string
	// Parallel runs the cases in parallel with each other.
	Parallel bool
	// Another, when set, opens a second handle on the data of s, as
	// another process or replica of the service would; the concurrency
	// cases then spread their writers over both, so that only the
	// database, not a lock in the process, can keep them apart. It
	// registers its own clean-up (closing, not dropping, the data).
	Another func(t *testing.T, s Store) Store
	// Goroutines and Trials size the concurrency cases: how many writers
	// are released at once, and how many times on fresh data; zero means
	// 8 and 5.
	Goroutines, Trials int
}

// testCase is one named behaviour of a store.
type testCase struct {
	name string
	run  func(t *testing.T, e *env)
}

// cases lists every case of the suite, in the order Run runs them.
func cases() []testCase {
	var all []testCase
	for _, group := range [][]testCase{
		articleCases(),
		quoteCases(),
		speakerCases(),
		correctionCases(),
		statementCases(),
		revisionCases(),
		webhookCases(),
		outboxCases(),
		keyCases(),
		concurrencyCases(),
		dumpCases(),
	} {
		all = append(all, group...)
	}
	return all
}

// Cases returns the names of the cases Run runs, for Harness.Skip.
func Cases() []string {
	var names []string
	for _, c := range cases() {
		names = append(names, c.name)
	}
	return names
}

// Run runs every case of the suite against the store h makes, each as a
// subtest on a fresh store.
func Run(t *testing.T, h Harness) {
	t.Helper()
	if h.New == nil {
		t.Fatal("storetest.Run: Harness.New is nil")
	}
	known := Cases()
	for name := range h.Skip {
		if !slices.Contains(known, name) {
			t.Errorf("storetest.Run(%s): Skip names %q, which is no case", h.Name, name)
		}
	}
	x, err := extract.New()
	if err != nil {
		t.Fatalf("extract.New: %v", err)
	}
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			if reason, ok := h.Skip[c.name]; ok {
				t.Skipf("skipped on %s: %s", h.Name, reason)
			}
			if h.Parallel {
				t.Parallel()
			}
			e := &env{name: h.Name, newStore: h.New, another: h.Another, x: x, goroutines: cmp.Or(h.Goroutines, defaultGoroutines), trialCount: cmp.Or(h.Trials, defaultTrials)}
			e.s = h.New(t)
			c.run(t, e)
		})
	}
}

// env is what a case works with: its store, a way to make another fresh
// one, and the extractor.
type env struct {
	name     string
	s        Store
	newStore func(t *testing.T) Store
	another  func(t *testing.T, s Store) Store
	// writers are the handles concurrent writers use, in turn: the
	// store, and another handle on its data when the harness has one.
	writers []Store
	x       *extract.Extractor
	// goroutines and trialCount size the concurrency cases.
	goroutines, trialCount int
}

// ctx is a context for one case: cancelled when the test ends, and bounded
// so that a hung store fails the case instead of the whole run.
func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

func ref[T any](v T) *T { return &v }

// sortedCopy returns s sorted, leaving s as it is.
func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// writer is the store handle writer i of a concurrency case uses.
func (e *env) writer(t *testing.T, i int) Store {
	if e.writers == nil {
		t.Fatal("storetest: writer called outside together")
	}
	return e.writers[i%len(e.writers)]
}

// openWriters opens the handles of the concurrency cases once per case.
func (e *env) openWriters(t *testing.T) {
	t.Helper()
	if e.writers != nil {
		return
	}
	e.writers = []Store{e.s}
	if e.another != nil {
		e.writers = append(e.writers, e.another(t, e.s))
	}
}
