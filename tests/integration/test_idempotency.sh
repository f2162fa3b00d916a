#!/bin/bash
# test_idempotency.sh: Idempotency-Key on POST /v1/feedback, end to end.
#
#	tests/integration/test_idempotency.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx on a real MariaDB: a retry with the same key
# is the first answer again and files nothing; other content under the key is
# 422; a retry while the first is held in the database is 409; a bad key is
# 400; the record survives a restart; keys are per project.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=3

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')

setup() {
	mkdir -p "$T/idem"
	CONF="$T/idem/hark.conf"
	write_hark_conf "$CONF" log.file="$T/idem/hark.log" \
	    server.workers="$WORKERS" limits.rate_limit=100000
	PRJ_A=$(ctl project create "Project A") || exit 2
	PRJ_B=$(ctl project create "Project B") || exit 2
	KEY_A=$(ctl key create "$PRJ_A") || exit 2
	KEY_B=$(ctl key create "$PRJ_B") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start idem-nginx "$PORT" "$T/idem/hark.sock" || exit 2
	start_hark
}

start_hark() {
	hark_standalone idem "$CONF" "$WORKERS" || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

# post KEY IDEM TEXT: a submission with an Idempotency-Key.
post() {
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $1" \
	    -H "Idempotency-Key: $2" "${JSON_CT[@]}" -d "{\"text\":\"$3\"}"
}

rows_with() { sql "SELECT COUNT(*) FROM feedback WHERE text = '$1'"; }

test_replay() {
	local first loc
	t_ctx replay
	post "$KEY_A" key-one "idem replay item"
	check_status "the first request files it" 201
	first=$R_BODY
	loc=$(hdr Location)
	check "no Idempotent-Replayed on the first" test -z "$(hdr Idempotent-Replayed)"
	post "$KEY_A" key-one "idem replay item"
	check_status "the retry answers 201 again" 201
	check "with the same body, byte for byte" test "$R_BODY" = "$first"
	check "and Idempotent-Replayed: true" test "$(hdr Idempotent-Replayed)" = true
	check "and the same Location" test "$(hdr Location)" = "$loc"
	check "one row in the database" test "$(rows_with 'idem replay item')" = 1
	# The same feedback serialised otherwise is the same request.
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $KEY_A" \
	    -H "Idempotency-Key: key-one" "${JSON_CT[@]}" \
	    -d '{ "text" : "idem replay item" }'
	check_status "other whitespace, same content: replayed" 201
	check "still one row" test "$(rows_with 'idem replay item')" = 1
	# A page's script reads the replay marker only if it is exposed.
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $KEY_A" \
	    -H "Origin: https://app.example.com" \
	    -H "Idempotency-Key: key-one" "${JSON_CT[@]}" \
	    -d '{"text":"idem replay item"}'
	check_status "a browser's retry is replayed too" 201
	check "and Idempotent-Replayed is exposed to its script" eval \
	    "hdr Access-Control-Expose-Headers | grep -q 'Idempotent-Replayed'"
}

test_reused() {
	t_ctx reused
	post "$KEY_A" key-one "idem other content"
	check_hark_error "the key with other content: 422" 422
	check_json "code idempotency_key_reused" error.code idempotency_key_reused
	check_json "naming the header" error.field Idempotency-Key
	check "no row filed" test "$(rows_with 'idem other content')" = 0
}

test_bad_keys() {
	local long
	t_ctx "bad keys"
	long=$(printf 'k%.0s' $(seq 256))
	post "$KEY_A" "$long" "idem long key"
	check_hark_error "a key of 256 characters: 400" 400
	check_json "naming the header" error.field Idempotency-Key
	post "$KEY_A" "$(printf 'a\tb')" "idem tab key"
	check_hark_error "a key with a control character: 400" 400
	post "$KEY_A" "$(printf 'caf\xc3\xa9')" "idem utf8 key"
	check_hark_error "a key with non-ASCII bytes: 400" 400
	check "none filed a row" test "$(sql "SELECT COUNT(*) FROM feedback
	    WHERE text LIKE 'idem % key'")" = 0
	post "$KEY_A" "$(printf 'k%.0s' $(seq 255))" "idem longest key"
	check_status "a key of 255 characters is good" 201
}

inserts_waiting() {
	test "$(sql "SELECT COUNT(*) FROM information_schema.processlist
	    WHERE user = '$HARK_DB_USER' AND state LIKE 'Waiting for table%'")" -ge 1
}

# The first request held on a lock of the feedback table: the second with
# its key is 409 at once; the first then files it and the retry replays.
test_in_flight() {
	local locker a_pid
	t_ctx "in flight"
	mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`;
	    LOCK TABLES feedback WRITE; SELECT SLEEP(4); UNLOCK TABLES;" \
	    >/dev/null 2>&1 &
	locker=$!
	sleep 0.5
	curl -sS -o "$T/idem/a.body" -w '%{http_code}' --max-time 20 \
	    -H "Authorization: Bearer $KEY_A" -H "Idempotency-Key: held" \
	    "${JSON_CT[@]}" -d '{"text":"idem held item"}' \
	    "$URL/v1/feedback" >"$T/idem/a.code" 2>/dev/null &
	a_pid=$!
	check "the first waits in the database" wait_until 4 inserts_waiting
	post "$KEY_A" held "idem held item"
	check_hark_error "the second while the first is in flight: 409" 409
	check_json "code idempotency_key_in_flight" error.code \
	    idempotency_key_in_flight
	check "with Retry-After" test -n "$(hdr Retry-After)"
	wait "$locker" "$a_pid"
	check "the first is answered 201" test "$(cat "$T/idem/a.code")" = 201
	post "$KEY_A" held "idem held item"
	check_status "a retry now replays" 201
	check "Idempotent-Replayed: true" test "$(hdr Idempotent-Replayed)" = true
	check "one row" test "$(rows_with 'idem held item')" = 1
}

# A stale in-flight claim (a worker killed mid-request) is taken over.
test_takeover() {
	local id
	t_ctx takeover
	post "$KEY_A" stale "idem stale item"
	check_status "filed" 201
	id=$(json id)
	sql "UPDATE idempotency_keys SET state = 'in_flight',
	    response_status = NULL, response_body = NULL,
	    claimed_at = UTC_TIMESTAMP(6) - INTERVAL 2 MINUTE
	    WHERE idem_key = 'stale'"
	post "$KEY_A" stale "idem stale item"
	check_status "a dead claim is taken over: 201" 201
	check "and finds the row the dead request filed" \
	    test "$(rows_with 'idem stale item')" = 1
	check "answering its id" test "$(json id)" = "$id"
	check "not as a replay" test -z "$(hdr Idempotent-Replayed)"
	post "$KEY_A" stale "idem stale item"
	check "the next retry replays that answer" \
	    test "$(hdr Idempotent-Replayed)" = true -a "$(json id)" = "$id"
	# The dead request never committed its row: the taker files it.
	post "$KEY_A" stale2 "idem never committed"
	id=$(json id)
	sql "DELETE FROM feedback WHERE id = '$id'"
	sql "UPDATE idempotency_keys SET state = 'in_flight',
	    response_status = NULL, response_body = NULL,
	    claimed_at = UTC_TIMESTAMP(6) - INTERVAL 2 MINUTE
	    WHERE idem_key = 'stale2'"
	post "$KEY_A" stale2 "idem never committed"
	check_status "a dead claim without its row: 201" 201
	check "files it once, under the claim's id" \
	    test "$(rows_with 'idem never committed')" = 1 -a "$(json id)" = "$id"
	# A fresh in-flight claim is not taken over.
	sql "UPDATE idempotency_keys SET state = 'in_flight',
	    claimed_at = UTC_TIMESTAMP(6) WHERE idem_key = 'stale2'"
	post "$KEY_A" stale2 "idem never committed"
	check_hark_error "a claim younger than 60 s is 409" 409
}

test_restart() {
	local first
	t_ctx restart
	post "$KEY_A" durable "idem durable item"
	check_status "filed" 201
	first=$R_BODY
	stop_pid "$HARK_MASTER"
	start_hark
	post "$KEY_A" durable "idem durable item"
	check_status "after a restart the retry replays" 201
	check "the same body" test "$R_BODY" = "$first"
	check "Idempotent-Replayed: true" test "$(hdr Idempotent-Replayed)" = true
	check "one row" test "$(rows_with 'idem durable item')" = 1
}

test_projects() {
	t_ctx projects
	post "$KEY_B" key-one "idem replay item"
	check_status "another project's same key is its own" 201
	check "no Idempotent-Replayed" test -z "$(hdr Idempotent-Replayed)"
	check "B's row filed" test "$(sql "SELECT COUNT(*) FROM feedback
	    WHERE project_id = '$PRJ_B' AND text = 'idem replay item'")" = 1
}

test_failure_releases() {
	t_ctx "failures"
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $KEY_A" \
	    -H "Idempotency-Key: fails" "${JSON_CT[@]}" \
	    -d "{\"text\":\"idem fail\",\"projectId\":\"$PRJ_B\"}"
	check_hark_error "a 403 answer" 403
	check "is not recorded" test "$(sql "SELECT COUNT(*) FROM
	    idempotency_keys WHERE idem_key = 'fails'")" = 0
}

test_sweep() {
	t_ctx sweep
	sql "UPDATE idempotency_keys SET expires_at = UTC_TIMESTAMP(6) -
	    INTERVAL 1 SECOND WHERE idem_key = 'key-one' AND project_id = '$PRJ_A'"
	post "$KEY_A" key-one "idem after expiry"
	check_status "an expired key is a new claim" 201
	check "no Idempotent-Replayed" test -z "$(hdr Idempotent-Replayed)"
	sql "UPDATE idempotency_keys SET expires_at = UTC_TIMESTAMP(6) -
	    INTERVAL 1 SECOND WHERE idem_key = 'durable'"
	timeout 60 "$HARK_BUILD/hark-batch" -c "$CONF" --jobs housekeeping \
	    >"$T/idem/batch.out" 2>&1
	check "hark-batch housekeeping exits 0" test $? = 0
	check "and deletes the expired key" test "$(sql "SELECT COUNT(*) FROM
	    idempotency_keys WHERE idem_key = 'durable'")" = 0
	check "and keeps the live ones" test "$(sql "SELECT COUNT(*) FROM
	    idempotency_keys WHERE idem_key = 'key-one'")" = 2
}

# A widget in a page may send the key: the preflight allows it.
test_preflight() {
	t_ctx preflight
	req OPTIONS "$URL/v1/feedback" -H "Origin: https://app.example.com" \
	    -H "Access-Control-Request-Method: POST" \
	    -H "Access-Control-Request-Headers: content-type, idempotency-key"
	check_status "a preflight" 204
	check "allows Idempotency-Key" eval \
	    "hdr Access-Control-Allow-Headers | grep -q 'idempotency-key'"
}

t_init "${1:-}" idem
t_db
setup
test_replay
test_reused
test_bad_keys
test_in_flight
test_takeover
test_restart
test_projects
test_failure_releases
test_sweep
test_preflight
t_ctx
t_summary
