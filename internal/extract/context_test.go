package extract

import (
	"context"
	"errors"
	"testing"
	"time"
)

// doneAfter is a context that reports itself cancelled from its n-th Err
// call on: a cancellation that arrives in the middle of an extraction,
// deterministically.
type doneAfter struct {
	context.Context
	n, calls int
}

func (c *doneAfter) Err() error {
	c.calls++
	if c.calls >= c.n {
		return context.Canceled
	}
	return nil
}

func (c *doneAfter) Done() <-chan struct{} { return nil }

func (c *doneAfter) Deadline() (time.Time, bool) { return time.Time{}, false }

func TestExtractContextCancelled(t *testing.T) {
	x := mustNew(t)
	text := normalText(64 << 10)
	if res, err := x.ExtractContext(context.Background(), text); err != nil || len(res.Quotes) == 0 {
		t.Fatalf("ExtractContext(background) = %d quotes, %v; want quotes and no error", len(res.Quotes), err)
	}
	for n := 1; n <= 6; n++ {
		ctx := &doneAfter{Context: context.Background(), n: n}
		res, err := x.ExtractContext(ctx, text)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("ExtractContext(cancelled at check %d) error = %v, want context.Canceled", n, err)
		}
		if len(res.Quotes) != 0 || len(res.Speakers) != 0 {
			t.Errorf("ExtractContext(cancelled at check %d) = %d quotes, %d speakers; want none", n, len(res.Quotes), len(res.Speakers))
		}
		if ctx.calls != n {
			t.Errorf("ExtractContext(cancelled at check %d) checked %d times, want it to stop at the first failed check", n, ctx.calls)
		}
	}
	// a context whose deadline passed answers DeadlineExceeded
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := x.ExtractContext(ctx, text); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("ExtractContext(past deadline) error = %v, want context.DeadlineExceeded", err)
	}
}
