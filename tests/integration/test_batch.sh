#!/bin/bash
# test_batch.sh: hark-batch, the cron-driven batch processor, on a real
# MariaDB.
#
#	tests/integration/test_batch.sh BUILD_DIR
#
# Its command line (help, version, usage errors and their exit statuses),
# a run of the housekeeping job kind against the database, the state
# directory's lock (a run while another holds it exits 0 at once, saying
# so, and runs nothing), and the failures a cron run can meet: no database,
# no configuration, no state directory.
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

# batch NAME ARGS...: runs hark-batch (bounded), keeps its stdout, stderr
# and exit status in $T/NAME.{out,err} and B_RC.
batch() {
	local name=$1
	shift
	timeout 60 "$HARK_BUILD/hark-batch" "$@" >"$T/$name.out" 2>"$T/$name.err"
	B_RC=$?
}

# check_rc NAME WANT: the last batch run's exit status.
check_rc() {
	if [ "$B_RC" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "exit $B_RC, want $2; stderr: $(head -c 300 "$T/$3.err" 2>/dev/null)"
	fi
}

# log_lines PATTERN: how many lines of this suite's hark-batch log match.
log_lines() {
	if [ -f "$LOG" ]; then grep -cE -- "$1" "$LOG"; else echo 0; fi
	return 0
}

test_command_line() {
	t_ctx options
	batch help --help
	check_rc "--help exits 0" 0 help
	check "--help prints the usage on stdout" grep -q '^usage: hark-batch' "$T/help.out"
	check "--help lists the job kinds" grep -q '^job kinds:.* housekeeping' "$T/help.out"
	batch h -h
	check_rc "-h exits 0" 0 h
	batch version --version
	check_rc "--version exits 0" 0 version
	check "--version names the program and a version" \
	    grep -qE '^hark-batch [0-9]+\.[0-9]+' "$T/version.out"
	batch badkind -c "$CONF" --jobs housekeeping,frobnicate
	check_rc "an unknown job kind is a usage error (2)" 2 badkind
	check "the error names the unknown kind" grep -q '"frobnicate"' "$T/badkind.err"
	check "and the usage follows it" grep -q '^usage: hark-batch' "$T/badkind.err"
	batch emptykind -c "$CONF" --jobs ''
	check_rc "an empty --jobs is a usage error (2)" 2 emptykind
	batch trailing -c "$CONF" --jobs housekeeping,
	check_rc "an empty name in --jobs is a usage error (2)" 2 trailing
	batch zero -c "$CONF" --max-seconds 0
	check_rc "--max-seconds 0 is a usage error (2)" 2 zero
	batch junk -c "$CONF" --max-seconds 10s
	check_rc "--max-seconds 10s is a usage error (2)" 2 junk
	batch huge -c "$CONF" --max-seconds 99999999999999999999
	check_rc "--max-seconds out of range is a usage error (2)" 2 huge
	batch unknown -c "$CONF" --frobnicate
	check_rc "an unknown option is a usage error (2)" 2 unknown
	check "with the usage" grep -q '^usage: hark-batch' "$T/unknown.err"
	batch operand -c "$CONF" housekeeping
	check_rc "an operand is a usage error (2)" 2 operand
	check "no usage error took the lock" test ! -e "$T/state/batch.lock"
	check "nor logged a run" test "$(log_lines 'run: ')" = 0
}

test_housekeeping_run() {
	t_ctx housekeeping
	local before all
	# A run of every kind: housekeeping and the events scan, both each-run.
	before=$(log_lines 'info: run: 1 done, 0 retried, 0 failed')
	all=$(log_lines 'info: run: 2 done, 0 retried, 0 failed')
	batch once -c "$CONF" --once
	check_rc "hark-batch --once against the database exits 0" 0 once
	check "its summary line counts housekeeping and events done" test \
	    "$(log_lines 'info: run: 2 done, 0 retried, 0 failed')" = $((all + 1))
	check "a run writes nothing to stdout or stderr (cron mails nothing)" \
	    eval "! test -s '$T/once.out' && ! test -s '$T/once.err'"
	check "the lock file is in the state directory" test -f "$T/state/batch.lock"
	check "only its owner may open it" \
	    test "$(stat -c %a "$T/state/batch.lock")" = 600
	batch named -c "$CONF" --jobs housekeeping --max-seconds 5
	check_rc "--jobs housekeeping --max-seconds 5 exits 0" 0 named
	check "and runs housekeeping" test \
	    "$(log_lines 'info: run: 1 done, 0 retried, 0 failed')" = $((before + 1))
	HARK_CONFIG=$CONF batch env --once
	check_rc "HARK_CONFIG names the configuration" 0 env
	check "a run releases its lock (the next one ran)" test \
	    "$(log_lines 'info: run: 2 done, 0 retried, 0 failed')" = $((all + 2))
}

test_lock() {
	t_ctx lock
	local holder runs
	# The lock a running hark-batch holds, flock(2) on batch.lock, held
	# by one process (sleep, on fd 9) so that stopping it frees the lock.
	t_spawn lock-holder bash -c 'exec 9>>"$1" && flock 9 && : >"$2" &&
	    exec sleep 120' lock-holder "$T/state/batch.lock" "$T/locked"
	holder=$SPAWNED_PID
	if ! wait_until 20 test -e "$T/locked"; then
		fail "the test holds the lock" "$(cat "$T/lock-holder.out")"
		return
	fi
	runs=$(log_lines 'run: ')
	batch second -c "$CONF" --once
	check_rc "a run while another holds the lock exits 0" 0 second
	check "and says so in the log" test "$(log_lines 'info: another run holds .*/batch.lock')" -ge 1
	check "and runs no job" test "$(log_lines 'run: ')" = "$runs"
	check "and leaves cron nothing to mail" \
	    eval "! test -s '$T/second.out' && ! test -s '$T/second.err'"
	stop_pid "$holder" 10
	batch after -c "$CONF" --once
	check_rc "once the lock is free a run goes ahead" 0 after
	check "and runs its jobs" test "$(log_lines 'run: ')" = $((runs + 1))
}

test_failures() {
	t_ctx failures
	local conf
	conf="$T/nodb.conf"
	write_hark_conf "$conf" log.file="$T/nodb.log" \
	    database.socket="$T/no-such.sock" database.connect_timeout=1
	batch nodb -c "$conf" --once
	check_rc "no database: exit 1" 1 nodb
	check "no database: logged as unavailable" \
	    grep -q 'warn: database unavailable' "$T/nodb.log"
	check "no database: the summary counts housekeeping failed" \
	    grep -q 'run: 0 done, 0 retried, 1 failed' "$T/nodb.log"
	batch noconf -c "$T/no-such.conf" --once
	check_rc "no configuration: exit 1" 1 noconf
	check "no configuration: stderr names the file" \
	    grep -q "no-such.conf" "$T/noconf.err"
	conf="$T/nostate.conf"
	write_hark_conf "$conf" log.file="$T/nostate.log"
	sed -i "s|^state_dir = .*|state_dir = $T/no-such-dir|" "$conf"
	batch nostate -c "$conf" --once
	check_rc "no state directory: exit 1" 1 nostate
	check "no state directory: the log names the lock file" \
	    grep -q "error: $T/no-such-dir/batch.lock: No such file" "$T/nostate.log"
}

t_init "${1:-}" batch
if [ ! -x "$HARK_BUILD/hark-batch" ]; then
	echo "$HARK_BUILD/hark-batch is not built" >&2
	exit 2
fi
t_db
CONF="$T/hark.conf"
LOG="$T/batch.log"
write_hark_conf "$CONF" log.file="$LOG"
test_command_line
test_housekeeping_run
test_lock
test_failures
t_ctx
t_summary
