#!/bin/bash
# test_api.sh: what the route declarations and the feedback service promise, end to end.
#
#	tests/integration/test_api.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx on a real MariaDB: list cursors are signed
# and bound to their project (a forged, altered or foreign cursor is 400),
# metadata numbers come back as written (-0 stays -0), and the per-project
# concurrency cap on list/search answers 429 beyond it while other projects
# are served.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=3

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')

setup() {
	mkdir -p "$T/api"
	CONF="$T/api/hark.conf"
	write_hark_conf "$CONF" log.file="$T/api/hark.log" \
	    server.workers="$WORKERS" limits.rate_limit=100000 \
	    limits.list_concurrency=1
	PRJ_A=$(ctl project create "Project A") || exit 2
	PRJ_B=$(ctl project create "Project B") || exit 2
	KEY_A=$(ctl key create "$PRJ_A") || exit 2
	KEY_B=$(ctl key create "$PRJ_B") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start api-nginx "$PORT" "$T/api/hark.sock" || exit 2
	hark_standalone api "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

# body_has TEXT: the last response's body holds TEXT, byte for byte.
body_has() { [[ $R_BODY == *"$1"* ]]; }

# b64url STRING: unpadded base64url, as the server writes cursors.
b64url() { printf '%s' "$1" | base64 -w0 | tr '+/' '-_' | tr -d '='; }

test_cursors() {
	local i c next alt
	t_ctx cursors
	for i in 1 2 3; do
		req POST "$URL/v1/feedback" -H "Authorization: Bearer $KEY_A" \
		    "${JSON_CT[@]}" -d "{\"text\":\"cursor item $i\"}"
	done
	req GET "$URL/v1/feedback?limit=1" -H "Authorization: Bearer $KEY_A"
	check_status "a first page" 200
	next=$(json nextCursor)
	check "with a nextCursor" test -n "$next" -a "$next" != null
	req GET "$URL/v1/feedback?limit=1&cursor=$next" \
	    -H "Authorization: Bearer $KEY_A"
	check_status "the cursor the server gave is good" 200
	check "and serves the next item" test "$(json data.0.text)" = "cursor item 2"
	# The old unsigned shape, well formed: was 200 with the rows before it.
	c=$(b64url "2099-01-01 00:00:00.000000|fb_0123456789abcdefghjkmnpqrs")
	req GET "$URL/v1/feedback?cursor=$c" -H "Authorization: Bearer $KEY_A"
	check_hark_error "a forged cursor: 400" 400
	check_json "code invalid_value" error.code invalid_value
	check_json "field cursor" error.field cursor
	alt=${next:0:3}$( [ "${next:3:1}" = A ] && echo B || echo A )${next:4}
	req GET "$URL/v1/feedback?cursor=$alt" -H "Authorization: Bearer $KEY_A"
	check_hark_error "an altered cursor: 400" 400
	req GET "$URL/v1/feedback?cursor=$next" -H "Authorization: Bearer $KEY_B"
	check_hark_error "another project's cursor: 400" 400
	check "one key file in the state directory, 0600" test \
	    "$(stat -c %a "$T/state/cursor.key" 2>/dev/null)" = 600
}

test_minus_zero() {
	local id
	t_ctx "metadata -0"
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $KEY_A" \
	    "${JSON_CT[@]}" -d '{"text":"negative zero","metadata":{"z":-0,"n":[-0,0]}}'
	check_status "accepted" 201
	id=$(json id)
	check "the 201 shows -0 as sent" body_has '"metadata":{"z":-0,"n":[-0,0]}'
	check "stored verbatim" test "$(sql "SELECT metadata FROM feedback WHERE id = '$id'")" = '{"z":-0,"n":[-0,0]}'
	req GET "$URL/v1/feedback/$id" -H "Authorization: Bearer $KEY_A"
	check "and read back as -0" body_has '"metadata":{"z":-0,"n":[-0,0]}'
}

# lists_waiting: listing statements of hark's waiting on the table lock.
lists_waiting() {
	test "$(sql "SELECT COUNT(*) FROM information_schema.processlist
	    WHERE user = '$HARK_DB_USER' AND state LIKE 'Waiting for table%'")" -ge "$1"
}

# With list_concurrency = 1, a project's list held in the database (the
# feedback table locked) keeps its one place: the project's next list is
# 429 at once, another project's is let in (and served once the lock goes).
test_concurrency_gate() {
	local locker a_pid b_pid
	t_ctx "concurrency gate"
	mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`;
	    LOCK TABLES feedback WRITE; SELECT SLEEP(5); UNLOCK TABLES;" \
	    >/dev/null 2>&1 &
	locker=$!
	sleep 0.5
	curl -sS -o "$T/api/a.body" -w '%{http_code}' --max-time 20 \
	    -H "Authorization: Bearer $KEY_A" "$URL/v1/feedback?q=held" \
	    >"$T/api/a.code" 2>/dev/null &
	a_pid=$!
	check "project A's search waits in the database" wait_until 4 lists_waiting 1
	req GET "$URL/v1/feedback?limit=1" -H "Authorization: Bearer $KEY_A"
	check_hark_error "A's next list while it holds the place: 429" 429
	check_json "code too_many_concurrent_requests" error.code \
	    too_many_concurrent_requests
	check "Retry-After: 1" test "$(hdr Retry-After)" = 1
	curl -sS -o "$T/api/b.body" -w '%{http_code}' --max-time 20 \
	    -H "Authorization: Bearer $KEY_B" "$URL/v1/feedback?limit=1" \
	    >"$T/api/b.code" 2>/dev/null &
	b_pid=$!
	check "project B's list is let in (it waits on the lock, not the gate)" \
	    wait_until 4 lists_waiting 2
	wait "$locker" "$a_pid" "$b_pid"
	check "A's held search is answered 200" test "$(cat "$T/api/a.code")" = 200
	check "B's list is answered 200" test "$(cat "$T/api/b.code")" = 200
	req GET "$URL/v1/feedback?limit=1" -H "Authorization: Bearer $KEY_A"
	check_status "A's place was given back: the next list is served" 200
}

t_init "${1:-}" api
t_db
setup
test_cursors
test_minus_zero
test_concurrency_gate
t_ctx
t_summary
