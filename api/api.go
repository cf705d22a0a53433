// Package api holds the OpenAPI 3.1 document of the whosaid HTTP API, the
// contract for clients. openapi.json and openapi.yaml are copies of the swag
// output in docs/, made by `make docs`; never edit them by hand (`make
// docs-check` fails when they drift).
package api

import (
	"bytes"
	_ "embed"
)

//go:embed openapi.json
var openAPIJSON []byte

// OpenAPIJSON returns the OpenAPI document as JSON. Each call returns a new
// copy.
func OpenAPIJSON() []byte { return bytes.Clone(openAPIJSON) }
