#!/bin/bash
# test_http.sh: hark's HTTP behaviour through every supported web server.
#
#	tests/integration/test_http.sh BUILD_DIR
#	HARK_SERVERS="nginx lighttpd" tests/integration/test_http.sh BUILD_DIR
#	[HARK_TEST_MAX_BODY=52428800] tests/integration/test_http.sh --url http://127.0.0.1:8080 [--log FILE]
#
# The first two start each stack from the shipped conf/ examples (a private
# MariaDB unless HARK_TEST_DB_SOCKET is set): lighttpd spawning hark-fcgi
# (bin-path), nginx and Apache mod_proxy_fcgi in front of a standalone
# hark-fcgi, Apache mod_fcgid spawning hark-fcgi.  --url runs the same checks
# against a stack already running (run.sh's), reading hark's log from --log.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

# ---------------------------------------------------------------- the checks

still_serving() {
	req GET "$URL/v1/health"
	check_status "still serving after $1" 200
}

check_health() {
	local ct
	req GET "$URL/v1/health"
	check_status "GET /v1/health is 200" 200
	ct=$(hdr Content-Type)
	if [ "$ct" = "application/json; charset=utf-8" ]; then
		pass "health Content-Type is application/json; charset=utf-8"
	else
		fail "health Content-Type is application/json; charset=utf-8" "got '$ct'"
	fi
	check "health body is one JSON object" eval '[ "$(json_type .)" = object ]'
	check_json "health status is ok" status ok
	check_json "health database is ok" database ok
	check_json "health version is 0.1.0" version 0.1.0
	if [ "$(json_type schema 2>/dev/null)" = int ] && [ "$(json schema)" -ge 1 ]; then
		pass "health schema is an integer >= 1"
	else
		fail "health schema is an integer >= 1" "body: $R_BODY"
	fi
}

check_not_found() {
	req GET "$URL/v1/no-such-thing"
	check_hark_error "unknown /v1 path is a JSON 404" 404
	req GET "$URL/no-such-thing?x=1"
	check_hark_error "unknown path outside /v1 is a JSON 404" 404
}

check_method() {
	local m allow
	for m in POST DELETE PUT; do
		req "$m" "$URL/v1/health" -H 'Content-Type: application/json' \
		    --data-binary '{}'
		check_hark_error "$m /v1/health is a JSON 405" 405
		allow=$(hdr Allow)
		if [[ ",${allow// /}," == *,GET,* &&
		    ",${allow// /}," == *,OPTIONS,* ]]; then
			pass "$m /v1/health answers Allow: $allow"
		else
			fail "$m /v1/health answers Allow with GET and OPTIONS" \
			    "Allow: '$allow'"
		fi
	done
}

# A 204 has no body, so neither a type nor a length, through every server.
check_preflight() {
	req OPTIONS "$URL/v1/feedback" -H "Origin: https://app.example.com" \
	    -H "Access-Control-Request-Method: POST"
	check_status "the preflight" 204
	check "its 204 carries no Content-Type" test -z "$(hdr Content-Type)"
}

# The stacks this script starts have max_body = 100K; with --url, the stack's
# max_body in bytes comes from HARK_TEST_MAX_BODY (else the checks are skipped).
check_body_limit() {
	local size
	if [ -n "${MAX_BODY:-}" ]; then
		size=$((MAX_BODY + 1))
	else
		say "skip - bodies over max_body (set HARK_TEST_MAX_BODY to its size in bytes)"
		return
	fi
	[ -f "$T/big" ] || head -c "$size" /dev/zero | tr '\0' a >"$T/big"
	req POST "$URL/v1/health" -H 'Content-Type: application/json' \
	    --data-binary @"$T/big"
	check_hark_error "POST of max_body + 1 bytes is a JSON 413" 413
	req POST "$URL/v1/no-such-thing" -H 'Content-Type: application/json' \
	    --data-binary @"$T/big"
	check_hark_error "over max_body is 413 on any path, before routing" 413
	still_serving "bodies over max_body"
}

check_bad_paths() {
	local long
	req GET "$URL/v1/%00/health"
	check_rejected "path with %00 is rejected" 400
	req GET "$URL/v1/../v1/health" --path-as-is
	check_rejected "path with a .. segment is rejected" 400
	req GET "$URL/v1/health/.." --path-as-is
	check_rejected "path ending in a .. segment is rejected" 400
	req GET "$URL/v1/%2e%2e/v1/health" --path-as-is
	check_rejected "path with a percent-encoded .. segment is rejected" 400
	req GET "$URL/v1%2Fhealth" --path-as-is
	check_rejected "path with an encoded slash (%2F) is rejected" 400
	req GET "$URL/v1%2fhealth" --path-as-is
	check_rejected "path with an encoded slash (%2f) is rejected" 400
	req GET "$URL/v1/health%zz"
	check_rejected "path with a bad percent-escape is rejected" 400
	req GET "$URL/v1/health%4"
	check_rejected "path with a truncated percent-escape is rejected" 400
	still_serving "bad paths"

	long=$(printf '/v1/%0*d' 2044 0)		# 2048 characters
	req GET "$URL$long"
	check_hark_error "a 2048-character path is not too long (404)" 404
	req GET "$URL${long}1"
	check_rejected "a 2049-character path is rejected" 414
	long=$(printf '/v1/%0*d' 2996 0)		# 3000 characters
	req GET "$URL$long"
	check_rejected "a 3000-character path is rejected" 414
	still_serving "long paths"
}

check_many_headers() {
	local args=() i
	for ((i = 0; i < 200; i++)); do
		args+=(-H "X-Test-Header-$i: value-$i")
	done
	req GET "$URL/v1/health" "${args[@]}"
	check_status "200 request headers: answered, no 5xx" "200|4[0-9][0-9]"
	still_serving "200 request headers"
}

check_junk() {
	local host port line
	host=${URL#http://}
	host=${host%%/*}
	port=${host##*:}
	host=${host%:*}
	line=$(raw_request "$host" "$port" 'GARBAGE \x01\x02 NOT-HTTP\r\n\r\n')
	if [[ "$line" =~ ^HTTP/1\.[01]\ 400 ]]; then
		pass "a junk request line gets the web server's 400"
	else
		fail "a junk request line gets the web server's 400" "answer: '$line'"
	fi
	line=$(raw_request "$host" "$port" 'GET /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n')
	if [[ "$line" =~ ^HTTP/1\.[01]\ 4[0-9][0-9] ]]; then
		pass "a negative Content-Length gets a 4xx"
	else
		fail "a negative Content-Length gets a 4xx" "answer: '$line'"
	fi
	still_serving "junk requests"
}

check_parallel() {
	local i bad
	: >"$T/par"
	for ((i = 0; i < 4; i++)); do
		parallel_get 8 "$URL/v1/health" "$T/par"
	done
	bad=$(grep -vc '^200$' "$T/par")
	if [ "$bad" -eq 0 ] && [ "$(wc -l <"$T/par")" -eq 32 ]; then
		pass "32 requests, 8 at a time, all 200"
	else
		fail "32 requests, 8 at a time, all 200" "$(sort "$T/par" | uniq -c | tr '\n' ' ')"
	fi
}

check_log() {
	local log=$1 qs sk xk
	if [ -z "$log" ]; then
		say "skip - request log (no log file given)"
		return
	fi
	qs="qs$(rand_hex 6)"
	sk="sk_$(rand_hex 12)"
	xk="sk_$(rand_hex 12)"
	req GET "$URL/v1/health?api_key=$qs&x=1" -H "Authorization: Bearer $sk" \
	    -H "X-Hark-Key: $xk" -H "X-Hark-Project: prj_$qs"
	check_status "health with a query string and credentials is 200" 200
	req GET "$URL/v1/no-such-thing?api_key=$qs"
	if wait_until 5 grep -qE 'GET /v1/no-such-thing 404 [0-9]+(\.[0-9]+)?ms [0-9]+' "$log"; then
		pass "log has 'GET /v1/no-such-thing 404 <ms>ms <bytes>'"
	else
		fail "log has 'GET /v1/no-such-thing 404 <ms>ms <bytes>'" \
		    "last lines of $log: $(tail -n 3 "$log" 2>/dev/null | tr '\n' '|')"
	fi
	if grep -qE 'GET /v1/health 200 [0-9]+(\.[0-9]+)?ms [0-9]+' "$log"; then
		pass "log has 'GET /v1/health 200 <ms>ms <bytes>'"
	else
		fail "log has 'GET /v1/health 200 <ms>ms <bytes>'" \
		    "last lines of $log: $(tail -n 3 "$log" 2>/dev/null | tr '\n' '|')"
	fi
	check "log never holds the query string" eval "! grep -q '$qs' '$log'"
	check "log never holds the Authorization value" eval "! grep -q '$sk' '$log'"
	check "log never holds the X-Hark-Key value" eval "! grep -q '$xk' '$log'"
	check_request_id "$log"
}

# X-Request-Id: the web server's (a plain token) echoed, else one made; the
# log line names it with the client's address block and the project.
check_request_id() {
	local log=$1 rid made
	rid="req-$(rand_hex 8).x_y"
	req GET "$URL/v1/health" -H "X-Request-Id: $rid"
	check "a plain X-Request-Id is echoed" test "$(hdr X-Request-Id)" = "$rid"
	check "and names the request's log line" wait_until 5 grep -qE \
	    "GET /v1/health 200 .* id=$rid addr=[^ ]+ project=-\$" "$log"
	req GET "$URL/v1/health"
	made=$(hdr X-Request-Id)
	# (nginx's own $request_id, 32 hex digits, where conf/nginx.conf sets it.)
	check "without one, the web server or hark makes one ($made)" eval \
	    "[[ '$made' =~ ^([0-9a-z]{20}|[0-9a-f]{32})\$ ]]"
	req GET "$URL/v1/health" -H 'X-Request-Id: a b;<script>'
	check "a junk one is replaced" eval "[[ '$(hdr X-Request-Id)' =~ \
	    ^[0-9a-z]{20}\$ ]]"
	req GET "$URL/v1/health" -H "X-Request-Id: $(printf 'r%.0s' {1..65})"
	check "so is one over 64 characters" eval "[[ '$(hdr X-Request-Id)' =~ \
	    ^[0-9a-z]{20}\$ ]]"
	req GET "$URL/v1/no-such-thing"
	check "errors carry one too" test -n "$(hdr X-Request-Id)"
	check "the address is logged as its block, not whole" grep -qF \
	    "id=$rid addr=127.0.0.0/24 " "$log"
}

# check_ambiguous_header passes|drops: X_Hark_Key beside X-Hark-Key.  Under
# CGI both are HTTP_X_HARK_KEY, so a proxy that checked one spelling could be
# passed with the other: a server that passes underscores (lighttpd) gets
# 400 ambiguous_header; nginx and Apache drop the underscored one.  A
# repeated line of another header is a list, not an error.
check_ambiguous_header() {
	req GET "$URL/v1/health" -H 'X_Hark_Key: sk_smuggled' \
	    -H 'X-Hark-Key: sk_checked'
	if [ "$1" = passes ]; then
		check_hark_error "X_Hark_Key beside X-Hark-Key is 400" 400
		check_json "code ambiguous_header" error.code ambiguous_header
		check_json "naming the header" error.field x-hark-key
	else
		check_status "X_Hark_Key beside X-Hark-Key: the server drops one, 200" 200
	fi
	req GET "$URL/v1/health" -H 'Accept-Language: en' -H 'Accept-Language: de'
	check_status "Accept-Language twice is a list: 200" 200
}

# audited_from ADDR: auth_failed rows the audit log holds for ADDR.
audited_from() {
	mariadb_sql "$HARK_DB_SOCKET" "SELECT COUNT(*) FROM \`$HARK_DB_NAME\`.audit_log WHERE action = 'auth_failed' AND remote_addr = '$1'"
}

# bad_key_from HEADER...: one POST with an unknown key; the status.
bad_key_from() {
	curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/v1/feedback" \
	    -H 'Content-Type: application/json' -d '{"text":"x"}' \
	    -H "Authorization: Bearer sk_$(rand_hex 21)x" "$@"
}

# check_client_address trusted|untrusted: whose address a bad key is counted
# and audited against, with [limits] auth_failures = 5 (the stacks' setting).
# Addresses are 2001:db8:R::N with R random, written as inet_ntop prints
# them, so rows of an earlier run never count.
check_client_address() {
	local i codes= net
	net=2001:db8:$(printf '%x' $((RANDOM + 1)))
	if [ "$1" = untrusted ]; then
		for i in 1 2 3 4 5 6 7; do
			codes+="$(bad_key_from -H "X-Forwarded-For: $net::$i") "
		done
		check "X-Forwarded-For from an untrusted peer is not audited" \
		    test "$(audited_from "$net::1")" = 0
		check "and does not split the lock-out: the 6th bad key is 429 ($codes)" \
		    eval '[[ "$codes" == *429* ]]'
		codes=$(bad_key_from -H "Forwarded: for=\"[$net::99]\"")
		check "nor does Forwarded ($codes)" test "$codes" = 429
		return
	fi
	for i in 1 2 3 4 5 6 7; do
		codes+="$(bad_key_from -H "X-Forwarded-For: $net::ffff, $net::$i") "
	done
	check "behind a trusted proxy the right-most X-Forwarded-For hop is audited" \
	    test "$(audited_from "$net::1")" = 1
	check "and the address the client wrote on the left is not" \
	    test "$(audited_from "$net::ffff")" = 0
	check "7 clients' bad keys behind one proxy: none locked out ($codes)" \
	    eval '[[ "$codes" != *429* ]]'
	bad_key_from -H "Forwarded: for=\"[$net::99]:4711\";proto=http" >/dev/null
	check "an RFC 7239 Forwarded for= is read as well" \
	    test "$(audited_from "$net::99")" = 1
	codes=
	for i in 1 2 3 4 5 6; do
		codes+="$(bad_key_from -H "X-Forwarded-For: $net::99") "
	done
	check "one client behind it is still locked out ($codes)" \
	    eval '[[ "$codes" == *429* ]]'
}

# http_suite URL LOG: every check against one stack.
http_suite() {
	URL=$1
	if ! wait_until 30 health_is "$URL" 200; then
		fail "stack answers GET /v1/health with 200 within 30 s" \
		    "got $(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/health")"
		return
	fi
	check_health
	check_not_found
	check_method
	check_preflight
	check_body_limit
	check_bad_paths
	check_many_headers
	check_junk
	check_parallel
	check_log "$2"
	[ -n "${STACK_UNDERSCORES:-}" ] && check_ambiguous_header "$STACK_UNDERSCORES"
	[ -n "${STACK_PROXIES:-}" ] && check_client_address "$STACK_PROXIES"
	still_serving "the whole suite"
}

# ---------------------------------------------------------------- the stacks

# Processes of one stack, stopped by stack_stop.
STACK_PIDS=()

stack_stop() {
	local name=$1 pid i left
	for ((i = ${#STACK_PIDS[@]} - 1; i >= 0; i--)); do
		stop_pid "${STACK_PIDS[$i]}" 20
	done
	STACK_PIDS=()
	# What the web server spawned must go with it.
	if [ "${2:-}" = spawns ]; then
		if wait_until 15 eval '[ -z "$(live_hark_pids)" ]'; then
			pass "no hark-fcgi left once $name stopped"
		else
			left=$(live_hark_pids)
			fail "no hark-fcgi left once $name stopped" "pids: $left"
			for pid in $left; do kill -KILL "$pid" 2>/dev/null; done
		fi
	fi
}

stack_lighttpd() {
	local port d="$T/lighttpd"
	mkdir -p "$d"
	port=$(pick_port) || return 1
	write_hark_conf "$d/hark.conf" log.file="$d/hark.log" \
	    server.state_dir="$d/state" server.media_dir="$d/media" \
	    limits.auth_failures=5
	lighttpd_start lighttpd "$port" "$d/hark.conf" || return 1
	STACK_PIDS+=("$SPAWNED_PID")
	STACK_URL="http://127.0.0.1:$port"
	STACK_LOG="$d/hark.log"
	STACK_SPAWNS=spawns
	STACK_UNDERSCORES=passes
	STACK_PROXIES=untrusted
}

stack_nginx() {
	local port d="$T/nginx"
	mkdir -p "$d"
	port=$(pick_port) || return 1
	# nginx's peer is curl on 127.0.0.1: it plays the trusted proxy.
	write_hark_conf "$d/hark.conf" log.file="$d/hark.log" \
	    server.state_dir="$d/state" server.media_dir="$d/media" \
	    server.trusted_proxies="127.0.0.1, ::1" limits.auth_failures=5
	hark_standalone nginx "$d/hark.conf" 2 || return 1
	STACK_PIDS+=("$HARK_MASTER")
	nginx_start nginx "$port" "$HARK_SOCK" || return 1
	STACK_PIDS+=("$SPAWNED_PID")
	STACK_URL="http://127.0.0.1:$port"
	STACK_LOG="$d/hark.log"
	STACK_SPAWNS=
	STACK_UNDERSCORES=drops
	STACK_PROXIES=trusted
}

stack_apache_proxy_fcgi() {
	local port d="$T/apache-proxy-fcgi"
	mkdir -p "$d"
	port=$(pick_port) || return 1
	write_hark_conf "$d/hark.conf" log.file="$d/hark.log" \
	    server.state_dir="$d/state" server.media_dir="$d/media"
	hark_standalone apache-proxy-fcgi "$d/hark.conf" 2 || return 1
	STACK_PIDS+=("$HARK_MASTER")
	apache_start apache-proxy-fcgi "$port" proxy-fcgi "$HARK_SOCK" || return 1
	STACK_PIDS+=("$SPAWNED_PID")
	STACK_URL="http://127.0.0.1:$port"
	STACK_LOG="$d/hark.log"
	STACK_SPAWNS=
	STACK_UNDERSCORES=drops
	STACK_PROXIES=
}

stack_apache_fcgid() {
	local port d="$T/apache-fcgid"
	mkdir -p "$d"
	port=$(pick_port) || return 1
	# mod_fcgid sends each process one request at a time: one worker.
	write_hark_conf "$d/hark.conf" log.file="$d/hark.log" server.workers=1 \
	    server.state_dir="$d/state" server.media_dir="$d/media"
	# Its processes run as www-data.
	: >"$d/hark.log"
	chown www-data: "$d/hark.log" "$d/state" "$d/media"
	chmod 644 "$d/hark.conf"
	apache_start apache-fcgid "$port" fcgid "$d/hark.conf" || return 1
	STACK_PIDS+=("$SPAWNED_PID")
	STACK_URL="http://127.0.0.1:$port"
	STACK_LOG="$d/hark.log"
	STACK_SPAWNS=spawns
	STACK_UNDERSCORES=drops
	STACK_PROXIES=
}

# ---------------------------------------------------------------- main

if [ "${1:-}" = --url ]; then
	URL=${2:?--url needs a URL}
	LOG=
	[ "${3:-}" = --log ] && LOG=${4:-}
	MAX_BODY=${HARK_TEST_MAX_BODY:-}
	T=$(mktemp -d "${TMPDIR:-/tmp}/hark-http.XXXXXX")
	trap 'rm -rf "$T"' EXIT
	t_build_jsonq
	http_suite "$URL" "$LOG"
	t_summary
	exit
fi

t_init "${1:-}" http
t_db
MAX_BODY=102400		# write_hark_conf's max_body = 100K
for server in ${HARK_SERVERS:-lighttpd nginx apache-proxy-fcgi apache-fcgid}; do
	t_ctx "$server"
	say "== $server"
	if ! "stack_${server//-/_}" >"$T/$server.setup" 2>&1; then
		fail "$server stack starts" "$(tail -n 8 "$T/$server.setup" | tr '\n' '|')"
		stack_stop "$server"
		continue
	fi
	http_suite "$STACK_URL" "$STACK_LOG"
	stack_stop "$server" "$STACK_SPAWNS"
done
t_ctx
t_summary
