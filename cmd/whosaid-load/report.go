package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Summary is the outcome of one scenario.
type Summary struct {
	Name   string
	Stored int // quotes in the store while it ran; -1 when it does not matter
	// Rate is the requests/s of an open-loop scenario; 0 for a closed loop.
	Rate int
	// Workers is the concurrency of a closed-loop scenario.
	Workers int

	Requests  int
	Successes int
	Errors    int
	// ErrorSamples counts each distinct error text.
	ErrorSamples map[string]int
	// Elapsed is from the first request sent to the last answer received.
	Elapsed time.Duration
	P50     time.Duration
	P99     time.Duration
	Max     time.Duration
}

// Throughput is the successful requests per second.
func (s Summary) Throughput() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Successes) / s.Elapsed.Seconds()
}

// recorder collects the results of one scenario.
type recorder struct {
	lat          []time.Duration
	first, last  time.Time
	successes    int
	errors       int
	errorSamples map[string]int
}

// add records one request sent at start that took lat; errText is empty
// on success.
func (r *recorder) add(start time.Time, lat time.Duration, errText string) {
	if r.first.IsZero() || start.Before(r.first) {
		r.first = start
	}
	if end := start.Add(lat); end.After(r.last) {
		r.last = end
	}
	r.lat = append(r.lat, lat)
	if errText == "" {
		r.successes++
		return
	}
	r.errors++
	if r.errorSamples == nil {
		r.errorSamples = map[string]int{}
	}
	r.errorSamples[errText]++
}

// summary computes the figures; it sorts the recorded latencies.
func (r *recorder) summary(name string, stored, rate, workers int) Summary {
	slices.Sort(r.lat)
	s := Summary{
		Name: name, Stored: stored, Rate: rate, Workers: workers,
		Requests: len(r.lat), Successes: r.successes, Errors: r.errors,
		ErrorSamples: r.errorSamples,
		P50:          quantile(r.lat, 0.50),
		P99:          quantile(r.lat, 0.99),
	}
	if len(r.lat) > 0 {
		s.Max = r.lat[len(r.lat)-1]
		s.Elapsed = r.last.Sub(r.first)
	}
	return s
}

// quantile is the nearest-rank q-quantile of sorted: the smallest value
// with at least q of the values at or below it; 0 for no values.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

// fmtDuration prints d in milliseconds with three significant digits
// (0.412 ms, 4.12 ms, 41.2 ms, 412 ms, 1,794 ms).
func fmtDuration(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case d <= 0:
		return "0 ms"
	case ms < 1:
		return fmt.Sprintf("%.3f ms", ms)
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return thousands(int64(math.Round(ms))) + " ms"
	}
}

// thousands prints n with comma thousands separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// fmtRate prints a rate of requests/s, with two decimals below 10.
func fmtRate(r float64) string {
	if r < 10 {
		return fmt.Sprintf("%.2f req/s", r)
	}
	return fmt.Sprintf("%.1f req/s", r)
}

// fmtRatio prints a/b as "×12.3" (three significant digits at most), or
// "–" when b is zero.
func fmtRatio(a, b time.Duration) string {
	if b <= 0 || a <= 0 {
		return "–"
	}
	r := float64(a) / float64(b)
	switch {
	case r < 10:
		return fmt.Sprintf("×%.1f", r)
	default:
		return "×" + thousands(int64(math.Round(r)))
	}
}

// table formats the summaries as an aligned Markdown table. base is the
// /healthz summary the ratios refer to (nil: no ratio column values).
func table(rows []Summary, base *Summary) string {
	header := []string{"scenario", "stored quotes", "requests", "load", "throughput", "p50", "p99", "max", "errors", "p50 / p99 vs /healthz"}
	right := []bool{false, true, true, true, true, true, true, true, true, true}
	cells := [][]string{header}
	for _, s := range rows {
		stored := "–"
		if s.Stored >= 0 {
			stored = thousands(int64(s.Stored))
		}
		load := strconv.Itoa(s.Workers) + " workers"
		if s.Workers == 1 {
			load = "1 worker"
		}
		if s.Rate > 0 {
			load = strconv.Itoa(s.Rate) + " req/s"
		}
		ratio := "–"
		if base != nil && base.Name != s.Name {
			ratio = fmtRatio(s.P50, base.P50) + " / " + fmtRatio(s.P99, base.P99)
		}
		cells = append(cells, []string{
			s.Name, stored, thousands(int64(s.Requests)), load,
			fmtRate(s.Throughput()),
			fmtDuration(s.P50), fmtDuration(s.P99), fmtDuration(s.Max),
			thousands(int64(s.Errors)), ratio,
		})
	}
	width := make([]int, len(header))
	for _, row := range cells {
		for i, c := range row {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	var b strings.Builder
	line := func(row []string) {
		b.WriteString("|")
		for i, c := range row {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if right[i] {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(cells[0])
	b.WriteString("|")
	for i, w := range width {
		if right[i] {
			b.WriteString(strings.Repeat("-", w+1) + ":|")
		} else {
			b.WriteString(":" + strings.Repeat("-", w+1) + "|")
		}
	}
	b.WriteString("\n")
	for _, row := range cells[1:] {
		line(row)
	}
	return b.String()
}

// errorLines lists the distinct errors of each scenario that had any,
// most frequent first, at most limit per scenario.
func errorLines(rows []Summary, limit int) []string {
	var out []string
	for _, s := range rows {
		type kv struct {
			text string
			n    int
		}
		var errs []kv
		for t, n := range s.ErrorSamples {
			errs = append(errs, kv{t, n})
		}
		slices.SortFunc(errs, func(a, b kv) int {
			if a.n != b.n {
				return b.n - a.n
			}
			return strings.Compare(a.text, b.text)
		})
		for i, e := range errs {
			if i == limit {
				out = append(out, fmt.Sprintf("%s: … %d more distinct errors", s.Name, len(errs)-limit))
				break
			}
			out = append(out, fmt.Sprintf("%s: %d× %s", s.Name, e.n, e.text))
		}
	}
	return out
}

// verdict says whether summary s meets the p99 target.
func verdict(s Summary, target time.Duration) string {
	load := strconv.Itoa(s.Rate) + " req/s"
	if s.Rate == 0 {
		load = strconv.Itoa(s.Workers) + " workers"
	}
	met := s.P99 < target && s.Errors == 0 && s.Requests > 0
	word := "MET"
	if !met {
		word = "NOT MET"
	}
	why := ""
	if s.Errors > 0 {
		why = fmt.Sprintf(", %d errors", s.Errors)
	}
	return fmt.Sprintf("target %s p99 < %s at %s: %s (p99 %s%s)", s.Name, fmtDuration(target), load, word, fmtDuration(s.P99), why)
}
