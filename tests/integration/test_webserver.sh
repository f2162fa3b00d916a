#!/bin/bash
# test_webserver.sh: the web-server examples' own limits, in front of hark.
#
#	tests/integration/test_webserver.sh BUILD_DIR
#	HARK_SERVERS="nginx lighttpd" tests/integration/test_webserver.sh BUILD_DIR
#
# Each stack is built from the shipped conf/ example, as test_http.sh's are.
# Bodies: between hark's JSON limit ([limits] max_json_body, 64K) and the web
# server's (128k) hark answers its own JSON 413; a 50 MB body is refused from
# its Content-Length, quickly, and never written anywhere (the server's
# processes write next to nothing while it is sent, and their spool directory
# stays empty).  Slow clients: a request whose headers or body stop coming is
# closed within the example's timeout.  Access logs: no query string (a
# ?q=secret leaves no "secret" in it), and the file is 0640.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

BIG=$((50 * 1024 * 1024))
CQ_WRITERS=2		# [server] commit_queue_writers, its default
SLOW_BOUND=20		# seconds: every example's read timeouts are below it
SLOW_WAIT=40		# how long a probe waits before calling the socket open

# descendants PID: PID and every process under it.
descendants() {
	local p
	echo "$1"
	for p in $(children_of "$1"); do descendants "$p"; done
}

# wchar_of PID: bytes written (any write: files, sockets) by PID and the
# processes under it.
wchar_of() {
	local p sum=0 w
	for p in $(descendants "$1"); do
		w=$(awk '/^wchar:/ { print $2 }' "/proc/$p/io" 2>/dev/null) || continue
		sum=$((sum + ${w:-0}))
	done
	echo "$sum"
}

# largest_file DIR: size in bytes of the largest file under DIR (0: none).
largest_file() {
	find "$1" -type f -printf '%s\n' 2>/dev/null | sort -n | tail -n 1 | grep . || echo 0
}

# idle_close TEXT: connects to HOST:PORT, sends TEXT, then waits up to
# SLOW_WAIT seconds for the server to close the connection; prints the
# seconds it took, or "open".
idle_close() {
	(
		local start end line rc
		exec 3<>"/dev/tcp/$HOST/$PORT" || { echo error; exit 0; }
		printf '%b' "$1" >&3
		start=$(date +%s%N)
		end=$((SECONDS + SLOW_WAIT))
		while [ "$SECONDS" -lt "$end" ]; do
			IFS= read -r -t 1 line <&3
			rc=$?
			if [ "$rc" -ne 0 ] && [ "$rc" -le 128 ]; then
				echo $((($(date +%s%N) - start) / 1000000000))
				exit 0
			fi
		done
		echo open
	) 2>/dev/null
}

# ---------------------------------------------------------------- the checks

# big_refused LABEL URL FILE: a big body refused from its Content-Length,
# quickly, neither spooled nor forwarded.
big_refused() {
	local label=$1 url=$2 file=$3 out code secs sent before after wrote
	local big_file err closed
	before=$(wchar_of "$SERVER_PID")
	out=$(curl -sS -o /dev/null --max-time 60 -H 'Expect:' \
	    -H 'Content-Type: application/json' -w '%{http_code} %{time_total} %{size_upload}' \
	    --data-binary @"$file" "$url" 2>"$T/big.err")
	after=$(wchar_of "$SERVER_PID")
	code=${out%% *}
	secs=${out#* }
	secs=${secs%% *}
	sent=${out##* }
	wrote=$((after - before))
	err=$(cat "$T/big.err")
	closed=no
	if [ "$code" = 413 ] || { [ "$code" = 000 ] &&
	    [[ "$err" =~ reset|Send\ failure|Recv\ failure|closed ]]; }; then
		closed=yes
	fi
	if [ "$closed" = yes ] && [ "${secs%%.*}" -lt 5 ]; then
		pass "$label: refused in ${secs}s (HTTP $code, $sent bytes sent)"
	else
		fail "$label: refused within 5 s" "HTTP $code in ${secs}s: $(head -c 200 "$T/big.err")"
	fi
	if [ "$wrote" -lt $((1024 * 1024)) ]; then
		pass "$label: the web server wrote $wrote bytes meanwhile (< 1 MiB: neither spooled nor forwarded)"
	else
		fail "$label: neither spooled nor forwarded" "the web server's processes wrote $wrote bytes"
	fi
	big_file=$(largest_file "$SPOOL")
	check "$label: nothing over 1 MiB in the spool directory" \
	    test "$big_file" -lt $((1024 * 1024))
}

check_bodies() {
	local small
	small="$T/body-100k"
	[ -f "$small" ] || {
		printf '{"text": "%s"}' "$(head -c 102400 /dev/zero | tr '\0' a)" >"$small"
		head -c $((200 * 1024)) /dev/zero | tr '\0' a >"$T/body-200k"
		head -c "$BIG" /dev/zero >"$T/body-50m"
		head -c $((60 * 1024 * 1024)) /dev/zero >"$T/body-60m"
	}
	# hark's limit is the one clients meet: the web server lets 100 KiB pass.
	req POST "$URL/v1/feedback" -H 'Content-Type: application/json' \
	    --data-binary @"$small"
	check_hark_error "100 KiB JSON body: hark's own JSON 413" 413
	req POST "$URL/v1/feedback" -H 'Content-Type: application/json' \
	    --data-binary @"$T/body-200k"
	check_status "200 KiB body: 413" 413
	# Without a Content-Length the limit holds while the body is read:
	# refused, and hark never sees a truncated request (it would answer
	# 400 or 401 to one).
	req POST "$URL/v1/feedback" -H 'Content-Type: application/json' \
	    -H "Authorization: Bearer $KEY" -H 'Transfer-Encoding: chunked' \
	    --data-binary @"$T/body-200k"
	check_status "200 KiB chunked body: refused (413; mod_fcgid 500)" "413|500"

	# 50 MB sent whole, without waiting for 100-continue, as an attacker
	# would, to a JSON endpoint; and 60 MB to the submission path, which
	# takes uploads up to 51 MiB (conf/*: [limits] max_submission).
	big_refused "50 MB body" "$URL/v1/feedback/fb_x" "$T/body-50m"
	big_refused "60 MB body to the upload path" "$URL/v1/feedback" \
	    "$T/body-60m"
	still_serving "the bodies"
}

check_slow() {
	local hdr body
	idle_close 'GET /v1/health HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n' >"$T/slow-hdr" &
	local p1=$!
	idle_close 'POST /v1/feedback HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"text": "' >"$T/slow-body" &
	local p2=$!
	wait "$p1" "$p2"
	hdr=$(cat "$T/slow-hdr")
	body=$(cat "$T/slow-body")
	if [[ "$hdr" =~ ^[0-9]+$ ]] && [ "$hdr" -le "$SLOW_BOUND" ]; then
		pass "headers that stop coming: closed after ${hdr}s"
	else
		fail "headers that stop coming: closed within ${SLOW_BOUND}s" "after $hdr"
	fi
	if [[ "$body" =~ ^[0-9]+$ ]] && [ "$body" -le "$SLOW_BOUND" ]; then
		pass "a body that stops coming: closed after ${body}s"
	else
		fail "a body that stops coming: closed within ${SLOW_BOUND}s" "after $body"
	fi
	still_serving "slow clients"
}

check_access_log() {
	local secret="secret$(rand_hex 6)"
	req GET "$URL/v1/health?q=$secret"
	check_status "GET /v1/health?q=... is 200" 200
	req GET "$URL/v1/feedback?q=$secret&limit=1" -H "Authorization: Bearer $KEY"
	check_status "GET /v1/feedback?q=... is 200" 200
	# lighttpd writes its access log in batches: wait for the lines.
	if wait_until 10 eval "[ \"\$(grep -c '\"GET /v1/feedback HTTP/1.1\" 200 ' '$ACCESS_LOG')\" -ge 1 ]"; then
		pass "access log has '\"GET /v1/feedback HTTP/1.1\" 200': the path, no query"
	else
		fail "access log has '\"GET /v1/feedback HTTP/1.1\" 200'" \
		    "last lines of $ACCESS_LOG: $(tail -n 3 "$ACCESS_LOG" 2>/dev/null | tr '\n' '|')"
	fi
	check "access log holds no query string (no '$secret')" \
	    eval "! grep -qF '$secret' '$ACCESS_LOG'"
	check "access log holds no '?'" eval "! grep -qF '?' '$ACCESS_LOG'"
	check "access log is 0640" \
	    eval '[ "$(stat -c %a "$ACCESS_LOG")" = 640 ]'
}

still_serving() {
	req GET "$URL/v1/health"
	check_status "still serving after $1" 200
}

# ---------------------------------------------------------------- the commit queue

# hark_procs COMM: the pids under the stack (HARK_ROOTS) named COMM.
hark_procs() {
	local r p
	for r in "${HARK_ROOTS[@]}"; do
		for p in $(descendants "$r"); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] && echo "$p"
		done
	done | sort -u
}
# hark_masters: the hark-fcgi processes that have hark-fcgi workers.
hark_masters() {
	local p c
	for p in $(hark_procs hark-fcgi); do
		for c in $(children_of "$p"); do
			if [ "$(cat "/proc/$c/comm" 2>/dev/null)" = hark-fcgi ]; then
				echo "$p"
				break
			fi
		done
	done
}
cq_sockets() { find "$STATE" -maxdepth 1 -name 'hark-commitq.*.sock' | sort; }
# filed_by PIDS...: rows the writers PIDS said they filed (log.level=debug).
filed_by() {
	local p n=0 k
	for p in "$@"; do
		for k in $(sed -n "s/.*hark-fcgi\[$p\]: debug: commit queue: \([0-9]*\) rows.*/\1/p" "$HARK_LOG"); do
			n=$((n + k))
		done
	done
	echo "$n"
}
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }

# post_burst N TAG: N JSON POSTs at once; prints how many were 201 with
# their row stored once.
post_burst() {
	local n=$1 tag=$2 i ok=0 id
	for ((i = 1; i <= n; i++)); do
		curl -s --max-time 30 -o "$T/burst.$i" -X POST \
		    -H "Authorization: Bearer $KEY" \
		    -H 'Content-Type: application/json' \
		    --data-binary "{\"text\":\"$tag-$i\"}" "$URL/v1/feedback" &
	done
	wait
	for ((i = 1; i <= n; i++)); do
		id=$("$JSONQ" id <"$T/burst.$i" 2>/dev/null) || continue
		[ "$(sql "SELECT COUNT(*) FROM feedback WHERE id = '$id' AND text = '$tag-$i'")" = 1 ] &&
		    ok=$((ok + 1))
	done
	echo "$ok"
}

# check_commit_queue MASTERS: whether the stack has writers ([server]
# commit_queue is on by default) and that ingest works either way.  MASTERS
# is how many pre-forking masters it runs: each keeps CQ_WRITERS writers
# ([server] commit_queue_writers) and a socket of its own in state_dir; 0
# (mod_fcgid, workers = 1) means none, and rows filed on the direct path.
check_commit_queue() {
	local want=$1 masters writers before ok m s tag
	tag="cq-$(rand_hex 3)"
	masters=$(hark_masters | tr '\n' ' ')
	writers=$(hark_procs hark-writer | tr '\n' ' ')
	check "hark-fcgi runs under the stack ($(hark_procs hark-fcgi | wc -l) processes)" \
	    test "$(hark_procs hark-fcgi | wc -l)" -gt 0
	check "$want pre-forking master(s) (${masters:-none})" \
	    test "$(hark_masters | wc -l)" -eq "$want"
	check "$((want * CQ_WRITERS)) writer(s) (${writers:-none})" \
	    test "$(hark_procs hark-writer | wc -l)" -eq $((want * CQ_WRITERS))
	check "$want commit-queue socket(s) in state_dir" \
	    test "$(cq_sockets | wc -l)" -eq "$want"
	for m in $masters; do
		s="$STATE/hark-commitq.$m.sock"
		# Its own: the listening socket named by the master is the
		# master's (and its writers'), not another master's.
		check "master $m listens on its own socket (hark-commitq.$m.sock)" \
		    eval "ss -xlpn | grep -F ' $s ' | grep -q 'pid=$m,'"
		check "master $m keeps $CQ_WRITERS writers" \
		    test "$(writers_of "$m" | wc -l)" -eq "$CQ_WRITERS"
	done
	# shellcheck disable=SC2086
	before=$(filed_by $writers)
	ok=$(post_burst 8 "$tag")
	check "8 JSON POSTs at once: 201 and stored once each ($ok)" test "$ok" -eq 8
	if [ "$want" -gt 0 ]; then
		# shellcheck disable=SC2086
		check "the writers filed them ($(($(filed_by $writers) - before)) rows)" \
		    test "$(($(filed_by $writers) - before))" -eq 8
		# Each master's workers reach their own master's writers.
		for m in $masters; do
			# shellcheck disable=SC2046
			check "master $m's writers filed some ($(filed_by $(writers_of "$m")))" \
			    test "$(filed_by $(writers_of "$m"))" -gt 0
		done
	else
		check "no commit queue line in the log (the direct path)" \
		    eval "! grep -q 'commit queue: [0-9]* rows' '$HARK_LOG'"
	fi
}

# ---------------------------------------------------------------- the stacks

# start_stack NAME: one stack from its shipped example.  Sets URL, HOST,
# PORT, SERVER_PID (the web server's first process), SPOOL (where it would
# put a request body it spools), ACCESS_LOG, STOP (the pids to stop, in
# order).
start_stack() {
	local name=$1 d="$T/$1"
	mkdir -p "$d"
	PORT=$(pick_port) || return 1
	HOST=127.0.0.1
	URL="http://$HOST:$PORT"
	STOP=()
	HARK_ROOTS=()
	HARK_LOG="$d/hark.log"
	STATE="$d/state"
	# debug: the writer's "commit queue: N rows" lines.
	write_hark_conf "$d/hark.conf" log.file="$d/hark.log" log.level=debug \
	    server.state_dir="$d/state" server.media_dir="$d/media"
	case $name in
	lighttpd)
		lighttpd_start lighttpd "$PORT" "$d/hark.conf" || return 1
		;;
	lighttpd-2procs)
		# Two masters side by side on one state_dir.
		LIGHTTPD_MAX_PROCS=2 lighttpd_start "$name" "$PORT" \
		    "$d/hark.conf" || return 1
		;;
	nginx | apache-proxy-fcgi)
		hark_standalone "$name" "$d/hark.conf" 2 || return 1
		STOP+=("$HARK_MASTER")
		HARK_ROOTS+=("$HARK_MASTER")
		if [ "$name" = nginx ]; then
			nginx_start nginx "$PORT" "$HARK_SOCK" || return 1
		else
			apache_start "$name" "$PORT" proxy-fcgi "$HARK_SOCK" || return 1
		fi
		;;
	apache-fcgid)
		# mod_fcgid: one worker a process, run as www-data.
		write_hark_conf "$d/hark.conf" log.file="$d/hark.log" \
		    log.level=debug server.workers=1 \
		    server.state_dir="$d/state" server.media_dir="$d/media"
		: >"$d/hark.log"
		chown www-data: "$d/hark.log" "$d/state" "$d/media"
		chmod 644 "$d/hark.conf"
		apache_start "$name" "$PORT" fcgid "$d/hark.conf" || return 1
		;;
	esac
	SERVER_PID=$SPAWNED_PID
	STOP=("$SERVER_PID" "${STOP[@]}")
	HARK_ROOTS+=("$SERVER_PID")
	SPOOL="$d/tmp"
	ACCESS_LOG="$d/logs/hark-access.log"
	wait_until 30 health_is "$URL" 200
}

t_init "${1:-}" webserver
t_db
# A key, so that hark reads the bodies it is sent rather than answer 401.
KEY=$("$HARK_BUILD/harkctl" -c "$T/migrate.conf" project create webserver 2>&1 |
    grep -o 'prj_[A-Za-z0-9_-]*' | head -n 1)
KEY=$("$HARK_BUILD/harkctl" -c "$T/migrate.conf" key create "$KEY" 2>&1 |
    grep -o 'sk_[A-Za-z0-9_-]*' | head -n 1)
check "a project and its key for the suite" test -n "$KEY"
for server in ${HARK_SERVERS:-lighttpd lighttpd-2procs nginx apache-proxy-fcgi apache-fcgid}; do
	t_ctx "$server"
	say "== $server"
	if ! start_stack "$server" >"$T/$server.setup" 2>&1; then
		fail "$server stack starts" "$(tail -n 8 "$T/$server.setup" | tr '\n' '|')"
	else
		case $server in
		lighttpd-2procs) want=2 ;;
		apache-fcgid) want=0 ;;
		*) want=1 ;;
		esac
		wait_until 20 eval '[ "$(hark_procs hark-writer | wc -l)" -eq $((want * CQ_WRITERS)) ]'
		check_commit_queue "$want"
		# The same example as lighttpd's: only what two masters change.
		if [ "$server" != lighttpd-2procs ]; then
			check_bodies
			check_slow
			check_access_log
		fi
	fi
	for pid in "${STOP[@]}"; do stop_pid "$pid" 20; done
	[ "$server" = apache-fcgid ] ||
	    check "stopped: no commit-queue socket is left in state_dir" \
		wait_until 10 eval '[ -z "$(cq_sockets)" ]'
done
rm -f "$T/body-50m" "$T/body-60m"	# kept logs need not keep 110 MB of zeros
t_ctx
t_summary
