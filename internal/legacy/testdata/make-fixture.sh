#!/bin/sh
# make-fixture.sh writes ferretdb-v1/ (a data directory of the previous
# release, FerretDB v1.24 SQLite files) and ferretdb-v1.json (what it
# holds), with the binary of the previous release (commit d480791):
#
#   git worktree add --detach /tmp/prev d480791
#   (cd /tmp/prev && CGO_ENABLED=0 go build -o /tmp/prev-bin/whosaid ./cmd/whosaid)
#   internal/legacy/testdata/make-fixture.sh /tmp/prev-bin/whosaid /work/shared/eval/seed.jsonl
#
# Everything listens on and talks to 127.0.0.1 only; the subscription's
# target is the discard port of loopback, so its delivery fails and is
# logged. Needs curl and jq.
set -eu
bin=$1
seed=$2
here=$(cd "$(dirname "$0")" && pwd)
dir=$here/ferretdb-v1
addr=127.0.0.1:18931
rm -rf "$dir"
mkdir -p "$dir"

key=$("$bin" keys create --data-dir "$dir" --name fixture-admin --scope admin --json 2>/dev/null)
secret=$(printf '%s' "$key" | jq -r .secret)
keyid=$(printf '%s' "$key" | jq -r .id)
"$bin" keys create --data-dir "$dir" --name fixture-reader --scope read --json >/dev/null 2>&1

"$bin" serve --data-dir "$dir" --addr "$addr" --auth on --webhook-allow-private on >"$here/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for i in $(seq 1 100); do
	curl -sf "http://$addr/readyz" >/dev/null && break
	sleep 0.2
done
api() { curl -sf -H "Authorization: Bearer $secret" -H 'Content-Type: application/json' "$@"; }

# The seed article, with an Idempotency-Key.
head -n 1 "$seed" | jq -c '{text, url: "https://seed.example.org/riyadh", title: "US, Russian officials begin meeting in Riyadh",
	published_at: "2025-02-18T09:00:00Z", outlet: "Seed Wire", language: "en"}' |
	api -H 'Idempotency-Key: fixture-seed-1' "http://$addr/v1/articles" -d @- >"$here/a1.json"
# Two small articles of our own.
api "http://$addr/v1/articles" -d '{"text": "\"We will rebuild the bridge by spring,\" said Ana Ruiz, the mayor of Lakeview. \"Nobody will be left behind,\" Ruiz added.\n\nCouncillor Tom Berg said the plan was \"too expensive for a town this size\".",
	"url": "https://lakeview.example.org/bridge", "title": "Bridge to be rebuilt", "published_at": "2025-03-01T08:30:00Z", "outlet": "Lakeview Post", "language": "en"}' >"$here/a2.json"
api "http://$addr/v1/articles" -d '{"text": "Mayor A. Ruiz said on Monday: \"The bridge opens in April.\" Berg replied that \"the budget is still not clear\".",
	"title": "Bridge date set", "published_at": "2025-04-02T10:00:00Z", "outlet": "Lakeview Post"}' >"$here/a3.json"

# Merge: the speaker of the third article's first quote into the second's.
to=$(jq -r '.quotes[0].speaker_id' "$here/a2.json")
from=$(jq -r '.quotes[0].speaker_id' "$here/a3.json")
if [ "$to" != "$from" ]; then
	api "http://$addr/v1/speakers/$to:merge" -d "{\"from\": [\"$from\"]}" >"$here/merge.json"
fi
# A correction: the last quote of the second article changes kind.
q=$(jq -r '.quotes[-1].id' "$here/a2.json")
api -X PATCH -H 'Content-Type: application/merge-patch+json' "http://$addr/v1/quotes/$q" -d '{"kind": "indirect"}' >"$here/correct.json"
# The seed article's last quote is hidden.
h=$(jq -r '.quotes[-1].id' "$here/a1.json")
api -X PATCH -H 'Content-Type: application/merge-patch+json' "http://$addr/v1/quotes/$h" -d '{"hidden": true}' >/dev/null
# A speaker gets a Wikidata id (invented).
api -X PATCH -H 'Content-Type: application/merge-patch+json' "http://$addr/v1/speakers/$to" -d '{"wikidata_id": "Q99999901"}' >/dev/null

# A subscription on loopback's discard port, then an article whose quote
# matches it: one failed delivery in the log.
api "http://$addr/v1/subscriptions" -d '{"url": "http://127.0.0.1:9/hook", "q": "ferry"}' >"$here/sub.json"
api "http://$addr/v1/articles" -d '{"text": "\"The ferry runs until the bridge opens,\" said Ana Ruiz.", "url": "https://lakeview.example.org/ferry", "published_at": "2025-04-03T07:00:00Z", "outlet": "Lakeview Post"}' >"$here/a4.json"
sleep 3

# What the directory holds, read back through the API.
{
	printf '{"admin_key_id": "%s", "merge_into": "%s", "merged_away": "%s", "corrected_quote": "%s", "hidden_quote": "%s",' "$keyid" "$to" "$from" "$q" "$h"
	printf '"idempotency_keys": ["fixture-seed-1"]'
	printf ', "articles": '; jq -s -c '[.[] | {id: .article.id, quotes: [.quotes[].id]}]' "$here"/a[1-4].json
	printf ', "statements": '; jq -s -c '[.[].quotes[].statement_id | select(. != null)] | unique' "$here"/a[1-4].json
	printf ', "visible_quotes": '; api "http://$addr/v1/quotes?page_size=100" | jq -c '[.quotes[].id] | sort'
	printf ', "speakers": '; api "http://$addr/v1/speakers?page_size=100" | jq -c '[.speakers[].id] | sort'
	printf ', "keys": '; api "http://$addr/v1/keys" | jq -c '[.keys[].id] | sort'
	printf ', "subscriptions": '; api "http://$addr/v1/subscriptions" | jq -c '[.subscriptions[].id] | sort'
	printf ', "deliveries": '; api "http://$addr/v1/subscriptions/$(jq -r .id "$here/sub.json")/deliveries" | jq -c '[.deliveries[].id] | sort'
	printf '}\n'
} | jq . >"$here/ferretdb-v1.json"

kill -INT $pid
wait $pid || true
trap - EXIT
rm -f "$here"/a[1-4].json "$here/merge.json" "$here/correct.json" "$here/sub.json"
rm -f "$here/serve.log"
