package main

import (
	"bytes"
	"context"
	"net/http"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// attackTimeout bounds one request of a scenario: above the service's own
// 10 s store deadline, so a slow listing shows as the service's 503.
const attackTimeout = 30 * time.Second

// scenario is one load pattern against one kind of request.
type scenario struct {
	name string
	// targets are sent round robin.
	targets []vegeta.Target
	// rate > 0: open loop at rate requests/s (new requests are sent on
	// schedule whatever the answers take). rate == 0: closed loop, workers
	// requests in flight at all times, each sent when the previous answer
	// of its worker has arrived.
	rate     int
	workers  int
	duration time.Duration
	// minRequests extends the scenario past duration until that many
	// requests were sent; maxRequests > 0 ends it after that many even
	// before duration.
	minRequests, maxRequests int
	// check returns an error text for an answer that is not right, "" if
	// it is; nil accepts any 2xx.
	check func(code int, body []byte) string
}

// roundRobin is a vegeta.Targeter over ts.
func roundRobin(ts []vegeta.Target) vegeta.Targeter {
	var i atomic.Uint64
	return func(t *vegeta.Target) error {
		*t = ts[(i.Add(1)-1)%uint64(len(ts))]
		return nil
	}
}

// pacer is the scenario's vegeta pacer: the rate (or none), ending after
// duration once minRequests are sent, or at maxRequests.
func (sc scenario) pacer() vegeta.Pacer {
	var p vegeta.Pacer = vegeta.ConstantPacer{} // zero rate: as fast as the workers go
	if sc.rate > 0 {
		p = vegeta.ConstantPacer{Freq: sc.rate, Per: time.Second}
	}
	return boundedPacer{Pacer: p, duration: sc.duration, min: uint64(max(sc.minRequests, 0)), max: uint64(max(sc.maxRequests, 0))}
}

// boundedPacer ends its Pacer's attack once duration has passed and at
// least min hits were sent, or after max hits (0: no maximum).
type boundedPacer struct {
	vegeta.Pacer
	duration time.Duration
	min, max uint64
}

// Pace implements vegeta.Pacer.
func (p boundedPacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	if p.max > 0 && hits >= p.max {
		return 0, true
	}
	if elapsed >= p.duration && hits >= p.min {
		return 0, true
	}
	return p.Pacer.Pace(elapsed, hits)
}

// run drives the scenario and records each answer; ctx ending stops it
// early (the answers so far are kept).
func (sc scenario) run(ctx context.Context) *recorder {
	opts := []func(*vegeta.Attacker){
		vegeta.Timeout(attackTimeout),
		vegeta.KeepAlive(true),
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.Proxy(nil), // loopback: never through a proxy
	}
	if sc.rate == 0 {
		opts = append(opts, vegeta.Workers(uint64(sc.workers)), vegeta.MaxWorkers(uint64(sc.workers)),
			vegeta.Connections(sc.workers))
	}
	atk := vegeta.NewAttacker(opts...)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()

	rec := &recorder{}
	for res := range atk.Attack(roundRobin(sc.targets), sc.pacer(), 0, sc.name) {
		errText := res.Error
		if errText == "" && sc.check != nil {
			errText = sc.check(int(res.Code), res.Body)
		}
		rec.add(res.Timestamp, res.Latency, errText)
	}
	return rec
}

// Checks of answers.

// wantJSONMember accepts a 200 whose body holds the member name (as
// `"name":`), and rejects one where it is followed by an empty array when
// nonEmpty is set.
func wantJSONMember(name string, nonEmpty bool) func(int, []byte) string {
	member := []byte(`"` + name + `":`)
	return func(code int, body []byte) string {
		if code != http.StatusOK {
			return http.StatusText(code)
		}
		i := bytes.Index(body, member)
		if i < 0 {
			return "answer without " + string(member)
		}
		if nonEmpty && bytes.HasPrefix(bytes.TrimLeft(body[i+len(member):], " \n\t"), []byte("[]")) {
			return "empty " + name + " list"
		}
		return ""
	}
}
