// Command specwebhooks adds the webhooks section to the OpenAPI documents
// swag generates (swag has no annotation for OpenAPI 3.1 webhooks). `make
// docs` and `make docs-check` run it on swag's output, so docs/ stays
// generated, never edited by hand:
//
//	go run ./internal/tools/specwebhooks DIR
//
// It appends a top-level "webhooks" member to DIR/swagger.json and
// DIR/swagger.yaml; both files must not have one yet.
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
				"tags":       []string{"subscriptions"},
				"parameters": []any{header("webhook-id", "Message id, the same on every retry (msg_…)."), header("webhook-timestamp", "Unix seconds of this attempt."), header("webhook-signature", "v1,<base64 HMAC-SHA256>; space-separated when there are several.")},
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
									"quote":           map[string]any{"$ref": "#/components/schemas/attribution.StoredQuote"},
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
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(j, &probe); err != nil {
		return fmt.Errorf("%s: %w", jpath, err)
	}
	if _, ok := probe["webhooks"]; ok {
		return fmt.Errorf("%s has webhooks already", jpath)
	}
	// swag writes sorted keys, four-space indents and "\n}" at the end;
	// "webhooks" sorts last, so appending keeps that shape.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("    ", "    ")
	if err := enc.Encode(webhooks()); err != nil {
		return err
	}
	trimmed := bytes.TrimRight(j, "\n")
	if !bytes.HasSuffix(trimmed, []byte("\n}")) {
		return fmt.Errorf("%s does not end in a closing brace on its own line", jpath)
	}
	out := append(bytes.Clone(trimmed[:len(trimmed)-2]), []byte(",\n    \"webhooks\": ")...)
	out = append(out, bytes.TrimRight(buf.Bytes(), "\n")...)
	out = append(out, []byte("\n}")...)
	if json.Valid(out) == false {
		return fmt.Errorf("%s: the result is not valid JSON", jpath)
	}
	if err := os.WriteFile(jpath, out, 0o644); err != nil {
		return err
	}

	ypath := filepath.Join(dir, "swagger.yaml")
	y, err := os.ReadFile(ypath)
	if err != nil {
		return err
	}
	var yprobe map[string]any
	if err := yaml.Unmarshal(y, &yprobe); err != nil {
		return fmt.Errorf("%s: %w", ypath, err)
	}
	if _, ok := yprobe["webhooks"]; ok {
		return fmt.Errorf("%s has webhooks already", ypath)
	}
	var ybuf bytes.Buffer
	yenc := yaml.NewEncoder(&ybuf)
	yenc.SetIndent(2)
	if err := yenc.Encode(map[string]any{"webhooks": webhooks()}); err != nil {
		return err
	}
	y = append(bytes.TrimRight(y, "\n"), '\n')
	return os.WriteFile(ypath, append(y, ybuf.Bytes()...), 0o644)
}
