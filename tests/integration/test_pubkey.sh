#!/bin/bash
# test_pubkey.sh: a widget source's public key (pk_...) may submit and nothing else.
#
#	tests/integration/test_pubkey.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx on a real MariaDB.  The earshot seed's
# header pair (x-earshot-project + x-earshot-key) and hark's own
# (X-Hark-Project + X-Hark-Key) with a pk_ key file feedback (201, channel
# widget, the source recorded) as an sk_ key does; a pk_ key on the list,
# an item or a delete is 401; another project's header, a disabled or
# unknown source's key are refused (the unknown one counted by the
# failed-auth lock-out); an Origin outside the source's allowlist is 403,
# one inside it is served with CORS headers; and a source's small limit per
# (client address, source) answers 429 beyond it, with RateLimit-* headers.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=2
AUTH_FAILURES=6

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')
# The seed's JSON submission, as the JSON path takes it today.
SEED_BODY='{"text":"The export button does nothing on Safari","page":"https://app.example.com/reports"}'

# source_id PUBLIC_KEY: the id of the source that key belongs to.
source_id() {
	sql "SELECT id FROM sources WHERE public_key = SHA2('$1', 256)"
}

setup() {
	mkdir -p "$T/pk"
	CONF="$T/pk/hark.conf"
	write_hark_conf "$CONF" log.file="$T/pk/hark.log" \
	    server.workers="$WORKERS" limits.rate_limit=100000 \
	    limits.auth_failures="$AUTH_FAILURES" \
	    server.trusted_proxies="127.0.0.1, ::1"
	PRJ_A=$(ctl project create "Project A") || exit 2
	PRJ_B=$(ctl project create "Project B") || exit 2
	SK_A=$(ctl key create "$PRJ_A") || exit 2
	PK_A=$(ctl source create "$PRJ_A" --name widget) || exit 2
	PK_LIM=$(ctl source create "$PRJ_A" --name limited) || exit 2
	PK_ORIG=$(ctl source create "$PRJ_A" --name site) || exit 2
	PK_OFF=$(ctl source create "$PRJ_A" --name disabled) || exit 2
	SRC_A=$(source_id "$PK_A")
	sql "UPDATE sources SET rate_limit = 3 WHERE id = '$(source_id "$PK_LIM")';
	    INSERT INTO source_origins (source_id, pattern)
	    VALUES ('$(source_id "$PK_ORIG")', 'https://shop.example.com');
	    UPDATE sources SET disabled_at = UTC_TIMESTAMP(6)
	    WHERE id = '$(source_id "$PK_OFF")'" || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start pk-nginx "$PORT" "$T/pk/hark.sock" || exit 2
	hark_standalone pk "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

test_storage() {
	t_ctx storage
	check "a source's key is stored as its SHA-256 only" \
	    test "$(sql "SELECT COUNT(*) FROM sources WHERE public_key LIKE 'pk\\_%'")" = 0
	check "and found by it" test -n "$SRC_A"
	check "source list does not show the key" \
	    eval "! ctl source list '$PRJ_A' | grep -q '$PK_A'"
	check "the log never holds a key" eval "! grep -q 'pk_' '$T/pk/hark.log'"
}

test_submit() {
	local id
	t_ctx submit
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_A" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "the seed's headers with pk_: 201" 201
	id=$(json id)
	check "the row is the widget's" test "$(sql "SELECT CONCAT(channel, ' ',
	    source_id) FROM feedback WHERE id = '$id'")" = "widget $SRC_A"
	req POST "$URL/v1/feedback" -H "X-Hark-Project: $PRJ_A" \
	    -H "X-Hark-Key: $PK_A" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "X-Hark-Project + X-Hark-Key with pk_: 201" 201
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $SK_A" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "the seed's headers with sk_: 201" 201
	id=$(json id)
	check "an sk_ row is api, with no source" test "$(sql "SELECT
	    CONCAT(channel, ' ', COALESCE(source_id, '-')) FROM feedback
	    WHERE id = '$id'")" = "api -"
	PK_ITEM=$id
	req POST "$URL/v1/feedback" -H "x-earshot-key: $PK_A" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_hark_error "pk_ without the project header: 400" 400
	check_json "code missing_project" error.code missing_project
}

test_submit_only() {
	t_ctx "submit only"
	req GET "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_A"
	check_hark_error "pk_ on GET /v1/feedback: 401" 401
	check_json "code public_key_not_allowed" error.code public_key_not_allowed
	req GET "$URL/v1/feedback/$PK_ITEM" -H "X-Hark-Project: $PRJ_A" \
	    -H "X-Hark-Key: $PK_A"
	check_hark_error "pk_ on GET /v1/feedback/{id}: 401" 401
	req DELETE "$URL/v1/feedback/$PK_ITEM" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_A"
	check_hark_error "pk_ on DELETE /v1/feedback/{id}: 401" 401
	check "the item is still there" test "$(sql "SELECT COUNT(*) FROM feedback
	    WHERE id = '$PK_ITEM'")" = 1
	req GET "$URL/v1/feedback" -H "Authorization: Bearer $PK_A"
	check_hark_error "pk_ as a Bearer on the list: 401" 401
	check "none of these is a failed authentication" test "$(sql "SELECT
	    COUNT(*) FROM audit_log WHERE action = 'auth_failed'")" = 0
}

test_refused() {
	local before after
	t_ctx refused
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_B" \
	    -H "x-earshot-key: $PK_A" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_hark_error "another project's header: 401, as for secret keys" 401
	check_json "field X-Hark-Project" error.field X-Hark-Project
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_B" \
	    -H "x-earshot-key: $PK_A" "${JSON_CT[@]}" \
	    -d "{\"text\":\"x\",\"projectId\":\"$PRJ_B\"}"
	check_hark_error "and with that projectId too" 401
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_A" "${JSON_CT[@]}" \
	    -d "{\"text\":\"x\",\"projectId\":\"$PRJ_B\"}"
	check_hark_error "a body projectId of another project: 403" 403
	check_json "code wrong_project" error.code wrong_project
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_OFF" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_hark_error "a disabled source's key: 401" 401
	check_json "code invalid_key" error.code invalid_key
	before=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'auth_failed'
	    AND detail = 'unknown public key'")
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: pk_00000000000000000000000000000000" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_hark_error "an unknown pk_: 401" 401
	check_json "code invalid_key" error.code invalid_key
	after=$(sql "SELECT COUNT(*) FROM audit_log WHERE action = 'auth_failed'
	    AND detail = 'unknown public key'")
	check "audited" test "$after" = $((before + 1))
}

test_origin() {
	t_ctx origin
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_ORIG" -H "Origin: https://evil.example.net" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_hark_error "an Origin outside the source's list: 403" 403
	check_json "code origin_not_allowed" error.code origin_not_allowed
	check "not readable by that page" test -z "$(hdr Access-Control-Allow-Origin)"
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_ORIG" -H "Origin: https://shop.example.com" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "an allowed Origin: 201" 201
	check "with Access-Control-Allow-Origin" \
	    test "$(hdr Access-Control-Allow-Origin)" = https://shop.example.com
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_ORIG" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "no Origin (a server): 201" 201
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK_A" \
	    -H "Origin: https://evil.example.net" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "the source's list binds its key only: sk_ 201" 201
}

test_rate() {
	local i
	t_ctx "rate limit"
	for i in 1 2 3; do
		req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
		    -H "x-earshot-key: $PK_LIM" "${JSON_CT[@]}" -d "$SEED_BODY"
		check_status "submission $i of 3: 201" 201
	done
	check "RateLimit-Limit: 3" test "$(hdr RateLimit-Limit)" = 3
	check "RateLimit-Remaining: 0" test "$(hdr RateLimit-Remaining)" = 0
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_LIM" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_hark_error "the 4th: 429" 429
	check_json "code rate_limited" error.code rate_limited
	check "with Retry-After" test -n "$(hdr Retry-After)"
	check "and RateLimit-Limit" test "$(hdr RateLimit-Limit)" = 3
	# Polls are counted apart, at ten times the limit.
	req GET "$URL/v1/feedback/session/0193a3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b/state" \
	    -H "x-earshot-project: $PRJ_A" -H "x-earshot-key: $PK_LIM"
	check_status "a state poll past the submissions' limit: not 429" 404
	check "polls have their own limit, 30" test "$(hdr RateLimit-Limit)" = 30
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_A" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "another source from the same address: 201" 201
	# nginx is a trusted proxy here: X-Forwarded-For names the client.
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_LIM" -H "X-Forwarded-For: 198.51.100.7" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "the same source from another address: 201" 201
	check "its own count: RateLimit-Remaining 2" \
	    test "$(hdr RateLimit-Remaining)" = 2
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK_A" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "the project's secret key is not held back by it" 201

	# The address's block (/24) and source counts too: 4 x the limit per
	# (block, source), so 12 from 203.0.113.0/24 whatever the addresses.
	local a n=0 last=
	for a in 1 2 3 4; do
		for i in 1 2 3; do
			req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
			    -H "x-earshot-key: $PK_LIM" \
			    -H "X-Forwarded-For: 203.0.113.$a" \
			    "${JSON_CT[@]}" -d "$SEED_BODY"
			[ "$R_STATUS" = 201 ] && n=$((n + 1))
		done
	done
	check "12 from four addresses of one /24: all 201" test "$n" = 12
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_LIM" -H "X-Forwarded-For: 203.0.113.99" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_hark_error "a fresh address of that /24: 429 (the block's count)" 429
	check "RateLimit-Limit names the block's 12" \
	    test "$(hdr RateLimit-Limit)" = 12
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_LIM" -H "X-Forwarded-For: 203.0.114.1" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "an address of another /24: 201" 201
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_LIM" -H "X-Forwarded-For: 2001:db8:5:6::1" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "an IPv6 client: 201" 201
}

# Last: it locks this address out of failed authentications.
test_lockout() {
	local i
	t_ctx lock-out
	for i in $(seq 1 "$AUTH_FAILURES"); do
		req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
		    -H "x-earshot-key: pk_0000000000000000000000000000000$i" \
		    "${JSON_CT[@]}" -d "$SEED_BODY"
	done
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: pk_11111111111111111111111111111111" \
	    "${JSON_CT[@]}" -d "$SEED_BODY"
	check_hark_error "unknown pk_ keys count: past the limit, 429" 429
	check_json "code too_many_failures" error.code too_many_failures
	req POST "$URL/v1/feedback" -H "x-earshot-project: $PRJ_A" \
	    -H "x-earshot-key: $PK_A" "${JSON_CT[@]}" -d "$SEED_BODY"
	check_status "a valid pk_ from the address is still served" 201
}

t_init "${1:-}" pk
t_db
setup
test_storage
test_submit
test_submit_only
test_refused
test_origin
test_rate
test_lockout
t_ctx
t_summary
