package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestBinaryHasNoFerretDB: FerretDB is a test dependency (the stand-in
// for MongoDB in internal/embedded); no package of the whosaid binary
// may pull it in.
func TestBinaryHasNoFerretDB(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "github.com/FerretDB/") || pkg == "github.com/whosaid/whosaid/internal/embedded" {
			t.Errorf("the whosaid binary depends on %s", pkg)
		}
	}
}
