package sqlitestore_test

import (
	"testing"

	"github.com/whosaid/whosaid/internal/dump/dumptest"
)

// The previous release's data directory, imported, exported, imported
// again: the same records, the same ids, nothing added twice.
func TestDump(t *testing.T) {
	dumptest.Run(t, func(t *testing.T) dumptest.Store { return newStore(t) })
}
