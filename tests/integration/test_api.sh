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
	    server.workers="$WORKERS" limits.rate_limit=100000 "$@"
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

t_init "${1:-}" api
t_db
setup
test_cursors
test_minus_zero
t_ctx
t_summary
