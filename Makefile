# whosaid: `make run` starts the service, `make test` checks everything CI
# checks. Go tools come from go.mod (`go tool swag`) or run pinned with `go
# run` (staticcheck); the OpenAPI linter is a pinned npm package
# (package.json, package-lock.json) that `make test` installs with `npm ci`
# into node_modules/ when it is missing.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO   ?= go
BIN  ?= bin/whosaid
SWAG := $(GO) tool swag
# staticcheck at a pinned version, built from the module proxy by go run.
STATICCHECK := $(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Redocly CLI from node_modules (npm ci), never fetched by npx on the fly;
# no telemetry, no update check.
REDOCLY := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true npx --no-install redocly
# The OpenAPI 3.1 document is generated from the annotations in
# internal/httpapi (general info in doc.go) and the types they name.
SWAG_INIT := init --v3.1 --quiet --generalInfo doc.go \
	--dir ./internal/httpapi,./internal/attribution,./internal/auth,./internal/webhook --outputTypes json,yaml

.PHONY: help test fuzz fmt-check vet lint staticcheck spec-lint docs docs-check run build bench bench-mongo bench-api clean model e2e screenshots

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-11s %s\n", $$1, $$2}'

test: fmt-check vet docs-check spec-lint ## gofmt check, go vet, docs-check, Redocly lint of the spec, all tests with -race, each fuzz target briefly, then the browser tests (make e2e)
	$(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory fuzz
	$(MAKE) --no-print-directory e2e

# Fuzz targets as package:Target; `make fuzz` runs each for FUZZTIME.
FUZZ_TARGETS := \
	./internal/extract:FuzzExtract \
	./internal/nlp/quotemark:FuzzFind \
	./internal/page:FuzzRead \
	./internal/httpapi:FuzzArticleRequest \
	./internal/httpapi:FuzzExtractRequest \
	./internal/httpapi:FuzzBatchLines \
	./internal/httpapi:FuzzPageToken \
	./internal/httpapi:FuzzQuoteQuery \
	./internal/httpapi:FuzzSpeakerPatch \
	./internal/httpapi:FuzzIfMatch \
	./internal/httpapi:FuzzQuotePatch
FUZZTIME ?= 3s

fuzz: ## run every fuzz target for FUZZTIME (3s; make fuzz FUZZTIME=5m for a real search)
	@for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; dir=$$pkg/testdata/fuzz/$$name; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		seen=$$( { ls $$dir 2>/dev/null || true; } | wc -l); \
		out=$$($(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg 2>&1) && continue; \
		case "$$out" in *"context deadline exceeded"*) \
			if [ "$$( { ls $$dir 2>/dev/null || true; } | wc -l)" = "$$seen" ]; then \
				echo "fuzz: $$name: the fuzzing engine timed out stopping a worker and kept no failing input; once more"; \
				out=$$($(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg 2>&1) && continue; \
			fi;; \
		esac; \
		echo "$$out" >&2; echo "fuzz: $$name failed; the failing input is under $$dir" >&2; exit 1; \
	done

fmt-check: ## fail listing the Go files gofmt would change
	@files=$$(gofmt -l .); \
	if [ -n "$$files" ]; then echo "gofmt needed on:" >&2; echo "$$files" >&2; exit 1; fi

vet: ## go vet ./...
	$(GO) vet ./...

lint: fmt-check vet staticcheck ## fmt-check, vet and staticcheck

staticcheck: ## staticcheck ./... (pinned version, via go run)
	$(STATICCHECK) ./...

spec-lint: node_modules/.bin/redocly ## lint the served OpenAPI document (api/openapi.json) with Redocly's recommended rules
	$(REDOCLY) lint --extends recommended --format stylish api/openapi.json

# Redocly CLI at the version package-lock.json pins, installed on first use
# (npm ci: the npm registry, Node.js 20 or 22).
node_modules/.bin/redocly: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

docs: ## regenerate docs/ from the swag annotations and copy the spec to api/
	$(SWAG) fmt --dir ./internal/httpapi
	rm -rf docs
	$(SWAG) $(SWAG_INIT) --output docs >/dev/null
	$(GO) run ./internal/tools/specwebhooks docs
	cp docs/swagger.json api/openapi.json
	cp docs/swagger.yaml api/openapi.yaml

docs-check: ## fail if docs/ or api/ differ from what `make docs` generates
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(SWAG) $(SWAG_INIT) --output "$$tmp/docs" >/dev/null; \
	$(GO) run ./internal/tools/specwebhooks "$$tmp/docs"; \
	if ! diff -ru docs "$$tmp/docs"; then \
		echo "docs-check: docs/ is out of date with the swag annotations; run 'make docs' and commit docs/ and api/" >&2; exit 1; \
	fi; \
	for ext in json yaml; do \
		if ! cmp -s "docs/swagger.$$ext" "api/openapi.$$ext"; then \
			echo "docs-check: api/openapi.$$ext differs from docs/swagger.$$ext; run 'make docs' and commit api/" >&2; exit 1; \
		fi; \
	done; \
	echo "docs-check: docs/ and api/ are up to date"

run: ## serve on 127.0.0.1:8080 with the embedded store in ./data
	$(GO) run ./cmd/whosaid serve

build: ## build a static binary at bin/whosaid (CGO_ENABLED=0)
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/whosaid

# The embedded store at BENCH_QUOTES stored quotes, then at BENCH_QUOTES_LARGE
# (filling them is most of the time: about 5 minutes per 10,000 articles on 2 cores).
BENCH_QUOTES ?= 100000
BENCH_QUOTES_LARGE ?= 1000000

bench: ## benchmarks: extraction, legacy reads, the embedded store at 100k then 1M quotes (the 1M run takes about an hour)
	$(GO) test -run '^$$' -bench . -benchmem -timeout 30m ./internal/extract ./internal/legacy
	WHOSAID_BENCH_QUOTES=$(BENCH_QUOTES) $(GO) test -run '^$$' -bench EmbeddedStore -benchtime 1x -timeout 120m ./internal/cli
	WHOSAID_BENCH_QUOTES=$(BENCH_QUOTES_LARGE) $(GO) test -run '^$$' -bench EmbeddedStore -benchtime 1x -timeout 300m ./internal/cli

bench-mongo: ## the MongoDB store's benchmarks: on WHOSAID_TEST_MONGO_URI, else on an embedded FerretDB stand-in (slow: it scans)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 1x -timeout 30m ./internal/mongostore

bench-api: ## load figures of the HTTP API on a temporary embedded store (about 3 minutes; flags: go run ./cmd/whosaid-load -h)
	$(GO) run ./cmd/whosaid-load --go '$(GO)'

# The shipped speaker ranker, trained on the train splits of ../shared/eval.
EVAL  ?= ../shared/eval
MODEL_GOLD ?= $(EVAL)/polnear_train.jsonl $(EVAL)/de_news_quotes_train.jsonl
model: ## retrain the shipped speaker ranker (internal/extract/model/ranker.bin) from $(EVAL) train files
	$(GO) run ./cmd/whosaid train --seed 1 --out internal/extract/model/ranker.bin $(MODEL_GOLD)

# Browser tests and screenshots of the newsroom pages (internal/web): Debian's
# chromium (apt-get install chromium) driven by playwright-core from
# node_modules (npm ci); never `npx playwright install`.
CHROMIUM ?= /usr/bin/chromium
E2E_BIN  := bin/whosaid-e2e

$(E2E_BIN): FORCE
	$(GO) build -o $(E2E_BIN) ./cmd/whosaid

.PHONY: FORCE
FORCE:

node_modules/playwright-core: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

e2e: $(E2E_BIN) node_modules/playwright-core ## browser tests of the web pages in $(CHROMIUM) (playwright-core; a server on a temp dir)
	@test -x $(CHROMIUM) || { echo "e2e: no $(CHROMIUM); apt-get install -y chromium (or CHROMIUM=/path)" >&2; exit 1; }
	WHOSAID_BIN=$(E2E_BIN) CHROMIUM=$(CHROMIUM) node e2e/ui.spec.mjs

screenshots: $(E2E_BIN) node_modules/playwright-core ## regenerate e2e/screenshots/*.png: each page at 1280 and 390 px wide
	@test -x $(CHROMIUM) || { echo "screenshots: no $(CHROMIUM); apt-get install -y chromium (or CHROMIUM=/path)" >&2; exit 1; }
	WHOSAID_BIN=$(E2E_BIN) CHROMIUM=$(CHROMIUM) node e2e/screenshots.mjs e2e/screenshots

clean: ## remove the binary
	rm -rf bin
