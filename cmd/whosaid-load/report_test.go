package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

func TestQuantile(t *testing.T) {
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, time.Duration(i))
	}
	for _, tc := range []struct {
		sorted []time.Duration
		q      float64
		want   time.Duration
	}{
		{nil, 0.5, 0},
		{[]time.Duration{7}, 0.5, 7},
		{[]time.Duration{7}, 0.99, 7},
		{[]time.Duration{1, 2}, 0.5, 1},
		{[]time.Duration{1, 2, 3}, 0.5, 2},
		{[]time.Duration{1, 2, 3, 4, 5}, 0.99, 5},
		{hundred, 0.50, 50},
		{hundred, 0.99, 99},
		{hundred, 1, 100},
		{hundred, 0, 1},
	} {
		if got := quantile(tc.sorted, tc.q); got != tc.want {
			t.Errorf("quantile(%d values, %v) = %v, want %v", len(tc.sorted), tc.q, got, tc.want)
		}
	}
}

func TestRecorderSummary(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var r recorder
	// Added out of order: the summary sorts.
	r.add(t0.Add(time.Second), ms(30), "")
	r.add(t0, ms(10), "")
	r.add(t0.Add(500*time.Millisecond), ms(20), "503 Service Unavailable")
	r.add(t0.Add(1500*time.Millisecond), ms(40), "503 Service Unavailable")
	s := r.summary("x", 1000, 0, 2)
	want := Summary{
		Name: "x", Stored: 1000, Workers: 2,
		Requests: 4, Successes: 2, Errors: 2,
		ErrorSamples: map[string]int{"503 Service Unavailable": 2},
		Elapsed:      1540 * time.Millisecond,
		P50:          ms(20), P99: ms(40), Max: ms(40),
	}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if got, want := s.Throughput(), 2/1.54; got < want-1e-9 || got > want+1e-9 {
		t.Errorf("throughput %v, want %v", got, want)
	}
	var empty recorder
	if s := empty.summary("none", 0, 500, 0); s.Requests != 0 || s.Throughput() != 0 || s.P99 != 0 {
		t.Errorf("empty summary %+v", s)
	}
}

func TestFmtDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 ms"},
		{412 * time.Microsecond, "0.412 ms"},
		{ms(4.123), "4.12 ms"},
		{ms(41.26), "41.3 ms"},
		{ms(412.4), "412 ms"},
		{ms(1794.4), "1,794 ms"},
		{ms(12345.6), "12,346 ms"},
	} {
		if got := fmtDuration(tc.d); got != tc.want {
			t.Errorf("fmtDuration(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 10013: "10,013", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFmtRatio(t *testing.T) {
	for _, tc := range []struct {
		a, b time.Duration
		want string
	}{
		{ms(1), ms(0.25), "×4.0"},
		{ms(1.7), ms(0.25), "×6.8"},
		{ms(50), ms(1), "×50"},
		{ms(1794), ms(0.25), "×7,176"},
		{ms(1), 0, "–"},
		{0, ms(1), "–"},
	} {
		if got := fmtRatio(tc.a, tc.b); got != tc.want {
			t.Errorf("fmtRatio(%v, %v) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestTable(t *testing.T) {
	health := Summary{Name: "GET /healthz", Rate: 500, Requests: 7500, Successes: 7500,
		Elapsed: 15 * time.Second, P50: ms(0.25), P99: ms(1), Max: ms(5)}
	rows := []Summary{
		health,
		{Name: "POST /v1/extract (5.0 KB)", Rate: 500, Requests: 7500, Successes: 7500,
			Elapsed: 15 * time.Second, P50: ms(1.5), P99: ms(12), Max: ms(40)},
		{Name: "GET /v1/quotes?speaker=NAME", Stored: 10013, Workers: 1, Requests: 5, Successes: 4, Errors: 1,
			Elapsed: 40 * time.Second, P50: ms(8000), P99: ms(10001), Max: ms(10001)},
		{Name: "GET /v1/quotes/{id}", Stored: -1, Workers: 2, Requests: 300, Successes: 300,
			Elapsed: 10 * time.Second, P50: ms(60), P99: ms(100), Max: ms(120)},
	}
	got := table(rows, &rows[0])
	lines := strings.Split(got, "\n")
	if len(lines) != 7 || lines[6] != "" {
		t.Fatalf("want a header, a rule, 4 rows and a final newline; got:\n%s", got)
	}
	// Every line has the same width and the pipes line up.
	for i, l := range lines[:6] {
		if len([]rune(l)) != len([]rune(lines[0])) {
			t.Errorf("line %d has width %d, header %d:\n%s", i, len([]rune(l)), len([]rune(lines[0])), got)
		}
	}
	for _, wantCell := range []string{
		"| GET /healthz ", " 500 req/s |", " 500.0 req/s |", " 0.250 ms |", "                     – |",
		" ×6.0 / ×12 |", " 10,013 |", " 1 worker |", " 0.10 req/s |", " 10,001 ms |", " ×32,000 / ×10,001 |",
		" 2 workers |", " 30.0 req/s |", "|             – |",
	} {
		if !strings.Contains(got, wantCell) {
			t.Errorf("table lacks %q:\n%s", wantCell, got)
		}
	}
	if strings.Contains(table(rows, nil), "×") {
		t.Error("ratios without a /healthz row")
	}
}

func TestErrorLines(t *testing.T) {
	rows := []Summary{
		{Name: "a"},
		{Name: "b", ErrorSamples: map[string]int{"503 Service Unavailable": 4, "timeout": 1, "EOF": 1, "x": 1}},
	}
	got := errorLines(rows, 3)
	want := []string{
		"b: 4× 503 Service Unavailable",
		"b: 1× EOF",
		"b: 1× timeout",
		"b: … 1 more distinct errors",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errorLines (-want +got):\n%s", diff)
	}
}

func TestVerdict(t *testing.T) {
	s := Summary{Name: "POST /v1/extract", Rate: 500, Requests: 100, P99: ms(12)}
	if got := verdict(s, ms(25)); got != "target POST /v1/extract p99 < 25.0 ms at 500 req/s: MET (p99 12.0 ms)" {
		t.Errorf("verdict = %q", got)
	}
	s.P99 = ms(30)
	if got := verdict(s, ms(25)); !strings.Contains(got, ": NOT MET (p99 30.0 ms)") {
		t.Errorf("verdict = %q", got)
	}
	s.P99, s.Errors = ms(3), 2
	if got := verdict(s, ms(25)); !strings.Contains(got, "NOT MET (p99 3.00 ms, 2 errors)") {
		t.Errorf("verdict = %q", got)
	}
}
