package httpapi

import (
	"math"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is a token bucket per client: per API key, or per client address
// for requests without one. Buckets live in this process only, so with N
// replicas a client gets up to N times the rate (README, Deployment).
type limiter struct {
	rate  rate.Limit
	burst int

	mu        sync.Mutex
	buckets   map[string]*rate.Limiter
	lastSweep time.Time
}

// sweepEvery is how often idle buckets are dropped. A bucket that has
// refilled to its burst is the same as a new one, so dropping it changes
// nothing a client can see.
const sweepEvery = time.Minute

func newLimiter(perSecond float64, burst int) *limiter {
	return &limiter{rate: rate.Limit(perSecond), burst: burst, buckets: make(map[string]*rate.Limiter)}
}

// decision is what the limiter says of one request.
type decision struct {
	allowed bool
	// remaining is the whole requests left in the bucket after this one.
	remaining int
	// reset is how long until the bucket is full again.
	reset time.Duration
	// retryAfter is, for a refused request, how long until one request
	// would be allowed.
	retryAfter time.Duration
}

// take spends one token of client's bucket at now, if it has one.
func (l *limiter) take(client string, now time.Time) decision {
	l.mu.Lock()
	if now.Sub(l.lastSweep) >= sweepEvery {
		for k, b := range l.buckets {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[client]
	if !ok {
		b = rate.NewLimiter(l.rate, l.burst)
		l.buckets[client] = b
	}
	l.mu.Unlock()

	d := decision{allowed: b.AllowN(now, 1)}
	tokens := b.TokensAt(now)
	d.remaining = max(int(math.Floor(tokens)), 0)
	d.reset = l.secondsFor(float64(l.burst) - tokens)
	if !d.allowed {
		d.retryAfter = l.secondsFor(1 - tokens)
	}
	return d
}

// has reports whether client's bucket holds a token at now, without
// spending it.
func (l *limiter) has(client string, now time.Time) bool {
	l.mu.Lock()
	b, ok := l.buckets[client]
	l.mu.Unlock()
	return !ok || b.TokensAt(now) >= 1
}

// secondsFor is how long the bucket takes to gain n tokens.
func (l *limiter) secondsFor(n float64) time.Duration {
	if n <= 0 {
		return 0
	}
	return time.Duration(n / float64(l.rate) * float64(time.Second))
}

// policy is the RateLimit-Policy field value (draft-ietf-httpapi-
// ratelimit-headers): a quota of burst requests in the window the bucket
// takes to refill from empty.
func (l *limiter) policy() string {
	w := max(int(math.Ceil(float64(l.burst)/float64(l.rate))), 1)
	return `"default";q=` + strconv.Itoa(l.burst) + ";w=" + strconv.Itoa(w)
}

// ceilSeconds rounds d up to whole seconds, as Retry-After and the t
// parameter want.
func ceilSeconds(d time.Duration) int {
	return int(math.Ceil(d.Seconds()))
}
