#!/bin/bash
# test_jobs.sh: hark-batch's queue on a real MariaDB: claims, leases, retries, failure.
#
#	tests/integration/test_jobs.sh BUILD_DIR
#
# Submissions made through hark-fcgi behind nginx (multipart, the second
# seed) leave their jobs; hark-batch --once runs them: a text-only
# submission's enrich job (builtin) records its triage; a voice
# submission's transcribe job with no transcription backend fails at once
# and its session ends in error with the reason (the item is kept).  Two
# runners against one database (as two hosts: a state directory each)
# claim disjoint jobs; a claim whose lease ran out (its runner died) is
# claimed again, one still leased is not; --status shows the queue.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

MEDIA=$HARK_SRCDIR/tests/data/media
ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
batch() { timeout 120 "$HARK_BUILD/hark-batch" -c "${BCONF:-$CONF}" "$@"; }

uuid7() {
	local ms r
	ms=$(printf '%012x' "$(date +%s%3N)")
	r=$(od -An -N10 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s-%s-7%s-%x%s-%s\n' "${ms:0:8}" "${ms:8:4}" "${r:0:3}" \
	    $(( (0x${r:3:1} & 3) | 8 )) "${r:4:3}" "${r:7:12}"
}

payload() {
	cat >"$1" <<EOF
{"sessionId":"$2","transcript":"$3","context":{"dom":null,"console":[],
"network":[],"device":{},"page":{"url":"https://app.example.com/checkout"},
"screenshotUrl":null,"capturedAt":"2026-12-03T10:00:00Z"},"identity":null}
EOF
}

setup() {
	mkdir -p "$T/jb"
	CONF="$T/jb/hark.conf"
	write_hark_conf "$CONF" log.file="$T/jb/hark.log" server.workers=2 \
	    limits.rate_limit=100000 transcribe.backend=none batch.lease=60
	PRJ=$(ctl project create "Jobs") || exit 2
	SK=$(ctl key create "$PRJ") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start jb-nginx "$PORT" "$T/jb/hark.sock" || exit 2
	hark_standalone jb "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

state() {
	req GET "$URL/v1/feedback/session/$1/state" -H "Authorization: Bearer $SK"
}

test_enrich() {
	local sid id
	t_ctx enrich
	sid=$(uuid7)
	payload "$T/p.json" "$sid" "The checkout page crashes when I press pay, this is broken"
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
	    -F "payload=<$T/p.json"
	check_status "a text submission: 202" 202
	id=$(json id)
	check "an enrich job waits" test "$(sql "SELECT status FROM jobs WHERE
	    feedback_id = '$id' AND kind = 'enrich'")" = pending
	sql "UPDATE feedback SET category = 'other', impact_score = 0,
	    triaged_by = NULL WHERE id = '$id'"
	batch --once --verbose >"$T/b1.out" 2>&1
	check "hark-batch --once exits 0" test $? = 0
	check "the job is done" test "$(sql "SELECT CONCAT(status, ' ', attempts)
	    FROM jobs WHERE feedback_id = '$id'")" = "done 1"
	check "the item is triaged by builtin" test "$(sql "SELECT CONCAT(
	    category, ' ', triaged_by) FROM feedback WHERE id = '$id'")" = "bug builtin"
	check "its impact is set again" test "$(sql "SELECT impact_score FROM
	    feedback WHERE id = '$id'")" -gt 0
	req GET "$URL/v1/feedback/$id" -H "Authorization: Bearer $SK"
	check_json "the item shows who triaged it" triagedBy builtin
	# builtin is the learned triage now (issue 17): it judges spam and
	# the language too.
	check_json "and builtin's spam verdict: not spam" spam false
	check_json "and its language" language en
	check "a summary line ends the run (housekeeping, events, enrich)" grep -q 'run: 3 done, 0 retried, 0 failed' \
	    "$T/jb/hark.log"
	check "--verbose names the job" grep -q "enrich job_.*: done" "$T/jb/hark.log"

	# A category a person set is kept.
	payload "$T/p.json" "$(uuid7)" "Please add a dark mode to the dashboard"
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
	    -F "payload=<$T/p.json"
	id=$(json id)
	sql "UPDATE feedback SET category = 'question', triaged_by = 'human'
	    WHERE id = '$id'"
	batch --once >/dev/null 2>&1
	check "a person's category is never overwritten" test "$(sql "SELECT
	    CONCAT(category, ' ', triaged_by) FROM feedback WHERE id = '$id'")" = "question human"
	check "and the job is done" test "$(sql "SELECT status FROM jobs WHERE
	    feedback_id = '$id'")" = done
}

test_transcribe_fails() {
	local sid id
	t_ctx "transcribe without a backend"
	sid=$(uuid7)
	payload "$T/p.json" "$sid" ""
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
	    -F "payload=<$T/p.json" -F "audio=@$MEDIA/voice.webm"
	check_status "a voice submission: 202" 202
	id=$(json id)
	state "$sid"
	check_json "its session is processing" status processing
	batch --once >/dev/null 2>&1
	check "the transcribe job failed at once (no backend can do it)" \
	    test "$(sql "SELECT CONCAT(status, ' ', attempts) FROM jobs WHERE
	    feedback_id = '$id'")" = "failed 1"
	check "its reason is recorded" test -n "$(sql "SELECT last_error FROM
	    jobs WHERE feedback_id = '$id'")"
	state "$sid"
	check_json "the session is in error" status error
	check "with a short reason" eval "[[ '$(json error)' == 'transcribe failed: no transcription backend'* ]]"
	check "the item is kept" test "$(sql "SELECT COUNT(*) FROM feedback
	    WHERE id = '$id'")" = 1
}

test_leases() {
	local fid ids a b
	t_ctx leases
	fid=$(sql "SELECT id FROM feedback LIMIT 1")
	# A runner that died holding a claim: its lease ran out.
	sql "INSERT INTO jobs (id, kind, project_id, feedback_id, status, owner,
	    claimed_at, lease_until, attempts, run_after) VALUES
	    ('job_dead00000000000000000000000', 'enrich', '$PRJ', '$fid',
	     'running', 'gone:1:1:1', UTC_TIMESTAMP(6) - INTERVAL 2 HOUR,
	     UTC_TIMESTAMP(6) - INTERVAL 1 HOUR, 1, UTC_TIMESTAMP(6)),
	    ('job_busy00000000000000000000000', 'enrich', '$PRJ', '$fid',
	     'running', 'alive:1:1:1', UTC_TIMESTAMP(6),
	     UTC_TIMESTAMP(6) + INTERVAL 1 HOUR, 1, UTC_TIMESTAMP(6)),
	    ('job_later0000000000000000000000', 'enrich', '$PRJ', '$fid',
	     'pending', NULL, NULL, NULL, 0, UTC_TIMESTAMP(6) + INTERVAL 1 HOUR)"
	batch --status >"$T/status.out" 2>&1
	check "--status shows the queue by kind and state" \
	    grep -qE '^enrich +running +2' "$T/status.out"
	batch --once >/dev/null 2>&1
	check "an expired lease is claimed again and done" test "$(sql "SELECT
	    CONCAT(status, ' ', attempts) FROM jobs WHERE id =
	    'job_dead00000000000000000000000'")" = "done 2"
	check "a live lease is left alone" test "$(sql "SELECT CONCAT(status,
	    ' ', owner) FROM jobs WHERE id = 'job_busy00000000000000000000000'")" = "running alive:1:1:1"
	check "a job not yet due is left alone" test "$(sql "SELECT status FROM
	    jobs WHERE id = 'job_later0000000000000000000000'")" = pending
}

test_two_runners() {
	local fid n
	t_ctx "two runners"
	fid=$(sql "SELECT id FROM feedback LIMIT 1")
	sql "INSERT INTO jobs (id, kind, project_id, feedback_id, status, run_after)
	    SELECT CONCAT('job_', LPAD(seq, 26, '0')), 'enrich', '$PRJ', '$fid',
	    'pending', UTC_TIMESTAMP(6) FROM seq_1_to_300"
	# Two hosts: a state directory (and lock) each, one database.
	write_hark_conf "$T/jb/b1.conf" server.state_dir="$T/s1" \
	    log.file="$T/jb/b1.log" transcribe.backend=none
	write_hark_conf "$T/jb/b2.conf" server.state_dir="$T/s2" \
	    log.file="$T/jb/b2.log" transcribe.backend=none
	BCONF=$T/jb/b1.conf batch --once --verbose >/dev/null 2>&1 &
	local p1=$!
	BCONF=$T/jb/b2.conf batch --once --verbose >/dev/null 2>&1 &
	local p2=$!
	wait "$p1" "$p2"
	check "every job is done" test "$(sql "SELECT COUNT(*) FROM jobs WHERE
	    id LIKE 'job\\_000%' AND status = 'done'")" = 300
	grep -ho 'enrich job_000[0-9]*' "$T/jb/b1.log" | sort >"$T/r1"
	grep -ho 'enrich job_000[0-9]*' "$T/jb/b2.log" | sort >"$T/r2"
	n=$(comm -12 "$T/r1" "$T/r2" | wc -l)
	check "no job was run by both ($(wc -l <"$T/r1") and $(wc -l <"$T/r2"))" test "$n" = 0
	check "between them they ran all 300" test "$(cat "$T/r1" "$T/r2" | sort -u | wc -l)" = 300
	check "each ran once: attempts 1" test "$(sql "SELECT COUNT(*) FROM jobs
	    WHERE id LIKE 'job\\_000%' AND attempts <> 1")" = 0
}

test_housekeeping() {
	local known dir
	t_ctx housekeeping
	known=$(sql "SELECT path FROM media LIMIT 1")
	check "an upload's file is there" test -f "$T/media/$known"
	dir=$(dirname "$known")
	printf 'x' >"$T/media/$dir/med_0000000000000000000000zzzz-audio.webm"
	printf 'x' >"$T/media/$dir/med_0000000000000000000000yyyy-audio.webm"
	printf 'x' >"$T/media/$dir/notes.txt"
	mkdir -p "$T/media/.tmp"
	printf 'x' >"$T/media/.tmp/up-aaaaaaaaaaaaaaaa"
	printf 'x' >"$T/media/.tmp/up-bbbbbbbbbbbbbbbb"
	touch -d '2 hours ago' "$T/media/$known" \
	    "$T/media/$dir/med_0000000000000000000000zzzz-audio.webm" \
	    "$T/media/$dir/notes.txt" "$T/media/.tmp/up-aaaaaaaaaaaaaaaa"
	sql "UPDATE sessions SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND
	    LIMIT 1"
	local before=$(sql "SELECT COUNT(*) FROM sessions")
	batch --once --jobs housekeeping >/dev/null 2>&1
	check "an old file with no media row is removed" \
	    test ! -e "$T/media/$dir/med_0000000000000000000000zzzz-audio.webm"
	check "a young one is kept (its commit may be on its way)" \
	    test -e "$T/media/$dir/med_0000000000000000000000yyyy-audio.webm"
	check "an old file with its row is kept" test -f "$T/media/$known"
	check "a name hark never makes is left alone" test -e "$T/media/$dir/notes.txt"
	check "an old temp file is removed" test ! -e "$T/media/.tmp/up-aaaaaaaaaaaaaaaa"
	check "a young temp file is kept" test -e "$T/media/.tmp/up-bbbbbbbbbbbbbbbb"
	check "an expired session is deleted" test "$(sql "SELECT COUNT(*) FROM
	    sessions")" = $((before - 1))
}

test_retention() {
	local old young path
	t_ctx retention
	old=$(sql "SELECT f.id FROM feedback f JOIN media m ON m.feedback_id = f.id
	    LIMIT 1")
	path=$(sql "SELECT path FROM media WHERE feedback_id = '$old'")
	young=$(sql "SELECT id FROM feedback WHERE id <> '$old' LIMIT 1")
	sql "UPDATE feedback SET created_at = UTC_TIMESTAMP(6) - INTERVAL 40 DAY
	    WHERE id = '$old'"
	touch -d '2 hours ago' "$T/media/$path"
	check "harkctl project retention refuses junk" eval "! ctl project retention '$PRJ' x"
	ctl project retention "$PRJ" 30 >/dev/null
	check "harkctl project retention sets it" test "$(sql "SELECT
	    retention_days FROM projects WHERE id = '$PRJ'")" = 30
	batch --once --jobs housekeeping >/dev/null 2>&1
	check "an item older than 30 days is erased" test "$(sql "SELECT COUNT(*)
	    FROM feedback WHERE id = '$old'")" = 0
	check "with its media row" test "$(sql "SELECT COUNT(*) FROM media
	    WHERE feedback_id = '$old'")" = 0
	check "and its file" test ! -e "$T/media/$path"
	check "a younger item stays" test "$(sql "SELECT COUNT(*) FROM feedback
	    WHERE id = '$young'")" = 1
	ctl project retention "$PRJ" 0 >/dev/null
	check "0 keeps feedback forever again" test "$(sql "SELECT
	    COALESCE(retention_days, 'NULL') FROM projects WHERE id = '$PRJ'")" = NULL
}

# A runner SIGKILLed mid-job: its claim stays until the lease runs out,
# then another run takes the job.  The transcription service here accepts
# and never answers, so the run is surely mid-job when it is killed.
test_killed_runner() {
	local sid id port pid
	t_ctx "killed runner"
	port=$(pick_port) || return
	t_spawn blackhole /usr/bin/python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(8)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)"
	wait_until 10 eval "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
	write_hark_conf "$T/jb/hang.conf" log.file="$T/jb/hang.log" \
	    transcribe.backend=openai transcribe.openai_url="http://127.0.0.1:$port" \
	    transcribe.openai_timeout=120 batch.lease=60
	sid=$(uuid7)
	payload "$T/p.json" "$sid" ""
	req POST "$URL/v1/feedback" -H "Authorization: Bearer $SK" \
	    -F "payload=<$T/p.json" -F "audio=@$MEDIA/voice.webm"
	id=$(json id)
	BCONF=$T/jb/hang.conf batch --once --jobs transcribe >/dev/null 2>&1 &
	pid=$!
	wait_until 20 test "$(sql "SELECT status FROM jobs WHERE feedback_id =
	    '$id'")" = running
	# The hark-batch process itself (batch runs it under timeout).
	pkill -9 -f -- "-c $T/jb/hang.conf"
	wait "$pid" 2>/dev/null
	check "the killed run's job stays claimed" test "$(sql "SELECT CONCAT(
	    status, ' ', owner IS NOT NULL) FROM jobs WHERE feedback_id =
	    '$id'")" = "running 1"
	batch --once --jobs transcribe >/dev/null 2>&1
	check "while its lease lasts no other run takes it" test "$(sql "SELECT
	    attempts FROM jobs WHERE feedback_id = '$id'")" = 1
	# The lease runs out (60 s, made to have passed).
	sql "UPDATE jobs SET lease_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND
	    WHERE feedback_id = '$id'"
	batch --once --jobs transcribe >/dev/null 2>&1
	check "then the next run takes it (attempt 2) and ends it" \
	    test "$(sql "SELECT CONCAT(status, ' ', attempts) FROM jobs WHERE
	    feedback_id = '$id'")" = "failed 2"
	state "$sid"
	check_json "its session ends in error, not processing forever" status error
}

test_lock() {
	t_ctx lock
	exec 8>"$T/state/batch.lock"
	flock 8
	batch --once >"$T/lock.out" 2>&1
	check "a run while another holds the lock exits 0" test $? = 0
	check "saying so" grep -q "another run holds" "$T/jb/hark.log"
	flock -u 8
	exec 8>&-
}

# A missing or corrupt triage model stops hark-batch and hark-fcgi at
# start-up, with a message naming the file (issue 17).
test_bad_model() {
	t_ctx model
	local bad="$T/jb/bad.model" out
	head -c 100000 "$HARK_SRCDIR/data/triage.model" >"$bad"
	for m in "$T/jb/none.model" "$bad"; do
		write_hark_conf "$T/jb/m.conf" log.file="$T/jb/m.log" \
		    server.state_dir="$T/sm" triage.model_file="$m"
		out=$(BCONF=$T/jb/m.conf batch --once 2>&1)
		check "hark-batch refuses ${m##*/}: exit 1" test $? = 1
		check "naming it" eval "[[ \$out == *'$m'* ]]"
		out=$(timeout 20 "$HARK_BUILD/hark-fcgi" -c "$T/jb/m.conf" \
		    </dev/null 2>&1)
		check "hark-fcgi refuses ${m##*/}: exit 1" test $? = 1
		check "naming it" eval "[[ \$out == *'$m'* ]]"
	done
}

t_init "${1:-}" jb
t_db
setup
test_enrich
test_transcribe_fails
test_leases
test_two_runners
test_housekeeping
test_retention
test_killed_runner
test_lock
test_bad_model
t_ctx
t_summary
