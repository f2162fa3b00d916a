#!/bin/bash
# probe.sh: the answers doc/openapi.yaml describes that no other suite asks for.
#
#	tests/openapi/probe.sh BUILD_DIR
#
# HEAD and OPTIONS on every path, 405 on each path, and 401, 403
# (origin_not_allowed), 429 (rate_limited, too_many_failures) and 503 on
# GET/HEAD/DELETE of an item and on the list, behind nginx on a private
# MariaDB that is stopped for the 503s.  It checks statuses and the headers
# that carry the meaning; test.sh runs it with HARK_RESPONSE_LOG set, so
# tests/openapi/validate.js then holds each answer to the reference.
set -u -o pipefail
. "$(dirname "$0")/../integration/lib.sh"

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }

# want NAME STATUS HEADER...: the last answer's status, and each HEADER there.
want() {
	local name=$1 status=$2 h missing=
	shift 2
	for h in "$@"; do
		[ -n "$(hdr "$h")" ] || missing="$missing $h"
	done
	if [ "$R_STATUS" != "$status" ]; then
		fail "$name" "status $R_STATUS, want $status; body: ${R_BODY:0:200}"
	elif [ -n "$missing" ]; then
		fail "$name" "no$missing"
	else
		pass "$name"
	fi
}

t_init "${1:-}" openapi-probe
t_db private
mkdir -p "$T/p"
CONF="$T/p/hark.conf"
write_hark_conf "$CONF" log.file="$T/p/hark.log" server.workers=2 \
    limits.rate_limit=100000 limits.auth_failures=3
PRJ_A=$(ctl project create "A") || exit 2
KEY_A=$(ctl key create "$PRJ_A") || exit 2
PRJ_R=$(ctl project create "Rate limited") || exit 2
KEY_R=$(ctl key create "$PRJ_R") || exit 2
ctl project rate-limit "$PRJ_R" 2 >/dev/null || exit 2
ctl origin add "$PRJ_A" https://ok.example.com >/dev/null || exit 2
PORT=$(pick_port) || exit 2
URL="http://127.0.0.1:$PORT"
nginx_start p-nginx "$PORT" "$T/p/hark.sock" || exit 2
hark_standalone p "$CONF" 2 || exit 2
wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }

A=(-H "Authorization: Bearer $KEY_A")
R=(-H "Authorization: Bearer $KEY_R")
EVIL=(-H "Origin: https://evil.example.com")

t_ctx setup
req POST "$URL/v1/feedback" "${A[@]}" -H 'Content-Type: application/json' \
    --data-binary '{"text":"the probe was here"}'
want "an item to probe" 201 Location RateLimit-Limit
ID=$(json id 2>/dev/null)
ITEM="$URL/v1/feedback/$ID"

t_ctx HEAD
req HEAD "$URL/v1/health"
want "HEAD /v1/health" 200 Content-Type
req HEAD "$URL/v1/feedback?limit=1" "${A[@]}"
want "HEAD of the list" 200 RateLimit-Limit RateLimit-Remaining RateLimit-Reset
req HEAD "$URL/v1/feedback?nope=1" "${A[@]}"
want "HEAD of the list, unknown parameter" 400
req HEAD "$ITEM" "${A[@]}"
want "HEAD of an item" 200 RateLimit-Limit
req HEAD "$URL/v1/feedback/fb_nope" "${A[@]}"
want "HEAD of no item" 404
req HEAD "$URL/v1/feedback"
want "HEAD without a key" 401 WWW-Authenticate

t_ctx OPTIONS
req OPTIONS "$URL/v1/health"
want "OPTIONS /v1/health" 204 Allow
check "its Allow has OPTIONS" test "$(hdr Allow)" = "GET, HEAD, OPTIONS"
req OPTIONS "$URL/v1/health" -H "Origin: https://x.example.com"
want "preflight of /v1/health" 204 Access-Control-Allow-Methods Access-Control-Max-Age
req OPTIONS "$ITEM" -H "Origin: https://x.example.com"
want "preflight of an item" 204 Allow Access-Control-Allow-Origin
check "its Allow" test "$(hdr Allow)" = "GET, HEAD, DELETE, PATCH, OPTIONS"
req OPTIONS "$ITEM" -H "Origin: bogus"
check_hark_error "a preflight from a bad Origin" 403

t_ctx 405
req POST "$ITEM" "${A[@]}"
want "POST on an item" 405 Allow
req PUT "$ITEM" "${A[@]}"
want "PUT on an item" 405 Allow
req PUT "$URL/v1/feedback" "${A[@]}"
want "PUT on the list" 405 Allow

req DELETE "$URL/v1/feedback/..%2fx" "${A[@]}"
check_hark_error "DELETE of an encoded slash" 400

t_ctx 401
req GET "$ITEM"
want "GET of an item without a key" 401 WWW-Authenticate
req DELETE "$ITEM" -H "Authorization: Bearer sk_bogus"
want "DELETE of an item with a bad key" 401 WWW-Authenticate
req GET "$URL/v1/feedback" -H "X-Hark-Key: $KEY_A"
check_hark_error "a key without its project" 400

t_ctx 403
req GET "$ITEM" "${A[@]}" "${EVIL[@]}"
check_hark_error "GET of an item from a refused origin" 403
check "not readable by that page" test -z "$(hdr Access-Control-Allow-Origin)"
req DELETE "$ITEM" "${A[@]}" "${EVIL[@]}"
check_hark_error "DELETE of an item from a refused origin" 403
req GET "$URL/v1/feedback" "${A[@]}" "${EVIL[@]}"
check_hark_error "the list from a refused origin" 403
req HEAD "$URL/v1/feedback" "${A[@]}" "${EVIL[@]}"
want "HEAD of the list from a refused origin" 403
req GET "$ITEM" "${A[@]}" -H "Origin: https://ok.example.com"
want "an allowed origin reads the item" 200 Access-Control-Allow-Origin

t_ctx 429
# Two a minute: the third request of project R is over.
req GET "$ITEM" "${R[@]}"
req GET "$ITEM" "${R[@]}"
req GET "$ITEM" "${R[@]}"
want "GET of an item over the limit" 429 Retry-After RateLimit-Limit
req DELETE "$ITEM" "${R[@]}"
want "DELETE of an item over the limit" 429 Retry-After
req HEAD "$ITEM" "${R[@]}"
want "HEAD of an item over the limit" 429 Retry-After
req GET "$URL/v1/feedback" "${R[@]}"
want "the list over the limit" 429 Retry-After RateLimit-Remaining
for i in 1 2 3 4; do
	req GET "$ITEM" -H "Authorization: Bearer sk_bad$i"
done
want "bad keys past auth_failures" 429 Retry-After
check_json "are too_many_failures" error.code too_many_failures
req DELETE "$ITEM" -H "Authorization: Bearer sk_bad"
want "DELETE with a bad key, locked out" 429 Retry-After
req HEAD "$URL/v1/feedback" -H "Authorization: Bearer sk_bad"
want "HEAD with a bad key, locked out" 429 Retry-After

t_ctx delete
req DELETE "$ITEM" "${A[@]}"
want "DELETE of the item" 204 RateLimit-Limit

t_ctx 503
mariadb_stop "$T/db"
T_DB_PRIVATE=
req GET "$ITEM" "${A[@]}"
want "GET of an item, database down" 503 Retry-After
req DELETE "$ITEM" "${A[@]}"
want "DELETE of an item, database down" 503 Retry-After
req GET "$URL/v1/feedback" "${A[@]}"
want "the list, database down" 503 Retry-After
req HEAD "$URL/v1/feedback" "${A[@]}"
want "HEAD of the list, database down" 503 Retry-After
req POST "$URL/v1/feedback" "${A[@]}" -H 'Content-Type: application/json' \
    --data-binary '{"text":"nowhere to go"}'
want "POST, database down" 503 Retry-After
req GET "$URL/v1/health"
want "health, database down" 503 Retry-After
req HEAD "$URL/v1/health"
want "HEAD of health, database down" 503 Retry-After

t_summary
