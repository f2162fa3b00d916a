#!/bin/bash
# test_doctor.sh: harkctl doctor on a real installation and on broken ones.
#
#	tests/integration/test_doctor.sh BUILD_DIR
#
# hark-fcgi behind nginx on a real MariaDB.  A healthy stack whose
# hark-batch has run is all ok (exit 0), its test submission leaves no
# project and no row behind; each fault is named with a hint and exits 1:
# hark-batch never run, the web server down, a missing media directory,
# the database gone; pending schema files are a warning; bad arguments are
# usage errors (2).
set -u -o pipefail
. "$(dirname "$0")/lib.sh"

ctl() { "$HARK_BUILD/harkctl" -c "$CONF" "$@" 2>>"$T/harkctl.err"; }
sql() { mariadb_sql "$HARK_DB_SOCKET" "USE \`$HARK_DB_NAME\`; $1"; }
doctor() { ctl doctor --url "$URL" "$@" >"$T/dr/out" 2>&1; }
line() { grep -E "^$1 +$2 " "$T/dr/out"; }

setup() {
	mkdir -p "$T/dr"
	CONF="$T/dr/hark.conf"
	write_hark_conf "$CONF" log.file="$T/dr/hark.log" server.workers=2
	PRJ=$(ctl project create "Team") || exit 2
	PORT=$(pick_port) || exit 2
	URL="http://127.0.0.1:$PORT"
	nginx_start dr-nginx "$PORT" "$T/dr/hark.sock" || exit 2
	NGINX_PID=$SPAWNED_PID
	hark_standalone dr "$CONF" 2 || exit 2
	wait_until 30 health_is "$URL" 200 || { fail "hark serves"; exit 1; }
}

test_healthy() {
	t_ctx healthy
	doctor
	check "before hark-batch ever ran: exit 1" test $? = 1
	check "batch fails with the cron hint" eval "line fail batch |
	    grep -q 'cron.d/hark'"
	"$HARK_BUILD/hark-batch" -c "$CONF" --once
	doctor
	check "once it has: exit 0" test $? = 0
	for what in config database schema state_dir media_dir libmagic web \
	    submit batch; do
		check "$what is ok" line ok "$what"
	done
	check "the summary line" grep -qx '0 failed, 0 warnings' "$T/dr/out"
	check "the test submission went through the web server" eval \
	    "line ok submit | grep -qE 'fb_[0-9a-z]{26}'"
	check "its project is erased" test "$(sql "SELECT COUNT(*) FROM projects
	    WHERE name = 'harkctl doctor'")" = 0
	check "and no row of it is left" test "$(sql "SELECT COUNT(*) FROM
	    feedback WHERE text LIKE 'harkctl doctor%'")" = 0
	check "only the team's project remains" test "$(sql "SELECT GROUP_CONCAT(id)
	    FROM projects")" = "$PRJ"
}

test_faults() {
	local schema
	t_ctx faults
	schema="$T/dr/schema"
	mkdir -p "$schema"
	cp "$HARK_SRCDIR"/schema/*.sql "$schema/"
	printf -- '-- not yet applied\nSELECT 1;\n' >"$schema/999_future.sql"
	HARK_SCHEMA_DIR=$schema doctor
	check "pending schema files: a warning, still exit 0" test $? = 0
	check "naming harkctl migrate" eval "line warn schema |
	    grep -q 'harkctl migrate'"
	stop_pid "$NGINX_PID" 10
	doctor
	check "the web server down: exit 1" test $? = 1
	check "web fails with a hint" eval "line fail web | grep -q -- '--url'"
	check "and no submission is tried" eval "! grep -q ' submit ' '$T/dr/out'"
	write_hark_conf "$T/dr/broken.conf" server.media_dir="$T/dr/hark.log/media"
	"$HARK_BUILD/harkctl" -c "$T/dr/broken.conf" doctor --url "$URL" \
	    >"$T/dr/out" 2>&1
	check "a missing media directory: exit 1" test $? = 1
	cp "$T/dr/out" "$T/dr/media.out"
	check "media_dir fails naming it" eval "line fail media_dir |
	    grep -q 'hark.log/media: Not a directory'"
	write_hark_conf "$T/dr/nodb.conf" database.socket="$T/dr/no.sock"
	"$HARK_BUILD/harkctl" -c "$T/dr/nodb.conf" doctor --url "$URL" \
	    >"$T/dr/out" 2>&1
	check "no database: exit 1" test $? = 1
	check "database fails" line fail database
	ctl doctor --url ftp://example.com >/dev/null 2>&1
	check "--url ftp://: usage error (2)" test $? = 2
	ctl doctor extra >/dev/null 2>&1
	check "an operand: usage error (2)" test $? = 2
	"$HARK_BUILD/harkctl" -c "$T/dr/none.conf" doctor >"$T/dr/out" 2>&1
	check "a config that does not load: exit 1" test $? = 1
	check "config fails" line fail config
}

t_init "${1:-}" dr
t_db
export HARK_SCHEMA_DIR="$HARK_SRCDIR/schema"
setup
test_healthy
test_faults
t_ctx
t_summary
