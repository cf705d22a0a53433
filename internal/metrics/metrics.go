// Package metrics holds whosaid's Prometheus metrics: HTTP requests by route
// and status, extraction time, database command latency, and which store is
// in use. One Metrics is made per process (or per test) on a registry of
// its own, never on the global default registry.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the collectors of one process. A nil *Metrics is valid and
// records nothing.
type Metrics struct {
	registry *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	httpInFlight prometheus.Gauge
	extractTime  prometheus.Histogram
	extractBytes prometheus.Histogram
	dbDuration   *prometheus.HistogramVec
	storeUp      prometheus.Gauge
	rateLimited  prometheus.Counter
	authRefused  *prometheus.CounterVec
}

// latencyBuckets span 0.5 ms to 10 s: extraction and _id lookups take
// milliseconds, scans on the embedded store seconds.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// New makes the collectors on a new registry; store is "embedded" or
// "mongodb" and labels whosaid_store_info.
func New(store string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		registry: reg,
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whosaid_http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, []string{"route", "method", "status"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "whosaid_http_request_duration_seconds",
			Help:    "Time from the request's arrival to the end of its answer, by route pattern, method and status code.",
			Buckets: latencyBuckets,
		}, []string{"route", "method", "status"}),
		httpInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "whosaid_http_requests_in_flight",
			Help: "HTTP requests being served.",
		}),
		extractTime: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "whosaid_extract_duration_seconds",
			Help:    "Time the extractor took on one article text (POST /v1/extract and ingests).",
			Buckets: latencyBuckets,
		}),
		extractBytes: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "whosaid_extract_text_bytes",
			Help:    "Size of the article texts extracted.",
			Buckets: prometheus.ExponentialBuckets(256, 4, 8), // 256 B .. 4 MiB
		}),
		dbDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "whosaid_db_command_duration_seconds",
			Help:    "Round trip of one database command as the driver saw it, by command name and outcome (ok or error).",
			Buckets: latencyBuckets,
		}, []string{"command", "outcome"}),
		storeUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "whosaid_store_up",
			Help: "1 when the last readiness check reached the store, 0 when it did not.",
		}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "whosaid_http_rate_limited_total",
			Help: "Requests refused with 429 by the per-client rate limit.",
		}),
		authRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "whosaid_http_auth_refused_total",
			Help: "Requests refused for their API key: missing, unknown (malformed, unknown or revoked) or scope (403).",
		}, []string{"reason"}),
	}
	info := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "whosaid_store_info",
		Help: "The store in use: embedded (FerretDB in-process) or mongodb; always 1.",
	}, []string{"store"})
	info.WithLabelValues(store).Set(1)
	reg.MustRegister(m.httpRequests, m.httpDuration, m.httpInFlight, m.extractTime, m.extractBytes,
		m.dbDuration, m.storeUp, m.rateLimited, m.authRefused, info,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// Registry is the registry the metrics live on, for tests.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// statusLabels avoids an allocation per request for the common codes.
var statusLabels = func() map[int]string {
	out := make(map[int]string)
	for code := 100; code < 600; code++ {
		if http.StatusText(code) != "" {
			out[code] = strconv.Itoa(code)
		}
	}
	return out
}()

// RequestStarted counts a request in flight; call the function it returns
// when the request ends.
func (m *Metrics) RequestStarted() func() {
	if m == nil {
		return func() {}
	}
	m.httpInFlight.Inc()
	return m.httpInFlight.Dec
}

// Other is the route or method label of requests whose route or method is
// not one the server knows.
const Other = "other"

// MethodLabel is the method label of a request: the method when it is
// one of RFC 9110's and PATCH, else Other, so that invented method names
// cannot add series.
func MethodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return Other
}

// ObserveHTTP records one served request. route must be a route pattern
// of the server ("/v1/quotes/:id") or Other, never the raw path; method
// is labelled by MethodLabel and status codes outside 100–599 as Other,
// so the series are bounded whatever clients send.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	code, ok := statusLabels[status]
	if !ok {
		code = Other
		if status >= 100 && status <= 599 {
			code = strconv.Itoa(status)
		}
	}
	method = MethodLabel(method)
	m.httpRequests.WithLabelValues(route, method, code).Inc()
	m.httpDuration.WithLabelValues(route, method, code).Observe(d.Seconds())
}

// ObserveExtract records one extraction.
func (m *Metrics) ObserveExtract(d time.Duration, textBytes int) {
	if m == nil {
		return
	}
	m.extractTime.Observe(d.Seconds())
	m.extractBytes.Observe(float64(textBytes))
}

// ObserveDB records one database command; it has the signature of
// mongostore.Options.Observe.
func (m *Metrics) ObserveDB(command string, d time.Duration, err error) {
	if m == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	m.dbDuration.WithLabelValues(command, outcome).Observe(d.Seconds())
}

// SetStoreUp records the outcome of a readiness check.
func (m *Metrics) SetStoreUp(up bool) {
	if m == nil {
		return
	}
	if up {
		m.storeUp.Set(1)
	} else {
		m.storeUp.Set(0)
	}
}

// RateLimited counts one 429.
func (m *Metrics) RateLimited() {
	if m != nil {
		m.rateLimited.Inc()
	}
}

// AuthRefused counts one request refused for its key; reason is missing,
// unknown or scope.
func (m *Metrics) AuthRefused(reason string) {
	if m != nil {
		m.authRefused.WithLabelValues(reason).Inc()
	}
}
