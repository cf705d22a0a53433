package sqlitestore_test

import (
	"testing"

	"github.com/whosaid/whosaid/internal/dump/dumptest"
)

// TestDump: export and import, the checks every store passes
// (internal/dump/dumptest).
func TestDump(t *testing.T) {
	dumptest.Run(t, func(t *testing.T) dumptest.Store { return newStore(t) })
}
