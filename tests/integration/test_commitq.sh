#!/bin/bash
# test_commitq.sh: the commit queue (issue 21) and its failure rules.
#
#	tests/integration/test_commitq.sh BUILD_DIR
#
# hark-fcgi --listen with [server] commit_queue on (the default: the file
# leaves it out), 4 workers and their writer behind nginx, on a private
# MariaDB this suite restarts.  Triggers made as root stand in for what the server may do to a batch: refuse one
# row, stall (so that a batch forms behind a slow commit), or answer 1213
# once per connection.  Multipart submissions (the second seed's) go with
# their files' rows, job and session.  Then the writer killed mid-batch and hanging, and
# a steady POST load while the writer, MariaDB and a worker are killed:
# every 201 has its row, no row is there twice, no 500 is answered.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

WORKERS=4
TIMEOUT=3	# [server] commit_queue_timeout

sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
JSON_CT=(-H 'Content-Type: application/json')

# writer_pid: the master's writers (hark-writer), one a line, or nothing.
writer_pid() { writers_of "$MASTER"; }
workers_only() { worker_children "$MASTER"; }

# post_to OUT TEXT: one POST /v1/feedback; appends "STATUS ID TEXT" to OUT.
post_to() {
	local out=$1 text=$2 code body id
	body=$(curl -s --max-time 60 -w '\n%{http_code}' -X POST \
	    -H "Authorization: Bearer $KEY" "${JSON_CT[@]}" \
	    --data-binary "{\"text\":\"$text\"}" "$URL/v1/feedback")
	code=${body##*$'\n'}
	body=${body%$'\n'*}
	id=$(printf '%s' "$body" | "$JSONQ" id 2>/dev/null) || id=-
	printf '%s %s %s\n' "${code:-000}" "${id:--}" "$text" >>"$out"
}

# burst OUT N PREFIX: N POSTs at once, texts PREFIX-1 .. PREFIX-N.
burst() {
	local out=$1 n=$2 prefix=$3 i pids=()
	for ((i = 1; i <= n; i++)); do
		post_to "$out" "$prefix-$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
}

MEDIA=$HARK_SRCDIR/tests/data/media

# mp_to OUT TEXT [KEY]: one multipart POST of the second seed's shape (its
# payload with TEXT as the transcript, a voice recording, a screenshot,
# with Idempotency-Key KEY when given; session MP_SID, else a new one);
# appends "STATUS ID TEXT" to OUT.
mp_to() {
	local out=$1 text=$2 key=${3:-} code body id sid idem=()
	sid=${MP_SID:-$(cat /proc/sys/kernel/random/uuid)}
	[ -n "$key" ] && idem=(-H "Idempotency-Key: $key")
	cat >"$T/mp-$text.json" <<EOF
{"sessionId":"$sid","transcript":"$text","context":{"dom":null,"console":[],"network":[],
"device":{"userAgent":"Mozilla/5.0 (X11; Linux x86_64)","platform":"Linux x86_64","language":"en-GB","viewport":{"width":1280,"height":720},"devicePixelRatio":2,"timezone":"Europe/Amsterdam"},
"page":{"url":"https://app.example.com/reports","referrer":"","title":"Reports","customAttrs":{}},
"screenshotUrl":null,"annotationLayer":null,"capturedAt":"2026-12-03T10:00:00.000Z"},
"identity":null,"audioDurationMs":600}
EOF
	body=$(curl -s --max-time 60 -w '\n%{http_code}' -X POST \
	    -H "x-earshot-project: $PRJ" -H "x-earshot-key: $KEY" "${idem[@]}" \
	    -F "payload=<$T/mp-$text.json;type=application/json" \
	    -F "audio=@$MEDIA/voice.webm;type=audio/webm" \
	    -F "screenshot=@$MEDIA/shot.png;type=image/png" "$URL/v1/feedback")
	code=${body##*$'\n'}
	body=${body%$'\n'*}
	id=$(printf '%s' "$body" | "$JSONQ" id 2>/dev/null) || id=-
	printf '%s %s %s\n' "${code:-000}" "${id:--}" "$text" >>"$out"
}

# each_202_whole OUT: every 202's id names one row of its text with both
# its files (rows and files on disk), its job and its session.
each_202_whole() {
	local code id text bad=0 p seen=0
	while read -r code id text; do
		[ "$code" = 202 ] || continue
		seen=$((seen + 1))
		[ "$(sql "SELECT CONCAT((SELECT COUNT(*) FROM feedback WHERE id = '$id' AND text = '$text'), ' ',
		    (SELECT COUNT(*) FROM media WHERE feedback_id = '$id'), ' ',
		    (SELECT COUNT(*) FROM jobs WHERE feedback_id = '$id' AND kind = 'transcribe'), ' ',
		    (SELECT COUNT(*) FROM sessions WHERE feedback_id = '$id'))")" = "1 2 1 1" ] ||
		    { bad=$((bad + 1)); continue; }
		for p in $(sql "SELECT path FROM media WHERE feedback_id = '$id'"); do
			[ -s "$T/media/$p" ] || bad=$((bad + 1))
		done
	done <"$1"
	[ "$bad" -eq 0 ] && [ "$seen" -gt 0 ]
}
# Files on disk that no media row names: a refused submission's left behind.
orphan_files() {
	local n=0 p
	while read -r p; do
		p=${p#"$T/media/"}
		[ "$(sql "SELECT COUNT(*) FROM media WHERE path = '$p'")" = 1 ] || n=$((n + 1))
	done < <(find "$T/media" -path "$T/media/.tmp" -prune -o -type f -print)
	echo "$n"
}
batches() { grep -c "commit queue: [0-9]* rows" "$LOG"; }

count_status() { awk -v s="$2" '$1 == s' "$1" | wc -l | tr -d ' '; }
rows_like() { sql "SELECT COUNT(*) FROM feedback WHERE text LIKE '$1'"; }
twice() { sql "SELECT COUNT(*) FROM (SELECT text FROM feedback GROUP BY text HAVING COUNT(*) > 1) d"; }

# each_201_stored OUT: every 201's id names exactly one row of its text.
each_201_stored() {
	local code id text missing=0
	while read -r code id text; do
		[ "$code" = 201 ] || continue
		[ "$(sql "SELECT COUNT(*) FROM feedback WHERE id = '$id' AND text = '$text'")" = 1 ] ||
		    missing=$((missing + 1))
	done <"$1"
	[ "$missing" -eq 0 ]
}

# write_conf WRITERS: the suite's hark.conf with that many writers.
write_conf() {
	write_hark_conf "$CONF" log.file="$LOG" log.level=debug \
	    log.requests=no server.workers="$WORKERS" \
	    server.commit_queue_timeout="$TIMEOUT" \
	    server.commit_queue_writers="$1" limits.rate_limit=1000000
}

setup() {
	mkdir -p "$T/cq"
	CONF="$T/cq/hark.conf"
	LOG="$T/cq/hark.log"
	# One writer for the tests of its rules, two for the load below.
	write_conf 1
	PRJ=$("$HARK_BUILD/harkctl" -c "$CONF" project create "Queue") || exit 2
	KEY=$("$HARK_BUILD/harkctl" -c "$CONF" key create "$PRJ") || exit 2
	# A row the server refuses, a slow one, a 1213 once per connection
	# (noted in a table that no rollback empties).
	sql "CREATE TABLE t_fault_log (n INT) ENGINE=Aria" || exit 2
	printf 'DELIMITER //\n%s//\n' "CREATE TRIGGER t_faults BEFORE INSERT ON feedback FOR EACH ROW
	    BEGIN
	      IF NEW.text LIKE 'poison%' THEN
	        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'poisoned row';
	      END IF;
	      IF NEW.text LIKE 'slow%' THEN DO SLEEP(1.5); END IF;
	      IF NEW.text LIKE 'deadlock%' AND @t_deadlocked IS NULL THEN
	        SET @t_deadlocked = 1;
	        INSERT INTO t_fault_log VALUES (1213);
	        SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213,
	          MESSAGE_TEXT = 'Deadlock found when trying to get lock';
	      END IF;
	    END" | mariadb --no-defaults -S "$HARK_DB_SOCKET" -uroot \
	    "$HARK_DB_NAME" || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start cq-nginx "$PORT" "$T/cq/hark.sock" || exit 2
	leftovers
	start_master
}

# dead_pid: the pid of a process that has exited.
dead_pid() {
	local p
	sleep 0 &
	p=$!
	wait "$p"
	echo "$p"
}
bind_only() {
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$1"
}

# Sockets left in state_dir for the master to meet: a dead master's (its
# pid is gone, nobody listens), which it removes, and two it keeps: one
# named by a live process that does not listen (a master between bind()
# and listen()), one of a gone pid that a process listens on (a master in
# another pid namespace).
leftovers() {
	DEAD_SOCK="$T/state/hark-commitq.$(dead_pid).sock"
	bind_only "$DEAD_SOCK" || exit 2
	sleep 120 &
	BOUND_PID=$!
	BOUND_SOCK="$T/state/hark-commitq.$BOUND_PID.sock"
	bind_only "$BOUND_SOCK" || exit 2
	OTHER_SOCK="$T/state/hark-commitq.$(dead_pid).sock"
	python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1)
open(sys.argv[2], "w").close(); time.sleep(120)' "$OTHER_SOCK" "$T/listener.up" &
	OTHER_PID=$!
	wait_until 10 test -e "$T/listener.up" || exit 2
}

start_master() {
	hark_standalone cq "$CONF" "$WORKERS" "$@" || exit 2
	MASTER=$HARK_MASTER
	wait_until 30 eval '[ -n "$(writer_pid)" ] && health_is "$URL" 200' ||
	    { fail "hark serves with its writer"; t_summary; exit 1; }
}

test_writer() {
	local out=$T/one.codes w bg
	t_ctx "writer"
	w=$(writer_pid)
	check "the master keeps a writer besides its $WORKERS workers" \
	    test "$(workers_only | wc -l)" -eq "$WORKERS" -a -n "$w"
	check "its socket is in state_dir, named by the master, for this user only" \
	    eval '[ "$(stat -c %a "$T/state/hark-commitq.$MASTER.sock")" = 600 ]'
	check "a dead master's left-over socket was removed" test ! -e "$DEAD_SOCK"
	check "one named by a live process was kept" test -S "$BOUND_SOCK"
	check "and one a process listens on" test -S "$OTHER_SOCK"
	kill "$BOUND_PID" "$OTHER_PID" 2>/dev/null
	wait "$BOUND_PID" "$OTHER_PID" 2>/dev/null
	rm -f "$BOUND_SOCK" "$OTHER_SOCK"
	: >"$out"
	post_to "$out" "lone-1"
	check "a lone POST is 201" test "$(count_status "$out" 201)" -eq 1
	check "its row is there once" test "$(rows_like 'lone-1')" -eq 1
	check "the writer filed it" grep -q "commit queue: 1 rows" "$LOG"
	: >"$out"
	# Behind a slow commit the others queue up and go in one batch.
	post_to "$out" "slow-batch" &
	bg=$!
	sleep 0.3
	burst "$out" 12 batch
	wait "$bg"
	check "13 POSTs at once: 13 answered 201" test "$(count_status "$out" 201)" -eq 13
	check "13 rows, none twice" test "$(rows_like 'batch-%')" -eq 12 -a "$(twice)" -eq 0
	check "those queued behind the slow commit shared one (log: $(grep -o 'commit queue: [0-9]* rows' "$LOG" | sort | uniq -c | sort -rn | head -1))" \
	    grep -qE "commit queue: ([2-9]|1[0-9]) rows" "$LOG"
	check "every 201 has its row" each_201_stored "$out"
}

# Multipart submissions go through the queue with their files' rows, their
# session and their job, in the batch's transaction.
test_multipart() {
	local out=$T/mp.codes bg b0 i pids
	t_ctx "multipart"
	: >"$out"
	b0=$(batches)
	mp_to "$out" "mp-lone"
	check "a lone multipart POST is 202" test "$(count_status "$out" 202)" -eq 1
	check "the writer filed it" test "$(batches)" -gt "$b0"
	check "with its files, job and session" each_202_whole "$out"
	: >"$out"
	post_to "$out" "slow-mp" &
	bg=$!
	sleep 0.3
	pids=("$bg")
	for ((i = 1; i <= 6; i++)); do
		mp_to "$out" "mpbatch-$i" &
		pids+=($!)
	done
	post_to "$out" "mpjson-1" &
	pids+=($!)
	wait "${pids[@]}"
	check "6 multipart and 2 JSON POSTs at once: all answered" \
	    test "$(count_status "$out" 202)" -eq 6 -a "$(count_status "$out" 201)" -eq 2
	check "a batch behind the slow commit held several of them" \
	    grep -qE "commit queue: ([2-9]|1[0-9]) rows" "$LOG"
	check "each multipart row whole, once" each_202_whole "$out"
	check "no row twice" test "$(twice)" -eq 0
	: >"$out"
	post_to "$out" "slow-mp2" &
	bg=$!
	sleep 0.3
	pids=("$bg")
	mp_to "$out" "poison-mp" &
	pids+=($!)
	sleep 0.2
	for ((i = 1; i <= 4; i++)); do
		mp_to "$out" "mpmate-$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	check "a refused multipart row is answered 500" \
	    test "$(awk '$3 == "poison-mp"' "$out" | cut -d' ' -f1)" = 500
	check "its neighbours are whole" each_202_whole "$out"
	check "and are 4" test "$(count_status "$out" 202)" -eq 4
	check "the refused one left no row of any kind" test "$(sql "SELECT
	    (SELECT COUNT(*) FROM media m LEFT JOIN feedback f ON f.id = m.feedback_id WHERE f.id IS NULL) +
	    (SELECT COUNT(*) FROM jobs j LEFT JOIN feedback f ON f.id = j.feedback_id WHERE f.id IS NULL)")" -eq 0
	check "and no file" test "$(orphan_files)" -eq 0
	: >"$out"
	MP_SID=$(cat /proc/sys/kernel/random/uuid)
	mp_to "$out" "mp-idem" "mp-key-1"
	mp_to "$out" "mp-idem" "mp-key-1"
	MP_SID=
	check "a keyed multipart POST twice: 202 both" test "$(count_status "$out" 202)" -eq 2
	check "the same item" test "$(awk '{print $2}' "$out" | sort -u | wc -l)" -eq 1
	check "stored once" test "$(rows_like 'mp-idem')" -eq 1
	check "whole" each_202_whole "$out"
}

test_bad_row() {
	local out=$T/bad.codes bg bg2
	t_ctx "a bad row"
	: >"$out"
	: >"$T/bad.mark"
	post_to "$out" "slow-bad" &
	bg=$!
	sleep 0.3
	# With 4 workers: the slow row, the bad one and two neighbours are
	# with the writer when the slow commit ends: they are the next batch.
	post_to "$out" "poison-1" &
	bg2=$!
	sleep 0.2
	burst "$out" 8 neighbour
	wait "$bg" "$bg2"
	check "the refused row is answered 500" test "$(awk '$3 == "poison-1"' "$out" | cut -d' ' -f1)" = 500
	check "its 8 neighbours are 201" test "$(count_status "$out" 201)" -eq 9
	check "and stored, once each" test "$(rows_like 'neighbour-%')" -eq 8 -a "$(twice)" -eq 0
	check "the batch was filed row by row" grep -q "filing them one by one" "$LOG"
	check "every 201 has its row" each_201_stored "$out"
}

test_deadlock() {
	local out=$T/dl.codes before bg bg2
	t_ctx "1213"
	: >"$out"
	before=$(grep -c "one by one" "$LOG")
	post_to "$out" "slow-dl" &
	bg=$!
	sleep 0.3
	post_to "$out" "deadlock-1" &
	bg2=$!
	sleep 0.2
	burst "$out" 6 dlmate
	wait "$bg" "$bg2"
	check "a batch meeting 1213: all 8 are 201" test "$(count_status "$out" 201)" -eq 8
	check "the server did answer 1213" test "$(sql "SELECT COUNT(*) FROM t_fault_log")" -ge 1
	check "the batch was retried whole, not row by row" test "$(grep -c "one by one" "$LOG")" -eq "$before"
	check "7 rows of it, once each" test "$(rows_like 'dlmate-%')" -eq 6 -a "$(rows_like 'deadlock-1')" -eq 1 -a "$(twice)" -eq 0
}

# A COMMIT whose answer is lost (2013/2006) is retried: the retry must meet
# the rows that did commit by their ids.  HARK_TEST_WRITER_REPLAY makes the
# writer file each batch a second time, as that retry does.
test_replayed_commit() {
	local out=$T/replay.codes bg
	t_ctx "2013 at COMMIT"
	: >"$out"
	stop_pid "$MASTER" 30
	start_master_env
	post_to "$out" "slow-replay" &
	bg=$!
	sleep 0.3
	burst "$out" 8 replay
	wait "$bg"
	check "a batch filed again after its COMMIT: all 201" test "$(count_status "$out" 201)" -eq 9
	check "no row twice" test "$(rows_like 'replay-%')" -eq 8 -a "$(twice)" -eq 0
	check "every 201 has its row" each_201_stored "$out"
	stop_pid "$MASTER" 30
	start_master
}

start_master_env() {
	mkdir -p "$T/cq"
	rm -f "$T/cq/hark.sock"
	t_spawn cq/hark-fcgi env HARK_TEST_DIR="$T" HARK_TEST_WRITER_REPLAY=1 \
	    "$HARK_BUILD/hark-fcgi" -c "$CONF" --listen "unix:$T/cq/hark.sock" \
	    --workers "$WORKERS" --pid-file "$T/cq/hark.pid"
	MASTER=$SPAWNED_PID
	wait_until 30 eval '[ -n "$(writer_pid)" ] && health_is "$URL" 200' ||
	    fail "hark serves with HARK_TEST_WRITER_REPLAY"
}

test_writer_killed() {
	local out=$T/wkill.codes w neww bg bg2
	t_ctx "writer killed"
	: >"$out"
	w=$(writer_pid)
	post_to "$out" "slow-kill" &
	bg=$!
	sleep 0.3
	burst "$out" 6 orphan &
	bg2=$!
	sleep 0.5
	kill -KILL "$w"
	wait "$bg" "$bg2"
	check "its waiting workers answered each: 7 of 7 are 201" test "$(count_status "$out" 201)" -eq 7
	check "stored once each (on the direct path)" test "$(rows_like 'orphan-%')" -eq 6 -a "$(twice)" -eq 0
	check "every 201 has its row" each_201_stored "$out"
	if wait_until 10 eval 'neww=$(writer_pid); [ -n "$neww" ] && [ "$neww" != "$w" ]'; then
		pass "the master starts another writer"
	else
		fail "the master starts another writer" "writer: '$(writer_pid)'"
	fi
	: >"$out"
	post_to "$out" "after-kill"
	check "which files the next POST" test "$(count_status "$out" 201)" -eq 1
}

test_writer_hangs() {
	local out=$T/hang.codes w t0 t1
	t_ctx "writer hangs"
	: >"$out"
	w=$(writer_pid)
	kill -STOP "$w"
	t0=$SECONDS
	post_to "$out" "hung-1"
	t1=$SECONDS
	check "a POST while the writer hangs is 201 (direct path, $((t1 - t0)) s)" \
	    test "$(count_status "$out" 201)" -eq 1
	check "after the worker's bounded wait" test $((t1 - t0)) -le $((TIMEOUT + 3))
	check "and stored once" test "$(rows_like 'hung-1')" -eq 1
	if wait_until $((TIMEOUT + 5)) eval '! kill -0 '"$w"' 2>/dev/null'; then
		pass "the master kills the hung writer"
	else
		fail "the master kills the hung writer" "pid $w"
		kill -CONT "$w" 2>/dev/null
	fi
	wait_until 10 eval 'n=$(writer_pid); [ -n "$n" ] && [ "$n" != "'"$w"'" ]'
	check "and starts another" test -n "$(writer_pid)"
}

# commit_queue_writers = 2 (the default): both share the socket, the rows
# of a burst are all filed, one killed is replaced while the other files.
test_two_writers() {
	local out=$T/two.codes ws w1
	t_ctx "two writers"
	stop_pid "$MASTER" 30
	write_conf 2
	start_master
	wait_until 10 eval '[ "$(writer_pid | wc -l)" -eq 2 ]'
	ws=$(writer_pid | tr '\n' ' ')
	check "the master keeps two writers ($ws) and $WORKERS workers" \
	    test "$(writer_pid | wc -l)" -eq 2 -a "$(workers_only | wc -l)" -eq "$WORKERS"
	: >"$out"
	burst "$out" 16 two
	check "16 POSTs at once: all 201" test "$(count_status "$out" 201)" -eq 16
	check "stored once each" test "$(rows_like 'two-%')" -eq 16 -a "$(twice)" -eq 0
	check "every 201 has its row" each_201_stored "$out"
	w1=$(writer_pid | head -n 1)
	kill -KILL "$w1"
	: >"$out"
	burst "$out" 8 onegone
	check "with one writer killed: all 201" test "$(count_status "$out" 201)" -eq 8
	check "stored once each" test "$(rows_like 'onegone-%')" -eq 8 -a "$(twice)" -eq 0
	if wait_until 10 eval '[ "$(writer_pid | wc -l)" -eq 2 ] && ! writer_pid | grep -qx "'"$w1"'"'; then
		pass "the master replaces it: two writers again"
	else
		fail "the master replaces it: two writers again" "writers: $(writer_pid | tr '\n' ' ')"
	fi
}

# The issue's fault test: a steady POST load, the writers SIGKILLed
# mid-batch, MariaDB restarted, a worker SIGKILLed.
test_faults_under_load() {
	local out=$T/load.codes i n=0 t_up t_ok victim
	t_ctx "faults under load"
	: >"$out"
	rm -f "$T/load.stop"
	for ((i = 0; i < 6; i++)); do
		(
			j=0
			while [ ! -e "$T/load.stop" ]; do
				j=$((j + 1))
				if [ "$i" -lt 2 ]; then
					mp_to "$out" "mpload-$i-$j"
				else
					post_to "$out" "load-$i-$j"
				fi
			done
		) &
		LOADERS+=($!)
	done
	sleep 2
	# shellcheck disable=SC2046
	kill -KILL $(writer_pid)
	sleep 2
	mariadb_stop "$T/db"
	sleep 1
	mariadb_start "$T/db" || fail "MariaDB restarts"
	t_up=$SECONDS
	victim=$(workers_only | head -n 1)
	kill -KILL "$victim"
	# Recovered: a 201 answered after MariaDB is back.
	n=$(wc -l <"$out")
	wait_until 60 eval "tail -n +$((n + 1)) '$out' | grep -q '^201 '"
	t_ok=$SECONDS
	sleep 2
	touch "$T/load.stop"
	wait "${LOADERS[@]}"
	say "   (recovered $((t_ok - t_up)) s after MariaDB came back; answers: $(cut -d' ' -f1 "$out" | sort | uniq -c | tr -s ' \n' ' '))"
	check "some POSTs were answered 201 ($(count_status "$out" 201))" test "$(count_status "$out" 201)" -gt 20
	check "no 500 was answered" test "$(count_status "$out" 500)" -eq 0
	check "every 201 has its row" each_201_stored "$out"
	check "multipart POSTs were answered 202 ($(count_status "$out" 202))" test "$(count_status "$out" 202)" -gt 5
	check "every 202 has its rows and files" each_202_whole "$out"
	check "no row exists twice" test "$(twice)" -eq 0
	check "a writer runs again" wait_until 10 eval '[ -n "$(writer_pid)" ]'
	check "and $WORKERS workers" wait_until 10 eval '[ "$(workers_only | wc -l)" -eq '"$WORKERS"' ]'
}

# gone PID...: none of them runs.
gone() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 1
	done
	return 0
}

test_stop() {
	local ws
	t_ctx "stop"
	ws=$(writer_pid | tr '\n' ' ')
	stop_pid "$MASTER" 30
	# shellcheck disable=SC2086
	check "the master stops, its writers ($ws) last" gone $ws
	check "its socket is removed" test ! -e "$T/state/hark-commitq.$MASTER.sock"
	check "the writers stopped after the workers" eval \
	    'grep -n "writer .* stopped\|worker .* exited" "$LOG" | tail -n 1 | grep -q "writer .* stopped"'
}

test_off() {
	local out=$T/off.codes
	t_ctx "commit_queue = off"
	write_hark_conf "$CONF" log.file="$LOG" server.workers="$WORKERS" \
	    server.commit_queue=off limits.rate_limit=1000000
	start_master_off
	check "no writer" test -z "$(writer_pid)"
	: >"$out"
	burst "$out" 4 direct
	check "POSTs are 201 on the direct path" test "$(count_status "$out" 201)" -eq 4
	check "stored once each" test "$(rows_like 'direct-%')" -eq 4
}

# One worker waits for each answer: nothing could share its commits, so
# its master keeps no writer and the worker files its own rows.
test_one_worker() {
	local out=$T/one-worker.codes
	t_ctx "one worker"
	write_hark_conf "$CONF" log.file="$LOG" server.workers=1 \
	    limits.rate_limit=1000000
	stop_pid "$MASTER" 30
	hark_standalone cq "$CONF" 1 || exit 2
	MASTER=$HARK_MASTER
	wait_until 30 health_is "$URL" 200 || fail "hark serves with one worker"
	check "no writer (commit_queue on, the default)" test -z "$(writer_pid)"
	check "no socket" eval '[ -z "$(ls "$T/state" | grep "^hark-commitq\.")" ]'
	check "the log says why" grep -q "commit queue off: one worker" "$LOG"
	: >"$out"
	post_to "$out" "one-worker-1"
	check "a POST is 201 on the direct path" test "$(count_status "$out" 201)" -eq 1
	check "stored once" test "$(rows_like 'one-worker-1')" -eq 1
	stop_pid "$MASTER" 30
}

start_master_off() {
	hark_standalone cq "$CONF" "$WORKERS" || exit 2
	MASTER=$HARK_MASTER
	wait_until 30 health_is "$URL" 200 || fail "hark serves without a writer"
}

LOADERS=()
t_init "${1:-}" commitq
t_db private
setup
test_writer
test_multipart
test_bad_row
test_deadlock
test_replayed_commit
test_writer_killed
test_writer_hangs
test_two_writers
test_faults_under_load
test_stop
test_off
test_one_worker
t_ctx
t_summary
