#!/bin/bash
# test_faults.sh: the standalone master under faults, behind nginx.
#
#	tests/integration/test_faults.sh BUILD_DIR
#
# hark-fcgi --listen with 4 workers behind nginx (conf/nginx.conf), on a
# private MariaDB this suite stops and starts.  A worker killed mid-traffic,
# SIGTERM during a slow request, SIGHUP with a broken and with a good config,
# max_requests, the database going away and coming back.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=4

# loop_start MAX OUT: sequential GET /v1/health in the background, one status
# a line in OUT, until MAX requests or until $T/loop.stop exists.
loop_start() {
	local max=$1 out=$2
	rm -f "$T/loop.stop"
	: >"$out"
	(
		for ((i = 0; i < max; i++)); do
			[ -e "$T/loop.stop" ] && break
			curl -s -o /dev/null --max-time 30 -w '%{http_code}\n' \
			    "$URL/v1/health" >>"$out"
		done
	) &
	LOOP_PID=$!
}

# loop_end: stops the loop and waits for it (bounded).
loop_end() {
	touch "$T/loop.stop"
	wait_until 120 eval "! kill -0 $LOOP_PID" || kill "$LOOP_PID" 2>/dev/null
	wait "$LOOP_PID" 2>/dev/null
}

lines() { wc -l <"$1" | tr -d ' '; }
bad_count() { grep -vc '^200$' "$1"; }
summary_of() { sort "$1" | uniq -c | tr -s ' \n' ' '; }

# no_common "A" "B": the two pid lists share no pid.
no_common() {
	local p
	for p in $1; do
		[[ " $2 " == *" $p "* ]] && return 1
	done
	return 0
}

# new_count "BEFORE" "AFTER": how many pids of AFTER are not in BEFORE.
new_count() {
	local p n=0
	for p in $2; do
		[[ " $1 " == *" $p "* ]] || n=$((n + 1))
	done
	echo "$n"
}

has_workers() { [ "$(worker_count "$MASTER")" -eq "$1" ]; }

start_master() {
	hark_standalone faults "$CONF" "$WORKERS" || exit 2
	MASTER=$HARK_MASTER
	if wait_until 30 eval "has_workers $WORKERS && health_is '$URL' 200"; then
		pass "master starts $WORKERS workers and serves"
	else
		fail "master starts $WORKERS workers and serves" \
		    "workers: $(worker_pids "$MASTER"); $(tail -n 5 "$T/faults/hark-fcgi.out" | tr '\n' '|')"
	fi
}

# ---------------------------------------------------------------- a killed worker

test_killed_worker() {
	local victim before after
	t_ctx "SIGKILL"
	before=$(worker_pids "$MASTER")
	victim=${before%% *}
	loop_start 200 "$T/kill.codes"
	wait_until 60 eval '[ "$(lines "$T/kill.codes")" -ge 50 ]'
	kill -KILL "$victim"
	wait_until 120 eval "! kill -0 $LOOP_PID"
	loop_end
	if [ "$(lines "$T/kill.codes")" -eq 200 ] && [ "$(bad_count "$T/kill.codes")" -le 1 ]; then
		pass "200 requests while a worker is killed: at most 1 fails"
	else
		fail "200 requests while a worker is killed: at most 1 fails" \
		    "$(lines "$T/kill.codes") answered: $(summary_of "$T/kill.codes")"
	fi
	if wait_until 15 eval "has_workers $WORKERS && ! kill -0 $victim"; then
		after=$(worker_pids "$MASTER")
		if [[ " $after " != *" $victim "* ]]; then
			pass "the master replaces the killed worker ($WORKERS workers again)"
		else
			fail "the master replaces the killed worker" "workers $after"
		fi
	else
		fail "the master replaces the killed worker within 15 s" \
		    "workers now: $(worker_pids "$MASTER")"
	fi
	check "the master is still running" kill -0 "$MASTER"
}

# ---------------------------------------------------------------- --status

# status_json: hark-fcgi --status --json into R_BODY, its exit status in ST_RC.
status_json() {
	R_BODY=$("$HARK_BUILD/hark-fcgi" -c "$CONF" --status --json 2>&1)
	ST_RC=$?
}

# After test_killed_worker: 200 requests, one worker killed.
test_status() {
	local out
	t_ctx "--status"
	sleep 1.1	# the master writes it once a second
	status_json
	check "--status exits 0 while the master runs" test "$ST_RC" -eq 0
	check_json "--json names the master's pid" pid "$MASTER"
	check_json "and that it runs" running true
	check_json "it counts $WORKERS configured workers" workers.configured "$WORKERS"
	check_json "all of them alive" workers.alive "$WORKERS"
	check "it counts the requests served (>= 200: $(json requests_served))" \
	    test "$(json requests_served)" -ge 200
	check "and the restart of the killed worker" test "$(json restarts)" -ge 1
	check_json "the last restart's cause" last_restart.cause "killed by signal 9 (Killed)"
	check "with the rate-limit table's statistics (hark_rl_stats)" \
	    test "$(json rate_limit_table.buckets)" -ge 1
	out=$("$HARK_BUILD/hark-fcgi" -c "$CONF" --status)
	check "the text view says the same" \
	    eval '[[ "$out" == *"workers:           $WORKERS alive of $WORKERS"* &&
	    "$out" == *"killed by signal 9"* ]]'
	check "--json without --status is a usage error" \
	    eval '"$HARK_BUILD/hark-fcgi" -c "$CONF" --json >/dev/null 2>&1; [ $? -eq 2 ]'
}

# After test_reload_good: the reload is counted, and its replacements say why.
test_status_reload() {
	t_ctx "--status"
	sleep 1.1
	status_json
	check "a reload is counted ($(json reloads))" test "$(json reloads)" -ge 1
	check_json "and the workers it replaced say why" last_restart.cause \
	    "retired by the master (reload)"
}

# test_status_gone stopped|killed: after a graceful stop there is no status
# file; after a SIGKILL the file stays and says it is stale.  Both exit 3.
test_status_gone() {
	local out rc
	t_ctx "--status"
	out=$("$HARK_BUILD/hark-fcgi" -c "$CONF" --status 2>&1)
	rc=$?
	check "--status exits 3 once the master was $1 (${out%%$'\n'*})" \
	    test "$rc" -eq 3
	[ "$1" = killed ] && check "saying its status is stale" \
	    eval '[[ "$out" == *stale* ]]'
}

# ---------------------------------------------------------------- the database goes away

test_database_down() {
	local before after ra i bad=0
	t_ctx "database down"
	before=$(worker_pids "$MASTER")
	mariadb_stop "$T/db"
	req GET "$URL/v1/health"
	check_status "health is 503 while MariaDB is stopped" 503
	check_json "health says database unavailable" database unavailable
	check_json "health says status unavailable" status unavailable
	ra=$(hdr Retry-After)
	if [[ "$ra" =~ ^[0-9]+$ ]]; then
		pass "503 carries Retry-After ($ra)"
	else
		fail "503 carries Retry-After" "Retry-After: '$ra'"
	fi
	check "503 is application/json; charset=utf-8" \
	    test "$(hdr Content-Type)" = "application/json; charset=utf-8"
	if awk -v t="$R_TIME" 'BEGIN { exit !(t < 10) }'; then
		pass "the 503 comes within 10 s (${R_TIME}s)"
	else
		fail "the 503 comes within 10 s" "took ${R_TIME}s"
	fi
	for ((i = 0; i < 12; i++)); do
		req GET "$URL/v1/health"
		[ "$R_STATUS" = 503 ] || bad=$((bad + 1))
	done
	check "12 more requests while down: all 503, no worker crashes" test "$bad" -eq 0

	mariadb_start "$T/db" || { fail "MariaDB restarts"; return; }
	if wait_until 30 health_is "$URL" 200; then
		pass "health is 200 again once MariaDB is back"
	else
		fail "health is 200 again once MariaDB is back" "status $(curl -s -o /dev/null -w '%{http_code}' "$URL/v1/health")"
	fi
	: >"$T/back.codes"
	for ((i = 0; i < 4; i++)); do
		parallel_get 4 "$URL/v1/health" "$T/back.codes"
	done
	check "16 requests after the restart (4 at a time): all 200" \
	    test "$(bad_count "$T/back.codes")" -eq 0
	after=$(worker_pids "$MASTER")
	if [ "$after" = "$before" ]; then
		pass "workers reconnected without being replaced"
	else
		fail "workers reconnected without being replaced" "before: $before; after: $after"
	fi
}

# ---------------------------------------------------------------- SIGHUP

test_reload_broken() {
	local line i bad=0
	t_ctx "SIGHUP broken"
	cp "$CONF" "$T/good.conf"
	sed -i 's/^\[server\]$/[server]\nno_such_key = 1/' "$CONF"
	line=$(grep -n '^no_such_key' "$CONF" | cut -d: -f1)
	kill -HUP "$MASTER"
	if wait_until 10 grep -qE "$(basename "$CONF"):$line:" \
	    "$T/faults/hark.log" "$T/faults/hark-fcgi.out"; then
		pass "the log has $(basename "$CONF"):$line: for the unknown key"
	else
		fail "the log has $(basename "$CONF"):$line: for the unknown key" \
		    "$(tail -n 3 "$T/faults/hark.log" "$T/faults/hark-fcgi.out" 2>/dev/null | tr '\n' '|')"
	fi
	for ((i = 0; i < 20; i++)); do
		req GET "$URL/v1/health"
		[ "$R_STATUS" = 200 ] || bad=$((bad + 1))
	done
	check "the old config keeps serving: 20 requests all 200" test "$bad" -eq 0
	check "the master is still running" kill -0 "$MASTER"
	check "$WORKERS workers still running" has_workers "$WORKERS"
	cp "$T/good.conf" "$CONF"
}

test_reload_good() {
	local before after
	t_ctx "SIGHUP good"
	# The file now says 2 workers; --workers on the command line still wins.
	write_hark_conf "$CONF" log.file="$T/faults/hark.log" \
	    server.workers=2 limits.rate_limit=5000
	before=$(worker_pids "$MASTER")
	loop_start 100000 "$T/hup.codes"
	wait_until 30 eval '[ "$(lines "$T/hup.codes")" -ge 20 ]'
	kill -HUP "$MASTER"
	if wait_until 30 eval 'has_workers $WORKERS && no_common "$before" "$(worker_pids $MASTER)"'; then
		pass "every worker is replaced after SIGHUP"
	else
		fail "every worker is replaced after SIGHUP within 30 s" \
		    "before: $before; now: $(worker_pids "$MASTER")"
	fi
	local n
	n=$(lines "$T/hup.codes")
	wait_until 30 eval '[ "$(lines "$T/hup.codes")" -ge $((n + 20)) ]'
	loop_end
	if [ "$(bad_count "$T/hup.codes")" -eq 0 ]; then
		pass "no request fails during the reload ($(lines "$T/hup.codes") requests)"
	else
		fail "no request fails during the reload" "$(summary_of "$T/hup.codes")"
	fi
	after=$(worker_pids "$MASTER")
	check "the master is the same process" kill -0 "$MASTER"
	check "$WORKERS workers after the reload (--workers outlives it)" \
	    has_workers "$WORKERS"
}

# ---------------------------------------------------------------- SIGTERM

# slow_start: locks schema_migrations (health reads it) from a mariadb client
# on fd 7 and starts a GET /v1/health that waits on it (SLOW_PID); 1 when the
# lock could not be taken.
slow_start() {
	local fifo="$T/lock.fifo"
	rm -f "$fifo"
	mkfifo "$fifo"
	mariadb --no-defaults --unbuffered -S "$HARK_DB_SOCKET" -uroot -N "$HARK_DB_NAME" \
	    <"$fifo" >"$T/lock.out" 2>&1 &
	LOCK_CLIENT=$!
	exec 7>"$fifo"
	echo "LOCK TABLES schema_migrations WRITE; SELECT 'locked';" >&7
	if ! wait_until 10 grep -q locked "$T/lock.out"; then
		fail "schema_migrations locked for a slow request" "$(cat "$T/lock.out")"
		exec 7>&-
		return 1
	fi
	# Once, in a CI run under ASan, the request was answered within the
	# second despite the lock (cause not found).  Such a try says nothing
	# of what the callers test, so it is made again, and what it got is
	# printed so that a repeat can be run down.
	local try
	for try in 1 2 3; do
		curl -s -o "$T/slow.body" --max-time 60 -w '%{http_code}' \
		    "$URL/v1/health" >"$T/slow.code" &
		SLOW_PID=$!
		sleep 1
		kill -0 "$SLOW_PID" 2>/dev/null && break
		wait "$SLOW_PID"
		say "   (try $try: the health request was answered at once" \
		    "$(cat "$T/slow.code"): $(head -c 120 "$T/slow.body"))"
	done
	check "a health request waits on the locked table" kill -0 "$SLOW_PID"
}

# slow_end: unlocks; the slow request must then complete with 200.
slow_end() {
	local code
	echo "UNLOCK TABLES;" >&7
	exec 7>&-
	wait_until 15 eval "! kill -0 $LOCK_CLIENT"
	if wait_until 30 eval "! kill -0 $SLOW_PID"; then
		wait "$SLOW_PID"
		code=$(cat "$T/slow.code")
		if [ "$code" = 200 ]; then
			pass "the in-flight request completes with 200"
		else
			fail "the in-flight request completes with 200" "got $code: $(head -c 200 "$T/slow.body")"
		fi
	else
		fail "the in-flight request completes within 30 s"
	fi
}

test_graceful_stop() {
	t_ctx "SIGTERM"
	if ! slow_start; then
		stop_pid "$MASTER" 30
		return
	fi
	kill -TERM "$MASTER"
	sleep 2
	check "the master waits for the in-flight request" kill -0 "$MASTER"
	slow_end
	if wait_until 30 eval "! kill -0 $MASTER"; then
		pass "the master exits after SIGTERM"
	else
		fail "the master exits within 30 s of SIGTERM"
		kill -KILL "$MASTER" 2>/dev/null
	fi
	wait "$MASTER" 2>/dev/null
	if wait_until 10 eval '[ -z "$(live_hark_pids)" ]'; then
		pass "no worker outlives the master"
	else
		fail "no worker outlives the master" "left: $(live_hark_pids)"
		for pid in $(live_hark_pids); do kill -KILL "$pid"; done
	fi
}

# ---------------------------------------------------------------- max_requests

test_max_requests() {
	local before after n
	t_ctx "max_requests"
	write_hark_conf "$CONF" log.file="$T/faults/hark.log" \
	    server.workers="$WORKERS" server.max_requests=50
	start_master
	before=$(worker_pids "$MASTER")
	loop_start 300 "$T/max.codes"
	wait_until 120 eval "! kill -0 $LOOP_PID"
	loop_end
	if [ "$(lines "$T/max.codes")" -eq 300 ] && [ "$(bad_count "$T/max.codes")" -eq 0 ]; then
		pass "300 requests with max_requests=50: all 200"
	else
		fail "300 requests with max_requests=50: all 200" "$(summary_of "$T/max.codes")"
	fi
	wait_until 15 has_workers "$WORKERS"
	after=$(worker_pids "$MASTER")
	n=$(new_count "$before" "$after")
	# 300 requests cannot all fit in 4 workers of at most 50 each.
	if [ "$n" -ge 1 ]; then
		pass "workers retire after 50 requests ($n of $WORKERS replaced)"
	else
		fail "workers retire after 50 requests" "before: $before; after: $after"
	fi
	check "$WORKERS workers after retirements" has_workers "$WORKERS"
}

# A SIGTERM in the moment workers are being forked must still be a graceful
# stop: none of them may be left for the shutdown timeout to kill.
test_stop_right_after_start() {
	local i killed=0 hung=0 log="$T/faults/early.log" m
	t_ctx "SIGTERM at start"
	for i in 1 2 3; do
		: >"$log"
		write_hark_conf "$T/faults/early.conf" log.file="$log" \
		    server.workers=32 server.shutdown_timeout=20
		hark_standalone early "$T/faults/early.conf" 32 || { hung=1; break; }
		m=$HARK_MASTER
		wait_until 10 grep -q "starting 32 workers" "$log"
		kill -TERM "$m"
		wait_until 25 eval "! kill -0 $m" || hung=$((hung + 1))
		stop_pid "$m" 5
		grep -q "killing it" "$log" && killed=$((killed + 1))
	done
	check "3 stops during start-up: every worker stops by itself" \
	    test "$killed" -eq 0
	check "and each master exits" test "$hung" -eq 0
}

# A master killed outright (SIGKILL, the OOM killer) must not leave its
# workers serving unsupervised: they finish what they hold and exit, so
# whatever started the master (a web server, systemd) can start a new one.
# refuses SOCKET: a connect to the unix socket is refused.
refuses() {
	! python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])' "$1" 2>/dev/null
}

test_master_killed() {
	local workers p left
	t_ctx "master SIGKILL"
	stop_pid "$MASTER" 30
	write_hark_conf "$CONF" log.file="$T/faults/hark.log" \
	    server.workers="$WORKERS"
	start_master
	workers=$(worker_pids "$MASTER")
	loop_start 100 "$T/orphan.codes"
	wait_until 60 eval '[ "$(lines "$T/orphan.codes")" -ge 20 ]'
	loop_end
	# A worker in a request when the master dies: the socket is shut at
	# once (before, that worker kept it accepting until its request was
	# done), and the request still finishes.
	slow_start || return
	kill -KILL "$MASTER"
	wait "$MASTER" 2>/dev/null
	check "its socket refuses new connections at once, a request still in hand" \
	    eval 'wait_until 2 refuses "$T/faults/hark.sock" && kill -0 $SLOW_PID'
	slow_end
	left() {
		local p out=
		for p in $workers; do
			kill -0 "$p" 2>/dev/null && out+="$p "
		done
		[ -z "$out" ]
	}
	if wait_until 15 left; then
		pass "the workers of a killed master exit by themselves"
	else
		fail "the workers of a killed master exit within 15 s" \
		    "still running: $(for p in $workers; do kill -0 "$p" 2>/dev/null && echo -n "$p "; done)"
		for p in $workers; do kill -KILL "$p" 2>/dev/null; done
	fi
	test_status_gone killed
	t_ctx "master SIGKILL"
	start_master
	check "a new master serves on the same socket" health_is "$URL" 200
}

# The same under lighttpd's bin-path mode, where lighttpd spawned the
# master: once its workers are gone lighttpd starts a new hark-fcgi, and
# requests succeed again (issue 13: 409 x 503 for 3 minutes, orphans PPID 1).
hark_children() {
	local p
	for p in $(children_of "$1" 2>/dev/null); do
		[ "$(readlink "/proc/$p/exe" 2>/dev/null)" = "$HARK_BUILD/hark-fcgi" ] && echo "$p"
	done
}

orphans_of() {
	local p out=
	for p in $1; do
		kill -0 "$p" 2>/dev/null && out+="$p(ppid $(cut -d' ' -f4 "/proc/$p/stat" 2>/dev/null)) "
	done
	echo "$out"
}

test_spawned_master_killed() {
	local d="$T/faults-lighttpd" port lpid old workers new codes
	t_ctx "lighttpd bin-path, master SIGKILL"
	mkdir -p "$d"
	port=$(pick_port) || return
	write_hark_conf "$d/hark.conf" log.file="$d/hark.log" \
	    server.workers="$WORKERS" server.state_dir="$d/state" \
	    server.media_dir="$d/media"
	if ! lighttpd_start faults-lighttpd "$port" "$d/hark.conf" >"$d/setup.out" 2>&1; then
		fail "lighttpd starts" "$(tail -n 5 "$d/setup.out" | tr '\n' '|')"
		return
	fi
	lpid=$SPAWNED_PID
	URL2="http://127.0.0.1:$port"
	if ! wait_until 30 eval 'health_is "$URL2" 200 && [ -n "$(hark_children "$lpid")" ] &&
	    [ "$(worker_count "$(hark_children "$lpid")" 2>/dev/null)" -eq "$WORKERS" ]'; then
		fail "lighttpd spawns hark-fcgi and it serves" \
		    "children: $(children_of "$lpid" | tr '\n' ' ')"
		stop_pid "$lpid" 20
		return
	fi
	old=$(hark_children "$lpid")
	workers=$(worker_pids "$old" 2>/dev/null)
	pass "lighttpd spawns a master ($old) with $WORKERS workers"
	URL_SAVED=$URL
	URL=$URL2
	loop_start 100000 "$T/spawned.codes"
	wait_until 60 eval '[ "$(lines "$T/spawned.codes")" -ge 20 ]'
	kill -KILL "$old"
	if wait_until 15 eval '[ -z "$(orphans_of "$workers")" ]'; then
		pass "the killed master's workers exit by themselves"
	else
		fail "the killed master's workers exit within 15 s" \
		    "still running: $(orphans_of "$workers")"
		for p in $workers; do kill -KILL "$p" 2>/dev/null; done
	fi
	# What follows is lighttpd's part, shown and not asserted: its respawn
	# first connects to the socket, and when that connect wins the race
	# with the workers' shutdown (a loaded machine: 2 of 2 runs here on a
	# busy 2-core box, 1 in 20 on a quiet one), lighttpd 1.4 takes hark for
	# a server it does not manage and never respawns it.  hark's own part,
	# the workers leaving at once, is asserted above.
	respawned=no
	if wait_until 30 eval 'new=$(hark_children "$lpid"); [ -n "$new" ] && [ "$new" != "$old" ] &&
	    health_is "$URL2" 200'; then
		respawned=yes
	fi
	say "   (lighttpd respawned hark within 30 s: $respawned)"
	# Let the load run on the new master a little, then look at it.
	: >"$T/spawned.after"
	for i in $(seq 20); do
		curl -s -o /dev/null --max-time 5 -w '%{http_code}\n' \
		    "$URL2/v1/health" >>"$T/spawned.after"
	done
	loop_end
	URL=$URL_SAVED
	say "   (after it: $(summary_of "$T/spawned.after"))"
	# Requests between the kill and the respawn get 503 from lighttpd: up
	# to its disable time (1 s) and trigger (1 s) when the socket refused
	# before lighttpd had reaped the master.  Shown, not asserted.
	say "   (statuses under load across the kill: $(summary_of "$T/spawned.codes"))"
	new=$(hark_children "$lpid")
	new="$new $(worker_pids "$new" 2>/dev/null)"
	stop_pid "$lpid" 20
	if wait_until 15 eval '[ -z "$(orphans_of "$new")" ]'; then
		pass "no hark-fcgi left once lighttpd stopped"
	else
		fail "no hark-fcgi left once lighttpd stopped" "$(orphans_of "$new")"
	fi
}

# ---------------------------------------------------------------- main

t_init "${1:-}" faults
t_db private
mkdir -p "$T/faults"
CONF="$T/faults/hark.conf"
write_hark_conf "$CONF" log.file="$T/faults/hark.log" server.workers="$WORKERS"
PORT=$(pick_port) || exit 2
URL="http://127.0.0.1:$PORT"
t_ctx "start"
# nginx first: it only needs the socket's path, and start_master checks
# health through it.
nginx_start faults-nginx "$PORT" "$T/faults/hark.sock" || {
	fail "nginx starts"
	t_summary
	exit
}
start_master

test_killed_worker
test_status
test_database_down
test_reload_broken
test_reload_good
test_status_reload
test_graceful_stop
test_status_gone stopped
test_max_requests
test_stop_right_after_start
test_master_killed
test_spawned_master_killed

t_ctx
t_summary
