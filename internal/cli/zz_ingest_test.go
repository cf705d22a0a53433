package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/whosaid/whosaid/internal/sqlitestore"
)

// Temporary (not committed): ingest rate on a copy of a seeded store.
func TestZZIngest(t *testing.T) {
	seedDB := os.Getenv("ZZ_SEED_DB")
	if seedDB == "" {
		t.Skip("ZZ_SEED_DB")
	}
	if _, err := os.Stat(seedDB); err != nil {
		st, err := sqlitestore.Open(sqlitestore.Options{Path: seedDB})
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "seed.ndjson")
		writeBenchArticles(t, p, "seed", 0, 9000, 10)
		s := benchIngest(t, st, p)
		t.Logf("seeded %d in %v", s.Created, s.Elapsed)
		st.Close(context.Background())
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, sqlitestore.FileName)
	copyFile(t, seedDB, dst)
	st, err := sqlitestore.Open(sqlitestore.Options{Path: dst})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	p := filepath.Join(dir, "probe.ndjson")
	writeBenchArticles(t, p, "probe", 9000, 1000, 10)
	var r0, r1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	t0 := time.Now()
	s := benchIngest(t, st, p)
	syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	cpu := time.Duration(r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano())
	t.Logf("probe: %d articles in %v: %.1f articles/s, cpu %.2f ms/article", s.Created, time.Since(t0), float64(s.Created)/s.Elapsed.Seconds(), float64(cpu.Microseconds())/1000/float64(s.Created))
}

func copyFile(t *testing.T, from, to string) {
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(g, f); err != nil {
		t.Fatal(err)
	}
	g.Close()
}
