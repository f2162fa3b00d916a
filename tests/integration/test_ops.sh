#!/bin/bash
# test_ops.sh: what operators look for on day one (issue 20, part 3).
#
#	tests/integration/test_ops.sh BUILD_DIR
#
# hark-fcgi --listen behind nginx: [server] request_timeout ends a request
# stuck on a table a mariadb client holds locked (503 request_timeout, the
# log line, the worker replaced), for a read and for a submission (no half
# row, and the retry with its Idempotency-Key stored at once once the ended
# request can commit nothing more; with the commit queue, the default, the
# writer files the ended request's row and the retry gets it); its 503 as readable by a page as any
# other answer (CORS); request_timeout = 0 leaves it alone; GET /v1/status for the
# addresses of [server] status_allow only; the [log] slow_ms line.  Plain
# CGI under request_timeout too.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=2
TIMEOUT=2
SLACK=6		# a loaded CI machine: the deadline plus this, at most

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }

# locker_start SQL WHAT: a mariadb client on fd 7 that ran SQL (which ends
# by selecting 'locked') and holds what it took.
locker_start() {
	local fifo="$T/lock.fifo"
	rm -f "$fifo" "$T/lock.out"
	mkfifo "$fifo"
	mariadb --no-defaults --unbuffered -S "$HARK_DB_SOCKET" -uroot -N \
	    "$HARK_DB_NAME" <"$fifo" >"$T/lock.out" 2>&1 &
	LOCK_CLIENT=$!
	exec 7>"$fifo"
	echo "$1" >&7
	if ! wait_until 10 grep -q locked "$T/lock.out"; then
		fail "$2" "$(cat "$T/lock.out")"
		exec 7>&-
		return 1
	fi
}

# lock_start TABLE: a mariadb client on fd 7 holds TABLE write-locked.
lock_start() {
	locker_start "LOCK TABLES $1 WRITE; SELECT 'locked';" "$1 locked"
}

# rows_lock_start TABLE: a mariadb client on fd 7 holds every row of TABLE
# and the gaps between them (a transaction's SELECT ... FOR UPDATE): an
# INSERT waits on InnoDB's row locks, not on the table.
rows_lock_start() {
	locker_start "BEGIN; SELECT COUNT(*) FROM $1 FOR UPDATE; SELECT 'locked';" \
	    "$1's rows locked"
}

rows_lock_end() {
	echo "ROLLBACK;" >&7
	exec 7>&-
	wait_until 15 eval "! kill -0 $LOCK_CLIENT"
}

lock_end() {
	echo "UNLOCK TABLES;" >&7
	exec 7>&-
	wait_until 15 eval "! kill -0 $LOCK_CLIENT"
}

# start CONF_ARGS...: a fresh master with this configuration, serving.
start() {
	[ -n "${MASTER:-}" ] && stop_pid "$MASTER" 30
	write_hark_conf "$CONF" log.file="$LOG" server.workers="$WORKERS" \
	    limits.rate_limit=100000 "$@"
	hark_standalone ops "$CONF" "$WORKERS" || exit 2
	MASTER=$HARK_MASTER
	if ! wait_until 30 eval "[ \$(worker_count $MASTER) -eq $WORKERS ] &&
	    health_is '$URL' 200"; then
		fail "the master serves" "$(tail -n 5 "$T/ops/hark-fcgi.out" | tr '\n' '|')"
		return 1
	fi
}

# has_writer: whether the master keeps a commit-queue writer.
has_writer() {
	local p
	for p in $(children_of "$MASTER"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = hark-writer ] && return 0
	done
	return 1
}

# log_has ID PATTERN: a line of the log naming request ID matches PATTERN.
log_has() { grep "id=$1 " "$LOG" | grep -qE "$2"; }

# list_ok URL: GET of the list answers 200.
list_ok() {
	req GET "$1/v1/feedback?limit=1" "${A[@]}"
	[ "$R_STATUS" = 200 ]
}

elapsed_ok() { awk -v t="$R_TIME" -v max="$1" 'BEGIN { exit !(t < max) }'; }

# ---------------------------------------------------------------- request_timeout

test_stuck_read() {
	local before after
	t_ctx "request_timeout, a read"
	before=$(worker_pids "$MASTER")
	lock_start feedback || return
	req GET "$URL/v1/feedback?limit=5" "${A[@]}" -H "X-Request-Id: stuck-read-1"
	check_hark_error "a stuck list request ends with 503" 503
	check_json "its code is request_timeout" error.code request_timeout
	check "with Retry-After" test -n "$(hdr Retry-After)"
	check "and its request id" test "$(hdr X-Request-Id)" = stuck-read-1
	check "within request_timeout + ${SLACK}s (took ${R_TIME}s)" \
	    elapsed_ok $((TIMEOUT + SLACK))
	check "not before request_timeout (took ${R_TIME}s)" \
	    awk -v t="$R_TIME" -v min="$TIMEOUT" 'BEGIN { exit !(t >= min - 0.1) }'
	wait_until 5 grep -q "id=stuck-read-1 " "$LOG"
	if log_has stuck-read-1 "error: request_timeout: GET /v1/feedback id=stuck-read-1 project=$PRJ still running after [0-9.]+ms \(request_timeout $TIMEOUT s\)"; then
		pass "the error log names the request, its project and time"
	else
		fail "the error log names the request, its project and time" \
		    "$(grep -F stuck-read-1 "$LOG" | head -n 3)"
	fi
	check "the log line has no query string" eval "! grep -F stuck-read-1 '$LOG' | grep -q 'limit='"
	check "nor the key" eval "! grep -qF '$KEY' '$LOG'"
	lock_end
	wait_until 10 eval "[ \$(worker_count $MASTER) -eq $WORKERS ]"
	after=$(worker_pids "$MASTER")
	check "the stuck worker was replaced ($before -> $after)" \
	    test "$(comm -13 <(tr ' ' '\n' <<<"$before" | sort) \
	    <(tr ' ' '\n' <<<"$after" | sort) | wc -l)" -eq 1
	req GET "$URL/v1/feedback?limit=5" "${A[@]}"
	check_status "the next request gets 200" 200
	sleep 1.1	# the status file is written once a second
	req GET "$URL/v1/status"
	check_json "the status counts the restart's cause" last_restart.cause \
	    "request_timeout ($TIMEOUT s) reached"
}

# The widget's routes answer in their envelope, "success": false.
test_stuck_widget() {
	t_ctx "request_timeout, the widget"
	lock_start sources || return
	req GET "$URL/feedback/widget/bootstrap?publicKey=$PK" \
	    -H "Origin: https://app.example.com" -H "X-Request-Id: stuck-widget-1"
	check_status "a stuck bootstrap ends with 503" 503
	check_json "its code is request_timeout" error.code request_timeout
	check_json "in the widget's envelope" success false
	check "readable by the widget's page (Access-Control-Allow-Origin)" \
	    test "$(hdr Access-Control-Allow-Origin)" = https://app.example.com
	lock_end
	wait_until 5 grep -q "id=stuck-widget-1 " "$LOG"
	check "logged" log_has stuck-widget-1 "request_timeout: GET /feedback/widget/bootstrap id=stuck-widget-1 "
}

# post_idem IDEM TEXT [CURL_ARGS...]: a submission with an Idempotency-Key.
post_idem() {
	local idem=$1 text=$2
	shift 2
	req POST "$URL/v1/feedback" "${A[@]}" -H "Idempotency-Key: $idem" \
	    -H 'Content-Type: application/json' "$@" \
	    --data-binary "{\"text\":\"$text\",\"category\":\"bug\"}"
}

rows_with() {
	mariadb_sql "$HARK_DB_SOCKET" "SELECT COUNT(*) FROM \`$HARK_DB_NAME\`.feedback WHERE text = '$1'"
}

# The database session of the request that claimed IDEM is still there.
holder_alive() {
	test "$(mariadb_sql "$HARK_DB_SOCKET" "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = (SELECT holder_conn FROM \`$HARK_DB_NAME\`.idempotency_keys WHERE project_id = '$PRJ' AND idem_key = '$1')")" = 1
}

# A submission stuck on the feedback table's row locks: nothing half
# stored, and the retry with its Idempotency-Key, which the 503's
# Retry-After invites, stored once.
#
# MODE direct ([server] commit_queue = off): the worker's own INSERT.  Its
# claim is taken over as soon as the ended request can commit nothing
# more: its worker is gone at once, but the INSERT it had sent waits on in
# its database session until the locks go, so a retry meanwhile is 409 (it
# would otherwise run beside a request that may still commit), and the
# first one once that session is gone is 201, not a 409 for the claim's
# 60 s.
#
# MODE queue (the default): the worker had handed its row to a writer,
# whose INSERT waits on the locks in the writer's session; ending the
# worker does not end it, so the row is filed once the locks go, and the
# retries are answered with it (its id is the claim's: never a second row).
test_stuck_post() {
	local mode=$1 n row text="stuck post $(rand_hex 4)" idem="idem-$(rand_hex 6)"
	t_ctx "request_timeout, a submission ($mode)"
	if [ "$mode" = queue ]; then
		check "the master keeps writers (commit_queue on, the default)" has_writer
	else
		check "the master keeps no writer" eval '! has_writer'
	fi
	rows_lock_start feedback || return
	post_idem "$idem" "$text" -H "X-Request-Id: stuck-post-1"
	check_hark_error "a stuck POST ends with 503" 503
	check_json "request_timeout" error.code request_timeout
	check "within request_timeout + ${SLACK}s (took ${R_TIME}s)" \
	    elapsed_ok $((TIMEOUT + SLACK))
	wait_until 5 grep -q "id=stuck-post-1 " "$LOG"
	check "logged" log_has stuck-post-1 "request_timeout: POST /v1/feedback id=stuck-post-1 project=$PRJ "
	if [ "$mode" = queue ]; then
		rows_lock_end
		wait_until 10 eval '[ "$(rows_with "$text")" = 1 ]'
		n=$(rows_with "$text")
		check "the writer filed the ended request's row once the locks went ($n)" \
		    test "$n" = 1
		row=$(mariadb_sql "$HARK_DB_SOCKET" "SELECT id FROM \`$HARK_DB_NAME\`.feedback WHERE text = '$text'")
		post_idem "$idem" "$text"
		check_status "the retry then is answered" 201
		check "as a replay" test "$(hdr Idempotent-Replayed)" = true
		ID=$(json id 2>/dev/null)
		check "of the row the writer filed ($row)" test "$ID" = "$row"
	else
		check "its INSERT still waits in its database session" holder_alive "$idem"
		post_idem "$idem" "$text"
		check_hark_error "a retry meanwhile: 409" 409
		check_json "idempotency_key_in_flight" error.code idempotency_key_in_flight
		rows_lock_end
		check "the session ends once the locks go" \
		    wait_until 10 eval "! holder_alive '$idem'"
		# The insert waited on the lock when its worker went: rolled back.
		n=$(rows_with "$text")
		check "no row was stored by the ended request ($n)" test "$n" = 0
		post_idem "$idem" "$text"
		check_status "the retry then is stored at once" 201
		check "not a replay" test -z "$(hdr Idempotent-Replayed)"
		ID=$(json id 2>/dev/null)
	fi
	post_idem "$idem" "$text"
	check_status "a second retry is answered" 201
	check "as a replay" test "$(hdr Idempotent-Replayed)" = true
	check "of the same item" test "$(json id 2>/dev/null)" = "$ID"
	n=$(rows_with "$text")
	check "one row in all ($n)" test "$n" = 1
	req GET "$URL/v1/feedback/$ID" "${A[@]}"
	check_json "and it is whole" text "$text"
}

# A page's request the watchdog ends: its 503 carries the CORS headers any
# other answer to that request would (app.c, prologue.c), so the page reads
# it instead of seeing a network error; an Origin hark names in no answer
# (a sandboxed frame's "null") gets none on its 503 either.
test_stuck_cors() {
	local origin=https://app.example.com
	t_ctx "request_timeout, CORS"
	lock_start feedback || return
	req GET "$URL/v1/feedback?limit=5" "${A[@]}" -H "Origin: $origin" \
	    -H "X-Request-Id: stuck-cors-1"
	check_hark_error "a page's stuck request ends with 503" 503
	check_json "request_timeout" error.code request_timeout
	check "Access-Control-Allow-Origin names its origin" \
	    test "$(hdr Access-Control-Allow-Origin)" = "$origin"
	check "with Vary: Origin" test "$(hdr Vary)" = Origin
	check "Retry-After and X-Request-Id are exposed to its script" eval \
	    "hdr Access-Control-Expose-Headers | grep -q 'Retry-After.*X-Request-Id'"
	req GET "$URL/v1/feedback?limit=5" "${A[@]}" -H "Origin: null" \
	    -H "X-Request-Id: stuck-cors-2"
	check_hark_error "a stuck request from a sandboxed frame ends with 503" 503
	check "without Access-Control-Allow-Origin" \
	    test -z "$(grep -i '^Access-Control-' "$T/r.hdrs")"
	req GET "$URL/v1/feedback?limit=5" "${A[@]}" -H "X-Request-Id: stuck-cors-3"
	check_hark_error "a stuck request without Origin ends with 503" 503
	check "without CORS headers" \
	    test -z "$(grep -i '^Access-Control-' "$T/r.hdrs")"
	lock_end
	wait_until 10 eval "[ \$(worker_count $MASTER) -eq $WORKERS ]"
}

# A worker whose watchdog cannot run either (stopped here with SIGSTOP, as
# a wedged process would be): the master kills it past request_timeout + 5.
test_watchdog_wedged() {
	local pids p code pid
	t_ctx "request_timeout, the master's kill"
	lock_start feedback || return
	curl -s -o /dev/null --max-time 40 -w '%{http_code}' "${A[@]}" \
	    "$URL/v1/feedback?limit=1" >"$T/wedged.code" &
	pid=$!
	sleep 0.5
	pids=$(worker_pids "$MASTER")
	for p in $pids; do kill -STOP "$p"; done
	if wait_until $((TIMEOUT + 5 + SLACK)) grep -q "its watchdog did not end it; killing it" "$LOG"; then
		pass "the master kills the worker stuck past request_timeout + 5 s"
	else
		fail "the master kills the worker stuck past request_timeout + 5 s"
	fi
	for p in $pids; do kill -CONT "$p" 2>/dev/null; done
	wait "$pid"
	code=$(cat "$T/wedged.code")
	check "its client gets the web server's 502 ($code)" test "$code" = 502
	lock_end
	check "the other worker lives on" eval "[ \$(worker_count $MASTER) -ge 1 ]"
	wait_until 10 eval "[ \$(worker_count $MASTER) -eq $WORKERS ]"
	check "the killed one is replaced" test "$(worker_count "$MASTER")" -eq "$WORKERS"
	sleep 1.1
	req GET "$URL/v1/status"
	check_json "the status says why" last_restart.cause \
	    "killed: in one request past request_timeout ($TIMEOUT s)"
}

test_timeout_off() {
	local pid
	t_ctx "request_timeout = 0, slow_ms = 0"
	start server.request_timeout=0 log.slow_ms=0 || return
	lock_start feedback || return
	REQ_TIMEOUT=30 req GET "$URL/v1/feedback?limit=1" "${A[@]}" \
	    -H "X-Request-Id: off-1" >/dev/null &
	pid=$!
	sleep $((TIMEOUT + 2))
	check "the slow request still runs after request_timeout" kill -0 "$pid"
	lock_end
	wait "$pid"
	# (req ran in a subshell: its answer is in the log, not R_STATUS.)
	wait_until 5 grep -q "id=off-1 " "$LOG"
	check "and is answered 200 once the lock goes" log_has off-1 "GET /v1/feedback 200 "
	check "no request_timeout line" eval "! log_has off-1 request_timeout"
	check "slow_ms = 0: no slow line for it" eval "! log_has off-1 'slow: '"
}

test_check_config() {
	local v out
	t_ctx "--check-config"
	for v in -1 abc 86401 1.5; do
		write_hark_conf "$T/bad.conf" server.request_timeout="$v"
		out=$("$HARK_BUILD/hark-fcgi" -c "$T/bad.conf" --check-config 2>&1)
		if [ $? -ne 0 ] && [[ "$out" == *request_timeout* ]]; then
			pass "request_timeout = $v is refused, naming the key"
		else
			fail "request_timeout = $v is refused, naming the key" "$out"
		fi
	done
	for v in "10.0.0.0/33" "not-an-address" "::1/129"; do
		write_hark_conf "$T/bad.conf" server.status_allow="$v"
		out=$("$HARK_BUILD/hark-fcgi" -c "$T/bad.conf" --check-config 2>&1)
		if [ $? -ne 0 ] && [[ "$out" == *status_allow* ]]; then
			pass "status_allow = $v is refused, naming the key"
		else
			fail "status_allow = $v is refused, naming the key" "$out"
		fi
	done
	write_hark_conf "$T/good.conf" server.request_timeout=0 \
	    server.status_allow="10.0.0.0/8, 2001:db8::/32 127.0.0.1"
	check "request_timeout = 0 and a mixed status_allow pass" \
	    "$HARK_BUILD/hark-fcgi" -c "$T/good.conf" --check-config
}

# ---------------------------------------------------------------- slow_ms

test_slow_log() {
	local pid
	t_ctx "slow_ms"
	req GET "$URL/v1/health" -H "X-Request-Id: fast-1"
	check_status "a fast request" 200
	wait_until 5 grep -q "id=fast-1 " "$LOG"
	check "has its info line" log_has fast-1 "info: GET /v1/health 200 "
	check "and no slow line" eval "! log_has fast-1 'slow: '"
	lock_start schema_migrations || return
	REQ_TIMEOUT=30 req GET "$URL/v1/health" -H "X-Request-Id: slow-1" &
	pid=$!
	sleep 1.5
	lock_end
	wait "$pid"
	wait_until 5 grep -q "id=slow-1 " "$LOG"
	if log_has slow-1 "warn: slow: GET /v1/health 200 ([0-9.]+)ms "; then
		pass "a request slowed by a lock has the slow line"
	else
		fail "a request slowed by a lock has the slow line" "$(grep -F slow-1 "$LOG")"
	fi
	local ms
	ms=$(grep "id=slow-1 " "$LOG" | sed -n 's/.* 200 \([0-9.]*\)ms .*/\1/p' | head -n 1)
	check "with its duration, above slow_ms ($ms ms)" \
	    awk -v ms="${ms:-0}" 'BEGIN { exit !(ms >= 1000) }'
	check "once (no info line besides)" test "$(grep -c "id=slow-1 " "$LOG")" -eq 1
}

# ---------------------------------------------------------------- /v1/status

test_status_allowed() {
	t_ctx "GET /v1/status"
	sleep 1.1
	req GET "$URL/v1/status"
	check_status "127.0.0.1 (the default list) reads the status" 200
	check_json "the master's pid" pid "$MASTER"
	check_json "running" running true
	check_json "$WORKERS workers configured" workers.configured "$WORKERS"
	check_json "all alive" workers.alive "$WORKERS"
	check "with the requests served" test "$(json requests_served)" -ge 1
	check "never cached" test "$(hdr Cache-Control)" = no-store
	local cli
	cli=$("$HARK_BUILD/hark-fcgi" -c "$CONF" --status --json)
	check "the document of --status --json (its keys)" \
	    test "$(json_keys . "$cli")" = "$(json_keys .)"
	check "and its master" test "$(json started_at "$cli")" = "$(json started_at)"
	req HEAD "$URL/v1/status"
	check_status "HEAD too" 200
	# Not recorded (req): doc/openapi.yaml gives the path GET and HEAD.
	check "POST from an allowed address is 404 too" test "$(curl -s -o /dev/null \
	    -w '%{http_code}' -X POST "$URL/v1/status")" = 404
}

test_status_refused() {
	local nope
	t_ctx "GET /v1/status, refused"
	req GET "$URL/v1/nothing-here"
	nope=$R_BODY
	start server.status_allow="192.0.2.1 2001:db8::/32" || return
	req GET "$URL/v1/status"
	check_hark_error "another address gets 404" 404
	check "the answer of a path without an endpoint" test "$R_BODY" = "$nope"
	check "no Allow header" test -z "$(hdr Allow)"
	check "an OPTIONS says nothing either" test "$(curl -s -o /dev/null \
	    -w '%{http_code}' -X OPTIONS -H 'Origin: https://x.example.com' \
	    "$URL/v1/status")" = 404
	check "nor a DELETE" test "$(curl -s -o /dev/null -w '%{http_code}' \
	    -X DELETE "$URL/v1/status")" = 404
	start server.status_allow= || return
	req GET "$URL/v1/status"
	check_hark_error "an empty status_allow turns it off" 404
	start server.status_allow="127.0.0.0/8" || return
	sleep 1.1
	req GET "$URL/v1/status"
	check_status "a CIDR holding 127.0.0.1 reads it" 200
	# Behind a trusted proxy the client is the forwarded address, as for
	# the failed-key lock-out (lib/proxies.c).
	start server.status_allow=192.0.2.7 server.trusted_proxies=127.0.0.1 || return
	sleep 1.1
	req GET "$URL/v1/status" -H "X-Forwarded-For: 192.0.2.7"
	check_status "a trusted proxy's allowed client reads it" 200
	req GET "$URL/v1/status" -H "X-Forwarded-For: 192.0.2.8"
	check_hark_error "another client behind it gets 404" 404
	req GET "$URL/v1/status"
	check_hark_error "the proxy itself is not its client" 404
	start server.status_allow=192.0.2.7 || return
	req GET "$URL/v1/status" -H "X-Forwarded-For: 192.0.2.7"
	check_hark_error "X-Forwarded-For from an untrusted peer counts for nothing" 404
}

# ---------------------------------------------------------------- lighttpd

# The pre-fork pool lighttpd spawns (bin-path): the 503 through another
# web server's FastCGI client.
test_spawned_timeout() {
	local d="$T/ops-lighttpd" port url
	t_ctx "request_timeout, lighttpd bin-path"
	if ! command -v lighttpd >/dev/null; then
		pass "skipped: no lighttpd"
		return
	fi
	mkdir -p "$d"
	port=$(pick_port) || return
	write_hark_conf "$d/hark.conf" log.file="$d/hark.log" server.workers=2 \
	    server.state_dir="$d/state" server.media_dir="$d/media" \
	    server.request_timeout="$TIMEOUT" limits.rate_limit=100000
	if ! lighttpd_start ops-lighttpd "$port" "$d/hark.conf" >"$d/setup.out" 2>&1; then
		fail "lighttpd starts" "$(tail -n 5 "$d/setup.out" | tr '\n' '|')"
		return
	fi
	url="http://127.0.0.1:$port"
	wait_until 30 health_is "$url" 200 || { fail "lighttpd's hark serves"; return; }
	lock_start feedback || return
	req GET "$url/v1/feedback?limit=1" "${A[@]}" -H "X-Request-Id: lt-1"
	check_hark_error "a stuck request ends with 503 through lighttpd" 503
	check_json "request_timeout" error.code request_timeout
	check "with Retry-After" test -n "$(hdr Retry-After)"
	check "within request_timeout + ${SLACK}s (took ${R_TIME}s)" \
	    elapsed_ok $((TIMEOUT + SLACK))
	lock_end
	check "logged" grep -q "request_timeout: GET /v1/feedback id=lt-1 project=$PRJ " "$d/hark.log"
	wait_until 10 list_ok "$url"
	check_status "lighttpd's next request gets 200" 200
}

# ---------------------------------------------------------------- CGI

# One CGI run of GET /v1/feedback on a locked table.
test_cgi_timeout() {
	local out code t0 t1
	t_ctx "request_timeout, CGI"
	write_hark_conf "$T/cgi.conf" log.file="$T/cgi.log" server.workers=1 \
	    server.request_timeout="$TIMEOUT"
	lock_start feedback || return
	t0=$(date +%s.%N)
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HARK_CONFIG="$T/cgi.conf" \
	    HARK_TEST_DIR="$T" GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD=GET \
	    REQUEST_URI=/v1/feedback SCRIPT_NAME= PATH_INFO=/v1/feedback \
	    QUERY_STRING= SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1 \
	    HTTP_AUTHORIZATION="Bearer $KEY" HTTP_X_REQUEST_ID=cgi-1 \
	    timeout 30 "$HARK_BUILD/hark-fcgi" </dev/null >"$T/cgi.out" 2>"$T/cgi.err"
	code=$?
	t1=$(date +%s.%N)
	lock_end
	check "the CGI process ends with status 75 (got $code)" test "$code" -eq 75
	check "within request_timeout + ${SLACK}s" \
	    awk -v a="$t0" -v b="$t1" -v max=$((TIMEOUT + SLACK)) 'BEGIN { exit !(b - a < max) }'
	check "its answer is 503" grep -q '^Status: 503' "$T/cgi.out"
	check "request_timeout, with Retry-After" eval \
	    "grep -q '\"code\":\"request_timeout\"' '$T/cgi.out' && grep -q '^Retry-After: ' '$T/cgi.out'"
	check "logged" grep -q "request_timeout: GET /v1/feedback id=cgi-1 project=$PRJ " "$T/cgi.log"
}

# ---------------------------------------------------------------- main

t_init "${1:-}" ops
t_db
mkdir -p "$T/ops"
CONF="$T/ops/hark.conf"
LOG="$T/ops/hark.log"
write_hark_conf "$CONF" log.file="$LOG"
PRJ=$(ctl project create "Ops") || exit 2
KEY=$(ctl key create "$PRJ") || exit 2
A=(-H "Authorization: Bearer $KEY")
ctl secret init >/dev/null || exit 2
PK=$(ctl source create "$PRJ" --name "Widget" --origin https://app.example.com \
    --no-captcha) || exit 2
PORT=$(pick_port) || exit 2
URL="http://127.0.0.1:$PORT"
nginx_start ops-nginx "$PORT" "$T/ops/hark.sock" || {
	fail "nginx starts"
	t_summary
	exit
}
t_ctx start
MASTER=
start server.request_timeout="$TIMEOUT" log.slow_ms=1000 || { t_summary; exit; }

test_slow_log
test_status_allowed
test_stuck_read
test_stuck_post queue
t_ctx "start, commit_queue = off"
start server.request_timeout="$TIMEOUT" log.slow_ms=1000 \
    server.commit_queue=off || { t_summary; exit; }
test_stuck_post direct
t_ctx start
start server.request_timeout="$TIMEOUT" log.slow_ms=1000 || { t_summary; exit; }
test_stuck_widget
test_stuck_cors
test_watchdog_wedged
test_check_config
test_cgi_timeout
test_spawned_timeout
test_timeout_off
test_status_refused

t_ctx
t_summary
