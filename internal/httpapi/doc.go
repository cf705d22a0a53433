// Package httpapi is the REST API of whosaid, on gin. Every route is listed
// in routes.go; handlers are methods on *Server and declare the small
// interfaces they need (Pinger, Extractor), which the caller injects through
// Options. Every error response is an RFC 9457 problem document written by
// errors.go.
//
// The swag annotations below and on the handlers generate the OpenAPI 3.1
// document in docs/ (make docs), which the server serves at /openapi.json.
//
// swag v2 gives a response the media types of the @Produce line above it,
// and at the end adds the last @Produce types to every 2xx response that
// lacks them. So each handler lists @Produce application/problem+json and
// its @Failure lines first, then @Produce json and its @Success lines last.
//
//	@title			whosaid API
//	@version		0.1.0
//	@description	whosaid finds quotes in news articles and says who said them.
//	@description
//	@description	Offsets: every span (start, end) is a half-open range counted in the unit the request asks for: Unicode code points by default (Python string indices), UTF-16 code units (JavaScript) or UTF-8 bytes (Go).
//	@description
//	@description	Errors are RFC 9457 problem documents (application/problem+json) whose `type` is a stable URI per kind of problem (see the Problem schema); `detail` is for people.
//	@description
//	@description	Strings: every string of a JSON body must be valid UTF-8 without NUL (U+0000); escaped lone surrogates (`\ud800`) are refused, not read as U+FFFD (422 naming the field).
//	@description
//	@description	Conditional writes: `If-Match` takes `*` or a list of entity tags compared strongly (RFC 9110): a weak tag `W/"3"` never matches.
//	@description
//	@description	HEAD is answered wherever GET is.
//	@description
//	@description					Access: when the server runs with `--auth on`, every /v1 route needs `Authorization: Bearer <key>`; a key's scope is read (GET), write (also ingest, extract, edit) or admin (also keys and merges). A missing, unknown or revoked key is a 401, a key whose scope is too small a 403.
//	@description					Rate limits: /v1 requests are limited per key (per client address without one); every answer carries `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), and a refused request gets 429 with `Retry-After`.
//	@description					Every answer carries `X-Request-ID` (the client's own when it sends a usable one), also written in the server's logs.
//	@servers.url					/
//	@servers.description			This server: paths are relative to the address the document was fetched from.
//	@license.name					Apache-2.0
//	@license.url					https://www.apache.org/licenses/LICENSE-2.0
//	@externalDocs.description		Source code and README
//	@externalDocs.url				https://github.com/whosaid/whosaid
//	@tag.name						extract
//	@tag.description				Find quotes and speakers in a text without storing anything.
//	@tag.name						articles
//	@tag.description				Store articles; their quotes are extracted and kept with them.
//	@tag.name						quotes
//	@tag.description				Search the stored quotes.
//	@tag.name						speakers
//	@tag.description				Speakers across articles: search, edit, merge.
//	@tag.name						statements
//	@tag.description				The same words of a speaker across outlets: statements, verification, ClaimReview export.
//	@tag.name						subscriptions
//	@tag.description				Webhooks: new quotes of chosen speakers or words, POSTed and signed (Standard Webhooks).
//	@tag.name						keys
//	@tag.description				API keys (admin scope).
//	@tag.name						ops
//	@tag.description				Health checks, metrics and API documentation.
//
//	@securityDefinitions.bearerauth	BearerAuth
//	@description					An API key made by `whosaid keys create` or POST /v1/keys, sent as `Authorization: Bearer wsk_...`. Required only when the server runs with --auth on.
package httpapi
