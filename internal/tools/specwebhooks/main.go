// Command specwebhooks adds to the OpenAPI document swag generates what
// swag has no annotation for: the OpenAPI 3.1 webhooks section, and
// `security: []` on the operations that never need a key (probes, metrics,
// the document itself), so that every operation declares its security.
// `make docs` and `make docs-check` run it on swag's output, so docs/ stays
// generated, never edited by hand:
//
//	go run ./internal/tools/specwebhooks DIR
//
// It reads DIR/swagger.json, which must not have webhooks yet, and writes
// DIR/swagger.json and DIR/swagger.yaml from the result (swag's YAML is
// replaced by the same document as YAML).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// webhooks describes the quote.created delivery (internal/webhook).
func webhooks() map[string]any {
	header := func(name, desc string) map[string]any {
		return map[string]any{"name": name, "in": "header", "required": true, "description": desc, "schema": map[string]any{"type": "string"}}
	}
	return map[string]any{
		"quoteCreated": map[string]any{
			"post": map[string]any{
				"summary": "A new quote a subscription asked for",
				"description": "Sent to a subscription's url for every newly stored quote that matches it (POST /v1/subscriptions), " +
					"signed after Standard Webhooks 1.0. Verify webhook-signature (\"v1,\" + base64 HMAC-SHA256 of " +
					"\"{webhook-id}.{webhook-timestamp}.{body}\" keyed with the base64-decoded part of the secret after \"whsec_\"), " +
					"reject timestamps more than 5 minutes off, and drop a webhook-id already processed: retries reuse it. " +
					"Answer 2xx within 10 s; anything else is retried after 5 s, 30 s, 2 min, 10 min, 30 min and 2 h.",
				"operationId": "quoteCreated",
				"security":    []any{},
				"tags":        []string{"subscriptions"},
				"parameters":  []any{header("webhook-id", "Message id, the same on every retry (msg_…)."), header("webhook-timestamp", "Unix seconds of this attempt."), header("webhook-signature", "v1,<base64 HMAC-SHA256>; space-separated when there are several.")},
				"requestBody": map[string]any{
					"required": true,
					"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{
						"type":     "object",
						"required": []string{"type", "timestamp", "data"},
						"properties": map[string]any{
							"type":      map[string]any{"type": "string", "enum": []string{"quote.created"}},
							"timestamp": map[string]any{"type": "string", "format": "date-time"},
							"data": map[string]any{
								"type":     "object",
								"required": []string{"subscription_id", "quote"},
								"properties": map[string]any{
									"subscription_id": map[string]any{"type": "string", "example": "sub_5f2c0a9e4b1d7c33"},
									"quote":           map[string]any{"$ref": "#/components/schemas/StoredQuote"},
								},
							},
						},
					}}},
				},
				"responses": map[string]any{
					"2XX":     map[string]any{"description": "Delivered."},
					"default": map[string]any{"description": "Not delivered: retried with backoff, then given up (see the delivery log)."},
				},
			},
		},
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: specwebhooks DIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "specwebhooks:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	jpath := filepath.Join(dir, "swagger.json")
	j, err := os.ReadFile(jpath)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber() // numbers stay as swag wrote them
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%s: %w", jpath, err)
	}
	if _, ok := doc["webhooks"]; ok {
		return fmt.Errorf("%s has webhooks already", jpath)
	}
	doc["webhooks"] = webhooks()
	if err := openOperations(doc); err != nil {
		return fmt.Errorf("%s: %w", jpath, err)
	}

	// swag writes sorted keys and four-space indents, as encoding/json
	// does with these settings.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if err := os.WriteFile(jpath, bytes.TrimRight(buf.Bytes(), "\n"), 0o644); err != nil {
		return err
	}

	var ybuf bytes.Buffer
	yenc := yaml.NewEncoder(&ybuf)
	yenc.SetIndent(2)
	if err := yenc.Encode(yamlValue(doc)); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "swagger.yaml"), ybuf.Bytes(), 0o644)
}

// openOperations gives every operation without a security requirement an
// empty one: it needs no key.
func openOperations(doc map[string]any) error {
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return fmt.Errorf("no paths")
	}
	for path, item := range paths {
		ops, ok := item.(map[string]any)
		if !ok {
			return fmt.Errorf("path %s is not an object", path)
		}
		for method, op := range ops {
			o, ok := op.(map[string]any)
			if !ok {
				continue // parameters, summary...
			}
			if _, ok := o["responses"]; !ok {
				continue
			}
			if _, ok := o["security"]; !ok {
				o["security"] = []any{}
				ops[method] = o
			}
		}
	}
	return nil
}

// yamlValue turns the JSON numbers of v into numbers YAML writes as such.
func yamlValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = yamlValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = yamlValue(e)
		}
		return out
	case []string:
		return x
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n
		}
		f, _ := x.Float64()
		return f
	}
	return v
}
